/*
 * plugins/file/rows.c -- reading records from the inputs one after
 * another, inferring column types from the first rows, and appending rows
 * to the table builder.
 *
 * The schema of a stream is fixed once it is exported, so the first
 * `infer_rows` rows decide the columns and their types; they are kept and
 * replayed, then the rest streams.  What does not fit later is never
 * dropped silently: a value that does not parse becomes null with a
 * warning naming file, line and column, and a JSON key first seen later is
 * reported with its count.
 */
#include "run.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ name table */

static uint32_t
hash_bytes(const char *s, size_t n)
{
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

int
hk_file_names_find(const hk_file_names *t, const char *s, size_t len)
{
  if (!t->n_slots)
    return -1;
  size_t mask = t->n_slots - 1, i = hash_bytes(s, len) & mask;
  for (; t->slots[i]; i = (i + 1) & mask) {
    const char *name = t->names[t->slots[i] - 1];
    if (!strncmp(name, s, len) && name[len] == '\0')
      return t->slots[i] - 1;
  }
  return -1;
}

static void
names_put_slot(hk_file_names *t, size_t idx)
{
  const char *name = t->names[idx];
  size_t mask = t->n_slots - 1, i = hash_bytes(name, strlen(name)) & mask;
  while (t->slots[i])
    i = (i + 1) & mask;
  t->slots[i] = (int32_t)idx + 1;
}

int
hk_file_names_add(hk_file_names *t, const char *s, size_t len)
{
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 32;
    char **names = realloc(t->names, cap * sizeof *names);
    if (!names)
      return HK_E_NOMEM;
    t->names = names;
    t->cap = cap;
  }
  if ((t->n + 1) * 2 > t->n_slots) {
    size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
    int32_t *slots = calloc(n_slots, sizeof *slots);
    if (!slots)
      return HK_E_NOMEM;
    free(t->slots);
    t->slots = slots;
    t->n_slots = n_slots;
    for (size_t i = 0; i < t->n; i++)
      names_put_slot(t, i);
  }
  char *copy = malloc(len + 1);
  if (!copy)
    return HK_E_NOMEM;
  memcpy(copy, s, len);
  copy[len] = '\0';
  t->names[t->n] = copy;
  names_put_slot(t, t->n);
  return (int)t->n++;
}

void
hk_file_names_free(hk_file_names *t)
{
  for (size_t i = 0; i < t->n; i++)
    free(t->names[i]);
  free(t->names);
  free(t->slots);
  memset(t, 0, sizeof *t);
}

int
hk_file_add_column(hk_file_run *r, const char *name, size_t len)
{
  if (r->names.n == r->cap_cols) {
    size_t cap = r->cap_cols ? r->cap_cols * 2 : 32;
    hk_file_column *cols = realloc(r->cols, cap * sizeof *cols);
    if (!cols)
      return HK_E_NOMEM;
    r->cols = cols;
    r->cap_cols = cap;
  }
  int idx = hk_file_names_add(&r->names, name, len);
  if (idx < 0)
    return idx;
  hk_file_column *c = &r->cols[idx];
  memset(c, 0, sizeof *c);
  c->type = HK_COL_UTF8;
  hk_file_infer_init(&c->inf);
  return idx;
}

static void
append_msg(hk_error *err, const char *text)
{
  size_t len = strlen(err->msg);
  snprintf(err->msg + len, sizeof err->msg - len, "%s", text);
}

/* ---------------------------------------------------------------- inputs */

static char
sniff_delimiter(hk_file_src *s)
{
  static const char cands[] = {',', '\t', ';', '|'};
  size_t counts[4] = {0}, best = 0;
  int in_quotes = 0;
  for (size_t i = s->pos; i < s->len && s->buf[i] != '\n'; i++) {
    char c = s->buf[i];
    if (c == '"')
      in_quotes = !in_quotes;
    for (size_t k = 0; k < 4 && !in_quotes; k++)
      counts[k] += c == cands[k];
  }
  for (size_t k = 1; k < 4; k++)
    if (counts[k] > counts[best])
      best = k;
  return cands[best];
}

/* Column names as pandas makes them: an empty name is "Unnamed: I", a
 * repeated one "NAME.1", "NAME.2", ... */
static int
header_name(hk_file_names *seen, hk_buf *name, const hk_file_field *f, size_t i)
{
  hk_buf_reset(name);
  if (f->len == 0)
    hk_buf_appendf(name, "Unnamed: %zu", i);
  else
    hk_buf_append(name, f->p, f->len);
  size_t base = name->len;
  for (int k = 1; hk_file_names_find(seen, name->data, name->len) >= 0; k++) {
    name->len = base;
    hk_buf_appendf(name, ".%d", k);
  }
  if (!name->data)
    return HK_E_NOMEM;
  int rc = hk_file_names_add(seen, name->data, name->len);
  return rc < 0 ? rc : HK_OK;
}

