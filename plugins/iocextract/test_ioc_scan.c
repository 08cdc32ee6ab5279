/*
 * plugins/iocextract/test_ioc_scan.c -- white-box tests of the scanner:
 * each case scans one text and compares every (type, observable) found,
 * in output order.  Expected values were worked out by hand from the
 * patterns in MSTICPy's iocextract.py and checked with python3's re.
 */
#include "ioc_scan.c"
/* after ioc_scan.c, whose types it uses */
#include "ioc_marks.c"
/* after ioc_marks.c, whose bitmaps it reads */
#include "ioc_match.c"
/* last: it calls the matchers */
#include "ioc_find.c"

#include <arpa/inet.h>
#include <tap.h>

/* A small stand-in for the host's classifier: inet_pton plus the few
 * private/special ranges these cases use. */
static int
fake_classify(const char *s, size_t len, hk_ip_info *out)
{
  char buf[64];
  unsigned char a[16];
  memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  out->registry_name = "";
  if (len >= sizeof buf)
    return HK_E_INVAL;
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (inet_pton(AF_INET, buf, a) == 1) {
    out->family = 4;
    out->is_global =
        !(a[0] == 10 || a[0] == 127 || (a[0] == 192 && a[1] == 168) ||
          (a[0] == 172 && (a[1] & 0xf0) == 16) ||
          (a[0] == 192 && a[1] == 0 && a[2] == 2));
  } else if (inet_pton(AF_INET6, buf, a) == 1) {
    out->family = 6;
    out->is_global =
        !((a[0] & 0xfe) == 0xfc || (a[0] == 0xfe && a[1] >= 0x80) ||
          (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8));
  } else {
    return HK_E_INVAL;
  }
  out->ip_class = out->is_global ? HK_IP_GLOBAL : HK_IP_PRIVATE;
  memcpy(out->addr, a, 16);
  return HK_OK;
}

static ioc_scanner sc;
static char result[8192];

/* ioc_match.c against the regexes it stands for: at every offset of
 * `text`, the C matcher and PCRE2's anchored match must agree on whether
 * there is a match and where it ends.  Returns the number of offsets where
 * they differ (and prints the first). */
static pcre2_code *anchored[IOC_BUILTIN_COUNT]; /* the regexes, anchored */

static int
matcher_disagreements(const char *text, size_t len)
{
  static const int types[] = {IOC_IPV4, IOC_IPV6, IOC_DNS, IOC_EMAIL, IOC_URL};
  int bad = 0;
  /* PCRE2's JIT may read past the subject: give it zeroed room. */
  char *buf = calloc(1, len + 32);
  ioc_marks marks = {0};
  memcpy(buf, text, len);
  if (ioc_prepass(&marks, buf, len, 0) != HK_OK)
    return 1;
  for (size_t k = 0; k < sizeof types / sizeof types[0]; k++) {
    int type = types[k];
    for (size_t st = 0; st <= len; st++) {
      int rc =
          pcre2_match(anchored[type], (PCRE2_SPTR)buf, len, st, 0, sc.md, NULL);
      size_t want = rc > 0 ? pcre2_get_ovector_pointer(sc.md)[1] : IOC_NO_MATCH;
      size_t got =
          ioc_match_builtin(type, &marks, (const unsigned char *)buf, len, st);
      if (want != got && bad++ == 0)
        diag("%s at %zu of '%.*s': regex %zd, C %zd", sc.pat[type].name, st,
             (int)len, buf, (ssize_t)want, (ssize_t)got);
    }
  }
  free(buf);
  free(marks.bits);
  free(marks.hash);
  return bad;
}

/* Strings built from pieces of the patterns' grammar, many times over:
 * octets, hex groups, every defanged dot and at, label edges, IDN bytes,
 * the look-behind characters. */
