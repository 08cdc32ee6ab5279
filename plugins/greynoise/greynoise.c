/*
 * plugins/greynoise/greynoise.c -- the `greynoise` enricher: GreyNoise
 * Community API verdicts on IPv4 addresses (is it an internet scanner, a
 * common business service, malicious?).
 *
 * The host runs the HTTP side (rate limit, retries, cache, many requests
 * in flight): this plugin only builds each request (prepare) and reads
 * each reply (parse).  lookup() is prepare + hk_host.http_fetch + parse.
 *
 * Wire format (shared/reference/wire-formats.md, 3.8): GET
 * {base_url}/v3/community/{ip}, header "key: KEY" (optional: keyless use
 * has a small daily quota); 200 {ip, noise, riot, classification, name,
 * link, last_seen, message}; 404 {"message": "IP not observed ..."} is an
 * answer -- GreyNoise has not seen the address -- not a failure.
 *
 * Severity follows MSTICPy's GreyNoise provider (msticpy.md 2.7): high
 * when the classification is "malicious", else information.
 */
#include "../ti_common/ti_json.h"
#include "../ti_common/ti_state.h"

#include <huntkit/huntkit.h>

#include <ctype.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Instance configuration (the `config:` mapping of a conf.d file).  The
 * key is optional: the Community API answers without one, within a small
 * daily quota. */
static const hk_param gn_params[] = {
    {"api_key", HK_PT_STRING, HK_P_SECRET, NULL, NULL,
     "GreyNoise API key (key header; optional for the Community API); write "
     "${env:GREYNOISE_API_KEY} rather than the key itself"},
    {"base_url", HK_PT_STRING, 0, "https://api.greynoise.io", NULL,
     "API base URL (tests point it at a local server)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define GN_GUI "https://viz.greynoise.io/ip/"
#define GN_EXPECTED                                                            \
  "a GreyNoise community record {\"ip\": ..., \"noise\": ..., \"riot\": ...}"
#define GN_NOT_OBSERVED                                                        \
  "IP not observed scanning the internet or contained in RIOT data set."

static const hk_host *gn_host;

enum { F_NOISE, F_RIOT, F_CLASSIFICATION, F_NAME, F_LAST_SEEN, F_COUNT };

static const hk_field_desc gn_fields[] = {
    {"noise", HK_COL_BOOL, "seen scanning the internet"},
    {"riot", HK_COL_BOOL,
     "a common business service (GreyNoise's RIOT data set)"},
    {"classification", HK_COL_UTF8, "benign, malicious or unknown"},
    {"name", HK_COL_UTF8, "the actor or service, when known"},
    {"last_seen", HK_COL_TIMESTAMP, "day GreyNoise last saw it (UTC)"},
    {NULL, 0, NULL}};

typedef struct gn_state {
  ti_state ti; /* base URL, secret header, per-call outputs */
  hk_value fields[F_COUNT];
} gn_state;

/* ------------------------------------------------------------ helpers */

/* "YYYY-MM-DD" as microseconds since the epoch (UTC midnight); 0 when the
 * text is not such a date.  Days from the civil date by H. Hinnant's
 * algorithm, so no time zone or timegm() is involved. */
static int
parse_day(const char *s, int64_t *us)
{
  int y, m, d, n = 0;
  if (!s || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 || n != 10 ||
      s[10] != '\0' || m < 1 || m > 12 || d < 1 || d > 31)
    return 0;
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  *us = (era * 146097 + doe - 719468) * 86400 * INT64_C(1000000);
  return 1;
}

/* ------------------------------------------------------------ plugin */

static int
gn_create(const hk_instance *inst, const hk_config *cfg, void **state,
          hk_error *err)
{
  static const char header_name[] = "key: ";
  const char *key = gn_host->config_get_string(cfg, "api_key");
  const char *base = gn_host->config_get_string(cfg, "base_url");
  gn_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "greynoise: out of memory");
  /* the community API answers without a key */
  int rc = ti_state_init(&s->ti, "greynoise", inst, base, header_name,
                         key && *key ? key : NULL, NULL, err);
  if (rc != HK_OK) {
    free(s);
    return rc;
  }
  *state = s;
  return HK_OK;
}

static void
gn_destroy(void *state)
{
  gn_state *s = state;
  if (!s)
    return;
  ti_state_free(&s->ti);
  free(s);
}

static int
gn_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  (void)options;
  gn_state *s = state;
  req->url = NULL;
  int rc = ti_state_start_call(&s->ti, ioc, s->fields, F_COUNT, out, err);
  if (rc != HK_OK)
    return rc;
  if (strcmp(ioc->type, HK_IOC_IPV4)) {
    char msg[96];
    snprintf(msg, sizeof msg, "Type %s not supported.", ioc->type);
    return ti_state_answer(&s->ti, out, HK_LK_NOT_SUPPORTED, HK_SEV_UNKNOWN,
                           msg);
  }
  const char *why = hk_ioc_check(gn_host, HK_IOC_IPV4, s->ti.ioc);
  if (why)
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, why);
  hk_buf_appendf(&s->ti.url, "%s/v3/community/%s", s->ti.base_url, s->ti.ioc);
  if (!s->ti.url.data)
    return hk_error_set(err, HK_E_NOMEM, "greynoise: out of memory");
  req->method = "GET";
  req->url = s->ti.url.data;
  req->headers = s->ti.headers;
  req->body = NULL;
  req->body_len = 0;
  return HK_OK;
}

