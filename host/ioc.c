/*
 * host/ioc.c -- the shared classifiers: IP address classes from IANA's
 * special-purpose address registries, and the IoC type of a single value.
 *
 * IP tables.  Every row of the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries (RFC 6890 and its updates), plus multicast, which has its own
 * registries.  Lookup is longest-prefix match, so a more specific entry
 * (192.0.0.9/32 inside 192.0.0.0/24) wins.  is_global follows the
 * registries' "Globally Reachable" column; rows marked N/A there (6to4,
 * Teredo, the deprecated 6to4 relay anycast) count as not global and get
 * the class "reserved".  Multicast is not unicast-reachable and counts as
 * not global.  IPv6 outside 2000::/3 that no row covers is unallocated
 * ("Reserved by IETF" in the IPv6 Address Space registry): reserved, not
 * global.  For ::ffff:0:0/96 and 64:ff9b::/96 the embedded IPv4 address is
 * classified instead (class, name and is_global are the IPv4 ones).
 *
 * Parsing is inet_pton on a bounded NUL-terminated copy: no brackets,
 * ports, prefix lengths or zone ids ("fe80::1%eth0" is refused).  glibc's
 * inet_pton takes only four dotted decimal octets and refuses leading
 * zeros ("010.1.1.1"), whose meaning (octal or decimal) differs between
 * tools, so such text is not an address here either.
 *
 * IoC types.  PCRE2 patterns, compiled once (pthread_once) with JIT, match
 * the whole value; IP addresses are then confirmed with inet_pton.  The
 * order decides overlaps: ipv4, ipv6, hashes (hex of length 32/40/64), url,
 * email, windows_path, linux_path, dns.
 */
#include "config.h"

#include "internal.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Valgrind reports reads of uninitialised memory inside PCRE2's JIT code
 * (word-sized reads past the subject, harmless), so under valgrind the
 * interpreter is used: same answers, clean reports. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HK_UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef HK_UNDER_VALGRIND
#define HK_UNDER_VALGRIND() 0
#endif

/* ------------------------------------------------------------ IP tables */

typedef struct ip_row {
  uint8_t prefix[16];
  uint8_t bits;
  int8_t ip_class;
  int8_t is_global;
  int8_t embeds_v4; /* classify the last 4 bytes as IPv4 */
  const char *name;
} ip_row;

#define V4(a, b, c, d)                                                         \
  {                                                                            \
    a, b, c, d                                                                 \
  }

