/* Built for a newer ABI minor than this host's. */
#include "common.h"

static const hk_plugin_desc abiminor_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR + 1,
    .name = "abiminor",
    .version = "0.0.1",
    .kind = HK_KIND_PROVIDER,
    .vtable = &test_provider_vt,
};

static const hk_plugin_desc *const descs[] = {&abiminor_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(abiminor, entry)
