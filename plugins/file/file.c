/*
 * plugins/file/file.c -- the `file` provider: CSV, TSV, NDJSON and JSON
 * files (or standard input) as a table stream.
 *
 * run_query expands the paths, reads the first rows to infer the columns
 * (rows.c), fixes the schema (emit.c) and returns a stream that appends the
 * remaining rows batch by batch, so memory follows the batch size, not the
 * file size.  README.md documents the options and the type rules.
 */
#include "run.h"

#include <huntkit/provider.h>
#include <json-c/json.h>

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BATCH_ROWS 8192

static const hk_host *host_services;

static const hk_param file_options[] = {
    {"path", HK_PT_LIST, HK_P_REQUIRED | HK_P_REST, NULL, NULL,
     "files to read: paths, globs (sorted) or - for standard input; several "
     "comma-separated"},
    {"format", HK_PT_STRING, 0, "auto", "auto|csv|tsv|ndjson|json",
     "input format; auto: by extension, else by the first byte"},
    {"on_error", HK_PT_STRING, 0, "fail", "skip|fail",
     "malformed record: fail the run, or skip it with a warning"},
    {"types", HK_PT_LIST, 0, NULL, NULL,
     "column types instead of inferred ones, COLUMN:TYPE with TYPE one of "
     "int, float, bool, timestamp, string"},
    {"infer_rows", HK_PT_INT, 0, "1000", NULL,
     "rows read to infer columns and types; 0 reads all input first (two "
     "passes, not for stdin)"},
    {"delimiter", HK_PT_STRING, 0, NULL, NULL,
     "CSV field separator, one character or 'tab' (default: ',' for .csv, "
     "tab for .tsv, else guessed from the header)"},
    {"header", HK_PT_BOOL, 0, "true", NULL,
     "the first CSV record names the columns (false: column_1, column_2, "
     "...)"},
    {"index_column", HK_PT_STRING, 0, "drop", "keep|drop",
     "the unnamed leading index column pandas writes: drop it or keep it as "
     "'Unnamed: 0'"},
    {"add_source", HK_PT_BOOL, 0, "false", NULL,
     "add a _source column holding FILE:LINE of each row"},
    {"batch_rows", HK_PT_INT, 0, NULL, NULL,
     "rows per batch (default: the host's preference, else 8192)"},
    {"time_column", HK_PT_STRING, 0, NULL, NULL,
     "timestamp column a query's time window filters on (default: the first "
     "of TimeGenerated, @timestamp, TimeCreated, Timestamp, EventTime, ...)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

typedef struct file_state {
  const hk_instance *inst;
} file_state;

static int
file_create(const hk_instance *inst, const hk_config *cfg, void **state,
            hk_error *err)
{
  (void)cfg;
  file_state *st = calloc(1, sizeof *st);
  if (!st)
    return hk_error_set(err, HK_E_NOMEM, "file: out of memory");
  st->inst = inst;
  *state = st;
  return HK_OK;
}

static void
file_destroy(void *state)
{
  free(state);
}

/* -------------------------------------------------------------- the run */

static void
run_free(void *ud)
{
  hk_file_run *r = ud;
  if (!r)
    return;
  hk_file_close_input(r);
  for (size_t i = 0; i < r->n_inputs; i++) {
    free(r->inputs[i].path);
    free(r->inputs[i].map);
  }
  free(r->inputs);
  for (size_t i = 0; i < r->names.n; i++)
    free(r->cols[i].bad_where);
  hk_file_names_free(&r->names);
  free(r->cols);
  for (size_t i = r->replay; i < r->n_rows; i++)
    if (r->rows[i].obj)
      json_object_put(r->rows[i].obj);
  free(r->rows);
  free(r->fields);
  hk_buf_free(&r->arena);
  if (r->b)
    hk_table_builder_free(r->b);
  free(r->seen);
  hk_file_names_free(&r->unknown);
  free(r->unknown_count);
  free(r->tmp_fields);
  free(r->next_key);
  hk_buf_free(&r->scratch);
  free(r->time_column_opt);
  free(r->path_text);
  free(r);
}

static int
stream_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  hk_file_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static int
stream_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  return hk_file_next_batch(ud, out, err);
}

/* ---------------------------------------------------------------- inputs */

static int
format_from_name(const char *s)
{
  static const char *const names[] = {"auto", "csv", "tsv", "ndjson", "json"};
  for (int i = 0; i < 5; i++)
    if (!strcasecmp(s, names[i]))
      return i;
  return -1;
}

static int
format_from_extension(const char *path)
{
  static const struct {
    const char *ext;
    int format;
  } exts[] = {{".csv", HK_FILE_FMT_CSV},      {".tsv", HK_FILE_FMT_TSV},
              {".tab", HK_FILE_FMT_TSV},      {".ndjson", HK_FILE_FMT_NDJSON},
              {".jsonl", HK_FILE_FMT_NDJSON}, {".ldjson", HK_FILE_FMT_NDJSON},
              {".json", HK_FILE_FMT_JSON}};
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash))
    return HK_FILE_FMT_AUTO;
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
    if (!strcasecmp(dot, exts[i].ext))
      return exts[i].format;
  return HK_FILE_FMT_AUTO;
}

