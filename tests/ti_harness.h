/*
 * tests/ti_harness.h -- what the white-box tests of the HTTP threat-intel
 * enrichers (virustotal, otx, xforce, greynoise, abuseipdb) share: a fake
 * host around the host's own IP classifier
 * (host/ioc.c, compiled into the test; its one outside need, hk_log_msg,
 * is defined here), with config values from "key=value;..." text and the
 * plugin's schema defaults, a captured log, and an http_fetch that
 * records the request and answers with a canned reply; plus helpers to
 * drive prepare/parse/lookup through the plugin's descriptor and to read
 * canned bodies from tests/data.
 *
 * Included by each plugin's test_<name>_unit.c after tests/tap.h, as
 * "../../tests/ti_harness.h".
 */
#ifndef HK_TESTS_TI_HARNESS_H
#define HK_TESTS_TI_HARNESS_H

#include <huntkit/huntkit.h>

#include "../host/core.h"

#include <json-c/json.h>
#include <stdarg.h>
#include <stddef.h>
#include <strings.h>

#define TI_MAX_KEYS 16

struct hk_config {
  const hk_param *schema;
  int n;
  char *keys[TI_MAX_KEYS];
  char *values[TI_MAX_KEYS];
};

static hk_buf ti_log = HK_BUF_INIT;

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

static void HK_PRINTF(3, 4)
    ti_log_fn(const hk_instance *inst, int level, const char *fmt, ...)
{
  va_list ap;
  char line[4096];
  (void)inst;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  hk_buf_appendf(&ti_log, "%d: %s\n", level, line);
}

static int
ti_log_enabled(const hk_instance *inst, int level)
{
  (void)inst;
  return level <= HK_LOG_INFO;
}

static int
ti_find(const hk_config *cfg, const char *name)
{
  for (int i = 0; cfg && i < cfg->n; i++)
    if (!strcmp(cfg->keys[i], name))
      return i;
  return -1;
}

static const hk_param *
ti_param(const hk_config *cfg, const char *name)
{
  for (const hk_param *p = cfg ? cfg->schema : NULL; p && p->name; p++)
    if (!strcmp(p->name, name))
      return p;
  return NULL;
}

static int
ti_is_set(const hk_config *cfg, const char *name)
{
  return ti_find(cfg, name) >= 0;
}

static const char *
ti_string(const hk_config *cfg, const char *name)
{
  int i = ti_find(cfg, name);
  const hk_param *p = ti_param(cfg, name);
  if (!p) {
    diag("plugin asked for unknown key '%s'", name);
    return NULL;
  }
  return i >= 0 ? cfg->values[i] : p->default_value;
}

static int
ti_int(const hk_config *cfg, const char *name, int64_t *out)
{
  const char *s = ti_string(cfg, name);
  if (!s)
    return HK_E_NOTFOUND;
  *out = strtoll(s, NULL, 10);
  return HK_OK;
}

static int
ti_float(const hk_config *cfg, const char *name, double *out)
{
  const char *s = ti_string(cfg, name);
  if (!s)
    return HK_E_NOTFOUND;
  *out = strtod(s, NULL);
  return HK_OK;
}

static int
ti_bool(const hk_config *cfg, const char *name, int *out)
{
  const char *s = ti_string(cfg, name);
  if (!s)
    return HK_E_NOTFOUND;
  *out = !strcmp(s, "true") || !strcmp(s, "yes") || !strcmp(s, "1");
  return HK_OK;
}

static size_t
ti_list(const hk_config *cfg, const char *name, const char *const **items)
{
  (void)cfg;
  (void)name;
  (void)items;
  return 0;
}

static int64_t
ti_now(void)
{
  return 1714600000LL * 1000000; /* 2024-05-01 21:46:40 UTC */
}

static int
ti_canceled(const hk_instance *inst)
{
  (void)inst;
  return 0;
}

static hk_host ti_host;
static const hk_plugin_desc *ti_desc;
static const hk_enricher_vt *ti_vt;
static hk_config ti_cfg;
static void *ti_state;

/* The fake transport: the last request seen and the next reply. */
static struct {
  int calls;
  char method[16];
  char url[4096];
  char headers[8][1024];
  int n_headers;
} ti_seen;
static struct {
  int rc; /* what http_fetch returns (HK_OK: a reply arrived) */
  int status;
  const char *body;
  size_t len;
} ti_next;

