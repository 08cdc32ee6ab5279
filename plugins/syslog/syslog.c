/*
 * plugins/syslog/syslog.c -- the `syslog` provider: RFC 3164 and RFC 5424
 * syslog files and Sentinel `Syslog` exports as one row per message, or,
 * with hosts=true, one row per host (MSTICPy's syslog host record).
 *
 * Lines are split in the file provider's 1 MiB read buffer and parsed in
 * place (syslog_parse.c); values go straight into the table builder, so
 * nothing is copied per line except a line holding NUL bytes.  Sentinel
 * exports are read with the file provider's CSV and JSON readers
 * (syslog_sentinel.c).  README.md documents options and columns.
 */
#include "syslog_run.h"

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_BATCH_ROWS 8192

static const hk_host *host_services;

/* MSTICPy's create_host_record leaves these out of Applications. */
#define DEFAULT_EXCLUDED_APPS                                                  \
  "CRON,sudo,snapd,systemd-resolved,systemd,crontab,systemd-timesyncd,"        \
  "systemd-logind,rsyslogd,syslog-ng"

static const hk_param syslog_options[] = {
    {"path", HK_PT_PATH, HK_P_REQUIRED | HK_P_REST, NULL, NULL,
     "syslog files or Sentinel Syslog exports (CSV/JSON): paths or globs, "
     "comma-separated, or - for standard input"},
    {"format", HK_PT_STRING, 0, "auto", "auto|rfc3164|rfc5424|sentinel",
     "auto: a Sentinel export by its header or JSON, else each line RFC 5424 "
     "when it starts '<PRI>1 ', otherwise RFC 3164"},
    {"year", HK_PT_INT, 0, NULL, NULL,
     "year of the first RFC 3164 line (it has none); default: from the "
     "file's modification time"},
    {"timezone", HK_PT_STRING, 0, "UTC", NULL,
     "zone of RFC 3164 times: UTC or an offset such as +02:00 or -0500"},
    {"on_error", HK_PT_STRING, 0, "fail", "skip|fail",
     "a malformed line or row: fail the run, or skip it with a warning"},
    {"hosts", HK_PT_BOOL, 0, "false", NULL,
     "one row per host (first/last seen, events, applications) instead of "
     "one per message"},
    {"exclude_apps", HK_PT_LIST, 0, DEFAULT_EXCLUDED_APPS, NULL,
     "hosts=true: process names left out of Applications"},
    {NULL, 0, 0, NULL, NULL, NULL}};

const syslog_column syslog_columns[N_SYS_COLS] = {
    {"TimeGenerated", HK_COL_TIMESTAMP},
    {"Computer", HK_COL_UTF8},
    {"Facility", HK_COL_UTF8},
    {"SeverityLevel", HK_COL_UTF8},
    {"Priority", HK_COL_INT64},
    {"ProcessName", HK_COL_UTF8},
    {"ProcessID", HK_COL_INT64},
    {"MsgId", HK_COL_UTF8},
    {"StructuredData", HK_COL_UTF8},
    {"SyslogMessage", HK_COL_UTF8},
    {"HostIP", HK_COL_UTF8},
    {"Format", HK_COL_UTF8},
};

static const syslog_column host_columns[N_HOST_COLS] = {
    {"Computer", HK_COL_UTF8},       {"HostIP", HK_COL_UTF8},
    {"FirstSeen", HK_COL_TIMESTAMP}, {"LastSeen", HK_COL_TIMESTAMP},
    {"Events", HK_COL_INT64},        {"Applications", HK_COL_UTF8},
};

static int next_input(syslog_run *r);

/* ------------------------------------------------------------- reading */

/* The next line without its terminator (CR LF or LF), or NULL at the end
 * or on a read error (err filled).  Valid until the next call. */
