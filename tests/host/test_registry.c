/*
 * tests/host/test_registry.c -- instances (conf.d selection, validation
 * against the schema with file/line/key in errors, create on first use,
 * destroy at the end) and the services table as a plugin sees it.
 * Plugins here are static entries linked into the test.
 */
#include "config.h"

#include "../../host/internal.h"
#include "../tap.h"
#include "util.h"

#include <signal.h>

static const hk_host *H;
static int creates, destroys;
static char destroy_order[64];

typedef struct counter_state {
  const hk_instance *inst;
  int64_t n;
  char tag;
} counter_state;

static int
counter_create(const hk_instance *inst, const hk_config *cfg, void **state,
               hk_error *err)
{
  counter_state *s = calloc(1, sizeof *s);
  if (s == NULL)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  s->inst = inst;
  H->config_get_int(cfg, "n", &s->n);
  s->tag = hk_instance_name(inst)[0];
  creates++;
  HK_LOG_WARN(H, inst, "created with n=%lld key=%s", (long long)s->n,
              H->config_get_string(cfg, "api_key"));
  *state = s;
  return HK_OK;
}

static void
counter_destroy(void *state)
{
  counter_state *s = state;
  size_t l = strlen(destroy_order);
  destroy_order[l] = s->tag;
  destroy_order[l + 1] = '\0';
  destroys++;
  free(s);
}

static int
counter_run(void *state, const hk_query *q, struct ArrowArrayStream *out,
            hk_error *err)
{
  (void)state;
  (void)q;
  (void)out;
  return hk_error_set(err, HK_E_NOTSUP, "test");
}