static int
ti_fake_fetch(const hk_instance *inst, const hk_http_request *req,
              hk_http_response *resp, hk_error *err)
{
  (void)inst;
  ti_seen.calls++;
  snprintf(ti_seen.method, sizeof ti_seen.method, "%s",
           req->method ? req->method : "GET");
  snprintf(ti_seen.url, sizeof ti_seen.url, "%s", req->url);
  ti_seen.n_headers = 0;
  for (size_t i = 0; req->headers && req->headers[i] && i < 8; i++)
    snprintf(ti_seen.headers[ti_seen.n_headers++], sizeof ti_seen.headers[0],
             "%s", req->headers[i]);
  if (ti_next.rc != HK_OK)
    return hk_error_set(err, ti_next.rc, "could not connect to 127.0.0.1");
  resp->status = ti_next.status;
  resp->from_cache = 0;
  resp->attempts = 1;
  resp->body = ti_next.body;
  resp->body_len = ti_next.len;
  resp->content_type = "application/json";
  resp->elapsed_us = 1000;
  return HK_OK;
}

static const hk_host ti_host_template = {
    .struct_size = sizeof(hk_host),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .version = "test",
    .log = ti_log_fn,
    .log_enabled = ti_log_enabled,
    .config_is_set = ti_is_set,
    .config_get_string = ti_string,
    .config_get_int = ti_int,
    .config_get_float = ti_float,
    .config_get_bool = ti_bool,
    .config_get_list = ti_list,
    .now_us = ti_now,
    .monotonic_us = ti_now,
    .is_canceled = ti_canceled,
    .ip_classify = hk_ip_classify,
    .ip_class_name = hk_ip_class_name,
    .ioc_classify = hk_ioc_classify,
    .http_fetch = ti_fake_fetch,
};

static void
ti_close(void)
{
  if (ti_state)
    ti_vt->destroy(ti_state);
  ti_state = NULL;
  for (int i = 0; i < ti_cfg.n; i++) {
    free(ti_cfg.keys[i]);
    free(ti_cfg.values[i]);
  }
  memset(&ti_cfg, 0, sizeof ti_cfg);
}

/* Load the plugin through its entry function and create an instance with
 * "key=value;key=value" settings (unknown keys and missing required ones
 * are refused as the host would).  HK_OK or the failing code (message in
 * `err`). */
static int
ti_open(hk_plugin_entry_fn *entry, const char *settings, hk_error *err)
{
  ti_close();
  ti_host = ti_host_template;
  const hk_plugin_desc *const *descs = entry(&ti_host, err);
  if (!descs)
    return err->code;
  ti_desc = descs[0];
  ti_vt = ti_desc->vtable;
  ti_cfg.schema = ti_desc->params;
  char copy[2048];
  snprintf(copy, sizeof copy, "%s", settings);
  for (char *save = NULL, *kv = strtok_r(copy, ";", &save); kv;
       kv = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(kv, '=');
    *eq = '\0';
    if (!ti_param(&ti_cfg, kv) || ti_cfg.n == TI_MAX_KEYS)
      return hk_error_set(err, HK_E_CONFIG, "test: unknown key '%s'", kv);
    ti_cfg.keys[ti_cfg.n] = strdup(kv);
    ti_cfg.values[ti_cfg.n++] = strdup(eq + 1);
  }
  for (const hk_param *p = ti_cfg.schema; p && p->name; p++)
    if ((p->flags & HK_P_REQUIRED) && !ti_is_set(&ti_cfg, p->name))
      return hk_error_set(err, HK_E_CONFIG, "test: missing required key '%s'",
                          p->name);
  return ti_vt->create(NULL, &ti_cfg, &ti_state, err);
}

typedef struct ti_result {
  int rc;
  hk_error err;
  hk_enrichment e;
  const char *url; /* prepare: the request URL (NULL: answered at once) */
  const char *const *headers;
} ti_result;

static hk_ioc
ti_ioc(const char *type, const char *value)
{
  hk_ioc ioc = {sizeof(hk_ioc), value, strlen(value), type};
  return ioc;
}

static ti_result
ti_prepare(const char *type, const char *value)
{
  ti_result r;
  hk_http_request req;
  hk_ioc ioc = ti_ioc(type, value);
  memset(&r, 0, sizeof r);
  memset(&req, 0, sizeof req);
  req.struct_size = sizeof req;
  r.e.struct_size = sizeof r.e;
  hk_error_clear(&r.err);
  r.rc = ti_vt->prepare(ti_state, NULL, &ioc, &req, &r.e, &r.err);
  r.url = req.url;
  r.headers = req.headers;
  return r;
}

/* parse on a canned reply (the request is prepared first, as the host
 * does). */