static const char *
next_line(syslog_run *r, size_t *len, hk_error *err)
{
  hk_file_src *s = &r->src;
  size_t scanned = 0;
  for (;;) {
    char *start = s->buf + s->pos;
    size_t avail = s->len - s->pos;
    char *nl = memchr(start + scanned, '\n', avail - scanned);
    if (nl || (s->eof && avail)) {
      size_t n = nl ? (size_t)(nl - start) : avail;
      s->pos += n + (nl ? 1 : 0);
      r->bytes += (int64_t)(n + (nl ? 1 : 0));
      if (n && start[n - 1] == '\r')
        n--;
      *len = n;
      r->line_no++;
      return start;
    }
    if (s->eof)
      return NULL;
    scanned = avail;
    s->line = r->line_no + 1;
    if (hk_file_src_fill(s, err) < 0)
      return NULL;
  }
}

/* NUL bytes: leading ones (the zeros a crash leaves in a preallocated
 * file) are dropped, others become U+FFFD in a copy of the line. */
static const char *
clean_nuls(syslog_run *r, const char *s, size_t *n)
{
  while (*n && !*s)
    s++, (*n)--;
  if (!*n || !memchr(s, 0, *n))
    return s;
  hk_buf_reset(&r->line_copy);
  for (size_t i = 0; i < *n; i++) {
    if (s[i])
      hk_buf_append_char(&r->line_copy, s[i]);
    else
      hk_buf_append(&r->line_copy, "\xEF\xBF\xBD", 3);
  }
  *n = r->line_copy.len;
  return r->line_copy.data;
}

/* ------------------------------------------------------------- emitting */

static int
put_text(syslog_run *r, int col, const char *s, size_t n)
{
  if (!s)
    return hk_table_builder_append_null(r->b, (size_t)col);
  return hk_table_builder_append_utf8(r->b, (size_t)col, s, n);
}

static int
procid_value(const char *s, size_t n, int64_t *out)
{
  int64_t v = 0;
  if (!s || !n || n > 18)
    return 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return 1;
}

static const char *const format_names[] = {NULL, "rfc3164", "rfc5424",
                                           "sentinel"};

int
hk_syslog_take(syslog_run *r, const hk_syslog_msg *m)
{
  if (r->windowed &&
      (!m->has_ts || m->ts_us < r->start_us || m->ts_us >= r->end_us))
    return HK_OK;
  if (r->hosts)
    return hk_syslog_host_add(r, m);
  hk_table_builder *b = r->b;
  int64_t pid = 0;
  int rc = m->has_ts ? hk_table_builder_append_timestamp(b, C_TIME, m->ts_us)
                     : hk_table_builder_append_null(b, C_TIME);
  rc |= put_text(r, C_COMPUTER, m->host, m->host_len);
  rc |= put_text(r, C_FACILITY, m->facility, m->facility_len);
  rc |= put_text(r, C_SEVERITY, m->severity, m->severity_len);
  rc |= m->pri >= 0 ? hk_table_builder_append_int64(b, C_PRIORITY, m->pri)
                    : hk_table_builder_append_null(b, C_PRIORITY);
  rc |= put_text(r, C_PROCESS, m->app, m->app_len);
  rc |= procid_value(m->procid, m->procid_len, &pid)
            ? hk_table_builder_append_int64(b, C_PID, pid)
            : hk_table_builder_append_null(b, C_PID);
  rc |= put_text(r, C_MSGID, m->msgid, m->msgid_len);
  rc |= m->has_sd ? put_text(r, C_SD, r->sd.data, r->sd.len)
                  : hk_table_builder_append_null(b, C_SD);
  rc |= put_text(r, C_MESSAGE, m->msg, m->msg_len);
  rc |= put_text(r, C_HOSTIP, m->host_ip, m->host_ip_len);
  const char *f = format_names[m->format];
  rc |= put_text(r, C_FORMAT, f, strlen(f));
  if (rc != HK_OK)
    return HK_E_NOMEM;
  r->emitted++;
  return HK_OK;
}

/* ------------------------------------------------------------- hosts */

