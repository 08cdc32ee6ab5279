/*
 * plugins/mask/test_mask_core.c -- white-box tests of the maskers with a
 * stand-in for the host's IP classifier (the few IANA ranges used here).
 * Exact pseudonyms of names and GUIDs under the key "test-key" were
 * computed independently with Python's hmac/hashlib (HMAC-SHA256 of
 * "name\0" + lower-cased text + block number, bytes mod 26 / mod 10); IP,
 * SID and RID results are checked by their properties (range, class,
 * subnet, no collisions) and by determinism.
 */
#include "mask_core.c"
/* after mask_core.c, whose functions it uses */
#include "mask_text.c"

#include <arpa/inet.h>
#include <tap.h>

static int
in4(const uint8_t *a, unsigned a0, unsigned a1, unsigned bits)
{
  uint32_t ip =
      (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
  uint32_t net = a0 << 24 | a1 << 16;
  uint32_t mask = bits ? ~0u << (32 - bits) : 0;
  return (ip & mask) == (net & mask);
}

/* IPv4 and IPv6 classes from IANA's registries, the ranges these tests
 * touch. */
static int
fake_classify(const char *s, size_t len, hk_ip_info *out)
{
  char buf[64];
  uint8_t *a = out->addr;
  memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  out->registry_name = "";
  if (len == 0 || len >= sizeof buf)
    return HK_E_INVAL;
  memcpy(buf, s, len);
  buf[len] = '\0';
  if (!memchr(buf, ':', len) && inet_pton(AF_INET, buf, a) == 1) {
    out->family = 4;
  } else if (memchr(buf, ':', len) && inet_pton(AF_INET6, buf, a) == 1) {
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0,    0,
                                       0, 0, 0, 0, 0xff, 0xff};
    out->family = 6;
    if (memcmp(a, mapped, 12) == 0) {
      out->embedded_v4 = 1;
      a += 12;
    } else {
      static const uint8_t zero[15] = {0};
      if (memcmp(a, zero, 15) == 0)
        out->ip_class = a[15] == 1 ? HK_IP_LOOPBACK : HK_IP_UNSPECIFIED;
      else if ((a[0] & 0xfe) == 0xfc)
        out->ip_class = HK_IP_PRIVATE;
      else if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        out->ip_class = HK_IP_LINK_LOCAL;
      else if (a[0] == 0xff)
        out->ip_class = HK_IP_MULTICAST;
      else if (a[0] == 0x20 && a[1] == 0x01 && a[2] == 0x0d && a[3] == 0xb8)
        out->ip_class = HK_IP_DOCUMENTATION;
      else if ((a[0] & 0xe0) == 0x20)
        out->ip_class = HK_IP_GLOBAL;
      else
        out->ip_class = HK_IP_RESERVED;
      out->is_global = out->ip_class == HK_IP_GLOBAL;
      return HK_OK;
    }
  } else {
    return HK_E_INVAL;
  }
  /* IPv4 (or the IPv4 inside ::ffff:0:0/96) */
  if (in4(a, 255, 255, 32) && a[2] == 255 && a[3] == 255)
    out->ip_class = HK_IP_BROADCAST;
  else if (in4(a, 0, 0, 32) && a[2] == 0 && a[3] == 0)
    out->ip_class = HK_IP_UNSPECIFIED;
  else if (in4(a, 10, 0, 8) || in4(a, 172, 16, 12) || in4(a, 192, 168, 16))
    out->ip_class = HK_IP_PRIVATE;
  else if (in4(a, 100, 64, 10))
    out->ip_class = HK_IP_CGNAT;
  else if (in4(a, 127, 0, 8))
    out->ip_class = HK_IP_LOOPBACK;
  else if (in4(a, 169, 254, 16))
    out->ip_class = HK_IP_LINK_LOCAL;
  else if (in4(a, 224, 0, 4))
    out->ip_class = HK_IP_MULTICAST;
  else if (in4(a, 240, 0, 4) || in4(a, 0, 0, 8) ||
           (in4(a, 192, 0, 16) && a[2] == 0) || in4(a, 198, 18, 15))
    out->ip_class = HK_IP_RESERVED;
  else if ((in4(a, 192, 0, 16) && a[2] == 2) ||
           (in4(a, 198, 51, 16) && a[2] == 100) ||
           (in4(a, 203, 0, 16) && a[2] == 113))
    out->ip_class = HK_IP_DOCUMENTATION;
  else
    out->ip_class = HK_IP_GLOBAL;
  out->is_global = out->ip_class == HK_IP_GLOBAL;
  return HK_OK;
}

