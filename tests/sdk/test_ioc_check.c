/*
 * tests/sdk/test_ioc_check.c -- hk_ioc_check (MSTICPy's pre-lookup checks,
 * with its words) and hk_shannon_entropy.  The host's IP classifier is
 * replaced by a stand-in built on inet_pton that knows the few ranges used
 * here (10/8, 127/8, 192.168/16, ::1, fe80::/10), since the check asks
 * the host only for the family and whether the address is global.
 * Entropies were computed with Python (-sum(p * log2(p)) over byte
 * counts).
 */
#include <huntkit/ioc_check.h>

#include <arpa/inet.h>
#include <math.h>

#include "../tap.h"

static int
fake_ip_classify(const char *s, size_t len, hk_ip_info *out)
{
  char text[64];
  uint8_t a[16];
  if (len >= sizeof text)
    return HK_E_INVAL;
  memcpy(text, s, len);
  text[len] = '\0';
  out->family = 0;
  out->is_global = 0;
  if (inet_pton(AF_INET, text, a) == 1) {
    out->family = 4;
    out->is_global =
        !(a[0] == 10 || a[0] == 127 || (a[0] == 192 && a[1] == 168));
    return HK_OK;
  }
  if (inet_pton(AF_INET6, text, a) == 1) {
    static const uint8_t loopback[16] = {[15] = 1};
    out->family = 6;
    out->is_global = memcmp(a, loopback, 16) != 0 &&
                     !(a[0] == 0xfe && (a[1] & 0xc0) == 0x80);
    return HK_OK;
  }
  return HK_E_INVAL;
}

static hk_host host;

static void
check(const char *type, const char *value, const char *want)
{
  const char *got = hk_ioc_check(&host, type, value);
  is_str(got, want, "%s '%.40s'%s", type, value, want ? ": refused" : "");
}

static void
test_ip(void)
{
  check("ipv4", "8.8.8.8", NULL);
  check("ipv4", "10.0.0.1", "IP address is not global");
  check("ipv4", "127.0.0.1", "IP address is not global");
  check("ipv4", "8.8.8", "Not an IPv4 address");
  check("ipv4", "2001:4860:4860::8888", "Not an IPv4 address");
  check("ipv4", "", "Not an IPv4 address");
  check("ipv6", "2001:4860:4860::8888", NULL);
  check("ipv6", "::1", "IP address is not global");
  check("ipv6", "fe80::1", "IP address is not global");
  check("ipv6", "8.8.8.8", "Not an IPv6 address");
}

static void
test_domain(void)
{
  char longest[254], too_long[255];
  /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 characters */
  memset(longest, 'a', 253);
  longest[63] = longest[127] = longest[191] = '.';
  longest[253] = '\0';
  memcpy(too_long, longest, 253);
  too_long[253] = 'a';
  too_long[254] = '\0';

  check("dns", "www.example.com", NULL);
  check("dns", "example.com.", NULL);
  check("dns", "under_score.example.com", NULL);
  check("dns", "localhost", "Domain is unqualified domain name");
  check("dns", "8.8.8.8", "Domain is an IP address");
  check("dns", "::1", "Domain is an IP address");
  check("dns", "", "Observable does not match expected pattern for dns");
  check("dns", ".example.com",
        "Observable does not match expected pattern for dns");
  check("dns", "www..example.com",
        "Observable does not match expected pattern for dns");
  check("dns", "exa mple.com",
        "Observable does not match expected pattern for dns");
  check("dns", "ex\xc3\xa4mple.com",
        "Observable does not match expected pattern for dns");
  check("dns", longest, NULL);
  check("dns", too_long, "Observable does not match expected pattern for dns");
  check("hostname", "www.example.com", NULL);
  check("hostname", "server01", "Domain is unqualified domain name");
}

