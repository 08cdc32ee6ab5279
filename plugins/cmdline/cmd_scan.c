/*
 * plugins/cmdline/cmd_scan.c -- match the rules against one text and
 * against what is base64-encoded inside it.
 *
 * A text is scanned in layers: layer 0 is the cell itself; every base64
 * payload found in a layer (the argument of PowerShell's -EncodedCommand
 * in any spelling, or any run of 32+ base64 characters) is decoded with
 * OpenSSL's EVP decoder, and when the bytes are text (UTF-16LE as
 * PowerShell encodes it, or UTF-8) they become a new layer, up to
 * `max_depth` decodings deep.  Each rule reports at most one hit per
 * layer: its earliest match.  Every match runs under a match limit so a
 * hostile text costs a bounded amount of work per rule; a rule that hits
 * the limit is recorded (the caller warns) and treated as not matching.
 *
 * Included by cmdline.c and by the white-box test; everything is static.
 */
#include <openssl/evp.h>
#include <stdint.h>

/* PCRE2's JIT may read a little past the end of the subject (valgrind
 * reports a branch on those bytes); every subject gets this many zeros
 * after it. */
#define CMD_PAD 32
/* Shortest base64 run decoded when no -EncodedCommand flag precedes it. */
#define CMD_MIN_B64_RUN 32
/* Shortest -EncodedCommand argument decoded. */
#define CMD_MIN_ENC_ARG 8

typedef struct cmd_layer {
  char *text; /* NUL-padded copy (CMD_PAD zeros after len); owned */
  size_t len;
  int depth; /* 0 = the cell itself */
} cmd_layer;

typedef struct cmd_hit {
  uint32_t rule;
  uint32_t layer;
  size_t off, len; /* in the layer's text */
} cmd_hit;

typedef struct cmd_scanner {
  const cmd_rules *rs;
  uint8_t *enabled; /* per rule */
  int decode;
  int max_depth;
  size_t max_decoded; /* decoded bytes allowed per cell */
  pcre2_code *enc_re; /* -EncodedCommand argument */
  pcre2_match_data *md;
  pcre2_match_context *mctx;
  pcre2_jit_stack *jit_stack;
  /* per text */
  cmd_layer *layer;
  size_t nlayer, caplayer;
  cmd_hit *hit;
  size_t nhit, caphit;
  uint32_t *limited; /* rules that gave up on the match limit */
  size_t nlimited, caplimited;
  size_t decoded_total;
  int decode_capped; /* max_decoded was reached in this text */
} cmd_scanner;

static void
cmd_scanner_free(cmd_scanner *sc)
{
  for (size_t i = 0; i < sc->caplayer; i++)
    free(sc->layer[i].text);
  free(sc->layer);
  free(sc->hit);
  free(sc->limited);
  free(sc->enabled);
  if (sc->enc_re)
    pcre2_code_free(sc->enc_re);
  if (sc->md)
    pcre2_match_data_free(sc->md);
  if (sc->mctx)
    pcre2_match_context_free(sc->mctx);
  if (sc->jit_stack)
    pcre2_jit_stack_free(sc->jit_stack);
  memset(sc, 0, sizeof *sc);
}

/* The -EncodedCommand parameter in every spelling PowerShell accepts: any
 * prefix of "encodedcommand" from "e", or the alias "ec", introduced by
 * -, / or an en dash, em dash or horizontal bar (UTF-8). */
static const char cmd_enc_regex[] =
    "(?:^|[\\s\"'])(?:-|/|\\xe2\\x80[\\x93-\\x95])"
    "(?:ec|e(?:n(?:c(?:o(?:d(?:e(?:d(?:c(?:o(?:m(?:m(?:a(?:n(?:d)?)?)?)?)?)?)?"
    ")?)?)?)?)?)?)\\s+[\"']?([a-z0-9+/]{8,}={0,2})";

