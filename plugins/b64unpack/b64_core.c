/*
 * plugins/b64unpack/b64_core.c -- find base64 runs in a text, decode them,
 * unpack archives (libarchive) and decode nested content, with limits.
 * Table-free: the plugin glue (b64unpack.c) and the white-box test include
 * this file, so everything here is static.
 *
 * The algorithm is MSTICPy's _decode_b64_string_recursive (reference §14)
 * with its defects fixed; README.md lists each difference.
 */
#include <huntkit/abi.h>
#include <huntkit/buf.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define B64_MIN_RUN 30             /* MSTICPy: [A-Za-z0-9+/\n\r]{30,}={0,2} */
#define B64_MAX_FRAGMENTS 50       /* per pass, as MSTICPy */
#define B64_RATIO_FLOOR (1u << 20) /* ratio is checked past 1 MiB out */
#define B64_MAX_NEST 64

typedef struct b64_limits {
  int64_t max_depth;       /* deepest depth value an item may have */
  int64_t max_total_bytes; /* decoded + unpacked bytes per input text */
  int64_t max_entries;     /* archive entries per input text */
  int64_t max_ratio;       /* unpacked / packed bytes per archive */
  int64_t max_hex_bytes;   /* bytes shown as hex in printable_bytes */
  int utf16;               /* 0 no, 1 yes (MSTICPy utf16=True), 2 auto */
} b64_limits;

typedef struct b64_item {
  char *reference;
  int64_t depth;
  char *original; /* the base64 run the item came from */
  char *file_name;
  char *file_type; /* NULL when unknown */
  unsigned char *bytes;
  size_t len;
  char *decoded; /* UTF-8 text, NULL for binary */
  size_t decoded_len;
  const char *encoding; /* "utf-8", "utf-16" or "binary" */
  char md5[33], sha1[41], sha256[65];
  char *printable; /* space-separated hex */
} b64_item;

typedef struct b64_ctx {
  b64_limits lim;
  b64_item *items;
  size_t nitems, capitems;
  int64_t total_bytes;
  int64_t entries;
  int stopped;        /* a limit was reached: nothing more is decoded */
  int stop_code;      /* HK_E_LIMIT or HK_E_NOMEM */
  char stop_msg[256]; /* why */
  char **undecodable; /* runs that did not decode, for this text only */
  size_t nundec, capundec;
  unsigned char nest_sha[B64_MAX_NEST][32]; /* archives being unpacked */
  int nest;
} b64_ctx;

static void
b64_item_free(b64_item *it)
{
  free(it->reference);
  free(it->original);
  free(it->file_name);
  free(it->file_type);
  free(it->bytes);
  free(it->decoded);
  free(it->printable);
}

/* Forget the items and per-text state; keep the limits. */
static void
b64_ctx_reset(b64_ctx *c)
{
  for (size_t i = 0; i < c->nitems; i++)
    b64_item_free(&c->items[i]);
  for (size_t i = 0; i < c->nundec; i++)
    free(c->undecodable[i]);
  c->nitems = 0;
  c->nundec = 0;
  c->total_bytes = 0;
  c->entries = 0;
  c->stopped = 0;
  c->stop_code = HK_OK;
  c->stop_msg[0] = '\0';
  c->nest = 0;
}

static void
b64_ctx_free(b64_ctx *c)
{
  b64_ctx_reset(c);
  free(c->items);
  free(c->undecodable);
  c->items = NULL;
  c->undecodable = NULL;
  c->capitems = c->capundec = 0;
}

static void b64_stop(b64_ctx *c, int code, const char *fmt, ...)
    HK_PRINTF(3, 4);

static void
b64_stop(b64_ctx *c, int code, const char *fmt, ...)
{
  va_list ap;
  if (c->stopped)
    return;
  c->stopped = 1;
  c->stop_code = code;
  va_start(ap, fmt);
  vsnprintf(c->stop_msg, sizeof c->stop_msg, fmt, ap);
  va_end(ap);
}

/* ---- base64 ------------------------------------------------------------- */

