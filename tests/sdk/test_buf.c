/*
 * tests/sdk/test_buf.c -- hk_buf growth, printf, JSON string and CSV field
 * escaping.  Expected outputs were written by hand from RFC 8259 and
 * RFC 4180; the U+FFFD replacements match Python's
 * bytes.decode("utf-8", "replace").
 */
#include <huntkit/buf.h>

#include "../tap.h"

static const char *
json(hk_buf *b, const char *s, size_t len)
{
  hk_buf_reset(b);
  if (hk_buf_append_json_string(b, s, len) != HK_OK)
    return "(append failed)";
  return b->data;
}

static const char *
csv(hk_buf *b, const char *s, char sep)
{
  hk_buf_reset(b);
  if (hk_buf_append_csv_field(b, s, strlen(s), sep) != HK_OK)
    return "(append failed)";
  return b->data;
}

static void
test_growth(void)
{
  hk_buf b = HK_BUF_INIT;
  char *p;
  size_t len = 99;
  int i, all_ok = 1;

  p = hk_buf_detach(&b, &len);
  ok(p != NULL && p[0] == '\0' && len == 0, "detach of an empty buffer: \"\"");
  free(p);

  is_int(hk_buf_append(&b, "", 0), HK_OK, "append of nothing");
  ok(b.data != NULL && b.data[0] == '\0' && b.len == 0,
     "buffer is NUL-terminated after any append");
  for (i = 0; i < 10000; i++)
    all_ok &= hk_buf_append_char(&b, (char)('a' + i % 26)) == HK_OK;
  ok(all_ok, "10000 single-character appends");
  is_int(b.len, 10000, "length after the appends");
  ok(b.data[10000] == '\0' && b.data[9999] == 'a' + 9999 % 26,
     "last character and terminator");
  hk_buf_reset(&b);
  is_int(b.len, 0, "reset empties");
  ok(b.cap >= 10001, "reset keeps the memory");
  hk_buf_append_str(&b, "abc");
  hk_buf_append(&b, "defgh", 2);
  is_str(b.data, "abcde", "append_str and append");
  while (b.len < b.cap - 1)
    hk_buf_append_char(&b, '.');
  hk_buf_append(&b, b.data, 5);
  ok(b.len > 10 && memcmp(b.data + b.len - 5, "abcde", 5) == 0 &&
         b.data[b.len] == '\0',
     "appending the buffer to itself across a reallocation");

  hk_buf_reset(&b);
  is_int(hk_buf_appendf(&b, "%d-%s", 42, "x"), HK_OK, "appendf");
  is_int(hk_buf_appendf(&b, "|%0100d|", 7), HK_OK, "appendf past capacity");
  is_int(b.len, 4 + 102, "appendf lengths add up");
  ok(strncmp(b.data, "42-x|0000", 9) == 0 &&
         strcmp(b.data + b.len - 3, "07|") == 0,
     "appendf text");

  p = hk_buf_detach(&b, &len);
  is_int(len, 106, "detach returns the length");
  ok(b.data == NULL && b.len == 0 && b.cap == 0, "detach resets the buffer");
  free(p);
  hk_buf_free(&b);
  hk_buf_free(&b);
  ok(1, "hk_buf_free twice is harmless");
}

static void
test_json(void)
{
  hk_buf b = HK_BUF_INIT;

  is_str(json(&b, "", 0), "\"\"", "json: empty string");
  is_str(json(&b, "plain text", 10), "\"plain text\"", "json: plain");
  is_str(json(&b, "a\"b\\c/d", 7), "\"a\\\"b\\\\c/d\"",
         "json: quote and backslash escaped, slash not");
  is_str(json(&b, "\b\f\n\r\t", 5), "\"\\b\\f\\n\\r\\t\"",
         "json: short escapes");
  is_str(json(&b, "\x01\x1f\x7f", 3), "\"\\u0001\\u001f\x7f\"",
         "json: other controls as \\u00XX, DEL as is");
  is_str(json(&b, "a\0b", 3), "\"a\\u0000b\"", "json: embedded NUL");
  is_str(json(&b, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14),
         "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
         "json: valid UTF-8 passes through");
  is_str(json(&b, "\xff", 1), "\"\xef\xbf\xbd\"", "json: 0xFF -> U+FFFD");
  is_str(json(&b,
              "\xe2\x82"
              "A",
              3),
         "\"\xef\xbf\xbd"
         "A\"",
         "json: truncated sequence -> one U+FFFD");
  is_str(json(&b, "\xed\xa0\x80", 3),
         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
         "json: surrogate -> three U+FFFD");
  is_str(json(&b, "\xc0\xaf", 2), "\"\xef\xbf\xbd\xef\xbf\xbd\"",
         "json: overlong -> two U+FFFD");
  is_str(json(&b, "\xf0\x9f\x98", 3), "\"\xef\xbf\xbd\"",
         "json: cut 4-byte sequence at the end -> one U+FFFD");
  is_str(json(&b, "\xf4\x90\x80\x80", 4),
         "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"",
         "json: above U+10FFFF -> four U+FFFD");
  is_str(json(&b, "\xc3\xa9\"\xc3", 4), "\"\xc3\xa9\\\"\xef\xbf\xbd\"",
         "json: escape between multi-byte text and a broken tail");
  hk_buf_reset(&b);
  hk_buf_append_str(&b, "{\"k\":");
  hk_buf_append_json_string(&b, "v", 1);
  hk_buf_append_char(&b, '}');
  is_str(b.data, "{\"k\":\"v\"}", "json: appends to existing content");
  hk_buf_free(&b);
}

