/*
 * plugins/virustotal/test_virustotal_unit.c -- white-box tests of the
 * virustotal enricher: prepare/parse/lookup driven through its descriptor
 * with the harness's fake transport (tests/ti_harness.h) on canned replies.
 *
 * Expected values were computed with python3, independently of the
 * plugin: URL ids with base64.urlsafe_b64encode(url).rstrip(b'='),
 * counts and totals with sum(last_analysis_stats.values()) over
 * tests/data/msticpy/vt3_*.json and tests/data/ti/virustotal.json.
 */
#include "../../tests/tap.h"

#include "../../tests/ti_harness.h"

#include <strings.h>

const hk_plugin_desc *const *
virustotal_LTX_hk_plugin_entry(const struct hk_host *host, hk_error *err);

#define BASE "http://127.0.0.1:9/api/v3"
#define KEY "test-key-0123456789"

static char *
wrapped(const char *fixture)
{
  char rel[128];
  snprintf(rel, sizeof rel, "tests/data/msticpy/%s", fixture);
  char *inner = ti_slurp(rel, NULL);
  hk_buf b = HK_BUF_INIT;
  hk_buf_appendf(&b, "{\"data\": %s}", inner);
  free(inner);
  return hk_buf_detach(&b, NULL);
}

static void
test_descriptor(void)
{
  hk_error err;
  hk_error_clear(&err);
  const hk_plugin_desc *const *d =
      virustotal_LTX_hk_plugin_entry(&ti_host_template, &err);
  is_str(d[0]->name, "virustotal", "descriptor name");
  is_int(d[0]->kind, HK_KIND_ENRICHER, "an enricher");
  is_int(d[0]->flags, HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
         "network, secrets and TI flags");
  hk_buf types = HK_BUF_INIT;
  for (size_t i = 0; d[0]->entity_types[i]; i++)
    hk_buf_appendf(&types, "%s%s", i ? "," : "", d[0]->entity_types[i]);
  is_str(types.data,
         "ipv4,ipv6,dns,hostname,url,md5_hash,sha1_hash,sha256_hash",
         "entity types");
  hk_buf_free(&types);
  is_str(d[0]->params[0].name, "api_key", "first parameter: api_key");
  is_int(d[0]->params[0].flags, HK_P_REQUIRED | HK_P_SECRET,
         "api_key is required and secret");
  is_str(d[0]->params[1].name, "base_url", "second parameter: base_url");
  is_str(d[0]->params[1].default_value, "https://www.virustotal.com/api/v3",
         "base_url defaults to the real service");
  const hk_enricher_vt *vt = d[0]->vtable;
  ok(vt->prepare && vt->parse && vt->lookup, "prepare, parse and lookup set");
}

static void
test_config(void)
{
  hk_error err;
  hk_error_clear(&err);
  is_int(ti_open(virustotal_LTX_hk_plugin_entry, "base_url=" BASE, &err),
         HK_E_CONFIG, "no api_key: refused");
  like(err.msg, "missing required key 'api_key'", "the host names the key");
  ti_close();
  hk_error_clear(&err);
  is_int(ti_open(virustotal_LTX_hk_plugin_entry,
                 "api_key=" KEY ";base_url=ftp://127.0.0.1/", &err),
         HK_E_CONFIG, "ftp base_url refused");
  is_str(err.msg,
         "virustotal: base_url must start with https:// or http://, got "
         "'ftp://127.0.0.1/'",
         "base_url message");
  ti_close();
}

