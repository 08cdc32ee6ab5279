/* Built for the next ABI major. */
#include "common.h"

static const hk_plugin_desc abimajor_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "abimajor",
    .version = "0.0.1",
    .kind = HK_KIND_PROVIDER,
    .vtable = &test_provider_vt,
};

static const hk_plugin_desc *const descs[] = {&abimajor_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(abimajor, entry)
