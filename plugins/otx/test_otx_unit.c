/*
 * plugins/otx/test_otx_unit.c -- white-box tests of the otx enricher:
 * prepare/parse/lookup through its descriptor with the TI plugins' fake
 * host (tests/ti_harness.h) on canned replies from
 * tests/data/ti/otx.json.  Expected pulse counts, names, tags and
 * references were listed with python3's json module from that file;
 * percent-encodings with urllib.parse.quote(url, safe='').
 */
#include "../../tests/tap.h"

#include "../../tests/ti_harness.h"

const hk_plugin_desc *const *otx_LTX_hk_plugin_entry(const struct hk_host *host,
                                                     hk_error *err);

#define BASE "http://127.0.0.1:9/api/v1"
#define KEY "otx-test-key-42"
#define EXPECTED                                                               \
  "expected an OTX indicator record {\"indicator\": ..., \"pulse_info\": "     \
  "{...}}"

static void
test_descriptor(void)
{
  hk_error err;
  hk_error_clear(&err);
  const hk_plugin_desc *const *d =
      otx_LTX_hk_plugin_entry(&ti_host_template, &err);
  is_str(d[0]->name, "otx", "descriptor name");
  is_int(d[0]->flags, HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI, "flags");
  hk_buf types = HK_BUF_INIT;
  for (size_t i = 0; d[0]->entity_types[i]; i++)
    hk_buf_appendf(&types, "%s%s", i ? "," : "", d[0]->entity_types[i]);
  is_str(types.data,
         "ipv4,ipv6,dns,hostname,url,md5_hash,sha1_hash,sha256_hash",
         "entity types");
  hk_buf_free(&types);
  is_str(d[0]->params[0].name, "api_key", "api_key parameter");
  is_int(d[0]->params[0].flags, HK_P_REQUIRED | HK_P_SECRET,
         "api_key required and secret");
  is_str(d[0]->params[1].default_value, "https://otx.alienvault.com/api/v1",
         "base_url default");
}

static void
test_prepare(void)
{
  ti_result r = ti_prepare("ipv4", "1.2.3.4");
  is_str(r.url, BASE "/indicators/IPv4/1.2.3.4/general", "IPv4 URL");
  is_str(ti_header(&r, "X-OTX-API-KEY"), "X-OTX-API-KEY: " KEY, "key header");
  r = ti_prepare("ipv6", "2001:4860:4860::8888");
  is_str(r.url, BASE "/indicators/IPv6/2001:4860:4860::8888/general",
         "IPv6 URL");
  r = ti_prepare("dns", "bad.example.com");
  is_str(r.url, BASE "/indicators/domain/bad.example.com/general",
         "domain URL");
  r = ti_prepare("hostname", "www.example.com");
  is_str(r.url, BASE "/indicators/hostname/www.example.com/general",
         "hostname URL");
  r = ti_prepare("sha256_hash", "03bd9a94482f180bb047626cb2f27ccf8daa0e20134548"
                                "0b43585580e09c311b");
  is_str(r.url,
         BASE "/indicators/file/03bd9a94482f180bb047626cb2f27ccf8daa0e2013454"
              "80b43585580e09c311b/general",
         "file URL");
  r = ti_prepare("url", "http://bad.example.com/login.php?a=1&b=c d");
  is_str(r.url,
         BASE "/indicators/url/"
              "http%3A%2F%2Fbad.example.com%2Flogin.php%3Fa%3D1%26b%3Dc%20d/"
              "general",
         "url: one percent-encoded path segment");

  r = ti_prepare("ipv4", "127.0.0.1");
  ok(r.rc == HK_OK && r.url == NULL && r.e.status == HK_LK_BAD_FORMAT,
     "loopback: BAD_FORMAT, no request");
  is_str(r.e.summary, "IP address is not global", "  reason");
  r = ti_prepare("dns", "intranet");
  is_str(r.e.summary, "Domain is unqualified domain name", "bare name refused");
  r = ti_prepare("md5_hash", "0123456789");
  is_str(r.e.summary, "Observable does not match expected pattern for md5_hash",
         "short md5 refused");
  r = ti_prepare("url", "hxxp://bad[.]example[.]com/");
  is_str(r.e.summary, "Observable does not match expected pattern for url",
         "defanged URL refused (refanging is the host's)");
  r = ti_prepare("email", "a@example.com");
  ok(r.url == NULL && r.e.status == HK_LK_NOT_SUPPORTED,
     "email: NOT_SUPPORTED");
}

