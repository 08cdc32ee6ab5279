/*
 * plugins/otx/otx.c -- the `otx` enricher: AlienVault OTX (Open Threat
 * Exchange) indicator reports for IP addresses, domains, host names, file
 * hashes and URLs.
 *
 * The host runs the HTTP side (rate limit, retries, cache, many requests
 * in flight): this plugin only builds each request (prepare) and reads
 * each reply (parse).  lookup() is prepare + hk_host.http_fetch + parse.
 *
 * Wire format (shared/reference/wire-formats.md, 3.6): GET
 * {base_url}/indicators/{IPv4|IPv6|domain|hostname|file|url}/{value}/general
 * with header "X-OTX-API-KEY: KEY"; 200 is the indicator's general record
 * with pulse_info {count, pulses[{name, tags, references}], references};
 * errors are Django REST style {"detail": "..."}.
 *
 * Severity follows MSTICPy's OTX provider (msticpy.md 2.7) on the number
 * of pulses that name the indicator: two or more is high, one is medium
 * (MSTICPy's "warning"), none is information.
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
static const hk_param otx_params[] = {
    {"api_key", HK_PT_STRING, HK_P_REQUIRED | HK_P_SECRET, NULL, NULL,
     "OTX API key (X-OTX-API-KEY header); write ${env:OTX_API_KEY} rather "
     "than the key itself"},
    {"base_url", HK_PT_STRING, 0, "https://otx.alienvault.com/api/v1", NULL,
     "API v1 base URL (tests point it at a local server)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define OTX_GUI "https://otx.alienvault.com/indicator/"
#define OTX_EXPECTED                                                           \
  "an OTX indicator record {\"indicator\": ..., \"pulse_info\": {...}}"
/* Pulse names quoted in the summary. */
#define OTX_SUMMARY_NAMES 3

static const hk_host *otx_host;

enum {
  F_PULSE_COUNT,
  F_PULSES,
  F_TAGS,
  F_REFERENCES,
  F_REPUTATION,
  F_COUNTRY_CODE,
  F_COUNTRY,
  F_ASN,
  F_SECTIONS,
  F_COUNT
};

static const hk_field_desc otx_fields[] = {
    {"pulse_count", HK_COL_INT64,
     "OTX pulses (threat reports) that name the indicator"},
    {"pulses", HK_COL_UTF8, "names of the pulses in the reply, '; '-separated"},
    {"tags", HK_COL_UTF8, "distinct tags of those pulses, comma-separated"},
    {"references", HK_COL_UTF8,
     "reference URLs of those pulses, "
     "comma-separated"},
    {"reputation", HK_COL_INT64, "OTX reputation (IP addresses)"},
    {"country_code", HK_COL_UTF8, "country code (IP addresses)"},
    {"country", HK_COL_UTF8, "country name (IP addresses)"},
    {"asn", HK_COL_UTF8, "autonomous system, e.g. 'AS15169 google llc'"},
    {"sections", HK_COL_UTF8,
     "further OTX sections available for the indicator, comma-separated"},
    {NULL, 0, NULL}};

typedef struct otx_state {
  ti_state ti; /* base URL, secret header, per-call outputs */
  hk_buf pulses;
  hk_buf tags;
  hk_buf references;
  hk_buf sections;
  hk_buf summary_names; /* ": name; name" for the summary */
  hk_value fields[F_COUNT];
} otx_state;

/* ------------------------------------------------------------ helpers */

/* The strings of JSON array `list` added to `b` (", "-separated, once
 * each); `seen` remembers them across calls. */
static void
add_strings(hk_buf *b, const char **seen, size_t *n, size_t cap,
            json_object *list)
{
  size_t len = json_object_is_type(list, json_type_array)
                   ? json_object_array_length(list)
                   : 0;
  for (size_t i = 0; i < len; i++) {
    json_object *item = json_object_array_get_idx(list, i);
    if (json_object_is_type(item, json_type_string))
      ti_json_add_unique(b, seen, n, cap, json_object_get_string(item));
  }
}

