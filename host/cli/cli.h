/*
 * host/cli/cli.h -- shared state and helpers of the huntkit verbs.
 *
 * Exit codes: 0 success (also a partial result without --strict, and a
 * reader that closed the pipe early), 1 failure, 2 usage error, 130
 * interrupted before anything finished.
 */
#ifndef HK_CLI_H
#define HK_CLI_H

#include "../core.h"
#include "../pipeline.h"

#include <stdbool.h>

#define HK_EXIT_OK 0
#define HK_EXIT_FAIL 1
#define HK_EXIT_USAGE 2
#define HK_EXIT_INTERRUPTED 130

typedef struct hk_cli {
  const char *config_path; /* --config */
  int verbosity;           /* -q: -1, default 0, -v 1, -vv 2 */
  bool verbosity_set;
  const char *output; /* -o FORMAT, NULL when not given */
  bool strict;        /* --strict: a partial result fails */
  int cache_mode;     /* --no-cache, --refresh: enum hk_cache_mode */
  const char *from, *to;
  bool help; /* --help after the verb */
  hk_settings settings;
  bool settings_loaded;
  hk_registry *registry;
} hk_cli;

/* One verb. `argv[0]` is the verb's last word ("list" for `plugins
 * list`); options were already taken out by the common parser. */
typedef struct hk_cli_verb {
  const char *name;
  const char *summary;
  const char *usage; /* full --help text, with at least one example */
} hk_cli_verb;

/* Parse the options that may follow a verb (global ones too: -o, -v, -q,
 * --config, --strict, --from, --to, --help) and leave the positional
 * words in `words` (borrowed from argv).  `allowed` lists the verb's own
 * long options without dashes ("from", "to", "strict"), NULL for none.
 * Returns 0, or HK_EXIT_USAGE after printing the reason. */
int hk_cli_parse_args(hk_cli *cli, const char *verb, int argc, char **argv,
                      const char *const *allowed, char ***words, int *n_words);

/* A verb's own options, for hk_cli_parse_verb_args. */
enum hk_cli_opt_kind {
  HK_CLI_FLAG = 0,  /* --name: dst is bool*, set to true */
  HK_CLI_VALUE = 1, /* --name V or --name=V: dst is const char** (borrowed
                       from argv); given twice: the last wins */
  HK_CLI_LIST = 2   /* repeatable --name V; "a,b" is two items too unless
                       the option is `keep_commas`: dst is hk_cli_list* */
};
typedef struct hk_cli_list {
  const char **items; /* borrowed strings; array owned (hk_cli_list_free) */
  size_t n;
} hk_cli_list;
typedef struct hk_cli_opt {
  const char *name; /* long name without dashes ("types") */
  char short_name;  /* 't' for -t, or 0 */
  int kind;         /* enum hk_cli_opt_kind */
  void *dst;
  bool keep_commas; /* HK_CLI_LIST: a value with commas is one item */
} hk_cli_opt;
void hk_cli_list_free(hk_cli_list *l);

/* hk_cli_parse_args plus the verb's own options `opts` (array ended by a
 * NULL name).  A comma-split HK_CLI_LIST value is copied into storage the
 * list owns.  Unknown options are usage errors naming the verb. */
int hk_cli_parse_verb_args(hk_cli *cli, const char *verb, int argc, char **argv,
                           const char *const *allowed, const hk_cli_opt *opts,
                           char ***words, int *n_words);

/* Append `v` to a pipeline text as one word, quoted for the pipeline
 * tokenizer (single quotes, or double quotes with \ escapes when `v` holds
 * a single quote). */
void hk_cli_append_quoted(hk_buf *b, const char *v);

/* Load settings (once) and apply the log level; then make the registry.
 * Returns 0 or an exit code after printing the reason. */
int hk_cli_open(hk_cli *cli);

/* -v/-q (else the config's log_level, else warn) to the logger. */
void hk_cli_apply_log_level(const hk_cli *cli);