static const ip_row v4_rows[] = {
    {V4(0, 0, 0, 0), 8, HK_IP_RESERVED, 0, 0, "\"This network\""},
    {V4(0, 0, 0, 0), 32, HK_IP_UNSPECIFIED, 0, 0,
     "\"This host on this network\""},
    {V4(10, 0, 0, 0), 8, HK_IP_PRIVATE, 0, 0, "Private-Use"},
    {V4(100, 64, 0, 0), 10, HK_IP_CGNAT, 0, 0, "Shared Address Space"},
    {V4(127, 0, 0, 0), 8, HK_IP_LOOPBACK, 0, 0, "Loopback"},
    {V4(169, 254, 0, 0), 16, HK_IP_LINK_LOCAL, 0, 0, "Link Local"},
    {V4(172, 16, 0, 0), 12, HK_IP_PRIVATE, 0, 0, "Private-Use"},
    {V4(192, 0, 0, 0), 24, HK_IP_RESERVED, 0, 0, "IETF Protocol Assignments"},
    {V4(192, 0, 0, 0), 29, HK_IP_RESERVED, 0, 0,
     "IPv4 Service Continuity Prefix"},
    {V4(192, 0, 0, 8), 32, HK_IP_RESERVED, 0, 0, "IPv4 dummy address"},
    {V4(192, 0, 0, 9), 32, HK_IP_GLOBAL, 1, 0, "Port Control Protocol Anycast"},
    {V4(192, 0, 0, 10), 32, HK_IP_GLOBAL, 1, 0,
     "Traversal Using Relays around NAT Anycast"},
    {V4(192, 0, 0, 170), 32, HK_IP_RESERVED, 0, 0, "NAT64/DNS64 Discovery"},
    {V4(192, 0, 0, 171), 32, HK_IP_RESERVED, 0, 0, "NAT64/DNS64 Discovery"},
    {V4(192, 0, 2, 0), 24, HK_IP_DOCUMENTATION, 0, 0,
     "Documentation (TEST-NET-1)"},
    {V4(192, 31, 196, 0), 24, HK_IP_GLOBAL, 1, 0, "AS112-v4"},
    {V4(192, 52, 193, 0), 24, HK_IP_GLOBAL, 1, 0, "AMT"},
    {V4(192, 88, 99, 0), 24, HK_IP_RESERVED, 0, 0,
     "Deprecated (6to4 Relay Anycast)"},
    {V4(192, 88, 99, 2), 32, HK_IP_RESERVED, 0, 0,
     "6a44-relay anycast address"},
    {V4(192, 168, 0, 0), 16, HK_IP_PRIVATE, 0, 0, "Private-Use"},
    {V4(192, 175, 48, 0), 24, HK_IP_GLOBAL, 1, 0,
     "Direct Delegation AS112 Service"},
    {V4(198, 18, 0, 0), 15, HK_IP_RESERVED, 0, 0, "Benchmarking"},
    {V4(198, 51, 100, 0), 24, HK_IP_DOCUMENTATION, 0, 0,
     "Documentation (TEST-NET-2)"},
    {V4(203, 0, 113, 0), 24, HK_IP_DOCUMENTATION, 0, 0,
     "Documentation (TEST-NET-3)"},
    {V4(224, 0, 0, 0), 4, HK_IP_MULTICAST, 0, 0, "Multicast"},
    {V4(240, 0, 0, 0), 4, HK_IP_RESERVED, 0, 0, "Reserved"},
    {V4(255, 255, 255, 255), 32, HK_IP_BROADCAST, 0, 0, "Limited Broadcast"},
};

/* 16 bytes from up to eight 16-bit groups. */
#define V6(a, b, c, d, e, f, g, h)                                             \
  {                                                                            \
    (a) >> 8, (a)&255, (b) >> 8, (b)&255, (c) >> 8, (c)&255, (d) >> 8,         \
        (d)&255, (e) >> 8, (e)&255, (f) >> 8, (f)&255, (g) >> 8, (g)&255,      \
        (h) >> 8, (h)&255                                                      \
  }