/* `match_limit`: PCRE2's match limit for every rule match. */
static int
cmd_scanner_init(cmd_scanner *sc, const cmd_rules *rs, uint32_t match_limit,
                 char *errbuf, size_t errcap)
{
  int errcode;
  PCRE2_SIZE erroff;

  memset(sc, 0, sizeof *sc);
  sc->rs = rs;
  sc->decode = 1;
  sc->max_depth = 3;
  sc->max_decoded = 1u << 20;
  sc->enabled = malloc(rs->n ? rs->n : 1);
  sc->md = pcre2_match_data_create(8, NULL);
  sc->mctx = pcre2_match_context_create(NULL);
  sc->jit_stack = pcre2_jit_stack_create(32 * 1024, 1024 * 1024, NULL);
  if (!sc->enabled || !sc->md || !sc->mctx || !sc->jit_stack) {
    cmd_scanner_free(sc);
    snprintf(errbuf, errcap, "out of memory");
    return HK_E_NOMEM;
  }
  memset(sc->enabled, 1, rs->n);
  pcre2_set_match_limit(sc->mctx, match_limit);
  /* The interpreter (no JIT) also needs its recursion bounded. */
  pcre2_set_depth_limit(sc->mctx, match_limit < 100000 ? match_limit : 100000);
  pcre2_jit_stack_assign(sc->mctx, NULL, sc->jit_stack);
  sc->enc_re = pcre2_compile((PCRE2_SPTR)cmd_enc_regex, PCRE2_ZERO_TERMINATED,
                             PCRE2_CASELESS, &errcode, &erroff, NULL);
  if (!sc->enc_re) {
    cmd_scanner_free(sc);
    snprintf(errbuf, errcap, "internal error: -EncodedCommand pattern");
    return HK_E_FAIL;
  }
  (void)pcre2_jit_compile(sc->enc_re, PCRE2_JIT_COMPLETE);
  return HK_OK;
}

/* ---- layers and hits ---------------------------------------------------- */

/* A new layer holding a padded copy of `len` bytes; NULL when out of
 * memory.  Layer buffers are kept between texts and reused. */
static cmd_layer *
cmd_push_layer(cmd_scanner *sc, const char *text, size_t len, int depth)
{
  cmd_layer *l;
  char *p;
  if (sc->nlayer == sc->caplayer) {
    size_t cap = sc->caplayer ? sc->caplayer * 2 : 8;
    cmd_layer *nl = realloc(sc->layer, cap * sizeof *nl);
    if (!nl)
      return NULL;
    memset(nl + sc->caplayer, 0, (cap - sc->caplayer) * sizeof *nl);
    sc->layer = nl;
    sc->caplayer = cap;
  }
  l = &sc->layer[sc->nlayer];
  /* one realloc per layer is cheap next to the regexes run over it */
  p = realloc(l->text, len + CMD_PAD);
  if (!p)
    return NULL;
  l->text = p;
  memcpy(p, text, len);
  memset(p + len, 0, CMD_PAD);
  l->len = len;
  l->depth = depth;
  sc->nlayer++;
  return l;
}

static int
cmd_add_hit(cmd_scanner *sc, uint32_t rule, uint32_t layer, size_t off,
            size_t len)
{
  if (sc->nhit == sc->caphit) {
    size_t cap = sc->caphit ? sc->caphit * 2 : 16;
    cmd_hit *p = realloc(sc->hit, cap * sizeof *p);
    if (!p)
      return HK_E_NOMEM;
    sc->hit = p;
    sc->caphit = cap;
  }
  sc->hit[sc->nhit++] = (cmd_hit){rule, layer, off, len};
  return HK_OK;
}

static int
cmd_add_limited(cmd_scanner *sc, uint32_t rule)
{
  for (size_t i = 0; i < sc->nlimited; i++)
    if (sc->limited[i] == rule)
      return HK_OK;
  if (sc->nlimited == sc->caplimited) {
    size_t cap = sc->caplimited ? sc->caplimited * 2 : 8;
    uint32_t *p = realloc(sc->limited, cap * sizeof *p);
    if (!p)
      return HK_E_NOMEM;
    sc->limited = p;
    sc->caplimited = cap;
  }
  sc->limited[sc->nlimited++] = rule;
  return HK_OK;
}

/* ---- decoding ----------------------------------------------------------- */

static int
cmd_b64_char(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}

/* Decode a base64 run with OpenSSL (EVP_Decode*).  A run whose length is
 * not a multiple of four gets the padding it lacks (or loses a dangling
 * last character), as PowerShell's own decoder would refuse it anyway.
 * Returns a malloc'd buffer and its length, or NULL. */
static unsigned char *
cmd_b64_decode(const char *s, size_t len, size_t *outlen)
{
  EVP_ENCODE_CTX *ctx;
  unsigned char *out;
  char *in;
  size_t body = len, n;
  int o1 = 0, o2 = 0;

  while (body > 0 && s[body - 1] == '=')
    body--;
  if (body % 4 == 1)
    body--;
  n = body + (4 - body % 4) % 4;
  if (n == 0 || n > INT32_MAX)
    return NULL;
  in = malloc(n);
  out = malloc(n / 4 * 3 + 3);
  ctx = EVP_ENCODE_CTX_new();
  if (!in || !out || !ctx)
    goto fail;
  memcpy(in, s, body);
  memset(in + body, '=', n - body);
  EVP_DecodeInit(ctx);
  if (EVP_DecodeUpdate(ctx, out, &o1, (const unsigned char *)in, (int)n) < 0)
    goto fail;
  if (EVP_DecodeFinal(ctx, out + o1, &o2) < 0)
    goto fail;
  EVP_ENCODE_CTX_free(ctx);
  free(in);
  *outlen = (size_t)o1 + (size_t)o2;
  return out;
fail:
  EVP_ENCODE_CTX_free(ctx);
  free(in);
  free(out);
  return NULL;
}

