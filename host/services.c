/*
 * host/services.c -- the hk_host table every plugin receives, the
 * process-wide cancel flag behind is_canceled, and the per-instance state
 * of the HTTP service and the lookup cache (hk_svc, see http.h).
 *
 * The table is one static constant: plugins may keep the pointer for the
 * life of the process.  Each service checks the handles it is given
 * (instance and config magic numbers) and reports a bad one as a plugin
 * bug instead of touching it.
 *
 * Per-instance settings come from hk_services_configure, which
 * hk_settings_load calls with the host-owned keys of every conf.d file;
 * an instance without a file runs on the defaults.
 */
#define _GNU_SOURCE
#include "config.h"

#include "http.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

/* ------------------------------------------------------- cache mode */

static atomic_int cache_mode;

void
hk_services_set_cache_mode(int mode)
{
  atomic_store(&cache_mode, mode);
}

int
hk_svc_cache_mode(void)
{
  return atomic_load(&cache_mode);
}

int64_t
hk_svc_now_us(void)
{
  return svc_now_us();
}

int64_t
hk_svc_mono_us(void)
{
  return svc_monotonic_us();
}

/* --------------------------------------------------- instance settings */

static pthread_mutex_t svc_table_lock = PTHREAD_MUTEX_INITIALIZER;
static char *cache_root;
static hk_http_conf_entry *conf_entries;
static size_t n_conf_entries;
static hk_svc **svcs;
static size_t n_svcs, cap_svcs;
/* cache_dir() strings handed out before a reconfiguration moved the root:
 * plugins may still hold them. */
static char **retired;
static size_t n_retired;

static void
free_entries(hk_http_conf_entry *e, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(e[i].plugin);
    free(e[i].instance);
    free(e[i].file);
    hk_http_conf_clear(&e[i].conf);
  }
  free(e);
}

static char *
default_cache_root(void)
{
  const char *xdg = getenv("XDG_CACHE_HOME");
  char *out = NULL;
  /* The XDG spec says a relative value is to be ignored. */
  if (xdg && xdg[0] == '/') {
    if (asprintf(&out, "%s/huntkit", xdg) < 0)
      return NULL;
    return out;
  }
  return hk_expand_home("~/.cache/huntkit");
}

/* The entry of (plugin, instance); NULL for none.  Table lock held. */
static const hk_http_conf_entry *
find_entry(const char *plugin, const char *instance)
{
  for (size_t i = 0; i < n_conf_entries; i++)
    if (strcmp(conf_entries[i].plugin, plugin) == 0 &&
        strcmp(conf_entries[i].instance, instance) == 0)
      return &conf_entries[i];
  return NULL;
}

/* Give `svc` the settings of its entry (or the defaults).  Table lock
 * held; takes svc->lock. */
static int
apply_entry(hk_svc *svc)
{
  const hk_http_conf_entry *e = find_entry(svc->plugin, svc->instance);
  hk_http_conf c;
  char *file = NULL;
  if (e) {
    if (hk_http_conf_copy(&c, &e->conf) != HK_OK)
      return HK_E_NOMEM;
    if ((file = strdup(e->file)) == NULL) {
      hk_http_conf_clear(&c);
      return HK_E_NOMEM;
    }
  } else {
    hk_http_conf_init(&c);
  }
  pthread_mutex_lock(&svc->lock);
  hk_http_conf_clear(&svc->conf);
  svc->conf = c;
  free(svc->file);
  svc->file = file;
  svc->tat_us = 0;
  pthread_mutex_unlock(&svc->lock);
  return HK_OK;
}

int
hk_services_configure(const char *cache_dir, const hk_http_conf_entry *entries,
                      size_t n)
{
  hk_http_conf_entry *copy = n ? calloc(n, sizeof *copy) : NULL;
  char *root = cache_dir ? strdup(cache_dir) : default_cache_root();
  int rc = HK_OK;
  if ((n && !copy) || !root) {
    free(copy);
    free(root);
    return HK_E_NOMEM;
  }
  for (size_t i = 0; i < n; i++) {
    copy[i].plugin = strdup(entries[i].plugin);
    copy[i].instance = strdup(entries[i].instance);
    copy[i].file = strdup(entries[i].file);
    if (!copy[i].plugin || !copy[i].instance || !copy[i].file ||
        hk_http_conf_copy(&copy[i].conf, &entries[i].conf) != HK_OK) {
      free_entries(copy, i + 1);
      free(root);
      return HK_E_NOMEM;
    }
  }
  pthread_mutex_lock(&svc_table_lock);
  bool moved = cache_root && strcmp(cache_root, root) != 0;
  free_entries(conf_entries, n_conf_entries);
  conf_entries = copy;
  n_conf_entries = n;
  free(cache_root);
  cache_root = root;
  for (size_t i = 0; i < n_svcs && rc == HK_OK; i++) {
    hk_svc *svc = svcs[i];
    rc = apply_entry(svc);
    if (!moved)
      continue;
#ifdef HK_WITH_CACHE
    hk_cache_close(svc);
#endif
    pthread_mutex_lock(&svc->lock);
    if (svc->dir) {
      char **nr = realloc(retired, (n_retired + 1) * sizeof *nr);
      if (nr) {
        retired = nr;
        retired[n_retired++] = svc->dir;
        svc->dir = NULL;
      }
    }
    pthread_mutex_unlock(&svc->lock);
  }
  pthread_mutex_unlock(&svc_table_lock);
  return rc;
}

