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
#include "../ti_common/ti_state.h"

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
  ti_state ti; /* base URL, secret header, per-call outputs */
  hk_buf tags;
  hk_buf categories;
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
  vt_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  int rc = ti_state_init(&s->ti, "virustotal", inst, base, "x-apikey: ", key,
                         NULL, err);
  if (rc != HK_OK) {
    free(s);
    return rc;
  }
  *state = s;
  return HK_OK;
}

static void
vt_destroy(void *state)
{
  vt_state *s = state;
  if (!s)
    return;
  ti_state_free(&s->ti);
  hk_buf_free(&s->tags);
  hk_buf_free(&s->categories);
  free(s);
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
  int rc = ti_state_start_call(&s->ti, ioc, s->fields, F_COUNT, out, err);
  if (rc != HK_OK)
    return rc;
  const char *coll = collection(ioc->type);
  if (!coll) {
    char msg[96];
    snprintf(msg, sizeof msg, "Type %s not supported.", ioc->type);
    return ti_state_answer(&s->ti, out, HK_LK_NOT_SUPPORTED, HK_SEV_UNKNOWN,
                           msg);
  }
  const char *why = hk_ioc_check(vt_host, ioc->type, s->ti.ioc);
  if (why)
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, why);

  hk_buf_appendf(&s->ti.url, "%s/%s/", s->ti.base_url, coll);
  if (!strcmp(coll, "urls"))
    hk_base64_encode(&s->ti.url, s->ti.ioc, strlen(s->ti.ioc),
                     HK_BASE64_URL | HK_BASE64_NOPAD);
  else
    hk_buf_append_str(&s->ti.url, s->ti.ioc);
  if (!s->ti.url.data)
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  req->method = "GET";
  req->url = s->ti.url.data;
  req->headers = s->ti.headers;
  req->body = NULL;
  req->body_len = 0;
  return HK_OK;
}

/* The GUI page of the object (for a URL, of its sha256 id when known). */
static const char *
gui_link(vt_state *s, const char *type, const char *id)
{
  hk_buf_reset(&s->ti.reference);
  hk_buf_append_str(&s->ti.reference, VT_GUI);
  if (!strcmp(type, HK_IOC_URL)) {
    if (id) {
      hk_buf_appendf(&s->ti.reference, "url/%s", id);
    } else {
      hk_buf_append_str(&s->ti.reference, "search/");
      hk_buf_append_url_encoded(&s->ti.reference, s->ti.ioc, strlen(s->ti.ioc));
    }
  } else {
    const char *coll = collection(type);
    const char *page = !strcmp(coll, "ip_addresses") ? "ip-address"
                       : !strcmp(coll, "domains")    ? "domain"
                                                     : "file";
    hk_buf_appendf(&s->ti.reference, "%s/%s", page, s->ti.ioc);
  }
  return s->ti.reference.data;
}

/* A short, printable copy of the service's own words about an error; left
 * out when it would repeat the API key. */
static void
service_message(vt_state *s, json_object *body, char *dst, size_t cap)
{
  const char *code = ti_json_str(body, "error.code");
  const char *msg = ti_json_str(body, "error.message");
  const char *key = s->ti.secret;
  dst[0] = '\0';
  if (!code && !msg)
    return;
  snprintf(dst, cap, ", %s%s%.200s", code ? code : "", code && msg ? ": " : "",
           msg ? msg : "");
  ti_service_words(dst, key, NULL);
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
    out->reference = gui_link(s, ioc->type, NULL);
    return ti_state_answer(&s->ti, out, HK_LK_NO_DATA, HK_SEV_INFORMATION,
                           "Not found.");
  }
  if (status == 401 || status == 403)
    return ti_key_refused(&s->ti, status, said, err);
  if (status == 429) {
    return ti_retryable(
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
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, msg);
  }
  if (status != 200) {
    return ti_retryable(
        err,
        hk_error_set(err, HK_E_FAIL,
                     "virustotal: unexpected reply HTTP %d%s (expected 200, or "
                     "404 for an unknown object)",
                     status, said),
        status >= 500);
  }
  if (!s->ti.reply) {
    return ti_retryable(err,
                        hk_error_set(err, HK_E_FAIL,
                                     "virustotal: %s; expected %s", why,
                                     VT_EXPECTED),
                        truncated);
  }
  json_object *data = ti_json_path(s->ti.reply, "data");
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

  hk_buf_reset(&s->ti.summary);
  if (f[F_POSITIVES].is_set) {
    hk_buf_appendf(&s->ti.summary, "%lld of %lld engines flag it malicious",
                   (long long)f[F_POSITIVES].i64, (long long)f[F_TOTAL].i64);
    if (f[F_SUSPICIOUS].is_set && f[F_SUSPICIOUS].i64 > 0)
      hk_buf_appendf(&s->ti.summary, ", %lld suspicious",
                     (long long)f[F_SUSPICIOUS].i64);
  } else {
    hk_buf_append_str(&s->ti.summary, "no analysis results");
  }
  if (f[F_THREAT_LABEL].is_set)
    hk_buf_appendf(&s->ti.summary, " (%s)", f[F_THREAT_LABEL].str);
  if (!s->ti.summary.data)
    return hk_error_set(err, HK_E_NOMEM, "virustotal: out of memory");
  out->status = HK_LK_OK;
  out->severity = severity;
  out->summary = s->ti.summary.data;
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
                                       s->ti.inst, &vt_vt, state, options, ioc,
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
