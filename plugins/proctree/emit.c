/*
 * plugins/proctree/emit.c -- writing the tree as a table: the input
 * columns plus proc_key, parent_key, path, depth, IsRoot, IsLeaf,
 * IsBranch, IsSynthetic and source_index, rows in depth-first tree order.
 * Included by proctree.c.
 */

static const char *const pt_added_columns[] = {
    "proc_key", "parent_key", "path",        "depth",       "IsRoot",
    "IsLeaf",   "IsBranch",   "IsSynthetic", "source_index"};
#define PT_N_ADDED (sizeof pt_added_columns / sizeof pt_added_columns[0])

#define PT_BATCH_ROWS 8192

typedef struct pt_output {
  pt_tree *tree;
  hk_table_builder *builder;
  int64_t *sel; /* node indices to emit, in order */
  int64_t n_sel;
  int64_t next;
  int64_t *in_col;  /* output column -> input column (-1: added column) */
  int *synth_field; /* input column -> PT_F_* a synthesized row fills, -1 */
  size_t n_in_out;  /* input columns carried */
  hk_buf key, tmp;
  int64_t *anc; /* ordinals of a row's ancestors */
  size_t anc_cap;
} pt_output;

/* MSTICPy's key "name|pid|time" (lower-cased, time rounded to 10 µs),
 * with "|host" when the table has a host column, so keys stay unique
 * across hosts. */
static void
pt_append_key(const pt_tree *t, const pt_node *n, hk_buf *b)
{
  char tmp[256];
  size_t len;
  const char *s = pt_node_name(t, n, &len, tmp, sizeof tmp);
  for (size_t i = 0; i < len; i++)
    hk_buf_append_char(b, (char)pt_lower((unsigned char)s[i]));
  hk_buf_append_char(b, '|');
  s = pt_node_field(t, n, PT_F_PID, &len, tmp, sizeof tmp);
  for (size_t i = 0; s && i < len; i++)
    hk_buf_append_char(b, (char)pt_lower((unsigned char)s[i]));
  hk_buf_append_char(b, '|');
  char ts[96];
  pt_format_key_time(n->time_us, ts, sizeof ts);
  hk_buf_append_str(b, ts);
  s = pt_node_host(t, n, &len, tmp, sizeof tmp);
  if (s) {
    hk_buf_append_char(b, '|');
    hk_buf_append(b, s, len);
  }
}

static int
pt_copy_cell(hk_table_builder *ob, size_t oc, const pt_batch *b, int64_t col,
             int64_t row)
{
  const hk_batch_view *v = &b->view;
  if (hk_batch_view_is_null(v, col, row))
    return hk_table_builder_append_null(ob, oc);
  switch (hk_batch_view_column_type(v, col)) {
  case HK_COL_INT64:
    return hk_table_builder_append_int64(ob, oc,
                                         hk_batch_view_int64(v, col, row));
  case HK_COL_FLOAT64:
    return hk_table_builder_append_float64(ob, oc,
                                           hk_batch_view_float64(v, col, row));
  case HK_COL_BOOL:
    return hk_table_builder_append_bool(ob, oc,
                                        hk_batch_view_bool(v, col, row));
  case HK_COL_UTF8: {
    size_t len;
    const char *s = hk_batch_view_utf8(v, col, row, &len);
    return hk_table_builder_append_utf8(ob, oc, s, len);
  }
  case HK_COL_TIMESTAMP:
    return hk_table_builder_append_timestamp(
        ob, oc, hk_batch_view_timestamp(v, col, row));
  default:
    return hk_table_builder_append_null(ob, oc);
  }
}

/* A synthesized parent's cell for input column `col`: the parent's field
 * as the naming row reports it, converted to the column's type. */
static int
pt_synth_cell(const pt_output *o, const pt_node *n, size_t oc, int64_t col)
{
  const pt_tree *t = o->tree;
  const pt_batch *b = pt_node_batch(t, n);
  hk_table_builder *ob = o->builder;
  int type = hk_batch_view_column_type(&b->view, col);
  if (col == t->cols.host)
    return pt_copy_cell(ob, oc, b, col, n->row);
  int f = o->synth_field[col];
  int64_t src = f >= 0 ? t->cols.col[n->level][f] : -1;
  if (src < 0 || hk_batch_view_is_null(&b->view, src, n->row))
    return hk_table_builder_append_null(ob, oc);
  if (hk_batch_view_column_type(&b->view, src) == type)
    return pt_copy_cell(ob, oc, b, src, n->row);
  char tmp[128];
  size_t len;
  const char *s = pt_cell_text(b, src, n->row, &len, tmp, sizeof tmp);
  int64_t us;
  switch (type) {
  case HK_COL_UTF8:
    return s ? hk_table_builder_append_utf8(ob, oc, s, len)
             : hk_table_builder_append_null(ob, oc);
  case HK_COL_INT64:
    if (f == PT_F_PID && n->pid != PT_NO_PID && n->pid >= 0)
      return hk_table_builder_append_int64(ob, oc, n->pid);
    break;
  case HK_COL_FLOAT64:
    if (f == PT_F_PID && n->pid != PT_NO_PID && n->pid >= 0)
      return hk_table_builder_append_float64(ob, oc, (double)n->pid);
    break;
  case HK_COL_TIMESTAMP:
    if (f == PT_F_TIME && pt_cell_time(b, src, n->row, &us))
      return hk_table_builder_append_timestamp(ob, oc, us);
    break;
  }
  return hk_table_builder_append_null(ob, oc);
}

