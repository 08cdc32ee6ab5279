/*
 * plugins/domain/domain_core.c -- what the domain analyzer says about one
 * name: the host (taken from a URL when needed), whether it is a valid
 * domain name (syntax per RFC 1035/1123, IDN per IDNA2008 with UTS #46
 * through libidn2, a suffix in the Public Suffix List through libpsl), its
 * A-label and U-label forms, the public suffix / registered domain /
 * subdomain split, and two numbers about the registrable label (bbc in
 * www.bbc.co.uk): Shannon entropy and a DGA-likeness score.
 *
 * The DGA-likeness score is a heuristic, not a classifier: 0 looks like an
 * English-ish name, 1 like random letters.  It combines, with fixed
 * weights,
 *   0.55  letter-bigram surprise: the mean -log2 P(next | previous) of the
 *         label's letter runs (with start and end marks) under a bigram
 *         model of 73,445 English words (dga_bigrams.h, add-one
 *         smoothing), scaled from 4.0 bits (0) to 6.5 bits (1);
 *   0.15  the longest run of consonants (y counts as a vowel), 2 -> 0, 6 -> 1;
 *   0.10  the share of digits, 0 -> 0, 30 % -> 1;
 *   0.10  letter/digit alternations per character, 0 -> 0, 40 % -> 1;
 *   0.10  length, 8 -> 0, 20 -> 1;
 * times min(1, length / 6), since a short label carries little evidence.
 * IDN labels (xn--) are not scored: the model knows only a-z.
 *
 * Included by domain.c and by the white-box test; everything is static.
 */
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/ioc_check.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <idn2.h>
#include <libpsl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dga_bigrams.h"

typedef struct dom_ctx {
  const psl_ctx_t *psl;
  int psl_type; /* PSL_TYPE_ANY (private suffixes too) or PSL_TYPE_ICANN */
  double logp[28][28]; /* log2 P(b | a), add-one smoothed */
} dom_ctx;

typedef struct dom_info {
  int valid;
  hk_buf host, error, ascii, unicode, suffix, registered, subdomain;
  int has_ascii, has_unicode, has_suffix, has_registered, has_subdomain;
  int has_entropy, has_dga;
  double entropy, dga;
} dom_info;

static void
dom_ctx_init(dom_ctx *c, const psl_ctx_t *psl, int private_suffixes)
{
  c->psl = psl;
  c->psl_type = private_suffixes ? PSL_TYPE_ANY : PSL_TYPE_ICANN;
  for (int a = 0; a < 28; a++) {
    double total = 0;
    for (int b = 1; b < 28; b++)
      total += dga_bigram_counts[a][b];
    for (int b = 0; b < 28; b++)
      c->logp[a][b] = log2((dga_bigram_counts[a][b] + 1.0) / (total + 27.0));
  }
}

static void
dom_info_free(dom_info *d)
{
  hk_buf_free(&d->host);
  hk_buf_free(&d->error);
  hk_buf_free(&d->ascii);
  hk_buf_free(&d->unicode);
  hk_buf_free(&d->suffix);
  hk_buf_free(&d->registered);
  hk_buf_free(&d->subdomain);
}

static void
dom_info_reset(dom_info *d)
{
  hk_buf_reset(&d->host);
  hk_buf_reset(&d->error);
  hk_buf_reset(&d->ascii);
  hk_buf_reset(&d->unicode);
  hk_buf_reset(&d->suffix);
  hk_buf_reset(&d->registered);
  hk_buf_reset(&d->subdomain);
  d->valid = 0;
  d->has_ascii = d->has_unicode = d->has_suffix = 0;
  d->has_registered = d->has_subdomain = 0;
  d->has_entropy = d->has_dga = 0;
  d->entropy = d->dga = 0;
}

/* ---- numbers about a label ---------------------------------------------- */

/* Shannon entropy in bits per character of the bytes s[0..n), as the SDK
 * computes it for the TI plugins' hash check. */
static double
dom_entropy(const char *s, size_t n)
{
  return hk_shannon_entropy(s, n);
}

