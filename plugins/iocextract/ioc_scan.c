/*
 * plugins/iocextract/ioc_scan.c -- the IoC scanner: patterns, candidate
 * validation and per-text de-duplication.  It knows nothing of tables; the
 * plugin glue (iocextract.c) and the white-box test include this file, so
 * everything here is static.
 *
 * Semantics follow MSTICPy's IoCExtract._scan_for_iocs (reference §15) with
 * its measured defects (§23) fixed: every type is scanned independently
 * over the whole text, the same matched string keeps the type of highest
 * priority, and overlapping different substrings are all kept (a URL and
 * its host both appear).
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <huntkit/host.h>
#include <huntkit/ioc.h>

#include <libpsl.h>
#include <pcre2.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Built-in types, in MSTICPy's registration order (the output order). */
enum ioc_type_id {
  IOC_IPV4,
  IOC_IPV6,
  IOC_DNS,
  IOC_URL,
  IOC_EMAIL,
  IOC_WINPATH,
  IOC_LXPATH,
  IOC_MD5,
  IOC_SHA1,
  IOC_SHA256,
  IOC_BUILTIN_COUNT
};

#define IOC_MAX_TYPES 64
#define IOC_TLD_SLOTS 1024 /* a power of two */

/* Pieces shared by the defanged patterns: a dot may be written [.], (.),
 * [dot] or (dot); an at-sign [@], (@), [at] or (at). */
#define DOT "(?:\\.|\\[\\.\\]|\\(\\.\\)|\\[dot\\]|\\(dot\\))"
#define AT "(?:@|\\[@\\]|\\(@\\)|\\[at\\]|\\(at\\))"
#define OCTET "[0-9]{1,3}"
/* A DNS label: letters, digits, inner hyphens (so punycode "xn--" labels
 * pass); bytes >= 0x80 let UTF-8 internationalised labels through, and the
 * scanner checks their encoding. */
#define LABEL                                                                  \
  "[a-z0-9\\x80-\\xff](?:[a-z0-9\\x80-\\xff-]{0,61}[a-z0-9\\x80-\\xff])?"
#define TLD "(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59}|[\\x80-\\xff]{2,63})"
#define DOMAIN "(?:" LABEL DOT "){1,126}" TLD "(?![a-z0-9_\\x80-\\xff-])"
#define EMAIL_USER "[a-z0-9.!#$%&'*+/=?^_`{|}~-]+"
#define URL_SCHEME                                                             \
  "(?:h[xt]{2}ps?|s?f[xt]ps?|telnet|ldap|file)(?:://|\\[://\\]|\\[:\\]//)"
#define URL_CHARS "a-z0-9\\-._~!$&'()*+,;="

static const char *const ioc_builtin_names[IOC_BUILTIN_COUNT] = {
    HK_IOC_IPV4,  HK_IOC_IPV6,         HK_IOC_DNS,        HK_IOC_URL,
    HK_IOC_EMAIL, HK_IOC_WINDOWS_PATH, HK_IOC_LINUX_PATH, HK_IOC_MD5,
    HK_IOC_SHA1,  HK_IOC_SHA256};

/* Priorities as MSTICPy: 0 is the highest. */
static const int ioc_builtin_priority[IOC_BUILTIN_COUNT] = {0, 0, 2, 0, 1,
                                                            3, 4, 1, 1, 1};

/* Patterns with the defanged spellings (MSTICPy's default set). Hashes are
 * scanned in C (see ioc_scan_hashes), so they have none. */
