/*
 * plugins/proctree/query.c -- tree queries (MSTICPy process_tree_utils):
 * roots, children, descendants, ancestors and siblings of one process, and
 * the summary.  Each returns node indices in tree order.  Included by
 * proctree.c.
 */

enum pt_query {
  PT_Q_NONE,
  PT_Q_ROOTS,
  PT_Q_CHILDREN,
  PT_Q_DESCENDANTS,
  PT_Q_ANCESTORS,
  PT_Q_SIBLINGS,
  PT_Q_SUMMARY
};

static int
pt_query_from_name(const char *s)
{
  static const char *const names[] = {"none",        "roots",     "children",
                                      "descendants", "ancestors", "siblings",
                                      "summary"};
  for (int i = 0; s && i < (int)(sizeof names / sizeof names[0]); i++)
    if (strcmp(s, names[i]) == 0)
      return i;
  return PT_Q_NONE;
}

/* The process named by `spec`: a proc_key, or a pid (decimal or 0x hex)
 * when it matches exactly one process. */
static int
pt_find_process(pt_tree *t, const char *spec, int64_t *out, hk_error *err)
{
  hk_buf key = HK_BUF_INIT;
  size_t sl = strlen(spec);
  for (int64_t i = 0; i < t->n_nodes; i++) {
    hk_buf_reset(&key);
    pt_append_key(t, &t->nodes[i], &key);
    if (key.len == sl && memcmp(key.data, spec, sl) == 0) {
      hk_buf_free(&key);
      *out = i;
      return HK_OK;
    }
  }
  int64_t pid = pt_parse_pid(spec, sl), found = -1, n_found = 0;
  hk_buf list = HK_BUF_INIT;
  for (int64_t k = 0; k < t->n_nodes && pid != PT_NO_PID; k++) {
    int64_t i = t->order[k];
    if (t->nodes[i].pid != pid)
      continue;
    if (n_found++ == 0)
      found = i;
    if (n_found <= 5) {
      hk_buf_reset(&key);
      pt_append_key(t, &t->nodes[i], &key);
      hk_buf_appendf(&list, "%s'%s'", n_found > 1 ? ", " : "", key.data);
    }
  }
  hk_buf_free(&key);
  int rc = HK_OK;
  if (n_found == 1)
    *out = found;
  else if (n_found > 1)
    rc = hk_error_set(err, HK_E_INVAL,
                      "proctree: process=%s matches %lld processes (PIDs are "
                      "reused); give its proc_key instead, one of: %s%s",
                      spec, (long long)n_found, list.data,
                      n_found > 5 ? ", ..." : "");
  else
    rc = hk_error_set(err, HK_E_NOTFOUND,
                      "proctree: process=%s: no process has that proc_key or "
                      "pid (%lld processes in the tree)",
                      spec, (long long)t->n_nodes);
  hk_buf_free(&list);
  return rc;
}