/* The reply's own link to GreyNoise's visualiser, else the IP page. */
static const char *
gui_link(gn_state *s)
{
  const char *link = ti_json_str(s->ti.reply, "link");
  hk_buf_reset(&s->ti.reference);
  if (link && (!strncmp(link, "https://", 8) || !strncmp(link, "http://", 7)))
    hk_buf_append_str(&s->ti.reference, link);
  else
    hk_buf_appendf(&s->ti.reference, "%s%s", GN_GUI, s->ti.ioc);
  return s->ti.reference.data;
}

/* A short, printable copy of the service's own words about an error; left
 * out when it would repeat the API key. */
static void
service_message(gn_state *s, json_object *body, char *dst, size_t cap)
{
  const char *msg = ti_json_str(body, "message");
  const char *key = s->ti.secret;
  dst[0] = '\0';
  if (!msg)
    return;
  snprintf(dst, cap, ", %.200s", msg);
  ti_service_words(dst, key, NULL);
}

static void
fill_fields(gn_state *s)
{
  hk_value *f = s->fields;
  ti_json_set_bool(&f[F_NOISE], s->ti.reply, "noise");
  ti_json_set_bool(&f[F_RIOT], s->ti.reply, "riot");
  ti_json_set_str(&f[F_CLASSIFICATION],
                  ti_json_str(s->ti.reply, "classification"));
  ti_json_set_str(&f[F_NAME], ti_json_str(s->ti.reply, "name"));
  int64_t day;
  if (parse_day(ti_json_str(s->ti.reply, "last_seen"), &day)) {
    f[F_LAST_SEEN].is_set = 1;
    f[F_LAST_SEEN].i64 = day;
  }
}

/* "malicious: seen scanning the internet, last seen 2024-05-01",
 * "benign: a common business service (Google Public DNS), last seen ..." */
static void
summarize(gn_state *s)
{
  const hk_value *f = s->fields;
  int noise = f[F_NOISE].is_set && f[F_NOISE].i64;
  int riot = f[F_RIOT].is_set && f[F_RIOT].i64;
  const char *name = f[F_NAME].is_set ? f[F_NAME].str : NULL;
  const char *seen = ti_json_str(s->ti.reply, "last_seen");
  hk_buf_reset(&s->ti.summary);
  hk_buf_appendf(
      &s->ti.summary, "%s: %s%s%s",
      f[F_CLASSIFICATION].is_set ? f[F_CLASSIFICATION].str : "unclassified",
      noise ? "seen scanning the internet" : "", noise && riot ? " and " : "",
      riot ? "a common business service" : "");
  if (!noise && !riot)
    hk_buf_append_str(&s->ti.summary, "neither scanning nor a known service");
  if (name && strcmp(name, "unknown"))
    hk_buf_appendf(&s->ti.summary, " (%s)", name);
  if (seen && *seen)
    hk_buf_appendf(&s->ti.summary, ", last seen %s", seen);
}

