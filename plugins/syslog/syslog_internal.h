/*
 * plugins/syslog/syslog_internal.h -- what the parts of the `syslog`
 * provider share: one parsed message, the line parsers (syslog_parse.c),
 * the run (syslog.c) and the Sentinel export reader (syslog_sentinel.c).
 * Not installed; every symbol is hidden (-fvisibility=hidden).
 */
#ifndef HK_SYSLOG_INTERNAL_H
#define HK_SYSLOG_INTERNAL_H

/* the file provider's byte source, CSV and JSON readers and timestamp
 * parser, compiled in: one CSV dialect in huntkit */
#include "../file/file_internal.h"

#include <huntkit/buf.h>
#include <huntkit/provider.h>

enum hk_syslog_format {
  HK_SYSLOG_AUTO = 0, /* per line: RFC 5424 when `<PRI>1 `, else RFC 3164 */
  HK_SYSLOG_3164,
  HK_SYSLOG_5424,
  HK_SYSLOG_SENTINEL /* CSV or JSON export of the Sentinel Syslog table */
};

/* How an RFC 3164 timestamp (no year, no zone) becomes a time. */
typedef struct hk_syslog_clock {
  int64_t tz_offset_s;  /* the sender's offset from UTC (timezone=) */
  int fixed_year;       /* year= given: the first line's year, 0 if not */
  int64_t ref_us;       /* without year=: no line is later than this
                           (the file's mtime, or now for stdin) + 1 day */
  int year, last_month; /* year= rollover state (month 1..12, 0: none) */
} hk_syslog_clock;

/* One message.  Text members point into the line or into the run's
 * structured-data buffer; a NULL pointer is a null cell. */
typedef struct hk_syslog_msg {
  int format; /* HK_SYSLOG_3164, _5424 or _SENTINEL */
  int64_t ts_us;
  int has_ts;
  int pri; /* -1: none */
  const char *facility, *severity;
  size_t facility_len, severity_len;
  const char *host, *app, *procid, *msgid, *msg, *host_ip;
  size_t host_len, app_len, procid_len, msgid_len, msg_len, host_ip_len;
  int has_sd; /* structured data (as JSON) is in the run's sd buffer */
} hk_syslog_msg;

/* Facility and severity names (RFC 5424 numbering, rsyslog's names):
 * static strings, NULL when out of range. */
const char *hk_syslog_facility_name(int facility);
const char *hk_syslog_severity_name(int severity);
/* The number of a facility / severity name (as Sentinel writes them), or
 * -1. */
int hk_syslog_facility_code(const char *s, size_t n);
int hk_syslog_severity_code(const char *s, size_t n);

/*
 * Parse one line (without its line break) in `format` (AUTO: RFC 5424 when
 * it starts `<PRI>VERSION `, else RFC 3164).  Structured data is written
 * to `sd` as JSON (reset first).  Returns 1 and fills `m`, or 0 with
 * *expected set to what the line lacks (for "FILE:LINE: ... (expected
 * ...)"), or HK_E_NOMEM.
 */
int hk_syslog_parse_line(const char *s, size_t n, int format,
                         hk_syslog_clock *clock, hk_syslog_msg *m, hk_buf *sd,
                         const char **expected);

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t hk_syslog_days_from_civil(int64_t y, int m, int d);

#endif /* HK_SYSLOG_INTERNAL_H */
