/*
 * sdk/lib/codec.c -- percent-encoding (RFC 3986) and base64 (RFC 4648)
 * into an hk_buf, for the request URLs and headers of HTTP plugins.
 */
#include "sdk_internal.h"

#include <huntkit/buf.h>
#include <string.h>

/* By table rather than isalnum(): the set must not follow the locale. */
static int
url_unreserved(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

int
hk_buf_append_url_encoded(hk_buf *b, const char *s, size_t len)
{
  static const char hex[] = "0123456789ABCDEF";
  const unsigned char *p = (const unsigned char *)s;
  size_t need = 0;

  if (len > (SIZE_MAX - 1) / 3)
    return HK_E_NOMEM;
  for (size_t i = 0; i < len; i++)
    need += url_unreserved(p[i]) ? 1 : 3;
  /* Reserve once so that a failure leaves the text unchanged. */
  if (hk_buf_reserve(b, need) != HK_OK)
    return HK_E_NOMEM;
  for (size_t i = 0; i < len; i++) {
    if (url_unreserved(p[i])) {
      b->data[b->len++] = (char)p[i];
    } else {
      b->data[b->len++] = '%';
      b->data[b->len++] = hex[p[i] >> 4];
      b->data[b->len++] = hex[p[i] & 15];
    }
  }
  b->data[b->len] = '\0';
  return HK_OK;
}

int
hk_base64_encode(hk_buf *out, const void *data, size_t len, unsigned flags)
{
  static const char standard[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  static const char url_safe[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  const char *abc = (flags & HK_BASE64_URL) ? url_safe : standard;
  const unsigned char *p = data;
  int pad = !(flags & HK_BASE64_NOPAD);
  size_t groups, need;
  char *q;

  if (flags & ~(HK_BASE64_URL | HK_BASE64_NOPAD))
    return HK_E_INVAL;
  groups = len / 3 + (len % 3 != 0);
  if (groups > (SIZE_MAX - 1) / 4)
    return HK_E_NOMEM;
  need = groups * 4;
  if (!pad && len % 3)
    need -= 3 - len % 3;
  if (hk_buf_reserve(out, need) != HK_OK)
    return HK_E_NOMEM;
  q = out->data + out->len;
  for (size_t i = 0; i < len; i += 3) {
    size_t k = len - i >= 3 ? 3 : len - i;
    uint32_t v = (uint32_t)p[i] << 16;
    if (k > 1)
      v |= (uint32_t)p[i + 1] << 8;
    if (k > 2)
      v |= p[i + 2];
    *q++ = abc[(v >> 18) & 63];
    *q++ = abc[(v >> 12) & 63];
    if (k > 1)
      *q++ = abc[(v >> 6) & 63];
    else if (pad)
      *q++ = '=';
    if (k > 2)
      *q++ = abc[v & 63];
    else if (pad)
      *q++ = '=';
  }
  out->len += need;
  out->data[out->len] = '\0';
  return HK_OK;
}
