/*
 * plugins/file/emit.c -- fixing the schema after inference and turning
 * records into rows of the table builder, batch by batch.
 */
#include "run.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* A batch ends after batch_rows rows or this much input, whichever comes
 * first, so memory follows the batch, not the width of the rows. */
#ifndef HK_FILE_BATCH_BYTES
#define HK_FILE_BATCH_BYTES (16 << 20) /* the unit test makes it smaller */
#endif
#define BATCH_BYTES HK_FILE_BATCH_BYTES
/* Values that do not fit their column shown per column; the rest are
 * counted and reported once at the end. */
#define BAD_VALUES_SHOWN 3
/* JSON keys seen after the schema was fixed that are tracked by name. */
#define UNKNOWN_KEYS_MAX 1000

/* Columns tried, in order, for the time window when time_column is unset. */
static const char *const time_candidates[] = {
    "TimeGenerated",  "@timestamp", "TimeCreated",
    "TimeCreatedUtc", "Timestamp",  "timestamp",
    "EventTime",      "UtcTime",    "ts",
    "_time",          NULL};

/* ------------------------------------------------------------ the schema */

static int
apply_types(hk_file_run *r, const char *const *types, size_t n_types,
            hk_error *err)
{
  for (size_t i = 0; i < n_types; i++) {
    const char *item = types[i], *colon = strrchr(item, ':');
    int type =
        colon ? hk_file_type_from_name(colon + 1, strlen(colon + 1)) : -1;
    if (!colon || colon == item || type < 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "%s: types: '%s' is not COLUMN:TYPE (TYPE one of "
                          "int, float, bool, timestamp, string)",
                          r->who, item);
    size_t len = (size_t)(colon - item);
    int idx = hk_file_names_find(&r->names, item, len);
    if (idx < 0 && r->family == 2) /* a JSON key that comes later */
      idx = hk_file_add_column(r, item, len);
    if (idx == HK_E_NOMEM)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
    if (idx < 0) {
      hk_buf_reset(&r->scratch);
      for (size_t c = 0; c < r->names.n && c < 30; c++)
        hk_buf_appendf(&r->scratch, "%s%s", c ? ", " : "", r->names.names[c]);
      return hk_error_set(err, HK_E_CONFIG,
                          "%s: types: no column '%.*s' in %s (columns: "
                          "%s)",
                          r->who, (int)len, item,
                          r->n_inputs ? r->inputs[0].path : "the input",
                          r->scratch.len ? r->scratch.data : "none");
    }
    r->cols[idx].type = type;
    r->cols[idx].forced = 1;
  }
  return HK_OK;
}

static int
find_time_column(hk_file_run *r, hk_error *err)
{
  r->time_col = -1;
  if (r->start_us == HK_TIME_MIN && r->end_us == HK_TIME_MAX)
    return HK_OK;
  if (r->time_column_opt) {
    int idx = hk_file_names_find(&r->names, r->time_column_opt,
                                 strlen(r->time_column_opt));
    if (idx < 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "%s: time_column: no column '%s' in %s", r->who,
                          r->time_column_opt, r->inputs[0].path);
    if (r->cols[idx].type != HK_COL_TIMESTAMP)
      return hk_error_set(err, HK_E_CONFIG,
                          "%s: time_column '%s' holds %s, not timestamps "
                          "(use types=%s:timestamp)",
                          r->who, r->time_column_opt,
                          hk_column_type_name(r->cols[idx].type),
                          r->time_column_opt);
    r->time_col = idx;
    return HK_OK;
  }
  for (size_t i = 0; time_candidates[i]; i++) {
    int idx = hk_file_names_find(&r->names, time_candidates[i],
                                 strlen(time_candidates[i]));
    if (idx >= 0 && r->cols[idx].type == HK_COL_TIMESTAMP) {
      HK_LOG_DEBUG(r->host, r->inst,
                   "time window applied to column '%s' (set time_column= "
                   "to choose another)",
                   time_candidates[i]);
      r->time_col = idx;
      return HK_OK;
    }
  }
  HK_LOG_WARN(r->host, r->inst,
              "no timestamp column among TimeGenerated, @timestamp, "
              "TimeCreated, Timestamp, EventTime, ...: the time window is not "
              "applied (set time_column=)");
  return HK_OK;
}

