/*
 * host/timeparse.c -- the --from / --to time grammar (see timeparse.h).
 * Calendar arithmetic is proleptic Gregorian in UTC (Howard Hinnant's
 * days_from_civil), so no time zone database or locale is involved.
 */
#include "config.h"

#include "timeparse.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define US_PER_SEC INT64_C(1000000)
#define US_PER_MIN (60 * US_PER_SEC)
#define US_PER_HOUR (60 * US_PER_MIN)
#define US_PER_DAY (24 * US_PER_HOUR)

static const char EXPECTED[] =
    "expected ISO-8601 (2024-03-04 or 2024-03-04T05:06:07Z), epoch seconds "
    "(1709528767), now, or a relative time (-7d, -3h, -30m@m, now@d)";

static int64_t
floor_div(int64_t a, int64_t b)
{
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0)))
    q--;
  return q;
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void
civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned
days_in_month(int64_t y, unsigned m)
{
  static const unsigned mdays[] = {31, 28, 31, 30, 31, 30,
                                   31, 31, 30, 31, 30, 31};
  int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : mdays[m - 1];
}

/* Read exactly `n` digits at *p; -1 when they are not all digits. */
static int
read_digits(const char **p, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!isdigit((unsigned char)(*p)[i]))
      return -1;
    v = v * 10 + ((*p)[i] - '0');
  }
  *p += n;
  return v;
}

/* Digits of a fraction at *p (after the '.'), at most `max_digits`, as
 * microseconds (truncated). */
static int
read_fraction(const char **p, int max_digits, int64_t *us, const char *s,
              hk_error *err)
{
  const char *q = *p;
  int64_t v = 0;
  int n = 0;
  while (isdigit((unsigned char)*q)) {
    if (n < 6)
      v = v * 10 + (*q - '0');
    n++;
    q++;
  }
  if (n == 0)
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: digits must follow the "
                        "decimal point",
                        s);
  if (n > max_digits)
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: at most %d fractional "
                        "digits are allowed",
                        s, max_digits);
  for (int i = n; i < 6; i++)
    v *= 10;
  *us = v;
  *p = q;
  return HK_OK;
}

static int
round_down(int64_t t, const char *unit, int64_t *out, const char *s,
           hk_error *err)
{
  int64_t y;
  unsigned m, d;
  int64_t days = floor_div(t, US_PER_DAY);
  if (strcmp(unit, "s") == 0)
    *out = floor_div(t, US_PER_SEC) * US_PER_SEC;
  else if (strcmp(unit, "m") == 0)
    *out = floor_div(t, US_PER_MIN) * US_PER_MIN;
  else if (strcmp(unit, "h") == 0)
    *out = floor_div(t, US_PER_HOUR) * US_PER_HOUR;
  else if (strcmp(unit, "d") == 0)
    *out = days * US_PER_DAY;
  else if (strcmp(unit, "w") == 0) {
    /* ISO weeks start on Monday; 1970-01-01 was a Thursday (day 0). */
    int64_t weekday = ((days % 7) + 7 + 3) % 7; /* 0 = Monday */
    *out = (days - weekday) * US_PER_DAY;
  } else if (strcmp(unit, "mon") == 0) {
    civil_from_days(days, &y, &m, &d);
    *out = days_from_civil(y, m, 1) * US_PER_DAY;
  } else if (strcmp(unit, "y") == 0) {
    civil_from_days(days, &y, &m, &d);
    *out = days_from_civil(y, 1, 1) * US_PER_DAY;
  } else
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: unknown rounding '@%s' "
                        "(use @s, @m, @h, @d, @w, @mon or @y)",
                        s, unit);
  return HK_OK;
}

/* `p` points at the optional "@unit" after a relative time or `now`. */
static int
finish_relative(const char *p, int64_t t, int64_t *out, const char *s,
                hk_error *err)
{
  if (*p == '\0') {
    *out = t;
    return HK_OK;
  }
  if (*p != '@')
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: unexpected '%s' (a "
                        "relative time may end in a rounding such as @d)",
                        s, p);
  return round_down(t, p + 1, out, s, err);
}

/* `t` moved by `months` calendar months (a day past the end of the
 * target month becomes its last day, as dateutil's relativedelta does). */
