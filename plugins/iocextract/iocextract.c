/*
 * plugins/iocextract/iocextract.c -- the iocextract analyzer: find IoCs in
 * text columns, one output row per (input row, column, type, distinct
 * observable), like MSTICPy's IoCExtract.extract_df.  Streams: input
 * batches are scanned as they arrive and output batches are bounded.
 */
#include <huntkit/analyzer.h>
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/plugin.h>
#include <huntkit/table.h>

#include "ioc_scan.c"
/* after ioc_scan.c, whose types it uses */
#include "ioc_marks.c"
/* after ioc_marks.c, whose bitmaps it reads */
#include "ioc_match.c"
/* last: it calls the matchers */
#include "ioc_find.c"

static const hk_host *ioc_host;

/* Output batches stop growing at this many rows or text bytes. */
#define IOC_BATCH_ROWS 8192
#define IOC_BATCH_BYTES (4u << 20)

enum { OUT_TYPE, OUT_OBSERVABLE, OUT_SOURCE_INDEX, OUT_INPUT, OUT_COLUMN };

/* Instance state: the custom patterns from the instance config. */
typedef struct ioc_state {
  const hk_instance *inst;
  size_t ncustom;
  char **custom_name;
  char **custom_regex;
} ioc_state;

typedef struct ioc_run {
  const hk_instance *inst;
  ioc_scanner sc;
  hk_row_cursor cur; /* the input, row by row */
  size_t ncols;
  const char *const *col_names; /* borrowed from the options */
  int64_t *col_index;           /* per column, index in cur.schema */
  size_t *col_name_len;
  hk_column_view *col_view;  /* per column, in the current batch */
  const char **col_end;      /* per column, the end of the batch's text */
  hk_column_view index_view; /* index_col in the current batch */
  hk_table_builder *out;
  hk_buf cell;       /* text of a non-utf8 cell */
  int64_t index_col; /* int64 column giving SourceIndex, or -1: row number */
  int keep_input;    /* fill the Input column (else null) */
} ioc_run;

static int
ioc_parse_custom(ioc_state *st, const char *item, hk_error *err)
{
  const char *eq = strchr(item, '=');
  size_t nlen;
  if (!eq || eq == item)
    return hk_error_set(err, HK_E_CONFIG,
                        "iocextract: custom: '%s' is not 'name=regex' "
                        "(e.g. 'cve=CVE-[0-9]{4}-[0-9]{4,}')",
                        item);
  nlen = (size_t)(eq - item);
  for (size_t i = 0; i < nlen; i++) {
    char c = item[i];
    if (!((c >= 'a' && c <= 'z') || c == '_' ||
          (i > 0 && c >= '0' && c <= '9')))
      return hk_error_set(err, HK_E_CONFIG,
                          "iocextract: custom: type name '%.*s' must match "
                          "[a-z_][a-z0-9_]*",
                          (int)nlen, item);
  }
  for (int b = 0; b < IOC_BUILTIN_COUNT; b++)
    if (strlen(ioc_builtin_names[b]) == nlen &&
        memcmp(ioc_builtin_names[b], item, nlen) == 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "iocextract: custom: '%.*s' is a built-in type; "
                          "give the custom pattern another name",
                          (int)nlen, item);
  st->custom_name[st->ncustom] = strndup(item, nlen);
  st->custom_regex[st->ncustom] = strdup(eq + 1);
  if (!st->custom_name[st->ncustom] || !st->custom_regex[st->ncustom]) {
    free(st->custom_name[st->ncustom]);
    free(st->custom_regex[st->ncustom]);
    return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
  }
  st->ncustom++;
  return HK_OK;
}

static void
ioc_destroy(void *state)
{
  ioc_state *st = state;
  if (!st)
    return;
  for (size_t i = 0; i < st->ncustom; i++) {
    free(st->custom_name[i]);
    free(st->custom_regex[i]);
  }
  free(st->custom_name);
  free(st->custom_regex);
  free(st);
}

