/*
 * plugins/tableops/count.c -- the `count` analyzer: `count` gives one row
 * with the number of input rows; `count by A, B` gives one row per distinct
 * (A, B) with its number of rows, most frequent first, ties by the keys
 * ascending (nulls last).  Only the groups are kept in memory: each key is
 * encoded as typed bytes (so 1 and "1" or 1.0 in different columns never
 * mix, and null is a group of its own) and found through a hash table.
 */
#include "tableops.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_NULL = 0, TAG_VALUE = 1, TAG_NAN = 2 };

typedef struct group {
  uint64_t hash;
  size_t off, len; /* encoded key in the arena */
  int64_t count;
} group;

typedef struct count_run {
  const void *state;
  tableops_input in;
  hk_table_builder *b;
  size_t *key_cols;
  size_t n_keys;
  hk_buf arena, scratch;
  group *groups;
  size_t n_groups, cap_groups;
  size_t *slots; /* group index + 1; 0 is empty */
  size_t n_slots;
  tableops_sort_item *order; /* key: ~count, handle: group index */
  size_t emitted;
  int64_t total;
  int drained;
} count_run;

static void
count_free(void *ud)
{
  count_run *r = ud;
  tableops_input_close(&r->in);
  hk_table_builder_free(r->b);
  free(r->key_cols);
  hk_buf_free(&r->arena);
  hk_buf_free(&r->scratch);
  free(r->groups);
  free(r->slots);
  free(r->order);
  free(r);
}

static int
count_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  count_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static uint64_t
fnv1a(const unsigned char *p, size_t n)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) {
    h ^= p[i];
    h *= 1099511628211ull;
  }
  return h;
}

static int
encode_key(count_run *r, const hk_batch_view *v, int64_t row)
{
  hk_buf *b = &r->scratch;
  int rc = HK_OK;
  hk_buf_reset(b);
  for (size_t k = 0; k < r->n_keys && rc == HK_OK; k++) {
    int64_t col = (int64_t)r->key_cols[k];
    int type = r->in.cols.types[col];
    unsigned char tag = TAG_VALUE;
    if (type == HK_COL_NULL || hk_batch_view_is_null(v, col, row)) {
      rc = hk_buf_append_char(b, TAG_NULL);
      continue;
    }
    switch (type) {
    case HK_COL_INT64:
    case HK_COL_TIMESTAMP: {
      int64_t x = type == HK_COL_INT64 ? hk_batch_view_int64(v, col, row)
                                       : hk_batch_view_timestamp(v, col, row);
      rc = hk_buf_append_char(b, (char)tag);
      if (rc == HK_OK)
        rc = hk_buf_append(b, &x, sizeof x);
      break;
    }
    case HK_COL_FLOAT64: {
      double x = hk_batch_view_float64(v, col, row);
      if (isnan(x)) {
        rc = hk_buf_append_char(b, TAG_NAN);
        break;
      }
      if (x == 0)
        x = 0; /* -0.0 and 0.0 are one group */
      rc = hk_buf_append_char(b, (char)tag);
      if (rc == HK_OK)
        rc = hk_buf_append(b, &x, sizeof x);
      break;
    }
    case HK_COL_BOOL:
      rc = hk_buf_append_char(b, (char)tag);
      if (rc == HK_OK)
        rc = hk_buf_append_char(b, hk_batch_view_bool(v, col, row) ? 1 : 0);
      break;
    case HK_COL_UTF8: {
      size_t len = 0;
      const char *s = hk_batch_view_utf8(v, col, row, &len);
      uint32_t l32 = (uint32_t)len;
      if (len > UINT32_MAX)
        return HK_E_LIMIT;
      rc = hk_buf_append_char(b, (char)tag);
      if (rc == HK_OK)
        rc = hk_buf_append(b, &l32, sizeof l32);
      if (rc == HK_OK && len)
        rc = hk_buf_append(b, s, len);
      break;
    }
    default:
      rc = hk_buf_append_char(b, TAG_NULL);
      break;
    }
  }
  return rc;
}

