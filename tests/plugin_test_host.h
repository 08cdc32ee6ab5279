/*
 * tests/plugin_test_host.h -- a fake huntkit host for the white-box tests
 * of a plugin: the test program compiles the plugin's sources in, hands
 * `th_host` to the plugin's entry function and drives the descriptor's
 * vtable itself, so neither the host nor the CLI is needed.  Included once
 * per test program (everything here is static), as
 * "plugin_test_host.h" with -I$(top_srcdir)/tests in the test's CPPFLAGS.
 *
 * What it provides:
 *   th_host            the hk_host (not const: switch a service off by
 *                      setting its member to NULL, e.g.
 *                      `th_host.http_fetch = NULL`, and back).
 *   th_config(schema, "k=v;k=v") / th_config_free
 *                      an hk_config as the host would validate it: a key
 *                      that is not set reads as the schema's default (pass
 *                      desc->params for an instance, vt->options for a
 *                      run); list values split on ','; an unset list is
 *                      empty (schema defaults are not split into lists); a
 *                      value may not contain ';'.  HK_PT_DURATION values
 *                      take ms/s/m/h/d suffixes.
 *   th_log             the captured log, one "ERROR: |WARN: |INFO: msg\n"
 *                      line per message.
 *   th_log_level       the most verbose level log_enabled admits
 *                      (HK_LOG_INFO; HK_LOG_WARN keeps INFO lines out).
 *   th_now_us          the clock of now_us and monotonic_us.
 *   th_cancel_after    is_canceled answers 1 at its (N+1)th call, 0
 *                      otherwise; -1 (the default): never canceled.
 *   th_cache_dir_path  what cache_dir answers (NULL: no cache directory).
 *   th_http_calls      how often http_fetch was called.
 *   th_open(desc, "k=v;..." printf-style) / th_close
 *                      an instance of the plugin under test: th_log is
 *                      cleared, the config made with th_config from
 *                      desc->params and the vtable's create called; the
 *                      th_instance holds create's code and error.
 *   th_tempdir, th_write, th_rm_rf, th_age_file (mtime relative to
 *   th_now_us), th_start_server / th_stop_server (a python3 loopback
 *   server that prints its port as its first line), th_host_cleanup (frees
 *   what the fake host holds; call it before done_testing()).
 *
 * Switches, defined before the #include (or in CPPFLAGS):
 *   HK_TEST_CLASSIFIERS  ip_classify, ip_class_name and ioc_classify are
 *                        the host's own: host/ioc.c goes into the test's
 *                        SOURCES and PCRE2 is linked; hk_log_msg, its one
 *                        outside need, is defined here.  Without it those
 *                        members are NULL.
 *   HK_TEST_CURL         http_fetch over libcurl keeping host.h's contract
 *                        (a download_path reply goes to PATH.part, renamed
 *                        to PATH only after a complete 2xx reply), following
 *                        redirects; a failed transfer is HK_E_NETWORK (or
 *                        HK_E_TIMEOUT) "request to 127.0.0.1 failed: <what
 *                        libcurl says>".  Link $(CURL_LIBS).  Without it
 *                        http_fetch is NULL, as in a huntkit built without
 *                        libcurl, and the test needs no libcurl.
 *
 * A test:
 *
 *   #define HK_TEST_CLASSIFIERS
 *   #include "plugin_test_host.h"
 *   ...
 *   const hk_plugin_desc *const *d = tor_LTX_hk_plugin_entry(&th_host, &err);
 *   th_instance i = th_open(d[0], "list_path=%s;max_age=2d", path);
 *   is_int(i.rc, HK_OK, "created");
 *   th_close(&i);
 *   th_host_cleanup();
 *   return done_testing();
 */
#ifndef HK_TESTS_PLUGIN_TEST_HOST_H
#define HK_TESTS_PLUGIN_TEST_HOST_H

#include "tap.h"

#include <huntkit/huntkit.h>

#ifdef HK_TEST_CLASSIFIERS
#include "../host/core.h"
#endif

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#ifdef HK_TEST_CURL
#include <curl/curl.h>
#endif

#define TH_UNUSED __attribute__((unused))
#define TH_MAX_KEYS 24
#define TH_MAX_ITEMS 16

struct hk_config {
  const hk_param *schema;
  int n;
  char *keys[TH_MAX_KEYS];
  char *values[TH_MAX_KEYS];
  char *items[TH_MAX_KEYS][TH_MAX_ITEMS];
  size_t n_items[TH_MAX_KEYS];
};

static TH_UNUSED hk_buf th_log = HK_BUF_INIT;
static TH_UNUSED int th_log_level = HK_LOG_INFO;
static TH_UNUSED int64_t th_now_us =
    1714600000LL * 1000000; /* 2024-05-01 21:46:40 */
