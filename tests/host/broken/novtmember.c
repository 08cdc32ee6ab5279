/* A provider whose vtable lacks run_query. */
#include "common.h"

static const hk_provider_vt incomplete_vt = {
    .struct_size = sizeof(hk_provider_vt),
    .run_query = NULL,
};

static const hk_plugin_desc novtmember_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "novtmember",
    .version = "0.0.1",
    .kind = HK_KIND_PROVIDER,
    .vtable = &incomplete_vt,
};

static const hk_plugin_desc *const descs[] = {&novtmember_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(novtmember, entry)
