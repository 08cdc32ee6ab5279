/*
 * host/cli/cmd_queries.c -- `queries list|show` and `query NAME`: the
 * query library (host/querylib.h) from the command line.  Running a query
 * goes through the pipeline runner as a `query` stage, so `huntkit query
 * X` and `huntkit run 'query X | ...'` are the same thing.
 */
#define _GNU_SOURCE
#include "config.h"

#include "../querylib.h"
#include "../timeparse.h"
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef HK_ABS_TOP_SRCDIR
#define HK_ABS_TOP_SRCDIR NULL
#endif

const hk_cli_verb hk_cli_verbs_queries[] = {
    {"queries", "the query library",
     "Usage: huntkit queries list [--provider P] [--search REGEX] [-o "
     "FORMAT]\n"
     "       huntkit queries show NAME [-o json]\n"
     "\n"
     "The query library holds query templates in MSTICPy's YAML format\n"
     "(metadata, defaults, sources, typed parameters), read from the\n"
     "built-in queries/ directory and from the query_dirs of huntkit.yaml.\n"
     "A query is named PROVIDER.FAMILY.QUERY (e.g.\n"
     "file.WindowsSecurity.process_creation); PROVIDER.QUERY works when it\n"
     "is unique.  Run one with `huntkit query NAME`.\n"
     "\n"
     "  list    every query: name, provider, family, description, required\n"
     "          parameters and file\n"
     "  show    one query: description, parameters (type, default,\n"
     "          aliases), template and provider options\n"
     "\n"
     "Examples:\n"
     "  huntkit queries list --provider file\n"
     "  huntkit queries list --search 'logon|4624' -o json\n"
     "  huntkit queries show file.process_creation\n"},
    {"queries list", "list queries",
     "Usage: huntkit queries list [--provider P] [--search REGEX] [-o "
     "FORMAT]\n"
     "\n"
     "One row per query name: name, provider, family, description,\n"
     "required (the parameters without a default) and file (where it is\n"
     "defined, FILE:LINE).  --provider keeps one provider's queries;\n"
     "--search keeps those whose name, description, parameter names,\n"
     "`table` default or template match REGEX (PCRE2, ignoring case).\n"
     "Files that cannot be read are reported on stderr and skipped\n"
     "(--strict: exit 1).\n"
     "\n"
     "Examples:\n"
     "  huntkit queries list\n"
     "  huntkit queries list --provider loganalytics --search process\n"
     "  huntkit queries list -o json | jq -r '.[].name'\n"},
    {"queries show", "describe a query",
     "Usage: huntkit queries show NAME [-o json]\n"
     "\n"
     "Shows a query's description, provider and language, file, parameters\n"
     "(type, default or required, aliases, description), its template and\n"
     "its provider options.\n"
     "\n"
     "Examples:\n"
     "  huntkit queries show file.sysmon_lsass_access\n"
     "  huntkit queries show "
     "loganalytics.WindowsSecurity.list_host_processes -o json\n"},
    {"query", "run a query from the library",
     "Usage: huntkit query NAME [--param NAME=VALUE ...] [--from TIME] [--to "
     "TIME]\n"
     "                          [--print] [-o FORMAT] [--strict]\n"
     "\n"
     "Runs a query of the library (see `huntkit queries list`).  Values are\n"
     "checked against the parameter's type (str, int, float, datetime,\n"
     "list, bool) and written into the query as literals of its language\n"
     "(KQL, SPL, the file provider's `where`), quoted and escaped, so a\n"
     "value can never change the query.  --from/--to give the time range:\n"
     "the query's start/end parameters, or the provider's time window (file\n"
     "queries filter on their time column).  A file query runs as its\n"
     "reader (file, auditd, syslog) followed by a `where` stage.\n"
     "\n"
     "Options:\n"
     "  --param NAME=VALUE  a parameter (or one of its aliases); repeat\n"
     "  -p NAME=VALUE       the same\n"
     "  --from TIME         start of the time range (ISO-8601, epoch,\n"
     "                      now, -7d, -3h@h, ...; see `huntkit help run`)\n"
     "  --to TIME           end of the time range (exclusive)\n"
     "  --print             print the expanded query (for a file query the\n"
     "                      equivalent pipeline) instead of running it\n"
     "  -o FORMAT           table, csv, json, ndjson\n"
     "\n"
     "In a pipeline, a query is the first stage, with its parameters as\n"
     "NAME=VALUE words:\n"
     "  huntkit run 'query file.process_creation path=events.csv host=WS5 | "
     "count by NewProcessName'\n"
     "\n"
     "Examples:\n"
     "  huntkit query file.process_creation --param path=SecurityEvent.csv "
     "--param host=WORKSTATION5 --from -30d\n"
     "  huntkit query file.sysmon_lsass_access --param path=demo/"
     "lsass_dump.json\n"
     "  huntkit query loganalytics.WindowsSecurity.list_host_processes "
     "--param host_name=WS5 --from -1d --print\n"},
    {NULL, NULL, NULL}};

