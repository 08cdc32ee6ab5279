/*
 * tests/sdk/test_stream.c -- the C Stream Interface producers
 * (hk_stream_init_callbacks, hk_stream_init_batches) and the consumer
 * helpers (hk_stream_next, hk_stream_schema, release helpers, the row
 * cursor).
 */
#include <errno.h>
#include <huntkit/table.h>

#include "../tap.h"

/* A producer of `total` one-column batches; fails at batch `fail_at`
 * (when >= 0) with `fail_code`. */
struct producer {
  hk_table_builder *b;
  int next, total, fail_at, fail_code;
  int *freed;
};

static int
p_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  struct producer *p = ud;
  return hk_table_builder_export_schema(p->b, out, err);
}

static int
p_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  struct producer *p = ud;

  if (p->next == p->fail_at)
    return hk_error_set(err, p->fail_code, "api.example: token expired");
  if (p->next >= p->total)
    return HK_OK; /* out->release stays NULL: the end */
  hk_table_builder_append_int64(p->b, 0, p->next++);
  return hk_table_builder_finish_batch(p->b, out, err);
}

static void
p_free(void *ud)
{
  struct producer *p = ud;
  (*p->freed)++;
  hk_table_builder_free(p->b);
  free(p);
}

static struct producer *
producer_new(int total, int fail_at, int fail_code, int *freed)
{
  struct producer *p = calloc(1, sizeof *p);
  p->b = hk_table_builder_new();
  hk_table_builder_add_column(p->b, "n", HK_COL_INT64);
  p->total = total;
  p->fail_at = fail_at;
  p->fail_code = fail_code;
  p->freed = freed;
  return p;
}

static const hk_stream_callbacks callbacks = {sizeof(hk_stream_callbacks),
                                              p_schema, p_next, p_free};

static void
test_callbacks(void)
{
  struct ArrowArrayStream s;
  struct ArrowSchema schema;
  struct ArrowArray a;
  hk_batch_view v;
  hk_error err;
  int freed = 0, rc, values = 0, batches = 0;

  hk_error_clear(&err);
  rc = hk_stream_init_callbacks(&s, &callbacks, producer_new(3, -1, 0, &freed),
                                &err);
  is_int(rc, HK_OK, "callback stream created");
  is_int(s.get_schema(&s, &schema), 0, "get_schema returns 0");
  is_str(schema.format, "+s", "schema is a struct");
  ok(s.get_last_error(&s) == NULL, "no last error yet");
  for (;;) {
    rc = hk_stream_next(&s, &a, &err);
    if (rc != HK_OK || !a.release)
      break;
    batches++;
    if (hk_batch_view_init(&v, &schema, &a, &err) == HK_OK) {
      values += (int)hk_batch_view_int64(&v, 0, 0);
      hk_batch_view_release(&v);
    }
    hk_array_release(&a);
  }
  is_int(rc, HK_OK, "stream ends without error");
  is_int(batches, 3, "three batches");
  is_int(values, 0 + 1 + 2, "their values");
  is_int(s.get_next(&s, &a), 0, "get_next after the end returns 0");
  ok(a.release == NULL, "... with a released array again");
  hk_schema_release(&schema);
  hk_stream_release(&s);
  ok(s.release == NULL, "release sets release to NULL");
  is_int(freed, 1, "free_ud called once");
  hk_stream_release(&s);
  hk_stream_release(NULL);
  is_int(freed, 1, "releasing again does nothing");

  /* Error path: errno EIO and the producer's message. */
  freed = 0;
  hk_stream_init_callbacks(&s, &callbacks,
                           producer_new(5, 1, HK_E_AUTH, &freed), &err);
  is_int(s.get_next(&s, &a), 0, "first batch");
  hk_array_release(&a);
  is_int(s.get_next(&s, &a), EIO, "failing get_next returns EIO");
  ok(a.release == NULL, "nothing to release after a failure");
  is_str(s.get_last_error(&s), "api.example: token expired",
         "get_last_error has the producer's message");
  is_int(s.get_next(&s, &a), EIO, "the stream stays failed");
  is_int(hk_stream_next(&s, &a, &err), HK_E_IO, "hk_stream_next: HK_E_IO");
  is_str(err.msg, "reading a batch: api.example: token expired",
         "hk_stream_next message");
  hk_stream_release(&s);
  is_int(freed, 1, "failed stream frees its producer");

  /* errno mapping for NOMEM and INVAL. */
  freed = 0;
  hk_stream_init_callbacks(&s, &callbacks,
                           producer_new(5, 0, HK_E_NOMEM, &freed), &err);
  is_int(s.get_next(&s, &a), ENOMEM, "HK_E_NOMEM -> ENOMEM");
  hk_stream_release(&s);
  hk_stream_init_callbacks(&s, &callbacks,
                           producer_new(5, 0, HK_E_INVAL, &freed), &err);
  is_int(s.get_next(&s, &a), EINVAL, "HK_E_INVAL -> EINVAL");
  is_int(hk_stream_next(&s, &a, &err), HK_E_INVAL, "EINVAL -> HK_E_INVAL");
  hk_stream_release(&s);
  is_int(freed, 2, "both producers freed");

  /* Refused callbacks: the user data is still freed. */
  {
    hk_stream_callbacks bad = callbacks;
    freed = 0;
    bad.next = NULL;
    rc = hk_stream_init_callbacks(&s, &bad, producer_new(1, -1, 0, &freed),
                                  &err);
    is_int(rc, HK_E_INVAL, "callbacks without next refused");
    is_int(freed, 1, "refused stream frees the user data");
  }
}

