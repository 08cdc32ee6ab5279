/*
 * plugins/syslog/syslog_parse.c -- RFC 3164 ("BSD") and RFC 5424 syslog
 * lines into their parts: priority, time, host, app, process id, message
 * id, structured data (as JSON text) and message.
 *
 * RFC 3164 timestamps carry neither year nor zone: the zone comes from the
 * timezone= option and the year from the file's modification time (a line
 * cannot be later than the file was last written) or from year=, rolled
 * over when the month goes back (December -> January).
 */
#include "syslog_internal.h"

#include <string.h>

static const char *const facility_names[24] = {
    "kern",   "user",   "mail",   "daemon", "auth",     "syslog",
    "lpr",    "news",   "uucp",   "cron",   "authpriv", "ftp",
    "ntp",    "audit",  "alert",  "clock",  "local0",   "local1",
    "local2", "local3", "local4", "local5", "local6",   "local7"};
static const char *const severity_names[8] = {
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"};

const char *
hk_syslog_facility_name(int facility)
{
  return facility >= 0 && facility < 24 ? facility_names[facility] : NULL;
}

const char *
hk_syslog_severity_name(int severity)
{
  return severity >= 0 && severity < 8 ? severity_names[severity] : NULL;
}

static int
name_index(const char *const *names, int n_names, const char *s, size_t n)
{
  for (int i = 0; i < n_names; i++)
    if (strlen(names[i]) == n && !memcmp(names[i], s, n))
      return i;
  return -1;
}

int
hk_syslog_facility_code(const char *s, size_t n)
{
  int i = name_index(facility_names, 24, s, n);
  if (i < 0 && n == 8 && !memcmp(s, "security", 8))
    i = 4; /* an old name of auth */
  return i;
}

int
hk_syslog_severity_code(const char *s, size_t n)
{
  static const struct {
    const char *name;
    int code;
  } aliases[] = {{"panic", 0},
                 {"critical", 2},
                 {"error", 3},
                 {"warn", 4},
                 {"informational", 6}};
  int i = name_index(severity_names, 8, s, n);
  for (size_t a = 0; i < 0 && a < sizeof aliases / sizeof aliases[0]; a++)
    if (strlen(aliases[a].name) == n && !memcmp(aliases[a].name, s, n))
      i = aliases[a].code;
  return i;
}

/* ------------------------------------------------------------- time */

int64_t
hk_syslog_days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static int
days_in_month(int64_t y, int m)
{
  static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
    return 29;
  return days[m - 1];
}

static void
civil_from_days(int64_t z, int64_t *y, int *m)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

/* `n` digits at *pp (exactly) into *out. */
static int
fixed_digits(const char **pp, const char *end, int n, int *out)
{
  const char *p = *pp;
  int v = 0;
  if (end - p < n)
    return 0;
  for (int i = 0; i < n; i++) {
    if (p[i] < '0' || p[i] > '9')
      return 0;
    v = v * 10 + (p[i] - '0');
  }
  *pp = p + n;
  *out = v;
  return 1;
}

/* `hh:mm:ss[.frac]` -> microseconds into the day. */
static int
time_of_day(const char **pp, const char *end, int64_t *us)
{
  const char *p = *pp;
  int h, mi, s;
  if (!fixed_digits(&p, end, 2, &h) || p >= end || *p++ != ':' ||
      !fixed_digits(&p, end, 2, &mi) || p >= end || *p++ != ':' ||
      !fixed_digits(&p, end, 2, &s) || h > 23 || mi > 59 || s > 60)
    return 0;
  int64_t frac = 0;
  if (p < end && *p == '.' && p + 1 < end && p[1] >= '0' && p[1] <= '9') {
    int scale = 100000;
    for (p++; p < end && *p >= '0' && *p <= '9'; p++) {
      frac += (*p - '0') * scale;
      scale /= 10;
    }
  }
  if (s == 60)
    s = 59, frac = 999999; /* a leap second stays inside its minute */
  *us = ((int64_t)h * 3600 + mi * 60 + s) * 1000000 + frac;
  *pp = p;
  return 1;
}

/* RFC 3339 `YYYY-MM-DDThh:mm:ss[.frac](Z|+hh:mm)`.  Without a zone (rsyslog's
 * file format may lack it) the clock's timezone applies; with no clock
 * (RFC 5424) the zone is required. */
static int
rfc3339(const char **pp, const char *end, const hk_syslog_clock *clock,
        int64_t *us)
{
  const char *p = *pp;
  int y, mo, d;
  int64_t tod;
  if (!fixed_digits(&p, end, 4, &y) || p >= end || *p++ != '-' ||
      !fixed_digits(&p, end, 2, &mo) || p >= end || *p++ != '-' ||
      !fixed_digits(&p, end, 2, &d) || p >= end || (*p != 'T' && *p != 't') ||
      mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo))
    return 0;
  p++;
  if (!time_of_day(&p, end, &tod))
    return 0;
  int64_t offset = clock ? clock->tz_offset_s : 0;
  if (p < end && (*p == 'Z' || *p == 'z')) {
    offset = 0;
    p++;
  } else if (p < end && (*p == '+' || *p == '-')) {
    int sign = *p++ == '-' ? -1 : 1, oh, om;
    if (!fixed_digits(&p, end, 2, &oh))
      return 0;
    if (p < end && *p == ':')
      p++;
    if (!fixed_digits(&p, end, 2, &om) || oh > 23 || om > 59)
      return 0;
    offset = sign * (oh * 3600 + om * 60);
  } else if (!clock) {
    return 0; /* RFC 5424 requires the zone */
  }
  *us = (hk_syslog_days_from_civil(y, mo, d) * 86400 - offset) * 1000000 + tod;
  *pp = p;
  return 1;
}

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* `Mmm dd[ yyyy] hh:mm:ss[.frac]` (day space- or zero-padded). */
static int
bsd_stamp(const char **pp, const char *end, hk_syslog_clock *clock, int64_t *us)
{
  const char *p = *pp;
  if (end - p < 15)
    return 0;
  int mo = 0;
  for (int i = 0; i < 12; i++)
    if (!memcmp(p, months + 3 * i, 3)) {
      mo = i + 1;
      break;
    }
  if (!mo || p[3] != ' ')
    return 0;
  p += 4;
  if (*p == ' ')
    p++;
  int d = 0;
  if (p < end && *p >= '0' && *p <= '9')
    d = *p++ - '0';
  if (p < end && *p >= '0' && *p <= '9')
    d = d * 10 + (*p++ - '0');
  if (d < 1 || d > 31 || p >= end || *p++ != ' ')
    return 0;
  int year = 0;
  const char *q = p;
  if (fixed_digits(&q, end, 4, &year) && q < end && *q == ' ')
    p = q + 1; /* some devices write the year */
  else
    year = 0;
  int64_t tod;
  if (!time_of_day(&p, end, &tod))
    return 0;
  if (!year && clock->fixed_year) {
    /* year=: the first line's year, +1 each time the month goes back */
    if (!clock->year)
      clock->year = clock->fixed_year;
    else if (mo < clock->last_month - 6)
      clock->year++;
    else if (mo > clock->last_month + 6)
      clock->year--; /* a late line from before the new year */
    clock->last_month = mo;
    year = clock->year;
    if (year < 1 || year > 9999)
      return 0; /* rolled out of range by a crafted file */
  }
  if (year) {
    if (d > days_in_month(year, mo))
      return 0;
    *us =
        (hk_syslog_days_from_civil(year, mo, d) * 86400 - clock->tz_offset_s) *
            1000000 +
        tod;
  } else {
    /* the latest year that puts the line no later than the reference
     * (the file's mtime) plus a day of clock skew; Feb 29 looks back to a
     * leap year */
    int64_t ref_year;
    int ref_month;
    civil_from_days((clock->ref_us / 1000000 + clock->tz_offset_s) / 86400,
                    &ref_year, &ref_month);
    int found = 0;
    for (int64_t y = ref_year + 1; y >= ref_year - 8 && !found; y--) {
      if (d > days_in_month(y, mo))
        continue;
      int64_t t =
          (hk_syslog_days_from_civil(y, mo, d) * 86400 - clock->tz_offset_s) *
              1000000 +
          tod;
      if (t <= clock->ref_us + 86400LL * 1000000) {
        *us = t;
        found = 1;
      }
    }
    if (!found)
      return 0;
  }
  *pp = p;
  return 1;
}