static void
test_prepare(void)
{
  ti_result r = ti_prepare("ipv4", "1.2.3.4");
  is_int(r.rc, HK_OK, "prepare ipv4");
  is_str(r.url, BASE "/ip_addresses/1.2.3.4", "ip_addresses URL");
  is_str(ti_header(&r, "x-apikey"), "x-apikey: " KEY, "x-apikey header");
  ok(r.headers[1] == NULL, "one header only");
  r = ti_prepare("ipv6", "2001:4860:4860::8888");
  is_str(r.url, BASE "/ip_addresses/2001:4860:4860::8888", "IPv6 URL");
  r = ti_prepare("dns", "bad.example.com");
  is_str(r.url, BASE "/domains/bad.example.com", "domains URL");
  r = ti_prepare("hostname", "www.example.com");
  is_str(r.url, BASE "/domains/www.example.com", "hostname -> domains");
  r = ti_prepare("md5_hash", "b61a4b8883ba9b9d4d85bdaecab71722");
  is_str(r.url, BASE "/files/b61a4b8883ba9b9d4d85bdaecab71722", "files URL");
  r = ti_prepare("sha1_hash", "0c7fc8364e7ead164b5b612982984737fb50fc81");
  is_str(r.url, BASE "/files/0c7fc8364e7ead164b5b612982984737fb50fc81",
         "sha1 -> files");
  r = ti_prepare("sha256_hash", "  03bd9a94482f180bb047626cb2f27ccf8daa0e2013"
                                "45480b43585580e09c311b\n");
  is_str(r.url,
         BASE "/files/03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b435855"
              "80e09c311b",
         "sha256 -> files, surrounding space trimmed");

  /* URL ids: python3 base64.urlsafe_b64encode(u).rstrip(b'='). */
  static const char *const urls[][2] = {
      {"http://www.example.com/", "aHR0cDovL3d3dy5leGFtcGxlLmNvbS8"},
      {"https://a.io/", "aHR0cHM6Ly9hLmlvLw"},
      {"https://a.io/x", "aHR0cHM6Ly9hLmlvL3g"},
      {"https://a.io/xy", "aHR0cHM6Ly9hLmlvL3h5"},
      {"http://www.example.com/~user/??",
       "aHR0cDovL3d3dy5leGFtcGxlLmNvbS9-dXNlci8_Pw"},
      {"https://a.io/?x=>>>", "aHR0cHM6Ly9hLmlvLz94PT4-Pg"},
      {"http://xn--bcher-kva.example/p?q=1&r=%20",
       "aHR0cDovL3huLS1iY2hlci1rdmEuZXhhbXBsZS9wP3E9MSZyPSUyMA"},
  };
  for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
    char want[256];
    snprintf(want, sizeof want, BASE "/urls/%s", urls[i][1]);
    r = ti_prepare("url", urls[i][0]);
    is_str(r.url, want, "URL id of %s", urls[i][0]);
  }

  /* Answered at once, without a request. */
  static const char *const bad[][3] = {
      {"ipv4", "10.0.0.1", "IP address is not global"},
      {"ipv4", "192.0.2.7", "IP address is not global"},
      {"ipv4", "1.2.3", "Not an IPv4 address"},
      {"ipv4", "2001:4860:4860::8888", "Not an IPv4 address"},
      {"ipv6", "::1", "IP address is not global"},
      {"ipv6", "1.2.3.4", "Not an IPv6 address"},
      {"dns", "localhost", "Domain is unqualified domain name"},
      {"dns", "1.2.3.4", "Domain is an IP address"},
      {"dns", "bad domain.com",
       "Observable does not match expected pattern "
       "for dns"},
      {"md5_hash", "AAAAAAAAAAAAAAAA",
       "Observable does not match expected "
       "pattern for md5_hash"},
      {"md5_hash", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
       "String has too low an entropy to be a hash"},
      {"sha1_hash", "b61a4b8883ba9b9d4d85bdaecab71722",
       "Observable does not match expected pattern for sha1_hash"},
      {"url", "http://10.0.0.1/admin",
       "URL host is a private or loopback IP address"},
      {"url", "http://[::1]:8080/",
       "URL host is a private or loopback IP "
       "address"},
      {"url", "file:///etc/passwd", "URL scheme is file"},
      {"url", "http://intranet/", "URL host is not a qualified domain name"},
      {"url", "www.example.com/path",
       "Observable does not match expected "
       "pattern for url"},
  };
  int calls = ti_seen.calls;
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    r = ti_prepare(bad[i][0], bad[i][1]);
    ok(r.rc == HK_OK && r.url == NULL && r.e.status == HK_LK_BAD_FORMAT &&
           r.e.severity == HK_SEV_UNKNOWN,
       "%s '%s': BAD_FORMAT without a request", bad[i][0], bad[i][1]);
    is_str(r.e.summary, bad[i][2], "  reason");
  }
  r = ti_prepare("email", "a@example.com");
  ok(r.rc == HK_OK && r.url == NULL && r.e.status == HK_LK_NOT_SUPPORTED,
     "email: NOT_SUPPORTED");
  is_str(r.e.summary, "Type email not supported.", "MSTICPy's wording");
  is_int(ti_seen.calls, calls, "prepare never fetches");
}

