/*
 * host/pipeline.h -- pipelines: `file path=x.json | where EventID == 4688 |
 * count by Computer | table`, parsed against the registry and run as a
 * chain of Arrow streams.
 *
 * Layers:
 *   hk_pipeline_split   text -> stages -> words (quotes, no registry)
 *   hk_pipeline_parse   words -> instances + validated options
 *   hk_pipeline_run     provider -> analyzers/enrichers -> renderer
 * and the stream wrappers the runner puts after every stage
 * (stream_check.c): validation of what a plugin returns, error capture,
 * cancellation, progress, and the enriching stream for enricher stages.
 */
#ifndef HK_HOST_PIPELINE_H
#define HK_HOST_PIPELINE_H

#include "core.h"

/* ---------------------------------------------------------------- split */

/* One word of a stage: shell-like, with '...' (literal) and "..." (where
 * \" \\ \$ \` are escapes) quoting; a backslash outside quotes is kept, so
 * Windows paths need no quoting. */
typedef struct hk_stage_word {
  char *text;   /* dequoted, NUL-terminated (owned) */
  size_t start; /* byte offset of the word in the pipeline text */
  size_t end;   /* one past its last byte */
} hk_stage_word;

typedef struct hk_stage_text {
  size_t start, end; /* the stage's trimmed text in the pipeline text */
  hk_stage_word *words;
  size_t n_words;
} hk_stage_text;

/* Split `src` on '|' outside quotes (`||` stays in the text: it is an
 * expression's "or") and tokenise each stage.  Errors
 * (HK_E_INVAL, flag HK_EF_USER): unterminated quote, empty stage, empty
 * pipeline. */
int hk_pipeline_split(const char *src, hk_stage_text **stages, size_t *n_stages,
                      hk_error *err);
void hk_pipeline_split_free(hk_stage_text *stages, size_t n_stages);

/* ---------------------------------------------------------------- parse */

typedef struct hk_pipeline hk_pipeline;

/* Enricher stages take two options of the host's besides the plugin's:
 * column=NAME (required: the column to look up) and prefix=TEXT (the
 * names of the added columns; default "<instance>_"). */
#define HK_ENRICH_COLUMN_OPTION "column"
#define HK_ENRICH_PREFIX_OPTION "prefix"

/*
 * Parse `src` and bind every stage to an instance of `r` (loading plugins
 * lazily).  When the last stage is not a renderer, `default_renderer`
 * ("table" when NULL) is appended.  Errors say "stage N (name): ..." and
 * carry HK_EF_USER when the pipeline text is at fault (unknown plugin,
 * kinds in the wrong order, unknown or missing options); errors creating
 * an instance keep the registry's code and message.
 */
int hk_pipeline_parse(hk_registry *r, const char *src,
                      const char *default_renderer, hk_pipeline **out,
                      hk_error *err);

struct hk_querylib;

/* Options of hk_pipeline_parse_ex. */
typedef struct hk_parse_opts {
  const char *default_renderer; /* NULL: "table" */
  /* The query library that a first stage `query NAME k=v ...` is
   * expanded from (borrowed; NULL: such a stage is refused).  The stage
   * becomes the query's provider stage (its options, query name, query
   * text and time window set from the expansion) and, for a file query
   * with a filter, a `where` stage; both are labelled "stage 1 (query
   * NAME)" in messages, the stages after keep their numbers. */
  const struct hk_querylib *queries;
  /* The run's time range and clock: the query's start/end parameters. */
  int64_t start_us, end_us, now_us;
} hk_parse_opts;

int hk_pipeline_parse_ex(hk_registry *r, const char *src,
                         const hk_parse_opts *opts, hk_pipeline **out,
                         hk_error *err);

void hk_pipeline_free(hk_pipeline *p);

size_t hk_pipeline_stage_count(const hk_pipeline *p);
/* The plugin or plugin:instance as written ("table" for the implicit
 * renderer).  Borrowed. */
