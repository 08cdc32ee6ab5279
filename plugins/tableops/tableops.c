/*
 * plugins/tableops/tableops.c -- the entry point of tableops.so: five
 * analyzers for everyday table work (where, select, sort, head, count).
 * Each lives in its own file; this one hands the host their descriptors
 * and keeps what they share at run time (the host table, the state).
 */
#include "tableops.h"

#include <stdlib.h>

const hk_host *tableops_host;

int
tableops_state_create(const hk_instance *inst, const hk_config *cfg,
                      void **state, hk_error *err)
{
  (void)cfg;
  tableops_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "tableops: out of memory");
  s->inst = inst;
  *state = s;
  return HK_OK;
}

void
tableops_state_destroy(void *state)
{
  free(state);
}

int
tableops_canceled(const void *state)
{
  const tableops_state *s = state;
  return s && tableops_host && HK_HAS(tableops_host, is_canceled) &&
         tableops_host->is_canceled(s->inst);
}

static const hk_plugin_desc *const descriptors[] = {
    &tableops_where_desc, &tableops_select_desc, &tableops_sort_desc,
    &tableops_head_desc,  &tableops_count_desc,  NULL};

static const hk_plugin_desc *const *
tableops_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR ||
      !HK_HAS(host, config_get_string) || !HK_HAS(host, config_get_int) ||
      !HK_HAS(host, config_is_set)) {
    hk_error_set(err, HK_E_ABI,
                 "tableops: the host's services table lacks config access "
                 "(host ABI %u, plugin built for %d.%d)",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR,
                 HK_ABI_MINOR);
    return NULL;
  }
  tableops_host = host;
  return descriptors;
}

HK_PLUGIN_DEFINE(tableops, tableops_entry)
