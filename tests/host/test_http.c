/*
 * tests/host/test_http.c -- the parts of the HTTP service that need no
 * server: the host-owned conf.d keys (values and file:line:key errors),
 * Retry-After parsing, host names in messages, the token bucket, and the
 * bulk engine over enrichers without prepare/parse.  Requests against a
 * real server are in tests/cli/test_cli_ti_http.sh.
 */
#include "config.h"

#include "../../host/http.h"
#include "../tap.h"
#include "util.h"

#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

extern char **environ;

/* ------------------------------------------------------- a static plugin */

static int lookups;

static const hk_field_desc kind_fields[] = {{"kind", HK_COL_UTF8, "what it is"},
                                            {NULL, 0, NULL}};

static int
kind_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
            hk_enrichment *out, hk_error *err)
{
  static hk_value v[1];
  (void)state, (void)options;
  lookups++;
  if (ioc->len == 7 && memcmp(ioc->value, "1.1.1.1", 7) == 0)
    return hk_error_set(err, HK_E_AUTH, "kindfix: no key for %s", ioc->value);
  memset(v, 0, sizeof v);
  v[0].is_set = 1;
  v[0].str = ioc->type;
  v[0].str_len = strlen(ioc->type);
  out->status = HK_LK_OK;
  out->severity = HK_SEV_LOW;
  out->summary = "a thing";
  out->fields = v;
  return HK_OK;
}

static const char *const kind_types[] = {"ipv4", "dns", NULL};
static const hk_enricher_vt kind_vt = {.struct_size = sizeof(hk_enricher_vt),
                                       .fields = kind_fields,
                                       .lookup = kind_lookup};
static const hk_plugin_desc kind_desc = {.struct_size = sizeof(hk_plugin_desc),
                                         .abi_major = HK_ABI_MAJOR,
                                         .abi_minor = HK_ABI_MINOR,
                                         .name = "kindfix",
                                         .version = "1",
                                         .kind = HK_KIND_ENRICHER,
                                         .summary = "test",
                                         .entity_types = kind_types,
                                         .vtable = &kind_vt};
static const hk_plugin_desc *const kind_descs[] = {&kind_desc, NULL};

static const hk_plugin_desc *const *
kind_entry(const hk_host *host, hk_error *err)
{
  (void)host, (void)err;
  return kind_descs;
}

/* ------------------------------------------------------------ conf keys */

