/*
 * plugins/xforce/xforce.c -- the `xforce` enricher: IBM X-Force Exchange
 * reputation of IP addresses, domains and URLs and malware reports of
 * file hashes.
 *
 * The host runs the HTTP side (rate limit, retries, cache, many requests
 * in flight): this plugin only builds each request (prepare) and reads
 * each reply (parse).  lookup() is prepare + hk_host.http_fetch + parse.
 *
 * Wire format (shared/reference/wire-formats.md, 3.7): HTTP Basic auth
 * with the API key as user and the API password as password, "Accept:
 * application/json"; GET {base_url}/ipr/{ip} (score, reason, cats, geo),
 * /url/{domain or URL} ({"result": {score, cats}}), /malware/{hash}
 * ({"malware": {risk, family}}); errors {"error": "..."}, 402 when the
 * monthly quota is spent.
 *
 * Severity follows MSTICPy's XForce provider (msticpy.md 2.7): a risk
 * score (1-10) of 5 or more is high, 2 to 5 medium (MSTICPy's
 * "warning"), below 2 information; a malware report on a hash is high.
 */
#include "../ti_common/ti_json.h"
#include "../ti_common/ti_state.h"

#include <huntkit/huntkit.h>

#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Instance configuration (the `config:` mapping of a conf.d file). */
static const hk_param xf_params[] = {
    {"api_key", HK_PT_STRING, HK_P_REQUIRED | HK_P_SECRET, NULL, NULL,
     "X-Force Exchange API key (Basic auth user); write "
     "${env:XFORCE_API_KEY} rather than the key itself"},
    {"api_password", HK_PT_STRING, HK_P_REQUIRED | HK_P_SECRET, NULL, NULL,
     "X-Force Exchange API password (Basic auth password); write "
     "${env:XFORCE_API_PASSWORD}"},
    {"base_url", HK_PT_STRING, 0, "https://api.xforce.ibmcloud.com", NULL,
     "API base URL (tests point it at a local server)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define XF_GUI "https://exchange.xforce.ibmcloud.com/"

static const hk_host *xf_host;

enum {
  F_SCORE,
  F_REASON,
  F_CATEGORIES,
  F_COUNTRY,
  F_COUNTRY_CODE,
  F_TAGS,
  F_RISK,
  F_FAMILY,
  F_COUNT
};

static const hk_field_desc xf_fields[] = {
    {"score", HK_COL_FLOAT64, "risk score, 1 (low) to 10 (high)"},
    {"reason", HK_COL_UTF8, "why the score was given (IP addresses)"},
    {"categories", HK_COL_UTF8, "X-Force categories, comma-separated"},
    {"country", HK_COL_UTF8, "country (IP addresses)"},
    {"country_code", HK_COL_UTF8, "country code (IP addresses)"},
    {"tags", HK_COL_UTF8, "X-Force tags, comma-separated"},
    {"risk", HK_COL_UTF8, "hashes: malware risk (low, medium, high)"},
    {"family", HK_COL_UTF8, "hashes: malware families, comma-separated"},
    {NULL, 0, NULL}};

/* The three X-Force collections this plugin asks. */
enum xf_kind { XF_NONE, XF_IPR, XF_URL, XF_MALWARE };

typedef struct xf_state {
  ti_state ti;  /* base URL, secret header, per-call outputs */
  char *secret; /* "key:password", to keep the service's words honest */
  hk_buf categories;
  hk_buf tags;
  hk_buf family;
  hk_value fields[F_COUNT];
} xf_state;

/* ------------------------------------------------------------ helpers */

/* X-Force tags and families: JSON strings, or tag objects named by
 * displayName (else value); joined by ", ", once each. */
static const char *
join_names(hk_buf *b, json_object *list)
{
  const char *seen[128];
  size_t n = 0;
  size_t len = json_object_is_type(list, json_type_array)
                   ? json_object_array_length(list)
                   : 0;
  hk_buf_reset(b);
  for (size_t i = 0; i < len; i++) {
    json_object *item = json_object_array_get_idx(list, i);
    if (json_object_is_type(item, json_type_string))
      ti_json_add_unique(b, seen, &n, 128, json_object_get_string(item));
    else if (ti_json_str(item, "displayName"))
      ti_json_add_unique(b, seen, &n, 128, ti_json_str(item, "displayName"));
    else
      ti_json_add_unique(b, seen, &n, 128, ti_json_str(item, "value"));
  }
  return b->len ? b->data : NULL;
}

/* Keys of a JSON object joined by ", " (X-Force's cats map a category to
 * a confidence or to true). */
static const char *
join_keys(hk_buf *b, json_object *map)
{
  hk_buf_reset(b);
  if (json_object_is_type(map, json_type_object)) {
    json_object_object_foreach(map, key, val)
    {
      (void)val;
      if (b->len)
        hk_buf_append_str(b, ", ");
      hk_buf_append_str(b, key);
    }
  }
  return b->len ? b->data : NULL;
}

/* ------------------------------------------------------------ plugin */

static void
wipe(char *p)
{
  if (p) {
    memset(p, 0, strlen(p));
    free(p);
  }
}

static int
xf_create(const hk_instance *inst, const hk_config *cfg, void **state,
          hk_error *err)
{
  const char *key = xf_host->config_get_string(cfg, "api_key");
  const char *password = xf_host->config_get_string(cfg, "api_password");
  const char *base = xf_host->config_get_string(cfg, "base_url");
  if (!key || !*key || !password || !*password)
    return hk_error_set(err, HK_E_CONFIG,
                        "xforce: %s is not set; add `api_key: "
                        "${env:XFORCE_API_KEY}` and `api_password: "
                        "${env:XFORCE_API_PASSWORD}` under `config:` in the "
                        "instance's conf.d file",
                        !key || !*key ? "api_key" : "api_password");
  xf_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "xforce: out of memory");
  hk_buf credentials = HK_BUF_INIT, basic = HK_BUF_INIT;
  hk_buf_appendf(&credentials, "%s:%s", key, password);
  if (credentials.data)
    hk_base64_encode(&basic, credentials.data, credentials.len, 0);
  s->secret = hk_buf_detach(&credentials, NULL);
  int rc =
      s->secret && basic.data
          ? ti_state_init(&s->ti, "xforce", inst, base, "Authorization: Basic ",
                          basic.data, "Accept: application/json", err)
          : hk_error_set(err, HK_E_NOMEM, "xforce: out of memory");
  if (basic.data)
    memset(basic.data, 0, basic.len);
  hk_buf_free(&basic);
  if (rc != HK_OK) {
    wipe(s->secret);
    free(s);
    return rc;
  }
  *state = s;
  return HK_OK;
}

static void
xf_destroy(void *state)
{
  xf_state *s = state;
  if (!s)
    return;
  ti_state_free(&s->ti);
  wipe(s->secret);
  hk_buf_free(&s->categories);
  hk_buf_free(&s->tags);
  hk_buf_free(&s->family);
  free(s);
}

static enum xf_kind
kind_of(const char *type)
{
  if (!strcmp(type, HK_IOC_IPV4) || !strcmp(type, HK_IOC_IPV6))
    return XF_IPR;
  if (!strcmp(type, HK_IOC_DNS) || !strcmp(type, HK_IOC_URL))
    return XF_URL;
  if (!strcmp(type, HK_IOC_MD5) || !strcmp(type, HK_IOC_SHA1) ||
      !strcmp(type, HK_IOC_SHA256))
    return XF_MALWARE;
  return XF_NONE;
}

/* ipr/IP, url/DOMAIN-OR-URL, malware/HASH: the API path (the web site
 * names IP pages ip/ instead).  A URL is one path segment, so its reserved
 * characters are escaped; MSTICPy pasted it raw, which cut it at its first
 * '?'. */
static void
append_path(hk_buf *b, int web, const char *type, const char *v)
{
  enum xf_kind kind = kind_of(type);
  hk_buf_append_str(b, kind == XF_IPR   ? (web ? "ip/" : "ipr/")
                       : kind == XF_URL ? "url/"
                                        : "malware/");
  if (!strcmp(type, HK_IOC_URL))
    hk_buf_append_url_encoded(b, v, strlen(v));
  else
    hk_buf_append_str(b, v);
}

static int
xf_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  (void)options;
  xf_state *s = state;
  req->url = NULL;
  int rc = ti_state_start_call(&s->ti, ioc, s->fields, F_COUNT, out, err);
  if (rc != HK_OK)
    return rc;
  enum xf_kind kind = kind_of(ioc->type);
  if (kind == XF_NONE) {
    char msg[96];
    snprintf(msg, sizeof msg, "Type %s not supported.", ioc->type);
    return ti_state_answer(&s->ti, out, HK_LK_NOT_SUPPORTED, HK_SEV_UNKNOWN,
                           msg);
  }
  const char *why = hk_ioc_check(xf_host, ioc->type, s->ti.ioc);
  if (why)
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, why);
  hk_buf_appendf(&s->ti.url, "%s/", s->ti.base_url);
  append_path(&s->ti.url, 0, ioc->type, s->ti.ioc);
  if (!s->ti.url.data)
    return hk_error_set(err, HK_E_NOMEM, "xforce: out of memory");
  req->method = "GET";
  req->url = s->ti.url.data;
  req->headers = s->ti.headers;
  req->body = NULL;
  req->body_len = 0;
  return HK_OK;
}

