/*
 * tests/host/fixture_httpenrich.c -- a small enricher that asks
 * tests/servers/httpd_script.py, for the tests of the host's HTTP service,
 * lookup cache and bulk engine.  Not installed.
 *
 *   httpfix       prepare/parse (ABI 1.1): the host sends the requests
 *   httpfix_sync  lookup() only, through hk_host.http_fetch
 *
 * Request: GET <base_url>/lookup/<type>/<value>, with "X-Api-Key: <key>"
 * when api_key is set (and ?key=<key> too with key_in_query=true).  The
 * value "bad-format.example" is answered BAD_FORMAT without a request.
 * Reply: 200 {"score": N, "verdict": "..."} -> score and verdict, severity
 * from the score (0 information, 1-3 low, 4-6 medium, 7+ high); 404 ->
 * NO_DATA; 401/403 -> HK_E_AUTH; 429 -> HK_E_RATELIMIT; other statuses ->
 * HK_E_FAIL; a body that is not that JSON -> HK_E_INVAL.
 */
#include <huntkit/huntkit.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hk_host *fx_host;

enum { F_SCORE, F_VERDICT, F_COUNT };

typedef struct fx_state {
  const hk_instance *inst;
  char base[512];
  char key[256];
  int key_in_query;
  char url[2048];
  char header[300];
  const char *headers[2];
  char summary[256];
  char verdict[128];
  char reference[1024];
  hk_value fields[F_COUNT];
} fx_state;

static const hk_param fx_params[] = {
    {"base_url", HK_PT_STRING, HK_P_REQUIRED, NULL, NULL,
     "http://127.0.0.1:PORT of the test server"},
    {"api_key", HK_PT_STRING, HK_P_SECRET, NULL, NULL, "sent as X-Api-Key"},
    {"key_in_query", HK_PT_BOOL, 0, "false", NULL,
     "also send the key as ?key= (to test that it never leaks)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_field_desc fx_fields[] = {
    {"score", HK_COL_INT64, "the server's score, 0-9"},
    {"verdict", HK_COL_UTF8, "the server's verdict"},
    {NULL, 0, NULL}};

static const char *const fx_types[] = {HK_IOC_IPV4,   HK_IOC_IPV6, HK_IOC_DNS,
                                       HK_IOC_URL,    HK_IOC_MD5,  HK_IOC_SHA1,
                                       HK_IOC_SHA256, NULL};

static int
fx_create(const hk_instance *inst, const hk_config *cfg, void **state,
          hk_error *err)
{
  fx_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "httpfix: out of memory");
  s->inst = inst;
  const char *base = fx_host->config_get_string(cfg, "base_url");
  const char *key = fx_host->config_get_string(cfg, "api_key");
  int kq = 0;
  fx_host->config_get_bool(cfg, "key_in_query", &kq);
  snprintf(s->base, sizeof s->base, "%s", base ? base : "");
  snprintf(s->key, sizeof s->key, "%s", key ? key : "");
  s->key_in_query = kq;
  *state = s;
  return HK_OK;
}

static void
fx_destroy(void *state)
{
  free(state);
}

/* Percent-encode everything but unreserved characters. */
static void
encode(const char *v, size_t len, char *out, size_t cap)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t o = 0;
  for (size_t i = 0; i < len && o + 4 < cap; i++) {
    unsigned char c = (unsigned char)v[i];
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
        c == '~') {
      out[o++] = (char)c;
    } else {
      out[o++] = '%';
      out[o++] = hex[c >> 4];
      out[o++] = hex[c & 15];
    }
  }
  out[o] = '\0';
}

/* 1: a request to make (s->url, s->headers); 0: *out is the answer. */
static int
fx_build(fx_state *s, const hk_ioc *ioc, hk_enrichment *out)
{
  if (ioc->len == 18 && memcmp(ioc->value, "bad-format.example", 18) == 0) {
    snprintf(s->summary, sizeof s->summary, "rejected before any request");
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = s->summary;
    return 0;
  }
  char enc[1024];
  encode(ioc->value, ioc->len, enc, sizeof enc);
  int n = snprintf(s->url, sizeof s->url, "%s/lookup/%s/%s", s->base, ioc->type,
                   enc);
  if (s->key[0] && s->key_in_query && n > 0 && (size_t)n < sizeof s->url)
    snprintf(s->url + n, sizeof s->url - (size_t)n, "?key=%s", s->key);
  s->headers[0] = NULL;
  if (s->key[0]) {
    snprintf(s->header, sizeof s->header, "X-Api-Key: %s", s->key);
    s->headers[0] = s->header;
    s->headers[1] = NULL;
  }
  return 1;
}

static int
fx_prepare(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_http_request *req, hk_enrichment *out, hk_error *err)
{
  fx_state *s = state;
  (void)options, (void)err;
  if (!fx_build(s, ioc, out))
    return HK_OK;
  req->method = "GET";
  req->url = s->url;
  req->headers = s->headers[0] ? s->headers : NULL;
  return HK_OK;
}