/* Read the header record and map its columns onto the schema.  Returns 1,
 * 0 for an empty file, or a negative hk_status. */
static int
read_csv_header(hk_file_run *r, hk_file_input *in, hk_error *err)
{
  int rc = hk_file_csv_next(&r->csv, err);
  if (rc <= 0)
    return rc;
  size_t n = r->csv.n_fields;
  int32_t *map = realloc(in->map, (n ? n : 1) * sizeof *map);
  if (!map)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  in->map = map;
  in->n_map = n;
  in->header_line = r->csv.line;
  hk_file_names seen = {0};
  hk_buf name = HK_BUF_INIT, dropped = HK_BUF_INIT;
  rc = HK_OK;
  for (size_t i = 0; i < n && rc == HK_OK; i++) {
    hk_file_field f = r->csv.fields[i];
    char generated[32];
    if (!r->header) {
      f.p = generated;
      f.len =
          (size_t)snprintf(generated, sizeof generated, "column_%zu", i + 1);
    } else if (i == 0 && f.len == 0 && n > 1 && !r->keep_index) {
      map[0] = -1; /* pandas' unnamed index column */
      continue;
    }
    if ((rc = header_name(&seen, &name, &f, i)) < 0)
      break;
    int idx = hk_file_names_find(&r->names, name.data, name.len);
    if (idx < 0 && !r->schema_fixed)
      idx = hk_file_add_column(r, name.data, name.len);
    if (idx < 0 && r->schema_fixed)
      hk_buf_appendf(&dropped, "%s'%s'", dropped.len ? ", " : "", name.data);
    else if (idx < 0)
      rc = idx;
    map[i] = idx;
  }
  if (rc == HK_OK && dropped.len && !r->quiet)
    HK_LOG_WARN(r->host, r->inst,
                "%s:%lld: columns %s are not among the columns fixed from the "
                "first rows of %s; their values are dropped (infer_rows=0 "
                "reads every file before fixing the columns)",
                in->path, (long long)in->header_line, dropped.data,
                r->inputs[0].path);
  hk_file_names_free(&seen);
  hk_buf_free(&name);
  hk_buf_free(&dropped);
  if (rc < 0)
    return hk_error_set(err, rc, "%s: out of memory", r->who);
  r->csv_header_as_row = !r->header;
  return 1;
}

static int
json_mode(hk_file_run *r, int format, int first, hk_error *err)
{
  if (format == HK_FILE_FMT_NDJSON)
    return HK_FILE_JSON_LINES;
  if (first == '[')
    return HK_FILE_JSON_ARRAY;
  int rc = hk_file_json_first_line_complete(&r->src, err);
  if (rc < 0)
    return rc;
  return rc ? HK_FILE_JSON_LINES : HK_FILE_JSON_SEQ;
}

/* Open r->inputs[r->cur]: 1 when open, 0 when empty, or an error. */
static int
open_input(hk_file_run *r, hk_error *err)
{
  int rc;
  if (r->inputs[r->cur].container != HK_FILE_PLAIN) {
    /* may insert inputs for later members: `in` is taken after it */
    rc = hk_file_archive_open_member(r, err);
    if (rc <= 0)
      return rc;
  } else if ((rc = hk_file_src_open(&r->src, r->inputs[r->cur].path, err)) !=
             HK_OK) {
    return rc;
  }
  hk_file_input *in = &r->inputs[r->cur];
  r->src_open = 1;
  if ((rc = hk_file_src_skip_bom(&r->src, err)) != HK_OK)
    return rc;
  int first = hk_file_src_peek_nonspace(&r->src, err);
  if (first < -1)
    return first;
  if (first == -1)
    return 0;
  int format = in->format;
  in->is_json = format == HK_FILE_FMT_NDJSON || format == HK_FILE_FMT_JSON ||
                (format == HK_FILE_FMT_AUTO && (first == '{' || first == '['));
  int family = in->is_json ? 2 : 1;
  if (r->family && r->family != family)
    return hk_error_set(err, HK_E_CONFIG,
                        "%s: %s holds %s but the files before it hold %s; "
                        "read CSV and JSON in separate runs%s",
                        r->who, in->path, family == 2 ? "JSON" : "CSV",
                        family == 2 ? "CSV" : "JSON",
                        in->member ? " (ARCHIVE#MEMBER picks members)" : "");
  r->family = family;
  if (in->is_json) {
    int mode = json_mode(r, format, first, err);
    if (mode < 0)
      return mode;
    return hk_file_json_init(&r->json, &r->src, mode, err) == HK_OK ? 1
                                                                    : err->code;
  }
  char delim = r->delim;
  if (!delim)
    delim = format == HK_FILE_FMT_TSV   ? '\t'
            : format == HK_FILE_FMT_CSV ? ','
                                        : sniff_delimiter(&r->src);
  hk_file_csv_init(&r->csv, &r->src, delim);
  return read_csv_header(r, in, err);
}