static const char *
gui_link(xf_state *s, const char *type)
{
  hk_buf_reset(&s->ti.reference);
  hk_buf_append_str(&s->ti.reference, XF_GUI);
  append_path(&s->ti.reference, 1, type, s->ti.ioc);
  return s->ti.reference.data;
}

/* A short, printable copy of the service's own words about an error; left
 * out when it would repeat the key or the password. */
static void
service_message(xf_state *s, json_object *body, char *dst, size_t cap)
{
  const char *msg = ti_json_str(body, "error");
  dst[0] = '\0';
  if (!msg)
    return;
  snprintf(dst, cap, ", %.200s", msg);
  const char *colon = strchr(s->secret, ':');
  char key[256];
  snprintf(key, sizeof key, "%.*s", (int)(colon - s->secret), s->secret);
  ti_service_words(dst, key, colon + 1);
}

/* What a 200 reply of each collection must look like. */
static const char *
expected(enum xf_kind kind)
{
  return kind == XF_IPR   ? "an X-Force IP report {\"ip\": ..., \"score\": ...}"
         : kind == XF_URL ? "an X-Force URL report {\"result\": {\"url\": ..., "
                            "\"score\": ...}}"
                          : "an X-Force malware report {\"malware\": {...}}";
}

/* Severity and summary of an IP, domain or URL report. */
static int
score_report(xf_state *s, json_object *report)
{
  hk_value *f = s->fields;
  json_object *score = ti_json_path(report, "score");
  if (json_object_is_type(score, json_type_int) ||
      json_object_is_type(score, json_type_double)) {
    f[F_SCORE].is_set = 1;
    f[F_SCORE].f64 = json_object_get_double(score);
  }
  ti_json_set_str(&f[F_REASON], ti_json_str(report, "reason"));
  ti_json_set_str(&f[F_CATEGORIES],
                  join_keys(&s->categories, ti_json_path(report, "cats")));
  ti_json_set_str(&f[F_COUNTRY], ti_json_str(report, "geo.country"));
  ti_json_set_str(&f[F_COUNTRY_CODE], ti_json_str(report, "geo.countrycode"));
  ti_json_set_str(&f[F_TAGS],
                  join_names(&s->tags, ti_json_path(s->ti.reply, "tags")));

  hk_buf_reset(&s->ti.summary);
  if (f[F_SCORE].is_set)
    hk_buf_appendf(&s->ti.summary, "risk score %g of 10", f[F_SCORE].f64);
  else
    hk_buf_append_str(&s->ti.summary, "no risk score");
  if (f[F_REASON].is_set)
    hk_buf_appendf(&s->ti.summary, ": %s", f[F_REASON].str);
  if (f[F_CATEGORIES].is_set)
    hk_buf_appendf(&s->ti.summary, " (%s)", f[F_CATEGORIES].str);
  /* MSTICPy counts a missing score as 0. */
  double v = f[F_SCORE].is_set ? f[F_SCORE].f64 : 0;
  return v >= 5 ? HK_SEV_HIGH : v >= 2 ? HK_SEV_MEDIUM : HK_SEV_INFORMATION;
}

