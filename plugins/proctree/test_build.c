/*
 * plugins/proctree/test_build.c -- white-box tests of the tree builder:
 * the plugin source is included, driven through pt_run with a small fake
 * host, on the MSTICPy fixtures (read by a minimal CSV reader as text
 * columns) and on small hand-made tables.  Expected numbers come from
 * plugins/proctree/derive_expected.py (an independent brute-force
 * derivation), not from this code.
 */
#include "proctree.c"

#include "tap.h"

/* tap.h defines plan(); this test uses plan_lazy() */
static void unused_plan(void) __attribute__((unused));
static void
unused_plan(void)
{
  plan(0);
}

/* ------------------------------------------------------------ fake host */

struct hk_config {
  const char *kv[16][2];
};

static const char *
fk_get(const hk_config *c, const char *name)
{
  for (int i = 0; c && i < 16 && c->kv[i][0]; i++)
    if (strcmp(c->kv[i][0], name) == 0)
      return c->kv[i][1];
  for (const hk_param *p = pt_options; p->name; p++)
    if (strcmp(p->name, name) == 0)
      return p->default_value;
  return NULL;
}
static int
fk_is_set(const hk_config *c, const char *name)
{
  for (int i = 0; c && i < 16 && c->kv[i][0]; i++)
    if (strcmp(c->kv[i][0], name) == 0)
      return 1;
  return 0;
}
static int
fk_get_bool(const hk_config *c, const char *name, int *out)
{
  const char *v = fk_get(c, name);
  if (!v)
    return HK_E_NOTFOUND;
  *out = strcmp(v, "true") == 0;
  return HK_OK;
}
static void HK_PRINTF(3, 4)
    fk_log(const hk_instance *inst, int level, const char *fmt, ...)
{
  (void)inst;
  (void)level;
  va_list ap;
  printf("# log: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}
static int
fk_log_enabled(const hk_instance *inst, int level)
{
  (void)inst;
  return level <= HK_LOG_INFO;
}
static int
fk_canceled(const hk_instance *inst)
{
  (void)inst;
  return 0;
}

static hk_host fake_host = {
    .struct_size = sizeof(hk_host),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .version = "test",
    .log = fk_log,
    .log_enabled = fk_log_enabled,
    .config_is_set = fk_is_set,
    .config_get_string = fk_get,
    .config_get_bool = fk_get_bool,
    .is_canceled = fk_canceled,
};

/* ------------------------------------------------------------ CSV input */

/* RFC 4180 CSV into a stream of utf8 columns, `rows_per_batch` rows per
 * batch (empty cells are null). */
static int
csv_stream(const char *path, int rows_per_batch, struct ArrowArrayStream *out)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return -1;
  hk_buf data = HK_BUF_INIT;
  char chunk[65536];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    hk_buf_append(&data, chunk, got);
  fclose(f);
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowArray batches[256];
  size_t n_batches = 0;
  hk_buf field = HK_BUF_INIT;
  size_t i = 0, col = 0;
  int header = 1, rows = 0;
  const char *s = data.data;
  while (i < data.len) {
    hk_buf_reset(&field);
    int quoted = 0;
    if (s[i] == '"') {
      quoted = 1;
      for (i++; i < data.len; i++) {
        if (s[i] == '"' && i + 1 < data.len && s[i + 1] == '"') {
          hk_buf_append_char(&field, '"');
          i++;
        } else if (s[i] == '"') {
          i++;
          break;
        } else {
          hk_buf_append_char(&field, s[i]);
        }
      }
    }
    while (i < data.len && s[i] != ',' && s[i] != '\n' && s[i] != '\r')
      hk_buf_append_char(&field, s[i++]);
    if (header)
      hk_table_builder_add_column(b, field.len ? field.data : "index",
                                  HK_COL_UTF8);
    else if (field.len == 0 && !quoted)
      hk_table_builder_append_null(b, col);
    else
      hk_table_builder_append_utf8(b, col, field.data ? field.data : "",
                                   field.len);
    col++;
    if (i < data.len && s[i] == ',') {
      i++;
      continue;
    }
    if (i < data.len && s[i] == '\r')
      i++;
    if (i < data.len && s[i] == '\n')
      i++;
    col = 0;
    if (header)
      header = 0;
    else if (++rows % rows_per_batch == 0)
      hk_table_builder_finish_batch(b, &batches[n_batches++], NULL);
  }
  if (hk_table_builder_row_count(b) > 0)
    hk_table_builder_finish_batch(b, &batches[n_batches++], NULL);
  struct ArrowSchema schema;
  hk_table_builder_export_schema(b, &schema, NULL);
  hk_table_builder_free(b);
  hk_buf_free(&field);
  hk_buf_free(&data);
  return hk_stream_init_batches(out, &schema, batches, n_batches, NULL);
}

/* ------------------------------------------------------------ results */

typedef struct result {
  int64_t rows;
  char **proc_key, **parent_key, **path;
  int64_t *src, *depth;
  int *root, *leaf, *synth;
} result;

static char *
cell_dup(const hk_batch_view *v, int64_t c, int64_t r)
{
  if (hk_batch_view_is_null(v, c, r))
    return NULL;
  size_t n;
  const char *s = hk_batch_view_utf8(v, c, r, &n);
  char *d = malloc(n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

static void
result_free(result *r)
{
  for (int64_t i = 0; i < r->rows; i++) {
    free(r->proc_key[i]);
    free(r->parent_key[i]);
    free(r->path[i]);
  }
  free(r->proc_key);
  free(r->parent_key);
  free(r->path);
  free(r->src);
  free(r->depth);
  free(r->root);
  free(r->leaf);
  free(r->synth);
  memset(r, 0, sizeof *r);
}

/* Run proctree on `in` with `opt`; collect the tree columns. */
static int
run_tree(struct ArrowArrayStream *in, hk_config *opt, result *res,
         hk_error *err)
{
  struct ArrowArrayStream out;
  memset(res, 0, sizeof *res);
  int rc = pt_run(NULL, opt, in, &out, err);
  if (rc != HK_OK)
    return rc;
  struct ArrowSchema schema;
  hk_stream_schema(&out, &schema, err);
  size_t cap = 0;
  for (;;) {
    struct ArrowArray a;
    if (hk_stream_next(&out, &a, err) != HK_OK || !a.release)
      break;
    hk_batch_view v = {.struct_size = sizeof v};
    hk_batch_view_init(&v, &schema, &a, err);
    int64_t ck = hk_batch_view_column_index(&v, "proc_key"),
            cp = hk_batch_view_column_index(&v, "parent_key"),
            cpa = hk_batch_view_column_index(&v, "path"),
            cs = hk_batch_view_column_index(&v, "source_index"),
            cd = hk_batch_view_column_index(&v, "depth"),
            cr = hk_batch_view_column_index(&v, "IsRoot"),
            cl = hk_batch_view_column_index(&v, "IsLeaf"),
            cy = hk_batch_view_column_index(&v, "IsSynthetic");
    for (int64_t r = 0; r < v.rows; r++) {
      if ((size_t)res->rows == cap) {
        cap = cap ? cap * 2 : 256;
        res->proc_key = realloc(res->proc_key, cap * sizeof(char *));
        res->parent_key = realloc(res->parent_key, cap * sizeof(char *));
        res->path = realloc(res->path, cap * sizeof(char *));
        res->src = realloc(res->src, cap * sizeof(int64_t));
        res->depth = realloc(res->depth, cap * sizeof(int64_t));
        res->root = realloc(res->root, cap * sizeof(int));
        res->leaf = realloc(res->leaf, cap * sizeof(int));
        res->synth = realloc(res->synth, cap * sizeof(int));
      }
      int64_t i = res->rows++;
      res->proc_key[i] = cell_dup(&v, ck, r);
      res->parent_key[i] = cell_dup(&v, cp, r);
      res->path[i] = cell_dup(&v, cpa, r);
      res->src[i] = hk_batch_view_is_null(&v, cs, r)
                        ? -1
                        : hk_batch_view_int64(&v, cs, r);
      res->depth[i] = hk_batch_view_int64(&v, cd, r);
      res->root[i] = hk_batch_view_bool(&v, cr, r);
      res->leaf[i] = hk_batch_view_bool(&v, cl, r);
      res->synth[i] = hk_batch_view_bool(&v, cy, r);
    }
    hk_batch_view_release(&v);
    hk_array_release(&a);
  }
  hk_schema_release(&schema);
  hk_stream_release(&out);
  return HK_OK;
}

/* Summary row of query=summary as "P/R/L/B/I/D/S". */
static void
run_summary(struct ArrowArrayStream *in, hk_config *opt, char *buf, size_t cap)
{
  struct ArrowArrayStream out;
  hk_error err;
  hk_error_clear(&err);
  buf[0] = 0;
  if (pt_run(NULL, opt, in, &out, &err) != HK_OK) {
    snprintf(buf, cap, "error: %s", err.msg);
    return;
  }
  struct ArrowSchema schema;
  struct ArrowArray a;
  hk_stream_schema(&out, &schema, &err);
  hk_stream_next(&out, &a, &err);
  hk_batch_view v = {.struct_size = sizeof v};
  hk_batch_view_init(&v, &schema, &a, &err);
  snprintf(buf, cap, "%lld/%lld/%lld/%lld/%lld/%lld/%lld",
           (long long)hk_batch_view_int64(&v, 0, 0),
           (long long)hk_batch_view_int64(&v, 1, 0),
           (long long)hk_batch_view_int64(&v, 2, 0),
           (long long)hk_batch_view_int64(&v, 3, 0),
           (long long)hk_batch_view_int64(&v, 4, 0),
           (long long)hk_batch_view_int64(&v, 5, 0),
           (long long)hk_batch_view_int64(&v, 6, 0));
  hk_batch_view_release(&v);
  hk_array_release(&a);
  hk_schema_release(&schema);
  hk_stream_release(&out);
}

static int64_t
row_of_src(const result *r, int64_t src)
{
  for (int64_t i = 0; i < r->rows; i++)
    if (r->src[i] == src)
      return i;
  return -1;
}

/* 1 when the parent of input row `child` is input row `parent`. */
static int
linked(const result *r, int64_t child, int64_t parent)
{
  int64_t c = row_of_src(r, child), p = row_of_src(r, parent);
  return c >= 0 && p >= 0 && r->parent_key[c] && r->proc_key[p] &&
         strcmp(r->parent_key[c], r->proc_key[p]) == 0;
}

static int
parent_is_synthetic(const result *r, int64_t child)
{
  int64_t c = row_of_src(r, child);
  if (c < 0 || !r->parent_key[c])
    return 0;
  for (int64_t i = 0; i < r->rows; i++)
    if (r->proc_key[i] && strcmp(r->proc_key[i], r->parent_key[c]) == 0)
      return r->synth[i];
  return 0;
}

static char data_dir[4096];

static void
fixture(const char *name, int per_batch, struct ArrowArrayStream *s)
{
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", data_dir, name);
  if (csv_stream(path, per_batch, s) != HK_OK) {
    printf("Bail out! cannot read %s\n", path);
    exit(1);
  }
}

/* A stream from rows of text ("" = null); `int_cols` lists columns typed
 * int64 (e.g. "pid,ppid"). */
static void
text_stream(const char *const *cols, size_t n_cols, const char *const *cells,
            size_t n_rows, const char *int_cols, struct ArrowArrayStream *s)
{
  hk_table_builder *b = hk_table_builder_new();
  for (size_t c = 0; c < n_cols; c++) {
    int is_int = 0;
    for (const char *p = int_cols; p && *p;) {
      const char *e = strchr(p, ',');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      is_int |= strlen(cols[c]) == n && memcmp(cols[c], p, n) == 0;
      p += n + (e ? 1 : 0);
    }
    hk_table_builder_add_column(b, cols[c],
                                is_int ? HK_COL_INT64 : HK_COL_UTF8);
  }
  for (size_t r = 0; r < n_rows; r++)
    for (size_t c = 0; c < n_cols; c++) {
      const char *v = cells[r * n_cols + c];
      if (!*v)
        hk_table_builder_append_null(b, c);
      else if (hk_table_builder_column_type(b, c) == HK_COL_INT64)
        hk_table_builder_append_int64(b, c, strtoll(v, NULL, 10));
      else
        hk_table_builder_append_utf8(b, c, v, strlen(v));
    }
  struct ArrowSchema schema;
  struct ArrowArray a;
  hk_table_builder_export_schema(b, &schema, NULL);
  hk_table_builder_finish_batch(b, &a, NULL);
  hk_table_builder_free(b);
  hk_stream_init_batches(s, &schema, &a, 1, NULL);
}

static void
test_parsers(void)
{
  int64_t us = 0;
  ok(pt_parse_pid("0x1610", 6) == 0x1610, "hex pid");
  ok(pt_parse_pid("5648", 4) == 5648, "decimal pid");
  ok(pt_parse_pid("12.0", 4) == 12, "float text pid");
  ok(pt_parse_pid("N/A", 3) < 0 && pt_parse_pid("N/A", 3) != PT_NO_PID,
     "non-numeric pid hashes");
  ok(pt_parse_pid(NULL, 0) == PT_NO_PID, "empty pid");
  ok(pt_parse_time("2019-01-15 05:24:24.010", 23, &us) &&
         us == 1547529864010000LL,
     "pandas-style time");
  ok(pt_parse_time("2021-06-23 03:08:14.159814200+00:00", 35, &us) &&
         us == 1624417694159814LL,
     "100 ns fraction with offset, truncated to µs");
  ok(pt_parse_time("2020-12-19T07:00:03.823Z", 24, &us) &&
         us == 1608361203823000LL,
     "ISO-8601 Z");
  ok(pt_parse_time("2021-04-01 05:04:58.000000 ", 27, &us) &&
         us == 1617253498000000LL,
     "trailing space (Volatility)");
  ok(pt_parse_time("2020-12-19T09:00:03+02:00", 25, &us) &&
         us == 1608361203000000LL,
     "offset +02:00");
  ok(!pt_parse_time("N/A", 3, &us), "N/A is not a time");
  char buf[64];
  pt_format_key_time(1547529864010005LL, buf, sizeof buf);
  is_str(buf, "2019-01-15 05:24:24.010000", "key time rounds half to even");
  pt_format_key_time(1547529864010015LL, buf, sizeof buf);
  is_str(buf, "2019-01-15 05:24:24.010020", "key time rounds 15 up to 20");
  pt_format_key_time(0, buf, sizeof buf);
  is_str(buf, "1970-01-01 00:00:00.000000", "epoch key time");
}

static void
test_win4688(void)
{
  struct ArrowArrayStream s;
  result r;
  hk_error err;
  char sum[256];
  hk_config none = {{{NULL, NULL}}};
  hk_error_clear(&err);

  /* processes_on_host.csv: 363 events, batches of 50 rows */
  fixture("processes_on_host.csv", 50, &s);
  hk_config q = {{{"query", "summary"}}};
  run_summary(&s, &q, sum, sizeof sum);
  is_str(sum, "369/6/279/84/0/5/6", "processes_on_host: P/R/L/B/I/depth/synth");
  fixture("processes_on_host.csv", 50, &s);
  ok(run_tree(&s, &none, &r, &err) == HK_OK, "processes_on_host tree: %s",
     err.msg);
  is_int(r.rows, 369, "369 rows out");
  ok(linked(&r, 1, 0), "conhost (row 1) is a child of ASMHost (row 0)");
  ok(parent_is_synthetic(&r, 0), "ASMHost's parent is synthesized");
  ok(linked(&r, 15, 14) && linked(&r, 141, 140),
     "pid 0x1490 reused: rows 15 and 141 get different parents");
  int64_t r0 = row_of_src(&r, 0);
  is_str(r0 >= 0 ? r.proc_key[r0] : "",
         "c:\\program files\\microsoft monitoring agent\\agent\\health service "
         "state\\ct_602681692\\nativedsc\\desiredstateconfiguration\\asmhost."
         "exe|0x1610|2019-01-15 05:24:24.010000|MSTICAlertsWin1",
         "proc_key format");
  is_str(r0 >= 0 ? r.parent_key[r0] : "",
         "c:\\program files\\microsoft monitoring agent\\agent\\"
         "monitoringhost.exe|0x888|1970-01-01 00:00:00.000000|MSTICAlertsWin1",
         "synthetic parent key: epoch time");
  int64_t deep = row_of_src(&r, 178);
  ok(deep >= 0 && r.depth[deep] == 4, "net1.exe (row 178) is at depth 4");
  ok(r.depth[0] == 0 && r.root[0], "output starts with a root");
  result_free(&r);

  /* queries on the synthesized MonitoringHost.exe (pid 0x888) */
  const char *mh = "c:\\program files\\microsoft monitoring agent\\agent\\"
                   "monitoringhost.exe|0x888|1970-01-01 "
                   "00:00:00.000000|MSTICAlertsWin1";
  hk_config qc = {{{"query", "children"}, {"process", mh}}};
  fixture("processes_on_host.csv", 50, &s);
  run_tree(&s, &qc, &r, &err);
  is_int(r.rows, 108, "children of MonitoringHost: 107 + itself");
  result_free(&r);
  hk_config qd = {{{"query", "descendants"}, {"process", mh}}};
  fixture("processes_on_host.csv", 50, &s);
  run_tree(&s, &qd, &r, &err);
  is_int(r.rows, 144, "descendants of MonitoringHost incl. itself: 144");
  result_free(&r);
  hk_config qa = {{{"query", "ancestors"}, {"process", "0x16fc"}}};
  fixture("processes_on_host.csv", 50, &s);
  ok(run_tree(&s, &qa, &r, &err) != HK_OK && strstr(err.msg, "matches") != NULL,
     "ambiguous pid is refused: %s", err.msg);
  hk_config qr = {{{"query", "roots"}}};
  fixture("processes_on_host.csv", 50, &s);
  run_tree(&s, &qr, &r, &err);
  is_int(r.rows, 6, "6 roots");
  result_free(&r);

  fixture("process_tree_docs.csv", 1000, &s);
  run_summary(&s, &q, sum, sizeof sum);
  is_str(sum, "119/2/116/1/0/3/2", "process_tree_docs: P/R/L/B/I/depth/synth");
  fixture("process_tree_docs.csv", 1000, &s);
  run_tree(&s, &none, &r, &err);
  ok(linked(&r, 0, 115) && linked(&r, 5, 115),
     "rows 0 and 5 are children of row 115");
  result_free(&r);
}

static void
test_other_fixtures(void)
{
  struct ArrowArrayStream s;
  char sum[256];
  hk_config q = {{{"query", "summary"}}};
  fixture("winproctree-minimal.csv", 40, &s);
  run_summary(&s, &q, sum, sizeof sum);
  is_str(sum, "126/10/97/19/0/7/10",
         "winproctree-minimal: P/R/L/B/I/depth/synth");
  fixture("mde_proc_cs1.csv", 500, &s);
  run_summary(&s, &q, sum, sizeof sum);
  is_str(sum, "1642/9/1177/456/0/16/78", "mde_proc_cs1: P/R/L/B/I/depth/synth");
}

static void
test_small(void)
{
  struct ArrowArrayStream s;
  result r;
  hk_error err;
  hk_config none = {{{NULL, NULL}}};
  hk_error_clear(&err);
  /* pid reuse and two hosts: minimal schema, int pids */
  static const char *const cols[] = {"Computer", "name", "pid", "ppid", "time"};
  static const char *const cells[] = {
      "A", "cmd.exe", "16", "4",  "2024-01-01 00:00:01", /* 0 */
      "A", "a.exe",   "20", "16", "2024-01-01 00:00:02", /* 1 -> 0 */
      "A", "cmd.exe", "16", "4",  "2024-01-01 00:00:03", /* 2: pid reused */
      "A", "b.exe",   "21", "16", "2024-01-01 00:00:04", /* 3 -> 2 */
      "B", "c.exe",   "22", "16", "2024-01-01 00:00:05", /* 4: other host */
      "A", "d.exe",   "23", "16", "2024-01-01 00:00:03", /* 5 -> 2 (tie) */
      "A", "e.exe",   "",   "16", "2024-01-01 00:00:03", /* 6 no pid */
  };
  text_stream(cols, 5, cells, 7, "pid,ppid", &s);
  ok(run_tree(&s, &none, &r, &err) == HK_OK, "small table: %s", err.msg);
  ok(linked(&r, 1, 0), "child before reuse -> first cmd.exe");
  ok(linked(&r, 3, 2), "child after reuse -> second cmd.exe");
  ok(linked(&r, 5, 2), "same-time parent counts (earlier-or-equal)");
  ok(parent_is_synthetic(&r, 4), "host B does not join host A's process");
  ok(parent_is_synthetic(&r, 0) && parent_is_synthetic(&r, 2),
     "both cmd.exe share one synthesized parent per host");
  is_int(r.rows, 8, "6 processes + 2 synthesized (A:4, B:16)");
  result_free(&r);

  /* repeated events in the as-of join (4688: names are part of the key) */
  static const char *const wcols[] = {
      "EventID",   "Computer",          "NewProcessName", "NewProcessId",
      "ProcessId", "ParentProcessName", "TimeGenerated"};
  static const char *const wcells[] = {/* 0 */ "4688",
                                       "A",
                                       "C:\\cmd.exe",
                                       "0x10",
                                       "0x4",
                                       "C:\\explorer.exe",
                                       "2024-01-01 00:00:01",
                                       /* 1: repeat of 0 */ "4688",
                                       "A",
                                       "C:\\CMD.EXE",
                                       "0x10",
                                       "0x4",
                                       "C:\\explorer.exe",
                                       "2024-01-01 00:00:01",
                                       /* 2 -> 0 */ "4688",
                                       "A",
                                       "C:\\a.exe",
                                       "0x20",
                                       "0x10",
                                       "C:\\cmd.exe",
                                       "2024-01-01 00:00:02",
                                       /* 3 -> 0 (same time) */ "4688",
                                       "A",
                                       "C:\\b.exe",
                                       "0x21",
                                       "0x10",
                                       "C:\\cmd.exe",
                                       "2024-01-01 00:00:01",
                                       /* 4: repeat of 2 */ "4688",
                                       "A",
                                       "C:\\a.exe",
                                       "0x20",
                                       "0x10",
                                       "C:\\cmd.exe",
                                       "2024-01-01 00:00:02",
                                       /* 5 -> 2 */ "4688",
                                       "A",
                                       "C:\\c.exe",
                                       "0x30",
                                       "0x20",
                                       "C:\\a.exe",
                                       "2024-01-01 00:00:03"};
  text_stream(wcols, 7, wcells, 6, NULL, &s);
  ok(run_tree(&s, &none, &r, &err) == HK_OK, "4688 repeats: %s", err.msg);
  is_int(r.rows, 5, "4 processes + synthesized explorer.exe; 2 repeats out");
  ok(row_of_src(&r, 1) < 0 && row_of_src(&r, 4) < 0,
     "the repeats (rows 1 and 4) are dropped");
  ok(linked(&r, 2, 0) && linked(&r, 3, 0) && linked(&r, 5, 2),
     "children link to the first of each repeated event");
  ok(parent_is_synthetic(&r, 0), "cmd.exe's parent is synthesized");
  result_free(&r);
  hk_config wq = {{{"query", "summary"}}};
  char wsum[256];
  text_stream(wcols, 7, wcells, 6, NULL, &s);
  run_summary(&s, &wq, wsum, sizeof wsum);
  is_str(wsum, "5/1/2/2/0/4/1", "4688 repeats: P/R/L/B/I/depth/synth");

  /* minimal schema: names are not in the key, so same pid and time with
   * another name is another process; ties go to the later row */
  static const char *const mcells[] = {
      "A", "x.exe", "30", "1",  "2024-01-01 00:00:01", /* 0 */
      "A", "y.exe", "30", "1",  "2024-01-01 00:00:01", /* 1: kept */
      "A", "x.exe", "30", "1",  "2024-01-01 00:00:01", /* 2: repeat of 0 */
      "A", "z.exe", "31", "30", "2024-01-01 00:00:02", /* 3 -> 1 */
  };
  text_stream(cols, 5, mcells, 4, "pid,ppid", &s);
  ok(run_tree(&s, &none, &r, &err) == HK_OK, "minimal repeats: %s", err.msg);
  is_int(r.rows, 4, "3 processes + 1 synthesized; 1 repeat out");
  ok(row_of_src(&r, 2) < 0, "the repeat (row 2) is dropped");
  ok(linked(&r, 3, 1), "ties go to the later row (y.exe), not the repeat");
  result_free(&r);

  /* Sysmon: GUIDs decide even when pids and names collide */
  static const char *const scols[] = {
      "EventID",     "UtcTime",         "Image",       "ProcessId",
      "ParentImage", "ParentProcessId", "ProcessGuid", "ParentProcessGuid"};
  static const char *const scells[] = {
      "1",         "2024-01-01 00:00:01",
      "C:\\x.exe", "10",
      "C:\\p.exe", "5",
      "{g1}",      "{g0}",
      "1",         "2024-01-01 00:00:02",
      "C:\\x.exe", "10",
      "C:\\p.exe", "5",
      "{g2}",      "{g9}",
      "1",         "2024-01-01 00:00:03",
      "C:\\y.exe", "11",
      "C:\\x.exe", "10",
      "{g3}",      "{g1}",
      "10",        "2024-01-01 00:00:04",
      "",          "",
      "",          "",
      "",          "",
      "1",         "2024-01-01 00:00:05",
      "C:\\y.exe", "11",
      "C:\\x.exe", "10",
      "{g3}",      "{g1}",
  };
  text_stream(scols, 8, scells, 5, NULL, &s);
  ok(run_tree(&s, &none, &r, &err) == HK_OK, "sysmon table: %s", err.msg);
  ok(linked(&r, 2, 0),
     "y.exe's parent is the x.exe with GUID g1, not the later one");
  is_int(r.rows, 5,
         "3 processes + 2 synthesized (g0, g9); EID 10 and repeat dropped");
  result_free(&r);

  /* an unknown table names what it looked for */
  static const char *const ucols[] = {"a", "b"};
  static const char *const ucells[] = {"1", "2"};
  text_stream(ucols, 2, ucells, 1, NULL, &s);
  ok(run_tree(&s, &none, &r, &err) != HK_OK &&
         strstr(err.msg, "NewProcessName") &&
         strstr(err.msg, "the table has: a, b"),
     "inference failure names the columns: %s", err.msg);
}

int
main(void)
{
  const char *src = getenv("HK_SRCDIR");
  snprintf(data_dir, sizeof data_dir, "%s/tests/data/msticpy",
           src ? src : "../..");
  pt_host = &fake_host;
  plan_lazy();
  test_parsers();
  test_win4688();
  test_other_fixtures();
  test_small();
  return done_testing();
}