const char *hk_pipeline_stage_name(const hk_pipeline *p, size_t i);
uint32_t hk_pipeline_stage_kind(const hk_pipeline *p, size_t i);
hk_instance *hk_pipeline_stage_instance(const hk_pipeline *p, size_t i);
/* The stage's validated options (the plugin's schema). Borrowed. */
const hk_config *hk_pipeline_stage_options(const hk_pipeline *p, size_t i);
/* 1 when the stage was appended because the text had no renderer. */
int hk_pipeline_stage_implicit(const hk_pipeline *p, size_t i);
/* Enricher stages: the column looked up and the column prefix. */
const char *hk_pipeline_stage_column(const hk_pipeline *p, size_t i);
const char *hk_pipeline_stage_prefix(const hk_pipeline *p, size_t i);

/* ------------------------------------------------------------------ run */

typedef struct hk_run_opts {
  int64_t start_us;   /* HK_TIME_MIN when open */
  int64_t end_us;     /* HK_TIME_MAX when open */
  int32_t batch_rows; /* provider hint; 0 means 8192 */
  const hk_sink *sink;
  /* Called after every provider batch with the rows read so far. */
  void (*progress)(void *ud, int64_t rows_read);
  void *progress_ud;
} hk_run_opts;

typedef struct hk_run_result {
  int64_t rows_read; /* rows the provider delivered */
  int canceled;      /* Ctrl-C stopped the provider; the rest finished */
  int failed_stage;  /* 1-based stage of the error, 0 when none */
} hk_run_result;

/* Run the pipeline once.  On failure the message is
 * "stage N (name): ..." for the stage where the error started. */
int hk_pipeline_run(hk_pipeline *p, const hk_run_opts *opts, hk_run_result *res,
                    hk_error *err);

/* Render a stream (transfer) with the renderer named `renderer` (no
 * options), e.g. the table behind `plugins list`. */
int hk_render_stream(hk_registry *r, const char *renderer,
                     struct ArrowArrayStream *in, const hk_sink *sink,
                     hk_error *err);

/* ------------------------------------------------------ stream wrappers */

/* Hooks shared by the wrappers of one run. */
typedef struct hk_stream_hooks {
  /* An error that started in this stage (the first call wins in the
   * runner: later stages only pass it on). */
  void (*on_error)(void *ud, int stage, const char *msg);
  /* Rows of a batch that passed the checks. */
  void (*on_rows)(void *ud, int stage, int64_t rows);
  void *ud;
} hk_stream_hooks;

/*
 * Wrap `inner` (moved: inner->release is NULL afterwards) so that every
 * schema and batch is validated (hk_table_validate_schema/_batch); a
 * failure becomes the error "plugin 'NAME' returned a malformed table:
 * ...".  `stage` (1-based) is passed to the hooks.  With
 * `stop_on_cancel`, the stream ends (no error) once the run is canceled,
 * so downstream stages finish with what was read.
 */
int hk_stream_check_wrap(struct ArrowArrayStream *inner, const char *plugin,
                         int stage, int stop_on_cancel,
                         const hk_stream_hooks *hooks,
                         struct ArrowArrayStream *out, hk_error *err);

/* What the enriching stream needs to know about its stage. */
typedef struct hk_enrich_spec {
  const hk_instance *inst;  /* the enricher (borrowed; outlives the stream) */
  const hk_config *options; /* its validated run options (borrowed) */
  const char *column;       /* column to look up (copied) */
  const char *prefix;       /* prefix of the added columns (copied) */
  const char *stage_label;  /* "stage 3 (iptype)" for messages (copied) */
  int stage;
} hk_enrich_spec;

/*
 * Wrap `inner` (moved) in a stream that adds one column per enricher
 * field (prefix + field name), then prefix + "status" (ok, no_data,
 * bad_format, not_supported, query_failed) and prefix + "summary", looked
 * up from the cells of
 * `spec->column`.  Fails when the column does not exist or a new column
 * name is already taken.  Lookup failures are logged as warnings (the run
 * becomes partial) and leave the fields null.
 */
int hk_enrich_stream_wrap(struct ArrowArrayStream *inner,
                          const hk_enrich_spec *spec,
                          const hk_stream_hooks *hooks,
                          struct ArrowArrayStream *out, hk_error *err);

#endif /* HK_HOST_PIPELINE_H */
