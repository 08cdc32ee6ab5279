/*
 * huntkit/ioc_check.h -- checks of an observable before a lookup: the
 * rules MSTICPy applies before it asks a threat-intelligence service, and
 * the Shannon entropy they use.
 *
 * In libhuntkit-sdk; it reaches the host only through the hk_host pointer
 * it is given, never by linking it.
 */
#ifndef HUNTKIT_IOC_CHECK_H
#define HUNTKIT_IOC_CHECK_H

#include <huntkit/host.h>
#include <huntkit/ioc.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * hk_ioc_check -- MSTICPy's checks of an observable before a threat-intel
 * service is asked about it (msticpy TIProvider preprocessing): NULL when
 * `value` (borrowed, NUL-terminated, already trimmed) may be sent as an
 * IoC of `type`, else the reason, a static string in MSTICPy's words, for
 * a BAD_FORMAT answer:
 *
 *   ipv4, ipv6   an address of that family (host->ip_classify) that is
 *                globally reachable: "Not an IPv4 address", "Not an IPv6
 *                address", "IP address is not global"
 *   dns,         not an IP address; 1 to 253 letters, digits, '-', '_'
 *   hostname     and '.', not starting with '.' nor holding ".."; with a
 *                dot: "Domain is an IP address", "Observable does not
 *                match expected pattern for dns", "Domain is unqualified
 *                domain name"
 *   url          scheme "://" host, the scheme not file, the host a global
 *                IP address (IPv6 in brackets) or a qualified name: e.g.
 *                "URL scheme is file", "URL host is a private or loopback
 *                IP address", "URL host is not a qualified domain name"
 *   md5_hash,    32, 40 or 64 hex digits with a Shannon entropy of at
 *   sha1_hash,   least 3 bits per character: "Observable does not match
 *   sha256_hash  expected pattern for md5_hash" (sha1_hash, sha256_hash),
 *                "String has too low an entropy to be a hash"
 *
 * Other types have no rule here and pass (NULL).  `host` (borrowed) must
 * have ip_classify (every ABI 1.0 host does).  Thread-safe: no state.
 */
const char *hk_ioc_check(const hk_host *host, const char *type,
                         const char *value);

/* Shannon entropy of the bytes data[0..len) in bits per byte (0 to 8; 0
 * for len 0), as MSTICPy computes it for hashes and DGA-like names.
 * `data` is borrowed.  Thread-safe. */
double hk_shannon_entropy(const void *data, size_t len);

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_IOC_CHECK_H */
