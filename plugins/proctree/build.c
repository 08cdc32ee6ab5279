/*
 * plugins/proctree/build.c -- turning process events into a tree.
 *
 * Three ways to find a parent (pt_link_mode):
 *  - as-of (MSTICPy §11.2): the latest process on the same host, created at
 *    or before the child, whose pid is the child's parent pid and, when the
 *    schema names the parent, whose name matches too.  PIDs get reused, so
 *    time decides.  Unlike MSTICPy the join includes the host.
 *  - GUID (Sysmon): ProcessGuid == ParentProcessGuid.
 *  - exact (Defender): the parent's (name, pid, creation time) as the
 *    child's row reports them.
 * A parent that is not in the data is synthesized once from the fields of
 * the rows that name it (marked IsSynthetic); for Defender its own parent
 * is then looked up (or synthesized) from the grandparent fields.
 * Included by proctree.c.
 */

/* ------------------------------------------------------------ node text */

static const pt_batch *
pt_node_batch(const pt_tree *t, const pt_node *n)
{
  return &t->batches[n->batch];
}

/* A field of a node as text (borrowed from the input, or formatted into
 * tmp); NULL when absent. */
static const char *
pt_node_field(const pt_tree *t, const pt_node *n, int field, size_t *len,
              char *tmp, size_t cap)
{
  return pt_cell_text(pt_node_batch(t, n), t->cols.col[n->level][field], n->row,
                      len, tmp, cap);
}

/* The name used in keys and comparisons: the file name for Defender (its
 * columns mix paths and file names), "unknown" when absent. */
static const char *
pt_node_name(const pt_tree *t, const pt_node *n, size_t *len, char *tmp,
             size_t cap)
{
  const char *s = pt_node_field(t, n, PT_F_NAME, len, tmp, cap);
  if (s && t->cols.basename_names)
    pt_basename(&s, len);
  if (!s || *len == 0) {
    *len = 7;
    return "unknown";
  }
  return s;
}

static const char *
pt_node_host(const pt_tree *t, const pt_node *n, size_t *len, char *tmp,
             size_t cap)
{
  return pt_cell_text(pt_node_batch(t, n), t->cols.host, n->row, len, tmp, cap);
}

/* Fill `n` with the level-`level` process described by row (batch, row). */
static void
pt_node_init(const pt_tree *t, pt_node *n, uint32_t batch, uint32_t row,
             int level, uint64_t host_h, int32_t host_ord)
{
  char tmp[128];
  size_t len;
  const pt_batch *b = &t->batches[batch];
  memset(n, 0, sizeof *n);
  n->batch = batch;
  n->row = row;
  n->level = level;
  n->host_h = host_h;
  n->host_ord = host_ord;
  n->parent = PT_NONE;
  n->src_index = level == PT_LV_SELF ? b->first_row + row : -1;
  n->pid = pt_cell_pid(b, t->cols.col[level][PT_F_PID], row);
  if (!pt_cell_time(b, t->cols.col[level][PT_F_TIME], row, &n->time_us))
    n->time_us = 0;
  const char *name = pt_node_name(t, n, &len, tmp, sizeof tmp);
  n->name_h = pt_hash_ci(PT_FNV_OFFSET, name, len);
}

enum { PT_ID_FULL, PT_ID_NOTIME, PT_ID_GUID };

static uint64_t
pt_ident_hash(const pt_tree *t, const pt_node *n, int mode)
{
  if (mode == PT_ID_GUID) {
    char tmp[128];
    size_t len;
    const char *g = pt_node_field(t, n, PT_F_GUID, &len, tmp, sizeof tmp);
    return pt_mix(n->host_h, pt_hash_ci(PT_FNV_OFFSET, g ? g : "", len));
  }
  uint64_t h = pt_mix(pt_mix(n->host_h, (uint64_t)n->pid), n->name_h);
  return mode == PT_ID_FULL ? pt_mix(h, (uint64_t)n->time_us) : h;
}

static int
pt_text_eq(const char *a, size_t an, const char *b, size_t bn)
{
  if (!a || !b)
    return !a && !b;
  return pt_eq_ci(a, an, b, bn);
}

