/*
 * plugins/tableops/tableops.h -- what the files of the tableops plugin
 * share: the host pointer, the five descriptors, the lexer used by every
 * stage's free text, the compiled `where` expression and table helpers.
 *
 * Everything declared here is internal to tableops.so: the plugin is built
 * with -fvisibility=hidden, so these names never leave the .so.
 */
#ifndef HK_PLUGIN_TABLEOPS_H
#define HK_PLUGIN_TABLEOPS_H

#include <huntkit/huntkit.h>
#include <stdbool.h>

/* --------------------------------------------------------------- plugin */

/* Saved by the entry function; every analyzer reads its options through
 * it. */
extern const hk_host *tableops_host;

extern const hk_plugin_desc tableops_where_desc;
extern const hk_plugin_desc tableops_select_desc;
extern const hk_plugin_desc tableops_sort_desc;
extern const hk_plugin_desc tableops_head_desc;
extern const hk_plugin_desc tableops_count_desc;

/* Per-instance state of every tableops analyzer: the instance handle, so
 * long drains can poll for Ctrl-C. */
typedef struct tableops_state {
  const hk_instance *inst;
} tableops_state;

int tableops_state_create(const hk_instance *inst, const hk_config *cfg,
                          void **state, hk_error *err);
void tableops_state_destroy(void *state);
/* 1 when the user canceled the run (state may be NULL). */
int tableops_canceled(const void *state);

/* Rows per output batch for the stages that build their own (sort, count). */
#define TABLEOPS_BATCH_ROWS 8192

/* ---------------------------------------------------------------- lexer */

enum tableops_tok_kind {
  TT_END = 0,
  TT_IDENT,  /* bare word: column name or keyword; text = the word */
  TT_QIDENT, /* `quoted` or [bracketed] column name; text = the name */
  TT_INT,    /* i */
  TT_FLOAT,  /* f */
  TT_STRING, /* "..", '..', @".." verbatim; text = decoded bytes */
  TT_LPAREN,
  TT_RPAREN,
  TT_COMMA,
  TT_MINUS,
  TT_PLUS,
  TT_TILDE,
  TT_BANG, /* ! */
  TT_STAR, /* * (only outside a glob word) */
  TT_OP    /* == = != <> < <= > >= =~ !~ && || ; op = enum below */
};

enum tableops_op {
  OP_NONE = 0,
  OP_EQ,
  OP_NE,
  OP_LT,
  OP_LE,
  OP_GT,
  OP_GE,
  OP_EQ_CI, /* =~ */
  OP_NE_CI, /* !~ */
  OP_AND,   /* && */
  OP_OR     /* || */
};

typedef struct tableops_token {
  int kind;   /* enum tableops_tok_kind */
  int op;     /* enum tableops_op for TT_OP */
  size_t pos; /* byte offset of the token in the source text */
  size_t len; /* bytes of source text it covers */
  char *text; /* decoded name or string (NUL-terminated, owned), or NULL */
  size_t text_len;
  int64_t i;
  double f;
} tableops_token;

typedef struct tableops_tokens {
  const char *src; /* borrowed source text */
  const char *who; /* stage name for messages: "where", "select", ... */
  tableops_token *tok;
  size_t n; /* tokens, the last one TT_END */
} tableops_tokens;

/* Allow '*' and '?' inside bare words (select's column globs). */
#define TABLEOPS_LEX_GLOB 1u

/* Split `src` into tokens.  On failure fills `err` with
 * "WHO: WHAT at column N of 'SRC'" and returns its code. */
int tableops_lex(const char *src, const char *who, unsigned flags,
                 tableops_tokens *out, hk_error *err);
void tableops_tokens_free(tableops_tokens *t);
/* 1-based character column of byte offset `pos` in t->src. */
size_t tableops_column_of(const tableops_tokens *t, size_t pos);
/* Fill `err` with "WHO: <msg> at column N of 'SRC'" (N from `pos`). */
int tableops_syntax_error(const tableops_tokens *t, hk_error *err, size_t pos,
                          const char *fmt, ...) HK_PRINTF(4, 5);