static ti_result
ti_parse_n(const char *type, const char *value, int status, const char *body,
           size_t len)
{
  ti_result r = ti_prepare(type, value);
  hk_http_response resp;
  hk_ioc ioc = ti_ioc(type, value);
  memset(&resp, 0, sizeof resp);
  resp.struct_size = sizeof resp;
  resp.status = status;
  resp.body = body;
  resp.body_len = len;
  resp.attempts = 1;
  memset(&r.e, 0, sizeof r.e);
  r.e.struct_size = sizeof r.e;
  hk_error_clear(&r.err);
  r.rc = ti_vt->parse(ti_state, NULL, &ioc, &resp, &r.e, &r.err);
  return r;
}

static ti_result
ti_parse(const char *type, const char *value, int status, const char *body)
{
  return ti_parse_n(type, value, status, body, body ? strlen(body) : 0);
}

static ti_result
ti_lookup(const char *type, const char *value)
{
  ti_result r;
  hk_ioc ioc = ti_ioc(type, value);
  memset(&r, 0, sizeof r);
  r.e.struct_size = sizeof r.e;
  hk_error_clear(&r.err);
  r.rc = ti_vt->lookup(ti_state, NULL, &ioc, &r.e, &r.err);
  return r;
}

/* The value of field `name` in a record, or NULL when the plugin has no
 * such field (a test bug) or gave no fields. */
static const hk_value *
ti_field(const hk_enrichment *e, const char *name)
{
  for (size_t i = 0; ti_vt->fields[i].name; i++)
    if (!strcmp(ti_vt->fields[i].name, name))
      return e->fields ? &e->fields[i] : NULL;
  diag("no field named '%s'", name);
  return NULL;
}

/* The field as text for comparisons: "~" when null, "?" when missing. */
static const char *
ti_text(const hk_enrichment *e, const char *name)
{
  static char buf[8][1024];
  static int slot;
  char *b = buf[slot++ % 8];
  const hk_value *v = ti_field(e, name);
  uint32_t type = 0;
  for (size_t i = 0; ti_vt->fields[i].name; i++)
    if (!strcmp(ti_vt->fields[i].name, name))
      type = ti_vt->fields[i].type;
  if (!v)
    return e->fields ? "?" : "~";
  if (!v->is_set)
    return "~";
  switch (type) {
  case HK_COL_UTF8:
    snprintf(b, 1024, "%.*s", (int)v->str_len, v->str);
    break;
  case HK_COL_FLOAT64:
    snprintf(b, 1024, "%g", v->f64);
    break;
  case HK_COL_BOOL:
    snprintf(b, 1024, "%s", v->i64 ? "true" : "false");
    break;
  default: /* INT64, TIMESTAMP (µs) */
    snprintf(b, 1024, "%lld", (long long)v->i64);
    break;
  }
  return b;
}

/* A whole file, NUL-terminated (free it); path relative to $HK_SRCDIR. */
static char *
ti_slurp(const char *rel, size_t *len)
{
  const char *src = getenv("HK_SRCDIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/%s", src ? src : ".", rel);
  FILE *f = fopen(path, "rb");
  if (!f) {
    diag("cannot open %s", path);
    exit(1);
  }
  hk_buf b = HK_BUF_INIT;
  char chunk[8192];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    hk_buf_append(&b, chunk, n);
  fclose(f);
  if (len)
    *len = b.len;
  return hk_buf_detach(&b, NULL);
}

/* The canned body SECTION -> KEY of tests/data/ti/FILE as JSON text (free
 * it). */
static char *
ti_body(const char *file, const char *section, const char *key)
{
  char rel[256];
  snprintf(rel, sizeof rel, "tests/data/ti/%s", file);
  char *text = ti_slurp(rel, NULL);
  json_object *all = json_tokener_parse(text);
  json_object *sec = NULL, *obj = NULL;
  free(text);
  if (!json_object_object_get_ex(all, section, &sec) ||
      !json_object_object_get_ex(sec, key, &obj)) {
    diag("no %s -> %s in %s", section, key, file);
    exit(1);
  }
  char *body =
      strdup(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN));
  json_object_put(all);
  return body;
}

/* "Name: value" header `name` of the last prepared request, or NULL. */
static const char *
ti_header(const ti_result *r, const char *name)
{
  size_t n = strlen(name);
  for (size_t i = 0; r->headers && r->headers[i]; i++)
    if (!strncasecmp(r->headers[i], name, n) && r->headers[i][n] == ':')
      return r->headers[i];
  return NULL;
}

#endif /* HK_TESTS_TI_HARNESS_H */