static void
matcher_fuzz(unsigned n)
{
  static const char *const piece[] = {
      "1", "12", "123", "1234", "255", "0", ".", "[.]", "(.)", "[dot]", "(DOT)",
      "(.", "[at]", "(At)", "[@]", "(@)", "@", ":", "::", "a", "ab", "Abc", "x",
      "xn--", "com", "uk", "-", "_", "%", "%2", "\xc3\xa9", "\xff", "f", "ff",
      "ffff", "fffff", "Z", " ", "/", "[", "(", "]", ")", "e", "10", "cafe",
      "+", "!", "t", "at", "dot", "abcdefghijklmnopqrstuvwxyz0123456789abc",
      /* URL pieces */
      "http", "hxxps", "HTtPs", "sftp", "fxp", "file", "telnet", "ldap", "://",
      "[://]", "[:]//", "[:", "?q", "#f", "%2F", "%zz", "\"", "<", "\t", "\x0b",
      "~", "'", ",", "s"};
  unsigned long long x = 0x9e3779b97f4a7c15ull;
  int bad = 0;
  size_t offsets = 0;
  char text[256];
  for (unsigned i = 0; i < n && bad == 0; i++) {
    size_t len = 0;
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    int pieces = 1 + (int)((x >> 33) % 14);
    for (int k = 0; k < pieces; k++) {
      const char *p;
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      p = piece[(x >> 33) % (sizeof piece / sizeof piece[0])];
      for (; *p; p++)
        text[len++] = *p;
    }
    bad += matcher_disagreements(text, len);
    offsets += len + 1;
  }
  ok(bad == 0 && offsets > n,
     "C matchers agree with the regexes on %u generated strings (%zu "
     "offsets)",
     n, offsets);
}

static const char *
scan(const char *text)
{
  size_t o = 0;
  int rc = ioc_scan_text(&sc, text, strlen(text));
  if (rc != HK_OK)
    return "ERROR";
  ioc_sort_hits(&sc);
  result[0] = '\0';
  for (size_t i = 0; i < sc.nhits; i++)
    o += (size_t)snprintf(result + o, sizeof result - o, "%s%s:%.*s",
                          i ? "|" : "", sc.pat[sc.hits[i].type].name,
                          (int)sc.hits[i].raw_len,
                          sc.arena + sc.hits[i].raw_off);
  return result;
}

static void
only(const int *types, int n)
{
  sc.enabled = 0;
  for (int i = 0; i < n; i++)
    sc.enabled |= (uint64_t)1 << types[i];
}

static void
all_but_paths(void)
{
  sc.enabled = (((uint64_t)1 << sc.npat) - 1) &
               ~(((uint64_t)1 << IOC_WINPATH) | ((uint64_t)1 << IOC_LXPATH));
}

#if defined(IOC_AVX2)
static __attribute__((target("avx2"))) void
group_avx2(const unsigned char *g, uint64_t *mk, unsigned *slashes)
{
  ioc_prepass_group_avx2(g, mk, slashes);
}
#endif

/* The AVX2 pre-pass against the SSE2 one: every byte value at every
 * position of a 64-byte group, and random groups. */
static void
prepass_isa_agree(void)
{
#if defined(IOC_AVX2)
  if (!__builtin_cpu_supports("avx2")) {
    ok(1, "# SKIP no AVX2 on this CPU: the SSE2 pre-pass is the one used");
    return;
  }
  unsigned char g[64];
  unsigned long long x = 88172645463325252ull;
  int bad = 0;
  for (int round = 0; round < 256 + 4096 && !bad; round++) {
    uint64_t a[IOC_MARK_KINDS], b[IOC_MARK_KINDS];
    unsigned sa = 0, sb = 0;
    for (int i = 0; i < 64; i++) {
      if (round < 256) {
        g[i] = (unsigned char)(round + i * 37);
      } else {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* mostly the characters that matter */
        g[i] = x & 1 ? (unsigned char)"./:@[(-_\\09afAFgzGZ\x80\xff "[x % 23]
                     : (unsigned char)(x >> 8);
      }
    }
    ioc_prepass_group(g, a, &sa);
    group_avx2(g, b, &sb);
    bad += memcmp(a, b, sizeof a) != 0 || sa != sb;
  }
  ok(bad == 0, "the AVX2 pre-pass makes the SSE2 one's bitmaps");
#else
  ok(1, "# SKIP built without the AVX2 pre-pass");
#endif
}

/* The hits of the current scan as one string, in output order. */
static void
hits_text(char *out, size_t cap)
{
  size_t o = 0;
  ioc_sort_hits(&sc);
  out[0] = '\0';
  for (size_t i = 0; i < sc.nhits && o < cap; i++)
    o += (size_t)snprintf(out + o, cap - o, "%s%s:%.*s", i ? "|" : "",
                          sc.pat[sc.hits[i].type].name, (int)sc.hits[i].raw_len,
                          sc.arena + sc.hits[i].raw_off);
}

/* A random generator of log-like text: IoCs of every type built from
 * their grammar (plain and defanged), sometimes damaged, joined by the
 * separators of real logs. */