static TH_UNUSED int th_cancel_after = -1;
static TH_UNUSED const char *th_cache_dir_path;
static TH_UNUSED int th_http_calls;

#ifdef HK_TEST_CLASSIFIERS
void
hk_log_msg(const hk_instance *inst, int level, const char *fmt, ...)
{
  va_list ap;
  (void)inst;
  (void)level;
  va_start(ap, fmt);
  printf("# host: ");
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
}
#endif

static void HK_PRINTF(3, 4)
    th_log_fn(const hk_instance *inst, int level, const char *fmt, ...)
{
  va_list ap;
  (void)inst;
  hk_buf_append_str(&th_log, level == HK_LOG_ERROR  ? "ERROR: "
                             : level == HK_LOG_WARN ? "WARN: "
                                                    : "INFO: ");
  va_start(ap, fmt);
  char line[4096];
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  hk_buf_append_str(&th_log, line);
  hk_buf_append_char(&th_log, '\n');
}

static TH_UNUSED int
th_log_enabled(const hk_instance *inst, int level)
{
  (void)inst;
  return level <= th_log_level;
}

static TH_UNUSED int
th_find(const hk_config *cfg, const char *name)
{
  for (int i = 0; cfg && i < cfg->n; i++)
    if (strcmp(cfg->keys[i], name) == 0)
      return i;
  return -1;
}

static TH_UNUSED const hk_param *
th_param(const hk_config *cfg, const char *name)
{
  for (const hk_param *p = cfg ? cfg->schema : NULL; p && p->name; p++)
    if (strcmp(p->name, name) == 0)
      return p;
  return NULL;
}

static TH_UNUSED int
th_is_set(const hk_config *cfg, const char *name)
{
  return th_find(cfg, name) >= 0;
}

static TH_UNUSED const char *
th_string(const hk_config *cfg, const char *name)
{
  int i = th_find(cfg, name);
  if (i >= 0)
    return cfg->values[i];
  const hk_param *p = th_param(cfg, name);
  if (!p) {
    diag("plugin asked for unknown key '%s'", name);
    return NULL;
  }
  return p->default_value;
}

static TH_UNUSED int
th_parse_duration(const char *s, int64_t *out)
{
  char *end;
  double v = strtod(s, &end);
  int64_t mult = 1;
  if (!strcmp(end, "ms") || !*end)
    mult = 1;
  else if (!strcmp(end, "s"))
    mult = 1000;
  else if (!strcmp(end, "m"))
    mult = 60000;
  else if (!strcmp(end, "h"))
    mult = 3600000;
  else if (!strcmp(end, "d"))
    mult = 86400000;
  else
    return HK_E_INVAL;
  *out = (int64_t)(v * (double)mult);
  return HK_OK;
}

static TH_UNUSED int
th_int(const hk_config *cfg, const char *name, int64_t *out)
{
  const char *s = th_string(cfg, name);
  const hk_param *p = th_param(cfg, name);
  if (!s)
    return HK_E_NOTFOUND;
  if (p && p->type == HK_PT_DURATION)
    return th_parse_duration(s, out);
  *out = strtoll(s, NULL, 10);
  return HK_OK;
}

static TH_UNUSED int
th_float(const hk_config *cfg, const char *name, double *out)
{
  const char *s = th_string(cfg, name);
  if (!s)
    return HK_E_NOTFOUND;
  *out = strtod(s, NULL);
  return HK_OK;
}

static TH_UNUSED int
th_bool(const hk_config *cfg, const char *name, int *out)
{
  const char *s = th_string(cfg, name);
  if (!s)
    return HK_E_NOTFOUND;
  *out = !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "1");
  return HK_OK;
}

static TH_UNUSED size_t
th_list(const hk_config *cfg, const char *name, const char *const **items)
{
  int i = th_find(cfg, name);
  if (i < 0)
    return 0;
  *items = (const char *const *)cfg->items[i];
  return cfg->n_items[i];
}

static TH_UNUSED int64_t
th_now(void)
{
  return th_now_us;
}

static TH_UNUSED int64_t
th_monotonic(void)
{
  return th_now_us;
}

static TH_UNUSED int
th_canceled(const hk_instance *inst)
{
  (void)inst;
  return th_cancel_after >= 0 && th_cancel_after-- == 0;
}

static TH_UNUSED const char *
th_cache_dir(const hk_instance *inst)
{
  (void)inst;
  return th_cache_dir_path;
}

#ifdef HK_TEST_CURL
static TH_UNUSED size_t
th_write_buf(char *p, size_t size, size_t n, void *ud)
{
  return hk_buf_append(ud, p, size * n) == HK_OK ? size * n : 0;
}

static TH_UNUSED size_t
th_write_file(char *p, size_t size, size_t n, void *ud)
{
  return fwrite(p, size, n, ud) * size;
}

