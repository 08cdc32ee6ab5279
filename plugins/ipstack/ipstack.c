/*
 * plugins/ipstack/ipstack.c -- the `ipstack` enricher: geolocation of IP
 * addresses from the ipstack HTTP API.  The huntkit counterpart of
 * MSTICPy's IPStackLookup; context, not threat intelligence (no HK_PF_TI).
 *
 * The request is built by prepare and the reply read by parse, so the host
 * can run many lookups at once within the instance's rate limit and cache
 * the answers (ABI 1.1); lookup is the same pair around one http_fetch.
 * Non-public addresses are answered without a request.  ipstack reports
 * API errors as HTTP 200 with {"success": false, "error": {"code", "type",
 * "info"}}; those are mapped to auth, quota and plan errors here.  The
 * access key travels in the query string (ipstack's only way), so the
 * request URL is never shown: the reference is the URL without the key.
 *
 * Column names are geoip_maxmind's where they mean the same, so a pipeline
 * can swap one enricher for the other.
 */
#include <huntkit/huntkit.h>

#include <arpa/inet.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const hk_host *ips_host;

enum {
  F_COUNTRY_CODE,
  F_COUNTRY_NAME,
  F_CITY,
  F_SUBDIVISION,
  F_POSTAL_CODE,
  F_LATITUDE,
  F_LONGITUDE,
  F_TIMEZONE,
  F_ASN,
  F_ISP,
  F_CONTINENT_CODE,
  F_REGION_CODE,
  F_COUNT
};

typedef struct ips_state {
  const hk_instance *inst;
  char *key;      /* access key (resolved secret) */
  char *base_url; /* without a trailing slash */
  char *language;
  /* Per-call outputs, valid until the next call. */
  hk_buf url, reference, raw;
  char summary[400];
  char addr[INET6_ADDRSTRLEN];
  json_object *reply; /* owns the strings in fields */
  hk_value fields[F_COUNT];
} ips_state;

static void
ips_destroy(void *state)
{
  ips_state *s = state;
  if (!s)
    return;
  if (s->key) {
    memset(s->key, 0, strlen(s->key));
    free(s->key);
  }
  free(s->base_url);
  free(s->language);
  if (s->url.data)
    memset(s->url.data, 0, s->url.cap);
  hk_buf_free(&s->url);
  hk_buf_free(&s->reference);
  hk_buf_free(&s->raw);
  json_object_put(s->reply);
  free(s);
}

static int
ips_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  const hk_host *h = ips_host;
  if (!HK_HAS(h, ip_classify))
    return hk_error_set(err, HK_E_NOTSUP,
                        "ipstack: this huntkit has no IP classifier "
                        "(hk_host.ip_classify is missing); upgrade huntkit");
  if (!HK_HAS(h, http_fetch))
    return hk_error_set(err, HK_E_NOTSUP,
                        "ipstack: this huntkit has no HTTP service (built "
                        "without libcurl?); use geoip_maxmind for offline "
                        "geolocation");
  const char *key = h->config_get_string(cfg, "api_key");
  if (!key || !*key)
    return hk_error_set(err, HK_E_AUTH,
                        "ipstack: no api_key: get a free access key at "
                        "https://ipstack.com and set api_key: "
                        "${env:IPSTACK_KEY} in conf.d/ipstack.yaml");
  const char *base = h->config_get_string(cfg, "base_url");
  if (!base || (strncmp(base, "http://", 7) && strncmp(base, "https://", 8)))
    return hk_error_set(err, HK_E_CONFIG,
                        "ipstack: base_url '%s' must start with http:// or "
                        "https://",
                        base ? base : "");
  const char *lang = h->config_get_string(cfg, "language");
  ips_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "ipstack: out of memory");
  s->inst = inst;
  s->key = strdup(key);
  s->base_url = strdup(base);
  s->language = strdup(lang && *lang ? lang : "en");
  if (!s->key || !s->base_url || !s->language) {
    ips_destroy(s);
    return hk_error_set(err, HK_E_NOMEM, "ipstack: out of memory");
  }
  size_t n = strlen(s->base_url);
  while (n > 0 && s->base_url[n - 1] == '/')
    s->base_url[--n] = '\0';
  *state = s;
  return HK_OK;
}

/* s->addr and s->reference for an address: its canonical text, never the
 * caller's spelling (no stray characters reach the URL).  The host may
 * call prepare for many IoCs before their replies reach parse, so parse
 * recomputes these from its own IoC. */