int
hk_file_fix_schema(hk_file_run *r, const char *const *types, size_t n_types,
                   hk_error *err)
{
  int rc = apply_types(r, types, n_types, err);
  if (rc != HK_OK)
    return rc;
  r->b = hk_table_builder_new();
  r->seen = calloc(r->names.n + 1, sizeof *r->seen);
  r->next_key = malloc((r->names.n + 1) * sizeof *r->next_key);
  if (!r->b || !r->seen || !r->next_key)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  for (size_t i = 0; i <= r->names.n; i++)
    r->next_key[i] = -1;
  for (size_t i = 0; i < r->names.n; i++) {
    hk_file_column *c = &r->cols[i];
    if (!c->forced)
      c->type = hk_file_infer_type(&c->inf, r->names.names[i]);
    if (hk_table_builder_add_column(r->b, r->names.names[i], c->type) < 0)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  }
  r->source_col = -1;
  if (r->add_source) {
    hk_buf name = HK_BUF_INIT;
    hk_buf_append_str(&name, "_source");
    for (int k = 1; hk_file_names_find(&r->names, name.data, name.len) >= 0;
         k++) {
      name.len = 7;
      hk_buf_appendf(&name, ".%d", k);
    }
    r->source_col = hk_table_builder_add_column(r->b, name.data, HK_COL_UTF8);
    hk_buf_free(&name);
    if (r->source_col < 0)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  }
  r->schema_fixed = 1;
  if (r->host->log_enabled(r->inst, HK_LOG_DEBUG)) {
    hk_buf_reset(&r->scratch);
    for (size_t i = 0; i < r->names.n; i++)
      hk_buf_appendf(&r->scratch, "%s%s:%s", i ? ", " : "", r->names.names[i],
                     hk_column_type_name(r->cols[i].type));
    HK_LOG_DEBUG(r->host, r->inst, "columns from the first %lld rows: %s",
                 (long long)r->sampled, r->scratch.len ? r->scratch.data : "");
  }
  return find_time_column(r, err);
}

/* -------------------------------------------------------------- the rows */

static const char *
input_path(const hk_file_run *r, size_t input)
{
  return r->inputs[input].path;
}

/* A value that does not fit its column: the cell becomes null, and the
 * first few are shown with where they are and how to keep them. */
static int
bad_value(hk_file_run *r, size_t col, const char *s, size_t n, size_t input,
          int64_t line)
{
  hk_file_column *c = &r->cols[col];
  const char *name = r->names.names[col];
  c->bad++;
  if (c->bad == 1) {
    size_t need = strlen(input_path(r, input)) + 32;
    c->bad_where = malloc(need);
    if (c->bad_where)
      snprintf(c->bad_where, need, "%s:%lld", input_path(r, input),
               (long long)line);
  }
  if (c->bad <= BAD_VALUES_SHOWN) {
    char shown[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k < sizeof shown - 4; i++)
      shown[k++] = (unsigned char)s[i] < 0x20 ? '?' : s[i];
    if (k < n)
      memcpy(shown + k, "...", 3), k += 3;
    shown[k] = '\0';
    HK_LOG_WARN(r->host, r->inst,
                "%s:%lld: column '%s': value '%s' is not %s (%s); the cell is "
                "left empty (types=%s:string keeps such values)%s",
                input_path(r, input), (long long)line, name, shown,
                hk_column_type_name(c->type),
                c->forced ? "set by types=" : "inferred from the first rows",
                name,
                c->bad == BAD_VALUES_SHOWN
                    ? "; further ones in this column are only counted"
                    : "");
  }
  return hk_table_builder_append_null(r->b, col);
}

