/*
 * sdk/lib/sdk_internal.h -- helpers shared by the files of libhuntkit-sdk.
 * Never installed.  Everything here has hidden visibility: the library is
 * linked statically into each plugin and into the host, and none of it
 * may leak into a plugin's exported symbol table.
 */
#ifndef HK_SDK_INTERNAL_H
#define HK_SDK_INTERNAL_H

#include <huntkit/table.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define HK_HIDDEN __attribute__((visibility("hidden")))
#define HK_LIKELY(x) __builtin_expect(!!(x), 1)
#define HK_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define HK_HIDDEN
#define HK_LIKELY(x) (x)
#define HK_UNLIKELY(x) (x)
#endif

/* U+FFFD REPLACEMENT CHARACTER in UTF-8. */
#define HK_UTF8_REPLACEMENT "\xEF\xBF\xBD"
#define HK_UTF8_REPLACEMENT_LEN 3

/*
 * Decode one UTF-8 sequence at p (n > 0 bytes available) following the
 * Unicode "maximal subpart" rule (Unicode 15, section 3.9, table 3-7; the
 * same rule the WHATWG encoding standard uses).  Returns the number of
 * bytes consumed (>= 1); *valid is 1 when they form a well-formed scalar
 * value and 0 when they are an ill-formed subpart to be replaced by one
 * U+FFFD.  Overlong forms, surrogates and values above U+10FFFF are
 * ill-formed.
 */
HK_HIDDEN size_t hk_utf8_step(const unsigned char *p, size_t n, int *valid);

/* Length of the longest well-formed UTF-8 prefix of p[0..n).  Scans ASCII
 * eight bytes at a time, so all-ASCII text costs little more than a
 * memchr. */
HK_HIDDEN size_t hk_utf8_valid_prefix(const unsigned char *p, size_t n);

/* Number of bytes `p[0..n)` occupies once every ill-formed subpart is
 * replaced by U+FFFD. */
HK_HIDDEN size_t hk_utf8_sanitized_len(const unsigned char *p, size_t n);

/* Copy p[0..n) to dst, replacing ill-formed subparts by U+FFFD; dst must
 * hold hk_utf8_sanitized_len(p, n) bytes.  Returns the bytes written. */
HK_HIDDEN size_t hk_utf8_sanitize(char *dst, const unsigned char *p, size_t n);

/* x in decimal ("%lld" by hand: snprintf's set-up was most of a CSV row
 * of integers) into out[0..20); returns the length, no NUL. */
HK_HIDDEN size_t hk_format_int64(char *out, int64_t x);

/* Whether bit i of an Arrow bitmap (LSB numbering) is set. */
static inline int
hk_bit_get(const uint8_t *bits, int64_t i)
{
  return (bits[i >> 3] >> (i & 7)) & 1;
}

#endif /* HK_SDK_INTERNAL_H */