static const char *const ioc_builtin_regex[IOC_BUILTIN_COUNT] = {
    /* ipv4: not part of a longer dotted number (1.2.3.4.5, 10.0.17763.1) */
    "(?<![0-9.])(?:" OCTET DOT "){3}" OCTET "(?![0-9]|\\.[0-9])",
    /* ipv6: MSTICPy's shape plus an embedded IPv4 tail; the host's
     * classifier then refuses what is not an address (times, MACs) */
    "(?<![:.\\w])(?:[a-f0-9]{0,4}:){2,7}(?:(?:[0-9]{1,3}\\.){3}[0-9]{1,3}|"
    "[a-f0-9]{0,4})(?![:.\\w])",
    /* dns */
    "(?<![a-z0-9_.\\x80-\\xff-])(?<!%)(?<!%[0-9a-f])" DOMAIN,
    /* url: MSTICPy's URL_DF_REGEX */
    URL_SCHEME "(?:(?:[" URL_CHARS ":]|%[0-9a-f]{2})*@)?"
               "(?<host>(?:[" URL_CHARS "\\[\\]\\x80-\\xff]|%[0-9a-f]{2})*)"
               "(?::[0-9]*)?"
               "(?:/(?:[^?#\"<>\\s]|%[0-9a-f]{2})*/?)?"
               "(?:\\?(?:[" URL_CHARS ":/?@]|%[0-9a-f]{2})*)?"
               "(?:#(?:[" URL_CHARS ":/?@]|%[0-9a-f]{2})*)?",
    /* email */
    "(?<![a-z0-9.!#$%&'*+/=?^_`{|}~-])" EMAIL_USER AT "(?<domain>" DOMAIN ")",
    /* windows_path: MSTICPy's WINPATH_REGEX, empty root alternative kept */
    "(?:[a-z]:|\\\\\\\\[a-z0-9_.$-]+||[.]+)"
    "\\\\(?:[^/:*?\"'<>|\\r\\n]+\\\\)*"
    "[^\\\\/*?\"<>|\\r\\n ]+",
    /* linux_path: MSTICPy's LXPATH_REGEX */
    "(?:/+||[.]+)/(?:[^\\\\/:*?<>|\\r\\n]+/)*[^/\\x00<>|\\r\\n ]+", NULL, NULL,
    NULL};

typedef struct ioc_pattern {
  char *name; /* owned copy */
  size_t name_len;
  int priority;        /* 0 highest */
  pcre2_code *code;    /* NULL for the C-scanned hash types */
  uint32_t group;      /* capture group holding the observable, 0 = whole */
  uint32_t host_group; /* url only: the host group, for the rescan */
} ioc_pattern;

/* One distinct observable found in the text being scanned. */
typedef struct ioc_hit {
  int type;
  int priority;
  size_t first;     /* offset of the first occurrence, for output order */
  uint32_t raw_off; /* the matched spelling, in the scanner's arena */
  uint32_t raw_len;
  uint32_t hash;
} ioc_hit;

/* What ioc_find.c's pre-pass found in the current text. */
typedef struct ioc_marks {
  uint64_t *bits; /* per 64 bytes of text, a word per character class
                   * (ioc_marks.c), and a zero group before and after */
  size_t nwords, cap;
  uint32_t *hash; /* start, length pairs of 32/40/64-hex runs */
  size_t nh, caph;
  unsigned kinds; /* IOC_K_* seen */
} ioc_marks;

typedef int (*ioc_ip_classify_fn)(const char *s, size_t len, hk_ip_info *out);

typedef struct ioc_scanner {
  ioc_pattern pat[IOC_MAX_TYPES];
  int npat;
  uint64_t enabled; /* bit per pattern index */
  int ignore_private;
  int ignore_tlds;
  int refang;
  int plain_only; /* refuse defanged spellings */
  ioc_ip_classify_fn ip_classify;
  psl_ctx_t *psl;
  pcre2_match_data *md;
  /* per-text state */
  ioc_hit *hits;
  size_t nhits, caphits;
  int32_t *slots; /* open addressing over hits, -1 = empty */
  size_t nslots;
  char *arena; /* matched spellings */
  size_t arena_len, arena_cap;
  ioc_marks marks;
  /* TLD check results, open addressing (verdict 0 empty, 1 no, 2 yes);
   * emptied when three quarters full.  A direct-mapped cache thrashed: a
   * log's hundred-odd last labels collided often enough that one check in
   * ten reached libpsl. */
  struct {
    char tld[24]; /* lower case, zero-padded (compared whole) */
    unsigned char verdict;
  } tld_cache[IOC_TLD_SLOTS];
  size_t tld_used;
  char *tmp; /* refang scratch */
  size_t tmp_cap;
  char *dec; /* percent-decoded URL of ioc_url_rescan */
  size_t dec_cap;
} ioc_scanner;

