/*
 * plugins/iocextract/ioc_find.c -- where the patterns are tried.  One pass
 * over the text records the positions of the characters IoCs hinge on
 * ('.', ':', '@', '[', '(') and the hex runs of hash length; each built-in
 * pattern is then tried, anchored, only at the run starts around those
 * positions.  Included after ioc_scan.c.
 *
 * Why this gives the same matches as MSTICPy's unanchored search: every
 * built-in pattern except url and the paths starts with a look-behind that
 * refuses a start preceded by a character of its class, so a match can only
 * start where a run of class characters starts; and each needs its key
 * character (or a defanging bracket) inside or right after that run.
 */

/* Look-behind classes: bit 0 ipv4 [0-9.], bit 1 dns [a-z0-9_.\x80-\xff-],
 * bit 2 e-mail user part, bit 3 ipv6 [:.\w]. */
static unsigned char ioc_cls[256];

/* Pre-pass table: which characters are recorded, and hex digits. */
#define IOC_K_DOT 1u
#define IOC_K_COLON 2u
#define IOC_K_AT 4u
#define IOC_K_OPEN 8u /* '[' or '(' */
#define IOC_K_BSLASH 16u
#define IOC_K_SLASH 32u
#define IOC_K_HEX 64u
static unsigned char ioc_kind[256];

static void
ioc_cls_init(void)
{
  static const char user[] = ".!#$%&'*+/=?^_`{|}~-";
  if (ioc_cls['a'])
    return;
  for (int c = 0; c < 256; c++) {
    unsigned char m = 0;
    int alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                (c >= 'A' && c <= 'Z');
    if ((c >= '0' && c <= '9') || c == '.')
      m |= 1;
    if (alnum || c == '_' || c == '.' || c == '-' || c >= 0x80)
      m |= 2;
    if (alnum || (c && strchr(user, c)))
      m |= 4;
    if (alnum || c == '_' || c == ':' || c == '.')
      m |= 8;
    ioc_cls[c] = m;
  }
  ioc_kind['.'] = IOC_K_DOT;
  ioc_kind[':'] = IOC_K_COLON;
  ioc_kind['@'] = IOC_K_AT;
  ioc_kind['['] = ioc_kind['('] = IOC_K_OPEN;
  ioc_kind['\\'] = IOC_K_BSLASH;
  ioc_kind['/'] = IOC_K_SLASH;
  for (int c = 0; c < 256; c++)
    if (ioc_is_hex(c))
      ioc_kind[c] = IOC_K_HEX;
}

static int
ioc_push(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
  if (*n == *cap) {
    size_t nc = *cap ? *cap * 2 : 64;
    uint32_t *g = realloc(*v, nc * sizeof *g);
    if (!g)
      return HK_E_NOMEM;
    *v = g;
    *cap = nc;
  }
  (*v)[(*n)++] = x;
  return HK_OK;
}

/* Positions of the key characters, and the hex runs of hash length.  A run
 * of 32 or more hex digits covers at least one position of the form
 * 16k + 15, so only those are looked at to find them. */
static int
ioc_prepass(ioc_marks *m, const char *text, size_t len)
{
  const unsigned char *t = (const unsigned char *)text;
  size_t i;
  unsigned kinds = 0; /* a local: m->kinds in the loop is a store a byte */
  m->n = m->nh = 0;
  uint32_t *pos = m->pos;
  size_t n = 0;
  /* Blocks with room for a position per byte reserved up front, so the
   * inner loop has no check; memory stays in proportion to the marks. */
  for (size_t blk = 0; blk < len; blk += 65536) {
    size_t blk_end = len - blk < 65536 ? len : blk + 65536;
    if (m->cap < n + (blk_end - blk)) {
      size_t nc = (n + (blk_end - blk)) * 2;
      uint32_t *g = realloc(m->pos, nc * sizeof *g);
      if (!g)
        return HK_E_NOMEM;
      m->pos = pos = g;
      m->cap = nc;
    }
    for (i = blk; i < blk_end; i++) {
      unsigned k = ioc_kind[t[i]];
      kinds |= k;
      pos[n] = (uint32_t)i;
      n += (k & (IOC_K_DOT | IOC_K_COLON | IOC_K_AT | IOC_K_OPEN)) != 0;
    }
  }
  m->n = n;
  m->kinds = kinds & ~IOC_K_HEX;
  for (i = 15; i < len;) {
    size_t st, e;
    if (ioc_kind[t[i]] != IOC_K_HEX) {
      i += 16;
      continue;
    }
    st = i;
    while (st > 0 && ioc_kind[t[st - 1]] == IOC_K_HEX)
      st--;
    e = i + 1;
    while (e < len && ioc_kind[t[e]] == IOC_K_HEX)
      e++;
    if (e - st == 32 || e - st == 40 || e - st == 64) {
      m->kinds |= IOC_K_HEX;
      if (ioc_push(&m->hash, &m->nh, &m->caph, (uint32_t)st) ||
          ioc_push(&m->hash, &m->nh, &m->caph, (uint32_t)(e - st)))
        return HK_E_NOMEM;
    }
    i = e + 16;
  }
  return HK_OK;
}

