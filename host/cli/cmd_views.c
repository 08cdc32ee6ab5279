/*
 * host/cli/cmd_views.c -- `huntkit proctree` and `huntkit timeline`: a file
 * through the proctree analyzer (or straight) to a tree or timeline
 * renderer.  Each verb composes an ordinary pipeline text, with every
 * value quoted for the pipeline tokenizer, and runs it like `huntkit run`;
 * -v prints the pipeline so it can be rerun and changed.
 */
#define _GNU_SOURCE
#include "config.h"

#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const hk_cli_verb hk_cli_verbs_views[] = {
    {"proctree", "build and show process trees",
     "Usage: huntkit proctree [FILE|-] [--schema S] [QUERY] [-o FORMAT] "
     "[key=value ...]\n"
     "\n"
     "Builds process trees from process-creation events (Windows 4688,\n"
     "Sysmon 1, Defender DeviceProcessEvents, auditd, Velociraptor and\n"
     "Volatility process lists) and shows them.  Without FILE, or with -,\n"
     "the events are read from standard input.  The schema is inferred from\n"
     "the columns unless --schema names it.\n"
     "\n"
     "Queries (one at a time; K is a proc_key, or a pid that only one\n"
     "process has):\n"
     "  --roots             the processes without a parent\n"
     "  --children K        K and its children\n"
     "  --descendants K     K and everything below it\n"
     "  --ancestors K       K and its parents up to the root\n"
     "  --siblings K        K and the other children of its parent\n"
     "  --summary           one row: processes, roots, leaves, branches,\n"
     "                      isolated, depth, synthetic, hosts, skipped\n"
     "\n"
     "Options:\n"
     "  --schema S          auto, win4688, sysmon, mde, mde_internal, auditd,\n"
     "                      velociraptor or minimal\n"
     "  --infer-rows N      rows the file reader samples for columns and "
     "types\n"
     "                      (default: all of a JSON file, 1000 of CSV)\n"
     "  -o FORMAT           tree_text (default; table for --summary),\n"
     "                      tree_html (or html), dot, table, csv, json, "
     "ndjson\n"
     "  key=value           proctree options (host_column=, name_column=,\n"
     "                      pid_column=, ppid_column=, parent_name_column=,\n"
     "                      time_column=, include_process=) or options of the\n"
     "                      output format (tree_html color=, title=; "
     "tree_text\n"
     "                      width=; see `huntkit plugins inspect NAME`)\n"
     "  -v                  also print the pipeline that runs\n"
     "\n"
     "Examples:\n"
     "  huntkit proctree SecurityEvent.csv\n"
     "  huntkit proctree events.json --schema sysmon --summary\n"
     "  huntkit proctree events.csv --descendants 0x1610 -o csv\n"
     "  huntkit proctree events.csv -o html color=SubjectUserName > tree.html\n"
     "  zcat events.ndjson.gz | huntkit proctree - --roots\n"},
    {"timeline", "events on a time axis",
     "Usage: huntkit timeline [FILE|-] [--time-column C] [--group-by G]\n"
     "                        [--value V] [-o FORMAT] [key=value ...]\n"
     "\n"
     "Shows when events happened: on a terminal, events per time bucket per\n"
     "group as sparklines (timeline_text); as HTML, an interactive timeline\n"
     "with one lane per group, zoom (mouse wheel, buttons) and pan (drag),\n"
     "hover details and reference markers (timeline_html).  With --value,\n"
     "the HTML view draws that numeric column on a value axis instead.\n"
     "Without FILE, or with -, the events are read from standard input.\n"
     "\n"
     "Options:\n"
     "  --time-column C     time of each event (default: TimeGenerated,\n"
     "                      @timestamp, TimeCreated, ... or the first\n"
     "                      timestamp column)\n"
     "  --group-by G        one series per value of G\n"
     "  --value V           numeric column to draw (timeline_html)\n"
     "  --ref TIME:LABEL    a reference marker (repeatable; ISO-8601 TIME)\n"
     "  --bucket D          timeline_text bucket size: 30s, 5m, 1h, 1d "
     "(default:\n"
     "                      the smallest that fits the width)\n"
     "  --infer-rows N      rows the file reader samples (see proctree)\n"
     "  -o FORMAT           timeline_text (default; or text), timeline_html\n"
     "                      (or html)\n"
     "  key=value           options of the output format: details=A,B\n"
     "                      label=C kind=bar|line|point title=T (HTML);\n"
     "                      style=bars ascii=true width=N scale=all "
     "(text)\n"
     "  -v                  also print the pipeline that runs\n"
     "\n"
     "Examples:\n"
     "  huntkit timeline SecurityEvent.csv --group-by Computer\n"
     "  huntkit timeline flows.csv --group-by L7Protocol --bucket 1h\n"
     "  huntkit timeline events.csv --group-by Account -o html \\\n"
     "      --ref 2019-01-15T05:15:16Z:alert > timeline.html\n"
     "  huntkit timeline flows.csv --value TotalAllowedFlows --group-by "
     "L7Protocol \\\n"
     "      -o html kind=line > flows.html\n"},
    {NULL, NULL, NULL}};

