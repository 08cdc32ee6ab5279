/*
 * plugins/iocextract/ioc_find.c -- where the patterns are tried: each
 * built-in pattern only at the run starts around the marks the pre-pass
 * (ioc_marks.c) found for it.  Included after ioc_match.c.
 *
 * Why this gives the same matches as MSTICPy's unanchored search: every
 * built-in pattern except url and the paths starts with a look-behind that
 * refuses a start preceded by a character of its class, so a match can only
 * start where a run of class characters starts; and each needs its key
 * character (or a defanging bracket) inside or right after that run.  A
 * url starts at most six bytes before its scheme's "://" (or "[:"), and is
 * tried from there, leftmost first.
 */

/* Word w of the marks where pattern `type` is worth a try.  Every match
 * holds such a mark in the class run it starts (see ioc_scan_runs), and
 * the tests keep most marks away from the matchers:
 *   ipv4: the dot or bracket after its first octet, so a mark after a
 *         digit (and a dot before one);
 *   dns: the separator before the TLD, so a bracket or a dot before a
 *        letter (the run from the domain's start to it is unbroken, or
 *        holds a bracket that is a mark itself);
 *   ipv6: a colon with another within five bytes (its first two, a
 *         hex group of at most four apart);
 *   email: an '@' or a bracket. */
IOC_HOT uint64_t
ioc_candidates(const ioc_marks *m, int type, size_t w)
{
  uint64_t dot = ioc_bits(m, IOC_MK_DOT, w), open = ioc_bits(m, IOC_MK_OPEN, w);
  switch (type) {
  case IOC_IPV4:
    return ((dot & ioc_bits_next(m, IOC_MK_DIGIT, w)) | open) &
           ioc_bits_prev(m, IOC_MK_DIGIT, w);
  case IOC_DNS:
    return (dot & (ioc_bits_next(m, IOC_MK_ALPHA, w) |
                   ioc_bits_next(m, IOC_MK_HIGH, w))) |
           (open & ioc_bits_prev(m, IOC_MK_RUN_DNS, w));
  case IOC_IPV6: {
    /* the first colon of a match has the second within five bytes */
    uint64_t next = 0;
    for (unsigned n = 1; n <= 5; n++)
      next |= ioc_bits_ahead(m, IOC_MK_COLON, w, n);
    return ioc_bits(m, IOC_MK_COLON, w) & next;
  }
  default:
    return ioc_bits(m, IOC_MK_AT, w) | open;
  }
}

/* Try pattern `type` at the start of each class run that holds one of its
 * candidate marks or ends right before one.  Each run is tried once, at its
 * start, and not when a match already covers that start.  Inlined into one
 * copy per type (ioc_scan_ipv4...): with the type a constant, the candidate
 * and matcher switches disappear from the loop over the marks. */
IOC_HOT int
ioc_scan_runs(ioc_scanner *sc, const ioc_marks *m, int type, const char *text,
              size_t len)
{
  const unsigned char *t = (const unsigned char *)text;
  int run = type == IOC_IPV4  ? IOC_MK_RUN_V4
            : type == IOC_DNS ? IOC_MK_RUN_DNS
                              : IOC_MK_RUN_V6;
  size_t done_to = 0, tried = SIZE_MAX;

  for (size_t w = 0; w < m->nwords; w++) {
    uint64_t x = ioc_candidates(m, type, w);
    for (; x; x &= x - 1) {
      size_t q = 64 * w + (size_t)__builtin_ctzll(x), st, me;
      int rc;
      if (q < done_to)
        continue;
      if (type == IOC_EMAIL) {
        /* the user part has no bitmap: the run holding q or ending right
         * before it, byte by byte (an '@' is rare) */
        size_t a = q;
        if (!(ioc_mcls[t[q]] & IOC_C_USER)) {
          if (q == 0 || !(ioc_mcls[t[q - 1]] & IOC_C_USER))
            continue;
          a = q - 1;
        }
        st = a;
        while (st > 0 && (ioc_mcls[t[st - 1]] & IOC_C_USER))
          st--;
      } else {
        /* Every candidate is in the class or comes right after one that
         * is (ioc_candidates): the run holding q, or the one ending right
         * before it. */
        st = ioc_bits_run_start(m, run, q + (size_t)ioc_bits_has(m, run, q));
      }
      if (st == tried || st < done_to)
        continue;
      tried = st;
      me = ioc_match_builtin(type, m, t, len, st);
      if (me != IOC_NO_MATCH) {
        rc = ioc_take_hinted(sc, type, st, text + st, me - st,
                             ioc_bits_hints(m, st, me));
        if (rc != HK_OK)
          return rc;
        done_to = me;
      }
    }
  }
  return HK_OK;
}

static int
ioc_scan_ipv4(ioc_scanner *sc, const ioc_marks *m, const char *text, size_t len)
{
  return ioc_scan_runs(sc, m, IOC_IPV4, text, len);
}

static int
ioc_scan_ipv6(ioc_scanner *sc, const ioc_marks *m, const char *text, size_t len)
{
  return ioc_scan_runs(sc, m, IOC_IPV6, text, len);
}

static int
ioc_scan_dns(ioc_scanner *sc, const ioc_marks *m, const char *text, size_t len)
{
  return ioc_scan_runs(sc, m, IOC_DNS, text, len);
}

static int
ioc_scan_emails(ioc_scanner *sc, const ioc_marks *m, const char *text,
                size_t len)
{
  return ioc_scan_runs(sc, m, IOC_EMAIL, text, len);
}

