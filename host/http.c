/*
 * host/http.c -- the HTTP service: a libcurl multi loop that keeps many
 * requests in flight, each within the limits of the instance it belongs
 * to.
 *
 * A pool holds one lane per instance.  A lane is a FIFO of requests plus
 * the retries waiting for their time; it starts a request when it has a
 * free slot (the instance's `concurrency`), the instance's token bucket
 * gives a token and its daily quota is not spent.  The token bucket and
 * the quota live in hk_svc, so every pool (the bulk engine's, each
 * instance's http_fetch pool) draws on the same limits.
 *
 * Retries: 429 and 5xx replies, and connection failures (refused, reset,
 * nothing received, truncated), are tried again up to `retries` times.
 * The wait is the reply's Retry-After (delta seconds or an HTTP-date) when
 * it gives one, else `backoff` doubled each time; both get jitter so that
 * several clients do not come back in step.  A 429 pauses the whole
 * instance for that wait, not just the one request.  Retry-After beyond
 * HK_HTTP_MAX_RETRY_WAIT_MS is not waited for: the reply goes to the
 * plugin, which reports the rate limit.  A timeout is not retried: the
 * request already had its whole time.
 *
 * Messages name the host (and port), never the URL: a query string may
 * hold an API key.  TLS verification is on; only http and https are
 * allowed, also on redirects, which are followed only for downloads (an
 * API key in a custom header would otherwise travel to whatever host a
 * redirect names).
 */
#define _GNU_SOURCE
#include "config.h"

#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct lane lane;

typedef struct xfer {
  struct xfer *next;
  struct xfer *fly_prev, *fly_next; /* the pool's in-flight list */
  lane *lane;
  CURL *easy; /* while in flight */
  char *method, *url, *body, *download_path, *part_path;
  size_t body_len;
  struct curl_slist *headers;
  int64_t timeout_ms;
  char host[256];
  int attempts;
  int64_t first_start_us;
  int64_t not_before_us; /* retries: not before this (monotonic) */
  char retry_after[80];
  size_t body_cap;
  FILE *dl;
  int too_big, write_failed;
  hk_http_reply reply;
  hk_http_done_fn *done;
  void *ud;
} xfer;

struct lane {
  hk_svc *svc;
  hk_http_conf conf; /* snapshot when the lane was made */
  xfer *head, *tail; /* new requests, in order */
  xfer *retry;       /* retries waiting for their time */
  int inflight;
};

struct hk_http_pool {
  CURLM *multi;
  lane **lanes;
  size_t n_lanes;
  CURL **spare; /* finished easy handles, kept for their connections */
  size_t n_spare, cap_spare;
  size_t pending; /* queued + waiting + in flight */
  xfer *flying;   /* in flight */
  uint64_t rng;
};

static void
fly_add(hk_http_pool *p, xfer *x)
{
  x->fly_prev = NULL;
  x->fly_next = p->flying;
  if (p->flying)
    p->flying->fly_prev = x;
  p->flying = x;
}

