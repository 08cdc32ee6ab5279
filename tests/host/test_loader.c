/*
 * tests/host/test_loader.c -- the loader's refusals, each with its exact
 * message, using deliberately broken plugins (tests/host/broken/, one rule
 * broken per .so) staged into private directories, plus static entries
 * for the rest of the descriptor and schema checks.  One bad plugin never
 * stops the others.
 */
#include "config.h"

#include "../../host/internal.h"
#include "../tap.h"
#include "util.h"

#include <errno.h>

static char *stage;      /* private staging root */
static char libs[4096];  /* where the built test plugins are */
static char version[16]; /* "0.1" from PACKAGE_VERSION */

/* Copy built plugin NAME.so to DIR/AS (mode `mode`); returns the path. */
static const char *
stage_so(const char *dir, const char *name, const char *as, mode_t mode)
{
  const char *to = pathf("%s/%s", dir, as);
  if (copy_file(pathf("%s/%s.so", libs, name), to, mode) != 0) {
    printf("Bail out! cannot stage %s/%s.so: %s\n", libs, name,
           strerror(errno));
    exit(1);
  }
  return to;
}

static const char *
new_dir(const char *name, mode_t mode)
{
  static char dirs[32][4096];
  static int n;
  char *d = dirs[n++ % 32];
  snprintf(d, sizeof dirs[0], "%s/%s", stage, name);
  mkdir(d, 0700);
  chmod(d, mode);
  return d;
}

/* Load `path` into `r`; return the message ("" when loaded). */
static const char *
load_msg(hk_registry *r, const char *path, int *rc)
{
  static hk_error e;
  hk_error_clear(&e);
  *rc = hk_registry_load_path(r, path, &e);
  return e.msg;
}

