/*
 * plugins/tableops/common.c -- table plumbing the five analyzers share:
 * the input stream with its schema, column lookup with helpful errors,
 * cell copying into a builder, typed cell ordering, and the parsers for
 * numbers, booleans and ISO-8601 times that comparisons need.
 */
#include "tableops.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---------------------------------------------------------------- columns */

int
tableops_columns_from_schema(const struct ArrowSchema *schema, const char *who,
                             tableops_columns *out, hk_error *err)
{
  size_t n = schema->n_children > 0 ? (size_t)schema->n_children : 0;
  out->n = 0;
  out->names = calloc(n ? n : 1, sizeof *out->names);
  out->types = calloc(n ? n : 1, sizeof *out->types);
  if (!out->names || !out->types) {
    tableops_columns_free(out);
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", who);
  }
  for (size_t i = 0; i < n; i++) {
    const struct ArrowSchema *child = schema->children[i];
    int type =
        child && child->format ? hk_column_type_from_format(child->format) : -1;
    if (type < 0) {
      int rc = hk_error_set(err, HK_E_NOTSUP,
                            "%s: column %zu ('%s') has Arrow format '%s', "
                            "which huntkit does not read",
                            who, i + 1, child && child->name ? child->name : "",
                            child && child->format ? child->format : "");
      tableops_columns_free(out);
      return rc;
    }
    out->names[i] = child->name ? child->name : "";
    out->types[i] = type;
  }
  out->n = n;
  return HK_OK;
}

int
tableops_error_context(hk_error *err, const char *what)
{
  char old[HK_ERROR_MSG_MAX];
  if (!err)
    return HK_E_FAIL;
  snprintf(old, sizeof old, "%s", err->msg);
  return hk_error_set(err, err->code ? err->code : HK_E_FAIL, "%s: %.400s",
                      what, old);
}

void
tableops_columns_free(tableops_columns *c)
{
  free(c->names);
  free(c->types);
  c->names = NULL;
  c->types = NULL;
  c->n = 0;
}

int64_t
tableops_columns_find(const tableops_columns *c, const char *name)
{
  for (size_t i = 0; i < c->n; i++)
    if (strcmp(c->names[i], name) == 0)
      return (int64_t)i;
  return -1;
}

void
tableops_columns_text(const tableops_columns *c, char *buf, size_t cap)
{
  size_t len = 0;
  snprintf(buf, cap, "none");
  for (size_t i = 0; i < c->n; i++) {
    size_t need = strlen(c->names[i]) + 2;
    if (len + need + 5 >= cap) {
      snprintf(buf + len, cap - len, "%s...", i ? ", " : "");
      break;
    }
    len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "",
                            c->names[i]);
  }
}

int
tableops_error_no_column(hk_error *err, const char *who, const char *name,
                         const tableops_columns *c)
{
  char list[360];
  const char *hint = NULL;
  tableops_columns_text(c, list, sizeof list);
  for (size_t i = 0; i < c->n && !hint; i++)
    if (strcasecmp(c->names[i], name) == 0)
      hint = c->names[i];
  if (hint)
    return hk_error_set(err, HK_E_NOTFOUND,
                        "%s: no column '%s' (did you mean '%s'? columns: %s)",
                        who, name, hint, list);
  return hk_error_set(err, HK_E_NOTFOUND, "%s: no column '%s' (columns: %s)",
                      who, name, list);
}

/* ---------------------------------------------------------------- builder */

hk_table_builder *
tableops_builder_new(const tableops_columns *c, const size_t *which,
                     const char *const *names, size_t n, const char *who,
                     hk_error *err)
{
  hk_table_builder *b = hk_table_builder_new();
  if (!b) {
    hk_error_set(err, HK_E_NOMEM, "%s: out of memory", who);
    return NULL;
  }
  for (size_t i = 0; i < n; i++) {
    size_t col = which ? which[i] : i;
    const char *name = names && names[i] ? names[i] : c->names[col];
    int rc = hk_table_builder_add_column(b, name, c->types[col]);
    if (rc < 0) {
      hk_error_set(err, rc, "%s: cannot add column '%s' to the output", who,
                   name);
      hk_table_builder_free(b);
      return NULL;
    }
  }
  return b;
}