static void ioc_match_init(void);

static int
ioc_scanner_add_pattern(ioc_scanner *sc, const char *name, const char *regex,
                        int priority, char *errbuf, size_t errcap)
{
  ioc_pattern *p;
  int errcode;
  PCRE2_SIZE erroff;
  int rc;

  if (sc->npat >= IOC_MAX_TYPES) {
    snprintf(errbuf, errcap, "too many IoC types (at most %d)", IOC_MAX_TYPES);
    return HK_E_LIMIT;
  }
  p = &sc->pat[sc->npat];
  memset(p, 0, sizeof *p);
  p->priority = priority;
  p->name = strdup(name);
  if (!p->name)
    return HK_E_NOMEM;
  p->name_len = strlen(name);
  if (regex) {
    p->code = pcre2_compile((PCRE2_SPTR)regex, PCRE2_ZERO_TERMINATED,
                            PCRE2_CASELESS | PCRE2_MULTILINE, &errcode, &erroff,
                            NULL);
    if (!p->code) {
      PCRE2_UCHAR msg[160];
      pcre2_get_error_message(errcode, msg, sizeof msg);
      snprintf(errbuf, errcap,
               "pattern for '%s' does not compile at offset %zu: %s", name,
               (size_t)erroff, (const char *)msg);
      free(p->name);
      p->name = NULL;
      return HK_E_CONFIG;
    }
    /* JIT is an optimisation: without it (no JIT support on this CPU)
     * pcre2_match still works, only slower. */
    (void)pcre2_jit_compile(p->code, PCRE2_JIT_COMPLETE);
    rc = pcre2_substring_number_from_name(p->code, (PCRE2_SPTR) "ioc");
    p->group = rc > 0 ? (uint32_t)rc : 0;
    rc = pcre2_substring_number_from_name(p->code, (PCRE2_SPTR) "host");
    p->host_group = rc > 0 ? (uint32_t)rc : 0;
  }
  sc->enabled |= (uint64_t)1 << sc->npat;
  sc->npat++;
  return HK_OK;
}

static void
ioc_scanner_free(ioc_scanner *sc)
{
  for (int i = 0; i < sc->npat; i++) {
    free(sc->pat[i].name);
    if (sc->pat[i].code)
      pcre2_code_free(sc->pat[i].code);
  }
  if (sc->md)
    pcre2_match_data_free(sc->md);
  if (sc->psl)
    psl_free(sc->psl);
  free(sc->hits);
  free(sc->slots);
  free(sc->arena);
  free(sc->tmp);
  free(sc->dec);
  free(sc->marks.bits);
  free(sc->marks.hash);
  memset(sc, 0, sizeof *sc);
}

/* Compile the built-in patterns.  On failure errbuf says why. */
static int
ioc_scanner_init(ioc_scanner *sc, ioc_ip_classify_fn classify, char *errbuf,
                 size_t errcap)
{
  int rc;

  memset(sc, 0, sizeof *sc);
  ioc_match_init();
  sc->ip_classify = classify;
  sc->refang = 1;
  for (int i = 0; i < IOC_BUILTIN_COUNT; i++) {
    rc = ioc_scanner_add_pattern(sc, ioc_builtin_names[i], ioc_builtin_regex[i],
                                 ioc_builtin_priority[i], errbuf, errcap);
    if (rc != HK_OK) {
      ioc_scanner_free(sc);
      return rc;
    }
  }
  /* psl_latest picks the newer of the system list and the built-in one. */
  sc->psl = psl_latest(NULL);
  sc->md = pcre2_match_data_create(32, NULL);
  if (!sc->md) {
    ioc_scanner_free(sc);
    snprintf(errbuf, errcap, "out of memory");
    return HK_E_NOMEM;
  }
  return HK_OK;
}

static int
ioc_scanner_type_index(const ioc_scanner *sc, const char *name)
{
  for (int i = 0; i < sc->npat; i++)
    if (strcmp(sc->pat[i].name, name) == 0)
      return i;
  return -1;
}