const char *
hk_svc_cache_root(void)
{
  pthread_mutex_lock(&svc_table_lock);
  if (!cache_root)
    cache_root = default_cache_root();
  const char *r = cache_root;
  pthread_mutex_unlock(&svc_table_lock);
  return r;
}

/* At exit: close each instance's cache (SQLite folds its WAL back into
 * the database and removes it) and its http_fetch connections. */
static void
svc_shutdown(void)
{
  pthread_mutex_lock(&svc_table_lock);
  for (size_t i = 0; i < n_svcs; i++) {
    hk_svc *svc = svcs[i];
#ifdef HK_WITH_CACHE
    hk_cache_close(svc);
#endif
#ifdef HK_WITH_HTTP
    hk_http_pool_free(svc->fetch_pool);
    hk_http_reply_clear(&svc->fetch_reply);
#endif
    hk_http_conf_clear(&svc->conf);
    free(svc->plugin);
    free(svc->instance);
    free(svc->file);
    free(svc->label);
    free(svc->dir);
    free(svc->cache_get_buf);
    free(svc->registered_headers);
    free(svc);
  }
  free(svcs);
  svcs = NULL;
  n_svcs = cap_svcs = 0;
  for (size_t i = 0; i < n_retired; i++)
    free(retired[i]);
  free(retired);
  retired = NULL;
  n_retired = 0;
  free_entries(conf_entries, n_conf_entries);
  conf_entries = NULL;
  n_conf_entries = 0;
  free(cache_root);
  cache_root = NULL;
  pthread_mutex_unlock(&svc_table_lock);
}

static hk_svc *
svc_new(const char *plugin, const char *instance)
{
  hk_svc *svc = calloc(1, sizeof *svc);
  if (!svc)
    return NULL;
  pthread_mutexattr_t ra;
  pthread_mutexattr_init(&ra);
  pthread_mutexattr_settype(&ra, PTHREAD_MUTEX_RECURSIVE);
  pthread_mutex_init(&svc->lock, NULL);
  pthread_mutex_init(&svc->cache_lock, &ra);
  pthread_mutex_init(&svc->fetch_lock, NULL);
  pthread_mutexattr_destroy(&ra);
  hk_http_conf_init(&svc->conf);
  svc->plugin = strdup(plugin);
  svc->instance = strdup(instance);
  if (!svc->plugin || !svc->instance ||
      asprintf(&svc->label, "%s:%s", plugin, instance) < 0) {
    free(svc->plugin);
    free(svc->instance);
    free(svc);
    return NULL;
  }
  return svc;
}

hk_svc *
hk_svc_of(const hk_instance *inst)
{
  if (!hk_instance_valid(inst))
    return NULL;
  const hk_plugin *p = hk_instance_plugin(inst);
  const char *plugin = p->desc->name, *name = hk_instance_name(inst);
  hk_svc *found = NULL;
  pthread_mutex_lock(&svc_table_lock);
  for (size_t i = 0; i < n_svcs && !found; i++)
    if (strcmp(svcs[i]->instance, name) == 0 &&
        strcmp(svcs[i]->plugin, plugin) == 0)
      found = svcs[i];
  if (!found && cap_svcs == 0)
    atexit(svc_shutdown);
  if (!found && n_svcs == cap_svcs) {
    size_t ncap = cap_svcs ? cap_svcs * 2 : 8;
    hk_svc **nv = realloc(svcs, ncap * sizeof *nv);
    if (nv) {
      svcs = nv;
      cap_svcs = ncap;
    }
  }
  if (!found && n_svcs < cap_svcs && (found = svc_new(plugin, name))) {
    if (apply_entry(found) == HK_OK) {
      svcs[n_svcs++] = found;
    } else {
      free(found->plugin);
      free(found->instance);
      free(found->label);
      free(found);
      found = NULL;
    }
  }
  pthread_mutex_unlock(&svc_table_lock);
  return found;
}