static void
test_refusals(void)
{
  const char *d = new_dir("main", 0755);
  hk_registry *r = hk_registry_new(NULL);
  int rc;
  char want[9000], p[4200];

  snprintf(p, sizeof p, "%s", stage_so(d, "good", "good.so", 0755));
  is_str(load_msg(r, p, &rc), "", "good plugin loads");
  is_int(rc, HK_OK, "good: HK_OK");
  is_int(hk_registry_plugin_count(r), 1, "one plugin");
  const hk_plugin *good = hk_registry_plugin_at(r, 0);
  is_str(good->desc->name, "good", "its name");
  is_str(good->module->path, p, "its module path");
  ok(good->module->loaded, "module loaded");
  is_int(good->module->n_descs, 1, "one descriptor");

  snprintf(p, sizeof p, "%s", stage_so(d, "nosym", "nosym.so", 0755));
  snprintf(want, sizeof want,
           "refusing %s: no entry point 'hk_plugin_entry' (not a huntkit "
           "plugin, or built without HK_PLUGIN_DEFINE(<file name>, ...))",
           p);
  is_str(load_msg(r, p, &rc), want, "no entry symbol");
  is_int(rc, HK_E_ABI, "no entry symbol: HK_E_ABI");

  snprintf(p, sizeof p, "%s", stage_so(d, "short", "short.so", 0755));
  snprintf(want, sizeof want,
           "%s: entry #1: descriptor is 8 bytes, at least %zu expected "
           "(rebuild the plugin against huntkit %s)",
           p, (size_t)HK_DESC_MIN_SIZE, version);
  is_str(load_msg(r, p, &rc), want, "descriptor too short");

  snprintf(p, sizeof p, "%s", stage_so(d, "abimajor", "abimajor.so", 0755));
  snprintf(want, sizeof want,
           "%s: plugin 'abimajor': built for ABI %d.0, this huntkit speaks "
           "ABI %d.%d: rebuild the plugin against huntkit %s",
           p, HK_ABI_MAJOR + 1, HK_ABI_MAJOR, HK_ABI_MINOR, version);
  is_str(load_msg(r, p, &rc), want, "ABI major differs");
  is_int(rc, HK_E_ABI, "ABI major: HK_E_ABI");

  snprintf(p, sizeof p, "%s", stage_so(d, "abiminor", "abiminor.so", 0755));
  snprintf(want, sizeof want,
           "%s: plugin 'abiminor': built for ABI %d.%d, newer than this "
           "huntkit's ABI %d.%d: upgrade huntkit or rebuild the plugin against "
           "huntkit %s",
           p, HK_ABI_MAJOR, HK_ABI_MINOR + 1, HK_ABI_MAJOR, HK_ABI_MINOR,
           version);
  is_str(load_msg(r, p, &rc), want, "ABI minor newer");

  snprintf(p, sizeof p, "%s", stage_so(d, "badkind", "badkind.so", 0755));
  snprintf(want, sizeof want,
           "%s: plugin 'badkind': unknown kind 9 (expected 1 provider, 2 "
           "enricher, 3 analyzer or 4 renderer)",
           p);
  is_str(load_msg(r, p, &rc), want, "unknown kind");

  snprintf(p, sizeof p, "%s", stage_so(d, "novtmember", "novtmember.so", 0755));
  snprintf(want, sizeof want,
           "%s: plugin 'novtmember': required provider vtable member "
           "'run_query' is NULL",
           p);
  is_str(load_msg(r, p, &rc), want, "required vtable member missing");

  snprintf(p, sizeof p, "%s", stage_so(d, "badschema", "badschema.so", 0755));
  snprintf(want, sizeof want,
           "%s: plugin 'badschema': parameter 'limit' is declared twice", p);
  is_str(load_msg(r, p, &rc), want, "bad parameter schema");

  snprintf(p, sizeof p, "%s", stage_so(d, "refuses", "refuses.so", 0755));
  snprintf(want, sizeof want,
           "refusing %s: the plugin refused to load: needs host ABI %d.%d or "
           "newer (host has %d.%d)",
           p, HK_ABI_MAJOR, HK_ABI_MINOR + 5, HK_ABI_MAJOR, HK_ABI_MINOR);
  is_str(load_msg(r, p, &rc), want, "entry refuses with its reason");

  snprintf(p, sizeof p, "%s", stage_so(d, "multi", "multi.so", 0755));
  is_str(load_msg(r, p, &rc),
         pathf("%s: plugin 'multi_bad': built for ABI %d.0, this huntkit "
               "speaks ABI %d.%d: rebuild the plugin against huntkit %s",
               p, HK_ABI_MAJOR + 1, HK_ABI_MAJOR, HK_ABI_MINOR, version),
         "two plugins in one file: the bad one's reason");
  is_int(rc, HK_OK, "...but the file loads");
  ok(hk_registry_find(r, "multi_ok", NULL) != NULL, "multi_ok loaded");

  /* A second copy of good.so in another directory. */
  const char *d2 = new_dir("second", 0755);
  char p2[4200];
  snprintf(p2, sizeof p2, "%s", stage_so(d2, "good", "good.so", 0755));
  snprintf(want, sizeof want,
           "%s: duplicate plugin name 'good': already loaded from %s/good.so",
           p2, d);
  is_str(load_msg(r, p2, &rc), want, "duplicate name");
  is_int(rc, HK_E_CONFIG, "duplicate: HK_E_CONFIG");

  snprintf(p, sizeof p, "%s/garbage.so", d);
  char junk[200];
  memset(junk, 'x', sizeof junk - 1);
  junk[sizeof junk - 1] = '\0';
  write_file(p, junk);
  chmod(p, 0644);
  const char *m = load_msg(r, p, &rc);
  like(m, pathf("cannot load %s: ", p), "not a shared object");
  like(m, pathf("(run `ldd %s` to see missing libraries)", p), "ldd hint");
  ok(strstr(m, "file not found") == NULL,
     "the system's reason, not libltdl's 'file not found'");
#ifdef __GLIBC__
  like(m, "invalid ELF header", "glibc's reason");
#endif
  is_int(rc, HK_E_FAIL, "dlopen failure: HK_E_FAIL");

  snprintf(p, sizeof p, "%s/absent.so", d);
  snprintf(want, sizeof want, "cannot load %s: No such file or directory", p);
  is_str(load_msg(r, p, &rc), want, "missing file");
  is_int(rc, HK_E_NOTFOUND, "missing: HK_E_NOTFOUND");

  snprintf(p, sizeof p, "%s/adir.so", d);
  mkdir(p, 0755);
  snprintf(want, sizeof want, "refusing %s: not a regular file", p);
  is_str(load_msg(r, p, &rc), want, "a directory is not a plugin");

  snprintf(p, sizeof p, "%s", stage_so(d, "good", "noext", 0755));
  snprintf(want, sizeof want,
           "refusing %s: plugin files are shared objects whose names end in "
           ".so",
           p);
  is_str(load_msg(r, p, &rc), want, "a file without .so");
  snprintf(p, sizeof p, "%s", stage_so(d, "good", "good.la", 0755));
  snprintf(want, sizeof want,
           "refusing %s: plugin files are shared objects whose names end in "
           ".so",
           p);
  is_str(load_msg(r, p, &rc), want, "a .la file (it would open another file)");

  is_str(load_msg(r, "tests/plugindir/good.so", &rc),
         "refusing 'tests/plugindir/good.so': plugin paths must be absolute "
         "(they are never looked up in the current directory)",
         "relative path");
  is_int(rc, HK_E_INVAL, "relative: HK_E_INVAL");
  is_str(load_msg(r, "good.so", &rc),
         "refusing 'good.so': plugin paths must be absolute (they are never "
         "looked up in the current directory)",
         "bare file name");

  /* Everything refused was recorded; the good plugins are still there. */
  is_int(hk_registry_plugin_count(r), 2, "good and multi_ok loaded");
  is_int(hk_registry_refusal_count(r), 17, "17 refusals recorded");
  const hk_refusal *f = hk_registry_refusal_at(r, 2);
  is_str(f->name, "abimajor", "refusal names the plugin");
  ok(hk_registry_refusal_at(r, 0)->name == NULL,
     "no name when the descriptor could not be read");
  ok(hk_registry_refusal_at(r, 99) == NULL, "refusal_at out of range");
  hk_registry_free(r);
}