/* ------------------------------------------------------------- PRI */

/* `<N>` at *pp; N in 0..191.  Returns 1 (and *pri), 0 when absent, -1
 * when malformed. */
static int
priority(const char **pp, const char *end, int *pri)
{
  const char *p = *pp;
  if (p >= end || *p != '<')
    return 0;
  p++;
  int v = 0, nd = 0;
  while (p < end && *p >= '0' && *p <= '9' && nd < 4)
    v = v * 10 + (*p++ - '0'), nd++;
  if (!nd || nd > 3 || p >= end || *p != '>' || v > 191)
    return -1;
  *pp = p + 1;
  *pri = v;
  return 1;
}

static void
set_priority(hk_syslog_msg *m, int pri)
{
  m->pri = pri;
  m->facility = hk_syslog_facility_name(pri >> 3);
  m->severity = hk_syslog_severity_name(pri & 7);
  m->facility_len = m->facility ? strlen(m->facility) : 0;
  m->severity_len = m->severity ? strlen(m->severity) : 0;
}

/* ------------------------------------------------------------ RFC 3164 */

static int
parse_3164(const char *p, const char *end, hk_syslog_clock *clock,
           hk_syslog_msg *m, const char **expected)
{
  m->format = HK_SYSLOG_3164;
  const char *t = p;
  if (!bsd_stamp(&p, end, clock, &m->ts_us)) {
    p = t;
    if (!rfc3339(&p, end, clock, &m->ts_us)) {
      *expected = "a timestamp such as 'Mar  2 00:10:01' or "
                  "'2024-03-02T00:10:01Z' (RFC 3164)";
      return 0;
    }
  }
  m->has_ts = 1;
  if (p >= end || *p != ' ') {
    *expected = "a space and a host name after the timestamp (RFC 3164)";
    return 0;
  }
  while (p < end && *p == ' ')
    p++;
  const char *h = p;
  while (p < end && *p != ' ')
    p++;
  if (p == h) {
    *expected = "a host name after the timestamp (RFC 3164)";
    return 0;
  }
  if (p[-1] == ':' || memchr(h, '[', (size_t)(p - h))) {
    p = h; /* no host: the word is the tag (a local, unforwarded line) */
  } else {
    m->host = h;
    m->host_len = (size_t)(p - h);
    if (p < end)
      p++;
  }
  /* TAG[PID]: message -- a tag is a word up to '[', ':' or a space */
  const char *tag = p;
  while (p < end && *p != '[' && *p != ':' && *p != ' ')
    p++;
  const char *tag_end = p, *pid = NULL, *pid_end = NULL;
  if (p < end && *p == '[') {
    pid = p + 1;
    const char *q = memchr(pid, ']', (size_t)(end - pid));
    if (q) {
      pid_end = q;
      p = q + 1;
    } else
      pid = NULL;
  }
  if (tag_end > tag && p < end && *p == ':' && (pid || p == tag_end)) {
    m->app = tag;
    m->app_len = (size_t)(tag_end - tag);
    if (pid) {
      m->procid = pid;
      m->procid_len = (size_t)(pid_end - pid);
    }
    p++;
    if (p < end && *p == ' ')
      p++;
  } else {
    p = tag; /* no tag: everything is the message ("-- MARK --") */
  }
  m->msg = p;
  m->msg_len = (size_t)(end - p);
  return 1;
}

