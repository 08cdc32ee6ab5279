/*
 * host/log.c -- the host's one path to stderr.
 *
 * Every line the host prints (its own messages and the plugins', through
 * hk_host.log) goes through hk_log_emit: registered secrets are replaced
 * by "***" first, control characters are escaped so a hostile log line
 * cannot drive the terminal, and an instance repeating the same message
 * is cut off after HK_LOG_REPEAT_LIMIT copies (collectd's "complain"
 * idea) with one line saying so.
 *
 * The warn counter counts WARN and ERROR messages from instances, printed
 * or not (-q hides them but the run was still partial), including the
 * suppressed repeats.
 */
#include "config.h"

#include "internal.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* Longest line printed; longer messages are cut with a marker.  They are
 * formatted in full (up to HK_LOG_FORMAT_MAX) and redacted before the cut,
 * so a secret straddling the cut is never half-printed. */
#define HK_LOG_LINE_MAX 4096
#define HK_LOG_FORMAT_MAX 65536
/* Shortest tail of a message that is redacted when it matches the start of
 * a secret (an error message cut inside a secret by vsnprintf). */
#define HK_LOG_PARTIAL_MIN 4

static atomic_int log_level = HK_LOG_WARN;
static atomic_ulong warn_count;

static pthread_mutex_t out_lock = PTHREAD_MUTEX_INITIALIZER;
static hk_log_state host_state; /* messages without an instance */

static pthread_mutex_t secret_lock = PTHREAD_MUTEX_INITIALIZER;
static char **secrets; /* longest first, so overlapping secrets redact whole */
static size_t n_secrets, cap_secrets;

void
hk_log_set_level(int level)
{
  if (level < HK_LOG_ERROR)
    level = HK_LOG_ERROR;
  if (level > HK_LOG_DEBUG)
    level = HK_LOG_DEBUG;
  atomic_store(&log_level, level);
}

int
hk_log_get_level(void)
{
  return atomic_load(&log_level);
}

unsigned long
hk_log_warn_count(void)
{
  return atomic_load(&warn_count);
}

const char *
hk_log_level_name(int level)
{
  switch (level) {
  case HK_LOG_ERROR:
    return "error";
  case HK_LOG_WARN:
    return "warning";
  case HK_LOG_INFO:
    return "info";
  default:
    return "debug";
  }
}

/* ------------------------------------------------------------- secrets */

void
hk_log_add_secret(const char *value)
{
  if (value == NULL || value[0] == '\0')
    return;
  pthread_mutex_lock(&secret_lock);
  size_t len = strlen(value), at = n_secrets;
  for (size_t i = 0; i < n_secrets; i++) {
    if (strcmp(secrets[i], value) == 0)
      goto out;
    if (at == n_secrets && strlen(secrets[i]) < len)
      at = i;
  }
  if (n_secrets == cap_secrets) {
    size_t ncap = cap_secrets ? cap_secrets * 2 : 8;
    char **n = realloc(secrets, ncap * sizeof *n);
    if (n == NULL)
      goto out;
    secrets = n;
    cap_secrets = ncap;
  }
  char *copy = strdup(value);
  if (copy == NULL)
    goto out;
  memmove(secrets + at + 1, secrets + at, (n_secrets - at) * sizeof *secrets);
  secrets[at] = copy;
  n_secrets++;
out:
  pthread_mutex_unlock(&secret_lock);
}

/* Replace `n` bytes at `p` by "***" inside a buffer of `cap` bytes whose
 * string is `*len` long; returns the position just after the stars. */
static char *
replace_with_stars(char *msg, size_t cap, size_t *len, char *p, size_t n)
{
  static const char stars[] = "***";
  size_t at = (size_t)(p - msg), tail = *len - at - n;
  size_t room = cap - 1 - at; /* bytes available from `at` on */
  size_t nstars = 3 < room ? 3 : room;
  if (tail > room - nstars)
    tail = room - nstars; /* the buffer is full: the end is cut */
  memmove(p + nstars, p + n, tail);
  memcpy(p, stars, nstars);
  *len = at + nstars + tail;
  msg[*len] = '\0';
  return p + nstars;
}

void
hk_log_redact(char *msg, size_t cap)
{
  if (msg == NULL || cap == 0)
    return;
  pthread_mutex_lock(&secret_lock);
  size_t len = strnlen(msg, cap - 1);
  msg[len] = '\0';
  for (size_t i = 0; i < n_secrets; i++) {
    const char *s = secrets[i];
    size_t slen = strlen(s);
    char *p = msg;
    while ((p = strstr(p, s)) != NULL)
      p = replace_with_stars(msg, cap, &len, p, slen);
    /* A message cut inside a secret ends with the secret's first bytes. */
    for (size_t k = slen - 1; k >= HK_LOG_PARTIAL_MIN && k < slen; k--) {
      if (k <= len && memcmp(msg + len - k, s, k) == 0) {
        replace_with_stars(msg, cap, &len, msg + len - k, k);
        break;
      }
    }
  }
  pthread_mutex_unlock(&secret_lock);
}

/* ------------------------------------------------------------- output */

static uint64_t
fnv1a(const char *s)
{
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ull;
  }
  return h;
}

/* "[kind:plugin:instance] " for a valid instance, "" for none. */
static void
format_prefix(const hk_instance *inst, char *buf, size_t cap)
{
  buf[0] = '\0';
  if (inst == NULL)
    return;
  if (!hk_instance_valid(inst)) {
    snprintf(buf, cap, "[invalid instance handle] ");
    return;
  }
  const hk_plugin *p = hk_instance_plugin(inst);
  snprintf(buf, cap, "[%s:%s:%s] ", hk_kind_name(p->desc->kind), p->desc->name,
           hk_instance_name(inst));
}

