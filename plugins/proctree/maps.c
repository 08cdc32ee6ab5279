/*
 * plugins/proctree/maps.c -- the two lookup structures of the builder:
 * string interning (names and hosts compared ignoring case, numbered in
 * order of first appearance) and an open-addressing map from a 64-bit
 * hash to a node or group index.  Included by proctree.c.
 */

/* ------------------------------------------------------------ interning */

static void
pt_intern_free(pt_intern *in)
{
  free(in->slot_h);
  free(in->slot_id);
  free(in->off);
  free(in->len);
  free(in->text);
  memset(in, 0, sizeof *in);
}

static int
pt_intern_grow(pt_intern *in)
{
  size_t cap = in->cap ? in->cap * 2 : 256;
  uint64_t *sh = malloc(cap * sizeof *sh);
  uint32_t *si = calloc(cap, sizeof *si);
  if (!sh || !si) {
    free(sh);
    free(si);
    return HK_E_NOMEM;
  }
  for (size_t i = 0; i < in->cap; i++) {
    if (!in->slot_id[i])
      continue;
    size_t j = in->slot_h[i] & (cap - 1);
    while (si[j])
      j = (j + 1) & (cap - 1);
    sh[j] = in->slot_h[i];
    si[j] = in->slot_id[i];
  }
  free(in->slot_h);
  free(in->slot_id);
  in->slot_h = sh;
  in->slot_id = si;
  in->cap = cap;
  return HK_OK;
}

/* The id of `s` (1, 2, ...), adding it when new; 0 when out of memory. */
static uint32_t
pt_intern_id(pt_intern *in, const char *s, size_t n)
{
  uint64_t h = pt_hash_ci(PT_FNV_OFFSET, s, n);
  if ((in->n + 1) * 2 > in->cap && pt_intern_grow(in) != HK_OK)
    return 0;
  size_t j = h & (in->cap - 1);
  for (; in->slot_id[j]; j = (j + 1) & (in->cap - 1)) {
    uint32_t id = in->slot_id[j];
    if (in->slot_h[j] == h &&
        pt_eq_lower(in->text + in->off[id - 1], in->len[id - 1], s, n))
      return id;
  }
  if (in->n >= UINT32_MAX - 1 || n > UINT32_MAX)
    return 0;
  if (in->n == in->n_cap) {
    size_t nc = in->n_cap ? in->n_cap * 2 : 256;
    uint64_t *o = realloc(in->off, nc * sizeof *o);
    if (!o)
      return 0;
    in->off = o;
    uint32_t *l = realloc(in->len, nc * sizeof *l);
    if (!l)
      return 0;
    in->len = l;
    in->n_cap = nc;
  }
  if (in->text_len + n + 1 > in->text_cap) {
    size_t nc = in->text_cap ? in->text_cap * 2 : 4096;
    while (nc < in->text_len + n + 1)
      nc *= 2;
    char *p = realloc(in->text, nc);
    if (!p)
      return 0;
    in->text = p;
    in->text_cap = nc;
  }
  for (size_t i = 0; i < n; i++)
    in->text[in->text_len + i] = (char)pt_lower((unsigned char)s[i]);
  in->off[in->n] = in->text_len;
  in->len[in->n] = (uint32_t)n;
  in->text_len += n;
  uint32_t id = (uint32_t)++in->n;
  in->slot_h[j] = h;
  in->slot_id[j] = id;
  return id;
}

/* ------------------------------------------------------------ hash map */

/* Open addressing from identity hash to node index; several nodes may
 * share a hash, so finds compare identities.  Hash and value sit side by
 * side: a probe touches one cache line. */
typedef struct pt_slot {
  uint64_t h;
  int64_t v; /* -1: empty */
} pt_slot;

typedef struct pt_map {
  pt_slot *s;
  size_t cap, n;
} pt_map;

static void
pt_map_free(pt_map *m)
{
  free(m->s);
  memset(m, 0, sizeof *m);
}

/* Room for `want` entries at a load of at most one half. */
static int
pt_map_grow(pt_map *m, size_t want)
{
  size_t cap = 64;
  while (cap < want * 2)
    cap *= 2;
  if (cap <= m->cap)
    return HK_OK;
  pt_slot *s = malloc(cap * sizeof *s);
  if (!s)
    return HK_E_NOMEM;
  for (size_t i = 0; i < cap; i++)
    s[i].v = -1;
  for (size_t i = 0; i < m->cap; i++) {
    if (m->s[i].v < 0)
      continue;
    size_t j = m->s[i].h & (cap - 1);
    while (s[j].v >= 0)
      j = (j + 1) & (cap - 1);
    s[j] = m->s[i];
  }
  free(m->s);
  m->s = s;
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
  while (m->s[j].v >= 0)
    j = (j + 1) & (m->cap - 1);
  m->s[j].h = h;
  m->s[j].v = v;
  m->n++;
  return HK_OK;
}
