/*
 * huntkit/abi.h -- ABI version, status codes and the error struct.
 *
 * Every struct that crosses the plugin boundary begins with
 * `uint32_t struct_size` and only ever grows at its end.  A plugin is
 * accepted when its ABI major equals the host's and its minor is not newer.
 * A change to ownership or threading contracts bumps the major.
 *
 * ABI changelog (append-only, like Varnish's vrt.h):
 *   1.0  first version: descriptor, four vtables, host services (log,
 *        config values, clock, cancellation, IP and IoC classification),
 *        Arrow C Data / C Stream tables.
 *   1.1  host services http_fetch, cache_get, cache_put, cache_dir
 *        (hk_http_request / hk_http_response in host.h); enricher vtable
 *        members prepare and parse, so the host can run many HTTP lookups
 *        at once with rate limits, retries and a cache; descriptor flag
 *        HK_PF_TI.
 */
#ifndef HUNTKIT_ABI_H
#define HUNTKIT_ABI_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#ifdef __cplusplus
extern "C" {
#endif

#define HK_ABI_MAJOR 1
#define HK_ABI_MINOR 1

#if defined(__GNUC__) || defined(__clang__)
#define HK_EXPORT __attribute__((visibility("default")))
#define HK_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define HK_EXPORT
#define HK_PRINTF(fmt, args)
#endif

/* True when a size-prefixed struct `p` (pointer) is large enough to hold
 * `member` and that member is non-NULL.  Use it before touching any host
 * service or struct member newer than ABI 1.0. */
#define HK_HAS(p, member)                                                      \
  ((p) != NULL &&                                                              \
   (p)->struct_size >=                                                         \
       (size_t)((const char *)&(p)->member - (const char *)(p)) +              \
           sizeof((p)->member) &&                                              \
   (p)->member != NULL)

/* Status codes.  Functions across the boundary return HK_OK (0) on success
 * and one of the negative codes on failure, with details in an hk_error. */
enum hk_status {
  HK_OK = 0,
  HK_E_FAIL = -1,      /* generic failure */
  HK_E_INVAL = -2,     /* bad argument or malformed input */
  HK_E_NOTSUP = -3,    /* operation or type not supported */
  HK_E_CONFIG = -4,    /* configuration is wrong: the operator must fix it */
  HK_E_AUTH = -5,      /* missing, wrong or expired credentials */
  HK_E_NOTFOUND = -6,  /* no such file, query, column or object */
  HK_E_RATELIMIT = -7, /* the service refused for rate or quota reasons */
  HK_E_TIMEOUT = -8,   /* an operation took longer than allowed */
  HK_E_NETWORK = -9,   /* connection-level failure */
  HK_E_CANCELED = -10, /* the user canceled (Ctrl-C) */
  HK_E_NOMEM = -11,    /* allocation failed */
  HK_E_ABI = -12,      /* plugin and host do not fit together */
  HK_E_LIMIT = -13,    /* a safety limit (size, depth, ratio) was reached */
  HK_E_IO = -14        /* read or write failed */
};

/* hk_error.flags */
#define HK_EF_RETRYABLE (1u << 0) /* trying again later may succeed */
#define HK_EF_USER (1u << 1)      /* the operator must change something */
#define HK_EF_PARTIAL (1u << 2)   /* some results were produced before it */

#define HK_ERROR_MSG_MAX 512

/*
 * hk_error -- caller-owned error report.  Every call that can fail takes
 * one.  The callee fills it on failure and leaves it untouched on success.
 * It owns no memory, so it may live on the stack and be reused.
 * Messages say what, where (file, line, field) and why, in words an
 * operator can act on, and never contain secret values.
 */
typedef struct hk_error {
  int32_t code;   /* enum hk_status, HK_OK when nothing went wrong */
  uint32_t flags; /* HK_EF_* */
  char msg[HK_ERROR_MSG_MAX];
} hk_error;

/* Reset `e` to "no error".  `e` may be NULL. */
static inline void
hk_error_clear(hk_error *e)
{
  if (e) {
    e->code = HK_OK;
    e->flags = 0;
    e->msg[0] = '\0';
  }
}

/* Fill `e` (may be NULL) with `code` and a printf-style message; returns
 * `code` so a failure path can read `return hk_error_set(err, ...)`. */
static inline int hk_error_set(hk_error *e, int code, const char *fmt, ...)
    HK_PRINTF(3, 4);

static inline int
hk_error_set(hk_error *e, int code, const char *fmt, ...)
{
  if (e) {
    va_list ap;
    e->code = code;
    e->flags = 0;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

/* Prefix an existing message with context, e.g. the file name:
 * hk_error_prefix(err, "%s: ", path). */
static inline void hk_error_prefix(hk_error *e, const char *fmt, ...)
    HK_PRINTF(2, 3);

static inline void
hk_error_prefix(hk_error *e, const char *fmt, ...)
{
  if (e) {
    char old[HK_ERROR_MSG_MAX];
    size_t head_len, old_len;
    int n;
    va_list ap;
    memcpy(old, e->msg, sizeof old);
    old[sizeof old - 1] = '\0';
    va_start(ap, fmt);
    n = vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    if (n < 0)
      n = 0;
    head_len = (size_t)n < sizeof e->msg ? (size_t)n : sizeof e->msg - 1;
    old_len = strlen(old);
    if (old_len > sizeof e->msg - 1 - head_len)
      old_len = sizeof e->msg - 1 - head_len;
    memcpy(e->msg + head_len, old, old_len);
    e->msg[head_len + old_len] = '\0';
  }
}

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_ABI_H */
