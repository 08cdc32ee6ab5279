/*
 * huntkit/buf.h -- a growable byte buffer and the escaping every text
 * output needs (JSON strings, CSV fields, URL components, base64).  Part
 * of libhuntkit-sdk.
 *
 * Concurrency: one thread per buffer.  Ownership: the buffer owns `data`;
 * hk_buf_free releases it.  Appends return HK_OK or HK_E_NOMEM.
 */
#ifndef HUNTKIT_BUF_H
#define HUNTKIT_BUF_H

#include <huntkit/abi.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hk_buf {
  char *data; /* NUL-terminated when len > 0 or after any append */
  size_t len;
  size_t cap;
} hk_buf;

#define HK_BUF_INIT                                                            \
  {                                                                            \
    NULL, 0, 0                                                                 \
  }

void hk_buf_free(hk_buf *b);
void hk_buf_reset(hk_buf *b); /* len = 0, keeps the memory */
int hk_buf_reserve(hk_buf *b, size_t extra);
int hk_buf_append(hk_buf *b, const void *p, size_t len);
int hk_buf_append_str(hk_buf *b, const char *s);
int hk_buf_append_char(hk_buf *b, char c);
int hk_buf_appendf(hk_buf *b, const char *fmt, ...) HK_PRINTF(2, 3);
/* `v` in decimal, as "%lld" writes it (no locale). */
int hk_buf_append_int64(hk_buf *b, int64_t v);
/* `s` as a JSON string literal, quotes included (RFC 8259 escaping:
 * \b \f \n \r \t in their short forms, other control characters as
 * \u00XX; invalid UTF-8 as U+FFFD). */
int hk_buf_append_json_string(hk_buf *b, const char *s, size_t len);
/* `s` as one RFC 4180 field: quoted when it holds the separator, a quote,
 * CR or LF, or leading/trailing space; quotes doubled. */
int hk_buf_append_csv_field(hk_buf *b, const char *s, size_t len, char sep);
/* Whether s[0..len) holds a character that makes a CSV field quoted: '"',
 * `sep`, CR or LF (leading and trailing blanks are not looked at).  A
 * renderer may ask it once of a whole column's text and then quote only
 * the fields with such blanks. */
int hk_csv_has_special(const char *s, size_t len, char sep);
/* Take ownership of the data (transfer: free() it); the buffer is reset. */
char *hk_buf_detach(hk_buf *b, size_t *len);

/*
 * hk_buf_append_url_encoded -- append `len` bytes at `s` percent-encoded
 * for a URL path segment or query value (RFC 3986 section 2): the
 * unreserved characters A-Z a-z 0-9 - . _ ~ are copied, every other byte
 * (reserved characters, space, controls, each byte of a UTF-8 sequence)
 * becomes %XX with upper-case hex digits, the same in every locale.
 * `s` is borrowed, may hold NUL bytes (written %00), may be NULL when
 * `len` is 0 and must not point into `b`.  HK_OK, or HK_E_NOMEM with the
 * text of `b` unchanged.  One thread per buffer.
 */
int hk_buf_append_url_encoded(hk_buf *b, const char *s, size_t len);

/* hk_base64_encode flags. */
#define HK_BASE64_URL (1u << 0)   /* "-_" for "+/" (RFC 4648 section 5) */
#define HK_BASE64_NOPAD (1u << 1) /* no trailing '=' */

/*
 * hk_base64_encode -- append `len` bytes at `data` to `out` in base64
 * (RFC 4648), without line breaks: the standard alphabet with '=' padding
 * for flags 0 (e.g. HTTP Basic authorization), the URL-safe alphabet with
 * HK_BASE64_URL, no padding with HK_BASE64_NOPAD (both: VirusTotal's URL
 * identifiers).  Appends 4 * ceil(len / 3) characters, fewer without
 * padding, nothing for len 0.  `data` is borrowed, may be NULL when `len`
 * is 0 and must not point into `out`.  HK_OK, HK_E_INVAL for unknown flag
 * bits (nothing appended), or HK_E_NOMEM with the text of `out`
 * unchanged.  One thread per buffer.
 */
int hk_base64_encode(hk_buf *out, const void *data, size_t len, unsigned flags);

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_BUF_H */