/* A plugin linked against a library that is gone: built here with $CC. */
static void
test_missing_library(void)
{
  const char *cc = getenv("CC");
  const char *d = new_dir("deps", 0755);
  char cmd[16384];
  write_file(pathf("%s/libhkgone.c", d), "int hk_gone(void) { return 1; }\n");
  write_file(pathf("%s/needsdep.c", d),
             "extern int hk_gone(void);\n"
             "__attribute__((visibility(\"default\"))) int\n"
             "needsdep_LTX_hk_plugin_entry(void) { return hk_gone(); }\n");
  snprintf(cmd, sizeof cmd,
           "cd '%s' && %s -shared -fPIC -o libhkgone.so libhkgone.c && "
           "%s -shared -fPIC -o needsdep.so needsdep.c -L. -lhkgone && "
           "rm libhkgone.so && chmod 755 needsdep.so",
           d, cc && cc[0] ? cc : "cc", cc && cc[0] ? cc : "cc");
  if (system(cmd) != 0) {
    ok(1, "# SKIP cannot build a test library with $CC");
    return;
  }
  hk_registry *r = hk_registry_new(NULL);
  int rc;
  const char *p = pathf("%s/needsdep.so", d);
#ifdef __GLIBC__
  is_str(load_msg(r, p, &rc),
         pathf("cannot load %s: libhkgone.so: cannot open shared object file: "
               "No such file or directory (run `ldd %s` to see missing "
               "libraries)",
               p, p),
         "missing library named, with the ldd hint");
#else
  like(load_msg(r, p, &rc), "libhkgone.so", "missing library named");
#endif
  hk_registry_free(r);
}