static void
test_csv(void)
{
  hk_buf b = HK_BUF_INIT;

  is_str(csv(&b, "plain", ','), "plain", "csv: plain");
  is_str(csv(&b, "", ','), "", "csv: empty");
  is_str(csv(&b, "a,b", ','), "\"a,b\"", "csv: separator quoted");
  is_str(csv(&b, "a,b", ';'), "a,b", "csv: other separator not quoted");
  is_str(csv(&b, "a;b", ';'), "\"a;b\"", "csv: ';' separator quoted");
  is_str(csv(&b, "a\tb", '\t'), "\"a\tb\"", "csv: tab separator quoted");
  is_str(csv(&b, "say \"hi\"", ','), "\"say \"\"hi\"\"\"",
         "csv: quotes doubled");
  is_str(csv(&b, "\"", ','), "\"\"\"\"", "csv: a lone quote");
  is_str(csv(&b, "line1\nline2", ','), "\"line1\nline2\"", "csv: LF quoted");
  is_str(csv(&b, "cr\r", ','), "\"cr\r\"", "csv: CR quoted");
  is_str(csv(&b, " lead", ','), "\" lead\"", "csv: leading space quoted");
  is_str(csv(&b, "trail ", ','), "\"trail \"", "csv: trailing space quoted");
  is_str(csv(&b, "in side", ','), "in side", "csv: inner space not quoted");
  /* past the first eight bytes (they are checked a word at a time) */
  is_str(csv(&b, "0123456789abcdef,x", ','), "\"0123456789abcdef,x\"",
         "csv: separator in the third word");
  is_str(csv(&b, "01234567\"9", ','), "\"01234567\"\"9\"",
         "csv: quote right after the first word");
  is_str(csv(&b, "0123456\n", ','), "\"0123456\n\"",
         "csv: LF at the end of the first word");
  is_str(csv(&b, "0123456789abcdef\r", ';'), "\"0123456789abcdef\r\"",
         "csv: CR in the tail");
  is_str(csv(&b, "01234567\xc3\xa9,89abcdefg", ';'),
         "01234567\xc3\xa9,89abcdefg", "csv: long field, nothing to quote");
  hk_buf_free(&b);
}

/* hk_csv_has_special finds each special character at every position of
 * short and long strings (the byte loop, the word steps and the
 * overlapping last word), and nothing else. */
static void
test_csv_has_special(void)
{
  static const char special[] = {'"', ';', '\r', '\n'};
  char s[40];
  int good = !hk_csv_has_special("", 0, ';') &&
             !hk_csv_has_special("a,b \t'x", 8, ';') &&
             hk_csv_has_special("a,b", 3, ',');
  for (size_t len = 1; len <= sizeof s; len++) {
    memset(s, 'a', sizeof s);
    good &= !hk_csv_has_special(s, len, ';');
    for (size_t at = 0; at < len; at++)
      for (size_t k = 0; k < sizeof special; k++) {
        s[at] = special[k];
        good &= hk_csv_has_special(s, len, ';');
        /* and not when it lies just past the end */
        good &= at + 1 < len || !hk_csv_has_special(s, at, ';');
        s[at] = 'a';
      }
  }
  ok(good, "hk_csv_has_special finds '\"', the separator, CR and LF anywhere");
}

/* hk_buf_append_int64 writes what "%lld" writes, the extremes included. */
static void
test_append_int64(void)
{
  static const int64_t v[] = {
      0, -1, 7, 10, -10, 123456789, INT64_MAX, INT64_MIN, INT64_MIN + 1};
  hk_buf b = HK_BUF_INIT, want = HK_BUF_INIT;
  int rc = HK_OK;
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    rc |= hk_buf_append_int64(&b, v[i]);
    rc |= hk_buf_append_char(&b, ',');
    hk_buf_appendf(&want, "%lld,", (long long)v[i]);
  }
  ok(rc == HK_OK && b.len == want.len && strcmp(b.data, want.data) == 0,
     "hk_buf_append_int64 writes what %%lld writes: %s", b.data);
  hk_buf_free(&b);
  hk_buf_free(&want);
}

int
main(void)
{
  (void)plan; /* tap.h: plan() unused with a lazy plan */
  plan_lazy();
  test_growth();
  test_json();
  test_csv();
  test_append_int64();
  test_csv_has_special();
  return done_testing();
}
