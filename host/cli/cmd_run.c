/*
 * host/cli/cmd_run.c -- `huntkit run 'PIPELINE'` and the pipeline runner
 * every verb that shows a table goes through.
 */
#define _GNU_SOURCE
#include "config.h"

#include "../querylib.h"
#include "../timeparse.h"
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HK_ABS_TOP_SRCDIR
#define HK_ABS_TOP_SRCDIR NULL
#endif

/* Parse --from / --to into [start, end). Returns 0 or an exit code. */
static int
time_range(const hk_cli *cli, int64_t *start, int64_t *end)
{
  int64_t now = hk_services()->now_us();
  hk_error err;
  *start = HK_TIME_MIN;
  *end = HK_TIME_MAX;
  hk_error_clear(&err);
  if (cli->from && hk_time_parse(cli->from, now, start, &err) != HK_OK)
    return hk_cli_usage_error("run", "--from: %s", err.msg);
  if (cli->to && hk_time_parse(cli->to, now, end, &err) != HK_OK)
    return hk_cli_usage_error("run", "--to: %s", err.msg);
  if (cli->from && cli->to && *start >= *end) {
    char a[40], b[40];
    return hk_cli_usage_error("run",
                              "--from %s (%s) is not before --to %s (%s)",
                              cli->from, hk_time_format(*start, a, sizeof a),
                              cli->to, hk_time_format(*end, b, sizeof b));
  }
  return 0;
}

/* Status after output was produced: partial results, write errors. */
static int
finish_output(const hk_cli *cli, hk_cli_out *out, int rc)
{
  unsigned long warnings;
  if (!out->closed && !out->io_error)
    hk_cli_out_flush(out);
  if (out->closed)
    return HK_EXIT_OK; /* the reader has what it wanted (`| head`) */
  if (out->io_error)
    return hk_cli_error(HK_EXIT_FAIL, "cannot write to standard output: %s",
                        strerror(out->saved_errno));
  if (rc != HK_EXIT_OK)
    return rc;
  warnings = hk_log_warn_count();
  if (warnings) {
    hk_cli_error(0, "partial result: %lu warning%s (see above)", warnings,
                 warnings == 1 ? "" : "s");
    if (cli->strict)
      return HK_EXIT_FAIL;
  }
  return HK_EXIT_OK;
}

/* Does the pipeline start with a `query` stage?  Only then is the query
 * library read. */
static int
starts_with_query(const char *text)
{
  while (isspace((unsigned char)*text))
    text++;
  if (*text == '\'' || *text == '"')
    text++;
  return strncmp(text, "query", 5) == 0 &&
         (text[5] == '\0' || isspace((unsigned char)text[5]) ||
          text[5] == '\'' || text[5] == '"');
}

static int
load_queries(hk_cli *cli, hk_querylib **out)
{
  hk_error err;
  *out = hk_querylib_new();
  if (!*out)
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  hk_error_clear(&err);
  if (hk_querylib_load_standard(*out, &cli->settings, HK_ABS_TOP_SRCDIR,
                                &err) != HK_OK)
    return hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  /* A broken file elsewhere in the library does not stop this run. */
  for (size_t i = 0; i < hk_querylib_problem_count(*out); i++)
    hk_log_msg(NULL, HK_LOG_WARN, "%s", hk_querylib_problem(*out, i));
  return 0;
}

int
hk_cli_run_pipeline(hk_cli *cli, const char *text)
{
  return hk_cli_run_pipeline_sink(cli, text, NULL);
}