/* Take the match of pattern `type` in sc->md (rc from pcre2_match). */
static int
ioc_take_match(ioc_scanner *sc, int type, const char *text, int rc, size_t *end)
{
  const ioc_pattern *p = &sc->pat[type];
  PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
  *end = ov[1];
  if (p->group && (uint32_t)rc > p->group && ov[2 * p->group] != PCRE2_UNSET)
    return ioc_take(sc, type, ov[2 * p->group], text + ov[2 * p->group],
                    ov[2 * p->group + 1] - ov[2 * p->group]);
  return ioc_take(sc, type, ov[0], text + ov[0], ov[1] - ov[0]);
}

/* Try pattern `type` at the start of each class run (class bit `bit`)
 * that holds `min_keys` key characters or is followed by the key or a
 * defanging bracket.  The runs are found from the recorded positions. */
static int
ioc_scan_runs(ioc_scanner *sc, const ioc_marks *m, int type, const char *text,
              size_t len, unsigned char bit, char key, int min_keys)
{
  const ioc_pattern *p = &sc->pat[type];
  size_t run_end = 0, done_to = 0;
  for (size_t k = 0; k < m->n; k++) {
    size_t q = m->pos[k], st, e;
    int keys = 0, rc;
    char ch = text[q];
    if (q < run_end)
      continue; /* same run as the previous position */
    /* A run with no key character can only be taken when a key or a
     * defanging bracket follows it, and that character is a recorded
     * position of its own that finds the same run start: so only those
     * positions need looking at. */
    if (ch != key && ch != '[' && ch != '(')
      continue;
    if (ioc_cls[(unsigned char)ch] & bit) {
      st = q;
    } else if (ch == key || ch == '[' || ch == '(') {
      if (q == 0 || !(ioc_cls[(unsigned char)text[q - 1]] & bit))
        continue;
      st = q - 1;
    } else {
      continue;
    }
    while (st > 0 && (ioc_cls[(unsigned char)text[st - 1]] & bit))
      st--;
    e = st;
    while (e < len && (ioc_cls[(unsigned char)text[e]] & bit)) {
      if (text[e] == key) {
        /* a domain needs a label starting with a letter after a dot */
        if (bit != 2 ||
            (e + 1 < len &&
             ((text[e + 1] | 0x20) >= 'a' && (text[e + 1] | 0x20) <= 'z')) ||
            (e + 1 < len && (unsigned char)text[e + 1] >= 0x80))
          keys++;
      }
      e++;
    }
    run_end = e > q ? e : q + 1;
    if (st < done_to)
      continue;
    if (keys < min_keys &&
        !(e < len && (text[e] == '[' || text[e] == '(' || text[e] == key)))
      continue;
    rc = pcre2_match(p->anchored, (PCRE2_SPTR)text, len, st, 0, sc->md, NULL);
    if (rc > 0) {
      size_t me;
      rc = ioc_take_match(sc, type, text, rc, &me);
      if (rc != HK_OK)
        return rc;
      done_to = me;
      if (me > run_end)
        run_end = me;
    }
  }
  return HK_OK;
}

/* URLs: from each "://" (or the "[:" of a defanged one), the scheme's
 * possible starts are tried leftmost first ("telnet" is the longest). */
static int
ioc_scan_urls(ioc_scanner *sc, const ioc_marks *m, const char *text, size_t len)
{
  const ioc_pattern *p = &sc->pat[IOC_URL];
  size_t done_to = 0;
  for (size_t j = 0; j < m->n; j++) {
    size_t c = m->pos[j], back;
    int rc;
    if (text[c] != ':' || c < done_to)
      continue;
    if (c > 0 && text[c - 1] == '[')
      c--;
    else if (!(c + 2 < len && text[c + 1] == '/' && text[c + 2] == '/') &&
             !(c + 1 < len && text[c + 1] == ']'))
      continue;
    back = c < 6 ? c : 6;
    for (size_t k = back; k >= 1; k--) {
      size_t st = c - k, me;
      if (st < done_to)
        continue;
      rc = pcre2_match(p->anchored, (PCRE2_SPTR)text, len, st, 0, sc->md, NULL);
      if (rc > 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
        size_t ms = ov[0];
        me = ov[1];
        rc = ioc_take(sc, IOC_URL, ms, text + ms, me - ms);
        if (rc == HK_OK)
          rc = ioc_url_rescan(sc, IOC_URL, ms, text + ms,
                              ioc_url_trim(text + ms, me - ms));
        if (rc != HK_OK)
          return rc;
        done_to = me;
        break;
      }
    }
  }
  return HK_OK;
}

