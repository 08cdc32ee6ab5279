/*
 * plugins/abuseipdb/test_abuseipdb_unit.c -- white-box tests of the
 * abuseipdb enricher: prepare/parse/lookup through its descriptor with the
 * TI plugins' fake host (tests/ti_harness.h) on canned
 * replies from tests/data/ti/abuseipdb.json.  Times were converted with
 * python3's datetime.fromisoformat(...).timestamp(), in µs; query values
 * escaped with urllib.parse.quote(v, safe='').
 */
#include "../../tests/tap.h"

#include "../../tests/ti_harness.h"

const hk_plugin_desc *const *
abuseipdb_LTX_hk_plugin_entry(const struct hk_host *host, hk_error *err);

#define BASE "http://127.0.0.1:9/api/v2"
#define KEY "abuse-test-key"
#define EXPECTED                                                               \
  "expected an AbuseIPDB check record {\"data\": {\"abuseConfidenceScore\": "  \
  "...}}"

static void
test_descriptor(void)
{
  hk_error err;
  hk_error_clear(&err);
  const hk_plugin_desc *const *d =
      abuseipdb_LTX_hk_plugin_entry(&ti_host_template, &err);
  is_str(d[0]->name, "abuseipdb", "descriptor name");
  is_int(d[0]->flags, HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI, "flags");
  is_str(d[0]->entity_types[0], "ipv4", "ipv4");
  is_str(d[0]->entity_types[1], "ipv6", "ipv6");
  ok(d[0]->entity_types[2] == NULL, "nothing else");
  is_int(d[0]->params[0].flags, HK_P_REQUIRED | HK_P_SECRET,
         "api_key required and secret");
  is_str(d[0]->params[1].default_value, "https://api.abuseipdb.com/api/v2",
         "base_url default");
  is_str(d[0]->params[2].name, "max_age_days", "max_age_days parameter");
  is_str(d[0]->params[2].default_value, "30", "  default 30");
}

static void
test_prepare(void)
{
  ti_result r = ti_prepare("ipv4", "1.2.3.4");
  is_str(r.url, BASE "/check?ipAddress=1.2.3.4&maxAgeInDays=90",
         "check URL with max_age_days");
  is_str(ti_header(&r, "Key"), "Key: " KEY, "Key header");
  is_str(ti_header(&r, "Accept"), "Accept: application/json", "Accept");
  r = ti_prepare("ipv6", "2001:4860:4860::8888");
  is_str(r.url,
         BASE "/check?ipAddress=2001%3A4860%3A4860%3A%3A8888&maxAgeInDays=90",
         "IPv6 escaped in the query");
  r = ti_prepare("ipv6", "fe80::1");
  ok(r.url == NULL && r.e.status == HK_LK_BAD_FORMAT, "link-local: BAD_FORMAT");
  is_str(r.e.summary, "IP address is not global", "  reason");
  r = ti_prepare("dns", "www.example.com");
  ok(r.url == NULL && r.e.status == HK_LK_NOT_SUPPORTED, "dns: NOT_SUPPORTED");
}

