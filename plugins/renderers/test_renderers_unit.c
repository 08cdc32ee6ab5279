/*
 * plugins/renderers/test_renderers_unit.c -- white-box tests of the table,
 * csv, json and ndjson renderers.  The renderers' sources are included
 * here and driven through their descriptors with a fake host (options), a
 * fake sink (a buffer that can refuse writes) and tables made with the
 * SDK's builder, so nothing of the host or the CLI is needed.
 */
#include "../../tests/tap.h"

#include "csv.c"
#include "json.c"
#include "renderers.c"
#include "table.c"

#include <math.h>

/* ------------------------------------------------------------ fake host */

struct hk_config {
  const char *keys[8];
  const char *values[8];
  int n;
};

static int fake_canceled;

static void HK_PRINTF(3, 4)
    fake_log(const hk_instance *inst, int level, const char *fmt, ...)
{
  va_list ap;
  (void)inst;
  (void)level;
  printf("# log: ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

static int
fake_log_enabled(const hk_instance *inst, int level)
{
  (void)inst;
  return level <= HK_LOG_WARN;
}

static const char *
fake_lookup(const hk_config *cfg, const char *name)
{
  int i;
  for (i = 0; cfg && i < cfg->n; i++)
    if (strcmp(cfg->keys[i], name) == 0)
      return cfg->values[i];
  return NULL;
}

static int
fake_is_set(const hk_config *cfg, const char *name)
{
  return fake_lookup(cfg, name) != NULL;
}

static const char *
fake_get_string(const hk_config *cfg, const char *name)
{
  return fake_lookup(cfg, name);
}

static int
fake_get_int(const hk_config *cfg, const char *name, int64_t *out)
{
  const char *v = fake_lookup(cfg, name);
  if (v == NULL)
    return HK_E_NOTFOUND;
  *out = strtoll(v, NULL, 10);
  return HK_OK;
}

static int
fake_get_bool(const hk_config *cfg, const char *name, int *out)
{
  const char *v = fake_lookup(cfg, name);
  if (v == NULL)
    return HK_E_NOTFOUND;
  *out = strcmp(v, "true") == 0;
  return HK_OK;
}

static int64_t
fake_now(void)
{
  return 0;
}

static int
fake_is_canceled(const hk_instance *inst)
{
  (void)inst;
  return fake_canceled;
}

static const hk_host fake_host = {
    .struct_size = sizeof(hk_host),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .version = "test",
    .log = fake_log,
    .log_enabled = fake_log_enabled,
    .config_is_set = fake_is_set,
    .config_get_string = fake_get_string,
    .config_get_int = fake_get_int,
    .config_get_bool = fake_get_bool,
    .now_us = fake_now,
    .monotonic_us = fake_now,
    .is_canceled = fake_is_canceled,
};

/* ------------------------------------------------------------ fake sink */

typedef struct capture {
  hk_buf text;
  int writes;
  size_t smallest_write; /* of all writes but the last */
  size_t last_write;
  int fail_after; /* refuse every write after this many; <0: never */
} capture;

static int
capture_write(void *ud, const void *buf, size_t len)
{
  capture *c = ud;
  if (c->fail_after >= 0 && c->writes >= c->fail_after)
    return HK_E_IO;
  if (c->writes > 0 &&
      (c->smallest_write == 0 || c->last_write < c->smallest_write))
    c->smallest_write = c->last_write;
  c->writes++;
  c->last_write = len;
  return hk_buf_append(&c->text, buf, len);
}

/* ------------------------------------------------------------- helpers */

static const hk_plugin_desc *
find_desc(const char *name)
{
  hk_error err;
  const hk_plugin_desc *const *d =
      renderers_LTX_hk_plugin_entry(&fake_host, &err);
  for (; d && *d; d++)
    if (strcmp((*d)->name, name) == 0)
      return *d;
  return NULL;
}

/* A stream of one batch holding every row appended to `b`; the builder
 * is reset for the next table. */
static void
make_stream(hk_table_builder *b, struct ArrowArrayStream *out)
{
  struct ArrowSchema schema;
  struct ArrowArray batch;
  hk_error err;
  hk_table_builder_export_schema(b, &schema, &err);
  hk_table_builder_finish_batch(b, &batch, &err);
  hk_stream_init_batches(out, &schema, &batch, 1, &err);
}

/* Render `stream` with the named renderer and options "k=v" (NULL-ended);
 * returns the status and leaves the text in cap->text. */
static int
render(const char *name, const char *const *opts, struct ArrowArrayStream *in,
       capture *cap, hk_sink *sink_tpl, hk_error *err)
{
  const hk_plugin_desc *d = find_desc(name);
  const hk_renderer_vt *vt = d ? d->vtable : NULL;
  hk_config cfg;
  hk_sink sink;
  char kv[8][64];
  void *state = NULL;
  int rc;

  memset(&cfg, 0, sizeof cfg);
  for (; opts && *opts && cfg.n < 8; opts++, cfg.n++) {
    char *eq;
    snprintf(kv[cfg.n], sizeof kv[cfg.n], "%s", *opts);
    eq = strchr(kv[cfg.n], '=');
    *eq = '\0';
    cfg.keys[cfg.n] = kv[cfg.n];
    cfg.values[cfg.n] = eq + 1;
  }
  memset(&sink, 0, sizeof sink);
  if (sink_tpl)
    sink = *sink_tpl;
  sink.struct_size = sizeof sink;
  sink.ud = cap;
  sink.write = capture_write;
  hk_error_clear(err);
  if (vt == NULL) {
    hk_stream_release(in);
    return hk_error_set(err, HK_E_NOTFOUND, "no renderer %s", name);
  }
  rc = vt->create(NULL, NULL, &state, err);
  if (rc == HK_OK)
    rc = vt->render(state, &cfg, in, &sink, err);
  vt->destroy(state);
  return rc;
}

static void
capture_init(capture *c)
{
  hk_buf empty = HK_BUF_INIT;
  memset(c, 0, sizeof *c);
  c->text = empty;
  c->fail_after = -1;
}

/* Render a builder's table (one batch) and compare the whole text. */
static void
check_render(const char *name, const char *const *opts, hk_table_builder *b,
             const char *want, const char *what)
{
  struct ArrowArrayStream s;
  capture cap;
  hk_error err;
  int rc;

  capture_init(&cap);
  make_stream(b, &s);
  rc = render(name, opts, &s, &cap, NULL, &err);
  if (!ok(rc == HK_OK, "%s: renders", what))
    diag("  %d %s", rc, err.msg);
  is_str(cap.text.data ? cap.text.data : "", want, "%s: exact text", what);
  hk_buf_free(&cap.text);
}

/* The mixed table most tests use:
 *   s utf8, i int64, f float64, b bool, t timestamp */
static hk_table_builder *
mixed_table(void)
{
  hk_table_builder *b = hk_table_builder_new();
  hk_table_builder_add_column(b, "s", HK_COL_UTF8);
  hk_table_builder_add_column(b, "i", HK_COL_INT64);
  hk_table_builder_add_column(b, "f", HK_COL_FLOAT64);
  hk_table_builder_add_column(b, "b", HK_COL_BOOL);
  hk_table_builder_add_column(b, "t", HK_COL_TIMESTAMP);
  /* row 0: plain values */
  hk_table_builder_append_utf8(b, 0, "plain", 5);
  hk_table_builder_append_int64(b, 1, 42);
  hk_table_builder_append_float64(b, 2, 0.1);
  hk_table_builder_append_bool(b, 3, 1);
  hk_table_builder_append_timestamp(b, 4, 1700000000123456);
  /* row 1: separators and quotes, extremes */
  hk_table_builder_append_utf8(b, 0, "a,\"b\"", 5);
  hk_table_builder_append_int64(b, 1, INT64_MIN);
  hk_table_builder_append_float64(b, 2, 1e300);
  hk_table_builder_append_bool(b, 3, 0);
  hk_table_builder_append_timestamp(b, 4, -1);
  /* row 2: newline, huge int, integral float, nulls */
  hk_table_builder_append_utf8(b, 0, "x\ny", 3);
  hk_table_builder_append_int64(b, 1, INT64_MAX);
  hk_table_builder_append_float64(b, 2, 3.0);
  hk_table_builder_append_null(b, 3);
  hk_table_builder_append_timestamp(b, 4, 0);
  /* row 3: nulls everywhere but the float, which is not a number */
  hk_table_builder_append_null(b, 0);
  hk_table_builder_append_null(b, 1);
  hk_table_builder_append_float64(b, 2, NAN);
  hk_table_builder_append_null(b, 3);
  hk_table_builder_append_null(b, 4);
  /* row 4: unicode, empty string, infinity */
  hk_table_builder_append_utf8(b, 0, "\xC3\xBC\xE6\x97\xA5", 5);
  hk_table_builder_append_int64(b, 1, -1);
  hk_table_builder_append_float64(b, 2, -INFINITY);
  hk_table_builder_append_bool(b, 3, 1);
  hk_table_builder_append_timestamp(b, 4, -86400000000LL * 365);
  return b;
}

/* ----------------------------------------------------------------- csv */

static void
test_csv(void)
{
  hk_table_builder *b = mixed_table();
  const char *const tab[] = {"delimiter=tab", "header=false", NULL};
  const char *const crlf[] = {"crlf=true", NULL};
  const char *const dot[] = {"delimiter=.", NULL};

  check_render("csv", NULL, b,
               "s,i,f,b,t\n"
               "plain,42,0.1,true,2023-11-14T22:13:20.123456Z\n"
               "\"a,\"\"b\"\"\",-9223372036854775808,1e+300,false,"
               "1969-12-31T23:59:59.999999Z\n"
               "\"x\ny\",9223372036854775807,3,,1970-01-01T00:00:00Z\n"
               ",,nan,,\n"
               "\xC3\xBC\xE6\x97\xA5,-1,-inf,true,1969-01-01T00:00:00Z\n",
               "csv defaults");
  hk_table_builder_free(b);

  b = hk_table_builder_new();
  hk_table_builder_add_column(b, "a", HK_COL_UTF8);
  hk_table_builder_add_column(b, "n", HK_COL_FLOAT64);
  hk_table_builder_append_utf8(b, 0, "x\ty", 3);
  hk_table_builder_append_float64(b, 1, 1.5);
  check_render("csv", tab, b, "\"x\ty\"\t1.5\n", "csv tab, no header");
  hk_table_builder_append_utf8(b, 0, "x\ty", 3);
  hk_table_builder_append_float64(b, 1, 1.5);
  check_render("csv", crlf, b, "a,n\r\nx\ty,1.5\r\n", "csv crlf");
  hk_table_builder_append_utf8(b, 0, "x.y", 3);
  hk_table_builder_append_float64(b, 1, 1.5);
  check_render("csv", dot, b, "a.n\n\"x.y\".\"1.5\"\n",
               "csv '.' separator quotes formatted numbers");
  hk_table_builder_free(b);

  /* A column whose text has no special character at all (looked at once
   * per batch) still quotes its fields with leading or trailing blanks;
   * one with a comma in one row quotes that row only. */
  b = hk_table_builder_new();
  hk_table_builder_add_column(b, "p", HK_COL_UTF8);
  hk_table_builder_add_column(b, "q", HK_COL_UTF8);
  {
    static const char *const p[] = {"abc", " lead", "trail\t", "", "x y"};
    static const char *const q[] = {"a,b", "c", "d", "e", "f "};
    for (int i = 0; i < 5; i++) {
      hk_table_builder_append_utf8(b, 0, p[i], strlen(p[i]));
      hk_table_builder_append_utf8(b, 1, q[i], strlen(q[i]));
    }
  }
  check_render("csv", NULL, b,
               "p,q\nabc,\"a,b\"\n\" lead\",c\n\"trail\t\",d\n,e\n"
               "x y,\"f \"\n",
               "csv quotes blanks at the ends in a column without specials");
  hk_table_builder_free(b);
}

static void
test_csv_options(void)
{
  hk_table_builder *b = hk_table_builder_new();
  const char *const safe[] = {"excel_safe=true", "bom=true", NULL};
  const char *const bad[] = {"delimiter=::", NULL};
  struct ArrowArrayStream s;
  capture cap;
  hk_error err;
  int rc;

  hk_table_builder_add_column(b, "=cmd", HK_COL_UTF8);
  hk_table_builder_add_column(b, "n", HK_COL_INT64);
  hk_table_builder_append_utf8(b, 0, "=1+2", 4);
  hk_table_builder_append_int64(b, 1, -5);
  hk_table_builder_append_utf8(b, 0, "-5", 2);
  hk_table_builder_append_int64(b, 1, 5);
  hk_table_builder_append_utf8(b, 0, "@SUM(A1),x", 10);
  hk_table_builder_append_null(b, 1);
  hk_table_builder_append_utf8(b, 0, "a=b", 3);
  hk_table_builder_append_int64(b, 1, 0);
  check_render(
      "csv", safe, b,
      "\xEF\xBB\xBF'=cmd,n\n'=1+2,-5\n'-5,5\n\"'@SUM(A1),x\",\na=b,0\n",
      "csv excel_safe prefixes text only, bom");

  hk_table_builder_append_utf8(b, 0, "x", 1);
  hk_table_builder_append_int64(b, 1, 1);
  capture_init(&cap);
  make_stream(b, &s);
  rc = render("csv", bad, &s, &cap, NULL, &err);
  is_int(rc, HK_E_CONFIG, "csv delimiter '::' is refused");
  like(err.msg, "'delimiter' must be one ASCII character", "message says why");
  like(err.msg, "got '::'", "message shows the value");
  is_int(cap.text.len, 0, "nothing written");
  hk_buf_free(&cap.text);
  hk_table_builder_free(b);

  /* One column: null and empty rows must not become blank lines. */
  b = hk_table_builder_new();
  hk_table_builder_add_column(b, "only", HK_COL_UTF8);
  hk_table_builder_append_utf8(b, 0, "a", 1);
  hk_table_builder_append_null(b, 0);
  hk_table_builder_append_utf8(b, 0, "", 0);
  check_render("csv", NULL, b, "only\na\n\"\"\n\"\"\n",
               "csv single column keeps empty rows");
  check_render("csv", NULL, b, "only\n", "csv empty table: header only");
  hk_table_builder_free(b);
}

/* ---------------------------------------------------------- json/ndjson */

static void
test_json(void)
{
  hk_table_builder *b = mixed_table();
  const char *const pretty[] = {"pretty=true", NULL};

  check_render(
      "ndjson", NULL, b,
      "{\"s\":\"plain\",\"i\":42,\"f\":0.1,\"b\":true,"
      "\"t\":\"2023-11-14T22:13:20.123456Z\"}\n"
      "{\"s\":\"a,\\\"b\\\"\",\"i\":-9223372036854775808,\"f\":1e+300,"
      "\"b\":false,\"t\":\"1969-12-31T23:59:59.999999Z\"}\n"
      "{\"s\":\"x\\ny\",\"i\":9223372036854775807,\"f\":3.0,\"b\":null,"
      "\"t\":\"1970-01-01T00:00:00Z\"}\n"
      "{\"s\":null,\"i\":null,\"f\":null,\"b\":null,\"t\":null}\n"
      "{\"s\":\"\xC3\xBC\xE6\x97\xA5\",\"i\":-1,\"f\":null,\"b\":true,"
      "\"t\":\"1969-01-01T00:00:00Z\"}\n",
      "ndjson typed values");
  hk_table_builder_free(b);

  b = hk_table_builder_new();
  hk_table_builder_add_column(b, "a\"b", HK_COL_UTF8);
  hk_table_builder_add_column(b, "n", HK_COL_INT64);
  check_render("json", NULL, b, "[]\n", "json empty table");
  check_render("ndjson", NULL, b, "", "ndjson empty table");
  hk_table_builder_append_utf8(b, 0, "\x01\\", 2);
  hk_table_builder_append_int64(b, 1, 1);
  hk_table_builder_append_utf8(b, 0, "{\"k\":1}", 7);
  hk_table_builder_append_int64(b, 1, 2);
  check_render("json", NULL, b,
               "[\n{\"a\\\"b\":\"\\u0001\\\\\",\"n\":1},\n"
               "{\"a\\\"b\":\"{\\\"k\\\":1}\",\"n\":2}\n]\n",
               "json array, escaped keys, JSON text stays a string");
  hk_table_builder_append_utf8(b, 0, "x", 1);
  hk_table_builder_append_int64(b, 1, 1);
  hk_table_builder_append_null(b, 0);
  hk_table_builder_append_null(b, 1);
  check_render("json", pretty, b,
               "[\n  {\n    \"a\\\"b\": \"x\",\n    \"n\": 1\n  },\n"
               "  {\n    \"a\\\"b\": null,\n    \"n\": null\n  }\n]\n",
               "json pretty");
  hk_table_builder_free(b);
}

/* Several batches: separators continue across them. */
/* A column of type null (Arrow "n"). */
static void
test_null_column(void)
{
  hk_table_builder *b = hk_table_builder_new();
  hk_table_builder_add_column(b, "nothing", HK_COL_NULL);
  hk_table_builder_add_column(b, "n", HK_COL_INT64);
  hk_table_builder_append_null(b, 0);
  hk_table_builder_append_int64(b, 1, 5);
  check_render("ndjson", NULL, b, "{\"nothing\":null,\"n\":5}\n",
               "ndjson null column");
  hk_table_builder_append_null(b, 0);
  hk_table_builder_append_int64(b, 1, 5);
  check_render("csv", NULL, b, "nothing,n\n,5\n", "csv null column");
  hk_table_builder_append_null(b, 0);
  hk_table_builder_append_int64(b, 1, 5);
  check_render("table", NULL, b,
               "nothing  n\n-------  -\n         5\n(1 row)\n",
               "table null column");
  hk_table_builder_free(b);
}

static void
test_json_batches(void)
{
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowSchema schema;
  struct ArrowArray batches[3];
  struct ArrowArrayStream s;
  capture cap;
  hk_error err;
  int i, rc;

  hk_table_builder_add_column(b, "n", HK_COL_INT64);
  hk_table_builder_export_schema(b, &schema, &err);
  for (i = 0; i < 3; i++) {
    if (i != 1) /* the middle batch is empty */
      hk_table_builder_append_int64(b, 0, i);
    hk_table_builder_finish_batch(b, &batches[i], &err);
  }
  hk_stream_init_batches(&s, &schema, batches, 3, &err);
  capture_init(&cap);
  rc = render("json", NULL, &s, &cap, NULL, &err);
  is_int(rc, HK_OK, "json over three batches");
  is_str(cap.text.data, "[\n{\"n\":0},\n{\"n\":2}\n]\n",
         "json commas across batches and an empty batch");
  hk_buf_free(&cap.text);
  hk_table_builder_free(b);
}

/* --------------------------------------------------------------- table */

static void
process_rows(hk_table_builder *b)
{
  hk_table_builder_append_utf8(b, 0, "bash", 4);
  hk_table_builder_append_int64(b, 1, 4242);
  hk_table_builder_append_utf8(b, 2, "ls -l", 5);
  hk_table_builder_append_utf8(b, 0, "\xE6\x97\xA5\xE6\x9C\xAC", 6);
  hk_table_builder_append_int64(b, 1, -7);
  hk_table_builder_append_utf8(b, 2, "a\tb\nc\x1b[31m", 10);
  hk_table_builder_append_null(b, 0);
  hk_table_builder_append_null(b, 1);
  hk_table_builder_append_utf8(b, 2,
                               "powershell.exe -NoProfile -EncodedCommand "
                               "SQBFAFgAIAAoAE4AZQB3AC0A",
                               66);
}

static void
test_table(void)
{
  hk_table_builder *b = hk_table_builder_new();
  const char *const w40[] = {"width=40", NULL};
  const char *const two[] = {"max_rows=2", NULL};
  struct ArrowArrayStream s;
  hk_sink tty;
  capture cap;
  hk_error err;

  hk_table_builder_add_column(b, "name", HK_COL_UTF8);
  hk_table_builder_add_column(b, "pid", HK_COL_INT64);
  hk_table_builder_add_column(b, "cmd", HK_COL_UTF8);
  check_render("table", NULL, b, "name  pid  cmd\n----  ---  ---\n(0 rows)\n",
               "table empty");
  process_rows(b);
  check_render("table", NULL, b,
               "name   pid  cmd\n"
               "----  ----  "
               "------------------------------------------------------------"
               "------\n"
               "bash  4242  ls -l\n"
               "\xE6\x97\xA5\xE6\x9C\xAC    -7  a\\tb\\nc\\x1b[31m\n"
               "            powershell.exe -NoProfile -EncodedCommand "
               "SQBFAFgAIAAoAE4AZQB3AC0A\n"
               "(3 rows)\n",
               "table natural widths, escapes, wide characters");
  process_rows(b);
  check_render("table", w40, b,
               "name   pid  cmd\n"
               "----  ----  ----------------------------\n"
               "bash  4242  ls -l\n"
               "\xE6\x97\xA5\xE6\x9C\xAC    -7  a\\tb\\nc\\x1b[31m\n"
               "            powershell.exe -NoProfile -\xE2\x80\xA6\n"
               "(3 rows)\n",
               "table width=40 cuts the widest column");
  process_rows(b);
  check_render("table", two, b,
               "name   pid  cmd\n"
               "----  ----  ---------------\n"
               "bash  4242  ls -l\n"
               "\xE6\x97\xA5\xE6\x9C\xAC    -7  a\\tb\\nc\\x1b[31m\n"
               "(1 more row; 3 rows in all)\n",
               "table max_rows=2 measures and shows two rows");

  /* A terminal 30 columns wide: fitted without any option. */
  memset(&tty, 0, sizeof tty);
  tty.is_tty = 1;
  tty.width = 30;
  for (int i = 0; i < 3; i++) {
    hk_table_builder_append_utf8(b, 0, "bash", 4);
    hk_table_builder_append_int64(b, 1, i);
    hk_table_builder_append_utf8(b, 2,
                                 "powershell.exe -NoProfile -EncodedCommand "
                                 "SQBFAFgAIAAoAE4AZQB3AC0A",
                                 66);
  }
  capture_init(&cap);
  make_stream(b, &s);
  is_int(render("table", NULL, &s, &cap, &tty, &err), HK_OK, "table on a tty");
  is_str(cap.text.data,
         "name  pid  cmd\n"
         "----  ---  -------------------\n"
         "bash    0  powershell.exe -No\xE2\x80\xA6\n"
         "bash    1  powershell.exe -No\xE2\x80\xA6\n"
         "bash    2  powershell.exe -No\xE2\x80\xA6\n"
         "(3 rows)\n",
         "table fits the terminal's 30 columns");
  hk_buf_free(&cap.text);
  tty.is_tty = 0;
  hk_table_builder_append_utf8(b, 0, "sh", 2);
  hk_table_builder_append_int64(b, 1, 1);
  hk_table_builder_append_utf8(b, 2, "id", 2);
  capture_init(&cap);
  make_stream(b, &s);
  render("table", NULL, &s, &cap, &tty, &err);
  is_str(cap.text.data,
         "name  pid  cmd\n----  ---  ---\nsh      1  id\n(1 row)\n",
         "table not on a tty: sink width ignored, singular footer");
  hk_buf_free(&cap.text);
  hk_table_builder_free(b);

  /* Two columns capped at one level, the cell left over to the first. */
  b = hk_table_builder_new();
  hk_table_builder_add_column(b, "a", HK_COL_UTF8);
  hk_table_builder_add_column(b, "b", HK_COL_UTF8);
  hk_table_builder_add_column(b, "c", HK_COL_UTF8);
  hk_table_builder_append_utf8(b, 0, "abcdefghijklmnopqrst", 20);
  hk_table_builder_append_utf8(b, 1, "0123456789", 10);
  hk_table_builder_append_utf8(b, 2, "xyz", 3);
  {
    const char *const w26[] = {"width=26", NULL};
    check_render("table", w26, b,
                 "a           b          c\n"
                 "----------  ---------  ---\n"
                 "abcdefghi\xE2\x80\xA6  01234567\xE2\x80\xA6  xyz\n"
                 "(1 row)\n",
                 "table shrinks the widest columns to one level");
  }
  hk_table_builder_append_utf8(b, 0, "abcdefghijklmnopqrst", 20);
  hk_table_builder_append_utf8(b, 1, "0123456789", 10);
  hk_table_builder_append_utf8(b, 2, "xyz", 3);
  {
    const char *const w10[] = {"width=10", NULL};
    check_render("table", w10, b,
                 "a       b       c\n"
                 "------  ------  ---\n"
                 "abcde\xE2\x80\xA6  01234\xE2\x80\xA6  xyz\n"
                 "(1 row)\n",
                 "table keeps 6 cells per column even when too narrow");
  }
  hk_table_builder_free(b);

  /* Direction overrides and C1 controls are shown as escapes; a
   * combining accent takes no cell. */
  b = hk_table_builder_new();
  hk_table_builder_add_column(b, "file", HK_COL_UTF8);
  hk_table_builder_add_column(b, "k", HK_COL_UTF8);
  hk_table_builder_append_utf8(b, 0,
                               "invoice\xE2\x80\xAE"
                               "fdp.exe",
                               17);
  hk_table_builder_append_utf8(b, 1, "x", 1);
  hk_table_builder_append_utf8(b, 0,
                               "cafe\xCC\x81 \xC2\x9B"
                               "2J",
                               11);
  hk_table_builder_append_utf8(b, 1, "y", 1);
  check_render("table", NULL, b,
               "file                  k\n"
               "--------------------  -\n"
               "invoice\\u202efdp.exe  x\n"
               "cafe\xCC\x81 \\u009b2J         y\n"
               "(2 rows)\n",
               "table escapes direction overrides and C1 controls");
  hk_table_builder_free(b);

  /* No columns at all. */
  b = hk_table_builder_new();
  check_render("table", NULL, b, "(0 rows)\n", "table without columns");
  hk_table_builder_free(b);
}

/* ------------------------------------------------- sink and input faults */

static void
int_stream(int64_t rows, struct ArrowArrayStream *s)
{
  hk_table_builder *b = hk_table_builder_new();
  int64_t i;
  hk_table_builder_add_column(b, "n", HK_COL_INT64);
  for (i = 0; i < rows; i++)
    hk_table_builder_append_int64(b, 0, 10000 + i % 90000);
  make_stream(b, s);
  hk_table_builder_free(b);
}

static void
test_sink(void)
{
  static const char *const names[] = {"csv", "json", "ndjson", "table"};
  struct ArrowArrayStream s;
  capture cap;
  hk_error err;
  size_t i;
  int rc;

  /* 200000 rows of {"n":NNNNN}\n: 12 bytes each. */
  capture_init(&cap);
  int_stream(200000, &s);
  rc = render("ndjson", NULL, &s, &cap, NULL, &err);
  is_int(rc, HK_OK, "ndjson 200000 rows");
  is_int(cap.text.len, 200000 * 12, "every byte reached the sink");
  ok(cap.writes >= 2 && cap.writes <= 2400000 / 65536 + 1,
     "written in %d large writes", cap.writes);
  ok(cap.smallest_write >= HK_RND_FLUSH_AT,
     "no write before the last is under 64 KiB (smallest %zu)",
     cap.smallest_write);
  hk_buf_free(&cap.text);

  for (i = 0; i < sizeof names / sizeof names[0]; i++) {
    capture_init(&cap);
    /* The table writes once, at the end; the others as they go. */
    cap.fail_after = names[i][0] == 't' ? 0 : 1;
    int_stream(200000, &s);
    rc = render(names[i], NULL, &s, &cap, NULL, &err);
    is_int(rc, HK_E_IO, "%s: a closed sink ends rendering with HK_E_IO",
           names[i]);
    is_int(cap.writes, names[i][0] == 't' ? 0 : 1,
           "%s: nothing is written after the sink refused", names[i]);
    like(err.msg, "cannot write the output", "%s: message", names[i]);
    hk_buf_free(&cap.text);
  }

  fake_canceled = 1;
  capture_init(&cap);
  int_stream(3, &s);
  rc = render("csv", NULL, &s, &cap, NULL, &err);
  is_int(rc, HK_E_CANCELED, "csv stops when canceled");
  is_str(cap.text.data, "n\n", "csv canceled: header only");
  hk_buf_free(&cap.text);
  capture_init(&cap);
  int_stream(3, &s);
  is_int(render("table", NULL, &s, &cap, NULL, &err), HK_E_CANCELED,
         "table stops when canceled");
  hk_buf_free(&cap.text);
  fake_canceled = 0;
}

/* A stream that yields one batch of two rows, then fails. */
static int
failing_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  return hk_table_builder_export_schema(ud, out, err);
}

static int
failing_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  hk_table_builder *b = ud;
  static int calls;
  if (calls++ % 2 == 1)
    return hk_error_set(err, HK_E_IO, "events.ndjson line 3: disk read failed");
  hk_table_builder_append_utf8(b, 0, "a", 1);
  hk_table_builder_append_utf8(b, 0, "b", 1);
  return hk_table_builder_finish_batch(b, out, err);
}