typedef struct gen {
  unsigned long long x;
  char *out;
  size_t len, cap;
} gen;

static unsigned
gen_rand(gen *g, unsigned n)
{
  g->x = g->x * 6364136223846793005ull + 1442695040888963407ull;
  return (unsigned)((g->x >> 33) % n);
}

static void
gen_put(gen *g, const char *s)
{
  for (; *s && g->len + 1 < g->cap; s++)
    g->out[g->len++] = *s;
}

#define GEN_PICK(g, arr) gen_put(g, arr[gen_rand(g, sizeof arr / sizeof *arr)])

static void
gen_dot(gen *g)
{
  static const char *const d[] = {".",   ".",     ".",     ".", "[.]",
                                  "(.)", "[dot]", "(DOT)", "[", "(."};
  GEN_PICK(g, d);
}

static void
gen_ipv4(gen *g)
{
  static const char *const o[] = {"1", "12", "123", "255", "256", "0", "01"};
  int n = 2 + (int)gen_rand(g, 4);
  GEN_PICK(g, o);
  for (int i = 0; i < n; i++) {
    gen_dot(g);
    GEN_PICK(g, o);
  }
}

static void
gen_domain(gen *g)
{
  static const char *const label[] = {
      "a",   "abc", "x1", "web900", "-a", "a-", "xn--p1ai", "\xc3\xa9t\xc3\xa9",
      "A_b", "10",  "f",  "mail",   "b-c"};
  static const char *const tld[] = {
      "com",      "uk",  "org", "co.uk", "invalidtld", "x", "\xd1\x80\xd1\x84",
      "xn--p1ai", "c0m", "COM", "de"};
  int n = (int)gen_rand(g, 4);
  GEN_PICK(g, label);
  for (int i = 0; i < n; i++) {
    gen_dot(g);
    GEN_PICK(g, label);
  }
  gen_dot(g);
  GEN_PICK(g, tld);
}

static void
gen_ipv6(gen *g)
{
  static const char *const grp[] = {"",      "1", "fe80", "db8", "ffff",
                                    "abcde", "0", "2001", "g1"};
  int n = 1 + (int)gen_rand(g, 8);
  GEN_PICK(g, grp);
  for (int i = 0; i < n; i++) {
    gen_put(g, ":");
    GEN_PICK(g, grp);
  }
  if (gen_rand(g, 4) == 0) {
    gen_put(g, ":");
    gen_ipv4(g);
  }
}

static void
gen_email(gen *g)
{
  static const char *const user[] = {"joe", "a.b", "x+y", "%", "j_doe", "."};
  static const char *const at[] = {"@",    "@",  "[@]", "(at)",
                                   "[AT]", "(@", "[at"};
  GEN_PICK(g, user);
  GEN_PICK(g, at);
  gen_domain(g);
}

static void
gen_url(gen *g)
{
  static const char *const scheme[] = {"http", "https", "hxxps",  "ftp",
                                       "fxp",  "sftp",  "telnet", "ldap",
                                       "file", "htxp",  "HTTP",   "xhttp"};
  static const char *const sep[] = {"://", "://", "[://]", "[:]//", ":/"};
  static const char *const rest[] = {"",
                                     "/",
                                     "/a/b.php",
                                     ":8080/x",
                                     "/r?u=https%3A%2F%2Fevil.example.net%2F",
                                     "?q=1#f",
                                     "/p(x)",
                                     "/'x'",
                                     "/a,b."};
  GEN_PICK(g, scheme);
  GEN_PICK(g, sep);
  switch (gen_rand(g, 3)) {
  case 0:
    gen_domain(g);
    break;
  case 1:
    gen_ipv4(g);
    break;
  default:
    gen_put(g, "[");
    gen_ipv6(g);
    gen_put(g, "]");
  }
  GEN_PICK(g, rest);
}

static size_t
gen_line(gen *g)
{
  static const char *const sepr[] = {" ", " ", "=", ",",    ";", "\"", "'", "(",
                                     ")", "[", "]", "/",    ":", "@",  ".", "%",
                                     "-", "_", "",  "\r\n", "T", "%2", "0"};
  int n = 1 + (int)gen_rand(g, 8);
  g->len = 0;
  for (int i = 0; i < n; i++) {
    GEN_PICK(g, sepr);
    switch (gen_rand(g, 6)) {
    case 0:
      gen_ipv4(g);
      break;
    case 1:
      gen_domain(g);
      break;
    case 2:
      gen_ipv6(g);
      break;
    case 3:
      gen_email(g);
      break;
    case 4:
      gen_url(g);
      break;
    default:
      gen_put(g, "10:22:33.004Z");
    }
  }
  GEN_PICK(g, sepr);
  return g->len;
}