static const ip_row v6_rows[] = {
    {V6(0, 0, 0, 0, 0, 0, 0, 1), 128, HK_IP_LOOPBACK, 0, 0, "Loopback Address"},
    {V6(0, 0, 0, 0, 0, 0, 0, 0), 128, HK_IP_UNSPECIFIED, 0, 0,
     "Unspecified Address"},
    {V6(0, 0, 0, 0, 0, 0xffff, 0, 0), 96, HK_IP_RESERVED, 0, 1,
     "IPv4-mapped Address"},
    {V6(0x64, 0xff9b, 0, 0, 0, 0, 0, 0), 96, HK_IP_GLOBAL, 1, 1,
     "IPv4-IPv6 Translat."},
    {V6(0x64, 0xff9b, 1, 0, 0, 0, 0, 0), 48, HK_IP_PRIVATE, 0, 0,
     "IPv4-IPv6 Translat."},
    {V6(0x100, 0, 0, 0, 0, 0, 0, 0), 64, HK_IP_RESERVED, 0, 0,
     "Discard-Only Address Block"},
    {V6(0x2001, 0, 0, 0, 0, 0, 0, 0), 23, HK_IP_RESERVED, 0, 0,
     "IETF Protocol Assignments"},
    {V6(0x2001, 0, 0, 0, 0, 0, 0, 0), 32, HK_IP_RESERVED, 0, 0, "TEREDO"},
    {V6(0x2001, 1, 0, 0, 0, 0, 0, 1), 128, HK_IP_GLOBAL, 1, 0,
     "Port Control Protocol Anycast"},
    {V6(0x2001, 1, 0, 0, 0, 0, 0, 2), 128, HK_IP_GLOBAL, 1, 0,
     "Traversal Using Relays around NAT Anycast"},
    {V6(0x2001, 1, 0, 0, 0, 0, 0, 3), 128, HK_IP_GLOBAL, 1, 0,
     "DNS-SD Service Registration Protocol Anycast"},
    {V6(0x2001, 2, 0, 0, 0, 0, 0, 0), 48, HK_IP_RESERVED, 0, 0, "Benchmarking"},
    {V6(0x2001, 3, 0, 0, 0, 0, 0, 0), 32, HK_IP_GLOBAL, 1, 0, "AMT"},
    {V6(0x2001, 4, 0x112, 0, 0, 0, 0, 0), 48, HK_IP_GLOBAL, 1, 0, "AS112-v6"},
    {V6(0x2001, 0x10, 0, 0, 0, 0, 0, 0), 28, HK_IP_RESERVED, 0, 0,
     "Deprecated (previously ORCHID)"},
    {V6(0x2001, 0x20, 0, 0, 0, 0, 0, 0), 28, HK_IP_GLOBAL, 1, 0, "ORCHIDv2"},
    {V6(0x2001, 0x30, 0, 0, 0, 0, 0, 0), 28, HK_IP_GLOBAL, 1, 0,
     "Drone Remote ID Protocol Entity Tags (DETs) Prefix"},
    {V6(0x2001, 0xdb8, 0, 0, 0, 0, 0, 0), 32, HK_IP_DOCUMENTATION, 0, 0,
     "Documentation"},
    {V6(0x2002, 0, 0, 0, 0, 0, 0, 0), 16, HK_IP_RESERVED, 0, 0, "6to4"},
    {V6(0x2620, 0x4f, 0x8000, 0, 0, 0, 0, 0), 48, HK_IP_GLOBAL, 1, 0,
     "Direct Delegation AS112 Service"},
    {V6(0x3fff, 0, 0, 0, 0, 0, 0, 0), 20, HK_IP_DOCUMENTATION, 0, 0,
     "Documentation"},
    {V6(0x5f00, 0, 0, 0, 0, 0, 0, 0), 16, HK_IP_RESERVED, 0, 0,
     "Segment Routing (SRv6) SIDs"},
    {V6(0xfc00, 0, 0, 0, 0, 0, 0, 0), 7, HK_IP_PRIVATE, 0, 0, "Unique-Local"},
    {V6(0xfe80, 0, 0, 0, 0, 0, 0, 0), 10, HK_IP_LINK_LOCAL, 0, 0,
     "Link-Local Unicast"},
    {V6(0xff00, 0, 0, 0, 0, 0, 0, 0), 8, HK_IP_MULTICAST, 0, 0, "Multicast"},
};

static bool
prefix_match(const uint8_t *addr, const uint8_t *prefix, unsigned bits)
{
  unsigned full = bits / 8, rest = bits % 8;
  if (memcmp(addr, prefix, full) != 0)
    return false;
  if (rest == 0)
    return true;
  uint8_t mask = (uint8_t)(0xff << (8 - rest));
  return (addr[full] & mask) == (prefix[full] & mask);
}

static const ip_row *
longest_match(const ip_row *rows, size_t n, const uint8_t *addr)
{
  const ip_row *best = NULL;
  for (size_t i = 0; i < n; i++)
    if (prefix_match(addr, rows[i].prefix, rows[i].bits) &&
        (best == NULL || rows[i].bits > best->bits))
      best = &rows[i];
  return best;
}