static const signed char b64_val[256] = {
    ['A'] = 1,  ['B'] = 2,  ['C'] = 3,  ['D'] = 4,  ['E'] = 5,  ['F'] = 6,
    ['G'] = 7,  ['H'] = 8,  ['I'] = 9,  ['J'] = 10, ['K'] = 11, ['L'] = 12,
    ['M'] = 13, ['N'] = 14, ['O'] = 15, ['P'] = 16, ['Q'] = 17, ['R'] = 18,
    ['S'] = 19, ['T'] = 20, ['U'] = 21, ['V'] = 22, ['W'] = 23, ['X'] = 24,
    ['Y'] = 25, ['Z'] = 26, ['a'] = 27, ['b'] = 28, ['c'] = 29, ['d'] = 30,
    ['e'] = 31, ['f'] = 32, ['g'] = 33, ['h'] = 34, ['i'] = 35, ['j'] = 36,
    ['k'] = 37, ['l'] = 38, ['m'] = 39, ['n'] = 40, ['o'] = 41, ['p'] = 42,
    ['q'] = 43, ['r'] = 44, ['s'] = 45, ['t'] = 46, ['u'] = 47, ['v'] = 48,
    ['w'] = 49, ['x'] = 50, ['y'] = 51, ['z'] = 52, ['0'] = 53, ['1'] = 54,
    ['2'] = 55, ['3'] = 56, ['4'] = 57, ['5'] = 58, ['6'] = 59, ['7'] = 60,
    ['8'] = 61, ['9'] = 62, ['+'] = 63, ['/'] = 64};
/* b64_val[c] - 1 is the 6-bit value; 0 means "not in the alphabet". */

/* Bitmaps of the 64 bytes at g: run characters [A-Za-z0-9+/\n\r], and
 * those that are neither hex digits nor line breaks (a run without one is
 * all hex). */
static void
b64_group_bits(const unsigned char *g, uint64_t *run, uint64_t *nonhex)
{
  uint64_t r = 0, n = 0;
#if defined(__SSE2__)
  const __m128i ca = _mm_set1_epi8('a'), lc = _mm_set1_epi8(0x20),
                c0 = _mm_set1_epi8('0'), c9 = _mm_set1_epi8(9),
                c5 = _mm_set1_epi8(5), c25 = _mm_set1_epi8(25),
                plus = _mm_set1_epi8('+'), slash = _mm_set1_epi8('/'),
                nl = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r'),
                zero = _mm_setzero_si128();
  for (int b = 0; b < 4; b++) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(g + 16 * b));
    __m128i low = _mm_sub_epi8(_mm_or_si128(v, lc), ca);
    __m128i alpha = _mm_cmpeq_epi8(_mm_subs_epu8(low, c25), zero);
    __m128i hexalpha = _mm_cmpeq_epi8(_mm_subs_epu8(low, c5), zero);
    __m128i digit =
        _mm_cmpeq_epi8(_mm_subs_epu8(_mm_sub_epi8(v, c0), c9), zero);
    __m128i ps =
        _mm_or_si128(_mm_cmpeq_epi8(v, plus), _mm_cmpeq_epi8(v, slash));
    __m128i brk = _mm_or_si128(_mm_cmpeq_epi8(v, nl), _mm_cmpeq_epi8(v, cr));
    __m128i nh = _mm_or_si128(_mm_andnot_si128(hexalpha, alpha), ps);
    r |= (uint64_t)(unsigned)_mm_movemask_epi8(
             _mm_or_si128(_mm_or_si128(alpha, digit), _mm_or_si128(ps, brk)))
         << (16 * b);
    n |= (uint64_t)(unsigned)_mm_movemask_epi8(nh) << (16 * b);
  }
#else
  for (int i = 0; i < 64; i++) {
    unsigned c = g[i], low = (c | 0x20) - 'a';
    uint64_t bit = (uint64_t)1 << i;
    int alpha = low <= 25u, ps = c == '+' || c == '/';
    r |= alpha || c - '0' <= 9u || ps || c == '\n' || c == '\r' ? bit : 0;
    n |= (alpha && low > 5u) || ps ? bit : 0;
  }
#endif
  *run = r;
  *nonhex = n;
}

/* The bitmaps of s[g, g + 64), the bytes past len counted as zeros (no run
 * character). */
static void
b64_load_group(const unsigned char *s, size_t len, size_t g, uint64_t *run,
               uint64_t *nonhex)
{
  if (len - g >= 64) {
    b64_group_bits(s + g, run, nonhex);
  } else {
    unsigned char tail[64];
    memset(tail, 0, sizeof tail);
    memcpy(tail, s + g, len - g);
    b64_group_bits(tail, run, nonhex);
  }
}

/* Bit i set where the 30 bytes from i are all run characters, for the
 * group with bitmap lo followed by the group with hi: six and-shifts
 * instead of a look at each of a log's short words.  (Bit 63 of hi's
 * partial steps misses the group after; it reaches no bit below 64.) */
_Static_assert(B64_MIN_RUN == 30, "b64_windows's shifts add up to 30");