/* Append `text` to `out` with control characters shown as \xNN. */
static size_t
append_escaped(char *out, size_t at, size_t cap, const char *text)
{
  for (const unsigned char *s = (const unsigned char *)text; *s; s++) {
    if ((*s < 0x20 && *s != '\t') || *s == 0x7f) {
      if (at + 4 >= cap)
        break;
      snprintf(out + at, cap - at, "\\x%02x", *s);
      at += 4;
    } else {
      if (at + 1 >= cap)
        break;
      out[at++] = (char)*s;
    }
  }
  out[at] = '\0';
  return at;
}

static void
write_line(const char *level_name, const char *prefix, const char *text,
           bool cut)
{
  char line[HK_LOG_LINE_MAX + 128];
  size_t at = (size_t)snprintf(line, sizeof line, "huntkit: %s: %s", level_name,
                               prefix);
  if (at >= sizeof line)
    at = sizeof line - 1;
  at = append_escaped(line, at, HK_LOG_LINE_MAX + 64, text);
  if (cut)
    at += (size_t)snprintf(line + at, sizeof line - at, " [...]");
  if (at < sizeof line - 1)
    line[at++] = '\n';
  fwrite(line, 1, at, stderr);
  fflush(stderr);
}

static hk_log_state *
state_of(const hk_instance *inst)
{
  if (inst != NULL && hk_instance_valid(inst))
    return hk_instance_log_state(inst);
  return &host_state;
}

/* Print the pending "suppressed" count of `st`; out_lock held. */
static void
flush_locked(hk_log_state *st, const char *prefix)
{
  if (st->suppressed > 0) {
    char note[96];
    snprintf(note, sizeof note, "(%lu more identical message%s suppressed)",
             st->suppressed, st->suppressed == 1 ? " was" : "s were");
    write_line(hk_log_level_name(st->last_level), prefix, note, false);
  }
  st->suppressed = 0;
  st->repeats = 0;
  st->last_hash = 0;
}

void
hk_log_emit(const hk_instance *inst, int level, const char *text)
{
  if (level < HK_LOG_ERROR)
    level = HK_LOG_ERROR;
  if (level > HK_LOG_DEBUG)
    level = HK_LOG_DEBUG;
  if (inst != NULL && level <= HK_LOG_WARN)
    atomic_fetch_add(&warn_count, 1);
  if (level > hk_log_get_level())
    return;

  /* Redact a private copy (`text` is the caller's) with room to grow: a
   * secret shorter than "***" lengthens the text, at most threefold. */
  size_t len = strnlen(text, HK_LOG_FORMAT_MAX);
  bool cut = len == HK_LOG_FORMAT_MAX;
  char stackbuf[3 * HK_LOG_LINE_MAX];
  size_t cap = 3 * len + 1;
  char *copy = cap <= sizeof stackbuf ? stackbuf : malloc(cap);
  if (copy == NULL) {
    copy = stackbuf;
    len = HK_LOG_LINE_MAX - 1;
    cap = sizeof stackbuf;
    cut = true;
  }
  if (copy == stackbuf)
    cap = sizeof stackbuf;
  memcpy(copy, text, len);
  copy[len] = '\0';
  hk_log_redact(copy, cap);
  if (strlen(copy) > HK_LOG_LINE_MAX - 1) {
    copy[HK_LOG_LINE_MAX - 1] = '\0';
    cut = true;
  }

  char prefix[256];
  format_prefix(inst, prefix, sizeof prefix);

  pthread_mutex_lock(&out_lock);
  hk_log_state *st = state_of(inst);
  uint64_t h = fnv1a(copy) ^ (uint64_t)level;
  if (st->repeats > 0 && h == st->last_hash) {
    st->repeats++;
    if (st->repeats <= HK_LOG_REPEAT_LIMIT) {
      write_line(hk_log_level_name(level), prefix, copy, cut);
    } else {
      if (st->repeats == HK_LOG_REPEAT_LIMIT + 1)
        write_line(hk_log_level_name(level), prefix,
                   "(further identical messages suppressed)", false);
      st->suppressed++;
    }
  } else {
    flush_locked(st, prefix);
    st->last_hash = h;
    st->last_level = level;
    st->repeats = 1;
    write_line(hk_log_level_name(level), prefix, copy, cut);
  }
  pthread_mutex_unlock(&out_lock);
  if (copy != stackbuf)
    free(copy);
}

void
hk_log_flush(const hk_instance *inst)
{
  char prefix[256];
  format_prefix(inst, prefix, sizeof prefix);
  pthread_mutex_lock(&out_lock);
  flush_locked(state_of(inst), prefix);
  pthread_mutex_unlock(&out_lock);
}

void
hk_log_msg(const hk_instance *inst, int level, const char *fmt, ...)
{
  char buf[HK_LOG_LINE_MAX];
  va_list ap;
  va_start(ap, fmt);
  int need = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (need < 0)
    return;
  if ((size_t)need < sizeof buf) {
    hk_log_emit(inst, level, buf);
    return;
  }
  /* Too long for the line: format it whole (bounded) so redaction sees
   * every secret before the line is cut. */
  size_t cap = (size_t)need + 1 < HK_LOG_FORMAT_MAX + 1 ? (size_t)need + 1
                                                        : HK_LOG_FORMAT_MAX + 1;
  char *big = malloc(cap);
  if (big == NULL) {
    hk_log_emit(inst, level, buf);
    return;
  }
  va_start(ap, fmt);
  vsnprintf(big, cap, fmt, ap);
  va_end(ap);
  hk_log_emit(inst, level, big);
  free(big);
}