static int
add_months(int64_t t, int64_t months, int64_t *out)
{
  int64_t days = floor_div(t, US_PER_DAY), y, total;
  int64_t tod = t - days * US_PER_DAY;
  unsigned m, d, dim;
  civil_from_days(days, &y, &m, &d);
  total = y * 12 + (int64_t)(m - 1) + months;
  y = floor_div(total, 12);
  m = (unsigned)(total - y * 12) + 1;
  if (y < -100000 || y > 100000)
    return HK_E_INVAL;
  dim = days_in_month(y, m);
  if (d > dim)
    d = dim;
  *out = days_from_civil(y, m, d) * US_PER_DAY + tod;
  return HK_OK;
}

static const char UNITS[] = "use s, m, h, d, w, mon or y, e.g. -7d";

static int
parse_relative(const char *s, int64_t now_us, int64_t *out, hk_error *err)
{
  const char *p = s;
  int sign = *p == '-' ? -1 : 1;
  int64_t amount = 0, unit_us = 0, delta, months = 0;
  int ndigits = 0;
  p++;
  while (isdigit((unsigned char)*p)) {
    if (++ndigits > 9)
      return hk_error_set(err, HK_E_INVAL,
                          "cannot read '%s' as a time: the amount is too "
                          "large",
                          s);
    amount = amount * 10 + (*p - '0');
    p++;
  }
  if (ndigits == 0)
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: a number must follow "
                        "'%c' (e.g. -7d)",
                        s, *s);
  /* Calendar units first: "mon" is not minutes. */
  if (strncmp(p, "mon", 3) == 0) {
    months = amount;
    p += 3;
  } else if (*p == 'y') {
    months = 12 * amount;
    p++;
  } else {
    switch (*p) {
    case 's':
      unit_us = US_PER_SEC;
      break;
    case 'm':
      unit_us = US_PER_MIN;
      break;
    case 'h':
      unit_us = US_PER_HOUR;
      break;
    case 'd':
      unit_us = US_PER_DAY;
      break;
    case 'w':
      unit_us = 7 * US_PER_DAY;
      break;
    default:
      return hk_error_set(err, HK_E_INVAL,
                          "cannot read '%s' as a time: unknown unit '%.*s' "
                          "(%s)",
                          s, (int)strcspn(p, "@"), p, UNITS);
    }
    p++;
  }
  if (*p != '\0' && *p != '@') {
    const char *u = p - 1;
    while (u > s && isalpha((unsigned char)u[-1]))
      u--;
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: unknown unit '%.*s' "
                        "(%s)",
                        s, (int)strcspn(u, "@"), u, UNITS);
  }
  if (unit_us == 0) {
    if (add_months(now_us, sign * months, &delta) != HK_OK)
      return hk_error_set(err, HK_E_INVAL,
                          "cannot read '%s' as a time: out of range", s);
  } else if (__builtin_mul_overflow(amount, unit_us, &delta) ||
             __builtin_add_overflow(now_us, sign * delta, &delta))
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: out of range", s);
  return finish_relative(p, delta, out, s, err);
}

static int
parse_epoch(const char *s, int64_t *out, hk_error *err)
{
  const char *p = s;
  int64_t secs = 0, frac = 0;
  for (int i = 0; i < 10; i++)
    secs = secs * 10 + (*p++ - '0');
  if (*p == '.') {
    p++;
    int rc = read_fraction(&p, 9, &frac, s, err);
    if (rc != HK_OK)
      return rc;
  }
  if (*p != '\0')
    return hk_error_set(err, HK_E_INVAL, "cannot read '%s' as a time: %s", s,
                        EXPECTED);
  *out = secs * US_PER_SEC + frac;
  return HK_OK;
}

