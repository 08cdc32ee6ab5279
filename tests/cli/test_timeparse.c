/*
 * tests/cli/test_timeparse.c -- the --from/--to grammar with a fixed
 * "now".  Expected values were computed independently with Python:
 *   datetime(2024,3,4,5,6,7,tzinfo=timezone.utc).timestamp() == 1709528767
 */
#include "config.h"

#include "../../host/timeparse.h"
#include "../tap.h"

/* 2024-03-04T05:06:07.654321Z, a Monday. */
#define NOW (INT64_C(1709528767) * 1000000 + 654321)
#define S(x) (INT64_C(x) * 1000000)

static void
is_time(const char *text, int64_t want)
{
  hk_error err;
  int64_t got = 0;
  int rc;
  hk_error_clear(&err);
  rc = hk_time_parse(text, NOW, &got, &err);
  if (!ok(rc == HK_OK && got == want, "%s", text))
    diag("  rc %d, got %lld, want %lld (%s)", rc, (long long)got,
         (long long)want, err.msg);
}

static void
is_error(const char *text, const char *want_msg)
{
  hk_error err;
  int64_t got = 0;
  int rc;
  hk_error_clear(&err);
  rc = hk_time_parse(text, NOW, &got, &err);
  ok(rc == HK_E_INVAL, "'%s' is refused", text);
  is_str(err.msg, want_msg, "'%s': message", text);
}

