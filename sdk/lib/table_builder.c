/*
 * sdk/lib/table_builder.c -- hk_table_builder: append values column by
 * column, export Arrow C Data struct arrays.
 *
 * Each column keeps its Arrow buffers in their final layout while values
 * are appended (fixed-width values, bit-packed bools, int32 offsets plus
 * one byte buffer for utf8), so finishing a batch hands the buffers over
 * without copying.  Buffers grow by doubling and the next batch starts at
 * the size the previous one reached, so appends cost amortised O(1) and
 * never allocate per cell.  The validity bitmap is only created when a
 * column receives its first null: Arrow lets an all-valid column omit it.
 */
#include "sdk_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One growable Arrow buffer.  `hint` is the size the previous batch
 * reached: the first allocation of the next batch goes straight there. */
struct growbuf {
  uint8_t *p;
  size_t len; /* bytes in use (fixed-width values, offsets, utf8 data) */
  size_t cap;
  size_t hint;
};

struct column {
  char *name;
  int type;
  int64_t length;
  int64_t null_count;
  struct growbuf validity; /* bitmap; p == NULL until the first null */
  struct growbuf values;   /* int64 / double / int64 µs / bool bits */
  struct growbuf offsets;  /* utf8: int32, length + 1 of them */
  struct growbuf data;     /* utf8 bytes */
};

struct hk_table_builder {
  struct column *cols;
  size_t ncols;
  size_t cap;
};

/* ---------------------------------------------------------------- buffers */

static int
growbuf_reserve_slow(struct growbuf *g, size_t need)
{
  size_t cap = g->cap ? g->cap : 64;
  uint8_t *p;

  if (g->cap == 0 && g->hint > cap)
    cap = g->hint;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  p = realloc(g->p, cap);
  if (!p)
    return HK_E_NOMEM;
  g->p = p;
  g->cap = cap;
  return HK_OK;
}

/* Room for `extra` more bytes after len. */
static inline int
growbuf_reserve(struct growbuf *g, size_t extra)
{
  if (HK_LIKELY(g->cap - g->len >= extra))
    return HK_OK;
  if (extra > SIZE_MAX - g->len)
    return HK_E_NOMEM;
  return growbuf_reserve_slow(g, g->len + extra);
}

/* Room for bit number i of a bitmap. */
static inline int
bits_reserve(struct growbuf *g, int64_t i)
{
  size_t need = (size_t)(i >> 3) + 1;
  if (HK_LIKELY(need <= g->cap))
    return HK_OK;
  return growbuf_reserve_slow(g, need);
}

/* Bits are written in order, so a fresh byte is cleared when its first
 * bit is written; bytes past the last bit are never read. */
static inline void
bit_put(uint8_t *bits, int64_t i, int v)
{
  uint8_t mask = (uint8_t)(1u << (i & 7));
  if ((i & 7) == 0)
    bits[i >> 3] = 0;
  if (v)
    bits[i >> 3] |= mask;
}

/* Hand the buffer over: returns it (shrunk when much is unused, and never
 * NULL unless allocation fails) and leaves g empty with a size hint. */
static void *
growbuf_take(struct growbuf *g, size_t used)
{
  uint8_t *p = g->p;

  if (used + used / 4 + 64 < g->cap) {
    uint8_t *q = realloc(p, used ? used : 1);
    if (q)
      p = q;
  }
  g->hint = used;
  g->p = NULL;
  g->len = 0;
  g->cap = 0;
  return p;
}

static void
growbuf_free(struct growbuf *g)
{
  free(g->p);
  g->p = NULL;
  g->len = 0;
  g->cap = 0;
}

/* ---------------------------------------------------------------- builder */

hk_table_builder *
hk_table_builder_new(void)
{
  return calloc(1, sizeof(hk_table_builder));
}

static void
column_free(struct column *c)
{
  free(c->name);
  growbuf_free(&c->validity);
  growbuf_free(&c->values);
  growbuf_free(&c->offsets);
  growbuf_free(&c->data);
}

void
hk_table_builder_free(hk_table_builder *b)
{
  size_t i;

  if (!b)
    return;
  for (i = 0; i < b->ncols; i++)
    column_free(&b->cols[i]);
  free(b->cols);
  free(b);
}

/* Duplicate names are refused: every consumer selects columns by name, so
 * a second column of the same name could never be reached. */