/* ------------------------------------------------------------ plugin */

static int
otx_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  static const char header_name[] = "X-OTX-API-KEY: ";
  const char *key = otx_host->config_get_string(cfg, "api_key");
  const char *base = otx_host->config_get_string(cfg, "base_url");
  if (!key || !*key)
    return hk_error_set(err, HK_E_CONFIG,
                        "otx: api_key is not set; add `api_key: "
                        "${env:OTX_API_KEY}` under `config:` in the "
                        "instance's conf.d file");
  otx_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "otx: out of memory");
  int rc =
      ti_state_init(&s->ti, "otx", inst, base, header_name, key, NULL, err);
  if (rc != HK_OK) {
    free(s);
    return rc;
  }
  *state = s;
  return HK_OK;
}

static void
otx_destroy(void *state)
{
  otx_state *s = state;
  if (!s)
    return;
  ti_state_free(&s->ti);
  hk_buf_free(&s->pulses);
  hk_buf_free(&s->tags);
  hk_buf_free(&s->references);
  hk_buf_free(&s->sections);
  hk_buf_free(&s->summary_names);
  free(s);
}

/* OTX's indicator type in API paths and its web page section, or NULL
 * when the IoC type is not handled. */
static const char *
indicator_type(const char *type, const char **page)
{
  static const struct {
    const char *ioc, *api, *page;
  } map[] = {{HK_IOC_IPV4, "IPv4", "ip"},
             {HK_IOC_IPV6, "IPv6", "ip"},
             {HK_IOC_DNS, "domain", "domain"},
             {HK_IOC_HOSTNAME, "hostname", "hostname"},
             {HK_IOC_URL, "url", "url"},
             {HK_IOC_MD5, "file", "file"},
             {HK_IOC_SHA1, "file", "file"},
             {HK_IOC_SHA256, "file", "file"}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!strcmp(type, map[i].ioc)) {
      if (page)
        *page = map[i].page;
      return map[i].api;
    }
  return NULL;
}

/* The IoC as a path segment.  Checked values of the other types hold only
 * characters a path segment allows (letters, digits, '.', '-', '_', ':'),
 * so only a URL needs escaping: all of its reserved characters, as
 * MSTICPy's quote_plus does. */
static void
append_value(hk_buf *b, const char *type, const char *v)
{
  if (!strcmp(type, HK_IOC_URL))
    hk_buf_append_url_encoded(b, v, strlen(v));
  else
    hk_buf_append_str(b, v);
}

static int
otx_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
            hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  (void)options;
  otx_state *s = state;
  req->url = NULL;
  int rc = ti_state_start_call(&s->ti, ioc, s->fields, F_COUNT, out, err);
  if (rc != HK_OK)
    return rc;
  const char *kind = indicator_type(ioc->type, NULL);
  if (!kind) {
    char msg[96];
    snprintf(msg, sizeof msg, "Type %s not supported.", ioc->type);
    return ti_state_answer(&s->ti, out, HK_LK_NOT_SUPPORTED, HK_SEV_UNKNOWN,
                           msg);
  }
  const char *why = hk_ioc_check(otx_host, ioc->type, s->ti.ioc);
  if (why)
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, why);
  hk_buf_appendf(&s->ti.url, "%s/indicators/%s/", s->ti.base_url, kind);
  append_value(&s->ti.url, ioc->type, s->ti.ioc);
  hk_buf_append_str(&s->ti.url, "/general");
  if (!s->ti.url.data)
    return hk_error_set(err, HK_E_NOMEM, "otx: out of memory");
  req->method = "GET";
  req->url = s->ti.url.data;
  req->headers = s->ti.headers;
  req->body = NULL;
  req->body_len = 0;
  return HK_OK;
}