int
tableops_copy_cell(hk_table_builder *b, size_t out_col, const hk_batch_view *v,
                   int64_t col, int type, int64_t row)
{
  if (type == HK_COL_NULL || hk_batch_view_is_null(v, col, row))
    return hk_table_builder_append_null(b, out_col);
  switch (type) {
  case HK_COL_INT64:
    return hk_table_builder_append_int64(b, out_col,
                                         hk_batch_view_int64(v, col, row));
  case HK_COL_FLOAT64:
    return hk_table_builder_append_float64(b, out_col,
                                           hk_batch_view_float64(v, col, row));
  case HK_COL_BOOL:
    return hk_table_builder_append_bool(b, out_col,
                                        hk_batch_view_bool(v, col, row));
  case HK_COL_TIMESTAMP:
    return hk_table_builder_append_timestamp(
        b, out_col, hk_batch_view_timestamp(v, col, row));
  case HK_COL_UTF8: {
    size_t len = 0;
    const char *s = hk_batch_view_utf8(v, col, row, &len);
    return hk_table_builder_append_utf8(b, out_col, s, len);
  }
  default:
    return HK_E_INVAL;
  }
}

int
tableops_copy_rows(hk_table_builder *b, size_t out_col, const hk_batch_view *v,
                   int64_t col, int type, const uint8_t *keep, int64_t first,
                   int64_t last)
{
  for (int64_t r = first; r < last; r++) {
    if (keep && !keep[r])
      continue;
    int rc = tableops_copy_cell(b, out_col, v, col, type, r);
    if (rc != HK_OK)
      return rc;
  }
  return HK_OK;
}

/* ----------------------------------------------------------------- input */

static int
errno_status(int e)
{
  switch (e) {
  case ENOMEM:
    return HK_E_NOMEM;
  case EINVAL:
    return HK_E_INVAL;
  case ECANCELED:
    return HK_E_CANCELED;
  default:
    return HK_E_IO;
  }
}

/* An upstream failure keeps the upstream's own words: they already name
 * the stage, file and line at fault. */
static int
upstream_error(struct ArrowArrayStream *s, int e, const char *who,
               hk_error *err)
{
  const char *msg = s->get_last_error ? s->get_last_error(s) : NULL;
  if (msg && *msg)
    return hk_error_set(err, errno_status(e), "%s", msg);
  return hk_error_set(err, errno_status(e), "%s: the input stream failed: %s",
                      who, strerror(e));
}

int
tableops_input_open(tableops_input *in, struct ArrowArrayStream *stream,
                    const char *who, hk_error *err)
{
  memset(in, 0, sizeof *in);
  if (!stream || !stream->release) {
    return hk_error_set(err, HK_E_INVAL,
                        "%s: no input table (put a provider "
                        "stage before it)",
                        who);
  }
  in->who = who;
  in->stream = *stream;
  stream->release = NULL;
  int rc = HK_OK;
  int e = in->stream.get_schema(&in->stream, &in->schema);
  if (e != 0) {
    memset(&in->schema, 0, sizeof in->schema);
    rc = upstream_error(&in->stream, e, who, err);
  } else if (!in->schema.release) {
    rc = hk_error_set(err, HK_E_INVAL, "%s: the input gave no schema", who);
  }
  if (rc == HK_OK)
    rc = hk_table_validate_schema(&in->schema, err);
  if (rc == HK_OK)
    rc = tableops_columns_from_schema(&in->schema, who, &in->cols, err);
  if (rc != HK_OK)
    tableops_input_close(in);
  return rc;
}

int
tableops_input_next(tableops_input *in, struct ArrowArray *out, hk_error *err)
{
  memset(out, 0, sizeof *out);
  if (!in->stream.release)
    return HK_OK;
  int e = in->stream.get_next(&in->stream, out);
  if (e != 0) {
    memset(out, 0, sizeof *out);
    return upstream_error(&in->stream, e, in->who, err);
  }
  return HK_OK;
}

void
tableops_input_stop(tableops_input *in)
{
  hk_stream_release(&in->stream);
}

void
tableops_input_close(tableops_input *in)
{
  hk_stream_release(&in->stream);
  hk_schema_release(&in->schema);
  tableops_columns_free(&in->cols);
}

int
tableops_output_init(struct ArrowArrayStream *out,
                     int (*schema)(void *, struct ArrowSchema *, hk_error *),
                     int (*next)(void *, struct ArrowArray *, hk_error *),
                     void (*free_ud)(void *), void *ud, hk_error *err)
{
  hk_stream_callbacks cb;
  memset(&cb, 0, sizeof cb);
  cb.struct_size = sizeof cb;
  cb.schema = schema;
  cb.next = next;
  cb.free_ud = free_ud;
  /* On failure hk_stream_init_callbacks frees `ud` through free_ud. */
  return hk_stream_init_callbacks(out, &cb, ud, err);
}

/* ---------------------------------------------------------------- values */