static mask_ctx m, m2;
static psl_ctx_t *psl;
static hk_buf out = HK_BUF_INIT;

typedef int (*masker)(mask_ctx *, const char *, size_t, hk_buf *);

static const char *
run(masker f, mask_ctx *c, const char *s)
{
  hk_buf_reset(&out);
  if (f(c, s, strlen(s), &out) != HK_OK)
    return "ERROR";
  return out.data ? out.data : "";
}

static int
ip_wrap(mask_ctx *c, const char *s, size_t n, hk_buf *o)
{
  int changed;
  return mask_ip(c, s, n, o, &changed);
}

static int
guid_wrap(mask_ctx *c, const char *s, size_t n, hk_buf *o)
{
  int is_guid;
  return mask_guid(c, s, n, o, &is_guid);
}

#define IP(s) run(ip_wrap, &m, s)

static int
cls(const char *s)
{
  hk_ip_info info;
  info.struct_size = sizeof info;
  if (fake_classify(s, strlen(s), &info) != HK_OK)
    return -1;
  return info.ip_class;
}

static void
test_names(void)
{
  is_str(run(mask_name, &m, "alice"), "kknat", "name: exact pseudonym");
  is_str(run(mask_name, &m, "Alice"), "Kknat",
         "name: case of each letter kept");
  is_str(run(mask_name, &m, "WS01"), "IL05", "name: digits stay digits");
  is_str(run(mask_name, &m, "ws01"), "il05", "name: keyed by the lower case");
  is_str(run(mask_name, &m,
             "a-very-long-host-name-that-needs-more-than-thirty-two-letters"),
         "h-tyju-azha-efku-djnm-nvil-owyyq-uszu-lrvm-uomeah-oqr-hbeflhs",
         "name: longer than one HMAC block");
  is_str(run(mask_name, &m2, "alice"), "hyptu", "another key, another name");
  is_str(run(mask_name, &m, "alice"), "kknat", "same key, same name again");

  is_str(run(mask_host, &m, "WS01.contoso.com"), "IL05.wspqlvg.com",
         "host: labels masked, public suffix kept");
  is_str(run(mask_host, &m, "www.bbc.co.uk"), "snp.pux.co.uk",
         "host: co.uk kept whole");
  is_str(run(mask_host, &m, "ws01.contoso.local"), "il05.wspqlvg.local",
         "host: internal top-level name kept");
  is_str(run(mask_host, &m, "CONTOSO"), "WSPQLVG", "host: NetBIOS name");
  is_str(run(mask_host, &m, "localhost"), "localhost", "host: localhost kept");

  is_str(run(mask_account, &m, "CONTOSO\\alice"), "WSPQLVG\\kknat",
         "account: DOMAIN\\user");
  is_str(run(mask_account, &m, "alice@contoso.com"), "kknat@wspqlvg.com",
         "account: UPN, same user and domain pseudonyms");
  is_str(run(mask_account, &m, "contoso/alice"), "wspqlvg/kknat",
         "account: MSTICPy's domain/user");
  is_str(run(mask_account, &m, "NT AUTHORITY\\SYSTEM"), "NT AUTHORITY\\SYSTEM",
         "account: built-in kept");
  is_str(run(mask_account, &m, "CONTOSO\\Administrator"),
         "WSPQLVG\\Administrator",
         "account: built-in user kept, domain masked");
  is_str(run(mask_account, &m, "CONTOSO\\WS01$"), "WSPQLVG\\IL05$",
         "account: machine account masks like its host");
  is_str(run(mask_account, &m, "Window Manager\\DWM-1"),
         "Window Manager\\DWM-1", "account: virtual account kept");
  is_str(run(mask_email, &m, "alice@contoso.com"), "kknat@wspqlvg.com",
         "email");
  is_str(run(mask_domain_part, &m, "WORKGROUP"), "WORKGROUP",
         "domain: WORKGROUP kept");
}