static int
ioc_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  ioc_state *st = calloc(1, sizeof *st);
  const char *const *items = NULL;
  size_t n = 0;
  int rc;

  if (!st)
    return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
  st->inst = inst;
  if (cfg)
    n = ioc_host->config_get_list(cfg, "custom", &items);
  if (n) {
    st->custom_name = calloc(n, sizeof *st->custom_name);
    st->custom_regex = calloc(n, sizeof *st->custom_regex);
    if (!st->custom_name || !st->custom_regex) {
      ioc_destroy(st);
      return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
    }
  }
  for (size_t i = 0; i < n; i++) {
    rc = ioc_parse_custom(st, items[i], err);
    if (rc != HK_OK) {
      ioc_destroy(st);
      return rc;
    }
  }
  /* Compile once here so a broken pattern is refused when the instance is
   * configured, not in the middle of a hunt. */
  if (n) {
    ioc_scanner sc;
    char msg[256];
    rc = ioc_scanner_init(&sc, NULL, msg, sizeof msg);
    for (size_t i = 0; rc == HK_OK && i < st->ncustom; i++)
      rc = ioc_scanner_add_pattern(&sc, st->custom_name[i], st->custom_regex[i],
                                   0, msg, sizeof msg);
    ioc_scanner_free(&sc);
    if (rc != HK_OK) {
      ioc_destroy(st);
      return hk_error_set(err, rc == HK_E_NOMEM ? HK_E_NOMEM : HK_E_CONFIG,
                          "iocextract: custom: %s", msg);
    }
  }
  *state = st;
  return HK_OK;
}

static void
ioc_run_free(void *ud)
{
  ioc_run *r = ud;
  if (!r)
    return;
  hk_row_cursor_release(&r->cur);
  hk_table_builder_free(r->out);
  ioc_scanner_free(&r->sc);
  free(r->col_index);
  free(r->col_name_len);
  free(r->col_view);
  free(r->col_end);
  hk_buf_free(&r->cell);
  free(r);
}

static int
ioc_out_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  ioc_run *r = ud;
  return hk_table_builder_export_schema(r->out, out, err);
}

/* Scan one cell and append its rows. Returns bytes appended (>= 0) or a
 * negative code. */
