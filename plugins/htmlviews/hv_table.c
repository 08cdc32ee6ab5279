/*
 * plugins/htmlviews/hv_table.c -- what the three renderers share: the
 * drained input table, cell reading (text, times, numbers), options, and
 * the page writer that puts the JSON data blob into a template safely.
 * Included by htmlviews.c.
 */

/* ------------------------------------------------------------ options */

static const char *
hv_opt_str(const hk_config *o, const char *name)
{
  return hv_host->config_get_string(o, name);
}

static int64_t
hv_opt_int(const hk_config *o, const char *name, int64_t fallback)
{
  int64_t v;
  return hv_host->config_get_int(o, name, &v) == HK_OK ? v : fallback;
}

static int
hv_opt_bool(const hk_config *o, const char *name, int fallback)
{
  int v;
  return hv_host->config_get_bool(o, name, &v) == HK_OK ? v : fallback;
}

static size_t
hv_opt_list(const hk_config *o, const char *name, const char *const **items)
{
  return hv_host->config_get_list(o, name, items);
}

/* ------------------------------------------------------------ table */

/* A renderer instance: its handle, for logging. */
typedef struct hv_state {
  const hk_instance *inst;
} hv_state;

static int
hv_create(const hk_instance *inst, const hk_config *cfg, void **state,
          hk_error *err)
{
  (void)cfg;
  hv_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "htmlviews: out of memory");
  s->inst = inst;
  *state = s;
  return HK_OK;
}

static void
hv_destroy(void *state)
{
  free(state);
}

typedef struct hv_batch {
  struct ArrowArray array;
  hk_batch_view view;
} hv_batch;

/* The whole input, kept as it came; rows are numbered across batches. */
typedef struct hv_table {
  struct ArrowSchema schema;
  hv_batch *batches;
  size_t n_batches;
  int64_t n_rows;
  uint32_t *row_batch; /* row -> batch */
  uint32_t *row_in;    /* row -> row in that batch */
  int64_t row_cap;
  const char *who;         /* renderer name, for messages */
  const hk_instance *inst; /* for the host's log (warnings make a run
                              partial) */
} hv_table;

static void
hv_table_free(hv_table *t)
{
  for (size_t i = 0; i < t->n_batches; i++) {
    hk_batch_view_release(&t->batches[i].view);
    hk_array_release(&t->batches[i].array);
  }
  free(t->batches);
  hk_schema_release(&t->schema);
  free(t->row_batch);
  free(t->row_in);
  memset(t, 0, sizeof *t);
}

/* Start reading `in`: its schema. */
static int
hv_table_open(hv_table *t, void *state, const char *who,
              struct ArrowArrayStream *in, hk_error *err)
{
  memset(t, 0, sizeof *t);
  t->who = who;
  t->inst = state ? ((const hv_state *)state)->inst : NULL;
  return hk_stream_schema(in, &t->schema, err);
}

/* Add batch `a` (moved into the table). */
static int
hv_table_add(hv_table *t, struct ArrowArray *a, hk_error *err)
{
  if ((t->n_batches & (t->n_batches - 1)) == 0) { /* 0, 1, 2, 4, ... */
    size_t nc = t->n_batches ? t->n_batches * 2 : 1;
    hv_batch *p = realloc(t->batches, nc * sizeof *p);
    if (!p) {
      hk_array_release(a);
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
    }
    t->batches = p;
  }
  hv_batch *b = &t->batches[t->n_batches];
  memset(b, 0, sizeof *b);
  b->array = *a;
  a->release = NULL;
  b->view.struct_size = sizeof b->view;
  int rc = hk_batch_view_init(&b->view, &t->schema, &b->array, err);
  if (rc != HK_OK) {
    hk_array_release(&b->array);
    return rc;
  }
  t->n_batches++;
  int64_t need = t->n_rows + b->view.rows;
  if (need > t->row_cap) {
    int64_t cap = t->row_cap ? t->row_cap * 2 : 1024;
    while (cap < need)
      cap *= 2;
    uint32_t *rb = realloc(t->row_batch, (size_t)cap * sizeof *rb);
    if (rb)
      t->row_batch = rb;
    uint32_t *ri = rb ? realloc(t->row_in, (size_t)cap * sizeof *ri) : NULL;
    if (!ri)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
    t->row_in = ri;
    t->row_cap = cap;
  }
  for (int64_t r = 0; r < b->view.rows; r++) {
    t->row_batch[t->n_rows] = (uint32_t)(t->n_batches - 1);
    t->row_in[t->n_rows] = (uint32_t)r;
    t->n_rows++;
  }
  return HK_OK;
}

