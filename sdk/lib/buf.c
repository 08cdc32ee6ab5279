/*
 * sdk/lib/buf.c -- hk_buf: a growable byte buffer, and JSON / CSV
 * escaping for the renderers.
 */
#include "sdk_internal.h"

#include <huntkit/buf.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
hk_buf_free(hk_buf *b)
{
  if (!b)
    return;
  free(b->data);
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
}

void
hk_buf_reset(hk_buf *b)
{
  b->len = 0;
  if (b->data)
    b->data[0] = '\0';
}

/* Room for `extra` more bytes plus the terminating NUL.  Capacity doubles
 * so that a long run of small appends costs amortised O(1) each. */
int
hk_buf_reserve(hk_buf *b, size_t extra)
{
  size_t need, cap;
  char *p;

  if (extra > SIZE_MAX - 1 - b->len)
    return HK_E_NOMEM;
  need = b->len + extra + 1;
  if (need <= b->cap)
    return HK_OK;
  cap = b->cap ? b->cap : 64;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  p = realloc(b->data, cap);
  if (!p)
    return HK_E_NOMEM;
  b->data = p;
  b->cap = cap;
  return HK_OK;
}

int
hk_buf_append(hk_buf *b, const void *p, size_t len)
{
  /* Appending part of the buffer to itself must survive the realloc. */
  if (b->data && (const char *)p >= b->data &&
      (const char *)p < b->data + b->cap) {
    size_t at = (size_t)((const char *)p - b->data);
    if (hk_buf_reserve(b, len) != HK_OK)
      return HK_E_NOMEM;
    memmove(b->data + b->len, b->data + at, len);
    b->len += len;
    b->data[b->len] = '\0';
    return HK_OK;
  }
  if (b->cap - b->len <= len && hk_buf_reserve(b, len) != HK_OK)
    return HK_E_NOMEM;
  if (len >= 8 && len <= 16) {
    /* a short field: two overlapping words rather than a memcpy call */
    uint64_t x, y;
    memcpy(&x, p, 8);
    memcpy(&y, (const char *)p + len - 8, 8);
    memcpy(b->data + b->len, &x, 8);
    memcpy(b->data + b->len + len - 8, &y, 8);
  } else if (len) {
    memcpy(b->data + b->len, p, len);
  }
  b->len += len;
  b->data[b->len] = '\0';
  return HK_OK;
}

int
hk_buf_append_str(hk_buf *b, const char *s)
{
  return hk_buf_append(b, s, strlen(s));
}

int
hk_buf_append_char(hk_buf *b, char c)
{
  if (b->len + 1 >= b->cap && hk_buf_reserve(b, 1) != HK_OK)
    return HK_E_NOMEM;
  b->data[b->len++] = c;
  b->data[b->len] = '\0';
  return HK_OK;
}

size_t
hk_format_int64(char *out, int64_t x)
{
  /* two digits a step: a row number or a count is mostly four to seven */
  static const char pairs[201] = "00010203040506070809"
                                 "10111213141516171819"
                                 "20212223242526272829"
                                 "30313233343536373839"
                                 "40414243444546474849"
                                 "50515253545556575859"
                                 "60616263646566676869"
                                 "70717273747576777879"
                                 "80818283848586878889"
                                 "90919293949596979899";
  char digits[20];
  size_t n = sizeof digits, len = 0;
  uint64_t u = x < 0 ? (uint64_t)0 - (uint64_t)x : (uint64_t)x;
  while (u >= 100) {
    unsigned r = (unsigned)(u % 100);
    u /= 100;
    digits[--n] = pairs[2 * r + 1];
    digits[--n] = pairs[2 * r];
  }
  if (u >= 10) {
    digits[--n] = pairs[2 * u + 1];
    digits[--n] = pairs[2 * u];
  } else {
    digits[--n] = (char)('0' + u);
  }
  if (x < 0)
    out[len++] = '-';
  memcpy(out + len, digits + n, sizeof digits - n);
  return len + sizeof digits - n;
}

int
hk_buf_append_int64(hk_buf *b, int64_t v)
{
  /* 20 characters and the NUL */
  if (b->cap - b->len < 22 && hk_buf_reserve(b, 21) != HK_OK)
    return HK_E_NOMEM;
  b->len += hk_format_int64(b->data + b->len, v);
  b->data[b->len] = '\0';
  return HK_OK;
}

int
hk_buf_appendf(hk_buf *b, const char *fmt, ...)
{
  va_list ap;
  int n;
  size_t room;

  if (hk_buf_reserve(b, 64) != HK_OK)
    return HK_E_NOMEM;
  room = b->cap - b->len;
  va_start(ap, fmt);
  n = vsnprintf(b->data + b->len, room, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->data[b->len] = '\0';
    return HK_E_INVAL; /* an encoding error in a %ls argument */
  }
  if ((size_t)n >= room) {
    if (hk_buf_reserve(b, (size_t)n) != HK_OK) {
      b->data[b->len] = '\0';
      return HK_E_NOMEM;
    }
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
  }
  b->len += (size_t)n;
  return HK_OK;
}

/*
 * JSON string escaping (RFC 8259 section 7).  The quote and backslash are
 * escaped; so are all control characters below U+0020, using the short
 * forms \b \f \n \r \t where RFC 8259 defines one and \u00XX otherwise.
 * DEL and non-ASCII text pass through as UTF-8 (JSON text is UTF-8), with
 * ill-formed bytes replaced by U+FFFD so the output always parses.
 */
