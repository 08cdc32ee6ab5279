/*
 * sdk/lib/ioc_check.c -- MSTICPy's checks of an observable before a
 * threat-intel lookup (its TIProvider preprocessing), with the same words
 * for each refusal, and the Shannon entropy its hash check uses.
 */
#include "sdk_internal.h"

#include <huntkit/ioc_check.h>
#include <math.h>
#include <string.h>
#include <strings.h>

#define NAME_CHARS                                                             \
  "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_."

double
hk_shannon_entropy(const void *data, size_t len)
{
  const unsigned char *s = data;
  size_t count[256] = {0};
  double h = 0;
  for (size_t i = 0; i < len; i++)
    count[s[i]]++;
  for (int c = 0; c < 256; c++)
    if (count[c]) {
      double p = (double)count[c] / (double)len;
      h -= p * log2(p);
    }
  return h;
}

static const char *
check_ip(const hk_host *host, const char *v, int family)
{
  hk_ip_info ip;
  memset(&ip, 0, sizeof ip);
  ip.struct_size = sizeof ip;
  if (host->ip_classify(v, strlen(v), &ip) != HK_OK || ip.family != family)
    return family == 4 ? "Not an IPv4 address" : "Not an IPv6 address";
  if (!ip.is_global)
    return "IP address is not global";
  return NULL;
}

static const char *
check_domain(const hk_host *host, const char *v)
{
  hk_ip_info ip;
  memset(&ip, 0, sizeof ip);
  ip.struct_size = sizeof ip;
  if (host->ip_classify(v, strlen(v), &ip) == HK_OK && ip.family)
    return "Domain is an IP address";
  if (!*v || *v == '.' || strstr(v, "..") || strlen(v) > 253 ||
      strspn(v, NAME_CHARS) != strlen(v))
    return "Observable does not match expected pattern for dns";
  if (!strchr(v, '.'))
    return "Domain is unqualified domain name";
  return NULL;
}

static const char *
check_hash(const char *v, size_t want_len)
{
  size_t n = strlen(v);
  if (n != want_len || strspn(v, "0123456789abcdefABCDEF") != n)
    return want_len == 32   ? "Observable does not match expected pattern "
                              "for md5_hash"
           : want_len == 40 ? "Observable does not match expected pattern "
                              "for sha1_hash"
                            : "Observable does not match expected pattern "
                              "for sha256_hash";
  if (hk_shannon_entropy(v, n) < 3.0)
    return "String has too low an entropy to be a hash";
  return NULL;
}

/* A scheme other than file, a host with a dot (or a global IP address),
 * never a private or loopback address. */
static const char *
check_url(const hk_host *host, const char *v)
{
  const char *sep = strstr(v, "://");
  const char *at, *name;
  size_t auth_len, hl;
  char h[256];
  hk_ip_info ip;

  if (!sep || sep == v ||
      strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNO"
                "PQRSTUVWXYZ0123456789+.-") != (size_t)(sep - v))
    return "Observable does not match expected pattern for url";
  if (sep - v == 4 && strncasecmp(v, "file", 4) == 0)
    return "URL scheme is file";
  name = sep + 3;
  auth_len = strcspn(name, "/?#");
  at = memchr(name, '@', auth_len);
  if (at) {
    auth_len -= (size_t)(at + 1 - name);
    name = at + 1;
  }
  if (*name == '[') {
    const char *end = memchr(name, ']', auth_len);
    if (!end)
      return "Observable does not match expected pattern for url";
    name++;
    hl = (size_t)(end - name);
  } else {
    const char *colon = memchr(name, ':', auth_len);
    hl = colon ? (size_t)(colon - name) : auth_len;
  }
  if (hl == 0 || hl >= sizeof h)
    return "URL has no host";
  memcpy(h, name, hl);
  h[hl] = '\0';
  memset(&ip, 0, sizeof ip);
  ip.struct_size = sizeof ip;
  if (host->ip_classify(h, hl, &ip) == HK_OK && ip.family) {
    if (!ip.is_global)
      return "URL host is a private or loopback IP address";
    return NULL;
  }
  if (strspn(h, NAME_CHARS) != hl)
    return "Observable does not match expected pattern for url";
  if (!strchr(h, '.'))
    return "URL host is not a qualified domain name";
  return NULL;
}

const char *
hk_ioc_check(const hk_host *host, const char *type, const char *value)
{
  if (!strcmp(type, HK_IOC_IPV4))
    return check_ip(host, value, 4);
  if (!strcmp(type, HK_IOC_IPV6))
    return check_ip(host, value, 6);
  if (!strcmp(type, HK_IOC_DNS) || !strcmp(type, HK_IOC_HOSTNAME))
    return check_domain(host, value);
  if (!strcmp(type, HK_IOC_URL))
    return check_url(host, value);
  if (!strcmp(type, HK_IOC_MD5))
    return check_hash(value, 32);
  if (!strcmp(type, HK_IOC_SHA1))
    return check_hash(value, 40);
  if (!strcmp(type, HK_IOC_SHA256))
    return check_hash(value, 64);
  return NULL;
}