static void
make_batches(struct ArrowSchema *schema, struct ArrowArray *batches, int n)
{
  hk_table_builder *b = hk_table_builder_new();
  hk_error err;

  hk_table_builder_add_column(b, "s", HK_COL_UTF8);
  hk_table_builder_export_schema(b, schema, &err);
  for (int i = 0; i < n; i++) {
    char text[16];
    int len = snprintf(text, sizeof text, "batch %d", i);
    hk_table_builder_append_utf8(b, 0, text, (size_t)len);
    hk_table_builder_finish_batch(b, &batches[i], &err);
  }
  hk_table_builder_free(b);
}

static void
test_batches(void)
{
  struct ArrowArrayStream s;
  struct ArrowSchema schema, s1, s2;
  struct ArrowArray batches[3], a;
  hk_error err;
  int i, good = 1;

  make_batches(&schema, batches, 3);
  is_int(hk_stream_init_batches(&s, &schema, batches, 3, &err), HK_OK,
         "batches stream");
  ok(schema.release == NULL && batches[0].release == NULL,
     "schema and batches were moved into the stream");
  is_int(hk_stream_schema(&s, &s1, &err), HK_OK, "schema once");
  is_int(hk_stream_schema(&s, &s2, &err), HK_OK, "schema twice");
  ok(s1.children[0] != s2.children[0], "each get_schema is its own copy");
  is_str(s2.children[0]->name, "s", "copied column name");
  is_str(s2.children[0]->format, "u", "copied column format");
  is_int(s2.children[0]->flags, ARROW_FLAG_NULLABLE, "copied flags");
  hk_schema_release(&s1);
  for (i = 0; i < 3; i++) {
    hk_batch_view v = {0};
    char want[16], got[32];
    snprintf(want, sizeof want, "batch %d", i);
    good &= hk_stream_next(&s, &a, &err) == HK_OK && a.release &&
            hk_batch_view_init(&v, &s2, &a, &err) == HK_OK;
    if (a.release && v.priv) {
      hk_batch_view_format_cell(&v, 0, 0, got, sizeof got);
      good &= strcmp(got, want) == 0;
      hk_batch_view_release(&v);
    }
    hk_array_release(&a);
  }
  ok(good, "three batches in order");
  is_int(hk_stream_next(&s, &a, &err), HK_OK, "then the end");
  ok(a.release == NULL, "end is a released array");
  is_int(s.get_next(&s, &a), 0, "the end repeats");
  ok(a.release == NULL, "still released");
  hk_schema_release(&s2);
  hk_stream_release(&s);

  /* Released with batches left over: they are freed (valgrind checks). */
  make_batches(&schema, batches, 3);
  hk_stream_init_batches(&s, &schema, batches, 3, &err);
  hk_stream_next(&s, &a, &err);
  hk_array_release(&a);
  hk_stream_release(&s);
  ok(s.release == NULL, "stream with unread batches released");

  /* Zero batches. */
  make_batches(&schema, batches, 0);
  is_int(hk_stream_init_batches(&s, &schema, NULL, 0, &err), HK_OK,
         "an empty stream");
  is_int(hk_stream_next(&s, &a, &err), HK_OK, "empty stream: end at once");
  ok(a.release == NULL, "empty stream yields nothing");
  hk_stream_release(&s);

  /* A refused init still takes (and frees) what it was given. */
  make_batches(&schema, batches, 2);
  is_int(hk_stream_init_batches(NULL, &schema, batches, 2, &err), HK_E_INVAL,
         "no output stream refused");
  ok(schema.release == NULL && batches[1].release == NULL,
     "refused init released the schema and batches");

  /* Consumer helpers refuse a released stream. */
  is_int(hk_stream_next(&s, &a, &err), HK_E_INVAL, "released stream");
  is_str(err.msg, "reading a batch: the stream is missing or released",
         "released stream message");
}