int
hk_cli_run_pipeline_sink(hk_cli *cli, const char *text, const hk_sink *sink)
{
  hk_pipeline *p = NULL;
  hk_querylib *queries = NULL;
  hk_parse_opts popts;
  hk_run_result res;
  hk_run_opts opts;
  hk_cli_out *out;
  hk_error err;
  int rc;

  memset(&opts, 0, sizeof opts);
  if ((rc = hk_cli_open(cli)) != 0)
    return rc;
  if ((rc = time_range(cli, &opts.start_us, &opts.end_us)) != 0)
    return rc;
  memset(&popts, 0, sizeof popts);
  popts.default_renderer = cli->output;
  popts.start_us = opts.start_us;
  popts.end_us = opts.end_us;
  popts.now_us = hk_services()->now_us();
  if (starts_with_query(text) && (rc = load_queries(cli, &queries)) != 0) {
    hk_querylib_free(queries);
    return rc;
  }
  popts.queries = queries;
  hk_error_clear(&err);
  rc = hk_pipeline_parse_ex(cli->registry, text, &popts, &p, &err);
  hk_querylib_free(queries);
  if (rc != HK_OK)
    return hk_cli_error(err.flags & HK_EF_USER ? HK_EXIT_USAGE : HK_EXIT_FAIL,
                        "%s", err.msg);
  out = malloc(sizeof *out);
  if (!out) {
    hk_pipeline_free(p);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  hk_cli_out_init(out);
  opts.sink = sink ? sink : &out->sink;
  opts.progress = hk_cli_progress_update;
  hk_cli_install_signals();
  hk_cli_progress_start();
  rc = hk_pipeline_run(p, &opts, &res, &err);
  hk_cli_progress_clear();
  hk_pipeline_free(p);

  if (!out->closed && !out->io_error)
    hk_cli_out_flush(out);
  if (out->closed || out->io_error) {
    rc = finish_output(cli, out, HK_EXIT_OK);
  } else if (res.canceled || hk_services_canceled()) {
    rc = hk_cli_error(HK_EXIT_INTERRUPTED,
                      "canceled (Ctrl-C) after %lld rows read%s",
                      (long long)res.rows_read,
                      rc == HK_OK ? "; the output covers those rows" : "");
  } else if (rc != HK_OK) {
    rc = finish_output(cli, out, hk_cli_error(HK_EXIT_FAIL, "%s", err.msg));
  } else {
    rc = finish_output(cli, out, HK_EXIT_OK);
  }
  free(out);
  return rc;
}

void
hk_cli_append_quoted(hk_buf *b, const char *v)
{
  if (!strchr(v, '\'')) {
    hk_buf_appendf(b, "'%s'", v);
    return;
  }
  hk_buf_append_char(b, '"');
  for (const char *c = v; *c; c++) {
    if (strchr("\"\\$`", *c))
      hk_buf_append_char(b, '\\');
    hk_buf_append_char(b, *c);
  }
  hk_buf_append_char(b, '"');
}

/* Join several words into one pipeline text, so that `huntkit run file
 * path=x.csv '|' count by Computer` works without outer quotes.  Free text
 * is joined as it is (the shell already removed its quotes, and a `where`
 * expression must not gain new ones); only the value of a key=value word
 * that holds blanks or quotes is quoted again. */
static char *
join_words(char **words, int n)
{
  hk_buf b = HK_BUF_INIT;
  for (int i = 0; i < n; i++) {
    const char *w = words[i], *eq = strchr(w, '=');
    size_t klen = eq ? (size_t)(eq - w) : 0;
    int is_kv = eq && klen > 0 && w[0] >= 'a' && w[0] <= 'z' &&
                strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_") == klen;
    if (i)
      hk_buf_append_char(&b, ' ');
    if (is_kv && (eq[1] == '\0' || strpbrk(eq + 1, " \t\n'\"|"))) {
      hk_buf_append(&b, w, klen + 1);
      hk_cli_append_quoted(&b, eq + 1);
    } else {
      hk_buf_append_str(&b, w);
    }
  }
  if (!b.data)
    hk_buf_append_str(&b, "");
  return hk_buf_detach(&b, NULL);
}

int
hk_cmd_run(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"from", "to", "strict", NULL};
  char **words, *text;
  int n, rc;

  if ((rc = hk_cli_parse_args(cli, "run", argc - 1, argv + 1, allowed, &words,
                              &n)) != 0)
    return rc;
  if (cli->help) {
    free(words);
    return hk_cli_print_help("run");
  }
  if (n == 0) {
    free(words);
    return hk_cli_usage_error("run", "give a pipeline, e.g. huntkit run 'file "
                                     "path=events.json | count by EventID'");
  }
  text = n == 1 ? strdup(words[0]) : join_words(words, n);
  free(words);
  if (!text)
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  rc = hk_cli_run_pipeline(cli, text);
  free(text);
  return rc;
}

int
hk_cli_render(hk_cli *cli, struct ArrowArrayStream *table)
{
  const char *renderer = cli->output ? cli->output : "table";
  hk_cli_out *out = malloc(sizeof *out);
  hk_error err;
  int rc;

  if (!out) {
    hk_stream_release(table);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  hk_cli_out_init(out);
  hk_error_clear(&err);
  rc = hk_render_stream(cli->registry, renderer, table, &out->sink, &err);
  if (rc != HK_OK && !out->closed)
    rc = hk_cli_error(err.flags & HK_EF_USER || err.code == HK_E_NOTFOUND
                          ? HK_EXIT_USAGE
                          : HK_EXIT_FAIL,
                      "%s", err.msg);
  else
    rc = HK_EXIT_OK;
  rc = finish_output(cli, out, rc);
  free(out);
  return rc;
}