static void
test_permissions(void)
{
  hk_registry *r = hk_registry_new(NULL);
  int rc;
  char want[9000], p[4200];
  const char *d = new_dir("perm", 0755);

  snprintf(p, sizeof p, "%s", stage_so(d, "good", "good.so", 0775));
  snprintf(want, sizeof want,
           "refusing %s: file is group-writable (chmod g-w %s)", p, p);
  is_str(load_msg(r, p, &rc), want, "group-writable file");
  is_int(rc, HK_E_INVAL, "group-writable: HK_E_INVAL");
  chmod(p, 0757);
  snprintf(want, sizeof want,
           "refusing %s: file is world-writable (chmod o-w %s)", p, p);
  is_str(load_msg(r, p, &rc), want, "world-writable file");
  chmod(p, 0777);
  snprintf(want, sizeof want,
           "refusing %s: file is group- and world-writable (chmod go-w %s)", p,
           p);
  is_str(load_msg(r, p, &rc), want, "group- and world-writable file");
  is_int(hk_registry_refusal_count(r), 1,
         "a retry replaces the path's old refusal");
  chmod(p, 0755);
  is_str(load_msg(r, p, &rc), "", "fixed with chmod: loads on retry");
  is_int(hk_registry_refusal_count(r), 0, "no refusal left");
  hk_registry_free(r);

  r = hk_registry_new(NULL);
  const char *ww = new_dir("worldw", 0757);
  snprintf(p, sizeof p, "%s", stage_so(ww, "good", "good.so", 0755));
  snprintf(want, sizeof want,
           "refusing %s: directory %s is world-writable (chmod o-w %s)", p, ww,
           ww);
  is_str(load_msg(r, p, &rc), want, "world-writable directory");
  chmod(ww, 01757);
  is_str(load_msg(r, p, &rc), want, "sticky world-writable directory too");
  chmod(ww, 0775);
  snprintf(want, sizeof want,
           "refusing %s: directory %s is group-writable (chmod g-w %s)", p, ww,
           ww);
  is_str(load_msg(r, p, &rc), want, "group-writable directory");
  chmod(ww, 0757);

  /* A symlink from a safe directory into the world-writable one. */
  const char *safe = new_dir("safe", 0755);
  snprintf(p, sizeof p, "%s/link.so", safe);
  if (symlink(pathf("%s/good.so", ww), p) == 0) {
    snprintf(want, sizeof want,
             "refusing %s: directory %s is world-writable (chmod o-w %s)", p,
             ww, ww);
    is_str(load_msg(r, p, &rc), want, "the symlink target's directory counts");
  } else {
    ok(0, "symlink: %s", strerror(errno));
  }

  if (geteuid() == 0) {
    snprintf(p, sizeof p, "%s", stage_so(safe, "good", "good.so", 0755));
    if (chown(p, 65534, 65534) == 0) {
      snprintf(want, sizeof want,
               "refusing %s: file is owned by uid 65534, not by root or you "
               "(uid 0)",
               p);
      is_str(load_msg(r, p, &rc), want, "file owned by someone else");
    } else {
      ok(0, "chown: %s", strerror(errno));
    }
  } else {
    ok(1, "# SKIP ownership check needs root to chown");
  }
  hk_registry_free(r);
}

