/*
 * tests/host/broken/common.h -- pieces shared by the loader-test plugins:
 * a provider vtable that is complete, and a descriptor template.  Each
 * plugin breaks exactly one thing.
 */
#ifndef HK_TESTS_BROKEN_COMMON_H
#define HK_TESTS_BROKEN_COMMON_H

#include <huntkit/huntkit.h>

static int __attribute__((unused))
test_run_query(void *state, const hk_query *query, struct ArrowArrayStream *out,
               hk_error *err)
{
  (void)state;
  (void)query;
  (void)out;
  return hk_error_set(err, HK_E_NOTSUP, "loader test plugin: no data");
}

static const hk_param test_params[]
    __attribute__((unused)) = {{"path", HK_PT_PATH, 0, NULL, NULL, "a file"},
                               {"limit", HK_PT_INT, 0, "10", NULL, "how many"},
                               {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_provider_vt test_provider_vt __attribute__((unused)) = {
    .struct_size = sizeof(hk_provider_vt),
    .options = NULL,
    .run_query = test_run_query,
};

#define TEST_DESC(var, plugin_name)                                            \
  static const hk_plugin_desc var = {                                          \
      .struct_size = sizeof(hk_plugin_desc),                                   \
      .abi_major = HK_ABI_MAJOR,                                               \
      .abi_minor = HK_ABI_MINOR,                                               \
      .name = plugin_name,                                                     \
      .version = "0.0.1",                                                      \
      .kind = HK_KIND_PROVIDER,                                                \
      .summary = "loader test plugin",                                         \
      .params = test_params,                                                   \
      .vtable = &test_provider_vt,                                             \
  }

#endif