static void
test_parse_ok(void)
{
  char *file = wrapped("vt3_file_1.json");
  ti_result r =
      ti_parse("md5_hash", "b61a4b8883ba9b9d4d85bdaecab71722", 200, file);
  is_int(r.rc, HK_OK, "file: parsed");
  is_int(r.e.status, HK_LK_OK, "file: OK");
  is_int(r.e.severity, HK_SEV_HIGH, "file: 40 engines -> high");
  is_str(r.e.summary, "40 of 74 engines flag it malicious (trojan.msil/tasker)",
         "file: summary");
  is_str(ti_text(&r.e, "id"),
         "03bd9a94482f180bb047626cb2f27ccf8daa0e201345480b43585580e09c311b",
         "file: id is the sha256");
  is_str(ti_text(&r.e, "positives"), "40", "file: positives");
  is_str(ti_text(&r.e, "suspicious"), "0", "file: suspicious");
  is_str(ti_text(&r.e, "total"), "74", "file: total of all verdicts");
  is_str(ti_text(&r.e, "reputation"), "0", "file: reputation");
  is_str(ti_text(&r.e, "last_analysis"), "1633789226000000",
         "file: last analysis (µs)");
  is_str(ti_text(&r.e, "tags"),
         "obfuscated, peexe, runtime-modules, detect-debug-environment, "
         "checks-network-adapters, calls-wmi, direct-cpu-clock-access, "
         "64bits, long-sleeps",
         "file: tags");
  is_str(ti_text(&r.e, "threat_label"), "trojan.msil/tasker", "file: label");
  is_str(ti_text(&r.e, "type_description"), "Win32 EXE", "file: type");
  is_str(ti_text(&r.e, "meaningful_name"), "itami.exe", "file: name");
  is_str(ti_text(&r.e, "size"), "44032", "file: size");
  is_str(ti_text(&r.e, "country"), "~", "file: no country");
  is_str(ti_text(&r.e, "asn"), "~", "file: no asn");
  is_str(r.e.reference,
         "https://www.virustotal.com/gui/file/"
         "b61a4b8883ba9b9d4d85bdaecab71722",
         "file: GUI link");
  ok(r.e.raw && strcmp(r.e.raw, file) == 0, "file: raw reply kept");
  free(file);

  char *url = wrapped("vt3_url_0.json");
  r = ti_parse("url", "http://218.54.47.77/", 200, url);
  is_int(r.e.severity, HK_SEV_INFORMATION, "url: 0 engines -> information");
  is_str(r.e.summary, "0 of 66 engines flag it malicious", "url: summary");
  is_str(ti_text(&r.e, "final_url"), "http://218.54.47.77/", "url: final");
  is_str(ti_text(&r.e, "categories"), "uncategorized", "url: categories");
  is_str(ti_text(&r.e, "threat_label"), "~", "url: no label");
  is_str(r.e.reference,
         "https://www.virustotal.com/gui/url/"
         "380269259e1f607fb07769fee779f0dc3144924f865e76a3c05c8898295d02f8",
         "url: GUI link by the sha256 id");
  free(url);

  char *body = ti_body("virustotal.json", "ip_addresses", "1.2.3.4");
  r = ti_parse("ipv4", "1.2.3.4", 200, body);
  is_int(r.e.severity, HK_SEV_HIGH, "ip 6 engines -> high");
  is_str(r.e.summary, "6 of 92 engines flag it malicious, 1 suspicious",
         "ip: summary with suspicious");
  is_str(ti_text(&r.e, "country"), "ZZ", "ip: country");
  is_str(ti_text(&r.e, "asn"), "64500", "ip: asn");
  is_str(ti_text(&r.e, "as_owner"), "EXAMPLE-NET", "ip: as_owner");
  is_str(ti_text(&r.e, "reputation"), "-12", "ip: negative reputation");
  is_str(ti_text(&r.e, "tags"), "scanner", "ip: tags");
  is_str(r.e.reference, "https://www.virustotal.com/gui/ip-address/1.2.3.4",
         "ip: GUI link");
  free(body);

  body = ti_body("virustotal.json", "ip_addresses", "1.2.3.5");
  r = ti_parse("ipv4", "1.2.3.5", 200, body);
  is_int(r.e.severity, HK_SEV_MEDIUM, "one engine -> medium (MSTICPy warning)");
  is_str(ti_text(&r.e, "tags"), "~", "empty tags are null");
  free(body);

  body = ti_body("virustotal.json", "ip_addresses", "8.8.8.8");
  r = ti_parse("ipv4", "8.8.8.8", 200, body);
  is_int(r.e.severity, HK_SEV_INFORMATION, "no engine -> information");
  is_str(r.e.summary, "0 of 92 engines flag it malicious", "benign summary");
  free(body);

  body = ti_body("virustotal.json", "domains", "bad.example.com");
  r = ti_parse("dns", "bad.example.com", 200, body);
  is_int(r.e.severity, HK_SEV_HIGH, "domain: 5 engines -> high");
  is_str(ti_text(&r.e, "registrar"), "Example Registrar, Inc.",
         "domain: registrar");
  is_str(ti_text(&r.e, "categories"),
         "malicious web sites, phishing and fraud, phishing",
         "domain: categories in reply order");
  is_str(r.e.reference, "https://www.virustotal.com/gui/domain/bad.example.com",
         "domain: GUI link");
  free(body);

  body = ti_body("virustotal.json", "urls", "http://bad.example.com/login.php");
  r = ti_parse("url", "http://bad.example.com/login.php", 200, body);
  is_int(r.e.severity, HK_SEV_HIGH, "url: 9 engines -> high");
  is_str(ti_text(&r.e, "final_url"),
         "http://bad.example.com/login.php?session=1", "url: final URL");
  free(body);

  r = ti_parse("ipv4", "1.2.3.4", 200,
               "{\"data\":{\"id\":\"1.2.3.4\",\"type\":\"ip_address\","
               "\"attributes\":{\"asn\":64500}}}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK &&
         r.e.severity == HK_SEV_INFORMATION,
     "no analysis stats: OK, information");
  is_str(r.e.summary, "no analysis results", "  says so");
  is_str(ti_text(&r.e, "positives"), "~", "  positives null");
  is_str(ti_text(&r.e, "total"), "~", "  total null");
}