static void
test_url(void)
{
  check("url", "https://www.example.com/path?q=1", NULL);
  check("url", "http://user:pw@www.example.com:8080/x", NULL);
  check("url", "http://8.8.8.8/x", NULL);
  check("url", "http://[2001:4860:4860::8888]:443/", NULL);
  check("url", "hxxp+s://www.example.com/", NULL);
  check("url", "file:///etc/passwd", "URL scheme is file");
  check("url", "FILE://server/share", "URL scheme is file");
  check("url", "http://10.0.0.1/admin",
        "URL host is a private or loopback IP address");
  check("url", "http://[::1]/", "URL host is a private or loopback IP address");
  check("url", "http://localhost/", "URL host is not a qualified domain name");
  check("url", "http:///path", "URL has no host");
  check("url", "www.example.com/x",
        "Observable does not match expected pattern for url");
  check("url", "://www.example.com/",
        "Observable does not match expected pattern for url");
  check("url", "ht tp://www.example.com/",
        "Observable does not match expected pattern for url");
  check("url", "http://[::1/",
        "Observable does not match expected pattern for url");
  check("url", "http://exa mple.com/",
        "Observable does not match expected pattern for url");
}

static void
test_hash(void)
{
  check("md5_hash", "d41d8cd98f00b204e9800998ecf8427e", NULL);
  check("md5_hash", "D41D8CD98F00B204E9800998ECF8427E", NULL);
  check("md5_hash", "d41d8cd98f00b204e9800998ecf8427",
        "Observable does not match expected pattern for md5_hash");
  check("md5_hash", "g41d8cd98f00b204e9800998ecf8427e",
        "Observable does not match expected pattern for md5_hash");
  check("md5_hash", "00000000000000000000000000000000",
        "String has too low an entropy to be a hash");
  /* "aabbccdd" x 4: 2 bits per character, under the 3-bit floor */
  check("md5_hash", "aabbccddaabbccddaabbccddaabbccdd",
        "String has too low an entropy to be a hash");
  check("sha1_hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709", NULL);
  check("sha1_hash", "d41d8cd98f00b204e9800998ecf8427e",
        "Observable does not match expected pattern for sha1_hash");
  check("sha256_hash",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        NULL);
  check("sha256_hash", "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "Observable does not match expected pattern for sha256_hash");
}

static void
test_other_types(void)
{
  check("email", "not an address", NULL);
  check("windows_path", "", NULL);
}

static void
test_entropy(void)
{
  unsigned char all[256];
  for (int i = 0; i < 256; i++)
    all[i] = (unsigned char)i;
  ok(hk_shannon_entropy("", 0) == 0, "entropy of nothing is 0");
  ok(hk_shannon_entropy(NULL, 0) == 0, "NULL with length 0");
  ok(hk_shannon_entropy("aaaa", 4) == 0, "one repeated byte: 0");
  ok(hk_shannon_entropy("ab", 2) == 1, "two bytes: 1 bit");
  ok(fabs(hk_shannon_entropy("google", 6) - 1.9182958340544893) < 1e-12,
     "entropy('google')");
  ok(hk_shannon_entropy("0123456789abcdef", 16) == 4, "16 symbols: 4 bits");
  ok(fabs(hk_shannon_entropy("d41d8cd98f00b204e9800998ecf8427e", 32) -
          3.3911267670198737) < 1e-12,
     "entropy of an md5");
  ok(hk_shannon_entropy(all, 256) == 8, "every byte once: 8 bits");
  ok(hk_shannon_entropy("a\0b\0", 4) == 1.5, "NUL bytes count");
}

int
main(void)
{
  (void)plan; /* tap.h: plan() unused with a lazy plan */
  plan_lazy();
  host.struct_size = sizeof host;
  host.abi_major = HK_ABI_MAJOR;
  host.abi_minor = HK_ABI_MINOR;
  host.ip_classify = fake_ip_classify;
  test_ip();
  test_domain();
  test_url();
  test_hash();
  test_other_types();
  test_entropy();
  return done_testing();
}
