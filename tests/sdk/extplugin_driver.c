/*
 * tests/sdk/extplugin_driver.c -- load an enricher .so with dlopen, give
 * it a minimal host, and run one lookup: proof that a plugin built
 * outside the tree works without the huntkit binary.
 *
 *   extplugin_driver PLUGIN.so MODULE VALUE TYPE
 * prints the descriptor's name and kind, then each field as name=value.
 * The host's config service answers "salutation" with "hi".
 */
#include <dlfcn.h>
#include <huntkit/huntkit.h>
#include <stdio.h>
#include <string.h>

static void fake_log(const hk_instance *inst, int level, const char *fmt, ...)
    HK_PRINTF(3, 4);

static void
fake_log(const hk_instance *inst, int level, const char *fmt, ...)
{
  va_list ap;
  (void)inst;
  fprintf(stderr, "log %d: ", level);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static int
fake_log_enabled(const hk_instance *inst, int level)
{
  (void)inst;
  return level <= HK_LOG_DEBUG;
}

static const char *
fake_config_get_string(const hk_config *cfg, const char *name)
{
  (void)cfg;
  return strcmp(name, "salutation") == 0 ? "hi" : NULL;
}

int
main(int argc, char **argv)
{
  hk_host host;
  hk_error err;
  void *so;
  char sym[256];
  hk_plugin_entry_fn *entry;
  const hk_plugin_desc *const *descs;
  const hk_enricher_vt *vt;
  const hk_field_desc *f;
  void *state = NULL;
  hk_ioc ioc;
  hk_enrichment out;
  size_t i;

  if (argc != 5) {
    fprintf(stderr, "usage: %s PLUGIN.so MODULE VALUE TYPE\n", argv[0]);
    return 2;
  }
  memset(&host, 0, sizeof host);
  host.struct_size = sizeof host;
  host.abi_major = HK_ABI_MAJOR;
  host.abi_minor = HK_ABI_MINOR;
  host.version = "test";
  host.log = fake_log;
  host.log_enabled = fake_log_enabled;
  host.config_get_string = fake_config_get_string;
  hk_error_clear(&err);

  so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!so) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  snprintf(sym, sizeof sym, "%s_LTX_%s", argv[2], HK_PLUGIN_ENTRY_SYMBOL);
  *(void **)&entry = dlsym(so, sym);
  if (!entry) {
    fprintf(stderr, "no symbol %s\n", sym);
    return 1;
  }
  descs = entry(&host, &err);
  if (!descs || !descs[0]) {
    fprintf(stderr, "entry refused: %s\n", err.msg);
    return 1;
  }
  printf("name=%s kind=%u\n", descs[0]->name, (unsigned)descs[0]->kind);
  if (descs[0]->kind != HK_KIND_ENRICHER)
    return 1;
  vt = descs[0]->vtable;
  if (vt->create && vt->create(NULL, NULL, &state, &err) != HK_OK) {
    fprintf(stderr, "create: %s\n", err.msg);
    return 1;
  }
  memset(&ioc, 0, sizeof ioc);
  ioc.struct_size = sizeof ioc;
  ioc.value = argv[3];
  ioc.len = strlen(argv[3]);
  ioc.type = argv[4];
  memset(&out, 0, sizeof out);
  out.struct_size = sizeof out;
  if (vt->lookup(state, NULL, &ioc, &out, &err) != HK_OK) {
    fprintf(stderr, "lookup: %s\n", err.msg);
    return 1;
  }
  printf("status=%d\n", (int)out.status);
  for (i = 0, f = vt->fields; f && f->name; f++, i++) {
    const hk_value *v = out.fields ? &out.fields[i] : NULL;
    if (!v || !v->is_set)
      printf("%s=(null)\n", f->name);
    else if (f->type == HK_COL_UTF8)
      printf("%s=%.*s\n", f->name, (int)v->str_len, v->str);
    else
      printf("%s=%lld\n", f->name, (long long)v->i64);
  }
  if (vt->destroy)
    vt->destroy(state);
  dlclose(so);
  return 0;
}
