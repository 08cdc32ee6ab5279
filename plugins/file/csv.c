/*
 * plugins/file/csv.c -- the buffered byte source and the CSV record reader.
 *
 * The reader scans a whole record inside the buffer without changing it;
 * when the record runs past the end of the buffer it reads more and scans
 * the record again from its start, so no state survives a refill and line
 * numbers stay exact.  Only once a record is complete are its quoted fields
 * unescaped in place (the unescaped text is never longer).
 */
#include "file_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* ---------------------------------------------------------------- source */

int
hk_file_src_open(hk_file_src *s, const char *path, hk_error *err)
{
  memset(s, 0, sizeof *s);
  s->path = path;
  s->line = 1;
  s->fd = -1;
  if (!strcmp(path, "-")) {
    s->fd = STDIN_FILENO;
  } else {
    s->fd = open(path, O_RDONLY | O_CLOEXEC);
    if (s->fd < 0)
      return hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                          "%s: cannot open: %s", path, strerror(errno));
#ifdef POSIX_FADV_SEQUENTIAL
    (void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  s->buf = malloc(HK_FILE_READ_SIZE);
  if (!s->buf) {
    hk_file_src_close(s);
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", path);
  }
  s->cap = HK_FILE_READ_SIZE;
  return HK_OK;
}

int
hk_file_src_open_reader(hk_file_src *s, const char *path, hk_file_read_fn fn,
                        void *ctx, hk_error *err)
{
  memset(s, 0, sizeof *s);
  s->path = path;
  s->line = 1;
  s->fd = -1;
  s->read_fn = fn;
  s->read_ctx = ctx;
  s->buf = malloc(HK_FILE_READ_SIZE);
  if (!s->buf)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", path);
  s->cap = HK_FILE_READ_SIZE;
  return HK_OK;
}

void
hk_file_src_close(hk_file_src *s)
{
  if (s->fd > STDIN_FILENO)
    close(s->fd);
  s->fd = -1;
  free(s->buf);
  s->buf = NULL;
  s->cap = s->len = s->pos = 0;
}

int
hk_file_src_fill(hk_file_src *s, hk_error *err)
{
  if (s->eof)
    return 0;
  if (s->pos > 0) {
    memmove(s->buf, s->buf + s->pos, s->len - s->pos);
    s->len -= s->pos;
    s->dropped += (int64_t)s->pos;
    s->pos = 0;
  }
  if (s->cap - s->len < HK_FILE_READ_SIZE / 2) {
    /* the record in the buffer is long: grow rather than read in slivers */
    if (s->cap >= HK_FILE_MAX_RECORD)
      return hk_error_set(err, HK_E_LIMIT,
                          "%s:%lld: record longer than %u MiB (expected "
                          "records separated by line breaks)",
                          s->path, (long long)s->line,
                          HK_FILE_MAX_RECORD >> 20);
    char *nb = realloc(s->buf, s->cap * 2);
    if (!nb)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", s->path);
    s->buf = nb;
    s->cap *= 2;
  }
  if (s->read_fn) {
    size_t got = 0;
    int rc =
        s->read_fn(s->read_ctx, s->buf + s->len, s->cap - s->len, &got, err);
    if (rc != HK_OK) {
      s->read_failed = 1;
      return rc;
    }
    if (got == 0)
      s->eof = 1;
    s->len += got;
    return (int)(got > INT32_MAX ? INT32_MAX : got);
  }
  for (;;) {
    ssize_t got = read(s->fd, s->buf + s->len, s->cap - s->len);
    if (got > 0) {
      s->len += (size_t)got;
      return (int)(got > INT32_MAX ? INT32_MAX : got);
    }
    if (got == 0) {
      s->eof = 1;
      return 0;
    }
    if (errno != EINTR) {
      s->read_failed = 1;
      return hk_error_set(err, HK_E_IO, "%s: read failed: %s", s->path,
                          strerror(errno));
    }
  }
}

int
hk_file_src_skip_bom(hk_file_src *s, hk_error *err)
{
  while (s->len - s->pos < 3 && !s->eof) {
    int rc = hk_file_src_fill(s, err);
    if (rc < 0)
      return rc;
  }
  if (s->len - s->pos >= 3 && !memcmp(s->buf + s->pos, "\xEF\xBB\xBF", 3))
    s->pos += 3;
  return HK_OK;
}

int
hk_file_src_peek_nonspace(hk_file_src *s, hk_error *err)
{
  size_t i = s->pos;
  for (;;) {
    for (; i < s->len; i++) {
      unsigned char c = (unsigned char)s->buf[i];
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
        return c;
    }
    if (s->eof)
      return -1;
    size_t skip = i - s->pos;
    int rc = hk_file_src_fill(s, err);
    if (rc < 0)
      return rc;
    i = s->pos + skip;
  }
}

/* ------------------------------------------------------------------- CSV */

void
hk_file_csv_init(hk_file_csv *c, hk_file_src *src, char delim)
{
  memset(c, 0, sizeof *c);
  c->src = src;
  c->delim = delim;
}

void
hk_file_csv_free(hk_file_csv *c)
{
  free(c->fields);
  free(c->quoted);
  c->fields = NULL;
  c->quoted = NULL;
  c->cap_fields = c->n_fields = 0;
}

static int
grow_fields(hk_file_csv *c)
{
  size_t cap = c->cap_fields ? c->cap_fields * 2 : 64;
  hk_file_field *f = realloc(c->fields, cap * sizeof *f);
  if (!f)
    return HK_E_NOMEM;
  c->fields = f;
  unsigned char *q = realloc(c->quoted, cap);
  if (!q)
    return HK_E_NOMEM;
  c->quoted = q;
  c->cap_fields = cap;
  return HK_OK;
}

/* First byte at or after p that is `delim`, CR or LF, or `end`.  Fields
 * are short, so SSE2 looks at 16 bytes per step where it exists. */
static inline char *
field_end(char *p, char *end, char delim)
{
#if defined(__SSE2__)
  const __m128i vd = _mm_set1_epi8(delim), vn = _mm_set1_epi8('\n'),
                vr = _mm_set1_epi8('\r');
  while (end - p >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    int m = _mm_movemask_epi8(
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vn)),
                     _mm_cmpeq_epi8(x, vr)));
    if (m)
      return p + __builtin_ctz((unsigned)m);
    p += 16;
  }
