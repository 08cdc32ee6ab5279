/*
 * plugins/xforce/test_xforce_unit.c -- white-box tests of the xforce
 * enricher: prepare/parse/lookup through its descriptor with the TI
 * plugins' fake host (tests/ti_harness.h) on canned
 * replies from tests/data/ti/xforce.json.  The Basic credentials were
 * encoded with python3's base64.b64encode(b"xf-key:xf-pass"), URL path
 * segments with urllib.parse.quote(url, safe='').
 */
#include "../../tests/tap.h"

#include "../../tests/ti_harness.h"

const hk_plugin_desc *const *
xforce_LTX_hk_plugin_entry(const struct hk_host *host, hk_error *err);

#define BASE "http://127.0.0.1:9"
#define AUTH "Authorization: Basic eGYta2V5OnhmLXBhc3M="
#define IP_EXPECTED                                                            \
  "expected an X-Force IP report {\"ip\": ..., \"score\": ...}"

static void
test_descriptor(void)
{
  hk_error err;
  hk_error_clear(&err);
  const hk_plugin_desc *const *d =
      xforce_LTX_hk_plugin_entry(&ti_host_template, &err);
  is_str(d[0]->name, "xforce", "descriptor name");
  is_int(d[0]->flags, HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI, "flags");
  hk_buf types = HK_BUF_INIT;
  for (size_t i = 0; d[0]->entity_types[i]; i++)
    hk_buf_appendf(&types, "%s%s", i ? "," : "", d[0]->entity_types[i]);
  is_str(types.data, "ipv4,ipv6,dns,url,md5_hash,sha1_hash,sha256_hash",
         "entity types");
  hk_buf_free(&types);
  is_str(d[0]->params[1].name, "api_password", "api_password parameter");
  is_int(d[0]->params[0].flags & d[0]->params[1].flags,
         HK_P_REQUIRED | HK_P_SECRET, "key and password required and secret");
  is_str(d[0]->params[2].default_value, "https://api.xforce.ibmcloud.com",
         "base_url default");
}

static void
test_prepare(void)
{
  ti_result r = ti_prepare("ipv4", "1.2.3.4");
  is_str(r.url, BASE "/ipr/1.2.3.4", "IP URL");
  is_str(ti_header(&r, "Authorization"), AUTH, "Basic credentials");
  is_str(ti_header(&r, "Accept"), "Accept: application/json", "Accept");
  r = ti_prepare("ipv6", "2001:4860:4860::8888");
  is_str(r.url, BASE "/ipr/2001:4860:4860::8888", "IPv6 URL");
  r = ti_prepare("dns", "bad.example.com");
  is_str(r.url, BASE "/url/bad.example.com", "domain -> /url/");
  r = ti_prepare("url", "http://bad.example.com/login.php");
  is_str(r.url, BASE "/url/http%3A%2F%2Fbad.example.com%2Flogin.php",
         "URL escaped into one segment");
  r = ti_prepare("sha1_hash", "0c7fc8364e7ead164b5b612982984737fb50fc81");
  is_str(r.url, BASE "/malware/0c7fc8364e7ead164b5b612982984737fb50fc81",
         "hash -> /malware/");
  r = ti_prepare("ipv4", "100.64.1.1");
  ok(r.url == NULL && r.e.status == HK_LK_BAD_FORMAT, "CGNAT: BAD_FORMAT");
  is_str(r.e.summary, "IP address is not global", "  reason");
  r = ti_prepare("hostname", "www.example.com");
  ok(r.url == NULL && r.e.status == HK_LK_NOT_SUPPORTED,
     "hostname: NOT_SUPPORTED (X-Force answers host names only as whois)");
  is_str(r.e.summary, "Type hostname not supported.", "  wording");
}