static void
test_load_all_and_find(void)
{
  const char *d = new_dir("dirA", 0755);
  const char *e = new_dir("dirB", 0755);
  stage_so(d, "good", "good.so", 0755);
  stage_so(d, "multi", "multi.so", 0755);
  stage_so(d, "nosym", "nosym.so", 0755);
  stage_so(e, "abimajor", "abimajor.so", 0755);
  stage_so(e, "good", "good.so", 0755); /* shadowed by dirA's */
  write_file(pathf("%s/README", e), "not a plugin\n");

  char *dirs[] = {(char *)d, (char *)e, (char *)pathf("%s/absent", stage)};
  hk_settings s = {0};
  s.plugin_dirs = dirs;
  s.n_plugin_dirs = 3;
  s.log_level = -1;

  hk_registry *r = hk_registry_new(&s);
  hk_error err;
  const hk_plugin *p = hk_registry_find(r, "good", &err);
  ok(p != NULL, "find loads <dir>/good.so");
  is_str(p ? p->module->path : NULL, pathf("%s/good.so", d),
         "from the first directory");
  is_int(hk_registry_plugin_count(r), 1, "only that file was opened");
  p = hk_registry_find(r, "multi_ok", &err);
  ok(p != NULL, "a plugin inside another file: found by scanning");
  is_int(hk_registry_plugin_count(r), 2, "good and multi_ok");
  ok(hk_registry_find(r, "nothing", &err) == NULL, "unknown plugin");
  is_str(err.msg,
         "no plugin named 'nothing' (loaded: good, multi_ok; see `huntkit "
         "plugins list`)",
         "unknown plugin: exact message");
  is_int(err.code, HK_E_NOTFOUND, "HK_E_NOTFOUND");
  ok(hk_registry_find(r, "abimajor", &err) == NULL, "a refused plugin");
  is_str(err.msg,
         pathf("%s/abimajor.so: plugin 'abimajor': built for ABI %d.0, this "
               "huntkit speaks ABI %d.%d: rebuild the plugin against huntkit "
               "%s",
               e, HK_ABI_MAJOR + 1, HK_ABI_MAJOR, HK_ABI_MINOR, version),
         "find says why it was refused");
  ok(hk_registry_find(r, "nosym", &err) == NULL, "a file without entry");
  like(err.msg, pathf("refusing %s/nosym.so: no entry point", d),
       "find names the file that failed");
  ok(hk_registry_find(r, "../etc/x", &err) == NULL, "a path is not a name");
  is_str(err.msg,
         "no plugin named '../etc/x' (plugin names are [a-z][a-z0-9_]*; see "
         "`huntkit plugins list`)",
         "invalid name message");

  /* load_all on a fresh registry: the good ones load, the rest refused. */
  hk_registry *all = hk_registry_new(&s);
  hk_registry_load_all(all);
  is_int(hk_registry_plugin_count(all), 2, "load_all: 2 plugins");
  is_int(hk_registry_refusal_count(all), 4,
         "load_all: nosym, multi_bad, abimajor, duplicate good");
  const hk_refusal *f = hk_registry_refusal_at(all, 3);
  is_str(f->reason,
         pathf("%s/good.so: duplicate plugin name 'good': already loaded from "
               "%s/good.so",
               e, d),
         "the second directory's copy is the duplicate");
  hk_registry_load_all(all);
  is_int(hk_registry_refusal_count(all), 4, "a second load_all adds nothing");
  hk_registry_free(all);
  hk_registry_free(r);

  hk_registry *empty = hk_registry_new(NULL);
  ok(hk_registry_find(empty, "good", &err) == NULL, "no dirs");
  is_str(err.msg,
         "no plugin named 'good' (no plugins found in 0 plugin directories; "
         "see `huntkit plugins list`)",
         "no plugins at all");
  hk_registry_free(empty);
}

/* ---------------------------------------------- static-entry descriptor
 * checks: every remaining refusal, through hk_registry_add_static. */

static int
dummy_run(void *state, const hk_config *options, struct ArrowArrayStream *in,
          struct ArrowArrayStream *out, hk_error *err)
{
  (void)state;
  (void)options;
  (void)in;
  (void)out;
  return hk_error_set(err, HK_E_NOTSUP, "test");
}

static int
dummy_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
             hk_enrichment *out, hk_error *err)
{
  (void)state;
  (void)options;
  (void)ioc;
  (void)out;
  return hk_error_set(err, HK_E_NOTSUP, "test");
}

static int
dummy_render(void *state, const hk_config *options, struct ArrowArrayStream *in,
             const hk_sink *sink, hk_error *err)
{
  (void)state;
  (void)options;
  (void)in;
  (void)sink;
  return hk_error_set(err, HK_E_NOTSUP, "test");
}

static const hk_field_desc no_fields[] = {{NULL, 0, NULL}};
static hk_param params_buf[4];
static hk_analyzer_vt an_vt;
static hk_enricher_vt en_vt;
static hk_renderer_vt re_vt;
static hk_plugin_desc the_desc;
static const hk_plugin_desc *the_descs[] = {&the_desc, NULL};

static const hk_plugin_desc *const *
static_entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return the_descs;
}

static const hk_plugin_desc *const empty_descs[] = {NULL};

static const hk_plugin_desc *const *
empty_entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return empty_descs;
}

static const hk_plugin_desc *const *
silent_refusal(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return NULL;
}