/* ------------------------------------------------------------ helpers */

/* The verbs' own options. */
typedef struct verb_opts {
  const char *provider;
  const char *search;
  bool print;
  hk_cli_list params; /* --param NAME=VALUE (a value may hold commas) */
} verb_opts;

/* Settings, then the library; unreadable files are warnings. */
static int
open_library(hk_cli *cli, hk_querylib **out)
{
  hk_querylib *lib;
  hk_error err;
  int rc;
  *out = NULL;
  if ((rc = hk_cli_open(cli)) != 0)
    return rc;
  if (!(lib = hk_querylib_new()))
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  hk_error_clear(&err);
  if (hk_querylib_load_standard(lib, &cli->settings, HK_ABS_TOP_SRCDIR, &err) !=
      HK_OK) {
    hk_querylib_free(lib);
    return hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  }
  for (size_t i = 0; i < hk_querylib_problem_count(lib); i++)
    hk_log_msg(NULL, HK_LOG_WARN, "%s", hk_querylib_problem(lib, i));
  *out = lib;
  return 0;
}

static int
strict_status(const hk_cli *cli, const hk_querylib *lib, int rc)
{
  if (rc == HK_EXIT_OK && cli->strict && hk_querylib_problem_count(lib))
    return hk_cli_error(HK_EXIT_FAIL, "%zu query file problem%s (--strict)",
                        hk_querylib_problem_count(lib),
                        hk_querylib_problem_count(lib) == 1 ? "" : "s");
  return rc;
}

static bool
is_time_param(const hk_qparam *p)
{
  return p->type == HK_QP_DATETIME &&
         (strcmp(p->name, "start") == 0 || strcmp(p->name, "end") == 0);
}

/* Parameters without a default, except start/end: the time range (or
 * MSTICPy's default window) gives those. */
static char *
required_params(const hk_qsource *s)
{
  hk_buf b = HK_BUF_INIT;
  for (size_t i = 0; i < s->n_params; i++)
    if (!s->params[i].has_default && !is_time_param(&s->params[i]))
      hk_buf_appendf(&b, "%s%s", b.len ? ", " : "", s->params[i].name);
  if (!b.data)
    hk_buf_append_str(&b, "");
  return hk_buf_detach(&b, NULL);
}

/* ---------------------------------------------------------------- list */

static int
append_row(hk_table_builder *tb, const char *const *cells, size_t n)
{
  int rc = HK_OK;
  for (size_t c = 0; c < n && rc >= 0; c++)
    rc = cells[c]
             ? hk_table_builder_append_utf8(tb, c, cells[c], strlen(cells[c]))
             : hk_table_builder_append_null(tb, c);
  return rc < 0 ? rc : HK_OK;
}

