/*
 * plugins/iocextract/ioc_find.c -- where the patterns are tried.  One pass
 * over the text (16 bytes a step) makes bitmaps of the characters IoCs hinge
 * on ('.', ':', '@', '[', '(') and finds the hex runs of hash length; each
 * built-in pattern is then tried, anchored, only at the run starts around
 * those marks.  Included after ioc_scan.c and ioc_match.c.
 *
 * Why this gives the same matches as MSTICPy's unanchored search: every
 * built-in pattern except url and the paths starts with a look-behind that
 * refuses a start preceded by a character of its class, so a match can only
 * start where a run of class characters starts; and each needs its key
 * character (or a defanging bracket) inside or right after that run.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Look-behind classes: bit 0 ipv4 [0-9.], bit 1 dns [a-z0-9_.\x80-\xff-],
 * bit 2 e-mail user part, bit 3 ipv6 [:.\w]. */
static unsigned char ioc_cls[256];

/* The pre-pass's bitmaps, in this order in ioc_marks.bits: the key
 * characters, then two classes that say which marks are worth a try. */
enum {
  IOC_MK_DOT,
  IOC_MK_COLON,
  IOC_MK_AT,
  IOC_MK_OPEN, /* '[' or '(' */
  IOC_MK_DIGIT,
  IOC_MK_LETTER, /* [a-zA-Z\x80-\xff] */
  IOC_MARK_KINDS
};

/* What the text holds (ioc_marks.kinds). */
#define IOC_K_DOT (1u << IOC_MK_DOT)
#define IOC_K_COLON (1u << IOC_MK_COLON)
#define IOC_K_AT (1u << IOC_MK_AT)
#define IOC_K_OPEN (1u << IOC_MK_OPEN)
#define IOC_K_BSLASH 16u
#define IOC_K_SLASH 32u
#define IOC_K_HEX 64u /* a hex run of hash length */

/* The look-behind classes, from ioc_match.c's character classes. */
static void
ioc_cls_init(void)
{
  ioc_match_init();
  if (ioc_cls['a'])
    return;
  for (int c = 0; c < 256; c++) {
    unsigned m = ioc_mcls[c];
    int dot = c == '.';
    ioc_cls[c] = (unsigned char)(((m & IOC_C_DIGIT) || dot ? 1 : 0) |
                                 ((m & IOC_C_TAIL) || dot ? 2 : 0) |
                                 (m & IOC_C_USER ? 4 : 0) |
                                 ((m & IOC_C_WORD) || dot || c == ':' ? 8 : 0));
  }
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

/* One 64-byte group of the text: the mark bitmaps, a bit per 16-byte block
 * that is all hex digits, and which of '/' and '\\' occur.  SSE2 is part of
 * every x86-64; elsewhere the same answers come a byte at a time. */
static void
ioc_prepass_group(const unsigned char *g, uint64_t mk[IOC_MARK_KINDS],
                  unsigned *hexblocks, unsigned *slashes)
{
#if defined(__SSE2__)
#define IOC_BITS16(m) ((uint64_t)(unsigned)_mm_movemask_epi8(m))
  const __m128i dot = _mm_set1_epi8('.'), colon = _mm_set1_epi8(':'),
                at = _mm_set1_epi8('@'), sq = _mm_set1_epi8('['),
                par = _mm_set1_epi8('('), sl = _mm_set1_epi8('/'),
                bs = _mm_set1_epi8('\\'), c0 = _mm_set1_epi8('0'),
                c9 = _mm_set1_epi8(9), ca = _mm_set1_epi8('a'),
                c5 = _mm_set1_epi8(5), c25 = _mm_set1_epi8(25),
                lc = _mm_set1_epi8(0x20), zero = _mm_setzero_si128();
  for (int b = 0; b < 4; b++) {
    __m128i v = _mm_loadu_si128((const __m128i *)(g + 16 * b)), hex, digit;
    __m128i low = _mm_sub_epi8(_mm_or_si128(v, lc), ca);
    int sh = 16 * b;
    mk[IOC_MK_DOT] |= IOC_BITS16(_mm_cmpeq_epi8(v, dot)) << sh;
    mk[IOC_MK_COLON] |= IOC_BITS16(_mm_cmpeq_epi8(v, colon)) << sh;
    mk[IOC_MK_AT] |= IOC_BITS16(_mm_cmpeq_epi8(v, at)) << sh;
    mk[IOC_MK_OPEN] |=
        IOC_BITS16(_mm_or_si128(_mm_cmpeq_epi8(v, sq), _mm_cmpeq_epi8(v, par)))
        << sh;
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, sl)))
      *slashes |= IOC_K_SLASH;
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(v, bs)))
      *slashes |= IOC_K_BSLASH;
    /* digit: c - '0' <= 9; hex: or (c | 0x20) - 'a' <= 5; letter:
     * (c | 0x20) - 'a' <= 25 or c >= 0x80 (unsigned, saturating) */
    digit = _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(v, c0), c9), zero);
    hex = _mm_or_si128(digit, _mm_cmpeq_epi8(_mm_subs_epu8(low, c5), zero));
    mk[IOC_MK_DIGIT] |= IOC_BITS16(digit) << sh;
    mk[IOC_MK_LETTER] |=
        (IOC_BITS16(_mm_cmpeq_epi8(_mm_subs_epu8(low, c25), zero)) |
         IOC_BITS16(v))
        << sh;
    if (_mm_movemask_epi8(hex) == 0xffff)
      *hexblocks |= 1u << b;
  }
