/*
 * tests/cli/fixture_crash.c -- a plugin whose entry function dies
 * (abort: SIGABRT, which neither ASan nor valgrind intercept).
 * `huntkit plugins check` loads it in a child process and must report
 * the crash instead of dying with it.
 */
#include <huntkit/huntkit.h>
#include <stdlib.h>

static const hk_plugin_desc *const *
crash_entry(const hk_host *host, hk_error *err)
{
  (void)host, (void)err;
  abort();
}

HK_PLUGIN_DEFINE(fixture_crash, crash_entry)