/* The token's source text for messages ("the end" for TT_END), written
 * into buf. */
const char *tableops_token_show(const tableops_tokens *t, size_t i, char *buf,
                                size_t cap);
/* Case-insensitive keyword test of a bare word. */
bool tableops_tok_is_word(const tableops_token *tk, const char *word);

/* A name list as written after select/sort/count: parsed items. */
typedef struct tableops_name_item {
  char *name;    /* column name or glob (owned) */
  char *rename;  /* `as` name (owned) or NULL */
  bool negated;  /* leading '-' */
  bool positive; /* leading '+' */
  int direction; /* 0 none, 1 asc, -1 desc (sort) */
  bool glob;     /* bare word with '*' or '?' */
  size_t pos;    /* byte offset of the name, for messages */
} tableops_name_item;

typedef struct tableops_name_list {
  tableops_name_item *items;
  size_t n;
} tableops_name_list;

/* Options for tableops_parse_names: which decorations the stage accepts. */
#define TABLEOPS_NAMES_BY 1u     /* an optional leading `by` */
#define TABLEOPS_NAMES_AS 2u     /* `name as new` */
#define TABLEOPS_NAMES_SIGN 4u   /* -name / +name */
#define TABLEOPS_NAMES_DIR 8u    /* name asc / name desc */
#define TABLEOPS_NAMES_GLOB 16u  /* Sub* globs */
#define TABLEOPS_NAMES_EMPTY 32u /* an empty list is fine */

int tableops_parse_names(const char *src, const char *who, unsigned flags,
                         tableops_name_list *out, hk_error *err);
void tableops_name_list_free(tableops_name_list *l);

/* --------------------------------------------------------------- tables */

/* The columns of a schema: names borrowed from the schema. */
typedef struct tableops_columns {
  size_t n;
  const char **names;
  int *types; /* enum hk_column_type */
} tableops_columns;

int tableops_columns_from_schema(const struct ArrowSchema *schema,
                                 const char *who, tableops_columns *out,
                                 hk_error *err);
void tableops_columns_free(tableops_columns *c);
/* Index of the column named exactly `name`, or -1. */
int64_t tableops_columns_find(const tableops_columns *c, const char *name);
/* Put "WHAT: " before the message in `err`; returns its code. */
int tableops_error_context(hk_error *err, const char *what);
/* "A, B, C" (or "none"), cut with "..." to fit `cap`. */
void tableops_columns_text(const tableops_columns *c, char *buf, size_t cap);
/* HK_E_NOTFOUND "WHO: no column 'NAME' (columns: A, B, C)", with a
 * "did you mean" hint when only the case differs. */
int tableops_error_no_column(hk_error *err, const char *who, const char *name,
                             const tableops_columns *c);

/* A builder with the given columns of `c` (in `which` order, renamed by
 * `names` when non-NULL). */
hk_table_builder *tableops_builder_new(const tableops_columns *c,
                                       const size_t *which,
                                       const char *const *names, size_t n,
                                       const char *who, hk_error *err);

/* Append cell (col,row) of `v` (column type `type`) to builder column
 * `out_col`. */
int tableops_copy_cell(hk_table_builder *b, size_t out_col,
                       const hk_batch_view *v, int64_t col, int type,
                       int64_t row);
/* Append the rows of `v` whose keep[row] is non-zero, column `col` to
 * builder column `out_col`. */
int tableops_copy_rows(hk_table_builder *b, size_t out_col,
                       const hk_batch_view *v, int64_t col, int type,
                       const uint8_t *keep, int64_t first, int64_t last);