static void
test_parse(void)
{
  char *body = ti_body("abuseipdb.json", "check", "1.2.3.4");
  ti_result r = ti_parse("ipv4", "1.2.3.4", 200, body);
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "1.2.3.4: OK");
  is_int(r.e.severity, HK_SEV_HIGH, "score 87 -> high");
  is_str(r.e.summary, "abuse confidence 87%, 41 reports by 12 users in 90 days",
         "summary");
  is_str(ti_text(&r.e, "score"), "87", "score");
  is_str(ti_text(&r.e, "total_reports"), "41", "total reports");
  is_str(ti_text(&r.e, "distinct_users"), "12", "distinct users");
  is_str(ti_text(&r.e, "last_reported"), "1714557480000000",
         "last reported (µs)");
  is_str(ti_text(&r.e, "country_code"), "ZZ", "country code");
  is_str(ti_text(&r.e, "usage_type"), "Data Center/Web Hosting/Transit",
         "usage type");
  is_str(ti_text(&r.e, "isp"), "Example Hosting", "isp");
  is_str(ti_text(&r.e, "domain"), "example.test", "domain");
  is_str(ti_text(&r.e, "hostnames"), "scan1.example.test", "hostnames");
  is_str(ti_text(&r.e, "is_tor"), "false", "not Tor");
  is_str(ti_text(&r.e, "is_whitelisted"), "false", "not allow-listed");
  is_str(r.e.reference, "https://www.abuseipdb.com/check/1.2.3.4", "GUI link");
  ok(r.e.raw && !strcmp(r.e.raw, body), "raw reply kept");
  free(body);

  body = ti_body("abuseipdb.json", "check", "1.2.3.5");
  r = ti_parse("ipv4", "1.2.3.5", 200, body);
  is_int(r.e.severity, HK_SEV_MEDIUM, "score 25 -> medium (MSTICPy warning)");
  is_str(r.e.summary,
         "abuse confidence 25%, 3 reports by 2 users in 90 days, Tor exit "
         "node",
         "Tor in the summary");
  is_str(ti_text(&r.e, "last_reported"), "1714323792000000", "last reported");
  free(body);

  body = ti_body("abuseipdb.json", "check", "8.8.8.8");
  r = ti_parse("ipv4", "8.8.8.8", 200, body);
  is_int(r.e.severity, HK_SEV_INFORMATION, "score 0 -> information");
  is_str(r.e.summary,
         "abuse confidence 0%, 12 reports by 9 users in 90 days, "
         "allow-listed",
         "allow-listed in the summary");
  free(body);

  body = ti_body("abuseipdb.json", "check", "2001:4860:4860::8888");
  r = ti_parse("ipv6", "2001:4860:4860::8888", 200, body);
  is_str(r.e.summary, "abuse confidence 0%, 0 reports by 0 users in 90 days",
         "no reports");
  is_str(ti_text(&r.e, "last_reported"), "~", "null lastReportedAt");
  is_str(ti_text(&r.e, "is_whitelisted"), "~", "null isWhitelisted");
  free(body);

  /* Severity edges: > 50 high, > 0 medium. */
  static const struct {
    int score, sev;
  } edge[] = {{50, HK_SEV_MEDIUM}, {51, HK_SEV_HIGH}, {1, HK_SEV_MEDIUM}};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
    char reply[160];
    snprintf(reply, sizeof reply,
             "{\"data\":{\"abuseConfidenceScore\":%d,\"totalReports\":1,"
             "\"numDistinctUsers\":1}}",
             edge[i].score);
    r = ti_parse("ipv4", "1.2.3.4", 200, reply);
    is_int(r.e.severity, edge[i].sev, "score %d", edge[i].score);
  }
  is_str(r.e.summary, "abuse confidence 1%, 1 report by 1 user in 90 days",
         "singular words");
  r = ti_parse("ipv4", "1.2.3.4", 200,
               "{\"data\":{\"abuseConfidenceScore\":5,"
               "\"lastReportedAt\":\"2024-05-01T11:58:00.25+02:00\"}}");
  is_str(ti_text(&r.e, "last_reported"), "1714557480250000",
         "fraction and offset");
  r = ti_parse("ipv4", "1.2.3.4", 200,
               "{\"data\":{\"abuseConfidenceScore\":5,"
               "\"lastReportedAt\":\"2024-05-01 11:58\"}}");
  is_str(ti_text(&r.e, "last_reported"), "~", "unparsable time stays null");
}