#endif
  while (p < end && *p != delim && *p != '\n' && *p != '\r')
    p++;
  return p;
}

/* First quote at or after p (or `end`), counting the line feeds before it. */
static inline char *
quote_end(char *p, char *end, int64_t *nl)
{
#if defined(__SSE2__)
  const __m128i vq = _mm_set1_epi8('"'), vn = _mm_set1_epi8('\n');
  while (end - p >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    int mq = _mm_movemask_epi8(_mm_cmpeq_epi8(x, vq));
    unsigned mn = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn));
    if (mq) {
      unsigned before = mn & (((unsigned)mq & -(unsigned)mq) - 1);
      *nl += __builtin_popcount(before);
      return p + __builtin_ctz((unsigned)mq);
    }
    *nl += __builtin_popcount(mn);
    p += 16;
  }
#endif
  while (p < end && *p != '"') {
    *nl += *p == '\n';
    p++;
  }
  return p;
}

enum scan_result {
  SCAN_RECORD,       /* a complete record */
  SCAN_MORE,         /* ran out of buffer */
  SCAN_EOF,          /* nothing left */
  SCAN_UNTERMINATED, /* end of input inside quotes */
  SCAN_NOMEM
};

/*
 * Scan one record at buf[pos..len).  On SCAN_RECORD, c->fields hold the raw
 * field extents (quoted ones still with their quotes), *consumed the bytes
 * used and *lines the line breaks crossed.
 */
static enum scan_result
scan_record(hk_file_csv *c, size_t *consumed, int64_t *lines)
{
  hk_file_src *s = c->src;
  char *const start = s->buf + s->pos;
  char *const end = s->buf + s->len;
  const int at_eof = s->eof;
  const char delim = c->delim;
  char *p = start;
  int64_t nl = 0;
  size_t nf = 0;

  if (p == end)
    return at_eof ? SCAN_EOF : SCAN_MORE;
  for (;;) {
    char *fs = p;
    int quoted = 0;
    if (nf == c->cap_fields && grow_fields(c) != HK_OK)
      return SCAN_NOMEM;
    if (p < end && *p == '"') {
      quoted = 1;
      p++;
      for (;;) {
        p = quote_end(p, end, &nl);
        if (p == end)
          return at_eof ? SCAN_UNTERMINATED : SCAN_MORE;
        p++; /* a quote: the closing one, or the first of "" */
        if (p == end) {
          if (!at_eof)
            return SCAN_MORE;
          break;
        }
        if (*p != '"')
          break;
        p++;
      }
    }
    /* unquoted text, or text after a closing quote (kept, as Python does) */
    p = field_end(p, end, delim);
    if (p == end && !at_eof)
      return SCAN_MORE;
    c->fields[nf].p = fs;
    c->fields[nf].len = (size_t)(p - fs);
    c->quoted[nf] = (unsigned char)quoted;
    nf++;
    if (p == end)
      break;
    if (*p == delim) {
      p++;
      continue;
    }
    if (*p == '\r') {
      p++;
      if (p == end && !at_eof)
        return SCAN_MORE;
      if (p < end && *p == '\n')
        p++;
    } else {
      p++;
    }
    nl++;
    break;
  }
  c->n_fields = nf;
  *consumed = (size_t)(p - start);
  *lines = nl;
  return SCAN_RECORD;
}

/* Remove the quoting of one field in place: "a""b"c -> a"bc (the field
 * starts with its opening quote; bytes after the closing one are kept). */
static void
unquote(hk_file_field *f)
{
  char *r = f->p + 1, *w = f->p, *end = f->p + f->len;
  while (r < end) {
    if (*r == '"') {
      if (r + 1 < end && r[1] == '"') {
        *w++ = '"';
        r += 2;
        continue;
      }
      r++;
      while (r < end)
        *w++ = *r++;
      break;
    }
    *w++ = *r++;
  }
  f->len = (size_t)(w - f->p);
}

int
hk_file_csv_next(hk_file_csv *c, hk_error *err)
{
  hk_file_src *s = c->src;
  for (;;) {
    size_t consumed = 0;
    int64_t lines = 0;
    enum scan_result r = scan_record(c, &consumed, &lines);
    if (r == SCAN_MORE) {
      int rc = hk_file_src_fill(s, err);
      if (rc < 0)
        return rc;
      continue;
    }
    if (r == SCAN_EOF)
      return 0;
    if (r == SCAN_NOMEM)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", s->path);
    c->line = s->line;
    if (r == SCAN_UNTERMINATED) {
      s->pos = s->len;
      return hk_error_set(err, HK_E_INVAL,
                          "%s:%lld: quoted field not terminated (expected a "
                          "closing '\"' before the end of the file)",
                          s->path, (long long)c->line);
    }
    s->pos += consumed;
    s->line += lines;
    if (c->n_fields == 1 && c->fields[0].len == 0)
      continue; /* blank line */
    for (size_t i = 0; i < c->n_fields; i++)
      if (c->quoted[i])
        unquote(&c->fields[i]);
    return 1;
  }
}