static int
add_input(hk_file_run *r, const char *path, hk_error *err)
{
  hk_file_input *in = realloc(r->inputs, (r->n_inputs + 1) * sizeof *r->inputs);
  if (!in)
    return hk_error_set(err, HK_E_NOMEM, "file: out of memory");
  r->inputs = in;
  in = &r->inputs[r->n_inputs];
  memset(in, 0, sizeof *in);
  in->path = strdup(path);
  if (!in->path)
    return hk_error_set(err, HK_E_NOMEM, "file: out of memory");
  in->format =
      r->format != HK_FILE_FMT_AUTO ? r->format : format_from_extension(path);
  r->n_inputs++;
  return HK_OK;
}

static int
user_error(hk_error *err, int code)
{
  err->flags |= HK_EF_USER;
  return code;
}

/* A path without glob characters: it must be a readable file. */
static int
add_plain_path(hk_file_run *r, const char *item, hk_error *err)
{
  struct stat st;
  char *expanded = NULL;
  const char *path = item;
  if (item[0] == '~' && item[1] == '/' && getenv("HOME")) {
    size_t n = strlen(getenv("HOME")) + strlen(item);
    if (!(expanded = malloc(n)))
      return hk_error_set(err, HK_E_NOMEM, "file: out of memory");
    snprintf(expanded, n, "%s%s", getenv("HOME"), item + 1);
    path = expanded;
  }
  int rc = HK_OK;
  if (stat(path, &st) != 0) {
    /* `file x.csv on_error=skip` hands "x.csv on_error=skip" to path */
    const char *sp = strchr(item, ' ');
    int options_after = sp && strchr(sp, '=');
    rc = user_error(
        err, hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                          "file: %s '%s' (path=%s)%s",
                          errno == ENOENT ? "no such file" : strerror(errno),
                          item, r->path_text,
                          options_after ? "; write options before a bare "
                                          "path, or use path="
                                        : ""));
  } else if (S_ISDIR(st.st_mode))
    rc = user_error(err, hk_error_set(err, HK_E_INVAL,
                                      "file: '%s' is a directory (use a glob "
                                      "such as '%s/*.csv') (path=%s)",
                                      item, item, r->path_text));
  else if (access(path, R_OK) != 0)
    rc = user_error(err, hk_error_set(err, HK_E_IO,
                                      "file: cannot read '%s': %s (path=%s)",
                                      item, strerror(errno), r->path_text));
  else
    rc = add_input(r, path, err);
  free(expanded);
  return rc;
}