static void
trim(const char **s, size_t *len)
{
  while (*len && (**s == ' ' || **s == '\t')) {
    (*s)++;
    (*len)--;
  }
  while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t'))
    (*len)--;
}

int
tableops_parse_number(const char *s, size_t len, int64_t *i, double *f)
{
  char buf[80];
  trim(&s, &len);
  if (len == 0 || len >= sizeof buf)
    return 0;
  memcpy(buf, s, len);
  buf[len] = '\0';
  const char *digits = buf[0] == '-' || buf[0] == '+' ? buf + 1 : buf;
  if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    char *end;
    if (!((digits[2] >= '0' && digits[2] <= '9') ||
          (digits[2] >= 'a' && digits[2] <= 'f') ||
          (digits[2] >= 'A' && digits[2] <= 'F')))
      return 0;
    errno = 0;
    unsigned long long u = strtoull(digits + 2, &end, 16);
    if (*end || errno == ERANGE || u > (unsigned long long)INT64_MAX)
      return 0;
    *i = buf[0] == '-' ? -(int64_t)u : (int64_t)u;
    return 1;
  }
  /* Only decimal notation: strtod would also take "inf", "nan" and hex
   * floats, which are not numbers an analyst typed. */
  bool seen_digit = false;
  for (const char *p = digits; *p; p++) {
    if (*p >= '0' && *p <= '9')
      seen_digit = true;
    else if (*p != '.' && *p != 'e' && *p != 'E' && *p != '-' && *p != '+')
      return 0;
  }
  if (!seen_digit ||
      !((digits[0] >= '0' && digits[0] <= '9') ||
        (digits[0] == '.' && digits[1] >= '0' && digits[1] <= '9')))
    return 0;
  char *end;
  errno = 0;
  long long v = strtoll(buf, &end, 10);
  if (!*end && errno != ERANGE) {
    *i = v;
    return 1;
  }
  errno = 0;
  double d = strtod(buf, &end);
  if (*end || errno == ERANGE)
    return 0;
  *f = d;
  return 2;
}