static const char *
gui_link(otx_state *s, const char *type)
{
  const char *page = "ip";
  indicator_type(type, &page);
  hk_buf_reset(&s->ti.reference);
  hk_buf_appendf(&s->ti.reference, "%s%s/", OTX_GUI, page);
  append_value(&s->ti.reference, type, s->ti.ioc);
  return s->ti.reference.data;
}

/* A short, printable copy of the service's own words about an error; left
 * out when it would repeat the API key. */
static void
service_message(otx_state *s, json_object *body, char *dst, size_t cap)
{
  const char *msg = ti_json_str(body, "detail");
  const char *key = s->ti.secret;
  dst[0] = '\0';
  if (!msg)
    return;
  snprintf(dst, cap, ", %.200s", msg);
  ti_service_words(dst, key, NULL);
}

/* Fill the fields from an indicator record; returns the pulse count. */
static int64_t
fill_fields(otx_state *s, json_object *rec)
{
  hk_value *f = s->fields;
  const char *seen[128];
  size_t n_seen = 0;
  json_object *info = ti_json_path(rec, "pulse_info");
  json_object *pulses = ti_json_path(info, "pulses");
  size_t listed = json_object_is_type(pulses, json_type_array)
                      ? json_object_array_length(pulses)
                      : 0;
  int64_t count = 0;
  /* pulse_info.count is the total; the reply lists only some pulses. */
  if (!ti_json_int(info, "count", &count) || count < (int64_t)listed)
    count = (int64_t)listed;
  if (info) {
    f[F_PULSE_COUNT].is_set = 1;
    f[F_PULSE_COUNT].i64 = count;
  }

  hk_buf_reset(&s->pulses);
  hk_buf_reset(&s->tags);
  hk_buf_reset(&s->references);
  hk_buf_reset(&s->sections);
  hk_buf_reset(&s->summary_names);
  for (size_t i = 0; i < listed; i++) {
    json_object *p = json_object_array_get_idx(pulses, i);
    const char *name = ti_json_str(p, "name");
    if (name && *name) {
      if (s->pulses.len)
        hk_buf_append_str(&s->pulses, "; ");
      hk_buf_append_str(&s->pulses, name);
      if (i < OTX_SUMMARY_NAMES)
        hk_buf_appendf(&s->summary_names, "%s%s", i ? "; " : ": ", name);
    }
    add_strings(&s->tags, seen, &n_seen, 128, ti_json_path(p, "tags"));
  }
  if ((int64_t)listed > OTX_SUMMARY_NAMES ||
      (count > (int64_t)listed && s->summary_names.len))
    hk_buf_append_str(&s->summary_names, "; ...");
  n_seen = 0;
  add_strings(&s->references, seen, &n_seen, 128,
              ti_json_path(info, "references"));
  for (size_t i = 0; i < listed && !n_seen; i++)
    add_strings(
        &s->references, seen, &n_seen, 128,
        ti_json_path(json_object_array_get_idx(pulses, i), "references"));
  n_seen = 0;
  add_strings(&s->sections, seen, &n_seen, 128, ti_json_path(rec, "sections"));

  ti_json_set_str(&f[F_PULSES], s->pulses.len ? s->pulses.data : NULL);
  ti_json_set_str(&f[F_TAGS], s->tags.len ? s->tags.data : NULL);
  ti_json_set_str(&f[F_REFERENCES],
                  s->references.len ? s->references.data : NULL);
  ti_json_set_int(&f[F_REPUTATION], rec, "reputation");
  ti_json_set_str(&f[F_COUNTRY_CODE], ti_json_str(rec, "country_code"));
  ti_json_set_str(&f[F_COUNTRY], ti_json_str(rec, "country_name"));
  ti_json_set_str(&f[F_ASN], ti_json_str(rec, "asn"));
  ti_json_set_str(&f[F_SECTIONS], s->sections.len ? s->sections.data : NULL);
  return count;
}