static int
cmd_list(hk_cli *cli, const verb_opts *vo, int n_words)
{
  static const char *const COLUMNS[] = {"name",        "provider", "family",
                                        "description", "required", "file"};
  enum { NCOL = sizeof COLUMNS / sizeof COLUMNS[0] };
  hk_querylib *lib;
  hk_table_builder *tb;
  struct ArrowSchema schema;
  struct ArrowArray batch;
  struct ArrowArrayStream stream;
  size_t *idx = NULL, n = 0;
  hk_error err;
  int rc;

  if (n_words > 2)
    return hk_cli_usage_error("queries list", "takes no arguments");
  if ((rc = open_library(cli, &lib)) != 0)
    return rc;
  hk_error_clear(&err);
  if (hk_querylib_search(lib, vo->provider, vo->search, &idx, &n, &err) !=
      HK_OK) {
    hk_querylib_free(lib);
    return err.flags & HK_EF_USER
               ? hk_cli_usage_error("queries list", "%s", err.msg)
               : hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  }
  tb = hk_table_builder_new();
  rc = tb ? HK_OK : HK_E_NOMEM;
  for (size_t c = 0; c < NCOL && rc == HK_OK; c++)
    if (hk_table_builder_add_column(tb, COLUMNS[c], HK_COL_UTF8) < 0)
      rc = HK_E_NOMEM;
  for (size_t i = 0; i < n && rc == HK_OK; i++) {
    const hk_qentry *e = hk_querylib_at(lib, idx[i]);
    char *req = required_params(e->src), *where = NULL;
    if (!req || asprintf(&where, "%s:%d", e->src->file, e->src->line) < 0) {
      free(req);
      rc = HK_E_NOMEM;
      break;
    }
    const char *cells[NCOL] = {
        e->name, e->provider, e->family, e->src->description, req, where};
    rc = append_row(tb, cells, NCOL);
    free(req);
    free(where);
  }
  free(idx);
  if (rc != HK_OK) {
    hk_table_builder_free(tb);
    hk_querylib_free(lib);
    return hk_cli_error(HK_EXIT_FAIL, "cannot build the table: out of memory");
  }
  rc = hk_table_builder_export_schema(tb, &schema, &err);
  if (rc == HK_OK) {
    rc = hk_table_builder_finish_batch(tb, &batch, &err);
    if (rc == HK_OK)
      rc = hk_stream_init_batches(&stream, &schema, &batch, 1, &err);
    else
      hk_schema_release(&schema);
  }
  hk_table_builder_free(tb);
  if (rc != HK_OK) {
    hk_querylib_free(lib);
    return hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  }
  rc = hk_cli_render(cli, &stream);
  rc = strict_status(cli, lib, rc);
  hk_querylib_free(lib);
  return rc;
}

/* ---------------------------------------------------------------- show */

static void
json_str(hk_buf *b, const char *s)
{
  if (s)
    hk_buf_append_json_string(b, s, strlen(s));
  else
    hk_buf_append_str(b, "null");
}

static void
show_json(const hk_qentry *e, hk_buf *b)
{
  const hk_qsource *s = e->src;
  hk_buf_append_str(b, "{\"name\":");
  json_str(b, e->name);
  hk_buf_append_str(b, ",\"provider\":");
  json_str(b, e->provider);
  hk_buf_append_str(b, ",\"family\":");
  json_str(b, e->family);
  hk_buf_append_str(b, ",\"query\":");
  json_str(b, s->query);
  hk_buf_append_str(b, ",\"environment\":");
  json_str(b, e->environment);
  hk_buf_append_str(b, ",\"language\":");
  json_str(b, hk_qlang_name(e->language));
  hk_buf_append_str(b, ",\"description\":");
  json_str(b, s->description);
  hk_buf_appendf(b, ",\"file\":");
  json_str(b, s->file);
  hk_buf_appendf(b, ",\"line\":%d,\"replaces\":", s->line);
  json_str(b, e->replaced);
  hk_buf_append_str(b, ",\"reader\":");
  json_str(b, e->language == HK_QL_WHERE ? (s->reader ? s->reader : "file")
                                         : NULL);
  hk_buf_append_str(b, ",\"parameters\":[");
  for (size_t i = 0; i < s->n_params; i++) {
    const hk_qparam *p = &s->params[i];
    hk_buf_append_str(b, i ? ",{\"name\":" : "{\"name\":");
    json_str(b, p->name);
    hk_buf_append_str(b, ",\"type\":");
    json_str(b, hk_qparam_type_name(p->type));
    hk_buf_appendf(
        b, ",\"required\":%s,\"default\":", p->has_default ? "false" : "true");
    if (p->default_is_list) {
      hk_buf_append_char(b, '[');
      for (size_t k = 0; k < p->n_default_items; k++) {
        if (k)
          hk_buf_append_char(b, ',');
        json_str(b, p->default_items[k]);
      }
      hk_buf_append_char(b, ']');
    } else
      json_str(b, p->has_default ? p->default_text : NULL);
    hk_buf_append_str(b, ",\"aliases\":[");
    for (size_t k = 0; k < p->n_aliases; k++) {
      if (k)
        hk_buf_append_char(b, ',');
      json_str(b, p->aliases[k]);
    }
    hk_buf_append_str(b, "],\"description\":");
    json_str(b, p->description);
    hk_buf_append_char(b, '}');
  }
  hk_buf_append_str(b, "],\"template\":");
  json_str(b, s->template);
  hk_buf_append_str(b, ",\"options\":{");
  for (size_t i = 0; i < s->n_args; i++) {
    if (i)
      hk_buf_append_char(b, ',');
    json_str(b, s->arg_keys[i]);
    hk_buf_append_char(b, ':');
    json_str(b, s->arg_values[i]);
  }
  hk_buf_append_str(b, "},\"tags\":[");
  for (size_t k = 0; k < s->n_tags; k++) {
    if (k)
      hk_buf_append_char(b, ',');
    json_str(b, s->tags[k]);
  }
  hk_buf_append_str(b, "]}\n");
}

