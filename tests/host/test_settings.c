/*
 * tests/host/test_settings.c -- finding and reading huntkit.yaml and
 * conf.d files: values, search order, and errors naming file and line.
 */
#include "../../host/internal.h"
#include "../tap.h"
#include "util.h"

#include <errno.h>

static char *root;

/* A fresh config dir under `root` named `name`. */
static const char *
new_conf_dir(const char *name)
{
  static char dirs[16][4096];
  static int n;
  char *d = dirs[n++ % 16];
  snprintf(d, sizeof dirs[0], "%s/%s", root, name);
  mkdir(d, 0755);
  return d;
}

static void
put(const char *dir, const char *rel, const char *text)
{
  const char *p = pathf("%s/%s", dir, rel);
  if (strncmp(rel, "conf.d/", 7) == 0)
    mkdir(pathf("%s/conf.d", dir), 0755);
  write_file(p, text);
}

/* Load `dir` and return the error message ("" when it loaded). */
static const char *
load_err(const char *dir)
{
  static hk_error e;
  hk_settings s;
  hk_error_clear(&e);
  int rc = hk_settings_load(dir, &s, &e);
  if (rc == HK_OK)
    hk_settings_free(&s);
  else
    ok(s.config_dir == NULL && s.plugin_dirs == NULL,
       "a failed load leaves nothing to free");
  return e.msg;
}

static void
test_full(void)
{
  const char *d = new_conf_dir("full");
  put(d, "huntkit.yaml",
      "# comment\n"
      "plugin_dirs:\n"
      "  - plugins\n"
      "  - /opt/hk/plugins\n"
      "  - ~/hkp\n"
      "  - plugins\n"
      "query_dirs: [queries, /srv/q]\n"
      "cache_dir: cache\n"
      "log_level: debug\n");
  put(d, "conf.d/vt.yaml",
      "plugin: virustotal\n"
      "instance: vt_primary\n"
      "config:\n"
      "  api_key: ${env:VT_KEY}\n"
      "  timeout: 30s\n"
      "  types: [ipv4, dns]\n"
      "  unset:\n"
      "  quoted: ''\n");
  put(d, "conf.d/where.yml", "plugin: where\nenabled: no\n");
  put(d, "conf.d/empty.yaml", "");
  put(d, "conf.d/comment.yaml", "# nothing here yet\n");
  put(d, "conf.d/notes.txt", "not: yaml: at all: [\n");
  put(d, "conf.d/.hidden.yaml", "plugin: [\n");

  setenv("HOME", "/home/tester", 1);
  setenv("HUNTKIT_PLUGIN_PATH", "/env/a::relative/dir:/env/b:/opt/hk/plugins",
         1);
  hk_settings s;
  hk_error e;
  capture_start();
  int rc = hk_settings_load(d, &s, &e);
  char *err = capture_stop();
  is_int(rc, HK_OK, "full config loads");
  if (rc != HK_OK) {
    diag("%s", e.msg);
    free(err);
    return;
  }
  char *real = realpath(d, NULL);
  is_str(s.config_dir, real, "config_dir is absolute");
  is_str(s.config_file, pathf("%s/huntkit.yaml", real), "config_file");
  is_int(s.n_plugin_dirs, 6, "6 plugin dirs (duplicates dropped)");
  if (s.n_plugin_dirs == 6) {
    is_str(s.plugin_dirs[0], pathf("%s/plugins", real),
           "relative dir resolved against the config dir");
    is_str(s.plugin_dirs[1], "/opt/hk/plugins", "absolute dir kept");
    is_str(s.plugin_dirs[2], "/home/tester/hkp", "~ expanded");
    is_str(s.plugin_dirs[3], "/env/a", "HUNTKIT_PLUGIN_PATH first entry");
    is_str(s.plugin_dirs[4], "/env/b", "HUNTKIT_PLUGIN_PATH second entry");
    is_str(s.plugin_dirs[5], PKGLIBDIR "/plugins", "built-in dir last");
  }
  is_str(err,
         "huntkit: warning: HUNTKIT_PLUGIN_PATH: ignoring 'relative/dir': "
         "plugin directories must be absolute paths\n",
         "relative HUNTKIT_PLUGIN_PATH entry warned about");
  is_int(s.n_query_dirs, 2, "2 query dirs");
  if (s.n_query_dirs == 2) {
    is_str(s.query_dirs[0], pathf("%s/queries", real), "query dir resolved");
    is_str(s.query_dirs[1], "/srv/q", "absolute query dir");
  }
  is_str(s.cache_dir, pathf("%s/cache", real), "cache_dir resolved");
  is_int(s.log_level, HK_LOG_DEBUG, "log_level debug");
  is_int(s.n_instances, 2, "two instance files (empty ones skipped)");
  if (s.n_instances == 2) {
    const hk_instance_conf *vt = &s.instances[0], *w = &s.instances[1];
    is_str(vt->file, pathf("%s/conf.d/vt.yaml", real), "instance file");
    is_int(vt->line, 1, "line of 'plugin:'");
    is_str(vt->plugin, "virustotal", "plugin");
    is_str(vt->instance, "vt_primary", "instance");
    is_int(vt->enabled, 1, "enabled by default");
    is_int(vt->n_items, 4, "4 config items (null skipped)");
    if (vt->n_items == 4) {
      is_str(vt->items[0].key, "api_key", "item key");
      is_str(vt->items[0].value, "${env:VT_KEY}", "references kept as text");
      is_int(vt->items[0].line, 4, "item line");
      is_str(vt->items[1].value, "30s", "scalar item");
      ok(vt->items[2].value == NULL, "list item has no value");
      is_int(vt->items[2].n_items, 2, "list of 2");
      is_str(vt->items[2].items[1], "dns", "list item");
      is_int(vt->items[2].line, 6, "list line");
      is_str(vt->items[3].key, "quoted", "quoted empty string kept");
      is_str(vt->items[3].value, "", "as an empty value");
    }
    is_str(w->plugin, "where", "second file (.yml)");
    is_str(w->instance, "where", "instance defaults to the plugin");
    is_int(w->enabled, 0, "enabled: no");
    is_int(w->n_items, 0, "no config");
  }
  hk_settings_free(&s);
  free(real);
  free(err);
  unsetenv("HUNTKIT_PLUGIN_PATH");
}