static int
grow_slots(count_run *r)
{
  size_t n = r->n_slots ? r->n_slots * 2 : 1024;
  size_t *s = calloc(n, sizeof *s);
  if (!s)
    return HK_E_NOMEM;
  for (size_t g = 0; g < r->n_groups; g++) {
    size_t i = (size_t)r->groups[g].hash & (n - 1);
    while (s[i])
      i = (i + 1) & (n - 1);
    s[i] = g + 1;
  }
  free(r->slots);
  r->slots = s;
  r->n_slots = n;
  return HK_OK;
}

/* Count the row whose key is in r->scratch. */
static int
add_row(count_run *r)
{
  const unsigned char *key = (const unsigned char *)r->scratch.data;
  size_t len = r->scratch.len;
  uint64_t h = fnv1a(key, len);
  if ((r->n_groups + 1) * 4 > r->n_slots * 3 && grow_slots(r) != HK_OK)
    return HK_E_NOMEM;
  size_t i = (size_t)h & (r->n_slots - 1);
  while (r->slots[i]) {
    group *g = &r->groups[r->slots[i] - 1];
    if (g->hash == h && g->len == len &&
        memcmp(r->arena.data + g->off, key, len) == 0) {
      g->count++;
      return HK_OK;
    }
    i = (i + 1) & (r->n_slots - 1);
  }
  if (r->n_groups == r->cap_groups) {
    size_t ncap = r->cap_groups ? r->cap_groups * 2 : 256;
    group *ng = realloc(r->groups, ncap * sizeof *ng);
    if (!ng)
      return HK_E_NOMEM;
    r->groups = ng;
    r->cap_groups = ncap;
  }
  group *g = &r->groups[r->n_groups];
  g->hash = h;
  g->off = r->arena.len;
  g->len = len;
  g->count = 1;
  if (hk_buf_append(&r->arena, key, len) != HK_OK)
    return HK_E_NOMEM;
  r->slots[i] = ++r->n_groups;
  return HK_OK;
}

/* One decoded key value. */
typedef struct key_val {
  int tag;
  int64_t i;
  double f;
  const char *s;
  size_t len;
} key_val;

static const char *
decode(const char *p, int type, key_val *out)
{
  out->tag = (unsigned char)*p++;
  if (out->tag != TAG_VALUE)
    return p;
  switch (type) {
  case HK_COL_INT64:
  case HK_COL_TIMESTAMP:
    memcpy(&out->i, p, sizeof out->i);
    return p + sizeof out->i;
  case HK_COL_FLOAT64:
    memcpy(&out->f, p, sizeof out->f);
    return p + sizeof out->f;
  case HK_COL_BOOL:
    out->i = *p;
    return p + 1;
  case HK_COL_UTF8: {
    uint32_t l32;
    memcpy(&l32, p, sizeof l32);
    out->s = p + sizeof l32;
    out->len = l32;
    return out->s + l32;
  }
  default:
    return p;
  }
}

static int
cmp_vals(const key_val *a, const key_val *b, int type)
{
  if (a->tag != b->tag) {
    /* values, then NaN, then null */
    static const int rank[] = {2, 0, 1};
    return rank[a->tag] < rank[b->tag] ? -1 : 1;
  }
  if (a->tag != TAG_VALUE)
    return 0;
  switch (type) {
  case HK_COL_FLOAT64:
    return a->f < b->f ? -1 : a->f > b->f;
  case HK_COL_UTF8: {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c)
      return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
  }
  default:
    return a->i < b->i ? -1 : a->i > b->i;
  }
}

static int
cmp_groups(const tableops_sort_item *x, const tableops_sort_item *y, void *ctx)
{
  const count_run *r = ctx;
  if (x->key != y->key) /* most frequent first */
    return x->key < y->key ? -1 : 1;
  const group *a = &r->groups[x->handle], *b = &r->groups[y->handle];
  const char *pa = r->arena.data + a->off, *pb = r->arena.data + b->off;
  for (size_t k = 0; k < r->n_keys; k++) {
    int type = r->in.cols.types[r->key_cols[k]];
    key_val va, vb;
    pa = decode(pa, type, &va);
    pb = decode(pb, type, &vb);
    int c = cmp_vals(&va, &vb, type);
    if (c)
      return c;
  }
  return 0;
}