/* Indent every line of `text` by `ind`. */
static void
append_indented(hk_buf *b, const char *text, const char *ind)
{
  const char *p = text;
  while (*p == ' ' || *p == '\t')
    p++;
  while (*p) {
    const char *nl = strchr(p, '\n');
    size_t len = nl ? (size_t)(nl - p) : strlen(p);
    hk_buf_appendf(b, "%s%.*s\n", ind, (int)len, p);
    p += len + (nl ? 1 : 0);
  }
}

static void
show_text(const hk_qentry *e, hk_buf *b)
{
  const hk_qsource *s = e->src;
  hk_buf_appendf(b, "%s\n", e->name);
  if (s->description)
    hk_buf_appendf(b, "  %s\n", s->description);
  hk_buf_append_char(b, '\n');
  hk_buf_appendf(b, "  provider:  %s (%s; data environment %s)\n", e->provider,
                 hk_qlang_name(e->language), e->environment);
  if (e->language == HK_QL_WHERE)
    hk_buf_appendf(b, "  reader:    %s, then `where` with the filter\n",
                   s->reader ? s->reader : "file");
  hk_buf_appendf(b, "  family:    %s\n", e->family);
  hk_buf_appendf(b, "  file:      %s:%d\n", s->file, s->line);
  if (e->replaced)
    hk_buf_appendf(b, "  replaces:  %s\n", e->replaced);
  if (s->n_tags) {
    hk_buf_append_str(b, "  tags:      ");
    for (size_t k = 0; k < s->n_tags; k++)
      hk_buf_appendf(b, "%s%s", k ? ", " : "", s->tags[k]);
    hk_buf_append_char(b, '\n');
  }
  hk_buf_append_str(b, "\nParameters:\n");
  if (!s->n_params)
    hk_buf_append_str(b, "  (none)\n");
  for (size_t i = 0; i < s->n_params; i++) {
    const hk_qparam *p = &s->params[i];
    hk_buf_appendf(b, "  %-18s %-8s ", p->name, hk_qparam_type_name(p->type));
    if (is_time_param(p) && !p->has_default)
      hk_buf_appendf(b, "--%s (default: %s now)",
                     strcmp(p->name, "start") == 0 ? "from" : "to",
                     strcmp(p->name, "start") == 0 ? "1 day before"
                                                   : "1 day after");
    else if (!p->has_default)
      hk_buf_append_str(b, "required");
    else if (p->default_is_list) {
      hk_buf_append_str(b, "default [");
      for (size_t k = 0; k < p->n_default_items; k++)
        hk_buf_appendf(b, "%s%s", k ? ", " : "", p->default_items[k]);
      hk_buf_append_char(b, ']');
    } else
      hk_buf_appendf(b, "default '%s'", p->default_text);
    hk_buf_append_char(b, '\n');
    if (p->description)
      hk_buf_appendf(b, "      %s\n", p->description);
    if (p->n_aliases) {
      hk_buf_append_str(b, "      aliases: ");
      for (size_t k = 0; k < p->n_aliases; k++)
        hk_buf_appendf(b, "%s%s", k ? ", " : "", p->aliases[k]);
      hk_buf_append_char(b, '\n');
    }
  }
  hk_buf_appendf(b, "\n%s:\n",
                 e->language == HK_QL_WHERE ? "Filter (where)" : "Template");
  append_indented(b, s->template, "  ");
  if (s->n_args) {
    hk_buf_append_str(b, "\nProvider options:\n");
    for (size_t i = 0; i < s->n_args; i++)
      hk_buf_appendf(b, "  %s: %s\n", s->arg_keys[i], s->arg_values[i]);
  }
}

static int
write_stdout(const hk_buf *b)
{
  if (b->len && fwrite(b->data, 1, b->len, stdout) != b->len)
    return hk_cli_error(HK_EXIT_FAIL, "cannot write to standard output");
  if (fflush(stdout) != 0)
    return HK_EXIT_FAIL;
  return HK_EXIT_OK;
}