/* URLs: from each "://" (or the "[:" of a defanged one), the scheme's
 * possible starts are tried leftmost first ("telnet" is the longest). */
static int
ioc_scan_urls(ioc_scanner *sc, const ioc_marks *m, const char *text, size_t len)
{
  size_t done_to = 0;
  for (size_t w = 0; w < m->nwords; w++) {
    uint64_t x = ioc_bits(m, IOC_MK_COLON, w);
    for (; x; x &= x - 1) {
      size_t c = 64 * w + (size_t)__builtin_ctzll(x), back;
      int rc;
      if (c < done_to)
        continue;
      if (c > 0 && text[c - 1] == '[')
        c--;
      else if (!(c + 2 < len && text[c + 1] == '/' && text[c + 2] == '/') &&
               !(c + 1 < len && text[c + 1] == ']'))
        continue;
      back = c < 6 ? c : 6;
      for (size_t k = back; k >= 1; k--) {
        size_t st = c - k,
               me = st < done_to
                        ? IOC_NO_MATCH
                        : ioc_match_url((const unsigned char *)text, len, st);
        if (me != IOC_NO_MATCH) {
          rc = ioc_take_hinted(sc, IOC_URL, st, text + st, me - st,
                               ioc_bits_hints(m, st, me));
          if (rc == HK_OK)
            rc = ioc_url_rescan(sc, IOC_URL, st, text + st,
                                ioc_url_trim(text + st, me - st));
          if (rc != HK_OK)
            return rc;
          done_to = me;
          break;
        }
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
ioc_scan_text_marks(ioc_scanner *sc, ioc_marks *m, const char *text, size_t len,
                    int readable)
{
  int rc = HK_OK;

  ioc_scanner_reset_text(sc);
  if (len == 0)
    return HK_OK;
  if (len > UINT32_MAX)
    return HK_E_LIMIT;
  if (ioc_prepass(m, text, len, readable) != HK_OK)
    return HK_E_NOMEM;
    /* In registration order, which decides ties between types (ioc_add_hit);
     * spelled out rather than a loop over a switch, whose jump the branch
     * predictor missed about once a line. */
#define IOC_ON(t) (sc->enabled & ((uint64_t)1 << (t)))
  if (IOC_ON(IOC_IPV4) && (m->kinds & (IOC_K_DOT | IOC_K_OPEN)))
    rc = ioc_scan_ipv4(sc, m, text, len);
  if (rc == HK_OK && IOC_ON(IOC_IPV6) && (m->kinds & IOC_K_COLON))
    rc = ioc_scan_ipv6(sc, m, text, len);
  if (rc == HK_OK && IOC_ON(IOC_DNS) && (m->kinds & (IOC_K_DOT | IOC_K_OPEN)))
    rc = ioc_scan_dns(sc, m, text, len);
  if (rc == HK_OK && IOC_ON(IOC_URL) && (m->kinds & IOC_K_COLON) &&
      (m->kinds & (IOC_K_SLASH | IOC_K_OPEN)))
    rc = ioc_scan_urls(sc, m, text, len);
  if (rc == HK_OK && IOC_ON(IOC_EMAIL) && (m->kinds & (IOC_K_AT | IOC_K_OPEN)))
    rc = ioc_scan_emails(sc, m, text, len);
  if (rc == HK_OK && IOC_ON(IOC_WINPATH) && (m->kinds & IOC_K_BSLASH))
    rc = ioc_scan_pattern(sc, IOC_WINPATH, text, len, 0, 0, 0);
  if (rc == HK_OK && IOC_ON(IOC_LXPATH) && (m->kinds & IOC_K_SLASH))
    rc = ioc_scan_pattern(sc, IOC_LXPATH, text, len, 0, 0, 0);
  /* custom patterns; the hashes come last */
  for (int t = IOC_BUILTIN_COUNT; t < sc->npat && rc == HK_OK; t++)
    if (IOC_ON(t))
      rc = ioc_scan_pattern(sc, t, text, len, 0, 0, 0);
#undef IOC_ON
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
 * each was first seen.  A line holds a handful of hits, where qsort's
 * set-up cost more than the sorting; long texts still get qsort. */
static void
ioc_sort_hits(ioc_scanner *sc)
{
  if (sc->nhits > 24) {
    qsort(sc->hits, sc->nhits, sizeof *sc->hits, ioc_hit_cmp);
  } else {
    for (size_t i = 1; i < sc->nhits; i++) {
      ioc_hit h = sc->hits[i];
      size_t j = i;
      for (; j > 0 && ioc_hit_cmp(&sc->hits[j - 1], &h) > 0; j--)
        sc->hits[j] = sc->hits[j - 1];
      sc->hits[j] = h;
    }
  }
  /* the hash slots now point at the wrong hits; clear them */
  if (sc->slots)
    memset(sc->slots, 0xff, sc->nslots * sizeof *sc->slots);
}

static int
ioc_scan_text(ioc_scanner *sc, const char *text, size_t len)
{
  return ioc_scan_text_marks(sc, &sc->marks, text, len, 0);
}

/* The same for a text followed by readable bytes (any) up to the end of
 * its last 64-byte group and 32 more, for PCRE2's JIT, which may look a
 * few bytes past the subject: the pre-pass reads it in place. */
static int
ioc_scan_text_in_place(ioc_scanner *sc, const char *text, size_t len)
{
  return ioc_scan_text_marks(sc, &sc->marks, text, len, 1);
}