#undef IOC_BITS16
#else
  for (int b = 0; b < 4; b++) {
    int all_hex = 1;
    for (int i = 16 * b; i < 16 * b + 16; i++) {
      unsigned char c = g[i];
      uint64_t bit = (uint64_t)1 << i;
      if (c == '.')
        mk[IOC_MK_DOT] |= bit;
      else if (c == ':')
        mk[IOC_MK_COLON] |= bit;
      else if (c == '@')
        mk[IOC_MK_AT] |= bit;
      else if (c == '[' || c == '(')
        mk[IOC_MK_OPEN] |= bit;
      else if (c == '/')
        *slashes |= IOC_K_SLASH;
      else if (c == '\\')
        *slashes |= IOC_K_BSLASH;
      if (c >= '0' && c <= '9')
        mk[IOC_MK_DIGIT] |= bit;
      if ((unsigned)((c | 0x20) - 'a') <= 25u || c >= 0x80)
        mk[IOC_MK_LETTER] |= bit;
      if (!ioc_is_hex(c))
        all_hex = 0;
    }
    if (all_hex)
      *hexblocks |= 1u << b;
  }
#endif
}

/* Bitmaps of the key characters, and the hex runs of hash length.  A run
 * of 32 or more hex digits holds a whole 16-byte block of the text, so a
 * run is only looked for around an all-hex block.  `padded`: the text is
 * followed by zeros up to a multiple of 64 bytes, so the last group is
 * read in place. */
static int
ioc_prepass(ioc_marks *m, const char *text, size_t len, int padded)
{
  const unsigned char *t = (const unsigned char *)text;
  size_t nw = (len + 63) / 64, hex_done = 0;
  unsigned kinds = 0;

  m->nh = 0;
  if (m->cap < nw * IOC_MARK_KINDS) {
    uint64_t *g = realloc(m->bits, nw * IOC_MARK_KINDS * sizeof *g);
    if (!g)
      return HK_E_NOMEM;
    m->bits = g;
    m->cap = nw * IOC_MARK_KINDS;
  }
  m->nwords = nw;
  for (size_t w = 0; w < nw; w++) {
    uint64_t mk[IOC_MARK_KINDS] = {0};
    unsigned hexblocks = 0;
    const unsigned char *g = t + 64 * w;
    unsigned char tail[64];
    if (!padded && len - 64 * w < 64) {
      /* zeros are no mark and no hex digit */
      memset(tail, 0, sizeof tail);
      memcpy(tail, g, len - 64 * w);
      g = tail;
    }
    ioc_prepass_group(g, mk, &hexblocks, &kinds);
    for (int k = 0; k < IOC_MARK_KINDS; k++)
      m->bits[k * nw + w] = mk[k];
    for (int k = 0; k <= IOC_MK_OPEN; k++)
      if (mk[k])
        kinds |= 1u << k;
    for (; hexblocks; hexblocks &= hexblocks - 1) {
      size_t i = 64 * w + 16 * (size_t)__builtin_ctz(hexblocks), st, e;
      if (i < hex_done)
        continue;
      st = i;
      while (st > 0 && ioc_is_hex(t[st - 1]))
        st--;
      e = i + 16;
      while (e < len && ioc_is_hex(t[e]))
        e++;
      hex_done = e;
      if (e - st == 32 || e - st == 40 || e - st == 64) {
        kinds |= IOC_K_HEX;
        if (ioc_push(&m->hash, &m->nh, &m->caph, (uint32_t)st) ||
            ioc_push(&m->hash, &m->nh, &m->caph, (uint32_t)(e - st)))
          return HK_E_NOMEM;
      }
    }
  }
  m->kinds = kinds;
  return HK_OK;
}