static int
cmd_show(hk_cli *cli, char **words, int n_words)
{
  hk_querylib *lib;
  const hk_qentry *e;
  hk_buf b = HK_BUF_INIT;
  hk_error err;
  int rc;
  if (n_words != 3)
    return hk_cli_usage_error("queries show",
                              n_words < 3 ? "give a query name, e.g. `huntkit "
                                            "queries show "
                                            "file.process_creation`"
                                          : "takes one query name");
  if (cli->output && strcmp(cli->output, "json") != 0)
    return hk_cli_usage_error(
        "queries show", "-o %s does not apply (text or -o json)", cli->output);
  if ((rc = open_library(cli, &lib)) != 0)
    return rc;
  hk_error_clear(&err);
  if (!(e = hk_querylib_find(lib, words[2], &err))) {
    hk_querylib_free(lib);
    return hk_cli_error(HK_EXIT_USAGE, "%s", err.msg);
  }
  if (cli->output)
    show_json(e, &b);
  else
    show_text(e, &b);
  rc = write_stdout(&b);
  hk_buf_free(&b);
  rc = strict_status(cli, lib, rc);
  hk_querylib_free(lib);
  return rc;
}

int
hk_cmd_queries(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"strict", NULL};
  verb_opts vo = {0};
  const hk_cli_opt opts[] = {{"provider", 0, HK_CLI_VALUE, &vo.provider, false},
                             {"search", 0, HK_CLI_VALUE, &vo.search, false},
                             {NULL, 0, 0, NULL, false}};
  char **words = NULL;
  int n = 0, rc;

  rc = hk_cli_parse_verb_args(cli, "queries", argc - 1, argv + 1, allowed, opts,
                              &words, &n);
  if (rc != 0)
    goto out;
  if (cli->help) {
    rc = hk_cli_print_help(
        n >= 1 && strcmp(words[0], "list") == 0   ? "queries list"
        : n >= 1 && strcmp(words[0], "show") == 0 ? "queries show"
                                                  : "queries");
    goto out;
  }
  {
    /* words[] without the verb: shift so words[1] is the sub-verb. */
    char *all[64];
    int m = 0;
    all[m++] = argv[0];
    for (int i = 0; i < n && m < 63; i++)
      all[m++] = words[i];
    if (n == 0)
      rc = hk_cli_usage_error("queries", "give a subcommand: list or show");
    else if (strcmp(words[0], "list") == 0)
      rc = cmd_list(cli, &vo, m);
    else if (strcmp(words[0], "show") == 0) {
      if (vo.provider || vo.search)
        rc = hk_cli_usage_error("queries show",
                                "--provider and --search apply to list");
      else
        rc = cmd_show(cli, all, m);
    } else
      rc = hk_cli_usage_error(
          "queries", "unknown subcommand '%s' (list or show)", words[0]);
  }
out:
  free(words);
  return rc;
}

/* --------------------------------------------------------------- query */

static int
parse_range(const hk_cli *cli, int64_t now, int64_t *start, int64_t *end)
{
  hk_error err;
  *start = HK_TIME_MIN;
  *end = HK_TIME_MAX;
  hk_error_clear(&err);
  if (cli->from && hk_time_parse(cli->from, now, start, &err) != HK_OK)
    return hk_cli_usage_error("query", "--from: %s", err.msg);
  if (cli->to && hk_time_parse(cli->to, now, end, &err) != HK_OK)
    return hk_cli_usage_error("query", "--to: %s", err.msg);
  if (cli->from && cli->to && *start >= *end)
    return hk_cli_usage_error("query", "--from %s is not before --to %s",
                              cli->from, cli->to);
  return 0;
}

