/*
 * plugins/iocextract/ioc_match.c -- the ipv4, ipv6, dns, e-mail and url
 * patterns of ioc_scan.c written out in C.  They are tried at every run
 * start the pre-pass finds, about six times a line; PCRE2's per-call cost
 * (match-data set-up, JIT entry) was a fifth of the whole scan, and the url
 * regex alone still a twelfth.  Runs of a class are measured on the
 * pre-pass's bitmaps (ioc_marks.c), so most matchers take the text's
 * marks.  Included after ioc_marks.c.
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
#define IOC_C_WORD 32u  /* \w = [a-z0-9_] */
#define IOC_C_TAIL 64u  /* [a-z0-9_\x80-\xff-]: what may not follow a TLD */
#define IOC_C_USER 128u /* the e-mail user part */
static unsigned char ioc_mcls[256];

/* The URL pattern's classes (URL_CHARS is [a-z0-9\-._~!$&'()*+,;=]): */
#define IOC_U_USER 1u  /* userinfo: URL_CHARS and ':' */
#define IOC_U_HOST 2u  /* host: URL_CHARS, '[', ']' and bytes >= 0x80 */
#define IOC_U_QUERY 4u /* query and fragment: URL_CHARS and ":/?@" */
#define IOC_U_PATH 8u  /* path: [^?#"<>\s] */
static unsigned char ioc_ucls[256];

static void
ioc_match_init(void)
{
  static const char user[] = ".!#$%&'*+/=?^_`{|}~-";
  static const char url[] = "-._~!$&'()*+,;=";
  if (ioc_mcls['a'])
    return;
  for (int c = 0; c < 256; c++) {
    int lc = c >= 'A' && c <= 'Z' ? c + 32 : c;
    int uc = (lc >= 'a' && lc <= 'z') || (c >= '0' && c <= '9') ||
             (c && strchr(url, c));
    unsigned u = 0;
    if (uc || c == ':')
      u |= IOC_U_USER;
    if (uc || c == '[' || c == ']' || c >= 0x80)
      u |= IOC_U_HOST;
    if (uc || (c && strchr(":/?@", c)))
      u |= IOC_U_QUERY;
    /* \s is space, \t, \n, \v, \f and \r */
    if (!(c && strchr("?#\"<> \t\n\v\f\r", c)))
      u |= IOC_U_PATH;
    ioc_ucls[c] = (unsigned char)u;
  }
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
    if (digit || alpha || c >= 0x80 || c == '-')
      m |= IOC_C_TAIL;
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

/* A run of URL class `bit` or of %[0-9a-f]{2} from t[p]: its end. */
static size_t
ioc_url_run(const unsigned char *t, size_t len, size_t p, unsigned bit)
{
  for (;;) {
    if (p < len && (ioc_ucls[t[p]] & bit))
      p++;
    else if (p + 2 < len && t[p] == '%' && (ioc_mcls[t[p + 1]] & IOC_C_HEX) &&
             (ioc_mcls[t[p + 2]] & IOC_C_HEX))
      p += 3;
    else
      return p;
  }
}

/* URL_SCHEME's separator (:// [://] [:]//) at t[p]: its end, or
 * IOC_NO_MATCH. */
static size_t
ioc_url_sep(const unsigned char *t, size_t len, size_t p)
{
  if (p + 3 <= len && t[p] == ':' && t[p + 1] == '/' && t[p + 2] == '/')
    return p + 3;
  if (p + 5 <= len && t[p] == '[' && t[p + 1] == ':' &&
      ((t[p + 2] == '/' && t[p + 3] == '/' && t[p + 4] == ']') ||
       (t[p + 2] == ']' && t[p + 3] == '/' && t[p + 4] == '/')))
    return p + 5;
  return IOC_NO_MATCH;
}

/* URL_SCHEME at t[st]: the end of its separator, or IOC_NO_MATCH.  The
 * names start with different letters (h, s or f, t, l, and "file" differs
 * from f[xt]p in its second), so one alternative at most applies; within
 * it the optional 's' is tried taken first, then left, like the regex. */
static size_t
ioc_match_url_scheme(const unsigned char *t, size_t len, size_t st)
{
#define IOC_LC(i) (st + (i) < len ? (t[st + (i)] | 0x20) : 0)
#define IOC_XT(i) (IOC_LC(i) == 'x' || IOC_LC(i) == 't')
  size_t e = IOC_NO_MATCH, r;
  int c = IOC_LC(0);
  if (c == 'h' && IOC_XT(1) && IOC_XT(2) && IOC_LC(3) == 'p') {
    e = st + 4; /* h[xt]{2}p s? */
  } else if ((c == 's' && IOC_LC(1) == 'f' && IOC_XT(2) && IOC_LC(3) == 'p')) {
    e = st + 4; /* s f[xt]p s? (s? left empty cannot match: 'f' != 's') */
  } else if (c == 'f' && IOC_XT(1) && IOC_LC(2) == 'p') {
    e = st + 3; /* f[xt]p s? */
  } else {
    size_t n = ioc_prefix_ci((const char *)t + st, len - st, "telnet") ? 6
               : ioc_prefix_ci((const char *)t + st, len - st, "ldap") ||
                       ioc_prefix_ci((const char *)t + st, len - st, "file")
                   ? 4
                   : 0;
    return n ? ioc_url_sep(t, len, st + n) : IOC_NO_MATCH;
  }
  if (e < len && (t[e] | 0x20) == 's' &&
      (r = ioc_url_sep(t, len, e + 1)) != IOC_NO_MATCH)
    return r;
  return ioc_url_sep(t, len, e);
#undef IOC_XT
#undef IOC_LC
}

/* url: URL_SCHEME (userinfo @)? host (:port)? (/path)? (?query)? (#frag)?
 * Every part after the scheme is optional and each greedy run stops at a
 * character its successor cannot start with, so the regex's first path
 * is: the longest of each part, in turn. */
static size_t
ioc_match_url(const unsigned char *t, size_t len, size_t st)
{
  size_t p = ioc_match_url_scheme(t, len, st), u;
  if (p == IOC_NO_MATCH)
    return IOC_NO_MATCH;
  u = ioc_url_run(t, len, p, IOC_U_USER);
  if (u < len && t[u] == '@')
    p = u + 1;
  p = ioc_url_run(t, len, p, IOC_U_HOST);
  if (p < len && t[p] == ':')
    for (p++; p < len && (ioc_mcls[t[p]] & IOC_C_DIGIT); p++)
      ;
  if (p < len && t[p] == '/')
    for (p++; p < len && (ioc_ucls[t[p]] & IOC_U_PATH); p++)
      ;
  if (p < len && t[p] == '?')
    p = ioc_url_run(t, len, p + 1, IOC_U_QUERY);
  if (p < len && t[p] == '#')
    p = ioc_url_run(t, len, p + 1, IOC_U_QUERY);
  return p;
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
  case IOC_URL:
    return ioc_match_url(t, len, st);
  default:
    return IOC_NO_MATCH;
  }
}
