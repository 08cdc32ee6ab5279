/* Two plugins in one file: 'multi_ok' is fine, 'multi_bad' is built for
 * the next ABI major.  The module loads; the bad one is refused. */
#include "common.h"

TEST_DESC(ok_desc, "multi_ok");

static const hk_plugin_desc bad_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR + 1,
    .abi_minor = 0,
    .name = "multi_bad",
    .version = "0.0.1",
    .kind = HK_KIND_PROVIDER,
    .vtable = &test_provider_vt,
};

static const hk_plugin_desc *const descs[] = {&ok_desc, &bad_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(multi, entry)
