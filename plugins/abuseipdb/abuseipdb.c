/*
 * plugins/abuseipdb/abuseipdb.c -- the `abuseipdb` enricher: AbuseIPDB v2
 * abuse reports and confidence score of IPv4 and IPv6 addresses.
 *
 * The host runs the HTTP side (rate limit, retries, cache, many requests
 * in flight): this plugin only builds each request (prepare) and reads
 * each reply (parse).  lookup() is prepare + hk_host.http_fetch + parse.
 *
 * Wire format (shared/reference/wire-formats.md, 3.9): GET
 * {base_url}/check?ipAddress={ip}&maxAgeInDays={n}, headers "Key: KEY" and
 * "Accept: application/json"; 200 {"data": {abuseConfidenceScore,
 * totalReports, numDistinctUsers, lastReportedAt, countryCode, usageType,
 * isp, domain, hostnames, isTor, isWhitelisted, ...}}; errors JSON:API
 * style {"errors": [{"detail", "status"}]}, 422 for a bad address.
 *
 * Severity follows MSTICPy's AbuseIPDB provider (msticpy.md 2.7): a
 * confidence score above 50 is high, above 0 medium (MSTICPy's
 * "warning"), 0 information.
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
static const hk_param ab_params[] = {
    {"api_key", HK_PT_STRING, HK_P_REQUIRED | HK_P_SECRET, NULL, NULL,
     "AbuseIPDB API v2 key (Key header); write ${env:ABUSEIPDB_API_KEY} "
     "rather than the key itself"},
    {"base_url", HK_PT_STRING, 0, "https://api.abuseipdb.com/api/v2", NULL,
     "API v2 base URL (tests point it at a local server)"},
    {"max_age_days", HK_PT_INT, 0, "30", NULL,
     "count reports of the last N days, 1 to 365 (the API's default: 30)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define AB_GUI "https://www.abuseipdb.com/check/"
#define AB_EXPECTED                                                            \
  "an AbuseIPDB check record {\"data\": {\"abuseConfidenceScore\": ...}}"

static const hk_host *ab_host;

enum {
  F_SCORE,
  F_TOTAL_REPORTS,
  F_DISTINCT_USERS,
  F_LAST_REPORTED,
  F_COUNTRY_CODE,
  F_USAGE_TYPE,
  F_ISP,
  F_DOMAIN,
  F_HOSTNAMES,
  F_IS_TOR,
  F_IS_WHITELISTED,
  F_COUNT
};

static const hk_field_desc ab_fields[] = {
    {"score", HK_COL_INT64, "abuse confidence score, 0 to 100"},
    {"total_reports", HK_COL_INT64, "reports in the max_age_days window"},
    {"distinct_users", HK_COL_INT64, "distinct users who reported it"},
    {"last_reported", HK_COL_TIMESTAMP, "time of the latest report"},
    {"country_code", HK_COL_UTF8, "country code"},
    {"usage_type", HK_COL_UTF8, "e.g. Data Center/Web Hosting/Transit"},
    {"isp", HK_COL_UTF8, "internet service provider"},
    {"domain", HK_COL_UTF8, "domain of the ISP"},
    {"hostnames", HK_COL_UTF8, "reverse DNS names, comma-separated"},
    {"is_tor", HK_COL_BOOL, "a Tor exit node"},
    {"is_whitelisted", HK_COL_BOOL, "on AbuseIPDB's allow list"},
    {NULL, 0, NULL}};

typedef struct ab_state {
  ti_state ti; /* base URL, secret header, per-call outputs */
  int64_t max_age_days;
  hk_buf hostnames;
  hk_value fields[F_COUNT];
} ab_state;

/* ------------------------------------------------------------ helpers */

/* ISO-8601 "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" as microseconds
 * since the epoch; 0 when the text is not such a time.  Days from the
 * civil date by H. Hinnant's algorithm, so no time zone or timegm() is
 * involved. */
static int
parse_time(const char *s, int64_t *us)
{
  int y, mo, d, h, mi, sec, n = 0;
  if (!s ||
      sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) !=
          6 ||
      n != 19 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60)
    return 0;
  const char *p = s + n;
  int64_t frac_us = 0, scale = 100000;
  if (*p == '.')
    for (p++; isdigit((unsigned char)*p); p++, scale /= 10)
      frac_us += (*p - '0') * scale;
  int64_t offset_s = 0;
  if (*p == 'Z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int oh, om, k = 0;
    if (sscanf(p + 1, "%2d:%2d%n", &oh, &om, &k) != 2 || k != 5)
      return 0;
    offset_s = (*p == '-' ? -1 : 1) * (oh * 3600 + om * 60);
    p += 6;
  } else {
    return 0;
  }
  if (*p)
    return 0;
  int yy = y - (mo <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  *us =
      (days * 86400 + h * 3600 + mi * 60 + sec - offset_s) * INT64_C(1000000) +
      frac_us;
  return 1;
}

/* ------------------------------------------------------------ plugin */

