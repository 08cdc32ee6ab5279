/*
 * plugins/b64unpack/test_b64_core.c -- white-box tests of the decoder.
 * Expected sizes and hashes were computed independently with python3
 * (base64, tarfile, zipfile, gzip, hashlib) from the same inputs.
 */
#include "b64_core.c"
#include "b64_text.c"

#include <tap.h>

static b64_ctx ctx;
static hk_buf full;

static void
limits_default(void)
{
  ctx.lim = (b64_limits){.max_depth = 20,
                         .max_total_bytes = 64 << 20,
                         .max_entries = 10000,
                         .max_ratio = 100,
                         .max_hex_bytes = 65536,
                         .utf16 = 2};
}

static int
unpack(const char *text, size_t len)
{
  hk_buf_free(&full);
  return b64_unpack_text(&ctx, text, len, &full);
}

static char *
slurp(const char *name, size_t *len)
{
  char path[4096];
  const char *src = getenv("HK_SRCDIR");
  FILE *f;
  char *d;
  long n;
  snprintf(path, sizeof path, "%s/tests/data/msticpy/%s", src ? src : ".",
           name);
  f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  n = ftell(f);
  rewind(f);
  d = malloc((size_t)n + 1);
  if (fread(d, 1, (size_t)n, f) != (size_t)n)
    n = 0;
  d[n] = '\0';
  fclose(f);
  *len = (size_t)n;
  return d;
}

/* Write `entries` files into an archive in memory with libarchive. */
static unsigned char *
make_archive(int zip, int n, const unsigned char *data, size_t len,
             size_t *outlen)
{
  size_t cap = len + 65536 * (size_t)(n + 1);
  unsigned char *buf = malloc(cap);
  struct archive *a = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_set_format_raw(a);
    archive_write_add_filter_gzip(a);
  }
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open_memory(a, buf, cap, outlen);
  for (int i = 0; i < n; i++) {
    struct archive_entry *e = archive_entry_new();
    char name[32];
    snprintf(name, sizeof name, "f%d.bin", i);
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, data, len);
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return buf;
}

static char *
to_b64(const unsigned char *d, size_t n)
{
  char *out = malloc(n / 3 * 4 + 8);
  int w = EVP_EncodeBlock((unsigned char *)out, d, (int)n);
  out[w] = '\0';
  return out;
}

/* The run finder against the plain byte loop it replaced: generated texts
 * of words, separators and long runs (some all hex, some with line breaks
 * and '=' padding), every run found from every start. */
