/*
 * plugins/ti_common/ti_state.c -- the state the TI enrichers share; see
 * ti_state.h.
 */
#include "ti_state.h"

#include "ti_json.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

int
ti_state_init(ti_state *t, const char *plugin, const hk_instance *inst,
              const char *base_url, const char *header_name, const char *secret,
              const char *extra_header, hk_error *err)
{
  size_t n, k = 0;

  if (!base_url ||
      (strncmp(base_url, "https://", 8) && strncmp(base_url, "http://", 7)))
    return hk_error_set(err, HK_E_CONFIG,
                        "%s: base_url must start with https:// or http://, "
                        "got '%s'",
                        plugin, base_url ? base_url : "");
  t->inst = inst;
  t->plugin = plugin;
  t->base_url = strdup(base_url);
  if (!t->base_url)
    goto nomem;
  n = strlen(t->base_url);
  while (n > 0 && t->base_url[n - 1] == '/')
    t->base_url[--n] = '\0';
  if (secret) {
    size_t hn = strlen(header_name), len = hn + strlen(secret) + 1;
    t->auth_header = malloc(len);
    if (!t->auth_header)
      goto nomem;
    snprintf(t->auth_header, len, "%s%s", header_name, secret);
    t->secret = t->auth_header + hn;
    t->headers[k++] = t->auth_header;
  }
  if (extra_header)
    t->headers[k++] = extra_header;
  t->headers[k] = NULL;
  return HK_OK;
nomem:
  ti_state_free(t);
  return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", plugin);
}

void
ti_state_free(ti_state *t)
{
  if (t->auth_header) {
    memset(t->auth_header, 0, strlen(t->auth_header));
    free(t->auth_header);
  }
  free(t->base_url);
  free(t->ioc);
  hk_buf_free(&t->url);
  hk_buf_free(&t->raw);
  hk_buf_free(&t->summary);
  hk_buf_free(&t->reference);
  json_object_put(t->reply);
  memset(t, 0, sizeof *t);
}

int
ti_state_start_call(ti_state *t, const hk_ioc *ioc, hk_value *fields,
                    size_t nfields, hk_enrichment *out, hk_error *err)
{
  const char *v = ioc->value;
  size_t n = ioc->len;
  while (n && isspace((unsigned char)*v))
    v++, n--;
  while (n && isspace((unsigned char)v[n - 1]))
    n--;
  free(t->ioc);
  t->ioc = strndup(v, n);
  json_object_put(t->reply);
  t->reply = NULL;
  hk_buf_reset(&t->url);
  hk_buf_reset(&t->raw);
  hk_buf_reset(&t->summary);
  hk_buf_reset(&t->reference);
  if (fields)
    memset(fields, 0, nfields * sizeof *fields);
  out->status = HK_LK_QUERY_FAILED;
  out->severity = HK_SEV_UNKNOWN;
  out->summary = NULL;
  out->fields = NULL;
  out->reference = NULL;
  out->raw = NULL;
  if (!t->ioc)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->plugin);
  return HK_OK;
}

int
ti_state_take_reply(ti_state *t, const hk_ioc *ioc, hk_value *fields,
                    size_t nfields, const hk_http_response *resp,
                    hk_enrichment *out, char *why, size_t cap, int *truncated,
                    hk_error *err)
{
  const char *body = resp->body ? resp->body : "";
  size_t len = resp->body ? resp->body_len : 0;
  int rc = ti_state_start_call(t, ioc, fields, nfields, out, err);
  if (rc != HK_OK)
    return rc;
  hk_buf_append(&t->raw, body, len);
  out->raw = t->raw.len ? t->raw.data : NULL;
  t->reply = ti_json_parse(body, len, why, cap, truncated);
  return HK_OK;
}

int
ti_state_answer(ti_state *t, hk_enrichment *out, int status, int severity,
                const char *summary)
{
  hk_buf_reset(&t->summary);
  hk_buf_append_str(&t->summary, summary);
  out->status = status;
  out->severity = severity;
  out->summary = t->summary.data;
  return HK_OK;
}

void
ti_service_words(char *dst, const char *secret, const char *secret2)
{
  if ((secret && *secret && strstr(dst, secret)) ||
      (secret2 && *secret2 && strstr(dst, secret2))) {
    dst[0] = '\0';
    return;
  }
  for (char *p = dst; *p; p++)
    if ((unsigned char)*p < 0x20)
      *p = ' ';
}

int
ti_retryable(hk_error *err, int rc, int yes)
{
  if (err && yes)
    err->flags |= HK_EF_RETRYABLE;
  return rc;
}

int
ti_operator_must_fix(hk_error *err, int rc)
{
  if (err)
    err->flags |= HK_EF_USER;
  return rc;
}

int
ti_key_refused(const ti_state *t, int status, const char *said, hk_error *err)
{
  return ti_operator_must_fix(
      err, hk_error_set(err, HK_E_AUTH,
                        "%s: the service refused the API key (HTTP %d%s); "
                        "check api_key in the instance's conf.d file",
                        t->plugin, status, said));
}