/* The next non-empty batch of `in` into *a; a->release is NULL at the
 * end. */
static int
hv_next_batch(struct ArrowArrayStream *in, struct ArrowArray *a, hk_error *err)
{
  for (;;) {
    int rc = hk_stream_next(in, a, err);
    if (rc != HK_OK || !a->release || a->length > 0)
      return rc;
    hk_array_release(a);
  }
}

/* Drain `in` (transfer: released here).  More than `max_rows` rows is
 * refused: a browser cannot show them, and the error says how to narrow
 * the input. */
static int
hv_table_load(hv_table *t, void *state, const char *who,
              struct ArrowArrayStream *in, int64_t max_rows, hk_error *err)
{
  int rc = hv_table_open(t, state, who, in, err);
  while (rc == HK_OK) {
    struct ArrowArray a;
    rc = hv_next_batch(in, &a, err);
    if (rc != HK_OK || !a.release)
      break;
    if (max_rows > 0 && t->n_rows + a.length > max_rows) {
      hk_array_release(&a);
      rc = hk_error_set(err, HK_E_LIMIT,
                        "%s: the input has more than max_rows=%lld rows; a "
                        "page that big is too slow to use. Narrow it first "
                        "(where, head, proctree query=descendants "
                        "process=...) or raise max_rows",
                        who, (long long)max_rows);
      break;
    }
    rc = hv_table_add(t, &a, err);
  }
  hk_stream_release(in);
  return rc;
}

/* Streaming: the table holds only the next batch of `in` (the previous
 * one is released).  HK_OK with t->n_rows == 0 at the end. */
static int
hv_table_next(hv_table *t, struct ArrowArrayStream *in, hk_error *err)
{
  for (size_t i = 0; i < t->n_batches; i++) {
    hk_batch_view_release(&t->batches[i].view);
    hk_array_release(&t->batches[i].array);
  }
  t->n_batches = 0;
  t->n_rows = 0;
  struct ArrowArray a;
  int rc = hv_next_batch(in, &a, err);
  if (rc != HK_OK || !a.release)
    return rc;
  return hv_table_add(t, &a, err);
}

static const hk_batch_view *
hv_view(const hv_table *t, int64_t row)
{
  return &t->batches[t->row_batch[row]].view;
}

static int64_t
hv_column(const hv_table *t, const char *name)
{
  if (!name || t->n_batches == 0)
    return -1;
  return hk_batch_view_column_index(&t->batches[0].view, name);
}

static int64_t
hv_column_count(const hv_table *t)
{
  return t->n_batches ? t->batches[0].view.columns : 0;
}

static const char *
hv_column_name(const hv_table *t, int64_t col)
{
  return hk_batch_view_column_name(&t->batches[0].view, col);
}

static int
hv_column_type(const hv_table *t, int64_t col)
{
  return hk_batch_view_column_type(&t->batches[0].view, col);
}

/* The column of option `key`; a named column that is missing is an error
 * that lists the columns. */
static int
hv_option_column(const hv_table *t, const char *key, const char *name,
                 int64_t *out, hk_error *err)
{
  *out = hv_column(t, name);
  if (*out >= 0 || !name)
    return HK_OK;
  hk_buf b = HK_BUF_INIT;
  int64_t n = hv_column_count(t);
  for (int64_t c = 0; c < n && c < 40; c++)
    hk_buf_appendf(&b, "%s%s", c ? ", " : "", hv_column_name(t, c));
  if (n > 40)
    hk_buf_appendf(&b, ", ... (%lld columns)", (long long)n);
  hk_error_set(err, HK_E_NOTFOUND, "%s: %s=%s: no such column (columns: %s)",
               t->who, key, name, b.data ? b.data : "none");
  hk_buf_free(&b);
  return HK_E_NOTFOUND;
}

static int
hv_is_null(const hv_table *t, int64_t col, int64_t row)
{
  return col < 0 || hk_batch_view_is_null(hv_view(t, row), col, t->row_in[row]);
}

/* A cell as text: utf8 cells in place, others formatted into `tmp`.
 * NULL for null cells. */
