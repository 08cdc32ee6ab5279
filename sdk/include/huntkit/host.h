/*
 * huntkit/host.h -- the services the host offers a plugin.
 *
 * A plugin reaches logging, typed config values, the clock, cancellation
 * and the shared IoC / IP classifiers only through this table, which it
 * receives in its entry function.  The table is append-only: a member newer
 * than ABI 1.0 must be tested with HK_HAS(host, member) before use.  A
 * service that a particular host build lacks is NULL, never missing from
 * the layout.
 *
 * Concurrency: every service may be called from any thread at any time
 * unless its comment says otherwise.
 */
#ifndef HUNTKIT_HOST_H
#define HUNTKIT_HOST_H

#include <huntkit/plugin.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Log levels, most severe first. */
enum hk_log_level {
  HK_LOG_ERROR = 0,
  HK_LOG_WARN = 1,
  HK_LOG_INFO = 2,
  HK_LOG_DEBUG = 3
};

/* Address classes from IANA's IPv4 and IPv6 special-purpose address
 * registries, most specific first.  Names are the strings returned by
 * hk_host.ip_class_name. */
enum hk_ip_class {
  HK_IP_INVALID = 0,     /* not an IP address */
  HK_IP_GLOBAL = 1,      /* globally routable unicast */
  HK_IP_PRIVATE = 2,     /* RFC 1918, fc00::/7 unique local */
  HK_IP_LOOPBACK = 3,    /* 127/8, ::1 */
  HK_IP_LINK_LOCAL = 4,  /* 169.254/16, fe80::/10 */
  HK_IP_MULTICAST = 5,   /* 224/4, ff00::/8 */
  HK_IP_CGNAT = 6,       /* 100.64/10 shared address space (RFC 6598) */
  HK_IP_DOCUMENTATION = 7, /* TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20 */
  HK_IP_RESERVED = 8,    /* 240/4, 0/8, benchmarking, other reserved */
  HK_IP_UNSPECIFIED = 9, /* 0.0.0.0, :: */
  HK_IP_BROADCAST = 10   /* 255.255.255.255 */
};

/* Result of hk_host.ip_classify. */
typedef struct hk_ip_info {
  uint32_t struct_size; /* set by the caller to sizeof(hk_ip_info) */
  int32_t family;       /* 4 or 6; 0 when not an address */
  int32_t ip_class;     /* enum hk_ip_class */
  int32_t is_global;    /* 1 when globally reachable per the registry */
  /* For IPv4-mapped/translated IPv6 (::ffff:a.b.c.d, 64:ff9b::/96), the
   * class is that of the embedded IPv4 address and this is 1. */
  int32_t embedded_v4;
  uint8_t addr[16]; /* network order; IPv4 uses the first 4 bytes */
  /* Registry entry name, e.g. "Private-Use", "Shared Address Space",
   * "Documentation (TEST-NET-1)"; static string, never NULL. */
  const char *registry_name;
} hk_ip_info;

/*
 * hk_host -- the services table.  Owned by the host; valid until the
 * process exits.
 */
