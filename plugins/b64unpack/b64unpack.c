/*
 * plugins/b64unpack/b64unpack.c -- the b64unpack analyzer: decode base64
 * runs in a text column, unpack archives, one output row per decoded item
 * (MSTICPy's unpack_df columns, reference §14).  Streams row by row.
 */
#include <huntkit/analyzer.h>
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/plugin.h>
#include <huntkit/table.h>

#include "b64_core.c"
#include "b64_text.c"

static const hk_host *b64_host;

#define B64_BATCH_ROWS 1024
#define B64_BATCH_BYTES (8u << 20)

enum {
  OUT_REFERENCE,
  OUT_ORIGINAL,
  OUT_FILE_NAME,
  OUT_FILE_TYPE,
  OUT_DECODED,
  OUT_ENCODING,
  OUT_HASHES,
  OUT_MD5,
  OUT_SHA1,
  OUT_SHA256,
  OUT_PRINTABLE,
  OUT_SRC_INDEX,
  OUT_INPUT,
  OUT_FULL,
  OUT_DEPTH,
  OUT_SIZE,
  OUT_NOTE,
  OUT_NCOLS
};

typedef struct b64_run {
  const hk_instance *inst;
  b64_ctx ctx;
  hk_row_cursor cur; /* the input, row by row */
  const char *column;
  int64_t col;
  int keep_input; /* copy the input and full_decoded_string into each row */
  hk_table_builder *out;
  hk_buf cell;
} b64_run;

static void
b64_run_free(void *ud)
{
  b64_run *r = ud;
  if (!r)
    return;
  hk_row_cursor_release(&r->cur);
  hk_table_builder_free(r->out);
  b64_ctx_free(&r->ctx);
  hk_buf_free(&r->cell);
  free(r);
}

static int
b64_out_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  b64_run *r = ud;
  return hk_table_builder_export_schema(r->out, out, err);
}

static int
b64_put_str(hk_table_builder *b, size_t col, const char *s)
{
  if (!s)
    return hk_table_builder_append_null(b, col);
  return hk_table_builder_append_utf8(b, col, s, strlen(s));
}

/* Decode one cell and append its items.  Returns the bytes appended or a
 * negative code. */
static int64_t
b64_emit_cell(b64_run *r, int64_t row, hk_error *err)
{
  const char *text;
  size_t len;
  hk_buf full = HK_BUF_INIT;
  int64_t bytes = 0;
  int64_t src = r->cur.row_base + row;
  int rc;

  if (hk_batch_view_is_null(&r->cur.view, r->col, row))
    return 0;
  text = hk_batch_view_utf8(&r->cur.view, r->col, row, &len);
  rc = b64_unpack_text(&r->ctx, text, len, &full);
  if (rc != HK_OK) {
    hk_buf_free(&full);
    return hk_error_set(err, rc, "b64unpack: row %lld: out of memory",
                        (long long)src);
  }
  if (r->ctx.stopped)
    b64_host->log(r->inst, HK_LOG_WARN,
                  "b64unpack: row %lld: %s; keeping the %zu item(s) decoded "
                  "before it",
                  (long long)src, r->ctx.stop_msg, r->ctx.nitems);
  for (size_t i = 0; i < r->ctx.nitems; i++) {
    const b64_item *it = &r->ctx.items[i];
    hk_table_builder *b = r->out;
    hk_buf hashes = HK_BUF_INIT;
    hk_buf_appendf(&hashes,
                   "{\"md5\": \"%s\", \"sha1\": \"%s\", \"sha256\": \"%s\"}",
                   it->md5, it->sha1, it->sha256);
    if (b64_put_str(b, OUT_REFERENCE, it->reference) ||
        b64_put_str(b, OUT_ORIGINAL, it->original) ||
        b64_put_str(b, OUT_FILE_NAME, it->file_name) ||
        b64_put_str(b, OUT_FILE_TYPE, it->file_type) ||
        (it->decoded ? hk_table_builder_append_utf8(b, OUT_DECODED, it->decoded,
                                                    it->decoded_len)
                     : hk_table_builder_append_null(b, OUT_DECODED)) ||
        b64_put_str(b, OUT_ENCODING, it->encoding) ||
        b64_put_str(b, OUT_HASHES, hashes.data) ||
        b64_put_str(b, OUT_MD5, it->md5) ||
        b64_put_str(b, OUT_SHA1, it->sha1) ||
        b64_put_str(b, OUT_SHA256, it->sha256) ||
        b64_put_str(b, OUT_PRINTABLE, it->printable) ||
        hk_table_builder_append_int64(b, OUT_SRC_INDEX, src) ||
        (r->keep_input
             ? hk_table_builder_append_utf8(b, OUT_INPUT, text, len) ||
                   hk_table_builder_append_utf8(
                       b, OUT_FULL, full.data ? full.data : "", full.len)
             : hk_table_builder_append_null(b, OUT_INPUT) ||
                   hk_table_builder_append_null(b, OUT_FULL)) ||
        hk_table_builder_append_int64(b, OUT_DEPTH, it->depth) ||
        hk_table_builder_append_int64(b, OUT_SIZE, (int64_t)it->len) ||
        (r->ctx.stopped ? b64_put_str(b, OUT_NOTE, r->ctx.stop_msg)
                        : hk_table_builder_append_null(b, OUT_NOTE))) {
      hk_buf_free(&hashes);
      hk_buf_free(&full);
      return hk_error_set(err, HK_E_NOMEM, "b64unpack: out of memory");
    }
    hk_buf_free(&hashes);
    bytes += (int64_t)(r->keep_input ? len + full.len : 0) +
             (int64_t)(it->decoded_len + 512) + (int64_t)strlen(it->printable);
  }
  hk_buf_free(&full);
  return bytes;
}

