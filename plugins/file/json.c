/*
 * plugins/file/json.c -- NDJSON and JSON record readers over json-c.
 *
 * NDJSON is split at line feeds with memchr and each line goes through one
 * reused json_tokener.  A JSON array (or a sequence of objects laid out
 * anyhow) is cut into its elements by a small bracket counter that skips
 * strings, and each element is parsed alone: a 1 GB array streams like
 * NDJSON and never sits in memory as one json_object.
 */
#include "file_internal.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#define EXPECT_LINES "expected one JSON object per line"

#if JSON_C_VERSION_NUM >= ((0 << 16) | (15 << 8))
#define PARSE_END(tok) json_tokener_get_parse_end(tok)
#else
#define PARSE_END(tok) ((size_t)(tok)->char_offset)
#endif

int
hk_file_json_init(hk_file_json *j, hk_file_src *src, int mode, hk_error *err)
{
  memset(j, 0, sizeof *j);
  j->src = src;
  j->mode = mode;
  j->tok = json_tokener_new();
  if (!j->tok)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", src->path);
  /* RFC 8259: no trailing commas, single quotes or bare NaN */
  json_tokener_set_flags(j->tok, JSON_TOKENER_STRICT);
  return HK_OK;
}

void
hk_file_json_free(hk_file_json *j)
{
  if (j->tok)
    json_tokener_free(j->tok);
  j->tok = NULL;
}

/* What a value that is not an object is, from its first byte. */
static const char *
kind_of(char c)
{
  switch (c) {
  case '[':
    return "a JSON array";
  case '"':
    return "a JSON string";
  case 't':
  case 'f':
    return "a JSON bool";
  case 'n':
    return "a JSON null";
  default:
    return (c == '-' || (c >= '0' && c <= '9')) ? "a JSON number"
                                                : "text that is not JSON";
  }
}

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Parse text[0..n) as one object.  `line` is where the text starts; `col0`
 * its 1-based column in line mode, or 0 when the column is not known (a
 * value inside a long array), in which case messages give the byte offset
 * in the file.  `expect` completes the "(expected ...)" part of messages.
 */
static int
parse_object(hk_file_json *j, const char *text, size_t n, int64_t line,
             size_t col0, const char *expect, struct json_object **out,
             hk_error *err)
{
  const int64_t text_off =
      j->src->dropped + (int64_t)(text - j->src->buf); /* file offset */
  const char *path = j->src->path;
  if (text[0] != '{')
    return hk_error_set(err, HK_E_INVAL, "%s:%lld: %s (%s)", path,
                        (long long)line, kind_of(text[0]), expect),
           HK_FILE_BAD;
  json_tokener_reset(j->tok);
  struct json_object *obj = json_tokener_parse_ex(j->tok, text, (int)n);
  enum json_tokener_error jerr = json_tokener_get_error(j->tok);
  size_t used = PARSE_END(j->tok);
  if (!obj) {
    /* the line and column of the failing byte */
    int64_t at_line = line;
    size_t col = col0;
    for (size_t i = 0; i < used && i < n; i++) {
      if (text[i] == '\n') {
        at_line++;
        col = 0;
      }
      col++;
    }
    if (jerr == json_tokener_continue)
      hk_error_set(err, HK_E_INVAL,
                   "%s:%lld: JSON object not complete at the end of the %s "
                   "(%s)",
                   path, (long long)line,
                   j->mode == HK_FILE_JSON_LINES ? "line" : "file", expect);
    else if (col0)
      hk_error_set(
          err, HK_E_INVAL, "%s:%lld: malformed JSON at column %zu: %s (%s)",
          path, (long long)at_line, col, json_tokener_error_desc(jerr), expect);
    else
      hk_error_set(err, HK_E_INVAL,
                   "%s:%lld: malformed JSON at byte %lld of the file: %s "
                   "(%s)",
                   path, (long long)at_line, (long long)(text_off + used),
                   json_tokener_error_desc(jerr), expect);
    return HK_FILE_BAD;
  }
  for (size_t i = used; i < n; i++) {
    if (!is_space(text[i])) {
      json_object_put(obj);
      if (col0)
        hk_error_set(err, HK_E_INVAL,
                     "%s:%lld: unexpected text after the JSON object at "
                     "column %zu (%s)",
                     path, (long long)line, col0 + i, expect);
      else
        hk_error_set(err, HK_E_INVAL,
                     "%s:%lld: unexpected text after the JSON object at byte "
                     "%lld of the file (%s)",
                     path, (long long)line, (long long)(text_off + i), expect);
      return HK_FILE_BAD;
    }
  }
  *out = obj;
  return HK_FILE_REC;
}