static uint64_t
hash_bytes(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++)
    h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
  return h;
}

/* Index of the key in the set, adding it when `add`; -1 when absent (or
 * HK_E_NOMEM). */
static int64_t
strset_find(syslog_strset *t, const char *s, size_t n, int add)
{
  if (add && (t->n + 1) * 2 > t->n_slots) {
    size_t ns = t->n_slots ? t->n_slots * 2 : 64;
    int64_t *slots = malloc(ns * sizeof *slots);
    if (!slots)
      return HK_E_NOMEM;
    for (size_t i = 0; i < ns; i++)
      slots[i] = -1;
    for (size_t k = 0; k < t->n; k++) {
      size_t i =
          (size_t)(hash_bytes(t->arena.data + t->keys[k][0], t->keys[k][1]) &
                   (ns - 1));
      while (slots[i] >= 0)
        i = (i + 1) & (ns - 1);
      slots[i] = (int64_t)k;
    }
    free(t->slots);
    t->slots = slots;
    t->n_slots = ns;
  }
  if (!t->n_slots)
    return -1;
  size_t i = (size_t)(hash_bytes(s, n) & (t->n_slots - 1));
  for (; t->slots[i] >= 0; i = (i + 1) & (t->n_slots - 1)) {
    size_t k = (size_t)t->slots[i];
    if (t->keys[k][1] == n && !memcmp(t->arena.data + t->keys[k][0], s, n))
      return (int64_t)k;
  }
  if (!add)
    return -1;
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    size_t(*keys)[2] = realloc(t->keys, cap * sizeof *keys);
    if (!keys)
      return HK_E_NOMEM;
    t->keys = keys;
    t->cap = cap;
  }
  t->keys[t->n][0] = t->arena.len;
  t->keys[t->n][1] = n;
  if (hk_buf_append(&t->arena, s, n) != HK_OK)
    return HK_E_NOMEM;
  t->slots[i] = (int64_t)t->n;
  return (int64_t)t->n++;
}

static void
strset_free(syslog_strset *t)
{
  hk_buf_free(&t->arena);
  free(t->keys);
  free(t->slots);
}

int
hk_syslog_host_add(syslog_run *r, const hk_syslog_msg *m)
{
  const char *name = m->host ? m->host : "";
  int64_t k = strset_find(&r->host_names, name, m->host_len, 1);
  if (k < 0)
    return HK_E_NOMEM;
  if ((size_t)k == r->n_hosts) {
    if (r->n_hosts == r->cap_hosts) {
      size_t cap = r->cap_hosts ? r->cap_hosts * 2 : 16;
      syslog_host *h = realloc(r->host_rows, cap * sizeof *h);
      if (!h)
        return HK_E_NOMEM;
      r->host_rows = h;
      r->cap_hosts = cap;
    }
    syslog_host *h = &r->host_rows[r->n_hosts++];
    memset(h, 0, sizeof *h);
    h->null_name = m->host == NULL;
  }
  syslog_host *h = &r->host_rows[k];
  h->events++;
  if (m->has_ts) {
    if (!h->has_ts || m->ts_us < h->first_us)
      h->first_us = m->ts_us;
    if (!h->has_ts || m->ts_us > h->last_us)
      h->last_us = m->ts_us;
    h->has_ts = 1;
  }
  if (!h->ip.len && m->host_ip && m->host_ip_len &&
      hk_buf_append(&h->ip, m->host_ip, m->host_ip_len) != HK_OK)
    return HK_E_NOMEM;
  if (m->app && m->app_len) {
    for (size_t i = 0; i < r->n_excluded; i++)
      if (strlen(r->excluded[i]) == m->app_len &&
          !memcmp(r->excluded[i], m->app, m->app_len))
        return HK_OK;
    /* (host, app) pairs seen: the key is the host index then the name */
    hk_buf_reset(&r->cell);
    hk_buf_append(&r->cell, &k, sizeof k);
    hk_buf_append(&r->cell, m->app, m->app_len);
    size_t before = r->host_apps.n;
    int64_t a = strset_find(&r->host_apps, r->cell.data, r->cell.len, 1);
    if (a < 0)
      return HK_E_NOMEM;
    if (r->host_apps.n > before &&
        (hk_buf_append_char(&h->apps, h->apps.len ? ',' : '[') != HK_OK ||
         hk_buf_append_json_string(&h->apps, m->app, m->app_len) != HK_OK))
      return HK_E_NOMEM;
  }
  return HK_OK;
}