static int
ab_create(const hk_instance *inst, const hk_config *cfg, void **state,
          hk_error *err)
{
  static const char header_name[] = "Key: ";
  const char *key = ab_host->config_get_string(cfg, "api_key");
  const char *base = ab_host->config_get_string(cfg, "base_url");
  int64_t max_age = 30;
  if (!key || !*key)
    return hk_error_set(err, HK_E_CONFIG,
                        "abuseipdb: api_key is not set; add `api_key: "
                        "${env:ABUSEIPDB_API_KEY}` under `config:` in the "
                        "instance's conf.d file");
  ab_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "abuseipdb: out of memory");
  int rc = ti_state_init(&s->ti, "abuseipdb", inst, base, header_name, key,
                         "Accept: application/json", err);
  if (rc == HK_OK &&
      ab_host->config_get_int(cfg, "max_age_days", &max_age) == HK_OK &&
      (max_age < 1 || max_age > 365))
    rc = hk_error_set(err, HK_E_CONFIG,
                      "abuseipdb: max_age_days must be 1 to 365 (the "
                      "API's limits), got %lld",
                      (long long)max_age);
  if (rc != HK_OK) {
    ti_state_free(&s->ti);
    free(s);
    return rc;
  }
  s->max_age_days = max_age;
  *state = s;
  return HK_OK;
}

static void
ab_destroy(void *state)
{
  ab_state *s = state;
  if (!s)
    return;
  ti_state_free(&s->ti);
  hk_buf_free(&s->hostnames);
  free(s);
}

static int
ab_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  (void)options;
  ab_state *s = state;
  req->url = NULL;
  int rc = ti_state_start_call(&s->ti, ioc, s->fields, F_COUNT, out, err);
  if (rc != HK_OK)
    return rc;
  int family = !strcmp(ioc->type, HK_IOC_IPV4)   ? 4
               : !strcmp(ioc->type, HK_IOC_IPV6) ? 6
                                                 : 0;
  if (!family) {
    char msg[96];
    snprintf(msg, sizeof msg, "Type %s not supported.", ioc->type);
    return ti_state_answer(&s->ti, out, HK_LK_NOT_SUPPORTED, HK_SEV_UNKNOWN,
                           msg);
  }
  const char *why = hk_ioc_check(ab_host, ioc->type, s->ti.ioc);
  if (why)
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, why);
  hk_buf_appendf(&s->ti.url, "%s/check?ipAddress=", s->ti.base_url);
  hk_buf_append_url_encoded(&s->ti.url, s->ti.ioc, strlen(s->ti.ioc));
  hk_buf_appendf(&s->ti.url, "&maxAgeInDays=%lld", (long long)s->max_age_days);
  if (!s->ti.url.data)
    return hk_error_set(err, HK_E_NOMEM, "abuseipdb: out of memory");
  req->method = "GET";
  req->url = s->ti.url.data;
  req->headers = s->ti.headers;
  req->body = NULL;
  req->body_len = 0;
  return HK_OK;
}

static const char *
gui_link(ab_state *s)
{
  hk_buf_reset(&s->ti.reference);
  hk_buf_appendf(&s->ti.reference, "%s%s", AB_GUI, s->ti.ioc);
  return s->ti.reference.data;
}

/* A short, printable copy of the service's own words about an error
 * (the first of JSON:API's errors[]); left out when it would repeat the
 * API key. */
static void
service_message(ab_state *s, json_object *body, char *dst, size_t cap)
{
  json_object *errors = ti_json_path(body, "errors");
  json_object *first = json_object_is_type(errors, json_type_array)
                           ? json_object_array_get_idx(errors, 0)
                           : NULL;
  const char *msg = ti_json_str(first, "detail");
  const char *key = s->ti.secret;
  dst[0] = '\0';
  if (!msg)
    return;
  snprintf(dst, cap, ", %.200s", msg);
  ti_service_words(dst, key, NULL);
}

static void
fill_fields(ab_state *s, json_object *data)
{
  hk_value *f = s->fields;
  int64_t t;
  ti_json_set_int(&f[F_SCORE], data, "abuseConfidenceScore");
  ti_json_set_int(&f[F_TOTAL_REPORTS], data, "totalReports");
  ti_json_set_int(&f[F_DISTINCT_USERS], data, "numDistinctUsers");
  if (parse_time(ti_json_str(data, "lastReportedAt"), &t)) {
    f[F_LAST_REPORTED].is_set = 1;
    f[F_LAST_REPORTED].i64 = t;
  }
  ti_json_set_str(&f[F_COUNTRY_CODE], ti_json_str(data, "countryCode"));
  ti_json_set_str(&f[F_USAGE_TYPE], ti_json_str(data, "usageType"));
  ti_json_set_str(&f[F_ISP], ti_json_str(data, "isp"));
  ti_json_set_str(&f[F_DOMAIN], ti_json_str(data, "domain"));
  ti_json_set_str(
      &f[F_HOSTNAMES],
      ti_json_join_strings(&s->hostnames, ti_json_path(data, "hostnames")));
  ti_json_set_bool(&f[F_IS_TOR], data, "isTor");
  ti_json_set_bool(&f[F_IS_WHITELISTED], data, "isWhitelisted");
}

