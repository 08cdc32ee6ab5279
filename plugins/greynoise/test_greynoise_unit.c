/*
 * plugins/greynoise/test_greynoise_unit.c -- white-box tests of the
 * greynoise enricher: prepare/parse/lookup through its descriptor with the
 * TI plugins' fake host (tests/ti_harness.h) on canned
 * replies from tests/data/ti/greynoise.json.  Day timestamps were computed
 * with python3: datetime.strptime(d, "%Y-%m-%d") at UTC, in µs.
 */
#include "../../tests/tap.h"

#include "../../tests/ti_harness.h"

const hk_plugin_desc *const *
greynoise_LTX_hk_plugin_entry(const struct hk_host *host, hk_error *err);

#define BASE "http://127.0.0.1:9"
#define KEY "gn-test-key"
#define EXPECTED                                                               \
  "expected a GreyNoise community record {\"ip\": ..., \"noise\": ..., "       \
  "\"riot\": ...}"

static void
test_descriptor(void)
{
  hk_error err;
  hk_error_clear(&err);
  const hk_plugin_desc *const *d =
      greynoise_LTX_hk_plugin_entry(&ti_host_template, &err);
  is_str(d[0]->name, "greynoise", "descriptor name");
  is_int(d[0]->flags, HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI, "flags");
  is_str(d[0]->entity_types[0], "ipv4", "IPv4 ...");
  ok(d[0]->entity_types[1] == NULL, "... only");
  is_int(d[0]->params[0].flags, HK_P_SECRET,
         "api_key secret, optional (keyless community use)");
  is_str(d[0]->params[1].default_value, "https://api.greynoise.io",
         "base_url default");
}

static void
test_prepare(void)
{
  ti_result r = ti_prepare("ipv4", "1.2.3.4");
  is_str(r.url, BASE "/v3/community/1.2.3.4", "community URL");
  is_str(ti_header(&r, "key"), "key: " KEY, "key header");
  r = ti_prepare("ipv4", "10.1.2.3");
  ok(r.url == NULL && r.e.status == HK_LK_BAD_FORMAT, "private: BAD_FORMAT");
  is_str(r.e.summary, "IP address is not global", "  reason");
  r = ti_prepare("ipv4", "1.2.3.256");
  is_str(r.e.summary, "Not an IPv4 address", "not an address");
  r = ti_prepare("ipv6", "2001:4860:4860::8888");
  ok(r.url == NULL && r.e.status == HK_LK_NOT_SUPPORTED, "ipv6: NOT_SUPPORTED");
}

static void
test_parse(void)
{
  char *body = ti_body("greynoise.json", "community", "1.2.3.4");
  ti_result r = ti_parse("ipv4", "1.2.3.4", 200, body);
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "1.2.3.4: OK");
  is_int(r.e.severity, HK_SEV_HIGH, "malicious -> high");
  is_str(r.e.summary,
         "malicious: seen scanning the internet, last seen 2024-05-01",
         "summary (name 'unknown' left out)");
  is_str(ti_text(&r.e, "noise"), "true", "noise");
  is_str(ti_text(&r.e, "riot"), "false", "riot");
  is_str(ti_text(&r.e, "classification"), "malicious", "classification");
  is_str(ti_text(&r.e, "name"), "unknown", "name");
  is_str(ti_text(&r.e, "last_seen"), "1714521600000000", "last seen (µs)");
  is_str(r.e.reference, "https://viz.greynoise.io/ip/1.2.3.4",
         "the reply's link");
  ok(r.e.raw && !strcmp(r.e.raw, body), "raw reply kept");
  free(body);

  body = ti_body("greynoise.json", "community", "1.2.3.5");
  r = ti_parse("ipv4", "1.2.3.5", 200, body);
  is_int(r.e.severity, HK_SEV_INFORMATION, "unknown scanner -> information");
  is_str(r.e.summary,
         "unknown: seen scanning the internet, last seen 2024-04-28",
         "unknown summary");
  free(body);

  body = ti_body("greynoise.json", "community", "8.8.8.8");
  r = ti_parse("ipv4", "8.8.8.8", 200, body);
  is_int(r.e.severity, HK_SEV_INFORMATION, "benign RIOT -> information");
  is_str(r.e.summary,
         "benign: a common business service (Google Public DNS), last seen "
         "2024-05-01",
         "RIOT summary");
  is_str(ti_text(&r.e, "riot"), "true", "riot true");
  is_str(r.e.reference, "https://viz.greynoise.io/riot/8.8.8.8",
         "RIOT link from the reply");
  free(body);

  r = ti_parse("ipv4", "1.2.3.4", 200,
               "{\"ip\":\"1.2.3.4\",\"noise\":true,\"riot\":true,"
               "\"classification\":\"malicious\",\"name\":\"Acme\","
               "\"last_seen\":\"not a date\",\"link\":\"javascript:x\"}");
  is_str(r.e.summary,
         "malicious: seen scanning the internet and a common business "
         "service (Acme), last seen not a date",
         "noise and riot together");
  is_str(ti_text(&r.e, "last_seen"), "~", "a bad date stays null");
  is_str(r.e.reference, "https://viz.greynoise.io/ip/1.2.3.4",
         "a link that is not http(s) is not passed on");
}

