/*
 * host/http.h -- glue between the parts of the host's HTTP service, lookup
 * cache and bulk lookup engine (services.c, settings.c, http.c, cache.c,
 * lookup.c, enrich.c).  Not for plugins and not for the CLI (they use
 * host.h and core.h).
 *
 * One hk_svc exists per plugin instance, found by (plugin, instance) name:
 * names are stable for the life of the process while hk_instance pointers
 * may be reused after a registry is freed.  It carries the instance's
 * host-owned settings (the top-level keys of its conf.d file), its token
 * bucket and daily quota, its cache database and the buffers behind the
 * "valid until the next call" promises of http_fetch and cache_get.
 */
#ifndef HK_HOST_HTTP_H
#define HK_HOST_HTTP_H

#include "internal.h"

#include <pthread.h>

/* ------------------------------------------------------------- settings */

/* Host-owned settings of one instance.  Defaults in hk_http_conf_init. */
typedef struct hk_http_conf {
  double rate;   /* requests per second; 0: no limit */
  double rate_n; /* as written: rate_n requests per rate_period_us */
  int64_t rate_period_us;
  double burst;       /* requests that may go back to back (bucket size) */
  char rate_text[32]; /* as written, for messages: "4/min" */
  int64_t quota;      /* requests per UTC day; 0: no quota */
  int64_t timeout_ms;
  int64_t connect_timeout_ms;
  int retries;         /* further attempts after the first */
  int64_t backoff_ms;  /* wait before the first retry; doubles each time */
  char *proxy;         /* NULL: libcurl's default (environment); "": none */
  int64_t cache_ttl_s; /* 0: lookups of this instance are not cached */
  int concurrency;     /* requests in flight at once */
} hk_http_conf;

#define HK_HTTP_DEFAULT_TIMEOUT_MS 30000
#define HK_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000
#define HK_HTTP_DEFAULT_RETRIES 3
#define HK_HTTP_DEFAULT_BACKOFF_MS 1000
#define HK_HTTP_DEFAULT_CACHE_TTL_S 86400
#define HK_HTTP_DEFAULT_CONCURRENCY 20
/* A Retry-After longer than this is not waited for: the reply goes to the
 * plugin (which reports the rate limit) instead of stalling the run. */
#define HK_HTTP_MAX_RETRY_WAIT_MS 120000
/* Replies held in memory are capped; larger ones need download_path. */
#define HK_HTTP_MAX_BODY (64u * 1024 * 1024)

void hk_http_conf_init(hk_http_conf *c);
void hk_http_conf_clear(hk_http_conf *c);
int hk_http_conf_copy(hk_http_conf *dst, const hk_http_conf *src);

/* The host-owned keys of a conf.d file, in the order the README lists
 * them; settings.c refuses other top-level keys. */
extern const char *const hk_http_conf_keys[];
/* Parse one key's scalar value into `c`.  On failure `err` says why
 * without a prefix: "must be requests per period, e.g. 4/min or 100/s,
 * got 'fast'".  HK_E_NOTFOUND when `key` is not a host-owned key. */
int hk_http_conf_set(hk_http_conf *c, const char *key, const char *value,
                     hk_error *err);

/* What settings.c hands to the services after a successful load. */
typedef struct hk_http_conf_entry {
  char *plugin;
  char *instance;
  char *file; /* conf.d file, for messages */
  hk_http_conf conf;
} hk_http_conf_entry;

/* Replace the configured cache root and per-instance settings (copied).
 * `cache_dir` NULL: $XDG_CACHE_HOME/huntkit, else ~/.cache/huntkit. */
int hk_services_configure(const char *cache_dir,
                          const hk_http_conf_entry *entries, size_t n);

/* ------------------------------------------------------------ instances */

typedef struct hk_cache hk_cache;
typedef struct hk_http_pool hk_http_pool;

typedef struct hk_http_reply {
  int rc;             /* HK_OK: a reply arrived (any status) */
  uint32_t err_flags; /* HK_EF_* when rc < 0 */
  char err[HK_ERROR_MSG_MAX];
  long status;
  char *body; /* owned, NUL-terminated; "" for downloads */
  size_t body_len;
  char *content_type; /* owned or NULL */
  int attempts;
  int64_t elapsed_us;
} hk_http_reply;

void hk_http_reply_clear(hk_http_reply *r);

typedef struct hk_svc {
  char *plugin, *instance, *file;
  char *label;          /* "plugin:instance" for messages */
  pthread_mutex_t lock; /* conf, limiter, quota, dir */
  hk_http_conf conf;
  /* token bucket, as GCRA: the theoretical time of the next request
   * (monotonic clock) */
  int64_t tat_us;
  int64_t paused_until_us; /* a 429 with Retry-After pauses the instance */
  /* daily quota */
  int64_t quota_day;
  int64_t quota_used;
  int quota_loaded;
  int quota_warned;
  /* lookup cache */
  pthread_mutex_t cache_lock;
  hk_cache *cache;
  int cache_state; /* 0 not opened, 1 open, -1 unusable */
  char *cache_get_buf;
  size_t cache_get_cap;
  char *dir; /* cache_dir() for the plugin */
  /* http_fetch */
  pthread_mutex_t fetch_lock;
  hk_http_pool *fetch_pool;
  hk_http_reply fetch_reply;
  char *registered_headers; /* "\n"-joined header values already secret */
} hk_svc;

/* The state of `inst` (created on first use); NULL for an invalid
 * handle or when out of memory. */
hk_svc *hk_svc_of(const hk_instance *inst);
/* The cache root in use (absolute).  Borrowed; valid until the next
 * hk_services_configure. */
