/*
 * sdk/lib/table_reader.c -- hk_batch_view: typed cell access to one
 * validated batch, and the text form of any cell.
 *
 * The view resolves each column once (type, buffers, and the combined
 * struct + child offset), so a getter is one index computation and one
 * load.
 */
#include "sdk_internal.h"

#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct view_column {
  hk_column_view cv; /* base = struct offset + child offset */
  const char *name;
};

struct view_priv {
  struct view_column *cols;
};

static inline const struct view_column *
view_col(const hk_batch_view *v, int64_t col)
{
  const struct view_priv *p = v->priv;
  assert(p && col >= 0 && col < v->columns);
  return &p->cols[col];
}

int
hk_batch_view_init(hk_batch_view *v, const struct ArrowSchema *schema,
                   const struct ArrowArray *array, hk_error *err)
{
  struct view_priv *p;
  int64_t i, n;
  int rc;

  if (!v)
    return hk_error_set(err, HK_E_INVAL, "batch view: NULL view");
  memset(v, 0, sizeof *v);
  v->struct_size = (uint32_t)sizeof *v;
  rc = hk_table_validate_batch(schema, array, err);
  if (rc != HK_OK)
    return rc;
  n = schema->n_children;
  p = calloc(1, sizeof *p);
  if (p && n)
    p->cols = calloc((size_t)n, sizeof *p->cols);
  if (!p || (n && !p->cols)) {
    free(p);
    return hk_error_set(err, HK_E_NOMEM, "batch view: out of memory");
  }
  for (i = 0; i < n; i++) {
    const struct ArrowSchema *cs = schema->children[i];
    const struct ArrowArray *ca = array->children[i];
    struct view_column *c = &p->cols[i];
    c->cv.type = hk_column_type_from_format(cs->format);
    c->name = cs->name;
    c->cv.base = array->offset + ca->offset;
    if (ca->n_buffers > 0) {
      if (ca->null_count != 0)
        c->cv.validity = ca->buffers[0];
      c->cv.values = ca->buffers[1];
      if (ca->n_buffers > 2)
        c->cv.data = ca->buffers[2];
    }
  }
  v->rows = array->length;
  v->columns = n;
  v->schema = schema;
  v->array = array;
  v->priv = p;
  return HK_OK;
}

void
hk_batch_view_release(hk_batch_view *v)
{
  struct view_priv *p;

  if (!v || !v->priv)
    return;
  p = v->priv;
  free(p->cols);
  free(p);
  v->priv = NULL;
  v->rows = 0;
  v->columns = 0;
}

int64_t
hk_batch_view_column_index(const hk_batch_view *v, const char *name)
{
  const struct view_priv *p = v->priv;
  int64_t i;

  if (!p || !name)
    return -1;
  for (i = 0; i < v->columns; i++)
    if (strcmp(p->cols[i].name, name) == 0)
      return i;
  return -1;
}

const char *
hk_batch_view_column_name(const hk_batch_view *v, int64_t col)
{
  if (!v->priv || col < 0 || col >= v->columns)
    return NULL;
  return view_col(v, col)->name;
}

int
hk_batch_view_column_type(const hk_batch_view *v, int64_t col)
{
  if (!v->priv || col < 0 || col >= v->columns)
    return -1;
  return view_col(v, col)->cv.type;
}

int
hk_batch_view_column(const hk_batch_view *v, int64_t col, hk_column_view *out)
{
  if (!v->priv || col < 0 || col >= v->columns) {
    memset(out, 0, sizeof *out);
    return -1;
  }
  *out = view_col(v, col)->cv;
  return out->type;
}

int
hk_batch_view_is_null(const hk_batch_view *v, int64_t col, int64_t row)
{
  assert(row >= 0 && row < v->rows);
  return hk_column_view_is_null(&view_col(v, col)->cv, row);
}

int64_t
hk_batch_view_int64(const hk_batch_view *v, int64_t col, int64_t row)
{
  const hk_column_view *c = &view_col(v, col)->cv;

  assert(c->type == HK_COL_INT64 && row >= 0 && row < v->rows);
  return hk_column_view_int64(c, row);
}

double
hk_batch_view_float64(const hk_batch_view *v, int64_t col, int64_t row)
{
  const hk_column_view *c = &view_col(v, col)->cv;
  double x;

  assert(c->type == HK_COL_FLOAT64 && row >= 0 && row < v->rows);
  memcpy(&x, (const char *)c->values + 8 * (c->base + row), 8);
  return x;
}

int
hk_batch_view_bool(const hk_batch_view *v, int64_t col, int64_t row)
{
  const hk_column_view *c = &view_col(v, col)->cv;

  assert(c->type == HK_COL_BOOL && row >= 0 && row < v->rows);
  return hk_bit_get(c->values, c->base + row);
}

const char *
hk_batch_view_utf8(const hk_batch_view *v, int64_t col, int64_t row,
                   size_t *len)
{
  const hk_column_view *c = &view_col(v, col)->cv;

  assert(c->type == HK_COL_UTF8 && row >= 0 && row < v->rows);
  /* The validator allows a NULL data buffer when every string is empty. */
  return hk_column_view_utf8(c, row, len);
}