static void
test_file_and_empty(void)
{
  hk_settings s;
  hk_error e;
  const char *d = new_conf_dir("asfile");
  put(d, "main.yaml", "log_level: warn\n");
  put(d, "conf.d/a.yaml", "plugin: file\n");
  is_int(hk_settings_load(pathf("%s/main.yaml", d), &s, &e), HK_OK,
         "a file as --config");
  char *real = realpath(d, NULL);
  is_str(s.config_file, pathf("%s/main.yaml", real), "the file is used");
  is_str(s.config_dir, real, "its directory is the config dir");
  is_int(s.n_instances, 1, "its conf.d is read");
  is_int(s.log_level, HK_LOG_WARN, "log_level warn");
  hk_settings_free(&s);
  free(real);

  d = new_conf_dir("empty");
  is_int(hk_settings_load(d, &s, &e), HK_OK, "an empty dir is fine");
  ok(s.config_file == NULL, "no huntkit.yaml");
  is_int(s.n_instances, 0, "no instances");
  is_int(s.log_level, -1, "log_level unset");
  is_int(s.n_plugin_dirs, 1, "only the built-in plugin dir");
  hk_settings_free(&s);

  put(d, "huntkit.yaml", "");
  is_str(load_err(d), "", "an empty huntkit.yaml is fine");
  put(d, "huntkit.yaml", "---\n...\n");
  is_str(load_err(d), "", "an empty document is fine");
  put(d, "huntkit.yaml", "plugin_dirs:\nlog_level: ~\ncache_dir: null\n");
  is_str(load_err(d), "", "null values mean unset");
}

