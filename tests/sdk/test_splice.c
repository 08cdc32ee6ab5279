/*
 * tests/sdk/test_splice.c -- hk_splice_schema / hk_splice_batch /
 * hk_splice_pad: an input batch's columns shared by pointer, replaced and
 * added columns from a builder, sliced inputs (parent offset), dropped
 * columns, a child moved out of the output (Arrow C Data Interface
 * "moving child arrays"), and every refusal with its message.  Leaks and
 * double releases show under ASan and valgrind.
 */
#include <huntkit/table.h>

#include "../tap.h"

/* The input: a int64, b utf8, c bool; 4 rows, row 2 null in b. */
static void
make_input(struct ArrowSchema *schema, struct ArrowArray *array)
{
  static const char *const words[] = {"zero", "one", NULL, "three"};
  hk_table_builder *b = hk_table_builder_new();
  hk_error err;
  hk_table_builder_add_column(b, "a", HK_COL_INT64);
  hk_table_builder_add_column(b, "b", HK_COL_UTF8);
  hk_table_builder_add_column(b, "c", HK_COL_BOOL);
  for (int r = 0; r < 4; r++) {
    hk_table_builder_append_int64(b, 0, r * 10);
    if (words[r])
      hk_table_builder_append_utf8(b, 1, words[r], strlen(words[r]));
    else
      hk_table_builder_append_null(b, 1);
    hk_table_builder_append_bool(b, 2, r % 2);
  }
  if (hk_table_builder_export_schema(b, schema, &err) != HK_OK ||
      hk_table_builder_finish_batch(b, array, &err) != HK_OK)
    diag("make_input: %s", err.msg);
  hk_table_builder_free(b);
}

/* The added columns: B utf8 (replaces b), d float64; `pad` nulls first,
 * then `rows` values "B<i>" and i + 0.5. */
static hk_table_builder *
make_added(int64_t pad, int rows)
{
  hk_table_builder *b = hk_table_builder_new();
  hk_table_builder_add_column(b, "B", HK_COL_UTF8);
  hk_table_builder_add_column(b, "d", HK_COL_FLOAT64);
  if (hk_splice_pad(b, pad) != HK_OK)
    diag("hk_splice_pad failed");
  for (int i = 0; i < rows; i++) {
    char s[16];
    snprintf(s, sizeof s, "B%d", i);
    hk_table_builder_append_utf8(b, 0, s, strlen(s));
    hk_table_builder_append_float64(b, 1, i + 0.5);
  }
  return b;
}

/* Every cell of a batch as "name=text" lines joined by ';' (rows by '|'). */
static const char *
dump(const struct ArrowSchema *schema, const struct ArrowArray *array)
{
  static char out[1024];
  hk_batch_view v;
  hk_error err;
  size_t at = 0;
  out[0] = '\0';
  if (hk_batch_view_init(&v, schema, array, &err) != HK_OK) {
    snprintf(out, sizeof out, "(invalid: %s)", err.msg);
    return out;
  }
  for (int64_t r = 0; r < v.rows; r++) {
    for (int64_t c = 0; c < v.columns; c++) {
      char cell[64];
      hk_batch_view_format_cell(&v, c, r, cell, sizeof cell);
      at += (size_t)snprintf(out + at, sizeof out - at, "%s%s=%s",
                             c ? ";" : (r ? "|" : ""),
                             hk_batch_view_column_name(&v, c),
                             hk_batch_view_is_null(&v, c, r) ? "~" : cell);
    }
  }
  hk_batch_view_release(&v);
  return out;
}

static void
test_replace_and_add(void)
{
  struct ArrowSchema in_s, add_s, out_s;
  struct ArrowArray in, add, out;
  struct ArrowArray *shared_a, *shared_c, *added_d;
  struct ArrowSchema *shared_a_schema;
  const int64_t map[] = {0, -1, 2, -2};
  hk_table_builder *b = make_added(0, 4);
  hk_error err;

  make_input(&in_s, &in);
  hk_table_builder_export_schema(b, &add_s, &err);
  hk_table_builder_finish_batch(b, &add, &err);
  shared_a = in.children[0];
  shared_c = in.children[2];
  added_d = add.children[1];
  shared_a_schema = in_s.children[0];

  is_int(hk_splice_schema(&in_s, &add_s, map, 4, &out_s, &err), HK_OK,
         "splice_schema: OK");
  ok(in_s.release == NULL && add_s.release == NULL,
     "splice_schema: both schemas moved (left released)");
  is_int(hk_table_validate_schema(&out_s, &err), HK_OK,
         "the spliced schema validates");
  is_str(out_s.format, "+s", "spliced schema is a struct");
  is_int(out_s.n_children, 4, "four columns");
  ok(out_s.children[0] == shared_a_schema,
     "an input column's schema is the input's own child");

  is_int(hk_splice_batch(&in, &add, map, 4, &out, &err), HK_OK,
         "splice_batch: OK");
  ok(in.release == NULL && add.release == NULL,
     "splice_batch: both batches moved (left released)");
  is_int(out.length, 4, "output length is the input's");
  ok(out.children[0] == shared_a && out.children[2] == shared_c,
     "input columns are shared by pointer, not copied");
  ok(out.children[3] == added_d, "added columns are the builder's children");
  is_int(hk_table_validate_batch(&out_s, &out, &err), HK_OK,
         "the spliced batch validates");
  is_str(dump(&out_s, &out),
         "a=0;B=B0;c=false;d=0.5|a=10;B=B1;c=true;d=1.5|"
         "a=20;B=B2;c=false;d=2.5|a=30;B=B3;c=true;d=3.5",
         "cells: a and c from the input, B replaces b, d added");
  hk_array_release(&out);
  ok(out.release == NULL, "releasing the output marks it released");
  hk_schema_release(&out_s);
  hk_table_builder_free(b);
}

