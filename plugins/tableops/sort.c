/*
 * plugins/tableops/sort.c -- the `sort` analyzer: order rows by one or more
 * columns.  It drains its input, keeps the batches as they came and sorts
 * an array of (batch, row) handles -- 8 bytes a row -- instead of copying
 * cells; the output is built in batches from the handles.  The sort is
 * stable; nulls (and NaN) go last whatever the direction unless nulls=first.
 */
#include "tableops.h"

#include <stdlib.h>
#include <string.h>

typedef struct sort_key {
  int64_t col;
  int type;
  int desc;
} sort_key;

/* One kept input batch.  Each lives at a fixed address: the view points
 * at the array. */
typedef struct sort_batch {
  struct ArrowArray array;
  hk_batch_view view;
} sort_batch;

typedef struct sort_run {
  const void *state;
  tableops_input in;
  hk_table_builder *b;
  sort_key *keys;
  size_t n_keys;
  int nulls_first;
  sort_batch **batches;
  size_t n_batches, cap_batches;
  tableops_sort_item *order; /* handle: batch << 32 | row */
  size_t n_rows, emitted;
  int drained;
} sort_run;

static void
release_batches(sort_run *r)
{
  for (size_t i = 0; i < r->n_batches; i++) {
    hk_batch_view_release(&r->batches[i]->view);
    hk_array_release(&r->batches[i]->array);
    free(r->batches[i]);
  }
  free(r->batches);
  r->batches = NULL;
  r->n_batches = r->cap_batches = 0;
}

static void
sort_free(void *ud)
{
  sort_run *r = ud;
  release_batches(r);
  tableops_input_close(&r->in);
  hk_table_builder_free(r->b);
  free(r->keys);
  free(r->order);
  free(r);
}

static int
sort_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  sort_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

#define MISSING_BIT (UINT64_C(1) << 63)
#define HANDLE_BATCH(h) ((size_t)(((h) & ~MISSING_BIT) >> 32))
#define HANDLE_ROW(h) ((int64_t)((h)&0xFFFFFFFFu))

/* Keys `from`.. of two rows, through the batch views. */
static int
cmp_keys(const sort_run *r, uint64_t x, uint64_t y, size_t from)
{
  const hk_batch_view *va = &r->batches[HANDLE_BATCH(x)]->view;
  const hk_batch_view *vb = &r->batches[HANDLE_BATCH(y)]->view;
  int64_t ra = HANDLE_ROW(x), rb = HANDLE_ROW(y);
  for (size_t k = from; k < r->n_keys; k++) {
    const sort_key *key = &r->keys[k];
    bool ma = tableops_cell_is_missing(va, key->col, key->type, ra);
    bool mb = tableops_cell_is_missing(vb, key->col, key->type, rb);
    if (ma || mb) {
      if (ma && mb)
        continue;
      return (ma ? 1 : -1) * (r->nulls_first ? -1 : 1);
    }
    int c = tableops_cell_cmp(va, key->col, ra, vb, key->col, rb, key->type);
    if (c)
      return key->desc ? -c : c;
  }
  return 0;
}

static int
cmp_items(const tableops_sort_item *x, const tableops_sort_item *y, void *ctx)
{
  const sort_run *r = ctx;
  bool mx = (x->handle & MISSING_BIT) != 0, my = (y->handle & MISSING_BIT) != 0;
  if (mx != my)
    return (mx ? 1 : -1) * (r->nulls_first ? -1 : 1);
  if (!mx) {
    if (x->key != y->key)
      return x->key < y->key ? -1 : 1;
    /* Equal 8-byte prefixes say nothing about the rest of a string. */
    if (r->keys[0].type == HK_COL_UTF8) {
      int c = cmp_keys(r, x->handle, y->handle, 0);
      if (c)
        return c;
    }
  }
  return cmp_keys(r, x->handle, y->handle, 1);
}

/* An encoding of the first key whose unsigned order is the key's order
 * (direction included); missing cells are flagged in the handle. */