static void
test_errors(void)
{
  const char *d = new_conf_dir("errors");
  char *real = realpath(d, NULL);
  char main_file[4200];
  snprintf(main_file, sizeof main_file, "%s/huntkit.yaml", real);
  char want[8192];

  put(d, "huntkit.yaml", "log_level: info\nplugins_dir: [x]\n");
  snprintf(want, sizeof want,
           "%s:2: unknown key 'plugins_dir' (known keys: plugin_dirs, "
           "query_dirs, cache_dir, log_level)",
           main_file);
  is_str(load_err(d), want, "unknown top-level key");

  put(d, "huntkit.yaml", "plugin_dirs: /opt/x\n");
  snprintf(want, sizeof want,
           "%s:1: key 'plugin_dirs' must be a list of directories (e.g. "
           "[/opt/huntkit/plugins])",
           main_file);
  is_str(load_err(d), want, "plugin_dirs must be a list");

  put(d, "huntkit.yaml", "query_dirs:\n  - a\n  - [b]\n");
  snprintf(want, sizeof want,
           "%s:3: key 'query_dirs': every item must be a directory path",
           main_file);
  is_str(load_err(d), want, "list item must be a path");

  put(d, "huntkit.yaml", "\n\nlog_level: loud\n");
  snprintf(want, sizeof want,
           "%s:3: key 'log_level' must be one of error|warn|info|debug, got "
           "'loud'",
           main_file);
  is_str(load_err(d), want, "bad log level");

  put(d, "huntkit.yaml", "cache_dir: [a]\n");
  snprintf(want, sizeof want, "%s:1: key 'cache_dir' must be a directory path",
           main_file);
  is_str(load_err(d), want, "cache_dir must be a path");

  put(d, "huntkit.yaml", "- a\n- b\n");
  snprintf(want, sizeof want,
           "%s:1: the top level must be a mapping of keys (plugin_dirs, "
           "query_dirs, cache_dir, log_level)",
           main_file);
  is_str(load_err(d), want, "top level must be a mapping");

  put(d, "huntkit.yaml", "log_level: info\ncache_dir: a\nlog_level: warn\n");
  snprintf(want, sizeof want,
           "%s:3: key 'log_level' appears twice (first at line 1)", main_file);
  is_str(load_err(d), want, "duplicate key");

  put(d, "huntkit.yaml", "log_level: info\nplugin_dirs: [a, b\n");
  snprintf(want, sizeof want, "%s:3:1: YAML syntax error: ", main_file);
  like(load_err(d), want, "syntax error names file, line and column");

  put(d, "huntkit.yaml", "log_level: info\n---\nlog_level: warn\n");
  snprintf(want, sizeof want,
           "%s:3: a second YAML document ('---') is not allowed: put "
           "everything in one",
           main_file);
  is_str(load_err(d), want, "second document refused");

  put(d, "huntkit.yaml", "");
  char vt[4200];
  snprintf(vt, sizeof vt, "%s/conf.d/vt.yaml", real);

  put(d, "conf.d/vt.yaml", "plugin: virustotal\n\n\nconfig: [a, b]\n");
  snprintf(want, sizeof want, "%s:4: key 'config' must be a mapping", vt);
  is_str(load_err(d), want, "config must be a mapping (the brief's example)");

  put(d, "conf.d/vt.yaml", "plugin: virustotal\nworkers: 2\n");
  snprintf(want, sizeof want,
           "%s:2: unknown key 'workers' (known keys: plugin, instance, "
           "enabled, config)",
           vt);
  is_str(load_err(d), want, "unknown conf.d key");

  put(d, "conf.d/vt.yaml", "instance: a\nconfig:\n  k: v\n");
  snprintf(want, sizeof want,
           "%s:1: missing key 'plugin' (the plugin this file enables, e.g. "
           "`plugin: virustotal`)",
           vt);
  is_str(load_err(d), want, "missing plugin key");

  put(d, "conf.d/vt.yaml", "plugin: Virus-Total\n");
  snprintf(want, sizeof want,
           "%s:1: key 'plugin' must be a plugin name ([a-z][a-z0-9_]*, see "
           "`huntkit plugins list`), got 'Virus-Total'",
           vt);
  is_str(load_err(d), want, "bad plugin name");

  put(d, "conf.d/vt.yaml", "plugin: vt\ninstance: a:b\n");
  snprintf(want, sizeof want,
           "%s:2: key 'instance' must be a name of letters, digits, '_', '-' "
           "or '.', got 'a:b'",
           vt);
  is_str(load_err(d), want, "bad instance name");

  put(d, "conf.d/vt.yaml", "plugin: vt\nenabled: maybe\n");
  snprintf(want, sizeof want,
           "%s:2: key 'enabled' must be true or false, got 'maybe'", vt);
  is_str(load_err(d), want, "bad enabled");

  put(d, "conf.d/vt.yaml",
      "plugin: vt\nconfig:\n  a: 1\n  nested:\n    b: 2\n");
  snprintf(want, sizeof want,
           "%s:5: key 'config.nested' must be a value or a list of values, "
           "not a mapping",
           vt);
  is_str(load_err(d), want, "nested mapping refused");

  put(d, "conf.d/vt.yaml", "plugin: vt\nconfig:\n  a: [1, {b: 2}]\n");
  snprintf(want, sizeof want,
           "%s:3: key 'config.a': list items must be plain values", vt);
  is_str(load_err(d), want, "mapping in a list refused");

  put(d, "conf.d/vt.yaml", "plugin: vt\nconfig:\n  a: 1\n  a: 2\n");
  snprintf(want, sizeof want, "%s:4: key 'a' appears twice (first at line 3)",
           vt);
  is_str(load_err(d), want, "duplicate config key");

  put(d, "conf.d/vt.yaml", "plugin: vt\n");
  put(d, "conf.d/zz.yaml", "\nplugin: vt\n");
  snprintf(want, sizeof want,
           "%s/conf.d/zz.yaml:2: instance 'vt' of plugin 'vt' is already "
           "defined in %s:1 (set `instance:` to tell them apart)",
           real, vt);
  is_str(load_err(d), want, "duplicate instance across files");
  put(d, "conf.d/zz.yaml", "plugin: vt\ninstance: second\n");
  is_str(load_err(d), "", "distinct instance names are fine");

  put(d, "conf.d/vt.yaml", "just text\n");
  snprintf(want, sizeof want,
           "%s:1: the top level must be a mapping of keys (plugin, instance, "
           "enabled, config)",
           vt);
  is_str(load_err(d), want, "a scalar conf.d file");

  rm_rf(pathf("%s/conf.d", d));
  write_file(pathf("%s/conf.d", d), "a file, not a dir\n");
  snprintf(want, sizeof want, "%s/conf.d: cannot read: Not a directory", real);
  is_str(load_err(d), want, "conf.d that is a file");

  hk_settings s;
  hk_error e;
  is_int(hk_settings_load(pathf("%s/absent", root), &s, &e), HK_E_CONFIG,
         "missing --config");
  is_str(e.msg, pathf("--config %s/absent: No such file or directory", root),
         "missing --config message");
  setenv("HUNTKIT_CONFIG", pathf("%s/absent2", root), 1);
  is_int(hk_settings_load(NULL, &s, &e), HK_E_CONFIG, "missing HUNTKIT_CONFIG");
  is_str(e.msg,
         pathf("HUNTKIT_CONFIG=%s/absent2: No such file or directory (unset "
               "it or point it at a config directory)",
               root),
         "missing HUNTKIT_CONFIG message");
  unsetenv("HUNTKIT_CONFIG");
  free(real);
}