int
hk_buf_append_json_string(hk_buf *b, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0;

  /* Plain text is copied in runs; the worst case (all \u00XX) is 6x. */
  if (hk_buf_reserve(b, len + 2) != HK_OK)
    return HK_E_NOMEM;
  b->data[b->len++] = '"';
  while (i < len) {
    size_t run = i;
    while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' &&
           p[run] != '\\')
      run++;
    if (run > i) {
      if (hk_buf_append(b, p + i, run - i) != HK_OK)
        return HK_E_NOMEM;
      i = run;
      continue;
    }
    if (p[i] >= 0x80) {
      int valid;
      size_t k = hk_utf8_step(p + i, len - i, &valid);
      int rc = valid ? hk_buf_append(b, p + i, k)
                     : hk_buf_append(b, HK_UTF8_REPLACEMENT,
                                     HK_UTF8_REPLACEMENT_LEN);
      if (rc != HK_OK)
        return rc;
      i += k;
      continue;
    }
    {
      char esc[7];
      size_t n = 2;
      esc[0] = '\\';
      switch (p[i]) {
      case '"':
        esc[1] = '"';
        break;
      case '\\':
        esc[1] = '\\';
        break;
      case '\b':
        esc[1] = 'b';
        break;
      case '\f':
        esc[1] = 'f';
        break;
      case '\n':
        esc[1] = 'n';
        break;
      case '\r':
        esc[1] = 'r';
        break;
      case '\t':
        esc[1] = 't';
        break;
      default:
        esc[1] = 'u';
        esc[2] = '0';
        esc[3] = '0';
        esc[4] = hex[p[i] >> 4];
        esc[5] = hex[p[i] & 15];
        n = 6;
      }
      if (hk_buf_append(b, esc, n) != HK_OK)
        return HK_E_NOMEM;
      i++;
    }
  }
  return hk_buf_append_char(b, '"');
}

/*
 * One RFC 4180 field.  Quoting also covers leading or trailing blanks
 * (space, tab), which many CSV readers would otherwise trim.  An empty
 * value is written as nothing at all.
 */
int
hk_csv_has_special(const char *s, size_t len, char sep)
{
  const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
  const uint64_t q = ones * '"', d = ones * (unsigned char)sep,
                 cr = ones * '\r', lf = ones * '\n';
  uint64_t hit = 0;

  /* A zero byte in the XOR with one of them, eight bytes a step and the
   * tail as one overlapping word, without a branch per byte (the fields
   * of a log's rows are short, and a byte loop's exit was missed once a
   * field). */
#define HK_ZERO_BYTE(x) (((x)-ones) & ~(x)&highs)
#define HK_SPECIAL(w)                                                          \
  (HK_ZERO_BYTE((w) ^ q) | HK_ZERO_BYTE((w) ^ d) | HK_ZERO_BYTE((w) ^ cr) |    \
   HK_ZERO_BYTE((w) ^ lf))
#if defined(__SSE2__)
  if (len >= 16) {
    /* a column's whole text: sixteen bytes a step */
    const __m128i vq = _mm_set1_epi8('"'), vd = _mm_set1_epi8(sep),
                  vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
    __m128i acc = _mm_setzero_si128(), v;
#define HK_SPECIAL16(v)                                                        \
  _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vq), _mm_cmpeq_epi8(v, vd)),     \
               _mm_or_si128(_mm_cmpeq_epi8(v, vcr), _mm_cmpeq_epi8(v, vlf)))
    for (size_t i = 0; i + 16 <= len; i += 16) {
      v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
      acc = _mm_or_si128(acc, HK_SPECIAL16(v));
      if ((i & 1023) == 1008 && _mm_movemask_epi8(acc))
        return 1;
    }
    v = _mm_loadu_si128((const __m128i *)(const void *)(s + len - 16));
    acc = _mm_or_si128(acc, HK_SPECIAL16(v));
#undef HK_SPECIAL16
    return _mm_movemask_epi8(acc) != 0;
  }
#endif
  if (len >= 8) {
    uint64_t w;
    for (size_t i = 0; i + 8 <= len && !hit; i += 8) {
      memcpy(&w, s + i, 8);
      hit |= HK_SPECIAL(w);
    }
    memcpy(&w, s + len - 8, 8);
    hit |= HK_SPECIAL(w);
  } else {
    for (size_t i = 0; i < len; i++) {
      unsigned char c = (unsigned char)s[i];
      hit |= (uint64_t)((c == '"') | (c == (unsigned char)sep) | (c == '\r') |
                        (c == '\n'));
    }
  }
#undef HK_SPECIAL
#undef HK_ZERO_BYTE
  return hit != 0;
}

int
hk_buf_append_csv_field(hk_buf *b, const char *s, size_t len, char sep)
{
  size_t i, quotes = 0;

  if (!hk_csv_has_special(s, len, sep) &&
      (len == 0 || (s[0] != ' ' && s[0] != '\t' && s[len - 1] != ' ' &&
                    s[len - 1] != '\t')))
    return hk_buf_append(b, s, len);
  for (i = 0; i < len; i++)
    quotes += s[i] == '"';
  if (len > SIZE_MAX - 2 - quotes ||
      hk_buf_reserve(b, len + quotes + 2) != HK_OK)
    return HK_E_NOMEM;
  b->data[b->len++] = '"';
  for (i = 0; i < len; i++) {
    if (s[i] == '"')
      b->data[b->len++] = '"';
    b->data[b->len++] = s[i];
  }
  b->data[b->len++] = '"';
  b->data[b->len] = '\0';
  return HK_OK;
}

char *
hk_buf_detach(hk_buf *b, size_t *len)
{
  char *p;

  if (!b->data && hk_buf_reserve(b, 0) != HK_OK)
    return NULL;
  b->data[b->len] = '\0';
  p = b->data;
  if (len)
    *len = b->len;
  b->data = NULL;
  b->len = 0;
  b->cap = 0;
  return p;
}