/* PowerShell's -EncodedCommand is UTF-16LE: a BOM, or ASCII-range text
 * with a zero in nearly every high byte. */
static int
cmd_looks_utf16le(const unsigned char *s, size_t len)
{
  size_t zeros_hi = 0, zeros_lo = 0;
  if (len < 4 || len % 2)
    return 0;
  if (s[0] == 0xff && s[1] == 0xfe)
    return 1;
  for (size_t i = 0; i + 1 < len; i += 2) {
    zeros_lo += s[i] == 0;
    zeros_hi += s[i + 1] == 0;
  }
  return zeros_hi * 10 >= (len / 2) * 9 && zeros_lo * 10 <= len / 2;
}

/* UTF-16LE to UTF-8 into `out` (room for len / 2 * 3 bytes); -1 when a
 * surrogate is unpaired. */
static ssize_t
cmd_utf16le_to_utf8(const unsigned char *s, size_t len, char *out)
{
  size_t i = 0, o = 0;
  if (len >= 2 && s[0] == 0xff && s[1] == 0xfe)
    i = 2;
  while (i + 1 < len) {
    uint32_t u = (uint32_t)(s[i + 1] << 8 | s[i]);
    i += 2;
    if (u >= 0xd800 && u <= 0xdbff) {
      uint32_t lo;
      if (i + 1 >= len)
        return -1;
      lo = (uint32_t)(s[i + 1] << 8 | s[i]);
      if (lo < 0xdc00 || lo > 0xdfff)
        return -1;
      i += 2;
      u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
    } else if (u >= 0xdc00 && u <= 0xdfff) {
      return -1;
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
  return (ssize_t)o;
}

/* Text worth matching: no NUL, valid UTF-8, and at most one byte in
 * twenty a control character other than tab, CR and LF. */
static int
cmd_is_text(const unsigned char *s, size_t len)
{
  size_t ctl = 0, i = 0;
  if (len < 4)
    return 0;
  while (i < len) {
    unsigned c = s[i];
    size_t n;
    if (c < 0x80) {
      if (c == 0)
        return 0;
      if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f)
        ctl++;
      i++;
      continue;
    }
    if ((c & 0xe0) == 0xc0 && c >= 0xc2)
      n = 1;
    else if ((c & 0xf0) == 0xe0)
      n = 2;
    else if ((c & 0xf8) == 0xf0 && c <= 0xf4)
      n = 3;
    else
      return 0;
    if (i + n >= len)
      return 0;
    for (size_t k = 1; k <= n; k++)
      if ((s[i + k] & 0xc0) != 0x80)
        return 0;
    i += n + 1;
  }
  return ctl * 20 <= len;
}

/* Decode one base64 run of layer `from`; a new layer when it is text. */
static int
cmd_decode_run(cmd_scanner *sc, size_t from, size_t start, size_t end)
{
  unsigned char *bytes;
  size_t n = 0;
  int depth = sc->layer[from].depth + 1;
  int rc = HK_OK;

  if (sc->decoded_total >= sc->max_decoded) {
    sc->decode_capped = 1;
    return HK_OK;
  }
  /* layer text may move when layers grow: decode from it first */
  bytes = cmd_b64_decode(sc->layer[from].text + start, end - start, &n);
  if (!bytes)
    return HK_OK;
  if (cmd_looks_utf16le(bytes, n)) {
    char *utf8 = malloc(n / 2 * 3 + 1);
    ssize_t m = utf8 ? cmd_utf16le_to_utf8(bytes, n, utf8) : -1;
    if (!utf8)
      rc = HK_E_NOMEM;
    else if (m > 0 && cmd_is_text((unsigned char *)utf8, (size_t)m)) {
      if (sc->decoded_total + (size_t)m > sc->max_decoded)
        sc->decode_capped = 1;
      else if (!cmd_push_layer(sc, utf8, (size_t)m, depth))
        rc = HK_E_NOMEM;
      else
        sc->decoded_total += (size_t)m;
    }
    free(utf8);
  } else if (cmd_is_text(bytes, n)) {
    if (sc->decoded_total + n > sc->max_decoded)
      sc->decode_capped = 1;
    else if (!cmd_push_layer(sc, (const char *)bytes, n, depth))
      rc = HK_E_NOMEM;
    else
      sc->decoded_total += n;
  }
  free(bytes);
  return rc;
}

/* Find the payloads of layer `li` and decode them into new layers. */
static int
cmd_decode_layer(cmd_scanner *sc, size_t li)
{
  size_t enc_start[16];
  size_t nenc = 0, i = 0;
  const size_t len = sc->layer[li].len;
  PCRE2_SIZE pos = 0;
  int rc;

  /* -EncodedCommand arguments may be short; note where they start. */
  while (pos < len && nenc < sizeof enc_start / sizeof enc_start[0]) {
    PCRE2_SIZE *ov;
    rc = pcre2_match(sc->enc_re, (PCRE2_SPTR)sc->layer[li].text, len, pos, 0,
                     sc->md, sc->mctx);
    if (rc < 0)
      break;
    ov = pcre2_get_ovector_pointer(sc->md);
    enc_start[nenc++] = ov[2];
    pos = ov[1] > pos ? ov[1] : pos + 1;
  }
  while (i < len) {
    size_t st, e;
    int flagged = 0;
    if (!cmd_b64_char((unsigned char)sc->layer[li].text[i])) {
      i++;
      continue;
    }
    st = i;
    while (i < len && cmd_b64_char((unsigned char)sc->layer[li].text[i]))
      i++;
    e = i;
    while (e < len && e - i < 2 && sc->layer[li].text[e] == '=')
      e++;
    for (size_t k = 0; k < nenc; k++)
      flagged |= enc_start[k] == st;
    if (i - st < (flagged ? CMD_MIN_ENC_ARG : CMD_MIN_B64_RUN))
      continue;
    if ((rc = cmd_decode_run(sc, li, st, e)) != HK_OK)
      return rc;
  }
  return HK_OK;
}

/* ---- matching ----------------------------------------------------------- */

static int
cmd_match_layer(cmd_scanner *sc, uint32_t li)
{
  const cmd_rules *rs = sc->rs;
  for (uint32_t r = 0; r < rs->n; r++) {
    size_t best_off = SIZE_MAX, best_len = 0;
    if (!sc->enabled[r])
      continue;
    for (size_t p = 0; p < rs->rule[r].npat; p++) {
      /* pcre2_jit_match skips pcre2_match's per-call checks, which cost
       * as much as the match itself on a short command line */
      int rc =
          rs->rule[r].jit[p]
              ? pcre2_jit_match(rs->rule[r].pat[p],
                                (PCRE2_SPTR)sc->layer[li].text,
                                sc->layer[li].len, 0, 0, sc->md, sc->mctx)
              : pcre2_match(rs->rule[r].pat[p], (PCRE2_SPTR)sc->layer[li].text,
                            sc->layer[li].len, 0, 0, sc->md, sc->mctx);
      if (rc >= 0) {
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(sc->md);
        if (ov[0] < best_off) {
          best_off = ov[0];
          best_len = ov[1] > ov[0] ? ov[1] - ov[0] : 0;
        }
      } else if (rc != PCRE2_ERROR_NOMATCH) {
        /* match or depth limit, JIT stack exhausted: give up on this
         * pattern for this text and let the caller say so */
        if (cmd_add_limited(sc, r) != HK_OK)
          return HK_E_NOMEM;
      }
    }
    if (best_off != SIZE_MAX &&
        cmd_add_hit(sc, r, li, best_off, best_len) != HK_OK)
      return HK_E_NOMEM;
  }
  return HK_OK;
}

static int
cmd_hit_cmp(const void *a, const void *b)
{
  const cmd_hit *x = a, *y = b;
  if (x->layer != y->layer)
    return x->layer < y->layer ? -1 : 1;
  if (x->off != y->off)
    return x->off < y->off ? -1 : 1;
  return x->rule < y->rule ? -1 : x->rule > y->rule;
}

/* Scan `len` bytes at `text`: fills sc->hit (sorted by layer, then
 * offset, then rule order), sc->layer and sc->limited.  HK_OK or
 * HK_E_NOMEM. */
static int
cmd_scan_text(cmd_scanner *sc, const char *text, size_t len)
{
  int rc;
  sc->nlayer = sc->nhit = sc->nlimited = 0;
  sc->decoded_total = 0;
  sc->decode_capped = 0;
  if (!cmd_push_layer(sc, text, len, 0))
    return HK_E_NOMEM;
  /* breadth first: layers appended while walking are visited in turn */
  for (size_t li = 0; li < sc->nlayer; li++) {
    if ((rc = cmd_match_layer(sc, (uint32_t)li)) != HK_OK)
      return rc;
    if (sc->decode && sc->layer[li].depth < sc->max_depth &&
        (rc = cmd_decode_layer(sc, li)) != HK_OK)
      return rc;
  }
  if (sc->nhit > 1)
    qsort(sc->hit, sc->nhit, sizeof *sc->hit, cmd_hit_cmp);
  return HK_OK;
}
