/*
 * plugins/renderers/csv.c -- the `csv` renderer: RFC 4180 text, one row
 * per line, written batch by batch.  See README.md for the exact format.
 */
#include "renderers.h"

#include <stdlib.h>
#include <string.h>

static const hk_param csv_options[] = {
    {"delimiter", HK_PT_STRING, 0, ",", NULL,
     "field separator: one ASCII character, or 'tab'"},
    {"header", HK_PT_BOOL, 0, "true", NULL,
     "write the column names as the first row"},
    {"crlf", HK_PT_BOOL, 0, "false", NULL,
     "end rows with CR LF (strict RFC 4180) instead of LF"},
    {"excel_safe", HK_PT_BOOL, 0, "false", NULL,
     "prefix ' to text starting with = + - @ TAB or CR (formula injection)"},
    {"bom", HK_PT_BOOL, 0, "false", NULL,
     "start with a UTF-8 byte order mark (for Excel)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

typedef struct csv_render {
  char sep;
  int header;
  int excel_safe;
  int bom;
  const char *eol;
  size_t eol_len;
  /* Formatted numbers and timestamps hold only [0-9a-zA-Z.:+-]; with these
   * separators they never need quoting and go straight to the buffer. */
  int plain_formatted;
  int64_t columns;
  hk_buf scratch; /* reused for excel_safe prefixes and formatted cells */
} csv_render;

/* Characters that make a spreadsheet read a cell as a formula (OWASP's
 * CSV injection list). */
static int
csv_formula_start(char c)
{
  return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static int
csv_text_field(csv_render *cr, hk_buf *b, const char *s, size_t len)
{
  if (len == 0 && cr->columns == 1)
    /* A lone empty field would make an empty line, which readers skip:
     * quote it so the row survives (Python's csv module does the same). */
    return hk_buf_append(b, "\"\"", 2);
  if (cr->excel_safe && len > 0 && csv_formula_start(s[0])) {
    hk_buf_reset(&cr->scratch);
    if (hk_buf_append_char(&cr->scratch, '\'') != HK_OK ||
        hk_buf_append(&cr->scratch, s, len) != HK_OK)
      return HK_E_NOMEM;
    return hk_buf_append_csv_field(b, cr->scratch.data, cr->scratch.len,
                                   cr->sep);
  }
  return hk_buf_append_csv_field(b, s, len, cr->sep);
}

static int
csv_parse_delimiter(const char *text, char *out, hk_error *err)
{
  if (strcmp(text, "tab") == 0 || strcmp(text, "\\t") == 0) {
    *out = '\t';
    return HK_OK;
  }
  if (strlen(text) != 1 || (unsigned char)text[0] >= 0x80 || text[0] == '"' ||
      text[0] == '\r' || text[0] == '\n') {
    hk_error_set(err, HK_E_CONFIG,
                 "csv: option 'delimiter' must be one ASCII character other "
                 "than '\"', CR or LF, or 'tab'; got '%s'",
                 text);
    if (err)
      err->flags |= HK_EF_USER;
    return HK_E_CONFIG;
  }
  *out = text[0];
  return HK_OK;
}

static int
csv_begin(void *ud, const struct ArrowSchema *schema, hk_rnd_out *out,
          hk_error *err)
{
  csv_render *cr = ud;
  hk_buf *b = &out->buf;
  int64_t c;

  cr->columns = schema->n_children;
  if (cr->bom && hk_buf_append(b, "\xEF\xBB\xBF", 3) != HK_OK)
    return hk_rnd_nomem(err, "csv header");
  if (!cr->header)
    return HK_OK;
  for (c = 0; c < cr->columns; c++) {
    const char *name =
        schema->children[c]->name ? schema->children[c]->name : "";
    if ((c > 0 && hk_buf_append_char(b, cr->sep) != HK_OK) ||
        csv_text_field(cr, b, name, strlen(name)) != HK_OK)
      return hk_rnd_nomem(err, "csv header");
  }
  if (hk_buf_append(b, cr->eol, cr->eol_len) != HK_OK)
    return hk_rnd_nomem(err, "csv header");
  return HK_OK;
}

/* A field of a plain column (its text in this batch holds no quote,
 * separator, CR or LF) goes out as it is unless it is empty or has a blank
 * at an end. */
static int
csv_plain_field(const char *s, size_t len)
{
  return len > 0 && s[0] != ' ' && s[0] != '\t' && s[len - 1] != ' ' &&
         s[len - 1] != '\t';
}

/* `plain`: the column's text in this batch holds no quote, separator, CR
 * or LF, so a field needs quotes only for a leading or trailing blank. */
static int
csv_cell(csv_render *cr, hk_buf *b, const hk_batch_view *v,
         const hk_column_view *cv, int plain, int64_t col, int64_t row)
{
  if (hk_column_view_is_null(cv, row))
    return cr->columns == 1 ? hk_buf_append(b, "\"\"", 2) : HK_OK;
  if (cv->type == HK_COL_UTF8) {
    size_t len;
    const char *s = hk_column_view_utf8(cv, row, &len);
    if (plain && csv_plain_field(s, len))
      return hk_buf_append(b, s, len);
    return csv_text_field(cr, b, s, len);
  }
  if (cr->plain_formatted && cv->type == HK_COL_INT64)
    return hk_buf_append_int64(b, hk_column_view_int64(cv, row));
  if (cr->plain_formatted)
    return hk_rnd_append_formatted(b, v, col, row);
  hk_buf_reset(&cr->scratch);
  if (hk_rnd_append_formatted(&cr->scratch, v, col, row) != HK_OK)
    return HK_E_NOMEM;
  return hk_buf_append_csv_field(b, cr->scratch.data, cr->scratch.len, cr->sep);
}

/* A row of plain cells -- utf8 fields of plain columns without blanks at
 * their ends, integers (with a separator that needs no quotes around
 * them), nulls -- with one reservation and no per-field checks: most rows
 * of a log's table.  Returns 1 when written, 0 when the row needs the
 * general path, HK_E_NOMEM. */
static int
csv_row_plain(const csv_render *cr, hk_buf *b, const hk_column_view *cv,
              const unsigned char *plain, int64_t ncols, int64_t row)
{
  const char *text[64];
  size_t len[64], need = (size_t)ncols + cr->eol_len;
  char *p;

  if (ncols > 64 || cr->columns == 1)
    return 0;
  for (int64_t c = 0; c < ncols; c++) {
    const hk_column_view *col = &cv[c];
    text[c] = NULL;
    len[c] = 0;
    if (hk_column_view_is_null(col, row))
      continue;
    if (col->type == HK_COL_UTF8 && plain[c]) {
      const char *s = hk_column_view_utf8(col, row, &len[c]);
      if (!csv_plain_field(s, len[c]))
        return 0;
      text[c] = s;
      need += len[c];
    } else if (col->type == HK_COL_INT64 && cr->plain_formatted) {
      need += 20;
    } else {
      return 0;
    }
  }
  if (hk_buf_reserve(b, need) != HK_OK)
    return HK_E_NOMEM;
  p = b->data + b->len;
  for (int64_t c = 0; c < ncols; c++) {
    const hk_column_view *col = &cv[c];
    if (c > 0)
      *p++ = cr->sep;
    if (text[c]) {
      memcpy(p, text[c], len[c]);
      p += len[c];
    } else if (col->type == HK_COL_INT64 && !hk_column_view_is_null(col, row)) {
      b->len = (size_t)(p - b->data);
      if (hk_buf_append_int64(b, hk_column_view_int64(col, row)) != HK_OK)
        return HK_E_NOMEM;
      p = b->data + b->len;
    }
  }
  memcpy(p, cr->eol, cr->eol_len);
  p += cr->eol_len;
  b->len = (size_t)(p - b->data);
  b->data[b->len] = '\0';
  return 1;
}

static int
csv_batch(void *ud, const hk_batch_view *v, hk_rnd_out *out, hk_error *err)
{
  csv_render *cr = ud;
  hk_buf *b = &out->buf;
  hk_column_view cols[64];
  hk_column_view *cv = cols;
  unsigned char plains[64], *plain = plains;
  int64_t row, col;
  int rc = HK_OK;

  if (v->columns > (int64_t)(sizeof cols / sizeof cols[0])) {
    cv = malloc((size_t)v->columns * sizeof *cv);
    plain = malloc((size_t)v->columns);
    if (cv == NULL || plain == NULL) {
      free(cv);
      free(plain);
      return hk_rnd_nomem(err, "csv column types");
    }
  }
  for (col = 0; col < v->columns; col++) {
    /* One look at a text column's whole text in the batch spares most of
     * its fields their own (excel_safe needs each field's first byte). */
    size_t len;
    const char *text;
    plain[col] = 0;
    if (hk_batch_view_column(v, col, &cv[col]) == HK_COL_UTF8 &&
        !cr->excel_safe && cr->columns > 1) {
      text = hk_column_view_utf8_span(&cv[col], 0, v->rows, &len);
      plain[col] = !hk_csv_has_special(text, len, cr->sep);
    }
  }
  for (row = 0; row < v->rows && rc == HK_OK; row++) {
    int done = csv_row_plain(cr, b, cv, plain, v->columns, row);
    if (done == HK_E_NOMEM) {
      rc = hk_rnd_nomem(err, "csv row");
      break;
    }
    if (done) {
      rc = hk_rnd_out_maybe_flush(out, err);
      continue;
    }
    for (col = 0; col < v->columns; col++) {
      if ((col > 0 && hk_buf_append_char(b, cr->sep) != HK_OK) ||
          csv_cell(cr, b, v, &cv[col], plain[col], col, row) != HK_OK) {
        rc = hk_rnd_nomem(err, "csv row");
        break;
      }
    }
    if (rc == HK_OK && hk_buf_append(b, cr->eol, cr->eol_len) != HK_OK)
      rc = hk_rnd_nomem(err, "csv row");
    if (rc == HK_OK)
      rc = hk_rnd_out_maybe_flush(out, err);
  }
  if (cv != cols) {
    free(cv);
    free(plain);
  }
  return rc;
}

static int
csv_end(void *ud, hk_rnd_out *out, hk_error *err)
{
  (void)ud;
  (void)out;
  (void)err;
  return HK_OK;
}

static const hk_rnd_driver csv_driver = {csv_begin, csv_batch, csv_end};

static int
csv_render_stream(void *state, const hk_config *options,
                  struct ArrowArrayStream *input, const hk_sink *sink,
                  hk_error *err)
{
  csv_render cr;
  hk_buf empty = HK_BUF_INIT;
  int rc;

  memset(&cr, 0, sizeof cr);
  cr.scratch = empty;
  rc = csv_parse_delimiter(hk_rnd_opt_string(options, "delimiter", ","),
                           &cr.sep, err);
  if (rc != HK_OK) {
    hk_stream_release(input);
    return rc;
  }
  cr.header = hk_rnd_opt_bool(options, "header", 1);
  cr.excel_safe = hk_rnd_opt_bool(options, "excel_safe", 0);
  cr.bom = hk_rnd_opt_bool(options, "bom", 0);
  if (hk_rnd_opt_bool(options, "crlf", 0)) {
    cr.eol = "\r\n";
    cr.eol_len = 2;
  } else {
    cr.eol = "\n";
    cr.eol_len = 1;
  }
  cr.plain_formatted = strchr(",;|\t ", cr.sep) != NULL;
  rc = hk_rnd_drive(state, input, sink, &csv_driver, &cr, err);
  hk_buf_free(&cr.scratch);
  return rc;
}

static const hk_renderer_vt csv_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = csv_options,
    .create = hk_rnd_create,
    .destroy = hk_rnd_destroy,
    .media_type = "text/csv",
    .render = csv_render_stream,
};

const hk_plugin_desc hk_rnd_csv_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "csv",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .flags = HK_PF_THREADSAFE,
    .summary = "RFC 4180 CSV with a header row, streamed batch by batch",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &csv_vt,
};