/* IPv4 by 32-bit masked compares over rows prepared once, and only over
 * the rows that can cover the address's first byte (none for most global
 * addresses, a handful for 192 or 10): the generic byte-wise walk was a
 * quarter of a geoip lookup and of an IoC scan's IP validation, and a
 * walk over every row still a third of the classifier. */
#define V4_ROWS (sizeof v4_rows / sizeof *v4_rows)
static uint32_t v4_pre[V4_ROWS], v4_mask[V4_ROWS];
_Static_assert(V4_ROWS < 256, "v4_by_first holds row numbers in a byte");
static unsigned char v4_by_first[256][V4_ROWS]; /* rows covering byte b */
static unsigned char v4_n_by_first[256];
static pthread_once_t v4_once = PTHREAD_ONCE_INIT;

static void
v4_init(void)
{
  for (size_t i = 0; i < V4_ROWS; i++) {
    const ip_row *r = &v4_rows[i];
    v4_mask[i] = r->bits ? 0xffffffffu << (32 - r->bits) : 0;
    v4_pre[i] = ((uint32_t)r->prefix[0] << 24 | (uint32_t)r->prefix[1] << 16 |
                 (uint32_t)r->prefix[2] << 8 | r->prefix[3]) &
                v4_mask[i];
    for (unsigned b = 0; b < 256; b++)
      if (((b << 24) & v4_mask[i] & 0xff000000u) == (v4_pre[i] & 0xff000000u))
        v4_by_first[b][v4_n_by_first[b]++] = (unsigned char)i;
  }
}