static void
test_guid_sid(void)
{
  is_str(run(guid_wrap, &m, "802d39e1-9d70-404d-832c-2de5e2478eda"),
         "04ea1bdc-5da4-4920-bb12-4f5842214a41", "guid: exact pseudonym");
  is_str(run(guid_wrap, &m, "{802D39E1-9D70-404D-832C-2DE5E2478EDA}"),
         "{04EA1BDC-5DA4-4920-BB12-4F5842214A41}",
         "guid: braces and upper case kept, same value");
  is_str(run(guid_wrap, &m, "00000000-0000-0000-0000-000000000000"),
         "00000000-0000-0000-0000-000000000000", "guid: nil kept");
  run(guid_wrap, &m2, "802d39e1-9d70-404d-832c-2de5e2478eda");
  ok(out.len == 36 && out.data[14] == '4' && strchr("89ab", out.data[19]),
     "guid: version and variant kept under another key (%s)", out.data);

  is_str(run(mask_sid, &m, "S-1-5-18"), "S-1-5-18", "sid: LocalSystem kept");
  is_str(run(mask_sid, &m, "S-1-5-32-544"), "S-1-5-32-544",
         "sid: BUILTIN\\Administrators kept");
  is_str(run(mask_sid, &m, "not a sid"), "not a sid", "sid: other text kept");
  {
    char a[96], b[96], c[96];
    unsigned long d1, d2, d3, rid, e1, e2, e3, rid2;
    snprintf(a, sizeof a, "%s",
             run(mask_sid, &m, "S-1-5-21-2079883792-3656946353-945924832-500"));
    snprintf(
        b, sizeof b, "%s",
        run(mask_sid, &m, "S-1-5-21-2079883792-3656946353-945924832-1104"));
    snprintf(
        c, sizeof c, "%s",
        run(mask_sid, &m2, "S-1-5-21-2079883792-3656946353-945924832-1104"));
    ok(sscanf(a, "S-1-5-21-%lu-%lu-%lu-%lu", &d1, &d2, &d3, &rid) == 4,
       "sid: masked SID has the same form (%s)", a);
    is_int(rid, 500, "sid: RID 500 kept");
    ok(d1 != 2079883792ul && d1 <= 4294967295ul && d2 <= 4294967295ul &&
           d3 <= 4294967295ul,
       "sid: domain sub-authorities masked, still 32-bit");
    ok(sscanf(b, "S-1-5-21-%lu-%lu-%lu-%lu", &e1, &e2, &e3, &rid2) == 4 &&
           e1 == d1 && e2 == d2 && e3 == d3,
       "sid: same domain masks the same (%s)", b);
    ok(rid2 >= 1000 && rid2 != 1104 && rid2 <= 4294967295ul,
       "sid: RID 1104 masked to another RID >= 1000");
    ok(strcmp(b, c) != 0, "sid: another key gives another SID");
    is_str(run(mask_sid, &m, "S-1-5-21-2079883792-3656946353-945924832-1104"),
           b, "sid: deterministic");
  }
  ok(strncmp(run(mask_sid, &m, "S-1-12-1-1234567-2345678-3456789-4567890"),
             "S-1-12-1-", 9) == 0 &&
         strcmp(out.data, "S-1-12-1-1234567-2345678-3456789-4567890") != 0,
     "sid: Azure AD SID masked (%s)", out.data);
}