static int
emit_hosts(syslog_run *r)
{
  hk_table_builder *b = r->b;
  for (; r->host_cursor < r->n_hosts &&
         hk_table_builder_row_count(b) < r->batch_rows;
       r->host_cursor++) {
    syslog_host *h = &r->host_rows[r->host_cursor];
    size_t k = r->host_cursor;
    int rc = h->null_name
                 ? hk_table_builder_append_null(b, 0)
                 : hk_table_builder_append_utf8(b, 0,
                                                r->host_names.arena.data +
                                                    r->host_names.keys[k][0],
                                                r->host_names.keys[k][1]);
    rc |= h->ip.len ? hk_table_builder_append_utf8(b, 1, h->ip.data, h->ip.len)
                    : hk_table_builder_append_null(b, 1);
    rc |= h->has_ts ? hk_table_builder_append_timestamp(b, 2, h->first_us)
                    : hk_table_builder_append_null(b, 2);
    rc |= h->has_ts ? hk_table_builder_append_timestamp(b, 3, h->last_us)
                    : hk_table_builder_append_null(b, 3);
    rc |= hk_table_builder_append_int64(b, 4, h->events);
    if (h->apps.len)
      hk_buf_append_char(&h->apps, ']');
    rc |= hk_table_builder_append_utf8(b, 5, h->apps.len ? h->apps.data : "[]",
                                       h->apps.len ? h->apps.len : 2);
    if (rc != HK_OK)
      return HK_E_NOMEM;
    r->emitted++;
  }
  return HK_OK;
}

/* ------------------------------------------------------------- stream */

static void
report_totals(syslog_run *r)
{
  if (r->skipped)
    HK_LOG_WARN(r->host, r->inst, "skipped %lld malformed %s%s (on_error=skip)",
                (long long)r->skipped,
                r->format == HK_SYSLOG_SENTINEL ? "row" : "line",
                r->skipped == 1 ? "" : "s");
}

/* A malformed line or row: stop (on_error=fail) or warn and go on.
 * Returns 1 when the run stops. */
int
hk_syslog_bad_input(syslog_run *r, hk_error *bad)
{
  if (!r->skip_bad) {
    bad->flags |= HK_EF_USER;
    r->pending = 1;
    r->pending_err = *bad;
    r->done = 1;
    return 1;
  }
  r->skipped++;
  HK_LOG_WARN(r->host, r->inst, "%s; %s skipped (on_error=skip)", bad->msg,
              r->format == HK_SYSLOG_SENTINEL ? "row" : "line");
  return 0;
}

