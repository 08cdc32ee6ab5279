/*
 * plugins/file/infer.c -- value parsers and column type inference.
 *
 * A text value is an int64 when it reads back exactly as written
 * (-?(0|[1-9][0-9]*), no leading zeros, no '+', within range), so
 * identifiers such as "007" or "0x3e7" stay text.  Floats are decimal
 * numbers with a fraction or an exponent.  Bools are true/false in three
 * spellings.  Timestamps are ISO-8601 / RFC 3339 and US M/D/YYYY date-times
 * (see README.md); epoch numbers become timestamps only in a column whose
 * name says it holds times and whose values all fall in 2000..2100.
 */
#include "file_internal.h"

#include <huntkit/table.h>
#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static inline int
is_digit(char c)
{
  return c >= '0' && c <= '9';
}

int
hk_file_parse_int(const char *s, size_t n, int64_t *out)
{
  const char *p = s, *end = s + n;
  int neg = 0;
  uint64_t v = 0;
  if (p < end && *p == '-') {
    neg = 1;
    p++;
  }
  if (p == end || !is_digit(*p) || (*p == '0' && end - p > 1))
    return 0;
  for (; p < end; p++) {
    if (!is_digit(*p))
      return 0;
    unsigned d = (unsigned)(*p - '0');
    if (v > (UINT64_MAX - d) / 10)
      return 0;
    v = v * 10 + d;
  }
  if (neg) {
    if (v > (uint64_t)INT64_MAX + 1)
      return 0;
    *out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
  } else {
    if (v > (uint64_t)INT64_MAX)
      return 0;
    *out = (int64_t)v;
  }
  return 1;
}

int
hk_file_parse_float(const char *s, size_t n, double *out)
{
  const char *p = s, *end = s + n;
  size_t int_digits = 0, frac_digits = 0;
  char tmp[128];
  if (n == 0 || n >= sizeof tmp)
    return 0;
  if (*p == '-' || *p == '+')
    p++;
  if (end - p > 1 && p[0] == '0' && is_digit(p[1]))
    return 0; /* "007": an identifier, not a number */
  while (p < end && is_digit(*p)) {
    p++;
    int_digits++;
  }
  if (p < end && *p == '.') {
    p++;
    while (p < end && is_digit(*p)) {
      p++;
      frac_digits++;
    }
  }
  if (int_digits + frac_digits == 0)
    return 0;
  if (p < end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < end && (*p == '-' || *p == '+'))
      p++;
    if (p == end || !is_digit(*p))
      return 0;
    while (p < end && is_digit(*p))
      p++;
  }
  if (p != end)
    return 0;
  memcpy(tmp, s, n);
  tmp[n] = '\0';
  *out = strtod(tmp, NULL);
  return 1;
}

int
hk_file_parse_bool(const char *s, size_t n, int *out)
{
  if (n == 4 && (!memcmp(s, "true", 4) || !memcmp(s, "True", 4) ||
                 !memcmp(s, "TRUE", 4))) {
    *out = 1;
    return 1;
  }
  if (n == 5 && (!memcmp(s, "false", 5) || !memcmp(s, "False", 5) ||
                 !memcmp(s, "FALSE", 5))) {
    *out = 0;
    return 1;
  }
  return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant). */
static int64_t
days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int
days_in_month(int y, int m)
{
  static const int dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return dim[m - 1];
}

/* Read exactly `w` digits. */
static int
digits(const char **pp, const char *end, int w, int *out)
{
  const char *p = *pp;
  int v = 0;
  if (end - p < w)
    return 0;
  for (int i = 0; i < w; i++) {
    if (!is_digit(p[i]))
      return 0;
    v = v * 10 + (p[i] - '0');
  }
  *pp = p + w;
  *out = v;
  return 1;
}

/* Read 1 to `max` digits. */
static int
digits_upto(const char **pp, const char *end, int max, int *out)
{
  const char *p = *pp;
  int v = 0, i = 0;
  while (i < max && p + i < end && is_digit(p[i])) {
    v = v * 10 + (p[i] - '0');
    i++;
  }
  if (i == 0)
    return 0;
  *pp = p + i;
  *out = v;
  return 1;
}

