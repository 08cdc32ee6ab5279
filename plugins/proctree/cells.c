/*
 * plugins/proctree/cells.c -- reading process fields out of input cells:
 * text, process ids (decimal, "0x" hex, int or float columns) and times
 * (timestamp columns or ISO-8601-like text), plus hashing and the
 * MSTICPy-style key text.  Included by proctree.c.
 */

#define PT_FNV_OFFSET 0xcbf29ce484222325ULL
#define PT_FNV_PRIME 0x100000001b3ULL

static inline unsigned char
pt_lower(unsigned char c)
{
  return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

/* The eight bytes of `w` with ASCII 'A'..'Z' turned into 'a'..'z' (other
 * bytes untouched, as pt_lower does one at a time). */
static inline uint64_t
pt_fold8(uint64_t w)
{
  const uint64_t high = 0x8080808080808080ULL;
  uint64_t low7 = w & ~high;
  uint64_t ge_a = low7 + 0x3f3f3f3f3f3f3f3fULL; /* high bit: byte >= 'A' */
  uint64_t gt_z = low7 + 0x2525252525252525ULL; /* high bit: byte > 'Z' */
  uint64_t upper = ge_a & ~gt_z & ~w & high;
  return w | (upper >> 2);
}

/* Case-insensitive hash of `s`, continuing from `h`.  Eight bytes at a
 * time: names and host names are hashed twice per event, so this is on the
 * tree builder's hot path.  Only equality of hashes matters (nothing is
 * ordered by them), and every match is confirmed on the text. */
static uint64_t
pt_hash_ci(uint64_t h, const char *s, size_t n)
{
  const uint64_t mul = 0x9e3779b97f4a7c15ULL;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, s + i, 8);
    h = (h ^ pt_fold8(w)) * mul;
    h ^= h >> 29;
  }
  if (i < n) {
    uint64_t w = 0;
    memcpy(&w, s + i, n - i);
    h = (h ^ pt_fold8(w)) * mul;
    h ^= h >> 29;
  }
  h ^= (uint64_t)n * PT_FNV_PRIME;
  return h * mul ^ (h >> 31);
}

/* MurmurHash3's 64-bit finalizer: every input bit reaches every output
 * bit, so small integers (interned ids, pids) spread over a table. */
static inline uint64_t
pt_fmix(uint64_t h)
{
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  h *= 0xc4ceb9fe1a85ec53ULL;
  h ^= h >> 33;
  return h;
}

/* Combine a hash with one more value (order matters). */
static uint64_t
pt_mix(uint64_t h, uint64_t v)
{
  return pt_fmix(h * 0x9e3779b97f4a7c15ULL ^ pt_fmix(v));
}

static int
pt_eq_ci(const char *a, size_t an, const char *b, size_t bn)
{
  if (an != bn)
    return 0;
  for (size_t i = 0; i < an; i++)
    if (pt_lower((unsigned char)a[i]) != pt_lower((unsigned char)b[i]))
      return 0;
  return 1;
}

/* `s` (any case) equals `lower` (already lower-cased)?  Eight bytes at a
 * time, for the interning tables. */
static int
pt_eq_lower(const char *lower, size_t ln, const char *s, size_t n)
{
  if (ln != n)
    return 0;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t a, b;
    memcpy(&a, lower + i, 8);
    memcpy(&b, s + i, 8);
    if (a != pt_fold8(b))
      return 0;
  }
  for (; i < n; i++)
    if (lower[i] != (char)pt_lower((unsigned char)s[i]))
      return 0;
  return 1;
}

static void
pt_trim(const char **s, size_t *n)
{
  while (*n > 0 && ((*s)[0] == ' ' || (*s)[0] == '\t')) {
    (*s)++;
    (*n)--;
  }
  while (*n > 0 && ((*s)[*n - 1] == ' ' || (*s)[*n - 1] == '\t' ||
                    (*s)[*n - 1] == '\r' || (*s)[*n - 1] == '\n'))
    (*n)--;
}

/* The file-name part of a Windows or POSIX path. */
static void
pt_basename(const char **s, size_t *n)
{
  for (size_t i = *n; i > 0; i--) {
    if ((*s)[i - 1] == '\\' || (*s)[i - 1] == '/') {
      *s += i;
      *n -= i;
      return;
    }
  }
}

/* Text of a utf8 cell, trimmed; NULL/0 for null or non-text cells.  Other
 * column types are formatted into `tmp` (cap bytes). */