static int
b64_out_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  b64_run *r = ud;
  int64_t bytes = 0;
  int rc;

  out->release = NULL;
  while ((rc = hk_row_cursor_next(&r->cur, err)) > 0) {
    int64_t n = b64_emit_cell(r, r->cur.row, err);
    if (n < 0)
      return (int)n;
    bytes += n;
    if (hk_table_builder_row_count(r->out) >= B64_BATCH_ROWS ||
        bytes >= (int64_t)B64_BATCH_BYTES)
      return hk_table_builder_finish_batch(r->out, out, err);
    if (b64_host->is_canceled(r->inst))
      return hk_error_set(err, HK_E_CANCELED, "b64unpack: canceled");
  }
  if (rc < 0) {
    hk_error_prefix(err, "b64unpack: ");
    return rc;
  }
  if (hk_table_builder_row_count(r->out) > 0)
    return hk_table_builder_finish_batch(r->out, out, err);
  return HK_OK;
}

static int
b64_get_positive(const hk_config *options, const char *name, int64_t *out,
                 hk_error *err)
{
  int64_t v;
  if (b64_host->config_get_int(options, name, &v) != HK_OK)
    return HK_OK; /* keep the built-in default */
  if (v < 1)
    return hk_error_set(err, HK_E_INVAL,
                        "b64unpack: %s must be at least 1 (got %lld)", name,
                        (long long)v);
  *out = v;
  return HK_OK;
}