const char *
hk_svc_header_secret(const char *header)
{
  /* Header values can be API keys.  Values of headers that only
   * describe the exchange are left alone: registering "application/json"
   * would hide every mention of it in every message. */
  static const char *const plain[] = {
      "accept",     "accept-encoding", "accept-language", "content-type",
      "user-agent", "cache-control",   "connection",      NULL};
  const char *colon = strchr(header, ':');
  if (!colon)
    return NULL;
  size_t nlen = (size_t)(colon - header);
  for (int k = 0; plain[k]; k++)
    if (strlen(plain[k]) == nlen && strncasecmp(header, plain[k], nlen) == 0)
      return NULL;
  const char *v = colon + 1;
  while (*v == ' ' || *v == '\t')
    v++;
  return *v ? v : NULL;
}

void
hk_svc_register_headers(hk_svc *svc, const char *const *headers)
{
  for (; headers && *headers; headers++) {
    const char *v = hk_svc_header_secret(*headers);
    if (!v)
      continue;
    /* A quick memo so that 10,000 requests with one key register it
     * once; hk_log_add_secret would find the duplicate, but slower. */
    pthread_mutex_lock(&svc->lock);
    size_t vlen = strlen(v);
    const char *reg = svc->registered_headers;
    int seen = 0;
    for (const char *p = reg; p && *p && !seen;) {
      const char *nl = strchr(p, '\n');
      size_t l = nl ? (size_t)(nl - p) : strlen(p);
      seen = l == vlen && memcmp(p, v, l) == 0;
      p = nl ? nl + 1 : p + l;
    }
    if (!seen) {
      size_t old = reg ? strlen(reg) : 0;
      char *nr = realloc(svc->registered_headers, old + vlen + 2);
      if (nr) {
        memcpy(nr + old, v, vlen);
        nr[old + vlen] = '\n';
        nr[old + vlen + 1] = '\0';
        svc->registered_headers = nr;
      }
    }
    pthread_mutex_unlock(&svc->lock);
    if (!seen)
      hk_log_add_secret(v);
  }
}

/* ------------------------------------------------- limits: rate, quota */

/*
 * The token bucket in its GCRA form (virtual scheduling): each request
 * moves the theoretical time of the next one (tat) on by the emission
 * interval T, and a request may go when now >= tat - tolerance.  The
 * tolerance is (burst - 1) * T plus a small slack (half an interval, at
 * most 20 ms) so that a loop waking a little late does not lose that time
 * for good, as a bucket of exactly one token would.
 *
 * T is chosen so that a server counting arrivals in any window of the
 * rate's period never sees more than rate + burst - 1, even when the
 * arrivals it timestamps are `jitter` apart from the sends (network,
 * both sides' scheduling: 0.5% of the period, at least 20 ms): n
 * requests in any closed window W are at most W / T + 1 + tolerance / T,
 * so
 *   T = (period + jitter + slack) / rate_n.
 * For 100/s that is 10.25 ms (97.6/s); for 4/min, 15.08 s.
 */
#define HK_RATE_JITTER 0.005
#define HK_RATE_JITTER_MIN_US 20000
#define HK_RATE_SLACK_MAX_US 20000

int64_t
hk_svc_take_token(hk_svc *svc, int64_t now_us)
{
  int64_t wait = 0;
  pthread_mutex_lock(&svc->lock);
  if (now_us < svc->paused_until_us) {
    wait = svc->paused_until_us - now_us;
  } else if (svc->conf.rate > 0 && svc->conf.rate_n > 0) {
    double period = (double)svc->conf.rate_period_us;
    double slack = period / svc->conf.rate_n / 2;
    if (slack > HK_RATE_SLACK_MAX_US)
      slack = HK_RATE_SLACK_MAX_US;
    double jitter = period * HK_RATE_JITTER;
    if (jitter < HK_RATE_JITTER_MIN_US)
      jitter = HK_RATE_JITTER_MIN_US;
    int64_t interval =
        (int64_t)ceil((period + jitter + slack) / svc->conf.rate_n);
    int64_t tol = (int64_t)(svc->conf.burst - 1) * interval + (int64_t)slack;
    if (svc->tat_us == 0)
      svc->tat_us = now_us;
    if (now_us < svc->tat_us - tol) {
      wait = svc->tat_us - tol - now_us;
    } else {
      svc->tat_us = (svc->tat_us > now_us ? svc->tat_us : now_us) + interval;
    }
  }
  pthread_mutex_unlock(&svc->lock);
  return wait;
}