/* Hashes: exactly 32, 40 or 64 hex characters not touching other hex
 * characters, from the pre-pass.  Found in C rather than with MSTICPy's
 * regex, which consumed the separator and so missed the second of two
 * hashes divided by one character. */
static int
ioc_scan_hashes(ioc_scanner *sc, const ioc_marks *m, const char *text)
{
  for (size_t i = 0; i + 1 < m->nh; i += 2) {
    size_t s = m->hash[i], n = m->hash[i + 1];
    int type = n == 32 ? IOC_MD5 : n == 40 ? IOC_SHA1 : IOC_SHA256;
    if ((sc->enabled & ((uint64_t)1 << type)) &&
        ioc_hash_plausible(text + s, n)) {
      int rc = ioc_add_hit(sc, type, s, text + s, n);
      if (rc != HK_OK)
        return rc;
    }
  }
  return HK_OK;
}

/* Scan one text; afterwards sc->hits holds its distinct observables. */
static int
ioc_scan_text_marks(ioc_scanner *sc, ioc_marks *m, const char *text, size_t len)
{
  int rc = HK_OK;

  ioc_scanner_reset_text(sc);
  if (len == 0)
    return HK_OK;
  if (len > UINT32_MAX)
    return HK_E_LIMIT;
  if (ioc_prepass(m, text, len) != HK_OK)
    return HK_E_NOMEM;
  for (int t = 0; t < sc->npat && rc == HK_OK; t++) {
    if (!(sc->enabled & ((uint64_t)1 << t)))
      continue;
    switch (t) {
    case IOC_IPV4:
      if (m->kinds & (IOC_K_DOT | IOC_K_OPEN))
        rc = ioc_scan_runs(sc, m, t, text, len, 1, '.', 3);
      break;
    case IOC_IPV6:
      if (m->kinds & IOC_K_COLON)
        rc = ioc_scan_runs(sc, m, t, text, len, 8, ':', 2);
      break;
    case IOC_DNS:
      if (m->kinds & (IOC_K_DOT | IOC_K_OPEN))
        rc = ioc_scan_runs(sc, m, t, text, len, 2, '.', 1);
      break;
    case IOC_URL:
      if ((m->kinds & IOC_K_COLON) && (m->kinds & (IOC_K_SLASH | IOC_K_OPEN)))
        rc = ioc_scan_urls(sc, m, text, len);
      break;
    case IOC_EMAIL:
      if (m->kinds & (IOC_K_AT | IOC_K_OPEN))
        rc = ioc_scan_runs(sc, m, t, text, len, 4, '@', 1);
      break;
    case IOC_WINPATH:
      if (m->kinds & IOC_K_BSLASH)
        rc = ioc_scan_pattern(sc, t, text, len, 0, 0, 0);
      break;
    case IOC_LXPATH:
      if (m->kinds & IOC_K_SLASH)
        rc = ioc_scan_pattern(sc, t, text, len, 0, 0, 0);
      break;
    case IOC_MD5:
    case IOC_SHA1:
    case IOC_SHA256:
      break; /* below, once */
    default:
      rc = ioc_scan_pattern(sc, t, text, len, 0, 0, 0);
      break;
    }
  }
  if (rc == HK_OK && m->nh)
    rc = ioc_scan_hashes(sc, m, text);
  return rc;
}

static int
ioc_hit_cmp(const void *a, const void *b)
{
  const ioc_hit *x = a, *y = b;
  if (x->type != y->type)
    return x->type < y->type ? -1 : 1;
  if (x->first != y->first)
    return x->first < y->first ? -1 : 1;
  return x->raw_off < y->raw_off ? -1 : x->raw_off > y->raw_off;
}

/* Order the hits for output: by type (registration order), then by where
 * each was first seen. */
static void
ioc_sort_hits(ioc_scanner *sc)
{
  if (sc->nhits > 1)
    qsort(sc->hits, sc->nhits, sizeof *sc->hits, ioc_hit_cmp);
  /* the hash slots now point at the wrong hits; clear them */
  if (sc->slots)
    memset(sc->slots, 0xff, sc->nslots * sizeof *sc->slots);
}

static int
ioc_scan_text(ioc_scanner *sc, const char *text, size_t len)
{
  return ioc_scan_text_marks(sc, &sc->marks, text, len);
}