static void
test_parse(void)
{
  char *body = ti_body("xforce.json", "ipr", "1.2.3.4");
  ti_result r = ti_parse("ipv4", "1.2.3.4", 200, body);
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "1.2.3.4: OK");
  is_int(r.e.severity, HK_SEV_HIGH, "score 6.4 -> high");
  is_str(r.e.summary,
         "risk score 6.4 of 10: Content found on multiple lists (Scanning "
         "IPs, Botnet Command and Control Server)",
         "summary");
  is_str(ti_text(&r.e, "score"), "6.4", "score");
  is_str(ti_text(&r.e, "reason"), "Content found on multiple lists", "reason");
  is_str(ti_text(&r.e, "categories"),
         "Scanning IPs, Botnet Command and Control Server", "categories");
  is_str(ti_text(&r.e, "country"), "Exampleland", "country");
  is_str(ti_text(&r.e, "country_code"), "ZZ", "country code");
  is_str(ti_text(&r.e, "tags"), "~", "no tags");
  is_str(ti_text(&r.e, "risk"), "~", "no malware risk");
  is_str(r.e.reference, "https://exchange.xforce.ibmcloud.com/ip/1.2.3.4",
         "GUI link (ip/, not ipr/)");
  ok(r.e.raw && !strcmp(r.e.raw, body), "raw reply kept");
  free(body);

  body = ti_body("xforce.json", "ipr", "1.2.3.5");
  r = ti_parse("ipv4", "1.2.3.5", 200, body);
  is_int(r.e.severity, HK_SEV_MEDIUM, "score 3 -> medium (MSTICPy warning)");
  is_str(ti_text(&r.e, "score"), "3", "integer score read as float");
  free(body);
  body = ti_body("xforce.json", "ipr", "8.8.8.8");
  r = ti_parse("ipv4", "8.8.8.8", 200, body);
  is_int(r.e.severity, HK_SEV_INFORMATION, "score 1 -> information");
  is_str(r.e.summary, "risk score 1 of 10: Regional Internet Registry",
         "no categories in the summary");
  free(body);

  /* Thresholds: < 2 information, 2 to < 5 medium, >= 5 high. */
  static const struct {
    const char *score;
    int sev;
  } edge[] = {{"1.9", HK_SEV_INFORMATION},
              {"2", HK_SEV_MEDIUM},
              {"4.99", HK_SEV_MEDIUM},
              {"5", HK_SEV_HIGH},
              {"null", HK_SEV_INFORMATION}};
  for (size_t i = 0; i < sizeof edge / sizeof edge[0]; i++) {
    char reply[128];
    snprintf(reply, sizeof reply, "{\"ip\":\"1.2.3.4\",\"score\":%s}",
             edge[i].score);
    r = ti_parse("ipv4", "1.2.3.4", 200, reply);
    is_int(r.e.severity, edge[i].sev, "score %s", edge[i].score);
  }
  is_str(r.e.summary, "no risk score", "null score: said so");
  is_str(ti_text(&r.e, "score"), "~", "null score stays null");

  body = ti_body("xforce.json", "url", "bad.example.com");
  r = ti_parse("dns", "bad.example.com", 200, body);
  is_int(r.e.severity, HK_SEV_HIGH, "domain score 10 -> high");
  is_str(r.e.summary, "risk score 10 of 10 (Phishing URLs, Malware)",
         "domain summary from result");
  is_str(r.e.reference,
         "https://exchange.xforce.ibmcloud.com/url/bad.example.com",
         "domain GUI link");
  free(body);
  body = ti_body("xforce.json", "url", "http://bad.example.com/login.php");
  r = ti_parse("url", "http://bad.example.com/login.php", 200, body);
  is_int(r.e.severity, HK_SEV_MEDIUM, "url score 4.3 -> medium");
  is_str(ti_text(&r.e, "score"), "4.3", "url score");
  is_str(r.e.reference,
         "https://exchange.xforce.ibmcloud.com/url/"
         "http%3A%2F%2Fbad.example.com%2Flogin.php",
         "url GUI link");
  free(body);
  r = ti_parse("url", "http://bad.example.com/x", 200,
               "{\"url\":\"http://bad.example.com/x\",\"score\":7,"
               "\"tags\":[{\"type\":\"tag\",\"value\":\"phish\","
               "\"displayName\":\"Phishing\"},\"kit\"]}");
  is_int(r.e.severity, HK_SEV_HIGH, "url report without result: the root");
  is_str(ti_text(&r.e, "tags"), "Phishing, kit", "tag objects and strings");

  body = ti_body("xforce.json", "malware", "b61a4b8883ba9b9d4d85bdaecab71722");
  r = ti_parse("md5_hash", "b61a4b8883ba9b9d4d85bdaecab71722", 200, body);
  is_int(r.e.severity, HK_SEV_HIGH, "malware report -> high");
  is_str(r.e.summary, "malware, risk high: agenttesla, tasker",
         "malware summary");
  is_str(ti_text(&r.e, "risk"), "high", "risk");
  is_str(ti_text(&r.e, "family"), "agenttesla, tasker", "family");
  is_str(ti_text(&r.e, "score"), "~", "no score for hashes");
  is_str(r.e.reference,
         "https://exchange.xforce.ibmcloud.com/malware/"
         "b61a4b8883ba9b9d4d85bdaecab71722",
         "malware GUI link");
  free(body);
  r = ti_parse("md5_hash", "b61a4b8883ba9b9d4d85bdaecab71722", 200,
               "{\"tags\":[]}");
  ok(r.e.status == HK_LK_OK && r.e.severity == HK_SEV_INFORMATION,
     "no malware record: information");
  is_str(r.e.summary, "no malware report", "  said so");
}

