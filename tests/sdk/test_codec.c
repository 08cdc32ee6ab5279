/*
 * tests/sdk/test_codec.c -- hk_buf_append_url_encoded and hk_base64_encode.
 * Expected texts come from Python: urllib.parse.quote(b, safe="") (which
 * keeps exactly RFC 3986's unreserved set) and base64.b64encode /
 * urlsafe_b64encode with the '=' stripped for HK_BASE64_NOPAD; the first
 * base64 cases are RFC 4648's section 10 test vectors.
 */
#include <huntkit/buf.h>

#include "../tap.h"

static const char *
url(hk_buf *b, const char *s, size_t len)
{
  hk_buf_reset(b);
  if (hk_buf_append_url_encoded(b, s, len) != HK_OK)
    return "(append failed)";
  return b->data;
}

static const char *
b64(hk_buf *b, const char *s, size_t len, unsigned flags)
{
  hk_buf_reset(b);
  if (hk_base64_encode(b, s, len, flags) != HK_OK)
    return "(encode failed)";
  return b->data;
}

static void
test_url_encoded(void)
{
  hk_buf b = HK_BUF_INIT;

  is_str(url(&b, "", 0), "", "empty input: empty text");
  is_str(url(&b, NULL, 0), "", "NULL with length 0");
  ok(b.data && b.data[0] == '\0', "NUL-terminated after an empty append");
  is_str(url(&b, "AZaz09-._~", 10), "AZaz09-._~",
         "unreserved characters are kept");
  is_str(url(&b, "a b/c?d=e&f", 11), "a%20b%2Fc%3Fd%3De%26f",
         "space and delimiters are encoded");
  is_str(url(&b, "+!*'();:@&=$,/?#[]", 18),
         "%2B%21%2A%27%28%29%3B%3A%40%26%3D%24%2C%2F%3F%23%5B%5D",
         "every reserved character (RFC 3986 gen-delims, sub-delims)");
  is_str(url(&b, "http://www.example.com/a b?x=1&y=%2F#f", 38),
         "http%3A%2F%2Fwww.example.com%2Fa%20b%3Fx%3D1%26y%3D%252F%23f",
         "a whole URL as one path segment; '%%' itself is encoded");
  is_str(url(&b, "\xc3\xa9\xe2\x82\xac", 5), "%C3%A9%E2%82%AC",
         "UTF-8 bytes one by one, upper-case hex");
  is_str(url(&b, "\x00\x7f\xff", 3), "%00%7F%FF", "NUL, DEL and 0xFF");
  is_str(url(&b, "abc", 2), "ab", "only `len` bytes are read");

  hk_buf_reset(&b);
  hk_buf_append_str(&b, "q=");
  is_int(hk_buf_append_url_encoded(&b, "1 2", 3), HK_OK, "append after text");
  is_str(b.data, "q=1%202", "appends, keeps what was there");
  is_int(b.len, 7, "length counts the escapes");
  hk_buf_free(&b);
}

static void
test_base64(void)
{
  static const struct {
    const char *in;
    size_t len;
    const char *std, *url_nopad;
  } cases[] = {
      {"", 0, "", ""},
      {"f", 1, "Zg==", "Zg"},
      {"fo", 2, "Zm8=", "Zm8"},
      {"foo", 3, "Zm9v", "Zm9v"},
      {"foob", 4, "Zm9vYg==", "Zm9vYg"},
      {"fooba", 5, "Zm9vYmE=", "Zm9vYmE"},
      {"foobar", 6, "Zm9vYmFy", "Zm9vYmFy"},
      {"\xfb\xff", 2, "+/8=", "-_8"},
      {"\xfb\xff\xbf", 3, "+/+/", "-_-_"},
      {"\0", 1, "AA==", "AA"},
      {"hk-key:p@ss:w0rd", 16,
       "aGsta2V5OnBAc3M6dzByZA==", "aGsta2V5OnBAc3M6dzByZA"},
      {"http://www.example.com/path?q=1&r=2#frag", 40,
       "aHR0cDovL3d3dy5leGFtcGxlLmNvbS9wYXRoP3E9MSZyPTIjZnJhZw==",
       "aHR0cDovL3d3dy5leGFtcGxlLmNvbS9wYXRoP3E9MSZyPTIjZnJhZw"},
  };
  hk_buf b = HK_BUF_INIT;

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    is_str(b64(&b, cases[i].in, cases[i].len, 0), cases[i].std,
           "standard, padded: case %zu", i);
    is_int(b.len, strlen(cases[i].std), "length: case %zu", i);
    is_str(b64(&b, cases[i].in, cases[i].len, HK_BASE64_URL | HK_BASE64_NOPAD),
           cases[i].url_nopad, "URL-safe, unpadded: case %zu", i);
  }
  is_str(b64(&b, "\xfb\xff", 2, HK_BASE64_URL), "-_8=", "URL-safe, padded");
  is_str(b64(&b, "\xfb\xff", 2, HK_BASE64_NOPAD), "+/8", "standard, unpadded");
  is_str(b64(&b, NULL, 0, 0), "", "NULL with length 0");

  hk_buf_reset(&b);
  hk_buf_append_str(&b, "Authorization: Basic ");
  is_int(hk_base64_encode(&b, "user:pass", 9, 0), HK_OK, "append after text");
  is_str(b.data, "Authorization: Basic dXNlcjpwYXNz",
         "appends, keeps what was there");

  hk_buf_reset(&b);
  hk_buf_append_str(&b, "x");
  is_int(hk_base64_encode(&b, "foo", 3, 1u << 7), HK_E_INVAL,
         "unknown flag bits: HK_E_INVAL");
  is_str(b.data, "x", "nothing appended on HK_E_INVAL");
  hk_buf_free(&b);
}

int
main(void)
{
  plan_lazy();
  test_url_encoded();
  test_base64();
  return done_testing();
}