static int
malware_report(xf_state *s)
{
  hk_value *f = s->fields;
  json_object *m = ti_json_path(s->ti.reply, "malware");
  ti_json_set_str(&f[F_RISK], ti_json_str(m, "risk"));
  ti_json_set_str(&f[F_FAMILY],
                  join_names(&s->family, ti_json_path(m, "family")));
  ti_json_set_str(&f[F_TAGS],
                  join_names(&s->tags, ti_json_path(s->ti.reply, "tags")));
  hk_buf_reset(&s->ti.summary);
  if (!json_object_is_type(m, json_type_object)) {
    hk_buf_append_str(&s->ti.summary, "no malware report");
    return HK_SEV_INFORMATION;
  }
  hk_buf_append_str(&s->ti.summary, "malware");
  if (f[F_RISK].is_set)
    hk_buf_appendf(&s->ti.summary, ", risk %s", f[F_RISK].str);
  if (f[F_FAMILY].is_set)
    hk_buf_appendf(&s->ti.summary, ": %s", f[F_FAMILY].str);
  return HK_SEV_HIGH;
}

static int
xf_parse(void *state, const hk_config *options, const hk_ioc *ioc,
         const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  (void)options;
  xf_state *s = state;
  enum xf_kind kind = kind_of(ioc->type);
  char why[160];
  int truncated;
  int status = resp->status;
  int rc = ti_state_take_reply(&s->ti, ioc, s->fields, F_COUNT, resp, out, why,
                               sizeof why, &truncated, err);
  if (rc != HK_OK)
    return rc;
  char said[256];
  service_message(s, s->ti.reply, said, sizeof said);

  if (status == 404) {
    out->reference = gui_link(s, ioc->type);
    return ti_state_answer(&s->ti, out, HK_LK_NO_DATA, HK_SEV_INFORMATION,
                           "Not found.");
  }
  if (status == 401 || status == 403)
    return ti_operator_must_fix(
        err, hk_error_set(err, HK_E_AUTH,
                          "xforce: the service refused the API key and "
                          "password (HTTP %d%s); check api_key and "
                          "api_password in the instance's conf.d file",
                          status, said));
  if (status == 402)
    return hk_error_set(err, HK_E_RATELIMIT,
                        "xforce: the API key's monthly quota is spent (HTTP "
                        "402%s); wait for the next month or use another key",
                        said);
  if (status == 429)
    return ti_retryable(err,
                        hk_error_set(err, HK_E_RATELIMIT,
                                     "xforce: request rate exceeded (HTTP "
                                     "429%s); try again later or lower the "
                                     "instance's rate",
                                     said),
                        1);
  if (status == 400) {
    char msg[300];
    snprintf(msg, sizeof msg, "X-Force refused the value (HTTP 400%s)", said);
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, msg);
  }
  if (status != 200)
    return ti_retryable(err,
                        hk_error_set(err, HK_E_FAIL,
                                     "xforce: unexpected reply HTTP %d%s "
                                     "(expected 200, or 404 for an unknown "
                                     "value)",
                                     status, said),
                        status >= 500);
  if (!s->ti.reply)
    return ti_retryable(err,
                        hk_error_set(err, HK_E_FAIL, "xforce: %s; expected %s",
                                     why, expected(kind)),
                        truncated);

  /* The URL collection wraps its verdict in "result" (MSTICPy reads
   * result, else the root). */
  json_object *report = s->ti.reply;
  if (kind == XF_URL && json_object_is_type(ti_json_path(s->ti.reply, "result"),
                                            json_type_object))
    report = ti_json_path(s->ti.reply, "result");
  int shaped = json_object_is_type(report, json_type_object) &&
               (kind == XF_MALWARE || ti_json_path(report, "score") ||
                ti_json_path(report, kind == XF_IPR ? "ip" : "url"));
  if (!shaped)
    return hk_error_set(err, HK_E_FAIL,
                        "xforce: the reply has no %s; expected %s",
                        kind == XF_IPR   ? "ip or score"
                        : kind == XF_URL ? "result.url or result.score"
                                         : "JSON object",
                        expected(kind));

  int severity =
      kind == XF_MALWARE ? malware_report(s) : score_report(s, report);
  if (!s->ti.summary.data)
    return hk_error_set(err, HK_E_NOMEM, "xforce: out of memory");
  out->status = HK_LK_OK;
  out->severity = severity;
  out->summary = s->ti.summary.data;
  out->fields = s->fields;
  out->reference = gui_link(s, ioc->type);
  return HK_OK;
}