static int
otx_parse(void *state, const hk_config *options, const hk_ioc *ioc,
          const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  (void)options;
  otx_state *s = state;
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
    return ti_key_refused(&s->ti, status, said, err);
  if (status == 429)
    return ti_retryable(err,
                        hk_error_set(err, HK_E_RATELIMIT,
                                     "otx: request rate exceeded (HTTP 429%s); "
                                     "try again later or lower the instance's "
                                     "rate",
                                     said),
                        1);
  if (status == 400) {
    char msg[300];
    snprintf(msg, sizeof msg, "OTX refused the value (HTTP 400%s)", said);
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, msg);
  }
  if (status != 200)
    return ti_retryable(
        err,
        hk_error_set(err, HK_E_FAIL,
                     "otx: unexpected reply HTTP %d%s (expected "
                     "200, or 404 for an unknown indicator)",
                     status, said),
        status >= 500);
  if (!s->ti.reply)
    return ti_retryable(
        err,
        hk_error_set(err, HK_E_FAIL, "otx: %s; expected %s", why, OTX_EXPECTED),
        truncated);
  if (!json_object_is_type(s->ti.reply, json_type_object) ||
      (!ti_json_path(s->ti.reply, "indicator") &&
       !ti_json_path(s->ti.reply, "pulse_info")))
    return hk_error_set(err, HK_E_FAIL,
                        "otx: the reply has neither indicator nor "
                        "pulse_info; expected %s",
                        OTX_EXPECTED);

  int64_t count = fill_fields(s, s->ti.reply);
  hk_buf_reset(&s->ti.summary);
  if (!ti_json_path(s->ti.reply, "pulse_info"))
    hk_buf_append_str(&s->ti.summary, "no pulse information");
  else if (count == 0)
    hk_buf_append_str(&s->ti.summary, "in no OTX pulses");
  else
    hk_buf_appendf(&s->ti.summary, "in %lld OTX pulse%s%s", (long long)count,
                   count == 1 ? "" : "s",
                   s->summary_names.len ? s->summary_names.data : "");
  if (!s->ti.summary.data)
    return hk_error_set(err, HK_E_NOMEM, "otx: out of memory");
  out->status = HK_LK_OK;
  out->severity = count > 1    ? HK_SEV_HIGH
                  : count == 1 ? HK_SEV_MEDIUM
                               : HK_SEV_INFORMATION;
  out->summary = s->ti.summary.data;
  out->fields = s->fields;
  out->reference = gui_link(s, ioc->type);
  return HK_OK;
}

static const hk_enricher_vt otx_vt;

static int
otx_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_enrichment *out, hk_error *err)
{
  otx_state *s = state;
  return hk_enricher_lookup_http_named("otx", "OTX", otx_host, s->ti.inst,
                                       &otx_vt, state, options, ioc, out, err);
}

static const char *const otx_entity_types[] = {
    HK_IOC_IPV4,     HK_IOC_IPV6,   HK_IOC_DNS,
    HK_IOC_HOSTNAME, HK_IOC_URL,    HK_IOC_MD5,
    HK_IOC_SHA1,     HK_IOC_SHA256, NULL};

static const hk_enricher_vt otx_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = otx_create,
    .destroy = otx_destroy,
    .fields = otx_fields,
    .lookup = otx_lookup,
    .prepare = otx_prepare,
    .parse = otx_parse,
};

static const hk_plugin_desc otx_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "otx",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
    .summary = "AlienVault OTX pulses naming IP addresses, domains, host "
               "names, file hashes and URLs",
    .entity_types = otx_entity_types,
    .params = otx_params,
    .vtable = &otx_vt,
};

static const hk_plugin_desc *const otx_descriptors[] = {&otx_desc, NULL};

static const hk_plugin_desc *const *
otx_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "otx: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  otx_host = host;
  return otx_descriptors;
}

HK_PLUGIN_DEFINE(otx, otx_entry)