void
hk_file_close_input(hk_file_run *r)
{
  if (!r->src_open)
    return;
  hk_file_csv_free(&r->csv);
  hk_file_json_free(&r->json);
  hk_file_src_close(&r->src);
  r->src_open = 0;
  r->csv_header_as_row = 0;
}

/* Done with r->inputs[r->cur]: on to the next member of its archive, or
 * the next input.  HK_OK, or a negative hk_status when the archive cannot
 * be read on (err says where). */
static int
next_input(hk_file_run *r, hk_error *err)
{
  hk_file_close_input(r);
  if (r->arc) {
    int rc = hk_file_archive_next_member(r, err);
    if (rc != 0)
      return rc < 0 ? rc : HK_OK; /* 1: r->cur is the next member's input */
  }
  r->cur++;
  return HK_OK;
}

/* Was the record just read reported already (first pass of infer_rows=0,
 * or a second pass over records the first pass reported)? */
static int
already_reported(const hk_file_run *r)
{
  if (r->quiet)
    return 1;
  if (!r->quiet_until)
    return 0;
  if (r->cur != r->quiet_input)
    return r->cur < r->quiet_input;
  return r->src_open && hk_file_src_offset(&r->src) <= r->quiet_offset;
}

/* A malformed record (err says what and where): skip it or stop. */
static int
bad_record(hk_file_run *r, hk_error *err, int rest_of_file)
{
  if (!r->skip_bad) {
    append_msg(err, "; on_error=skip skips malformed records");
    return err->code ? err->code : HK_E_INVAL;
  }
  if (!already_reported(r)) {
    r->skipped++;
    HK_LOG_WARN(r->host, r->inst, "%s; %s (on_error=skip)", err->msg,
                rest_of_file ? "the rest of the file is skipped"
                             : "record skipped");
  }
  return HK_OK;
}

int
hk_file_read_record(hk_file_run *r, struct json_object **obj, hk_error *err)
{
  for (;;) {
    int rc;
    if (!r->src_open) {
      if (r->cur >= r->n_inputs)
        return 0;
      rc = open_input(r, err);
      if (rc == 0) {
        if ((rc = next_input(r, err)) < 0)
          return rc;
        continue;
      }
      if (rc < 0) {
        /* an unreadable header; not an archive that broke off */
        if ((rc == HK_E_INVAL || rc == HK_E_LIMIT) && !r->src.read_failed &&
            !r->broken) {
          if ((rc = bad_record(r, err, 1)) < 0 ||
              (rc = next_input(r, err)) < 0) {
            hk_file_close_input(r);
            return rc;
          }
          continue;
        }
        hk_file_close_input(r);
        return rc;
      }
      if (r->csv_header_as_row) {
        r->csv_header_as_row = 0;
        return 1;
      }
    }
    hk_file_input *in = &r->inputs[r->cur];
    int64_t before = hk_file_src_offset(&r->src);
    if (in->is_json)
      rc = hk_file_json_next(&r->json, obj, err);
    else
      rc = hk_file_csv_next(&r->csv, err);
    r->bytes += hk_file_src_offset(&r->src) - before;
    if (rc == 1 && !in->is_json && r->csv.n_fields != in->n_map) {
      hk_error_set(err, HK_E_INVAL,
                   "%s:%lld: %zu fields, expected %zu (as in the header on "
                   "line %lld)",
                   in->path, (long long)r->csv.line, r->csv.n_fields, in->n_map,
                   (long long)in->header_line);
      rc = HK_FILE_BAD;
    }
    if (rc == HK_FILE_REC)
      return 1;
    if (rc == HK_FILE_END) {
      if ((rc = next_input(r, err)) < 0)
        return rc;
      continue;
    }
    if (rc == HK_FILE_BAD) {
      if ((rc = bad_record(r, err, 0)) < 0)
        return rc;
      continue;
    }
    /* a source that broke off (truncated archive, zip bomb, read error)
     * ends the run: nothing after it can be trusted */
    if ((rc != HK_E_INVAL && rc != HK_E_LIMIT) || r->src.read_failed ||
        r->broken)
      return rc;
    if ((rc = bad_record(r, err, 1)) < 0)
      return rc;
    if ((rc = next_input(r, err)) < 0)
      return rc;
  }
}

