/*
 * plugins/file/file.c -- the `file` provider: CSV, TSV, NDJSON and JSON
 * files (or standard input) as a table stream.
 *
 * run_query turns the options into settings and hands them to setup.c,
 * which expands the paths, reads the first rows to infer the columns
 * (rows.c), fixes the schema (emit.c) and returns a stream that appends the
 * remaining rows batch by batch, so memory follows the batch size, not the
 * file size.  README.md documents the options and the type rules.
 */
#include "run.h"

#include <huntkit/provider.h>

#include <stdlib.h>
#include <string.h>

static const hk_host *host_services;

static const hk_param file_options[] = {
    {"path", HK_PT_LIST, HK_P_REQUIRED | HK_P_REST, NULL, NULL,
     "files to read: paths, globs (sorted), - for standard input, archives "
     "(zip, tar, tar.gz) and ARCHIVE#MEMBER; several comma-separated"},
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
    {"max_member_size", HK_PT_INT, 0, "4096", NULL,
     "archives: largest member read, in MiB uncompressed; a larger one stops "
     "the run"},
    {"max_ratio", HK_PT_INT, 0, "200", NULL,
     "archives: highest compression ratio of a member (uncompressed / "
     "compressed) before it is taken for a zip bomb and the run stops"},
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

static int
file_run_query(void *state, const hk_query *q, struct ArrowArrayStream *out,
               hk_error *err)
{
  const hk_host *h = host_services;
  const hk_config *cfg = q->options;
  file_state *st = state;
  hk_file_settings set = {0};
  const char *s;
  int64_t v;
  int b;

  set.paths = NULL;
  set.n_paths = h->config_get_list(cfg, "path", &set.paths);
  set.n_types = h->config_get_list(cfg, "types", &set.types);
  set.format = h->config_get_string(cfg, "format");
  s = h->config_get_string(cfg, "on_error");
  set.skip_bad = s && !strcmp(s, "skip");
  s = h->config_get_string(cfg, "index_column");
  set.keep_index = s && !strcmp(s, "keep");
  set.add_source = h->config_get_bool(cfg, "add_source", &b) == HK_OK && b;
  set.header = h->config_get_bool(cfg, "header", &b) != HK_OK || b;
  set.infer_rows = 1000;
  if (h->config_get_int(cfg, "infer_rows", &v) == HK_OK)
    set.infer_rows = v;
  if (h->config_is_set(cfg, "batch_rows") &&
      h->config_get_int(cfg, "batch_rows", &v) == HK_OK) {
    set.batch_rows = v;
    set.batch_rows_set = 1;
  }
  set.delimiter = h->config_get_string(cfg, "delimiter");
  set.time_column = h->config_get_string(cfg, "time_column");
  set.max_member_mb = HK_FILE_DEFAULT_MAX_MEMBER_MB;
  if (h->config_get_int(cfg, "max_member_size", &v) == HK_OK)
    set.max_member_mb = v;
  set.max_ratio = HK_FILE_DEFAULT_MAX_RATIO;
  if (h->config_get_int(cfg, "max_ratio", &v) == HK_OK)
    set.max_ratio = v;
  return hk_file_open_stream(h, st ? st->inst : NULL, "file", &set, q, out,
                             err);
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
    .summary = "CSV, TSV, NDJSON and JSON files, stdin or archive members as "
               "a table: globs, inferred types, streamed",
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
