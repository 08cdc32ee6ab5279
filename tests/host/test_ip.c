/*
 * tests/host/test_ip.c -- hk_ip_classify against every row of IANA's IPv4
 * and IPv6 Special-Purpose Address Registries (one representative address
 * per row, plus boundaries), multicast, the embedded-IPv4 forms and the
 * refusals.  Expected values are the registries' own: name and "Globally
 * Reachable" column (N/A counts as not global).
 */
#include "../../host/core.h"
#include "../tap.h"

#include <arpa/inet.h>

static const struct {
  const char *addr;
  int family, ip_class, is_global, embedded;
  const char *name;
} rows[] = {
    /* IPv4 Special-Purpose Address Registry */
    {"0.1.2.3", 4, HK_IP_RESERVED, 0, 0, "\"This network\""},
    {"0.255.255.255", 4, HK_IP_RESERVED, 0, 0, "\"This network\""},
    {"0.0.0.0", 4, HK_IP_UNSPECIFIED, 0, 0, "\"This host on this network\""},
    {"10.1.2.3", 4, HK_IP_PRIVATE, 0, 0, "Private-Use"},
    {"100.64.0.1", 4, HK_IP_CGNAT, 0, 0, "Shared Address Space"},
    {"100.127.255.255", 4, HK_IP_CGNAT, 0, 0, "Shared Address Space"},
    {"127.0.0.1", 4, HK_IP_LOOPBACK, 0, 0, "Loopback"},
    {"127.255.0.9", 4, HK_IP_LOOPBACK, 0, 0, "Loopback"},
    {"169.254.10.20", 4, HK_IP_LINK_LOCAL, 0, 0, "Link Local"},
    {"172.16.0.1", 4, HK_IP_PRIVATE, 0, 0, "Private-Use"},
    {"172.31.255.255", 4, HK_IP_PRIVATE, 0, 0, "Private-Use"},
    {"192.0.0.200", 4, HK_IP_RESERVED, 0, 0, "IETF Protocol Assignments"},
    {"192.0.0.1", 4, HK_IP_RESERVED, 0, 0, "IPv4 Service Continuity Prefix"},
    {"192.0.0.7", 4, HK_IP_RESERVED, 0, 0, "IPv4 Service Continuity Prefix"},
    {"192.0.0.8", 4, HK_IP_RESERVED, 0, 0, "IPv4 dummy address"},
    {"192.0.0.9", 4, HK_IP_GLOBAL, 1, 0, "Port Control Protocol Anycast"},
    {"192.0.0.10", 4, HK_IP_GLOBAL, 1, 0,
     "Traversal Using Relays around NAT Anycast"},
    {"192.0.0.11", 4, HK_IP_RESERVED, 0, 0, "IETF Protocol Assignments"},
    {"192.0.0.170", 4, HK_IP_RESERVED, 0, 0, "NAT64/DNS64 Discovery"},
    {"192.0.0.171", 4, HK_IP_RESERVED, 0, 0, "NAT64/DNS64 Discovery"},
    {"192.0.2.1", 4, HK_IP_DOCUMENTATION, 0, 0, "Documentation (TEST-NET-1)"},
    {"192.31.196.53", 4, HK_IP_GLOBAL, 1, 0, "AS112-v4"},
    {"192.52.193.1", 4, HK_IP_GLOBAL, 1, 0, "AMT"},
    {"192.88.99.1", 4, HK_IP_RESERVED, 0, 0, "Deprecated (6to4 Relay Anycast)"},
    {"192.88.99.2", 4, HK_IP_RESERVED, 0, 0, "6a44-relay anycast address"},
    {"192.168.1.1", 4, HK_IP_PRIVATE, 0, 0, "Private-Use"},
    {"192.175.48.6", 4, HK_IP_GLOBAL, 1, 0, "Direct Delegation AS112 Service"},
    {"198.18.0.1", 4, HK_IP_RESERVED, 0, 0, "Benchmarking"},
    {"198.19.255.255", 4, HK_IP_RESERVED, 0, 0, "Benchmarking"},
    {"198.51.100.7", 4, HK_IP_DOCUMENTATION, 0, 0,
     "Documentation (TEST-NET-2)"},
    {"203.0.113.9", 4, HK_IP_DOCUMENTATION, 0, 0, "Documentation (TEST-NET-3)"},
    {"240.0.0.1", 4, HK_IP_RESERVED, 0, 0, "Reserved"},
    {"255.255.255.254", 4, HK_IP_RESERVED, 0, 0, "Reserved"},
    {"255.255.255.255", 4, HK_IP_BROADCAST, 0, 0, "Limited Broadcast"},
    /* Multicast (its own registry) */
    {"224.0.0.1", 4, HK_IP_MULTICAST, 0, 0, "Multicast"},
    {"239.255.255.255", 4, HK_IP_MULTICAST, 0, 0, "Multicast"},
    /* Boundaries and ordinary addresses */
    {"8.8.8.8", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"9.255.255.255", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"11.0.0.0", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"100.63.255.255", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"100.128.0.0", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"172.15.255.255", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"172.32.0.0", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"198.20.0.0", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"223.255.255.255", 4, HK_IP_GLOBAL, 1, 0, "Global Unicast"},

    /* IPv6 Special-Purpose Address Registry */
    {"::1", 6, HK_IP_LOOPBACK, 0, 0, "Loopback Address"},
    {"::", 6, HK_IP_UNSPECIFIED, 0, 0, "Unspecified Address"},
    {"::ffff:8.8.8.8", 6, HK_IP_GLOBAL, 1, 1, "Global Unicast"},
    {"::ffff:10.0.0.1", 6, HK_IP_PRIVATE, 0, 1, "Private-Use"},
    {"::ffff:7f00:1", 6, HK_IP_LOOPBACK, 0, 1, "Loopback"},
    {"64:ff9b::808:808", 6, HK_IP_GLOBAL, 1, 1, "Global Unicast"},
    {"64:ff9b::192.0.2.33", 6, HK_IP_DOCUMENTATION, 0, 1,
     "Documentation (TEST-NET-1)"},
    {"64:ff9b:1::1", 6, HK_IP_PRIVATE, 0, 0, "IPv4-IPv6 Translat."},
    {"100::1", 6, HK_IP_RESERVED, 0, 0, "Discard-Only Address Block"},
    {"2001:1ff::1", 6, HK_IP_RESERVED, 0, 0, "IETF Protocol Assignments"},
    {"2001:0:4136:e378:8000:63bf:3fff:fdd2", 6, HK_IP_RESERVED, 0, 0, "TEREDO"},
    {"2001:1::1", 6, HK_IP_GLOBAL, 1, 0, "Port Control Protocol Anycast"},
    {"2001:1::2", 6, HK_IP_GLOBAL, 1, 0,
     "Traversal Using Relays around NAT Anycast"},
    {"2001:1::3", 6, HK_IP_GLOBAL, 1, 0,
     "DNS-SD Service Registration Protocol Anycast"},
    {"2001:1::4", 6, HK_IP_RESERVED, 0, 0, "IETF Protocol Assignments"},
    {"2001:2::1", 6, HK_IP_RESERVED, 0, 0, "Benchmarking"},
    {"2001:3::1", 6, HK_IP_GLOBAL, 1, 0, "AMT"},
    {"2001:4:112::1", 6, HK_IP_GLOBAL, 1, 0, "AS112-v6"},
    {"2001:10::1", 6, HK_IP_RESERVED, 0, 0, "Deprecated (previously ORCHID)"},
    {"2001:20::1", 6, HK_IP_GLOBAL, 1, 0, "ORCHIDv2"},
    {"2001:30::1", 6, HK_IP_GLOBAL, 1, 0,
     "Drone Remote ID Protocol Entity Tags (DETs) Prefix"},
    {"2001:db8::1", 6, HK_IP_DOCUMENTATION, 0, 0, "Documentation"},
    {"2002:c000:204::1", 6, HK_IP_RESERVED, 0, 0, "6to4"},
    {"2620:4f:8000::53", 6, HK_IP_GLOBAL, 1, 0,
     "Direct Delegation AS112 Service"},
    {"3fff::1", 6, HK_IP_DOCUMENTATION, 0, 0, "Documentation"},
    {"3fff:fff::1", 6, HK_IP_DOCUMENTATION, 0, 0, "Documentation"},
    {"5f00::1", 6, HK_IP_RESERVED, 0, 0, "Segment Routing (SRv6) SIDs"},
    {"fc00::1", 6, HK_IP_PRIVATE, 0, 0, "Unique-Local"},
    {"fd12:3456:789a::1", 6, HK_IP_PRIVATE, 0, 0, "Unique-Local"},
    {"fe80::1", 6, HK_IP_LINK_LOCAL, 0, 0, "Link-Local Unicast"},
    {"febf::1", 6, HK_IP_LINK_LOCAL, 0, 0, "Link-Local Unicast"},
    {"ff02::1", 6, HK_IP_MULTICAST, 0, 0, "Multicast"},
    /* Outside the registry */
    {"2001:200::1", 6, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"2001:4860:4860::8888", 6, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"3fff:1000::1", 6, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"2620:4f:8001::1", 6, HK_IP_GLOBAL, 1, 0, "Global Unicast"},
    {"fec0::1", 6, HK_IP_RESERVED, 0, 0, "Reserved by IETF"},
    {"4000::1", 6, HK_IP_RESERVED, 0, 0, "Reserved by IETF"},
    {"::2", 6, HK_IP_RESERVED, 0, 0, "Reserved by IETF"},
    {"2001:DB8::A", 6, HK_IP_DOCUMENTATION, 0, 0, "Documentation"},
};

