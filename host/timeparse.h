/*
 * host/timeparse.h -- the time grammar of --from / --to (and of every later
 * option that takes a point in time).
 *
 *   2024-03-04                     midnight UTC of that day
 *   2024-03-04T05:06:07Z           ISO-8601; also a space instead of 'T'
 *   2024-03-04T05:06:07.1234567+02:00   up to 7 fractional digits, offset
 *                                  as Z, +HH:MM, +HHMM or +HH; none = UTC
 *   1709528767  1709528767.25      epoch seconds (10 digits), fraction
 *   now                            the reference time
 *   -7d  -3h  -30m  -2w  -45s  +1h relative to now (s, m, h, d, w)
 *   -1mon  -1y                     calendar months and years (the day is
 *                                  kept, or the month's last day)
 *   -7d@d  now@h  @mon  @y         ... rounded down (UTC) to the second,
 *                                  minute, hour, day, month or year
 *
 * Values are microseconds since the Unix epoch (UTC); fractions finer
 * than a microsecond are truncated.
 */
#ifndef HK_HOST_TIMEPARSE_H
#define HK_HOST_TIMEPARSE_H

#include <huntkit/abi.h>
#include <stdint.h>

/* Parse `s` relative to `now_us`.  HK_OK and *out set, or HK_E_INVAL with
 * a message that quotes the text and says what was expected (the caller
 * prefixes the option name). */
int hk_time_parse(const char *s, int64_t now_us, int64_t *out, hk_error *err);

/* Format `us` as ISO-8601 UTC ("2024-03-04T05:06:07Z", with ".123456"
 * when the fraction is not zero) into buf; returns buf. */
char *hk_time_format(int64_t us, char *buf, size_t cap);

#endif /* HK_HOST_TIMEPARSE_H */