static int
pt_ident_eq(const pt_tree *t, const pt_node *a, const pt_node *b, int mode)
{
  char ta[256], tb[256];
  size_t an, bn;
  const char *x, *y;
  if (a->host_h != b->host_h)
    return 0;
  x = pt_node_host(t, a, &an, ta, sizeof ta);
  y = pt_node_host(t, b, &bn, tb, sizeof tb);
  if (!pt_text_eq(x, an, y, bn))
    return 0;
  if (mode == PT_ID_GUID) {
    x = pt_node_field(t, a, PT_F_GUID, &an, ta, sizeof ta);
    y = pt_node_field(t, b, PT_F_GUID, &bn, tb, sizeof tb);
    return pt_text_eq(x, an, y, bn);
  }
  if (a->pid != b->pid || a->name_h != b->name_h)
    return 0;
  if (mode == PT_ID_FULL && a->time_us != b->time_us)
    return 0;
  x = pt_node_name(t, a, &an, ta, sizeof ta);
  y = pt_node_name(t, b, &bn, tb, sizeof tb);
  return pt_eq_ci(x, an, y, bn);
}

/* ------------------------------------------------------------ hash map */

/* Open addressing from identity hash to node index; several nodes may
 * share a hash, so finds compare identities. */
typedef struct pt_map {
  uint64_t *h;
  int64_t *v;
  size_t cap, n;
} pt_map;

static void
pt_map_free(pt_map *m)
{
  free(m->h);
  free(m->v);
  memset(m, 0, sizeof *m);
}

static int
pt_map_grow(pt_map *m, size_t want)
{
  size_t cap = 64;
  while (cap < want * 2)
    cap *= 2;
  uint64_t *h = malloc(cap * sizeof *h);
  int64_t *v = malloc(cap * sizeof *v);
  if (!h || !v) {
    free(h);
    free(v);
    return HK_E_NOMEM;
  }
  for (size_t i = 0; i < cap; i++)
    v[i] = -1;
  for (size_t i = 0; i < m->cap; i++) {
    if (m->v[i] < 0)
      continue;
    size_t j = m->h[i] & (cap - 1);
    while (v[j] >= 0)
      j = (j + 1) & (cap - 1);
    h[j] = m->h[i];
    v[j] = m->v[i];
  }
  free(m->h);
  free(m->v);
  m->h = h;
  m->v = v;
  m->cap = cap;
  return HK_OK;
}

static int
pt_map_put(pt_map *m, uint64_t h, int64_t v)
{
  if ((m->n + 1) * 2 > m->cap &&
      pt_map_grow(m, m->n + 1 > 1024 ? (m->n + 1) * 2 : 1024) != HK_OK)
    return HK_E_NOMEM;
  size_t j = h & (m->cap - 1);
  while (m->v[j] >= 0)
    j = (j + 1) & (m->cap - 1);
  m->h[j] = h;
  m->v[j] = v;
  m->n++;
  return HK_OK;
}

static int64_t
pt_map_find(const pt_map *m, uint64_t h, const pt_tree *t, const pt_node *probe,
            int mode)
{
  if (!m->cap)
    return -1;
  size_t j = h & (m->cap - 1);
  while (m->v[j] >= 0) {
    if (m->h[j] == h && pt_ident_eq(t, &t->nodes[m->v[j]], probe, mode))
      return m->v[j];
    j = (j + 1) & (m->cap - 1);
  }
  return -1;
}

/* ------------------------------------------------------------ building */

static int
pt_push_node(pt_tree *t, int64_t *cap, const pt_node *n)
{
  if (t->n_nodes == *cap) {
    int64_t nc = *cap ? *cap * 2 : 1024;
    pt_node *p = realloc(t->nodes, (size_t)nc * sizeof *p);
    if (!p)
      return HK_E_NOMEM;
    t->nodes = p;
    *cap = nc;
  }
  t->nodes[t->n_nodes++] = *n;
  return HK_OK;
}

/* The event filter: 1 when the row is a process-creation event. */
static int
pt_row_selected(const pt_tree *t, const pt_batch *b, int64_t row)
{
  if (t->cols.event < 0)
    return 1;
  if (hk_batch_view_column_type(&b->view, t->cols.event) == HK_COL_INT64) {
    /* numeric EventID: compare as numbers, no formatting per row */
    char *end;
    long long want = strtoll(t->cols.event_value, &end, 10);
    return *end == '\0' &&
           !hk_batch_view_is_null(&b->view, t->cols.event, row) &&
           hk_batch_view_int64(&b->view, t->cols.event, row) == want;
  }
  char tmp[64];
  size_t len;
  const char *s = pt_cell_text(b, t->cols.event, row, &len, tmp, sizeof tmp);
  return s &&
         pt_eq_ci(s, len, t->cols.event_value, strlen(t->cols.event_value));
}