/* ------------------------------------------------------------ RFC 5424 */

/* A header field: a word of printable ASCII, "-" being nil. */
static int
header_word(const char **pp, const char *end, const char **w, size_t *wl)
{
  const char *p = *pp, *s = p;
  while (p<end && * p> ' ' && *p < 127)
    p++;
  if (p == s || p >= end || *p != ' ')
    return 0;
  if (p - s == 1 && *s == '-')
    *w = NULL, *wl = 0;
  else
    *w = s, *wl = (size_t)(p - s);
  *pp = p + 1;
  return 1;
}

/* SD-NAME: 1..32 printable ASCII except '=', ' ', ']', '"'. */
static const char *
sd_name(const char *p, const char *end)
{
  const char *s = p;
  while (p<end && * p> ' ' && *p < 127 && *p != '=' && *p != ']' && *p != '"' &&
         p - s < 32)
    p++;
  return p;
}

typedef struct sd_param {
  size_t id, id_len, name, name_len; /* offsets into the line */
  size_t value, value_len;           /* offsets into the value buffer */
} sd_param;

/* STRUCTURED-DATA at *pp into `sd` as {"ID":{"name":"value",...},...}:
 * a repeated SD-ID's parameters join the first one's, a repeated name
 * becomes an array of its values.  Values are unescaped (\" \\ \]). */
