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
  HK_IP_INVALID = 0,       /* not an IP address */
  HK_IP_GLOBAL = 1,        /* globally routable unicast */
  HK_IP_PRIVATE = 2,       /* RFC 1918, fc00::/7 unique local */
  HK_IP_LOOPBACK = 3,      /* 127/8, ::1 */
  HK_IP_LINK_LOCAL = 4,    /* 169.254/16, fe80::/10 */
  HK_IP_MULTICAST = 5,     /* 224/4, ff00::/8 */
  HK_IP_CGNAT = 6,         /* 100.64/10 shared address space (RFC 6598) */
  HK_IP_DOCUMENTATION = 7, /* TEST-NET-1/2/3, 2001:db8::/32, 3fff::/20 */
  HK_IP_RESERVED = 8,      /* 240/4, 0/8, benchmarking, other reserved */
  HK_IP_UNSPECIFIED = 9,   /* 0.0.0.0, :: */
  HK_IP_BROADCAST = 10     /* 255.255.255.255 */
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

/* --- HTTP (ABI 1.1) --------------------------------------------------- */

/* One HTTP request.  Filled by the plugin; borrowed by the host only for
 * the duration of the call that receives it (the host copies what it keeps).
 * Frozen layout rules as every boundary struct: grows only at its end. */
typedef struct hk_http_request {
  uint32_t struct_size; /* set by whoever allocates the struct */
  const char *method;   /* "GET" when NULL; "POST", "HEAD", ... */
  const char *url;      /* absolute http:// or https:// URL */
  /* "Name: value" header lines, NULL-terminated array, or NULL.  Header
   * values are registered as secrets by the host, so an API key sent in a
   * header never appears in a log line or an error message. */
  const char *const *headers;
  const char *body; /* request body or NULL */
  size_t body_len;
  /* Whole-transfer limit in ms; 0 uses the instance's `timeout` setting
   * (default 30 s).  The connect limit is the instance's
   * `connect_timeout` (default 10 s). */
  int64_t timeout_ms;
  /* Non-NULL: stream the body into this file instead of memory.  The host
   * writes PATH.part and renames it to PATH only after a complete 2xx
   * reply, so a failed download never leaves a truncated PATH. */
  const char *download_path;
} hk_http_request;

/* The reply.  Filled by the host into a struct the caller provides
 * (struct_size set by the caller).  Pointers are owned by the host and
 * valid until the next http_fetch on the same instance (http_fetch) or
 * until parse returns (enricher parse). */
typedef struct hk_http_response {
  uint32_t struct_size;
  int32_t status;     /* HTTP status of the last attempt */
  int32_t from_cache; /* 1: replayed from the cache, no request was made */
  int32_t attempts;   /* requests made (retries included); 0 from cache */
  const char *body;   /* NUL-terminated (the NUL is not in body_len); empty
                         when download_path was used */
  size_t body_len;
  const char *content_type; /* value of Content-Type, or NULL */
  int64_t elapsed_us;       /* from first attempt to the last byte */
} hk_http_response;

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

  /* --- HTTP and cache (ABI 1.1; test with HK_HAS) ------------------------
   * NULL when the host was built without libcurl / the cache.
   *
   * http_fetch: perform one request for `inst` and wait for it.  The host
   *   applies the instance's settings from its conf.d file (rate, quota,
   *   timeout, connect_timeout, retries, proxy; see the README), verifies
   *   TLS, retries 429 and 5xx with exponential backoff and jitter while
   *   honouring Retry-After, and polls cancellation.  Returns HK_OK when
   *   an HTTP reply arrived, whatever its status (the plugin maps 401, 404,
   *   429 to its own meaning); resp->status is that of the last attempt.
   *   Fails with HK_E_TIMEOUT, HK_E_NETWORK (flag RETRYABLE), HK_E_RATELIMIT
   *   (the daily quota is spent), HK_E_CANCELED or HK_E_IO (download file),
   *   `err` naming the host (never the query string, which may hold keys).
   *   Not concurrent on one instance.
   * cache_get: look `key` up in the instance's persistent cache.  HK_OK
   *   and *value / *value_len set (borrowed; valid until the next cache
   *   call on the instance), or HK_E_NOTFOUND (also when expired or when
   *   the run said --no-cache / --refresh).
   * cache_put: store a copy of `value` under `key` for `ttl_s` seconds
   *   (0: the instance's `cache_ttl`, default 1 day).  HK_OK, or HK_E_IO
   *   (the cache is unusable: the lookup goes on, uncached).  With
   *   --no-cache nothing is stored.
   * cache_dir: a directory of the instance's own under the configured
   *   cache_dir (created 0700 on first call), for downloaded files such as
   *   datasets and lists.  Borrowed; valid while the instance lives.  NULL
   *   with a logged error when it cannot be created. */
  int (*http_fetch)(const hk_instance *inst, const hk_http_request *req,
                    hk_http_response *resp, hk_error *err);
  int (*cache_get)(const hk_instance *inst, const char *key, size_t key_len,
                   const char **value, size_t *value_len);
  int (*cache_put)(const hk_instance *inst, const char *key, size_t key_len,
                   const char *value, size_t value_len, int64_t ttl_s);
  const char *(*cache_dir)(const hk_instance *inst);
} hk_host;

/* Logging helpers: `host` is the plugin's saved hk_host pointer. */
#define HK_LOG(host, inst, level, ...)                                         \
  do {                                                                         \
    if ((host)->log_enabled((inst), (level)))                                  \
      (host)->log((inst), (level), __VA_ARGS__);                               \
  } while (0)
#define HK_LOG_ERROR(host, inst, ...)                                          \
  HK_LOG(host, inst, HK_LOG_ERROR, __VA_ARGS__)
#define HK_LOG_WARN(host, inst, ...)                                           \
  HK_LOG(host, inst, HK_LOG_WARN, __VA_ARGS__)
#define HK_LOG_INFO(host, inst, ...)                                           \
  HK_LOG(host, inst, HK_LOG_INFO, __VA_ARGS__)
#define HK_LOG_DEBUG(host, inst, ...)                                          \
  HK_LOG(host, inst, HK_LOG_DEBUG, __VA_ARGS__)

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_HOST_H */
