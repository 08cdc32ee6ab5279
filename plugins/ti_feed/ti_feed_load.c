/*
 * plugins/ti_feed/ti_feed_load.c -- reading indicator lists for
 * `ti_feed`: path patterns, format detection, and the CSV, plain text,
 * JSON (array) and NDJSON readers.  The MISP feed reader is in
 * ti_feed_misp.c.
 *
 * Every reader reports a malformed row through hk_tf_reader_bad with the
 * file and line, so `on_error: fail` stops with that place and
 * `on_error: skip` logs it (the first few) and goes on.
 */
#include "ti_feed_internal.h"

#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define TF_FILE_MAX (2048L * 1024 * 1024)
#define TF_BAD_SHOWN 5

int
hk_tf_reader_bad(hk_tf_reader *r, uint32_t line, const char *what,
                 hk_error *err)
{
  r->n_bad++;
  if (!r->opts->skip_errors) {
    if (line)
      return hk_error_set(err, HK_E_INVAL,
                          "%s:%u: %s (fix the list, or set on_error: skip to "
                          "skip such lines)",
                          r->path, line, what);
    return hk_error_set(err, HK_E_INVAL,
                        "%s: %s (fix the list, or set on_error: skip to skip "
                        "such entries)",
                        r->path, what);
  }
  if (r->n_bad <= TF_BAD_SHOWN) {
    if (line)
      HK_LOG_WARN(hk_tf_host, r->opts->inst, "%s:%u: %s; skipped", r->path,
                  line, what);
    else
      HK_LOG_WARN(hk_tf_host, r->opts->inst, "%s: %s; skipped", r->path, what);
  }
  return HK_OK;
}

void
hk_tf_reader_finish(hk_tf_reader *r)
{
  if (r->n_bad > TF_BAD_SHOWN)
    HK_LOG_WARN(hk_tf_host, r->opts->inst,
                "%s: skipped %zu malformed entries in all (the first %d are "
                "shown above)",
                r->path, r->n_bad, TF_BAD_SHOWN);
  if (r->n_added == 0 && r->n_bad == 0)
    HK_LOG_WARN(hk_tf_host, r->opts->inst, "%s holds no indicator", r->path);
  HK_LOG_INFO(hk_tf_host, r->opts->inst, "loaded %zu indicator%s from %s%s",
              r->n_added, r->n_added == 1 ? "" : "s", r->path,
              r->n_ignored ? " (some entries were of types not looked up)"
                           : "");
}

/* Add one row, reporting a malformed one. */
static int
add_row(hk_tf_reader *r, uint32_t line, const char *type, size_t type_len,
        const char *value, size_t value_len, const char *desc, size_t desc_len,
        const char *sev, size_t sev_len, hk_error *err)
{
  char why[300];
  int severity = r->opts->default_severity;
  size_t vs = 0;
  while (vs < value_len && isspace((unsigned char)value[vs]))
    vs++;
  if (vs == value_len)
    return hk_tf_reader_bad(r, line, "empty indicator value", err);
  if (sev && sev_len) {
    size_t s = 0;
    while (s < sev_len && isspace((unsigned char)sev[s]))
      s++;
    if (s < sev_len && !hk_tf_parse_severity(sev, sev_len, &severity)) {
      snprintf(why, sizeof why,
               "severity '%.*s' is not one of unknown, information, low, "
               "medium, high",
               (int)(sev_len > 40 ? 40 : sev_len), sev);
      return hk_tf_reader_bad(r, line, why, err);
    }
  }
  int rc = hk_tf_store_add(r, line, type ? type : "", type ? type_len : 0,
                           value, value_len, desc, desc_len, severity, NULL,
                           why, sizeof why);
  if (rc == HK_E_INVAL)
    return hk_tf_reader_bad(r, line, why, err);
  if (rc != HK_OK)
    return hk_error_set(err, rc, "%s:%u: %s", r->path, line,
                        rc == HK_E_NOMEM ? "out of memory" : why);
  return HK_OK;
}