static int
append_text(hk_file_run *r, size_t col, const char *s, size_t n, size_t input,
            int64_t line)
{
  hk_table_builder *b = r->b;
  int64_t i;
  double f;
  int v;
  if (n == 0)
    return hk_table_builder_append_null(b, col);
  switch (r->cols[col].type) {
  case HK_COL_UTF8:
    return hk_table_builder_append_utf8(b, col, s, n);
  case HK_COL_INT64:
    if (hk_file_parse_int(s, n, &i))
      return hk_table_builder_append_int64(b, col, i);
    break;
  case HK_COL_FLOAT64:
    if (hk_file_parse_float(s, n, &f))
      return hk_table_builder_append_float64(b, col, f);
    break;
  case HK_COL_BOOL:
    if (hk_file_parse_bool(s, n, &v))
      return hk_table_builder_append_bool(b, col, v);
    break;
  case HK_COL_TIMESTAMP:
    if (hk_file_parse_timestamp_any(s, n, &i))
      return hk_table_builder_append_timestamp(b, col, i);
    break;
  default:
    return hk_table_builder_append_null(b, col);
  }
  return bad_value(r, col, s, n, input, line);
}

/* A JSON value as text for a utf8 column (and for messages). */
static const char *
json_text(struct json_object *v, size_t *len)
{
  enum json_type t = json_object_get_type(v);
  const char *s;
  if (t == json_type_string) {
    *len = (size_t)json_object_get_string_len(v);
    return json_object_get_string(v);
  }
  if (t == json_type_object || t == json_type_array)
    s = json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN |
                                              JSON_C_TO_STRING_NOSLASHESCAPE);
  else
    s = json_object_get_string(v); /* numbers keep their original text */
  *len = s ? strlen(s) : 0;
  return s ? s : "";
}

static int
append_json(hk_file_run *r, size_t col, struct json_object *v, size_t input,
            int64_t line)
{
  hk_table_builder *b = r->b;
  enum json_type t = json_object_get_type(v);
  size_t len;
  const char *s;
  int64_t us;
  if (t == json_type_null)
    return hk_table_builder_append_null(b, col);
  switch (r->cols[col].type) {
  case HK_COL_UTF8:
    s = json_text(v, &len);
    return hk_table_builder_append_utf8(b, col, s, len);
  case HK_COL_INT64:
    if (t == json_type_int && !hk_file_json_int_overflows(v))
      return hk_table_builder_append_int64(b, col, json_object_get_int64(v));
    break;
  case HK_COL_FLOAT64:
    if (t == json_type_int || t == json_type_double)
      return hk_table_builder_append_float64(b, col, json_object_get_double(v));
    break;
  case HK_COL_BOOL:
    if (t == json_type_boolean)
      return hk_table_builder_append_bool(b, col, json_object_get_boolean(v));
    break;
  case HK_COL_TIMESTAMP:
    if ((t == json_type_int && !hk_file_json_int_overflows(v) &&
         hk_file_epoch_int_to_us(json_object_get_int64(v), &us)) ||
        (t == json_type_double &&
         hk_file_epoch_float_to_us(json_object_get_double(v), &us)))
      return hk_table_builder_append_timestamp(b, col, us);
    break;
  default:
    return hk_table_builder_append_null(b, col);
  }
  /* a string in a typed column is read like CSV text */
  s = json_text(v, &len);
  if (t == json_type_string)
    return append_text(r, col, s, len, input, line);
  return bad_value(r, col, s, len, input, line);
}

static int
in_window(const hk_file_run *r, int64_t us)
{
  return us >= r->start_us && us < r->end_us;
}

static int
finish_row(hk_file_run *r, size_t input, int64_t line)
{
  int rc = HK_OK;
  for (size_t c = 0; c < r->names.n && rc == HK_OK; c++)
    if (r->seen[c] != r->stamp)
      rc = hk_table_builder_append_null(r->b, c);
  if (rc == HK_OK && r->source_col >= 0) {
    hk_buf_reset(&r->scratch);
    hk_buf_appendf(&r->scratch, "%s:%lld", input_path(r, input),
                   (long long)line);
    rc = hk_table_builder_append_utf8(r->b, (size_t)r->source_col,
                                      r->scratch.data, r->scratch.len);
  }
  return rc;
}