static const hk_param counter_params[] = {
    {"api_key", HK_PT_STRING, HK_P_SECRET | HK_P_REQUIRED, NULL, NULL, "key"},
    {"n", HK_PT_INT, 0, "3", NULL, "count"},
    {"mode", HK_PT_STRING, 0, "a", "a|b", "mode"},
    {"tags", HK_PT_LIST, 0, NULL, NULL, "tags"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_provider_vt counter_vt = {.struct_size = sizeof counter_vt,
                                          .create = counter_create,
                                          .destroy = counter_destroy,
                                          .run_query = counter_run};

static int
failing_create(const hk_instance *inst, const hk_config *cfg, void **state,
               hk_error *err)
{
  (void)inst;
  (void)cfg;
  (void)state;
  err->flags = HK_EF_USER;
  return hk_error_set(err, HK_E_CONFIG, "the service rejected the settings");
}

static int
an_run(void *state, const hk_config *o, struct ArrowArrayStream *in,
       struct ArrowArrayStream *out, hk_error *err)
{
  (void)state;
  (void)o;
  (void)in;
  (void)out;
  return hk_error_set(err, HK_E_NOTSUP, "test");
}

static const hk_analyzer_vt failing_vt = {
    .struct_size = sizeof failing_vt, .create = failing_create, .run = an_run};
static const hk_analyzer_vt stateless_vt = {.struct_size = sizeof stateless_vt,
                                            .run = an_run};

static const hk_param needy_params[] = {
    {"token", HK_PT_STRING, HK_P_REQUIRED, NULL, NULL, "token"},
    {NULL, 0, 0, NULL, NULL, NULL}};

#define DESC(var, nm, kd, vt, ps)                                              \
  static const hk_plugin_desc var = {.struct_size = sizeof(hk_plugin_desc),    \
                                     .abi_major = HK_ABI_MAJOR,                \
                                     .abi_minor = HK_ABI_MINOR,                \
                                     .name = nm,                               \
                                     .version = "1.0",                         \
                                     .kind = kd,                               \
                                     .params = ps,                             \
                                     .vtable = vt}
DESC(counter_desc, "counter", HK_KIND_PROVIDER, &counter_vt, counter_params);
DESC(failing_desc, "failing", HK_KIND_ANALYZER, &failing_vt, NULL);
DESC(stateless_desc, "stateless", HK_KIND_ANALYZER, &stateless_vt, NULL);
DESC(needy_desc, "needy", HK_KIND_ANALYZER, &stateless_vt, needy_params);

static const hk_plugin_desc *const all_descs[] = {
    &counter_desc, &failing_desc, &stateless_desc, &needy_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)err;
  H = host;
  return all_descs;
}

static char *root;

static void
put(const char *rel, const char *text)
{
  write_file(pathf("%s/conf/%s", root, rel), text);
}

static hk_instance *
get(hk_registry *r, const char *spec, const char **msg)
{
  static hk_error e;
  hk_error_clear(&e);
  hk_instance *inst = hk_registry_instance(r, spec, &e);
  *msg = e.msg;
  return inst;
}

static void
test_instances(void)
{
  mkdir(pathf("%s/conf", root), 0755);
  mkdir(pathf("%s/conf/conf.d", root), 0755);
  put("conf.d/counter.yaml", "plugin: counter\n"
                             "config:\n"
                             "  api_key: ${env:HK_REG_KEY}\n"
                             "  n: 7\n"
                             "  tags: [x, y]\n");
  put("conf.d/counter2.yaml", "plugin: counter\n"
                              "instance: second\n"
                              "config:\n"
                              "  api_key: key-second-77\n"
                              "  n: abc\n");
  put("conf.d/counter3.yaml",
      "plugin: counter\ninstance: off\nenabled: false\n");
  put("conf.d/counter4.yaml", "plugin: counter\ninstance: nokey\n");
  put("conf.d/counter5.yaml",
      "plugin: counter\ninstance: badmode\nconfig:\n  api_key: key-badmode\n"
      "  mode: c\n");
  put("conf.d/counter6.yaml",
      "plugin: counter\ninstance: zeta\nconfig:\n  api_key: key-zeta-0042\n");
  put("conf.d/colored.yaml", "plugin: stateless\n"
                             "instance: colored\n"
                             "config:\n"
                             "  color: red\n");
  put("conf.d/plain.yaml", "plugin: stateless\ninstance: plain\n");
  put("conf.d/ghost.yaml", "plugin: ghost\ninstance: g\n");
  setenv("HK_REG_KEY", "regkey-6b1d0f", 1);

  hk_settings s;
  hk_error e;
  const char *conf = pathf("%s/conf", root);
  if (!ok(hk_settings_load(conf, &s, &e) == HK_OK, "settings load")) {
    diag("%s", e.msg);
    return;
  }
  char *real = realpath(conf, NULL);
  char dir[4200];
  snprintf(dir, sizeof dir, "%s/conf.d", real);
  /* No plugin directories: only the static plugins exist. */
  size_t n_dirs = s.n_plugin_dirs;
  s.n_plugin_dirs = 0;
  hk_registry *r = hk_registry_new(&s);
  s.n_plugin_dirs = n_dirs;
  hk_settings_free(&s);
  is_int(hk_registry_add_static(r, "test", entry, &e), HK_OK, "static entry");
  ok(H == hk_services(), "the entry received the services table");

  const char *msg;
  unsigned long warns = hk_log_warn_count();
  capture_start();
  hk_instance *a = get(r, "counter", &msg);
  hk_instance *a2 = get(r, "counter:counter", &msg);
  char *err = capture_stop();
  ok(a != NULL, "configured instance 'counter'");
  ok(a == a2, "asking again gives the same instance");
  is_int(creates, 1, "create ran once");
  is_str(err,
         "huntkit: warning: [provider:counter:counter] created with n=7 "
         "key=***\n",
         "plugin log: prefix, and the ${env:} secret redacted");
  free(err);
  is_int(hk_log_warn_count() - warns, 1, "the warning counts");
  is_str(hk_instance_name(a), "counter", "instance name");
  is_str(hk_instance_plugin(a)->desc->name, "counter", "instance plugin");
  counter_state *st = hk_instance_state(a);
  ok(st && st->inst == a && st->n == 7, "state from create");
  const hk_config *cfg = hk_instance_config(a);
  is_str(H->config_get_string(cfg, "api_key"), "regkey-6b1d0f",
         "the plugin reads the resolved secret");
  const char *const *items;
  is_int(H->config_get_list(cfg, "tags", &items), 2, "YAML list");
  is_str(items[1], "y", "list item");
  is_str(H->config_get_string(cfg, "mode"), "a", "default");
  is_int(H->config_is_set(cfg, "n"), 1, "n set from conf.d");

  ok(get(r, "counter:second", &msg) == NULL, "bad value in conf.d");
  is_str(msg,
         pathf("%s/counter2.yaml:5 (counter): key 'n' must be an integer, got "
               "'abc'",
               dir),
         "error names file, line and key");
  ok(get(r, "counter:badmode", &msg) == NULL, "value outside choices");
  is_str(msg,
         pathf("%s/counter5.yaml:5 (counter): key 'mode' must be one of a|b, "
               "got 'c'",
               dir),
         "choices error names file, line and key");
  ok(get(r, "counter:nokey", &msg) == NULL, "missing required key");
  is_str(msg,
         pathf("%s/counter4.yaml:1 (counter): missing required key 'api_key'",
               dir),
         "required error names the file");
  ok(get(r, "counter:off", &msg) == NULL, "disabled instance");
  is_str(msg,
         pathf("%s/counter3.yaml:1: instance 'off' of plugin 'counter' is "
               "disabled (enabled: false)",
               dir),
         "disabled message");
  ok(get(r, "counter:nope", &msg) == NULL, "unknown instance");
  is_str(msg,
         "no instance 'nope' of plugin 'counter' is configured (configured: "
         "counter, second, off, nokey, badmode, zeta; add a conf.d/*.yaml "
         "file with `plugin: counter` and `instance: nope`)",
         "unknown instance message");
  ok(get(r, "stateless", &msg) == NULL, "several instances");
  is_str(msg,
         "plugin 'stateless' has several instances (colored, plain): name "
         "one, e.g. stateless:plain",
         "several instances message");
  ok(get(r, "stateless:colored", &msg) == NULL, "unknown key in conf.d");
  is_str(msg,
         pathf("%s/colored.yaml:4: unknown key 'color' for stateless (known "
               "keys: none)",
               dir),
         "unknown key names file, line, key and plugin");
  hk_instance *plain = get(r, "stateless:plain", &msg);
  ok(plain != NULL, "instance without create");
  ok(hk_instance_state(plain) == NULL, "no state");
  hk_instance *def = get(r, "stateless:stateless", &msg);
  ok(def != NULL && def != plain, "the unconfigured default instance");
  ok(get(r, "failing", &msg) == NULL, "create fails");
  is_str(msg, "cannot start failing:failing: the service rejected the settings",
         "create failure message");
  ok(get(r, "needy", &msg) == NULL, "unconfigured plugin with required key");
  is_str(msg,
         pathf("plugin 'needy' needs configuration: key 'token' is required; "
               "add %s/needy.yaml with `plugin: needy` and a `config:` "
               "mapping",
               dir),
         "says which file to write");
  ok(get(r, "ghost:g", &msg) == NULL, "conf.d names a missing plugin");
  is_str(msg,
         pathf("%s/ghost.yaml:1: no plugin named 'ghost' (loaded: counter, "
               "failing, stateless, needy; see `huntkit plugins list`)",
               dir),
         "missing plugin names the conf file");
  ok(get(r, "", &msg) == NULL, "empty spec");
  is_str(msg, "'' is not a plugin name or plugin:instance", "empty spec msg");
  ok(get(r, "counter:", &msg) == NULL, "empty instance");
  ok(get(r, ":x", &msg) == NULL, "empty plugin");
  ok(hk_registry_instance(NULL, "x", &e) == NULL, "NULL registry");

  capture_start();
  hk_instance *z = get(r, "counter:zeta", &msg);
  err = capture_stop();
  ok(z != NULL, "second counter instance");
  is_int(creates, 2, "created");
  is_str(err,
         "huntkit: warning: [provider:counter:zeta] created with n=3 key=***\n",
         "a plain SECRET value is redacted too");
  free(err);

  /* Services as a plugin uses them. */
  capture_start();
  warns = hk_log_warn_count();
  for (int i = 0; i < 7; i++)
    H->log(z, HK_LOG_WARN, "row %d skipped", 12);
  H->log(z, HK_LOG_INFO, "info is hidden");
  H->log(z, HK_LOG_ERROR, "an error");
  long junk[8] = {0};
  H->log((const hk_instance *)junk, HK_LOG_WARN, "from a bad handle");
  err = capture_stop();
  is_str(err,
         "huntkit: warning: [provider:counter:zeta] row 12 skipped\n"
         "huntkit: warning: [provider:counter:zeta] row 12 skipped\n"
         "huntkit: warning: [provider:counter:zeta] row 12 skipped\n"
         "huntkit: warning: [provider:counter:zeta] row 12 skipped\n"
         "huntkit: warning: [provider:counter:zeta] row 12 skipped\n"
         "huntkit: warning: [provider:counter:zeta] (further identical "
         "messages suppressed)\n"
         "huntkit: warning: [provider:counter:zeta] (2 more identical messages "
         "were suppressed)\n"
         "huntkit: error: [provider:counter:zeta] an error\n"
         "huntkit: error: plugin bug: log() called with an invalid instance "
         "handle\n"
         "huntkit: warning: [invalid instance handle] from a bad handle\n",
         "instance log lines, repeats cut, bad handle reported");
  free(err);
  is_int(hk_log_warn_count() - warns, 9,
         "7 warnings, 1 error and the bad handle's warning counted");
  is_int(H->log_enabled(z, HK_LOG_WARN), 1, "warn enabled");
  is_int(H->log_enabled(z, HK_LOG_INFO), 0, "info disabled");

  capture_start();
  for (int i = 0; i < 8; i++)
    H->log(a, HK_LOG_WARN, "same again");
  hk_registry_free(r);
  err = capture_stop();
  like(err,
       "huntkit: warning: [provider:counter:counter] (3 more identical "
       "messages were suppressed)\n",
       "pending repeats reported when the instance goes away");
  free(err);
  is_int(destroys, 2, "destroy ran for each created state");
  is_str(destroy_order, "zc", "newest first");
  free(real);
}

static int64_t
fixed_clock(void)
{
  return 1700000000123456;
}

static void
on_sigint(int sig)
{
  (void)sig;
  hk_services_cancel();
}

static void
test_services(void)
{
  const hk_host *h = hk_services();
  is_int(h->struct_size, sizeof(hk_host), "struct_size");
  is_int(h->abi_major, HK_ABI_MAJOR, "abi_major");
  is_int(h->abi_minor, HK_ABI_MINOR, "abi_minor");
  is_str(h->version, PACKAGE_VERSION, "version");
  ok(HK_HAS(h, ioc_classify), "every 1.0 member is present");

  hk_services_set_clock(fixed_clock);
  is_int(h->now_us(), 1700000000123456, "replaced clock");
  hk_services_set_clock(NULL);
  ok(h->now_us() > 1600000000000000, "real clock is after 2020");
  int64_t m1 = h->monotonic_us(), m2 = h->monotonic_us();
  ok(m2 >= m1, "monotonic does not go back");

  is_int(h->is_canceled(NULL), 0, "not canceled");
  ok(!hk_services_canceled(), "not canceled (host side)");
  signal(SIGINT, on_sigint);
  raise(SIGINT);
  signal(SIGINT, SIG_DFL);
  is_int(h->is_canceled(NULL), 1, "canceled from a signal handler");
  ok(hk_services_canceled(), "host sees it");
  hk_services_reset_cancel();
  is_int(h->is_canceled(NULL), 0, "reset");

  hk_ip_info info = {.struct_size = sizeof info};
  is_int(h->ip_classify("192.168.0.1", 11, &info), HK_OK, "ip_classify");
  is_str(h->ip_class_name(info.ip_class), "private", "ip_class_name");
  is_str(h->ioc_classify("evil.example.com", 16), "dns", "ioc_classify");

  is_str(hk_kind_name(HK_KIND_PROVIDER), "provider", "kind 1");
  is_str(hk_kind_name(HK_KIND_ENRICHER), "enricher", "kind 2");
  is_str(hk_kind_name(HK_KIND_ANALYZER), "analyzer", "kind 3");
  is_str(hk_kind_name(HK_KIND_RENDERER), "renderer", "kind 4");
  is_str(hk_kind_name(0), "unknown", "kind 0");
}

int
main(void)
{
  (void)plan;
  plan_lazy();
  unsetenv("HUNTKIT_PLUGIN_PATH");
  root = tmpdir_new();
  test_instances();
  test_services();
  rm_rf(root);
  free(root);
  return done_testing();
}