/* One line or row.  0: go on; 1: the end (or a stop); <0: out of memory. */
static int
read_one(syslog_run *r)
{
  hk_error rerr;
  hk_error_clear(&rerr);
  if (r->format == HK_SYSLOG_SENTINEL) {
    int rc = hk_syslog_sentinel_next(r, &rerr);
    if (rc == 1)
      return 0;
    if (rc == 2)
      return hk_syslog_bad_input(r, &rerr);
    if (rc == HK_E_NOMEM)
      return rc;
    if (rc < 0) {
      r->pending = 1;
      r->pending_err = rerr;
      r->done = 1;
      return 1;
    }
    return next_input(r);
  }
  size_t n;
  const char *line = next_line(r, &n, &rerr);
  if (!line) {
    if (rerr.code) {
      hk_error_prefix(&rerr, "syslog: ");
      r->pending = 1;
      r->pending_err = rerr;
      r->done = 1;
      return 1;
    }
    return next_input(r);
  }
  line = clean_nuls(r, line, &n);
  size_t i = 0;
  while (i < n && (line[i] == ' ' || line[i] == '\t'))
    i++;
  if (i == n)
    return 0; /* blank */
  hk_syslog_msg m;
  const char *expected = NULL;
  int rc = hk_syslog_parse_line(line, n, r->format, &r->clock, &m, &r->sd,
                                &expected);
  if (rc < 0)
    return rc;
  if (rc == 0) {
    hk_error_set(&rerr, HK_E_INVAL,
                 "syslog: %s:%lld: not a syslog line (expected %s)",
                 r->shown_path, (long long)r->line_no, expected);
    return hk_syslog_bad_input(r, &rerr);
  }
  return hk_syslog_take(r, &m) == HK_OK ? 0 : HK_E_NOMEM;
}

static int
stream_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  syslog_run *r = ud;
  out->release = NULL;
  for (;;) {
    if (r->done && (!r->hosts || r->host_cursor == r->n_hosts) &&
        hk_table_builder_row_count(r->b) == 0) {
      if (r->pending) {
        r->pending = 0;
        *err = r->pending_err;
        if (r->emitted)
          err->flags |= HK_EF_PARTIAL;
        return err->code ? err->code : HK_E_FAIL;
      }
      return HK_OK;
    }
    if (!r->done && r->host->is_canceled && r->host->is_canceled(r->inst)) {
      r->done = 1;
      r->host_cursor = r->n_hosts;
      return hk_error_set(err, HK_E_CANCELED,
                          "syslog: canceled after %lld rows",
                          (long long)r->emitted);
    }
    int64_t batch_start = r->bytes;
    while (!r->done && hk_table_builder_row_count(r->b) < r->batch_rows &&
           r->bytes - batch_start < SYSLOG_BATCH_BYTES) {
      if (!r->hosts && r->row_limit > 0 && r->emitted >= r->row_limit) {
        r->done = 1;
        break;
      }
      int rc = read_one(r);
      if (rc < 0)
        return hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
    }
    if (r->done && !r->reported) {
      report_totals(r);
      r->reported = 1;
    }
    if (r->done && r->hosts && emit_hosts(r) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
    if (hk_table_builder_row_count(r->b) > 0)
      return hk_table_builder_finish_batch(r->b, out, err);
  }
}

static int
stream_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  syslog_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static void
run_free(void *ud)
{
  syslog_run *r = ud;
  if (!r)
    return;
  hk_syslog_sentinel_close(r);
  if (r->src_open)
    hk_file_src_close(&r->src);
  if (r->b)
    hk_table_builder_free(r->b);
  hk_buf_free(&r->sd);
  hk_buf_free(&r->line_copy);
  hk_buf_free(&r->cell);
  for (size_t i = 0; i < r->n_hosts; i++) {
    hk_buf_free(&r->host_rows[i].ip);
    hk_buf_free(&r->host_rows[i].apps);
  }
  free(r->host_rows);
  strset_free(&r->host_names);
  strset_free(&r->host_apps);
  for (size_t i = 0; i < r->n_paths; i++)
    free(r->paths[i]);
  free(r->paths);
  free(r);
}

/* ---------------------------------------------------------------- setup */