static int
read_whole(const char *path, char **text, size_t *len, hk_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                        "cannot open %s: %s", path, strerror(errno));
  hk_buf b = HK_BUF_INIT;
  char chunk[65536];
  size_t n;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
    if (b.len + n > TF_FILE_MAX || hk_buf_append(&b, chunk, n) != HK_OK) {
      fclose(f);
      hk_buf_free(&b);
      return hk_error_set(err, HK_E_LIMIT,
                          "%s is too large (more than %ld MiB, or out of "
                          "memory)",
                          path, TF_FILE_MAX / (1024 * 1024));
    }
  }
  int failed = ferror(f);
  fclose(f);
  if (failed || hk_buf_append(&b, "", 0) != HK_OK) {
    hk_buf_free(&b);
    return hk_error_set(err, HK_E_IO, "cannot read %s", path);
  }
  *text = hk_buf_detach(&b, len);
  /* A UTF-8 byte order mark is not part of the first value. */
  if (*len >= 3 && memcmp(*text, "\xef\xbb\xbf", 3) == 0) {
    memmove(*text, *text + 3, *len - 3 + 1);
    *len -= 3;
  }
  return HK_OK;
}

/* ------------------------------------------------------------- text */

/* The next line of [*p, end) without its leading and trailing white space
 * in [*s, *e) (maybe empty); *p moves past it and *line counts it.  0 when
 * nothing is left. */
static int
next_line(const char **p, const char *end, uint32_t *line, const char **s,
          const char **e)
{
  if (*p >= end)
    return 0;
  const char *eol = memchr(*p, '\n', (size_t)(end - *p));
  if (!eol)
    eol = end;
  *s = *p;
  *e = eol;
  *p = eol + (eol < end);
  (*line)++;
  while (*s < *e && isspace((unsigned char)**s))
    (*s)++;
  while (*e > *s && isspace((unsigned char)(*e)[-1]))
    (*e)--;
  return 1;
}

static int
read_text(hk_tf_reader *r, const char *text, size_t len, hk_error *err)
{
  const char *p = text, *end = text + len, *s, *e;
  uint32_t line = 0;
  while (next_line(&p, end, &line, &s, &e)) {
    if (s == e || *s == '#')
      continue;
    /* "value  # comment": the comment needs a space before it, so URL
     * fragments survive. */
    for (const char *c = s + 1; c < e; c++)
      if (*c == '#' && (c[-1] == ' ' || c[-1] == '\t')) {
        e = c;
        break;
      }
    while (e > s && isspace((unsigned char)e[-1]))
      e--;
    int rc =
        add_row(r, line, NULL, 0, s, (size_t)(e - s), NULL, 0, NULL, 0, err);
    if (rc != HK_OK)
      return rc;
  }
  return HK_OK;
}

/* -------------------------------------------------------------- CSV */

/* One CSV record: fields as (offset, length) into `cells`. */
typedef struct csv_rec {
  hk_buf cells;
  size_t *off, *len;
  size_t n, cap;
} csv_rec;

static int
csv_push(csv_rec *rec, size_t start, size_t len)
{
  if (rec->n == rec->cap) {
    size_t cap = rec->cap ? rec->cap * 2 : 16;
    size_t *o = realloc(rec->off, cap * sizeof *o);
    if (!o)
      return HK_E_NOMEM;
    rec->off = o;
    size_t *l = realloc(rec->len, cap * sizeof *l);
    if (!l)
      return HK_E_NOMEM;
    rec->len = l;
    rec->cap = cap;
  }
  rec->off[rec->n] = start;
  rec->len[rec->n] = len;
  rec->n++;
  return HK_OK;
}

/* Parse the record at *p (RFC 4180: quoted fields may hold the delimiter,
 * "" and line breaks).  Returns 1 with the record, 0 at the end, -1 on an
 * unterminated quote.  *line advances by the lines consumed. */
