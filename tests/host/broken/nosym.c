/* Exports a function, but not the entry point. */
#include <huntkit/huntkit.h>

HK_EXPORT int nosym_LTX_hk_plugin_entry_typo(void);

HK_EXPORT int
nosym_LTX_hk_plugin_entry_typo(void)
{
  return 0;
}