static void
first_key(const sort_run *r, const hk_batch_view *v, int64_t row,
          tableops_sort_item *it)
{
  const sort_key *key = &r->keys[0];
  uint64_t k = 0;
  if (tableops_cell_is_missing(v, key->col, key->type, row)) {
    it->key = 0;
    it->handle |= MISSING_BIT;
    return;
  }
  switch (key->type) {
  case HK_COL_INT64:
    k = (uint64_t)hk_batch_view_int64(v, key->col, row) ^ MISSING_BIT;
    break;
  case HK_COL_TIMESTAMP:
    k = (uint64_t)hk_batch_view_timestamp(v, key->col, row) ^ MISSING_BIT;
    break;
  case HK_COL_BOOL:
    k = hk_batch_view_bool(v, key->col, row) != 0;
    break;
  case HK_COL_FLOAT64: {
    double d = hk_batch_view_float64(v, key->col, row);
    if (d == 0)
      d = 0; /* -0.0 sorts as 0.0 */
    memcpy(&k, &d, sizeof k);
    k = (k & MISSING_BIT) ? ~k : k | MISSING_BIT;
    break;
  }
  case HK_COL_UTF8: {
    size_t len = 0;
    const unsigned char *s =
        (const unsigned char *)hk_batch_view_utf8(v, key->col, row, &len);
    for (size_t i = 0; i < 8; i++)
      k = k << 8 | (i < len ? s[i] : 0);
    break;
  }
  default:
    break;
  }
  it->key = key->desc ? ~k : k;
}

static int
drain(sort_run *r, hk_error *err)
{
  for (;;) {
    struct ArrowArray batch;
    int rc = tableops_input_next(&r->in, &batch, err);
    if (rc != HK_OK)
      return rc;
    if (!batch.release)
      break;
    if (tableops_canceled(r->state)) {
      hk_array_release(&batch);
      return hk_error_set(err, HK_E_CANCELED, "sort: canceled");
    }
    if (batch.length == 0) {
      hk_array_release(&batch);
      continue;
    }
    if (batch.length > (int64_t)UINT32_MAX || r->n_batches >= INT32_MAX) {
      hk_array_release(&batch);
      return hk_error_set(err, HK_E_LIMIT,
                          "sort: input batches too large or too many");
    }
    if (r->n_batches == r->cap_batches) {
      size_t ncap = r->cap_batches ? r->cap_batches * 2 : 16;
      sort_batch **nb = realloc(r->batches, ncap * sizeof *nb);
      if (!nb) {
        hk_array_release(&batch);
        return hk_error_set(err, HK_E_NOMEM, "sort: out of memory");
      }
      r->batches = nb;
      r->cap_batches = ncap;
    }
    sort_batch *sb = malloc(sizeof *sb);
    if (!sb) {
      hk_array_release(&batch);
      return hk_error_set(err, HK_E_NOMEM, "sort: out of memory");
    }
    sb->array = batch;
    rc = hk_batch_view_init(&sb->view, &r->in.schema, &sb->array, err);
    if (rc != HK_OK) {
      tableops_error_context(err, "sort: input batch");
      hk_array_release(&sb->array);
      free(sb);
      return rc;
    }
    r->batches[r->n_batches] = sb;
    r->n_batches++;
    r->n_rows += (size_t)batch.length;
  }
  r->order = malloc((r->n_rows ? r->n_rows : 1) * sizeof *r->order);
  if (!r->order)
    return hk_error_set(err, HK_E_NOMEM, "sort: out of memory for %zu rows",
                        r->n_rows);
  size_t k = 0;
  for (size_t b = 0; b < r->n_batches; b++) {
    const hk_batch_view *v = &r->batches[b]->view;
    for (int64_t row = 0; row < v->rows; row++, k++) {
      r->order[k].handle = (uint64_t)b << 32 | (uint64_t)row;
      first_key(r, v, row, &r->order[k]);
    }
  }
  if (tableops_sort_items(r->order, r->n_rows, cmp_items, r) != HK_OK)
    return hk_error_set(err, HK_E_NOMEM, "sort: out of memory for %zu rows",
                        r->n_rows);
  return HK_OK;
}