/* Bit q of the result: bit q - 1 (prev) or q + 1 (next) of bitmap k. */
static uint64_t
ioc_marks_prev(const ioc_marks *m, int k, size_t w)
{
  const uint64_t *b = m->bits + (size_t)k * m->nwords;
  return (b[w] << 1) | (w > 0 ? b[w - 1] >> 63 : 0);
}

static uint64_t
ioc_marks_next(const ioc_marks *m, int k, size_t w)
{
  const uint64_t *b = m->bits + (size_t)k * m->nwords;
  return (b[w] >> 1) | (w + 1 < m->nwords ? b[w + 1] << 63 : 0);
}

/* Word w of the marks where pattern `type` is worth a try.  Every match
 * holds such a mark in the class run it starts (see ioc_scan_runs), and
 * the tests keep most marks away from the matchers:
 *   ipv4: the dot or bracket after its first octet, so a mark after a
 *         digit (and a dot before one);
 *   dns: the separator before the TLD, so a bracket or a dot before a
 *        letter (the run from the domain's start to it is unbroken, or
 *        holds a bracket that is a mark itself);
 *   ipv6: a colon (it has two);  email: an '@' or a bracket. */
static uint64_t
ioc_candidates(const ioc_marks *m, int type, size_t w)
{
  const uint64_t *b = m->bits + w;
  size_t nw = m->nwords;
  switch (type) {
  case IOC_IPV4:
    return ((b[IOC_MK_DOT * nw] & ioc_marks_next(m, IOC_MK_DIGIT, w)) |
            b[IOC_MK_OPEN * nw]) &
           ioc_marks_prev(m, IOC_MK_DIGIT, w);
  case IOC_DNS:
    return (b[IOC_MK_DOT * nw] & ioc_marks_next(m, IOC_MK_LETTER, w)) |
           b[IOC_MK_OPEN * nw];
  case IOC_IPV6:
    return b[IOC_MK_COLON * nw];
  default:
    return b[IOC_MK_AT * nw] | b[IOC_MK_OPEN * nw];
  }
}

/* Try pattern `type` at the start of each class run (class bit `bit`)
 * that holds one of its candidate marks or ends right before one.  Each
 * run is tried once, at its start, and not when a match already covers
 * that start. */
static int
ioc_scan_runs(ioc_scanner *sc, const ioc_marks *m, int type, const char *text,
              size_t len, unsigned char bit)
{
  const unsigned char *t = (const unsigned char *)text;
  size_t done_to = 0, last_anchor = SIZE_MAX, last_st = SIZE_MAX;
  size_t tried = SIZE_MAX;

  for (size_t w = 0; w < m->nwords; w++) {
    uint64_t x = ioc_candidates(m, type, w);
    for (; x; x &= x - 1) {
      size_t q = 64 * w + (size_t)__builtin_ctzll(x), anchor, st, me;
      int rc;
      if (q < done_to)
        continue;
      /* the run holding q, or the one ending right before it */
      if (ioc_cls[t[q]] & bit)
        anchor = q;
      else if (q > 0 && (ioc_cls[t[q - 1]] & bit))
        anchor = q - 1;
      else
        continue;
      if (anchor == last_anchor) {
        st = last_st;
      } else {
        /* back to the run start, or to the last anchor when it is in the
         * same run (its start is known) */
        st = anchor;
        while (st > 0 && (ioc_cls[t[st - 1]] & bit)) {
          if (st - 1 == last_anchor) {
            st = last_st;
            break;
          }
          st--;
        }
      }
      last_anchor = anchor;
      last_st = st;
      if (st == tried || st < done_to)
        continue;
      tried = st;
      me = ioc_match_builtin(type, t, len, st);
      if (me != IOC_NO_MATCH) {
        rc = ioc_take(sc, type, st, text + st, me - st);
        if (rc != HK_OK)
          return rc;
        done_to = me;
      }
    }
  }
  return HK_OK;
}