int
main(void)
{
  char buf[64];

  (void)plan;
  plan_lazy();

  /* ISO-8601 */
  is_time("2024-03-04", S(1709510400));
  is_time("2024-03-04T05:06:07Z", S(1709528767));
  is_time("2024-03-04t05:06:07z", S(1709528767));
  is_time("2024-03-04 05:06:07Z", S(1709528767));
  is_time("2024-03-04T05:06:07", S(1709528767));
  is_time("2024-03-04T05:06", S(1709528760));
  is_time("2024-03-04T05:06:07.5Z", S(1709528767) + 500000);
  is_time("2024-03-04T05:06:07.1234567Z", S(1709528767) + 123456);
  is_time("2024-03-04T05:06:07,25Z", S(1709528767) + 250000);
  is_time("2024-03-04T05:06:07+02:00", S(1709521567));
  is_time("2024-03-04T05:06:07+0200", S(1709521567));
  is_time("2024-03-04T05:06:07+02", S(1709521567));
  is_time("2024-03-04T05:06:07-05:30", S(1709548567));
  is_time("2024-02-29T23:59:59Z", S(1709251199));
  is_time("1970-01-01", 0);
  is_time("1969-12-31T23:59:59.999999Z", -1);
  is_time("2000-02-29", S(951782400));

  /* epoch seconds */
  is_time("1709528767", S(1709528767));
  is_time("1709528767.25", S(1709528767) + 250000);
  is_time("0000000000", 0);

  /* now and relative */
  is_time("now", NOW);
  is_time("-7d", NOW - S(7 * 86400));
  is_time("-3h", NOW - S(3 * 3600));
  is_time("-30m", NOW - S(1800));
  is_time("-2w", NOW - S(14 * 86400));
  is_time("-45s", NOW - S(45));
  is_time("+1h", NOW + S(3600));
  is_time("-0d", NOW);

  /* calendar months and years (MSTICPy's mon and y units); Python:
   * datetime(2024,2,4,5,6,7,654321,tzinfo=utc).timestamp() etc. */
  is_time("-1mon", NOW - S(29 * 86400));   /* 2024-02-04 */
  is_time("-12mon", NOW - S(366 * 86400)); /* 2023-03-04 */
  is_time("-1y", NOW - S(366 * 86400));    /* 2023-03-04 */
  is_time("+1mon", NOW + S(31 * 86400));   /* 2024-04-04 */
  is_time("-1mon@d", S(1707004800));       /* 2024-02-04 */
  is_time("-3mon@mon", S(1701388800));     /* 2023-12-01 */
  is_time("-1y@y", S(1672531200));         /* 2023-01-01 */
  {
    /* From 2024-03-31: a month back is 2024-02-29 (the last day), a year
     * back from 2024-02-29 is 2023-02-28. */
    int64_t got = 0;
    hk_error e;
    hk_error_clear(&e);
    ok(hk_time_parse("-1mon", S(1711843200), &got, &e) == HK_OK &&
           got == S(1709164800),
       "-1mon from 03-31 is 02-29");
    ok(hk_time_parse("-1y", S(1709164800), &got, &e) == HK_OK &&
           got == S(1677542400),
       "-1y from 2024-02-29 is 2023-02-28");
  }

  /* rounding (down, UTC) */
  is_time("now@d", S(1709510400));
  is_time("@d", S(1709510400));
  is_time("now@h", S(1709528400));
  is_time("now@m", S(1709528760));
  is_time("now@s", S(1709528767));
  is_time("now@w", S(1709510400)); /* Monday 2024-03-04 */
  is_time("-1d@w", S(1708905600)); /* Sunday 03-03 -> Monday 02-26 */
  is_time("now@mon", S(1709251200));
  is_time("now@y", S(1704067200));
  is_time("-7d@d", S(1708905600));
  is_time("-1h@h", S(1709524800));
  is_time("-5d@mon", S(1706745600)); /* 2024-02-28 -> 2024-02-01 */

  /* errors say what was wrong and what is expected */
  is_error("", "empty time: expected ISO-8601 (2024-03-04 or "
               "2024-03-04T05:06:07Z), epoch seconds (1709528767), now, or "
               "a relative time (-7d, -3h, -30m@m, now@d)");
  is_error("yesterday",
           "cannot read 'yesterday' as a time: expected ISO-8601 "
           "(2024-03-04 or 2024-03-04T05:06:07Z), epoch seconds "
           "(1709528767), now, or a relative time (-7d, -3h, -30m@m, "
           "now@d)");
  is_error("2024-13-01",
           "cannot read '2024-13-01' as a time: month 13 is out of range "
           "(01-12)");
  is_error("2023-02-29", "cannot read '2023-02-29' as a time: day 29 is out "
                         "of range for 2023-02 (01-28)");
  is_error("2024-03-04T24:00:00Z",
           "cannot read '2024-03-04T24:00:00Z' as a time: 24:00:00 is not a "
           "time of day (00:00:00-23:59:59)");
  is_error("2024-03-04T05:06:07.12345678Z",
           "cannot read '2024-03-04T05:06:07.12345678Z' as a time: at most 7 "
           "fractional digits are allowed");
  is_error("2024-03-04T05:06:07+25:00",
           "cannot read '2024-03-04T05:06:07+25:00' as a time: UTC offset "
           "25:00 is out of range");
  is_error("2024-03-04X", "cannot read '2024-03-04X' as a time: unexpected "
                          "'X' at the end (expected ISO-8601 (2024-03-04 or "
                          "2024-03-04T05:06:07Z), epoch seconds (1709528767), "
                          "now, or a relative time (-7d, -3h, -30m@m, "
                          "now@d))");
  is_error("-7x", "cannot read '-7x' as a time: unknown unit 'x' (use s, m, "
                  "h, d, w, mon or y, e.g. -7d)");
  is_error("-7days", "cannot read '-7days' as a time: unknown unit 'days' "
                     "(use s, m, h, d, w, mon or y, e.g. -7d)");
  is_error("-2months", "cannot read '-2months' as a time: unknown unit "
                       "'months' (use s, m, h, d, w, mon or y, e.g. -7d)");
  is_error("-d", "cannot read '-d' as a time: a number must follow '-' (e.g. "
                 "-7d)");
  is_error("-7d@q", "cannot read '-7d@q' as a time: unknown rounding '@q' "
                    "(use @s, @m, @h, @d, @w, @mon or @y)");
  is_error("now+1", "cannot read 'now+1' as a time: unexpected '+1' (a "
                    "relative time may end in a rounding such as @d)");
  is_error("170952876", "cannot read '170952876' as a time: expected "
                        "ISO-8601 (2024-03-04 or 2024-03-04T05:06:07Z), "
                        "epoch seconds (1709528767), now, or a relative time "
                        "(-7d, -3h, -30m@m, now@d)");
  is_error("-9999999999d", "cannot read '-9999999999d' as a time: the amount "
                           "is too large");

  /* formatting */
  is_str(hk_time_format(S(1709528767), buf, sizeof buf), "2024-03-04T05:06:07Z",
         "format whole seconds");
  is_str(hk_time_format(S(1709528767) + 1500, buf, sizeof buf),
         "2024-03-04T05:06:07.001500Z", "format with a fraction");
  is_str(hk_time_format(-1, buf, sizeof buf), "1969-12-31T23:59:59.999999Z",
         "format before the epoch");
  return done_testing();
}