static uint64_t
b64_windows(uint64_t lo, uint64_t hi)
{
  static const unsigned k[] = {1, 2, 4, 8, 14}; /* 2, 4, 8, 16, 30 */
  for (unsigned i = 0; i < sizeof k / sizeof k[0]; i++) {
    lo &= (lo >> k[i]) | (hi << (64 - k[i]));
    hi &= hi >> k[i];
  }
  return lo;
}

/* The next base64 run at or after `from`: [start, end).  Runs made only of
 * hex digits are hashes or hex dumps, not base64 (MSTICPy decoded them into
 * noise, §23), and are skipped.  This scan is most of the cost of
 * whole-file decoding (it runs once per pass), and a log is mostly short
 * words of run characters: 64-byte groups without 30 run characters in a
 * row are passed over with bit operations, and a long run is measured with
 * bit scans. */
static int
b64_next_run(const char *s, size_t len, size_t from, size_t *start, size_t *end)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t g, p = from, st, e, pads;
  uint64_t run, nonhex, next_run, next_nonhex, w, acc;

  for (;;) {
    if (p >= len)
      return 0;
    g = p & ~(size_t)63;
    b64_load_group(u, len, g, &run, &nonhex);
    next_run = next_nonhex = 0;
    if (g + 64 < len)
      b64_load_group(u, len, g + 64, &next_run, &next_nonhex);
    /* the first place at or after p where 30 run characters begin: the
     * start of the next run long enough (cut at p) */
    w = b64_windows(run, next_run) & (~(uint64_t)0 << (p - g));
    while (!w) {
      g += 64;
      if (g >= len)
        return 0;
      run = next_run;
      nonhex = next_nonhex;
      next_run = next_nonhex = 0;
      if (g + 64 < len)
        b64_load_group(u, len, g + 64, &next_run, &next_nonhex);
      w = b64_windows(run, next_run);
    }
    st = g + (size_t)__builtin_ctzll(w);
    /* where the run ends, and whether it holds a non-hex character */
    e = st;
    acc = 0;
    for (;;) {
      unsigned off = (unsigned)(e - g);
      uint64_t x = ~run >> off;
      if (x) {
        unsigned n = (unsigned)__builtin_ctzll(x);
        acc |= (nonhex >> off) & (((uint64_t)1 << n) - 1);
        e += n;
        break;
      }
      /* the run goes on to the end of the group (never past the text:
       * bytes past it are no run characters) */
      acc |= nonhex >> off;
      g += 64;
      e = g;
      if (g >= len)
        break;
      b64_load_group(u, len, g, &run, &nonhex);
    }
    if (acc) {
      for (pads = 0; pads < 2 && e < len && s[e] == '='; pads++)
        e++;
      *start = st;
      *end = e;
      return 1;
    }
    p = e; /* all hex: a hash or a hex dump */
  }
}

/* Decode like Python's base64.b64decode(validate=False): characters outside
 * the alphabet are dropped; a final quantum that padding does not complete
 * is an error ("Incorrect padding").  Returns the byte count or -1. */
static ssize_t
b64_decode(const char *s, size_t len, unsigned char **out)
{
  size_t n = 0, pads = 0, o = 0;
  uint32_t acc = 0;
  int q = 0;
  unsigned char *buf;

  for (size_t i = 0; i < len; i++) {
    if (b64_val[(unsigned char)s[i]])
      n++;
    else if (s[i] == '=')
      pads++;
  }
  if (n % 4 == 1 || (n % 4 == 2 && pads < 2) || (n % 4 == 3 && pads < 1))
    return -1;
  buf = malloc(n / 4 * 3 + 3);
  if (!buf)
    return -2;
  for (size_t i = 0; i < len; i++) {
    int v = b64_val[(unsigned char)s[i]];
    if (!v)
      continue;
    acc = (acc << 6) | (uint32_t)(v - 1);
    if (++q == 4) {
      buf[o++] = (unsigned char)(acc >> 16);
      buf[o++] = (unsigned char)(acc >> 8);
      buf[o++] = (unsigned char)acc;
      q = 0;
      acc = 0;
    }
  }
  if (q == 2) {
    buf[o++] = (unsigned char)(acc >> 4);
  } else if (q == 3) {
    buf[o++] = (unsigned char)(acc >> 10);
    buf[o++] = (unsigned char)(acc >> 2);
  }
  *out = buf;
  return (ssize_t)o;
}

