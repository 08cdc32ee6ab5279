/*
 * plugins/iocextract/ioc_match.c -- the ipv4, ipv6, dns and e-mail patterns
 * of ioc_scan.c written out in C.  They are tried at every run start the
 * pre-pass finds, about six times a line; PCRE2's per-call cost (match-data
 * set-up, JIT entry) was a fifth of the whole scan.  Runs of a class are
 * measured on the pre-pass's bitmaps (ioc_marks.c), so each matcher takes
 * the text's marks.  Included after ioc_marks.c.
 *
 * Each function answers exactly what pcre2_match of the anchored built-in
 * pattern answers at the same offset: the match end, or IOC_NO_MATCH.  The
 * regexes stay in ioc_scan.c as the definition; test_ioc_scan.c runs both on
 * the fixtures and on generated strings and requires the same answers.
 *
 * Why plain loops give the backtracking regex's answer: in every pattern a
 * repeated piece (octet, label, hex group, user part) is followed by a
 * separator that cannot be one of its own characters, so a shorter piece is
 * always followed by a character that fails the separator.  Each piece is
 * therefore the maximal run of its class, and the only real choice left is
 * how many label-and-dot units of a domain the TLD follows, which
 * ioc_match_domain tries from the longest down like the greedy {1,126}.
 */

#define IOC_NO_MATCH ((size_t)-1)

/* Character classes (caseless, bytes, no UTF): */
#define IOC_C_DIGIT 1u  /* [0-9] */
#define IOC_C_HEX 2u    /* [0-9a-f] */
#define IOC_C_ALPHA 4u  /* [a-z] */
#define IOC_C_HIGH 8u   /* [\x80-\xff] */
#define IOC_C_LABEL 16u /* [a-z0-9\x80-\xff-] */
#define IOC_C_WORD 32u  /* \w = [a-z0-9_] */
#define IOC_C_TAIL 64u  /* [a-z0-9_\x80-\xff-]: what may not follow a TLD */
#define IOC_C_USER 128u /* the e-mail user part */
static unsigned char ioc_mcls[256];

static void
ioc_match_init(void)
{
  static const char user[] = ".!#$%&'*+/=?^_`{|}~-";
  if (ioc_mcls['a'])
    return;
  for (int c = 0; c < 256; c++) {
    unsigned m = 0;
    int lc = c >= 'A' && c <= 'Z' ? c + 32 : c;
    int digit = c >= '0' && c <= '9', alpha = lc >= 'a' && lc <= 'z';
    if (digit)
      m |= IOC_C_DIGIT;
    if (digit || (lc >= 'a' && lc <= 'f'))
      m |= IOC_C_HEX;
    if (alpha)
      m |= IOC_C_ALPHA;
    if (c >= 0x80)
      m |= IOC_C_HIGH;
    if (digit || alpha || c >= 0x80 || c == '-')
      m |= IOC_C_LABEL | IOC_C_TAIL;
    if (digit || alpha || c == '_')
      m |= IOC_C_WORD | IOC_C_TAIL;
    if (digit || alpha || (c && strchr(user, c)))
      m |= IOC_C_USER;
    ioc_mcls[c] = (unsigned char)m;
  }
}

/* Length of the run of class `cls` at t[p..len), byte by byte (for the
 * classes without a bitmap). */
static size_t
ioc_run_len(const unsigned char *t, size_t len, size_t p, unsigned cls)
{
  size_t e = p;
  while (e < len && (ioc_mcls[t[e]] & cls))
    e++;
  return e - p;
}

static int
ioc_has(const unsigned char *t, size_t len, size_t p, unsigned cls)
{
  return p < len && (ioc_mcls[t[p]] & cls);
}

/* A defangable character at t[p]: `c` itself, or `c` or `word` in [] or ()
 * (caseless): its length, 0 when none. */