/* hh:mm[:ss[.fraction]] -> microseconds into the day; the fraction may have
 * up to 9 digits (.NET writes 7), digits past microseconds are dropped. */
static int
time_of_day(const char **pp, const char *end, int hour_digits_min, int64_t *us)
{
  const char *p = *pp;
  int hh, mm, ss = 0;
  int64_t frac = 0;
  if (hour_digits_min == 2 ? !digits(&p, end, 2, &hh)
                           : !digits_upto(&p, end, 2, &hh))
    return 0;
  if (p >= end || *p != ':' || (++p, !digits(&p, end, 2, &mm)))
    return 0;
  if (p < end && *p == ':') {
    p++;
    if (!digits(&p, end, 2, &ss))
      return 0;
    if (p < end && (*p == '.' || *p == ',') && p + 1 < end && is_digit(p[1])) {
      int nd = 0;
      p++;
      while (p < end && is_digit(*p)) {
        if (nd < 6)
          frac = frac * 10 + (*p - '0');
        nd++;
        p++;
      }
      if (nd > 9)
        return 0;
      for (; nd < 6; nd++)
        frac *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 60)
    return 0;
  *us = ((int64_t)hh * 3600 + mm * 60 + ss) * 1000000 + frac;
  *pp = p;
  return 1;
}

/* Z, +hh:mm, +hhmm, +hh, " UTC" or nothing (UTC); offset in seconds. */
static int
zone(const char **pp, const char *end, int64_t *offset_s)
{
  const char *p = *pp;
  *offset_s = 0;
  if (p == end)
    return 1;
  if ((*p == 'Z' || *p == 'z') && p + 1 == end) {
    *pp = p + 1;
    return 1;
  }
  if (*p == ' ' && end - p == 4 && !memcmp(p + 1, "UTC", 3)) {
    *pp = end;
    return 1;
  }
  if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1, hh, mm = 0;
    p++;
    if (!digits(&p, end, 2, &hh))
      return 0;
    if (p < end && *p == ':')
      p++;
    if (p < end && !digits(&p, end, 2, &mm))
      return 0;
    if (hh > 23 || mm > 59 || p != end)
      return 0;
    *offset_s = sign * (hh * 3600 + mm * 60);
    *pp = p;
    return 1;
  }
  return 0;
}

static int
parse_iso(const char *s, size_t n, int64_t *us)
{
  const char *p = s, *end = s + n;
  int y, m, d;
  int64_t tod = 0, off = 0;
  if (!digits(&p, end, 4, &y) || p >= end || *p++ != '-' ||
      !digits(&p, end, 2, &m) || p >= end || *p++ != '-' ||
      !digits(&p, end, 2, &d))
    return 0;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || y < 1)
    return 0;
  if (p < end) {
    if (*p != 'T' && *p != 't' && *p != ' ')
      return 0;
    p++;
    if (!time_of_day(&p, end, 2, &tod) || !zone(&p, end, &off) || p != end)
      return 0;
  }
  *us = days_from_civil(y, m, d) * 86400000000LL + tod - off * 1000000;
  return 1;
}

/* M/D/YYYY [H:MM[:SS[.f]]] [AM|PM], month first as pandas reads it. */
static int
parse_us(const char *s, size_t n, int64_t *us)
{
  const char *p = s, *end = s + n;
  int y, m, d;
  int64_t tod = 0;
  if (!digits_upto(&p, end, 2, &m) || p >= end || *p++ != '/' ||
      !digits_upto(&p, end, 2, &d) || p >= end || *p++ != '/' ||
      !digits(&p, end, 4, &y))
    return 0;
  if (m < 1 || m > 12 || d < 1 || d > days_in_month(y, m) || y < 1)
    return 0;
  if (p < end) {
    if (*p++ != ' ' || !time_of_day(&p, end, 1, &tod))
      return 0;
    if (end - p == 3 && p[0] == ' ' && (p[2] == 'M' || p[2] == 'm')) {
      int pm = p[1] == 'P' || p[1] == 'p';
      if (!pm && p[1] != 'A' && p[1] != 'a')
        return 0;
      int64_t hour = tod / 3600000000LL;
      if (hour < 1 || hour > 12)
        return 0;
      if (hour == 12)
        tod -= 12 * 3600000000LL;
      if (pm)
        tod += 12 * 3600000000LL;
      p = end;
    }
    if (p != end)
      return 0;
  }
  *us = days_from_civil(y, m, d) * 86400000000LL + tod;
  return 1;
}

