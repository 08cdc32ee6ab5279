/*
 * plugins/syslog/test_syslog_unit.c -- white-box tests of the syslog line
 * parser: RFC 3164 years across a new year (from the reference time and
 * from year=), zones, tags; RFC 5424 headers, nil values and structured
 * data escapes.  Then the provider through its descriptor with a fake
 * host: batches of batch_rows, the row limit, cancellation, host records.
 * Expected times were computed with Python's datetime (e.g.
 * datetime(2023,12,31,23,59,58,tzinfo=timezone.utc)).
 */
#include "plugin_test_host.h"

#include "syslog_internal.h"

#include <huntkit/huntkit.h>

#include <stdarg.h>
#include <time.h>
#include <unistd.h>

static hk_buf sd = HK_BUF_INIT;
static hk_syslog_msg m;
static const char *expected;
static char text[8][4096]; /* a few strings of the current message */

/* "2024-03-02T00:10:01Z", with .ffffff when there is a fraction */
static const char *
iso(int64_t us)
{
  static char out[64];
  time_t s = (time_t)(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
  int64_t frac = us - (int64_t)s * 1000000;
  struct tm tm;
  gmtime_r(&s, &tm);
  size_t n = strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%S", &tm);
  if (frac)
    snprintf(out + n, sizeof out - n, ".%06lldZ", (long long)frac);
  else
    snprintf(out + n, sizeof out - n, "Z");
  return out;
}

static const char *
str(int slot, const char *s, size_t n)
{
  if (!s)
    return NULL;
  snprintf(text[slot], sizeof text[slot], "%.*s", (int)n, s);
  return text[slot];
}

static int
parse(const char *line, int format, hk_syslog_clock *clock)
{
  return hk_syslog_parse_line(line, strlen(line), format, clock, &m, &sd,
                              &expected);
}

/* seconds of a UTC date, for reference times */
static int64_t
utc_us(int y, int mo, int d, int h, int mi, int s)
{
  return (hk_syslog_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 +
          s) *
         1000000;
}

static void
test_3164(void)
{
  hk_syslog_clock c = {0};
  c.ref_us = utc_us(2024, 6, 1, 0, 0, 0);

  is_int(parse("<38>Mar  2 00:10:01 host1 sshd[1234]: Accepted password for "
               "alice from 10.1.2.3 port 22 ssh2",
               HK_SYSLOG_AUTO, &c),
         1, "3164: parsed");
  is_int(m.format, HK_SYSLOG_3164, "3164: format");
  is_int(m.pri, 38, "3164: priority");
  is_str(str(0, m.facility, m.facility_len), "auth", "3164: facility 4 auth");
  is_str(str(1, m.severity, m.severity_len), "info", "3164: severity 6 info");
  is_str(iso(m.ts_us), "2024-03-02T00:10:01Z", "3164: year from reference");
  is_str(str(2, m.host, m.host_len), "host1", "3164: host");
  is_str(str(3, m.app, m.app_len), "sshd", "3164: tag");
  is_str(str(4, m.procid, m.procid_len), "1234", "3164: pid");
  is_str(str(5, m.msg, m.msg_len),
         "Accepted password for alice from 10.1.2.3 port 22 ssh2",
         "3164: message");

  /* no PRI (files written by rsyslog), a tag with a slash */
  parse("Jun 14 09:00:00 mx1 postfix/smtpd[77]: connect from x", 0, &c);
  is_int(m.pri, -1, "no PRI: priority null");
  ok(m.facility == NULL && m.severity == NULL, "no PRI: no names");
  is_str(str(0, m.app, m.app_len), "postfix/smtpd", "tag with '/'");
  is_str(iso(m.ts_us), "2023-06-14T09:00:00Z",
         "a date after the reference (+1 day) is from the year before");

  /* kernel: no pid, message keeps its brackets */
  parse("May  1 12:00:00 h kernel: [ 1.234] eth0 up", 0, &c);
  is_str(str(0, m.app, m.app_len), "kernel", "kernel tag");
  ok(m.procid == NULL, "kernel: no pid");
  is_str(str(1, m.msg, m.msg_len), "[ 1.234] eth0 up", "kernel message");

  /* no host (a local line), no tag */
  parse("May  1 12:00:00 sshd[12]: no host here", 0, &c);
  ok(m.host == NULL, "no host: the word with [pid] is the tag");
  is_str(str(0, m.app, m.app_len), "sshd", "no host: tag");
  parse("May  1 12:00:00 h -- MARK --", 0, &c);
  ok(m.app == NULL, "no tag: ProcessName null");
  is_str(str(0, m.msg, m.msg_len), "-- MARK --", "no tag: the whole rest");
  parse("May  1 12:00:00 h CRON[5]:", 0, &c);
  is_str(str(0, m.msg, m.msg_len), "", "empty message");

  /* year written by the device; fraction; rsyslog's RFC 3339 format */
  parse("Mar  1 2019 12:00:00 r1 app: x", 0, &c);
  is_str(iso(m.ts_us), "2019-03-01T12:00:00Z", "Mmm dd yyyy hh:mm:ss");
  parse("Mar  1 12:00:00.250 r1 app: x", 0, &c);
  is_str(iso(m.ts_us), "2024-03-01T12:00:00.250000Z", "fraction kept");
  parse("2024-03-02T00:10:01.123456+01:00 host app[9]: iso", 0, &c);
  is_str(iso(m.ts_us), "2024-03-01T23:10:01.123456Z",
         "RFC 3339 stamp in a BSD line, offset applied");
  is_str(str(0, m.app, m.app_len), "app", "RFC 3339 stamp: tag");

  /* zone of BSD stamps from timezone= */
  c.tz_offset_s = 2 * 3600;
  parse("Mar  2 00:10:01 h a: m", 0, &c);
  is_str(iso(m.ts_us), "2024-03-01T22:10:01Z", "timezone +02:00 applied");
  parse("2024-03-02T00:10:01Z h a: m", 0, &c);
  is_str(iso(m.ts_us), "2024-03-02T00:10:01Z", "an explicit Z wins");
  c.tz_offset_s = 0;

  /* malformed */
  is_int(parse("<192>Mar  2 00:10:01 h a: m", 0, &c), 0, "PRI 192 refused");
  is_str(expected, "a priority '<0>' to '<191>' at the start",
         "PRI: what was expected");
  is_int(parse("<13 Mar  2 00:10:01 h a: m", 0, &c), 0, "PRI unclosed");
  is_int(parse("Foo  2 00:10:01 h a: m", 0, &c), 0, "bad month");
  like(expected, "a timestamp such as 'Mar  2 00:10:01'", "bad month: why");
  is_int(parse("Mar 32 00:10:01 h a: m", 0, &c), 0, "day 32");
  is_int(parse("Mar  2 24:10:01 h a: m", 0, &c), 0, "hour 24");
  is_int(parse("Mar  2 00:10:01", 0, &c), 0, "no host");
  like(expected, "host name", "no host: why");
  is_int(parse("<13>1 2024-03-02T00:10:01Z h", HK_SYSLOG_3164, &c), 0,
         "format=rfc3164 does not read RFC 5424");
}

static void
test_new_year(void)
{
  /* a file written 5 minutes into 2024: December lines are from 2023 */
  hk_syslog_clock c = {0};
  c.ref_us = utc_us(2024, 1, 1, 0, 5, 0);
  parse("Dec 31 23:59:58 h a: before", 0, &c);
  is_str(iso(m.ts_us), "2023-12-31T23:59:58Z", "mtime: December -> 2023");
  parse("Jan  1 00:00:02 h a: after", 0, &c);
  is_str(iso(m.ts_us), "2024-01-01T00:00:02Z", "mtime: January -> 2024");

  /* year=2023 names the first line's year; the month going back rolls */
  hk_syslog_clock y = {0};
  y.fixed_year = 2023;
  parse("Dec 31 23:59:58 h a: before", 0, &y);
  is_str(iso(m.ts_us), "2023-12-31T23:59:58Z", "year=: first line");
  parse("Jan  1 00:00:02 h a: after", 0, &y);
  is_str(iso(m.ts_us), "2024-01-01T00:00:02Z", "year=: rolled to 2024");
  parse("Dec 31 23:59:59 h a: late", 0, &y);
  is_str(iso(m.ts_us), "2023-12-31T23:59:59Z",
         "year=: a late line from the old year goes back");
  parse("Jan  1 00:00:03 h a: again", 0, &y);
  is_str(iso(m.ts_us), "2024-01-01T00:00:03Z", "year=: and forward again");

  /* Feb 29 looks back to a leap year */
  hk_syslog_clock l = {0};
  l.ref_us = utc_us(2025, 3, 1, 0, 0, 0);
  parse("Feb 29 10:00:00 h a: leap", 0, &l);
  is_str(iso(m.ts_us), "2024-02-29T10:00:00Z", "Feb 29 -> 2024");
  hk_syslog_clock f = {0};
  f.fixed_year = 2023;
  is_int(parse("Feb 29 10:00:00 h a: leap", 0, &f), 0,
         "Feb 29 in year=2023 is malformed");
}

static void
test_5424(void)
{
  hk_syslog_clock c = {0};
  /* RFC 5424 section 6.5, example 1 (with the BOM) and example 3 */
  is_int(parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - "
               "ID47 - \xEF\xBB\xBF'su root' failed for lonvick on /dev/pts/8",
               0, &c),
         1, "5424: example 1");
  is_int(m.format, HK_SYSLOG_5424, "5424: format");
  is_str(iso(m.ts_us), "2003-10-11T22:14:15.003000Z", "5424: time");
  is_str(str(0, m.host, m.host_len), "mymachine.example.com", "5424: host");
  is_str(str(1, m.app, m.app_len), "su", "5424: app");
  ok(m.procid == NULL, "5424: '-' procid is null");
  is_str(str(2, m.msgid, m.msgid_len), "ID47", "5424: msgid");
  ok(!m.has_sd, "5424: '-' structured data");
  is_str(str(3, m.msg, m.msg_len), "'su root' failed for lonvick on /dev/pts/8",
         "5424: BOM dropped from MSG");

  parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
        "%% It's time to make the do-nuts.",
        0, &c);
  is_str(iso(m.ts_us), "2003-08-24T12:14:15.000003Z", "5424: offset -07:00");
  is_str(str(0, m.facility, m.facility_len), "local4", "5424: local4");
  is_str(str(1, m.severity, m.severity_len), "notice", "5424: notice");
  is_str(str(2, m.procid, m.procid_len), "8710", "5424: procid");

  /* example 3: two elements */
  parse("<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - "
        "ID47 [exampleSDID@32473 iut=\"3\" eventSource=\"Application\" "
        "eventID=\"1011\"][examplePriority@32473 class=\"high\"]",
        0, &c);
  ok(m.has_sd, "5424: structured data");
  is_str(sd.data,
         "{\"exampleSDID@32473\":{\"iut\":\"3\",\"eventSource\":"
         "\"Application\",\"eventID\":\"1011\"},\"examplePriority@32473\":{"
         "\"class\":\"high\"}}",
         "5424: structured data as JSON");
  is_int(m.msg_len, 0, "5424: no MSG");

  /* escapes: \" \\ \] are the character, other pairs stay literal */
  parse("<13>1 - - - - - [x@1 q=\"say \\\"hi\\\"\" b=\"a\\\\b\" "
        "r=\"[1\\]\" o=\"\\n\\t\" e=\"\"] msg",
        0, &c);
  ok(!m.has_ts, "5424: '-' time is null");
  ok(m.host == NULL && m.app == NULL && m.msgid == NULL, "5424: nil header");
  is_str(sd.data,
         "{\"x@1\":{\"q\":\"say \\\"hi\\\"\",\"b\":\"a\\\\b\",\"r\":\"[1]\","
         "\"o\":\"\\\\n\\\\t\",\"e\":\"\"}}",
         "5424: SD escapes");
  is_str(str(0, m.msg, m.msg_len), "msg", "5424: MSG after SD");

  /* a repeated name is an array; a repeated SD-ID joins the first */
  parse("<13>1 2024-01-01T00:00:00Z h a p m [x ip=\"1\" ip=\"2\"][y k=\"v\"]"
        "[x n=\"3\"]",
        0, &c);
  is_str(sd.data,
         "{\"x\":{\"ip\":[\"1\",\"2\"],\"n\":\"3\"},\"y\":{\"k\":\"v\"}}",
         "5424: repeated names and SD-IDs");
  parse("<13>1 2024-01-01T00:00:00Z h a p m [x@1]", 0, &c);
  is_str(sd.data, "{\"x@1\":{}}", "5424: element without parameters");

  /* malformed */
  is_int(parse("<13>1 2024-01-01T00:00:00Z h a p m [x a=\"open] m", 0, &c), 0,
         "5424: value not closed");
  is_str(expected, "a closing '\"' of a structured-data value (RFC 5424)",
         "5424: what was expected");
  is_int(parse("<13>1 2024-01-01T00:00:00Z h a p m [x a=1]", 0, &c), 0,
         "5424: unquoted value");
  is_int(parse("<13>1 2024-01-01T00:00:00Z h a p m [x a=\"1\"", 0, &c), 0,
         "5424: element not closed");
  is_int(parse("<13>1 2024-01-01T00:00:00Z h a p m x", 0, &c), 0,
         "5424: SD neither '-' nor '['");
  is_int(parse("<13>1 2024-01-01T00:00:00 h a p m -", 0, &c), 0,
         "5424: timestamp without a zone");
  is_int(parse("<13>1 2024-01-01T00:00:00Z h a", 0, &c), 0,
         "5424: header cut short");
  is_int(parse("Mar  2 00:10:01 h a: m", HK_SYSLOG_5424, &c), 0,
         "format=rfc5424 needs <PRI>VERSION");
}

