/*
 * plugins/tableops/head.c -- the `head` analyzer: the first n rows.  It
 * stops pulling (and releases the upstream stream) as soon as it has them,
 * so `file path=huge.json | head 5` reads only the first batch.
 */
#include "tableops.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct head_run {
  tableops_input in;
  hk_table_builder *b;
  int64_t remaining;
} head_run;

static void
head_free(void *ud)
{
  head_run *r = ud;
  tableops_input_close(&r->in);
  hk_table_builder_free(r->b);
  free(r);
}

static int
head_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  head_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static int
head_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  head_run *r = ud;
  for (;;) {
    struct ArrowArray batch;
    hk_batch_view v;
    if (r->remaining <= 0) {
      tableops_input_stop(&r->in);
      out->release = NULL;
      return HK_OK;
    }
    int rc = tableops_input_next(&r->in, &batch, err);
    if (rc != HK_OK)
      return rc;
    if (!batch.release) {
      out->release = NULL;
      return HK_OK;
    }
    if (batch.length == 0) {
      hk_array_release(&batch);
      continue;
    }
    if (batch.length <= r->remaining) {
      r->remaining -= batch.length;
      if (r->remaining == 0)
        tableops_input_stop(&r->in);
      *out = batch;
      return HK_OK;
    }
    rc = hk_batch_view_init(&v, &r->in.schema, &batch, err);
    if (rc != HK_OK) {
      tableops_error_context(err, "head: input batch");
      hk_array_release(&batch);
      return rc;
    }
    for (size_t c = 0; c < r->in.cols.n && rc == HK_OK; c++)
      rc = tableops_copy_rows(r->b, c, &v, (int64_t)c, r->in.cols.types[c],
                              NULL, 0, r->remaining);
    hk_batch_view_release(&v);
    hk_array_release(&batch);
    r->remaining = 0;
    tableops_input_stop(&r->in);
    if (rc != HK_OK)
      return hk_error_set(err, rc, "head: cannot build the output batch");
    return hk_table_builder_finish_batch(r->b, out, err);
  }
}

/* The row count: `n=5` or the free text `head 5`, not both. */
static int
head_count(const hk_config *options, int64_t *n, hk_error *err)
{
  const hk_host *h = tableops_host;
  const char *rest = h->config_get_string(options, "rows");
  if (rest && *rest) {
    char *end;
    while (*rest == ' ' || *rest == '\t')
      rest++;
    errno = 0;
    long long v = strtoll(rest, &end, 10);
    while (*end == ' ' || *end == '\t')
      end++;
    if (end == rest || *end || errno == ERANGE ||
        (rest[0] != '-' && (rest[0] < '0' || rest[0] > '9')))
      return hk_error_set(err, HK_E_INVAL,
                          "head: expected a row count such as 'head 10', got "
                          "'%s'",
                          rest);
    if (h->config_is_set(options, "n"))
      return hk_error_set(err, HK_E_INVAL,
                          "head: give the row count once: 'head %s' or "
                          "'head n=%s', not both",
                          rest, rest);
    *n = v;
  } else if (h->config_get_int(options, "n", n) != HK_OK) {
    *n = 10;
  }
  if (*n < 0)
    return hk_error_set(err, HK_E_INVAL,
                        "head: the row count must be 0 or more, got %lld",
                        (long long)*n);
  return HK_OK;
}

static int
head_run_fn(void *state, const hk_config *options,
            struct ArrowArrayStream *input, struct ArrowArrayStream *output,
            hk_error *err)
{
  (void)state;
  int64_t n;
  int rc = head_count(options, &n, err);
  if (rc != HK_OK) {
    hk_stream_release(input);
    return rc;
  }
  head_run *r = calloc(1, sizeof *r);
  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "head: out of memory");
  }
  r->remaining = n;
  rc = tableops_input_open(&r->in, input, "head", err);
  if (rc == HK_OK) {
    r->b = tableops_builder_new(&r->in.cols, NULL, NULL, r->in.cols.n, "head",
                                err);
    if (!r->b)
      rc = err ? err->code : HK_E_NOMEM;
  }
  if (rc != HK_OK) {
    head_free(r);
    return rc;
  }
  return tableops_output_init(output, head_schema, head_next, head_free, r,
                              err);
}

static const hk_param head_options[] = {
    {"n", HK_PT_INT, 0, "10", NULL, "rows to keep"},
    {"rows", HK_PT_STRING, HK_P_REST, NULL, NULL,
     "rows to keep, as free text: head 5"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt head_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = head_options,
    .create = tableops_state_create,
    .destroy = tableops_state_destroy,
    .run = head_run_fn,
};

const hk_plugin_desc tableops_head_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "head",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING,
    .summary = "keep the first n rows (default 10) and stop reading",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &head_vt,
};
