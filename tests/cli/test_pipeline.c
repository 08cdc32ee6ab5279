/*
 * tests/cli/test_pipeline.c -- pipeline text -> stages -> a run, against
 * plugins linked into this test (hk_registry_add_static):
 *
 *   rows      provider: id (int64), ip (utf8), note (utf8); n rows in
 *             batches of 2; fail_at=K fails on batch K; bad=true returns a
 *             malformed batch
 *   grep      analyzer with free text (REST, required); passes rows on
 *   opts      analyzer with options a (int) and b (string, required)
 *   swallow   analyzer that (wrongly) treats an input error as the end
 *   ipinfo    enricher of ipv4: fields kind (utf8) and first (int64)
 *   capture   renderer: "col=value" lines into a buffer
 */
#include "config.h"

#include "../../host/pipeline.h"
#include "../tap.h"

static const hk_host *host;

/* ------------------------------------------------------------- rows */

static const char *const ROW_IPS[] = {
    "10.0.0.1", "8.8.8.8", NULL, "hello", "10.0.0.1", "example.com", "8.8.8.8"};

typedef struct rows_ud {
  int64_t n, next, batch;
  int64_t fail_at;
  int bad;
  int skip; /* start each batch at offset 1 (a sliced struct array) */
} rows_ud;

static int
rows_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  hk_table_builder *b = hk_table_builder_new();
  int rc;
  (void)ud;
  hk_table_builder_add_column(b, "id", HK_COL_INT64);
  hk_table_builder_add_column(b, "ip", HK_COL_UTF8);
  hk_table_builder_add_column(b, "note", HK_COL_UTF8);
  rc = hk_table_builder_export_schema(b, out, err);
  hk_table_builder_free(b);
  return rc;
}

static int
rows_next(void *vud, struct ArrowArray *out, hk_error *err)
{
  rows_ud *ud = vud;
  hk_table_builder *b;
  int rc;
  memset(out, 0, sizeof *out);
  if (ud->next >= ud->n)
    return HK_OK;
  if (ud->batch++ == ud->fail_at)
    return hk_error_set(err, HK_E_IO, "events.json:7: disk on fire");
  b = hk_table_builder_new();
  hk_table_builder_add_column(b, "id", HK_COL_INT64);
  hk_table_builder_add_column(b, "ip", HK_COL_UTF8);
  hk_table_builder_add_column(b, "note", HK_COL_UTF8);
  for (int k = 0; k < 2 && ud->next < ud->n; k++, ud->next++) {
    const char *ip = ROW_IPS[ud->next % 7];
    hk_table_builder_append_int64(b, 0, ud->next);
    if (ip)
      hk_table_builder_append_utf8(b, 1, ip, strlen(ip));
    else
      hk_table_builder_append_null(b, 1);
    hk_table_builder_append_utf8(b, 2, "n", 1);
  }
  rc = hk_table_builder_finish_batch(b, out, err);
  hk_table_builder_free(b);
  if (rc == HK_OK && ud->bad)
    out->length = -1;
  if (rc == HK_OK && ud->skip && out->length > 0) {
    out->offset = 1;
    out->length -= 1;
  }
  return rc;
}

static int
rows_run(void *state, const hk_query *q, struct ArrowArrayStream *out,
         hk_error *err)
{
  hk_stream_callbacks cb = {sizeof cb, rows_schema, rows_next, free};
  rows_ud *ud = calloc(1, sizeof *ud);
  int bad = 0, skip = 0;
  (void)state;
  host->config_get_int(q->options, "n", &ud->n);
  host->config_get_int(q->options, "fail_at", &ud->fail_at);
  host->config_get_bool(q->options, "bad", &bad);
  host->config_get_bool(q->options, "skip", &skip);
  ud->bad = bad;
  ud->skip = skip;
  return hk_stream_init_callbacks(out, &cb, ud, err);
}