static int
sort_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  sort_run *r = ud;
  int rc = HK_OK;
  if (!r->drained) {
    r->drained = 1;
    rc = drain(r, err);
    if (rc != HK_OK)
      return rc;
  }
  if (r->emitted >= r->n_rows) {
    release_batches(r);
    out->release = NULL;
    return HK_OK;
  }
  size_t end = r->emitted + TABLEOPS_BATCH_ROWS;
  if (end > r->n_rows)
    end = r->n_rows;
  for (size_t c = 0; c < r->in.cols.n && rc == HK_OK; c++) {
    int type = r->in.cols.types[c];
    for (size_t i = r->emitted; i < end && rc == HK_OK; i++) {
      uint64_t h = r->order[i].handle;
      rc = tableops_copy_cell(r->b, c, &r->batches[HANDLE_BATCH(h)]->view,
                              (int64_t)c, type, HANDLE_ROW(h));
    }
  }
  if (rc != HK_OK)
    return hk_error_set(err, rc, "sort: cannot build the output batch");
  r->emitted = end;
  return hk_table_builder_finish_batch(r->b, out, err);
}

static int
sort_keys(sort_run *r, const tableops_name_list *l, hk_error *err)
{
  r->keys = calloc(l->n, sizeof *r->keys);
  if (!r->keys)
    return hk_error_set(err, HK_E_NOMEM, "sort: out of memory");
  for (size_t i = 0; i < l->n; i++) {
    int64_t col = tableops_columns_find(&r->in.cols, l->items[i].name);
    if (col < 0)
      return tableops_error_no_column(err, "sort", l->items[i].name,
                                      &r->in.cols);
    r->keys[i].col = col;
    r->keys[i].type = r->in.cols.types[col];
    r->keys[i].desc = l->items[i].negated || l->items[i].direction < 0;
  }
  r->n_keys = l->n;
  return HK_OK;
}

static int
sort_run_fn(void *state, const hk_config *options,
            struct ArrowArrayStream *input, struct ArrowArrayStream *output,
            hk_error *err)
{
  const hk_host *h = tableops_host;
  tableops_name_list l;
  int rc = tableops_parse_names(
      h->config_get_string(options, "keys"), "sort",
      TABLEOPS_NAMES_BY | TABLEOPS_NAMES_SIGN | TABLEOPS_NAMES_DIR, &l, err);
  if (rc != HK_OK) {
    hk_stream_release(input);
    return rc;
  }
  sort_run *r = calloc(1, sizeof *r);
  if (!r) {
    tableops_name_list_free(&l);
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "sort: out of memory");
  }
  r->state = state;
  const char *nulls = h->config_get_string(options, "nulls");
  r->nulls_first = nulls && strcmp(nulls, "first") == 0;
  rc = tableops_input_open(&r->in, input, "sort", err);
  if (rc == HK_OK)
    rc = sort_keys(r, &l, err);
  if (rc == HK_OK) {
    r->b = tableops_builder_new(&r->in.cols, NULL, NULL, r->in.cols.n, "sort",
                                err);
    if (!r->b)
      rc = err ? err->code : HK_E_NOMEM;
  }
  tableops_name_list_free(&l);
  if (rc != HK_OK) {
    sort_free(r);
    return rc;
  }
  return tableops_output_init(output, sort_schema, sort_next, sort_free, r,
                              err);
}

static const hk_param sort_options[] = {
    {"keys", HK_PT_STRING, HK_P_REST | HK_P_REQUIRED, NULL, NULL,
     "columns to sort by: -count, Computer  or  count desc, Computer asc"},
    {"nulls", HK_PT_STRING, 0, "last", "last|first",
     "where null and NaN cells go, in both directions"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt sort_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = sort_options,
    .create = tableops_state_create,
    .destroy = tableops_state_destroy,
    .run = sort_run_fn,
};

const hk_plugin_desc tableops_sort_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "sort",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = 0,
    .summary = "order rows by columns (stable; nulls last)",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &sort_vt,
};