static void
test_parse(void)
{
  char *body = ti_body("otx.json", "IPv4", "1.2.3.4");
  ti_result r = ti_parse("ipv4", "1.2.3.4", 200, body);
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "1.2.3.4: OK");
  is_int(r.e.severity, HK_SEV_HIGH, "7 pulses -> high");
  is_str(r.e.summary,
         "in 7 OTX pulses: SSH brute force sources; Mass scanners, week 17; "
         "...",
         "summary: the total count, listed names, more exist");
  is_str(ti_text(&r.e, "pulse_count"), "7",
         "pulse_count is pulse_info.count, not the 2 listed");
  is_str(ti_text(&r.e, "pulses"),
         "SSH brute force sources; Mass scanners, week 17", "pulse names");
  is_str(ti_text(&r.e, "tags"), "ssh, bruteforce, scanner", "distinct tags");
  is_str(ti_text(&r.e, "references"),
         "https://example.test/report, https://example.test/scanners",
         "references");
  is_str(ti_text(&r.e, "reputation"), "3", "reputation");
  is_str(ti_text(&r.e, "country_code"), "ZZ", "country code");
  is_str(ti_text(&r.e, "country"), "Exampleland", "country name");
  is_str(ti_text(&r.e, "asn"), "AS64501 example isp", "asn as given");
  is_str(ti_text(&r.e, "sections"),
         "general, geo, reputation, url_list, passive_dns, malware, "
         "nids_list, http_scans",
         "sections");
  is_str(r.e.reference, "https://otx.alienvault.com/indicator/ip/1.2.3.4",
         "GUI link");
  ok(r.e.raw && !strcmp(r.e.raw, body), "raw reply kept");
  free(body);

  body = ti_body("otx.json", "IPv4", "1.2.3.5");
  r = ti_parse("ipv4", "1.2.3.5", 200, body);
  is_int(r.e.severity, HK_SEV_MEDIUM, "1 pulse -> medium (MSTICPy warning)");
  is_str(r.e.summary, "in 1 OTX pulse: Mass scanners, week 17",
         "1 pulse summary");
  free(body);

  body = ti_body("otx.json", "IPv4", "8.8.8.8");
  r = ti_parse("ipv4", "8.8.8.8", 200, body);
  ok(r.e.status == HK_LK_OK && r.e.severity == HK_SEV_INFORMATION,
     "0 pulses: OK, information");
  is_str(r.e.summary, "in no OTX pulses", "0 pulses summary");
  is_str(ti_text(&r.e, "pulse_count"), "0", "pulse_count 0");
  is_str(ti_text(&r.e, "pulses"), "~", "no names");
  is_str(ti_text(&r.e, "asn"), "AS15169 google llc", "asn");
  free(body);

  body = ti_body("otx.json", "domain", "bad.example.com");
  r = ti_parse("dns", "bad.example.com", 200, body);
  is_int(r.e.severity, HK_SEV_HIGH, "domain 2 pulses -> high");
  is_str(ti_text(&r.e, "tags"), "phishing, ssh, bruteforce", "domain tags");
  is_str(ti_text(&r.e, "country"), "~", "domain: no country");
  is_str(r.e.reference,
         "https://otx.alienvault.com/indicator/domain/bad.example.com",
         "domain GUI link");
  free(body);

  body = ti_body("otx.json", "url", "http://bad.example.com/login.php");
  r = ti_parse("url", "http://bad.example.com/login.php", 200, body);
  is_int(r.e.severity, HK_SEV_MEDIUM, "url 1 pulse -> medium");
  is_str(r.e.reference,
         "https://otx.alienvault.com/indicator/url/"
         "http%3A%2F%2Fbad.example.com%2Flogin.php",
         "url GUI link");
  free(body);

  body = ti_body("otx.json", "file", "b61a4b8883ba9b9d4d85bdaecab71722");
  r = ti_parse("md5_hash", "b61a4b8883ba9b9d4d85bdaecab71722", 200, body);
  is_str(r.e.summary, "in 1 OTX pulse: AgentTesla loaders", "file summary");
  is_str(ti_text(&r.e, "references"), "https://example.test/agenttesla",
         "file references");
  free(body);

  r = ti_parse("ipv4", "1.2.3.4", 200,
               "{\"indicator\":\"1.2.3.4\",\"type\":\"IPv4\"}");
  ok(r.e.status == HK_LK_OK && r.e.severity == HK_SEV_INFORMATION,
     "no pulse_info: OK, information (MSTICPy)");
  is_str(r.e.summary, "no pulse information", "  says so");
  is_str(ti_text(&r.e, "pulse_count"), "~", "  pulse_count null");

  r = ti_parse("ipv4", "1.2.3.4", 200,
               "{\"indicator\":\"1.2.3.4\",\"pulse_info\":{\"count\":1,"
               "\"pulses\":[{\"name\":\"a\"},{\"name\":\"b\"},{\"name\":"
               "\"c\"},{\"name\":\"d\"}]}}");
  is_str(ti_text(&r.e, "pulse_count"), "4",
         "count below the listed pulses: the listed number");
  is_str(r.e.summary, "in 4 OTX pulses: a; b; c; ...",
         "three names in the summary");
}

