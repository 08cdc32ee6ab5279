/*
 * host/http_conf.c -- the host-owned keys of a conf.d instance file (rate,
 * burst, quota, timeout, connect_timeout, retries, backoff, proxy,
 * cache_ttl, concurrency): defaults and parsing of their values.
 * settings.c reads the files and names file, line and key in errors;
 * services.c applies the values to each instance.
 */
#include "config.h"

#include "http.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const hk_http_conf_keys[] = {
    "rate",    "burst",   "quota", "timeout",   "connect_timeout",
    "retries", "backoff", "proxy", "cache_ttl", "concurrency",
    NULL};

void
hk_http_conf_init(hk_http_conf *c)
{
  memset(c, 0, sizeof *c);
  c->burst = 1;
  c->timeout_ms = HK_HTTP_DEFAULT_TIMEOUT_MS;
  c->connect_timeout_ms = HK_HTTP_DEFAULT_CONNECT_TIMEOUT_MS;
  c->retries = HK_HTTP_DEFAULT_RETRIES;
  c->backoff_ms = HK_HTTP_DEFAULT_BACKOFF_MS;
  c->cache_ttl_s = HK_HTTP_DEFAULT_CACHE_TTL_S;
  c->concurrency = HK_HTTP_DEFAULT_CONCURRENCY;
}

void
hk_http_conf_clear(hk_http_conf *c)
{
  if (c->proxy) {
    explicit_bzero(c->proxy, strlen(c->proxy));
    free(c->proxy);
  }
  c->proxy = NULL;
}

int
hk_http_conf_copy(hk_http_conf *dst, const hk_http_conf *src)
{
  *dst = *src;
  dst->proxy = NULL;
  if (src->proxy && (dst->proxy = strdup(src->proxy)) == NULL)
    return HK_E_NOMEM;
  return HK_OK;
}

/* "4/min", "100/s", "0.5/s", "1000/day": requests and the period's length
 * in seconds.  Returns 0, or -1 when malformed. */
static int
parse_per_period(const char *s, double *count, double *period_s)
{
  static const struct {
    const char *name;
    double seconds;
  } units[] = {{"s", 1},       {"sec", 1},     {"second", 1},
               {"min", 60},    {"minute", 60}, {"h", 3600},
               {"hour", 3600}, {"d", 86400},   {"day", 86400}};
  char *end;
  errno = 0;
  double n = strtod(s, &end);
  if (end == s || errno != 0 || !isfinite(n) || n <= 0)
    return -1;
  while (*end == ' ')
    end++;
  if (*end != '/')
    return -1;
  end++;
  while (*end == ' ')
    end++;
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (strcmp(end, units[i].name) == 0) {
      *count = n;
      *period_s = units[i].seconds;
      return 0;
    }
  return -1;
}

/* A duration with a unit (a bare number would read as milliseconds,
 * which nobody means by `timeout: 30`). */
static int
parse_duration_unit(const char *s, int64_t *ms)
{
  size_t n = strlen(s);
  if (n == 0 || !(s[n - 1] >= 'a' && s[n - 1] <= 'z'))
    return -1;
  return hk_parse_duration_ms(s, ms) == HK_OK && *ms >= 0 ? 0 : -1;
}

static int
parse_int_range(const char *s, long lo, long hi, long *out)
{
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (end == s || *end != '\0' || errno != 0 || v < lo || v > hi)
    return -1;
  *out = v;
  return 0;
}

int
hk_http_conf_set(hk_http_conf *c, const char *key, const char *value,
                 hk_error *err)
{
  long l;
  int64_t ms;
  double count, period;
  if (strcmp(key, "rate") == 0) {
    if (strcmp(value, "none") == 0 || strcmp(value, "0") == 0) {
      c->rate = c->rate_n = 0;
      c->rate_period_us = 0;
      c->rate_text[0] = '\0';
      return HK_OK;
    }
    if (parse_per_period(value, &count, &period) != 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be requests per period, e.g. 4/min, 100/s "
                          "or none, got '%s'",
                          value);
    c->rate = count / period;
    /* "0.5/s" is one request per 2 s: the limiter counts whole requests */
    if (count < 1) {
      period /= count;
      count = 1;
    }
    c->rate_n = count;
    c->rate_period_us = (int64_t)(period * 1e6);
    snprintf(c->rate_text, sizeof c->rate_text, "%s", value);
  } else if (strcmp(key, "burst") == 0) {
    if (parse_int_range(value, 1, 100000, &l) != 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be a whole number of requests from 1 to "
                          "100000, got '%s'",
                          value);
    c->burst = (double)l;
  } else if (strcmp(key, "quota") == 0) {
    if (strcmp(value, "none") == 0) {
      c->quota = 0;
      return HK_OK;
    }
    if (parse_per_period(value, &count, &period) != 0 || period != 86400 ||
        count != floor(count) || count > 1e12)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be whole requests per day, e.g. 500/day, or "
                          "none, got '%s'",
                          value);
    c->quota = (int64_t)count;
  } else if (strcmp(key, "timeout") == 0 ||
             strcmp(key, "connect_timeout") == 0) {
    if (parse_duration_unit(value, &ms) != 0 || ms == 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be a duration with a unit, e.g. 500ms, 30s "
                          "or 2m, got '%s'",
                          value);
    if (key[0] == 't')
      c->timeout_ms = ms;
    else
      c->connect_timeout_ms = ms;
  } else if (strcmp(key, "retries") == 0) {
    if (parse_int_range(value, 0, 20, &l) != 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be a whole number from 0 to 20, got '%s'",
                          value);
    c->retries = (int)l;
  } else if (strcmp(key, "backoff") == 0) {
    if (parse_duration_unit(value, &ms) != 0 || ms > 600000)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be a duration with a unit up to 10m, e.g. "
                          "250ms or 1s, got '%s'",
                          value);
    c->backoff_ms = ms;
  } else if (strcmp(key, "proxy") == 0) {
    const char *v = strcmp(value, "none") == 0 ? "" : value;
    if (v[0] && !strstr(v, "://"))
      return hk_error_set(err, HK_E_CONFIG,
                          "must be a proxy URL such as "
                          "http://proxy.example:3128 or none, got '%s'",
                          value);
    char *copy = strdup(v);
    if (!copy)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    hk_http_conf_clear(c);
    c->proxy = copy;
    /* user:password@proxy must never reach a log line */
    if (strchr(v, '@'))
      hk_log_add_secret(v);
  } else if (strcmp(key, "cache_ttl") == 0) {
    if (strcmp(value, "0") == 0)
      ms = 0;
    else if (parse_duration_unit(value, &ms) != 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be a duration with a unit, e.g. 12h or 7d "
                          "(0: do not cache), got '%s'",
                          value);
    c->cache_ttl_s = ms / 1000;
  } else if (strcmp(key, "concurrency") == 0) {
    if (parse_int_range(value, 1, 1000, &l) != 0)
      return hk_error_set(err, HK_E_CONFIG,
                          "must be a whole number of requests in flight "
                          "from 1 to 1000, got '%s'",
                          value);
    c->concurrency = (int)l;
  } else {
    return HK_E_NOTFOUND;
  }
  return HK_OK;
}