/* ---- small helpers ------------------------------------------------------ */

static int
ioc_tmp_reserve(ioc_scanner *sc, size_t n)
{
  if (n <= sc->tmp_cap)
    return HK_OK;
  size_t cap = sc->tmp_cap ? sc->tmp_cap : 256;
  while (cap < n)
    cap *= 2;
  char *p = realloc(sc->tmp, cap);
  if (!p)
    return HK_E_NOMEM;
  sc->tmp = p;
  sc->tmp_cap = cap;
  return HK_OK;
}

static int
ioc_lower(int c)
{
  return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

static int
ioc_prefix_ci(const char *s, size_t len, const char *pre)
{
  size_t n = strlen(pre);
  if (len < n)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (ioc_lower((unsigned char)s[i]) != pre[i])
      return 0;
  return 1;
}

/* What the caller of ioc_take may already know of a candidate from the
 * pre-pass's bitmaps; 0 is "nothing known". */
#define IOC_H_KNOWN 1u   /* the two below are valid */
#define IOC_H_BRACKET 2u /* it holds '[' or '(' */
#define IOC_H_HIGH 4u    /* it holds a byte >= 0x80 */

/* The refanged spelling of s[0..len): `s` itself when nothing is defanged
 * (most candidates, spared a copy), else sc->tmp.  NULL when out of
 * memory.  `hints`: IOC_H_* of s. */
static const char *
ioc_refang(ioc_scanner *sc, const char *s, size_t len, size_t *out_len,
           unsigned hints)
{
  static const struct {
    const char *from;
    char to;
  } subst[] = {{"[.]", '.'}, {"(.)", '.'}, {"[dot]", '.'}, {"(dot)", '.'},
               {"[@]", '@'}, {"(@)", '@'}, {"[at]", '@'},  {"(at)", '@'},
               {"[://]", 0}, {"[:]", ':'}};
  size_t o = 0, i = 0;
  const char *scheme = NULL; /* hxxp(s) -> http(s), fxp -> ftp */

  int c0 = len ? ioc_lower((unsigned char)s[0]) : 0;

  if (c0 == 'h' &&
      (ioc_prefix_ci(s, len, "hxxp") || ioc_prefix_ci(s, len, "htxp") ||
       ioc_prefix_ci(s, len, "hxtp")))
    scheme = "http";
  else if (c0 == 'f' && ioc_prefix_ci(s, len, "fxp"))
    scheme = "ftp";
  else if (c0 == 's' && ioc_prefix_ci(s, len, "sfxp"))
    scheme = "sftp";
  if (!scheme &&
      ((hints & IOC_H_KNOWN) ? !(hints & IOC_H_BRACKET)
                             : !memchr(s, '[', len) && !memchr(s, '(', len))) {
    *out_len = len;
    return s;
  }
  if (ioc_tmp_reserve(sc, len + 4) != HK_OK)
    return NULL;
  if (scheme) {
    o = i = strlen(scheme);
    memcpy(sc->tmp, scheme, o);
  }
  while (i < len) {
    int done = 0;
    if (s[i] != '[' && s[i] != '(') {
      size_t e = i + 1;
      while (e < len && s[e] != '[' && s[e] != '(')
        e++;
      memcpy(sc->tmp + o, s + i, e - i);
      o += e - i;
      i = e;
      continue;
    }
    {
      for (size_t k = 0; k < sizeof subst / sizeof subst[0]; k++) {
        if (ioc_prefix_ci(s + i, len - i, subst[k].from)) {
          if (subst[k].to) {
            sc->tmp[o++] = subst[k].to;
          } else {
            memcpy(sc->tmp + o, "://", 3);
            o += 3;
          }
          i += strlen(subst[k].from);
          done = 1;
          break;
        }
      }
    }
    if (!done)
      sc->tmp[o++] = s[i++];
  }
  *out_len = o;
  return sc->tmp;
}

/* Hash of an observable for the per-text set: eight bytes a step (a
 * byte-wise FNV was a tenth of the scan). */
static uint32_t
ioc_hash(const char *s, size_t len)
{
  uint64_t h = (uint64_t)len * 0x9e3779b97f4a7c15u, w = 0;
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  for (; i + 8 <= len; i += 8) {
    memcpy(&w, s + i, 8);
    h = (h ^ w) * 0xff51afd7ed558ccdu;
    h ^= h >> 32;
  }
  /* The rest as one word, without a memcpy of variable length (a call):
   * the last eight bytes, overlapping, or for short strings a few bytes
   * that, with the length, tell most of them apart. */
  if (len >= 8) {
    memcpy(&w, s + len - 8, 8);
  } else if (len >= 4) {
    uint32_t a, z;
    memcpy(&a, s, 4);
    memcpy(&z, s + len - 4, 4);
    w = (uint64_t)a << 32 | z;
  } else if (len > 0) {
    w = (uint64_t)u[0] << 16 | (uint64_t)u[len / 2] << 8 | u[len - 1];
  }
  h = (h ^ w) * 0xc4ceb9fe1a85ec53u;
  h ^= h >> 29;
  return (uint32_t)h;
}

/* Valid UTF-8 without overlongs or surrogates. */
static int
ioc_utf8_valid(const unsigned char *s, size_t len)
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
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
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

static int ioc_tld_lookup(ioc_scanner *sc, const char *tld, int has_high);

/* True when the last label of `dom` (already refanged) is a TLD of the
 * ICANN section of the Public Suffix List. */
static int
ioc_tld_ok(ioc_scanner *sc, const char *dom, size_t len)
{
  char tld[256];
  size_t start = len;
  int has_high = 0, ok;

  if (sc->ignore_tlds)
    return 1;
  if (!sc->psl)
    return 1;
  while (start > 0 && dom[start - 1] != '.')
    start--;
  if (len - start == 0 || len - start >= sizeof tld)
    return 0;
  for (size_t i = start; i < len; i++) {
    unsigned char c = (unsigned char)dom[i];
    tld[i - start] = (char)ioc_lower(c);
    has_high |= c >= 0x80;
  }
  tld[len - start] = '\0';
  {
    size_t n = len - start, h;
    char key[sizeof sc->tld_cache[0].tld];
    if (n >= sizeof key)
      return ioc_tld_lookup(sc, tld, has_high);
    /* compared as a whole: fixed-size compares, no strcmp call */
    memset(key, 0, sizeof key);
    memcpy(key, tld, n);
    h = ioc_hash(tld, n) & (IOC_TLD_SLOTS - 1);
    while (sc->tld_cache[h].verdict) {
      if (memcmp(sc->tld_cache[h].tld, key, sizeof key) == 0)
        return sc->tld_cache[h].verdict == 2;
      h = (h + 1) & (IOC_TLD_SLOTS - 1);
    }
    ok = ioc_tld_lookup(sc, tld, has_high);
    if (sc->tld_used >= IOC_TLD_SLOTS / 4 * 3) {
      memset(sc->tld_cache, 0, sizeof sc->tld_cache);
      sc->tld_used = 0;
      h = ioc_hash(tld, n) & (IOC_TLD_SLOTS - 1);
    }
    memcpy(sc->tld_cache[h].tld, key, sizeof key);
    sc->tld_cache[h].verdict = ok ? 2 : 1;
    sc->tld_used++;
    return ok;
  }
}

static int
ioc_tld_lookup(ioc_scanner *sc, const char *tld, int has_high)
{
  if (has_high) {
    char *lower = NULL;
    int ok;
    if (psl_str_to_utf8lower(tld, "utf-8", NULL, &lower) != PSL_SUCCESS)
      return 0;
    ok = psl_is_public_suffix2(sc->psl, lower,
                               PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE);
    psl_free_string(lower);
    return ok;
  }
  return psl_is_public_suffix2(sc->psl, tld,
                               PSL_TYPE_ICANN | PSL_TYPE_NO_STAR_RULE);
}

/* A run of hex that is really a repeated pattern or a number (a timestamp,
 * a counter) rather than a digest: all decimal digits, or fewer than five
 * distinct characters (a random MD5 has that with probability < 1e-16). */
static int
ioc_hash_plausible(const char *s, size_t len)
{
  unsigned seen = 0;
  for (size_t i = 0; i < len; i++) {
    /* '0'-'9' -> 0-9, 'a'-'f' and 'A'-'F' -> 10-15, without a branch */
    unsigned c = (unsigned char)s[i];
    seen |= 1u << ((c & 0xf) + 9 * (c >> 6));
  }
  return (seen >> 10) != 0 && __builtin_popcount(seen) >= 5;
}

/* ---- the per-text hit set ---------------------------------------------- */

static void
ioc_scanner_reset_text(ioc_scanner *sc)
{
  if (sc->nhits && sc->slots)
    memset(sc->slots, 0xff, sc->nslots * sizeof *sc->slots);
  sc->nhits = 0;
  sc->arena_len = 0;
}

static int
ioc_slots_grow(ioc_scanner *sc)
{
  size_t n = sc->nslots ? sc->nslots * 2 : 64;
  int32_t *s = malloc(n * sizeof *s);
  if (!s)
    return HK_E_NOMEM;
  memset(s, 0xff, n * sizeof *s);
  for (size_t i = 0; i < sc->nhits; i++) {
    size_t j = sc->hits[i].hash & (n - 1);
    while (s[j] >= 0)
      j = (j + 1) & (n - 1);
    s[j] = (int32_t)i;
  }
  free(sc->slots);
  sc->slots = s;
  sc->nslots = n;
  return HK_OK;
}

/* Record `s` as an observable of pattern `type` found at `pos`.  The same
 * string keeps the type of highest priority (lowest number); on a tie the
 * type found first stays, like MSTICPy. */
static int
ioc_add_hit(ioc_scanner *sc, int type, size_t pos, const char *s, size_t len)
{
  uint32_t h = ioc_hash(s, len);
  int prio = sc->pat[type].priority;
  size_t j;

  if (len == 0)
    return HK_OK;
  if ((sc->nhits + 1) * 2 > sc->nslots && ioc_slots_grow(sc) != HK_OK)
    return HK_E_NOMEM;
  j = h & (sc->nslots - 1);
  while (sc->slots[j] >= 0) {
    ioc_hit *o = &sc->hits[sc->slots[j]];
    if (o->hash == h && o->raw_len == len &&
        memcmp(sc->arena + o->raw_off, s, len) == 0) {
      if (prio < o->priority) {
        o->type = type;
        o->priority = prio;
        o->first = pos;
      }
      return HK_OK;
    }
    j = (j + 1) & (sc->nslots - 1);
  }
  if (sc->nhits == sc->caphits) {
    size_t cap = sc->caphits ? sc->caphits * 2 : 32;
    ioc_hit *nh = realloc(sc->hits, cap * sizeof *nh);
    if (!nh)
      return HK_E_NOMEM;
    sc->hits = nh;
    sc->caphits = cap;
  }
  if (sc->arena_len + len > sc->arena_cap) {
    size_t cap = sc->arena_cap ? sc->arena_cap : 1024;
    while (cap < sc->arena_len + len)
      cap *= 2;
    if (cap > UINT32_MAX)
      return HK_E_LIMIT;
    char *na = realloc(sc->arena, cap);
    if (!na)
      return HK_E_NOMEM;
    sc->arena = na;
    sc->arena_cap = cap;
  }
  memcpy(sc->arena + sc->arena_len, s, len);
  sc->hits[sc->nhits] = (ioc_hit){.type = type,
                                  .priority = prio,
                                  .first = pos,
                                  .raw_off = (uint32_t)sc->arena_len,
                                  .raw_len = (uint32_t)len,
                                  .hash = h};
  sc->slots[j] = (int32_t)sc->nhits;
  sc->nhits++;
  sc->arena_len += len;
  return HK_OK;
}

/* ---- validation of one candidate ---------------------------------------- */

static int
ioc_refangs(int type)
{
  return type == IOC_IPV4 || type == IOC_IPV6 || type == IOC_DNS ||
         type == IOC_URL || type == IOC_EMAIL;
}

static int
ioc_ip_ok(ioc_scanner *sc, const char *s, size_t len, int family)
{
  hk_ip_info info;
  memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  if (!sc->ip_classify || sc->ip_classify(s, len, &info) != HK_OK)
    return 0;
  if (info.family != family)
    return 0;
  if (sc->ignore_private && !info.is_global)
    return 0;
  return 1;
}

/* Validate a refanged candidate of a built-in type; 1 keeps it.  `hints`:
 * IOC_H_* of the candidate (refanging adds no byte >= 0x80). */
static int
ioc_validate(ioc_scanner *sc, int type, const char *s, size_t len,
             unsigned hints)
{
  const char *at;
  int utf8_ok = (hints & IOC_H_KNOWN) && !(hints & IOC_H_HIGH);
  switch (type) {
  case IOC_IPV4:
    return ioc_ip_ok(sc, s, len, 4);
  case IOC_IPV6:
    return ioc_ip_ok(sc, s, len, 6);
  case IOC_DNS:
    return (utf8_ok || ioc_utf8_valid((const unsigned char *)s, len)) &&
           ioc_tld_ok(sc, s, len);
  case IOC_EMAIL:
    at = memchr(s, '@', len);
    return at && (utf8_ok || ioc_utf8_valid((const unsigned char *)s, len)) &&
           ioc_tld_ok(sc, at + 1, len - (size_t)(at + 1 - s));
  default:
    return 1;
  }
}

/* Drop punctuation that ends a sentence or closes a quote around a URL:
 * MSTICPy's path class keeps `'` and `)`, so "('http://x/a')" gave
 * "http://x/a')". A closing bracket stays when the URL opened one. */
static size_t
ioc_url_trim(const char *s, size_t len)
{
  while (len > 0) {
    char c = s[len - 1];
    if (c == '\'' || c == '"' || c == '.' || c == ',' || c == ';' || c == ':' ||
        c == '!') {
      len--;
    } else if (c == ')' || c == ']') {
      char open = c == ')' ? '(' : '[';
      int depth = 0;
      for (size_t i = 0; i < len; i++)
        depth += s[i] == open ? 1 : s[i] == c ? -1 : 0;
      if (depth >= 0)
        break;
      len--;
    } else {
      break;
    }
  }
  return len;
}

/* Refang (when asked), validate and record one match.  `s` points into the
 * text or into a scratch buffer; the hit copies it.  `hints`: IOC_H_* of
 * s[0..len) (of the untrimmed URL, which holds the trimmed one). */
static int
ioc_take_hinted(ioc_scanner *sc, int type, size_t pos, const char *s,
                size_t len, unsigned hints)
{
  const char *v = s;
  size_t vlen = len;
  const char *plain = s;
  size_t plen = len;

  if (type == IOC_URL)
    vlen = plen = len = ioc_url_trim(s, len);
  if (type < IOC_BUILTIN_COUNT && ioc_refangs(type)) {
    plain = ioc_refang(sc, s, len, &plen, hints);
    if (!plain)
      return HK_E_NOMEM;
    if (sc->plain_only && plain != s &&
        (plen != len || memcmp(plain, s, len) != 0))
      return HK_OK;
    if (sc->refang) {
      v = plain;
      vlen = plen;
    }
  }
  if (type < IOC_BUILTIN_COUNT && !ioc_validate(sc, type, plain, plen, hints))
    return HK_OK;
  return ioc_add_hit(sc, type, pos, v, vlen);
}

static int
ioc_take(ioc_scanner *sc, int type, size_t pos, const char *s, size_t len)
{
  return ioc_take_hinted(sc, type, pos, s, len, 0);
}

static int
ioc_pct_val(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  c = ioc_lower(c);
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  return -1;
}

static int ioc_scan_pattern(ioc_scanner *sc, int type, const char *text,
                            size_t len, size_t start, size_t base, int rescan);

/* MSTICPy rescans the percent-decoded URL, but from an offset of the outer
 * text (§23), so redirect targets were mostly missed.  Here the decoded
 * URL is rescanned from just after its own scheme, so a URL inside the
 * query (?u=https%3A%2F%2Fevil.example%2F) is found with its host. */
/* Whether s[0..n) has what must follow a URL scheme ("://", "[://]" or
 * "[:]//"): without it the rescan cannot find a URL and is skipped. */
static int
ioc_may_hold_url(const char *s, size_t n)
{
  const char *c = s, *end = s + n;
  while ((c = memchr(c, ':', (size_t)(end - c))) != NULL) {
    if ((end - c >= 3 && c[1] == '/' && c[2] == '/') ||
        (end - c >= 2 && c[1] == ']'))
      return 1;
    c++;
  }
  return 0;
}

static int
ioc_url_rescan(ioc_scanner *sc, int type, size_t pos, const char *u, size_t len)
{
  char *dec;
  size_t o = 0, skip;
  int has_pct = memchr(u, '%', len) != NULL;
  int rc;

  if (len + 1 > sc->dec_cap) {
    char *g = realloc(sc->dec, len + 1);
    if (!g)
      return HK_E_NOMEM;
    sc->dec = g;
    sc->dec_cap = len + 1;
  }
  dec = sc->dec;
  for (size_t i = 0; i < len; i++) {
    int hi, lo;
    if (u[i] == '%' && i + 2 < len &&
        (hi = ioc_pct_val((unsigned char)u[i + 1])) >= 0 &&
        (lo = ioc_pct_val((unsigned char)u[i + 2])) >= 0) {
      dec[o++] = (char)(hi * 16 + lo);
      i += 2;
    } else {
      dec[o++] = u[i];
    }
  }
  dec[o] = '\0';
  rc = HK_OK;
  if (has_pct)
    rc = ioc_take(sc, type, pos, dec, o);
  skip = 0;
  {
    const char *sep = memchr(dec, ':', o);
    if (sep)
      skip = (size_t)(sep - dec) + 1;
  }
  if (rc == HK_OK && skip < o && ioc_may_hold_url(dec + skip, o - skip))
    rc = ioc_scan_pattern(sc, type, dec, o, skip, pos, 1);
  return rc;
}

/* Every non-overlapping match of pattern `type` in text[start..len).  For
 * URLs found in a rescan (rescan = 1) the host is recorded as dns too. */
static int
ioc_scan_pattern(ioc_scanner *sc, int type, const char *text, size_t len,
                 size_t start, size_t base, int rescan)
{
  const ioc_pattern *p = &sc->pat[type];
  int rc;

  while (start <= len) {
    PCRE2_SIZE *ov;
    size_t ms, me;
    rc = pcre2_match(p->code, (PCRE2_SPTR)text, len, start, 0, sc->md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
      return HK_OK;
    if (rc < 0)
      return HK_OK; /* match limit on a hostile line: keep what we have */
    ov = pcre2_get_ovector_pointer(sc->md);
    ms = ov[0];
    me = ov[1];
    if (p->group && (uint32_t)rc > p->group &&
        ov[2 * p->group] != PCRE2_UNSET) {
      size_t gs = ov[2 * p->group], ge = ov[2 * p->group + 1];
      rc = ioc_take(sc, type, base + gs, text + gs, ge - gs);
    } else {
      rc = ioc_take(sc, type, base + ms, text + ms, me - ms);
    }
    if (rc != HK_OK)
      return rc;
    if (type == IOC_URL && me > ms) {
      if (rescan) {
        size_t hs = ov[2 * p->host_group], he = ov[2 * p->host_group + 1];
        if (p->host_group && hs != PCRE2_UNSET && he > hs &&
            sc->enabled & ((uint64_t)1 << IOC_DNS)) {
          rc = ioc_take(sc, IOC_DNS, base + hs, text + hs, he - hs);
          if (rc != HK_OK)
            return rc;
        }
      } else {
        rc = ioc_url_rescan(sc, type, base + ms, text + ms,
                            ioc_url_trim(text + ms, me - ms));
        if (rc != HK_OK)
          return rc;
      }
    }
    start = me > ms ? me : me + 1;
  }
  return HK_OK;
}
