/*
 * plugins/ipstack/test_ipstack_unit.c -- white-box tests of the `ipstack`
 * enricher with a fake host (tests/plugin_test_host.h) whose http_fetch
 * (libcurl) talks to test_server.py on 127.0.0.1: the request prepare builds,
 * every reply shape parse meets (paid and free plan answers, nulls, API errors
 * 101, 102, 104, 105, 106, HTTP 401, 403, 429, 500, truncated and non-JSON
 * bodies), and prepare/parse interleaved as the host's bulk engine calls
 * them.  Expected values are the server's canned answers (ipstack's
 * documentation example for 134.201.250.155).
 */
#define HK_TEST_CLASSIFIERS /* host/ioc.c is compiled in */
#include "plugin_test_host.h"

const hk_plugin_desc *const *ipstack_LTX_hk_plugin_entry(const struct hk_host *,
                                                         hk_error *);

static const hk_plugin_desc *desc;
static const hk_enricher_vt *vt;
static char srcdir[1024];

static hk_enrichment last;
static hk_error last_err;

static const char *
fields_text(const hk_enrichment *e)
{
  static char text[2048];
  hk_buf b = HK_BUF_INIT;
  hk_buf_appendf(&b, "%d %d | %s |", e->status, e->severity,
                 e->summary ? e->summary : "~");
  for (int f = 0; e->fields && f < 12; f++) {
    const hk_value *v = &e->fields[f];
    if (!v->is_set)
      hk_buf_append_str(&b, " ~");
    else if (f == 5 || f == 6)
      hk_buf_appendf(&b, " %g", v->f64);
    else if (f == 8)
      hk_buf_appendf(&b, " %lld", (long long)v->i64);
    else
      hk_buf_appendf(&b, " [%.*s]", (int)v->str_len, v->str);
  }
  if (!e->fields)
    hk_buf_append_str(&b, " (no fields)");
  snprintf(text, sizeof text, "%s", b.data);
  hk_buf_free(&b);
  return text;
}

/* One lookup: the record as text, or "FAILED code flags: message". */
static const char *
look(th_instance *i, const char *value)
{
  static char text[2048];
  hk_ioc ioc = {sizeof ioc, value, strlen(value), "ipv4"};
  memset(&last, 0, sizeof last);
  last.struct_size = sizeof last;
  hk_error_clear(&last_err);
  int rc = vt->lookup(i->state, NULL, &ioc, &last, &last_err);
  if (rc != HK_OK) {
    snprintf(text, sizeof text, "FAILED %d %u: %s", rc, last_err.flags,
             last_err.msg);
    return text;
  }
  return fields_text(&last);
}