static const hk_enricher_vt xf_vt;

static int
xf_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
          hk_enrichment *out, hk_error *err)
{
  xf_state *s = state;
  return hk_enricher_lookup_http_named("xforce", "X-Force", xf_host, s->ti.inst,
                                       &xf_vt, state, options, ioc, out, err);
}

static const char *const xf_entity_types[] = {
    HK_IOC_IPV4, HK_IOC_IPV6, HK_IOC_DNS,    HK_IOC_URL,
    HK_IOC_MD5,  HK_IOC_SHA1, HK_IOC_SHA256, NULL};

static const hk_enricher_vt xf_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = xf_create,
    .destroy = xf_destroy,
    .fields = xf_fields,
    .lookup = xf_lookup,
    .prepare = xf_prepare,
    .parse = xf_parse,
};

static const hk_plugin_desc xf_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "xforce",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
    .summary = "IBM X-Force Exchange risk scores of IP addresses, domains "
               "and URLs, malware reports of file hashes",
    .entity_types = xf_entity_types,
    .params = xf_params,
    .vtable = &xf_vt,
};

static const hk_plugin_desc *const xf_descriptors[] = {&xf_desc, NULL};

static const hk_plugin_desc *const *
xf_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "xforce: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  xf_host = host;
  return xf_descriptors;
}

HK_PLUGIN_DEFINE(xforce, xf_entry)