static void
test_conf_values(void)
{
  hk_http_conf c;
  hk_error e;
  hk_http_conf_init(&c);
  is_int(c.timeout_ms, 30000, "default timeout 30 s");
  is_int(c.connect_timeout_ms, 10000, "default connect_timeout 10 s");
  is_int(c.retries, 3, "default retries 3");
  is_int(c.concurrency, 20, "default concurrency 20");
  is_int(c.cache_ttl_s, 86400, "default cache_ttl 1 day");
  ok(c.rate == 0 && c.quota == 0 && c.burst == 1, "no rate, no quota, burst 1");

  hk_error_clear(&e);
  is_int(hk_http_conf_set(&c, "rate", "4/min", &e), HK_OK, "rate 4/min");
  ok(fabs(c.rate - 4.0 / 60) < 1e-12, "4/min is 0.0667/s");
  is_str(c.rate_text, "4/min", "rate text kept for messages");
  is_int(hk_http_conf_set(&c, "rate", "100/s", &e), HK_OK, "rate 100/s");
  ok(c.rate == 100, "100/s");
  is_int(hk_http_conf_set(&c, "rate", "0.5 / second", &e), HK_OK,
         "rate 0.5 / second");
  ok(c.rate == 0.5, "0.5/s");
  is_int(hk_http_conf_set(&c, "rate", "none", &e), HK_OK, "rate none");
  ok(c.rate == 0, "none: no limit");
  is_int(hk_http_conf_set(&c, "quota", "500/day", &e), HK_OK, "quota");
  is_int(c.quota, 500, "500 a day");
  is_int(hk_http_conf_set(&c, "timeout", "2m", &e), HK_OK, "timeout 2m");
  is_int(c.timeout_ms, 120000, "2m = 120000 ms");
  is_int(hk_http_conf_set(&c, "cache_ttl", "7d", &e), HK_OK, "cache_ttl");
  is_int(c.cache_ttl_s, 7 * 86400, "7d");
  is_int(hk_http_conf_set(&c, "cache_ttl", "0", &e), HK_OK, "cache_ttl 0");
  is_int(c.cache_ttl_s, 0, "0: no caching");
  is_int(hk_http_conf_set(&c, "proxy", "http://proxy.example:3128", &e), HK_OK,
         "proxy");
  is_str(c.proxy, "http://proxy.example:3128", "proxy kept");
  is_int(hk_http_conf_set(&c, "proxy", "none", &e), HK_OK, "proxy none");
  is_str(c.proxy, "", "none: no proxy, not even the environment's");

  struct {
    const char *key, *value, *msg;
  } bad[] = {
      {"rate", "fast",
       "must be requests per period, e.g. 4/min, 100/s or none, got 'fast'"},
      {"rate", "10/fortnight",
       "must be requests per period, e.g. 4/min, 100/s or none, got "
       "'10/fortnight'"},
      {"rate", "-1/s",
       "must be requests per period, e.g. 4/min, 100/s or none, got '-1/s'"},
      {"quota", "500/h",
       "must be whole requests per day, e.g. 500/day, or none, got '500/h'"},
      {"quota", "1.5/day",
       "must be whole requests per day, e.g. 500/day, or none, got "
       "'1.5/day'"},
      {"timeout", "30",
       "must be a duration with a unit, e.g. 500ms, 30s or 2m, got '30'"},
      {"connect_timeout", "0s",
       "must be a duration with a unit, e.g. 500ms, 30s or 2m, got '0s'"},
      {"retries", "21", "must be a whole number from 0 to 20, got '21'"},
      {"burst", "0",
       "must be a whole number of requests from 1 to 100000, got '0'"},
      {"concurrency", "many",
       "must be a whole number of requests in flight from 1 to 1000, got "
       "'many'"},
      {"proxy", "proxy.example",
       "must be a proxy URL such as http://proxy.example:3128 or none, got "
       "'proxy.example'"},
      {"cache_ttl", "forever",
       "must be a duration with a unit, e.g. 12h or 7d (0: do not cache), "
       "got 'forever'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    hk_error_clear(&e);
    is_int(hk_http_conf_set(&c, bad[i].key, bad[i].value, &e), HK_E_CONFIG,
           "%s: %s refused", bad[i].key, bad[i].value);
    is_str(e.msg, bad[i].msg, "%s: %s message", bad[i].key, bad[i].value);
  }
  is_int(hk_http_conf_set(&c, "colour", "red", &e), HK_E_NOTFOUND,
         "not a host-owned key");
  hk_http_conf_clear(&c);
}

/* A config directory with one conf.d file. */
static char *
config_with(const char *name, const char *yaml)
{
  char *dir = tmpdir_new();
  mkdir(pathf("%s/conf.d", dir), 0755);
  write_file(pathf("%s/conf.d/%s", dir, name), yaml);
  return dir;
}

static void
test_settings_keys(void)
{
  hk_settings s;
  hk_error e;
  char *dir = config_with("k.yaml", "plugin: kindfix\n"
                                    "instance: k1\n"
                                    "rate: 5/s\n"
                                    "burst: 2\n"
                                    "quota: 100/day\n"
                                    "timeout: 2s\n"
                                    "connect_timeout: 500ms\n"
                                    "retries: 1\n"
                                    "backoff: 50ms\n"
                                    "cache_ttl: 12h\n"
                                    "concurrency: 4\n"
                                    "proxy: none\n"
                                    "config: {}\n");
  hk_error_clear(&e);
  is_int(hk_settings_load(dir, &s, &e), HK_OK, "conf.d file with host keys");
  is_int(s.n_instances, 1, "one instance");
  is_int(s.instances[0].n_items, 0, "host keys are not plugin config");

  hk_registry *r = hk_registry_new(&s);
  is_int(hk_registry_add_static(r, "kindfix", kind_entry, &e), HK_OK,
         "static kindfix");
  hk_instance *inst = hk_registry_instance(r, "kindfix:k1", &e);
  ok(inst != NULL, "instance k1");
  hk_svc *svc = hk_svc_of(inst);
  ok(svc != NULL, "its service state");
  if (svc) {
    ok(svc->conf.rate == 5 && svc->conf.burst == 2, "rate and burst applied");
    is_int(svc->conf.quota, 100, "quota applied");
    is_int(svc->conf.timeout_ms, 2000, "timeout applied");
    is_int(svc->conf.connect_timeout_ms, 500, "connect_timeout applied");
    is_int(svc->conf.retries, 1, "retries applied");
    is_int(svc->conf.backoff_ms, 50, "backoff applied");
    is_int(svc->conf.cache_ttl_s, 12 * 3600, "cache_ttl applied");
    is_int(svc->conf.concurrency, 4, "concurrency applied");
    is_str(svc->conf.proxy, "", "proxy applied");
    ok(hk_svc_of(inst) == svc, "one state per instance");
  }
  ok(hk_registry_instance(r, "kindfix", &e) == inst,
     "the plugin's only configured instance is the plugin's name too");
  hk_registry_free(r);
  hk_settings_free(&s);
  rm_rf(dir);
  free(dir);

  struct {
    const char *yaml, *msg;
  } bad[] = {
      {"plugin: kindfix\nrate: fast\n",
       "conf.d/b.yaml:2: key 'rate' must be requests per period, e.g. 4/min, "
       "100/s or none, got 'fast'"},
      {"plugin: kindfix\n\nquota: [1, 2]\n",
       "conf.d/b.yaml:3: key 'quota' must be a single value, not a list or "
       "mapping"},
      {"plugin: kindfix\ntimeout: 30\n",
       "conf.d/b.yaml:2: key 'timeout' must be a duration with a unit, e.g. "
       "500ms, 30s or 2m, got '30'"},
      {"plugin: kindfix\nretry: 3\n",
       "conf.d/b.yaml:2: unknown key 'retry' (known keys: plugin, instance, "
       "enabled, config)"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    dir = config_with("b.yaml", bad[i].yaml);
    hk_error_clear(&e);
    is_int(hk_settings_load(dir, &s, &e), HK_E_CONFIG, "bad file %zu", i);
    const char *at = strstr(e.msg, "conf.d/");
    is_str(at, bad[i].msg, "file:line:key message %zu", i);
    rm_rf(dir);
    free(dir);
  }
}

/* ----------------------------------------------------------- retry-after */

static void
test_retry_after(void)
{
  /* 1445412480 = Wed, 21 Oct 2015 07:28:00 GMT */
  int64_t t = 1445412480;
  is_int(hk_http_parse_retry_after("5", t), 5000, "delta seconds");
  is_int(hk_http_parse_retry_after(" 7 \r\n", t), 7000, "with blanks");
  is_int(hk_http_parse_retry_after("0", t), 0, "zero");
  is_int(hk_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", t - 10),
         10000, "HTTP-date 10 s ahead");
  is_int(hk_http_parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", t + 60), 0,
         "HTTP-date in the past: now");
  is_int(hk_http_parse_retry_after("Wednesday, 21-Oct-15 07:28:30 GMT", t),
         30000, "RFC 850 date");
  is_int(hk_http_parse_retry_after("soon", t), -1, "not a value");
  is_int(hk_http_parse_retry_after("", t), -1, "empty");
  is_int(hk_http_parse_retry_after("-3", t), -1, "negative");
}

static void
test_url_host(void)
{
  char h[256];
  hk_http_url_host("https://api.example.test/v3/x?key=SECRET", h, sizeof h);
  is_str(h, "api.example.test", "host only, no path or query");
  hk_http_url_host("http://127.0.0.1:8080/a?b=c", h, sizeof h);
  is_str(h, "127.0.0.1:8080", "host and port");
  hk_http_url_host("http://user:pw@[::1]:9/x", h, sizeof h);
  is_str(h, "[::1]:9", "IPv6 host, no credentials");
  hk_http_url_host("not a url", h, sizeof h);
  is_str(h, "", "no host");
}

/* ---------------------------------------------------------- token bucket */

static void
set_rate(hk_svc *svc, const char *rate, int burst)
{
  hk_error e;
  pthread_mutex_lock(&svc->lock);
  hk_http_conf_set(&svc->conf, "rate", rate, &e);
  svc->conf.burst = burst;
  svc->tat_us = 0;
  svc->paused_until_us = 0;
  pthread_mutex_unlock(&svc->lock);
}

/* Most of `sent` (sorted) in any closed window of `width`. */
static int
worst_window(const int64_t *sent, int n, int64_t width)
{
  int worst = 0;
  for (int i = 0; i < n; i++) {
    int in = 0;
    for (int k = i; k < n && sent[k] <= sent[i] + width; k++)
      in++;
    if (in > worst)
      worst = in;
  }
  return worst;
}

static void
test_token_bucket(hk_svc *svc)
{
  /* 5/s: interval (1 s + jitter 20 ms + slack 20 ms) / 5 = 208 ms; a
   * request may go up to the slack (20 ms) early */
  set_rate(svc, "5/s", 1);
  int64_t t0 = 1000000000;
  is_int(hk_svc_take_token(svc, t0), 0, "first request goes at once");
  is_int(hk_svc_take_token(svc, t0), 188000, "second waits 208 - 20 ms");
  is_int(hk_svc_take_token(svc, t0 + 94000), 94000, "half way: the rest");
  is_int(hk_svc_take_token(svc, t0 + 188000), 0, "then it goes");
  is_int(hk_svc_take_token(svc, t0 + 188000), 208000,
         "the next one is an interval after the previous one's slot");
  is_int(hk_svc_take_token(svc, t0 + 10 * 1000000), 0,
         "after a pause one may go (burst 1)...");
  is_int(hk_svc_take_token(svc, t0 + 10 * 1000000), 188000, "...not two");

  set_rate(svc, "5/s", 3);
  int64_t t1 = 2000000000;
  is_int(hk_svc_take_token(svc, t1), 0, "burst 3: one");
  is_int(hk_svc_take_token(svc, t1), 0, "two");
  is_int(hk_svc_take_token(svc, t1), 0, "three back to back");
  is_int(hk_svc_take_token(svc, t1), 188000, "the fourth waits");

  /* A client asking as fast as it may for 30 s, and one whose loop wakes
   * 4 ms late every time: neither ever has more than `rate` in a window
   * of the period, and lateness within the slack costs no throughput. */
  static int64_t sent[2000];
  for (int late = 0; late <= 4000; late += 4000) {
    set_rate(svc, "5/s", 1);
    int64_t now = 3000000000;
    int n = 0;
    while (n < 150) {
      int64_t w = hk_svc_take_token(svc, now);
      if (w == 0)
        sent[n++] = now;
      else
        now += w + late;
    }
    is_int(worst_window(sent, n, 1000000), 5,
           "5/s, wake-ups %d ms late: never more than 5 in any closed 1-s "
           "window",
           late / 1000);
    set_rate(svc, "100/s", 1);
    n = 0;
    while (n < 2000) {
      int64_t w = hk_svc_take_token(svc, now);
      if (w == 0)
        sent[n++] = now;
      else
        now += w + late;
    }
    /* on time: one request goes the slack early, so 99 fit; late: 98 */
    is_int(worst_window(sent, n, 1000000), late ? 98 : 99,
           "100/s, %d ms late: never more than 100 in a 1-s window (the "
           "margin for jitter)",
           late / 1000);
    /* 1999 intervals of (1 s + 20 ms + 5 ms) / 100 = 10.25 ms, less the
     * second request's slack (5 ms), plus the lateness of the last one */
    int64_t span = sent[n - 1] - sent[0];
    ok(span >= 1999 * 10250 - 5000 && span <= 1999 * 10250,
       "100/s, %d ms late: 97.6 a second (the jitter margin), nothing lost "
       "(%lld us)",
       late / 1000, (long long)span);
  }
  set_rate(svc, "4/min", 1);
  int64_t t2 = 4000000000;
  is_int(hk_svc_take_token(svc, t2), 0, "4/min: one");
  is_int(hk_svc_take_token(svc, t2), 15080000 - 20000,
         "then (60 s * 1.005 + 20 ms) / 4 = 15.08 s, less the slack");

  int64_t now = t2;
  hk_svc_pause(svc, now + 5000000);
  is_int(hk_svc_take_token(svc, now), 5000000, "a pause holds every request");
  set_rate(svc, "none", 1);
  pthread_mutex_lock(&svc->lock);
  svc->paused_until_us = 0;
  pthread_mutex_unlock(&svc->lock);
  is_int(hk_svc_take_token(svc, now), 0, "no rate: no wait");
}

/* ---------------------------------------------------------------- engine */

static void
test_engine_sync(hk_instance *inst)
{
  hk_lookup items[5];
  memset(items, 0, sizeof items);
  const char *vals[] = {"10.1.2.3", "example.com", "1.1.1.1",
                        "d41d8cd98f00b204e9800998ecf8427e", "10.9.9.9"};
  const char *types[] = {"ipv4", "dns", "ipv4", "md5_hash", "ipv4"};
  for (int i = 0; i < 5; i++) {
    items[i].inst = inst;
    items[i].value = vals[i];
    items[i].len = strlen(vals[i]);
    items[i].type = types[i];
  }
  hk_error e;
  hk_error_clear(&e);
  lookups = 0;
  is_int(hk_lookup_run(items, 5, NULL, &e), HK_OK, "engine over lookup()");
  is_int(lookups, 4, "four lookups: md5 is not taken");
  ok(items[0].done && items[0].status == HK_LK_OK &&
         items[0].severity == HK_SEV_LOW,
     "ok, low");
  is_str(items[0].summary, "a thing", "summary copied");
  ok(items[0].fields && items[0].n_fields == 1 && items[0].fields[0].is_set,
     "one field");
  is_str(items[1].fields ? items[1].fields[0].str : NULL, "dns",
         "field string copied");
  is_int(items[2].status, HK_LK_QUERY_FAILED, "a failed lookup...");
  is_int(items[2].rc, HK_E_AUTH, "...keeps its code");
  is_str(items[2].summary, "kindfix: no key for 1.1.1.1", "...and its message");
  is_int(items[3].status, HK_LK_NOT_SUPPORTED, "type not accepted");
  is_str(items[3].summary, "type md5_hash not supported", "says which");
  ok(items[4].done && items[4].status == HK_LK_OK,
     "the lookups after a failure go on");
  for (int i = 0; i < 5; i++)
    hk_lookup_clear(&items[i]);
  is_str(hk_lookup_status_name(HK_LK_QUERY_FAILED), "query_failed",
         "status names");
  is_str(hk_severity_name(HK_SEV_MEDIUM), "medium", "severity names");
  is_str(hk_severity_name(HK_SEV_UNKNOWN), "unknown", "unknown severity");
}

/* ------------------------------------------------------------ http_fetch */

static void
test_fetch_refused(hk_instance *inst)
{
  const hk_host *host = hk_services();
  if (!HK_HAS(host, http_fetch)) {
    ok(1, "# SKIP no HTTP service in this build");
    return;
  }
  hk_svc *svc = hk_svc_of(inst);
  pthread_mutex_lock(&svc->lock);
  svc->conf.retries = 2;
  svc->conf.backoff_ms = 10;
  svc->conf.rate = 0;
  pthread_mutex_unlock(&svc->lock);
  /* A port nothing listens on (a socket bound but never listening). */
  hk_http_request req = {.struct_size = sizeof req,
                         .url = "http://127.0.0.1:1/x?key=TOPSECRET42"};
  hk_http_response resp = {.struct_size = sizeof resp};
  hk_error e;
  hk_error_clear(&e);
  int rc = host->http_fetch(inst, &req, &resp, &e);
  is_int(rc, HK_E_NETWORK, "connection refused: HK_E_NETWORK");
  ok(e.flags & HK_EF_RETRYABLE, "retryable");
  is_str(e.msg, "127.0.0.1:1: Couldn't connect to server (after 3 attempts)",
         "names the host and the attempts (1 + retries 2)");
  ok(!strstr(e.msg, "TOPSECRET42") && !strstr(e.msg, "/x"),
     "never the path or query");

  hk_http_request ftp = {.struct_size = sizeof ftp, .url = "ftp://x/y"};
  hk_error_clear(&e);
  is_int(host->http_fetch(inst, &ftp, &resp, &e), HK_E_INVAL,
         "only http and https");
  is_str(e.msg, "kindfix:k1: a request URL must start with http:// or https://",
         "says so");
  hk_error_clear(&e);
  is_int(host->http_fetch(NULL, &req, &resp, &e), HK_E_INVAL,
         "an invalid instance handle is refused");
  like(e.msg, "invalid instance handle", "as a plugin bug");
}

/* ------------------------------------------------ against a test server */

static pid_t server_pid;
static char server_base[64];

/* Start tests/servers/httpd_script.py with `script`; 0 when it runs. */
static int
start_server(const char *dir, const char *script)
{
  const char *py = getenv("PYTHON3"), *src = getenv("HK_SRCDIR");
  if (!py || !*py || !src)
    return -1;
  write_file(pathf("%s/script.json", dir), script);
  char server[4096], sfile[4096], log[4096], port[4096];
  snprintf(server, sizeof server, "%s/tests/servers/httpd_script.py", src);
  snprintf(sfile, sizeof sfile, "%s/script.json", dir);
  snprintf(log, sizeof log, "%s/log", dir);
  snprintf(port, sizeof port, "%s/port", dir);
  char *argv[] = {(char *)py, server,        "--script", sfile, "--log",
                  log,        "--port-file", port,       NULL};
  if (posix_spawn(&server_pid, py, NULL, NULL, argv, environ) != 0)
    return -1;
  for (int i = 0; i < 200; i++) {
    FILE *f = fopen(port, "r");
    int p = 0;
    if (f) {
      if (fscanf(f, "%d", &p) != 1)
        p = 0;
      fclose(f);
    }
    if (p > 0) {
      snprintf(server_base, sizeof server_base, "http://127.0.0.1:%d", p);
      return 0;
    }
    usleep(50000);
  }
  return -1;
}

static void
stop_server(void)
{
  if (server_pid > 0) {
    kill(server_pid, SIGTERM);
    waitpid(server_pid, NULL, 0);
    server_pid = 0;
  }
}

static char *
slurp(const char *path)
{
  FILE *f = fopen(path, "r");
  if (!f)
    return NULL;
  char *buf = calloc(1, 1 << 16);
  if (buf && fread(buf, 1, (1 << 16) - 1, f) == 0)
    buf[0] = '\0';
  fclose(f);
  return buf;
}

static void
test_with_server(hk_instance *inst)
{
  const hk_host *host = hk_services();
  if (!HK_HAS(host, http_fetch)) {
    ok(1, "# SKIP no HTTP service in this build");
    return;
  }
  char *dir = tmpdir_new();
  if (start_server(dir,
                   "{\"default\": {\"status\": 404, \"body\": \"none\"},"
                   " \"routes\": ["
                   "  {\"path\": \"/file\", \"replies\": [{\"status\": 200,"
                   "   \"body\": \"line one\\nline two\\n\","
                   "   \"headers\": {\"Content-Type\": \"text/plain\"}}]},"
                   "  {\"path\": \"/echo\", \"replies\": [{\"status\": 201,"
                   "   \"body\": \"{\\\"ok\\\": true}\"}]}]}") != 0) {
    ok(1, "# SKIP python3 or the test server is not available");
    rm_rf(dir);
    free(dir);
    return;
  }
  hk_svc *svc = hk_svc_of(inst);
  pthread_mutex_lock(&svc->lock);
  svc->conf.retries = 0;
  pthread_mutex_unlock(&svc->lock);
  char url[256], dl[4096];
  hk_http_response resp = {.struct_size = sizeof resp};
  hk_error e;

  /* a download into a file */
  snprintf(url, sizeof url, "%s/file", server_base);
  snprintf(dl, sizeof dl, "%s/list.txt", dir);
  hk_http_request req = {
      .struct_size = sizeof req, .url = url, .download_path = dl};
  hk_error_clear(&e);
  is_int(host->http_fetch(inst, &req, &resp, &e), HK_OK, "download");
  is_int(resp.status, 200, "status 200");
  is_int(resp.body_len, 0, "the body went to the file...");
  char *got = slurp(dl);
  is_str(got, "line one\nline two\n", "...all of it");
  free(got);
  ok(access(pathf("%s.part", dl), F_OK) != 0, "no .part file left");
  is_str(resp.content_type, "text/plain", "Content-Type reported");
  is_int(resp.attempts, 1, "one attempt");
  is_int(resp.from_cache, 0, "not from the cache");

  /* a failed download leaves neither the file nor the .part */
  snprintf(url, sizeof url, "%s/missing", server_base);
  snprintf(dl, sizeof dl, "%s/missing.txt", dir);
  hk_error_clear(&e);
  is_int(host->http_fetch(inst, &req, &resp, &e), HK_OK,
         "a 404 download is a reply");
  is_int(resp.status, 404, "status 404");
  ok(access(dl, F_OK) != 0 && access(pathf("%s.part", dl), F_OK) != 0,
     "no file and no .part after a 404");

  /* POST with a body and headers; the key header becomes a secret */
  snprintf(url, sizeof url, "%s/echo", server_base);
  const char *headers[] = {"X-Api-Key: Zq9-secret-Key",
                           "Accept: application/json",
                           "Content-Type: application/json", NULL};
  hk_http_request post = {.struct_size = sizeof post,
                          .method = "POST",
                          .url = url,
                          .headers = headers,
                          .body = "{\"q\": 1}",
                          .body_len = 8};
  hk_error_clear(&e);
  is_int(host->http_fetch(inst, &post, &resp, &e), HK_OK, "POST");
  is_int(resp.status, 201, "status 201");
  is_str(resp.body, "{\"ok\": true}", "the reply body, NUL-terminated");
  is_int(resp.body_len, 12, "its length");
  char msg[128] = "key Zq9-secret-Key and type application/json";
  hk_log_redact(msg, sizeof msg);
  is_str(msg, "key *** and type application/json",
         "the key header's value is a secret; Accept's is not");

  /* HEAD */
  hk_http_request head = {
      .struct_size = sizeof head, .method = "HEAD", .url = url};
  is_int(host->http_fetch(inst, &head, &resp, &e), HK_OK, "HEAD");
  is_int(resp.body_len, 0, "no body");

  /* an older plugin's shorter request struct: the members it lacks are
   * zero (here: no download_path) */
  hk_http_request old = {.struct_size = offsetof(hk_http_request, timeout_ms),
                         .url = url,
                         .download_path = "/nonexistent/never"};
  is_int(host->http_fetch(inst, &old, &resp, &e), HK_OK,
         "a short request struct is accepted");
  is_int(resp.body_len, 12, "its tail is ignored (no download)");

  stop_server();
  char *log = slurp(pathf("%s/log", dir));
  like(log, "\"body\": \"{\\\"q\\\": 1}\"", "the server got the POST body");
  like(log, "\"x-api-key\": \"Zq9-secret-Key\"", "and the header");
  like(log, "\"method\": \"HEAD\"", "HEAD was a HEAD");
  free(log);
  rm_rf(dir);
  free(dir);
}

int
main(void)
{
  test_conf_values();
  test_settings_keys();
  test_retry_after();
  test_url_host();

  hk_settings s;
  hk_error e;
  char *dir = config_with("k.yaml", "plugin: kindfix\ninstance: k1\n");
  char *cache = tmpdir_new();
  write_file(pathf("%s/huntkit.yaml", dir), pathf("cache_dir: %s\n", cache));
  hk_error_clear(&e);
  if (hk_settings_load(dir, &s, &e) != HK_OK) {
    diag("%s", e.msg);
    return 99;
  }
  hk_registry *r = hk_registry_new(&s);
  hk_registry_add_static(r, "kindfix", kind_entry, &e);
  hk_instance *inst = hk_registry_instance(r, "kindfix:k1", &e);
  ok(inst != NULL, "instance for the service tests");
  if (inst) {
    test_token_bucket(hk_svc_of(inst));
    test_engine_sync(inst);
    test_fetch_refused(inst);
    test_with_server(inst);
  }
  hk_registry_free(r);
  hk_settings_free(&s);
  rm_rf(dir);
  rm_rf(cache);
  free(dir);
  free(cache);
  return done_testing();
}