static void
test_names(void)
{
  is_str(hk_syslog_facility_name(10), "authpriv", "facility 10");
  is_str(hk_syslog_facility_name(23), "local7", "facility 23");
  ok(hk_syslog_facility_name(24) == NULL, "facility 24: none");
  is_str(hk_syslog_severity_name(3), "err", "severity 3");
  is_int(hk_syslog_facility_code("authpriv", 8), 10, "authpriv -> 10");
  is_int(hk_syslog_severity_code("warn", 4), 4, "warn -> 4");
  is_int(hk_syslog_severity_code("bogus", 5), -1, "unknown severity");
}

/* ------------------------------------------------- the provider, fake host */

const hk_plugin_desc *const *syslog_LTX_hk_plugin_entry(const struct hk_host *,
                                                        hk_error *);

/* Run the provider; the batches' row counts as "2,2,1" in `sizes`, the
 * SyslogMessage (or Computer) cells joined by '|' in `cells`. */
static int
run_provider(const char *path, const char *k2, const char *v2, int32_t batch,
             int64_t limit, char *sizes, size_t sizes_cap, hk_buf *cells,
             char *errmsg, size_t errcap)
{
  const hk_plugin_desc *const *d = syslog_LTX_hk_plugin_entry(&th_host, NULL);
  const hk_provider_vt *vt = d[0]->vtable;
  char opts[600];
  snprintf(opts, sizeof opts, "path=%s;year=2024%s%s%s%s", path, k2 ? ";" : "",
           k2 ? k2 : "", k2 ? "=" : "", k2 ? v2 : "");
  hk_config *cfg = th_config(vt->options, opts);
  hk_query q = {sizeof q,    NULL,        NULL,  cfg,
                HK_TIME_MIN, HK_TIME_MAX, limit, batch};
  struct ArrowArrayStream st = {0};
  struct ArrowSchema schema = {0};
  hk_error err;
  hk_error_clear(&err);
  sizes[0] = '\0';
  errmsg[0] = '\0';
  int rc = vt->run_query(NULL, &q, &st, &err);
  if (rc != HK_OK) {
    snprintf(errmsg, errcap, "%s", err.msg);
    th_config_free(cfg);
    return rc;
  }
  if (st.get_schema(&st, &schema) != 0)
    abort();
  for (;;) {
    struct ArrowArray a = {0};
    if (st.get_next(&st, &a) != 0) {
      snprintf(errmsg, errcap, "%s", st.get_last_error(&st));
      rc = HK_E_FAIL;
      break;
    }
    if (!a.release)
      break;
    hk_batch_view v;
    if (hk_batch_view_init(&v, &schema, &a, &err) != HK_OK)
      abort();
    size_t used = strlen(sizes);
    snprintf(sizes + used, sizes_cap - used, "%s%lld", used ? "," : "",
             (long long)v.rows);
    int64_t col = hk_batch_view_column_index(&v, "SyslogMessage");
    if (col < 0)
      col = hk_batch_view_column_index(&v, "Computer");
    for (int64_t row = 0; row < v.rows; row++) {
      char cell[256];
      hk_batch_view_format_cell(&v, col, row, cell, sizeof cell);
      hk_buf_appendf(cells, "%s%s", cells->len ? "|" : "", cell);
    }
    hk_batch_view_release(&v);
    a.release(&a);
  }
  schema.release(&schema);
  st.release(&st);
  th_config_free(cfg);
  return rc;
}

