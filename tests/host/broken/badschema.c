/* A parameter schema that declares 'limit' twice. */
#include "common.h"

static const hk_param twice[] = {
    {"limit", HK_PT_INT, 0, "10", NULL, "how many"},
    {"path", HK_PT_PATH, 0, NULL, NULL, "a file"},
    {"limit", HK_PT_INT, 0, "20", NULL, "how many, again"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_plugin_desc badschema_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "badschema",
    .version = "0.0.1",
    .kind = HK_KIND_PROVIDER,
    .params = twice,
    .vtable = &test_provider_vt,
};

static const hk_plugin_desc *const descs[] = {&badschema_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(badschema, entry)