static void
test_offset_and_drop(void)
{
  struct ArrowSchema in_s, add_s, out_s;
  struct ArrowArray in, add, out;
  const int64_t map[] = {-2, 1, 0};
  hk_table_builder *b;
  hk_error err;

  make_input(&in_s, &in);
  /* A slice of rows 1..3: the parent's offset applies to every child. */
  in.offset = 1;
  in.length = 3;
  b = make_added(in.offset, 3);
  is_int(hk_table_builder_row_count(b), 4, "pad + rows = offset + length");
  hk_table_builder_export_schema(b, &add_s, &err);
  hk_table_builder_finish_batch(b, &add, &err);

  /* Column c is left out: released with the input. */
  is_int(hk_splice_schema(&in_s, &add_s, map, 3, &out_s, &err), HK_OK,
         "schema with a dropped column");
  is_int(hk_splice_batch(&in, &add, map, 3, &out, &err), HK_OK,
         "batch of a sliced input");
  is_int(out.offset, 1, "the output keeps the input's offset");
  is_int(out.length, 3, "and its length");
  is_str(dump(&out_s, &out),
         "d=0.5;b=one;a=10|d=1.5;b=~;a=20|d=2.5;b=three;a=30",
         "padding rows are skipped; order follows the map; b's null kept");
  hk_array_release(&out);
  hk_schema_release(&out_s);
  hk_table_builder_free(b);
}

static void
test_move_child(void)
{
  struct ArrowSchema in_s, add_s, out_s, kept_s;
  struct ArrowArray in, add, out, kept, kept_in;
  const int64_t map[] = {1, -1};
  hk_table_builder *b = make_added(0, 4);
  hk_error err;

  make_input(&in_s, &in);
  hk_table_builder_export_schema(b, &add_s, &err);
  hk_table_builder_finish_batch(b, &add, &err);
  hk_splice_schema(&in_s, &add_s, map, 2, &out_s, &err);
  hk_splice_batch(&in, &add, map, 2, &out, &err);

  /* Move out column 0 (the input's b) and column 1 (the builder's B),
   * then release the parents: the moved children must stay usable. */
  kept_in = *out.children[0];
  out.children[0]->release = NULL;
  kept = *out.children[1];
  out.children[1]->release = NULL;
  kept_s = *out_s.children[1];
  out_s.children[1]->release = NULL;
  hk_array_release(&out);
  hk_schema_release(&out_s);
  is_int(kept.length, 4, "a moved added child outlives its spliced parent");
  is_int(kept_in.length, 4, "so does a moved input child");
  is_int(kept_in.n_buffers, 3, "and still has its utf8 buffers");
  is_str(kept_s.name, "B", "a moved child schema too");
  ok(kept.release != NULL && kept_in.release != NULL,
     "moved children are released on their own");
  hk_array_release(&kept);
  hk_array_release(&kept_in);
  hk_schema_release(&kept_s);
  ok(kept.release == NULL && kept_in.release == NULL && kept_s.release == NULL,
     "released");
  hk_table_builder_free(b);
}

/* One refused splice; both inputs must be left released. */
static void
refuse(const int64_t *map, int64_t n, int64_t in_offset, int added_rows,
       const char *want, const char *what)
{
  struct ArrowSchema in_s, add_s, out_s;
  struct ArrowArray in, add, out;
  hk_table_builder *b = make_added(0, added_rows);
  hk_error err;
  int rc;

  make_input(&in_s, &in);
  in.offset = in_offset;
  in.length = 4 - in_offset;
  hk_table_builder_export_schema(b, &add_s, &err);
  hk_table_builder_finish_batch(b, &add, &err);
  hk_error_clear(&err);
  memset(&out, 0, sizeof out);
  rc = hk_splice_batch(&in, &add, map, n, &out, &err);
  is_int(rc, HK_E_INVAL, "%s: batch refused", what);
  is_str(err.msg, want, "%s: message", what);
  ok(in.release == NULL && add.release == NULL && out.release == NULL,
     "%s: inputs released, no output", what);
  if (strstr(want, "hk_splice_pad")) {
    hk_schema_release(&in_s);
    hk_schema_release(&add_s);
  } else {
    memset(&out_s, 0, sizeof out_s);
    rc = hk_splice_schema(&in_s, &add_s, map, n, &out_s, &err);
    is_int(rc, HK_E_INVAL, "%s: schema refused", what);
    is_str(err.msg, want, "%s: schema message", what);
    ok(in_s.release == NULL && add_s.release == NULL && out_s.release == NULL,
       "%s: schemas released, no output", what);
  }
  hk_table_builder_free(b);
}