static void
test_prepare(void)
{
  th_instance i = th_open(desc, "api_key=k");
  th_host.http_fetch = NULL;
  th_close(&i);
  i = th_open(desc, "api_key=k");
  is_int(i.rc, HK_E_NOTSUP, "no HTTP service: refused");
  is_str(i.err.msg,
         "ipstack: this huntkit has no HTTP service (built without "
         "libcurl?); use geoip_maxmind for offline geolocation",
         "and it says what to use instead");
  th_close(&i);
  th_host.http_fetch = th_http_fetch;

  i = th_open(desc, "base_url=http://x");
  is_int(i.rc, HK_E_AUTH, "no key: refused");
  like(i.err.msg, "ipstack: no api_key: get a free access key",
       "no key message");
  th_close(&i);
  i = th_open(desc, "api_key=k;base_url=ftp://x");
  is_int(i.rc, HK_E_CONFIG, "base_url must be http(s)");
  th_close(&i);

  i = th_open(
      desc, "api_key=a b&c=d/;base_url=http://127.0.0.1:9/api/;language=pt-br");
  is_int(i.rc, HK_OK, "created");
  hk_http_request req;
  hk_enrichment e;
  hk_error err;
  memset(&req, 0, sizeof req);
  memset(&e, 0, sizeof e);
  req.struct_size = sizeof req;
  e.struct_size = sizeof e;
  hk_ioc ioc = {sizeof ioc, "::FFFF:134.201.250.155", 22, "ipv6"};
  is_int(vt->prepare(i.state, NULL, &ioc, &req, &e, &err), HK_OK, "prepare");
  is_str(req.url,
         "http://127.0.0.1:9/api/134.201.250.155?access_key=a%20b%26c%3Dd%2F"
         "&output=json&language=pt-br",
         "URL: canonical address, key and language escaped, trailing slash "
         "of base_url dropped");
  is_str(req.method, "GET", "GET");

  hk_ioc priv = {sizeof priv, "192.168.1.1", 11, "ipv4"};
  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  is_int(vt->prepare(i.state, NULL, &priv, &req, &e, &err), HK_OK,
         "prepare private");
  ok(req.url == NULL, "private address: no request");
  is_str(fields_text(&e),
         "4 0 | private address (not geolocated) | (no fields)",
         "answered NO_DATA at once");
  hk_ioc bad = {sizeof bad, "1.2.3.4.5", 9, "ipv4"};
  vt->prepare(i.state, NULL, &bad, &req, &e, &err);
  ok(req.url == NULL, "not an address: no request");
  is_str(fields_text(&e),
         "2 -1 | '1.2.3.4.5' is not an IPv4 or IPv6 address | (no fields)",
         "BAD_FORMAT");

  /* The host's bulk engine prepares many IoCs before it parses: parse
   * must describe its own IoC, not the last prepared one. */
  hk_ioc a = {sizeof a, "9.9.9.8", 7, "ipv4"};
  hk_ioc b2 = {sizeof b2, "8.8.4.4", 7, "ipv4"};
  vt->prepare(i.state, NULL, &a, &req, &e, &err);
  vt->prepare(i.state, NULL, &b2, &req, &e, &err);
  static const char body[] =
      "{\"ip\":\"9.9.9.8\",\"country_code\":null,\"latitude\":null}";
  hk_http_response resp = {sizeof resp,        200, 0, 1, body, sizeof body - 1,
                           "application/json", 0};
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  is_int(vt->parse(i.state, NULL, &a, &resp, &e, &err), HK_OK, "parse");
  is_str(fields_text(&e),
         "4 0 | ipstack has no location for 9.9.9.8 | "
         "(no fields)",
         "parse names its own address");
  is_str(e.reference, "http://127.0.0.1:9/api/9.9.9.8",
         "reference: the URL without the key");
  th_close(&i);
}