static void
test_provider(void)
{
  char dir[] = "/tmp/hk-syslog-unit.XXXXXX", path[256], sizes[128], em[600];
  if (!mkdtemp(dir))
    abort();
  snprintf(path, sizeof path, "%s/five.log", dir);
  FILE *f = fopen(path, "w");
  fputs("Mar  1 00:00:01 h1 a: one\nMar  1 00:00:02 h2 a: two\n"
        "Mar  1 00:00:03 h1 a: three\nMar  1 00:00:04 h3 a: four\n"
        "Mar  1 00:00:05 h1 b: five\n",
        f);
  fclose(f);
  hk_buf cells = HK_BUF_INIT;

  is_int(run_provider(path, NULL, NULL, 2, 0, sizes, sizeof sizes, &cells, em,
                      sizeof em),
         HK_OK, "provider: runs");
  is_str(sizes, "2,2,1", "batch_rows=2: five rows in three batches");
  is_str(cells.data, "one|two|three|four|five", "rows in file order");

  hk_buf_reset(&cells);
  run_provider(path, NULL, NULL, 2, 3, sizes, sizeof sizes, &cells, em,
               sizeof em);
  is_str(cells.data, "one|two|three", "row limit 3 stops reading");

  hk_buf_reset(&cells);
  run_provider(path, "hosts", "true", 2, 0, sizes, sizeof sizes, &cells, em,
               sizeof em);
  is_str(sizes, "2,1", "hosts=true: three hosts in batches of two");
  is_str(cells.data, "h1|h2|h3", "hosts in order of first appearance");

  hk_buf_reset(&cells);
  th_cancel_after = 1;
  int rc = run_provider(path, NULL, NULL, 2, 0, sizes, sizeof sizes, &cells, em,
                        sizeof em);
  th_cancel_after = -1;
  is_int(rc, HK_E_FAIL, "cancellation stops the stream");
  is_str(sizes, "2", "the batch before it is delivered");
  like(em, "syslog: canceled after 2 rows", "cancellation: message");

  /* a line longer than the 1 MiB read buffer */
  snprintf(path, sizeof path, "%s/huge.log", dir);
  f = fopen(path, "w");
  fputs("Mar  1 00:00:01 h1 a: ", f);
  for (int i = 0; i < (3 << 20) / 16; i++)
    fputs("0123456789abcdef", f);
  fputs("\nMar  1 00:00:02 h1 a: after\n", f);
  fclose(f);
  hk_buf_reset(&cells);
  run_provider(path, NULL, NULL, 0, 0, sizes, sizeof sizes, &cells, em,
               sizeof em);
  is_str(sizes, "2", "a 3 MiB line and the next one");
  ok(cells.len > 255 && !strcmp(cells.data + cells.len - 6, "|after"),
     "the line after the long one is intact");

  hk_buf_free(&cells);
  th_host_cleanup();
  unlink(path);
  snprintf(path, sizeof path, "%s/five.log", dir);
  unlink(path);
  rmdir(dir);
}

int
main(void)
{
  plan_lazy();
  test_3164();
  test_new_year();
  test_5424();
  test_names();
  test_provider();
  hk_buf_free(&sd);
  return done_testing();
}