/* MSTICPy's known-type prefixes of the base64 text itself. */
static const char *
b64_prefix_type(const char *s, size_t len)
{
  static const struct {
    const char *prefix, *type;
  } known[] = {
      {"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
       "AAAAAAAAAAAA+AAAAA4fug",
       "exe"},
      {"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
       "AAAAAAAAAAAA8AAAAA4fug",
       "dll"},
      {"TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
       "AAAAAAAAAAAA6AAAAA4fug",
       "sys"},
      {"UEsDBBQAAAAIA", "zip"},
      {"UEsDBBQAAQAIA", "zip (pwd protected)"},
      {"H4sI", "gz"},
      {"N3q8ryccAAR", "7z"},
      {"UmFyIRoHAM", "rar"},
      {"JVBERi0xLjcNC", "pdf"},
      {"0M8R4KGxGuE", "msi"},
      {"TVNXSU0AAADQ", "wim"}};
  char first[161];
  size_t n = 0;
  for (size_t i = 0; i < len && i < 160; i++)
    if (s[i] != '\n' && s[i] != '\r')
      first[n++] = s[i];
  first[n] = '\0';
  for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
    if (strncmp(first, known[k].prefix, strlen(known[k].prefix)) == 0)
      return known[k].type;
  /* the ustar header's mode field, anywhere in the first 160 characters
   * (MSTICPy matches it case-insensitively) */
  for (size_t i = 0; i + 20 <= n; i++)
    if (strncasecmp(first + i, "DAxMDA3NzcAMDAwMDAwM", 20) == 0)
      return "tar";
  return NULL;
}

/* ---- text encodings ----------------------------------------------------- */

static int
b64_utf8_valid(const unsigned char *s, size_t len)
{
  size_t i = 0;
  while (i < len) {
    unsigned c = s[i];
    size_t n;
    uint32_t cp;
    if (c < 0x80) {
      i++;
      continue;
    } else if ((c & 0xe0) == 0xc0) {
      n = 1, cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2, cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3, cp = c & 0x07;
    } else {
      return 0;
    }
    if (i + n >= len)
      return 0;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xc0) != 0x80)
        return 0;
      cp = (cp << 6) | (s[i + k] & 0x3f);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
        (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return 0;
    i += n + 1;
  }
  return 1;
}

/* UTF-16 (little-endian unless a BOM says otherwise) to UTF-8; NULL when
 * the length is odd or a surrogate is unpaired, like Python's decoder. */
static char *
b64_utf16_to_utf8(const unsigned char *s, size_t len, size_t *outlen)
{
  int be = 0;
  size_t i = 0, o = 0;
  char *out;
  if (len % 2)
    return NULL;
  if (len >= 2 && s[0] == 0xff && s[1] == 0xfe) {
    i = 2;
  } else if (len >= 2 && s[0] == 0xfe && s[1] == 0xff) {
    i = 2;
    be = 1;
  }
  out = malloc(len / 2 * 3 + 1);
  if (!out)
    return NULL;
  while (i < len) {
    uint32_t u = be ? (uint32_t)(s[i] << 8 | s[i + 1])
                    : (uint32_t)(s[i + 1] << 8 | s[i]);
    i += 2;
    if (u >= 0xd800 && u <= 0xdbff) {
      uint32_t l;
      if (i + 2 > len)
        goto bad;
      l = be ? (uint32_t)(s[i] << 8 | s[i + 1])
             : (uint32_t)(s[i + 1] << 8 | s[i]);
      if (l < 0xdc00 || l > 0xdfff)
        goto bad;
      i += 2;
      u = 0x10000 + ((u - 0xd800) << 10) + (l - 0xdc00);
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      goto bad;
    }
    if (u < 0x80) {
      out[o++] = (char)u;
    } else if (u < 0x800) {
      out[o++] = (char)(0xc0 | u >> 6);
      out[o++] = (char)(0x80 | (u & 0x3f));
    } else if (u < 0x10000) {
      out[o++] = (char)(0xe0 | u >> 12);
      out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
      out[o++] = (char)(0x80 | (u & 0x3f));
    } else {
      out[o++] = (char)(0xf0 | u >> 18);
      out[o++] = (char)(0x80 | ((u >> 12) & 0x3f));
      out[o++] = (char)(0x80 | ((u >> 6) & 0x3f));
      out[o++] = (char)(0x80 | (u & 0x3f));
    }
  }
  out[o] = '\0';
  *outlen = o;
  return out;
bad:
  free(out);
  return NULL;
}

/* Auto mode: UTF-16LE text such as PowerShell's -EncodedCommand -- a BOM,
 * or mostly ASCII with a zero in (nearly) every high byte. */