static int
csv_next(const char **p, const char *end, char delim, csv_rec *rec,
         uint32_t *line)
{
  const char *c = *p;
  hk_buf_reset(&rec->cells);
  rec->n = 0;
  if (c >= end)
    return 0;
  size_t start = 0;
  for (;;) {
    start = rec->cells.len;
    if (c < end && *c == '"') {
      c++;
      for (;;) {
        if (c >= end)
          return -1;
        if (*c == '"') {
          if (c + 1 < end && c[1] == '"') {
            hk_buf_append_char(&rec->cells, '"');
            c += 2;
            continue;
          }
          c++;
          break;
        }
        if (*c == '\n')
          (*line)++;
        hk_buf_append_char(&rec->cells, *c++);
      }
      /* Text after the closing quote (lenient) up to the delimiter. */
      while (c < end && *c != delim && *c != '\n' && *c != '\r')
        hk_buf_append_char(&rec->cells, *c++);
    } else {
      const char *s = c;
      while (c < end && *c != delim && *c != '\n' && *c != '\r')
        c++;
      hk_buf_append(&rec->cells, s, (size_t)(c - s));
    }
    size_t flen = rec->cells.len - start;
    /* NUL-separated, so a field can be used as a C string. */
    if (hk_buf_append_char(&rec->cells, '\0') != HK_OK ||
        csv_push(rec, start, flen) != HK_OK)
      return -2;
    if (c < end && *c == delim) {
      c++;
      continue;
    }
    break;
  }
  if (c < end && *c == '\r')
    c++;
  if (c < end && *c == '\n')
    c++;
  (*line)++;
  *p = c;
  return 1;
}

static const char *
cell(const csv_rec *rec, size_t i, size_t *len)
{
  *len = rec->len[i];
  return rec->cells.data + rec->off[i];
}

/* Column index for `spec` (a header name, or a 1-based number): -1 when
 * absent. */
static long
find_column(const csv_rec *header, int have_header, const char *spec)
{
  char *end;
  long n = strtol(spec, &end, 10);
  if (*spec && !*end && n >= 1)
    return n - 1;
  if (!have_header)
    return -1;
  size_t sl = strlen(spec);
  for (size_t i = 0; i < header->n; i++) {
    size_t l;
    const char *c = cell(header, i, &l);
    while (l && isspace((unsigned char)*c)) {
      c++;
      l--;
    }
    while (l && isspace((unsigned char)c[l - 1]))
      l--;
    if (l == sl && strncasecmp(c, spec, l) == 0)
      return (long)i;
  }
  return -1;
}

static void
header_names(const csv_rec *h, char *out, size_t cap)
{
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < h->n && used + 1 < cap; i++) {
    size_t l;
    const char *c = cell(h, i, &l);
    int n = snprintf(out + used, cap - used, "%s%.*s", i ? ", " : "",
                     (int)(l > 40 ? 40 : l), c);
    if (n < 0)
      break;
    used += (size_t)n;
  }
}

