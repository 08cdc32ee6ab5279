/*
 * plugins/iocextract/ioc_marks.c -- the pre-pass: one pass over the text,
 * 16 bytes a step, makes a bitmap per character class (bit i of word w is
 * byte 64 w + i), and finds the hex runs of hash length.  The scan
 * (ioc_find.c) picks the places worth a try from the key characters'
 * bitmaps; the matchers (ioc_match.c) measure runs of a class with a bit
 * scan instead of a loop over bytes, whose exit the branch predictor
 * missed about once a run.  Included after ioc_scan.c.
 */
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define IOC_HOT static inline __attribute__((always_inline))
#define IOC_COLD static __attribute__((noinline))
#else
#define IOC_HOT static inline
#define IOC_COLD static
#endif

/* The bitmaps, IOC_MARK_KINDS words per 64 bytes of text in this order. */
enum {
  IOC_MK_DOT,
  IOC_MK_COLON,
  IOC_MK_AT,
  IOC_MK_OPEN,    /* '[' or '(' */
  IOC_MK_DIGIT,   /* [0-9] */
  IOC_MK_HEX,     /* [0-9a-fA-F] */
  IOC_MK_ALPHA,   /* [a-zA-Z] */
  IOC_MK_HIGH,    /* [\x80-\xff] */
  IOC_MK_LABEL,   /* a DNS label's [a-z0-9\x80-\xff-] */
  IOC_MK_RUN_V4,  /* the look-behind classes: ipv4 [0-9.] */
  IOC_MK_RUN_DNS, /* dns [a-z0-9_.\x80-\xff-] */
  IOC_MK_RUN_V6,  /* ipv6 [:.\w] */
  IOC_MARK_KINDS
};

/* What the text holds (ioc_marks.kinds). */
#define IOC_K_DOT (1u << IOC_MK_DOT)
#define IOC_K_COLON (1u << IOC_MK_COLON)
#define IOC_K_AT (1u << IOC_MK_AT)
#define IOC_K_OPEN (1u << IOC_MK_OPEN)
#define IOC_K_BSLASH 16u
#define IOC_K_SLASH 32u

/* Word w (-1 <= w <= nwords) of bitmap k.  The words before the first and
 * after the last are zero, so a neighbour's bit needs no bounds test and a
 * run always ends. */
IOC_HOT uint64_t
ioc_bits(const ioc_marks *m, int k, size_t w)
{
  return m->bits[(w + 1) * IOC_MARK_KINDS + (size_t)k];
}

/* Whether byte p is in class k. */
IOC_HOT int
ioc_bits_has(const ioc_marks *m, int k, size_t p)
{
  return (int)((ioc_bits(m, k, p >> 6) >> (p & 63)) & 1);
}

/* Word w shifted so that bit q tells of byte q - 1 (prev) or q + 1
 * (next). */
IOC_HOT uint64_t
ioc_bits_prev(const ioc_marks *m, int k, size_t w)
{
  return (ioc_bits(m, k, w) << 1) | (ioc_bits(m, k, w - 1) >> 63);
}

IOC_HOT uint64_t
ioc_bits_next(const ioc_marks *m, int k, size_t w)
{
  return (ioc_bits(m, k, w) >> 1) | (ioc_bits(m, k, w + 1) << 63);
}

/* Word w shifted so that bit q tells of byte q + n (1 <= n <= 63). */
IOC_HOT uint64_t
ioc_bits_ahead(const ioc_marks *m, int k, size_t w, unsigned n)
{
  return (ioc_bits(m, k, w) >> n) | (ioc_bits(m, k, w + 1) << (64 - n));
}

/* Length of the run of class k that starts at byte p (0 when p is not in
 * the class).  Bytes past the text are in no class. */
IOC_HOT size_t
ioc_bits_run_len(const ioc_marks *m, int k, size_t p)
{
  size_t w = p >> 6, n;
  uint64_t z = ~ioc_bits(m, k, w) >> (p & 63);
  if (z)
    return (size_t)__builtin_ctzll(z);
  n = 64 - (p & 63);
  for (w++;; w++, n += 64) {
    z = ~ioc_bits(m, k, w);
    if (z)
      return n + (size_t)__builtin_ctzll(z);
  }
}

/* Where the run of class k that ends right before byte e starts: one past
 * the last byte before e outside the class (e itself when e - 1 is
 * outside). */