static TH_UNUSED hk_buf th_body = HK_BUF_INIT;
static TH_UNUSED char th_content_type[256];
static TH_UNUSED int th_curl_ready;

/* The host's contract, over a plain libcurl easy handle. */
static TH_UNUSED int
th_http_fetch(const hk_instance *inst, const hk_http_request *req,
              hk_http_response *resp, hk_error *err)
{
  (void)inst;
  th_http_calls++;
  if (!th_curl_ready++)
    curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL *c = curl_easy_init();
  struct curl_slist *hdrs = NULL;
  FILE *f = NULL;
  char part[1200];
  hk_buf_reset(&th_body);
  hk_buf_append(&th_body, "", 0);
  for (const char *const *h = req->headers; h && *h; h++)
    hdrs = curl_slist_append(hdrs, *h);
  curl_easy_setopt(c, CURLOPT_URL, req->url);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                   (long)(req->timeout_ms ? req->timeout_ms : 30000));
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  if (req->download_path) {
    snprintf(part, sizeof part, "%s.part", req->download_path);
    f = fopen(part, "wb");
    if (!f) {
      curl_easy_cleanup(c);
      curl_slist_free_all(hdrs);
      return hk_error_set(err, HK_E_IO, "cannot write %s: %s", part,
                          strerror(errno));
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, th_write_file);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
  } else {
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, th_write_buf);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &th_body);
  }
  CURLcode cc = curl_easy_perform(c);
  long status = 0;
  char *ct = NULL;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
  snprintf(th_content_type, sizeof th_content_type, "%s", ct ? ct : "");
  curl_easy_cleanup(c);
  curl_slist_free_all(hdrs);
  if (f && fclose(f) != 0 && cc == CURLE_OK)
    cc = CURLE_WRITE_ERROR;
  if (cc != CURLE_OK) {
    if (f)
      unlink(part);
    return hk_error_set(
        err, cc == CURLE_OPERATION_TIMEDOUT ? HK_E_TIMEOUT : HK_E_NETWORK,
        "request to 127.0.0.1 failed: %s", curl_easy_strerror(cc));
  }
  if (f) {
    if (status >= 200 && status <= 299)
      rename(part, req->download_path);
    else
      unlink(part);
  }
  resp->status = (int32_t)status;
  resp->from_cache = 0;
  resp->attempts = 1;
  resp->body = th_body.data;
  resp->body_len = th_body.len;
  resp->content_type = th_content_type[0] ? th_content_type : NULL;
  return HK_OK;
}
#endif

static TH_UNUSED hk_host th_host = {
    .struct_size = sizeof(hk_host),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .version = "test",
    .log = th_log_fn,
    .log_enabled = th_log_enabled,
    .config_is_set = th_is_set,
    .config_get_string = th_string,
    .config_get_int = th_int,
    .config_get_float = th_float,
    .config_get_bool = th_bool,
    .config_get_list = th_list,
    .now_us = th_now,
    .monotonic_us = th_monotonic,
    .is_canceled = th_canceled,
#ifdef HK_TEST_CLASSIFIERS
    .ip_classify = hk_ip_classify,
    .ip_class_name = hk_ip_class_name,
    .ioc_classify = hk_ioc_classify,
#endif
#ifdef HK_TEST_CURL
    .http_fetch = th_http_fetch,
#endif
    .cache_dir = th_cache_dir,
};

/* A config for `schema` from "key=value;key=value" (list values split on
 * ','; a value may not contain ';').  Free with th_config_free. */
static TH_UNUSED hk_config *
th_config(const hk_param *schema, const char *text)
{
  hk_config *cfg = calloc(1, sizeof *cfg);
  char *copy = strdup(text ? text : ""), *save = NULL;
  cfg->schema = schema;
  for (char *kv = strtok_r(copy, ";", &save); kv;
       kv = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(kv, '=');
    if (!eq || cfg->n == TH_MAX_KEYS)
      abort();
    *eq = '\0';
    int i = cfg->n++;
    cfg->keys[i] = strdup(kv);
    cfg->values[i] = strdup(eq + 1);
    char *items = strdup(eq + 1), *s2 = NULL;
    for (char *it = strtok_r(items, ",", &s2);
         it && cfg->n_items[i] < TH_MAX_ITEMS; it = strtok_r(NULL, ",", &s2))
      cfg->items[i][cfg->n_items[i]++] = strdup(it);
    free(items);
  }
  free(copy);
  return cfg;
}

static TH_UNUSED void
th_config_free(hk_config *cfg)
{
  if (!cfg)
    return;
  for (int i = 0; i < cfg->n; i++) {
    free(cfg->keys[i]);
    free(cfg->values[i]);
    for (size_t k = 0; k < cfg->n_items[i]; k++)
      free(cfg->items[i][k]);
  }
  free(cfg);
}