static void
test_parse_errors(void)
{
  ti_result r =
      ti_parse("ipv4", "1.2.3.6", 404,
               "{\"error\":{\"code\":\"NotFoundError\",\"message\":\"Resource "
               "\\\"1.2.3.6\\\" not found\"}}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_NO_DATA &&
         r.e.severity == HK_SEV_INFORMATION,
     "404: NO_DATA, information");
  is_str(r.e.summary, "Not found.", "404: MSTICPy's wording");
  is_str(r.e.reference, "https://www.virustotal.com/gui/ip-address/1.2.3.6",
         "404: GUI link still given");
  ok(r.e.fields == NULL, "404: no fields");
  r = ti_parse("url", "http://a.io/p?q=1", 404, "");
  is_str(r.e.reference,
         "https://www.virustotal.com/gui/search/http%3A%2F%2Fa.io%2Fp%3Fq%3D1",
         "404 url: GUI search link");

  r = ti_parse("ipv4", "1.2.3.4", 401,
               "{\"error\":{\"code\":\"WrongCredentialsError\","
               "\"message\":\"Wrong API key\"}}");
  is_int(r.rc, HK_E_AUTH, "401: HK_E_AUTH");
  is_str(r.err.msg,
         "virustotal: the service refused the API key (HTTP 401, "
         "WrongCredentialsError: Wrong API key); check api_key in the "
         "instance's conf.d file",
         "401: message");
  ok(!(r.err.flags & HK_EF_RETRYABLE), "401: not retryable");
  ok(r.err.flags & HK_EF_USER, "401: the operator must act");
  r = ti_parse("ipv4", "1.2.3.4", 403,
               "{\"error\":{\"code\":\"ForbiddenError\",\"message\":\"key "
               "test-key-0123456789 is not allowed\"}}");
  is_int(r.rc, HK_E_AUTH, "403: HK_E_AUTH");
  is_str(r.err.msg,
         "virustotal: the service refused the API key (HTTP 403); check "
         "api_key in the instance's conf.d file",
         "403: a service message that repeats the key is left out");
  r = ti_parse("ipv4", "1.2.3.4", 429,
               "{\"error\":{\"code\":\"QuotaExceededError\",\"message\":"
               "\"Quota exceeded\"}}");
  is_int(r.rc, HK_E_RATELIMIT, "429: HK_E_RATELIMIT");
  ok(r.err.flags & HK_EF_RETRYABLE, "429: retryable");
  is_str(r.err.msg,
         "virustotal: request rate or quota exceeded (HTTP 429, "
         "QuotaExceededError: Quota exceeded); try again later or lower the "
         "instance's rate (a public API key allows 4 lookups a minute, 500 a "
         "day)",
         "429: message");
  r = ti_parse("ipv4", "1.2.3.4", 400,
               "{\"error\":{\"code\":\"InvalidArgumentError\",\"message\":"
               "\"Invalid IP address\"}}");
  ok(r.rc == HK_OK && r.e.status == HK_LK_BAD_FORMAT, "400: BAD_FORMAT");
  is_str(r.e.summary,
         "VirusTotal refused the value (HTTP 400, InvalidArgumentError: "
         "Invalid IP address)",
         "400: the service's reason");
  r = ti_parse("ipv4", "1.2.3.4", 503,
               "{\"error\":{\"code\":\"TransientError\",\"message\":\"try "
               "again\"}}");
  is_int(r.rc, HK_E_FAIL, "503: failed");
  ok(r.err.flags & HK_EF_RETRYABLE, "503: retryable");
  is_str(r.err.msg,
         "virustotal: unexpected reply HTTP 503, TransientError: try again "
         "(expected 200, or 404 for an unknown object)",
         "503: message");
  r = ti_parse("ipv4", "1.2.3.4", 500, "<html>Internal Server Error</html>");
  is_str(r.err.msg,
         "virustotal: unexpected reply HTTP 500 (expected 200, or 404 for an "
         "unknown object)",
         "500 with HTML: message");
  r = ti_parse("ipv4", "1.2.3.4", 302, "");
  ok(r.rc == HK_E_FAIL && !(r.err.flags & HK_EF_RETRYABLE),
     "302: failed, not retryable");
  ok(r.e.status == HK_LK_QUERY_FAILED, "failed lookups say QUERY_FAILED");

  char *body = ti_body("virustotal.json", "ip_addresses", "1.2.3.4");
  size_t half = strlen(body) / 2;
  r = ti_parse_n("ipv4", "1.2.3.4", 200, body, half);
  is_int(r.rc, HK_E_FAIL, "truncated: failed");
  ok(r.err.flags & HK_EF_RETRYABLE, "truncated: retryable");
  char want[300];
  snprintf(want, sizeof want,
           "virustotal: the reply is truncated: its JSON ends after %zu "
           "bytes; expected a VirusTotal v3 object {\"data\": "
           "{\"attributes\": ...}}",
           half);
  is_str(r.err.msg, want, "truncated: message");
  free(body);
  r = ti_parse("ipv4", "1.2.3.4", 200,
               "{\"data\": {\"id\": \"x\", \"attributes\": "
               "{\"last_analysis_stats\": {\"malicious\": 3,, }}}}");
  is_int(r.rc, HK_E_FAIL, "malformed: failed");
  like(r.err.msg, "virustotal: the reply is not valid JSON (",
       "malformed: message");
  like(r.err.msg, "at byte offset 75); expected a VirusTotal v3 object",
       "malformed: where and what was expected");
  r = ti_parse("ipv4", "1.2.3.4", 200, "<html><body>Sign in</body></html>");
  like(r.err.msg, "the reply is not valid JSON", "HTML: not JSON");
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"data\": {}} trailing");
  like(r.err.msg, "unexpected data at byte offset 13 after the JSON value",
       "trailing data refused");
  r = ti_parse("ipv4", "1.2.3.4", 200, "null");
  is_str(r.err.msg,
         "virustotal: the reply is JSON null; expected a VirusTotal v3 object "
         "{\"data\": {\"attributes\": ...}}",
         "JSON null: message");
  r = ti_parse("ipv4", "1.2.3.4", 200, "404");
  is_str(r.err.msg,
         "virustotal: the reply has no data.attributes object; expected a "
         "VirusTotal v3 object {\"data\": {\"attributes\": ...}}",
         "a bare number is JSON, of the wrong shape");
  r = ti_parse("ipv4", "1.2.3.4", 200, "{\"data\": {\"id\": \"1.2.3.4");
  ok(r.rc == HK_E_FAIL && (r.err.flags & HK_EF_RETRYABLE),
     "cut inside a string: truncated");
  like(r.err.msg, "the reply is truncated: its JSON ends after 24 bytes",
       "  message");
  r = ti_parse("ipv4", "1.2.3.4", 200, "");
  is_str(r.err.msg,
         "virustotal: the reply is empty; expected a VirusTotal v3 object "
         "{\"data\": {\"attributes\": ...}}",
         "empty: message");
  r = ti_parse("ipv4", "1.2.3.4", 200, "[\"unexpected\", \"array\"]");
  is_str(r.err.msg,
         "virustotal: the reply has no data.attributes object; expected a "
         "VirusTotal v3 object {\"data\": {\"attributes\": ...}}",
         "wrong shape: message");
}