static int
structured_data(const char **pp, const char *end, const char *line, hk_buf *sd,
                const char **expected)
{
  const char *p = *pp;
  hk_buf param_buf = HK_BUF_INIT, id_buf = HK_BUF_INIT, values = HK_BUF_INIT;
  const sd_param *params;
  const size_t(*ids)[2];
  size_t n = 0, n_ids = 0;
  int rc = 1;
  while (p < end && *p == '[') {
    p++;
    const char *id = p;
    p = sd_name(p, end);
    if (p == id || p >= end || (*p != ' ' && *p != ']')) {
      *expected = "an SD-ID after '[' (RFC 5424 structured data)";
      rc = 0;
      goto out;
    }
    size_t id_off = (size_t)(id - line), id_len = (size_t)(p - id);
    size_t id_pair[2] = {id_off, id_len};
    if (hk_buf_append(&id_buf, id_pair, sizeof id_pair) != HK_OK) {
      rc = HK_E_NOMEM;
      goto out;
    }
    n_ids++;
    while (p < end && *p == ' ') {
      p++;
      const char *name = p;
      p = sd_name(p, end);
      const char *name_end = p;
      if (p == name || end - p < 2 || p[0] != '=' || p[1] != '"') {
        *expected = "PARAM-NAME=\"value\" in structured data (RFC 5424)";
        rc = 0;
        goto out;
      }
      p += 2;
      size_t v0 = values.len;
      for (;;) {
        const char *s = p;
        while (p < end && *p != '"' && *p != '\\')
          p++;
        if (hk_buf_append(&values, s, (size_t)(p - s)) != HK_OK) {
          rc = HK_E_NOMEM;
          goto out;
        }
        if (p >= end) {
          *expected = "a closing '\"' of a structured-data value (RFC 5424)";
          rc = 0;
          goto out;
        }
        if (*p == '"')
          break;
        /* \" \\ \] stand for the character; any other pair is literal */
        if (p + 1 < end && (p[1] == '"' || p[1] == '\\' || p[1] == ']')) {
          hk_buf_append_char(&values, p[1]);
          p += 2;
        } else {
          hk_buf_append_char(&values, '\\');
          p++;
        }
      }
      p++;
      sd_param param = {id_off,
                        id_len,
                        (size_t)(name - line),
                        (size_t)(name_end - name),
                        v0,
                        values.len - v0};
      if (hk_buf_append(&param_buf, &param, sizeof param) != HK_OK) {
        rc = HK_E_NOMEM;
        goto out;
      }
      n++;
    }
    if (p >= end || *p != ']') {
      *expected = "']' closing a structured-data element (RFC 5424)";
      rc = 0;
      goto out;
    }
    p++;
  }
  params = (const sd_param *)(const void *)param_buf.data;
  ids = (const size_t(*)[2])(const void *)id_buf.data;
  hk_buf_append_char(sd, '{');
  for (size_t i = 0; i < n_ids; i++) {
    size_t j = 0;
    while (j < i && !(ids[j][1] == ids[i][1] &&
                      !memcmp(line + ids[j][0], line + ids[i][0], ids[i][1])))
      j++;
    if (j < i)
      continue; /* merged into the first element with this SD-ID */
    if (sd->len > 1)
      hk_buf_append_char(sd, ',');
    hk_buf_append_json_string(sd, line + ids[i][0], ids[i][1]);
    hk_buf_append_str(sd, ":{");
    int first = 1;
    for (size_t a = 0; a < n; a++) {
      const sd_param *pa = &params[a];
      if (pa->id_len != ids[i][1] ||
          memcmp(line + pa->id, line + ids[i][0], pa->id_len))
        continue;
      size_t b = 0, count = 0;
      for (; b < n; b++) {
        const sd_param *pb = &params[b];
        if (pb->id_len == pa->id_len &&
            !memcmp(line + pb->id, line + pa->id, pa->id_len) &&
            pb->name_len == pa->name_len &&
            !memcmp(line + pb->name, line + pa->name, pa->name_len)) {
          if (b < a)
            break; /* written with its first occurrence */
          count++;
        }
      }
      if (b < n)
        continue;
      if (!first)
        hk_buf_append_char(sd, ',');
      first = 0;
      hk_buf_append_json_string(sd, line + pa->name, pa->name_len);
      hk_buf_append_char(sd, ':');
      if (count > 1)
        hk_buf_append_char(sd, '[');
      size_t k = 0;
      for (b = a; b < n; b++) {
        const sd_param *pb = &params[b];
        if (pb->id_len == pa->id_len &&
            !memcmp(line + pb->id, line + pa->id, pa->id_len) &&
            pb->name_len == pa->name_len &&
            !memcmp(line + pb->name, line + pa->name, pa->name_len)) {
          if (k++)
            hk_buf_append_char(sd, ',');
          hk_buf_append_json_string(
              sd, values.data ? values.data + pb->value : "", pb->value_len);
        }
      }
      if (count > 1)
        hk_buf_append_char(sd, ']');
    }
    hk_buf_append_char(sd, '}');
  }
  if (hk_buf_append_char(sd, '}') != HK_OK)
    rc = HK_E_NOMEM;
  *pp = p;
out:
  hk_buf_free(&values);
  hk_buf_free(&param_buf);
  hk_buf_free(&id_buf);
  return rc;
}