static void
test_errors(void)
{
  ti_result r = ti_parse(
      "ipv4", "1.2.3.4", 401,
      "{\"errors\":[{\"detail\":\"Authentication failed. Your API key is "
      "either missing, incorrect, or revoked.\",\"status\":401}]}");
  is_int(r.rc, HK_E_AUTH, "401: HK_E_AUTH");
  ok(r.err.flags & HK_EF_USER, "  the operator must act");
  is_str(r.err.msg,
         "abuseipdb: the service refused the API key (HTTP 401, "
         "Authentication failed. Your API key is either missing, incorrect, "
         "or revoked.); check api_key in the instance's conf.d file",
         "401 message");
  r = ti_parse("ipv4", "1.2.3.4", 429,
               "{\"errors\":[{\"detail\":\"Daily rate limit of 1000 requests "
               "exceeded for this endpoint.\",\"status\":429}]}");
  ok(r.rc == HK_E_RATELIMIT && (r.err.flags & HK_EF_RETRYABLE),
     "429: RATELIMIT, retryable");
  is_str(r.err.msg,
         "abuseipdb: request rate or daily quota exceeded (HTTP 429, Daily "
         "rate limit of 1000 requests exceeded for this endpoint.); try "
         "again later or lower the instance's rate (a free key allows 1,000 "
         "checks a day)",
         "429 message");
  r = ti_parse("ipv4", "1.2.3.4", 422,
               "{\"errors\":[{\"detail\":\"The ip address must be a valid "
               "IPv4 or IPv6 address (e.g. 8.8.8.8 or "
               "2001:4860:4860::8888).\",\"status\":422,\"source\":"
               "{\"parameter\":\"ipAddress\"}}]}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_BAD_FORMAT, "422: BAD_FORMAT");
  is_str(r.e.summary,
         "AbuseIPDB refused the value (HTTP 422, The ip address must be a "
         "valid IPv4 or IPv6 address (e.g. 8.8.8.8 or "
         "2001:4860:4860::8888).)",
         "422 reason");
  r = ti_parse("ipv4", "1.2.3.4", 404,
               "{\"errors\":[{\"detail\":\"Not Found\",\"status\":404}]}");
  ok(r.rc == HK_E_FAIL && !(r.err.flags & HK_EF_RETRYABLE),
     "404: failed (the endpoint, not the address)");
  is_str(r.err.msg,
         "abuseipdb: unexpected reply HTTP 404, Not Found (expected 200; is "
         "base_url right?)",
         "404 message");
  r = ti_parse("ipv4", "1.2.3.4", 500, "");
  ok(r.rc == HK_E_FAIL && (r.err.flags & HK_EF_RETRYABLE), "500 retryable");
  char *body = ti_body("abuseipdb.json", "check", "1.2.3.4");
  size_t half = strlen(body) / 2;
  r = ti_parse_n("ipv4", "1.2.3.4", 200, body, half);
  char want[300];
  snprintf(want, sizeof want,
           "abuseipdb: the reply is truncated: its JSON ends after %zu bytes; "
           "" EXPECTED,
           half);
  is_str(r.err.msg, want, "truncated message");
  free(body);
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"data\": {\"abuseConfidenceScore\"");
  like(r.err.msg, "abuseipdb: the reply is truncated", "cut mid-key");
  r = ti_parse("ipv4", "1.2.3.4", 200, "{data: 1}");
  like(r.err.msg, "abuseipdb: the reply is not valid JSON (", "malformed");
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"data\": []}");
  is_str(r.err.msg,
         "abuseipdb: the reply has no data.abuseConfidenceScore; " EXPECTED,
         "wrong shape");
}

int
main(void)
{
  hk_error err;
  plan_lazy();
  test_descriptor();
  hk_error_clear(&err);
  is_int(ti_open(abuseipdb_LTX_hk_plugin_entry,
                 "api_key=" KEY ";max_age_days=400", &err),
         HK_E_CONFIG, "max_age_days 400 refused");
  is_str(err.msg,
         "abuseipdb: max_age_days must be 1 to 365 (the API's limits), got "
         "400",
         "  message");
  hk_error_clear(&err);
  if (!ok(ti_open(abuseipdb_LTX_hk_plugin_entry,
                  "api_key=" KEY ";base_url=" BASE ";max_age_days=90",
                  &err) == HK_OK,
          "instance created"))
    diag("%s", err.msg);
  test_prepare();
  test_parse();
  test_errors();

  char *body = ti_body("abuseipdb.json", "check", "8.8.8.8");
  ti_next.status = 200;
  ti_next.body = body;
  ti_next.len = strlen(body);
  ti_result r = ti_lookup("ipv4", "8.8.8.8");
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "lookup OK");
  is_str(ti_seen.url, BASE "/check?ipAddress=8.8.8.8&maxAgeInDays=90",
         "lookup URL");
  is_str(ti_seen.headers[0], "Key: " KEY, "lookup Key header");
  ti_host.http_fetch = NULL;
  r = ti_lookup("ipv4", "8.8.8.8");
  is_str(r.err.msg,
         "abuseipdb: this huntkit has no HTTP service (hk_host.http_fetch is "
         "missing: built without libcurl?); AbuseIPDB lookups need it",
         "no HTTP service");
  ti_close();
  free(body);

  ok(ti_open(abuseipdb_LTX_hk_plugin_entry, "api_key=" KEY, &err) == HK_OK,
     "defaults");
  r = ti_prepare("ipv4", "1.2.3.4");
  is_str(r.url,
         "https://api.abuseipdb.com/api/v2/check?ipAddress=1.2.3.4&"
         "maxAgeInDays=30",
         "default base_url and 30 days");
  ti_close();
  return done_testing();
}