int
hk_file_parse_timestamp(const char *s, size_t n, int64_t *us)
{
  if (n < 8 || n > 64 || !is_digit(s[0]))
    return 0;
  if (n >= 10 && s[4] == '-')
    return parse_iso(s, n, us);
  return parse_us(s, n, us);
}

int
hk_file_epoch_int_to_us(int64_t v, int64_t *us)
{
  int64_t a = v < 0 ? -(v + 1) : v; /* no overflow at INT64_MIN */
  if (a < 100000000000LL) {         /* < 1e11: seconds */
    *us = v * 1000000;
  } else if (a < 100000000000000LL) { /* < 1e14: milliseconds */
    *us = v * 1000;
  } else if (a < 100000000000000000LL) { /* < 1e17: microseconds */
    *us = v;
  } else { /* nanoseconds */
    *us = v / 1000;
  }
  return 1;
}

int
hk_file_epoch_float_to_us(double v, int64_t *us)
{
  double a = fabs(v), scaled;
  if (!isfinite(v))
    return 0;
  if (a < 1e11)
    scaled = v * 1e6;
  else if (a < 1e14)
    scaled = v * 1e3;
  else if (a < 1e17)
    scaled = v;
  else
    scaled = v / 1e3;
  if (fabs(scaled) >= 9.2e18)
    return 0;
  *us = (int64_t)llround(scaled);
  return 1;
}

int
hk_file_parse_timestamp_any(const char *s, size_t n, int64_t *us)
{
  int64_t i;
  double f;
  if (hk_file_parse_timestamp(s, n, us))
    return 1;
  if (hk_file_parse_int(s, n, &i))
    return hk_file_epoch_int_to_us(i, us);
  if (hk_file_parse_float(s, n, &f))
    return hk_file_epoch_float_to_us(f, us);
  return 0;
}

/* ------------------------------------------------------------- inference */

/* 2000-01-01 .. 2100-01-01 in microseconds. */
#define EPOCH_MIN_US 946684800000000LL
#define EPOCH_MAX_US 4102444800000000LL

void
hk_file_infer_init(hk_file_infer *inf)
{
  inf->kinds = 0;
  inf->values = 0;
  inf->epoch_ok = 1;
}

static void
note_epoch_int(hk_file_infer *inf, int64_t v)
{
  int64_t us;
  if (inf->epoch_ok && (!hk_file_epoch_int_to_us(v, &us) || us < EPOCH_MIN_US ||
                        us >= EPOCH_MAX_US))
    inf->epoch_ok = 0;
}

static void
note_epoch_float(hk_file_infer *inf, double v)
{
  int64_t us;
  if (inf->epoch_ok && (!hk_file_epoch_float_to_us(v, &us) ||
                        us < EPOCH_MIN_US || us >= EPOCH_MAX_US))
    inf->epoch_ok = 0;
}

void
hk_file_infer_text(hk_file_infer *inf, const char *s, size_t n)
{
  int64_t i;
  double f;
  int b;
  if (n == 0)
    return;
  inf->values++;
  if (inf->kinds & HK_FILE_K_TEXT)
    return; /* a text column stays text whatever comes */
  if (hk_file_parse_int(s, n, &i)) {
    inf->kinds |= HK_FILE_K_INT;
    note_epoch_int(inf, i);
  } else if (hk_file_parse_float(s, n, &f)) {
    inf->kinds |= HK_FILE_K_FLOAT;
    note_epoch_float(inf, f);
  } else if (hk_file_parse_bool(s, n, &b)) {
    inf->kinds |= HK_FILE_K_BOOL;
  } else if (hk_file_parse_timestamp(s, n, &i)) {
    inf->kinds |= HK_FILE_K_TS;
  } else {
    inf->kinds |= HK_FILE_K_TEXT;
  }
}