IOC_HOT size_t
ioc_bits_run_start(const ioc_marks *m, int k, size_t e)
{
  size_t w = e >> 6;
  uint64_t z = ~ioc_bits(m, k, w) & (((uint64_t)1 << (e & 63)) - 1);
  while (!z) {
    if (w == 0)
      return 0;
    z = ~ioc_bits(m, k, --w);
  }
  return (w << 6) + 64 - (size_t)__builtin_clzll(z);
}

/* Whether any byte of [s, e) (s < e) is in class k.  A match spans one or
 * two words: both are read and masked without a branch. */
IOC_HOT int
ioc_bits_any(const ioc_marks *m, int k, size_t s, size_t e)
{
  size_t ws = s >> 6, we = (e - 1) >> 6;
  uint64_t lo = ~(uint64_t)0 << (s & 63),
           hi = ~(uint64_t)0 >> (63 - ((e - 1) & 63)), r;
  uint64_t same = (uint64_t)0 - (uint64_t)(ws == we); /* all ones or none */
  r = (ioc_bits(m, k, ws) & lo & (hi | ~same)) |
      (ioc_bits(m, k, we) & hi & ~same);
  for (size_t w = ws + 1; w < we; w++)
    r |= ioc_bits(m, k, w);
  return r != 0;
}