static int
b64_looks_utf16le(const unsigned char *s, size_t len)
{
  size_t zeros_hi = 0, zeros_lo = 0;
  if (len < 4 || len % 2)
    return 0;
  if ((s[0] == 0xff && s[1] == 0xfe) || (s[0] == 0xfe && s[1] == 0xff))
    return 1;
  for (size_t i = 0; i + 1 < len; i += 2) {
    zeros_lo += s[i] == 0;
    zeros_hi += s[i + 1] == 0;
  }
  return zeros_hi * 10 >= (len / 2) * 9 && zeros_lo * 10 <= len / 2;
}

/* ---- items -------------------------------------------------------------- */

static void
b64_hex(const unsigned char *d, size_t n, char *out)
{
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[d[i] >> 4];
    out[2 * i + 1] = digits[d[i] & 15];
  }
  out[2 * n] = '\0';
}

static int
b64_hashes(b64_item *it)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n;
  if (!EVP_Digest(it->bytes, it->len, md, &n, EVP_md5(), NULL))
    return -1;
  b64_hex(md, n, it->md5);
  if (!EVP_Digest(it->bytes, it->len, md, &n, EVP_sha1(), NULL))
    return -1;
  b64_hex(md, n, it->sha1);
  if (!EVP_Digest(it->bytes, it->len, md, &n, EVP_sha256(), NULL))
    return -1;
  b64_hex(md, n, it->sha256);
  return 0;
}

static char *
b64_printable(const unsigned char *d, size_t n, int64_t max)
{
  static const char digits[] = "0123456789abcdef";
  size_t shown = max >= 0 && (int64_t)n > max ? (size_t)max : n;
  hk_buf b = HK_BUF_INIT;
  if (hk_buf_reserve(&b, shown * 3 + 64) != HK_OK)
    return NULL;
  for (size_t i = 0; i < shown; i++) {
    char h[3] = {digits[d[i] >> 4], digits[d[i] & 15], ' '};
    hk_buf_append(&b, h, i + 1 < shown ? 3 : 2);
  }
  if (shown < n)
    hk_buf_appendf(&b, " ...(%zu more bytes)", n - shown);
  if (!b.data)
    hk_buf_append(&b, "", 0);
  return hk_buf_detach(&b, NULL);
}

/* Take ownership of `bytes` and add an item.  Returns the item or NULL
 * (out of memory: the context is stopped). */
static b64_item *
b64_add_item(b64_ctx *c, unsigned char *bytes, size_t len, const char *ref,
             int64_t depth, const char *original, size_t orig_len,
             const char *file_name, const char *file_type)
{
  b64_item *it;
  if (c->nitems == c->capitems) {
    size_t cap = c->capitems ? c->capitems * 2 : 16;
    b64_item *n = realloc(c->items, cap * sizeof *n);
    if (!n)
      goto nomem;
    c->items = n;
    c->capitems = cap;
  }
  it = &c->items[c->nitems];
  memset(it, 0, sizeof *it);
  it->bytes = bytes;
  it->len = len;
  it->depth = depth;
  it->reference = strdup(ref);
  it->original = strndup(original, orig_len);
  it->file_name = strdup(file_name);
  it->file_type = file_type ? strdup(file_type) : NULL;
  it->printable = b64_printable(bytes, len, c->lim.max_hex_bytes);
  if (!it->reference || !it->original || !it->file_name ||
      (file_type && !it->file_type) || !it->printable || b64_hashes(it)) {
    b64_item_free(it);
    goto nomem_owned;
  }
  /* encoding, as MSTICPy's _get_byte_encoding, with an "auto" UTF-16 */
  it->encoding = "binary";
  if (c->lim.utf16 == 1 ||
      (c->lim.utf16 == 2 && b64_looks_utf16le(bytes, len))) {
    it->decoded = b64_utf16_to_utf8(bytes, len, &it->decoded_len);
    if (it->decoded)
      it->encoding = "utf-16";
  }
  if (!it->decoded && b64_utf8_valid(bytes, len)) {
    it->decoded = malloc(len + 1);
    if (!it->decoded) {
      b64_item_free(it);
      goto nomem_owned;
    }
    memcpy(it->decoded, bytes, len);
    it->decoded[len] = '\0';
    it->decoded_len = len;
    it->encoding = "utf-8";
  }
  c->nitems++;
  return it;
nomem:
  free(bytes);
nomem_owned:
  b64_stop(c, HK_E_NOMEM, "out of memory");
  return NULL;
}

/* ---- archives ----------------------------------------------------------- */

/* Magic numbers of what libarchive unpacks; only these are handed to it, so
 * plain text and unknown binaries never go through its format bidders. */