static const ip_row *
longest_match_v4(const uint8_t *a)
{
  const ip_row *best = NULL;
  uint32_t addr =
      (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
  pthread_once(&v4_once, v4_init);
  for (unsigned k = 0; k < v4_n_by_first[a[0]]; k++) {
    size_t i = v4_by_first[a[0]][k];
    if ((addr & v4_mask[i]) == v4_pre[i] &&
        (best == NULL || v4_rows[i].bits > best->bits))
      best = &v4_rows[i];
  }
  return best;
}

static void
classify_v4(const uint8_t *a, hk_ip_info *info)
{
  const ip_row *row = longest_match_v4(a);
  if (row) {
    info->ip_class = row->ip_class;
    info->is_global = row->is_global;
    info->registry_name = row->name;
  } else {
    info->ip_class = HK_IP_GLOBAL;
    info->is_global = 1;
    info->registry_name = "Global Unicast";
  }
}

static void
classify_v6(const uint8_t *a, hk_ip_info *info)
{
  const ip_row *row =
      longest_match(v6_rows, sizeof v6_rows / sizeof *v6_rows, a);
  if (row && row->embeds_v4) {
    classify_v4(a + 12, info);
    info->embedded_v4 = 1;
  } else if (row) {
    info->ip_class = row->ip_class;
    info->is_global = row->is_global;
    info->registry_name = row->name;
  } else if ((a[0] & 0xe0) == 0x20) {
    info->ip_class = HK_IP_GLOBAL;
    info->is_global = 1;
    info->registry_name = "Global Unicast";
  } else {
    info->ip_class = HK_IP_RESERVED;
    info->is_global = 0;
    info->registry_name = "Reserved by IETF";
  }
}

/* Whether s (NUL-terminated) may be IPv6 text at all: inet_pton wants all
 * eight groups unless "::" stands for some (seven colons, or six and an
 * IPv4 tail).  Clock times and MAC-like runs (10:22:33), which an IoC scan
 * of a log offers about once a line, are refused without inet_pton. */
static bool
v6_shape_ok(const char *s)
{
  size_t colons = 0;
  bool pair = false, dot = false;
  for (; *s; s++) {
    colons += *s == ':';
    pair |= s[0] == ':' && s[1] == ':';
    dot |= *s == '.';
  }
  return pair || colons == 7 || (colons == 6 && dot);
}

/* Dotted-quad IPv4 exactly as glibc's inet_pton(AF_INET) takes it: four
 * decimal octets <= 255, no leading zeros, nothing else.  It spares the
 * common case inet_pton's copy to a NUL-terminated buffer. */
static bool
parse_v4(const char *s, size_t len, uint8_t out[4])
{
  size_t i = 0;
  for (int k = 0; k < 4; k++) {
    unsigned v = 0;
    size_t start = i;
    if (k > 0) {
      if (i >= len || s[i] != '.')
        return false;
      start = ++i;
    }
    while (i < len && s[i] >= '0' && s[i] <= '9' && i - start < 3)
      v = v * 10 + (unsigned)(s[i++] - '0');
    if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
      return false;
    out[k] = (uint8_t)v;
  }
  return i == len;
}

int
hk_ip_classify(const char *s, size_t len, hk_ip_info *out)
{
  if (out == NULL || out->struct_size < sizeof(hk_ip_info))
    return HK_E_INVAL;
  hk_ip_info info;
  memset(&info, 0, sizeof info);
  info.struct_size = out->struct_size;
  info.ip_class = HK_IP_INVALID;
  info.registry_name = "";
  char buf[INET6_ADDRSTRLEN];
  int rc = HK_E_INVAL;
  if (s != NULL && len >= 7 && len <= 15 && parse_v4(s, len, info.addr)) {
    info.family = 4;
    classify_v4(info.addr, &info);
    rc = HK_OK;
  } else if (s != NULL && len > 0 && len < sizeof buf &&
             memchr(s, '\0', len) == NULL) {
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (memchr(buf, ':', len)) {
      if (v6_shape_ok(buf) && inet_pton(AF_INET6, buf, info.addr) == 1) {
        info.family = 6;
        classify_v6(info.addr, &info);
        rc = HK_OK;
      }
    } else if (inet_pton(AF_INET, buf, info.addr) == 1) {
      info.family = 4;
      classify_v4(info.addr, &info);
      rc = HK_OK;
    }
  }
  if (rc != HK_OK) {
    memset(info.addr, 0, sizeof info.addr);
    info.family = 0;
  }
  *out = info;
  return rc;
}

const char *
hk_ip_class_name(int ip_class)
{
  static const char *const names[] = {
      "invalid",    "global",      "private",  "loopback",
      "link_local", "multicast",   "cgnat",    "documentation",
      "reserved",   "unspecified", "broadcast"};
  if (ip_class < 0 || (size_t)ip_class >= sizeof names / sizeof *names)
    return "invalid";
  return names[ip_class];
}

/* ------------------------------------------------------------ IoC types */

/* Values longer than this are not classified (no IoC is that long, and it
 * bounds the regex work). */
#define HK_IOC_MAX_LEN 8192

enum ioc_kind {
  IOC_IPV4,
  IOC_IPV6,
  IOC_MD5,
  IOC_SHA1,
  IOC_SHA256,
  IOC_URL,
  IOC_EMAIL,
  IOC_WINDOWS_PATH,
  IOC_LINUX_PATH,
  IOC_DNS,
  IOC_COUNT
};

static const struct {
  const char *type;
  const char *pattern;
} ioc_patterns[IOC_COUNT] = {
    [IOC_IPV4] = {HK_IOC_IPV4, "(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?"
                               "[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9]"
                               "[0-9]|[1-9]?[0-9])"},
    /* Shape only; inet_pton decides. */
    [IOC_IPV6] = {HK_IOC_IPV6, "(?=.*:)[0-9A-Fa-f:.]{2,45}"},
    [IOC_MD5] = {HK_IOC_MD5, "[0-9A-Fa-f]{32}"},
    [IOC_SHA1] = {HK_IOC_SHA1, "[0-9A-Fa-f]{40}"},
    [IOC_SHA256] = {HK_IOC_SHA256, "[0-9A-Fa-f]{64}"},
    [IOC_URL] = {HK_IOC_URL,
                 "(?i)(?:(?:https?|ftps?|sftp|telnet|ldaps?|smb|wss?)://"
                 "(?:[^\\s/?#@]+@)?(?:\\[[0-9a-f:.]+\\]|[^\\s/?#:@\\[\\]]+)"
                 "(?::[0-9]{1,5})?(?:[/?#]\\S*)?"
                 "|file://\\S+)"},
    [IOC_EMAIL] =
        {HK_IOC_EMAIL,
         "[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}"
         "[A-Za-z0-9])?\\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"},
    [IOC_WINDOWS_PATH] = {HK_IOC_WINDOWS_PATH,
                          "(?:[A-Za-z]:|\\\\\\\\[A-Za-z0-9_.$-]+)"
                          "(?:[\\\\/][^\\\\/:*?\"<>|\\r\\n]*)+"},
    [IOC_LINUX_PATH] = {HK_IOC_LINUX_PATH, "(?:/[^/\\x00\\r\\n]+)+/?"},
    [IOC_DNS] = {HK_IOC_DNS,
                 "(?=.{4,253}\\.?$)(?:[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}"
                 "[A-Za-z0-9])?\\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})"
                 "\\.?"},
};

static pcre2_code *ioc_code[IOC_COUNT];
static pthread_once_t ioc_once = PTHREAD_ONCE_INIT;

static void
ioc_compile(void)
{
  for (int i = 0; i < IOC_COUNT; i++) {
    int errcode;
    PCRE2_SIZE erroff;
    /* Anchored at both ends: the whole value must match. */
    pcre2_code *c = pcre2_compile(
        (PCRE2_SPTR)ioc_patterns[i].pattern, PCRE2_ZERO_TERMINATED,
        PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_DOTALL, &errcode, &erroff,
        NULL);
    if (c == NULL) {
      PCRE2_UCHAR msg[256];
      pcre2_get_error_message(errcode, msg, sizeof msg);
      hk_log_msg(NULL, HK_LOG_ERROR,
                 "internal error: IoC pattern '%s' does not compile at "
                 "offset %zu: %s",
                 ioc_patterns[i].type, (size_t)erroff, (const char *)msg);
      continue;
    }
    /* JIT is an optimisation: without it (unsupported CPU, SELinux
     * execmem, valgrind) the interpreter gives the same answers. */
    if (!HK_UNDER_VALGRIND())
      (void)pcre2_jit_compile(c, PCRE2_JIT_COMPLETE);
    ioc_code[i] = c;
  }
}

static bool
ioc_match(int kind, const char *s, size_t len, pcre2_match_data *md)
{
  if (ioc_code[kind] == NULL)
    return false;
  return pcre2_match(ioc_code[kind], (PCRE2_SPTR)s, len, 0, 0, md, NULL) >= 0;
}

static bool
is_ip(int family, const char *s, size_t len)
{
  char buf[INET6_ADDRSTRLEN];
  unsigned char addr[16];
  if (len >= sizeof buf)
    return false;
  memcpy(buf, s, len);
  buf[len] = '\0';
  return inet_pton(family, buf, addr) == 1;
}

const char *
hk_ioc_classify(const char *s, size_t len)
{
  if (s == NULL || len == 0 || len > HK_IOC_MAX_LEN)
    return NULL;
  if (memchr(s, '\0', len) != NULL)
    return NULL;
  pthread_once(&ioc_once, ioc_compile);
  pcre2_match_data *md = pcre2_match_data_create(1, NULL);
  if (md == NULL)
    return NULL;
  const char *type = NULL;
  for (int k = 0; k < IOC_COUNT && type == NULL; k++) {
    if (!ioc_match(k, s, len, md))
      continue;
    if (k == IOC_IPV4 && !is_ip(AF_INET, s, len))
      continue;
    if (k == IOC_IPV6 && !is_ip(AF_INET6, s, len))
      continue;
    type = ioc_patterns[k].type;
  }
  pcre2_match_data_free(md);
  return type;
}