/* -------------------------------------------------------------- sampling */

static int
keep_sample_row(hk_file_run *r, struct json_object *obj, int64_t line)
{
  if (r->n_rows == r->cap_rows) {
    size_t cap = r->cap_rows ? r->cap_rows * 2 : 256;
    hk_file_sample_row *rows = realloc(r->rows, cap * sizeof *rows);
    if (!rows)
      return HK_E_NOMEM;
    r->rows = rows;
    r->cap_rows = cap;
  }
  hk_file_sample_row *row = &r->rows[r->n_rows];
  row->input = r->cur;
  row->line = line;
  row->obj = obj;
  row->first = r->n_fields;
  row->n = 0;
  if (!obj) {
    size_t n = r->csv.n_fields;
    if (r->n_fields + n > r->cap_fields) {
      size_t cap = (r->n_fields + n) * 2;
      size_t(*f)[2] = realloc(r->fields, cap * sizeof *f);
      if (!f)
        return HK_E_NOMEM;
      r->fields = f;
      r->cap_fields = cap;
    }
    for (size_t i = 0; i < n; i++) {
      r->fields[r->n_fields + i][0] = r->arena.len;
      r->fields[r->n_fields + i][1] = r->csv.fields[i].len;
      if (hk_buf_append(&r->arena, r->csv.fields[i].p, r->csv.fields[i].len))
        return HK_E_NOMEM;
    }
    r->n_fields += n;
    row->n = n;
  }
  r->n_rows++;
  return HK_OK;
}

static int
infer_record(hk_file_run *r, struct json_object *obj)
{
  if (obj) {
    json_object_object_foreach(obj, key, val)
    {
      size_t len = strlen(key);
      int idx = hk_file_names_find(&r->names, key, len);
      if (idx < 0 && (idx = hk_file_add_column(r, key, len)) < 0)
        return idx;
      hk_file_infer_json(&r->cols[idx].inf, val);
    }
    return HK_OK;
  }
  const int32_t *map = r->inputs[r->cur].map;
  for (size_t i = 0; i < r->csv.n_fields; i++)
    if (map[i] >= 0)
      hk_file_infer_text(&r->cols[map[i]].inf, r->csv.fields[i].p,
                         r->csv.fields[i].len);
  return HK_OK;
}

/* Forget the kept rows (infer_rows=0 over an input too big to hold). */
static void
drop_sample(hk_file_run *r)
{
  for (size_t i = 0; i < r->n_rows; i++)
    if (r->rows[i].obj)
      json_object_put(r->rows[i].obj);
  r->n_rows = r->n_fields = r->replay = 0;
  hk_buf_reset(&r->arena);
}

int
hk_file_collect_sample(hk_file_run *r, hk_error *err)
{
  /* infer_rows=0: rows are kept while the input read stays under
   * HK_FILE_KEEP_BYTES; an input that ends by then was read once, and
   * only a longer one is read twice (the first pass then only infers). */
  const int two_pass = r->infer_rows == 0;
  int keeping = 1;
  int64_t n = 0;
  r->quiet = 0;
  for (;;) {
    if (!two_pass && n >= r->infer_rows)
      break;
    if (two_pass && keeping && r->bytes > HK_FILE_KEEP_BYTES) {
      drop_sample(r);
      keeping = 0;
      r->quiet = 1;
      r->quiet_until = 1;
      r->quiet_input = r->cur;
      r->quiet_offset = r->src_open ? hk_file_src_offset(&r->src) : 0;
    }
    struct json_object *obj = NULL;
    hk_error rerr;
    hk_error_clear(&rerr);
    int rc = hk_file_read_record(r, &obj, &rerr);
    if (rc == 0)
      break;
    if (rc < 0) {
      if (rc == HK_E_NOMEM || rc == HK_E_CONFIG) {
        *err = rerr;
        return rc;
      }
      if (keeping) { /* report it after the rows before it */
        r->pending = 1;
        r->pending_err = rerr;
      }
      break; /* two passes: the second pass meets it again */
    }
    int64_t line = obj ? r->json.line : r->csv.line;
    rc = infer_record(r, obj);
    if (rc == HK_OK && keeping)
      rc = keep_sample_row(r, obj, line);
    if ((rc != HK_OK || !keeping) && obj)
      json_object_put(obj);
    if (rc != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
    n++;
  }
  r->sampled = n;
  if (!keeping) {
    hk_file_close_input(r);
    hk_file_archive_rewind(r);
    r->cur = 0;
    r->quiet = 0;
  }
  return HK_OK;
}