static int
ab_parse(void *state, const hk_config *options, const hk_ioc *ioc,
         const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  (void)options;
  ab_state *s = state;
  char why[160];
  int truncated;
  int status = resp->status;
  int rc = ti_state_take_reply(&s->ti, ioc, s->fields, F_COUNT, resp, out, why,
                               sizeof why, &truncated, err);
  if (rc != HK_OK)
    return rc;
  char said[256];
  service_message(s, s->ti.reply, said, sizeof said);

  if (status == 401 || status == 403)
    return ti_key_refused(&s->ti, status, said, err);
  if (status == 429)
    return ti_retryable(
        err,
        hk_error_set(err, HK_E_RATELIMIT,
                     "abuseipdb: request rate or daily quota "
                     "exceeded (HTTP 429%s); try again later or "
                     "lower the instance's rate (a free key "
                     "allows 1,000 checks a day)",
                     said),
        1);
  if (status == 400 || status == 422) {
    char msg[300];
    snprintf(msg, sizeof msg, "AbuseIPDB refused the value (HTTP %d%s)", status,
             said);
    return ti_state_answer(&s->ti, out, HK_LK_BAD_FORMAT, HK_SEV_UNKNOWN, msg);
  }
  /* The check endpoint answers every valid address with a record (no
   * reports: score 0), so a 404 means a wrong base_url, not "unknown". */
  if (status != 200)
    return ti_retryable(
        err,
        hk_error_set(err, HK_E_FAIL,
                     "abuseipdb: unexpected reply HTTP %d%s "
                     "(expected 200%s)",
                     status, said, status == 404 ? "; is base_url right?" : ""),
        status >= 500);
  if (!s->ti.reply)
    return ti_retryable(err,
                        hk_error_set(err, HK_E_FAIL,
                                     "abuseipdb: %s; expected %s", why,
                                     AB_EXPECTED),
                        truncated);
  json_object *data = ti_json_path(s->ti.reply, "data");
  if (!json_object_is_type(data, json_type_object) ||
      !ti_json_path(data, "abuseConfidenceScore"))
    return hk_error_set(err, HK_E_FAIL,
                        "abuseipdb: the reply has no "
                        "data.abuseConfidenceScore; expected %s",
                        AB_EXPECTED);

  fill_fields(s, data);
  const hk_value *f = s->fields;
  int64_t score = f[F_SCORE].is_set ? f[F_SCORE].i64 : 0;
  hk_buf_reset(&s->ti.summary);
  hk_buf_appendf(&s->ti.summary,
                 "abuse confidence %lld%%, %lld report%s by %lld user%s in "
                 "%lld days",
                 (long long)score, (long long)f[F_TOTAL_REPORTS].i64,
                 f[F_TOTAL_REPORTS].i64 == 1 ? "" : "s",
                 (long long)f[F_DISTINCT_USERS].i64,
                 f[F_DISTINCT_USERS].i64 == 1 ? "" : "s",
                 (long long)s->max_age_days);
  if (f[F_IS_TOR].is_set && f[F_IS_TOR].i64)
    hk_buf_append_str(&s->ti.summary, ", Tor exit node");
  if (f[F_IS_WHITELISTED].is_set && f[F_IS_WHITELISTED].i64)
    hk_buf_append_str(&s->ti.summary, ", allow-listed");
  if (!s->ti.summary.data)
    return hk_error_set(err, HK_E_NOMEM, "abuseipdb: out of memory");
  out->status = HK_LK_OK;
  out->severity = score > 50  ? HK_SEV_HIGH
                  : score > 0 ? HK_SEV_MEDIUM
                              : HK_SEV_INFORMATION;
  out->summary = s->ti.summary.data;
  out->fields = s->fields;
  out->reference = gui_link(s);
  return HK_OK;
}

static const hk_enricher_vt ab_vt;

static int
ab_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
          hk_enrichment *out, hk_error *err)
{
  ab_state *s = state;
  return hk_enricher_lookup_http_named("abuseipdb", "AbuseIPDB", ab_host,
                                       s->ti.inst, &ab_vt, state, options, ioc,
                                       out, err);
}

static const char *const ab_entity_types[] = {HK_IOC_IPV4, HK_IOC_IPV6, NULL};

static const hk_enricher_vt ab_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = ab_create,
    .destroy = ab_destroy,
    .fields = ab_fields,
    .lookup = ab_lookup,
    .prepare = ab_prepare,
    .parse = ab_parse,
};

static const hk_plugin_desc ab_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "abuseipdb",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
    .summary = "AbuseIPDB abuse confidence score and reports of IPv4 and "
               "IPv6 addresses",
    .entity_types = ab_entity_types,
    .params = ab_params,
    .vtable = &ab_vt,
};

static const hk_plugin_desc *const ab_descriptors[] = {&ab_desc, NULL};

static const hk_plugin_desc *const *
ab_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "abuseipdb: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  ab_host = host;
  return ab_descriptors;
}

HK_PLUGIN_DEFINE(abuseipdb, ab_entry)