int
tableops_parse_bool(const char *s, size_t len, int *b)
{
  trim(&s, &len);
  if (len == 4 && strncasecmp(s, "true", 4) == 0) {
    *b = 1;
    return 1;
  }
  if (len == 5 && strncasecmp(s, "false", 5) == 0) {
    *b = 0;
    return 1;
  }
  return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static bool
digits_at(const char *s, size_t len, size_t p, size_t n, int *out)
{
  int v = 0;
  if (p + n > len)
    return false;
  for (size_t k = 0; k < n; k++) {
    if (s[p + k] < '0' || s[p + k] > '9')
      return false;
    v = v * 10 + (s[p + k] - '0');
  }
  *out = v;
  return true;
}

int
tableops_parse_iso8601(const char *s, size_t len, int64_t *us)
{
  static const unsigned mdays[] = {31, 28, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
  int y, mo, d, h = 0, mi = 0, sec = 0;
  int64_t frac_us = 0, offset_s = 0;
  size_t p;
  trim(&s, &len);
  if (!digits_at(s, len, 0, 4, &y) || len < 10 || s[4] != '-' ||
      !digits_at(s, len, 5, 2, &mo) || s[7] != '-' ||
      !digits_at(s, len, 8, 2, &d))
    return 0;
  if (mo < 1 || mo > 12 || d < 1)
    return 0;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if ((unsigned)d > mdays[mo - 1] + (mo == 2 && leap))
    return 0;
  p = 10;
  if (p < len && (s[p] == 'T' || s[p] == 't' || s[p] == ' ')) {
    p++;
    if (!digits_at(s, len, p, 2, &h) || p + 2 >= len || s[p + 2] != ':' ||
        !digits_at(s, len, p + 3, 2, &mi))
      return 0;
    p += 5;
    if (p < len && s[p] == ':') {
      if (!digits_at(s, len, p + 1, 2, &sec))
        return 0;
      p += 3;
      if (p < len && (s[p] == '.' || s[p] == ',')) {
        size_t nd = 0;
        p++;
        while (p < len && s[p] >= '0' && s[p] <= '9') {
          if (nd < 6)
            frac_us = frac_us * 10 + (s[p] - '0');
          nd++;
          p++;
        }
        if (nd == 0)
          return 0;
        for (size_t k = nd; k < 6; k++)
          frac_us *= 10;
      }
    }
    if (h > 23 || mi > 59 || sec > 59)
      return 0;
    if (p < len && (s[p] == 'Z' || s[p] == 'z')) {
      p++;
    } else if (p < len && (s[p] == '+' || s[p] == '-')) {
      int oh, om = 0;
      int sign = s[p] == '-' ? -1 : 1;
      if (!digits_at(s, len, p + 1, 2, &oh))
        return 0;
      p += 3;
      if (p < len && s[p] == ':')
        p++;
      if (p < len) {
        if (!digits_at(s, len, p, 2, &om))
          return 0;
        p += 2;
      }
      if (oh > 23 || om > 59)
        return 0;
      offset_s = sign * (oh * 3600 + om * 60);
    }
  }
  if (p != len)
    return 0;
  int64_t days = days_from_civil(y, (unsigned)mo, (unsigned)d);
  int64_t secs = days * 86400 + h * 3600 + mi * 60 + sec - offset_s;
  *us = secs * 1000000 + frac_us;
  return 1;
}

/* ---------------------------------------------------------------- cells */

bool
tableops_cell_is_missing(const hk_batch_view *v, int64_t col, int type,
                         int64_t row)
{
  if (type == HK_COL_NULL || hk_batch_view_is_null(v, col, row))
    return true;
  return type == HK_COL_FLOAT64 && isnan(hk_batch_view_float64(v, col, row));
}

static int
cmp_i64(int64_t a, int64_t b)
{
  return a < b ? -1 : a > b;
}

int
tableops_cell_cmp(const hk_batch_view *va, int64_t ca, int64_t ra,
                  const hk_batch_view *vb, int64_t cb, int64_t rb, int type)
{
  switch (type) {
  case HK_COL_INT64:
    return cmp_i64(hk_batch_view_int64(va, ca, ra),
                   hk_batch_view_int64(vb, cb, rb));
  case HK_COL_TIMESTAMP:
    return cmp_i64(hk_batch_view_timestamp(va, ca, ra),
                   hk_batch_view_timestamp(vb, cb, rb));
  case HK_COL_BOOL:
    return cmp_i64(hk_batch_view_bool(va, ca, ra) != 0,
                   hk_batch_view_bool(vb, cb, rb) != 0);
  case HK_COL_FLOAT64: {
    double a = hk_batch_view_float64(va, ca, ra);
    double b = hk_batch_view_float64(vb, cb, rb);
    return a < b ? -1 : a > b;
  }
  case HK_COL_UTF8: {
    size_t la = 0, lb = 0;
    const char *a = hk_batch_view_utf8(va, ca, ra, &la);
    const char *b = hk_batch_view_utf8(vb, cb, rb, &lb);
    int c = la && lb ? memcmp(a, b, la < lb ? la : lb) : 0;
    if (c)
      return c < 0 ? -1 : 1;
    return cmp_i64((int64_t)la, (int64_t)lb);
  }
  default:
    return 0;
  }
}

/* ---------------------------------------------------------------- sorting */

int
tableops_sort_items(tableops_sort_item *a, size_t n,
                    int (*cmp)(const tableops_sort_item *x,
                               const tableops_sort_item *y, void *ctx),
                    void *ctx)
{
  if (n < 2)
    return HK_OK;
  tableops_sort_item *tmp = malloc(n * sizeof *tmp);
  if (!tmp)
    return HK_E_NOMEM;
  /* Bottom-up: short runs by insertion sort, then merges that take from
   * the left run on ties, which keeps equal keys in input order. */
  const size_t run = 16;
  for (size_t lo = 0; lo < n; lo += run) {
    size_t hi = lo + run < n ? lo + run : n;
    for (size_t i = lo + 1; i < hi; i++) {
      tableops_sort_item x = a[i];
      size_t j = i;
      while (j > lo && cmp(&a[j - 1], &x, ctx) > 0) {
        a[j] = a[j - 1];
        j--;
      }
      a[j] = x;
    }
  }
  tableops_sort_item *src = a, *dst = tmp;
  for (size_t width = run; width < n; width *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
      size_t mid = lo + width < n ? lo + width : n;
      size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
      size_t i = lo, j = mid, k = lo;
      if (mid < hi && cmp(&src[mid - 1], &src[mid], ctx) <= 0) {
        /* Already in order: a plain copy. */
        memcpy(dst + lo, src + lo, (hi - lo) * sizeof *dst);
        continue;
      }
      while (i < mid && j < hi)
        dst[k++] = cmp(&src[j], &src[i], ctx) < 0 ? src[j++] : src[i++];
      while (i < mid)
        dst[k++] = src[i++];
      while (j < hi)
        dst[k++] = src[j++];
    }
    tableops_sort_item *t = src;
    src = dst;
    dst = t;
  }
  if (src != a)
    memcpy(a, src, n * sizeof *a);
  free(tmp);
  return HK_OK;
}