/* IOC_H_* of text[s, e), for ioc_take_hinted. */
IOC_HOT unsigned
ioc_bits_hints(const ioc_marks *m, size_t s, size_t e)
{
  return IOC_H_KNOWN |
         (ioc_bits_any(m, IOC_MK_OPEN, s, e) ? IOC_H_BRACKET : 0) |
         (ioc_bits_any(m, IOC_MK_HIGH, s, e) ? IOC_H_HIGH : 0);
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

/* Store a group's bitmaps, and the derived classes, in mk. */
IOC_HOT void
ioc_group_store(uint64_t *mk, uint64_t dot, uint64_t colon, uint64_t at,
                uint64_t open, uint64_t digit, uint64_t hex, uint64_t alpha,
                uint64_t high, uint64_t dash, uint64_t under)
{
  mk[IOC_MK_DOT] = dot;
  mk[IOC_MK_COLON] = colon;
  mk[IOC_MK_AT] = at;
  mk[IOC_MK_OPEN] = open;
  mk[IOC_MK_DIGIT] = digit;
  mk[IOC_MK_HEX] = hex;
  mk[IOC_MK_ALPHA] = alpha;
  mk[IOC_MK_HIGH] = high;
  mk[IOC_MK_LABEL] = alpha | digit | high | dash;
  mk[IOC_MK_RUN_V4] = digit | dot;
  mk[IOC_MK_RUN_DNS] = alpha | digit | high | dash | under | dot;
  mk[IOC_MK_RUN_V6] = alpha | digit | under | dot | colon;
}

#define IOC_MASK(MT, P, m) ((uint64_t)(MT)P##_movemask_epi8(m))

/* The SIMD body of the group functions, once for both widths: W bytes a
 * step with vector type VT, intrinsics prefix P (_mm or _mm256), SI the
 * suffix of the whole-vector operations (si128 or si256) and MT the
 * integer type of P's movemask.  Or-s the classes into the uint64_t
 * variables of ioc_prepass_group. */
#define IOC_GROUP_SIMD(W, VT, P, SI, MT)                                       \
  do {                                                                         \
    const VT cdot = P##_set1_epi8('.'), ccolon = P##_set1_epi8(':'),           \
             cat = P##_set1_epi8('@'), sq = P##_set1_epi8('['),                \
             par = P##_set1_epi8('('), sl = P##_set1_epi8('/'),                \
             bs = P##_set1_epi8('\\'), mi = P##_set1_epi8('-'),                \
             us = P##_set1_epi8('_'), c0 = P##_set1_epi8('0'),                 \
             c9 = P##_set1_epi8(9), ca = P##_set1_epi8('a'),                   \
             c5 = P##_set1_epi8(5), c25 = P##_set1_epi8(25),                   \
             lc = P##_set1_epi8(0x20), zero = P##_setzero_##SI();              \
    VT anysl = zero, anybs = zero;                                             \
    for (int b = 0; b < 64 / (W); b++) {                                       \
      VT v = P##_loadu_##SI((const VT *)(const void *)(g + (W)*b)), d;         \
      VT low = P##_sub_epi8(P##_or_##SI(v, lc), ca);                           \
      int sh = (W)*b;                                                          \
      /* digit: c - '0' <= 9; hex: or (c | 0x20) - 'a' <= 5; alpha:            \
       * (c | 0x20) - 'a' <= 25 (unsigned, saturating) */                      \
      d = P##_cmpeq_epi8(P##_subs_epu8(P##_sub_epi8(v, c0), c9), zero);        \
      dot |= IOC_MASK(MT, P, P##_cmpeq_epi8(v, cdot)) << sh;                   \
      colon |= IOC_MASK(MT, P, P##_cmpeq_epi8(v, ccolon)) << sh;               \
      at |= IOC_MASK(MT, P, P##_cmpeq_epi8(v, cat)) << sh;                     \
      open |=                                                                  \
          IOC_MASK(MT, P,                                                      \
                   P##_or_##SI(P##_cmpeq_epi8(v, sq), P##_cmpeq_epi8(v, par))) \
          << sh;                                                               \
      dash |= IOC_MASK(MT, P, P##_cmpeq_epi8(v, mi)) << sh;                    \
      under |= IOC_MASK(MT, P, P##_cmpeq_epi8(v, us)) << sh;                   \
      anysl = P##_or_##SI(anysl, P##_cmpeq_epi8(v, sl));                       \
      anybs = P##_or_##SI(anybs, P##_cmpeq_epi8(v, bs));                       \
      digit |= IOC_MASK(MT, P, d) << sh;                                       \
      hex |= IOC_MASK(                                                         \
                 MT, P,                                                        \
                 P##_or_##SI(d, P##_cmpeq_epi8(P##_subs_epu8(low, c5), zero))) \
             << sh;                                                            \
      alpha |= IOC_MASK(MT, P, P##_cmpeq_epi8(P##_subs_epu8(low, c25), zero))  \
               << sh;                                                          \
      high |= IOC_MASK(MT, P, v) << sh;                                        \
    }                                                                          \
    *slashes |= (P##_movemask_epi8(anysl) ? IOC_K_SLASH : 0) |                 \
                (P##_movemask_epi8(anybs) ? IOC_K_BSLASH : 0);                 \
  } while (0)

/* The bitmaps of one 64-byte group of the text (written into mk), and
 * which of '/' and '\\' occur (or-ed into *slashes).  SSE2 is part of
 * every x86-64; elsewhere the same answers come a byte at a time. */
IOC_HOT void
ioc_prepass_group(const unsigned char *g, uint64_t *mk, unsigned *slashes)
{
  uint64_t dot = 0, colon = 0, at = 0, open = 0, digit = 0, hex = 0, alpha = 0,
           high = 0, dash = 0, under = 0;
#if defined(__SSE2__)
  IOC_GROUP_SIMD(16, __m128i, _mm, si128, unsigned);
#else
  for (int i = 0; i < 64; i++) {
    unsigned c = g[i];
    uint64_t bit = (uint64_t)1 << i;
    dot |= c == '.' ? bit : 0;
    colon |= c == ':' ? bit : 0;
    at |= c == '@' ? bit : 0;
    open |= c == '[' || c == '(' ? bit : 0;
    dash |= c == '-' ? bit : 0;
    under |= c == '_' ? bit : 0;
    if (c == '/')
      *slashes |= IOC_K_SLASH;
    else if (c == '\\')
      *slashes |= IOC_K_BSLASH;
    digit |= c - '0' <= 9u ? bit : 0;
    hex |= c - '0' <= 9u || (c | 0x20) - 'a' <= 5u ? bit : 0;
    alpha |= (c | 0x20) - 'a' <= 25u ? bit : 0;
    high |= c >= 0x80 ? bit : 0;
  }
#endif
  ioc_group_store(mk, dot, colon, at, open, digit, hex, alpha, high, dash,
                  under);
}

/* The same with AVX2, 32 bytes a step, where the CPU has it (checked at
 * run time: the build targets plain x86-64).  test_ioc_scan compares the
 * two on every byte value. */
#if defined(__SSE2__) && defined(__x86_64__) &&                                \
    (defined(__GNUC__) || defined(__clang__))
#define IOC_AVX2 1
#include <immintrin.h>

static inline __attribute__((target("avx2"), always_inline)) void
ioc_prepass_group_avx2(const unsigned char *g, uint64_t *mk, unsigned *slashes)
{
  uint64_t dot = 0, colon = 0, at = 0, open = 0, digit = 0, hex = 0, alpha = 0,
           high = 0, dash = 0, under = 0;
  IOC_GROUP_SIMD(32, __m256i, _mm256, si256, uint32_t);
  ioc_group_store(mk, dot, colon, at, open, digit, hex, alpha, high, dash,
                  under);
}
#endif

/* Hex runs of exactly 32, 40 or 64 digits, as (start, length) pairs in
 * m->hash.  Such a run holds a whole 16-byte block of the text, so a run
 * is only measured around an all-hex block. */
static int
ioc_find_hex_runs(ioc_marks *m)
{
  size_t done = 0;
  for (size_t w = 0; w < m->nwords; w++) {
    uint64_t hex = ioc_bits(m, IOC_MK_HEX, w);
    for (int b = 0; b < 4; b++) {
      size_t i = 64 * w + 16 * (size_t)b, st, n;
      if (((hex >> (16 * b)) & 0xffff) != 0xffff || i < done)
        continue;
      st = ioc_bits_run_start(m, IOC_MK_HEX, i);
      n = i - st + ioc_bits_run_len(m, IOC_MK_HEX, i);
      done = st + n;
      if (n == 32 || n == 40 || n == 64) {
        if (ioc_push(&m->hash, &m->nh, &m->caph, (uint32_t)st) ||
            ioc_push(&m->hash, &m->nh, &m->caph, (uint32_t)n))
          return HK_E_NOMEM;
      }
    }
  }
  return HK_OK;
}

/* The groups of text[0..len) into m's words; the kinds seen. */
IOC_HOT unsigned
ioc_prepass_loop(ioc_marks *m, const unsigned char *t, size_t len, int readable,
                 void (*group)(const unsigned char *, uint64_t *, unsigned *))
{
  unsigned kinds = 0;
  for (size_t w = 0; w < m->nwords; w++) {
    uint64_t *mk = m->bits + (w + 1) * IOC_MARK_KINDS;
    const unsigned char *g = t + 64 * w;
    unsigned char tail[64];
    size_t left = len - 64 * w;
    if (left < 64 && !readable) {
      /* zeros are in no class */
      memset(tail, 0, sizeof tail);
      memcpy(tail, g, left);
      g = tail;
    }
    group(g, mk, &kinds);
    if (left < 64 && readable) {
      /* read in place: what follows the text is in no class (a '/'
       * there may still say "slashes", which only costs a path scan) */
      uint64_t keep = ((uint64_t)1 << left) - 1;
      for (int k = 0; k < IOC_MARK_KINDS; k++)
        mk[k] &= keep;
    }
    kinds |= (unsigned)(mk[IOC_MK_DOT] != 0) << IOC_MK_DOT |
             (unsigned)(mk[IOC_MK_COLON] != 0) << IOC_MK_COLON |
             (unsigned)(mk[IOC_MK_AT] != 0) << IOC_MK_AT |
             (unsigned)(mk[IOC_MK_OPEN] != 0) << IOC_MK_OPEN;
  }
  return kinds;
}

static unsigned
ioc_prepass_words(ioc_marks *m, const unsigned char *t, size_t len,
                  int readable)
{
  return ioc_prepass_loop(m, t, len, readable, ioc_prepass_group);
}

#if defined(IOC_AVX2)
static __attribute__((target("avx2"))) unsigned
ioc_prepass_words_avx2(ioc_marks *m, const unsigned char *t, size_t len,
                       int readable)
{
  return ioc_prepass_loop(m, t, len, readable, ioc_prepass_group_avx2);
}
#endif

/* Fill m for text[0..len).  `readable`: the bytes after the text, up to
 * the end of its last 64-byte group, may be read (whatever they hold), so
 * the last group is read in place. */
static int
ioc_prepass(ioc_marks *m, const char *text, size_t len, int readable)
{
  const unsigned char *t = (const unsigned char *)text;
  size_t nw = (len + 63) / 64, need = (nw + 2) * IOC_MARK_KINDS;

  m->nh = 0;
  if (m->cap < need) {
    uint64_t *g = realloc(m->bits, need * sizeof *g);
    if (!g)
      return HK_E_NOMEM;
    m->bits = g;
    m->cap = need;
  }
  m->nwords = nw;
  for (int k = 0; k < IOC_MARK_KINDS; k++) {
    m->bits[k] = 0;
    m->bits[(nw + 1) * IOC_MARK_KINDS + (size_t)k] = 0;
  }
#if defined(IOC_AVX2)
  if (__builtin_cpu_supports("avx2"))
    m->kinds = ioc_prepass_words_avx2(m, t, len, readable);
  else
#endif
    m->kinds = ioc_prepass_words(m, t, len, readable);
  return ioc_find_hex_runs(m);
}