static int
read_csv(hk_tf_reader *r, const char *text, size_t len, char delim,
         hk_error *err)
{
  const hk_tf_opts *o = r->opts;
  const char *p = text, *end = text + len;
  csv_rec rec, header;
  uint32_t line = 0;
  int rc = HK_OK, have_header = 0;
  long c_value, c_type = -1, c_desc = -1, c_sev = -1;
  memset(&rec, 0, sizeof rec);
  memset(&header, 0, sizeof header);

  /* Skip comment and blank lines before the header (abuse.ch style
   * "# ..." preambles).  A commented-out header ("# col,col") is skipped
   * too: read such a list with header: false and column numbers. */
  for (;;) {
    const char *q = p;
    while (q < end && (*q == ' ' || *q == '\t'))
      q++;
    if (q < end && (*q == '#' || *q == '\n' || *q == '\r')) {
      const char *eol = memchr(q, '\n', (size_t)(end - q));
      p = eol ? eol + 1 : end;
      line++;
      continue;
    }
    break;
  }
  if (o->header) {
    uint32_t at = line + 1;
    int got = csv_next(&p, end, delim, &header, &line);
    if (got == 0) {
      rc = HK_OK;
      goto out;
    }
    if (got < 0) {
      rc = hk_error_set(err, HK_E_INVAL,
                        "%s:%u: unterminated quote in the "
                        "header",
                        r->path, at);
      goto out;
    }
    have_header = 1;
  }
  c_value = find_column(&header, have_header, o->value_column);
  if (c_value < 0) {
    char names[400];
    header_names(&header, names, sizeof names);
    rc = hk_error_set(err, HK_E_CONFIG,
                      have_header
                          ? "%s: no column '%s' in the header (columns: %s); "
                            "set value_column"
                          : "%s: value_column '%s' is not a column number "
                            "(header: false)%s",
                      r->path, o->value_column, names);
    goto out;
  }
  struct {
    const char *spec;
    int set;
    long *col;
    const char *key;
  } opt_cols[] = {
      {o->type_column, o->type_column_set, &c_type, "type_column"},
      {o->desc_column, o->desc_column_set, &c_desc, "description_column"},
      {o->severity_column, o->severity_column_set, &c_sev, "severity_column"}};
  for (size_t k = 0; k < 3; k++) {
    if (!opt_cols[k].spec || !*opt_cols[k].spec)
      continue;
    *opt_cols[k].col = find_column(&header, have_header, opt_cols[k].spec);
    if (*opt_cols[k].col < 0 && opt_cols[k].set) {
      char names[400];
      header_names(&header, names, sizeof names);
      rc = hk_error_set(err, HK_E_CONFIG,
                        "%s: no column '%s' (%s) in the header (columns: %s)",
                        r->path, opt_cols[k].spec, opt_cols[k].key, names);
      goto out;
    }
  }

  for (;;) {
    uint32_t at = line + 1;
    const char *q = p;
    while (q < end && (*q == ' ' || *q == '\t'))
      q++;
    if (q < end && (*q == '#' || *q == '\n' || *q == '\r')) {
      const char *eol = memchr(q, '\n', (size_t)(end - q));
      p = eol ? eol + 1 : end;
      line++;
      continue;
    }
    int got = csv_next(&p, end, delim, &rec, &line);
    if (got == 0)
      break;
    if (got == -2) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory reading %s", r->path);
      break;
    }
    if (got < 0) {
      rc = hk_tf_reader_bad(r, at,
                            "unterminated quote (the rest of the file "
                            "was not read)",
                            err);
      break;
    }
    if ((size_t)c_value >= rec.n) {
      char why[120];
      snprintf(why, sizeof why, "%zu field%s, but the value is column %ld",
               rec.n, rec.n == 1 ? "" : "s", c_value + 1);
      if ((rc = hk_tf_reader_bad(r, at, why, err)) != HK_OK)
        break;
      continue;
    }
    size_t vl, tl = 0, dl = 0, sl = 0;
    const char *v = cell(&rec, (size_t)c_value, &vl), *t = NULL, *d = NULL,
               *s = NULL;
    if (c_type >= 0 && (size_t)c_type < rec.n)
      t = cell(&rec, (size_t)c_type, &tl);
    if (c_desc >= 0 && (size_t)c_desc < rec.n)
      d = cell(&rec, (size_t)c_desc, &dl);
    if (c_sev >= 0 && (size_t)c_sev < rec.n)
      s = cell(&rec, (size_t)c_sev, &sl);
    if ((rc = add_row(r, at, t, tl, v, vl, d, dl, s, sl, err)) != HK_OK)
      break;
  }
out:
  hk_buf_free(&rec.cells);
  free(rec.off);
  free(rec.len);
  hk_buf_free(&header.cells);
  free(header.off);
  free(header.len);
  return rc;
}

/* ------------------------------------------------------------- JSON */

static const char *
member_text(json_object *obj, const char *key, size_t *len)
{
  json_object *m;
  if (!key || !*key || !json_object_object_get_ex(obj, key, &m) || !m ||
      json_object_is_type(m, json_type_null))
    return NULL;
  if (json_object_is_type(m, json_type_object) ||
      json_object_is_type(m, json_type_array))
    return NULL;
  const char *s = json_object_get_string(m);
  *len = s ? strlen(s) : 0;
  return s;
}