static double
dom_clamp01(double x)
{
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

static int
dom_sym(char c)
{
  return c >= 'a' && c <= 'z' ? c - 'a' + 1 : -1;
}

/* The DGA-likeness score of a lower-case ASCII label (see the top). */
static double
dom_dga_score(const dom_ctx *c, const char *s, size_t n)
{
  double sum = 0, f_ng = 0, f_dig, f_alt = 0, f_cons, f_len, score;
  size_t transitions = 0, digits = 0, alts = 0, run = 0, longest = 0;
  int prev = 0; /* ^ */

  if (n == 0)
    return 0;
  for (size_t i = 0; i <= n; i++) {
    int sym = i < n ? dom_sym(s[i]) : -1;
    if (sym > 0) {
      sum += c->logp[prev][sym];
      transitions++;
      prev = sym;
    } else if (prev != 0) {
      sum += c->logp[prev][27]; /* end of a letter run */
      transitions++;
      prev = 0;
    }
  }
  if (transitions)
    f_ng = dom_clamp01((-sum / (double)transitions - 4.0) / 2.5);
  for (size_t i = 0; i < n; i++) {
    unsigned char ch = (unsigned char)s[i];
    digits += isdigit(ch) != 0;
    if (i > 0 && s[i] != '-' && s[i - 1] != '-' &&
        (isdigit(ch) != 0) != (isdigit((unsigned char)s[i - 1]) != 0))
      alts++;
    if (isalpha(ch) && !strchr("aeiouy", ch)) {
      if (++run > longest)
        longest = run;
    } else {
      run = 0;
    }
  }
  f_dig = dom_clamp01((double)digits / (double)n / 0.3);
  if (n > 1)
    f_alt = dom_clamp01((double)alts / (double)(n - 1) / 0.4);
  f_cons = dom_clamp01(((double)longest - 2.0) / 4.0);
  f_len = dom_clamp01(((double)n - 8.0) / 12.0);
  score =
      0.55 * f_ng + 0.15 * f_cons + 0.10 * f_dig + 0.10 * f_alt + 0.10 * f_len;
  return score * (n < 6 ? (double)n / 6.0 : 1.0);
}

/* ---- the host ----------------------------------------------------------- */

static int dom_fail(dom_info *d, const char *fmt, ...) HK_PRINTF(2, 3);

static int
dom_fail(dom_info *d, const char *fmt, ...)
{
  va_list ap;
  char msg[512];
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  d->valid = 0;
  hk_buf_reset(&d->error);
  return hk_buf_append_str(&d->error, msg);
}

/* The host part of a URL or of "host:port"; the value itself otherwise. */
static void
dom_take_host(const char *s, size_t n, const char **hs, size_t *hn)
{
  const char *end = s + n, *p = s, *sep;
  while (p < end && isspace((unsigned char)*p))
    p++;
  while (end > p && isspace((unsigned char)end[-1]))
    end--;
  for (const char *q = p; q + 2 < end; q++) {
    if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
      const char *auth = q + 3, *aend = auth, *at;
      while (aend < end && *aend != '/' && *aend != '?' && *aend != '#')
        aend++;
      at = NULL;
      for (const char *r = auth; r < aend; r++)
        if (*r == '@')
          at = r;
      p = at ? at + 1 : auth;
      end = aend;
      if (p < end && *p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (close) {
          *hs = p + 1;
          *hn = (size_t)(close - p - 1);
          return;
        }
      }
      sep = memchr(p, ':', (size_t)(end - p));
      if (sep)
        end = sep;
      *hs = p;
      *hn = (size_t)(end - p);
      return;
    }
    if (!(isalnum((unsigned char)*q) || *q == '+' || *q == '-' || *q == '.'))
      break; /* not a scheme */
  }
  /* host:port (one colon, digits after it), host/path */
  sep = memchr(p, ':', (size_t)(end - p));
  if (sep && !memchr(sep + 1, ':', (size_t)(end - sep - 1))) {
    const char *q = sep + 1;
    while (q < end && isdigit((unsigned char)*q))
      q++;
    if (q > sep + 1 && (q == end || *q == '/'))
      end = sep;
  }
  sep = memchr(p, '/', (size_t)(end - p));
  if (sep && !memchr(p, ':', (size_t)(sep - p)))
    end = sep;
  *hs = p;
  *hn = (size_t)(end - p);
}

