/* A descriptor of kind 9, which does not exist. */
#include "common.h"

static const hk_plugin_desc badkind_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "badkind",
    .version = "0.0.1",
    .kind = 9,
    .vtable = &test_provider_vt,
};

static const hk_plugin_desc *const descs[] = {&badkind_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(badkind, entry)