/* Fill *sel (allocated here) with the rows a query returns. */
static int
pt_select(pt_tree *t, int query, const char *process, int include,
          int64_t **sel, int64_t *n_sel, hk_error *err)
{
  int64_t n = t->n_nodes, k = 0, node = -1;
  int64_t *s = malloc((size_t)(n ? n : 1) * sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  if (query != PT_Q_NONE && query != PT_Q_ROOTS) {
    if (!process || !*process) {
      free(s);
      return hk_error_set(err, HK_E_INVAL,
                          "proctree: query=%s needs process=<proc_key or pid>",
                          query == PT_Q_CHILDREN      ? "children"
                          : query == PT_Q_DESCENDANTS ? "descendants"
                          : query == PT_Q_ANCESTORS   ? "ancestors"
                                                      : "siblings");
    }
    int rc = pt_find_process(t, process, &node, err);
    if (rc != HK_OK) {
      free(s);
      return rc;
    }
  }
  switch (query) {
  case PT_Q_NONE:
    memcpy(s, t->order, (size_t)n * sizeof *s);
    k = n;
    break;
  case PT_Q_ROOTS:
    for (int64_t i = 0; i < n; i++)
      if (t->nodes[t->order[i]].parent == PT_NONE)
        s[k++] = t->order[i];
    break;
  case PT_Q_CHILDREN:
    if (include)
      s[k++] = node;
    for (int64_t c = t->child_start[node]; c < t->child_start[node + 1]; c++)
      s[k++] = t->child_list[c];
    break;
  case PT_Q_DESCENDANTS: {
    int64_t p = t->pos[node], d = t->nodes[node].depth;
    if (include)
      s[k++] = node;
    for (p++; p < n && t->nodes[t->order[p]].depth > d; p++)
      s[k++] = t->order[p];
    break;
  }
  case PT_Q_ANCESTORS: {
    for (int64_t x = include ? node : t->nodes[node].parent; x != PT_NONE;
         x = t->nodes[x].parent)
      s[k++] = x;
    for (int64_t i = 0; i < k / 2; i++) {
      int64_t tmp = s[i];
      s[i] = s[k - 1 - i];
      s[k - 1 - i] = tmp;
    }
    break;
  }
  case PT_Q_SIBLINGS: {
    int64_t par = t->nodes[node].parent;
    if (par != PT_NONE) {
      for (int64_t c = t->child_start[par]; c < t->child_start[par + 1]; c++)
        if (include || t->child_list[c] != node)
          s[k++] = t->child_list[c];
    } else {
      /* a root's siblings: the other roots of its host */
      for (int64_t i = 0; i < n; i++) {
        const pt_node *x = &t->nodes[t->order[i]];
        if (x->parent == PT_NONE && x->host_ord == t->nodes[node].host_ord &&
            (include || t->order[i] != node))
          s[k++] = t->order[i];
      }
    }
    break;
  }
  }
  *sel = s;
  *n_sel = k;
  return HK_OK;
}

/* One row: MSTICPy's get_summary_info plus what huntkit adds. */
static int
pt_summary(pt_tree *t, struct ArrowArrayStream *output, hk_error *err)
{
  int64_t roots = 0, leaves = 0, branches = 0, isolated = 0, max_depth = -1;
  int32_t max_host = 0, unnamed_host = 0;
  for (int64_t i = 0; i < t->n_nodes; i++) {
    const pt_node *n = &t->nodes[i];
    int kids = t->child_start[i + 1] > t->child_start[i];
    roots += n->parent == PT_NONE;
    leaves += !kids;
    branches += n->parent != PT_NONE && kids;
    isolated += n->parent == PT_NONE && !kids;
    if (n->depth > max_depth)
      max_depth = n->depth;
    if (n->host_ord > max_host)
      max_host = n->host_ord;
    unnamed_host |= n->host_ord == 0;
  }
  static const char *const names[] = {"Processes",          "RootProcesses",
                                      "LeafProcesses",      "BranchProcesses",
                                      "IsolatedProcesses",  "LargestTreeDepth",
                                      "SyntheticProcesses", "Hosts",
                                      "DuplicateEvents",    "SkippedEvents"};
  int64_t vals[] = {t->n_nodes,      roots,
                    leaves,          branches,
                    isolated,        max_depth + 1,
                    t->n_synthetic,  max_host + unnamed_host,
                    t->n_duplicates, t->n_filtered + t->n_no_pid};
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowSchema schema;
  struct ArrowArray batch;
  int rc = b ? HK_OK : HK_E_NOMEM;
  size_t n_cols = sizeof names / sizeof names[0];
  for (size_t i = 0; rc == HK_OK && i < n_cols; i++)
    if (hk_table_builder_add_column(b, names[i], HK_COL_INT64) < 0)
      rc = HK_E_NOMEM;
  for (size_t i = 0; rc == HK_OK && i < n_cols; i++)
    if (hk_table_builder_append_int64(b, i, vals[i]) != HK_OK)
      rc = HK_E_NOMEM;
  if (rc != HK_OK) {
    hk_table_builder_free(b);
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  }
  rc = hk_table_builder_export_schema(b, &schema, err);
  if (rc == HK_OK) {
    rc = hk_table_builder_finish_batch(b, &batch, err);
    if (rc == HK_OK)
      rc = hk_stream_init_batches(output, &schema, &batch, 1, err);
    else
      hk_schema_release(&schema);
  }
  hk_table_builder_free(b);
  return rc;
}