static void
failing_free(void *ud)
{
  hk_table_builder_free(ud);
}

static void
failing_stream(struct ArrowArrayStream *s)
{
  static const hk_stream_callbacks cb = {sizeof cb, failing_schema,
                                         failing_next, failing_free};
  hk_table_builder *b = hk_table_builder_new();
  hk_error err;
  hk_table_builder_add_column(b, "v", HK_COL_UTF8);
  hk_stream_init_callbacks(s, &cb, b, &err);
}

static void
test_input_error(void)
{
  struct ArrowArrayStream s;
  capture cap;
  hk_error err;
  int rc;

  capture_init(&cap);
  failing_stream(&s);
  rc = render("ndjson", NULL, &s, &cap, NULL, &err);
  ok(rc != HK_OK, "ndjson reports the input's failure");
  like(err.msg, "disk read failed", "the input's message is kept");
  ok(err.flags & HK_EF_PARTIAL, "the error is marked partial");
  is_str(cap.text.data, "{\"v\":\"a\"}\n{\"v\":\"b\"}\n",
         "rows before the failure are written");
  hk_buf_free(&cap.text);

  capture_init(&cap);
  failing_stream(&s);
  rc = render("table", NULL, &s, &cap, NULL, &err);
  ok(rc != HK_OK, "table reports the input's failure");
  like(err.msg, "disk read failed", "table: the input's message is kept");
  is_int(cap.text.len, 0, "table: nothing half-drawn");
  hk_buf_free(&cap.text);
}

int
main(void)
{
  (void)plan;
  plan_lazy();
  test_csv();
  test_csv_options();
  test_json();
  test_json_batches();
  test_null_column();
  test_table();
  test_sink();
  test_input_error();
  return done_testing();
}