/* "UTC", "Z", "+hh:mm", "-hhmm", "+hh" -> seconds east of UTC. */
static int
parse_offset(const char *s, int64_t *out)
{
  if (!strcmp(s, "UTC") || !strcmp(s, "utc") || !strcmp(s, "Z") ||
      !strcmp(s, "GMT")) {
    *out = 0;
    return 1;
  }
  if ((s[0] != '+' && s[0] != '-') || s[1] < '0' || s[1] > '9' || s[2] < '0' ||
      s[2] > '9')
    return 0;
  int h = (s[1] - '0') * 10 + (s[2] - '0'), m = 0;
  const char *p = s + 3;
  if (*p == ':')
    p++;
  if (*p) {
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9' || p[2])
      return 0;
    m = (p[0] - '0') * 10 + (p[1] - '0');
  }
  if (h > 23 || m > 59)
    return 0;
  *out = (s[0] == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return 1;
}

/* Sentinel export or lines, from the first bytes (format=auto). */
static int
choose_format(syslog_run *r, hk_error *err)
{
  int first = hk_file_src_peek_nonspace(&r->src, err);
  if (first < -1)
    return first;
  if (r->format == HK_SYSLOG_SENTINEL)
    return HK_OK;
  if (r->format != HK_SYSLOG_AUTO)
    return HK_OK;
  if (first == '{' || first == '[') {
    r->format = HK_SYSLOG_SENTINEL;
    return HK_OK;
  }
  /* a CSV header naming SyslogMessage */
  hk_file_src *s = &r->src;
  for (;;) {
    const char *start = s->buf + s->pos;
    size_t avail = s->len - s->pos;
    const char *nl = memchr(start, '\n', avail);
    if (nl || s->eof || avail >= (1u << 20)) {
      size_t n = nl ? (size_t)(nl - start) : avail;
      for (size_t i = 0; i + 13 <= n; i++)
        if (start[i] == 'S' && !memcmp(start + i, "SyslogMessage", 13) &&
            (i == 0 || start[i - 1] == ',' || start[i - 1] == '"' ||
             start[i - 1] == '\t')) {
          r->format = HK_SYSLOG_SENTINEL;
          break;
        }
      return HK_OK;
    }
    if (hk_file_src_fill(s, err) < 0)
      return err->code;
  }
}

/* The inputs: comma-separated items, each a path, a glob (sorted
 * matches; `~/` and `{a,b}` expanded) or `-` for standard input. */
static int
expand_paths(syslog_run *r, const char *text, hk_error *err)
{
  char *copy = strdup(text);
  if (!copy)
    return hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
  int rc = HK_OK;
  for (char *save = NULL, *item = strtok_r(copy, ",", &save);
       rc == HK_OK && item; item = strtok_r(NULL, ",", &save)) {
    while (*item == ' ')
      item++;
    size_t n = strlen(item);
    while (n && item[n - 1] == ' ')
      item[--n] = '\0';
    if (!n)
      continue;
    const char *matches[1] = {item};
    const char *const *list = matches;
    size_t count = 1;
    glob_t g;
    int globbed = strpbrk(item, "*?[{") != NULL || item[0] == '~';
    if (globbed) {
      int grc = glob(item, GLOB_BRACE | GLOB_TILDE, NULL, &g);
      if (grc == GLOB_NOMATCH) {
        rc = hk_error_set(err, HK_E_NOTFOUND,
                          "syslog: no file matches '%s' (path=%s)", item, text);
        break;
      }
      if (grc != 0) {
        rc = hk_error_set(err, HK_E_IO, "syslog: cannot expand '%s'", item);
        break;
      }
      list = (const char *const *)g.gl_pathv;
      count = g.gl_pathc;
    }
    for (size_t i = 0; rc == HK_OK && i < count; i++) {
      if (r->n_paths == r->cap_paths) {
        size_t cap = r->cap_paths ? r->cap_paths * 2 : 8;
        char **np = realloc(r->paths, cap * sizeof *np);
        if (!np) {
          rc = hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
          break;
        }
        r->paths = np;
        r->cap_paths = cap;
      }
      if (!(r->paths[r->n_paths] = strdup(list[i])))
        rc = hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
      else
        r->n_paths++;
    }
    if (globbed)
      globfree(&g);
  }
  free(copy);
  if (rc == HK_OK && !r->n_paths)
    rc =
        hk_error_set(err, HK_E_CONFIG, "syslog: path '%s' names no file", text);
  for (size_t i = 0; rc == HK_OK && i < r->n_paths; i++)
    if (!strcmp(r->paths[i], "-") && r->n_paths > 1)
      rc = hk_error_set(err, HK_E_CONFIG,
                        "syslog: '-' (standard input) cannot be read with "
                        "other files (path=%s)",
                        text);
  return rc;
}

/* Close the current input and open input `i`: its modification time is
 * the reference for RFC 3164 years (year= applies to its first line), and
 * with format=auto its own first bytes decide lines or Sentinel export. */
static int
open_input(syslog_run *r, size_t i, hk_error *err)
{
  const char *path = r->paths[i];
  hk_syslog_sentinel_close(r);
  if (r->src_open)
    hk_file_src_close(&r->src);
  r->src_open = 0;
  r->cur = i;
  r->line_no = 0;
  r->format = r->format_opt;
  r->shown_path = strcmp(path, "-") ? path : "<stdin>";
  r->clock.year = r->clock.last_month = 0;
  r->clock.ref_us = r->host->now_us ? r->host->now_us() : 0;
  struct stat st;
  if (strcmp(path, "-")) {
    if (stat(path, &st) != 0)
      return hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                          "syslog: cannot open '%s': %s", path,
                          strerror(errno));
    if (S_ISDIR(st.st_mode))
      return hk_error_set(err, HK_E_INVAL,
                          "syslog: '%s' is a directory (expected a syslog "
                          "file)",
                          path);
    r->clock.ref_us =
        (int64_t)st.st_mtim.tv_sec * 1000000 + st.st_mtim.tv_nsec / 1000;
  }
  int rc = hk_file_src_open(&r->src, path, err);
  if (rc != HK_OK) {
    hk_error_prefix(err, "syslog: ");
    return rc;
  }
  r->src_open = 1;
  r->src.path = r->shown_path;
  if ((rc = hk_file_src_skip_bom(&r->src, err)) != HK_OK ||
      (rc = choose_format(r, err)) != HK_OK ||
      (r->format == HK_SYSLOG_SENTINEL &&
       (rc = hk_syslog_sentinel_open(r, err)) != HK_OK)) {
    if (strncmp(err->msg, "syslog: ", 8))
      hk_error_prefix(err, "syslog: ");
    return rc;
  }
  return HK_OK;
}

