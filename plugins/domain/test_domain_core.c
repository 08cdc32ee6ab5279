/*
 * plugins/domain/test_domain_core.c -- white-box tests of the domain
 * checks (no host, no tables).  Entropies and DGA scores were computed
 * independently with dga_reference.py (Python's math on the same bigram
 * counts) and are compared to 12 decimals.
 */
#include "domain_core.c"

#include <tap.h>

static dom_ctx ctx, icann;
static dom_info d;

static const char *
str(const hk_buf *b, int set)
{
  return set ? (b->data ? b->data : "") : "(null)";
}

/* "valid|ascii|unicode|suffix|registered|subdomain" or "invalid|error" */
static const char *
check(const dom_ctx *c, const char *name)
{
  static char out[1024];
  if (dom_analyze(c, name, strlen(name), &d) != HK_OK)
    return "ERROR";
  if (!d.valid)
    snprintf(out, sizeof out, "invalid|%s", str(&d.error, 1));
  else
    snprintf(out, sizeof out, "valid|%s|%s|%s|%s|%s",
             str(&d.ascii, d.has_ascii), str(&d.unicode, d.has_unicode),
             str(&d.suffix, d.has_suffix), str(&d.registered, d.has_registered),
             str(&d.subdomain, d.has_subdomain));
  return out;
}

static void
near(double got, double want, const char *what)
{
  if (!ok(fabs(got - want) < 1e-12, "%s", what))
    diag("  got %.17g, want %.17g", got, want);
}

static void
test_split(void)
{
  is_str(check(&ctx, "www.bbc.co.uk"),
         "valid|www.bbc.co.uk|www.bbc.co.uk|co.uk|bbc.co.uk|www",
         "www.bbc.co.uk: registered bbc.co.uk, subdomain www");
  is_str(check(&ctx, "a.b.www.bbc.co.uk"),
         "valid|a.b.www.bbc.co.uk|a.b.www.bbc.co.uk|co.uk|bbc.co.uk|a.b.www",
         "deeper subdomain");
  is_str(check(&ctx, "bbc.co.uk"),
         "valid|bbc.co.uk|bbc.co.uk|co.uk|bbc.co.uk|(null)", "no subdomain");
  is_str(check(&ctx, "co.uk"), "valid|co.uk|co.uk|co.uk|(null)|(null)",
         "a public suffix alone has no registered domain");
  is_str(check(&ctx, "WWW.Example.COM."),
         "valid|www.example.com|www.example.com|com|example.com|www",
         "case folded, trailing dot of a FQDN dropped");
  is_str(check(&ctx, "foo.blogspot.com"),
         "valid|foo.blogspot.com|foo.blogspot.com|blogspot.com|"
         "foo.blogspot.com|(null)",
         "private section of the PSL: blogspot.com is a suffix");
  is_str(check(&icann, "foo.blogspot.com"),
         "valid|foo.blogspot.com|foo.blogspot.com|com|blogspot.com|foo",
         "ICANN section only: com is the suffix");
  is_str(check(&ctx, "https://user:pw@Mail.Google.com:443/x?y=1"),
         "valid|mail.google.com|mail.google.com|com|google.com|mail",
         "URL: the host is taken");
  is_str(str(&d.host, 1), "Mail.Google.com", "host column keeps the spelling");
  is_str(check(&ctx, "mail.google.com:8443"),
         "valid|mail.google.com|mail.google.com|com|google.com|mail",
         "host:port");
  is_str(check(&ctx, "www.google.com/search?q=x"),
         "valid|www.google.com|www.google.com|com|google.com|www",
         "host/path without a scheme");
  is_str(check(&ctx, "http://[2001:db8::1]:80/"),
         "invalid|'2001:db8::1' is an IP address, not a domain name",
         "URL with an IPv6 literal");
}

static void
test_idn(void)
{
  is_str(check(&ctx, "bücher.de"),
         "valid|xn--bcher-kva.de|bücher.de|de|xn--bcher-kva.de|(null)",
         "U-label to A-label");
  is_str(check(&ctx, "xn--bcher-kva.de"),
         "valid|xn--bcher-kva.de|bücher.de|de|xn--bcher-kva.de|(null)",
         "A-label to U-label");
  is_str(check(&ctx, "bücher.example"),
         "invalid|'example' is a special-use name (RFC 6761), not a public "
         "suffix",
         "bücher.example: special-use TLD");
  is_str(str(&d.ascii, d.has_ascii), "xn--bcher-kva.example",
         "bücher.example -> xn--bcher-kva.example");
  check(&ctx, "xn--bcher-kva.example");
  is_str(str(&d.unicode, d.has_unicode), "bücher.example",
         "xn--bcher-kva.example -> bücher.example");
  is_str(check(&ctx, "BÜCHER.de"),
         "valid|xn--bcher-kva.de|bücher.de|de|xn--bcher-kva.de|(null)",
         "upper-case U-label mapped (UTS #46)");
  is_str(check(&ctx, "xn--a.com"),
         "invalid|invalid IDN: label 'xn--a' decodes to '\xc2\x80', which "
         "IDNA2008 refuses: string contains a disallowed character",
         "A-label of a disallowed code point");
  is_str(check(&ctx, "xn--bcher-kva9.de"),
         "invalid|invalid IDN: label "
         "'xn--bcher-kva9' does not decode: "
         "string contains invalid punycode "
         "data",
         "broken punycode");
  is_str(check(&ctx, "a\xe2\x80\x8b"
                     "b.com"),
         "valid|ab.com|ab.com|com|ab.com|(null)",
         "zero-width space is mapped away (UTS #46), as a browser would");
  is_str(check(&ctx, "i\xe2\x9d\xa4.ws"),
         "invalid|invalid IDN: string contains a disallowed character",
         "emoji are not allowed by IDNA2008");
  is_str(check(&ctx, "\xff\xfe.com"),
         "invalid|invalid IDN: string encoding error",
         "bytes that are not UTF-8");
  is_int(d.entropy == 0 && !d.has_dga, 1, "no scores for an invalid name");
  check(&ctx, "xn--bcher-kva.de");
  ok(d.has_entropy && !d.has_dga, "an IDN label has an entropy but no score");
}