static void
test_server(const char *dir)
{
  char script[1200], log_path[1200], logged[4096] = "";
  snprintf(script, sizeof script, "%s/test_server.py", srcdir);
  snprintf(log_path, sizeof log_path, "%s/requests.log", dir);
  const char *args[] = {log_path, NULL};
  pid_t pid = 0;
  int port = th_start_server(script, args, &pid);
  if (!port) {
    ok(1, "# SKIP python3 not available for the loopback server");
    return;
  }
  th_instance i =
      th_open(desc, "api_key=good;base_url=http://127.0.0.1:%d", port);
  is_int(i.rc, HK_OK, "created");
  is_str(look(&i, "134.201.250.155"),
         "0 0 | US, Los Angeles; AS25876 Los Angeles Department of Water & "
         "Power | [US] [United States] [Los Angeles] [California] [90013] "
         "34.0655 -118.24 [America/Los_Angeles] 25876 [Los Angeles "
         "Department of Water & Power] [NA] [CA]",
         "paid-plan answer: every field");
  like(last.raw, "\"ip\": \"134.201.250.155\"", "raw is the reply");
  char want[200];
  snprintf(want, sizeof want, "http://127.0.0.1:%d/134.201.250.155", port);
  is_str(last.reference, want, "reference without the key");
  is_str(look(&i, "89.160.20.128"),
         "0 0 | SE, Linköping | [SE] [Sweden] [Linköping] [Östergötland] "
         "[582 22] 58.4167 15.6167 ~ ~ ~ [EU] [E]",
         "free-plan answer: no time zone or ASN; UTF-8 names");
  is_str(look(&i, "2a02:cf40:0::1"),
         "0 0 | NO | [NO] [Norway] ~ ~ ~ 62 10 ~ ~ ~ [EU] ~",
         "IPv6, sent canonical");
  is_str(look(&i, "9.9.9.8"),
         "4 0 | ipstack has no location for 9.9.9.8 | (no fields)",
         "all-null answer: NO_DATA");
  is_str(look(&i, "9.9.9.9"),
         "2 -1 | ipstack: '9.9.9.9' is not a valid address (106 "
         "invalid_ip_address) | (no fields)",
         "API error 106: BAD_FORMAT");
  is_str(look(&i, "9.9.9.1"), "FAILED -9 1: ipstack answered HTTP 500",
         "HTTP 500: network failure, retryable");
  like(look(&i, "9.9.9.2"),
       "FAILED -1 1: ipstack sent a reply that is not a JSON object "
       "(truncated; 120 bytes",
       "truncated JSON: failed, retryable");
  is_str(look(&i, "9.9.9.3"),
         "FAILED -1 1: ipstack sent a reply that is not a JSON object "
         "(unexpected character; 37 bytes, content type text/html)",
         "HTML page: failed");
  is_str(look(&i, "9.9.9.4"),
         "FAILED -7 1: ipstack answered HTTP 429: too many requests; lower "
         "the instance's rate",
         "HTTP 429: rate limited, retryable");
  is_str(look(&i, "9.9.9.6"),
         "FAILED -5 0: ipstack answered HTTP 401: check api_key and the plan",
         "HTTP 401: auth");
  like(look(&i, "9.9.9.7"), "FAILED -5 0: ipstack answered HTTP 403",
       "HTTP 403: auth");
  like(look(&i, "10.0.0.1"), "4 0 | private address (not geolocated)",
       "private: answered locally");
  th_close(&i);

  static const struct {
    const char *key, *want, *what;
  } errors[] = {
      {"k101",
       "FAILED -5 0: ipstack refused the access key (101 invalid_access_key: "
       "You have not supplied a valid API Access Key. [Technical Support: "
       "support@apilayer.com]); check api_key in conf.d/ipstack.yaml",
       "101: auth"},
      {"k102",
       "FAILED -5 0: ipstack refused the access key (102 inactive_user: The "
       "current user account is not active. User will be prompted to get in "
       "touch with Customer Support.); check api_key in conf.d/ipstack.yaml",
       "102: auth"},
      {"k104",
       "FAILED -7 0: ipstack: the plan's monthly request quota is used up "
       "(104 usage_limit_reached); lookups resume next month or with another "
       "plan",
       "104: quota, not retryable"},
      {"k105",
       "FAILED -5 0: ipstack: the plan does not allow HTTPS (105 "
       "https_access_restricted); set base_url: http://api.ipstack.com (the "
       "key then travels unencrypted) or upgrade the plan",
       "105 https: says how to go on"},
  };
  for (size_t k = 0; k < sizeof errors / sizeof errors[0]; k++) {
    i = th_open(desc, "api_key=%s;base_url=http://127.0.0.1:%d", errors[k].key,
                port);
    is_str(look(&i, "134.201.250.155"), errors[k].want, "%s", errors[k].what);
    ok(!strstr(last_err.msg, "access_key="),
       "%s: no URL with the key in the message", errors[k].what);
    th_close(&i);
  }

  FILE *f = fopen(log_path, "r");
  if (f) {
    size_t n = fread(logged, 1, sizeof logged - 1, f);
    logged[n] = '\0';
    fclose(f);
  }
  like(logged,
       "GET /134.201.250.155?access_key=<4 chars>&output=json&language=en\n"
       "GET /89.160.20.128?access_key=<4 chars>&output=json&language=en\n"
       "GET /2a02:cf40::1?access_key=<4 chars>&output=json&language=en\n",
       "the server saw the requests the plugin built");
  ok(!strstr(logged, "10.0.0.1"), "the private address was never sent");
  th_stop_server(&pid);
}

int
main(void)
{
  const char *src = getenv("HK_SRCDIR");
  hk_error err;
  snprintf(srcdir, sizeof srcdir, "%s/plugins/ipstack", src ? src : ".");
  const hk_plugin_desc *const *d = ipstack_LTX_hk_plugin_entry(&th_host, &err);
  desc = d[0];
  vt = desc->vtable;
  ok(desc->flags == (HK_PF_NETWORK | HK_PF_SECRETS),
     "network and secrets, not a TI source");
  ok(HK_HAS(vt, prepare) && HK_HAS(vt, parse), "prepare/parse pair");
  char dir[512];
  th_tempdir(dir, sizeof dir);
  test_prepare();
  test_server(dir);
  th_rm_rf(dir);
  th_host_cleanup();
  return done_testing();
}