/* The current input is read: go to the next one.  0 when there is one,
 * 1 at the end (or when it cannot be opened: pending error). */
static int
next_input(syslog_run *r)
{
  if (r->cur + 1 >= r->n_paths) {
    r->done = 1;
    return 1;
  }
  hk_error oerr;
  hk_error_clear(&oerr);
  if (open_input(r, r->cur + 1, &oerr) != HK_OK) {
    oerr.flags |= HK_EF_USER;
    r->pending = 1;
    r->pending_err = oerr;
    r->done = 1;
    return 1;
  }
  return 0;
}

static int
syslog_run_query(void *state, const hk_query *q, struct ArrowArrayStream *out,
                 hk_error *err)
{
  const hk_host *h = host_services;
  syslog_run *r = calloc(1, sizeof *r);
  if (!r)
    return hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
  r->host = h;
  r->inst = state;
  int rc = HK_OK;
  const char *path = h->config_get_string(q->options, "path");
  const char *on_error = h->config_get_string(q->options, "on_error");
  const char *format = h->config_get_string(q->options, "format");
  const char *tz = h->config_get_string(q->options, "timezone");
  r->skip_bad = on_error && !strcmp(on_error, "skip");
  r->format_opt = HK_SYSLOG_AUTO;
  if (format && !strcmp(format, "rfc3164"))
    r->format_opt = HK_SYSLOG_3164;
  else if (format && !strcmp(format, "rfc5424"))
    r->format_opt = HK_SYSLOG_5424;
  else if (format && !strcmp(format, "sentinel"))
    r->format_opt = HK_SYSLOG_SENTINEL;
  int hosts = 0;
  if (h->config_get_bool(q->options, "hosts", &hosts) == HK_OK)
    r->hosts = hosts;
  const char *const *items = NULL;
  r->n_excluded = h->config_get_list(q->options, "exclude_apps", &items);
  r->excluded = items;
  r->batch_rows = q->batch_rows > 0 ? q->batch_rows : DEFAULT_BATCH_ROWS;
  r->row_limit = q->row_limit;
  r->start_us = q->start_us;
  r->end_us = q->end_us;
  r->windowed = q->start_us != HK_TIME_MIN || q->end_us != HK_TIME_MAX;
  if (tz && !parse_offset(tz, &r->clock.tz_offset_s)) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      "syslog: timezone '%s' is not UTC or an offset such as "
                      "+02:00 or -0500",
                      tz);
    err->flags |= HK_EF_USER;
    goto fail;
  }
  int64_t year = 0;
  if (h->config_is_set(q->options, "year") &&
      h->config_get_int(q->options, "year", &year) == HK_OK) {
    if (year < 1970 || year > 9999) {
      rc = hk_error_set(err, HK_E_CONFIG,
                        "syslog: year %lld is out of range (1970-9999)",
                        (long long)year);
      err->flags |= HK_EF_USER;
      goto fail;
    }
    r->clock.fixed_year = (int)year;
  }
  while (path && *path == ' ')
    path++;
  if (!path || !*path) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      "syslog: path is required (a syslog file, a Sentinel "
                      "export, or - for standard input)");
    err->flags |= HK_EF_USER;
    goto fail;
  }
  if ((rc = expand_paths(r, path, err)) != HK_OK) {
    err->flags |= HK_EF_USER;
    goto fail;
  }
  if (!(r->b = hk_table_builder_new())) {
    rc = hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
    goto fail;
  }
  const syslog_column *cols = r->hosts ? host_columns : syslog_columns;
  int n_cols = r->hosts ? N_HOST_COLS : N_SYS_COLS;
  for (int c = 0; c < n_cols; c++)
    if (hk_table_builder_add_column(r->b, cols[c].name, cols[c].type) < 0) {
      rc = hk_error_set(err, HK_E_NOMEM, "syslog: out of memory");
      goto fail;
    }
  if ((rc = open_input(r, 0, err)) != HK_OK) {
    err->flags |= HK_EF_USER;
    goto fail;
  }
  hk_stream_callbacks cb = {sizeof cb, stream_schema, stream_next, run_free};
  return hk_stream_init_callbacks(out, &cb, r, err);