static int
b64_archive_magic(const unsigned char *d, size_t n)
{
  if (n >= 4 && d[0] == 'P' && d[1] == 'K' &&
      ((d[2] == 3 && d[3] == 4) || (d[2] == 5 && d[3] == 6)))
    return 1; /* zip */
  if (n >= 2 && d[0] == 0x1f && (d[1] == 0x8b || d[1] == 0x9d))
    return 1; /* gzip, compress */
  if (n >= 262 && memcmp(d + 257, "ustar", 5) == 0)
    return 1; /* tar */
  if (n >= 6 && memcmp(d, "7z\xbc\xaf\x27\x1c", 6) == 0)
    return 1;
  if (n >= 6 && memcmp(d, "Rar!\x1a\x07", 6) == 0)
    return 1;
  if (n >= 3 && memcmp(d, "BZh", 3) == 0)
    return 1;
  if (n >= 6 && memcmp(d,
                       "\xfd"
                       "7zXZ\x00",
                       6) == 0)
    return 1;
  if (n >= 4 && memcmp(d, "\x28\xb5\x2f\xfd", 4) == 0)
    return 1; /* zstd */
  if (n >= 4 && memcmp(d, "\x04\x22\x4d\x18", 4) == 0)
    return 1; /* lz4 */
  if (n >= 6 && (memcmp(d, "070701", 6) == 0 || memcmp(d, "070707", 6) == 0 ||
                 memcmp(d, "070702", 6) == 0))
    return 1; /* cpio */
  if (n >= 8 && memcmp(d, "!<arch>\n", 8) == 0)
    return 1;
  if (n >= 4 && memcmp(d, "MSCF", 4) == 0)
    return 1; /* cab */
  if (n >= 4 && memcmp(d, "xar!", 4) == 0)
    return 1;
  return 0;
}

typedef struct b64_member {
  char *name;
  unsigned char *data;
  size_t len;
} b64_member;

static void
b64_members_free(b64_member *m, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(m[i].name);
    free(m[i].data);
  }
  free(m);
}

static const char *
b64_filter_ext(int code)
{
  switch (code) {
  case ARCHIVE_FILTER_GZIP:
    return "gz";
  case ARCHIVE_FILTER_BZIP2:
    return "bz2";
  case ARCHIVE_FILTER_COMPRESS:
    return "Z";
  case ARCHIVE_FILTER_LZMA:
    return "lzma";
  case ARCHIVE_FILTER_XZ:
    return "xz";
  case ARCHIVE_FILTER_LZ4:
    return "lz4";
  case ARCHIVE_FILTER_ZSTD:
    return "zst";
  default:
    return "compressed";
  }
}

static const char *
b64_format_name(int fmt)
{
  switch (fmt & ARCHIVE_FORMAT_BASE_MASK) {
  case ARCHIVE_FORMAT_ZIP:
    return "zip";
  case ARCHIVE_FORMAT_TAR:
    return "tar";
  case ARCHIVE_FORMAT_7ZIP:
    return "7z";
  case ARCHIVE_FORMAT_RAR:
  case ARCHIVE_FORMAT_RAR_V5:
    return "rar";
  case ARCHIVE_FORMAT_CPIO:
    return "cpio";
  case ARCHIVE_FORMAT_AR:
    return "ar";
  case ARCHIVE_FORMAT_CAB:
    return "cab";
  case ARCHIVE_FORMAT_XAR:
    return "xar";
  default:
    return "archive";
  }
}