static void
test_errors(void)
{
  ti_result r = ti_parse("ipv4", "1.2.3.6", 404, "{\"error\":\"Not found.\"}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_NO_DATA &&
         r.e.severity == HK_SEV_INFORMATION,
     "404: NO_DATA");
  is_str(r.e.summary, "Not found.", "404 summary");
  r = ti_parse("ipv4", "1.2.3.4", 401, "{\"error\":\"Not authorized.\"}");
  is_int(r.rc, HK_E_AUTH, "401: HK_E_AUTH");
  ok(r.err.flags & HK_EF_USER, "  the operator must act");
  is_str(r.err.msg,
         "xforce: the service refused the API key and password (HTTP 401, "
         "Not authorized.); check api_key and api_password in the instance's "
         "conf.d file",
         "401 message");
  r = ti_parse("ipv4", "1.2.3.4", 403, "{\"error\":\"user xf-key blocked\"}");
  is_str(r.err.msg,
         "xforce: the service refused the API key and password (HTTP 403); "
         "check api_key and api_password in the instance's conf.d file",
         "403: words repeating the key left out");
  r = ti_parse("ipv4", "1.2.3.4", 402,
               "{\"error\":\"Payment Required: monthly quota exceeded\"}");
  ok(r.rc == HK_E_RATELIMIT && !(r.err.flags & HK_EF_RETRYABLE),
     "402: RATELIMIT, not retryable");
  is_str(r.err.msg,
         "xforce: the API key's monthly quota is spent (HTTP 402, Payment "
         "Required: monthly quota exceeded); wait for the next month or use "
         "another key",
         "402 message");
  r = ti_parse("ipv4", "1.2.3.4", 429, "{\"error\":\"Too many requests\"}");
  ok(r.rc == HK_E_RATELIMIT && (r.err.flags & HK_EF_RETRYABLE),
     "429: RATELIMIT, retryable");
  r = ti_parse("ipv4", "1.2.3.4", 500, "<html>Server Error</html>");
  ok(r.rc == HK_E_FAIL && (r.err.flags & HK_EF_RETRYABLE), "500: retryable");
  is_str(r.err.msg,
         "xforce: unexpected reply HTTP 500 (expected 200, or 404 for an "
         "unknown value)",
         "500 message");
  char *body = ti_body("xforce.json", "ipr", "1.2.3.4");
  size_t half = strlen(body) / 2;
  r = ti_parse_n("ipv4", "1.2.3.4", 200, body, half);
  char want[300];
  snprintf(want, sizeof want,
           "xforce: the reply is truncated: its JSON ends after %zu bytes; "
           "" IP_EXPECTED,
           half);
  is_str(r.err.msg, want, "truncated message");
  free(body);
  r = ti_parse("ipv4", "1.2.3.4", 200, "<html>captive portal</html>");
  like(r.err.msg, "xforce: the reply is not valid JSON (", "HTML message");
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"unexpected\": true}");
  is_str(r.err.msg, "xforce: the reply has no ip or score; " IP_EXPECTED,
         "wrong shape (IP)");
  r = ti_parse("url", "http://bad.example.com/", 200, "[]");
  is_str(r.err.msg,
         "xforce: the reply has no result.url or result.score; expected an "
         "X-Force URL report {\"result\": {\"url\": ..., \"score\": ...}}",
         "wrong shape (URL)");
  r = ti_parse("md5_hash", "b61a4b8883ba9b9d4d85bdaecab71722", 200, "");
  is_str(r.err.msg,
         "xforce: the reply is empty; expected an X-Force malware report "
         "{\"malware\": {...}}",
         "empty (malware)");
}