static int
pt_emit_row(pt_output *o, int64_t ni)
{
  pt_tree *t = o->tree;
  const pt_node *n = &t->nodes[ni];
  hk_table_builder *ob = o->builder;
  int rc = HK_OK;
  for (size_t oc = 0; oc < o->n_in_out && rc == HK_OK; oc++) {
    int64_t col = o->in_col[oc];
    rc = n->level == PT_LV_SELF
             ? pt_copy_cell(ob, oc, pt_node_batch(t, n), col, n->row)
             : pt_synth_cell(o, n, oc, col);
  }
  if (rc != HK_OK)
    return rc;
  size_t oc = o->n_in_out;
  hk_buf_reset(&o->key);
  pt_append_key(t, n, &o->key);
  rc |= hk_table_builder_append_utf8(ob, oc++, o->key.data, o->key.len);
  if (n->parent == PT_NONE) {
    rc |= hk_table_builder_append_null(ob, oc++);
  } else {
    hk_buf_reset(&o->key);
    pt_append_key(t, &t->nodes[n->parent], &o->key);
    rc |= hk_table_builder_append_utf8(ob, oc++, o->key.data, o->key.len);
  }
  /* path: ordinals from the root down */
  hk_buf_reset(&o->tmp);
  size_t depth = 0;
  for (int64_t x = ni; x != PT_NONE; x = t->nodes[x].parent) {
    if (depth == o->anc_cap) {
      size_t nc = o->anc_cap ? o->anc_cap * 2 : 64;
      int64_t *p = realloc(o->anc, nc * sizeof *p);
      if (!p)
        return HK_E_NOMEM;
      o->anc = p;
      o->anc_cap = nc;
    }
    o->anc[depth++] = t->nodes[x].ordinal;
  }
  for (size_t k = depth; k > 0; k--) {
    char digits[24];
    int nd = 0;
    uint64_t v = (uint64_t)o->anc[k - 1]; /* ordinals are >= 0 */
    do
      digits[nd++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    if (k != depth)
      hk_buf_append_char(&o->tmp, '/');
    while (nd > 0)
      hk_buf_append_char(&o->tmp, digits[--nd]);
  }
  rc |= hk_table_builder_append_utf8(ob, oc++, o->tmp.data ? o->tmp.data : "",
                                     o->tmp.len);
  int has_children = t->child_start[ni + 1] > t->child_start[ni];
  int is_root = n->parent == PT_NONE;
  rc |= hk_table_builder_append_int64(ob, oc++, n->depth);
  rc |= hk_table_builder_append_bool(ob, oc++, is_root);
  rc |= hk_table_builder_append_bool(ob, oc++, !has_children);
  rc |= hk_table_builder_append_bool(ob, oc++, !is_root && has_children);
  rc |= hk_table_builder_append_bool(ob, oc++, n->level != PT_LV_SELF);
  rc |= n->src_index >= 0
            ? hk_table_builder_append_int64(ob, oc++, n->src_index)
            : hk_table_builder_append_null(ob, oc++);
  return rc ? HK_E_NOMEM : HK_OK;
}

static int
pt_output_init(pt_output *o, pt_tree *t, int64_t *sel, int64_t n_sel,
               hk_error *err)
{
  const hk_batch_view *v = &t->batches[0].view;
  memset(o, 0, sizeof *o);
  o->tree = t;
  o->sel = sel;
  o->n_sel = n_sel;
  o->builder = hk_table_builder_new();
  o->in_col = malloc(((size_t)v->columns + PT_N_ADDED) * sizeof *o->in_col);
  o->synth_field = malloc(((size_t)v->columns + 1) * sizeof *o->synth_field);
  if (!o->builder || !o->in_col || !o->synth_field)
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  for (int64_t c = 0; c < v->columns; c++) {
    const char *name = hk_batch_view_column_name(v, c);
    o->synth_field[c] = -1;
    for (int f = 0; f < PT_FIELDS; f++)
      if (t->cols.col[0][f] == c)
        o->synth_field[c] = f;
    int added = 0;
    for (size_t k = 0; k < PT_N_ADDED; k++)
      added |= strcmp(name, pt_added_columns[k]) == 0;
    if (added)
      continue; /* a tree fed in again: these are recomputed */
    if (hk_table_builder_add_column(o->builder, name,
                                    hk_batch_view_column_type(v, c)) < 0)
      return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
    o->in_col[o->n_in_out++] = c;
  }
  static const int added_type[PT_N_ADDED] = {
      HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8, HK_COL_INT64, HK_COL_BOOL,
      HK_COL_BOOL, HK_COL_BOOL, HK_COL_BOOL, HK_COL_INT64};
  for (size_t k = 0; k < PT_N_ADDED; k++)
    if (hk_table_builder_add_column(o->builder, pt_added_columns[k],
                                    added_type[k]) < 0)
      return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  return HK_OK;
}

static int
pt_output_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  pt_output *o = ud;
  memset(out, 0, sizeof *out);
  if (o->next >= o->n_sel)
    return HK_OK; /* end: out->release stays NULL */
  int64_t end = o->next + PT_BATCH_ROWS;
  if (end > o->n_sel)
    end = o->n_sel;
  for (; o->next < end; o->next++)
    if (pt_emit_row(o, o->sel[o->next]) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  return hk_table_builder_finish_batch(o->builder, out, err);
}

static int
pt_output_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  pt_output *o = ud;
  return hk_table_builder_export_schema(o->builder, out, err);
}