int
hk_file_json_int_overflows(struct json_object *v)
{
#if JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
  return json_object_get_int64(v) == INT64_MAX &&
         json_object_get_uint64(v) > (uint64_t)INT64_MAX;
#else
  (void)v;
  return 0;
#endif
}

void
hk_file_infer_json(hk_file_infer *inf, struct json_object *v)
{
  int64_t us;
  switch (json_object_get_type(v)) {
  case json_type_null:
    return;
  case json_type_boolean:
    inf->kinds |= HK_FILE_K_BOOL;
    break;
  case json_type_int:
    if (hk_file_json_int_overflows(v)) {
      inf->kinds |= HK_FILE_K_FLOAT;
      note_epoch_float(inf, json_object_get_double(v));
      break;
    }
    inf->kinds |= HK_FILE_K_INT;
    note_epoch_int(inf, json_object_get_int64(v));
    break;
  case json_type_double:
    inf->kinds |= HK_FILE_K_FLOAT;
    note_epoch_float(inf, json_object_get_double(v));
    break;
  case json_type_string:
    if (!(inf->kinds & HK_FILE_K_TEXT) &&
        hk_file_parse_timestamp(json_object_get_string(v),
                                (size_t)json_object_get_string_len(v), &us))
      inf->kinds |= HK_FILE_K_TS;
    else
      inf->kinds |= HK_FILE_K_TEXT;
    break;
  default:
    inf->kinds |= HK_FILE_K_NESTED;
    break;
  }
  inf->values++;
}

/* Does the name say the column holds times?  (TimeGenerated, ts, EventTime,
 * created_at, start_date, ...) */
static int
timeish_name(const char *name)
{
  size_t n = strlen(name);
  for (size_t i = 0; i + 4 <= n; i++)
    if (!strncasecmp(name + i, "time", 4))
      return 1;
  if (!strcasecmp(name, "ts") || !strcasecmp(name, "date"))
    return 1;
  return (n > 3 && (!strcasecmp(name + n - 3, "_ts") ||
                    !strcasecmp(name + n - 3, "_at"))) ||
         (n > 4 && !strcasecmp(name + n - 4, "date"));
}

int
hk_file_infer_type(const hk_file_infer *inf, const char *column_name)
{
  unsigned k = inf->kinds;
  const unsigned numeric = HK_FILE_K_INT | HK_FILE_K_FLOAT;
  if (k == 0)
    return HK_COL_UTF8;
  if (!(k & ~numeric)) {
    if (inf->epoch_ok && timeish_name(column_name))
      return HK_COL_TIMESTAMP;
    return k == HK_FILE_K_INT ? HK_COL_INT64 : HK_COL_FLOAT64;
  }
  if (k == HK_FILE_K_BOOL)
    return HK_COL_BOOL;
  if (k == HK_FILE_K_TS)
    return HK_COL_TIMESTAMP;
  return HK_COL_UTF8;
}

int
hk_file_type_from_name(const char *s, size_t n)
{
  static const struct {
    const char *name;
    int type;
  } names[] = {
      {"int", HK_COL_INT64},           {"int64", HK_COL_INT64},
      {"integer", HK_COL_INT64},       {"float", HK_COL_FLOAT64},
      {"float64", HK_COL_FLOAT64},     {"double", HK_COL_FLOAT64},
      {"bool", HK_COL_BOOL},           {"boolean", HK_COL_BOOL},
      {"timestamp", HK_COL_TIMESTAMP}, {"datetime", HK_COL_TIMESTAMP},
      {"string", HK_COL_UTF8},         {"str", HK_COL_UTF8},
      {"utf8", HK_COL_UTF8},           {"text", HK_COL_UTF8},
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strlen(names[i].name) == n && !strncasecmp(names[i].name, s, n))
      return names[i].type;
  return -1;
}