/* The members every kind's vtable starts with (plugin.h), to reach create
 * and destroy of whatever kind the descriptor is. */
typedef struct th_vt_header {
  HK_VT_HEADER;
} th_vt_header;

typedef struct th_instance {
  const hk_plugin_desc *desc;
  int rc;       /* what create returned */
  hk_error err; /* and its error */
  void *state;
  hk_config *cfg;
} th_instance;

static th_instance th_open(const hk_plugin_desc *desc, const char *fmt, ...)
    HK_PRINTF(2, 3);

/* create gets the address of this function's local as `inst`: the fake
 * host never dereferences it. */
static TH_UNUSED th_instance
th_open(const hk_plugin_desc *desc, const char *fmt, ...)
{
  const th_vt_header *vt = desc->vtable;
  char text[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(text, sizeof text, fmt, ap);
  va_end(ap);
  th_instance i;
  memset(&i, 0, sizeof i);
  i.desc = desc;
  hk_error_clear(&i.err);
  hk_buf_reset(&th_log);
  i.cfg = th_config(desc->params, text);
  i.rc = vt->create
             ? vt->create((const hk_instance *)&i, i.cfg, &i.state, &i.err)
             : HK_OK;
  return i;
}

static TH_UNUSED void
th_close(th_instance *i)
{
  const th_vt_header *vt = i->desc->vtable;
  if (i->rc == HK_OK && vt->destroy)
    vt->destroy(i->state);
  th_config_free(i->cfg);
}

/* What the fake host holds, freed so valgrind sees no leak. */
static TH_UNUSED void
th_host_cleanup(void)
{
  hk_buf_free(&th_log);
#ifdef HK_TEST_CURL
  hk_buf_free(&th_body);
  if (th_curl_ready)
    curl_global_cleanup();
  th_curl_ready = 0;
#endif
}

/* A fresh temporary directory under $TMPDIR (or /tmp). */
static TH_UNUSED void
th_tempdir(char *out, size_t cap)
{
  const char *tmp = getenv("TMPDIR");
  snprintf(out, cap, "%s/hk-unit.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(out))
    abort();
}

static TH_UNUSED void
th_write(const char *path, const char *text, size_t len)
{
  FILE *f = fopen(path, "wb");
  if (!f || fwrite(text, 1, len, f) != len || fclose(f) != 0)
    abort();
}

static TH_UNUSED void
th_rm_rf(const char *dir)
{
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    diag("could not remove %s", dir);
}

/* Set a file's mtime to `age_s` seconds before the fake clock. */
static TH_UNUSED void
th_age_file(const char *path, int64_t age_s)
{
  struct timespec ts[2];
  ts[0].tv_sec = ts[1].tv_sec = (time_t)(th_now_us / 1000000 - age_s);
  ts[0].tv_nsec = ts[1].tv_nsec = 0;
  if (utimensat(AT_FDCWD, path, ts, 0) != 0)
    abort();
}

/* Start `python3 SCRIPT ARGS...` ($PYTHON3 if set); returns its port
 * (printed as the first line on stdout) and the pid in *pid, or 0 when
 * python3 is missing. */
static TH_UNUSED int
th_start_server(const char *script, const char *const *args, pid_t *pid)
{
  const char *py = getenv("PYTHON3");
  if (!py || !*py)
    py = "python3";
  int fds[2];
  if (pipe(fds) != 0)
    abort();
  pid_t p = fork();
  if (p == 0) {
    const char *argv[16];
    int n = 0;
    argv[n++] = py;
    argv[n++] = script;
    for (; args && *args && n < 15; args++)
      argv[n++] = *args;
    argv[n] = NULL;
    dup2(fds[1], 1);
    close(fds[0]);
    close(fds[1]);
    execvp(py, (char *const *)argv);
    _exit(127);
  }
  close(fds[1]);
  char line[64] = "";
  size_t got = 0;
  while (got < sizeof line - 1) {
    ssize_t r = read(fds[0], line + got, 1);
    if (r <= 0 || line[got] == '\n')
      break;
    got++;
  }
  line[got] = '\0';
  close(fds[0]);
  int port = atoi(line);
  if (port <= 0) {
    int st;
    waitpid(p, &st, 0);
    return 0;
  }
  *pid = p;
  return port;
}

/* Stop the server of th_start_server; *pid is 0 afterwards, so a second
 * call does nothing. */
static TH_UNUSED void
th_stop_server(pid_t *pid)
{
  int st;
  if (*pid > 0) {
    kill(*pid, SIGTERM);
    waitpid(*pid, &st, 0);
  }
  *pid = 0;
}

#endif /* HK_TESTS_PLUGIN_TEST_HOST_H */