/* The whole scan against the plain regex search: for each type the
 * pre-pass, the mark filters and the C matchers (ioc_scan_text on an exact
 * copy, ioc_scan_text_in_place on one followed by other bytes) must find
 * what pcre2_match finds going through the text left to right
 * (ioc_scan_pattern). */
static void
scan_differential(unsigned n)
{
  static const int types[] = {IOC_IPV4, IOC_IPV6, IOC_DNS, IOC_URL, IOC_EMAIL};
  char text[1024], want[4096], got[4096];
  gen g = {0x2545f4914f6cdd1dull, text, 0, sizeof text};
  unsigned found = 0;
  int bad = 0;
  for (unsigned i = 0; i < n && bad == 0; i++) {
    size_t len = gen_line(&g);
    for (size_t k = 0; k < sizeof types / sizeof types[0] && !bad; k++) {
      /* text followed by bytes of every class, which the pre-pass must
       * read in place and leave out */
      char *padded = malloc(len + 128);
      for (size_t i = 0; i < len + 128; i++)
        padded[i] = "1.a:@[(/-_f9\\"[i % 13];
      memcpy(padded, text, len);
      only(&types[k], 1);
      ioc_scanner_reset_text(&sc);
      ioc_scan_pattern(&sc, types[k], padded, len, 0, 0, 0);
      found += sc.nhits > 0;
      hits_text(want, sizeof want);
      for (int pad = 0; pad < 2 && !bad; pad++) {
        char *exact = malloc(len ? len : 1);
        memcpy(exact, text, len);
        if (pad)
          ioc_scan_text_in_place(&sc, padded, len);
        else
          ioc_scan_text(&sc, exact, len);
        hits_text(got, sizeof got);
        if (strcmp(want, got) != 0) {
          bad++;
          diag("%s%s in '%.*s': regex '%s', scan '%s'", sc.pat[types[k]].name,
               pad ? " (padded)" : "", (int)len, text, want, got);
        }
        free(exact);
      }
      free(padded);
    }
  }
  all_but_paths();
  ok(bad == 0 && found > n,
     "the scan finds what the regexes find, on %u generated lines (%u "
     "(line, type) pairs with hits)",
     n, found);
}