static void
test_refusals(void)
{
  const int64_t bad_in[] = {0, 3};
  const int64_t bad_add[] = {-3};
  const int64_t twice[] = {0, 1, 0};
  const int64_t twice_add[] = {-1, -1};
  const int64_t added[] = {0, -1};
  struct ArrowArray in, add, out;
  struct ArrowSchema in_s;
  hk_error err;

  refuse(bad_in, 2, 0, 4,
         "splice: output column 1 maps to input column 3, which does not "
         "exist (3 columns)",
         "input index out of range");
  refuse(bad_add, 1, 0, 4,
         "splice: output column 0 maps to added column 2, which does not "
         "exist (2 columns)",
         "added index out of range");
  refuse(twice, 3, 0, 4, "splice: input column 0 is mapped twice",
         "an input column twice");
  refuse(twice_add, 2, 0, 4, "splice: added column 0 is mapped twice",
         "an added column twice");
  refuse(added, -1, 0, 4, "splice: -1 output columns", "negative count");
  refuse(added, 2, 1, 3,
         "splice: added column 0 has 3 values; the input needs its offset + "
         "length = 4 (pad it with hk_splice_pad)",
         "added column not padded for the offset");

  /* A released input. */
  make_input(&in_s, &in);
  hk_schema_release(&in_s);
  memset(&add, 0, sizeof add);
  hk_array_release(&in);
  hk_table_builder *b = make_added(0, 4);
  hk_table_builder_finish_batch(b, &add, &err);
  is_int(hk_splice_batch(&in, &add, added, 2, &out, &err), HK_E_INVAL,
         "released input: refused");
  is_str(err.msg, "splice: the input batch is released",
         "released input: message");
  ok(add.release == NULL, "released input: the added batch is released");
  hk_table_builder_free(b);
}

static void
test_pad(void)
{
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowSchema s;
  struct ArrowArray a;
  hk_error err;

  hk_table_builder_add_column(b, "x", HK_COL_INT64);
  hk_table_builder_add_column(b, "y", HK_COL_UTF8);
  is_int(hk_splice_pad(b, 0), HK_OK, "pad 0: OK");
  is_int(hk_table_builder_row_count(b), 0, "pad 0 appends nothing");
  is_int(hk_splice_pad(b, 3), HK_OK, "pad 3: OK");
  is_int(hk_table_builder_row_count(b), 3, "three rows in every column");
  hk_table_builder_export_schema(b, &s, &err);
  hk_table_builder_finish_batch(b, &a, &err);
  is_str(dump(&s, &a), "x=~;y=~|x=~;y=~|x=~;y=~", "all null");
  hk_array_release(&a);
  hk_schema_release(&s);
  hk_table_builder_free(b);
}

/* No added batch: a projection of the input, reordered, offset kept. */
static void
test_projection(void)
{
  struct ArrowSchema in_s, out_s;
  struct ArrowArray in, out;
  struct ArrowArray *b_child, *a_child;
  const int64_t map[] = {1, 0};
  const int64_t with_added[] = {0, -1};
  hk_error err;

  make_input(&in_s, &in);
  in.offset = 1;
  in.length = 3;
  b_child = in.children[1];
  a_child = in.children[0];
  is_int(hk_splice_schema(&in_s, NULL, map, 2, &out_s, &err), HK_OK,
         "projection: schema without an added one");
  is_int(hk_splice_batch(&in, NULL, map, 2, &out, &err), HK_OK,
         "projection: batch without an added one");
  ok(in.release == NULL && in_s.release == NULL, "projection: input taken");
  ok(out.children[0] == b_child && out.children[1] == a_child &&
         out.n_children == 2,
     "projection: the input's own children, in the map's order");
  is_int(out.offset, 1, "projection: offset kept");
  is_str(out_s.children[0]->name, "b", "projection: first column is b");
  is_int(hk_table_validate_batch(&out_s, &out, &err), HK_OK,
         "projection validates: %s", err.msg);
  hk_array_release(&out);
  hk_schema_release(&out_s);

  make_input(&in_s, &in);
  hk_error_clear(&err);
  is_int(hk_splice_batch(&in, NULL, with_added, 2, &out, &err), HK_E_INVAL,
         "projection: an added column without an added batch is refused");
  is_str(err.msg,
         "splice: output column 1 maps to added column 0, which does not "
         "exist (0 columns)",
         "projection: and says which");
  ok(in.release == NULL, "projection: input released on refusal");
  hk_schema_release(&in_s);
}

int
main(void)
{
  (void)plan; /* tap.h: plan() unused with a lazy plan */
  plan_lazy();
  test_replace_and_add();
  test_offset_and_drop();
  test_move_child();
  test_refusals();
  test_pad();
  test_projection();
  return done_testing();
}