static int
next_line(hk_file_json *j, struct json_object **out, hk_error *err)
{
  hk_file_src *s = j->src;
  size_t scanned = 0; /* bytes after pos known to hold no line feed */
  for (;;) {
    char *p = s->buf + s->pos, *end = s->buf + s->len;
    char *nl = memchr(p + scanned, '\n', (size_t)(end - p) - scanned);
    if (!nl && !s->eof) {
      scanned = (size_t)(end - p);
      int rc = hk_file_src_fill(s, err);
      if (rc < 0)
        return rc;
      continue;
    }
    if (!nl) {
      if (p == end)
        return HK_FILE_END;
      nl = end;
    }
    scanned = 0;
    j->line = s->line++;
    s->pos = nl == end ? s->len : (size_t)(nl + 1 - s->buf);
    char *a = p, *e = nl;
    while (a < e && is_space(*a))
      a++;
    while (e > a && is_space(e[-1]))
      e--;
    if (a == e)
      continue; /* blank line */
    return parse_object(j, a, (size_t)(e - a), j->line, (size_t)(a - p) + 1,
                        EXPECT_LINES, out, err);
  }
}

/* Skip white space, counting lines.  Returns the next byte, or -1 at the
 * end of the input or on a read error (then *rc holds the hk_status). */
static int
skip_space(hk_file_json *j, int *rc, hk_error *err)
{
  hk_file_src *s = j->src;
  *rc = HK_OK;
  for (;;) {
    while (s->pos < s->len) {
      char c = s->buf[s->pos];
      if (!is_space(c))
        return (unsigned char)c;
      if (c == '\n')
        s->line++;
      s->pos++;
    }
    if (s->eof)
      return -1;
    *rc = hk_file_src_fill(s, err);
    if (*rc < 0)
      return -1;
  }
}

/* Bytes taken by the JSON value at p[0..end) and the line feeds inside it,
 * or 0 when it runs past `end` (and the input goes on). */
static size_t
value_extent(const char *p, const char *end, int at_eof, int64_t *lines)
{
  const char *q = p;
  int64_t nl = 0;
  int depth = 0;
  if (*q != '{' && *q != '[') {
    if (*q == '"') { /* a string: to its closing quote */
      for (q++; q < end && *q != '"'; q++)
        if (*q == '\\')
          q++;
      if (q >= end)
        return at_eof ? (size_t)(end - p) : 0;
      *lines = 0;
      return (size_t)(q + 1 - p);
    }
    while (q < end && !is_space(*q) && *q != ',' && *q != ']' && *q != '}')
      q++;
    if (q == end && !at_eof)
      return 0;
    *lines = 0;
    return q == p ? 1 : (size_t)(q - p);
  }
  for (; q < end; q++) {
    char c = *q;
    if (c == '"') {
      for (q++; q < end && *q != '"'; q++) {
        if (*q == '\\')
          q++;
        else if (*q == '\n')
          nl++;
      }
      if (q >= end)
        break;
    } else if (c == '{' || c == '[') {
      depth++;
    } else if (c == '}' || c == ']') {
      if (--depth == 0) {
        *lines = nl;
        return (size_t)(q + 1 - p);
      }
    } else if (c == '\n') {
      nl++;
    }
  }
  if (at_eof) { /* unterminated: hand it all to json-c, which says why */
    *lines = nl;
    return (size_t)(end - p);
  }
  return 0;
}

