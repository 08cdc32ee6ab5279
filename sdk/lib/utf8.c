/*
 * sdk/lib/utf8.c -- UTF-8 validation and repair shared by the table builder
 * and the JSON escaper.
 *
 * Text crosses plugin boundaries and ends up in terminals, JSON and CSV,
 * so every string the SDK stores is well-formed: ill-formed subparts are
 * replaced by U+FFFD, one replacement per maximal subpart, which is what
 * Unicode recommends and what browsers and Python's "replace" handler do.
 */
#include "sdk_internal.h"

#include <string.h>

size_t
hk_utf8_step(const unsigned char *p, size_t n, int *valid)
{
  unsigned char b0 = p[0], lo = 0x80, hi = 0xBF;
  size_t need, i;

  if (b0 < 0x80) {
    *valid = 1;
    return 1;
  }
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0)
      lo = 0xA0; /* no overlong 3-byte forms */
    else if (b0 == 0xED)
      hi = 0x9F; /* no UTF-16 surrogates */
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0)
      lo = 0x90; /* no overlong 4-byte forms */
    else if (b0 == 0xF4)
      hi = 0x8F; /* nothing above U+10FFFF */
  } else {
    *valid = 0; /* stray continuation byte, C0, C1 or F5..FF */
    return 1;
  }
  for (i = 1; i < need; i++) {
    if (i >= n || p[i] < lo || p[i] > hi) {
      *valid = 0;
      return i;
    }
    lo = 0x80;
    hi = 0xBF;
  }
  *valid = 1;
  return need;
}

size_t
hk_utf8_valid_prefix(const unsigned char *p, size_t n)
{
  size_t i = 0;

  while (i < n) {
    /* ASCII fast path: eight bytes per step while no high bit is set. */
    while (i + 8 <= n) {
      uint64_t w;
      memcpy(&w, p + i, 8);
      if (w & UINT64_C(0x8080808080808080))
        break;
      i += 8;
    }
    while (i < n && p[i] < 0x80)
      i++;
    if (i >= n)
      break;
    {
      int valid;
      size_t k = hk_utf8_step(p + i, n - i, &valid);
      if (!valid)
        return i;
      i += k;
    }
  }
  return n;
}

size_t
hk_utf8_sanitized_len(const unsigned char *p, size_t n)
{
  size_t i = 0, out = 0;

  while (i < n) {
    size_t ok = hk_utf8_valid_prefix(p + i, n - i);
    int valid;
    size_t k;
    out += ok;
    i += ok;
    if (i >= n)
      break;
    k = hk_utf8_step(p + i, n - i, &valid);
    out += HK_UTF8_REPLACEMENT_LEN;
    i += k;
  }
  return out;
}

size_t
hk_utf8_sanitize(char *dst, const unsigned char *p, size_t n)
{
  size_t i = 0, out = 0;

  while (i < n) {
    size_t ok = hk_utf8_valid_prefix(p + i, n - i);
    int valid;
    size_t k;
    memcpy(dst + out, p + i, ok);
    out += ok;
    i += ok;
    if (i >= n)
      break;
    k = hk_utf8_step(p + i, n - i, &valid);
    memcpy(dst + out, HK_UTF8_REPLACEMENT, HK_UTF8_REPLACEMENT_LEN);
    out += HK_UTF8_REPLACEMENT_LEN;
    i += k;
  }
  return out;
}