static const char *const invalid[] = {
    "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "010.1.1.1", "1.2.3.04", "1.2.3.4.",
    ".1.2.3.4", "1..2.3", "1.2.3.1000", "1.2.3.256", "1.2.3.-4", " 1.2.3.4",
    "1.2.3.4 ", "[::1]",
    /* without "::", all eight groups or none (clock times, MAC-like runs) */
    "10:22:33", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1:2:3:4:5:1.2.3.4",
    "fe80::1%eth0", "1.2.3.4:80", "10.0.0.0/8", "::1/128", "gggg::1",
    "1.2.3.04", "0x7f.0.0.1", "127.1", "2001:db8::1::2", "example.com",
    "12345::", "0000:0000:0000:0000:0000:0000:0000:0000:0000"};

int
main(void)
{
  (void)plan;
  plan_lazy();
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    hk_ip_info info = {.struct_size = sizeof info};
    int rc = hk_ip_classify(rows[i].addr, strlen(rows[i].addr), &info);
    int good = rc == HK_OK && info.family == rows[i].family &&
               info.ip_class == rows[i].ip_class &&
               info.is_global == rows[i].is_global &&
               info.embedded_v4 == rows[i].embedded &&
               strcmp(info.registry_name, rows[i].name) == 0;
    if (!ok(good, "%s: %s, %s, %s", rows[i].addr,
            hk_ip_class_name(rows[i].ip_class),
            rows[i].is_global ? "global" : "not global", rows[i].name))
      diag("  got rc %d family %d class %s global %d embedded %d name '%s'", rc,
           info.family, hk_ip_class_name(info.ip_class), info.is_global,
           info.embedded_v4, info.registry_name);
  }

  for (size_t i = 0; i < sizeof invalid / sizeof *invalid; i++) {
    hk_ip_info info = {.struct_size = sizeof info};
    int rc = hk_ip_classify(invalid[i], strlen(invalid[i]), &info);
    ok(rc == HK_E_INVAL && info.ip_class == HK_IP_INVALID && info.family == 0 &&
           info.registry_name != NULL,
       "'%s' is not an address", invalid[i]);
  }

  hk_ip_info info = {.struct_size = sizeof info};
  is_int(hk_ip_classify("10.0.0.1xyz", 8, &info), HK_OK,
         "only `len` bytes are read");
  is_int(info.ip_class, HK_IP_PRIVATE, "10.0.0.1 from a longer buffer");
  ok(memcmp(info.addr, "\x0a\x00\x00\x01", 4) == 0, "address bytes");
  is_int(info.struct_size, sizeof info, "struct_size kept");
  is_int(hk_ip_classify("1.2.3.4\0", 8, &info), HK_E_INVAL,
         "an embedded NUL is refused");
  is_int(hk_ip_classify(NULL, 0, &info), HK_E_INVAL, "NULL input");
  ok(hk_ip_classify("2001:db8:85a3:0:0:8a2e:370:7334", 30, &info) == HK_OK &&
         info.family == 6,
     "eight groups without '::' are IPv6");
  ok(hk_ip_classify("1:2:3:4:5:6:1.2.3.4", 19, &info) == HK_OK &&
         info.family == 6,
     "six groups and an IPv4 tail are IPv6");
  hk_ip_info small = {.struct_size = 8};
  is_int(hk_ip_classify("1.2.3.4", 7, &small), HK_E_INVAL,
         "struct_size too small");
  is_int(hk_ip_classify("1.2.3.4", 7, NULL), HK_E_INVAL, "NULL out");
  char v6[64];
  is_int(hk_ip_classify("2001:db8::1", 11, &info), HK_OK, "v6");
  inet_ntop(AF_INET6, info.addr, v6, sizeof v6);
  is_str(v6, "2001:db8::1", "v6 bytes round-trip");

  static const char *const names[] = {
      "invalid",    "global",      "private",  "loopback",
      "link_local", "multicast",   "cgnat",    "documentation",
      "reserved",   "unspecified", "broadcast"};
  for (int c = 0; c <= HK_IP_BROADCAST; c++)
    is_str(hk_ip_class_name(c), names[c], "class %d name", c);
  is_str(hk_ip_class_name(-1), "invalid", "negative class");
  is_str(hk_ip_class_name(11), "invalid", "unknown class");
  return done_testing();
}