static void
fly_remove(hk_http_pool *p, xfer *x)
{
  if (x->fly_prev)
    x->fly_prev->fly_next = x->fly_next;
  else
    p->flying = x->fly_next;
  if (x->fly_next)
    x->fly_next->fly_prev = x->fly_prev;
  x->fly_prev = x->fly_next = NULL;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void
curl_init(void)
{
  curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

void
hk_http_reply_clear(hk_http_reply *r)
{
  free(r->body);
  free(r->content_type);
  memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------- helpers */

void
hk_http_url_host(const char *url, char *buf, size_t cap)
{
  CURLU *u = curl_url();
  char *host = NULL, *port = NULL;
  buf[0] = '\0';
  if (!u)
    return;
  if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
    if (curl_url_get(u, CURLUPART_PORT, &port, 0) == CURLUE_OK && port)
      snprintf(buf, cap, "%s:%s", host, port);
    else
      snprintf(buf, cap, "%s", host);
  }
  curl_free(host);
  curl_free(port);
  curl_url_cleanup(u);
}

int64_t
hk_http_parse_retry_after(const char *value, int64_t now_s)
{
  while (*value == ' ' || *value == '\t')
    value++;
  if (*value == '\0')
    return -1;
  if (isdigit((unsigned char)*value)) {
    char *end;
    errno = 0;
    long long secs = strtoll(value, &end, 10);
    while (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n')
      end++;
    if (*end == '\0' && errno == 0 && secs >= 0 && secs < 100000000)
      return (int64_t)secs * 1000;
    /* not a number: perhaps a date that starts with a digit */
  }
  time_t t = curl_getdate(value, NULL);
  if (t == (time_t)-1)
    return -1;
  int64_t ms = ((int64_t)t - now_s) * 1000;
  return ms < 0 ? 0 : ms;
}

static uint64_t
rng_next(hk_http_pool *p)
{
  /* xorshift64*: jitter needs spread, not secrecy */
  uint64_t x = p->rng;
  x ^= x >> 12;
  x ^= x << 25;
  x ^= x >> 27;
  p->rng = x;
  return x * 2685821657736338717ull;
}

/* A uniform integer in [0, n]. */
static int64_t
rng_upto(hk_http_pool *p, int64_t n)
{
  return n <= 0 ? 0 : (int64_t)(rng_next(p) % (uint64_t)(n + 1));
}

static void
xfer_free(xfer *x)
{
  if (!x)
    return;
  if (x->dl)
    fclose(x->dl);
  if (x->part_path)
    unlink(x->part_path);
  free(x->method);
  free(x->url);
  free(x->body);
  free(x->download_path);
  free(x->part_path);
  curl_slist_free_all(x->headers);
  hk_http_reply_clear(&x->reply);
  free(x);
}

/* ----------------------------------------------------------------- pool */

hk_http_pool *
hk_http_pool_new(hk_error *err)
{
  pthread_once(&curl_once, curl_init);
  if (curl_init_rc != CURLE_OK) {
    hk_error_set(err, HK_E_NETWORK, "libcurl did not initialise: %s",
                 curl_easy_strerror(curl_init_rc));
    return NULL;
  }
  hk_http_pool *p = calloc(1, sizeof *p);
  if (!p || !(p->multi = curl_multi_init())) {
    free(p);
    hk_error_set(err, HK_E_NOMEM, "out of memory");
    return NULL;
  }
  p->rng = (uint64_t)hk_svc_mono_us() ^ ((uint64_t)getpid() << 32) ^
           (uint64_t)(uintptr_t)p;
  if (p->rng == 0)
    p->rng = 0x9e3779b97f4a7c15ull;
  return p;
}

static void deliver(hk_http_pool *p, xfer *x);

static void fail_xfer(hk_http_pool *p, xfer *x, int code, uint32_t flags,
                      const char *fmt, ...) HK_PRINTF(5, 6);

static void
fail_xfer(hk_http_pool *p, xfer *x, int code, uint32_t flags, const char *fmt,
          ...)
{
  va_list ap;
  x->reply.rc = code;
  x->reply.err_flags = flags;
  va_start(ap, fmt);
  vsnprintf(x->reply.err, sizeof x->reply.err, fmt, ap);
  va_end(ap);
  hk_log_redact(x->reply.err, sizeof x->reply.err);
  deliver(p, x);
}

/* Hand a finished request to its owner and free it. */
static void
deliver(hk_http_pool *p, xfer *x)
{
  if (x->dl) {
    fclose(x->dl);
    x->dl = NULL;
  }
  if (x->part_path)
    unlink(x->part_path); /* no-op after a successful rename */
  x->reply.attempts = x->attempts;
  x->reply.elapsed_us =
      x->first_start_us ? hk_svc_mono_us() - x->first_start_us : 0;
  if (!x->reply.body && x->reply.rc == HK_OK) {
    x->reply.body = strdup("");
    x->reply.body_len = 0;
    if (!x->reply.body) {
      x->reply.rc = HK_E_NOMEM;
      snprintf(x->reply.err, sizeof x->reply.err, "out of memory");
    }
  }
  p->pending--;
  x->done(x->ud, &x->reply);
  xfer_free(x);
}

static void
cancel_all(hk_http_pool *p)
{
  for (size_t i = 0; i < p->n_lanes; i++) {
    lane *l = p->lanes[i];
    xfer *lists[2] = {l->head, l->retry};
    l->head = l->tail = l->retry = NULL;
    for (int k = 0; k < 2; k++)
      for (xfer *x = lists[k], *next; x; x = next) {
        next = x->next;
        fail_xfer(p, x, HK_E_CANCELED, 0, "%s: canceled", x->host);
      }
  }
  /* In flight: take each handle out of the multi. */
  while (p->flying) {
    xfer *x = p->flying;
    fly_remove(p, x);
    curl_multi_remove_handle(p->multi, x->easy);
    curl_easy_cleanup(x->easy);
    x->easy = NULL;
    x->lane->inflight--;
    fail_xfer(p, x, HK_E_CANCELED, 0, "%s: canceled", x->host);
  }
}

void
hk_http_pool_free(hk_http_pool *p)
{
  if (!p)
    return;
  if (p->pending)
    cancel_all(p);
  for (size_t i = 0; i < p->n_spare; i++)
    curl_easy_cleanup(p->spare[i]);
  free(p->spare);
  for (size_t i = 0; i < p->n_lanes; i++) {
    hk_http_conf_clear(&p->lanes[i]->conf);
    free(p->lanes[i]);
  }
  free(p->lanes);
  curl_multi_cleanup(p->multi);
  free(p);
}

size_t
hk_http_pool_pending(const hk_http_pool *p)
{
  return p->pending;
}

static lane *
lane_of(hk_http_pool *p, hk_svc *svc)
{
  for (size_t i = 0; i < p->n_lanes; i++)
    if (p->lanes[i]->svc == svc)
      return p->lanes[i];
  lane **nl = realloc(p->lanes, (p->n_lanes + 1) * sizeof *nl);
  if (!nl)
    return NULL;
  p->lanes = nl;
  lane *l = calloc(1, sizeof *l);
  if (!l)
    return NULL;
  pthread_mutex_lock(&svc->lock);
  int rc = hk_http_conf_copy(&l->conf, &svc->conf);
  pthread_mutex_unlock(&svc->lock);
  if (rc != HK_OK) {
    free(l);
    return NULL;
  }
  l->svc = svc;
  p->lanes[p->n_lanes++] = l;
  return l;
}

static int
starts_with_ci(const char *s, const char *prefix)
{
  return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

int
hk_http_pool_add(hk_http_pool *p, hk_svc *svc, const hk_http_request *req,
                 hk_http_done_fn *done, void *ud, hk_error *err)
{
  if (!req->url || !(starts_with_ci(req->url, "http://") ||
                     starts_with_ci(req->url, "https://")))
    return hk_error_set(err, HK_E_INVAL,
                        "%s: a request URL must start with http:// or "
                        "https://",
                        svc->label);
  lane *l = lane_of(p, svc);
  xfer *x = calloc(1, sizeof *x);
  if (!l || !x) {
    free(x);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  hk_svc_register_headers(svc, req->headers);
  x->lane = l;
  x->done = done;
  x->ud = ud;
  x->timeout_ms = req->timeout_ms > 0 ? req->timeout_ms : l->conf.timeout_ms;
  x->url = strdup(req->url);
  x->method = strdup(req->method && *req->method ? req->method : "GET");
  if (req->body) {
    x->body = malloc(req->body_len + 1);
    if (x->body) {
      memcpy(x->body, req->body, req->body_len);
      x->body[req->body_len] = '\0';
      x->body_len = req->body_len;
    }
  }
  if (req->download_path) {
    x->download_path = strdup(req->download_path);
    if (x->download_path &&
        asprintf(&x->part_path, "%s.part", req->download_path) < 0)
      x->part_path = NULL;
  }
  int nomem = !x->url || !x->method || (req->body && !x->body) ||
              (req->download_path && (!x->download_path || !x->part_path));
  for (const char *const *h = req->headers; h && *h && !nomem; h++) {
    struct curl_slist *n = curl_slist_append(x->headers, *h);
    if (!n)
      nomem = 1;
    else
      x->headers = n;
  }
  if (nomem) {
    free(x->part_path); /* nothing was written: nothing to unlink */
    x->part_path = NULL;
    xfer_free(x);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  hk_http_url_host(x->url, x->host, sizeof x->host);
  if (!x->host[0])
    snprintf(x->host, sizeof x->host, "%s", "(no host)");
  if (l->tail)
    l->tail->next = x;
  else
    l->head = x;
  l->tail = x;
  p->pending++;
  return HK_OK;
}

/* ------------------------------------------------------------ callbacks */

static size_t
on_body(char *data, size_t size, size_t nmemb, void *ud)
{
  xfer *x = ud;
  size_t n = size * nmemb;
  if (x->dl) {
    if (fwrite(data, 1, n, x->dl) != n) {
      x->write_failed = errno ? errno : EIO;
      return 0;
    }
    return n;
  }
  hk_http_reply *r = &x->reply;
  if (r->body_len + n > HK_HTTP_MAX_BODY) {
    x->too_big = 1;
    return 0;
  }
  if (r->body_len + n + 1 > x->body_cap) {
    size_t cap = x->body_cap ? x->body_cap : 4096;
    while (cap < r->body_len + n + 1)
      cap *= 2;
    char *nb = realloc(r->body, cap);
    if (!nb) {
      x->write_failed = ENOMEM;
      return 0;
    }
    r->body = nb;
    x->body_cap = cap;
  }
  memcpy(r->body + r->body_len, data, n);
  r->body_len += n;
  r->body[r->body_len] = '\0';
  return n;
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *ud)
{
  xfer *x = ud;
  size_t n = size * nmemb;
  /* A new status line starts a new response (after a 100 Continue or a
   * followed redirect): forget what the previous one said. */
  if (n >= 5 && strncmp(data, "HTTP/", 5) == 0)
    x->retry_after[0] = '\0';
  else if (n > 12 && strncasecmp(data, "Retry-After:", 12) == 0) {
    size_t len = n - 12;
    const char *v = data + 12;
    while (len && (*v == ' ' || *v == '\t'))
      v++, len--;
    while (len &&
           (v[len - 1] == '\r' || v[len - 1] == '\n' || v[len - 1] == ' '))
      len--;
    if (len >= sizeof x->retry_after)
      len = sizeof x->retry_after - 1;
    memcpy(x->retry_after, v, len);
    x->retry_after[len] = '\0';
  }
  return n;
}

/* ---------------------------------------------------------------- start */

static CURL *
take_easy(hk_http_pool *p)
{
  if (p->n_spare) {
    CURL *e = p->spare[--p->n_spare];
    curl_easy_reset(e);
    return e;
  }
  return curl_easy_init();
}

static void
keep_easy(hk_http_pool *p, CURL *e)
{
  if (p->n_spare == p->cap_spare) {
    size_t cap = p->cap_spare ? p->cap_spare * 2 : 16;
    CURL **ns = realloc(p->spare, cap * sizeof *ns);
    if (!ns) {
      curl_easy_cleanup(e);
      return;
    }
    p->spare = ns;
    p->cap_spare = cap;
  }
  p->spare[p->n_spare++] = e;
}

static int
start_xfer(hk_http_pool *p, xfer *x, int64_t now)
{
  lane *l = x->lane;
  CURL *e = take_easy(p);
  if (!e) {
    fail_xfer(p, x, HK_E_NOMEM, 0, "out of memory");
    return -1;
  }
  hk_http_reply_clear(&x->reply);
  x->body_cap = 0;
  x->too_big = x->write_failed = 0;
  x->retry_after[0] = '\0';
  if (x->part_path) {
    if (x->dl)
      fclose(x->dl);
    x->dl = fopen(x->part_path, "wbe");
    if (!x->dl) {
      keep_easy(p, e);
      fail_xfer(p, x, HK_E_IO, 0, "cannot write %s: %s", x->part_path,
                strerror(errno));
      return -1;
    }
  }
  curl_easy_setopt(e, CURLOPT_URL, x->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
#else
  curl_easy_setopt(e, CURLOPT_PROTOCOLS, CURLPROTO_HTTP | CURLPROTO_HTTPS);
  curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS,
                   CURLPROTO_HTTP | CURLPROTO_HTTPS);
#endif
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)x->timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
                   (long)l->conf.connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "huntkit/" PACKAGE_VERSION);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  if (x->headers)
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
  if (l->conf.proxy)
    curl_easy_setopt(e, CURLOPT_PROXY, l->conf.proxy);
  if (x->download_path) {
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
  }
  if (strcmp(x->method, "GET") == 0) {
    curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
  } else if (strcmp(x->method, "HEAD") == 0) {
    curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
  } else {
    if (strcmp(x->method, "POST") != 0)
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, x->method);
    if (x->body || strcmp(x->method, "POST") == 0) {
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, x->body ? x->body : "");
    }
  }
  if (curl_multi_add_handle(p->multi, e) != CURLM_OK) {
    keep_easy(p, e);
    fail_xfer(p, x, HK_E_NETWORK, 0, "%s: cannot start the request", x->host);
    return -1;
  }
  x->easy = e;
  fly_add(p, x);
  if (!x->first_start_us)
    x->first_start_us = now;
  x->attempts++;
  l->inflight++;
  return 0;
}

/* Start what the lanes allow; *wake gets the earliest time (monotonic)
 * at which a lane that is waiting could start something. */
static void
start_ready(hk_http_pool *p, int64_t now, int64_t *wake)
{
  for (size_t i = 0; i < p->n_lanes; i++) {
    lane *l = p->lanes[i];
    while (l->inflight < l->conf.concurrency) {
      /* Due retries go before new requests. */
      xfer **pick = NULL;
      for (xfer **r = &l->retry; *r; r = &(*r)->next) {
        if ((*r)->not_before_us <= now) {
          pick = r;
          break;
        }
        if ((*r)->not_before_us < *wake)
          *wake = (*r)->not_before_us;
      }
      if (!pick && !l->head)
        break;
      hk_error qerr;
      hk_error_clear(&qerr);
      /* A spent quota fails the request at once, without waiting for a
       * token it would not use. */
      int spent = hk_svc_quota_check(l->svc, &qerr) != HK_OK;
      int64_t wait = spent ? 0 : hk_svc_take_token(l->svc, now);
      if (wait > 0) {
        if (now + wait < *wake)
          *wake = now + wait;
        break;
      }
      xfer *x;
      if (pick) {
        x = *pick;
        *pick = x->next;
      } else {
        x = l->head;
        l->head = x->next;
        if (!l->head)
          l->tail = NULL;
      }
      x->next = NULL;
      if (spent || hk_svc_quota_take(l->svc, &qerr) != HK_OK) {
        fail_xfer(p, x, HK_E_RATELIMIT, 0, "%s", qerr.msg);
        continue;
      }
      start_xfer(p, x, now);
    }
  }
}

/* ---------------------------------------------------------------- finish */

static void
schedule_retry(hk_http_pool *p, xfer *x, int64_t now, int64_t delay_ms)
{
  x->not_before_us = now + delay_ms * 1000;
  x->next = x->lane->retry;
  x->lane->retry = x;
  (void)p;
}

/* Wait before attempt number x->attempts + 1: exponential with "equal
 * jitter" (half fixed, half random). */
static int64_t
backoff_ms(hk_http_pool *p, const xfer *x)
{
  int64_t base = x->lane->conf.backoff_ms;
  for (int i = 1; i < x->attempts && base < HK_HTTP_MAX_RETRY_WAIT_MS; i++)
    base *= 2;
  if (base > HK_HTTP_MAX_RETRY_WAIT_MS)
    base = HK_HTTP_MAX_RETRY_WAIT_MS;
  return base / 2 + rng_upto(p, base - base / 2);
}

static int
retryable_network(CURLcode c)
{
  switch (c) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_GOT_NOTHING:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return 1;
  default:
    return 0;
  }
}

static void
finish_xfer(hk_http_pool *p, xfer *x, CURLcode code)
{
  lane *l = x->lane;
  CURL *e = x->easy;
  int64_t now = hk_svc_mono_us();
  int can_retry = x->attempts <= l->conf.retries && !hk_services_canceled();
  long status = 0;
  char *ctype = NULL;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ctype);
  curl_off_t connect_us = 0;
  curl_easy_getinfo(e, CURLINFO_CONNECT_TIME_T, &connect_us);
  x->easy = NULL;
  x->reply.status = status;

  if (code == CURLE_OK) {
    if ((status == 429 || status >= 500) && can_retry) {
      int64_t delay = -1;
      if (x->retry_after[0])
        delay = hk_http_parse_retry_after(x->retry_after,
                                          hk_svc_now_us() / 1000000);
      if (delay > HK_HTTP_MAX_RETRY_WAIT_MS)
        goto reply; /* not worth waiting: the plugin reports it */
      if (delay >= 0)
        delay += rng_upto(p, delay / 10 < 1000 ? delay / 10 : 1000);
      else
        delay = backoff_ms(p, x);
      if (status == 429)
        hk_svc_pause(l->svc, now + delay * 1000);
      keep_easy(p, e);
      schedule_retry(p, x, now, delay);
      return;
    }
  reply:
    if (ctype && !(x->reply.content_type = strdup(ctype))) {
      keep_easy(p, e);
      fail_xfer(p, x, HK_E_NOMEM, 0, "out of memory");
      return;
    }
    keep_easy(p, e);
    if (x->dl) {
      int fe = fflush(x->dl) != 0 || ferror(x->dl) ? errno : 0;
      fe = fclose(x->dl) != 0 && !fe ? errno : fe;
      x->dl = NULL;
      if (fe) {
        fail_xfer(p, x, HK_E_IO, 0, "cannot write %s: %s", x->part_path,
                  strerror(fe));
        return;
      }
      if (status >= 200 && status < 300) {
        if (rename(x->part_path, x->download_path) != 0) {
          fail_xfer(p, x, HK_E_IO, 0, "cannot rename %s to %s: %s",
                    x->part_path, x->download_path, strerror(errno));
          return;
        }
        free(x->part_path);
        x->part_path = NULL;
      }
    }
    x->reply.rc = HK_OK;
    deliver(p, x);
    return;
  }

  keep_easy(p, e);
  if (x->too_big) {
    fail_xfer(p, x, HK_E_LIMIT, 0,
              "%s: the reply is larger than %u MB (the limit for a reply "
              "held in memory)",
              x->host, HK_HTTP_MAX_BODY >> 20);
  } else if (x->write_failed) {
    fail_xfer(p, x, x->write_failed == ENOMEM ? HK_E_NOMEM : HK_E_IO, 0,
              "%s: cannot store the reply%s%s: %s", x->host,
              x->part_path ? " in " : "", x->part_path ? x->part_path : "",
              strerror(x->write_failed));
  } else if (code == CURLE_OPERATION_TIMEDOUT) {
    if (connect_us == 0)
      fail_xfer(p, x, HK_E_TIMEOUT, HK_EF_RETRYABLE,
                "%s: could not connect within %lld ms (connect_timeout)",
                x->host, (long long)l->conf.connect_timeout_ms);
    else
      fail_xfer(p, x, HK_E_TIMEOUT, HK_EF_RETRYABLE,
                "%s: no complete reply within %lld ms (timeout)", x->host,
                (long long)x->timeout_ms);
  } else if (retryable_network(code) && can_retry) {
    schedule_retry(p, x, now, backoff_ms(p, x));
  } else {
    fail_xfer(p, x, HK_E_NETWORK, retryable_network(code) ? HK_EF_RETRYABLE : 0,
              "%s: %s (after %d attempt%s)", x->host, curl_easy_strerror(code),
              x->attempts, x->attempts == 1 ? "" : "s");
  }
}