int
hk_table_builder_add_column(hk_table_builder *b, const char *name, int type)
{
  struct column *c;
  size_t i;

  if (!b || !name || !hk_column_type_format(type))
    return HK_E_INVAL;
  for (i = 0; i < b->ncols; i++) {
    if (b->cols[i].length != 0)
      return HK_E_INVAL; /* mid-batch: rows would lose their shape */
    if (strcmp(b->cols[i].name, name) == 0)
      return HK_E_INVAL;
  }
  if (b->ncols > (size_t)INT32_MAX)
    return HK_E_LIMIT;
  if (b->ncols == b->cap) {
    size_t cap = b->cap ? b->cap * 2 : 8;
    struct column *cols = realloc(b->cols, cap * sizeof *cols);
    if (!cols)
      return HK_E_NOMEM;
    b->cols = cols;
    b->cap = cap;
  }
  c = &b->cols[b->ncols];
  memset(c, 0, sizeof *c);
  c->name = strdup(name);
  if (!c->name)
    return HK_E_NOMEM;
  c->type = type;
  return (int)b->ncols++;
}

size_t
hk_table_builder_column_count(const hk_table_builder *b)
{
  return b ? b->ncols : 0;
}

const char *
hk_table_builder_column_name(const hk_table_builder *b, size_t col)
{
  return b && col < b->ncols ? b->cols[col].name : NULL;
}

int
hk_table_builder_column_type(const hk_table_builder *b, size_t col)
{
  return b && col < b->ncols ? b->cols[col].type : HK_E_INVAL;
}

int64_t
hk_table_builder_row_count(const hk_table_builder *b)
{
  int64_t rows;
  size_t i;

  if (!b || b->ncols == 0)
    return 0;
  rows = b->cols[0].length;
  for (i = 1; i < b->ncols; i++)
    if (b->cols[i].length < rows)
      rows = b->cols[i].length;
  return rows;
}

/* ----------------------------------------------------------------- append */

static inline struct column *
column_of(hk_table_builder *b, size_t col, int type)
{
  struct column *c;

  if (HK_UNLIKELY(!b || col >= b->ncols))
    return NULL;
  c = &b->cols[col];
  return HK_LIKELY(c->type == type) ? c : NULL;
}

/* A non-null value: its validity bit only exists once the column has had
 * a null. */
static inline int
validity_reserve(struct column *c)
{
  return c->validity.p ? bits_reserve(&c->validity, c->length) : HK_OK;
}

static inline void
validity_commit(struct column *c)
{
  if (c->validity.p)
    bit_put(c->validity.p, c->length, 1);
}

/* The first null: create the bitmap with every earlier row valid. */
static int
validity_start(struct column *c)
{
  size_t full = (size_t)(c->length >> 3);
  int rest = (int)(c->length & 7);

  if (bits_reserve(&c->validity, c->length) != HK_OK)
    return HK_E_NOMEM;
  memset(c->validity.p, 0xFF, full);
  if (rest)
    c->validity.p[full] = (uint8_t)((1u << rest) - 1);
  return HK_OK;
}

static inline int
fixed_append(hk_table_builder *b, size_t col, int type, const void *v)
{
  struct column *c = column_of(b, col, type);

  if (!c)
    return HK_E_INVAL;
  if (HK_UNLIKELY(growbuf_reserve(&c->values, 8) != HK_OK ||
                  validity_reserve(c) != HK_OK))
    return HK_E_NOMEM;
  memcpy(c->values.p + c->values.len, v, 8);
  c->values.len += 8;
  validity_commit(c);
  c->length++;
  return HK_OK;
}

int
hk_table_builder_append_int64(hk_table_builder *b, size_t col, int64_t v)
{
  return fixed_append(b, col, HK_COL_INT64, &v);
}

int
hk_table_builder_append_float64(hk_table_builder *b, size_t col, double v)
{
  return fixed_append(b, col, HK_COL_FLOAT64, &v);
}

int
hk_table_builder_append_timestamp(hk_table_builder *b, size_t col, int64_t us)
{
  return fixed_append(b, col, HK_COL_TIMESTAMP, &us);
}

int
hk_table_builder_append_bool(hk_table_builder *b, size_t col, int v)
{
  struct column *c = column_of(b, col, HK_COL_BOOL);

  if (!c)
    return HK_E_INVAL;
  if (bits_reserve(&c->values, c->length) != HK_OK ||
      validity_reserve(c) != HK_OK)
    return HK_E_NOMEM;
  bit_put(c->values.p, c->length, v != 0);
  validity_commit(c);
  c->length++;
  return HK_OK;
}