static int64_t
ioc_emit_cell(ioc_run *r, int64_t row, size_t c, hk_error *err)
{
  int64_t col = r->col_index[c];
  const hk_column_view *cv = &r->col_view[c];
  const char *text;
  size_t len;
  int64_t bytes = 0;
  int rc, readable = 0;

  if (hk_column_view_is_null(cv, row))
    return 0;
  if (cv->type == HK_COL_UTF8) {
    const char *cell = hk_column_view_utf8(cv, row, &len);
    /* The pre-pass reads whole 64-byte groups and PCRE2's JIT may look a
     * few bytes past the subject (valgrind reports a branch on them): a
     * cell followed by enough of the batch's text (the next rows) is read
     * in place, the last ones of a batch from a zeroed copy. */
    size_t room = (len + 63) / 64 * 64 + 32;
    if ((size_t)(r->col_end[c] - cell) >= room) {
      text = cell;
    } else {
      hk_buf_reset(&r->cell);
      if (hk_buf_reserve(&r->cell, room) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
      memcpy(r->cell.data, cell, len);
      memset(r->cell.data + len, 0, room - len);
      text = r->cell.data;
    }
    readable = 1;
  } else {
    size_t need;
    hk_buf_reset(&r->cell);
    if (hk_buf_reserve(&r->cell, 64) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
    need = hk_batch_view_format_cell(&r->cur.view, col, row, r->cell.data,
                                     r->cell.cap);
    if (need >= r->cell.cap) {
      if (hk_buf_reserve(&r->cell, need + 1) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
      hk_batch_view_format_cell(&r->cur.view, col, row, r->cell.data,
                                r->cell.cap);
    }
    text = r->cell.data;
    len = need;
  }
  rc = readable ? ioc_scan_text_in_place(&r->sc, text, len)
                : ioc_scan_text(&r->sc, text, len);
  if (rc != HK_OK)
    return hk_error_set(err, rc, "iocextract: row %lld, column '%s': %s",
                        (long long)(r->cur.row_base + row), r->col_names[c],
                        rc == HK_E_NOMEM ? "out of memory"
                                         : "text too large to scan");
  ioc_sort_hits(&r->sc);
  int64_t src = r->cur.row_base + row;
  if (r->index_col >= 0)
    src = hk_column_view_is_null(&r->index_view, row)
              ? -1
              : hk_column_view_int64(&r->index_view, row);
  for (size_t h = 0; h < r->sc.nhits; h++) {
    const ioc_hit *hit = &r->sc.hits[h];
    const char *obs = r->sc.arena + hit->raw_off;
    const ioc_pattern *pat = &r->sc.pat[hit->type];
    if (hk_table_builder_append_utf8(r->out, OUT_TYPE, pat->name,
                                     pat->name_len) ||
        hk_table_builder_append_utf8(r->out, OUT_OBSERVABLE, obs,
                                     hit->raw_len) ||
        hk_table_builder_append_int64(r->out, OUT_SOURCE_INDEX, src) ||
        (r->keep_input
             ? hk_table_builder_append_utf8(r->out, OUT_INPUT, text, len)
             : hk_table_builder_append_null(r->out, OUT_INPUT)) ||
        hk_table_builder_append_utf8(r->out, OUT_COLUMN, r->col_names[c],
                                     r->col_name_len[c]))
      return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
    bytes += (int64_t)(hit->raw_len + (r->keep_input ? len : 0) + 16);
  }
  return bytes;
}

static int
ioc_out_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  ioc_run *r = ud;
  int64_t bytes = 0;
  int rc;

  out->release = NULL;
  while ((rc = hk_row_cursor_next(&r->cur, err)) > 0) {
    int64_t row = r->cur.row;
    if (row == 0) {
      /* a new batch */
      for (size_t c = 0; c < r->ncols; c++) {
        size_t n = 0;
        const char *t = NULL;
        if (hk_batch_view_column(&r->cur.view, r->col_index[c],
                                 &r->col_view[c]) == HK_COL_UTF8)
          t = hk_column_view_utf8_span(&r->col_view[c], 0, r->cur.view.rows,
                                       &n);
        r->col_end[c] = t ? t + n : NULL;
      }
      if (r->index_col >= 0)
        hk_batch_view_column(&r->cur.view, r->index_col, &r->index_view);
    }
    for (size_t c = 0; c < r->ncols; c++) {
      int64_t n = ioc_emit_cell(r, row, c, err);
      if (n < 0)
        return (int)n;
      bytes += n;
    }
    if (hk_table_builder_row_count(r->out) >= IOC_BATCH_ROWS ||
        bytes >= (int64_t)IOC_BATCH_BYTES)
      return hk_table_builder_finish_batch(r->out, out, err);
    if ((row & 1023) == 1023 && ioc_host->is_canceled(r->inst))
      return hk_error_set(err, HK_E_CANCELED, "iocextract: canceled");
  }
  if (rc < 0) {
    hk_error_prefix(err, "iocextract: ");
    return rc;
  }
  if (hk_table_builder_row_count(r->out) > 0)
    return hk_table_builder_finish_batch(r->out, out, err);
  return HK_OK;
}

/* Which types to scan: the `types` option, else every type except the
 * noisy paths (unless include_paths), like MSTICPy's extract_df. */
static int
ioc_select_types(ioc_run *r, const hk_config *options, hk_error *err)
{
  const char *const *types = NULL;
  size_t n = ioc_host->config_get_list(options, "types", &types);
  int include_paths = 0;

  if (n == 0) {
    ioc_host->config_get_bool(options, "include_paths", &include_paths);
    r->sc.enabled = ((uint64_t)1 << r->sc.npat) - 1;
    if (r->sc.npat == 64)
      r->sc.enabled = ~(uint64_t)0;
    if (!include_paths)
      r->sc.enabled &=
          ~(((uint64_t)1 << IOC_WINPATH) | ((uint64_t)1 << IOC_LXPATH));
    return HK_OK;
  }
  r->sc.enabled = 0;
  for (size_t i = 0; i < n; i++) {
    int t = ioc_scanner_type_index(&r->sc, types[i]);
    if (t < 0) {
      hk_buf names = HK_BUF_INIT;
      for (int k = 0; k < r->sc.npat; k++)
        hk_buf_appendf(&names, "%s%s", k ? ", " : "", r->sc.pat[k].name);
      hk_error_set(err, HK_E_INVAL,
                   "iocextract: types: unknown IoC type '%s' (known: %s)",
                   types[i], names.data ? names.data : "");
      hk_buf_free(&names);
      return HK_E_INVAL;
    }
    r->sc.enabled |= (uint64_t)1 << t;
  }
  return HK_OK;
}

static int
ioc_find_columns(ioc_run *r, hk_error *err)
{
  r->col_index = calloc(r->ncols ? r->ncols : 1, sizeof *r->col_index);
  r->col_name_len = calloc(r->ncols ? r->ncols : 1, sizeof *r->col_name_len);
  r->col_view = calloc(r->ncols ? r->ncols : 1, sizeof *r->col_view);
  r->col_end = calloc(r->ncols ? r->ncols : 1, sizeof *r->col_end);
  if (!r->col_index || !r->col_name_len || !r->col_view || !r->col_end)
    return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
  for (size_t c = 0; c < r->ncols; c++) {
    int64_t found = -1;
    r->col_name_len[c] = strlen(r->col_names[c]);
    for (int64_t k = 0; k < r->cur.schema.n_children; k++) {
      const char *nm = r->cur.schema.children[k]->name;
      if (nm && strcmp(nm, r->col_names[c]) == 0) {
        found = k;
        break;
      }
    }
    if (found < 0) {
      hk_buf names = HK_BUF_INIT;
      for (int64_t k = 0; k < r->cur.schema.n_children; k++)
        hk_buf_appendf(&names, "%s%s", k ? ", " : "",
                       r->cur.schema.children[k]->name
                           ? r->cur.schema.children[k]->name
                           : "");
      hk_error_set(err, HK_E_NOTFOUND,
                   "iocextract: no column '%s' (columns: %s)", r->col_names[c],
                   names.data ? names.data : "none");
      hk_buf_free(&names);
      return HK_E_NOTFOUND;
    }
    r->col_index[c] = found;
  }
  return HK_OK;
}

static int
ioc_run_analyzer(void *state, const hk_config *options,
                 struct ArrowArrayStream *input,
                 struct ArrowArrayStream *output, hk_error *err)
{
  ioc_state *st = state;
  ioc_run *r = calloc(1, sizeof *r);
  char msg[256];
  int rc, flag;
  static const hk_stream_callbacks cb = {sizeof cb, ioc_out_schema,
                                         ioc_out_next, ioc_run_free};

  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
  }
  rc = hk_row_cursor_init(&r->cur, input, err);
  if (rc != HK_OK) {
    hk_error_prefix(err, "iocextract: input: ");
    goto fail;
  }
  r->inst = st ? st->inst : NULL;

  r->ncols = ioc_host->config_get_list(options, "columns", &r->col_names);
  if (r->ncols == 0) {
    rc = hk_error_set(err, HK_E_INVAL,
                      "iocextract: no columns to scan: name them, e.g. "
                      "'iocextract CommandLine, Message' or "
                      "'iocextract columns=Message'");
    goto fail;
  }
  rc = ioc_scanner_init(&r->sc, ioc_host->ip_classify, msg, sizeof msg);
  if (rc != HK_OK) {
    hk_error_set(err, rc, "iocextract: %s", msg);
    goto fail;
  }
  for (size_t i = 0; st && i < st->ncustom; i++) {
    rc = ioc_scanner_add_pattern(&r->sc, st->custom_name[i],
                                 st->custom_regex[i], 0, msg, sizeof msg);
    if (rc != HK_OK) {
      hk_error_set(err, rc, "iocextract: custom: %s", msg);
      goto fail;
    }
  }
  rc = ioc_select_types(r, options, err);
  if (rc != HK_OK)
    goto fail;
  flag = 0;
  if (ioc_host->config_get_bool(options, "ignore_private", &flag) == HK_OK)
    r->sc.ignore_private = flag;
  flag = 0;
  if (ioc_host->config_get_bool(options, "ignore_tlds", &flag) == HK_OK)
    r->sc.ignore_tlds = flag;
  flag = 1;
  if (ioc_host->config_get_bool(options, "refang", &flag) == HK_OK)
    r->sc.refang = flag;
  flag = 1;
  if (ioc_host->config_get_bool(options, "defanged", &flag) == HK_OK)
    r->sc.plain_only = !flag;

  rc = ioc_find_columns(r, err);
  if (rc != HK_OK)
    goto fail;
  r->keep_input = 1;
  ioc_host->config_get_bool(options, "input", &r->keep_input);
  r->index_col = -1;
  const char *index_name = ioc_host->config_get_string(options, "index_column");
  if (index_name && *index_name) {
    for (int64_t k = 0; k < r->cur.schema.n_children; k++) {
      const char *nm = r->cur.schema.children[k]->name;
      if (nm && strcmp(nm, index_name) == 0)
        r->index_col = k;
    }
    if (r->index_col < 0 ||
        hk_column_type_from_format(
            r->cur.schema.children[r->index_col]->format) != HK_COL_INT64) {
      rc = hk_error_set(err, r->index_col < 0 ? HK_E_NOTFOUND : HK_E_INVAL,
                        "iocextract: index_column '%s' %s", index_name,
                        r->index_col < 0 ? "is not a column of the input"
                                         : "is not an int64 column");
      goto fail;
    }
  }
  r->out = hk_table_builder_new();
  if (!r->out ||
      hk_table_builder_add_column(r->out, "IoCType", HK_COL_UTF8) < 0 ||
      hk_table_builder_add_column(r->out, "Observable", HK_COL_UTF8) < 0 ||
      hk_table_builder_add_column(r->out, "SourceIndex", HK_COL_INT64) < 0 ||
      /* input=false: a column of Arrow's null type, which costs nothing
       * per row (no validity bitmap) */
      hk_table_builder_add_column(
          r->out, "Input", r->keep_input ? HK_COL_UTF8 : HK_COL_NULL) < 0 ||
      hk_table_builder_add_column(r->out, "Column", HK_COL_UTF8) < 0) {
    rc = hk_error_set(err, HK_E_NOMEM, "iocextract: out of memory");
    goto fail;
  }
  rc = hk_stream_init_callbacks(output, &cb, r, err);
  if (rc != HK_OK)
    goto fail;
  return HK_OK;
fail:
  ioc_run_free(r);
  return rc;
}

static const hk_param ioc_options[] = {
    {"columns", HK_PT_LIST, HK_P_REST, NULL, NULL,
     "text columns to scan (also the stage's free text: iocextract A, B)"},
    {"types", HK_PT_LIST, 0, NULL, NULL,
     "IoC types to look for (default: all but windows_path, linux_path)"},
    {"include_paths", HK_PT_BOOL, 0, "false", NULL,
     "with no 'types', also look for windows_path and linux_path"},
    {"ignore_private", HK_PT_BOOL, 0, "false", NULL,
     "drop IP addresses that are not globally routable"},
    {"ignore_tlds", HK_PT_BOOL, 0, "false", NULL,
     "accept domains whose TLD is not in the Public Suffix List"},
    {"defanged", HK_PT_BOOL, 0, "true", NULL,
     "recognise defanged spellings: hxxp, [.], (dot), [@], [at]"},
    {"refang", HK_PT_BOOL, 0, "true", NULL,
     "report defanged observables in their plain form"},
    {"input", HK_PT_BOOL, 0, "true", NULL,
     "fill the Input column with the scanned text (false: null, for large "
     "inputs where only the observables matter)"},
    {"index_column", HK_PT_STRING, 0, NULL, NULL,
     "an int64 input column whose value becomes SourceIndex instead of the "
     "row number (e.g. line_no of the text provider)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param ioc_params[] = {
    {"custom", HK_PT_LIST, 0, NULL, NULL,
     "extra IoC types as 'name=regex' (PCRE2, case-insensitive; a group "
     "named 'ioc' selects the observable)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt ioc_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = ioc_options,
    .create = ioc_create,
    .destroy = ioc_destroy,
    .run = ioc_run_analyzer,
};

static const hk_plugin_desc ioc_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "iocextract",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING,
    .summary = "extract IoCs (IPs, domains, URLs, hashes, emails, paths) "
               "from text columns",
    .entity_types = NULL,
    .params = ioc_params,
    .vtable = &ioc_vt,
};

static const hk_plugin_desc *const ioc_descs[] = {&ioc_desc, NULL};

static const hk_plugin_desc *const *
ioc_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->ip_classify) {
    hk_error_set(err, HK_E_ABI,
                 "iocextract: the host offers no IP classifier (ip_classify)");
    return NULL;
  }
  ioc_host = host;
  return ioc_descs;
}

HK_PLUGIN_DEFINE(iocextract, ioc_entry)