/* Append one CSV record: 1 when appended, 0 when outside the window. */
static int
emit_csv(hk_file_run *r, size_t input, const hk_file_field *f, size_t n,
         int64_t line)
{
  const int32_t *map = r->inputs[input].map;
  int rc = HK_OK;
  if (r->time_col >= 0) {
    int64_t us;
    size_t i = 0;
    while (i < n && map[i] != r->time_col)
      i++;
    if (i == n || !hk_file_parse_timestamp_any(f[i].p, f[i].len, &us) ||
        !in_window(r, us))
      return 0;
  }
  r->stamp++;
  for (size_t i = 0; i < n && rc == HK_OK; i++) {
    if (map[i] < 0)
      continue;
    rc = append_text(r, (size_t)map[i], f[i].p, f[i].len, input, line);
    r->seen[map[i]] = r->stamp;
  }
  if (rc == HK_OK)
    rc = finish_row(r, input, line);
  return rc == HK_OK ? 1 : rc;
}

static void
unknown_key(hk_file_run *r, const char *key, size_t len, size_t input,
            int64_t line)
{
  int idx = hk_file_names_find(&r->unknown, key, len);
  if (idx < 0) {
    if (r->unknown.n >= UNKNOWN_KEYS_MAX) {
      r->unknown_other++;
      return;
    }
    if (r->unknown.n == r->cap_unknown) {
      size_t cap = r->cap_unknown ? r->cap_unknown * 2 : 16;
      int64_t *cnt = realloc(r->unknown_count, cap * sizeof *cnt);
      if (!cnt) {
        r->unknown_other++;
        return;
      }
      r->unknown_count = cnt;
      r->cap_unknown = cap;
    }
    idx = hk_file_names_add(&r->unknown, key, len);
    if (idx < 0) {
      r->unknown_other++;
      return;
    }
    r->unknown_count[idx] = 0;
    HK_LOG_WARN(r->host, r->inst,
                "%s:%lld: key '%s' first appears after the %lld rows the "
                "columns were fixed from; its values are dropped "
                "(infer_rows=0 reads all input first; types=%s:string adds "
                "the column)",
                input_path(r, input), (long long)line, key,
                (long long)r->sampled, key);
  }
  r->unknown_count[idx]++;
}

static int
emit_json(hk_file_run *r, size_t input, struct json_object *obj, int64_t line)
{
  int rc = HK_OK;
  if (r->time_col >= 0) {
    struct json_object *tv;
    int64_t us;
    size_t len;
    const char *s;
    enum json_type t;
    if (!json_object_object_get_ex(obj, r->names.names[r->time_col], &tv))
      return 0;
    t = json_object_get_type(tv);
    s = json_text(tv, &len);
    if (!((t == json_type_string && hk_file_parse_timestamp_any(s, len, &us)) ||
          (t == json_type_int &&
           hk_file_epoch_int_to_us(json_object_get_int64(tv), &us)) ||
          (t == json_type_double &&
           hk_file_epoch_float_to_us(json_object_get_double(tv), &us))) ||
        !in_window(r, us))
      return 0;
  }
  r->stamp++;
  int prev = -1;
  json_object_object_foreach(obj, key, val)
  {
    int col = r->next_key[prev + 1];
    if (col < 0 || strcmp(r->names.names[col], key) != 0) {
      size_t len = strlen(key);
      col = hk_file_names_find(&r->names, key, len);
      if (col < 0) {
        unknown_key(r, key, len, input, line);
        continue;
      }
      r->next_key[prev + 1] = col;
    }
    prev = col;
    if ((rc = append_json(r, (size_t)col, val, input, line)) != HK_OK)
      break;
    r->seen[col] = r->stamp;
  }
  if (rc == HK_OK)
    rc = finish_row(r, input, line);
  return rc == HK_OK ? 1 : rc;
}

static int
emit_sample_row(hk_file_run *r, hk_file_sample_row *row)
{
  if (row->obj) {
    int rc = emit_json(r, row->input, row->obj, row->line);
    json_object_put(row->obj);
    row->obj = NULL;
    return rc;
  }
  if (row->n > r->cap_tmp) {
    hk_file_field *f = realloc(r->tmp_fields, row->n * sizeof *f);
    if (!f)
      return HK_E_NOMEM;
    r->tmp_fields = f;
    r->cap_tmp = row->n;
  }
  for (size_t i = 0; i < row->n; i++) {
    r->tmp_fields[i].p = r->arena.data + r->fields[row->first + i][0];
    r->tmp_fields[i].len = r->fields[row->first + i][1];
  }
  return emit_csv(r, row->input, r->tmp_fields, row->n, row->line);
}