static void
collect_done(hk_http_pool *p)
{
  CURLMsg *m;
  int left;
  while ((m = curl_multi_info_read(p->multi, &left))) {
    if (m->msg != CURLMSG_DONE)
      continue;
    CURL *e = m->easy_handle;
    CURLcode code = m->data.result;
    xfer *x = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
    curl_multi_remove_handle(p->multi, e);
    if (!x) {
      curl_easy_cleanup(e);
      continue;
    }
    x->lane->inflight--;
    fly_remove(p, x);
    finish_xfer(p, x, code);
  }
}

/* ------------------------------------------------------------------ run */

/* Longest sleep between checks of the cancel flag. */
#define HK_HTTP_POLL_MS 100

void
hk_http_pool_run(hk_http_pool *p, hk_http_step_fn *step, void *ud)
{
  for (;;) {
    int stepped = step ? step(ud) : 0;
    if (hk_services_canceled()) {
      if (p->pending)
        cancel_all(p);
      if (!stepped)
        return;
      continue;
    }
    int64_t now = hk_svc_mono_us();
    int64_t wake = INT64_MAX;
    start_ready(p, now, &wake);
    int running = 0;
    curl_multi_perform(p->multi, &running);
    collect_done(p);
    if (p->pending == 0) {
      if (!stepped)
        return;
      continue;
    }
    /* Retries just scheduled may be due before anything else happens. */
    start_ready(p, hk_svc_mono_us(), &wake);
    if (stepped)
      continue;
    int64_t wait_ms = HK_HTTP_POLL_MS;
    if (wake != INT64_MAX) {
      int64_t w = (wake - hk_svc_mono_us() + 999) / 1000;
      if (w < wait_ms)
        wait_ms = w < 0 ? 0 : w;
    }
    curl_multi_poll(p->multi, NULL, 0, (int)wait_ms, NULL);
  }
}

