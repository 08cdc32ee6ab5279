/*
 * tests/host/test_config.c -- hk_config: typed parsing, defaults, choices,
 * lists, paths, ${env:}/${file:} references, secrets and the exact error
 * messages.
 */
#include "../../host/internal.h"
#include "../tap.h"
#include "util.h"

static const hk_param schema[] = {
    {"n", HK_PT_INT, 0, "5", NULL, "a count"},
    {"ratio", HK_PT_FLOAT, 0, NULL, NULL, "a ratio"},
    {"verbose", HK_PT_BOOL, 0, "no", NULL, "chatty"},
    {"timeout", HK_PT_DURATION, 0, "30s", NULL, "how long"},
    {"columns", HK_PT_LIST, 0, "a,b", NULL, "which"},
    {"path", HK_PT_PATH, 0, NULL, NULL, "a file"},
    {"on_error", HK_PT_STRING, 0, "skip", "skip|fail", "what to do"},
    {"api_key", HK_PT_STRING, HK_P_SECRET | HK_P_REQUIRED, NULL, NULL, "key"},
    {"expr", HK_PT_STRING, HK_P_REST, NULL, NULL, "free text"},
    {"modes", HK_PT_LIST, 0, NULL, "r|w|x", "modes"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define ORIGIN "conf.d/vt.yaml:7 (virustotal)"
#define KNOWN                                                                  \
  "n, ratio, verbose, timeout, columns, path, on_error, api_key, expr, modes"

static void
test_defaults(void)
{
  hk_config *c = hk_config_new(schema);
  int64_t i = 0;
  double f = 0;
  int b = -1;
  const char *const *items;
  is_int(hk_config_get_int(c, "n", &i), HK_OK, "default int readable");
  is_int(i, 5, "default n = 5");
  is_int(hk_config_is_set(c, "n"), 0, "a default is not 'set'");
  is_int(hk_config_get_bool(c, "verbose", &b), HK_OK, "default bool");
  is_int(b, 0, "default verbose = no");
  is_int(hk_config_get_int(c, "timeout", &i), HK_OK, "default duration");
  is_int(i, 30000, "30s reads as 30000 ms");
  is_int(hk_config_get_list(c, "columns", &items), 2, "default list: 2 items");
  is_str(items[0], "a", "first default item");
  is_str(items[1], "b", "second default item");
  is_str(hk_config_get_string(c, "on_error"), "skip", "default string");
  is_int(hk_config_get_float(c, "ratio", &f), HK_E_NOTFOUND,
         "unset float without default: NOTFOUND");
  ok(hk_config_get_string(c, "path") == NULL, "unset path: NULL");
  is_int(hk_config_get_list(c, "modes", &items), 0, "unset list: 0 items");
  ok(items == NULL, "unset list: items NULL");
  is_str(hk_config_rest_param(c), "expr", "rest parameter");
  ok(hk_config_schema(c) == schema, "schema is the one given");
  hk_config_free(c);

  hk_config *none = hk_config_new(NULL);
  hk_error e;
  is_int(hk_config_set_text(none, "x", "1", "stage 1 (head)", &e), HK_E_CONFIG,
         "key on an empty schema");
  is_str(e.msg, "stage 1: unknown key 'x' for head (known keys: none)",
         "empty schema message");
  ok(hk_config_rest_param(none) == NULL, "no rest parameter");
  hk_config_free(none);
}

/* Set `key` to `value`; return the error message ("" on success). */
static const char *
set_err(hk_config *c, const char *key, const char *value)
{
  static hk_error e;
  hk_error_clear(&e);
  hk_config_set_text(c, key, value, ORIGIN, &e);
  return e.msg;
}

static void
test_types(void)
{
  hk_config *c = hk_config_new(schema);
  int64_t i;
  double f;
  int b;

  is_str(set_err(c, "n", "42"), "", "n=42 accepted");
  hk_config_get_int(c, "n", &i);
  is_int(i, 42, "n reads 42");
  is_int(hk_config_is_set(c, "n"), 1, "n is set");
  is_str(hk_config_get_string(c, "n"), "42", "n as text");
  is_str(set_err(c, "n", "-7"), "", "negative int");
  hk_config_get_int(c, "n", &i);
  is_int(i, -7, "n reads -7");
  is_str(set_err(c, "n", "abc"),
         ORIGIN ": key 'n' must be an integer, got 'abc'",
         "int: exact message for text");
  hk_config_get_int(c, "n", &i);
  is_int(i, -7, "a refused value leaves the old one");
  is_str(set_err(c, "n", " 5"), ORIGIN ": key 'n' must be an integer, got ' 5'",
         "int: leading blank");
  is_str(set_err(c, "n", "5x"), ORIGIN ": key 'n' must be an integer, got '5x'",
         "int: trailing junk");
  is_str(set_err(c, "n", ""), ORIGIN ": key 'n' must be an integer, got ''",
         "int: empty");
  is_str(set_err(c, "n", "99999999999999999999"),
         ORIGIN ": key 'n' must be an integer between -9223372036854775808 and "
                "9223372036854775807, got '99999999999999999999'",
         "int: out of range");

  is_str(set_err(c, "ratio", "1.5"), "", "float 1.5");
  hk_config_get_float(c, "ratio", &f);
  ok(f == 1.5, "ratio reads 1.5");
  is_str(set_err(c, "ratio", "nan"),
         ORIGIN ": key 'ratio' must be a number, got 'nan'", "float: nan");
  is_str(set_err(c, "ratio", "1e999"),
         ORIGIN ": key 'ratio' must be a number, got '1e999'",
         "float: overflow");
  is_str(set_err(c, "n", "12"), "", "n=12");
  is_int(hk_config_get_float(c, "n", &f), HK_OK, "an int reads as float");
  ok(f == 12.0, "n as float is 12");

  static const char *const yes[] = {"yes", "YES", "true", "On", "1"};
  static const char *const no[] = {"no", "False", "off", "OFF", "0"};
  for (size_t k = 0; k < 5; k++) {
    set_err(c, "verbose", yes[k]);
    b = -1;
    hk_config_get_bool(c, "verbose", &b);
    is_int(b, 1, "bool '%s' is true", yes[k]);
    set_err(c, "verbose", no[k]);
    hk_config_get_bool(c, "verbose", &b);
    is_int(b, 0, "bool '%s' is false", no[k]);
  }
  is_str(set_err(c, "verbose", "maybe"),
         ORIGIN
         ": key 'verbose' must be a boolean (true/false, yes/no, on/off, "
         "1/0), got 'maybe'",
         "bool: exact message");

  is_str(set_err(c, "timeout", "5m"), "", "duration 5m");
  hk_config_get_int(c, "timeout", &i);
  is_int(i, 300000, "5m = 300000 ms");
  is_str(hk_config_get_string(c, "timeout"), "5m", "duration text kept");
  is_str(set_err(c, "timeout", "5 m"),
         ORIGIN ": key 'timeout' must be a duration such as 250ms, 30s, 5m, 2h "
                "or 1d, got '5 m'",
         "duration: exact message");

  is_str(set_err(c, "on_error", "fail"), "", "choice 'fail'");
  is_str(set_err(c, "on_error", "x"),
         ORIGIN ": key 'on_error' must be one of skip|fail, got 'x'",
         "choices: exact message");
  is_str(set_err(c, "on_error", "ski"),
         ORIGIN ": key 'on_error' must be one of skip|fail, got 'ski'",
         "choices: a prefix is not a choice");
  is_str(hk_config_get_string(c, "on_error"), "fail", "still 'fail'");

  is_str(
      set_err(c, "nope", "1"),
      "conf.d/vt.yaml:7: unknown key 'nope' for virustotal (known keys: " KNOWN
      ")",
      "unknown key: exact message with the plugin from the origin");
  hk_error e;
  hk_config_set_text(c, "nope", "1", "stage 2", &e);
  is_str(e.msg, "stage 2: unknown key 'nope' (known keys: " KNOWN ")",
         "unknown key without a plugin in the origin");
  hk_config_set_text(c, "nope", "1", NULL, &e);
  like(e.msg, "config: unknown key 'nope'", "NULL origin reads 'config'");
  hk_config_free(c);
}

static void
test_durations(void)
{
  static const struct {
    const char *text;
    int64_t ms;
  } good[] = {{"250ms", 250},   {"30s", 30000}, {"5m", 300000}, {"2h", 7200000},
              {"1d", 86400000}, {"15", 15},     {"0", 0},       {"0s", 0}};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
    int64_t ms = -1;
    is_int(hk_parse_duration_ms(good[i].text, &ms), HK_OK, "duration '%s'",
           good[i].text);
    is_int(ms, good[i].ms, "'%s' = %lld ms", good[i].text,
           (long long)good[i].ms);
  }
  static const char *const bad[] = {
      "", "5x", "-1s", "1.5s", "s", "5S", " 5s", "5s ", "9999999999999999d"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    int64_t ms;
    is_int(hk_parse_duration_ms(bad[i], &ms), HK_E_INVAL,
           "duration '%s' refused", bad[i]);
  }
}

static void
test_lists_and_paths(void)
{
  hk_config *c = hk_config_new(schema);
  const char *const *items;
  hk_error e;

  is_str(set_err(c, "columns", " x, y ,,z ,"), "", "comma list");
  is_int(hk_config_get_list(c, "columns", &items), 3,
         "3 items, empties dropped");
  is_str(items[0], "x", "item 1 trimmed");
  is_str(items[1], "y", "item 2 trimmed");
  is_str(items[2], "z", "item 3 trimmed");
  is_str(hk_config_get_string(c, "columns"), "x,y,z", "list as text");

  const char *const two[] = {"p q", "r"};
  is_int(hk_config_set_list(c, "columns", two, 2, ORIGIN, &e), HK_OK,
         "YAML list");
  is_int(hk_config_get_list(c, "columns", &items), 2, "2 items");
  is_str(items[0], "p q", "items are not split on blanks");

  const char *const modes[] = {"r", "q"};
  is_int(hk_config_set_list(c, "modes", modes, 2, ORIGIN, &e), HK_E_CONFIG,
         "list item outside choices");
  is_str(e.msg, ORIGIN ": key 'modes' must be one of r|w|x, got 'q'",
         "list choices: exact message");
  is_str(set_err(c, "modes", "r,x"), "", "comma list within choices");
  is_str(set_err(c, "modes", "r,z"),
         ORIGIN ": key 'modes' must be one of r|w|x, got 'z'",
         "comma list item outside choices");

  is_int(hk_config_set_list(c, "n", two, 2, ORIGIN, &e), HK_E_CONFIG,
         "a list for an int");
  is_str(e.msg, ORIGIN ": key 'n' must be a single integer, not a list",
         "list for scalar: exact message");
  is_int(hk_config_set_list(c, "zz", two, 2, ORIGIN, &e), HK_E_CONFIG,
         "a list for an unknown key");
  like(e.msg, "unknown key 'zz' for virustotal", "list unknown key message");

  setenv("HOME", "/home/tester", 1);
  is_str(set_err(c, "path", "~/logs/a.csv"), "", "path with ~/");
  is_str(hk_config_get_string(c, "path"), "/home/tester/logs/a.csv",
         "~/ expanded from $HOME");
  set_err(c, "path", "~");
  is_str(hk_config_get_string(c, "path"), "/home/tester", "~ alone");
  set_err(c, "path", "~bob/x");
  is_str(hk_config_get_string(c, "path"), "~bob/x", "~user is left alone");
  set_err(c, "path", "rel/x");
  is_str(hk_config_get_string(c, "path"), "rel/x", "relative path kept");
  hk_config_free(c);
}

static void
test_references(void)
{
  char *dir = tmpdir_new();
  hk_config *c = hk_config_new(schema);

  setenv("HK_TEST_TOKEN", "tok-3f9a71c2", 1);
  unsetenv("HK_TEST_MISSING");
  is_str(set_err(c, "api_key", "${env:HK_TEST_TOKEN}"), "", "${env:} resolves");
  is_str(hk_config_get_string(c, "api_key"), "tok-3f9a71c2",
         "the plugin reads the resolved value");
  char msg[128] = "sending tok-3f9a71c2 now";
  hk_log_redact(msg, sizeof msg);
  is_str(msg, "sending *** now", "the value is registered as a secret");

  is_str(set_err(c, "expr", "Bearer ${env:HK_TEST_TOKEN}!"), "",
         "reference inside text");
  is_str(hk_config_get_string(c, "expr"), "Bearer tok-3f9a71c2!",
         "embedded reference replaced");
  is_str(set_err(c, "expr", "keep ${other} and ${env"), "",
         "other ${...} text is left alone");
  is_str(hk_config_get_string(c, "expr"), "keep ${other} and ${env",
         "literal text kept");

  is_str(set_err(c, "api_key", "${env:HK_TEST_MISSING}"),
         ORIGIN ": key 'api_key': environment variable 'HK_TEST_MISSING' is "
                "not set (referenced as ${env:HK_TEST_MISSING})",
         "missing env var: exact message");
  is_str(set_err(c, "api_key", "${env:}"),
         ORIGIN ": key 'api_key': unterminated or empty reference (write "
                "${env:NAME} or ${file:PATH})",
         "empty reference");
  is_str(set_err(c, "api_key", "${file:/x"),
         ORIGIN ": key 'api_key': unterminated or empty reference (write "
                "${env:NAME} or ${file:PATH})",
         "unterminated reference");

  const char *f1 = pathf("%s/key1", dir);
  write_file(f1, "file-secret-88d1\n");
  char ref[4200];
  snprintf(ref, sizeof ref, "${file:%s}", f1);
  is_str(set_err(c, "api_key", ref), "", "${file:} resolves");
  is_str(hk_config_get_string(c, "api_key"), "file-secret-88d1",
         "one trailing newline stripped");
  const char *f2 = pathf("%s/key2", dir);
  write_file(f2, "two-lines\n\n");
  snprintf(ref, sizeof ref, "${file:%s}", f2);
  set_err(c, "expr", ref);
  is_str(hk_config_get_string(c, "expr"), "two-lines\n",
         "only one newline stripped");
  const char *f3 = pathf("%s/key3", dir);
  write_file(f3, "crlf-secret\r\n");
  snprintf(ref, sizeof ref, "${file:%s}", f3);
  set_err(c, "expr", ref);
  is_str(hk_config_get_string(c, "expr"), "crlf-secret", "CRLF stripped");

  snprintf(ref, sizeof ref, "${file:%s/absent}", dir);
  char want[4400];
  snprintf(want, sizeof want,
           ORIGIN ": key 'api_key': cannot read ${file:%s/absent}: No such "
                  "file or directory",
           dir);
  is_str(set_err(c, "api_key", ref), want, "unreadable file: exact message");
  snprintf(ref, sizeof ref, "${file:%s}", dir);
  snprintf(want, sizeof want,
           ORIGIN ": key 'api_key': cannot read ${file:%s}: not a regular file",
           dir);
  is_str(set_err(c, "api_key", ref), want, "a directory is refused");

  /* A secret that fails type checking is never echoed. */
  setenv("HK_TEST_NOTINT", "pw-77e0c1", 1);
  const char *m = set_err(c, "n", "${env:HK_TEST_NOTINT}");
  is_str(m, ORIGIN ": key 'n' must be an integer, got '***'",
         "referenced value is not shown in a type error");
  ok(strstr(m, "pw-77e0c1") == NULL, "the secret is not in the message");

  /* A SECRET parameter's plain value is registered too. */
  is_str(set_err(c, "api_key", "plain-secret-5521"), "", "plain secret value");
  char msg2[128] = "key=plain-secret-5521";
  hk_log_redact(msg2, sizeof msg2);
  is_str(msg2, "key=***", "plain SECRET value redacted");

  hk_config_free(c);
  rm_rf(dir);
  free(dir);
}

static void
test_required_and_getters(void)
{
  hk_config *c = hk_config_new(schema);
  hk_error e;
  is_int(hk_config_check_required(c, ORIGIN, &e), HK_E_CONFIG,
         "missing required key");
  is_str(e.msg, ORIGIN ": missing required key 'api_key'",
         "required: exact message");
  set_err(c, "api_key", "k-0001");
  is_int(hk_config_check_required(c, ORIGIN, &e), HK_OK, "required satisfied");

  int64_t i;
  int b;
  const char *const *items;
  capture_start();
  int r1 = hk_config_get_int(c, "on_error", &i);
  int r2 = hk_config_get_int(c, "nosuch", &i);
  int r3 = hk_config_get_bool(c, "n", &b);
  size_t r4 = hk_config_get_list(c, "n", &items);
  long junk[16] = {0};
  int r5 = hk_config_get_int((const hk_config *)junk, "n", &i);
  ok(hk_config_get_string(NULL, "n") == NULL, "NULL config: NULL");
  char *err = capture_stop();
  is_int(r1, HK_E_INVAL, "get_int on a string parameter");
  is_int(r2, HK_E_NOTFOUND, "get_int on an unknown key");
  is_int(r3, HK_E_INVAL, "get_bool on an int parameter");
  is_int(r4, 0, "get_list on an int parameter");
  is_int(r5, HK_E_NOTFOUND, "a pointer that is not a config");
  like(err,
       "huntkit: error: plugin bug: config_get_int('on_error') on a string "
       "parameter\n",
       "type mismatch logged");
  like(err,
       "huntkit: error: plugin bug: config_get_int('nosuch'): no such key in "
       "the plugin's schema\n",
       "unknown key logged");
  like(err,
       "huntkit: error: plugin bug: config_get_int called with an invalid "
       "config handle\n",
       "bad handle logged");
  free(err);

  /* Setting again keeps the last value. */
  set_err(c, "n", "1");
  set_err(c, "n", "2");
  hk_config_get_int(c, "n", &i);
  is_int(i, 2, "the last value wins");
  hk_config_free(c);

  /* The schema check used by the loader. */
  const hk_param p = {"level", HK_PT_INT, 0, NULL, "1|2", NULL};
  is_int(hk_param_check_text(&p, "2", &e), HK_OK, "check_text: fits");
  is_int(hk_param_check_text(&p, "x", &e), HK_E_CONFIG, "check_text: not int");
  is_str(e.msg, "key 'level' must be an integer, got 'x'",
         "check_text: message has no origin");
  is_int(hk_param_check_text(&p, "3", &e), HK_E_CONFIG,
         "check_text: outside choices");
}

int
main(void)
{
  (void)plan; /* tap.h: this test counts as it goes */
  plan_lazy();
  test_defaults();
  test_types();
  test_durations();
  test_lists_and_paths();
  test_references();
  test_required_and_getters();
  return done_testing();
}