static void
test_errors(void)
{
  ti_result r = ti_parse("ipv4", "1.2.3.4", 404, "{\"detail\":\"Not found.\"}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_NO_DATA &&
         r.e.severity == HK_SEV_INFORMATION,
     "404: NO_DATA");
  r = ti_parse("ipv4", "1.2.3.4", 403,
               "{\"detail\":\"Authentication credentials were not "
               "provided.\"}");
  is_int(r.rc, HK_E_AUTH, "403: HK_E_AUTH");
  ok(r.err.flags & HK_EF_USER, "  the operator must act");
  is_str(r.err.msg,
         "otx: the service refused the API key (HTTP 403, Authentication "
         "credentials were not provided.); check api_key in the instance's "
         "conf.d file",
         "403 message");
  r = ti_parse("ipv4", "1.2.3.4", 401, "{\"detail\":\"bad key " KEY "\"}");
  is_str(r.err.msg,
         "otx: the service refused the API key (HTTP 401); check api_key in "
         "the instance's conf.d file",
         "401: a detail that repeats the key is left out");
  r = ti_parse("ipv4", "1.2.3.4", 429,
               "{\"detail\":\"Request was throttled.\"}");
  ok(r.rc == HK_E_RATELIMIT && (r.err.flags & HK_EF_RETRYABLE),
     "429: RATELIMIT, retryable");
  is_str(r.err.msg,
         "otx: request rate exceeded (HTTP 429, Request was throttled.); try "
         "again later or lower the instance's rate",
         "429 message");
  r = ti_parse("ipv4", "1.2.3.4", 400, "{\"detail\":\"Invalid indicator\"}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_BAD_FORMAT, "400: BAD_FORMAT");
  is_str(r.e.summary, "OTX refused the value (HTTP 400, Invalid indicator)",
         "400 reason");
  r = ti_parse("ipv4", "1.2.3.4", 500, "<html><h1>Server Error</h1></html>");
  ok(r.rc == HK_E_FAIL && (r.err.flags & HK_EF_RETRYABLE),
     "500: failed, retryable");
  is_str(r.err.msg,
         "otx: unexpected reply HTTP 500 (expected 200, or 404 for an "
         "unknown indicator)",
         "500 message");
  char *body = ti_body("otx.json", "IPv4", "1.2.3.4");
  size_t half = strlen(body) / 2;
  r = ti_parse_n("ipv4", "1.2.3.4", 200, body, half);
  char want[300];
  snprintf(
      want, sizeof want,
      "otx: the reply is truncated: its JSON ends after %zu bytes; " EXPECTED,
      half);
  is_str(r.err.msg, want, "truncated message");
  ok(r.err.flags & HK_EF_RETRYABLE, "truncated: retryable");
  free(body);
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"indicator\": \"1.2.3.4\",, }");
  is_str(r.err.msg,
         "otx: the reply is not valid JSON (quoted object property name "
         "expected at byte offset 24); " EXPECTED,
         "malformed message");
  r = ti_parse("ipv4", "1.2.3.4", 200, "");
  is_str(r.err.msg, "otx: the reply is empty; " EXPECTED, "empty message");
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"results\": []}");
  is_str(r.err.msg,
         "otx: the reply has neither indicator nor pulse_info; " EXPECTED,
         "wrong shape message");
  r = ti_parse("ipv4", "1.2.3.4", 200, "[1, 2]");
  is_int(r.rc, HK_E_FAIL, "an array is the wrong shape too");
}

static void
test_lookup(void)
{
  char *body = ti_body("otx.json", "hostname", "www.example.com");
  ti_next.status = 200;
  ti_next.body = body;
  ti_next.len = strlen(body);
  ti_result r = ti_lookup("hostname", "www.example.com");
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "lookup OK");
  is_str(ti_seen.url, BASE "/indicators/hostname/www.example.com/general",
         "lookup URL");
  is_str(ti_seen.headers[0], "X-OTX-API-KEY: " KEY, "lookup header");
  ti_host.http_fetch = NULL;
  r = ti_lookup("hostname", "www.example.com");
  is_str(r.err.msg,
         "otx: this huntkit has no HTTP service (hk_host.http_fetch is "
         "missing: built without libcurl?); OTX lookups need it",
         "no HTTP service");
  ti_host.http_fetch = ti_fake_fetch;
  free(body);
}

int
main(void)
{
  hk_error err;
  plan_lazy();
  test_descriptor();
  hk_error_clear(&err);
  is_int(ti_open(otx_LTX_hk_plugin_entry, "base_url=" BASE, &err), HK_E_CONFIG,
         "no api_key: refused");
  hk_error_clear(&err);
  if (!ok(ti_open(otx_LTX_hk_plugin_entry, "api_key=" KEY ";base_url=" BASE,
                  &err) == HK_OK,
          "instance created"))
    diag("%s", err.msg);
  test_prepare();
  test_parse();
  test_errors();
  test_lookup();
  ti_close();
  return done_testing();
}
