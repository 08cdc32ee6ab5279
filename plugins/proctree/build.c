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

/* Fill `n` with the level-`level` process described by row (batch, row).
 * HK_E_NOMEM when the name cannot be interned. */
static int
pt_node_init(pt_tree *t, pt_node *n, uint32_t batch, uint32_t row, int level,
             uint64_t host_h, int32_t host_ord)
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
  n->name_h = pt_intern_id(&t->names, name, len);
  return n->name_h ? HK_OK : HK_E_NOMEM;
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

/* Same process?  Hosts and names are interned, so only GUIDs are
 * compared as text. */
static int
pt_ident_eq(const pt_tree *t, const pt_node *a, const pt_node *b, int mode)
{
  if (a->host_h != b->host_h)
    return 0;
  if (mode == PT_ID_GUID) {
    char ta[256], tb[256];
    size_t an, bn;
    const char *x = pt_node_field(t, a, PT_F_GUID, &an, ta, sizeof ta);
    const char *y = pt_node_field(t, b, PT_F_GUID, &bn, tb, sizeof tb);
    return pt_text_eq(x, an, y, bn);
  }
  if (a->pid != b->pid || a->name_h != b->name_h)
    return 0;
  return mode != PT_ID_FULL || a->time_us == b->time_us;
}

/* ------------------------------------------------------------ lookups */

static int64_t
pt_map_find(const pt_map *m, uint64_t h, const pt_tree *t, const pt_node *probe,
            int mode)
{
  if (!m->cap)
    return -1;
  size_t j = h & (m->cap - 1);
  while (m->s[j].v >= 0) {
    if (m->s[j].h == h && pt_ident_eq(t, &t->nodes[m->s[j].v], probe, mode))
      return m->s[j].v;
    j = (j + 1) & (m->cap - 1);
  }
  return -1;
}

/* ------------------------------------------------------------ building */

static int
pt_push_node(pt_tree *t, int64_t *cap, const pt_node *n)
{
  if (t->n_nodes == *cap) {
    int64_t nc = *cap + *cap / 4 + 1024;
    pt_node *p = realloc(t->nodes, (size_t)nc * sizeof *p);
    if (!p)
      return HK_E_NOMEM;
    t->nodes = p;
    *cap = nc;
  }
  t->nodes[t->n_nodes++] = *n;
  return HK_OK;
}

/* The event filter: 1 when the row is a process-creation event.
 * `want_num` is the filter value as a number, for integer columns. */
static int
pt_row_selected(const pt_tree *t, const pt_batch *b, int64_t row, int num_ok,
                long long want_num)
{
  if (t->cols.event < 0)
    return 1;
  if (hk_batch_view_column_type(&b->view, t->cols.event) == HK_COL_INT64)
    return num_ok && !hk_batch_view_is_null(&b->view, t->cols.event, row) &&
           hk_batch_view_int64(&b->view, t->cols.event, row) == want_num;
  char tmp[64];
  size_t len;
  const char *s = pt_cell_text(b, t->cols.event, row, &len, tmp, sizeof tmp);
  return s &&
         pt_eq_ci(s, len, t->cols.event_value, strlen(t->cols.event_value));
}

/* Read one node per selected row.  Repeated events are dropped here with
 * an identity map, except for the as-of join, which finds them in its
 * groups (pt_drop_repeats) and needs no map.  For the as-of join, the
 * parent fields of each node's row are read in the same pass (into
 * ppid_out / pname_out, one entry per node), while the row is in the
 * cache. */