int
main(void)
{
  char msg[256] = "";
  plan_lazy();
  (void)plan;
  (void)ioc_scanner_type_index;
  ok(ioc_scanner_init(&sc, fake_classify, msg, sizeof msg) == HK_OK,
     "scanner compiles its patterns: %s", msg);
  ok(sc.psl != NULL, "public suffix list loaded");
  all_but_paths();

  is_str(scan("ip 1.2.3.4 and 10.0.0.1, again 1.2.3.4"),
         "ipv4:1.2.3.4|ipv4:10.0.0.1", "ipv4, distinct, in order");
  is_str(scan("300.1.1.1 1.2.3.4.5 v10.0.17763.1 01.2.3.4"), "",
         "no octet > 255, no part of a longer dotted number");
  is_str(scan("at 10:22:33 mac 00:1a:2b:3c:4d:5e fe80::1 2001:db8::1"),
         "ipv6:fe80::1|ipv6:2001:db8::1",
         "times and MACs are not IPv6 (MSTICPy defect)");
  is_str(scan("full 2001:db8:1:2:3:4:5:6 tail 2001:db8:1:2:3:4:192.0.2.1 "
              "short 2001:db8:1:2:3:4:5 long 1:2:3:4:5:6:7:1.2.3.4 "
              "wide 2001:0db8:85a3:0000:0000:8a2e:0370:7334"),
         "ipv4:192.0.2.1|ipv4:1.2.3.4|ipv6:2001:db8:1:2:3:4:5:6|"
         "ipv6:2001:db8:1:2:3:4:192.0.2.1|"
         "ipv6:2001:0db8:85a3:0000:0000:8a2e:0370:7334",
         "IPv6 without '::' needs all eight groups");
  is_str(scan("mapped ::ffff:192.0.2.128 end"),
         "ipv4:192.0.2.128|ipv6:::ffff:192.0.2.128",
         "IPv4-mapped IPv6 and its IPv4");
  is_str(scan("[2001:db8::2]:443 1::"),
         "ipv6:2001:db8::2|ipv6:1::", "bracketed IPv6 with port");
  is_str(scan("domain.like.uk domain.like.iandom microsoft.com "
              "news.ycombinator.com"),
         "dns:domain.like.uk|dns:microsoft.com|dns:news.ycombinator.com",
         "dns with Public Suffix List TLD check");
  is_str(scan("curl 'https://www.virustotal.com/en/ip-address/"
              "90.156.201.27/information/'"),
         "ipv4:90.156.201.27|dns:www.virustotal.com|url:https://"
         "www.virustotal.com/en/ip-address/90.156.201.27/information/",
         "url with its host and ip (quote trimmed)");
  is_str(scan("206[.]123.1.123 hXXps://evil[.]com/x user[AT]domain[.]like.uk"
              " fXp://files.example.org 1(dot)2(dot)3(dot)4 a[@]b(.)org"),
         "ipv4:206.123.1.123|ipv4:1.2.3.4|dns:evil.com|dns:domain.like.uk|"
         "dns:files.example.org|dns:b.org|url:https://evil.com/x|"
         "url:ftp://files.example.org|email:user@domain.like.uk|email:a@b.org",
         "defanged forms recognised and refanged");
  sc.refang = 0;
  is_str(scan("206[.]123.1.123 hXXps://evil[.]com/x"),
         "ipv4:206[.]123.1.123|dns:evil[.]com|url:hXXps://evil[.]com/x",
         "refang=false keeps the defanged spelling");
  sc.refang = 1;
  sc.plain_only = 1;
  is_str(scan("206[.]123.1.123 8.8.8.8 hXXps://evil[.]com/x"), "ipv4:8.8.8.8",
         "defanged=false ignores defanged spellings");
  sc.plain_only = 0;
  is_str(scan("206.123[.]1[.]com"), "dns:206.123.1.com",
         "206.123[.]1[.]com is not ipv4");
  is_str(scan("news.ycombinator.com joe.bloggs@example.com"),
         "dns:news.ycombinator.com|dns:example.com|"
         "email:joe.bloggs@example.com",
         "a domain is not an email; an email also yields its domain");
  is_str(scan("mail x@host.invalidtld"), "", "email needs a real TLD");
  is_str(
      scan("d41d8cd98f00b204e9800998ecf8427e,"
           "da39a3ee5e6b4b0d3255bfef95601890afd80709 "
           "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      "md5_hash:d41d8cd98f00b204e9800998ecf8427e|"
      "sha1_hash:da39a3ee5e6b4b0d3255bfef95601890afd80709|"
      "sha256_hash:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
      "7852b855",
      "adjacent hashes split by one character");
  is_str(scan("00000000000000000000000000000000 "
              "20201018195009240000000012345678 "
              "abababababababababababababababab "
              "d41d8cd98f00b204e9800998ecf8427e0"),
         "", "repeated characters, numbers and 33-hex runs are not hashes");
  is_str(
      scan("xn--80ak6aa92e.com b\xc3\xbc"
           "cher.de "
           "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84"),
      "dns:xn--80ak6aa92e.com|dns:b\xc3\xbc"
      "cher.de|"
      "dns:\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
      "IDN: punycode and UTF-8 labels");
  is_str(scan("https://a.example.com/r?u=https%3A%2F%2Fevil.example.net%2Fp"),
         "dns:a.example.com|dns:evil.example.net|"
         "url:https://a.example.com/r?u=https%3A%2F%2Fevil.example.net%2Fp|"
         "url:https://a.example.com/r?u=https://evil.example.net/p|"
         "url:https://evil.example.net/p",
         "percent-encoded redirect target found (MSTICPy defect)");
  is_str(scan("1.2.3.4\r\nevil.com\r\n5.6.7.8"),
         "ipv4:1.2.3.4|ipv4:5.6.7.8|dns:evil.com", "CRLF separated");
  is_str(scan("1.2.3.4,5.6.7.8;evil.com/x"),
         "ipv4:1.2.3.4|ipv4:5.6.7.8|dns:evil.com", "adjacent IoCs");
  sc.ignore_private = 1;
  is_str(scan("10.1.2.3 192.168.0.1 8.8.8.8 fd00::1 2606:4700::1111"),
         "ipv4:8.8.8.8|ipv6:2606:4700::1111", "ignore_private");
  sc.ignore_private = 0;

  {
    int t[] = {IOC_WINPATH, IOC_LXPATH};
    only(t, 2);
    /* Folder names may hold spaces (C:\Program Files\), so like MSTICPy
     * a path runs on to the last backslash of the line. */
    is_str(scan("C:\\RECYCLER\\xxppyy.exe\n.\\ftp\n"
                "\\\\server\\share\\file.txt"),
           "windows_path:C:\\RECYCLER\\xxppyy.exe|windows_path:.\\ftp|"
           "windows_path:\\\\server\\share\\file.txt",
           "windows paths");
    is_str(scan("run /usr/bin/curl\nthen ./x.sh"),
           "linux_path:/usr/bin/curl|linux_path:./x.sh", "linux paths");
    is_str(scan("copy C:\\Program Files\\a b\\x.exe d"),
           "windows_path:C:\\Program Files\\a b\\x.exe",
           "a windows path runs over spaces in folders, not in the file");
  }
  all_but_paths();
  ok(ioc_scanner_add_pattern(&sc, "cve", "CVE-[0-9]{4}-[0-9]{4,}", 0, msg,
                             sizeof msg) == HK_OK,
     "custom pattern compiles");
  sc.enabled |= (uint64_t)1 << (sc.npat - 1);
  is_str(scan("patch cve-2021-44228 on 1.2.3.4"),
         "ipv4:1.2.3.4|cve:cve-2021-44228", "custom pattern");
  ok(ioc_scanner_add_pattern(&sc, "bad", "([a-z", 0, msg, sizeof msg) ==
         HK_E_CONFIG,
     "broken custom pattern refused");
  like(msg, "pattern for 'bad' does not compile at offset", "and says where");

  {
    /* a very long line: 1 MB of text with IoCs at both ends */
    size_t n = 1u << 20;
    char *big = malloc(n + 64);
    memset(big, 'a', n);
    memcpy(big, "8.8.4.4 ", 8);
    memcpy(big + n - 9, "  x.com ", 8);
    big[n - 1] = '\0';
    is_str(scan(big), "ipv4:8.8.4.4|dns:x.com", "1 MB line, both ends");
    free(big);
  }
  {
    int errcode;
    PCRE2_SIZE erroff;
    int compiled = 1;
    for (int t = IOC_IPV4; t <= IOC_EMAIL; t++) {
      anchored[t] =
          pcre2_compile((PCRE2_SPTR)ioc_builtin_regex[t], PCRE2_ZERO_TERMINATED,
                        PCRE2_CASELESS | PCRE2_MULTILINE | PCRE2_ANCHORED,
                        &errcode, &erroff, NULL);
      compiled = compiled && anchored[t];
    }
    ok(compiled, "the built-in regexes compile anchored");
  }
  {
    static const char *const cases[] = {
        "1.2.3.4", "01.2.3.4.5", "1.2.3.4.", "1.2.3.4.x", "1[.]2(.)3[dot]4",
        "1.2.3.1234", "a.b.c", "a-.com", "-a.com", "a.b-", "xn--p1ai.xn--",
        "%2fevil.com", "x%evil.com", "a..com", "a.co_m", "a.comé", "::1",
        "1::", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9", "::ffff:1.2.3.4",
        "::1.2.3.4.5", "10:22:33", "fe80::1%eth0", "12345::1", "a:b", "u@x.com",
        "u[at]x(dot)com", "u(@)x.org", ".u@x.com", "u@-x.com",
        "a.b.c.d.e.f.g.h.example.co.uk", "u(atx.com", "u[at.com",
        "u(atxcom.org", "u[atxcom.org", "1[dotx2.3.4", "1(dotx2.3.4",
        "a[dotxb.com",
        /* 63 and 64 character labels */
        "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0.com",
        "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01.com"};
    int bad = 0;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
      bad += matcher_disagreements(cases[i], strlen(cases[i]));
    ok(bad == 0, "C matchers agree with the regexes on the edge cases");
    matcher_fuzz(100000);
  }
  scan_differential(20000);
  prepass_isa_agree();
  for (int t = 0; t < IOC_BUILTIN_COUNT; t++)
    if (anchored[t])
      pcre2_code_free(anchored[t]);
#if defined(HK_TEST_PORTABLE)
#if defined(__SSE2__)
  ok(0, "built with the byte-wise pre-pass (-U__SSE2__ did not take)");
#else
  ok(1, "built with the byte-wise pre-pass");
#endif
#endif
  ioc_scanner_free(&sc);
  return done_testing();
}