typedef struct hk_host {
  uint32_t struct_size; /* sizeof(hk_host) in the host build */
  uint16_t abi_major;   /* the host's HK_ABI_MAJOR */
  uint16_t abi_minor;   /* the host's HK_ABI_MINOR */
  const char *version;  /* huntkit version string, e.g. "0.1.0" */

  /* --- logging ---------------------------------------------------------
   * log: write a message for `inst` (may be NULL before an instance
   * exists).  The host prefixes "[kind:plugin:instance]", filters by the
   * level set with -v/-q, rate-limits repeats and never prints values of
   * SECRET parameters.  No trailing newline needed.  Required: always set.
   * log_enabled: 1 when a message at `level` would be printed, so costly
   * formatting can be skipped.  Required: always set. */
  void (*log)(const hk_instance *inst, int level, const char *fmt, ...)
      HK_PRINTF(3, 4);
  int (*log_enabled)(const hk_instance *inst, int level);

  /* --- configuration values --------------------------------------------
   * Typed reads of a validated hk_config (instance config from conf.d, or
   * a run's options).  Values not set by the user come from the schema's
   * default.  `name` must be a parameter of the schema the config was
   * validated against; asking for another name is a plugin bug and returns
   * HK_E_NOTFOUND (and logs it).
   *
   * config_is_set: 1 when the user gave a value (not just a default).
   * config_get_string: the value as text, NULL when unset without default.
   *   (borrowed; valid as long as `cfg`).  SECRET values come back
   *   resolved (${env:NAME}, ${file:PATH}).
   * config_get_int / _float / _bool: HK_OK and *out set, or HK_E_NOTFOUND
   *   when unset without default.  DURATION parameters read as int ms.
   * config_get_list: number of items; *items (borrowed; valid as long as
   *   `cfg`) points to that many strings.  0 when unset. */
  int (*config_is_set)(const hk_config *cfg, const char *name);
  const char *(*config_get_string)(const hk_config *cfg, const char *name);
  int (*config_get_int)(const hk_config *cfg, const char *name, int64_t *out);
  int (*config_get_float)(const hk_config *cfg, const char *name, double *out);
  int (*config_get_bool)(const hk_config *cfg, const char *name, int *out);
  size_t (*config_get_list)(const hk_config *cfg, const char *name,
                            const char *const **items);

  /* --- clock and cancellation ------------------------------------------
   * now_us: wall-clock time in microseconds since the Unix epoch (UTC).
   *   Tests may replace the clock, so use this rather than time().
   * monotonic_us: monotonic time for measuring intervals.
   * is_canceled: 1 once the user pressed Ctrl-C or the run was aborted;
   *   long loops poll it and stop with HK_E_CANCELED, keeping what they
   *   have. */
  int64_t (*now_us)(void);
  int64_t (*monotonic_us)(void);
  int (*is_canceled)(const hk_instance *inst);

  /* --- shared classifiers ----------------------------------------------
   * ip_classify: parse `len` bytes at `s` as an IPv4 or IPv6 address
   *   (no port, no brackets, no prefix length; IPv6 zone ids are refused)
   *   and classify it from IANA's special-purpose registries.  Returns
   *   HK_OK and fills *out, or HK_E_INVAL when `s` is not an address (then
   *   out->ip_class is HK_IP_INVALID).  `out->struct_size` must be set.
   * ip_class_name: "global", "private", "loopback", "link_local",
   *   "multicast", "cgnat", "documentation", "reserved", "unspecified",
   *   "broadcast" or "invalid"; static string.
   * ioc_classify: the IoC type of a single value (huntkit/ioc.h names:
   *   "ipv4", "ipv6", "dns", "url", "md5_hash", "sha1_hash", "sha256_hash",
   *   "email", "windows_path", "linux_path"), or NULL when it is none of
   *   them.  Static string. */
  int (*ip_classify)(const char *s, size_t len, hk_ip_info *out);
  const char *(*ip_class_name)(int ip_class);
  const char *(*ioc_classify)(const char *s, size_t len);
} hk_host;

/* Logging helpers: `host` is the plugin's saved hk_host pointer. */
#define HK_LOG(host, inst, level, ...)                                         \
  do {                                                                         \
    if ((host)->log_enabled((inst), (level)))                                  \
      (host)->log((inst), (level), __VA_ARGS__);                               \
  } while (0)
#define HK_LOG_ERROR(host, inst, ...) HK_LOG(host, inst, HK_LOG_ERROR, __VA_ARGS__)
#define HK_LOG_WARN(host, inst, ...) HK_LOG(host, inst, HK_LOG_WARN, __VA_ARGS__)
#define HK_LOG_INFO(host, inst, ...) HK_LOG(host, inst, HK_LOG_INFO, __VA_ARGS__)
#define HK_LOG_DEBUG(host, inst, ...) HK_LOG(host, inst, HK_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_HOST_H */