/* The row cursor walks batches of 2, 0 and 3 rows as rows 0..4, skipping
 * the empty batch, and passes a producer's failure through. */
static void
test_row_cursor(void)
{
  static const int sizes[3] = {2, 0, 3};
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowSchema schema;
  struct ArrowArray batches[3];
  struct ArrowArrayStream s;
  hk_row_cursor c;
  hk_error err;
  int64_t v = 100, seen = 0, ok_rows = 1;
  int rc, freed = 0;

  hk_table_builder_add_column(b, "n", HK_COL_INT64);
  hk_table_builder_export_schema(b, &schema, &err);
  for (int i = 0; i < 3; i++) {
    for (int k = 0; k < sizes[i]; k++)
      hk_table_builder_append_int64(b, 0, v++);
    hk_table_builder_finish_batch(b, &batches[i], &err);
  }
  hk_table_builder_free(b);
  hk_stream_init_batches(&s, &schema, batches, 3, &err);
  is_int(hk_row_cursor_init(&c, &s, &err), HK_OK, "cursor: init");
  ok(s.release == NULL, "cursor: init takes the stream");
  is_str(c.schema.children[0]->name, "n", "cursor: schema read");
  while ((rc = hk_row_cursor_next(&c, &err)) > 0) {
    if (c.row_base + c.row != seen ||
        hk_batch_view_int64(&c.view, 0, c.row) != 100 + seen)
      ok_rows = 0;
    seen++;
  }
  is_int(rc, 0, "cursor: ends with 0");
  is_int(seen, 5, "cursor: 5 rows over batches of 2, 0 and 3");
  ok(ok_rows, "cursor: row_base + row numbers the rows 0..4 in order");
  is_int(hk_row_cursor_next(&c, &err), 0, "cursor: stays at the end");
  hk_row_cursor_release(&c);
  hk_row_cursor_release(&c); /* twice is safe */

  hk_stream_init_callbacks(&s, &callbacks,
                           producer_new(5, 2, HK_E_AUTH, &freed), &err);
  hk_row_cursor_init(&c, &s, &err);
  seen = 0;
  while ((rc = hk_row_cursor_next(&c, &err)) > 0)
    seen++;
  is_int(seen, 2, "cursor: the rows before the failure");
  ok(rc < 0, "cursor: the failure is returned");
  like(err.msg, "api.example: token expired", "cursor: with its message");
  hk_row_cursor_release(&c);
  is_int(freed, 1, "cursor: release frees the producer once");
}

int
main(void)
{
  (void)plan; /* tap.h: plan() unused with a lazy plan */
  plan_lazy();
  test_callbacks();
  test_batches();
  test_row_cursor();
  return done_testing();
}
