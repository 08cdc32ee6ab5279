/*
 * tests/sdk/test_validate.c -- every refusal of hk_table_validate_schema /
 * hk_table_validate_batch, each with its exact message.  Each case starts
 * from a good builder-made batch and breaks one thing.
 */
#include <huntkit/table.h>

#include "../tap.h"

struct fixture {
  struct ArrowSchema schema;
  struct ArrowArray batch;
  hk_error err;
};

/* Columns: EventID int64, name utf8, ok bool, nothing null, when
 * timestamp; rows 0..3, with a null name in row 2. */
static void
setup(struct fixture *f)
{
  static const char *names[] = {"alpha", "beta", NULL, "delta"};
  hk_table_builder *b = hk_table_builder_new();

  hk_table_builder_add_column(b, "EventID", HK_COL_INT64);
  hk_table_builder_add_column(b, "name", HK_COL_UTF8);
  hk_table_builder_add_column(b, "ok", HK_COL_BOOL);
  hk_table_builder_add_column(b, "nothing", HK_COL_NULL);
  hk_table_builder_add_column(b, "when", HK_COL_TIMESTAMP);
  for (int i = 0; i < 4; i++) {
    hk_table_builder_append_int64(b, 0, 4624 + i);
    if (names[i])
      hk_table_builder_append_utf8(b, 1, names[i], strlen(names[i]));
    else
      hk_table_builder_append_null(b, 1);
    hk_table_builder_append_bool(b, 2, i & 1);
    hk_table_builder_append_null(b, 3);
    hk_table_builder_append_timestamp(b, 4, i);
  }
  hk_error_clear(&f->err);
  hk_table_builder_export_schema(b, &f->schema, &f->err);
  hk_table_builder_finish_batch(b, &f->batch, &f->err);
  hk_table_builder_free(b);
}

static void
teardown(struct fixture *f)
{
  hk_array_release(&f->batch);
  hk_schema_release(&f->schema);
}

static void
refused(struct fixture *f, const char *want, const char *what)
{
  int rc = hk_table_validate_batch(&f->schema, &f->batch, &f->err);
  is_int(rc, HK_E_INVAL, "%s: refused", what);
  is_str(f->err.msg, want, "%s: message", what);
}

static int32_t *
offsets_of(struct fixture *f, int col)
{
  return (int32_t *)f->batch.children[col]->buffers[1];
}

/* ---- randomised bounds check: hand-made arrays whose buffers are exactly
 * as large as their declared offset + length (as the Arrow format
 * requires), with random struct and child offsets and lengths.  The
 * validator must accept exactly the combinations that stay inside every
 * child, and reading every cell of an accepted batch must stay inside the
 * buffers (ASan and valgrind watch the exact-size allocations). */

static uint64_t rng_state = 0x9E3779B97F4A7C15u;

static unsigned
rnd(unsigned n)
{
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return (unsigned)(rng_state % n);
}

struct hand_child {
  const void *buffers[3];
};

static void
hand_child_release(struct ArrowArray *a)
{
  struct hand_child *h = a->private_data;
  for (int i = 0; i < 3; i++)
    free((void *)h->buffers[i]);
  free(h);
  a->release = NULL;
}

static void
noop_release(struct ArrowArray *a)
{
  a->release = NULL;
}

/* One child of `type` with slots = offset + length, exact-size buffers. */
static void
hand_child_make(struct ArrowArray *a, int type, int64_t offset, int64_t length)
{
  struct hand_child *h = calloc(1, sizeof *h);
  int64_t slots = offset + length, i;
  size_t bitmap = (size_t)(slots + 7) / 8;

  memset(a, 0, sizeof *a);
  a->length = length;
  a->offset = offset;
  a->buffers = h->buffers;
  a->release = hand_child_release;
  a->private_data = h;
  if (type == HK_COL_NULL) {
    a->null_count = length;
    return;
  }
  a->n_buffers = type == HK_COL_UTF8 ? 3 : 2;
  if (slots > 0 && rnd(2)) {
    uint8_t *v = malloc(bitmap);
    for (size_t k = 0; k < bitmap; k++)
      v[k] = (uint8_t)rnd(256);
    h->buffers[0] = v;
    a->null_count = -1;
  }
  if (type == HK_COL_BOOL) {
    uint8_t *v = malloc(bitmap ? bitmap : 1);
    for (size_t k = 0; k < bitmap; k++)
      v[k] = (uint8_t)rnd(256);
    h->buffers[1] = v;
  } else if (type == HK_COL_UTF8) {
    int32_t *off = malloc((size_t)(slots + 1) * 4);
    char *data;
    off[0] = (int32_t)rnd(3);
    for (i = 0; i < slots; i++)
      off[i + 1] = off[i] + (int32_t)rnd(4);
    data = malloc(off[slots] ? (size_t)off[slots] : 1);
    memset(data, 'x', (size_t)off[slots]);
    h->buffers[1] = off;
    h->buffers[2] = data;
  } else {
    int64_t *v = malloc(slots ? (size_t)slots * 8 : 8);
    for (i = 0; i < slots; i++)
      v[i] = (int64_t)rnd(1u << 30) * 1000;
    h->buffers[1] = v;
  }
}