static const char *
hv_cell(const hv_table *t, int64_t col, int64_t row, size_t *len, char *tmp,
        size_t cap)
{
  *len = 0;
  if (hv_is_null(t, col, row))
    return NULL;
  const hk_batch_view *v = hv_view(t, row);
  int64_t r = t->row_in[row];
  if (hk_batch_view_column_type(v, col) == HK_COL_UTF8)
    return hk_batch_view_utf8(v, col, r, len);
  size_t need = hk_batch_view_format_cell(v, col, r, tmp, cap);
  *len = need < cap ? need : cap - 1;
  return tmp;
}

static int
hv_cell_bool(const hv_table *t, int64_t col, int64_t row)
{
  if (hv_is_null(t, col, row) || hv_column_type(t, col) != HK_COL_BOOL)
    return 0;
  return hk_batch_view_bool(hv_view(t, row), col, t->row_in[row]);
}

/* ------------------------------------------------------------ times */

static int64_t
hv_days_from_civil(int64_t y, int64_t m, int64_t d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
hv_civil_from_days(int64_t z, int *y, int *m, int *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static int
hv_digits(const char *s, size_t n, size_t *i, int count, int *out)
{
  int v = 0;
  for (int k = 0; k < count; k++) {
    if (*i >= n || s[*i] < '0' || s[*i] > '9')
      return 0;
    v = v * 10 + (s[(*i)++] - '0');
  }
  *out = v;
  return 1;
}

/* Parse an ISO-8601 time at the start of `s`: YYYY-MM-DD, then optionally
 * T or a space and hh:mm[:ss[.fraction]], then optionally Z, +hh:mm or
 * +hhmm (no zone: UTC).  Returns the bytes used (0 when `s` does not
 * start with a time) and sets *us. */
static size_t
hv_parse_time_prefix(const char *s, size_t n, int64_t *us)
{
  int y, mo, d, h = 0, mi = 0, sec = 0;
  size_t i = 0;
  if (!hv_digits(s, n, &i, 4, &y) || i >= n || s[i++] != '-' ||
      !hv_digits(s, n, &i, 2, &mo) || i >= n || s[i++] != '-' ||
      !hv_digits(s, n, &i, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
    return 0;
  int64_t frac = 0, off = 0;
  if (i + 2 < n && (s[i] == 'T' || s[i] == 't' || s[i] == ' ') &&
      s[i + 1] >= '0' && s[i + 1] <= '9') {
    size_t save = i++;
    if (!hv_digits(s, n, &i, 2, &h) || i >= n || s[i++] != ':' ||
        !hv_digits(s, n, &i, 2, &mi)) {
      i = save;
      h = mi = 0;
    } else {
      if (i + 2 < n && s[i] == ':' && s[i + 1] >= '0' && s[i + 1] <= '9') {
        i++;
        if (!hv_digits(s, n, &i, 2, &sec))
          return 0;
      }
      if (i < n && (s[i] == '.' || s[i] == ',') && i + 1 < n &&
          s[i + 1] >= '0' && s[i + 1] <= '9') {
        int digits = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, digits++)
          if (digits < 6)
            frac = frac * 10 + (s[i] - '0');
        for (; digits < 6; digits++)
          frac *= 10;
      }
      if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        i++;
      } else if (i + 2 < n && (s[i] == '+' || s[i] == '-') && s[i + 1] >= '0' &&
                 s[i + 1] <= '9') {
        int sign = s[i] == '-' ? -1 : 1, oh, om = 0;
        i++;
        if (!hv_digits(s, n, &i, 2, &oh))
          return 0;
        if (i < n && s[i] == ':')
          i++;
        if (i + 1 < n && s[i] >= '0' && s[i] <= '9' &&
            !hv_digits(s, n, &i, 2, &om))
          return 0;
        off = sign * (oh * 3600 + om * 60);
      }
    }
  }
  if (h > 23 || mi > 59 || sec > 60)
    return 0;
  *us =
      (hv_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off) *
          1000000 +
      frac;
  return i;
}

/* A whole cell as a time: the prefix parser, then only blanks. */
static int
hv_parse_time(const char *s, size_t n, int64_t *us)
{
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
    n--;
  while (n > 0 && (*s == ' ' || *s == '\t')) {
    s++;
    n--;
  }
  size_t used = hv_parse_time_prefix(s, n, us);
  if (used < n && n - used == 4 && memcmp(s + used, " UTC", 4) == 0)
    used = n;
  return used > 0 && used == n;
}

/* The time of a cell: timestamp columns as they are, text parsed.  1 and
 * *us, or 0 (null or not a time). */
static int
hv_cell_time(const hv_table *t, int64_t col, int64_t row, int64_t *us)
{
  if (hv_is_null(t, col, row))
    return 0;
  const hk_batch_view *v = hv_view(t, row);
  int64_t r = t->row_in[row];
  switch (hk_batch_view_column_type(v, col)) {
  case HK_COL_TIMESTAMP:
    *us = hk_batch_view_timestamp(v, col, r);
    return 1;
  case HK_COL_UTF8: {
    size_t n;
    const char *s = hk_batch_view_utf8(v, col, r, &n);
    return hv_parse_time(s, n, us);
  }
  default:
    return 0;
  }
}

/* "2024-03-04 05:06:07" (UTC), with ".ffffff" when `frac`. */
static void
hv_format_time(int64_t us, int frac, char *out, size_t cap)
{
  int64_t secs = us / 1000000, f = us % 1000000;
  if (f < 0) {
    f += 1000000;
    secs--;
  }
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  int y, m, d;
  char text[96]; /* room for any int year: no truncation warnings */
  hv_civil_from_days(days, &y, &m, &d);
  snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d", y, m, d,
           (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
  if (frac)
    snprintf(text + strlen(text), sizeof text - strlen(text), ".%06d", (int)f);
  snprintf(out, cap, "%s", text);
}

/* The time column: named, else the first timestamp column among the usual
 * names, else the first timestamp column. */
static int
hv_time_column(const hv_table *t, const char *named, int64_t *out,
               hk_error *err)
{
  static const char *const usual[] = {
      "TimeGenerated", "@timestamp", "TimeCreated", "TimeCreatedUtc",
      "Timestamp",     "timestamp",  "EventTime",   "UtcTime",
      "CreateTime",    "time",       "ts",          "_time"};
  if (named)
    return hv_option_column(t, "time_column", named, out, err);
  for (size_t k = 0; k < sizeof usual / sizeof usual[0]; k++) {
    int64_t c = hv_column(t, usual[k]);
    if (c >= 0 && (hv_column_type(t, c) == HK_COL_TIMESTAMP ||
                   hv_column_type(t, c) == HK_COL_UTF8)) {
      *out = c;
      return HK_OK;
    }
  }
  for (int64_t c = 0; c < hv_column_count(t); c++)
    if (hv_column_type(t, c) == HK_COL_TIMESTAMP) {
      *out = c;
      return HK_OK;
    }
  hk_buf b = HK_BUF_INIT;
  for (int64_t c = 0; c < hv_column_count(t) && c < 40; c++)
    hk_buf_appendf(&b, "%s%s", c ? ", " : "", hv_column_name(t, c));
  hk_error_set(err, HK_E_NOTFOUND,
               "%s: no time column found (looked for a timestamp column and "
               "TimeGenerated, @timestamp, TimeCreated, Timestamp, UtcTime, "
               "...); name it with time_column= (columns: %s)",
               t->who, b.data ? b.data : "none");
  hk_buf_free(&b);
  return HK_E_NOTFOUND;
}

/* A numeric cell as a double: int, float and bool columns, and text that
 * is a number.  1 and *out, or 0. */
static int
hv_cell_number(const hv_table *t, int64_t col, int64_t row, double *out)
{
  if (hv_is_null(t, col, row))
    return 0;
  const hk_batch_view *v = hv_view(t, row);
  int64_t r = t->row_in[row];
  switch (hk_batch_view_column_type(v, col)) {
  case HK_COL_INT64:
    *out = (double)hk_batch_view_int64(v, col, r);
    return 1;
  case HK_COL_FLOAT64:
    *out = hk_batch_view_float64(v, col, r);
    return *out == *out;
  case HK_COL_BOOL:
    *out = hk_batch_view_bool(v, col, r);
    return 1;
  case HK_COL_UTF8: {
    size_t n;
    const char *s = hk_batch_view_utf8(v, col, r, &n);
    char tmp[64];
    if (n == 0 || n >= sizeof tmp)
      return 0;
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    char *end;
    *out = strtod(tmp, &end);
    return *end == '\0' && *out == *out;
  }
  default:
    return 0;
  }
}

/* ------------------------------------------------------------ writing */

typedef struct hv_out {
  const hk_sink *sink;
  hk_buf buf;
  int rc; /* first write error */
} hv_out;

static void
hv_flush(hv_out *o, int force)
{
  if (o->rc == HK_OK && o->buf.len && (force || o->buf.len >= 65536))
    o->rc = o->sink->write(o->sink->ud, o->buf.data, o->buf.len);
  if (force || o->buf.len >= 65536)
    hk_buf_reset(&o->buf);
}

/* Text for an HTML text node or attribute value. */
static void
hv_html_escape(hk_buf *b, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    switch (s[i]) {
    case '&':
      hk_buf_append_str(b, "&amp;");
      break;
    case '<':
      hk_buf_append_str(b, "&lt;");
      break;
    case '>':
      hk_buf_append_str(b, "&gt;");
      break;
    case '"':
      hk_buf_append_str(b, "&quot;");
      break;
    case '\'':
      hk_buf_append_str(b, "&#39;");
      break;
    case '\0':
      hk_buf_append_str(b, "\xef\xbf\xbd");
      break;
    default:
      hk_buf_append_char(b, s[i]);
    }
  }
}

/*
 * JSON text from json-c, made safe inside <script>: '<', '>' and '&' only
 * ever occur inside JSON strings, where \u003c, \u003e and \u0026 mean
 * the same, so "</script>" or "<!--" in the data cannot end the element;
 * U+2028/U+2029 become escapes too (old JavaScript parsers choke on them).
 */
static void
hv_append_json_safe(hk_buf *b, const char *json, size_t n)
{
  size_t start = 0;
  for (size_t i = 0; i < n; i++) {
    const char *rep = NULL;
    size_t skip = 1;
    unsigned char c = (unsigned char)json[i];
    if (c == '<')
      rep = "\\u003c";
    else if (c == '>')
      rep = "\\u003e";
    else if (c == '&')
      rep = "\\u0026";
    else if (c == 0xe2 && i + 2 < n && (unsigned char)json[i + 1] == 0x80 &&
             ((unsigned char)json[i + 2] == 0xa8 ||
              (unsigned char)json[i + 2] == 0xa9)) {
      rep = (unsigned char)json[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
      skip = 3;
    }
    if (!rep)
      continue;
    hk_buf_append(b, json + start, i - start);
    hk_buf_append_str(b, rep);
    i += skip - 1;
    start = i + 1;
  }
  hk_buf_append(b, json + start, n - start);
}

/* One template part: "@NAME@" markers are replaced by `fills` (name, text,
 * is_json); an unknown marker is a build mistake and is written as is. */
typedef struct hv_fill {
  const char *name;
  const char *text;
  size_t len;
  int kind; /* 0 raw (our own CSS/JS/markup), 1 HTML-escaped, 2 JSON */
} hv_fill;

static void
hv_write_template(hv_out *o, const char *tmpl, const hv_fill *fills,
                  size_t n_fills)
{
  const char *p = tmpl;
  while (*p) {
    const char *at = strchr(p, '@');
    if (!at) {
      hk_buf_append_str(&o->buf, p);
      break;
    }
    hk_buf_append(&o->buf, p, (size_t)(at - p));
    const char *end = strchr(at + 1, '@');
    const hv_fill *f = NULL;
    for (size_t k = 0; end && k < n_fills; k++)
      if (strlen(fills[k].name) == (size_t)(end - at - 1) &&
          memcmp(fills[k].name, at + 1, (size_t)(end - at - 1)) == 0)
        f = &fills[k];
    if (!f) {
      hk_buf_append_char(&o->buf, '@');
      p = at + 1;
      continue;
    }
    if (f->kind == 1)
      hv_html_escape(&o->buf, f->text, f->len);
    else if (f->kind == 2)
      hv_append_json_safe(&o->buf, f->text, f->len);
    else
      hk_buf_append(&o->buf, f->text, f->len);
    hv_flush(o, 0);
    p = end + 1;
  }
}

/* Write the page: the shared template with the view's title, style,
 * markup, data and script.  Returns HK_OK or the sink's error. */
static int
hv_write_page(const hk_sink *sink, const char *title, const char *css,
              const char *body, json_object *data, const char *js,
              hk_error *err, const char *who)
{
  size_t json_len = 0;
  const char *json = json_object_to_json_string_length(
      data, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &json_len);
  if (!json)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", who);
  hv_out o = {sink, HK_BUF_INIT, HK_OK};
  hv_fill fills[] = {
      {"TITLE", title, strlen(title), 1},
      {"BASE_CSS", hv_asset_base_css, strlen(hv_asset_base_css), 0},
      {"CSS", css, strlen(css), 0},
      {"BODY", body, strlen(body), 0},
      {"DATA", json, json_len, 2},
      {"BASE_JS", hv_asset_base_js, strlen(hv_asset_base_js), 0},
      {"JS", js, strlen(js), 0},
      {"VERSION", hv_host->version ? hv_host->version : "",
       strlen(hv_host->version ? hv_host->version : ""), 1},
  };
  hv_write_template(&o, hv_asset_page_html, fills,
                    sizeof fills / sizeof fills[0]);
  hv_flush(&o, 1);
  hk_buf_free(&o.buf);
  if (o.rc == HK_E_IO)
    return HK_OK; /* the reader went away */
  if (o.rc != HK_OK)
    return hk_error_set(err, o.rc, "%s: writing the page failed", who);
  return HK_OK;
}

/* json-c string of a cell (NULL -> JSON null), control characters kept:
 * json-c escapes them, and the page shows them as text. */
static json_object *
hv_json_cell(const hv_table *t, int64_t col, int64_t row, size_t max_len)
{
  char tmp[128];
  size_t len;
  const char *s = hv_cell(t, col, row, &len, tmp, sizeof tmp);
  if (!s)
    return NULL;
  if (max_len && len > max_len) {
    /* cut on a code point boundary, and say so */
    size_t k = max_len;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
      k--;
    hk_buf b = HK_BUF_INIT;
    hk_buf_append(&b, s, k);
    hk_buf_appendf(&b, "\xe2\x80\xa6 (%zu bytes)", len);
    json_object *j = json_object_new_string_len(b.data, (int)b.len);
    hk_buf_free(&b);
    return j;
  }
  return json_object_new_string_len(s, (int)len);
}

/* Columns of a `details=` option, or by default the given candidates that
 * exist (then, if none, the first `fallback_n` columns). */
static int
hv_detail_columns(const hv_table *t, const hk_config *opt,
                  const char *const *defaults, size_t n_defaults,
                  int64_t **cols, size_t *n_cols, hk_error *err)
{
  const char *const *items;
  size_t n = hv_opt_list(opt, "details", &items);
  size_t cap = n ? n : n_defaults + 8;
  *cols = malloc((cap ? cap : 1) * sizeof **cols);
  *n_cols = 0;
  if (!*cols)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
  if (n) {
    for (size_t k = 0; k < n; k++) {
      int64_t c;
      int rc = hv_option_column(t, "details", items[k], &c, err);
      if (rc != HK_OK)
        return rc;
      (*cols)[(*n_cols)++] = c;
    }
    return HK_OK;
  }
  for (size_t k = 0; k < n_defaults; k++) {
    int64_t c = hv_column(t, defaults[k]);
    int dup = 0;
    for (size_t j = 0; j < *n_cols; j++)
      dup |= (*cols)[j] == c;
    if (c >= 0 && !dup)
      (*cols)[(*n_cols)++] = c;
  }
  for (int64_t c = 0; *n_cols == 0 && c < hv_column_count(t) && c < 8; c++)
    (*cols)[(*n_cols)++] = c;
  return HK_OK;
}

/* {"columns": [names], "values": [[column 0 cells], ...]} */
static json_object *
hv_json_details(const hv_table *t, const int64_t *cols, size_t n_cols,
                const int64_t *rows, int64_t n_rows, size_t max_len)
{
  json_object *o = json_object_new_object();
  json_object *names = json_object_new_array();
  json_object *values = json_object_new_array();
  for (size_t k = 0; k < n_cols; k++) {
    json_object_array_add(names,
                          json_object_new_string(hv_column_name(t, cols[k])));
    json_object *colv = json_object_new_array();
    for (int64_t i = 0; i < n_rows; i++)
      json_object_array_add(
          colv, hv_json_cell(t, cols[k], rows ? rows[i] : i, max_len));
    json_object_array_add(values, colv);
  }
  json_object_object_add(o, "columns", names);
  json_object_object_add(o, "values", values);
  return o;
}