void
hk_svc_pause(hk_svc *svc, int64_t until_us)
{
  pthread_mutex_lock(&svc->lock);
  if (until_us > svc->paused_until_us)
    svc->paused_until_us = until_us;
  pthread_mutex_unlock(&svc->lock);
}

/* `count`: 1 takes one request from the quota, 0 only checks it. */
static int
quota(hk_svc *svc, int count, hk_error *err)
{
  int rc = HK_OK;
  pthread_mutex_lock(&svc->lock);
  if (svc->conf.quota <= 0) {
    pthread_mutex_unlock(&svc->lock);
    return HK_OK;
  }
  int64_t day = hk_svc_now_us() / 1000000 / 86400;
  int64_t used = -1;
  if (!svc->quota_loaded || svc->quota_day != day) {
    svc->quota_day = day;
    svc->quota_used = 0;
    svc->quota_loaded = 1;
#ifdef HK_WITH_CACHE
    if (hk_cache_quota_add(svc, day, 0, &used) == HK_OK)
      svc->quota_used = used;
#endif
  }
  if (svc->quota_used >= svc->conf.quota) {
    rc = hk_error_set(err, HK_E_RATELIMIT,
                      "%s: the daily quota of %lld requests is spent (%lld "
                      "made today, UTC); it resets at 00:00 UTC (quota: in "
                      "%s)",
                      svc->label, (long long)svc->conf.quota,
                      (long long)svc->quota_used,
                      svc->file ? svc->file : "its conf.d file");
  } else if (count) {
    used = -1;
#ifdef HK_WITH_CACHE
    if (hk_cache_quota_add(svc, day, 1, &used) != HK_OK)
      used = -1;
#endif
    if (used < 0) {
      svc->quota_used++;
      if (!svc->quota_warned) {
        svc->quota_warned = 1;
        hk_log_msg(NULL, HK_LOG_WARN,
                   "%s: the lookup cache is unavailable, so its daily quota "
                   "is counted for this run only",
                   svc->label);
      }
    } else {
      svc->quota_used = used;
    }
  }
  pthread_mutex_unlock(&svc->lock);
  return rc;
}

int
hk_svc_quota_take(hk_svc *svc, hk_error *err)
{
  return quota(svc, 1, err);
}

int
hk_svc_quota_check(hk_svc *svc, hk_error *err)
{
  return quota(svc, 0, err);
}

/* -------------------------------------------------- http and cache API */

/* mkdir -p with mode 0700 for every directory it creates. */
int
hk_svc_mkdir_private(const char *path)
{
  char *p = strdup(path);
  if (!p)
    return ENOMEM;
  int e = 0;
  for (char *s = p + 1; !e; s++) {
    char c = *s;
    if (c != '/' && c != '\0')
      continue;
    *s = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST)
      e = errno;
    *s = c;
    if (c == '\0')
      break;
  }
  struct stat st;
  if (!e && (stat(p, &st) != 0 || !S_ISDIR(st.st_mode)))
    e = errno ? errno : ENOTDIR;
  free(p);
  return e;
}

static const char *
svc_cache_dir(const hk_instance *inst)
{
  hk_svc *svc = hk_svc_of(inst);
  if (!svc) {
    hk_log_msg(NULL, HK_LOG_ERROR,
               "plugin bug: cache_dir() called with an invalid instance "
               "handle");
    return NULL;
  }
  const char *root = hk_svc_cache_root();
  pthread_mutex_lock(&svc->lock);
  if (!svc->dir && root) {
    char *d = NULL;
    if (asprintf(&d, "%s/%s/%s", root, svc->plugin, svc->instance) < 0)
      d = NULL;
    int e = d ? hk_svc_mkdir_private(d) : ENOMEM;
    if (e) {
      hk_log_msg(inst, HK_LOG_ERROR,
                 "cannot create the cache directory %s: %s (set cache_dir "
                 "in huntkit.yaml to a writable directory)",
                 d ? d : root, strerror(e));
      free(d);
    } else {
      svc->dir = d;
    }
  }
  const char *out = svc->dir;
  pthread_mutex_unlock(&svc->lock);
  return out;
}

/* Copy a plugin's struct into ours: an older plugin's struct may be
 * shorter, and the members it lacks read as zero. */
static void
copy_sized(void *dst, size_t dst_size, const void *src, uint32_t src_size)
{
  memset(dst, 0, dst_size);
  size_t n = src_size < dst_size ? src_size : dst_size;
  memcpy(dst, src, n);
  *(uint32_t *)dst = (uint32_t)dst_size;
}