static int
ref_next_run(const char *s, size_t len, size_t from, size_t *start, size_t *end)
{
  size_t i = from;
  while (i < len) {
    size_t st, e, pads = 0;
    int nonhex = 0;
    while (i < len &&
           !(b64_val[(unsigned char)s[i]] || s[i] == '\n' || s[i] == '\r'))
      i++;
    if (i >= len)
      break;
    st = i;
    while (i < len &&
           (b64_val[(unsigned char)s[i]] || s[i] == '\n' || s[i] == '\r')) {
      unsigned char c = (unsigned char)s[i];
      if (c != '\n' && c != '\r' &&
          !((c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')))
        nonhex = 1;
      i++;
    }
    e = i;
    if (e - st < B64_MIN_RUN || !nonhex)
      continue;
    while (pads < 2 && e < len && s[e] == '=') {
      e++;
      pads++;
    }
    *start = st;
    *end = e;
    return 1;
  }
  return 0;
}

static void
test_run_finder(void)
{
  static const char *const piece[] = {
      " ",
      "=",
      "==",
      "\n",
      "\r\n",
      ".",
      "-",
      "\xc3\xa9",
      "\x80",
      "_",
      "word",
      "Zm9vYmFy",
      "0123456789abcdef",
      "ABCDEF",
      "+/",
      "x",
      "%",
      "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo=",
      "deadbeefdeadbeefdeadbeefdeadbeefdeadbeef",
      "SGVsbG8sIFdvcmxkIQ\nSGVsbG8sIFdvcmxkIQ",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"};
  unsigned long long x = 0x853c49e6748fea9bull;
  char text[2048];
  int bad = 0, found = 0;
  for (int round = 0; round < 3000 && !bad; round++) {
    size_t len = 0;
    int pieces;
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    pieces = 1 + (int)((x >> 33) % 60);
    for (int k = 0; k < pieces; k++) {
      const char *q;
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      q = piece[(x >> 33) % (sizeof piece / sizeof piece[0])];
      for (; *q && len + 1 < sizeof text; q++)
        text[len++] = *q;
    }
    for (size_t from = 0; from <= len && !bad; from++) {
      size_t a = 0, b = 0, c = 0, d = 0;
      int ra = ref_next_run(text, len, from, &a, &b),
          rb = b64_next_run(text, len, from, &c, &d);
      if (ra != rb || (ra && (a != c || b != d))) {
        bad++;
        diag("from %zu of %zu: byte loop %d [%zu,%zu), bitmaps %d [%zu,%zu)",
             from, len, ra, a, b, rb, c, d);
      }
      found += ra;
    }
  }
  ok(bad == 0 && found > 1000,
     "the run finder finds what the byte loop found (%d runs)", found);
}

int
main(void)
{
  size_t len;
  char *text;
  plan_lazy();
  (void)plan;
  limits_default();
  test_run_finder();

  text = slurp("base64msg.txt", &len);
  ok(text != NULL, "read base64msg.txt");
  if (text) {
    static const struct {
      const char *ref, *name, *type, *enc, *md5;
      int depth;
      size_t len;
    } want[] = {
        {"1.1", "dllenc.txt", "tar", "utf-8",
         "9fd687fb66a85f89cc413728a179fb0d", 2, 246},
        {"1.2", "txtenc.txt", "tar", "utf-8",
         "87adcc213a88d165d4da4ad89827c438", 2, 94},
        {"1.3", "txtenc.txt.gz", "tar", "binary",
         "709ca834c405231a89d0c7c9d732fc98", 2, 109},
        {"1.3.1", "gzip_file", "gz", "utf-8",
         "87adcc213a88d165d4da4ad89827c438", 3, 94},
        {"2.1", "dllenc.txt", "zip", "utf-8",
         "9fd687fb66a85f89cc413728a179fb0d", 2, 246},
        {"2.2", "txtenc.txt", "zip", "utf-8",
         "87adcc213a88d165d4da4ad89827c438", 2, 94},
        {"2.3", "txtenc.txt.gz", "zip", "binary",
         "709ca834c405231a89d0c7c9d732fc98", 2, 109},
        {"2.3.1", "gzip_file", "gz", "utf-8",
         "87adcc213a88d165d4da4ad89827c438", 3, 94},
        {"2.1", "unknown", NULL, "binary", "69fbfeacd07be73e29b7786f663aba07",
         2, 138},
        {"2.2", "unknown", NULL, "utf-16", "3414109cd3c337be290997995549fa96",
         2, 26},
    };
    is_int(unpack(text, len), HK_OK, "base64msg.txt decodes");
    is_int(ctx.nitems, 10,
           "10 items (tar 3 + zip 3 + 2 gz members + 2 "
           "second-pass fragments)");
    for (size_t i = 0; i < ctx.nitems && i < 10; i++) {
      b64_item *it = &ctx.items[i];
      ok(strcmp(it->reference, want[i].ref) == 0 &&
             strcmp(it->file_name, want[i].name) == 0 &&
             (it->file_type && want[i].type
                  ? strcmp(it->file_type, want[i].type) == 0
                  : it->file_type == want[i].type) &&
             strcmp(it->encoding, want[i].enc) == 0 &&
             strcmp(it->md5, want[i].md5) == 0 && it->depth == want[i].depth &&
             it->len == want[i].len,
         "item %zu: %s %s %s %s %zu bytes", i, it->reference, it->file_name,
         it->encoding, it->md5, it->len);
    }
    is_str(ctx.items[1].sha256,
           "97bad8f85a9c23716381109e7ee82a9d338026849946e9349e4069e5b109be15",
           "sha256 of txtenc.txt");
    ok(ctx.nitems == 10 &&
           strcmp(ctx.items[9].decoded, "text\r\nfile\r\n") == 0,
       "UTF-16 with BOM decoded to UTF-8");
    like(full.data,
         "There should be a tar file here:<decoded value='multiple binary' "
         "type='multiple' index='1' depth='1'><decoded type='string' "
         "name='[tar] Filename: dllenc.txt' index='1.1' depth='2'>",
         "full decoded string starts as MSTICPy's");
    like(full.data, "</decoded>And this is the end.", "and keeps the tail");
    ok(!ctx.stopped, "no limit reached");
    is_int(unpack(text, len), HK_OK, "second run");
    is_int(ctx.nitems, 10, "same result on a repeated call");
    free(text);
  }

  text = slurp("b64text_inzip.txt", &len);
  ok(text != NULL, "read b64text_inzip.txt");
  if (text) {
    is_int(unpack(text, len), HK_OK, "b64text_inzip.txt decodes");
    is_int(ctx.nitems, 2, "zip member and the base64 text inside it");
    is_str(full.data,
           /* the run begins at the newline, as MSTICPy's regex does */
           "-----BEGIN CERTIFICATE-----<decoded type='string' name='[zip] "
           "Filename: txtenc.txt' index='1' depth='1'>-----BEGIN "
           "CERTIFICATE-----<decoded type='string' name='[None]' "
           "index='1.1' depth='2'>text\r\nfile\r\n</decoded>\r\n-----END "
           "CERTIFICATE-----\r\n</decoded>\n-----END CERTIFICATE-----\n",
           "full decoded string");
    free(text);
  }

  {
    const char *ps = "powershell.exe -nop -enc "
                     "VwByAGkAdABlAC0ASABvAHMAdAAgACcAaABlAGwAbABvACcA";
    unpack(ps, strlen(ps));
    ok(ctx.nitems == 1 && strcmp(ctx.items[0].encoding, "utf-16") == 0 &&
           strcmp(ctx.items[0].decoded, "Write-Host 'hello'") == 0 &&
           strcmp(ctx.items[0].md5, "91ebfd1a92a1c909e727d4d1bcde550d") == 0,
       "PowerShell -enc: UTF-16LE decoded (auto)");
    is_str(full.data,
           "powershell.exe -nop -enc <decoded type='string' name='[None]' "
           "index='1' depth='1'>Write-Host 'hello'</decoded>",
           "PowerShell full decoded string");
    ctx.lim.utf16 = 0;
    unpack(ps, strlen(ps));
    ok(ctx.nitems == 1 && strcmp(ctx.items[0].encoding, "utf-8") == 0 &&
           ctx.items[0].decoded_len == 36,
       "utf16=no: UTF-8 with NULs, as MSTICPy's default");
    limits_default();
  }

  {
    const char *h =
        "md5 d41d8cd98f00b204e9800998ecf8427e sha256 "
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b"
        "7852b855 and a bad run QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo";
    unpack(h, strlen(h));
    is_int(ctx.nitems, 0, "hex hashes and a badly padded run are not decoded");
    is_str(full.data, h, "text unchanged");
  }

  {
    /* a zip bomb: 64 MiB of zeros packed into a ~64 KiB gzip */
    size_t n = 64u << 20, zl = 0;
    unsigned char *zeros = calloc(1, n);
    unsigned char *gz = make_archive(0, 1, zeros, n, &zl);
    char *b = to_b64(gz, zl);
    hk_buf t = HK_BUF_INIT;
    hk_buf_appendf(&t, "payload %s end", b);
    unpack(t.data, t.len);
    ok(ctx.stopped && ctx.stop_code == HK_E_LIMIT, "gzip bomb stopped");
    like(ctx.stop_msg, "expands more than 100 times (max_ratio)",
         "the message names the limit");
    ok(ctx.nitems == 1 && ctx.items[0].len < (8u << 20),
       "what was unpacked before the stop is kept (%zu bytes)",
       ctx.nitems ? ctx.items[0].len : 0);
    ctx.lim.max_ratio = 1000000;
    ctx.lim.max_total_bytes = 8 << 20;
    unpack(t.data, t.len);
    like(ctx.stop_msg, "(max_total_bytes)", "max_total_bytes stops it too");
    limits_default();
    hk_buf_free(&t);
    free(b);
    free(gz);
    free(zeros);
  }

  {
    /* 25 nested zips around a text (nested gzip layers would not do:
     * libarchive peels a chain of filters in one go) */
    size_t l = 18;
    unsigned char *cur = (unsigned char *)strdup("hello from level 0");
    for (int i = 0; i < 25; i++) {
      size_t nl = 0;
      unsigned char *next = make_archive(1, 1, cur, l, &nl);
      free(cur);
      cur = next;
      l = nl;
    }
    char *b = to_b64(cur, l);
    unpack(b, strlen(b));
    ok(ctx.stopped, "deep nest stopped");
    like(ctx.stop_msg, "stopped at depth 20 (max_depth)", "names max_depth");
    is_int(ctx.nitems, 20, "20 levels kept");
    ctx.lim.max_depth = 30;
    unpack(b, strlen(b));
    ok(!ctx.stopped && ctx.nitems == 25 && ctx.items[24].decoded &&
           strcmp(ctx.items[24].decoded, "hello from level 0") == 0,
       "with max_depth=30 the text at the bottom is reached");
    limits_default();
    free(b);
    free(cur);
  }

  {
    /* entry count */
    size_t zl = 0;
    unsigned char *z = make_archive(1, 12, (const unsigned char *)"x", 1, &zl);
    char *b = to_b64(z, zl);
    ctx.lim.max_entries = 5;
    unpack(b, strlen(b));
    ok(ctx.stopped && ctx.nitems == 5, "max_entries: 5 of 12 entries kept");
    like(ctx.stop_msg, "stopped after 5 archive entries (max_entries)",
         "message");
    limits_default();
    unpack(b, strlen(b));
    ok(!ctx.stopped && ctx.nitems == 12, "all 12 entries without the limit");
    free(b);
    free(z);
  }

  {
    /* a quine: a zip whose only member is the zip itself */
    size_t zl = 0, zl2 = 0;
    unsigned char *z =
        make_archive(1, 1, (const unsigned char *)"seed", 4, &zl);
    unsigned char *q = make_archive(1, 1, z, zl, &zl2);
    char *b = to_b64(q, zl2);
    unpack(b, strlen(b));
    ok(!ctx.stopped && ctx.nitems == 2, "zip in zip is unpacked (2 items)");
    free(b);
    free(q);
    free(z);
  }

  hk_buf_free(&full);
  b64_ctx_free(&ctx);
  return done_testing();
}