static void
test_random_bounds(void)
{
  static const int types[] = {HK_COL_INT64,   HK_COL_UTF8,      HK_COL_BOOL,
                              HK_COL_FLOAT64, HK_COL_TIMESTAMP, HK_COL_NULL};
  static const char *names[] = {"i", "u", "b", "f", "t", "n"};
  struct ArrowSchema child_s[6], *child_sp[6], schema;
  int accepted = 0, wrong = 0;

  memset(&schema, 0, sizeof schema);
  for (int c = 0; c < 6; c++) {
    memset(&child_s[c], 0, sizeof child_s[c]);
    child_s[c].format = hk_column_type_format(types[c]);
    child_s[c].name = names[c];
    child_s[c].release = (void (*)(struct ArrowSchema *))1; /* never called */
    child_sp[c] = &child_s[c];
  }
  schema.format = "+s";
  schema.n_children = 6;
  schema.children = child_sp;
  schema.release = (void (*)(struct ArrowSchema *))1;

  for (int iter = 0; iter < 3000; iter++) {
    struct ArrowArray kids[6], *kidp[6], top;
    const void *top_buffers[1] = {NULL};
    int64_t so = rnd(4), sl = rnd(10);
    int fits = 1;
    hk_batch_view v;
    hk_error err;

    for (int c = 0; c < 6; c++) {
      int64_t co = rnd(4), cl = rnd(14);
      hand_child_make(&kids[c], types[c], co, cl);
      kidp[c] = &kids[c];
      fits &= so + sl <= cl;
    }
    memset(&top, 0, sizeof top);
    top.length = sl;
    top.offset = so;
    top.n_buffers = 1;
    top.buffers = top_buffers;
    top.n_children = 6;
    top.children = kidp;
    top.release = noop_release;
    if (hk_batch_view_init(&v, &schema, &top, &err) == HK_OK) {
      char buf[64];
      size_t total = 0;
      accepted++;
      wrong += !fits;
      for (int64_t c = 0; c < 6; c++)
        for (int64_t r = 0; r < v.rows; r++)
          total += hk_batch_view_format_cell(&v, c, r, buf, sizeof buf);
      (void)total;
      hk_batch_view_release(&v);
    } else {
      wrong += fits;
    }
    for (int c = 0; c < 6; c++)
      kids[c].release(&kids[c]);
  }
  is_int(wrong, 0, "random slices: accepted exactly when they fit");
  ok(accepted > 100 && accepted < 2900,
     "random slices: both outcomes exercised (%d accepted of 3000)", accepted);
}