/* The offsets buffer starts with a 0 before the first value. */
static inline int
offsets_reserve(struct column *c)
{
  if (HK_UNLIKELY(c->offsets.len == 0)) {
    int32_t zero = 0;
    if (growbuf_reserve(&c->offsets, 8) != HK_OK)
      return HK_E_NOMEM;
    memcpy(c->offsets.p, &zero, 4);
    c->offsets.len = 4;
    return HK_OK;
  }
  return growbuf_reserve(&c->offsets, 4);
}

static inline void
offsets_commit(struct column *c)
{
  int32_t end = (int32_t)c->data.len;
  memcpy(c->offsets.p + c->offsets.len, &end, 4);
  c->offsets.len += 4;
}

/* Copy the ASCII prefix of s[0..len) to dst, eight bytes per step (the
 * tail as one overlapping word), and return its length: len for ASCII
 * text, which is most of what providers read.  Fusing the check and the
 * copy saves a second pass and a memcpy call per cell. */
static inline size_t
ascii_copy(uint8_t *dst, const unsigned char *s, size_t len)
{
  const uint64_t high = UINT64_C(0x8080808080808080);
  size_t i = 0;
  uint64_t w;

  /* Short cells (type names, short fields) without a byte loop whose
   * exit the branch predictor misses: two overlapping half-words, or
   * first, middle and last byte, which cover one to three bytes. */
  if (len < 8) {
    if (len >= 4) {
      uint32_t a, z;
      memcpy(&a, s, 4);
      memcpy(&z, s + len - 4, 4);
      if (!((a | z) & UINT32_C(0x80808080))) {
        memcpy(dst, &a, 4);
        memcpy(dst + len - 4, &z, 4);
        return len;
      }
    } else if (len > 0) {
      unsigned char a = s[0], m = s[len / 2], z = s[len - 1];
      if (!((a | m | z) & 0x80)) {
        dst[0] = a;
        dst[len / 2] = m;
        dst[len - 1] = z;
        return len;
      }
    }
  }
  while (i + 8 <= len) {
    memcpy(&w, s + i, 8);
    if (w & high)
      break;
    memcpy(dst + i, &w, 8);
    i += 8;
  }
  if (i + 8 > len && len >= 8 && i < len) {
    memcpy(&w, s + len - 8, 8);
    if (!(w & high)) {
      memcpy(dst + len - 8, &w, 8);
      return len;
    }
  }
  while (i < len && s[i] < 0x80) {
    dst[i] = s[i];
    i++;
  }
  return i;
}

/* The part after the ASCII prefix: copied as is when well-formed, else
 * with each ill-formed subpart replaced by U+FFFD (which may need more
 * room, and may cross the int32 limit). */
static int
utf8_copy_rest(struct column *c, const unsigned char *u, size_t len,
               size_t ascii, size_t *out)
{
  size_t valid = ascii + hk_utf8_valid_prefix(u + ascii, len - ascii);

  if (valid == len) {
    memcpy(c->data.p + c->data.len + ascii, u + ascii, len - ascii);
    *out = len;
    return HK_OK;
  }
  *out = valid + hk_utf8_sanitized_len(u + valid, len - valid);
  if (*out > (size_t)INT32_MAX - c->data.len)
    return HK_E_LIMIT;
  if (growbuf_reserve(&c->data, *out) != HK_OK)
    return HK_E_NOMEM;
  memcpy(c->data.p + c->data.len + ascii, u + ascii, valid - ascii);
  hk_utf8_sanitize((char *)c->data.p + c->data.len + valid, u + valid,
                   len - valid);
  return HK_OK;
}

int
hk_table_builder_append_utf8(hk_table_builder *b, size_t col, const char *s,
                             size_t len)
{
  struct column *c = column_of(b, col, HK_COL_UTF8);
  const unsigned char *u = (const unsigned char *)s;
  size_t ascii, out = len;

  if (!c || (!s && len))
    return HK_E_INVAL;
  /* Offsets are int32: a batch holds at most 2 GiB of text.  Producers
   * finish the batch and start another when they meet HK_E_LIMIT.
   * Repair never shrinks text, so `len` alone may already be too much. */
  if (len > (size_t)INT32_MAX - c->data.len)
    return HK_E_LIMIT;
  if (offsets_reserve(c) != HK_OK || growbuf_reserve(&c->data, len) != HK_OK ||
      validity_reserve(c) != HK_OK)
    return HK_E_NOMEM;
  ascii = len ? ascii_copy(c->data.p + c->data.len, u, len) : 0;
  if (HK_UNLIKELY(ascii != len)) {
    int rc = utf8_copy_rest(c, u, len, ascii, &out);
    if (rc != HK_OK)
      return rc;
  }
  c->data.len += out;
  offsets_commit(c);
  validity_commit(c);
  c->length++;
  return HK_OK;
}

