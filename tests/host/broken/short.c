/* Descriptor claims to be 8 bytes long. */
#include "common.h"

static const hk_plugin_desc short_desc = {
    .struct_size = 8,
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "short",
    .kind = HK_KIND_PROVIDER,
    .vtable = &test_provider_vt,
};

static const hk_plugin_desc *const descs[] = {&short_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(short, entry)
