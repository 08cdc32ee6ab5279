/* The entry itself refuses, with a reason, after checking the host. */
#include "common.h"

static const hk_plugin_desc *const *
entry(const struct hk_host *host, hk_error *err)
{
  hk_error_set(err, HK_E_NOTSUP,
               "needs host ABI %d.%d or newer (host has %u.%u)", HK_ABI_MAJOR,
               HK_ABI_MINOR + 5, host->abi_major, host->abi_minor);
  return NULL;
}

HK_PLUGIN_DEFINE(refuses, entry)