#ifdef HK_WITH_HTTP
static int
svc_http_fetch(const hk_instance *inst, const hk_http_request *req,
               hk_http_response *resp, hk_error *err)
{
  hk_svc *svc = hk_svc_of(inst);
  if (!svc)
    return hk_error_set(err, HK_E_INVAL,
                        "plugin bug: http_fetch() called with an invalid "
                        "instance handle");
  if (!req || !resp ||
      req->struct_size < offsetof(hk_http_request, url) + sizeof req->url ||
      resp->struct_size <
          offsetof(hk_http_response, body_len) + sizeof resp->body_len)
    return hk_error_set(err, HK_E_INVAL,
                        "plugin bug: http_fetch() needs a request and a "
                        "response with struct_size set");
  hk_http_request r;
  hk_http_response out;
  copy_sized(&r, sizeof r, req, req->struct_size);
  memset(&out, 0, sizeof out);
  out.struct_size = sizeof out;
  int rc = hk_http_fetch(svc, &r, &out, err);
  if (rc == HK_OK) {
    uint32_t keep = resp->struct_size;
    memcpy(resp, &out, keep < sizeof out ? keep : sizeof out);
    resp->struct_size = keep;
  }
  return rc;
}
#endif

#ifdef HK_WITH_CACHE
/* Keys of plugins and of the lookup engine live in one table: a first
 * byte keeps them apart. */
#define HK_PLUGIN_KEY_TAG 'P'

static char *
plugin_key(const char *key, size_t key_len)
{
  char *k = malloc(key_len + 1);
  if (k) {
    k[0] = HK_PLUGIN_KEY_TAG;
    memcpy(k + 1, key, key_len);
  }
  return k;
}

static int
svc_cache_get(const hk_instance *inst, const char *key, size_t key_len,
              const char **value, size_t *value_len)
{
  hk_svc *svc = hk_svc_of(inst);
  if (!svc || !key || !value || !value_len)
    return HK_E_INVAL;
  if (hk_svc_cache_mode() != HK_CACHE_USE)
    return HK_E_NOTFOUND;
  char *k = plugin_key(key, key_len);
  if (!k)
    return HK_E_NOMEM;
  const char *body, *ctype;
  size_t len;
  long status;
  pthread_mutex_lock(&svc->cache_lock);
  int rc = hk_cache_lookup(svc, k, key_len + 1, &status, &ctype, &body, &len);
  if (rc == HK_OK) {
    if (len + 1 > svc->cache_get_cap) {
      char *nb = realloc(svc->cache_get_buf, len + 1);
      if (!nb)
        rc = HK_E_NOMEM;
      else {
        svc->cache_get_buf = nb;
        svc->cache_get_cap = len + 1;
      }
    }
    if (rc == HK_OK) {
      memcpy(svc->cache_get_buf, body, len);
      svc->cache_get_buf[len] = '\0';
      *value = svc->cache_get_buf;
      *value_len = len;
    }
  }
  pthread_mutex_unlock(&svc->cache_lock);
  free(k);
  /* An unusable cache was reported once; to the plugin it is a miss. */
  return rc == HK_E_IO ? HK_E_NOTFOUND : rc;
}

static int
svc_cache_put(const hk_instance *inst, const char *key, size_t key_len,
              const char *value, size_t value_len, int64_t ttl_s)
{
  hk_svc *svc = hk_svc_of(inst);
  if (!svc || !key || (!value && value_len))
    return HK_E_INVAL;
  if (hk_svc_cache_mode() == HK_CACHE_OFF)
    return HK_OK;
  if (ttl_s <= 0) {
    pthread_mutex_lock(&svc->lock);
    ttl_s = svc->conf.cache_ttl_s;
    pthread_mutex_unlock(&svc->lock);
    if (ttl_s <= 0)
      return HK_OK; /* cache_ttl: 0 -- this instance caches nothing */
  }
  char *k = plugin_key(key, key_len);
  if (!k)
    return HK_E_NOMEM;
  int rc = hk_cache_store(svc, k, key_len + 1, -1, NULL, value ? value : "",
                          value_len, ttl_s);
  free(k);
  return rc;
}
#endif

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
#ifdef HK_WITH_HTTP
    .http_fetch = svc_http_fetch,
#endif
#ifdef HK_WITH_CACHE
    .cache_get = svc_cache_get,
    .cache_put = svc_cache_put,
#endif
    .cache_dir = svc_cache_dir,
};

const hk_host *
hk_services(void)
{
  return &host_table;
}