/* --print: the query text, or for a file query the pipeline it runs. */
static int
print_query(hk_cli *cli, const char *name, const verb_opts *vo)
{
  hk_querylib *lib;
  const hk_qentry *e;
  const char **keys = NULL, **values = NULL;
  char **owned = NULL;
  hk_qargs qa = {0};
  hk_qplan plan;
  hk_buf b = HK_BUF_INIT;
  hk_error err;
  int rc;

  memset(&plan, 0, sizeof plan);
  qa.now_us = hk_services()->now_us();
  if ((rc = parse_range(cli, qa.now_us, &qa.start_us, &qa.end_us)) != 0)
    return rc;
  if ((rc = open_library(cli, &lib)) != 0)
    return rc;
  hk_error_clear(&err);
  if (!(e = hk_querylib_find(lib, name, &err))) {
    rc = hk_cli_error(HK_EXIT_USAGE, "%s", err.msg);
    goto out;
  }
  keys = calloc(vo->params.n + 1, sizeof *keys);
  values = calloc(vo->params.n + 1, sizeof *values);
  owned = calloc(vo->params.n + 1, sizeof *owned);
  if (!keys || !values || !owned) {
    rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
    goto out;
  }
  for (size_t i = 0; i < vo->params.n; i++) {
    const char *eq = strchr(vo->params.items[i], '=');
    if (!eq || eq == vo->params.items[i]) {
      rc = hk_cli_usage_error("query", "--param takes NAME=VALUE, got '%s'",
                              vo->params.items[i]);
      goto out;
    }
    if (!(owned[i] = strndup(vo->params.items[i],
                             (size_t)(eq - vo->params.items[i])))) {
      rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
      goto out;
    }
    keys[i] = owned[i];
    values[i] = eq + 1;
  }
  qa.keys = keys;
  qa.values = values;
  qa.n = vo->params.n;
  if (hk_query_expand(e, &qa, &plan, &err) != HK_OK) {
    rc = hk_cli_error(err.flags & HK_EF_USER ? HK_EXIT_USAGE : HK_EXIT_FAIL,
                      "%s", err.msg);
    goto out;
  }
  if (plan.file_query) {
    hk_buf_append_str(&b, plan.provider);
    for (size_t i = 0; i < plan.n_opts; i++) {
      char *kv;
      if (asprintf(&kv, "%s=%s", plan.opt_keys[i], plan.opt_values[i]) < 0) {
        rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
        goto out;
      }
      hk_buf_append_char(&b, ' ');
      if (strpbrk(kv, " \t\n'\"|$`\\"))
        hk_cli_append_quoted(&b, kv);
      else
        hk_buf_append_str(&b, kv);
      free(kv);
    }
    if (plan.text && *plan.text)
      hk_buf_appendf(&b, " | where %s", plan.text);
    hk_buf_append_char(&b, '\n');
  } else {
    hk_buf_appendf(&b, "%s\n", plan.text);
  }
  rc = write_stdout(&b);
out:
  hk_buf_free(&b);
  hk_qplan_clear(&plan);
  for (size_t i = 0; owned && i < vo->params.n; i++)
    free(owned[i]);
  free(owned);
  free(keys);
  free(values);
  hk_querylib_free(lib);
  return rc;
}

int
hk_cmd_query(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"from", "to", "strict", NULL};
  verb_opts vo = {0};
  const hk_cli_opt opts[] = {{"param", 'p', HK_CLI_LIST, &vo.params, true},
                             {"print", 0, HK_CLI_FLAG, &vo.print, false},
                             {NULL, 0, 0, NULL, false}};
  char **words = NULL;
  int n = 0, rc;
  hk_buf text = HK_BUF_INIT;

  rc = hk_cli_parse_verb_args(cli, "query", argc - 1, argv + 1, allowed, opts,
                              &words, &n);
  if (rc != 0)
    goto out;
  if (cli->help) {
    rc = hk_cli_print_help("query");
    goto out;
  }
  if (n == 0) {
    rc = hk_cli_usage_error("query", "give a query name, e.g. huntkit query "
                                     "file.process_creation --param "
                                     "path=events.csv");
    goto out;
  }
  if (n > 1) {
    rc = hk_cli_usage_error("query",
                            "unexpected '%s': parameters are given as --param "
                            "NAME=VALUE",
                            words[1]);
    goto out;
  }
  for (size_t i = 0; i < vo.params.n; i++) {
    const char *eq = strchr(vo.params.items[i], '=');
    if (!eq || eq == vo.params.items[i]) {
      rc = hk_cli_usage_error("query", "--param takes NAME=VALUE, got '%s'",
                              vo.params.items[i]);
      goto out;
    }
  }
  if (vo.print) {
    rc = print_query(cli, words[0], &vo);
    goto out;
  }
  /* Run it as a one-stage pipeline: `query NAME 'k=v' ...`. */
  hk_buf_append_str(&text, "query ");
  hk_cli_append_quoted(&text, words[0]);
  for (size_t i = 0; i < vo.params.n; i++) {
    hk_buf_append_char(&text, ' ');
    hk_cli_append_quoted(&text, vo.params.items[i]);
  }
  if (!text.data) {
    rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
    goto out;
  }
  rc = hk_cli_run_pipeline(cli, text.data);
out:
  hk_buf_free(&text);
  free(words);
  hk_cli_list_free(&vo.params);
  return rc;
}