static const hk_param rows_options[] = {
    {"n", HK_PT_INT, 0, "3", NULL, "rows to make"},
    {"fail_at", HK_PT_INT, 0, "-1", NULL, "fail on this batch"},
    {"bad", HK_PT_BOOL, 0, "false", NULL, "return a malformed batch"},
    {"skip", HK_PT_BOOL, 0, "false", NULL, "slice off each batch's first row"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_provider_vt rows_vt = {.struct_size = sizeof(hk_provider_vt),
                                       .options = rows_options,
                                       .run_query = rows_run};

/* ----------------------------------------------------------- analyzers */

static int
pass_run(void *state, const hk_config *options, struct ArrowArrayStream *in,
         struct ArrowArrayStream *out, hk_error *err)
{
  (void)state, (void)options, (void)err;
  *out = *in;
  in->release = NULL;
  return HK_OK;
}

static const hk_param grep_options[] = {
    {"invert", HK_PT_BOOL, 0, "false", NULL, "keep the others"},
    {"expr", HK_PT_STRING, HK_P_REST | HK_P_REQUIRED, NULL, NULL,
     "the expression"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt grep_vt = {.struct_size = sizeof(hk_analyzer_vt),
                                       .options = grep_options,
                                       .run = pass_run};

static const hk_param opts_options[] = {
    {"a", HK_PT_INT, 0, "1", NULL, "a number"},
    {"b", HK_PT_STRING, HK_P_REQUIRED, NULL, NULL, "a word"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt opts_vt = {.struct_size = sizeof(hk_analyzer_vt),
                                       .options = opts_options,
                                       .run = pass_run};

static int
swallow_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  return hk_stream_schema(ud, out, err);
}

static int
swallow_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  if (hk_stream_next(ud, out, err) != HK_OK)
    memset(out, 0, sizeof *out); /* the bug: an error looks like the end */
  return HK_OK;
}

static void
swallow_free(void *ud)
{
  hk_stream_release(ud);
  free(ud);
}

static int
swallow_run(void *state, const hk_config *options, struct ArrowArrayStream *in,
            struct ArrowArrayStream *out, hk_error *err)
{
  hk_stream_callbacks cb = {sizeof cb, swallow_schema, swallow_next,
                            swallow_free};
  struct ArrowArrayStream *keep = malloc(sizeof *keep);
  (void)state, (void)options;
  *keep = *in;
  in->release = NULL;
  return hk_stream_init_callbacks(out, &cb, keep, err);
}

static const hk_analyzer_vt swallow_vt = {.struct_size = sizeof(hk_analyzer_vt),
                                          .run = swallow_run};

/* ------------------------------------------------------------ enricher */

static int lookups;

static const hk_field_desc ipinfo_fields[] = {
    {"kind", HK_COL_UTF8, "private or public"},
    {"first", HK_COL_INT64, "first octet"},
    {NULL, 0, NULL}};

static int
ipinfo_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
              hk_enrichment *out, hk_error *err)
{
  static hk_value v[2];
  (void)state, (void)options, (void)err;
  lookups++;
  memset(v, 0, sizeof v);
  v[0].is_set = 1;
  v[0].str = strncmp(ioc->value, "10.", 3) == 0 ? "private" : "public";
  v[0].str_len = strlen(v[0].str);
  v[1].is_set = 1;
  v[1].i64 = atoi(ioc->value);
  out->status = HK_LK_OK;
  out->fields = v;
  return HK_OK;
}

static const char *const ipinfo_types[] = {"ipv4", NULL};

static const hk_enricher_vt ipinfo_vt = {.struct_size = sizeof(hk_enricher_vt),
                                         .fields = ipinfo_fields,
                                         .lookup = ipinfo_lookup};

/* ------------------------------------------------------------ renderer */

static int
capture_render(void *state, const hk_config *options,
               struct ArrowArrayStream *in, const hk_sink *sink, hk_error *err)
{
  struct ArrowSchema schema;
  struct ArrowArray batch;
  int rc;
  (void)state, (void)options;
  rc = hk_stream_schema(in, &schema, err);
  while (rc == HK_OK && (rc = hk_stream_next(in, &batch, err)) == HK_OK &&
         batch.release) {
    hk_batch_view v;
    rc = hk_batch_view_init(&v, &schema, &batch, err);
    for (int64_t r = 0; rc == HK_OK && r < v.rows; r++) {
      hk_buf line = HK_BUF_INIT;
      for (int64_t c = 0; c < v.columns; c++) {
        char cell[64];
        if (hk_batch_view_is_null(&v, c, r))
          snprintf(cell, sizeof cell, "NULL");
        else
          hk_batch_view_format_cell(&v, c, r, cell, sizeof cell);
        hk_buf_appendf(&line, "%s%s=%s", c ? " " : "",
                       hk_batch_view_column_name(&v, c), cell);
      }
      hk_buf_append_char(&line, '\n');
      sink->write(sink->ud, line.data, line.len);
      hk_buf_free(&line);
    }
    if (rc == HK_OK)
      hk_batch_view_release(&v);
    hk_array_release(&batch);
  }
  if (schema.release)
    hk_schema_release(&schema);
  hk_stream_release(in);
  return rc;
}

static const hk_renderer_vt capture_vt = {.struct_size = sizeof(hk_renderer_vt),
                                          .media_type = "text/plain",
                                          .render = capture_render};

/* --------------------------------------------------------------- entry */

#define DESC(var, nm, k, vt, types)                                            \
  static const hk_plugin_desc var = {.struct_size = sizeof(hk_plugin_desc),    \
                                     .abi_major = HK_ABI_MAJOR,                \
                                     .abi_minor = HK_ABI_MINOR,                \
                                     .name = nm,                               \
                                     .version = "1.0.0",                       \
                                     .kind = k,                                \
                                     .summary = "test plugin " nm,             \
                                     .entity_types = types,                    \
                                     .vtable = vt}

DESC(rows_desc, "rows", HK_KIND_PROVIDER, &rows_vt, NULL);
DESC(grep_desc, "grep", HK_KIND_ANALYZER, &grep_vt, NULL);
DESC(opts_desc, "opts", HK_KIND_ANALYZER, &opts_vt, NULL);
DESC(swallow_desc, "swallow", HK_KIND_ANALYZER, &swallow_vt, NULL);
DESC(ipinfo_desc, "ipinfo", HK_KIND_ENRICHER, &ipinfo_vt, ipinfo_types);
DESC(capture_desc, "capture", HK_KIND_RENDERER, &capture_vt, NULL);

static const hk_plugin_desc *const descs[] = {
    &rows_desc,   &grep_desc,    &opts_desc, &swallow_desc,
    &ipinfo_desc, &capture_desc, NULL};

static const hk_plugin_desc *const *
test_entry(const hk_host *h, hk_error *err)
{
  (void)err;
  host = h;
  return descs;
}

/* ------------------------------------------------------------- helpers */

static int
sink_write(void *ud, const void *p, size_t n)
{
  return hk_buf_append(ud, p, n);
}

/* Parse and run `text`; the captured output (or "error: MSG") in *out. */
static int
run(hk_registry *r, const char *text, hk_buf *out, hk_run_result *res)
{
  hk_pipeline *p;
  hk_error err;
  hk_sink sink = {sizeof sink, out, sink_write, 0, 0};
  hk_run_opts opts = {HK_TIME_MIN, HK_TIME_MAX, 0, &sink, NULL, NULL};
  int rc;
  hk_buf_reset(out);
  hk_error_clear(&err);
  rc = hk_pipeline_parse(r, text, "capture", &p, &err);
  if (rc == HK_OK) {
    rc = hk_pipeline_run(p, &opts, res, &err);
    hk_pipeline_free(p);
  }
  if (rc != HK_OK) {
    hk_buf_reset(out);
    hk_buf_appendf(out, "error: %s", err.msg);
  }
  if (!out->data)
    hk_buf_append_str(out, "");
  return rc;
}

static void
parse_error(hk_registry *r, const char *text, const char *want, int user)
{
  hk_pipeline *p = NULL;
  hk_error err;
  int rc;
  hk_error_clear(&err);
  rc = hk_pipeline_parse(r, text, "capture", &p, &err);
  ok(rc != HK_OK && p == NULL, "refused: %s", text);
  is_str(err.msg, want, "message for: %s", text);
  is_int(!!(err.flags & HK_EF_USER), user, "usage error flag for: %s", text);
  hk_pipeline_free(p);
}

/* --------------------------------------------------------------- tests */

static void
test_split(void)
{
  hk_stage_text *st;
  size_t n;
  hk_error err;
  const char *src = " file path=\"a b|c\" | where x == 'y|z' || q |count ";

  hk_error_clear(&err);
  is_int(hk_pipeline_split(src, &st, &n, &err), HK_OK, "split");
  is_int(n, 3, "three stages ('|' in quotes and '||' do not split)");
  is_int(st[0].n_words, 2, "stage 1: two words");
  is_str(st[0].words[1].text, "path=a b|c", "double quotes removed");
  is_int(st[0].words[1].start, 6, "word start offset");
  is_int(st[0].start, 1, "stage 1 trimmed start");
  is_int(st[0].end, 18, "stage 1 trimmed end");
  is_int(st[1].n_words, 6, "stage 2 words");
  is_str(st[1].words[3].text, "y|z", "single quotes removed");
  is_str(st[1].words[4].text, "||", "'||' is a word");
  is_int(st[2].n_words, 1, "stage 3: one word");
  is_int(st[2].start, 44, "stage 3 start");
  is_int(st[2].end, 49, "stage 3 end");
  hk_pipeline_split_free(st, n);

  is_int(hk_pipeline_split("a \"x\\\"y\\\\z\\n\" b\\c 'p\\q'", &st, &n, &err),
         HK_OK, "escapes");
  is_str(st[0].words[1].text, "x\"y\\z\\n", "\\\" and \\\\ in double quotes");
  is_str(st[0].words[2].text, "b\\c", "backslash outside quotes is kept");
  is_str(st[0].words[3].text, "p\\q", "backslash in single quotes is kept");
  hk_pipeline_split_free(st, n);

  is_int(hk_pipeline_split("a ''", &st, &n, &err), HK_OK, "empty word");
  is_int(st[0].n_words, 2, "'' is a word");
  is_str(st[0].words[1].text, "", "and it is empty");
  hk_pipeline_split_free(st, n);

  hk_error_clear(&err);
  is_int(hk_pipeline_split("a \"bc | d", &st, &n, &err), HK_E_INVAL,
         "unterminated quote");
  is_str(err.msg, "unterminated \" quote starting at character 3: `\"bc | d`",
         "unterminated quote message");
  ok(err.flags & HK_EF_USER, "is a usage error");
  ok(st == NULL && n == 0, "nothing returned");
  hk_pipeline_split_free(st, n);
  is_int(hk_pipeline_split("a | | b", &st, &n, &err), HK_E_INVAL,
         "empty stage");
  is_str(err.msg, "stage 2 is empty: nothing between two '|'",
         "empty stage message");
  is_int(hk_pipeline_split("a |", &st, &n, &err), HK_E_INVAL, "trailing pipe");
  is_str(err.msg, "stage 2 is empty: the pipeline ends with '|'",
         "trailing pipe message");
  is_int(hk_pipeline_split("  ", &st, &n, &err), HK_E_INVAL, "blank");
  is_str(err.msg,
         "empty pipeline: give at least a provider, e.g. `file "
         "path=events.json`",
         "blank message");
}

static void
test_parse(hk_registry *r)
{
  hk_pipeline *p;
  hk_error err;

  hk_error_clear(&err);
  is_int(hk_pipeline_parse(r,
                           "rows n=5 | grep invert=yes Image == \"a b\"  "
                           "| opts b=x a=2 | ipinfo column=ip",
                           "capture", &p, &err),
         HK_OK, "parse a full pipeline");
  if (!p) {
    diag("%s", err.msg);
    return;
  }
  is_int(hk_pipeline_stage_count(p), 5, "implicit renderer appended");
  is_str(hk_pipeline_stage_name(p, 4), "capture", "it is the default");
  is_int(hk_pipeline_stage_implicit(p, 4), 1, "and marked implicit");
  is_int(hk_pipeline_stage_kind(p, 3), HK_KIND_ENRICHER, "stage 4 kind");
  is_str(host->config_get_string(hk_pipeline_stage_options(p, 1), "expr"),
         "Image == \"a b\"", "REST gets the raw, trimmed rest of the stage");
  {
    int inv = 0;
    int64_t a = 0;
    host->config_get_bool(hk_pipeline_stage_options(p, 1), "invert", &inv);
    host->config_get_int(hk_pipeline_stage_options(p, 2), "a", &a);
    is_int(inv, 1, "leading key=value is an option");
    is_int(a, 2, "typed option");
  }
  is_str(hk_pipeline_stage_column(p, 3), "ip", "enricher column");
  is_str(hk_pipeline_stage_prefix(p, 3), "ipinfo_", "default prefix");
  hk_pipeline_free(p);

  is_int(hk_pipeline_parse(r, "rows | grep n=1 x | capture", NULL, &p, &err),
         HK_OK, "key=value after the text starts is text");
  if (p) {
    is_str(host->config_get_string(hk_pipeline_stage_options(p, 1), "expr"),
           "n=1 x", "an unknown key=value starts the text");
    is_int(hk_pipeline_stage_count(p), 3, "explicit renderer kept");
    hk_pipeline_free(p);
  }

  parse_error(r, "grep x | capture",
              "stage 1 (grep) is an analyzer: a pipeline starts with a "
              "provider, e.g. `file path=events.json | ...`",
              1);
  parse_error(r, "ipinfo column=x",
              "stage 1 (ipinfo) is an enricher: a pipeline starts with a "
              "provider, e.g. `file path=events.json | ...`",
              1);
  parse_error(r, "rows | capture | grep x",
              "stage 2 (capture) is a renderer: only the last stage can be a "
              "renderer",
              1);
  parse_error(r, "rows | rows",
              "stage 2 (rows) is a provider: only the first stage can be a "
              "provider",
              1);
  parse_error(r, "rows | opts b=1 c=2",
              "stage 2 (opts): unknown option 'c' (options: a, b)", 1);
  parse_error(r, "rows | opts b=1 zz",
              "stage 2 (opts): unexpected word 'zz': options are written "
              "key=value (options: a, b)",
              1);
  parse_error(r, "rows | capture x=1",
              "stage 2 (capture): unknown option 'x' (it takes no options)", 1);
  parse_error(r, "rows | opts a=1",
              "stage 2 (opts): missing required option 'b=' (a word)", 1);
  parse_error(r, "rows | grep",
              "stage 2 (grep): missing the text after 'grep' (the "
              "expression)",
              1);
  parse_error(r, "rows | grep expr=a b",
              "stage 2 (grep): option 'expr' is given twice (as expr= and as "
              "the text from 'b' on)",
              1);
  parse_error(r, "rows | opts b=1 b=2",
              "stage 2 (opts): option 'b' is given twice", 1);
  parse_error(r, "rows | ipinfo prefix=x_",
              "stage 2 (ipinfo): missing required option 'column=' (column "
              "whose values are looked up)",
              1);
  parse_error(r, "rows | ipinfo column=ip foo=1",
              "stage 2 (ipinfo): unknown option 'foo' (options: column, "
              "prefix)",
              1);
  {
    hk_pipeline *q = NULL;
    hk_error_clear(&err);
    ok(hk_pipeline_parse(r, "rows | nosuch", NULL, &q, &err) != HK_OK,
       "unknown plugin refused");
    like(err.msg, "stage 2 (nosuch): ", "unknown plugin names the stage");
    like(err.msg, "nosuch", "and the plugin");
    ok(err.flags & HK_EF_USER, "unknown plugin is a usage error");
    hk_pipeline_free(q);
    hk_error_clear(&err);
    ok(hk_pipeline_parse(r, "rows", "grep", &q, &err) != HK_OK,
       "default renderer must be a renderer");
    like(err.msg, "output format 'grep' is an analyzer, not a renderer",
         "default renderer message");
    hk_pipeline_free(q);
    hk_error_clear(&err);
    ok(hk_pipeline_parse(r, "rows n=abc", NULL, &q, &err) != HK_OK,
       "badly typed option refused");
    like(err.msg, "stage 1 (rows)", "bad type names the stage");
    like(err.msg, "'n'", "bad type names the option");
    hk_pipeline_free(q);
  }
}

static void
test_run(hk_registry *r)
{
  hk_buf out = HK_BUF_INIT;
  hk_run_result res;

  is_int(run(r, "rows n=3", &out, &res), HK_OK, "run rows");
  is_str(out.data,
         "id=0 ip=10.0.0.1 note=n\n"
         "id=1 ip=8.8.8.8 note=n\n"
         "id=2 ip=NULL note=n\n",
         "rows through the default renderer");
  is_int(res.rows_read, 3, "rows read");
  is_int(res.canceled, 0, "not canceled");

  lookups = 0;
  is_int(run(r, "rows n=7 | grep x | ipinfo column=ip | capture", &out, &res),
         HK_OK, "run with an enricher");
  is_str(out.data,
         "id=0 ip=10.0.0.1 note=n ipinfo_kind=private ipinfo_first=10 "
         "ipinfo_status=ok ipinfo_summary=NULL\n"
         "id=1 ip=8.8.8.8 note=n ipinfo_kind=public ipinfo_first=8 "
         "ipinfo_status=ok ipinfo_summary=NULL\n"
         "id=2 ip=NULL note=n ipinfo_kind=NULL ipinfo_first=NULL "
         "ipinfo_status=NULL ipinfo_summary=NULL\n"
         "id=3 ip=hello note=n ipinfo_kind=NULL ipinfo_first=NULL "
         "ipinfo_status=not_supported ipinfo_summary=not a recognised IoC\n"
         "id=4 ip=10.0.0.1 note=n ipinfo_kind=private ipinfo_first=10 "
         "ipinfo_status=ok ipinfo_summary=NULL\n"
         "id=5 ip=example.com note=n ipinfo_kind=NULL ipinfo_first=NULL "
         "ipinfo_status=not_supported ipinfo_summary=type dns not supported\n"
         "id=6 ip=8.8.8.8 note=n ipinfo_kind=public ipinfo_first=8 "
         "ipinfo_status=ok ipinfo_summary=NULL\n",
         "enriched columns and the host's status and summary; nulls for "
         "nulls, not_supported for other types");
  is_int(lookups, 2, "one lookup per distinct ipv4 value");

  is_int(run(r, "rows n=2 | ipinfo column=ip prefix=geo.", &out, &res), HK_OK,
         "custom prefix");
  is_str(out.data,
         "id=0 ip=10.0.0.1 note=n geo.kind=private geo.first=10 "
         "geo.status=ok geo.summary=NULL\n"
         "id=1 ip=8.8.8.8 note=n geo.kind=public geo.first=8 "
         "geo.status=ok geo.summary=NULL\n",
         "prefix applied");

  is_int(run(r, "rows n=4 skip=yes | ipinfo column=ip", &out, &res), HK_OK,
         "enrich sliced batches (struct offset 1)");
  is_str(out.data,
         "id=1 ip=8.8.8.8 note=n ipinfo_kind=public ipinfo_first=8 "
         "ipinfo_status=ok ipinfo_summary=NULL\n"
         "id=3 ip=hello note=n ipinfo_kind=NULL ipinfo_first=NULL "
         "ipinfo_status=not_supported ipinfo_summary=not a recognised IoC\n",
         "added columns line up with the parent's offset");

  is_int(run(r, "rows n=2 | ipinfo column=id", &out, &res), HK_OK,
         "non-text column is formatted");
  is_str(out.data,
         "id=0 ip=10.0.0.1 note=n ipinfo_kind=NULL ipinfo_first=NULL "
         "ipinfo_status=not_supported ipinfo_summary=not a recognised IoC\n"
         "id=1 ip=8.8.8.8 note=n ipinfo_kind=NULL ipinfo_first=NULL "
         "ipinfo_status=not_supported ipinfo_summary=not a recognised IoC\n",
         "integers are no IPv4 addresses");

  ok(run(r, "rows | ipinfo column=nope", &out, &res) != HK_OK,
     "missing enrich column");
  is_str(out.data,
         "error: stage 2 (ipinfo): no column 'nope' (columns: id, ip, note)",
         "missing column message");
  is_int(res.failed_stage, 2, "failed stage");

  ok(run(r, "rows | ipinfo column=ip | ipinfo column=ip", &out, &res) != HK_OK,
     "prefix clash");
  is_str(out.data,
         "error: stage 3 (ipinfo): column 'ipinfo_kind' already exists; "
         "choose another prefix=",
         "clash message");

  ok(run(r, "rows n=6 fail_at=1 | grep x | opts b=1", &out, &res) != HK_OK,
     "provider fails on its second batch");
  is_str(out.data, "error: stage 1 (rows): events.json:7: disk on fire",
         "the error is pinned on the provider, not the renderer");
  is_int(res.failed_stage, 1, "failed stage 1");

  ok(run(r, "rows n=6 fail_at=1 | swallow", &out, &res) != HK_OK,
     "an error a later stage swallowed still fails the run");
  is_str(out.data, "error: stage 1 (rows): events.json:7: disk on fire",
         "and names where it started");

  ok(run(r, "rows bad=true | grep x", &out, &res) != HK_OK,
     "malformed batch refused");
  like(out.data,
       "error: stage 1 (rows): plugin 'rows' returned a malformed table: ",
       "malformed table names the plugin");

  hk_buf_free(&out);
}

static void
test_cancel(hk_registry *r)
{
  hk_buf out = HK_BUF_INIT;
  hk_run_result res;
  hk_services_cancel();
  is_int(run(r, "rows n=5", &out, &res), HK_OK, "canceled run ends cleanly");
  is_str(out.data, "", "nothing read after Ctrl-C");
  is_int(res.canceled, 1, "reported as canceled");
  hk_buf_free(&out);
}

int
main(void)
{
  hk_settings settings;
  hk_registry *r;
  hk_error err;

  (void)plan;
  plan_lazy();
  test_split();

  memset(&settings, 0, sizeof settings);
  settings.log_level = -1;
  r = hk_registry_new(&settings);
  hk_error_clear(&err);
  if (!ok(hk_registry_add_static(r, "test", test_entry, &err) == HK_OK,
          "static test plugins accepted"))
    diag("%s", err.msg);
  test_parse(r);
  test_run(r);
  test_cancel(r);
  hk_registry_free(r);
  return done_testing();
}