/* Read one node per selected row; drop repeated events. */
static int
pt_collect(pt_tree *t, int64_t *cap, pt_map *ident, hk_error *err)
{
  pt_map hosts = {0};
  int32_t n_hosts = 0;
  int mode = t->cols.link == PT_LINK_GUID ? PT_ID_GUID : PT_ID_FULL;
  for (size_t bi = 0; bi < t->n_batches; bi++) {
    const pt_batch *b = &t->batches[bi];
    if (t->host->is_canceled(t->inst)) {
      pt_map_free(&hosts);
      return hk_error_set(err, HK_E_CANCELED, "proctree: canceled");
    }
    for (int64_t r = 0; r < b->view.rows; r++) {
      if (!pt_row_selected(t, b, r)) {
        t->n_filtered++;
        continue;
      }
      char tmp[256];
      size_t hl;
      const char *hs = pt_cell_text(b, t->cols.host, r, &hl, tmp, sizeof tmp);
      uint64_t host_h = hs ? pt_hash_ci(PT_FNV_OFFSET, hs, hl) : 0;
      /* host ordinals keep hosts in order of first appearance */
      int32_t ord = 0;
      if (hs) {
        size_t j = hosts.cap ? host_h & (hosts.cap - 1) : 0;
        int64_t found = -1;
        while (hosts.cap && hosts.v[j] >= 0) {
          if (hosts.h[j] == host_h) {
            found = hosts.v[j];
            break;
          }
          j = (j + 1) & (hosts.cap - 1);
        }
        if (found < 0) {
          found = ++n_hosts;
          if (pt_map_put(&hosts, host_h, found) != HK_OK) {
            pt_map_free(&hosts);
            return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
          }
        }
        ord = (int32_t)found;
      }
      pt_node n;
      pt_node_init(t, &n, (uint32_t)bi, (uint32_t)r, PT_LV_SELF, host_h, ord);
      if (n.pid == PT_NO_PID) {
        t->n_no_pid++;
        continue;
      }
      int node_mode = mode;
      if (mode == PT_ID_GUID) {
        size_t gl;
        if (!pt_node_field(t, &n, PT_F_GUID, &gl, tmp, sizeof tmp))
          node_mode = PT_ID_FULL;
      }
      uint64_t h = pt_ident_hash(t, &n, node_mode);
      if (pt_map_find(ident, h, t, &n, node_mode) >= 0) {
        t->n_duplicates++;
        continue;
      }
      if (pt_push_node(t, cap, &n) != HK_OK ||
          pt_map_put(ident, h, t->n_nodes - 1) != HK_OK) {
        pt_map_free(&hosts);
        return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
      }
    }
  }
  pt_map_free(&hosts);
  return HK_OK;
}

/* Parent of `child` from a map of identities (GUID or exact modes), or a
 * synthesized parent added to the map.  Sets child->parent. */
static int
pt_link_by_map(pt_tree *t, int64_t *cap, pt_map *m, int64_t child, int mode)
{
  const pt_node *c = &t->nodes[child];
  if (c->level + 1 >= PT_LEVELS)
    return HK_OK;
  pt_node probe;
  pt_node_init(t, &probe, c->batch, c->row, c->level + 1, c->host_h,
               c->host_ord);
  if (mode == PT_ID_GUID) {
    char tmp[128];
    size_t gl;
    if (!pt_node_field(t, &probe, PT_F_GUID, &gl, tmp, sizeof tmp))
      return HK_OK; /* no parent named: a true root */
  } else if (probe.pid == PT_NO_PID) {
    return HK_OK;
  }
  uint64_t h = pt_ident_hash(t, &probe, mode);
  int64_t p = pt_map_find(m, h, t, &probe, mode);
  if (p < 0) {
    if (pt_push_node(t, cap, &probe) != HK_OK ||
        pt_map_put(m, h, t->n_nodes - 1) != HK_OK)
      return HK_E_NOMEM;
    p = t->n_nodes - 1;
    t->n_synthetic++;
  }
  t->nodes[child].parent = p;
  return HK_OK;
}

typedef struct pt_asof_entry {
  uint64_t k;
  int64_t time;
  int64_t idx;
} pt_asof_entry;