static int
gn_parse(void *state, const hk_config *options, const hk_ioc *ioc,
         const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  (void)options;
  gn_state *s = state;
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
    /* Not observed: GreyNoise's answer for an address it has not seen,
     * with noise and riot false. */
    const char *msg = ti_json_str(s->ti.reply, "message");
    fill_fields(s);
    s->fields[F_NOISE].is_set = s->fields[F_RIOT].is_set = 1;
    out->fields = s->fields;
    out->reference = gui_link(s);
    return ti_state_answer(&s->ti, out, HK_LK_NO_DATA, HK_SEV_INFORMATION,
                           msg && *msg ? msg : GN_NOT_OBSERVED);
  }
  if ((status == 401 || status == 403) && s->ti.secret)
    return ti_key_refused(&s->ti, status, said, err);
  if (status == 401 || status == 403)
    return ti_operator_must_fix(
        err, hk_error_set(err, HK_E_AUTH,
                          "greynoise: the service refused a request without "
                          "an API key (HTTP %d%s); set api_key in the "
                          "instance's conf.d file",
                          status, said));
  if (status == 429)
    return ti_retryable(
        err,
        hk_error_set(err, HK_E_RATELIMIT,
                     "greynoise: request rate or daily quota "
                     "exceeded (HTTP 429%s); try again later%s",
                     said,
                     s->ti.secret ? " or lower the instance's rate"
                                  : ", or set api_key for a larger quota"),
        1);
  if (status == 400) {
    char msg[300];
    snprintf(msg, sizeof msg, "GreyNoise refused the value (HTTP 400%s)", said);
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, msg);
  }
  if (status != 200)
    return ti_retryable(err,
                        hk_error_set(err, HK_E_FAIL,
                                     "greynoise: unexpected reply HTTP %d%s "
                                     "(expected 200, or 404 for an address not "
                                     "observed)",
                                     status, said),
                        status >= 500);
  if (!s->ti.reply)
    return ti_retryable(err,
                        hk_error_set(err, HK_E_FAIL,
                                     "greynoise: %s; expected %s", why,
                                     GN_EXPECTED),
                        truncated);
  if (!json_object_is_type(ti_json_path(s->ti.reply, "noise"),
                           json_type_boolean) &&
      !json_object_is_type(ti_json_path(s->ti.reply, "riot"),
                           json_type_boolean))
    return hk_error_set(err, HK_E_FAIL,
                        "greynoise: the reply has neither noise nor riot; "
                        "expected %s",
                        GN_EXPECTED);

  fill_fields(s);
  summarize(s);
  if (!s->ti.summary.data)
    return hk_error_set(err, HK_E_NOMEM, "greynoise: out of memory");
  const char *cls = ti_json_str(s->ti.reply, "classification");
  out->status = HK_LK_OK;
  out->severity =
      cls && !strcmp(cls, "malicious") ? HK_SEV_HIGH : HK_SEV_INFORMATION;
  out->summary = s->ti.summary.data;
  out->fields = s->fields;
  out->reference = gui_link(s);
  return HK_OK;
}

static const hk_enricher_vt gn_vt;

static int
gn_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
          hk_enrichment *out, hk_error *err)
{
  gn_state *s = state;
  return hk_enricher_lookup_http_named("greynoise", "GreyNoise", gn_host,
                                       s->ti.inst, &gn_vt, state, options, ioc,
                                       out, err);
}

/* The Community API answers IPv4 addresses only. */
static const char *const gn_entity_types[] = {HK_IOC_IPV4, NULL};

static const hk_enricher_vt gn_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = gn_create,
    .destroy = gn_destroy,
    .fields = gn_fields,
    .lookup = gn_lookup,
    .prepare = gn_prepare,
    .parse = gn_parse,
};

static const hk_plugin_desc gn_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "greynoise",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
    .summary = "GreyNoise Community API: internet scanners and common "
               "business services among IPv4 addresses",
    .entity_types = gn_entity_types,
    .params = gn_params,
    .vtable = &gn_vt,
};

static const hk_plugin_desc *const gn_descriptors[] = {&gn_desc, NULL};

static const hk_plugin_desc *const *
gn_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "greynoise: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  gn_host = host;
  return gn_descriptors;
}

HK_PLUGIN_DEFINE(greynoise, gn_entry)