static void
test_ipv4(void)
{
  char a[32], b[32], c[32];
  uint8_t x[4], y[4];
  int distinct = 1, all_private = 1, all_global = 1;
  static uint8_t seen[1 << 16];

  snprintf(a, sizeof a, "%s", IP("10.1.2.3"));
  snprintf(b, sizeof b, "%s", IP("10.1.2.200"));
  snprintf(c, sizeof c, "%s", IP("10.1.3.3"));
  inet_pton(AF_INET, a, x);
  inet_pton(AF_INET, b, y);
  ok(x[0] == 10 && memcmp(x, y, 3) == 0 && x[3] != y[3],
     "10.1.2.3 and 10.1.2.200 share a masked /24 in 10/8 (%s, %s)", a, b);
  ok(strcmp(a, "10.1.2.3") != 0, "10.1.2.3 is masked");
  inet_pton(AF_INET, c, y);
  ok(y[0] == 10 && memcmp(x, y, 3) != 0, "10.1.3.3 is in another /24 (%s)", c);
  is_str(IP("10.1.2.3"), a, "deterministic");
  ok(strcmp(run(ip_wrap, &m2, "10.1.2.3"), a) != 0, "another key differs");

  /* 172.16.0.0/12: all of it stays inside; 172.32.x is not private */
  for (unsigned second = 16; second <= 31; second += 5) {
    char in[32];
    snprintf(in, sizeof in, "172.%u.200.9", second);
    inet_pton(AF_INET, IP(in), x);
    ok(in4(x, 172, 16, 12), "%s stays in 172.16/12 (%s)", in, out.data);
  }
  snprintf(a, sizeof a, "%s", IP("172.32.1.1"));
  ok(strcmp(a, "172.32.1.1") != 0 && cls(a) == HK_IP_GLOBAL,
     "172.32.1.1 is global and stays global (%s)", a);
  snprintf(a, sizeof a, "%s", IP("172.15.255.1"));
  ok(cls(a) == HK_IP_GLOBAL, "172.15.255.1 is global and stays global (%s)", a);
  inet_pton(AF_INET, IP("192.168.1.77"), x);
  ok(in4(x, 192, 168, 16), "192.168/16 stays (%s)", out.data);
  inet_pton(AF_INET, IP("100.64.1.1"), x);
  ok(in4(x, 100, 64, 10), "CGNAT 100.64/10 stays (%s)", out.data);
  inet_pton(AF_INET, IP("169.254.3.4"), x);
  ok(in4(x, 169, 254, 16), "link-local 169.254/16 stays (%s)", out.data);
  snprintf(a, sizeof a, "%s", IP("8.8.8.8"));
  ok(strcmp(a, "8.8.8.8") != 0 && cls(a) == HK_IP_GLOBAL,
     "8.8.8.8 masked to a global address (%s)", a);
  inet_pton(AF_INET, IP("10.9.9.0"), x);
  is_int(x[3], 0, ".0 stays .0");
  inet_pton(AF_INET, IP("10.9.9.255"), x);
  is_int(x[3], 255, ".255 stays .255");
  static const char *const kept[] = {
      "127.0.0.1", "0.0.0.0",      "255.255.255.255", "224.0.0.251",
      "192.0.2.5", "198.51.100.7", "240.1.2.3",       NULL};
  for (int i = 0; kept[i]; i++)
    is_str(IP(kept[i]), kept[i], "%s kept", kept[i]);

  /* every /24 of 10.0.0.0/16 to a distinct /24 of 10/8 */
  memset(seen, 0, sizeof seen);
  for (unsigned third = 0; third < 256; third++) {
    char in[32];
    snprintf(in, sizeof in, "10.0.%u.1", third);
    inet_pton(AF_INET, IP(in), x);
    all_private &= x[0] == 10;
    if (seen[x[1] << 8 | x[2]])
      distinct = 0;
    seen[x[1] << 8 | x[2]] = 1;
  }
  ok(all_private && distinct, "256 subnets of 10.0/16: distinct, in 10/8");
  /* global addresses stay global */
  for (unsigned i = 0; i < 2000; i++) {
    char in[32];
    snprintf(in, sizeof in, "%u.%u.%u.10", 1 + i % 9, (i * 37) % 256,
             (i * 101) % 256);
    if (cls(in) != HK_IP_GLOBAL)
      continue;
    snprintf(a, sizeof a, "%s", IP(in));
    all_global &= cls(a) == HK_IP_GLOBAL;
  }
  ok(all_global, "2000 global addresses stay global");
  is_str(IP("not-an-ip"), run(mask_name, &m, "not-an-ip"),
         "a value that is not an address masks as a name");
}

static void
test_ipv6(void)
{
  char a[64], b[64];
  uint8_t x[16], y[16];
  snprintf(a, sizeof a, "%s", IP("2a00:1450:4001:82a::200e"));
  snprintf(b, sizeof b, "%s", IP("2a00:1450:4001:82a::1"));
  inet_pton(AF_INET6, a, x);
  inet_pton(AF_INET6, b, y);
  ok(memcmp(x, y, 8) == 0 && memcmp(x + 8, y + 8, 8) != 0,
     "same /64, same masked /64 (%s, %s)", a, b);
  ok(cls(a) == HK_IP_GLOBAL && strcmp(a, "2a00:1450:4001:82a::200e") != 0,
     "global stays global");
  inet_pton(AF_INET6, IP("fd12:3456:789a:1::42"), x);
  ok((x[0] & 0xfe) == 0xfc, "unique-local stays in fc00::/7 (%s)", out.data);
  inet_pton(AF_INET6, IP("fe80::1c2d:3e4f:5a6b:7c8d"), x);
  ok(x[0] == 0xfe && x[1] == 0x80 && x[8] != 0x1c,
     "link-local keeps fe80::/64, masks the interface id (%s)", out.data);
  is_str(IP("::1"), "::1", "::1 kept");
  is_str(IP("2001:db8::1"), "2001:db8::1", "documentation prefix kept");
  is_str(IP("ff02::1"), "ff02::1", "multicast kept");
  snprintf(a, sizeof a, "%s", IP("10.1.2.3"));
  snprintf(b, sizeof b, "%s", IP("::ffff:10.1.2.3"));
  ok(strncmp(b, "::ffff:", 7) == 0 && strcmp(b + 7, a) == 0,
     "IPv4-mapped IPv6 masks its IPv4 the same way (%s)", b);
}