static void
test_invalid(void)
{
  char longlabel[80], longname[300];
  memset(longlabel, 'a', 64);
  strcpy(longlabel + 64, ".com");
  for (int i = 0; i < 50; i++)
    memcpy(longname + i * 6, "abcde.", 6);
  strcpy(longname + 300 - 4, "com");
  is_str(check(&ctx, ""), "invalid|empty name", "empty");
  is_str(check(&ctx, "   "), "invalid|empty name", "spaces only");
  is_str(check(&ctx, "a..b.com"),
         "invalid|empty label (two dots in a row, or a leading dot)",
         "empty label");
  is_str(check(&ctx, ".example.com"),
         "invalid|empty label (two dots in a row, or a leading dot)",
         "leading dot");
  is_str(check(&ctx, "-abc.com"),
         "invalid|label '-abc' starts or ends with '-'", "leading hyphen");
  is_str(check(&ctx, "abc-.com"),
         "invalid|label 'abc-' starts or ends with '-'", "trailing hyphen");
  is_str(check(&ctx, "ab--cd.com"),
         "invalid|label 'ab--cd' has '--' in its third and fourth characters, "
         "which is reserved for IDN (RFC 5891)",
         "reserved -- at 3-4");
  is_str(check(&ctx, "a_b.com"),
         "invalid|label 'a_b' has '_', which a host name may not have (RFC "
         "1123)",
         "underscore");
  is_str(check(&ctx, "a b.com"),
         "invalid|label 'a b' has ' ', which a host name may not have "
         "(letters, digits and '-' only)",
         "space");
  is_str(check(&ctx, longlabel),
         "invalid|label 'aaaaaaaaaaaaaaaaaaaa...' is 64 bytes long; at most 63 "
         "are allowed",
         "64-byte label");
  is_str(check(&ctx, longname),
         "invalid|the name is 299 bytes long; at most 253 are allowed",
         "299-byte name");
  is_str(check(&ctx, "10.1.2.3"),
         "invalid|'10.1.2.3' is an IP address, not a domain name", "IPv4");
  is_str(check(&ctx, "www.contoso.garbage"),
         "invalid|'garbage' is not a public suffix (not in the Public Suffix "
         "List)",
         "MSTICPy's own invalid example");
  is_str(str(&d.ascii, d.has_ascii), "www.contoso.garbage",
         "forms are still given when only the suffix is unknown");
}

static void
test_scores(void)
{
  /* dga_reference.py dga_bigrams.h google bbc xjpakmdcfuqe ... */
  check(&ctx, "www.google.com");
  near(d.entropy, 1.9182958340544893, "entropy('google')");
  near(d.dga, 0.033401576343919895, "dga('google')");
  check(&ctx, "www.bbc.co.uk");
  near(d.entropy, 0.9182958340544896, "entropy('bbc')");
  near(d.dga, 0.18173245159057255, "dga('bbc')");
  check(&ctx, "xjpakmdcfuqe.com");
  near(d.entropy, 3.584962500721156, "entropy('xjpakmdcfuqe')");
  near(d.dga, 0.6958333333333334, "dga('xjpakmdcfuqe')");
  check(&ctx, "kq3v9zx1m7ba.net");
  near(d.dga, 0.7182358976301111, "dga('kq3v9zx1m7ba')");
  check(&ctx, "contoso.com");
  near(d.entropy, 2.1280852788913944, "entropy('contoso')");
  near(dom_entropy("aaaa", 4), 0, "entropy of one repeated letter is 0");
  near(dom_entropy("ab", 2), 1, "entropy of two letters is 1 bit");

  /* ordering: everyday names below random-looking ones */
  {
    static const char *const normal[] = {"google",    "facebook", "microsoft",
                                         "wikipedia", "contoso",  "bbc"};
    static const char *const dga_like[] = {"xjpakmdcfuqe", "qwkzmbnrtplx",
                                           "nvjwdjdxcgwtb", "kq3v9zx1m7ba",
                                           "ezpwbiy"};
    double max_normal = 0, min_dga = 1;
    for (size_t i = 0; i < sizeof normal / sizeof *normal; i++) {
      double s = dom_dga_score(&ctx, normal[i], strlen(normal[i]));
      if (s > max_normal)
        max_normal = s;
    }
    for (size_t i = 0; i < sizeof dga_like / sizeof *dga_like; i++) {
      double s = dom_dga_score(&ctx, dga_like[i], strlen(dga_like[i]));
      if (s < min_dga)
        min_dga = s;
    }
    ok(max_normal < 0.2 && min_dga > 0.6 && max_normal < min_dga,
       "every normal name scores below every DGA-like one (%.3f < %.3f)",
       max_normal, min_dga);
  }
  ok(dom_dga_score(&ctx, "nvjwdjdxcgwtb", 13) >
         dom_dga_score(&ctx, "xjpakmdcfuqe", 12),
     "more consonant runs, higher score");
}

int
main(void)
{
  psl_ctx_t *psl = psl_latest(NULL);
  if (!ok(psl != NULL, "a Public Suffix List"))
    return done_testing();
  dom_ctx_init(&ctx, psl, 1);
  dom_ctx_init(&icann, psl, 0);
  test_split();
  test_idn();
  test_invalid();
  test_scores();
  dom_info_free(&d);
  psl_free(psl);
  return done_testing();
}