void
hk_file_report_totals(hk_file_run *r)
{
  if (r->reported)
    return;
  r->reported = 1;
  if (r->skipped)
    HK_LOG_WARN(r->host, r->inst,
                "skipped %lld malformed record%s (on_error=skip)",
                (long long)r->skipped, r->skipped == 1 ? "" : "s");
  for (size_t i = 0; i < r->names.n; i++)
    if (r->cols[i].bad > BAD_VALUES_SHOWN)
      HK_LOG_WARN(r->host, r->inst,
                  "column '%s': %lld values were not %s and were left empty "
                  "(the first at %s)",
                  r->names.names[i], (long long)r->cols[i].bad,
                  hk_column_type_name(r->cols[i].type),
                  r->cols[i].bad_where ? r->cols[i].bad_where : "?");
  for (size_t i = 0; i < r->unknown.n; i++)
    HK_LOG_WARN(r->host, r->inst,
                "key '%s': %lld values dropped (not among the columns)",
                r->unknown.names[i], (long long)r->unknown_count[i]);
  if (r->unknown_other)
    HK_LOG_WARN(r->host, r->inst,
                "%lld more values of keys not among the columns dropped",
                (long long)r->unknown_other);
}

int
hk_file_next_batch(hk_file_run *r, struct ArrowArray *out, hk_error *err)
{
  out->release = NULL;
  if (r->done) {
    hk_file_report_totals(r);
    return HK_OK;
  }
  int64_t rows = 0, bytes0 = r->bytes;
  int rc = HK_OK;
  for (uint32_t n = 0;; n++) {
    if (rows >= r->batch_rows || (rows > 0 && r->bytes - bytes0 >= BATCH_BYTES))
      break;
    /* a time window may skip a long stretch without a row to return */
    if ((n & 0xffff) == 0 && r->host->is_canceled &&
        r->host->is_canceled(r->inst)) {
      r->done = 1;
      hk_file_close_input(r);
      return hk_error_set(err, HK_E_CANCELED, "%s: canceled after %lld rows",
                          r->who, (long long)r->emitted);
    }
    if (r->row_limit > 0 && r->emitted >= r->row_limit) {
      r->done = 1;
      break;
    }
    if (r->replay < r->n_rows) {
      rc = emit_sample_row(r, &r->rows[r->replay++]);
    } else if (r->pending) {
      break;
    } else {
      struct json_object *obj = NULL;
      hk_error rerr;
      hk_error_clear(&rerr);
      rc = hk_file_read_record(r, &obj, &rerr);
      if (rc == 0) {
        r->done = 1;
        break;
      }
      if (rc < 0) {
        r->pending = 1;
        r->pending_err = rerr;
        rc = HK_OK;
        break;
      }
      size_t input = r->cur;
      if (obj) {
        rc = emit_json(r, input, obj, r->json.line);
        json_object_put(obj);
      } else {
        rc = emit_csv(r, input, r->csv.fields, r->csv.n_fields, r->csv.line);
      }
    }
    if (rc < 0)
      return hk_error_set(err, rc, "%s: out of memory after %lld rows", r->who,
                          (long long)r->emitted);
    rows += rc;
    r->emitted += rc;
  }
  if (rows > 0)
    return hk_table_builder_finish_batch(r->b, out, err);
  hk_file_close_input(r);
  if (r->pending) {
    r->pending = 0;
    r->done = 1;
    *err = r->pending_err;
    if (r->emitted)
      err->flags |= HK_EF_PARTIAL;
    if ((r->broken || r->src.read_failed) && r->emitted) {
      /* the input broke off: say how much of it made it */
      size_t len = strlen(err->msg);
      snprintf(err->msg + len, sizeof err->msg - len,
               "; the %lld row%s before it %s returned (partial result)",
               (long long)r->emitted, r->emitted == 1 ? "" : "s",
               r->emitted == 1 ? "was" : "were");
    }
    hk_file_report_totals(r);
    return err->code ? err->code : HK_E_FAIL;
  }
  hk_file_report_totals(r);
  return HK_OK;
}