static int
pt_asof_cmp(const void *a, const void *b)
{
  const pt_asof_entry *x = a, *y = b;
  if (x->k != y->k)
    return x->k < y->k ? -1 : 1;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

static uint64_t
pt_asof_key(const pt_tree *t, const pt_node *n)
{
  uint64_t k = pt_mix(n->host_h, (uint64_t)n->pid);
  return t->cols.match_parent_name ? pt_mix(k, n->name_h) : k;
}

static int
pt_link_asof(pt_tree *t, int64_t *cap, hk_error *err)
{
  int64_t n_real = t->n_nodes;
  pt_asof_entry *e = malloc((size_t)(n_real ? n_real : 1) * sizeof *e);
  pt_map synth = {0};
  if (!e)
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  for (int64_t i = 0; i < n_real; i++) {
    e[i].k = pt_asof_key(t, &t->nodes[i]);
    e[i].time = t->nodes[i].time_us;
    e[i].idx = i;
  }
  qsort(e, (size_t)n_real, sizeof *e, pt_asof_cmp);
  int rc = HK_OK;
  for (int64_t c = 0; c < n_real && rc == HK_OK; c++) {
    pt_node probe;
    const pt_node *cn = &t->nodes[c];
    pt_node_init(t, &probe, cn->batch, cn->row, PT_LV_PARENT, cn->host_h,
                 cn->host_ord);
    if (probe.pid == PT_NO_PID)
      continue;
    uint64_t k = pt_asof_key(t, &probe);
    /* first entry after (k, child time, +inf) */
    size_t lo = 0, hi = (size_t)n_real;
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (e[mid].k < k || (e[mid].k == k && e[mid].time <= cn->time_us))
        lo = mid + 1;
      else
        hi = mid;
    }
    int64_t parent = PT_NONE;
    for (size_t j = lo; j > 0 && e[j - 1].k == k; j--) {
      const pt_node *p = &t->nodes[e[j - 1].idx];
      if (e[j - 1].idx == c || p->pid != probe.pid)
        continue;
      if (t->cols.match_parent_name && !pt_ident_eq(t, p, &probe, PT_ID_NOTIME))
        continue;
      if (!t->cols.match_parent_name) {
        char ta[256], tb[256];
        size_t an, bn;
        const char *x = pt_node_host(t, p, &an, ta, sizeof ta);
        const char *y = pt_node_host(t, &probe, &bn, tb, sizeof tb);
        if (!pt_text_eq(x, an, y, bn))
          continue;
      }
      parent = e[j - 1].idx;
      break;
    }
    if (parent == PT_NONE) {
      uint64_t h = pt_ident_hash(t, &probe, PT_ID_NOTIME);
      parent = pt_map_find(&synth, h, t, &probe, PT_ID_NOTIME);
      if (parent < 0) {
        probe.time_us = 0; /* MSTICPy gives inferred parents the epoch */
        if (pt_push_node(t, cap, &probe) != HK_OK ||
            pt_map_put(&synth, h, t->n_nodes - 1) != HK_OK) {
          rc = hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
          break;
        }
        parent = t->n_nodes - 1;
        t->n_synthetic++;
      }
    }
    t->nodes[c].parent = parent;
  }
  free(e);
  pt_map_free(&synth);
  return rc;
}

typedef struct pt_order_entry {
  int64_t parent; /* -1 for roots, so roots sort first */
  int64_t group;  /* host order for roots, 0 for children */
  int64_t time;
  int64_t idx;
} pt_order_entry;