int
hk_table_builder_append_null(hk_table_builder *b, size_t col)
{
  struct column *c;

  if (!b || col >= b->ncols)
    return HK_E_INVAL;
  c = &b->cols[col];
  if (c->type == HK_COL_NULL) {
    c->length++;
    c->null_count++;
    return HK_OK;
  }
  if (!c->validity.p ? validity_start(c) != HK_OK
                     : bits_reserve(&c->validity, c->length) != HK_OK)
    return HK_E_NOMEM;
  switch (c->type) {
  case HK_COL_BOOL:
    if (bits_reserve(&c->values, c->length) != HK_OK)
      return HK_E_NOMEM;
    bit_put(c->values.p, c->length, 0);
    break;
  case HK_COL_UTF8:
    if (offsets_reserve(c) != HK_OK)
      return HK_E_NOMEM;
    offsets_commit(c);
    break;
  default: /* int64, float64, timestamp: a zero placeholder */
    if (growbuf_reserve(&c->values, 8) != HK_OK)
      return HK_E_NOMEM;
    memset(c->values.p + c->values.len, 0, 8);
    c->values.len += 8;
  }
  bit_put(c->validity.p, c->length, 0);
  c->length++;
  c->null_count++;
  return HK_OK;
}

/* ----------------------------------------------------------------- export */

/* A child array owns its buffers through its own private data, so a
 * consumer may move it out of the parent and release it separately, as
 * the C Data Interface allows. */
struct child_array_priv {
  const void *buffers[3];
};

struct batch_priv {
  const void *buffers[1]; /* the struct's validity: none */
  struct ArrowArray **child_ptrs;
  struct ArrowArray *children;
  int64_t n_children;
};

static void
child_array_release(struct ArrowArray *a)
{
  struct child_array_priv *cp = a->private_data;
  int i;

  for (i = 0; i < 3; i++)
    free((void *)cp->buffers[i]);
  free(cp);
  a->release = NULL;
}

static void
batch_release(struct ArrowArray *a)
{
  struct batch_priv *bp = a->private_data;
  int64_t i;

  for (i = 0; i < bp->n_children; i++)
    if (bp->children[i].release)
      bp->children[i].release(&bp->children[i]);
  free(bp->children);
  free(bp->child_ptrs);
  free(bp);
  a->release = NULL;
}

/* Make sure every buffer the column will export exists, so that export
 * itself cannot fail half-way.  Consumers get non-NULL data buffers even
 * for empty batches; only the validity bitmap may be NULL. */
static int
column_prepare_export(struct column *c)
{
  switch (c->type) {
  case HK_COL_NULL:
    return HK_OK;
  case HK_COL_UTF8:
    if (c->offsets.len == 0 && offsets_reserve(c) != HK_OK)
      return HK_E_NOMEM;
    return c->data.p ? HK_OK : growbuf_reserve_slow(&c->data, 1);
  default:
    return c->values.p ? HK_OK : growbuf_reserve_slow(&c->values, 1);
  }
}

static void
column_export(struct column *c, struct ArrowArray *out,
              struct child_array_priv *cp)
{
  size_t bitmap_bytes = (size_t)((c->length + 7) >> 3);

  memset(out, 0, sizeof *out);
  memset(cp, 0, sizeof *cp);
  out->length = c->length;
  out->null_count = c->null_count;
  out->buffers = cp->buffers;
  out->release = child_array_release;
  out->private_data = cp;
  switch (c->type) {
  case HK_COL_NULL:
    out->n_buffers = 0;
    break;
  case HK_COL_UTF8:
    out->n_buffers = 3;
    cp->buffers[1] = growbuf_take(&c->offsets, c->offsets.len);
    cp->buffers[2] = growbuf_take(&c->data, c->data.len);
    break;
  case HK_COL_BOOL:
    out->n_buffers = 2;
    cp->buffers[1] = growbuf_take(&c->values, bitmap_bytes);
    break;
  default:
    out->n_buffers = 2;
    cp->buffers[1] = growbuf_take(&c->values, c->values.len);
  }
  if (c->validity.p) {
    /* The bitmap exists only once a null was appended in this batch. */
    cp->buffers[0] = growbuf_take(&c->validity, bitmap_bytes);
  }
  c->length = 0;
  c->null_count = 0;
}