int64_t
hk_batch_view_timestamp(const hk_batch_view *v, int64_t col, int64_t row)
{
  const hk_column_view *c = &view_col(v, col)->cv;

  assert(c->type == HK_COL_TIMESTAMP && row >= 0 && row < v->rows);
  return hk_column_view_int64(c, row);
}

/* ------------------------------------------------------------ formatting */

/* Copy text of length n into buf like snprintf: truncated, NUL-terminated
 * when cap > 0; returns n. */
static size_t
put_text(char *buf, size_t cap, const char *s, size_t n)
{
  if (cap > 0) {
    size_t k = n < cap - 1 ? n : cap - 1;
    memcpy(buf, s, k);
    buf[k] = '\0';
  }
  return n;
}

/* Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil inverse); valid over the whole int64 microsecond range. */
static void
civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
  int64_t era, yr;
  unsigned doe, yoe, doy, mp;

  z += 719468;
  era = (z >= 0 ? z : z - 146096) / 146097;
  doe = (unsigned)(z - era * 146097);
  yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  yr = (int64_t)yoe + era * 400;
  doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yr + (*m <= 2);
}

/*
 * ISO-8601 UTC with a 'Z'.  Fraction rule: none when the microseconds are
 * zero, three digits when they are whole milliseconds, six otherwise
 * ("…:07Z", "…:07.120Z", "…:07.123456Z").  Years before 0 get a minus
 * sign; years past 9999 simply have more digits.
 */
static int
format_timestamp(char *out, size_t cap, int64_t us)
{
  int64_t secs = us / 1000000, frac = us % 1000000, days, sod, y;
  int m, d, n;

  if (frac < 0) {
    frac += 1000000;
    secs--;
  }
  days = secs / 86400;
  sod = secs % 86400;
  if (sod < 0) {
    sod += 86400;
    days--;
  }
  civil_from_days(days, &y, &m, &d);
  n = snprintf(out, cap, "%s%04lld-%02d-%02dT%02d:%02d:%02d", y < 0 ? "-" : "",
               (long long)(y < 0 ? -y : y), m, d, (int)(sod / 3600),
               (int)(sod / 60 % 60), (int)(sod % 60));
  if (frac == 0)
    n += snprintf(out + n, cap - (size_t)n, "Z");
  else if (frac % 1000 == 0)
    n += snprintf(out + n, cap - (size_t)n, ".%03dZ", (int)(frac / 1000));
  else
    n += snprintf(out + n, cap - (size_t)n, ".%06dZ", (int)frac);
  return n;
}

/*
 * Shortest text that reads back as the same double: "%.15g" when that
 * round-trips, else "%.17g" (which always does).  The comparison uses
 * strtod in the current locale, which is the one printf used; only then
 * is a locale's decimal separator turned into '.', so output never
 * depends on LC_NUMERIC.
 */
static int
format_double(char *out, size_t cap, double x)
{
  char tmp[64];
  int n, i, j;

  if (isnan(x))
    return (int)put_text(out, cap, "nan", 3);
  if (isinf(x))
    return x < 0 ? (int)put_text(out, cap, "-inf", 4)
                 : (int)put_text(out, cap, "inf", 3);
  n = snprintf(tmp, sizeof tmp, "%.15g", x);
  if (strtod(tmp, NULL) != x)
    n = snprintf(tmp, sizeof tmp, "%.17g", x);
  for (i = 0, j = 0; i < n; i++) {
    char ch = tmp[i];
    if ((ch >= '0' && ch <= '9') || ch == '-' || ch == '+' || ch == 'e') {
      tmp[j++] = ch;
    } else if (j == 0 || tmp[j - 1] != '.') {
      tmp[j++] = '.'; /* a (possibly multi-byte) decimal separator */
    }
  }
  return (int)put_text(out, cap, tmp, (size_t)j);
}

size_t
hk_batch_view_format_cell(const hk_batch_view *v, int64_t col, int64_t row,
                          char *buf, size_t cap)
{
  const struct view_column *c = view_col(v, col);
  char tmp[96];
  int n;

  if (hk_batch_view_is_null(v, col, row))
    return put_text(buf, cap, "", 0);
  switch (c->cv.type) {
  case HK_COL_INT64:
    n = (int)hk_format_int64(tmp, hk_batch_view_int64(v, col, row));
    break;
  case HK_COL_FLOAT64:
    n = format_double(tmp, sizeof tmp, hk_batch_view_float64(v, col, row));
    break;
  case HK_COL_BOOL:
    return hk_batch_view_bool(v, col, row) ? put_text(buf, cap, "true", 4)
                                           : put_text(buf, cap, "false", 5);
  case HK_COL_TIMESTAMP:
    n = format_timestamp(tmp, sizeof tmp, hk_batch_view_timestamp(v, col, row));
    break;
  case HK_COL_UTF8: {
    size_t len;
    const char *s = hk_batch_view_utf8(v, col, row, &len);
    return put_text(buf, cap, s, len);
  }
  default:
    return put_text(buf, cap, "", 0);
  }
  return put_text(buf, cap, tmp, (size_t)n);
}
