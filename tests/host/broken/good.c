/* A complete, valid provider: loads alongside the broken ones. */
#include "common.h"

TEST_DESC(good_desc, "good");

static const hk_plugin_desc *const descs[] = {&good_desc, NULL};

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  (void)host;
  (void)err;
  return descs;
}

HK_PLUGIN_DEFINE(good, entry)