static struct archive *
b64_archive_open(const unsigned char *d, size_t n, int raw)
{
  struct archive *a = archive_read_new();
  if (!a)
    return NULL;
  archive_read_support_filter_all(a);
  if (raw) {
    archive_read_support_format_raw(a);
  } else {
    archive_read_support_format_zip(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_ar(a);
    archive_read_support_format_cab(a);
    archive_read_support_format_xar(a);
  }
  if (archive_read_open_memory(a, d, n) != ARCHIVE_OK) {
    archive_read_free(a);
    return NULL;
  }
  return a;
}

/* Read every entry of the archive in d[0..n) into *out, enforcing the
 * limits while the data streams.  Returns 1 when it is an archive (even if
 * a limit cut it short), 0 when libarchive cannot read it. */
static int
b64_read_archive(b64_ctx *c, const unsigned char *d, size_t n, b64_member **out,
                 size_t *count, char *type, size_t typecap)
{
  struct archive *a;
  struct archive_entry *e;
  b64_member *m = NULL;
  size_t nm = 0, cap = 0;
  int64_t unpacked = 0;
  int raw = 0, r;

  *out = NULL;
  *count = 0;
  a = b64_archive_open(d, n, 0);
  r = a ? archive_read_next_header(a, &e) : ARCHIVE_FATAL;
  if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
    /* a compressed single file (file.gz): the raw format, accepted only
     * when a decompression filter is really there */
    if (a)
      archive_read_free(a);
    a = b64_archive_open(d, n, 1);
    r = a ? archive_read_next_header(a, &e) : ARCHIVE_FATAL;
    if ((r != ARCHIVE_OK && r != ARCHIVE_WARN) ||
        archive_filter_code(a, 0) == ARCHIVE_FILTER_NONE) {
      if (a)
        archive_read_free(a);
      return 0;
    }
    raw = 1;
  }
  if (raw) {
    snprintf(type, typecap, "%s", b64_filter_ext(archive_filter_code(a, 0)));
  } else if (archive_filter_code(a, 0) != ARCHIVE_FILTER_NONE) {
    snprintf(type, typecap, "%s.%s", b64_format_name(archive_format(a)),
             b64_filter_ext(archive_filter_code(a, 0)));
  } else {
    snprintf(type, typecap, "%s", b64_format_name(archive_format(a)));
  }
  while (r == ARCHIVE_OK || r == ARCHIVE_WARN) {
    b64_member *cur;
    const char *name;
    size_t mcap = 0;
    if (++c->entries > c->lim.max_entries) {
      b64_stop(c, HK_E_LIMIT,
               "stopped after %lld archive entries (max_entries)",
               (long long)c->lim.max_entries);
      break;
    }
    if (nm == cap) {
      size_t nc = cap ? cap * 2 : 8;
      b64_member *g = realloc(m, nc * sizeof *g);
      if (!g) {
        b64_stop(c, HK_E_NOMEM, "out of memory");
        break;
      }
      m = g;
      cap = nc;
    }
    cur = &m[nm];
    memset(cur, 0, sizeof *cur);
    /* MSTICPy names a gzip member "gzip_file" */
    name = raw ? (archive_filter_code(a, 0) == ARCHIVE_FILTER_GZIP ? "gzip_file"
                                                                   : "data")
               : archive_entry_pathname_utf8(e);
    if (!name)
      name = archive_entry_pathname(e);
    cur->name = strdup(name ? name : "");
    if (!cur->name) {
      b64_stop(c, HK_E_NOMEM, "out of memory");
      break;
    }
    nm++;
    if (archive_entry_filetype(e) == AE_IFREG || raw) {
      for (;;) {
        ssize_t got;
        if (cur->len + 65536 > mcap) {
          size_t nc = mcap ? mcap * 2 : 65536;
          unsigned char *g;
          while (nc < cur->len + 65536)
            nc *= 2;
          g = realloc(cur->data, nc);
          if (!g) {
            b64_stop(c, HK_E_NOMEM, "out of memory");
            break;
          }
          cur->data = g;
          mcap = nc;
        }
        got = archive_read_data(a, cur->data + cur->len, 65536);
        if (got <= 0) {
          if (got < 0)
            b64_stop(c, HK_E_LIMIT, "%s member '%s' is damaged: %s", type,
                     cur->name, archive_error_string(a));
          break;
        }
        cur->len += (size_t)got;
        unpacked += got;
        c->total_bytes += got;
        if (c->total_bytes > c->lim.max_total_bytes) {
          b64_stop(c, HK_E_LIMIT,
                   "stopped after %lld decoded bytes (max_total_bytes) in %s "
                   "member '%s'",
                   (long long)c->lim.max_total_bytes, type, cur->name);
          break;
        }
        if (unpacked > (int64_t)B64_RATIO_FLOOR &&
            unpacked > c->lim.max_ratio * (int64_t)n) {
          b64_stop(c, HK_E_LIMIT,
                   "stopped: %s member '%s' expands more than %lld times "
                   "(max_ratio), a decompression bomb?",
                   type, cur->name, (long long)c->lim.max_ratio);
          break;
        }
      }
    }
    if (c->stopped)
      break;
    r = archive_read_next_header(a, &e);
  }
  if (!c->stopped && r != ARCHIVE_EOF)
    b64_stop(c, HK_E_LIMIT, "%s archive is damaged: %s", type,
             archive_error_string(a) ? archive_error_string(a) : "read error");
  archive_read_free(a);
  *out = m;
  *count = nm;
  return 1;
}

/* ---- formatting (MSTICPy's <decoded ...> elements) ---------------------- */