enum array_state {
  ARR_OPEN,  /* before '[' */
  ARR_FIRST, /* after '[' */
  ARR_AFTER, /* after an element */
  ARR_NEXT,  /* after ',' */
  ARR_DONE   /* after ']' */
};

static int
next_value(hk_file_json *j, struct json_object **out, hk_error *err)
{
  hk_file_src *s = j->src;
  const char *path = s->path;
  const int array = j->mode == HK_FILE_JSON_ARRAY;
  const char *expect =
      array ? "expected an array of JSON objects" : "expected JSON objects";
  for (;;) {
    int rc;
    int c = skip_space(j, &rc, err);
    if (rc < 0)
      return rc;
    j->line = s->line;
    if (c < 0) {
      if (array && j->state != ARR_DONE)
        return hk_error_set(err, HK_E_INVAL,
                            "%s:%lld: JSON array not closed (expected ']' "
                            "before the end of the file)",
                            path, (long long)s->line);
      return HK_FILE_END;
    }
    if (array) {
      switch (j->state) {
      case ARR_OPEN:
        if (c != '[')
          return hk_error_set(err, HK_E_INVAL, "%s:%lld: %s (%s)", path,
                              (long long)s->line, kind_of((char)c), expect);
        s->pos++;
        j->state = ARR_FIRST;
        continue;
      case ARR_FIRST:
      case ARR_NEXT:
        if (c == ']') { /* also forgives a trailing comma */
          s->pos++;
          j->state = ARR_DONE;
          continue;
        }
        break;
      case ARR_AFTER:
        if (c == ',' || c == ']') {
          s->pos++;
          j->state = c == ',' ? ARR_NEXT : ARR_DONE;
          continue;
        }
        return hk_error_set(err, HK_E_INVAL,
                            "%s:%lld: unexpected '%c' after an array element "
                            "(expected ',' or ']')",
                            path, (long long)s->line, c);
      default:
        return hk_error_set(err, HK_E_INVAL,
                            "%s:%lld: unexpected text after the JSON array "
                            "(expected the end of the file)",
                            path, (long long)s->line);
      }
    }
    /* one value: find where it ends, reading more as needed */
    size_t n;
    int64_t lines = 0;
    for (;;) {
      n = value_extent(s->buf + s->pos, s->buf + s->len, s->eof, &lines);
      if (n > 0)
        break;
      rc = hk_file_src_fill(s, err);
      if (rc < 0)
        return rc;
    }
    char *v = s->buf + s->pos;
    s->pos += n;
    s->line += lines;
    j->state = ARR_AFTER;
    return parse_object(j, v, n, j->line, 0, expect, out, err);
  }
}

int
hk_file_json_next(hk_file_json *j, struct json_object **out, hk_error *err)
{
  *out = NULL;
  if (j->mode == HK_FILE_JSON_LINES)
    return next_line(j, out, err);
  return next_value(j, out, err);
}

int
hk_file_json_first_line_complete(hk_file_src *s, hk_error *err)
{
  int first = hk_file_src_peek_nonspace(s, err);
  if (first < 0)
    return first == -1 ? 0 : first;
  for (;;) {
    char *p = s->buf + s->pos, *end = s->buf + s->len;
    while (p < end && is_space(*p))
      p++;
    char *nl = memchr(p, '\n', (size_t)(end - p));
    if (!nl && !s->eof && s->len - s->pos < (16u << 20)) {
      int rc = hk_file_src_fill(s, err);
      if (rc < 0)
        return rc;
      continue;
    }
    if (!nl)
      nl = end;
    json_tokener *tok = json_tokener_new();
    if (!tok)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", s->path);
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
    json_object *o = json_tokener_parse_ex(tok, p, (int)(nl - p));
    int complete = o && json_tokener_get_error(tok) == json_tokener_success;
    if (complete)
      for (char *q = p + PARSE_END(tok); q < nl; q++)
        if (!is_space(*q))
          complete = 0;
    json_object_put(o);
    json_tokener_free(tok);
    return complete;
  }
}