static void
test_lookup(void)
{
  char *body = ti_body("xforce.json", "url", "www.example.com");
  ti_next.status = 200;
  ti_next.body = body;
  ti_next.len = strlen(body);
  ti_result r = ti_lookup("dns", "www.example.com");
  ok(r.rc == HK_OK && r.e.severity == HK_SEV_INFORMATION, "lookup OK");
  is_str(ti_seen.url, BASE "/url/www.example.com", "lookup URL");
  is_str(ti_seen.headers[0], AUTH, "lookup auth header");
  is_str(ti_seen.headers[1], "Accept: application/json", "lookup Accept");
  ti_host.http_fetch = NULL;
  r = ti_lookup("dns", "www.example.com");
  is_str(r.err.msg,
         "xforce: this huntkit has no HTTP service (hk_host.http_fetch is "
         "missing: built without libcurl?); X-Force lookups need it",
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
  is_int(ti_open(xforce_LTX_hk_plugin_entry, "api_key=xf-key;base_url=" BASE,
                 &err),
         HK_E_CONFIG, "no api_password: refused");
  like(err.msg, "api_password", "  names the key");
  hk_error_clear(&err);
  if (!ok(ti_open(xforce_LTX_hk_plugin_entry,
                  "api_key=xf-key;api_password=xf-pass;base_url=" BASE,
                  &err) == HK_OK,
          "instance created"))
    diag("%s", err.msg);
  test_prepare();
  test_parse();
  test_errors();
  test_lookup();
  ti_close();
  hk_error_clear(&err);
  ok(ti_open(xforce_LTX_hk_plugin_entry, "api_key=ab;api_password=c", &err) ==
         HK_OK,
     "short credentials");
  ti_result r = ti_prepare("ipv4", "1.2.3.4");
  is_str(ti_header(&r, "Authorization"),
         "Authorization: Basic YWI6Yw==", "two '=' of padding");
  is_str(r.url, "https://api.xforce.ibmcloud.com/ipr/1.2.3.4",
         "the default base_url");
  ti_close();
  ok(ti_open(xforce_LTX_hk_plugin_entry, "api_key=abc;api_password=de", &err) ==
         HK_OK,
     "credentials of 6 bytes");
  r = ti_prepare("ipv4", "1.2.3.4");
  is_str(ti_header(&r, "Authorization"), "Authorization: Basic YWJjOmRl",
         "no padding");
  ti_close();
  return done_testing();
}