/* The upstream stream of a stage, with its schema read once. */
typedef struct tableops_input {
  struct ArrowArrayStream stream; /* owned; release == NULL once closed */
  struct ArrowSchema schema;      /* owned */
  tableops_columns cols;
  const char *who; /* stage name for messages */
} tableops_input;

/* Take `stream` (transfer: released here on failure too) and read its
 * schema. */
int tableops_input_open(tableops_input *in, struct ArrowArrayStream *stream,
                        const char *who, hk_error *err);
/* Next batch (transfer), out->release == NULL at the end. */
int tableops_input_next(tableops_input *in, struct ArrowArray *out,
                        hk_error *err);
/* Release the upstream stream early (head), keeping the schema. */
void tableops_input_stop(tableops_input *in);
void tableops_input_close(tableops_input *in);

/* Hand `ud` to an output stream; on failure `free_ud(ud)` has been called. */
int tableops_output_init(struct ArrowArrayStream *out,
                         int (*schema)(void *, struct ArrowSchema *,
                                       hk_error *),
                         int (*next)(void *, struct ArrowArray *, hk_error *),
                         void (*free_ud)(void *), void *ud, hk_error *err);

/* ---------------------------------------------------------------- values */

/* Parse the whole of s[0..len) as a number: decimal integer, hex integer
 * (0x1f), or decimal float; surrounding spaces allowed.  Returns 1 (int in
 * *i), 2 (float in *f) or 0 (not a number). */
int tableops_parse_number(const char *s, size_t len, int64_t *i, double *f);
/* ISO-8601 date or date-time ("2019-01-15", "2019-01-15T05:15:02.98Z",
 * "2019-01-15 05:15:02", "...+01:00"); no zone means UTC.  Returns 1 and
 * µs since the epoch, or 0. */
int tableops_parse_iso8601(const char *s, size_t len, int64_t *us);
/* "true"/"false" in any case: 1 with *b set, else 0. */
int tableops_parse_bool(const char *s, size_t len, int *b);

/* Compare cell (ra) of va with cell (rb) of vb in the same-typed column;
 * neither may be null.  NaN sorts as if it were null: callers test
 * tableops_cell_is_missing first. */
int tableops_cell_cmp(const hk_batch_view *va, int64_t ca, int64_t ra,
                      const hk_batch_view *vb, int64_t cb, int64_t rb,
                      int type);
/* Null, or a NaN float. */
bool tableops_cell_is_missing(const hk_batch_view *v, int64_t col, int type,
                              int64_t row);

/* What the sorts order: `key` is an order-preserving encoding of the
 * first sort key (compared first, from memory that merge sort walks in
 * sequence), `handle` says which row or group it is. */
typedef struct tableops_sort_item {
  uint64_t key;
  uint64_t handle;
} tableops_sort_item;

/* Stable merge sort of `n` items by `cmp` (<0, 0, >0).  HK_E_NOMEM when
 * the scratch array cannot be allocated. */
int tableops_sort_items(tableops_sort_item *a, size_t n,
                        int (*cmp)(const tableops_sort_item *x,
                                   const tableops_sort_item *y, void *ctx),
                        void *ctx);

/* ------------------------------------------------------------ where expr */

typedef struct tableops_where tableops_where;

/* Parse `text` into a tree (no schema needed yet). */
int tableops_where_parse(const char *text, tableops_where **out, hk_error *err);
/* Resolve column names and check types against the input's columns;
 * compiles the regexes.  Called once per stream. */
int tableops_where_bind(tableops_where *w, const tableops_columns *cols,
                        hk_error *err);
/* Evaluate on every row of `v`: keep[row] = 1 when the expression is
 * true.  Returns the number of kept rows, or a negative hk_status. */
int64_t tableops_where_eval(tableops_where *w, const hk_batch_view *v,
                            uint8_t *keep, hk_error *err);
void tableops_where_free(tableops_where *w);

#endif /* HK_PLUGIN_TABLEOPS_H */