static int
parse_iso(const char *s, int64_t *out, hk_error *err)
{
  const char *p = s;
  int year, mon, day, hour = 0, min = 0, sec = 0;
  int64_t frac = 0, offset_min = 0;

  year = read_digits(&p, 4);
  if (year < 0 || *p++ != '-' || (mon = read_digits(&p, 2)) < 0 ||
      *p++ != '-' || (day = read_digits(&p, 2)) < 0)
    return hk_error_set(err, HK_E_INVAL, "cannot read '%s' as a time: %s", s,
                        EXPECTED);
  if (mon < 1 || mon > 12)
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: month %02d is out of "
                        "range (01-12)",
                        s, mon);
  if (day < 1 || (unsigned)day > days_in_month(year, (unsigned)mon))
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: day %02d is out of "
                        "range for %04d-%02d (01-%02u)",
                        s, day, year, mon, days_in_month(year, (unsigned)mon));
  if (*p == 'T' || *p == 't' || *p == ' ') {
    p++;
    if ((hour = read_digits(&p, 2)) < 0 || *p++ != ':' ||
        (min = read_digits(&p, 2)) < 0)
      return hk_error_set(err, HK_E_INVAL,
                          "cannot read '%s' as a time: expected HH:MM after "
                          "the date (e.g. 2024-03-04T05:06:07Z)",
                          s);
    if (*p == ':') {
      p++;
      if ((sec = read_digits(&p, 2)) < 0)
        return hk_error_set(err, HK_E_INVAL,
                            "cannot read '%s' as a time: expected two digits "
                            "of seconds after HH:MM:",
                            s);
      if (*p == '.' || *p == ',') {
        p++;
        int rc = read_fraction(&p, 7, &frac, s, err);
        if (rc != HK_OK)
          return rc;
      }
    }
    if (hour > 23 || min > 59 || sec > 59)
      return hk_error_set(err, HK_E_INVAL,
                          "cannot read '%s' as a time: %02d:%02d:%02d is not "
                          "a time of day (00:00:00-23:59:59)",
                          s, hour, min, sec);
    if (*p == 'Z' || *p == 'z')
      p++;
    else if (*p == '+' || *p == '-') {
      int sign = *p == '-' ? -1 : 1, oh, om = 0;
      p++;
      if ((oh = read_digits(&p, 2)) < 0)
        return hk_error_set(err, HK_E_INVAL,
                            "cannot read '%s' as a time: a UTC offset is "
                            "written Z, +HH:MM, +HHMM or +HH",
                            s);
      if (*p == ':')
        p++;
      if (isdigit((unsigned char)*p) && (om = read_digits(&p, 2)) < 0)
        return hk_error_set(err, HK_E_INVAL,
                            "cannot read '%s' as a time: a UTC offset is "
                            "written Z, +HH:MM, +HHMM or +HH",
                            s);
      if (oh > 23 || om > 59)
        return hk_error_set(err, HK_E_INVAL,
                            "cannot read '%s' as a time: UTC offset "
                            "%02d:%02d is out of range",
                            s, oh, om);
      offset_min = sign * (oh * 60 + om);
    }
  }
  if (*p != '\0')
    return hk_error_set(err, HK_E_INVAL,
                        "cannot read '%s' as a time: unexpected '%s' at the "
                        "end (%s)",
                        s, p, EXPECTED);
  *out = days_from_civil(year, (unsigned)mon, (unsigned)day) * US_PER_DAY +
         hour * US_PER_HOUR + min * US_PER_MIN + sec * US_PER_SEC + frac -
         offset_min * US_PER_MIN;
  return HK_OK;
}

int
hk_time_parse(const char *s, int64_t now_us, int64_t *out, hk_error *err)
{
  size_t digits;
  if (s == NULL || *s == '\0')
    return hk_error_set(err, HK_E_INVAL, "empty time: %s", EXPECTED);
  if (strncmp(s, "now", 3) == 0)
    return finish_relative(s + 3, now_us, out, s, err);
  if (*s == '@')
    return finish_relative(s, now_us, out, s, err);
  if (*s == '-' || *s == '+')
    return parse_relative(s, now_us, out, err);
  digits = strspn(s, "0123456789");
  if (digits == 4 && s[4] == '-')
    return parse_iso(s, out, err);
  if (digits == 10 && (s[10] == '\0' || s[10] == '.'))
    return parse_epoch(s, out, err);
  return hk_error_set(err, HK_E_INVAL, "cannot read '%s' as a time: %s", s,
                      EXPECTED);
}

char *
hk_time_format(int64_t us, char *buf, size_t cap)
{
  int64_t days = floor_div(us, US_PER_DAY), y;
  int64_t rem = us - days * US_PER_DAY;
  unsigned m, d;
  int64_t secs = rem / US_PER_SEC, frac = rem % US_PER_SEC;
  civil_from_days(days, &y, &m, &d);
  if (frac)
    snprintf(buf, cap, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02d.%06" PRId64 "Z",
             y, m, d, (int)(secs / 3600), (int)(secs / 60 % 60),
             (int)(secs % 60), frac);
  else
    snprintf(buf, cap, "%04" PRId64 "-%02u-%02uT%02d:%02d:%02dZ", y, m, d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
  return buf;
}
