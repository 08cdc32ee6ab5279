/*
 * host/services.c -- the hk_host table every plugin receives, and the
 * process-wide cancel flag behind is_canceled.
 *
 * The table is one static constant: plugins may keep the pointer for the
 * life of the process.  Each service checks the handles it is given
 * (instance and config magic numbers) and reports a bad one as a plugin
 * bug instead of touching it.
 */
#include "config.h"

#include "internal.h"

#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

static volatile sig_atomic_t canceled;
static int64_t (*_Atomic test_clock)(void);

/* Longest message a plugin can log in one call; longer ones are cut. */
#define HK_PLUGIN_LOG_MAX 4096

const char *
hk_kind_name(uint32_t kind)
{
  switch (kind) {
  case HK_KIND_PROVIDER:
    return "provider";
  case HK_KIND_ENRICHER:
    return "enricher";
  case HK_KIND_ANALYZER:
    return "analyzer";
  case HK_KIND_RENDERER:
    return "renderer";
  default:
    return "unknown";
  }
}

/* Async-signal-safe: one store to a sig_atomic_t. */
void
hk_services_cancel(void)
{
  canceled = 1;
}

bool
hk_services_canceled(void)
{
  return canceled != 0;
}

void
hk_services_reset_cancel(void)
{
  canceled = 0;
}

void
hk_services_set_clock(int64_t (*now_us)(void))
{
  atomic_store(&test_clock, now_us);
}

/* ------------------------------------------------------------- services */

static void svc_log(const hk_instance *inst, int level, const char *fmt, ...)
    HK_PRINTF(3, 4);

static void
svc_log(const hk_instance *inst, int level, const char *fmt, ...)
{
  /* A bad handle is reported, and the message still printed (with an
   * "[invalid instance handle]" prefix) and counted. */
  if (inst != NULL && !hk_instance_valid(inst))
    hk_log_msg(NULL, HK_LOG_ERROR,
               "plugin bug: log() called with an invalid instance handle");
  if (fmt == NULL)
    return;
  char buf[HK_PLUGIN_LOG_MAX];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0)
    return;
  hk_log_emit(inst, level, buf);
}

static int
svc_log_enabled(const hk_instance *inst, int level)
{
  /* A plugin's warnings count towards "partial result" even under -q, so
   * they must reach hk_log_emit, which decides what is printed. */
  if (inst && level <= HK_LOG_WARN)
    return 1;
  return level <= hk_log_get_level();
}

static int64_t
svc_now_us(void)
{
  int64_t (*fn)(void) = atomic_load(&test_clock);
  if (fn)
    return fn();
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t
svc_monotonic_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
svc_is_canceled(const hk_instance *inst)
{
  (void)inst;
  return canceled != 0;
}

static const hk_host host_table = {
    .struct_size = sizeof(hk_host),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .version = PACKAGE_VERSION,
    .log = svc_log,
    .log_enabled = svc_log_enabled,
    .config_is_set = hk_config_is_set,
    .config_get_string = hk_config_get_string,
    .config_get_int = hk_config_get_int,
    .config_get_float = hk_config_get_float,
    .config_get_bool = hk_config_get_bool,
    .config_get_list = hk_config_get_list,
    .now_us = svc_now_us,
    .monotonic_us = svc_monotonic_us,
    .is_canceled = svc_is_canceled,
    .ip_classify = hk_ip_classify,
    .ip_class_name = hk_ip_class_name,
    .ioc_classify = hk_ioc_classify,
};

const hk_host *
hk_services(void)
{
  return &host_table;
}