/* "huntkit: <fmt>" on stderr; returns `code`. */
int hk_cli_error(int code, const char *fmt, ...) HK_PRINTF(2, 3);
/* "huntkit VERB: <fmt>\nTry 'huntkit help VERB'." on stderr; returns 2. */
int hk_cli_usage_error(const char *verb, const char *fmt, ...) HK_PRINTF(2, 3);
/* Print a verb's --help text to stdout; returns 0. */
int hk_cli_print_help(const char *verb);

/* ------------------------------------------------------------- stdout */

/* The stdout sink: buffered writes straight to fd 1; EPIPE (the reader
 * went away, e.g. `| head`) marks it closed and every write after that
 * fails with HK_E_IO so renderers stop. */
typedef struct hk_cli_out {
  hk_sink sink;
  char buf[65536];
  size_t len;
  bool closed;
  bool io_error;
  int saved_errno;
} hk_cli_out;

void hk_cli_out_init(hk_cli_out *o);
int hk_cli_out_flush(hk_cli_out *o);

/* Render a finished table (transfer) to stdout with the -o renderer (or
 * `table`).  Returns an exit code. */
int hk_cli_render(hk_cli *cli, struct ArrowArrayStream *table);

/* ---------------------------------------------------------- progress */

/* On a terminal stderr, a "N rows read" line refreshed every ~0.5 s after
 * the first 0.5 s; nothing otherwise.  Cleared before stdout output. */
void hk_cli_progress_start(void);
void hk_cli_progress_update(void *ud, int64_t rows_read);
void hk_cli_progress_clear(void);

/* Ctrl-C: the first cancels the run (what finished is kept), the second
 * exits at once. */
void hk_cli_install_signals(void);

/* ------------------------------------------------------------- verbs */

int hk_cmd_plugins(hk_cli *cli, int argc, char **argv);
int hk_cmd_run(hk_cli *cli, int argc, char **argv);
int hk_cmd_demo(hk_cli *cli, int argc, char **argv);

/* Verbs in their own files, each with its help entries (NULL-terminated;
 * "queries", "queries list", ...) found by `huntkit help VERB [SUB]`. */
int hk_cmd_queries(hk_cli *cli, int argc, char **argv); /* cmd_queries.c */
int hk_cmd_query(hk_cli *cli, int argc, char **argv);   /* cmd_queries.c */
extern const hk_cli_verb hk_cli_verbs_queries[];
int hk_cmd_ioc(hk_cli *cli, int argc, char **argv);    /* cmd_ioc.c */
int hk_cmd_unpack(hk_cli *cli, int argc, char **argv); /* cmd_ioc.c */
int hk_cmd_mask(hk_cli *cli, int argc, char **argv);   /* cmd_ioc.c */
extern const hk_cli_verb hk_cli_verbs_ioc[];
int hk_cmd_ti(hk_cli *cli, int argc, char **argv);    /* cmd_ti.c */
int hk_cmd_geoip(hk_cli *cli, int argc, char **argv); /* cmd_ti.c */
extern const hk_cli_verb hk_cli_verbs_ti[];
int hk_cmd_proctree(hk_cli *cli, int argc, char **argv); /* cmd_views.c */
int hk_cmd_timeline(hk_cli *cli, int argc, char **argv); /* cmd_views.c */
extern const hk_cli_verb hk_cli_verbs_views[];

/* Run one pipeline text to stdout, with the run's options from `cli`,
 * reporting errors, warnings and cancellation.  Returns an exit code. */
int hk_cli_run_pipeline(hk_cli *cli, const char *text);
/* The same with the renderer writing to `sink` (borrowed) instead of
 * stdout, for verbs that post-process what a pipeline produced; NULL is
 * stdout. */
int hk_cli_run_pipeline_sink(hk_cli *cli, const char *text,
                             const hk_sink *sink);

#endif /* HK_CLI_H */