/* Whether one of URL_SCHEME's names starts at t[st] (a necessary condition
 * for the url pattern there: it saves most of the PCRE2 calls). */
static int
ioc_url_scheme_at(const unsigned char *t, size_t len, size_t st)
{
  size_t p = st;
  int c = t[p] | 0x20;
#define IOC_XT(i)                                                              \
  (p + (i) < len && ((t[p + (i)] | 0x20) == 'x' || (t[p + (i)] | 0x20) == 't'))
#define IOC_CH(i, ch) (p + (i) < len && (t[p + (i)] | 0x20) == (ch))
  if (c == 'h')
    return IOC_XT(1) && IOC_XT(2) && IOC_CH(3, 'p');
  if (c == 's') {
    p++;
    c = p < len ? t[p] | 0x20 : 0;
  }
  if (c == 'f')
    return (IOC_XT(1) && IOC_CH(2, 'p')) ||
           (p == st && ioc_prefix_ci((const char *)t + p, len - p, "file"));
#undef IOC_XT
#undef IOC_CH
  return ioc_prefix_ci((const char *)t + st, len - st, "telnet") ||
         ioc_prefix_ci((const char *)t + st, len - st, "ldap");
}

/* URLs: from each "://" (or the "[:" of a defanged one), the scheme's
 * possible starts are tried leftmost first ("telnet" is the longest). */
static int
ioc_scan_urls(ioc_scanner *sc, const ioc_marks *m, const char *text, size_t len)
{
  const ioc_pattern *p = &sc->pat[IOC_URL];
  size_t done_to = 0;
  for (size_t w = 0; w < m->nwords; w++) {
    uint64_t x = m->bits[IOC_MK_COLON * m->nwords + w];
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
        size_t st = c - k, me;
        if (st < done_to ||
            !ioc_url_scheme_at((const unsigned char *)text, len, st))
          continue;
        rc = pcre2_match(p->anchored, (PCRE2_SPTR)text, len, st, 0, sc->md,
                         NULL);
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
                    int padded)
{
  int rc = HK_OK;

  ioc_scanner_reset_text(sc);
  if (len == 0)
    return HK_OK;
  if (len > UINT32_MAX)
    return HK_E_LIMIT;
  if (ioc_prepass(m, text, len, padded) != HK_OK)
    return HK_E_NOMEM;
  for (int t = 0; t < sc->npat && rc == HK_OK; t++) {
    if (!(sc->enabled & ((uint64_t)1 << t)))
      continue;
    switch (t) {
    case IOC_IPV4:
      if (m->kinds & (IOC_K_DOT | IOC_K_OPEN))
        rc = ioc_scan_runs(sc, m, t, text, len, 1);
      break;
    case IOC_IPV6:
      if (m->kinds & IOC_K_COLON)
        rc = ioc_scan_runs(sc, m, t, text, len, 8);
      break;
    case IOC_DNS:
      if (m->kinds & (IOC_K_DOT | IOC_K_OPEN))
        rc = ioc_scan_runs(sc, m, t, text, len, 2);
      break;
    case IOC_URL:
      if ((m->kinds & IOC_K_COLON) && (m->kinds & (IOC_K_SLASH | IOC_K_OPEN)))
        rc = ioc_scan_urls(sc, m, text, len);
      break;
    case IOC_EMAIL:
      if (m->kinds & (IOC_K_AT | IOC_K_OPEN))
        rc = ioc_scan_runs(sc, m, t, text, len, 4);
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

/* The same for a text followed by zeros up to the next multiple of 64
 * bytes (and 32 more, for PCRE2's JIT). */
static int
ioc_scan_text_padded(ioc_scanner *sc, const char *text, size_t len)
{
  return ioc_scan_text_marks(sc, &sc->marks, text, len, 1);
}