static const char *
pt_cell_text(const pt_batch *b, int64_t col, int64_t row, size_t *len,
             char *tmp, size_t cap)
{
  *len = 0;
  if (col < 0 || hk_batch_view_is_null(&b->view, col, row))
    return NULL;
  const char *s;
  if (hk_batch_view_column_type(&b->view, col) == HK_COL_UTF8) {
    s = hk_batch_view_utf8(&b->view, col, row, len);
  } else {
    size_t need = hk_batch_view_format_cell(&b->view, col, row, tmp, cap);
    *len = need < cap ? need : cap - 1;
    s = tmp;
  }
  pt_trim(&s, len);
  return *len ? s : NULL;
}

/* Parse a process id: decimal, "0x" hex, or a float's integer part.
 * Text that is none of these (e.g. "N/A") hashes into the negative range
 * so equal texts still match; empty means PT_NO_PID. */
static int64_t
pt_parse_pid(const char *s, size_t n)
{
  if (!s || n == 0)
    return PT_NO_PID;
  uint64_t v = 0;
  size_t i = 0;
  int ok = 1;
  if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    for (i = 2; i < n && ok; i++) {
      unsigned char c = (unsigned char)s[i];
      int d = (c >= '0' && c <= '9')   ? c - '0'
              : (c >= 'a' && c <= 'f') ? c - 'a' + 10
              : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                       : -1;
      if (d < 0 || v > (UINT64_MAX >> 5))
        ok = 0;
      else
        v = v * 16 + (uint64_t)d;
    }
  } else {
    int neg = 0;
    if (s[0] == '-') {
      neg = 1;
      i = 1;
    }
    size_t start = i;
    for (; i < n && s[i] >= '0' && s[i] <= '9'; i++) {
      if (v > (UINT64_MAX / 16))
        ok = 0;
      v = v * 10 + (uint64_t)(s[i] - '0');
    }
    if (i == start)
      ok = 0;
    /* "1234.0" from a float column written as text */
    if (ok && i < n && s[i] == '.') {
      for (i++; i < n && s[i] == '0'; i++)
        ;
    }
    if (i != n)
      ok = 0;
    if (ok && neg)
      return -(int64_t)(v & INT64_MAX);
  }
  if (ok && v <= (uint64_t)INT64_MAX)
    return (int64_t)v;
  return (int64_t)(pt_hash_ci(PT_FNV_OFFSET, s, n) | 0x8000000000000000ULL) +
         1; /* never PT_NO_PID */
}