static int
drain(count_run *r, hk_error *err)
{
  for (;;) {
    struct ArrowArray batch;
    hk_batch_view v;
    int rc = tableops_input_next(&r->in, &batch, err);
    if (rc != HK_OK)
      return rc;
    if (!batch.release)
      break;
    if (tableops_canceled(r->state)) {
      hk_array_release(&batch);
      return hk_error_set(err, HK_E_CANCELED, "count: canceled");
    }
    if (r->n_keys == 0) {
      r->total += batch.length;
      hk_array_release(&batch);
      continue;
    }
    rc = hk_batch_view_init(&v, &r->in.schema, &batch, err);
    if (rc != HK_OK) {
      tableops_error_context(err, "count: input batch");
      hk_array_release(&batch);
      return rc;
    }
    for (int64_t row = 0; row < v.rows && rc == HK_OK; row++) {
      rc = encode_key(r, &v, row);
      if (rc == HK_OK)
        rc = add_row(r);
    }
    hk_batch_view_release(&v);
    hk_array_release(&batch);
    if (rc == HK_E_LIMIT)
      return hk_error_set(err, rc, "count: a key value is over 4 GiB");
    if (rc != HK_OK)
      return hk_error_set(err, HK_E_NOMEM,
                          "count: out of memory after %zu "
                          "groups",
                          r->n_groups);
  }
  if (r->n_keys == 0)
    return HK_OK;
  r->order = malloc((r->n_groups ? r->n_groups : 1) * sizeof *r->order);
  if (!r->order)
    return hk_error_set(err, HK_E_NOMEM, "count: out of memory");
  for (size_t g = 0; g < r->n_groups; g++) {
    r->order[g].key = ~(uint64_t)r->groups[g].count;
    r->order[g].handle = g;
  }
  if (tableops_sort_items(r->order, r->n_groups, cmp_groups, r) != HK_OK)
    return hk_error_set(err, HK_E_NOMEM, "count: out of memory");
  return HK_OK;
}

static int
append_key(hk_table_builder *b, size_t col, int type, const key_val *kv)
{
  if (kv->tag == TAG_NULL)
    return hk_table_builder_append_null(b, col);
  switch (type) {
  case HK_COL_INT64:
    return hk_table_builder_append_int64(b, col, kv->i);
  case HK_COL_TIMESTAMP:
    return hk_table_builder_append_timestamp(b, col, kv->i);
  case HK_COL_FLOAT64:
    return hk_table_builder_append_float64(b, col,
                                           kv->tag == TAG_NAN ? NAN : kv->f);
  case HK_COL_BOOL:
    return hk_table_builder_append_bool(b, col, (int)kv->i);
  case HK_COL_UTF8:
    return hk_table_builder_append_utf8(b, col, kv->s, kv->len);
  default:
    return hk_table_builder_append_null(b, col);
  }
}