static int
dom_is_ip(const char *s, size_t n)
{
  char buf[64];
  unsigned char a[16];
  if (n == 0 || n >= sizeof buf)
    return 0;
  memcpy(buf, s, n);
  buf[n] = '\0';
  return inet_pton(AF_INET, buf, a) == 1 || inet_pton(AF_INET6, buf, a) == 1;
}

/* RFC 1035/1123 syntax of an A-label name, label by label. */
static int
dom_check_syntax(dom_info *d, const char *s, size_t n)
{
  size_t start = 0;
  if (n > 253)
    return dom_fail(d, "the name is %zu bytes long; at most 253 are allowed",
                    n);
  while (start <= n) {
    size_t e = start;
    while (e < n && s[e] != '.')
      e++;
    if (e == start)
      return dom_fail(d, "empty label (two dots in a row, or a leading dot)");
    if (e - start > 63)
      return dom_fail(d,
                      "label '%.20s...' is %zu bytes long; at most 63 are "
                      "allowed",
                      s + start, e - start);
    for (size_t i = start; i < e; i++) {
      unsigned char c = (unsigned char)s[i];
      if (!(islower(c) || isdigit(c) || c == '-')) {
        if (c == '_')
          return dom_fail(d,
                          "label '%.*s' has '_', which a host name may not "
                          "have (RFC 1123)",
                          (int)(e - start), s + start);
        if (c < 0x20 || c == 0x7f)
          return dom_fail(d, "label '%.*s' has a control character",
                          (int)(e - start), s + start);
        return dom_fail(d,
                        "label '%.*s' has '%c', which a host name may not "
                        "have (letters, digits and '-' only)",
                        (int)(e - start), s + start, c);
      }
    }
    if (s[start] == '-' || s[e - 1] == '-')
      return dom_fail(d, "label '%.*s' starts or ends with '-'",
                      (int)(e - start), s + start);
    if (e - start >= 4 && s[start + 2] == '-' && s[start + 3] == '-' &&
        !(s[start] == 'x' && s[start + 1] == 'n'))
      return dom_fail(d,
                      "label '%.*s' has '--' in its third and fourth "
                      "characters, which is reserved for IDN (RFC 5891)",
                      (int)(e - start), s + start);
    start = e + 1;
  }
  return HK_OK;
}

/* Every xn-- label must decode, and encode back to itself. */
static int
dom_check_alabels(dom_info *d, const char *s, size_t n)
{
  size_t start = 0;
  while (start < n) {
    size_t e = start;
    while (e < n && s[e] != '.')
      e++;
    if (e - start > 4 && memcmp(s + start, "xn--", 4) == 0) {
      char label[64], *u = NULL, *back = NULL;
      int rc;
      memcpy(label, s + start, e - start);
      label[e - start] = '\0';
      rc = idn2_to_unicode_8z8z(label, &u, 0);
      if (rc != IDN2_OK)
        return dom_fail(d, "invalid IDN: label '%s' does not decode: %s", label,
                        idn2_strerror(rc));
      rc = idn2_to_ascii_8z(u, &back, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
      if (rc != IDN2_OK) {
        dom_fail(d,
                 "invalid IDN: label '%s' decodes to '%s', which IDNA2008 "
                 "refuses: %s",
                 label, u, idn2_strerror(rc));
        idn2_free(u);
        return HK_OK;
      }
      if (strcmp(back, label) != 0)
        dom_fail(d,
                 "invalid IDN: label '%s' decodes to '%s', whose A-label is "
                 "'%s'",
                 label, u, back);
      idn2_free(u);
      idn2_free(back);
      if (d->error.len)
        return HK_OK;
    }
    start = e + 1;
  }
  return HK_OK;
}

/* Special-use names (RFC 6761, RFC 7686) are not in the Public Suffix
 * List: say so rather than just "unknown". */
static const char *const dom_special_tlds[] = {
    "example", "test", "invalid", "localhost", "local", "onion", NULL};

/* Split by the longest public suffix. */
static int
dom_split(const dom_ctx *c, dom_info *d)
{
  const char *s = d->ascii.data;
  size_t n = d->ascii.len, at = SIZE_MAX;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && s[i - 1] != '.')
      continue;
    if (psl_is_public_suffix2(c->psl, s + i,
                              c->psl_type | PSL_TYPE_NO_STAR_RULE)) {
      at = i;
      break;
    }
  }
  if (at == SIZE_MAX) {
    const char *tld = s + n;
    while (tld > s && tld[-1] != '.')
      tld--;
    for (int k = 0; dom_special_tlds[k]; k++)
      if (strcmp(tld, dom_special_tlds[k]) == 0)
        return dom_fail(d,
                        "'%s' is a special-use name (RFC 6761), not a "
                        "public suffix",
                        tld);
    return dom_fail(d,
                    "'%s' is not a public suffix (not in the Public "
                    "Suffix List)",
                    tld);
  }
  d->valid = 1;
  d->has_suffix = 1;
  hk_buf_append(&d->suffix, s + at, n - at);
  if (at > 0) {
    size_t reg = at - 1; /* the dot before the suffix */
    while (reg > 0 && s[reg - 1] != '.')
      reg--;
    d->has_registered = 1;
    hk_buf_append(&d->registered, s + reg, n - reg);
    if (reg > 0) {
      d->has_subdomain = 1;
      hk_buf_append(&d->subdomain, s, reg - 1);
    }
    {
      size_t ll = at - 1 - reg;
      d->has_entropy = 1;
      d->entropy = dom_entropy(s + reg, ll);
      if (!(ll > 4 && memcmp(s + reg, "xn--", 4) == 0)) {
        d->has_dga = 1;
        d->dga = dom_dga_score(c, s + reg, ll);
      }
    }
  }
  return HK_OK;
}