/* Reset the_desc to a valid analyzer with params_buf as its schema. */
static void
reset_desc(void)
{
  memset(params_buf, 0, sizeof params_buf);
  an_vt = (hk_analyzer_vt){.struct_size = sizeof an_vt, .run = dummy_run};
  en_vt = (hk_enricher_vt){
      .struct_size = sizeof en_vt, .fields = no_fields, .lookup = dummy_lookup};
  re_vt = (hk_renderer_vt){.struct_size = sizeof re_vt,
                           .media_type = "text/plain",
                           .render = dummy_render};
  the_desc = (hk_plugin_desc){.struct_size = sizeof the_desc,
                              .abi_major = HK_ABI_MAJOR,
                              .abi_minor = HK_ABI_MINOR,
                              .name = "stat",
                              .version = "1",
                              .kind = HK_KIND_ANALYZER,
                              .params = params_buf,
                              .vtable = &an_vt};
}

/* Register the_desc as a static entry; return the refusal message. */
static const char *
static_msg(void)
{
  static hk_error e;
  static int n;
  char label[32];
  snprintf(label, sizeof label, "case%d", ++n);
  hk_registry *r = hk_registry_new(NULL);
  hk_error_clear(&e);
  hk_registry_add_static(r, label, static_entry, &e);
  hk_registry_free(r);
  /* Messages start "static:caseN: plugin 'stat': "; return the rest. */
  const char *rest = strstr(e.msg, "plugin 'stat': ");
  if (rest)
    return rest + 15;
  rest = strncmp(e.msg, "static:", 7) == 0 ? strstr(e.msg, ": ") : NULL;
  return rest ? rest + 2 : e.msg;
}