static int
add_glob(hk_file_run *r, const char *pattern, hk_error *err)
{
  glob_t g;
  int flags = GLOB_TILDE;
#ifdef GLOB_BRACE
  flags |= GLOB_BRACE;
#endif
  int grc = glob(pattern, flags, NULL, &g);
  if (grc == GLOB_NOMATCH || (grc == 0 && g.gl_pathc == 0)) {
    if (grc == 0)
      globfree(&g);
    return user_error(err, hk_error_set(err, HK_E_NOTFOUND,
                                        "file: no file matches '%s' "
                                        "(path=%s)",
                                        pattern, r->path_text));
  }
  if (grc != 0)
    return hk_error_set(err, grc == GLOB_NOSPACE ? HK_E_NOMEM : HK_E_IO,
                        "file: cannot expand '%s' (path=%s)", pattern,
                        r->path_text);
  int rc = HK_OK;
  size_t added = 0;
  for (size_t i = 0; i < g.gl_pathc && rc == HK_OK; i++) {
    struct stat st;
    if (stat(g.gl_pathv[i], &st) != 0 || S_ISDIR(st.st_mode))
      continue; /* directories a pattern happens to match */
    rc = add_input(r, g.gl_pathv[i], err);
    added++;
  }
  globfree(&g);
  if (rc == HK_OK && added == 0)
    rc = user_error(err, hk_error_set(err, HK_E_NOTFOUND,
                                      "file: '%s' matches only directories "
                                      "(path=%s)",
                                      pattern, r->path_text));
  return rc;
}

static int
expand_paths(hk_file_run *r, const char *const *items, size_t n, hk_error *err)
{
  hk_buf text = HK_BUF_INIT;
  for (size_t i = 0; i < n; i++)
    hk_buf_appendf(&text, "%s%s", i ? "," : "", items[i]);
  r->path_text = hk_buf_detach(&text, NULL);
  if (!r->path_text)
    return hk_error_set(err, HK_E_NOMEM, "file: out of memory");
  int stdin_seen = 0;
  for (size_t i = 0; i < n; i++) {
    const char *item = items[i];
    int rc;
    while (*item == ' ')
      item++;
    if (!*item)
      continue;
    if (!strcmp(item, "-")) {
      if (stdin_seen++)
        return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                            "file: '-' (standard input) "
                                            "given twice (path=%s)",
                                            r->path_text));
      rc = add_input(r, "-", err);
    } else if (strpbrk(item, "*?[{")) {
      rc = add_glob(r, item, err);
    } else {
      rc = add_plain_path(r, item, err);
    }
    if (rc != HK_OK)
      return rc;
  }
  if (r->n_inputs == 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "file: path names no file (path=%s)",
                                        r->path_text));
  if (stdin_seen && r->infer_rows == 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "file: infer_rows=0 reads the input "
                                        "twice, which standard input cannot "
                                        "do (give infer_rows=N)"));
  return HK_OK;
}

/* --------------------------------------------------------------- options */

static int
parse_delimiter(const char *s, char *out, hk_error *err)
{
  if (!strcmp(s, "tab") || !strcmp(s, "\\t") || !strcmp(s, "\t"))
    *out = '\t';
  else if (strlen(s) == 1 && s[0] != '"' && s[0] != '\r' && s[0] != '\n')
    *out = s[0];
  else
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "file: delimiter '%s' is not one "
                                        "character (give e.g. ';' or tab)",
                                        s));
  return HK_OK;
}

static int
check_types(const char *const *types, size_t n, hk_error *err)
{
  for (size_t i = 0; i < n; i++) {
    const char *colon = strrchr(types[i], ':');
    if (!colon || colon == types[i] ||
        hk_file_type_from_name(colon + 1, strlen(colon + 1)) < 0)
      return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                          "file: types: '%s' is not "
                                          "COLUMN:TYPE (TYPE one of int, "
                                          "float, bool, timestamp, string)",
                                          types[i]));
  }
  return HK_OK;
}