static void
test_search_order(void)
{
  hk_settings s;
  hk_error e;
  const char *xdg = new_conf_dir("xdg");
  const char *xdg_hk = new_conf_dir("xdg/huntkit");
  put(xdg_hk, "huntkit.yaml", "log_level: info\n");
  const char *env_dir = new_conf_dir("envconf");
  put(env_dir, "huntkit.yaml", "log_level: error\n");
  const char *explicit_dir = new_conf_dir("explicit");
  put(explicit_dir, "huntkit.yaml", "log_level: debug\n");

  setenv("XDG_CONFIG_HOME", xdg, 1);
  setenv("HUNTKIT_CONFIG", env_dir, 1);
  is_int(hk_settings_load(explicit_dir, &s, &e), HK_OK, "explicit");
  is_int(s.log_level, HK_LOG_DEBUG, "--config wins over everything");
  hk_settings_free(&s);
  is_int(hk_settings_load(NULL, &s, &e), HK_OK, "env");
  is_int(s.log_level, HK_LOG_ERROR, "then $HUNTKIT_CONFIG");
  hk_settings_free(&s);
  unsetenv("HUNTKIT_CONFIG");
  is_int(hk_settings_load(NULL, &s, &e), HK_OK, "xdg");
  is_int(s.log_level, HK_LOG_INFO, "then $XDG_CONFIG_HOME/huntkit");
  hk_settings_free(&s);

  setenv("XDG_CONFIG_HOME", pathf("%s/nothing-here", root), 1);
  struct stat st;
  if (stat(SYSCONFDIR "/huntkit", &st) != 0) {
    is_int(hk_settings_load(NULL, &s, &e), HK_OK, "nothing found is fine");
    ok(s.config_dir == NULL, "no config dir");
    is_int(s.n_plugin_dirs, 1, "built-in plugin dir only");
    hk_settings_free(&s);
  } else {
    ok(1, "# SKIP " SYSCONFDIR "/huntkit exists on this machine");
  }
  unsetenv("XDG_CONFIG_HOME");
}

int
main(void)
{
  (void)plan;
  plan_lazy();
  root = tmpdir_new();
  unsetenv("HUNTKIT_CONFIG");
  unsetenv("HUNTKIT_PLUGIN_PATH");
  test_full();
  test_file_and_empty();
  test_errors();
  test_search_order();
  rm_rf(root);
  free(root);
  return done_testing();
}