static void
test_static_checks(void)
{
  reset_desc();
  is_str(static_msg(), "", "a valid static analyzer is accepted");

  params_buf[0] = (hk_param){"Bad-Name", HK_PT_STRING, 0, NULL, NULL, NULL};
  is_str(static_msg(),
         "parameter #1 has an invalid name 'Bad-Name' (names are "
         "[a-z][a-z0-9_]*)",
         "parameter name");
  params_buf[0] = (hk_param){"x", 99, 0, NULL, NULL, NULL};
  is_str(static_msg(), "parameter 'x' has unknown type 99", "parameter type");
  params_buf[0] = (hk_param){"a", HK_PT_STRING, HK_P_REST, NULL, NULL, NULL};
  params_buf[1] = (hk_param){"b", HK_PT_STRING, HK_P_REST, NULL, NULL, NULL};
  is_str(static_msg(),
         "parameters 'a' and 'b' both take the free text (HK_P_REST); at most "
         "one may",
         "two REST parameters");
  reset_desc();
  params_buf[0] = (hk_param){"n", HK_PT_INT, 0, "ten", NULL, NULL};
  is_str(static_msg(),
         "parameter 'n': bad default: must be an integer, got 'ten'",
         "default does not parse");
  params_buf[0] = (hk_param){"d", HK_PT_DURATION, 0, "soon", NULL, NULL};
  is_str(static_msg(),
         "parameter 'd': bad default: must be a duration such as 250ms, 30s, "
         "5m, 2h or 1d, got 'soon'",
         "duration default does not parse");
  params_buf[0] =
      (hk_param){"mode", HK_PT_STRING, 0, "both", "skip|fail", NULL};
  is_str(static_msg(),
         "parameter 'mode': bad default: must be one of skip|fail, got 'both'",
         "default outside choices");
  params_buf[0] = (hk_param){"mode", HK_PT_STRING, 0, NULL, "", NULL};
  is_str(static_msg(),
         "parameter 'mode' has empty choices (use NULL for any value)",
         "empty choices");
  params_buf[0] =
      (hk_param){"mode", HK_PT_STRING, 0, "fail", "skip|fail", NULL};
  is_str(static_msg(), "", "a default among the choices is fine");

  reset_desc();
  static const hk_param bad_opts[] = {
      {"x", HK_PT_BOOL, 0, "perhaps", NULL, NULL},
      {NULL, 0, 0, NULL, NULL, NULL}};
  an_vt.options = bad_opts;
  is_str(static_msg(),
         "option 'x': bad default: must be a boolean (true/false, yes/no, "
         "on/off, 1/0), got 'perhaps'",
         "vtable options are checked too");

  reset_desc();
  an_vt.run = NULL;
  is_str(static_msg(), "required analyzer vtable member 'run' is NULL",
         "analyzer without run");
  reset_desc();
  an_vt.struct_size = 8;
  is_str(static_msg(),
         pathf("analyzer vtable is 8 bytes, at least %zu expected",
               sizeof(hk_analyzer_vt)),
         "vtable too small");
  reset_desc();
  the_desc.vtable = NULL;
  is_str(static_msg(), "no analyzer vtable (vtable is NULL)", "vtable NULL");

  reset_desc();
  the_desc.kind = HK_KIND_ENRICHER;
  the_desc.vtable = &en_vt;
  is_str(static_msg(), "", "valid enricher");
  en_vt.lookup = NULL;
  is_str(static_msg(), "required enricher vtable member 'lookup' is NULL",
         "enricher without lookup");
  en_vt.fields = NULL;
  is_str(static_msg(), "required enricher vtable member 'fields' is NULL",
         "enricher without fields");

  reset_desc();
  the_desc.kind = HK_KIND_RENDERER;
  the_desc.vtable = &re_vt;
  is_str(static_msg(), "", "valid renderer");
  re_vt.media_type = NULL;
  is_str(static_msg(), "required renderer vtable member 'media_type' is NULL",
         "renderer without media_type");
  re_vt.render = NULL;
  is_str(static_msg(), "required renderer vtable member 'render' is NULL",
         "renderer without render");

  reset_desc();
  the_desc.name = "Has Space";
  is_str(static_msg(),
         "descriptor #1: invalid plugin name 'Has Space' "
         "(names are [a-z][a-z0-9_]*, at most 64 characters)",
         "invalid plugin name");
  the_desc.name = NULL;
  is_str(static_msg(),
         "descriptor #1: invalid plugin name '(null)' (names "
         "are [a-z][a-z0-9_]*, at most 64 characters)",
         "NULL plugin name");

  hk_registry *r = hk_registry_new(NULL);
  hk_error e;
  is_int(hk_registry_add_static(r, "empty", empty_entry, &e), HK_E_ABI,
         "empty descriptor list");
  is_str(e.msg, "refusing static:empty: the entry point returned no plugins",
         "empty list message");
  is_int(hk_registry_add_static(r, "silent", silent_refusal, &e), HK_E_ABI,
         "refusal without a reason");
  is_str(e.msg,
         "refusing static:silent: the plugin refused to load (it gave no "
         "reason)",
         "no-reason message");
  reset_desc();
  is_int(hk_registry_add_static(r, "ok", static_entry, &e), HK_OK, "static ok");
  is_int(hk_registry_add_static(r, "ok", static_entry, &e), HK_OK,
         "the same label twice is the same module");
  is_int(hk_registry_plugin_count(r), 1, "still one plugin");
  is_str(hk_registry_plugin_at(r, 0)->module->path, "static:ok",
         "static module path");
  is_int(hk_registry_add_static(r, "again", static_entry, &e), HK_E_CONFIG,
         "the same descriptor under another label");
  is_str(e.msg,
         "static:again: duplicate plugin name 'stat': already loaded from "
         "static:ok",
         "duplicate static plugin");
  hk_registry_free(r);
}

int
main(void)
{
  (void)plan;
  plan_lazy();
  const char *b = getenv("HK_BUILDDIR");
  snprintf(libs, sizeof libs, "%s/tests/host/broken/.libs",
           b && b[0] ? b : ".");
  int maj = 0, min = 0;
  sscanf(PACKAGE_VERSION, "%d.%d", &maj, &min);
  snprintf(version, sizeof version, "%d.%d", maj, min);
  stage = tmpdir_new();
  test_refusals();
  test_missing_library();
  test_permissions();
  test_load_all_and_find();
  test_static_checks();
  rm_rf(stage);
  free(stage);
  return done_testing();
}