/* Everything about s[0..n) into `d` (reset first).  HK_OK or HK_E_NOMEM;
 * an invalid name is HK_OK with d->valid 0 and d->error saying why. */
static int
dom_analyze(const dom_ctx *c, const char *s, size_t n, dom_info *d)
{
  const char *hs;
  size_t hn;
  int ascii = 1;

  dom_info_reset(d);
  dom_take_host(s, n, &hs, &hn);
  if (hn > 1 && hs[hn - 1] == '.')
    hn--; /* fully qualified: example.com. */
  if (hk_buf_append(&d->host, hs, hn) != HK_OK)
    return HK_E_NOMEM;
  if (hn == 0)
    return dom_fail(d, "empty name");
  if (memchr(hs, '\0', hn))
    return dom_fail(d, "the name has a NUL byte");
  if (dom_is_ip(hs, hn))
    return dom_fail(d, "'%.*s' is an IP address, not a domain name", (int)hn,
                    hs);
  for (size_t i = 0; i < hn; i++)
    ascii &= (unsigned char)hs[i] < 0x80;
  if (ascii) {
    if (hk_buf_reserve(&d->ascii, hn) != HK_OK)
      return HK_E_NOMEM;
    for (size_t i = 0; i < hn; i++)
      d->ascii.data[i] = (char)tolower((unsigned char)hs[i]);
    d->ascii.len = hn;
    d->ascii.data[hn] = '\0';
  } else {
    char *a = NULL;
    int rc = idn2_to_ascii_8z(d->host.data, &a,
                              IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL);
    if (rc != IDN2_OK)
      return dom_fail(d, "invalid IDN: %s", idn2_strerror(rc));
    rc = hk_buf_append_str(&d->ascii, a);
    idn2_free(a);
    if (rc != HK_OK)
      return rc;
  }
  if (dom_check_syntax(d, d->ascii.data, d->ascii.len) != HK_OK || d->error.len)
    return d->error.len ? HK_OK : HK_E_NOMEM;
  if (dom_check_alabels(d, d->ascii.data, d->ascii.len) != HK_OK ||
      d->error.len)
    return d->error.len ? HK_OK : HK_E_NOMEM;
  d->has_ascii = 1;
  {
    char *u = NULL;
    if (idn2_to_unicode_8z8z(d->ascii.data, &u, 0) == IDN2_OK) {
      d->has_unicode = 1;
      hk_buf_append_str(&d->unicode, u);
      idn2_free(u);
    }
  }
  return dom_split(c, d);
}