static int
pt_order_cmp(const void *a, const void *b)
{
  const pt_order_entry *x = a, *y = b;
  if (x->parent != y->parent)
    return x->parent < y->parent ? -1 : 1;
  if (x->group != y->group)
    return x->group < y->group ? -1 : 1;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Depth-first order from `root`, appending to t->order. */
static void
pt_walk(pt_tree *t, int64_t root, int64_t *stack, int64_t *n_order)
{
  int64_t sp = 0;
  stack[sp++] = root;
  t->nodes[root].depth = t->nodes[root].parent == PT_NONE
                             ? 0
                             : t->nodes[t->nodes[root].parent].depth + 1;
  while (sp > 0) {
    int64_t n = stack[--sp];
    t->pos[n] = *n_order;
    t->order[(*n_order)++] = n;
    for (int64_t k = t->child_start[n + 1]; k > t->child_start[n]; k--) {
      int64_t c = t->child_list[k - 1];
      if (t->pos[c] >= 0)
        continue;
      t->nodes[c].depth = t->nodes[n].depth + 1;
      stack[sp++] = c;
    }
  }
}

/* Children lists, tree order and depths; breaks parent cycles (possible
 * only when processes share a timestamp or the data is inconsistent). */
static int
pt_finish(pt_tree *t, hk_error *err)
{
  int64_t n = t->n_nodes;
  pt_order_entry *oe = malloc((size_t)(n ? n : 1) * sizeof *oe);
  t->child_start = calloc((size_t)n + 2, sizeof *t->child_start);
  t->child_list = malloc((size_t)(n ? n : 1) * sizeof *t->child_list);
  t->order = malloc((size_t)(n ? n : 1) * sizeof *t->order);
  t->pos = malloc((size_t)(n ? n : 1) * sizeof *t->pos);
  int64_t *stack = malloc((size_t)(n ? n : 1) * sizeof *stack);
  int64_t *mark = NULL;
  if (!oe || !t->child_start || !t->child_list || !t->order || !t->pos ||
      !stack) {
    free(oe);
    free(stack);
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  }
  int64_t n_real = 0;
  for (int64_t i = 0; i < n; i++) {
    pt_node *nd = &t->nodes[i];
    nd->ordinal = nd->src_index >= 0 ? nd->src_index : t->n_rows + n_real++;
    oe[i].parent = nd->parent;
    oe[i].group = nd->parent == PT_NONE ? nd->host_ord : 0;
    oe[i].time = nd->time_us;
    oe[i].idx = i;
    t->pos[i] = -1;
  }
  qsort(oe, (size_t)n, sizeof *oe, pt_order_cmp);
  for (int64_t i = 0; i < n; i++) {
    t->child_list[i] = oe[i].idx;
    if (oe[i].parent >= 0)
      t->child_start[oe[i].parent + 1]++;
  }
  /* child_list holds roots first, then children grouped by parent */
  int64_t n_roots = 0;
  while (n_roots < n && oe[n_roots].parent < 0)
    n_roots++;
  for (int64_t i = 0; i < n; i++)
    t->child_start[i + 1] += t->child_start[i];
  for (int64_t i = 0; i <= n; i++)
    t->child_start[i] += n_roots;
  int64_t n_order = 0;
  for (int64_t r = 0; r < n_roots; r++)
    pt_walk(t, oe[r].idx, stack, &n_order);
  if (n_order < n) {
    mark = calloc((size_t)n, sizeof *mark);
    if (!mark) {
      free(oe);
      free(stack);
      return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
    }
    for (int64_t u = 0; u < n; u++) {
      if (t->pos[u] >= 0)
        continue;
      int64_t x = u;
      while (mark[x] != u + 1 && t->pos[x] < 0) {
        mark[x] = u + 1;
        x = t->nodes[x].parent;
      }
      if (t->pos[x] >= 0)
        continue; /* cannot happen: reached nodes are closed under children */
      t->nodes[x].parent = PT_NONE;
      t->n_cycles++;
      pt_walk(t, x, stack, &n_order);
    }
  }
  free(mark);
  free(oe);
  free(stack);
  return HK_OK;
}

static int
pt_build(pt_tree *t, hk_error *err)
{
  int64_t cap = 0;
  pt_map ident = {0};
  int rc = pt_collect(t, &cap, &ident, err);
  if (rc == HK_OK && t->cols.link == PT_LINK_ASOF) {
    rc = pt_link_asof(t, &cap, err);
  } else if (rc == HK_OK) {
    int mode = t->cols.link == PT_LINK_GUID ? PT_ID_GUID : PT_ID_FULL;
    /* real nodes first; then (Defender) the synthesized parents' own
     * parents, which come from the grandparent fields */
    for (int64_t i = 0; i < t->n_nodes && rc == HK_OK; i++) {
      if (t->nodes[i].level == PT_LV_SELF ||
          (mode == PT_ID_FULL && t->nodes[i].level == PT_LV_PARENT))
        rc = pt_link_by_map(t, &cap, &ident, i, mode);
    }
    if (rc != HK_OK)
      hk_error_set(err, rc, "proctree: out of memory");
  }
  pt_map_free(&ident);
  if (rc == HK_OK)
    rc = pt_finish(t, err);
  return rc;
}