static void
set_address(ips_state *s, const hk_ip_info *ip)
{
  if (ip->embedded_v4 && ip->family == 6)
    inet_ntop(AF_INET, ip->addr + 12, s->addr, sizeof s->addr);
  else
    inet_ntop(ip->family == 4 ? AF_INET : AF_INET6, ip->addr, s->addr,
              sizeof s->addr);
  hk_buf_reset(&s->reference);
  hk_buf_appendf(&s->reference, "%s/%s", s->base_url, s->addr);
}

static int
ips_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
            hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  (void)options;
  (void)err;
  ips_state *s = state;
  hk_ip_info ip;
  memset(&ip, 0, sizeof ip);
  ip.struct_size = sizeof ip;
  req->url = NULL;
  out->fields = NULL;
  out->raw = NULL;
  out->reference = NULL;
  out->severity = HK_SEV_INFORMATION;
  if (ips_host->ip_classify(ioc->value, ioc->len, &ip) != HK_OK ||
      ip.family == 0) {
    size_t shown = ioc->len > 64 ? 64 : ioc->len;
    snprintf(s->summary, sizeof s->summary,
             "'%.*s%s' is not an IPv4 or IPv6 address", (int)shown, ioc->value,
             ioc->len > shown ? "..." : "");
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = s->summary;
    return HK_OK;
  }
  if (!ip.is_global) {
    snprintf(s->summary, sizeof s->summary, "%s address (not geolocated)",
             ips_host->ip_class_name ? ips_host->ip_class_name(ip.ip_class)
                                     : "non-public");
    out->status = HK_LK_NO_DATA;
    out->summary = s->summary;
    return HK_OK;
  }
  set_address(s, &ip);
  if (s->url.data)
    memset(s->url.data, 0, s->url.cap);
  hk_buf_reset(&s->url);
  hk_buf_appendf(&s->url, "%s/%s?access_key=", s->base_url, s->addr);
  hk_buf_append_url_encoded(&s->url, s->key, strlen(s->key));
  hk_buf_append_str(&s->url, "&output=json&language=");
  hk_buf_append_url_encoded(&s->url, s->language, strlen(s->language));
  req->method = "GET";
  req->url = s->url.data;
  req->headers = NULL;
  req->body = NULL;
  req->body_len = 0;
  return HK_OK;
}

static const char *
get_str(json_object *o, const char *key)
{
  json_object *m;
  if (!o || !json_object_object_get_ex(o, key, &m) ||
      !json_object_is_type(m, json_type_string))
    return NULL;
  return json_object_get_string(m);
}

static void
set_str(hk_value *v, const char *s)
{
  if (!s || !*s)
    return;
  v->is_set = 1;
  v->str = s;
  v->str_len = strlen(s);
}

static void
set_num(hk_value *v, json_object *o, const char *key, int integer)
{
  json_object *m;
  if (!o || !json_object_object_get_ex(o, key, &m) || !m)
    return;
  if (!json_object_is_type(m, json_type_double) &&
      !json_object_is_type(m, json_type_int))
    return;
  v->is_set = 1;
  if (integer)
    v->i64 = json_object_get_int64(m);
  else
    v->f64 = json_object_get_double(m);
}

/* An ipstack API error ({"success": false, "error": {...}}). */
static int
api_error(ips_state *s, json_object *error, hk_enrichment *out, hk_error *err)
{
  json_object *m;
  int64_t code = 0;
  if (json_object_object_get_ex(error, "code", &m))
    code = json_object_get_int64(m);
  const char *type = get_str(error, "type");
  const char *info = get_str(error, "info");
  if (!type)
    type = "?";
  if (!info)
    info = "";
  switch (code) {
  case 101:
  case 102:
    return hk_error_set(err, HK_E_AUTH,
                        "ipstack refused the access key (%lld %s: %.200s); "
                        "check api_key in conf.d/ipstack.yaml",
                        (long long)code, type, info);
  case 104:
    return hk_error_set(err, HK_E_RATELIMIT,
                        "ipstack: the plan's monthly request quota is used up "
                        "(104 %s); lookups resume next month or with another "
                        "plan",
                        type);
  case 105:
    if (strstr(type, "https"))
      return hk_error_set(err, HK_E_AUTH,
                          "ipstack: the plan does not allow HTTPS (105 %s); "
                          "set base_url: http://api.ipstack.com (the key then "
                          "travels unencrypted) or upgrade the plan",
                          type);
    return hk_error_set(err, HK_E_AUTH,
                        "ipstack: the plan does not allow this request "
                        "(105 %s: %.200s)",
                        type, info);
  case 106:
    snprintf(s->summary, sizeof s->summary,
             "ipstack: '%s' is not a valid address (106 %s)", s->addr, type);
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = s->summary;
    out->fields = NULL;
    return HK_OK;
  default:
    return hk_error_set(err, HK_E_FAIL, "ipstack error %lld %s: %.200s",
                        (long long)code, type, info);
  }
}