static void
b64_format_item(hk_buf *xml, const b64_item *it, const char *key)
{
  if (it->decoded) {
    hk_buf_appendf(xml,
                   "<decoded type='string' name='%s' index='%s' depth='%lld'>",
                   key, it->reference, (long long)it->depth);
    hk_buf_append(xml, it->decoded, it->decoded_len);
  } else {
    hk_buf_appendf(xml,
                   "<decoded value='binary'  name='%s' type='%s' index='%s' "
                   "depth='%lld'>",
                   key, it->file_type ? it->file_type : "None", it->reference,
                   (long long)it->depth);
    hk_buf_append_str(xml, it->printable);
  }
  hk_buf_append_str(xml, "</decoded>");
}

static int
b64_nest_push(b64_ctx *c, const unsigned char *d, size_t n)
{
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen;
  if (!EVP_Digest(d, n, md, &mdlen, EVP_sha256(), NULL))
    return -1;
  for (int i = 0; i < c->nest; i++)
    if (memcmp(c->nest_sha[i], md, 32) == 0) {
      b64_stop(c, HK_E_LIMIT,
               "stopped: an archive contains itself (a quine) at nesting "
               "level %d",
               c->nest);
      return -1;
    }
  if (c->nest >= B64_MAX_NEST)
    return -1;
  memcpy(c->nest_sha[c->nest++], md, 32);
  return 0;
}

static void b64_emit_members(b64_ctx *c, b64_member *m, size_t nm,
                             const char *type, const char *index, int64_t depth,
                             const char *orig, size_t olen, hk_buf *xml,
                             int single);

/* One archive member: an item, and when the member is itself an archive,
 * its members one level deeper. */
static void
b64_emit_member(b64_ctx *c, b64_member *mem, const char *type,
                const char *index, int64_t depth, const char *orig, size_t olen,
                hk_buf *xml)
{
  hk_buf key = HK_BUF_INIT;
  b64_item *it;
  unsigned char *data = mem->data;
  size_t len = mem->len;
  size_t it_idx;

  hk_buf_appendf(&key, "[%s] Filename: %s", type, mem->name);
  if (!data) {
    data = malloc(1);
    if (!data) {
      b64_stop(c, HK_E_NOMEM, "out of memory");
      hk_buf_free(&key);
      return;
    }
  }
  mem->data = NULL;
  it = b64_add_item(c, data, len, index, depth, orig, olen, mem->name, type);
  if (!it) {
    hk_buf_free(&key);
    return;
  }
  it_idx = (size_t)(it - c->items);
  if (!c->stopped && b64_archive_magic(it->bytes, it->len)) {
    b64_member *sub = NULL;
    size_t nsub = 0;
    char subtype[48];
    if (depth + 1 > c->lim.max_depth) {
      b64_stop(c, HK_E_LIMIT,
               "stopped at depth %lld (max_depth): archive member '%s' not "
               "unpacked",
               (long long)c->lim.max_depth, mem->name);
    } else if (b64_nest_push(c, it->bytes, it->len) == 0) {
      /* `it` may move when items grow: copy what the element needs */
      char *ref = strdup(it->reference);
      const unsigned char *bytes = it->bytes;
      size_t blen = it->len;
      if (ref &&
          b64_read_archive(c, bytes, blen, &sub, &nsub, subtype,
                           sizeof subtype) &&
          nsub > 0) {
        hk_buf_appendf(xml,
                       "<decoded value='archive' name='%s' type='%s' "
                       "index='%s' depth='%lld'>",
                       key.data, subtype, ref, (long long)depth);
        b64_emit_members(c, sub, nsub, subtype, ref, depth + 1, orig, olen, xml,
                         0);
        hk_buf_append_str(xml, "</decoded>");
        b64_members_free(sub, nsub);
        free(ref);
        c->nest--;
        hk_buf_free(&key);
        return;
      }
      b64_members_free(sub, nsub);
      free(ref);
      c->nest--;
    }
  }
  b64_format_item(xml, &c->items[it_idx], key.data);
  hk_buf_free(&key);
}

static void
b64_emit_members(b64_ctx *c, b64_member *m, size_t nm, const char *type,
                 const char *index, int64_t depth, const char *orig,
                 size_t olen, hk_buf *xml, int single)
{
  hk_buf idx = HK_BUF_INIT;
  if (single) {
    b64_emit_member(c, &m[0], type, index, depth, orig, olen, xml);
    return;
  }
  for (size_t k = 0; k < nm; k++) {
    hk_buf_reset(&idx);
    hk_buf_appendf(&idx, "%s.%zu", index, k + 1);
    b64_emit_member(c, &m[k], type, idx.data, depth, orig, olen, xml);
    if (c->stop_code == HK_E_NOMEM)
      break;
  }
  hk_buf_free(&idx);
}
