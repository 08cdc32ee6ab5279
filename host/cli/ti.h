/*
 * host/cli/ti.h -- what `ti lookup` (cmd_ti.c) and `geoip` (cmd_geoip.c)
 * share (ti_common.c): their own options, the IoC list from words and
 * --file, table helpers and the exit status.
 */
#ifndef HK_CLI_TI_H
#define HK_CLI_TI_H

#include "cli.h"

typedef struct hk_ti_opts {
  const char *file;
  const char *type;
  const char *providers;
  const char **dbs;
  size_t n_dbs;
  bool summary;
} hk_ti_opts;

/* Take the verb's own long options (`names`: "file", "type",
 * "providers", "summary", "db") out of argv; the rest is left for
 * hk_cli_parse_args.  Returns 0 or an exit code.  o->dbs is malloc'd. */
int hk_ti_take_opts(const char *verb, int *argc, char **argv,
                    const char *const *names, hk_ti_opts *o);

typedef struct hk_ti_ioc {
  char *value;
  const char *type; /* static string, or NULL: unknown */
} hk_ti_ioc;

typedef struct hk_ti_iocs {
  hk_ti_ioc *v;
  size_t n, cap;
} hk_ti_iocs;

void hk_ti_iocs_free(hk_ti_iocs *l);
/* The IoCs of the words and of o->file, each once (same value and
 * type); `type` NULL: detected.  Returns 0 or an exit code (usage error
 * when there are none). */
int hk_ti_gather(const char *verb, const hk_ti_opts *o, char **words,
                 int n_words, const char *type, hk_ti_iocs *iocs);

/* An enricher's run options at their schema's defaults (what a pipeline
 * stage would give as key=value words); NULL with the reason in `why`
 * when one is required. */
hk_config *hk_ti_default_options(const hk_plugin_desc *desc, const char *origin,
                                 char *why, size_t cap);

/* hk_lookup_opts.progress: the CLI's progress line. */
void hk_ti_progress(void *ud, size_t done, size_t total);

/* Append text or, for NULL, a null. */
int hk_ti_put_text(hk_table_builder *b, size_t col, const char *s);
/* Finish the builder into a one-batch stream (transfer); 0 or an exit
 * code. */
int hk_ti_stream(hk_table_builder *b, struct ArrowArrayStream *out);

/* Exit status after the table was rendered: the renderer's failure, 130
 * after Ctrl-C, 1 with --strict when a lookup failed, else 0.  Prints the
 * count of failed lookups. */
int hk_ti_finish(hk_cli *cli, int render_rc, bool canceled, size_t done,
                 size_t total, size_t failed, const char *what);

/* --help text of `geoip` (cmd_geoip.c), in cmd_ti.c's help entries. */
extern const char hk_ti_geoip_help[];

#endif /* HK_CLI_TI_H */