fail:
  run_free(r);
  return rc;
}

static int
syslog_create(const hk_instance *inst, const hk_config *cfg, void **state,
              hk_error *err)
{
  (void)cfg;
  (void)err;
  *state = (void *)inst; /* the only state: who we are, for logging */
  return HK_OK;
}

static const hk_provider_vt syslog_vtable = {
    .struct_size = sizeof(hk_provider_vt),
    .options = syslog_options,
    .create = syslog_create,
    .destroy = NULL,
    .run_query = syslog_run_query,
};

static const hk_plugin_desc syslog_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "syslog",
    .version = "1.0.0",
    .kind = HK_KIND_PROVIDER,
    .flags = 0,
    .summary = "syslog files (RFC 3164, RFC 5424) and Sentinel Syslog "
               "exports as one row per message, or per host",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &syslog_vtable,
};

static const hk_plugin_desc *const syslog_descs[] = {&syslog_desc, NULL};

static const hk_plugin_desc *const *
syslog_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->log || !host->log_enabled || !host->config_get_string ||
      !host->config_get_bool || !host->config_get_int ||
      !host->config_get_list || !host->config_is_set) {
    hk_error_set(err, HK_E_ABI,
                 "syslog: the host lacks logging or config services");
    return NULL;
  }
  host_services = host;
  return syslog_descs;
}

HK_PLUGIN_DEFINE(syslog, syslog_entry)
