/*
 * huntkit/table.h -- tables as Arrow C Data / C Stream structs, and the
 * SDK's builder, reader, stream helpers and validator for them.
 *
 * Every table that crosses the boundary is an ArrowArrayStream whose
 * schema is a struct ("+s") of columns, each of one of these types:
 *
 *   hk_column_type   Arrow format   C value
 *   HK_COL_NULL      "n"            (all null)
 *   HK_COL_INT64     "l"            int64_t
 *   HK_COL_FLOAT64   "g"            double
 *   HK_COL_BOOL      "b"            int (0/1), bit-packed
 *   HK_COL_UTF8      "u"            UTF-8 bytes, int32 offsets
 *   HK_COL_TIMESTAMP "tsu:UTC"      int64_t microseconds since the epoch
 *
 * JSON-typed values travel as utf8 columns.  The functions here are
 * implemented in the static helper library libhuntkit-sdk (linked into each
 * plugin with hidden visibility), so they need nothing from the host.
 *
 * Concurrency: a builder, reader or stream is used by one thread at a time;
 * distinct objects are independent.
 */
#ifndef HUNTKIT_TABLE_H
#define HUNTKIT_TABLE_H

#include <huntkit/abi.h>
#include <huntkit/arrow.h>

#ifdef __cplusplus
extern "C" {
#endif

enum hk_column_type {
  HK_COL_NULL = 0,
  HK_COL_INT64 = 1,
  HK_COL_FLOAT64 = 2,
  HK_COL_BOOL = 3,
  HK_COL_UTF8 = 4,
  HK_COL_TIMESTAMP = 5
};

/* The Arrow format string of a column type ("l", "tsu:UTC", ...); static.
 * hk_column_type_name: "null", "int64", "float64", "bool", "utf8",
 * "timestamp"; static.  hk_column_type_from_format: the type for an Arrow
 * format string, or -1 for a format huntkit does not carry. */
const char *hk_column_type_format(int type);
const char *hk_column_type_name(int type);
int hk_column_type_from_format(const char *format);

/* ------------------------------------------------------------------------
 * Builder: columns are declared, then values appended column by column;
 * hk_table_builder_finish_batch exports the rows appended so far as one
 * Arrow struct array and starts a new batch with the same columns.
 * ---------------------------------------------------------------------- */
typedef struct hk_table_builder hk_table_builder;

/* A new, empty builder (transfer: free with hk_table_builder_free), or NULL
 * when out of memory. */
hk_table_builder *hk_table_builder_new(void);
void hk_table_builder_free(hk_table_builder *b);

/* Declare a column; returns its index (0, 1, ...) or a negative hk_status.
 * `name` is copied.  Columns may be added only before the first append or
 * right after a finish_batch, and then only between batches when the new
 * schema is exported again. */
int hk_table_builder_add_column(hk_table_builder *b, const char *name,
                                int type);
size_t hk_table_builder_column_count(const hk_table_builder *b);
/* Borrowed; valid until the builder is freed. */
const char *hk_table_builder_column_name(const hk_table_builder *b, size_t col);
int hk_table_builder_column_type(const hk_table_builder *b, size_t col);

/* Append one value to column `col`.  Each returns HK_OK or HK_E_NOMEM /
 * HK_E_INVAL (wrong type for the column, index out of range).  `utf8`
 * copies `len` bytes (invalid UTF-8 is replaced by U+FFFD so readers never
 * see broken text).  A NULL column accepts only append_null. */
int hk_table_builder_append_null(hk_table_builder *b, size_t col);
int hk_table_builder_append_int64(hk_table_builder *b, size_t col, int64_t v);
int hk_table_builder_append_float64(hk_table_builder *b, size_t col, double v);
int hk_table_builder_append_bool(hk_table_builder *b, size_t col, int v);
int hk_table_builder_append_utf8(hk_table_builder *b, size_t col, const char *s,
                                 size_t len);
int hk_table_builder_append_timestamp(hk_table_builder *b, size_t col,
                                      int64_t us);

/* Rows complete in the current batch: the smallest column length. */
int64_t hk_table_builder_row_count(const hk_table_builder *b);

/* Export the schema ("+s" with one child per column; transfer: the caller
 * releases `out`). */
int hk_table_builder_export_schema(const hk_table_builder *b,
                                   struct ArrowSchema *out, hk_error *err);

/* Export the appended rows as one struct array (transfer: the caller
 * releases `out`) and reset the builder for the next batch.  Fails with
 * HK_E_INVAL when the columns have different lengths. */
int hk_table_builder_finish_batch(hk_table_builder *b, struct ArrowArray *out,
                                  hk_error *err);

/* ------------------------------------------------------------------------
 * Reader: a view of one batch for reading cells.  The view borrows the
 * schema and array; both must outlive it.  hk_batch_view_init validates
 * the pair first (hk_table_validate_batch), so reads never go out of
 * bounds.
 * ---------------------------------------------------------------------- */
typedef struct hk_batch_view {
  uint32_t struct_size;
  int64_t rows;
  int64_t columns;
  const struct ArrowSchema *schema; /* borrowed */
  const struct ArrowArray *array;   /* borrowed */
  void *priv; /* reader state (column types, children); owned by the view */
} hk_batch_view;

int hk_batch_view_init(hk_batch_view *v, const struct ArrowSchema *schema,
                       const struct ArrowArray *array, hk_error *err);
void hk_batch_view_release(hk_batch_view *v);

/* Column index by exact name, or -1.  Borrowed name. */
int64_t hk_batch_view_column_index(const hk_batch_view *v, const char *name);
const char *hk_batch_view_column_name(const hk_batch_view *v, int64_t col);
int hk_batch_view_column_type(const hk_batch_view *v, int64_t col);

/* Cell access; the caller ensures col/row are in range and the type
 * matches (checked with assert in debug builds). */
int hk_batch_view_is_null(const hk_batch_view *v, int64_t col, int64_t row);
int64_t hk_batch_view_int64(const hk_batch_view *v, int64_t col, int64_t row);
double hk_batch_view_float64(const hk_batch_view *v, int64_t col, int64_t row);
int hk_batch_view_bool(const hk_batch_view *v, int64_t col, int64_t row);
/* Borrowed; valid as long as the array; not NUL-terminated. */
const char *hk_batch_view_utf8(const hk_batch_view *v, int64_t col, int64_t row,
                               size_t *len);
int64_t hk_batch_view_timestamp(const hk_batch_view *v, int64_t col,
                                int64_t row);

/* ------------------------------------------------------------------------
 * Column view: one column of a batch view, for loops that visit every
 * row.  The inline getters answer exactly what the hk_batch_view_* getters
 * answer, without a call and a column look-up per cell (a renderer of a
 * million short rows spent a fifth of its time in them).  Filled by
 * hk_batch_view_column; borrowed from the view and valid as long as it.
 * The fields are the SDK's, linked into the plugin with it: read them
 * through the getters.
 * ---------------------------------------------------------------------- */
typedef struct hk_column_view {
  int type;                /* HK_COL_* */
  const uint8_t *validity; /* NULL when the column has no nulls */
  const void *values;      /* int64/float64/timestamp values, bool bits, or
                            * the int32 offsets of utf8 */
  const char *data;        /* utf8 bytes; NULL when every string is empty */
  int64_t base;            /* row 0's index in the buffers */
} hk_column_view;

/* Column `col` of `v` into *out.  Returns its HK_COL_* type, or -1 (and
 * *out zeroed) when col is out of range. */
int hk_batch_view_column(const hk_batch_view *v, int64_t col,
                         hk_column_view *out);

static inline int
hk_column_view_is_null(const hk_column_view *c, int64_t row)
{
  int64_t i = c->base + row;
  if (c->type == HK_COL_NULL)
    return 1;
  return c->validity ? !((c->validity[i >> 3] >> (i & 7)) & 1) : 0;
}

/* int64 and timestamp columns. */
static inline int64_t
hk_column_view_int64(const hk_column_view *c, int64_t row)
{
  int64_t x;
  memcpy(&x, (const char *)c->values + 8 * (c->base + row), 8);
  return x;
}

/* utf8 columns: the text of rows [first, first + n), which lie end to end
 * in the data buffer (null rows add nothing).  Borrowed. */
static inline const char *
hk_column_view_utf8_span(const hk_column_view *c, int64_t first, int64_t n,
                         size_t *len)
{
  int32_t start, end;
  memcpy(&start, (const char *)c->values + 4 * (c->base + first), 4);
  memcpy(&end, (const char *)c->values + 4 * (c->base + first + n), 4);
  *len = (size_t)(end - start);
  return c->data ? c->data + start : "";
}

/* utf8 columns: one cell; borrowed, not NUL-terminated, valid as long as
 * the view.  `len` may be NULL. */
static inline const char *
hk_column_view_utf8(const hk_column_view *c, int64_t row, size_t *len)
{
  size_t n;
  const char *s = hk_column_view_utf8_span(c, row, 1, &n);
  if (len)
    *len = n;
  return s;
}

/* Format any cell as text into buf (NUL-terminated, truncated to cap):
 * integers in decimal, floats with up to 15 significant digits ("%.15g"
 * style, shortest round-trip when possible), bools "true"/"false",
 * timestamps as ISO-8601 UTC "2024-03-04T05:06:07.123456Z" (fraction
 * dropped when zero), utf8 as is, null as "".  Returns the length the full
 * text needs (like snprintf). */
size_t hk_batch_view_format_cell(const hk_batch_view *v, int64_t col,
                                 int64_t row, char *buf, size_t cap);

/* ------------------------------------------------------------------------
 * Validator: the host runs it on every schema and batch a plugin returns.
 * It refuses (HK_E_INVAL, message naming the column and what is wrong)
 * anything huntkit cannot read safely: a schema that is not "+s", an
 * unsupported format, a NULL release callback, child counts that differ,
 * a wrong buffer count, negative lengths or offsets, utf8 offsets that
 * decrease or do not start within bounds, a missing data buffer.
 * ---------------------------------------------------------------------- */
int hk_table_validate_schema(const struct ArrowSchema *schema, hk_error *err);
int hk_table_validate_batch(const struct ArrowSchema *schema,
                            const struct ArrowArray *array, hk_error *err);

/* ------------------------------------------------------------------------
 * Stream helpers.
 * ---------------------------------------------------------------------- */

/*
 * A pull stream over a callback, for providers and analyzers.
 * next: produce the next batch into *out (transfer) and return HK_OK; at
 *   the end, return HK_OK with out->release == NULL; on failure return a
 *   negative code with `err` filled (the message becomes the stream's
 *   get_last_error).  Called on the consumer's thread, one call at a time.
 * schema: export the schema (transfer), called for get_schema.
 * free_ud: release `ud` when the stream is released (may be NULL).
 * Stream errno mapping (and back, in hk_stream_next): HK_E_NOMEM <-> ENOMEM,
 * HK_E_INVAL <-> EINVAL, HK_E_CANCELED <-> ECANCELED, HK_E_TIMEOUT <->
 * ETIMEDOUT, HK_E_NOTSUP <-> ENOTSUP, other failures -> EIO.
 */
typedef struct hk_stream_callbacks {
  uint32_t struct_size;
  int (*schema)(void *ud, struct ArrowSchema *out, hk_error *err);
  int (*next)(void *ud, struct ArrowArray *out, hk_error *err);
  void (*free_ud)(void *ud);
} hk_stream_callbacks;

int hk_stream_init_callbacks(struct ArrowArrayStream *out,
                             const hk_stream_callbacks *cb, void *ud,
                             hk_error *err);

/* A stream that yields `n` batches already built (ownership of `schema`
 * and each array transfers to the stream; they are moved, not copied). */
int hk_stream_init_batches(struct ArrowArrayStream *out,
                           struct ArrowSchema *schema,
                           struct ArrowArray *batches, size_t n, hk_error *err);

/* Convenience: get the next batch from `in`, turning the stream's errno
 * and last error into `err` ("<what>: <get_last_error>").  Returns HK_OK
 * (out->release == NULL at the end) or a negative code. */
int hk_stream_next(struct ArrowArrayStream *in, struct ArrowArray *out,
                   hk_error *err);
int hk_stream_schema(struct ArrowArrayStream *in, struct ArrowSchema *out,
                     hk_error *err);

/*
 * Row cursor: walks an input stream row by row across batches, for an
 * analyzer that emits bounded output batches and must resume in the middle
 * of an input batch on its next get_next.
 *
 *   hk_row_cursor c;
 *   hk_row_cursor_init(&c, input, err);      // takes the stream
 *   while ((rc = hk_row_cursor_next(&c, err)) > 0)
 *     use(&c.view, c.row, c.row_base + c.row);
 *   hk_row_cursor_release(&c);
 *
 * hk_row_cursor_init: `input` (transfer: the cursor releases it, also on
 *   failure; *input is left released) is moved into the cursor and its
 *   schema read into `schema`.  HK_OK or a negative code.
 * hk_row_cursor_next: advance to the next row.  Returns 1 with `view`
 *   (valid until the next call) and `row` (index in `view`) set, 0 at the
 *   end of the stream, or a negative code with `err` filled.  Empty batches
 *   are skipped.  `row_base` is the number of rows in earlier batches, so
 *   row_base + row is the row's index in the whole stream.
 * hk_row_cursor_release: release everything; safe to call twice.
 */
typedef struct hk_row_cursor {
  uint32_t struct_size;
  struct ArrowSchema schema;     /* input schema (owned) */
  hk_batch_view view;            /* the current batch's view */
  int64_t row;                   /* current row in `view` */
  int64_t row_base;              /* rows in the batches before `view` */
  struct ArrowArrayStream input; /* (owned) */
  struct ArrowArray batch;       /* current batch (owned) */
  int have_batch;
  int at_end;
} hk_row_cursor;

int hk_row_cursor_init(hk_row_cursor *c, struct ArrowArrayStream *input,
                       hk_error *err);
int hk_row_cursor_next(hk_row_cursor *c, hk_error *err);
void hk_row_cursor_release(hk_row_cursor *c);

/* ------------------------------------------------------------------------
 * Splice: an output batch made of an input batch's columns, shared rather
 * than copied, with some replaced or new columns from a second batch
 * (usually from a builder), for analyzers that pass their input on and add
 * or rewrite a few columns.
 *
 *   // once: the output schema
 *   hk_stream_schema(input, &in_schema, err);
 *   hk_table_builder_export_schema(b, &add_schema, err);
 *   hk_splice_schema(&in_schema, &add_schema, map, n, &out_schema, err);
 *   // per batch
 *   hk_splice_pad(b, in.offset);                  // see below
 *   ... append in.length values to every builder column ...
 *   hk_table_builder_finish_batch(b, &add, err);
 *   hk_splice_batch(&in, &add, map, n, &out, err);
 *
 * map: `n` entries, one per output column in order: map[i] >= 0 is column
 *   map[i] of `in`, map[i] < 0 is column -map[i]-1 of `add`.  Borrowed;
 *   read only during the call.  An input column the map leaves out is not
 *   in the output (it is released with the input).
 * add may be NULL when the map names only input columns: `out` is then a
 *   projection of `in` (some of its columns, in any order), still without
 *   a copy.
 * Ownership: both calls take `in` and `add` (transfer: they are moved into
 *   `out`, and on failure released; either way both are left released).
 *   *out (transfer: the caller releases it) points at the very child
 *   structs of `in` and `add`; releasing `out` releases both parents,
 *   which release their children.  A consumer may move a child out of
 *   `out` and release it on its own, as the Arrow C Data Interface allows:
 *   that is the child's own producer's release callback, and its parent
 *   then skips it.  `out` borrows nothing else: no lifetime ties to the
 *   caller after the call.
 * Offsets: the output has the input's length, offset, null count and
 *   validity bitmap.  A struct array's offset applies to every child, the
 *   added ones too, so each added column must hold `in->offset +
 *   in->length` values: the first `in->offset` are never read;
 *   hk_splice_pad appends that many nulls to every column of a builder.
 * Errors: HK_E_INVAL when a map entry names a column that does not exist,
 *   n < 0, `in` or `add` is released, or an added column is shorter than
 *   `in->offset + in->length` (hk_splice_batch); HK_E_NOMEM.
 * Concurrency: none of these keep state; the structs passed are used by
 *   one thread during the call, and `out` by one thread at a time.
 */
int hk_splice_schema(struct ArrowSchema *in, struct ArrowSchema *add,
                     const int64_t *map, int64_t n, struct ArrowSchema *out,
                     hk_error *err);
int hk_splice_batch(struct ArrowArray *in, struct ArrowArray *add,
                    const int64_t *map, int64_t n, struct ArrowArray *out,
                    hk_error *err);
/* Append `n` nulls to every column of `b`.  HK_OK, or the first failing
 * append's code (HK_E_NOMEM). */
int hk_splice_pad(hk_table_builder *b, int64_t n);

/* Release helpers that tolerate NULL and already-released structs. */
void hk_schema_release(struct ArrowSchema *s);
void hk_array_release(struct ArrowArray *a);
void hk_stream_release(struct ArrowArrayStream *s);

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_TABLE_H */