static int
ips_parse(void *state, const hk_config *options, const hk_ioc *ioc,
          const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  (void)options;
  ips_state *s = state;
  hk_ip_info ip;
  memset(&ip, 0, sizeof ip);
  ip.struct_size = sizeof ip;
  if (ips_host->ip_classify(ioc->value, ioc->len, &ip) != HK_OK ||
      ip.family == 0)
    return hk_error_set(err, HK_E_INVAL,
                        "ipstack: parse called for '%.64s', which is not an "
                        "address",
                        ioc->value);
  set_address(s, &ip);
  out->fields = NULL;
  out->raw = NULL;
  out->reference = s->reference.data;
  out->severity = HK_SEV_INFORMATION;
  int st = resp->status;
  if (st == 401 || st == 403)
    return hk_error_set(err, HK_E_AUTH,
                        "ipstack answered HTTP %d: check api_key and the "
                        "plan",
                        st);
  if (st == 429) {
    hk_error_set(err, HK_E_RATELIMIT,
                 "ipstack answered HTTP 429: too many requests; lower the "
                 "instance's rate");
    err->flags |= HK_EF_RETRYABLE;
    return err->code;
  }
  if (st >= 500) {
    hk_error_set(err, HK_E_NETWORK, "ipstack answered HTTP %d", st);
    err->flags |= HK_EF_RETRYABLE;
    return err->code;
  }
  if (st < 200 || st > 299)
    return hk_error_set(err, HK_E_FAIL, "ipstack answered HTTP %d", st);

  json_object_put(s->reply);
  s->reply = NULL;
  json_tokener *tok = json_tokener_new();
  if (!tok)
    return hk_error_set(err, HK_E_NOMEM, "ipstack: out of memory");
  s->reply = json_tokener_parse_ex(tok, resp->body ? resp->body : "",
                                   (int)resp->body_len);
  enum json_tokener_error je = json_tokener_get_error(tok);
  json_tokener_free(tok);
  if (!s->reply || je != json_tokener_success ||
      !json_object_is_type(s->reply, json_type_object)) {
    json_object_put(s->reply);
    s->reply = NULL;
    hk_error_set(err, HK_E_FAIL,
                 "ipstack sent a reply that is not a JSON object (%s; %zu "
                 "bytes, content type %s)",
                 je == json_tokener_continue  ? "truncated"
                 : je != json_tokener_success ? json_tokener_error_desc(je)
                                              : "another JSON value",
                 resp->body_len,
                 resp->content_type ? resp->content_type : "none");
    err->flags |= HK_EF_RETRYABLE;
    return err->code;
  }
  json_object *error;
  if (json_object_object_get_ex(s->reply, "error", &error) &&
      json_object_is_type(error, json_type_object))
    return api_error(s, error, out, err);

  hk_buf_reset(&s->raw);
  hk_buf_append(&s->raw, resp->body, resp->body_len);
  out->raw = s->raw.data;

  hk_value *f = s->fields;
  memset(f, 0, sizeof s->fields);
  json_object *r = s->reply, *tz = NULL, *conn = NULL;
  json_object_object_get_ex(r, "time_zone", &tz);
  json_object_object_get_ex(r, "connection", &conn);
  set_str(&f[F_COUNTRY_CODE], get_str(r, "country_code"));
  set_str(&f[F_COUNTRY_NAME], get_str(r, "country_name"));
  set_str(&f[F_CITY], get_str(r, "city"));
  set_str(&f[F_SUBDIVISION], get_str(r, "region_name"));
  set_str(&f[F_POSTAL_CODE], get_str(r, "zip"));
  set_num(&f[F_LATITUDE], r, "latitude", 0);
  set_num(&f[F_LONGITUDE], r, "longitude", 0);
  set_str(&f[F_TIMEZONE], get_str(tz, "id"));
  set_num(&f[F_ASN], conn, "asn", 1);
  set_str(&f[F_ISP], get_str(conn, "isp"));
  set_str(&f[F_CONTINENT_CODE], get_str(r, "continent_code"));
  set_str(&f[F_REGION_CODE], get_str(r, "region_code"));

  if (!f[F_COUNTRY_CODE].is_set && !f[F_LATITUDE].is_set && !f[F_ASN].is_set) {
    snprintf(s->summary, sizeof s->summary, "ipstack has no location for %s",
             s->addr);
    out->status = HK_LK_NO_DATA;
    out->summary = s->summary;
    return HK_OK;
  }
  /* "US, Los Angeles; AS25876 Los Angeles Department of Water & Power". */
  int n = snprintf(s->summary, sizeof s->summary, "%s",
                   f[F_COUNTRY_CODE].is_set ? f[F_COUNTRY_CODE].str : "-");
  if (f[F_CITY].is_set && n >= 0 && (size_t)n < sizeof s->summary)
    n += snprintf(s->summary + n, sizeof s->summary - (size_t)n, ", %.80s",
                  f[F_CITY].str);
  if (f[F_ASN].is_set && n >= 0 && (size_t)n < sizeof s->summary)
    snprintf(s->summary + n, sizeof s->summary - (size_t)n, "; AS%lld %.80s",
             (long long)f[F_ASN].i64, f[F_ISP].is_set ? f[F_ISP].str : "");
  out->status = HK_LK_OK;
  out->summary = s->summary;
  out->fields = f;
  return HK_OK;
}

