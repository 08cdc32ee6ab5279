/*
 * plugins/ti_common/ti_json.c -- json-c helpers shared by the TI enricher
 * plugins; see ti_json.h.
 */
#include "ti_json.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* json_tokener_get_parse_end() arrived in json-c 0.15; configure accepts
 * 0.13. */
#if JSON_C_VERSION_NUM < ((0 << 16) | (15 << 8))
#define json_tokener_get_parse_end(tok) ((size_t)(tok)->char_offset)
#endif

json_object *
ti_json_path(json_object *o, const char *path)
{
  char key[64];
  while (o && *path) {
    size_t n = strcspn(path, ".");
    if (n >= sizeof key || !json_object_is_type(o, json_type_object))
      return NULL;
    memcpy(key, path, n);
    key[n] = '\0';
    if (!json_object_object_get_ex(o, key, &o))
      return NULL;
    path += n + (path[n] == '.');
  }
  return o;
}

const char *
ti_json_str(json_object *o, const char *path)
{
  json_object *v = ti_json_path(o, path);
  return json_object_is_type(v, json_type_string) ? json_object_get_string(v)
                                                  : NULL;
}

int
ti_json_int(json_object *o, const char *path, int64_t *out)
{
  json_object *v = ti_json_path(o, path);
  if (json_object_is_type(v, json_type_int)) {
    *out = json_object_get_int64(v);
    return 1;
  }
  if (json_object_is_type(v, json_type_double)) {
    double d = json_object_get_double(v);
    if (d == floor(d) && fabs(d) < 9e15) {
      *out = (int64_t)d;
      return 1;
    }
  }
  return 0;
}

void
ti_json_set_str(hk_value *v, const char *s)
{
  memset(v, 0, sizeof *v);
  if (s && *s) {
    v->is_set = 1;
    v->str = s;
    v->str_len = strlen(s);
  }
}

void
ti_json_set_int(hk_value *v, json_object *o, const char *path)
{
  int64_t i;
  memset(v, 0, sizeof *v);
  if (ti_json_int(o, path, &i)) {
    v->is_set = 1;
    v->i64 = i;
  }
}

void
ti_json_set_bool(hk_value *v, json_object *o, const char *path)
{
  json_object *b = ti_json_path(o, path);
  memset(v, 0, sizeof *v);
  if (json_object_is_type(b, json_type_boolean)) {
    v->is_set = 1;
    v->i64 = json_object_get_boolean(b) ? 1 : 0;
  }
}

void
ti_json_add_unique(hk_buf *b, const char **seen, size_t *n, size_t cap,
                   const char *s)
{
  if (!s || !*s)
    return;
  for (size_t i = 0; i < *n; i++)
    if (!strcmp(seen[i], s))
      return;
  if (*n < cap)
    seen[(*n)++] = s;
  if (b->len)
    hk_buf_append_str(b, ", ");
  hk_buf_append_str(b, s);
}

const char *
ti_json_join_strings(hk_buf *b, json_object *list)
{
  const char *seen[128];
  size_t n = 0;
  hk_buf_reset(b);
  if (json_object_is_type(list, json_type_array)) {
    size_t len = json_object_array_length(list);
    for (size_t i = 0; i < len; i++) {
      json_object *item = json_object_array_get_idx(list, i);
      if (json_object_is_type(item, json_type_string))
        ti_json_add_unique(b, seen, &n, 128, json_object_get_string(item));
    }
  } else if (json_object_is_type(list, json_type_object)) {
    json_object_object_foreach(list, key, val)
    {
      (void)key;
      if (json_object_is_type(val, json_type_string))
        ti_json_add_unique(b, seen, &n, 128, json_object_get_string(val));
    }
  }
  return b->len ? b->data : NULL;
}

json_object *
ti_json_parse(const char *body, size_t len, char *why, size_t cap,
              int *truncated)
{
  *truncated = 0;
  size_t start = 0;
  while (start < len && isspace((unsigned char)body[start]))
    start++;
  if (start == len) {
    snprintf(why, cap, "the reply is empty");
    return NULL;
  }
  json_tokener *tok = json_tokener_new();
  if (!tok) {
    snprintf(why, cap, "out of memory");
    return NULL;
  }
  json_object *o = json_tokener_parse_ex(tok, body, (int)len);
  enum json_tokener_error e = json_tokener_get_error(tok);
  /* A bare number or literal is only known to end at the end of input:
   * say so with a NUL, which also turns a cut value into an error. */
  size_t end = json_tokener_get_parse_end(tok);
  if (!o && e == json_tokener_continue) {
    o = json_tokener_parse_ex(tok, "", 1);
    e = json_tokener_get_error(tok);
    *truncated = !o && e != json_tokener_success;
    end = len;
  }
  if (*truncated) {
    snprintf(why, cap, "the reply is truncated: its JSON ends after %zu bytes",
             len);
  } else if (!o && e == json_tokener_success) {
    snprintf(why, cap, "the reply is JSON null");
  } else if (!o) {
    snprintf(why, cap, "the reply is not valid JSON (%s at byte offset %zu)",
             json_tokener_error_desc(e), end);
  } else {
    while (end < len && isspace((unsigned char)body[end]))
      end++;
    if (end < len) {
      snprintf(
          why, cap,
          "the reply is not valid JSON (unexpected data at byte offset %zu "
          "after the JSON value)",
          end);
      json_object_put(o);
      o = NULL;
    }
  }
  json_tokener_free(tok);
  return o;
}