static int
fx_parse(void *state, const hk_config *options, const hk_ioc *ioc,
         const hk_http_response *resp, hk_enrichment *out, hk_error *err)
{
  fx_state *s = state;
  (void)options;
  snprintf(s->reference, sizeof s->reference, "https://example.test/%.*s",
           (int)ioc->len, ioc->value);
  out->reference = s->reference;
  out->raw = resp->body;
  if (resp->status == 404) {
    out->status = HK_LK_NO_DATA;
    out->severity = HK_SEV_INFORMATION;
    out->summary = "not found";
    return HK_OK;
  }
  if (resp->status == 401 || resp->status == 403)
    return hk_error_set(err, HK_E_AUTH,
                        "httpfix: the server refused the API key (HTTP %d)",
                        resp->status);
  if (resp->status == 429) {
    hk_error_set(err, HK_E_RATELIMIT, "httpfix: rate limited (HTTP 429)");
    err->flags |= HK_EF_RETRYABLE;
    return HK_E_RATELIMIT;
  }
  if (resp->status != 200)
    return hk_error_set(err, HK_E_FAIL, "httpfix: HTTP %d", resp->status);
  json_tokener *tok = json_tokener_new();
  json_object *root =
      tok ? json_tokener_parse_ex(tok, resp->body, (int)resp->body_len) : NULL;
  int complete = tok && json_tokener_get_error(tok) == json_tokener_success;
  json_tokener_free(tok);
  json_object *score = NULL, *verdict = NULL;
  if (!root || !complete || !json_object_is_type(root, json_type_object) ||
      !json_object_object_get_ex(root, "score", &score) ||
      !json_object_is_type(score, json_type_int)) {
    json_object_put(root);
    return hk_error_set(err, HK_E_INVAL,
                        "httpfix: malformed reply (%zu bytes, not the "
                        "expected JSON)",
                        resp->body_len);
  }
  int64_t sc = json_object_get_int64(score);
  s->verdict[0] = '\0';
  if (json_object_object_get_ex(root, "verdict", &verdict) &&
      json_object_is_type(verdict, json_type_string))
    snprintf(s->verdict, sizeof s->verdict, "%s",
             json_object_get_string(verdict));
  json_object_put(root);
  memset(s->fields, 0, sizeof s->fields);
  s->fields[F_SCORE].is_set = 1;
  s->fields[F_SCORE].i64 = sc;
  s->fields[F_VERDICT].is_set = 1;
  s->fields[F_VERDICT].str = s->verdict;
  s->fields[F_VERDICT].str_len = strlen(s->verdict);
  snprintf(s->summary, sizeof s->summary, "score %lld: %s%s", (long long)sc,
           s->verdict, resp->from_cache ? " (cached)" : "");
  out->status = HK_LK_OK;
  out->severity = sc >= 7   ? HK_SEV_HIGH
                  : sc >= 4 ? HK_SEV_MEDIUM
                  : sc >= 1 ? HK_SEV_LOW
                            : HK_SEV_INFORMATION;
  out->summary = s->summary;
  out->fields = s->fields;
  return HK_OK;
}

static int
fx_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
          hk_enrichment *out, hk_error *err)
{
  fx_state *s = state;
  if (!HK_HAS(fx_host, http_fetch))
    return hk_error_set(err, HK_E_NOTSUP,
                        "httpfix: this huntkit has no HTTP service");
  if (!fx_build(s, ioc, out))
    return HK_OK;
  hk_http_request req;
  hk_http_response resp;
  memset(&req, 0, sizeof req);
  memset(&resp, 0, sizeof resp);
  req.struct_size = sizeof req;
  resp.struct_size = sizeof resp;
  req.url = s->url;
  req.headers = s->headers[0] ? s->headers : NULL;
  int rc = fx_host->http_fetch(s->inst, &req, &resp, err);
  if (rc != HK_OK)
    return rc;
  return fx_parse(state, options, ioc, &resp, out, err);
}

static const hk_enricher_vt fx_async_vt = {.struct_size =
                                               sizeof(hk_enricher_vt),
                                           .create = fx_create,
                                           .destroy = fx_destroy,
                                           .fields = fx_fields,
                                           .lookup = fx_lookup,
                                           .prepare = fx_prepare,
                                           .parse = fx_parse};

/* An ABI 1.0-sized vtable: no prepare/parse, so the host uses lookup(). */
static const hk_enricher_vt fx_sync_vt = {.struct_size =
                                              offsetof(hk_enricher_vt, prepare),
                                          .create = fx_create,
                                          .destroy = fx_destroy,
                                          .fields = fx_fields,
                                          .lookup = fx_lookup};

static const hk_plugin_desc fx_async = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "httpfix",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
    .summary = "test enricher: asks the loopback test server (prepare/parse)",
    .entity_types = fx_types,
    .params = fx_params,
    .vtable = &fx_async_vt};

static const hk_plugin_desc fx_sync = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "httpfix_sync",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_NETWORK | HK_PF_SECRETS | HK_PF_TI,
    .summary = "test enricher: asks the loopback test server (http_fetch)",
    .entity_types = fx_types,
    .params = fx_params,
    .vtable = &fx_sync_vt};

static const hk_plugin_desc *const fx_descs[] = {&fx_async, &fx_sync, NULL};

static const hk_plugin_desc *const *
fx_entry(const hk_host *host, hk_error *err)
{
  (void)err;
  fx_host = host;
  return fx_descs;
}

HK_PLUGIN_DEFINE(httpfix, fx_entry)