static void
test_errors(void)
{
  ti_result r = ti_parse(
      "ipv4", "1.2.3.6", 404,
      "{\"ip\":\"1.2.3.6\",\"noise\":false,\"riot\":false,\"message\":\"IP "
      "not observed scanning the internet or contained in RIOT data set.\"}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_NO_DATA &&
         r.e.severity == HK_SEV_INFORMATION,
     "404: NO_DATA (not observed), not a failure");
  is_str(r.e.summary,
         "IP not observed scanning the internet or contained in RIOT data "
         "set.",
         "404: GreyNoise's message");
  is_str(ti_text(&r.e, "noise"), "false", "404: noise false");
  is_str(ti_text(&r.e, "riot"), "false", "404: riot false");
  is_str(ti_text(&r.e, "classification"), "~", "404: no classification");
  is_str(r.e.reference, "https://viz.greynoise.io/ip/1.2.3.6", "404: link");
  r = ti_parse("ipv4", "1.2.3.6", 404, "");
  ok(r.e.status == HK_LK_NO_DATA, "404 without a body: NO_DATA");
  is_str(r.e.summary,
         "IP not observed scanning the internet or contained in RIOT data "
         "set.",
         "  the usual wording");
  is_str(ti_text(&r.e, "noise"), "false", "  noise false");

  r = ti_parse("ipv4", "1.2.3.4", 401,
               "{\"message\":\"Authentication failed: invalid API key\"}");
  is_int(r.rc, HK_E_AUTH, "401: HK_E_AUTH");
  ok(r.err.flags & HK_EF_USER, "  the operator must act");
  is_str(r.err.msg,
         "greynoise: the service refused the API key (HTTP 401, "
         "Authentication failed: invalid API key); check api_key in the "
         "instance's conf.d file",
         "401 message");
  r = ti_parse("ipv4", "1.2.3.4", 429,
               "{\"plan\":\"community\",\"rate-limit\":\"10-lookups/day\","
               "\"message\":\"You have hit your daily rate limit of 10 "
               "requests per day.\"}");
  ok(r.rc == HK_E_RATELIMIT && (r.err.flags & HK_EF_RETRYABLE),
     "429: RATELIMIT, retryable");
  is_str(r.err.msg,
         "greynoise: request rate or daily quota exceeded (HTTP 429, You have "
         "hit your daily rate limit of 10 requests per day.); try again later "
         "or lower the instance's rate",
         "429 message");
  r = ti_parse("ipv4", "1.2.3.4", 400,
               "{\"message\":\"Request is not a valid routable IPv4 "
               "address\"}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_BAD_FORMAT, "400: BAD_FORMAT");
  is_str(r.e.summary,
         "GreyNoise refused the value (HTTP 400, Request is not a valid "
         "routable IPv4 address)",
         "400 reason");
  r = ti_parse("ipv4", "1.2.3.4", 503, "{\"message\":\"Service Unavailable\"}");
  ok(r.rc == HK_E_FAIL && (r.err.flags & HK_EF_RETRYABLE), "503 retryable");
  is_str(r.err.msg,
         "greynoise: unexpected reply HTTP 503, Service Unavailable (expected "
         "200, or 404 for an address not observed)",
         "503 message");
  char *body = ti_body("greynoise.json", "community", "1.2.3.4");
  size_t half = strlen(body) / 2;
  r = ti_parse_n("ipv4", "1.2.3.4", 200, body, half);
  char want[300];
  snprintf(want, sizeof want,
           "greynoise: the reply is truncated: its JSON ends after %zu bytes; "
           "" EXPECTED,
           half);
  is_str(r.err.msg, want, "truncated message");
  free(body);
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"noise\": tru}");
  like(r.err.msg, "greynoise: the reply is not valid JSON (", "malformed");
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"ip\": \"1.2.3.4\"}");
  is_str(r.err.msg,
         "greynoise: the reply has neither noise nor riot; " EXPECTED,
         "wrong shape");
}

int
main(void)
{
  hk_error err;
  plan_lazy();
  test_descriptor();
  hk_error_clear(&err);
  if (!ok(ti_open(greynoise_LTX_hk_plugin_entry,
                  "api_key=" KEY ";base_url=" BASE, &err) == HK_OK,
          "instance created"))
    diag("%s", err.msg);
  test_prepare();
  test_parse();
  test_errors();

  char *body = ti_body("greynoise.json", "community", "8.8.8.8");
  ti_next.status = 200;
  ti_next.body = body;
  ti_next.len = strlen(body);
  ti_result r = ti_lookup("ipv4", "8.8.8.8");
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "lookup OK");
  is_str(ti_seen.url, BASE "/v3/community/8.8.8.8", "lookup URL");
  ti_host.http_fetch = NULL;
  r = ti_lookup("ipv4", "8.8.8.8");
  is_str(r.err.msg,
         "greynoise: this huntkit has no HTTP service (hk_host.http_fetch is "
         "missing: built without libcurl?); GreyNoise lookups need it",
         "no HTTP service");
  ti_close();

  /* Without a key: no header, and the messages say how to get more. */
  hk_error_clear(&err);
  ok(ti_open(greynoise_LTX_hk_plugin_entry, "base_url=" BASE, &err) == HK_OK,
     "keyless instance");
  r = ti_prepare("ipv4", "1.2.3.4");
  ok(r.headers && r.headers[0] == NULL, "no key header");
  r = ti_parse("ipv4", "1.2.3.4", 401, "{\"message\":\"Unauthorized\"}");
  is_str(r.err.msg,
         "greynoise: the service refused a request without an API key (HTTP "
         "401, Unauthorized); set api_key in the instance's conf.d file",
         "keyless 401 message");
  r = ti_parse("ipv4", "1.2.3.4", 429, "{\"message\":\"limit\"}");
  is_str(r.err.msg,
         "greynoise: request rate or daily quota exceeded (HTTP 429, limit); "
         "try again later, or set api_key for a larger quota",
         "keyless 429 message");
  ti_close();
  free(body);
  return done_testing();
}