/* " key='value'" */
static void
append_option(hk_buf *b, const char *key, const char *value)
{
  hk_buf_appendf(b, " %s=", key);
  hk_cli_append_quoted(b, value);
}

/* A `key=value` word (key in [a-z][a-z0-9_]*) that is not a file name. */
static int
is_key_value(const char *w)
{
  const char *eq = strchr(w, '=');
  struct stat st;
  if (!eq || eq == w || w[0] < 'a' || w[0] > 'z' ||
      strspn(w, "abcdefghijklmnopqrstuvwxyz0123456789_") != (size_t)(eq - w))
    return 0;
  return stat(w, &st) != 0;
}

/* Does long option `name` match argv[*i] ("--name V" or "--name=V")?
 * Sets *value (NULL for a flag); a missing value is a usage error
 * (returns -1 after printing it). */
static int
take_option(const char *verb, int argc, char **argv, int *i, const char *name,
            int wants_value, const char **value)
{
  const char *a = argv[*i];
  size_t n = strlen(name);
  *value = NULL;
  if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, name, n) != 0)
    return 0;
  if (a[2 + n] == '=' && wants_value) {
    *value = a + 3 + n;
    return 1;
  }
  if (a[2 + n] != '\0')
    return 0;
  if (!wants_value)
    return 1;
  if (*i + 1 >= argc) {
    hk_cli_usage_error(verb, "option --%s needs a value", name);
    return -1;
  }
  *value = argv[++*i];
  return 1;
}

/* The file stage: path (or - for stdin) and how many rows to sample.  A
 * JSON file's keys can first appear deep in the file (the OTRF datasets
 * mix event types), so a regular JSON file is sampled whole. */
static void
append_file_stage(hk_buf *b, const char *path, const char *infer_rows)
{
  hk_buf_append_str(b, "file");
  append_option(b, "path", path);
  if (infer_rows) {
    append_option(b, "infer_rows", infer_rows);
    return;
  }
  const char *dot = strrchr(path, '.');
  struct stat st;
  if (strcmp(path, "-") != 0 && dot && stat(path, &st) == 0 &&
      S_ISREG(st.st_mode) &&
      (strcmp(dot, ".json") == 0 || strcmp(dot, ".ndjson") == 0 ||
       strcmp(dot, ".jsonl") == 0))
    hk_buf_append_str(b, " infer_rows=0");
}

/* -o aliases: "html" and "text" mean this verb's views. */
static const char *
renderer_for(const char *output, const char *html, const char *text,
             const char *fallback)
{
  if (!output)
    return fallback;
  if (strcmp(output, "html") == 0)
    return html;
  if (strcmp(output, "text") == 0)
    return text;
  return output;
}

/* Split what follows the verb: our own options go through `own` (called
 * for each argv index; returns 1 when taken, 0 when not ours, -1 on a
 * usage error), the rest to the common parser; then FILE and key=value
 * words.  Returns 0 or an exit code. */
typedef int take_fn(void *ud, int argc, char **argv, int *i);