static int
add_json_value(hk_tf_reader *r, uint32_t line, json_object *v, hk_error *err)
{
  const hk_tf_opts *o = r->opts;
  size_t vl = 0, tl = 0, dl = 0, sl = 0;
  if (json_object_is_type(v, json_type_string)) {
    const char *s = json_object_get_string(v);
    return add_row(r, line, NULL, 0, s, strlen(s), NULL, 0, NULL, 0, err);
  }
  if (!json_object_is_type(v, json_type_object))
    return hk_tf_reader_bad(r, line,
                            "not an object (want {\"value\": ..., \"type\": "
                            "...}) or a string",
                            err);
  const char *val = member_text(v, o->value_column, &vl);
  if (!val) {
    char why[120];
    snprintf(why, sizeof why, "no \"%s\" member (value_column)",
             o->value_column);
    return hk_tf_reader_bad(r, line, why, err);
  }
  const char *t = member_text(v, o->type_column, &tl);
  const char *d = member_text(v, o->desc_column, &dl);
  const char *s = member_text(v, o->severity_column, &sl);
  return add_row(r, line, t, tl, val, vl, d, dl, s, sl, err);
}

/* The line of `pos`, counting on from the last call. */
static uint32_t
line_at(const char *pos, const char **last, uint32_t *line)
{
  for (const char *c = *last; c < pos; c++)
    *line += *c == '\n';
  *last = pos;
  return *line;
}

/* One JSON value at the start of [text, text + len) with `tok`; NULL with
 * *je set when it is malformed or cut short. */
static json_object *
parse_value(json_tokener *tok, const char *text, size_t len,
            enum json_tokener_error *je)
{
  json_tokener_reset(tok);
  json_object *v = json_tokener_parse_ex(tok, text, (int)len);
  *je = json_tokener_get_error(tok);
  if (!v && *je == json_tokener_continue)
    *je = json_tokener_error_parse_eof;
  return v;
}

/* A JSON array, element by element, so each element's line is known and
 * a malformed element can be skipped. */
static int
read_json_array(hk_tf_reader *r, const char *text, size_t len, hk_error *err)
{
  const char *p = text, *end = text + len, *last = text;
  uint32_t line = 1;
  int rc = HK_OK;
  json_tokener *tok = json_tokener_new();
  if (!tok)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  while (p < end && isspace((unsigned char)*p))
    p++;
  p++; /* '[' */
  for (;;) {
    while (p < end && (isspace((unsigned char)*p) || *p == ','))
      p++;
    if (p >= end) {
      rc = hk_error_set(err, HK_E_INVAL,
                        "%s:%u: the JSON array is not closed (truncated "
                        "file?)",
                        r->path, line_at(p, &last, &line));
      break;
    }
    if (*p == ']')
      break;
    uint32_t at = line_at(p, &last, &line);
    enum json_tokener_error je;
    json_object *v = parse_value(tok, p, (size_t)(end - p), &je);
    if (je != json_tokener_success) {
      char why[200];
      snprintf(why, sizeof why,
               "malformed JSON: %s (the rest of the file "
               "was not read)",
               json_tokener_error_desc(je));
      rc = hk_tf_reader_bad(r, at, why, err);
      break;
    }
#if defined(JSON_C_VERSION_NUM) && JSON_C_VERSION_NUM >= ((0 << 16) | (15 << 8))
    p += json_tokener_get_parse_end(tok);
#else
    p += tok->char_offset;
#endif
    rc = add_json_value(r, at, v, err);
    json_object_put(v);
    if (rc != HK_OK)
      break;
  }
  json_tokener_free(tok);
  return rc;
}

static int
read_ndjson(hk_tf_reader *r, const char *text, size_t len, hk_error *err)
{
  const char *p = text, *end = text + len, *s, *e;
  uint32_t line = 0;
  int rc = HK_OK;
  json_tokener *tok = json_tokener_new();
  if (!tok)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  while (next_line(&p, end, &line, &s, &e)) {
    if (s == e)
      continue;
    enum json_tokener_error je;
    json_object *v = parse_value(tok, s, (size_t)(e - s), &je);
    if (je != json_tokener_success) {
      char why[160];
      snprintf(why, sizeof why, "malformed JSON: %s",
               json_tokener_error_desc(je));
      json_object_put(v);
      if ((rc = hk_tf_reader_bad(r, line, why, err)) != HK_OK)
        break;
      continue;
    }
    rc = add_json_value(r, line, v, err);
    json_object_put(v);
    if (rc != HK_OK)
      break;
  }
  json_tokener_free(tok);
  return rc;
}

/* ------------------------------------------------------------ files */