IOC_COLD size_t
ioc_defanged_len(const unsigned char *t, size_t len, size_t p, unsigned char c,
                 const char *word)
{
  size_t wn = strlen(word);
  unsigned char close;
  if (p >= len)
    return 0;
  if (t[p] == c)
    return 1;
  if (t[p] != '[' && t[p] != '(')
    return 0;
  close = t[p] == '[' ? ']' : ')';
  if (p + 2 < len && t[p + 1] == c && t[p + 2] == close)
    return 3;
  if (p + wn + 1 < len &&
      ioc_prefix_ci((const char *)t + p + 1, len - p - 1, word) &&
      t[p + wn + 1] == close)
    return wn + 2;
  return 0;
}

/* DOT: . [.] (.) [dot] (dot).  The plain dot, after every label, without
 * a call. */
IOC_HOT size_t
ioc_dot_len(const unsigned char *t, size_t len, size_t p)
{
  if (p < len && t[p] == '.')
    return 1;
  return ioc_defanged_len(t, len, p, '.', "dot");
}

/* AT: @ [@] (@) [at] (at) */
IOC_HOT size_t
ioc_at_len(const unsigned char *t, size_t len, size_t p)
{
  if (p < len && t[p] == '@')
    return 1;
  return ioc_defanged_len(t, len, p, '@', "at");
}

/* TLD (?![a-z0-9_\x80-\xff-]) at t[q]: the end, or IOC_NO_MATCH.  The
 * alternatives in the regex's order; each is a maximal run because the
 * look-ahead refuses any character of the run's own class. */
static size_t
ioc_match_tld(const ioc_marks *m, const unsigned char *t, size_t len, size_t q)
{
  size_t n = ioc_bits_run_len(m, IOC_MK_ALPHA, q);
  if (n >= 2 && n <= 63 && !ioc_has(t, len, q + n, IOC_C_TAIL))
    return q + n;
  if (ioc_prefix_ci((const char *)t + q, len - q, "xn--")) {
    size_t p = q + 4, c = 0;
    while (p + c < len && (ioc_mcls[t[p + c]] & (IOC_C_ALPHA | IOC_C_DIGIT) ||
                           t[p + c] == '-'))
      c++;
    if (c >= 1 && c <= 59 && !ioc_has(t, len, p + c, IOC_C_TAIL))
      return p + c;
  }
  n = ioc_bits_run_len(m, IOC_MK_HIGH, q);
  if (n >= 2 && n <= 63 && !ioc_has(t, len, q + n, IOC_C_TAIL))
    return q + n;
  return IOC_NO_MATCH;
}

/* DOMAIN = (?:LABEL DOT){1,126} TLD (?!...) at t[p], no look-behind. */
static size_t
ioc_match_domain(const ioc_marks *m, const unsigned char *t, size_t len,
                 size_t p)
{
  size_t after[126]; /* where the TLD would start after unit k+1 */
  int k = 0;

  while (k < 126) {
    size_t r = ioc_bits_run_len(m, IOC_MK_LABEL, p), d;
    if (r < 1 || r > 63 || t[p] == '-' || t[p + r - 1] == '-')
      break;
    d = ioc_dot_len(t, len, p + r);
    if (!d)
      break;
    p += r + d;
    after[k++] = p;
  }
  while (k > 0) {
    size_t e = ioc_match_tld(m, t, len, after[--k]);
    if (e != IOC_NO_MATCH)
      return e;
  }
  return IOC_NO_MATCH;
}

/* dns: (?<![a-z0-9_.\x80-\xff-])(?<!%)(?<!%[0-9a-f]) DOMAIN */
static size_t
ioc_match_dns(const ioc_marks *m, const unsigned char *t, size_t len, size_t st)
{
  if (st > 0) {
    unsigned char b = t[st - 1];
    if ((ioc_mcls[b] & IOC_C_TAIL) || b == '.' || b == '%')
      return IOC_NO_MATCH;
    if (st > 1 && t[st - 2] == '%' && (ioc_mcls[b] & IOC_C_HEX))
      return IOC_NO_MATCH;
  }
  return ioc_match_domain(m, t, len, st);
}