static int
count_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  count_run *r = ud;
  int rc = HK_OK;
  if (!r->drained) {
    r->drained = 1;
    rc = drain(r, err);
    if (rc != HK_OK)
      return rc;
    if (r->n_keys == 0) {
      rc = hk_table_builder_append_int64(r->b, 0, r->total);
      if (rc != HK_OK)
        return hk_error_set(err, rc, "count: cannot build the output");
      r->emitted = 1;
      return hk_table_builder_finish_batch(r->b, out, err);
    }
  }
  if (r->n_keys == 0 || r->emitted >= r->n_groups) {
    out->release = NULL;
    return HK_OK;
  }
  size_t end = r->emitted + TABLEOPS_BATCH_ROWS;
  if (end > r->n_groups)
    end = r->n_groups;
  for (size_t i = r->emitted; i < end && rc == HK_OK; i++) {
    const group *g = &r->groups[r->order[i].handle];
    const char *p = r->arena.data + g->off;
    for (size_t k = 0; k < r->n_keys && rc == HK_OK; k++) {
      int type = r->in.cols.types[r->key_cols[k]];
      key_val kv;
      p = decode(p, type, &kv);
      rc = append_key(r->b, k, type, &kv);
    }
    if (rc == HK_OK)
      rc = hk_table_builder_append_int64(r->b, r->n_keys, g->count);
  }
  if (rc != HK_OK)
    return hk_error_set(err, rc, "count: cannot build the output batch");
  r->emitted = end;
  return hk_table_builder_finish_batch(r->b, out, err);
}

static int
count_plan(count_run *r, const tableops_name_list *l, const char *name,
           hk_error *err)
{
  const tableops_columns *c = &r->in.cols;
  r->key_cols = calloc(l->n + 1, sizeof *r->key_cols);
  if (!r->key_cols)
    return hk_error_set(err, HK_E_NOMEM, "count: out of memory");
  for (size_t i = 0; i < l->n; i++) {
    int64_t col = tableops_columns_find(c, l->items[i].name);
    if (col < 0)
      return tableops_error_no_column(err, "count", l->items[i].name, c);
    for (size_t j = 0; j < i; j++)
      if (r->key_cols[j] == (size_t)col)
        return hk_error_set(err, HK_E_INVAL,
                            "count: column '%s' is listed twice after 'by'",
                            l->items[i].name);
    if (strcmp(c->names[col], name) == 0)
      return hk_error_set(err, HK_E_INVAL,
                          "count: the key column '%s' has the name of the "
                          "count column; pick another with name=, e.g. "
                          "'count name=n by %s'",
                          name, name);
    r->key_cols[i] = (size_t)col;
  }
  r->n_keys = l->n;
  r->b = tableops_builder_new(c, r->key_cols, NULL, r->n_keys, "count", err);
  if (!r->b)
    return err ? err->code : HK_E_NOMEM;
  int rc = hk_table_builder_add_column(r->b, name, HK_COL_INT64);
  if (rc < 0)
    return hk_error_set(err, rc, "count: cannot add column '%s'", name);
  return HK_OK;
}

static int
count_run_fn(void *state, const hk_config *options,
             struct ArrowArrayStream *input, struct ArrowArrayStream *output,
             hk_error *err)
{
  const hk_host *h = tableops_host;
  const char *name = h->config_get_string(options, "name");
  tableops_name_list l;
  if (!name || !*name)
    name = "count";
  int rc =
      tableops_parse_names(h->config_get_string(options, "by"), "count",
                           TABLEOPS_NAMES_BY | TABLEOPS_NAMES_EMPTY, &l, err);
  if (rc != HK_OK) {
    hk_stream_release(input);
    return rc;
  }
  count_run *r = calloc(1, sizeof *r);
  if (!r) {
    tableops_name_list_free(&l);
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "count: out of memory");
  }
  r->state = state;
  rc = tableops_input_open(&r->in, input, "count", err);
  if (rc == HK_OK)
    rc = count_plan(r, &l, name, err);
  tableops_name_list_free(&l);
  if (rc != HK_OK) {
    count_free(r);
    return rc;
  }
  return tableops_output_init(output, count_schema, count_next, count_free, r,
                              err);
}

static const hk_param count_options[] = {
    {"by", HK_PT_STRING, HK_P_REST, NULL, NULL,
     "group by these columns: by Computer, EventID"},
    {"name", HK_PT_STRING, 0, "count", NULL, "name of the count column"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt count_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = count_options,
    .create = tableops_state_create,
    .destroy = tableops_state_destroy,
    .run = count_run_fn,
};

const hk_plugin_desc tableops_count_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "count",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = 0,
    .summary = "count rows, or rows per distinct value of columns (count by A)",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &count_vt,
};