int
hk_table_builder_finish_batch(hk_table_builder *b, struct ArrowArray *out,
                              hk_error *err)
{
  struct batch_priv *bp;
  struct child_array_priv **cps = NULL;
  int64_t rows;
  size_t i, n;

  if (!b || !out)
    return hk_error_set(err, HK_E_INVAL, "finish_batch: no builder or output");
  n = b->ncols;
  rows = n ? b->cols[0].length : 0;
  for (i = 1; i < n; i++) {
    if (b->cols[i].length != rows)
      return hk_error_set(
          err, HK_E_INVAL,
          "column '%s' has %lld values but column '%s' has %lld: append a "
          "value or a null to every column of a row before finishing a batch",
          b->cols[i].name, (long long)b->cols[i].length, b->cols[0].name,
          (long long)rows);
  }
  /* Allocate everything first: once columns start handing their buffers
   * over, nothing may fail. */
  bp = calloc(1, sizeof *bp);
  if (!bp)
    goto nomem;
  if (n) {
    bp->children = calloc(n, sizeof *bp->children);
    bp->child_ptrs = calloc(n, sizeof *bp->child_ptrs);
    cps = calloc(n, sizeof *cps);
    if (!bp->children || !bp->child_ptrs || !cps)
      goto nomem;
  }
  for (i = 0; i < n; i++) {
    cps[i] = malloc(sizeof **cps);
    if (!cps[i] || column_prepare_export(&b->cols[i]) != HK_OK)
      goto nomem;
  }
  for (i = 0; i < n; i++) {
    column_export(&b->cols[i], &bp->children[i], cps[i]);
    bp->child_ptrs[i] = &bp->children[i];
  }
  free(cps);
  bp->n_children = (int64_t)n;
  memset(out, 0, sizeof *out);
  out->length = rows;
  out->null_count = 0;
  out->n_buffers = 1;
  out->buffers = bp->buffers;
  out->n_children = (int64_t)n;
  out->children = n ? bp->child_ptrs : NULL;
  out->release = batch_release;
  out->private_data = bp;
  return HK_OK;

nomem:
  if (cps)
    for (i = 0; i < n; i++)
      free(cps[i]);
  free(cps);
  if (bp) {
    free(bp->children);
    free(bp->child_ptrs);
    free(bp);
  }
  return hk_error_set(err, HK_E_NOMEM,
                      "out of memory exporting a batch of %lld rows",
                      (long long)rows);
}

/* ----------------------------------------------------------------- schema */

struct schema_priv {
  struct ArrowSchema **child_ptrs;
  struct ArrowSchema *children;
  int64_t n_children;
};

/* A child schema's private data is its own copy of the name, so it can be
 * moved out and released on its own. */
static void
child_schema_release(struct ArrowSchema *s)
{
  free(s->private_data);
  s->release = NULL;
}

static void
struct_schema_release(struct ArrowSchema *s)
{
  struct schema_priv *sp = s->private_data;
  int64_t i;

  for (i = 0; i < sp->n_children; i++)
    if (sp->children[i].release)
      sp->children[i].release(&sp->children[i]);
  free(sp->children);
  free(sp->child_ptrs);
  free(sp);
  s->release = NULL;
}

int
hk_table_builder_export_schema(const hk_table_builder *b,
                               struct ArrowSchema *out, hk_error *err)
{
  struct schema_priv *sp;
  size_t i, n;

  if (!b || !out)
    return hk_error_set(err, HK_E_INVAL, "export_schema: no builder or output");
  n = b->ncols;
  sp = calloc(1, sizeof *sp);
  if (!sp)
    goto nomem;
  if (n) {
    sp->children = calloc(n, sizeof *sp->children);
    sp->child_ptrs = calloc(n, sizeof *sp->child_ptrs);
    if (!sp->children || !sp->child_ptrs)
      goto nomem;
  }
  for (i = 0; i < n; i++) {
    struct ArrowSchema *c = &sp->children[i];
    char *name = strdup(b->cols[i].name);
    if (!name)
      goto nomem;
    c->format = hk_column_type_format(b->cols[i].type);
    c->name = name;
    c->flags = ARROW_FLAG_NULLABLE;
    c->release = child_schema_release;
    c->private_data = name;
    sp->child_ptrs[i] = c;
    sp->n_children = (int64_t)i + 1;
  }
  memset(out, 0, sizeof *out);
  out->format = "+s";
  out->name = "";
  out->n_children = (int64_t)n;
  out->children = n ? sp->child_ptrs : NULL;
  out->release = struct_schema_release;
  out->private_data = sp;
  return HK_OK;

nomem:
  if (sp) {
    struct ArrowSchema tmp;
    tmp.private_data = sp;
    struct_schema_release(&tmp);
  }
  return hk_error_set(err, HK_E_NOMEM, "out of memory exporting the schema");
}