static void
test_memo(void)
{
  size_t n = 0;
  const char *v;
  ok(mask_memo_get(&m, 'h', "WS01", 4, &n) == NULL, "memo: empty");
  mask_memo_put(&m, 'h', "WS01", 4, "IL05", 4);
  v = mask_memo_get(&m, 'h', "WS01", 4, &n);
  ok(v && n == 4 && memcmp(v, "IL05", 4) == 0, "memo: remembered");
  ok(mask_memo_get(&m, 'a', "WS01", 4, &n) == NULL, "memo: per kind");
  for (unsigned i = 0; i < 10000; i++) {
    char k[16];
    int kl = snprintf(k, sizeof k, "k%u", i);
    mask_memo_put(&m, 'x', k, (size_t)kl, k, (size_t)kl);
  }
  v = mask_memo_get(&m, 'x', "k9999", 5, &n);
  ok(v && n == 5 && memcmp(v, "k9999", 5) == 0, "memo: grows");
  mask_memo_clear(&m);
  ok(mask_memo_get(&m, 'h', "WS01", 4, &n) == NULL, "memo: cleared");
}

static void
test_text(void)
{
  mask_text t;
  const char *s =
      "user alice@contoso.com on WS01.contoso.com from 10.1.2.3 ran "
      "C:\\Users\\alice\\AppData\\x.exe \\\\FS01\\share setup.py "
      "{802D39E1-9D70-404D-832C-2DE5E2478EDA} S-1-5-18 then logged on WS01 "
      "and WS01$ 10:22:33 8.8.8.8.8";
  char expect[1024], ip[32];
  size_t n = strlen(s);
  char *pad = calloc(1, n + 32);

  if (!ok(mask_text_init(&t) == HK_OK, "text pattern compiles"))
    return;
  memcpy(pad, s, n);
  mask_names_add(&t.known, "WS01", 4);
  hk_buf_reset(&out);
  ok(mask_text_run(&m, &t, pad, n, &out) == HK_OK, "text masked");
  snprintf(ip, sizeof ip, "%s", run(ip_wrap, &m, "10.1.2.3"));
  snprintf(
      expect, sizeof expect,
      "user kknat@wspqlvg.com on IL05.wspqlvg.com from %s ran "
      "C:\\Users\\kknat\\AppData\\x.exe \\\\LN85\\share setup.py "
      "{04EA1BDC-5DA4-4920-BB12-4F5842214A41} S-1-5-18 then logged on IL05 "
      "and IL05$ 10:22:33 8.8.8.8.8",
      ip);
  hk_buf_reset(&out);
  mask_text_run(&m, &t, pad, n, &out);
  is_str(out.data, expect,
         "e-mail, host, IP, profile, UNC, GUID masked; known names too; "
         "file name, well-known SID, time and dotted number kept");
  is_str(run(mask_host, &m, "FS01"), "LN85", "UNC host as its own column");
  mask_text_free(&t);
  free(pad);
}

int
main(void)
{
  psl = psl_latest(NULL);
  ok(mask_ctx_init(&m, "test-key", 8, fake_classify, psl) == HK_OK &&
         mask_ctx_init(&m2, "other-key", 9, fake_classify, psl) == HK_OK,
     "HMAC-SHA256 contexts");
  test_names();
  test_guid_sid();
  test_ipv4();
  test_ipv6();
  test_memo();
  test_text();
  mask_ctx_free(&m);
  mask_ctx_free(&m2);
  psl_free(psl);
  hk_buf_free(&out);
  return done_testing();
}
