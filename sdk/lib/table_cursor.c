/*
 * table_cursor.c -- hk_row_cursor: row-by-row iteration over a stream that
 * survives returning from get_next in the middle of an input batch.
 */
#include "sdk_internal.h"

#include <string.h>

int
hk_row_cursor_init(hk_row_cursor *c, struct ArrowArrayStream *input,
                   hk_error *err)
{
  int rc;

  memset(c, 0, sizeof *c);
  c->struct_size = sizeof *c;
  c->input = *input;
  input->release = NULL;
  rc = hk_stream_schema(&c->input, &c->schema, err);
  if (rc != HK_OK)
    hk_row_cursor_release(c);
  return rc;
}

int
hk_row_cursor_next(hk_row_cursor *c, hk_error *err)
{
  int rc;

  for (;;) {
    if (c->have_batch) {
      if (++c->row < c->view.rows)
        return 1;
      c->row_base += c->view.rows;
      hk_batch_view_release(&c->view);
      hk_array_release(&c->batch);
      c->have_batch = 0;
    }
    if (c->at_end)
      return 0;
    rc = hk_stream_next(&c->input, &c->batch, err);
    if (rc != HK_OK)
      return rc;
    if (!c->batch.release) {
      c->at_end = 1;
      return 0;
    }
    rc = hk_batch_view_init(&c->view, &c->schema, &c->batch, err);
    if (rc != HK_OK) {
      hk_array_release(&c->batch);
      hk_error_prefix(err, "input batch: ");
      return rc;
    }
    c->have_batch = 1;
    c->row = -1;
  }
}

void
hk_row_cursor_release(hk_row_cursor *c)
{
  if (c->have_batch) {
    hk_batch_view_release(&c->view);
    hk_array_release(&c->batch);
    c->have_batch = 0;
  }
  hk_schema_release(&c->schema);
  hk_stream_release(&c->input);
}