static int
read_options(hk_file_run *r, const hk_query *q, hk_error *err)
{
  const hk_host *h = r->host;
  const hk_config *cfg = q->options;
  const char *s;
  int64_t v;
  int b;

  r->format = HK_FILE_FMT_AUTO;
  if ((s = h->config_get_string(cfg, "format")) &&
      (r->format = format_from_name(s)) < 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "file: format '%s' is not one of "
                                        "auto, csv, tsv, ndjson, json",
                                        s));
  s = h->config_get_string(cfg, "on_error");
  r->skip_bad = s && !strcmp(s, "skip");
  s = h->config_get_string(cfg, "index_column");
  r->keep_index = s && !strcmp(s, "keep");
  r->add_source = h->config_get_bool(cfg, "add_source", &b) == HK_OK && b;
  r->header = h->config_get_bool(cfg, "header", &b) != HK_OK || b;
  r->infer_rows = 1000;
  if (h->config_get_int(cfg, "infer_rows", &v) == HK_OK)
    r->infer_rows = v;
  if (r->infer_rows < 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "file: infer_rows must be 0 (all) "
                                        "or more, got %lld",
                                        (long long)r->infer_rows));
  r->batch_rows = q->batch_rows > 0 ? q->batch_rows : DEFAULT_BATCH_ROWS;
  if (h->config_is_set(cfg, "batch_rows") &&
      h->config_get_int(cfg, "batch_rows", &v) == HK_OK) {
    if (v < 1)
      return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                          "file: batch_rows must be at least "
                                          "1, got %lld",
                                          (long long)v));
    r->batch_rows = v;
  }
  if ((s = h->config_get_string(cfg, "delimiter")) &&
      parse_delimiter(s, &r->delim, err) != HK_OK)
    return err->code;
  if ((s = h->config_get_string(cfg, "time_column")) && *s &&
      !(r->time_column_opt = strdup(s)))
    return hk_error_set(err, HK_E_NOMEM, "file: out of memory");
  r->start_us = q->start_us;
  r->end_us = q->end_us;
  r->row_limit = q->row_limit > 0 ? q->row_limit : 0;

  const char *const *items = NULL;
  size_t n = h->config_get_list(cfg, "path", &items);
  if (n == 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "file: path is required (a file, a "
                                        "glob or - for standard input)"));
  return expand_paths(r, items, n, err);
}

static int
file_run_query(void *state, const hk_query *q, struct ArrowArrayStream *out,
               hk_error *err)
{
  file_state *st = state;
  hk_file_run *r = calloc(1, sizeof *r);
  if (!r)
    return hk_error_set(err, HK_E_NOMEM, "file: out of memory");
  r->host = host_services;
  r->inst = st ? st->inst : NULL;
  r->source_col = r->time_col = -1;

  const char *const *types = NULL;
  size_t n_types = host_services->config_get_list(q->options, "types", &types);
  int rc = read_options(r, q, err);
  if (rc == HK_OK)
    rc = check_types(types, n_types, err);
  if (rc == HK_OK)
    rc = hk_file_collect_sample(r, err);
  if (rc == HK_OK)
    rc = hk_file_fix_schema(r, types, n_types, err);
  if (rc != HK_OK) {
    run_free(r);
    return rc;
  }
  /* from here the stream owns the run, and frees it even on failure */
  hk_stream_callbacks cb = {sizeof cb, stream_schema, stream_next, run_free};
  return hk_stream_init_callbacks(out, &cb, r, err);
}

/* ----------------------------------------------------------- descriptor */

static const hk_provider_vt file_vtable = {
    .struct_size = sizeof(hk_provider_vt),
    .options = file_options,
    .create = file_create,
    .destroy = file_destroy,
    .run_query = file_run_query,
};

static const hk_plugin_desc file_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "file",
    .version = "1.0.0",
    .kind = HK_KIND_PROVIDER,
    .flags = 0,
    .summary = "CSV, TSV, NDJSON and JSON files or stdin as a table: globs, "
               "inferred types, streamed",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &file_vtable,
};

static const hk_plugin_desc *const file_descs[] = {&file_desc, NULL};

static const hk_plugin_desc *const *
file_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->log || !host->log_enabled || !host->config_get_list) {
    hk_error_set(err, HK_E_ABI,
                 "file: the host lacks logging or config "
                 "services");
    return NULL;
  }
  host_services = host;
  return file_descs;
}

HK_PLUGIN_DEFINE(file, file_entry)