static void
test_lookup(void)
{
  char *body = ti_body("virustotal.json", "domains", "www.example.com");
  ti_next.rc = HK_OK;
  ti_next.status = 200;
  ti_next.body = body;
  ti_next.len = strlen(body);
  int calls = ti_seen.calls;
  ti_result r = ti_lookup("dns", "www.example.com");
  ok(r.rc == HK_OK && r.e.status == HK_LK_OK, "lookup: OK");
  is_int(ti_seen.calls, calls + 1, "lookup: one fetch");
  is_str(ti_seen.url, BASE "/domains/www.example.com", "lookup: URL");
  is_str(ti_seen.method, "GET", "lookup: GET");
  is_str(ti_seen.headers[0], "x-apikey: " KEY, "lookup: auth header");
  is_str(ti_text(&r.e, "categories"),
         "information technology, computersandsoftware", "lookup: fields");

  r = ti_lookup("ipv4", "192.168.1.1");
  ok(r.rc == HK_OK && r.e.status == HK_LK_BAD_FORMAT, "lookup: BAD_FORMAT");
  is_int(ti_seen.calls, calls + 1, "lookup: no fetch for a bad value");

  ti_next.rc = HK_E_NETWORK;
  r = ti_lookup("dns", "www.example.com");
  is_int(r.rc, HK_E_NETWORK, "lookup: transport failure passed on");
  is_str(r.err.msg, "virustotal: could not connect to 127.0.0.1",
         "lookup: transport message prefixed");

  ti_host.http_fetch = NULL;
  r = ti_lookup("dns", "www.example.com");
  is_int(r.rc, HK_E_NOTSUP, "no http_fetch: NOTSUP");
  is_str(r.err.msg,
         "virustotal: this huntkit has no HTTP service (hk_host.http_fetch "
         "is missing: built without libcurl?); VirusTotal lookups need it",
         "no http_fetch: message");
  ti_host.http_fetch = ti_fake_fetch;
  uint32_t size = ti_host.struct_size;
  ti_host.struct_size = (uint32_t)offsetof(hk_host, http_fetch);
  r = ti_lookup("dns", "www.example.com");
  is_int(r.rc, HK_E_NOTSUP, "ABI 1.0 host (no http_fetch member): NOTSUP");
  ti_host.struct_size = size;
  ti_next.rc = HK_OK;
  free(body);
}

int
main(void)
{
  hk_error err;
  plan_lazy();
  test_descriptor();
  test_config();
  hk_error_clear(&err);
  if (!ok(ti_open(virustotal_LTX_hk_plugin_entry,
                  "api_key=" KEY ";base_url=" BASE "/", &err) == HK_OK,
          "instance created (base_url with a trailing slash)"))
    diag("%s", err.msg);
  test_prepare();
  test_parse_ok();
  test_parse_errors();
  test_lookup();
  ti_close();
  return done_testing();
}