/* email: (?<![user]) [user]+ AT DOMAIN */
static size_t
ioc_match_email(const ioc_marks *m, const unsigned char *t, size_t len,
                size_t st)
{
  size_t u, a;
  if (st > 0 && (ioc_mcls[t[st - 1]] & IOC_C_USER))
    return IOC_NO_MATCH;
  u = ioc_run_len(t, len, st, IOC_C_USER);
  if (u == 0)
    return IOC_NO_MATCH;
  a = ioc_at_len(t, len, st + u);
  if (!a)
    return IOC_NO_MATCH;
  return ioc_match_domain(m, t, len, st + u + a);
}

/* ipv4: (?<![0-9.]) (?:OCTET DOT){3} OCTET (?![0-9]|\.[0-9]) */
static size_t
ioc_match_ipv4(const ioc_marks *m, const unsigned char *t, size_t len,
               size_t st)
{
  size_t p = st, n, d;
  if (st > 0 && ((ioc_mcls[t[st - 1]] & IOC_C_DIGIT) || t[st - 1] == '.'))
    return IOC_NO_MATCH;
  for (int i = 0; i < 3; i++) {
    n = ioc_bits_run_len(m, IOC_MK_DIGIT, p);
    if (n < 1 || n > 3)
      return IOC_NO_MATCH;
    d = ioc_dot_len(t, len, p + n);
    if (!d)
      return IOC_NO_MATCH;
    p += n + d;
  }
  n = ioc_bits_run_len(m, IOC_MK_DIGIT, p);
  if (n < 1 || n > 3)
    return IOC_NO_MATCH;
  p += n;
  if (p + 1 < len && t[p] == '.' && (ioc_mcls[t[p + 1]] & IOC_C_DIGIT))
    return IOC_NO_MATCH;
  return p;
}

/* ipv6: (?<![:.\w]) (?:[a-f0-9]{0,4}:){2,7}
 *       (?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[a-f0-9]{0,4}) (?![:.\w]) */
static size_t
ioc_match_ipv6(const ioc_marks *m, const unsigned char *t, size_t len,
               size_t st)
{
  size_t p = st, n, q;
  int k = 0;

#define IOC_V6_EDGE(c) ((ioc_mcls[c] & IOC_C_WORD) || (c) == ':' || (c) == '.')
  if (st > 0 && IOC_V6_EDGE(t[st - 1]))
    return IOC_NO_MATCH;
  while (k < 7) {
    n = ioc_bits_run_len(m, IOC_MK_HEX, p);
    if (n > 4 || p + n >= len || t[p + n] != ':')
      break;
    p += n + 1;
    k++;
  }
  if (k < 2)
    return IOC_NO_MATCH;
  /* an embedded IPv4 tail, tried first like the regex's alternation */
  q = p;
  for (int i = 0; i < 4; i++) {
    n = ioc_bits_run_len(m, IOC_MK_DIGIT, q);
    if (n < 1 || n > 3) {
      q = IOC_NO_MATCH;
      break;
    }
    q += n;
    if (i < 3) {
      if (q >= len || t[q] != '.') {
        q = IOC_NO_MATCH;
        break;
      }
      q++;
    }
  }
  if (q != IOC_NO_MATCH && !(q < len && IOC_V6_EDGE(t[q])))
    return q;
  n = ioc_bits_run_len(m, IOC_MK_HEX, p);
  if (n <= 4 && !(p + n < len && IOC_V6_EDGE(t[p + n])))
    return p + n;
  return IOC_NO_MATCH;
#undef IOC_V6_EDGE
}

/* The C form of built-in pattern `type` at t[st], or IOC_NO_MATCH; m holds
 * the marks of t[0..len).  Types without one are not asked. */
IOC_HOT size_t
ioc_match_builtin(int type, const ioc_marks *m, const unsigned char *t,
                  size_t len, size_t st)
{
  switch (type) {
  case IOC_IPV4:
    return ioc_match_ipv4(m, t, len, st);
  case IOC_IPV6:
    return ioc_match_ipv6(m, t, len, st);
  case IOC_DNS:
    return ioc_match_dns(m, t, len, st);
  case IOC_EMAIL:
    return ioc_match_email(m, t, len, st);
  default:
    return IOC_NO_MATCH;
  }
}