/* ---------------------------------------------------------- http_fetch */

static void
fetch_done(void *ud, hk_http_reply *reply)
{
  hk_svc *svc = ud;
  hk_http_reply_clear(&svc->fetch_reply);
  svc->fetch_reply = *reply;
  memset(reply, 0, sizeof *reply);
}

int
hk_http_fetch(hk_svc *svc, const hk_http_request *req, hk_http_response *resp,
              hk_error *err)
{
  pthread_mutex_lock(&svc->fetch_lock);
  hk_http_reply_clear(&svc->fetch_reply);
  /* The pool (and its connections) lives with the instance, so a plugin
   * calling http_fetch once per IoC reuses one connection. */
  if (!svc->fetch_pool && !(svc->fetch_pool = hk_http_pool_new(err))) {
    pthread_mutex_unlock(&svc->fetch_lock);
    return err ? err->code : HK_E_NOMEM;
  }
  int rc = hk_http_pool_add(svc->fetch_pool, svc, req, fetch_done, svc, err);
  if (rc == HK_OK) {
    hk_http_pool_run(svc->fetch_pool, NULL, NULL);
    hk_http_reply *r = &svc->fetch_reply;
    if (r->rc != HK_OK) {
      rc = hk_error_set(err, r->rc, "%s", r->err);
      if (err)
        err->flags = r->err_flags;
    } else {
      resp->status = (int32_t)r->status;
      resp->from_cache = 0;
      resp->attempts = r->attempts;
      resp->body = r->body;
      resp->body_len = r->body_len;
      resp->content_type = r->content_type;
      resp->elapsed_us = r->elapsed_us;
    }
  }
  pthread_mutex_unlock(&svc->fetch_lock);
  return rc;
}