static int
ips_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_enrichment *out, hk_error *err)
{
  ips_state *s = state;
  hk_http_request req;
  hk_http_response resp;
  memset(&req, 0, sizeof req);
  memset(&resp, 0, sizeof resp);
  req.struct_size = sizeof req;
  resp.struct_size = sizeof resp;
  int rc = ips_prepare(state, options, ioc, &req, out, err);
  if (rc != HK_OK || !req.url)
    return rc;
  rc = ips_host->http_fetch(s->inst, &req, &resp, err);
  if (rc != HK_OK)
    return rc;
  return ips_parse(state, options, ioc, &resp, out, err);
}

/* --------------------------------------------------------- descriptor */

static const char *const ips_entity_types[] = {HK_IOC_IPV4, HK_IOC_IPV6, NULL};

static const hk_field_desc ips_fields[] = {
    {"country_code", HK_COL_UTF8, "ISO 3166-1 alpha-2 country code, e.g. US"},
    {"country_name", HK_COL_UTF8, "country name (in `language`)"},
    {"city", HK_COL_UTF8, "city name"},
    {"subdivision", HK_COL_UTF8, "region (state, province) name"},
    {"postal_code", HK_COL_UTF8, "postal code"},
    {"latitude", HK_COL_FLOAT64, "approximate latitude"},
    {"longitude", HK_COL_FLOAT64, "approximate longitude"},
    {"timezone", HK_COL_UTF8,
     "IANA time zone, e.g. America/Los_Angeles (paid plans)"},
    {"asn", HK_COL_INT64, "autonomous system number (paid plans)"},
    {"isp", HK_COL_UTF8, "internet service provider (paid plans)"},
    {"continent_code", HK_COL_UTF8, "two-letter continent code, e.g. NA"},
    {"region_code", HK_COL_UTF8, "region code, e.g. CA"},
    {NULL, 0, NULL}};

static const hk_param ips_params[] = {
    {"api_key", HK_PT_STRING, HK_P_REQUIRED | HK_P_SECRET, NULL, NULL,
     "ipstack access key; write ${env:IPSTACK_KEY} or ${file:PATH}"},
    {"base_url", HK_PT_STRING, 0, "https://api.ipstack.com", NULL,
     "API base URL (free plans allow only http://api.ipstack.com)"},
    {"language", HK_PT_STRING, 0, "en", NULL,
     "language of the names: en, de, es, fr, ja, pt-br, ru, zh"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_enricher_vt ips_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = ips_create,
    .destroy = ips_destroy,
    .fields = ips_fields,
    .lookup = ips_lookup,
    .prepare = ips_prepare,
    .parse = ips_parse,
};

static const hk_plugin_desc ips_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "ipstack",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS,
    .summary = "country, city, location and ISP of IP addresses from the "
               "ipstack API",
    .entity_types = ips_entity_types,
    .params = ips_params,
    .vtable = &ips_vt,
};

static const hk_plugin_desc *const ips_descriptors[] = {&ips_desc, NULL};

static const hk_plugin_desc *const *
ips_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "ipstack: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  ips_host = host;
  return ips_descriptors;
}

HK_PLUGIN_DEFINE(ipstack, ips_entry)