int
main(void)
{
  struct fixture f;
  const char *saved_format;
  int64_t saved;

  (void)plan; /* tap.h: plan() unused with a lazy plan */
  plan_lazy();

  setup(&f);
  is_int(hk_table_validate_batch(&f.schema, &f.batch, &f.err), HK_OK,
         "the good batch passes");
  is_int(f.err.code, HK_OK, "and leaves the error untouched");
  teardown(&f);

  /* ---- schema refusals */
  setup(&f);
  saved_format = f.schema.format;
  f.schema.format = "+l";
  refused(&f,
          "table schema has format '+l', expected a struct ('+s') with "
          "one child per column",
          "not a struct");
  f.schema.format = saved_format;
  teardown(&f);

  setup(&f);
  f.schema.children[2]->format = "i";
  refused(&f,
          "table schema: column 'ok' (index 2) has Arrow format 'i', "
          "which huntkit does not carry (supported: n, l, g, b, u, "
          "tsu:UTC); cast it to one of them",
          "unsupported format");
  f.schema.children[2]->format = "b";
  teardown(&f);

  setup(&f);
  f.schema.children[4]->format = "tsu:";
  refused(&f,
          "table schema: column 'when' (index 4) has Arrow format "
          "'tsu:', which huntkit does not carry (supported: n, l, g, b, "
          "u, tsu:UTC); cast it to one of them",
          "timestamp without UTC");
  f.schema.children[4]->format = "tsu:UTC";
  teardown(&f);

  setup(&f);
  {
    void (*rel)(struct ArrowSchema *) = f.schema.release;
    f.schema.release = NULL;
    refused(&f, "table schema has been released (release callback is NULL)",
            "released schema");
    f.schema.release = rel;
  }
  teardown(&f);

  setup(&f);
  {
    void (*rel)(struct ArrowSchema *) = f.schema.children[1]->release;
    f.schema.children[1]->release = NULL;
    refused(&f,
            "table schema: column 'name' (index 1) has been released "
            "(release callback is NULL)",
            "released child schema");
    f.schema.children[1]->release = rel;
  }
  teardown(&f);

  setup(&f);
  {
    const char *n = f.schema.children[3]->name;
    f.schema.children[3]->name = "EventID";
    refused(&f,
            "table schema: column 'EventID' appears twice (indexes 0 and "
            "3); rename one",
            "duplicate names");
    f.schema.children[3]->name = n;
  }
  teardown(&f);

  setup(&f);
  f.schema.children[0]->dictionary = &f.schema; /* any non-NULL pointer */
  refused(&f,
          "table schema: column 'EventID' (index 0) is dictionary-"
          "encoded, which huntkit does not carry; decode it first",
          "dictionary column");
  f.schema.children[0]->dictionary = NULL;
  teardown(&f);

  is_int(hk_table_validate_schema(NULL, &f.err), HK_E_INVAL, "NULL schema");
  is_str(f.err.msg, "table schema: NULL pointer", "NULL schema message");

  /* ---- batch refusals */
  setup(&f);
  {
    void (*rel)(struct ArrowArray *) = f.batch.release;
    f.batch.release = NULL;
    refused(&f, "batch has been released (release callback is NULL)",
            "NULL release");
    f.batch.release = rel;
  }
  teardown(&f);

  setup(&f);
  f.batch.n_children = 4;
  refused(&f, "batch has 4 columns but its schema has 5",
          "n_children mismatch");
  f.batch.n_children = 5;
  teardown(&f);

  setup(&f);
  f.batch.n_buffers = 0;
  refused(&f,
          "batch (a struct array) has 0 buffers, expected 1 (the "
          "validity bitmap)",
          "struct buffer count");
  f.batch.n_buffers = 1;
  teardown(&f);

  setup(&f);
  f.batch.length = -1;
  refused(&f, "batch has a negative length (-1) or offset (0)",
          "negative length");
  f.batch.length = 4;
  teardown(&f);

  setup(&f);
  f.batch.children[0]->offset = -2;
  refused(&f,
          "batch: column 'EventID' (index 0): negative length (4) or "
          "offset (-2)",
          "negative child offset");
  f.batch.children[0]->offset = 0;
  teardown(&f);

  setup(&f);
  f.batch.children[0]->offset = INT64_MAX - 2;
  refused(&f,
          "batch: column 'EventID' (index 0): offset 9223372036854775805 "
          "plus length 4 is implausibly large",
          "overflowing child offset");
  f.batch.children[0]->offset = 0;
  teardown(&f);

  setup(&f);
  f.batch.children[1]->n_buffers = 2;
  refused(&f,
          "batch: column 'name' (index 1): 2 buffers, expected 3 for "
          "format 'u'",
          "wrong buffer count (utf8)");
  f.batch.children[1]->n_buffers = 3;
  teardown(&f);

  setup(&f);
  f.batch.children[3]->n_buffers = 1;
  refused(&f,
          "batch: column 'nothing' (index 3): 1 buffers, expected 0 for "
          "format 'n'",
          "a null column has no buffers");
  f.batch.children[3]->n_buffers = 0;
  teardown(&f);

  setup(&f);
  {
    int32_t *off = offsets_of(&f, 1);
    int32_t keep = off[2];
    off[2] = 2; /* "alpha" ends at 5, so row 1 would end before it starts */
    refused(&f,
            "batch: column 'name' (index 1): utf8 offsets decrease at "
            "row 1 (2 after 5)",
            "decreasing offsets");
    off[2] = keep;
  }
  teardown(&f);

  setup(&f);
  {
    int32_t *off = offsets_of(&f, 1);
    off[0] = -3;
    refused(&f,
            "batch: column 'name' (index 1): utf8 offsets start at -3, "
            "below 0",
            "negative first offset");
    off[0] = 0;
  }
  teardown(&f);

  setup(&f);
  f.batch.children[4]->length = 3;
  refused(&f,
          "batch: column 'when' (index 4): the column has 3 rows but the "
          "batch needs 4 (its offset plus its length)",
          "child too short");
  f.batch.children[4]->length = 4;
  teardown(&f);

  setup(&f);
  f.batch.offset = 1;
  f.batch.length = 3;
  is_int(hk_table_validate_batch(&f.schema, &f.batch, &f.err), HK_OK,
         "a sliced struct that stays inside its children passes");
  f.batch.length = 4;
  refused(&f,
          "batch: column 'EventID' (index 0): the column has 4 rows but "
          "the batch needs 5 (its offset plus its length)",
          "struct offset pushes past the children");
  f.batch.offset = 0;
  teardown(&f);

  setup(&f);
  saved = f.batch.children[0]->null_count;
  f.batch.children[0]->null_count = 5;
  refused(&f,
          "batch: column 'EventID' (index 0): null_count 5 is impossible "
          "for 4 rows",
          "null_count above length");
  f.batch.children[0]->null_count = saved;
  teardown(&f);

  setup(&f);
  f.batch.children[0]->null_count = 1;
  refused(&f,
          "batch: column 'EventID' (index 0): null_count is 1 but there "
          "is no validity bitmap",
          "nulls without a bitmap");
  f.batch.children[0]->null_count = 0;
  teardown(&f);

  setup(&f);
  {
    const void *keep = f.batch.children[2]->buffers[1];
    f.batch.children[2]->buffers[1] = NULL;
    refused(&f,
            "batch: column 'ok' (index 2): the values buffer is NULL for "
            "4 rows",
            "missing data buffer");
    f.batch.children[2]->buffers[1] = keep;
  }
  teardown(&f);

  setup(&f);
  {
    const void *keep = f.batch.children[1]->buffers[2];
    f.batch.children[1]->buffers[2] = NULL;
    refused(&f,
            "batch: column 'name' (index 1): the utf8 data buffer is NULL "
            "but the offsets span 14 bytes",
            "missing utf8 data");
    f.batch.children[1]->buffers[2] = keep;
  }
  teardown(&f);

  setup(&f);
  {
    void (*rel)(struct ArrowArray *) = f.batch.children[0]->release;
    f.batch.children[0]->release = NULL;
    refused(&f,
            "batch: column 'EventID' (index 0): the array has been "
            "released (release callback is NULL)",
            "released child");
    f.batch.children[0]->release = rel;
  }
  teardown(&f);

  setup(&f);
  {
    uint8_t bits = 0x0B; /* rows 0, 1, 3 valid; row 2 null */
    const void *keep = f.batch.buffers[0];
    f.batch.buffers[0] = &bits;
    f.batch.null_count = -1;
    refused(&f, "batch: row 2 is null as a whole; mark its cells null instead",
            "top-level null row");
    bits = 0x0F;
    is_int(hk_table_validate_batch(&f.schema, &f.batch, &f.err), HK_OK,
           "an all-valid top-level bitmap passes");
    f.batch.buffers[0] = keep;
    f.batch.null_count = 0;
  }
  teardown(&f);

  is_int(hk_table_validate_batch(&f.schema, NULL, &f.err), HK_E_INVAL,
         "NULL schema (released fixture) refused before the batch");
  setup(&f);
  is_int(hk_table_validate_batch(&f.schema, NULL, &f.err), HK_E_INVAL,
         "NULL batch");
  is_str(f.err.msg, "batch: NULL pointer", "NULL batch message");
  is_int(hk_table_validate_batch(&f.schema, &f.batch, NULL), HK_OK,
         "err may be NULL");
  teardown(&f);

  test_random_bounds();
  return done_testing();
}