static int
b64_run_analyzer(void *state, const hk_config *options,
                 struct ArrowArrayStream *input,
                 struct ArrowArrayStream *output, hk_error *err)
{
  b64_run *r = calloc(1, sizeof *r);
  const char *utf16;
  int rc;
  static const char *const names[OUT_NCOLS] = {
      "reference",
      "original_string",
      "file_name",
      "file_type",
      "decoded_string",
      "encoding_type",
      "file_hashes",
      "md5",
      "sha1",
      "sha256",
      "printable_bytes",
      "src_index",
      NULL /* the input column's name */,
      "full_decoded_string",
      "depth",
      "size",
      "note"};
  static const int types[OUT_NCOLS] = {
      HK_COL_UTF8,  HK_COL_UTF8,  HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8,
      HK_COL_UTF8,  HK_COL_UTF8,  HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8,
      HK_COL_UTF8,  HK_COL_INT64, HK_COL_UTF8, HK_COL_UTF8, HK_COL_INT64,
      HK_COL_INT64, HK_COL_UTF8};
  static const hk_stream_callbacks cb = {sizeof cb, b64_out_schema,
                                         b64_out_next, b64_run_free};

  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "b64unpack: out of memory");
  }
  r->inst = state; /* warnings name the instance, so the run is partial */
  rc = hk_row_cursor_init(&r->cur, input, err);
  if (rc != HK_OK) {
    hk_error_prefix(err, "b64unpack: input: ");
    goto fail;
  }
  r->ctx.lim = (b64_limits){.max_depth = 20,
                            .max_total_bytes = 64 << 20,
                            .max_entries = 10000,
                            .max_ratio = 100,
                            .max_hex_bytes = 65536,
                            .utf16 = 2};
  r->column = b64_host->config_get_string(options, "column");
  if (!r->column || !*r->column) {
    rc = hk_error_set(err, HK_E_INVAL,
                      "b64unpack: no column to decode: name it, e.g. "
                      "'b64unpack CommandLine' or 'b64unpack column=Message'");
    goto fail;
  }
  if ((rc = b64_get_positive(options, "max_depth", &r->ctx.lim.max_depth,
                             err)) ||
      (rc = b64_get_positive(options, "max_total_bytes",
                             &r->ctx.lim.max_total_bytes, err)) ||
      (rc = b64_get_positive(options, "max_entries", &r->ctx.lim.max_entries,
                             err)) ||
      (rc = b64_get_positive(options, "max_ratio", &r->ctx.lim.max_ratio,
                             err)) ||
      (rc = b64_get_positive(options, "max_hex_bytes",
                             &r->ctx.lim.max_hex_bytes, err)))
    goto fail;
  r->keep_input = 1;
  b64_host->config_get_bool(options, "keep_input", &r->keep_input);
  utf16 = b64_host->config_get_string(options, "utf16");
  if (utf16 && strcmp(utf16, "yes") == 0)
    r->ctx.lim.utf16 = 1;
  else if (utf16 && strcmp(utf16, "no") == 0)
    r->ctx.lim.utf16 = 0;

  r->col = -1;
  for (int64_t k = 0; k < r->cur.schema.n_children; k++) {
    const struct ArrowSchema *ch = r->cur.schema.children[k];
    if (ch->name && strcmp(ch->name, r->column) == 0)
      r->col = k;
  }
  if (r->col < 0) {
    hk_buf cols = HK_BUF_INIT;
    for (int64_t k = 0; k < r->cur.schema.n_children; k++)
      hk_buf_appendf(&cols, "%s%s", k ? ", " : "",
                     r->cur.schema.children[k]->name
                         ? r->cur.schema.children[k]->name
                         : "");
    rc = hk_error_set(err, HK_E_NOTFOUND,
                      "b64unpack: no column '%s' (columns: %s)", r->column,
                      cols.data ? cols.data : "none");
    hk_buf_free(&cols);
    goto fail;
  }
  if (hk_column_type_from_format(r->cur.schema.children[r->col]->format) !=
      HK_COL_UTF8) {
    rc = hk_error_set(err, HK_E_INVAL, "b64unpack: column '%s' is %s, not text",
                      r->column,
                      hk_column_type_name(hk_column_type_from_format(
                          r->cur.schema.children[r->col]->format)));
    goto fail;
  }
  r->out = hk_table_builder_new();
  if (!r->out) {
    rc = hk_error_set(err, HK_E_NOMEM, "b64unpack: out of memory");
    goto fail;
  }
  for (int k = 0; k < OUT_NCOLS; k++) {
    if (hk_table_builder_add_column(r->out, names[k] ? names[k] : r->column,
                                    types[k]) < 0) {
      rc = hk_error_set(err, HK_E_NOMEM, "b64unpack: out of memory");
      goto fail;
    }
  }
  rc = hk_stream_init_callbacks(output, &cb, r, err);
  if (rc != HK_OK)
    goto fail;
  return HK_OK;
fail:
  b64_run_free(r);
  return rc;
}

static const hk_param b64_options[] = {
    {"column", HK_PT_STRING, HK_P_REST, NULL, NULL,
     "text column to decode (also the stage's free text: b64unpack Cmd)"},
    {"max_depth", HK_PT_INT, 0, "20", NULL,
     "deepest nesting of encodings and archives to follow"},
    {"max_total_bytes", HK_PT_INT, 0, "67108864", NULL,
     "decoded plus unpacked bytes allowed per input row"},
    {"max_entries", HK_PT_INT, 0, "10000", NULL,
     "archive entries allowed per input row"},
    {"max_ratio", HK_PT_INT, 0, "100", NULL,
     "largest unpacked/packed size ratio of an archive (past 1 MiB)"},
    {"max_hex_bytes", HK_PT_INT, 0, "65536", NULL,
     "bytes of a binary item shown in printable_bytes"},
    {"keep_input", HK_PT_BOOL, 0, "true", NULL,
     "copy the input text and full_decoded_string into every output row "
     "(false: those two columns are null, which keeps output small when the "
     "input is a whole file)"},
    {"utf16", HK_PT_STRING, 0, "auto", "auto|yes|no",
     "decode UTF-16 text (PowerShell -enc): auto detects UTF-16LE"},
    {NULL, 0, 0, NULL, NULL, NULL}};

/* The only state is the instance itself, for logging: a warning logged
 * without it would not mark the run as partial. */
static int
b64_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  (void)cfg;
  (void)err;
  *state = (void *)inst;
  return HK_OK;
}

static const hk_analyzer_vt b64_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = b64_options,
    .create = b64_create,
    .destroy = NULL,
    .run = b64_run_analyzer,
};

static const hk_plugin_desc b64_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "b64unpack",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING,
    .summary = "decode base64 runs and unpack archives (zip, gzip, tar, ...) "
               "in a text column",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &b64_vt,
};

static const hk_plugin_desc *const b64_descs[] = {&b64_desc, NULL};

static const hk_plugin_desc *const *
b64_entry(const struct hk_host *host, hk_error *err)
{
  (void)err;
  b64_host = host;
  return b64_descs;
}

HK_PLUGIN_DEFINE(b64unpack, b64_entry)