const char *hk_svc_cache_root(void);
/* mkdir -p, creating directories with mode 0700; 0 or an errno. */
int hk_svc_mkdir_private(const char *path);
/* The value of a header line ("Name: value") when it may be a secret
 * (not Accept*, Content-Type, User-Agent, ...); NULL otherwise. */
const char *hk_svc_header_secret(const char *header);
/* Register a request's header values as secrets (once per value). */
void hk_svc_register_headers(hk_svc *svc, const char *const *headers);

/* Token bucket: 0 when a request may go now (a token was taken), else
 * microseconds until one may.  Honours a pause after Retry-After. */
int64_t hk_svc_take_token(hk_svc *svc, int64_t now_us);
/* Pause the instance until `until_us` (monotonic). */
void hk_svc_pause(hk_svc *svc, int64_t until_us);
/* Count one request against the daily quota: HK_OK, or HK_E_RATELIMIT
 * with `err` set when the quota is spent. */
int hk_svc_quota_take(hk_svc *svc, hk_error *err);
/* The same test without counting a request. */
int hk_svc_quota_check(hk_svc *svc, hk_error *err);

/* Current wall clock (the services' clock, replaceable by tests) and a
 * monotonic clock, both in microseconds. */
int64_t hk_svc_now_us(void);
int64_t hk_svc_mono_us(void);

/* Cache mode of the run (enum hk_cache_mode in core.h). */
int hk_svc_cache_mode(void);

/* ---------------------------------------------------------------- cache */

#ifdef HK_WITH_CACHE
/* Every call locks svc->cache_lock.  A cache that cannot be opened is
 * reported once (warning) and then every call fails with HK_E_IO. */
/* Transactions nest (only the outermost is real); `write` takes the
 * write lock at once (BEGIN IMMEDIATE) so that a batch of stores does not
 * fail half-way on another process's lock. */
int hk_cache_begin(hk_svc *svc, int write);
int hk_cache_commit(hk_svc *svc);
/* HK_OK and the entry (borrowed until the next cache call on `svc`), or
 * HK_E_NOTFOUND (also when expired), or HK_E_IO. */
int hk_cache_lookup(hk_svc *svc, const void *key, size_t key_len, long *status,
                    const char **content_type, const char **body,
                    size_t *body_len);
int hk_cache_store(hk_svc *svc, const void *key, size_t key_len, long status,
                   const char *content_type, const char *body, size_t body_len,
                   int64_t ttl_s);
/* Add `n` to today's (UTC day `day`) request count and return the new
 * total in *used: persisted, so the quota holds across runs. */
int hk_cache_quota_add(hk_svc *svc, int64_t day, int64_t n, int64_t *used);
void hk_cache_close(hk_svc *svc);
#else
/* Without SQLite every cache call says "unusable". */
static inline int
hk_cache_begin(hk_svc *svc, int write)
{
  (void)svc, (void)write;
  return HK_E_IO;
}
static inline int
hk_cache_commit(hk_svc *svc)
{
  (void)svc;
  return HK_E_IO;
}
static inline int
hk_cache_lookup(hk_svc *svc, const void *key, size_t key_len, long *status,
                const char **content_type, const char **body, size_t *body_len)
{
  (void)svc, (void)key, (void)key_len, (void)status, (void)content_type;
  (void)body, (void)body_len;
  return HK_E_IO;
}
static inline int
hk_cache_store(hk_svc *svc, const void *key, size_t key_len, long status,
               const char *content_type, const char *body, size_t body_len,
               int64_t ttl_s)
{
  (void)svc, (void)key, (void)key_len, (void)status, (void)content_type;
  (void)body, (void)body_len, (void)ttl_s;
  return HK_E_IO;
}
#endif

/* ----------------------------------------------------------------- http */

#ifdef HK_WITH_HTTP
/* Called for each request once it is finished: a reply after retries, or
 * a failure.  `reply` is borrowed for the call; the callback may take
 * reply->body (set it to NULL). */
typedef void hk_http_done_fn(void *ud, hk_http_reply *reply);
/* Called once per loop turn; returns 1 when it did some work and wants to
 * be called again soon (the loop then does not sleep). */
typedef int hk_http_step_fn(void *ud);

hk_http_pool *hk_http_pool_new(hk_error *err);
void hk_http_pool_free(hk_http_pool *p);
/* Queue a request of `svc` (copied).  HK_E_INVAL for a URL that is not
 * http:// or https://. */
int hk_http_pool_add(hk_http_pool *p, hk_svc *svc, const hk_http_request *req,
                     hk_http_done_fn *done, void *ud, hk_error *err);
/* Run until every queued request is done and `step` has no more work.
 * On cancellation, requests not finished complete with HK_E_CANCELED. */
void hk_http_pool_run(hk_http_pool *p, hk_http_step_fn *step, void *ud);
/* Requests queued or in flight. */
size_t hk_http_pool_pending(const hk_http_pool *p);

/* The synchronous request behind hk_host.http_fetch. */
int hk_http_fetch(hk_svc *svc, const hk_http_request *req,
                  hk_http_response *resp, hk_error *err);

/* "host" or "host:port" of an http(s) URL into buf; "" when it has none. */
void hk_http_url_host(const char *url, char *buf, size_t cap);
/* Parse a Retry-After value (delta seconds or an HTTP-date) into a wait
 * in ms from `now_s` (wall clock); -1 when it is neither. */
int64_t hk_http_parse_retry_after(const char *value, int64_t now_s);
#endif

#endif /* HK_HOST_HTTP_H */
