/*
 * plugins/tableops/where.c -- the `where` analyzer: keep the rows for which
 * an expression is true.  Streaming: each input batch is filtered as it
 * arrives (a batch whose rows all pass is handed on untouched), so memory
 * stays at one batch whatever the input size.
 */
#include "tableops.h"

#include <stdlib.h>
#include <string.h>

typedef struct where_run {
  const void *state;
  tableops_input in;
  tableops_where *expr;
  hk_table_builder *b;
  uint8_t *keep;
  int64_t keep_cap;
} where_run;

static void
where_free(void *ud)
{
  where_run *r = ud;
  tableops_input_close(&r->in);
  tableops_where_free(r->expr);
  hk_table_builder_free(r->b);
  free(r->keep);
  free(r);
}

static int
where_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  where_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static int
where_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  where_run *r = ud;
  for (;;) {
    struct ArrowArray batch;
    hk_batch_view v;
    int rc = tableops_input_next(&r->in, &batch, err);
    if (rc != HK_OK)
      return rc;
    if (!batch.release) {
      out->release = NULL;
      return HK_OK;
    }
    rc = hk_batch_view_init(&v, &r->in.schema, &batch, err);
    if (rc != HK_OK) {
      tableops_error_context(err, "where: input batch");
      hk_array_release(&batch);
      return rc;
    }
    if (v.rows > r->keep_cap) {
      uint8_t *k = realloc(r->keep, (size_t)v.rows);
      if (!k) {
        hk_batch_view_release(&v);
        hk_array_release(&batch);
        return hk_error_set(err, HK_E_NOMEM, "where: out of memory");
      }
      r->keep = k;
      r->keep_cap = v.rows;
    }
    int64_t kept = tableops_where_eval(r->expr, &v, r->keep, err);
    if (kept < 0 || kept == 0 || kept == v.rows) {
      int64_t rows = v.rows;
      hk_batch_view_release(&v);
      if (kept < 0) {
        hk_array_release(&batch);
        return (int)kept;
      }
      if (kept > 0 && kept == rows) {
        *out = batch;
        return HK_OK;
      }
      hk_array_release(&batch);
      if (tableops_canceled(r->state))
        return hk_error_set(err, HK_E_CANCELED, "where: canceled");
      continue;
    }
    for (size_t c = 0; c < r->in.cols.n && rc == HK_OK; c++)
      rc = tableops_copy_rows(r->b, c, &v, (int64_t)c, r->in.cols.types[c],
                              r->keep, 0, v.rows);
    hk_batch_view_release(&v);
    hk_array_release(&batch);
    if (rc != HK_OK)
      return hk_error_set(err, rc, "where: cannot build the output batch");
    return hk_table_builder_finish_batch(r->b, out, err);
  }
}

static int
where_run_fn(void *state, const hk_config *options,
             struct ArrowArrayStream *input, struct ArrowArrayStream *output,
             hk_error *err)
{
  const char *text = tableops_host->config_get_string(options, "expr");
  where_run *r = calloc(1, sizeof *r);
  int rc;
  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "where: out of memory");
  }
  r->state = state;
  rc = tableops_where_parse(text ? text : "", &r->expr, err);
  if (rc != HK_OK) {
    hk_stream_release(input);
    free(r);
    return rc;
  }
  rc = tableops_input_open(&r->in, input, "where", err);
  if (rc == HK_OK)
    rc = tableops_where_bind(r->expr, &r->in.cols, err);
  if (rc == HK_OK) {
    r->b = tableops_builder_new(&r->in.cols, NULL, NULL, r->in.cols.n, "where",
                                err);
    if (!r->b)
      rc = err ? err->code : HK_E_NOMEM;
  }
  if (rc != HK_OK) {
    where_free(r);
    return rc;
  }
  return tableops_output_init(output, where_schema, where_next, where_free, r,
                              err);
}

static const hk_param where_options[] = {
    {"expr", HK_PT_STRING, HK_P_REST | HK_P_REQUIRED, NULL, NULL,
     "condition, e.g. EventID == 4688 and Computer contains \"dc\""},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt where_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = where_options,
    .create = tableops_state_create,
    .destroy = tableops_state_destroy,
    .run = where_run_fn,
};

const hk_plugin_desc tableops_where_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "where",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING,
    .summary = "keep the rows for which a condition is true",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &where_vt,
};