static int64_t
pt_cell_pid(const pt_batch *b, int64_t col, int64_t row)
{
  if (col < 0 || hk_batch_view_is_null(&b->view, col, row))
    return PT_NO_PID;
  switch (hk_batch_view_column_type(&b->view, col)) {
  case HK_COL_INT64:
    return hk_batch_view_int64(&b->view, col, row);
  case HK_COL_FLOAT64: {
    double d = hk_batch_view_float64(&b->view, col, row);
    if (d != d || d > 9.2e18 || d < -9.2e18)
      return PT_NO_PID;
    return (int64_t)d;
  }
  default: {
    char tmp[64];
    size_t n;
    const char *s = pt_cell_text(b, col, row, &n, tmp, sizeof tmp);
    return pt_parse_pid(s, n);
  }
  }
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
pt_days_from_civil(int64_t y, int64_t m, int64_t d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void
pt_civil_from_days(int64_t z, int *y, int *m, int *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t yy = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yy + (*m <= 2));
}

static int
pt_digits(const char *s, size_t n, size_t *i, int count, int *out)
{
  int v = 0;
  for (int k = 0; k < count; k++) {
    if (*i >= n || s[*i] < '0' || s[*i] > '9')
      return 0;
    v = v * 10 + (s[(*i)++] - '0');
  }
  *out = v;
  return 1;
}

/* Parse "YYYY-MM-DD[T| ]HH:MM[:SS[.fffffffff]][Z|+HH:MM|+HHMM]" (any
 * fraction length, truncated to microseconds) and "M/D/YYYY H:MM[:SS]".
 * Returns 1 and *us on success. */
static int
pt_parse_time(const char *s, size_t n, int64_t *us)
{
  int y, mo, d, h = 0, mi = 0, sec = 0;
  size_t i = 0;
  if (n >= 8 && s[1] != '/' && s[2] != '/') {
    if (!pt_digits(s, n, &i, 4, &y) || i >= n || s[i++] != '-' ||
        !pt_digits(s, n, &i, 2, &mo) || i >= n || s[i++] != '-' ||
        !pt_digits(s, n, &i, 2, &d))
      return 0;
  } else {
    /* US style used by some Sentinel exports: 7/8/2019 16:08 */
    int part[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
      size_t st = i;
      int v = 0;
      while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 4)
        v = v * 10 + (s[i++] - '0');
      if (i == st)
        return 0;
      part[k] = v;
      if (k < 2 && (i >= n || s[i++] != '/'))
        return 0;
    }
    mo = part[0];
    d = part[1];
    y = part[2];
  }
  if (i < n && (s[i] == 'T' || s[i] == ' ')) {
    i++;
    size_t st = i;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 2)
      h = h * 10 + (s[i++] - '0');
    if (i == st || i >= n || s[i++] != ':' || !pt_digits(s, n, &i, 2, &mi))
      return 0;
    if (i < n && s[i] == ':') {
      i++;
      if (!pt_digits(s, n, &i, 2, &sec))
        return 0;
    }
  }
  int64_t frac = 0;
  if (i < n && (s[i] == '.' || s[i] == ',')) {
    i++;
    int digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
      if (digits < 6)
        frac = frac * 10 + (s[i] - '0');
      digits++;
      i++;
    }
    for (; digits < 6; digits++)
      frac *= 10;
  }
  int64_t off = 0;
  if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
    i++;
  } else if (i < n && (s[i] == '+' || s[i] == '-')) {
    int sign = s[i++] == '-' ? -1 : 1, oh, om = 0;
    if (!pt_digits(s, n, &i, 2, &oh))
      return 0;
    if (i < n && s[i] == ':')
      i++;
    if (i < n && !pt_digits(s, n, &i, 2, &om))
      return 0;
    off = sign * (oh * 3600 + om * 60);
  } else if (i + 3 <= n && memcmp(s + i, " UTC", 3) == 0) {
    i += 4 <= n - i ? 4 : 3;
  }
  while (i < n && (s[i] == ' ' || s[i] == '\t'))
    i++;
  if (i != n || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
      sec > 60)
    return 0;
  int64_t secs =
      pt_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
  *us = secs * 1000000 + frac;
  return 1;
}

/* Time of a cell: 1 and *us when it holds a time, 0 when null or not
 * readable as a time. */
static int
pt_cell_time(const pt_batch *b, int64_t col, int64_t row, int64_t *us)
{
  if (col < 0 || hk_batch_view_is_null(&b->view, col, row))
    return 0;
  switch (hk_batch_view_column_type(&b->view, col)) {
  case HK_COL_TIMESTAMP:
    *us = hk_batch_view_timestamp(&b->view, col, row);
    return 1;
  case HK_COL_UTF8: {
    size_t n;
    const char *s = hk_batch_view_utf8(&b->view, col, row, &n);
    pt_trim(&s, &n);
    return n ? pt_parse_time(s, n, us) : 0;
  }
  default:
    return 0;
  }
}

/* "%Y-%m-%d %H:%M:%S.%f" of `us` rounded to 10 microseconds (half to
 * even, like pandas' dt.round("10us")), MSTICPy's key time format. */
static int
pt_format_key_time(int64_t us, char *out, size_t cap)
{
  int64_t r = us % 10;
  if (r < 0)
    r += 10;
  int64_t base = us - r;
  if (r > 5 || (r == 5 && ((base / 10) % 2 != 0)))
    base += 10;
  int64_t secs = base / 1000000, frac = base % 1000000;
  if (frac < 0) {
    frac += 1000000;
    secs--;
  }
  int64_t days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    days--;
  }
  int y, m, d;
  pt_civil_from_days(days, &y, &m, &d);
  /* written by hand: one key per output row, snprintf shows in profiles */
  if (y < 0 || y > 9999 || cap < 27)
    return snprintf(out, cap, "%04d-%02d-%02d %02d:%02d:%02d.%06d", y, m, d,
                    (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
                    (int)frac);
  int part[7] = {
      y,        m, d, (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60),
      (int)frac};
  static const int width[7] = {4, 2, 2, 2, 2, 2, 6};
  static const char sep[7] = {'-', '-', ' ', ':', ':', '.', '\0'};
  char *p = out;
  for (int k = 0; k < 7; k++) {
    for (int w = width[k] - 1, v = part[k]; w >= 0; w--, v /= 10)
      p[w] = (char)('0' + v % 10);
    p += width[k];
    *p++ = sep[k];
  }
  return 26;
}