static int
split_args(hk_cli *cli, const char *verb, int argc, char **argv, take_fn *own,
           void *ud, const char **file, char ***kv, int *n_kv)
{
  static const char *const allowed[] = {"from", "to", "strict", NULL};
  char **rest = calloc((size_t)argc + 1, sizeof *rest);
  char **words = NULL;
  int n_rest = 0, n_words = 0, rc, only_words = 0;
  if (!rest)
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  for (int i = 1; i < argc; i++) {
    if (!only_words && strcmp(argv[i], "--") == 0)
      only_words = 1;
    if (!only_words && argv[i][0] == '-' && argv[i][1] == '-') {
      rc = own(ud, argc, argv, &i);
      if (rc < 0) {
        free(rest);
        return HK_EXIT_USAGE;
      }
      if (rc > 0)
        continue;
    }
    /* -o takes the next word: keep the pair together for the parser */
    if (!only_words && strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
      rest[n_rest++] = argv[i++];
    }
    rest[n_rest++] = argv[i];
  }
  rc = hk_cli_parse_args(cli, verb, n_rest, rest, allowed, &words, &n_words);
  free(rest);
  if (rc != 0)
    return rc;
  *kv = calloc((size_t)n_words + 1, sizeof **kv);
  *n_kv = 0;
  *file = NULL;
  if (!*kv) {
    free(words);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  for (int k = 0; k < n_words; k++) {
    if (is_key_value(words[k])) {
      (*kv)[(*n_kv)++] = words[k];
    } else if (!*file) {
      *file = words[k];
    } else {
      rc = hk_cli_usage_error(verb, "one input file at a time ('%s', '%s')",
                              *file, words[k]);
      free(words);
      free(*kv);
      *kv = NULL;
      return rc;
    }
  }
  free(words);
  if (!*file) {
    if (isatty(STDIN_FILENO)) {
      free(*kv);
      *kv = NULL;
      return hk_cli_usage_error(verb, "give a FILE, or events on standard "
                                      "input (FILE -)");
    }
    *file = "-";
  }
  return 0;
}

/* Run the composed pipeline; -v shows it first. */
static int
run_composed(hk_cli *cli, hk_buf *text)
{
  if (!text->data)
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  if (cli->verbosity > 0) {
    /* as a shell command: the text in '...', its own quotes as '\'' */
    fputs("huntkit: running: huntkit run '", stderr);
    for (const char *c = text->data; *c; c++)
      if (*c == '\'')
        fputs("'\\''", stderr);
      else
        fputc(*c, stderr);
    fputs("'\n", stderr);
  }
  cli->output = NULL; /* the renderer is in the text */
  int rc = hk_cli_run_pipeline(cli, text->data);
  hk_buf_free(text);
  return rc;
}

/* ------------------------------------------------------------ proctree */

typedef struct proctree_args {
  const char *schema, *infer_rows, *query, *process;
  int n_queries;
} proctree_args;

static int
proctree_take(void *ud, int argc, char **argv, int *i)
{
  proctree_args *a = ud;
  static const char *const with_key[] = {"children", "descendants", "ancestors",
                                         "siblings"};
  const char *v;
  int r;
  if ((r = take_option("proctree", argc, argv, i, "schema", 1, &v)) != 0) {
    a->schema = v;
    return r;
  }
  if ((r = take_option("proctree", argc, argv, i, "infer-rows", 1, &v)) != 0) {
    a->infer_rows = v;
    return r;
  }
  for (size_t k = 0; k < sizeof with_key / sizeof *with_key; k++)
    if ((r = take_option("proctree", argc, argv, i, with_key[k], 1, &v)) != 0) {
      a->query = with_key[k];
      a->process = v;
      a->n_queries++;
      return r;
    }
  if ((r = take_option("proctree", argc, argv, i, "roots", 0, &v)) != 0 ||
      (r = take_option("proctree", argc, argv, i, "summary", 0, &v)) != 0) {
    a->query = argv[*i] + 2;
    a->process = NULL;
    a->n_queries++;
    return r;
  }
  return 0;
}

/* key=value words that are proctree's own options, not the renderer's. */
static int
is_proctree_option(const char *kv)
{
  static const char *const names[] = {
      "schema",      "host_column",     "name_column",
      "pid_column",  "ppid_column",     "parent_name_column",
      "time_column", "include_process", NULL};
  size_t n = strcspn(kv, "=");
  for (int k = 0; names[k]; k++)
    if (strlen(names[k]) == n && strncmp(kv, names[k], n) == 0)
      return 1;
  return 0;
}

int
hk_cmd_proctree(hk_cli *cli, int argc, char **argv)
{
  proctree_args a = {0};
  const char *file;
  char **kv = NULL;
  int n_kv = 0;
  int rc = split_args(cli, "proctree", argc, argv, proctree_take, &a, &file,
                      &kv, &n_kv);
  if (rc != 0)
    return rc;
  if (cli->help) {
    free(kv);
    return hk_cli_print_help("proctree");
  }
  if (a.n_queries > 1) {
    free(kv);
    return hk_cli_usage_error("proctree",
                              "one query at a time (--roots, --children, "
                              "--descendants, --ancestors, --siblings, "
                              "--summary)");
  }
  int summary = a.query && strcmp(a.query, "summary") == 0;
  const char *renderer = renderer_for(cli->output, "tree_html", "tree_text",
                                      summary ? "table" : "tree_text");
  hk_buf text = HK_BUF_INIT;
  append_file_stage(&text, file, a.infer_rows);
  hk_buf_append_str(&text, " | proctree");
  if (a.schema)
    append_option(&text, "schema", a.schema);
  if (a.query)
    append_option(&text, "query", a.query);
  if (a.process)
    append_option(&text, "process", a.process);
  for (int k = 0; k < n_kv; k++)
    if (is_proctree_option(kv[k])) {
      hk_buf_appendf(&text, " %.*s=", (int)strcspn(kv[k], "="), kv[k]);
      hk_cli_append_quoted(&text, strchr(kv[k], '=') + 1);
    }
  hk_buf_append_str(&text, " | ");
  hk_buf_append_str(&text, renderer);
  for (int k = 0; k < n_kv; k++)
    if (!is_proctree_option(kv[k])) {
      hk_buf_appendf(&text, " %.*s=", (int)strcspn(kv[k], "="), kv[k]);
      hk_cli_append_quoted(&text, strchr(kv[k], '=') + 1);
    }
  free(kv);
  return run_composed(cli, &text);
}

/* ------------------------------------------------------------ timeline */

typedef struct timeline_args {
  const char *time_column, *group_by, *value, *bucket, *infer_rows;
  hk_buf refs; /* comma-separated ref= list */
} timeline_args;

static int
timeline_take(void *ud, int argc, char **argv, int *i)
{
  timeline_args *a = ud;
  const char *v;
  int r;
  static const struct {
    const char *name;
    size_t off;
  } opts[] = {{"time-column", offsetof(timeline_args, time_column)},
              {"group-by", offsetof(timeline_args, group_by)},
              {"value", offsetof(timeline_args, value)},
              {"bucket", offsetof(timeline_args, bucket)},
              {"infer-rows", offsetof(timeline_args, infer_rows)}};
  for (size_t k = 0; k < sizeof opts / sizeof *opts; k++)
    if ((r = take_option("timeline", argc, argv, i, opts[k].name, 1, &v)) !=
        0) {
      if (r > 0)
        *(const char **)(void *)((char *)a + opts[k].off) = v;
      return r;
    }
  if ((r = take_option("timeline", argc, argv, i, "ref", 1, &v)) != 0) {
    if (r > 0) {
      if (strchr(v, ',')) {
        hk_cli_usage_error("timeline", "--ref %s: a label cannot hold a comma",
                           v);
        return -1;
      }
      hk_buf_appendf(&a->refs, "%s%s", a->refs.len ? "," : "", v);
    }
    return r;
  }
  return 0;
}

int
hk_cmd_timeline(hk_cli *cli, int argc, char **argv)
{
  timeline_args a;
  const char *file;
  char **kv = NULL;
  int n_kv = 0;
  memset(&a, 0, sizeof a);
  int rc = split_args(cli, "timeline", argc, argv, timeline_take, &a, &file,
                      &kv, &n_kv);
  if (rc != 0) {
    hk_buf_free(&a.refs);
    return rc;
  }
  if (cli->help) {
    free(kv);
    hk_buf_free(&a.refs);
    return hk_cli_print_help("timeline");
  }
  const char *renderer = renderer_for(cli->output, "timeline_html",
                                      "timeline_text", "timeline_text");
  int html = strcmp(renderer, "timeline_html") == 0;
  int text_view = strcmp(renderer, "timeline_text") == 0;
  if (a.value && !html) {
    free(kv);
    hk_buf_free(&a.refs);
    return hk_cli_usage_error("timeline",
                              "--value draws values on the HTML timeline: "
                              "add -o html");
  }
  if (a.bucket && !text_view) {
    free(kv);
    hk_buf_free(&a.refs);
    return hk_cli_usage_error("timeline", "--bucket is for the text view "
                                          "(timeline_text)");
  }
  hk_buf text = HK_BUF_INIT;
  append_file_stage(&text, file, a.infer_rows);
  hk_buf_append_str(&text, " | ");
  hk_buf_append_str(&text, renderer);
  if (a.time_column)
    append_option(&text, "time_column", a.time_column);
  if (a.group_by)
    append_option(&text, "group_by", a.group_by);
  if (a.value)
    append_option(&text, "value_column", a.value);
  if (a.bucket)
    append_option(&text, "bucket", a.bucket);
  if (a.refs.len) {
    if (!html) {
      free(kv);
      hk_buf_free(&a.refs);
      hk_buf_free(&text);
      return hk_cli_usage_error("timeline", "--ref marks the HTML timeline: "
                                            "add -o html");
    }
    append_option(&text, "ref", a.refs.data);
  }
  for (int k = 0; k < n_kv; k++) {
    hk_buf_appendf(&text, " %.*s=", (int)strcspn(kv[k], "="), kv[k]);
    hk_cli_append_quoted(&text, strchr(kv[k], '=') + 1);
  }
  free(kv);
  hk_buf_free(&a.refs);
  return run_composed(cli, &text);
}