static int
pt_collect(pt_tree *t, int64_t *cap, pt_map *ident, int64_t **ppid_out,
           uint64_t **pname_out, hk_error *err)
{
  int mode = t->cols.link == PT_LINK_GUID ? PT_ID_GUID : PT_ID_FULL;
  int asof = t->cols.link == PT_LINK_ASOF;
  int num_ok = 0;
  long long want_num = 0;
  int64_t *ppid = NULL;
  uint64_t *pname = NULL;
  if (t->cols.event >= 0) {
    char *end;
    want_num = strtoll(t->cols.event_value, &end, 10);
    num_ok = *t->cols.event_value && *end == '\0';
  }
  /* every row may become a node: size the node array and the identity map
   * once instead of growing them */
  if (t->n_rows > 0) {
    t->nodes = malloc((size_t)t->n_rows * sizeof *t->nodes);
    if (asof) {
      ppid = malloc((size_t)t->n_rows * sizeof *ppid);
      pname = malloc((size_t)t->n_rows * sizeof *pname);
    }
    *ppid_out = ppid;
    *pname_out = pname;
    if (!t->nodes || (asof && (!ppid || !pname)) ||
        (!asof && pt_map_grow(ident, (size_t)t->n_rows) != HK_OK))
      return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
    *cap = t->n_rows;
  }
  /* consecutive rows mostly name the same host: remember the last one */
  const char *last_host = NULL;
  size_t last_host_len = 0;
  uint32_t last_id = 0;
  for (size_t bi = 0; bi < t->n_batches; bi++) {
    const pt_batch *b = &t->batches[bi];
    if (t->host->is_canceled(t->inst))
      return hk_error_set(err, HK_E_CANCELED, "proctree: canceled");
    for (int64_t r = 0; r < b->view.rows; r++) {
      if (!pt_row_selected(t, b, r, num_ok, want_num)) {
        t->n_filtered++;
        continue;
      }
      char tmp[256];
      size_t hl;
      const char *hs = pt_cell_text(b, t->cols.host, r, &hl, tmp, sizeof tmp);
      /* host ids number hosts in order of first appearance */
      uint32_t host_id = 0;
      if (hs && last_host && hs != tmp && hl == last_host_len &&
          memcmp(hs, last_host, hl) == 0) {
        host_id = last_id;
      } else if (hs) {
        host_id = pt_intern_id(&t->hosts, hs, hl);
        if (!host_id)
          return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
        if (hs != tmp) {
          last_host = hs;
          last_host_len = hl;
          last_id = host_id;
        }
      }
      pt_node n;
      if (pt_node_init(t, &n, (uint32_t)bi, (uint32_t)r, PT_LV_SELF, host_id,
                       (int32_t)host_id) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
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
      /* repeated events: the as-of join finds them in its groups */
      uint64_t h = 0;
      if (!asof) {
        h = pt_ident_hash(t, &n, node_mode);
        if (pt_map_find(ident, h, t, &n, node_mode) >= 0) {
          t->n_duplicates++;
          continue;
        }
      }
      if (asof) {
        pt_node probe;
        if (pt_node_init(t, &probe, (uint32_t)bi, (uint32_t)r, PT_LV_PARENT,
                         host_id, (int32_t)host_id) != HK_OK)
          return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
        ppid[t->n_nodes] = probe.pid;
        pname[t->n_nodes] = probe.name_h;
      }
      if (pt_push_node(t, cap, &n) != HK_OK ||
          (!asof && pt_map_put(ident, h, t->n_nodes - 1) != HK_OK))
        return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
    }
  }
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
  if (pt_node_init(t, &probe, c->batch, c->row, c->level + 1, c->host_h,
                   c->host_ord) != HK_OK)
    return HK_E_NOMEM;
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

static uint64_t
pt_asof_key(const pt_tree *t, int64_t host, int64_t pid, uint64_t name)
{
  uint64_t k = pt_mix((uint64_t)host, (uint64_t)pid);
  return t->cols.match_parent_name ? pt_mix(k, name) : k;
}

/* Does node `n` have as-of key (host, pid, name)? */
static int
pt_asof_match(const pt_tree *t, const pt_node *n, uint64_t host, int64_t pid,
              uint64_t name)
{
  return n->host_h == host && n->pid == pid &&
         (!t->cols.match_parent_name || n->name_h == name);
}

/* (time, node) pairs, to put a run of nodes in time order. */
typedef struct pt_timed {
  int64_t time;
  int64_t idx;
} pt_timed;

static int
pt_timed_cmp(const void *a, const void *b)
{
  const pt_timed *x = a, *y = b;
  if (x->time != y->time)
    return x->time < y->time ? -1 : 1;
  return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Put idx[0..n) (node indices, ascending) in (time, index) order.  Events
 * mostly arrive in time order, so most runs are sorted already and cost
 * one pass; `tmp` has room for n pairs. */
static void
pt_sort_by_time(const pt_tree *t, int64_t *idx, int64_t n, pt_timed *tmp)
{
  int64_t k = 1;
  while (k < n && t->nodes[idx[k - 1]].time_us <= t->nodes[idx[k]].time_us)
    k++;
  if (k >= n)
    return;
  for (int64_t i = 0; i < n; i++) {
    tmp[i].time = t->nodes[idx[i]].time_us;
    tmp[i].idx = idx[i];
  }
  qsort(tmp, (size_t)n, sizeof *tmp, pt_timed_cmp);
  for (int64_t i = 0; i < n; i++)
    idx[i] = tmp[i].idx;
}

/*
 * Repeated events (same host, pid, name and time) for the as-of join: in
 * a group sorted by (time, index) they sit next to each other, and the
 * first (lowest index) is kept.  When any is found, the nodes (and ppid,
 * pname) are compacted in order, and the groups lose the dropped members
 * and renumber the others.  `first` is group -> its lowest node (never
 * dropped); `newidx` has room for one entry per node.
 */
static int
pt_drop_repeats(pt_tree *t, int64_t *member, int64_t *start, int64_t n_groups,
                int64_t *first, int64_t *newidx, int64_t *ppid, uint64_t *pname,
                hk_error *err)
{
  int64_t n = t->n_nodes, dropped = 0;
  (void)err;
  for (int64_t i = 0; i < n; i++)
    newidx[i] = 0;
  for (int64_t g = 0; g < n_groups; g++) {
    for (int64_t a = start[g]; a < start[g + 1];) {
      int64_t b = a + 1;
      int64_t ta = t->nodes[member[a]].time_us;
      while (b < start[g + 1] && t->nodes[member[b]].time_us == ta)
        b++;
      for (int64_t k = a + 1; k < b; k++) {
        const pt_node *x = &t->nodes[member[k]];
        for (int64_t e = a; e < k; e++) {
          const pt_node *y = &t->nodes[member[e]];
          if (newidx[member[e]] == 0 && x->name_h == y->name_h) {
            newidx[member[k]] = -1;
            dropped++;
            break;
          }
        }
      }
      a = b;
    }
  }
  if (!dropped)
    return HK_OK;
  int64_t k = 0;
  for (int64_t i = 0; i < n; i++) {
    if (newidx[i] < 0)
      continue;
    newidx[i] = k;
    if (k != i) {
      t->nodes[k] = t->nodes[i];
      ppid[k] = ppid[i];
      pname[k] = pname[i];
    }
    k++;
  }
  /* take the dropped nodes out of the groups, renumbering the others */
  int64_t w = 0, begin = start[0];
  for (int64_t g = 0; g < n_groups; g++) {
    int64_t end = start[g + 1];
    start[g] = w;
    for (int64_t m = begin; m < end; m++)
      if (newidx[member[m]] >= 0)
        member[w++] = newidx[member[m]];
    begin = end;
  }
  start[n_groups] = w;
  for (int64_t g = 0; g < n_groups; g++)
    first[g] = newidx[first[g]];
  t->n_nodes = k;
  t->n_duplicates += dropped;
  return HK_OK;
}

/*
 * As-of join.  The real nodes are grouped by as-of key (host, pid and,
 * when the schema has it, the name) with a counting sort, each group in
 * (time, index) order; a child's parent is then the last member of its
 * parent's group created at or before the child.  No global sort: the
 * grouping is linear and the groups are short.
 */
static int
pt_link_asof(pt_tree *t, int64_t *cap, int64_t *ppid, uint64_t *pname,
             hk_error *err)
{
  int64_t n_real = t->n_nodes;
  size_t n_alloc = (size_t)(n_real ? n_real : 1);
  int64_t *gid = malloc(n_alloc * sizeof *gid);
  int64_t *member = malloc(n_alloc * sizeof *member);
  int64_t *start = calloc(n_alloc + 1, sizeof *start);
  int64_t *fill = NULL;
  pt_timed *tmp = malloc(n_alloc * sizeof *tmp);
  pt_map groups = {0}, synth = {0};
  int64_t n_groups = 0;
  int rc = HK_OK;
  if (!gid || !member || !start || !tmp ||
      pt_map_grow(&groups, n_alloc) != HK_OK) {
    rc = hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
    goto done;
  }
  /* group id of each node; a group's first node stands for the group, so
   * `fill` (group -> first node) confirms what the hash finds */
  fill = malloc(n_alloc * sizeof *fill);
  if (!fill) {
    rc = hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
    goto done;
  }
  for (int64_t i = 0; i < n_real; i++) {
    const pt_node *n = &t->nodes[i];
    uint64_t k = pt_asof_key(t, (int64_t)n->host_h, n->pid, n->name_h);
    int64_t g = -1;
    size_t j = k & (groups.cap - 1);
    for (; groups.s[j].v >= 0; j = (j + 1) & (groups.cap - 1)) {
      if (groups.s[j].h == k && pt_asof_match(t, &t->nodes[fill[groups.s[j].v]],
                                              n->host_h, n->pid, n->name_h)) {
        g = groups.s[j].v;
        break;
      }
    }
    if (g < 0) {
      g = n_groups++;
      fill[g] = i;
      groups.s[j].h = k;
      groups.s[j].v = g;
      groups.n++;
    }
    gid[i] = g;
    start[g + 1]++;
  }
  for (int64_t g = 0; g < n_groups; g++)
    start[g + 1] += start[g];
  int64_t *first = fill; /* group -> first node, kept for the lookups */
  fill = malloc((size_t)(n_groups ? n_groups : 1) * sizeof *fill);
  if (!fill) {
    fill = first;
    rc = hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
    goto done;
  }
  memcpy(fill, start, (size_t)n_groups * sizeof *fill);
  for (int64_t i = 0; i < n_real; i++)
    member[fill[gid[i]]++] = i;
  free(fill);
  fill = first;
  for (int64_t g = 0; g < n_groups; g++)
    if (start[g + 1] - start[g] > 1)
      pt_sort_by_time(t, member + start[g], start[g + 1] - start[g], tmp);
  rc = pt_drop_repeats(t, member, start, n_groups, fill, gid, ppid, pname, err);
  n_real = t->n_nodes;

  for (int64_t c = 0; c < n_real && rc == HK_OK; c++) {
    const pt_node *cn = &t->nodes[c];
    if (ppid[c] == PT_NO_PID)
      continue;
    uint64_t host = cn->host_h;
    uint64_t k = pt_asof_key(t, (int64_t)host, ppid[c], pname[c]);
    int64_t g = -1;
    for (size_t j = k & (groups.cap - 1); groups.s[j].v >= 0;
         j = (j + 1) & (groups.cap - 1)) {
      if (groups.s[j].h == k &&
          pt_asof_match(t, &t->nodes[first[groups.s[j].v]], host, ppid[c],
                        pname[c])) {
        g = groups.s[j].v;
        break;
      }
    }
    int64_t parent = PT_NONE;
    if (g >= 0) {
      /* the last member created at or before the child, not the child */
      int64_t lo = start[g], hi = start[g + 1];
      while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        if (t->nodes[member[mid]].time_us <= cn->time_us)
          lo = mid + 1;
        else
          hi = mid;
      }
      for (int64_t j = lo; j > start[g] && parent == PT_NONE; j--)
        if (member[j - 1] != c)
          parent = member[j - 1];
    }
    if (parent == PT_NONE) {
      pt_node probe;
      if (pt_node_init(t, &probe, cn->batch, cn->row, PT_LV_PARENT, cn->host_h,
                       cn->host_ord) != HK_OK) {
        rc = hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
        break;
      }
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
done:
  free(gid);
  free(member);
  free(start);
  free(fill);
  free(tmp);
  pt_map_free(&groups);
  pt_map_free(&synth);
  return rc;
}

/* Roots in (host, time, index) order. */
typedef struct pt_root_entry {
  int64_t group;
  int64_t time;
  int64_t idx;
} pt_root_entry;

static int
pt_root_cmp(const void *a, const void *b)
{
  const pt_root_entry *x = a, *y = b;
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

/*
 * Children lists, tree order and depths; breaks parent cycles (possible
 * only when processes share a timestamp or the data is inconsistent).
 * child_list holds the roots first, in (host, time, index) order, then the
 * children of each node in (time, index) order: a counting sort by parent
 * keeps index order, and each list is then put in time order.
 */
static int
pt_finish(pt_tree *t, hk_error *err)
{
  int64_t n = t->n_nodes;
  size_t n_alloc = (size_t)(n ? n : 1);
  t->child_start = calloc((size_t)n + 2, sizeof *t->child_start);
  t->child_list = malloc(n_alloc * sizeof *t->child_list);
  t->order = malloc(n_alloc * sizeof *t->order);
  t->pos = malloc(n_alloc * sizeof *t->pos);
  int64_t *stack = malloc(n_alloc * sizeof *stack);
  pt_timed *tmp = malloc(n_alloc * sizeof *tmp);
  int64_t *mark = NULL;
  if (!t->child_start || !t->child_list || !t->order || !t->pos || !stack ||
      !tmp) {
    free(stack);
    free(tmp);
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  }
  int64_t n_real = 0, n_roots = 0;
  for (int64_t i = 0; i < n; i++) {
    pt_node *nd = &t->nodes[i];
    nd->ordinal = nd->src_index >= 0 ? nd->src_index : t->n_rows + n_real++;
    t->pos[i] = -1;
    if (nd->parent == PT_NONE)
      n_roots++;
    else
      t->child_start[nd->parent + 1]++;
  }
  for (int64_t i = 0; i < n; i++)
    t->child_start[i + 1] += t->child_start[i];
  for (int64_t i = 0; i <= n; i++)
    t->child_start[i] += n_roots;
  /* fill: `stack` serves as the per-parent cursor */
  memcpy(stack, t->child_start, (size_t)n * sizeof *stack);
  pt_root_entry *roots =
      malloc((size_t)(n_roots ? n_roots : 1) * sizeof *roots);
  int64_t k_root = 0;
  if (!roots) {
    free(stack);
    free(tmp);
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  }
  for (int64_t i = 0; i < n; i++) {
    const pt_node *nd = &t->nodes[i];
    if (nd->parent == PT_NONE) {
      roots[k_root].group = nd->host_ord;
      roots[k_root].time = nd->time_us;
      roots[k_root].idx = i;
      k_root++;
    } else {
      t->child_list[stack[nd->parent]++] = i;
    }
  }
  qsort(roots, (size_t)n_roots, sizeof *roots, pt_root_cmp);
  for (int64_t r = 0; r < n_roots; r++)
    t->child_list[r] = roots[r].idx;
  free(roots);
  for (int64_t i = 0; i < n; i++) {
    int64_t len = t->child_start[i + 1] - t->child_start[i];
    if (len > 1)
      pt_sort_by_time(t, t->child_list + t->child_start[i], len, tmp);
  }
  free(tmp);

  int64_t n_order = 0;
  for (int64_t r = 0; r < n_roots; r++)
    pt_walk(t, t->child_list[r], stack, &n_order);
  if (n_order < n) {
    mark = calloc((size_t)n, sizeof *mark);
    if (!mark) {
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
  free(stack);
  return HK_OK;
}

static int64_t
pt_now_us(const pt_tree *t)
{
  return t->host->monotonic_us ? t->host->monotonic_us() : 0;
}

static int
pt_build(pt_tree *t, hk_error *err)
{
  int64_t cap = 0, *ppid = NULL;
  uint64_t *pname = NULL;
  pt_map ident = {0};
  int64_t t0 = pt_now_us(t);
  int rc = pt_collect(t, &cap, &ident, &ppid, &pname, err);
  int64_t t1 = pt_now_us(t);
  if (rc == HK_OK && t->cols.link == PT_LINK_ASOF) {
    rc = pt_link_asof(t, &cap, ppid, pname, err);
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
  free(ppid);
  free(pname);
  pt_map_free(&ident);
  pt_intern_free(&t->names);
  pt_intern_free(&t->hosts);
  int64_t t2 = pt_now_us(t);
  if (rc == HK_OK)
    rc = pt_finish(t, err);
  if (rc == HK_OK)
    HK_LOG_DEBUG(t->host, t->inst,
                 "proctree: read %lld ms, parents %lld ms, order %lld ms",
                 (long long)(t1 - t0) / 1000, (long long)(t2 - t1) / 1000,
                 (long long)(pt_now_us(t) - t2) / 1000);
  return rc;
}