static int
has_suffix(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static const char *
base_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static int
load_file(hk_tf_store *st, const hk_tf_opts *opts, const char *path,
          const char *format, hk_error *err)
{
  struct stat sb;
  if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
    char manifest[4200];
    snprintf(manifest, sizeof manifest, "%s/manifest.json", path);
    if ((!strcmp(format, "auto") || !strcmp(format, "misp")) &&
        stat(manifest, &sb) == 0)
      return hk_tf_load_misp(st, opts, path, err);
    return hk_error_set(err, HK_E_CONFIG,
                        "%s is a directory without a MISP feed manifest.json; "
                        "name the list files (globs are fine: %s/*.csv)",
                        path, path);
  }
  if (!strcmp(format, "misp") ||
      (!strcmp(format, "auto") && !strcmp(base_name(path), "manifest.json"))) {
    char dir[4200];
    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash && !strcmp(slash + 1, "manifest.json"))
      *slash = '\0';
    else if (!slash && !strcmp(dir, "manifest.json"))
      snprintf(dir, sizeof dir, ".");
    return hk_tf_load_misp(st, opts, dir, err);
  }

  char *text = NULL;
  size_t len = 0;
  int rc = read_whole(path, &text, &len, err);
  if (rc != HK_OK)
    return rc;
  const char *fmt = format;
  char delim = opts->delimiter;
  if (!strcmp(fmt, "auto")) {
    if (has_suffix(path, ".csv"))
      fmt = "csv";
    else if (has_suffix(path, ".tsv")) {
      fmt = "csv";
      if (!delim)
        delim = '\t';
    } else if (has_suffix(path, ".ndjson") || has_suffix(path, ".jsonl"))
      fmt = "ndjson";
    else if (has_suffix(path, ".json")) {
      const char *c = text;
      while (*c && isspace((unsigned char)*c))
        c++;
      fmt = *c == '[' ? "json" : "ndjson";
    } else
      fmt = "text";
  }
  if (!delim)
    delim = ',';
  uint32_t list;
  if (hk_tf_store_add_list(st, path, base_name(path), &list) != HK_OK) {
    free(text);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  hk_tf_reader r = {st, opts, list, path, 0, 0, 0};
  if (!strcmp(fmt, "csv"))
    rc = read_csv(&r, text, len, delim, err);
  else if (!strcmp(fmt, "json")) {
    const char *c = text;
    while (*c && isspace((unsigned char)*c))
      c++;
    if (*c != '[')
      rc = hk_error_set(err, HK_E_INVAL,
                        "%s: a JSON list must be an array of objects (or use "
                        "format: ndjson for one object per line)",
                        path);
    else
      rc = read_json_array(&r, text, len, err);
  } else if (!strcmp(fmt, "ndjson"))
    rc = read_ndjson(&r, text, len, err);
  else
    rc = read_text(&r, text, len, err);
  free(text);
  if (rc == HK_OK)
    hk_tf_reader_finish(&r);
  return rc;
}

static int
has_glob(const char *s)
{
  return strpbrk(s, "*?[{") != NULL;
}

int
hk_tf_load_path(hk_tf_store *st, const hk_tf_opts *opts, const char *pattern,
                const char *format, hk_error *err)
{
  glob_t g;
  memset(&g, 0, sizeof g);
  int flags = GLOB_TILDE | GLOB_BRACE;
  if (!has_glob(pattern) && pattern[0] != '~') {
    struct stat sb;
    if (stat(pattern, &sb) != 0)
      return hk_error_set(err, HK_E_NOTFOUND, "cannot open %s: %s", pattern,
                          strerror(errno));
    return load_file(st, opts, pattern, format, err);
  }
  int grc = glob(pattern, flags, NULL, &g);
  if (grc == GLOB_NOMATCH) {
    globfree(&g);
    return hk_error_set(err, HK_E_NOTFOUND, "'%s' matches no file", pattern);
  }
  if (grc != 0) {
    globfree(&g);
    return hk_error_set(err, HK_E_IO, "cannot expand '%s'", pattern);
  }
  int rc = HK_OK;
  for (size_t i = 0; i < g.gl_pathc && rc == HK_OK; i++)
    rc = load_file(st, opts, g.gl_pathv[i], format, err);
  globfree(&g);
  return rc;
}