static int
parse_5424(const char *line, const char *p, const char *end, hk_syslog_msg *m,
           hk_buf *sd, const char **expected)
{
  m->format = HK_SYSLOG_5424;
  /* VERSION */
  int nd = 0;
  while (p < end && *p >= '0' && *p <= '9' && nd < 3)
    p++, nd++;
  if (!nd || p >= end || *p != ' ') {
    *expected = "a version number after the priority (RFC 5424)";
    return 0;
  }
  p++;
  if (p < end && *p == '-' && p + 1 < end && p[1] == ' ') {
    p += 2; /* NILVALUE: no time */
  } else {
    if (!rfc3339(&p, end, NULL, &m->ts_us) || p >= end || *p != ' ') {
      *expected = "an RFC 3339 timestamp with a zone, or '-' (RFC 5424)";
      return 0;
    }
    m->has_ts = 1;
    p++;
  }
  if (!header_word(&p, end, &m->host, &m->host_len) ||
      !header_word(&p, end, &m->app, &m->app_len) ||
      !header_word(&p, end, &m->procid, &m->procid_len) ||
      !header_word(&p, end, &m->msgid, &m->msgid_len)) {
    *expected = "HOSTNAME APP-NAME PROCID MSGID after the timestamp, each a "
                "word or '-' (RFC 5424)";
    return 0;
  }
  if (p < end && *p == '-') {
    p++;
  } else if (p < end && *p == '[') {
    int rc = structured_data(&p, end, line, sd, expected);
    if (rc <= 0)
      return rc;
    m->has_sd = 1;
  } else {
    *expected = "structured data ('[...]' or '-') after MSGID (RFC 5424)";
    return 0;
  }
  if (p < end && *p != ' ') {
    *expected = "a space between structured data and the message (RFC 5424)";
    return 0;
  }
  if (p < end)
    p++;
  if (end - p >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
    p += 3; /* the BOM that marks a UTF-8 MSG */
  m->msg = p;
  m->msg_len = (size_t)(end - p);
  return 1;
}

int
hk_syslog_parse_line(const char *s, size_t n, int format,
                     hk_syslog_clock *clock, hk_syslog_msg *m, hk_buf *sd,
                     const char **expected)
{
  const char *p = s, *end = s + n;
  memset(m, 0, sizeof *m);
  m->pri = -1;
  hk_buf_reset(sd);
  int pri = 0;
  int has_pri = priority(&p, end, &pri);
  if (has_pri < 0) {
    *expected = "a priority '<0>' to '<191>' at the start";
    return 0;
  }
  if (has_pri)
    set_priority(m, pri);
  int is_5424 = has_pri && p < end && *p >= '1' && *p <= '9' &&
                (p + 1 < end && (p[1] == ' ' || (p[1] >= '0' && p[1] <= '9' &&
                                                 p + 2 < end && p[2] == ' ')));
  if (format == HK_SYSLOG_5424 && !has_pri) {
    *expected = "'<PRI>VERSION ' at the start (RFC 5424)";
    return 0;
  }
  if (format == HK_SYSLOG_5424 || (format != HK_SYSLOG_3164 && is_5424))
    return parse_5424(s, p, end, m, sd, expected);
  return parse_3164(p, end, clock, m, expected);
}
