/*
 * tests/host/test_log.c -- log format, levels, secret redaction, escaping,
 * long lines and repeated-message suppression.  Messages from instances
 * (prefix, warn counter) are covered in test_registry.
 */
#include "../../host/internal.h"
#include "../tap.h"
#include "util.h"

static void
test_format_and_levels(void)
{
  is_int(hk_log_get_level(), HK_LOG_WARN, "default level is warn");
  capture_start();
  hk_log_msg(NULL, HK_LOG_WARN, "disk %s at %d%%", "full", 99);
  hk_log_msg(NULL, HK_LOG_ERROR, "cannot open %s", "x.csv");
  hk_log_msg(NULL, HK_LOG_INFO, "not shown at the default level");
  hk_log_set_level(HK_LOG_INFO);
  hk_log_msg(NULL, HK_LOG_INFO, "now shown");
  hk_log_msg(NULL, HK_LOG_DEBUG, "debug still hidden");
  hk_log_set_level(HK_LOG_DEBUG);
  hk_log_msg(NULL, HK_LOG_DEBUG, "debug shown");
  hk_log_set_level(HK_LOG_ERROR);
  hk_log_msg(NULL, HK_LOG_WARN, "-q hides warnings");
  hk_log_msg(NULL, HK_LOG_ERROR, "-q keeps errors");
  char *out = capture_stop();
  is_str(out,
         "huntkit: warning: disk full at 99%\n"
         "huntkit: error: cannot open x.csv\n"
         "huntkit: info: now shown\n"
         "huntkit: debug: debug shown\n"
         "huntkit: error: -q keeps errors\n",
         "format and level filtering");
  free(out);
  hk_log_set_level(42);
  is_int(hk_log_get_level(), HK_LOG_DEBUG, "level clamped to debug");
  hk_log_set_level(-3);
  is_int(hk_log_get_level(), HK_LOG_ERROR, "level clamped to error");
  hk_log_set_level(HK_LOG_WARN);
  is_int(hk_log_warn_count(), 0, "host messages do not count as warnings");
}

static void
test_secrets(void)
{
  hk_log_add_secret("hunter2-xyz");
  hk_log_add_secret("abcdef12");
  hk_log_add_secret("abcdef1234");
  hk_log_add_secret("abcdef12"); /* twice: kept once */
  hk_log_add_secret("");
  hk_log_add_secret(NULL);

  capture_start();
  hk_log_msg(NULL, HK_LOG_WARN, "token=%s and again %s", "hunter2-xyz",
             "hunter2-xyz");
  hk_log_msg(NULL, HK_LOG_WARN, "longer secret %s wins", "abcdef1234");
  char *out = capture_stop();
  is_str(out,
         "huntkit: warning: token=*** and again ***\n"
         "huntkit: warning: longer secret *** wins\n",
         "secrets replaced in log lines");
  ok(strstr(out, "hunter2") == NULL, "no trace of the secret");
  free(out);

  char m1[64] = "cut inside abcde";
  hk_log_redact(m1, sizeof m1);
  is_str(m1, "cut inside ***", "a message cut inside a secret");
  char m2[64] = "ends with abc";
  hk_log_redact(m2, sizeof m2);
  is_str(m2, "ends with abc", "3 bytes are too few to count as a cut secret");

  hk_log_add_secret("ab");
  char m3[5] = "xabx";
  hk_log_redact(m3, sizeof m3);
  is_str(m3, "x***", "growth is cut at the buffer size");
  char m4[2] = "a";
  hk_log_redact(m4, sizeof m4);
  is_str(m4, "a", "nothing to replace");
  hk_log_redact(NULL, 10);
  ok(1, "NULL message tolerated");
}

static void
test_escaping_and_long_lines(void)
{
  capture_start();
  hk_log_msg(NULL, HK_LOG_WARN, "line1\nline2\x1b[31mred\tgo\x7f");
  char *out = capture_stop();
  is_str(out, "huntkit: warning: line1\\x0aline2\\x1b[31mred\tgo\\x7f\n",
         "control characters escaped, tab kept");
  free(out);

  /* 10000 bytes with a secret across the 4096-byte cut. */
  static char big[10001];
  memset(big, 'a', sizeof big - 1);
  memcpy(big + 4090, "SECRET-across-the-cut", 21);
  hk_log_add_secret("SECRET-across-the-cut");
  capture_start();
  hk_log_msg(NULL, HK_LOG_WARN, "%s", big);
  out = capture_stop();
  size_t len = strlen(out);
  ok(len > 4000 && len < 4200, "long line cut to about 4 KiB (%zu)", len);
  ok(len > 7 && strcmp(out + len - 7, " [...]\n") == 0,
     "cut marker at the end");
  ok(strstr(out, "SECRET") == NULL, "no part of the secret at the cut");
  ok(strstr(out, "aaa***") != NULL, "redacted before cutting");
  free(out);
}

static void
test_repeats(void)
{
  capture_start();
  for (int i = 0; i < 8; i++)
    hk_log_msg(NULL, HK_LOG_WARN, "row %d is bad", 7);
  hk_log_msg(NULL, HK_LOG_WARN, "something else");
  for (int i = 0; i < 6; i++)
    hk_log_msg(NULL, HK_LOG_WARN, "again");
  hk_log_msg(NULL, HK_LOG_ERROR, "again"); /* another level: not identical */
  hk_log_flush(NULL);
  char *out = capture_stop();
  is_str(out,
         "huntkit: warning: row 7 is bad\n"
         "huntkit: warning: row 7 is bad\n"
         "huntkit: warning: row 7 is bad\n"
         "huntkit: warning: row 7 is bad\n"
         "huntkit: warning: row 7 is bad\n"
         "huntkit: warning: (further identical messages suppressed)\n"
         "huntkit: warning: (3 more identical messages were suppressed)\n"
         "huntkit: warning: something else\n"
         "huntkit: warning: again\n"
         "huntkit: warning: again\n"
         "huntkit: warning: again\n"
         "huntkit: warning: again\n"
         "huntkit: warning: again\n"
         "huntkit: warning: (further identical messages suppressed)\n"
         "huntkit: warning: (1 more identical message was suppressed)\n"
         "huntkit: error: again\n",
         "five copies, then one notice, then a count");
  free(out);
  is_str(hk_log_level_name(HK_LOG_WARN), "warning", "level name");
  is_str(hk_log_level_name(HK_LOG_DEBUG), "debug", "level name");
}

int
main(void)
{
  (void)plan;
  plan_lazy();
  test_format_and_levels();
  test_secrets();
  test_escaping_and_long_lines();
  test_repeats();
  return done_testing();
}
