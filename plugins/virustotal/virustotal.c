/*
 * plugins/virustotal/virustotal.c -- the `virustotal` enricher: VirusTotal
 * API v3 object reports for files (md5/sha1/sha256), IP addresses,
 * domains and URLs.
 *
 * The host runs the HTTP side (rate limit, retries, cache, many requests
 * in flight): this plugin only builds each request (prepare) and reads
 * each reply (parse).  lookup() is prepare + hk_host.http_fetch + parse
 * for hosts or callers that look one IoC up at a time.
 *
 * Wire format (shared/reference/wire-formats.md, 3.5): GET
 * {base_url}/files/{hash}, /ip_addresses/{ip}, /domains/{domain},
 * /urls/{id} where id is the URL in URL-safe base64 without '=' padding;
 * header "x-apikey: KEY"; 200 {"data": {"id", "type", "attributes"}};
 * errors {"error": {"code", "message"}}.
 *
 * Severity follows MSTICPy's VirusTotal provider (msticpy.md 2.7) on the
 * v3 count of engines that call the object malicious: more than one is
 * high, one is medium (MSTICPy's "warning"), none is information.
 */
#include "../ti_common/ti_json.h"

#include <huntkit/huntkit.h>

#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Instance configuration (the `config:` mapping of a conf.d file). */
static const hk_param vt_params[] = {
    {"api_key", HK_PT_STRING, HK_P_REQUIRED | HK_P_SECRET, NULL, NULL,
     "VirusTotal API key, sent as the x-apikey header; write "
     "${env:VT_API_KEY} rather than the key itself"},
    {"base_url", HK_PT_STRING, 0, "https://www.virustotal.com/api/v3", NULL,
     "API v3 base URL (tests point it at a local server)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define VT_GUI "https://www.virustotal.com/gui/"
#define VT_EXPECTED "a VirusTotal v3 object {\"data\": {\"attributes\": ...}}"

static const hk_host *vt_host;

enum {
  F_ID,
  F_POSITIVES,
  F_SUSPICIOUS,
  F_TOTAL,
  F_REPUTATION,
  F_LAST_ANALYSIS,
  F_TAGS,
  F_CATEGORIES,
  F_THREAT_LABEL,
  F_TYPE_DESCRIPTION,
  F_MEANINGFUL_NAME,
  F_SIZE,
  F_COUNTRY,
  F_ASN,
  F_AS_OWNER,
  F_REGISTRAR,
  F_FINAL_URL,
  F_COUNT
};

static const hk_field_desc vt_fields[] = {
    {"id", HK_COL_UTF8,
     "VirusTotal object id (sha256 for files and URLs, the IP or domain)"},
    {"positives", HK_COL_INT64,
     "engines whose last verdict is malicious (last_analysis_stats)"},
    {"suspicious", HK_COL_INT64, "engines whose last verdict is suspicious"},
    {"total", HK_COL_INT64, "engines in the last analysis (all verdicts)"},
    {"reputation", HK_COL_INT64, "VirusTotal community reputation score"},
    {"last_analysis", HK_COL_TIMESTAMP, "time of the last analysis"},
    {"tags", HK_COL_UTF8, "VirusTotal tags, comma-separated"},
    {"categories", HK_COL_UTF8,
     "categories given by URL/domain classifiers, comma-separated"},
    {"threat_label", HK_COL_UTF8,
     "files: suggested threat label, e.g. trojan.msil/tasker"},
    {"type_description", HK_COL_UTF8, "files: file type, e.g. Win32 EXE"},
    {"meaningful_name", HK_COL_UTF8, "files: most telling file name"},
    {"size", HK_COL_INT64, "files: size in bytes"},
    {"country", HK_COL_UTF8, "IP addresses: country code"},
    {"asn", HK_COL_INT64, "IP addresses: autonomous system number"},
    {"as_owner", HK_COL_UTF8, "IP addresses: autonomous system owner"},
    {"registrar", HK_COL_UTF8, "domains: registrar"},
    {"final_url", HK_COL_UTF8, "URLs: URL after redirects"},
    {NULL, 0, NULL}};

typedef struct vt_state {
  const hk_instance *inst;
  char *base_url;    /* without a trailing '/' */
  char *auth_header; /* "x-apikey: KEY" */
  const char *headers[2];
  /* Per-call outputs: valid until the next call on this state. */
  char *ioc;  /* the IoC, NUL-terminated and trimmed */
  hk_buf url; /* request URL */
  hk_buf raw; /* copy of the reply body */
  hk_buf summary;
  hk_buf reference;
  hk_buf tags;
  hk_buf categories;
  json_object *reply; /* field strings point into it */
  hk_value fields[F_COUNT];
} vt_state;

/* ------------------------------------------------------------ plugin */

static int
vt_create(const hk_instance *inst, const hk_config *cfg, void **state,
          hk_error *err)
{
  const char *key = vt_host->config_get_string(cfg, "api_key");
  const char *base = vt_host->config_get_string(cfg, "base_url");
  if (!key || !*key)
    return hk_error_set(err, HK_E_CONFIG,
                        "virustotal: api_key is not set; add `api_key: "
                        "${env:VT_API_KEY}` under `config:` in the "
                        "instance's conf.d file");
  if (!base || (strncmp(base, "https://", 8) && strncmp(base, "http://", 7)))
    return hk_error_set(err, HK_E_CONFIG,
                        "virustotal: base_url must start with https:// or "
                        "http://, got '%s'",
                        base ? base : "");
  vt_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  s->inst = inst;
  s->base_url = strdup(base);
  if (s->base_url) {
    size_t n = strlen(s->base_url);
    while (n > 0 && s->base_url[n - 1] == '/')
      s->base_url[--n] = '\0';
  }
  size_t header_len = strlen("x-apikey: ") + strlen(key) + 1;
  s->auth_header = malloc(header_len);
  if (s->auth_header)
    snprintf(s->auth_header, header_len, "x-apikey: %s", key);
  if (!s->base_url || !s->auth_header) {
    free(s->auth_header);
    free(s->base_url);
    free(s);
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  }
  s->headers[0] = s->auth_header;
  s->headers[1] = NULL;
  *state = s;
  return HK_OK;
}

static void
vt_destroy(void *state)
{
  vt_state *s = state;
  if (!s)
    return;
  free(s->base_url);
  if (s->auth_header) {
    memset(s->auth_header, 0, strlen(s->auth_header));
    free(s->auth_header);
  }
  free(s->ioc);
  hk_buf_free(&s->url);
  hk_buf_free(&s->raw);
  hk_buf_free(&s->summary);
  hk_buf_free(&s->reference);
  hk_buf_free(&s->tags);
  hk_buf_free(&s->categories);
  json_object_put(s->reply);
  free(s);
}

/* Forget the previous call's outputs and keep a trimmed, NUL-terminated
 * copy of the IoC. */
static int
start_call(vt_state *s, const hk_ioc *ioc, hk_enrichment *out, hk_error *err)
{
  const char *v = ioc->value;
  size_t n = ioc->len;
  while (n && isspace((unsigned char)*v))
    v++, n--;
  while (n && isspace((unsigned char)v[n - 1]))
    n--;
  free(s->ioc);
  s->ioc = strndup(v, n);
  json_object_put(s->reply);
  s->reply = NULL;
  hk_buf_reset(&s->url);
  hk_buf_reset(&s->raw);
  hk_buf_reset(&s->summary);
  hk_buf_reset(&s->reference);
  memset(s->fields, 0, sizeof s->fields);
  out->status = HK_LK_QUERY_FAILED;
  out->severity = HK_SEV_UNKNOWN;
  out->summary = NULL;
  out->fields = NULL;
  out->reference = NULL;
  out->raw = NULL;
  if (!s->ioc)
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  return HK_OK;
}

static int
answer(hk_enrichment *out, vt_state *s, int status, int severity,
       const char *summary)
{
  hk_buf_reset(&s->summary);
  hk_buf_append_str(&s->summary, summary);
  out->status = status;
  out->severity = severity;
  out->summary = s->summary.data;
  return HK_OK;
}

/* The API collection for an IoC type, or NULL when it is not handled. */
static const char *
collection(const char *type)
{
  if (!strcmp(type, HK_IOC_IPV4) || !strcmp(type, HK_IOC_IPV6))
    return "ip_addresses";
  if (!strcmp(type, HK_IOC_DNS) || !strcmp(type, HK_IOC_HOSTNAME))
    return "domains";
  if (!strcmp(type, HK_IOC_URL))
    return "urls";
  if (!strcmp(type, HK_IOC_MD5) || !strcmp(type, HK_IOC_SHA1) ||
      !strcmp(type, HK_IOC_SHA256))
    return "files";
  return NULL;
}

static int
vt_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  (void)options;
  vt_state *s = state;
  req->url = NULL;
  int rc = start_call(s, ioc, out, err);
  if (rc != HK_OK)
    return rc;
  const char *coll = collection(ioc->type);
  if (!coll) {
    char msg[96];
    snprintf(msg, sizeof msg, "Type %s not supported.", ioc->type);
    return answer(out, s, HK_LK_NOT_SUPPORTED, HK_SEV_UNKNOWN, msg);
  }
  const char *why = hk_ioc_check(vt_host, ioc->type, s->ioc);
  if (why)
    return answer(out, s, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, why);

  hk_buf_appendf(&s->url, "%s/%s/", s->base_url, coll);
  if (!strcmp(coll, "urls"))
    hk_base64_encode(&s->url, s->ioc, strlen(s->ioc),
                     HK_BASE64_URL | HK_BASE64_NOPAD);
  else
    hk_buf_append_str(&s->url, s->ioc);
  if (!s->url.data)
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  req->method = "GET";
  req->url = s->url.data;
  req->headers = s->headers;
  req->body = NULL;
  req->body_len = 0;
  return HK_OK;
}

/* The GUI page of the object (for a URL, of its sha256 id when known). */
static const char *
gui_link(vt_state *s, const char *type, const char *id)
{
  hk_buf_reset(&s->reference);
  hk_buf_append_str(&s->reference, VT_GUI);
  if (!strcmp(type, HK_IOC_URL)) {
    if (id) {
      hk_buf_appendf(&s->reference, "url/%s", id);
    } else {
      hk_buf_append_str(&s->reference, "search/");
      hk_buf_append_url_encoded(&s->reference, s->ioc, strlen(s->ioc));
    }
  } else {
    const char *coll = collection(type);
    const char *page = !strcmp(coll, "ip_addresses") ? "ip-address"
                       : !strcmp(coll, "domains")    ? "domain"
                                                     : "file";
    hk_buf_appendf(&s->reference, "%s/%s", page, s->ioc);
  }
  return s->reference.data;
}

/* A short, printable copy of the service's own words about an error; left
 * out when it would repeat the API key. */
static void
service_message(vt_state *s, json_object *body, char *dst, size_t cap)
{
  const char *code = ti_json_str(body, "error.code");
  const char *msg = ti_json_str(body, "error.message");
  const char *key = strchr(s->auth_header, ' ') + 1;
  dst[0] = '\0';
  if (!code && !msg)
    return;
  snprintf(dst, cap, ", %s%s%.200s", code ? code : "", code && msg ? ": " : "",
           msg ? msg : "");
  if (*key && strstr(dst, key))
    dst[0] = '\0';
  for (char *p = dst; *p; p++)
    if ((unsigned char)*p < 0x20)
      *p = ' ';
}

/* Mark a failure that a later try may cure; returns `rc`. */
static int
retryable(hk_error *err, int rc, int yes)
{
  if (err && yes)
    err->flags |= HK_EF_RETRYABLE;
  return rc;
}

/* Mark a failure only the operator can cure (the credentials); returns
 * `rc`. */
static int
operator_must_fix(hk_error *err, int rc)
{
  if (err)
    err->flags |= HK_EF_USER;
  return rc;
}

static void
fill_fields(vt_state *s, json_object *data)
{
  json_object *a = ti_json_path(data, "attributes");
  hk_value *f = s->fields;
  ti_json_set_str(&f[F_ID], ti_json_str(data, "id"));
  ti_json_set_int(&f[F_POSITIVES], a, "last_analysis_stats.malicious");
  ti_json_set_int(&f[F_SUSPICIOUS], a, "last_analysis_stats.suspicious");
  json_object *stats = ti_json_path(a, "last_analysis_stats");
  if (json_object_is_type(stats, json_type_object)) {
    int64_t total = 0;
    json_object_object_foreach(stats, k, v)
    {
      (void)k;
      if (json_object_is_type(v, json_type_int))
        total += json_object_get_int64(v);
    }
    f[F_TOTAL].is_set = 1;
    f[F_TOTAL].i64 = total;
  }
  ti_json_set_int(&f[F_REPUTATION], a, "reputation");
  ti_json_set_int(&f[F_LAST_ANALYSIS], a, "last_analysis_date");
  f[F_LAST_ANALYSIS].i64 *= 1000000;
  ti_json_set_str(&f[F_TAGS],
                  ti_json_join_strings(&s->tags, ti_json_path(a, "tags")));
  ti_json_set_str(
      &f[F_CATEGORIES],
      ti_json_join_strings(&s->categories, ti_json_path(a, "categories")));
  ti_json_set_str(
      &f[F_THREAT_LABEL],
      ti_json_str(a, "popular_threat_classification.suggested_threat_label"));
  ti_json_set_str(&f[F_TYPE_DESCRIPTION], ti_json_str(a, "type_description"));
  ti_json_set_str(&f[F_MEANINGFUL_NAME], ti_json_str(a, "meaningful_name"));
  ti_json_set_int(&f[F_SIZE], a, "size");
  ti_json_set_str(&f[F_COUNTRY], ti_json_str(a, "country"));
  ti_json_set_int(&f[F_ASN], a, "asn");
  ti_json_set_str(&f[F_AS_OWNER], ti_json_str(a, "as_owner"));
  ti_json_set_str(&f[F_REGISTRAR], ti_json_str(a, "registrar"));
  ti_json_set_str(&f[F_FINAL_URL], ti_json_str(a, "last_final_url"));
}

static int
vt_parse(void *state, const hk_config *options, const hk_ioc *ioc,
         const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  (void)options;
  vt_state *s = state;
  int rc = start_call(s, ioc, out, err);
  if (rc != HK_OK)
    return rc;
  const char *body = resp->body ? resp->body : "";
  size_t len = resp->body ? resp->body_len : 0;
  hk_buf_append(&s->raw, body, len);
  out->raw = s->raw.len ? s->raw.data : NULL;

  char why[160];
  int truncated;
  int status = resp->status;
  s->reply = ti_json_parse(body, len, why, sizeof why, &truncated);
  char said[256];
  service_message(s, s->reply, said, sizeof said);

  if (status == 404) {
    out->reference = gui_link(s, ioc->type, NULL);
    return answer(out, s, HK_LK_NO_DATA, HK_SEV_INFORMATION, "Not found.");
  }
  if (status == 401 || status == 403)
    return operator_must_fix(
        err, hk_error_set(err, HK_E_AUTH,
                          "virustotal: the service refused the API key (HTTP "
                          "%d%s); check api_key in the instance's conf.d file",
                          status, said));
  if (status == 429) {
    return retryable(
        err,
        hk_error_set(err, HK_E_RATELIMIT,
                     "virustotal: request rate or quota exceeded (HTTP 429%s); "
                     "try again later or lower the instance's rate (a public "
                     "API key allows 4 lookups a minute, 500 a day)",
                     said),
        1);
  }
  if (status == 400) {
    char msg[300];
    snprintf(msg, sizeof msg, "VirusTotal refused the value (HTTP 400%s)",
             said);
    return answer(out, s, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, msg);
  }
  if (status != 200) {
    return retryable(
        err,
        hk_error_set(err, HK_E_FAIL,
                     "virustotal: unexpected reply HTTP %d%s (expected 200, or "
                     "404 for an unknown object)",
                     status, said),
        status >= 500);
  }
  if (!s->reply) {
    return retryable(err,
                     hk_error_set(err, HK_E_FAIL, "virustotal: %s; expected %s",
                                  why, VT_EXPECTED),
                     truncated);
  }
  json_object *data = ti_json_path(s->reply, "data");
  if (!json_object_is_type(ti_json_path(data, "attributes"), json_type_object))
    return hk_error_set(err, HK_E_FAIL,
                        "virustotal: the reply has no data.attributes "
                        "object; expected %s",
                        VT_EXPECTED);

  fill_fields(s, data);
  const hk_value *f = s->fields;
  int severity = HK_SEV_INFORMATION;
  if (f[F_POSITIVES].is_set && f[F_POSITIVES].i64 > 1)
    severity = HK_SEV_HIGH;
  else if (f[F_POSITIVES].is_set && f[F_POSITIVES].i64 == 1)
    severity = HK_SEV_MEDIUM;

  hk_buf_reset(&s->summary);
  if (f[F_POSITIVES].is_set) {
    hk_buf_appendf(&s->summary, "%lld of %lld engines flag it malicious",
                   (long long)f[F_POSITIVES].i64, (long long)f[F_TOTAL].i64);
    if (f[F_SUSPICIOUS].is_set && f[F_SUSPICIOUS].i64 > 0)
      hk_buf_appendf(&s->summary, ", %lld suspicious",
                     (long long)f[F_SUSPICIOUS].i64);
  } else {
    hk_buf_append_str(&s->summary, "no analysis results");
  }
  if (f[F_THREAT_LABEL].is_set)
    hk_buf_appendf(&s->summary, " (%s)", f[F_THREAT_LABEL].str);
  if (!s->summary.data)
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  out->status = HK_LK_OK;
  out->severity = severity;
  out->summary = s->summary.data;
  out->fields = s->fields;
  out->reference = gui_link(s, ioc->type, f[F_ID].is_set ? f[F_ID].str : NULL);
  return HK_OK;
}

static const hk_enricher_vt vt_vt;

static int
vt_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
          hk_enrichment *out, hk_error *err)
{
  vt_state *s = state;
  return hk_enricher_lookup_http_named("virustotal", "VirusTotal", vt_host,
                                       s->inst, &vt_vt, state, options, ioc,
                                       out, err);
}

static const char *const vt_entity_types[] = {
    HK_IOC_IPV4,     HK_IOC_IPV6,   HK_IOC_DNS,
    HK_IOC_HOSTNAME, HK_IOC_URL,    HK_IOC_MD5,
    HK_IOC_SHA1,     HK_IOC_SHA256, NULL};

static const hk_enricher_vt vt_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = vt_create,
    .destroy = vt_destroy,
    .fields = vt_fields,
    .lookup = vt_lookup,
    .prepare = vt_prepare,
    .parse = vt_parse,
};

static const hk_plugin_desc vt_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "virustotal",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
    .summary = "VirusTotal API v3 reports on file hashes, IP addresses, "
               "domains and URLs",
    .entity_types = vt_entity_types,
    .params = vt_params,
    .vtable = &vt_vt,
};

static const hk_plugin_desc *const vt_descriptors[] = {&vt_desc, NULL};

static const hk_plugin_desc *const *
vt_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "virustotal: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  vt_host = host;
  return vt_descriptors;
}

HK_PLUGIN_DEFINE(virustotal, vt_entry)
