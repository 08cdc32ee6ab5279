/*
 * plugins/auditd/auditd.c -- the `auditd` provider: Linux audit records as
 * one row per audit event, from raw audit.log files, from Log Analytics
 * exports that hold them pre-parsed (mssg_id + AuditdMessage) and from
 * AUOMS records carried in syslog.
 *
 * A kernel event is written as several records (SYSCALL, EXECVE, CWD, PATH,
 * PROCTITLE, ...) that share `msg=audit(EPOCH.MS:SERIAL)`.  Records are
 * grouped by (timestamp, serial) -- MSTICPy groups by the timestamp alone
 * and merges distinct events of the same millisecond.  Records of one event
 * are usually adjacent but may interleave with another event's, so a small
 * FIFO of open events is kept; see README.md for when an event is emitted.
 */
#include "auditd_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define DEFAULT_BATCH_ROWS 8192

static const hk_host *host_services;

static const hk_param auditd_options[] = {
    {"path", HK_PT_PATH, HK_P_REQUIRED | HK_P_REST, NULL, NULL,
     "audit log to read, or - for standard input"},
    {"format", HK_PT_STRING, 0, "auto", "auto|raw|loganalytics|auoms",
     "raw: audit.log lines; loganalytics: CSV/JSON rows with mssg_id and "
     "AuditdMessage; auoms: AUOMS records in syslog lines or Syslog rows; "
     "auto: from the first line"},
    {"on_error", HK_PT_STRING, 0, "fail", "skip|fail",
     "a line or row that holds no audit record: fail the run, or skip it "
     "with a warning"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const char *const format_names[] = {"auto", "raw", "loganalytics",
                                           "auoms"};

/* ------------------------------------------------------------- reading */

/* The next line (without its terminator) or NULL at the end of input or
 * on a read error (err filled).  Valid until the next call. */
static const char *
next_line(auditd_run *r, size_t *len, hk_error *err)
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
      if (n && start[n - 1] == '\r')
        n--;
      *len = n;
      r->line_no++;
      return start;
    }
    if (s->eof)
      return NULL;
    scanned = avail;
    s->line = r->line_no + 1; /* for the source's own messages */
    if (hk_file_src_fill(s, err) < 0)
      return NULL;
  }
}

/* The first line, without consuming it (for format=auto); NULL when the
 * input is empty. */
static const char *
peek_first_line(auditd_run *r, size_t *len, hk_error *err)
{
  hk_file_src *s = &r->src;
  for (;;) {
    char *start = s->buf + s->pos;
    size_t avail = s->len - s->pos;
    char *nl = memchr(start, '\n', avail);
    if (nl || s->eof || avail >= (4u << 20)) {
      size_t n = nl ? (size_t)(nl - start) : avail;
      if (n && start[n - 1] == '\r')
        n--;
      *len = n;
      return avail ? start : NULL;
    }
    if (hk_file_src_fill(s, err) < 0)
      return NULL;
  }
}

/* Integer of at most `max` digits at *pp; 0 when there is none. */
AUDITD_HOT int
digits(const char **pp, const char *end, int max, int64_t *out)
{
  const char *p = *pp, *d0 = p;
  int64_t v = 0;
  while (p < end && *p >= '0' && *p <= '9' && p - d0 < max)
    v = v * 10 + (*p++ - '0');
  *pp = p;
  *out = v;
  return p > d0;
}

/* `SECONDS.FRACTION:SERIAL` at *pp; 1 and the values when it is one. */
AUDITD_HOT int
audit_stamp(const char **pp, const char *end, int64_t *ts, int64_t *serial)
{
  const char *p = *pp;
  int64_t secs, frac_us = 0, ser;
  /* at most 12 digits: seconds up to the year 33658, and no overflow in
   * microseconds */
  if (!digits(&p, end, 12, &secs) || p >= end || *p != '.')
    return 0;
  const char *d0 = ++p;
  int scale = 100000;
  while (p < end && *p >= '0' && *p <= '9') {
    if (scale) {
      frac_us += (*p - '0') * scale;
      scale /= 10;
    }
    p++;
  }
  if (p == d0 || p >= end || *p != ':')
    return 0;
  p++;
  if (!digits(&p, end, 18, &ser))
    return 0;
  *pp = p;
  *ts = secs * 1000000 + frac_us;
  *serial = ser;
  return 1;
}

/* The header at `p`: `type=T msg=audit(` (or `type=T audit(` when
 * `embedded`).  Returns the body start or NULL. */
AUDITD_HOT const char *
parse_header(const char *p, const char *end, int embedded, const char **type,
             size_t *tl, int64_t *ts, int64_t *serial, uint32_t *flags)
{
  if (end - p < 5 || memcmp(p, "type=", 5))
    return NULL;
  *type = p += 5;
  while (p < end && *p != ' ')
    p++;
  *tl = (size_t)(p - *type);
  if (!*tl)
    return NULL;
  *flags = 0;
  if (end - p >= 11 && !memcmp(p, " msg=audit(", 11))
    p += 11;
  else if (embedded && end - p >= 7 && !memcmp(p, " audit(", 7)) {
    p += 7; /* AUOMS writes its own syntax after this header */
    *flags = REC_AUOMS;
  } else
    return NULL;
  if (*tl > 6 && !memcmp(*type, "AUOMS_", 6))
    *flags = REC_AUOMS;
  if (!audit_stamp(&p, end, ts, serial) || end - p < 2 || memcmp(p, "):", 2))
    return NULL;
  p += 2;
  if (p < end && *p == ' ')
    p++;
  return p;
}

AUDITD_HOT int
add_record(auditd_run *r, int64_t ts, int64_t serial, const char *node,
           size_t node_len, const char *type, size_t tl, uint32_t flags,
           const char *body, size_t bl, int complete)
{
  r->record_no++;
  /* find the open event, newest first */
  open_event *ev = NULL;
  for (size_t i = r->n_open; i-- > 0;) {
    open_event *e = &r->ring[(r->head + i) % OPEN_WINDOW];
    if (e->serial == serial && e->ts_us == ts) {
      ev = e;
      break;
    }
  }
  if (!ev) {
    if (r->n_open == OPEN_WINDOW && auditd_emit_head(r) != HK_OK)
      return HK_E_NOMEM;
    ev = &r->ring[(r->head + r->n_open++) % OPEN_WINDOW];
    ev->ts_us = ts;
    ev->serial = serial;
    ev->complete = 0;
    ev->n_records = 0;
    hk_buf_reset(&ev->text);
    hk_buf_reset(&ev->node);
    if (node && node_len && hk_buf_append(&ev->node, node, node_len) != HK_OK)
      return HK_E_NOMEM;
  }
  ev->last_record_no = r->record_no;
  /* AUOMS writes each event as one record that holds everything */
  if (complete || (flags & REC_AUOMS && tl > 6 && !memcmp(type, "AUOMS_", 6)))
    ev->complete = 1;
  if (tl == 3 && !memcmp(type, "EOE", 3)) {
    ev->complete = 1;
    return HK_OK;
  }
  uint32_t hdr[2] = {(uint32_t)tl | flags, (uint32_t)bl};
  if (hk_buf_append(&ev->text, hdr, sizeof hdr) != HK_OK ||
      hk_buf_append(&ev->text, type, tl) != HK_OK ||
      hk_buf_append(&ev->text, body, bl) != HK_OK)
    return HK_E_NOMEM;
  ev->n_records++;
  return HK_OK;
}

int
auditd_add_record(auditd_run *r, int64_t ts, int64_t serial, const char *node,
                  size_t node_len, const char *type, size_t tl, uint32_t flags,
                  const char *body, size_t bl, int complete)
{
  return add_record(r, ts, serial, node, node_len, type, tl, flags, body, bl,
                    complete);
}

int
auditd_take_record(auditd_run *r, const char *s, size_t n, int embedded,
                   const char *node, size_t node_len)
{
  const char *end = s + n, *p = s;
  if (n > 5 && !memcmp(p, "node=", 5)) {
    node = p + 5;
    while (p < end && *p != ' ')
      p++;
    node_len = (size_t)(p - node);
    if (p < end)
      p++;
  }
  const char *type, *body;
  size_t tl;
  int64_t ts, serial;
  uint32_t flags;
  body = parse_header(p, end, embedded, &type, &tl, &ts, &serial, &flags);
  if (!body && embedded) {
    /* a syslog header before the record: find `type=` further on, with the
     * `node=NAME ` word audisp may write just before it */
    for (const char *q = s; !body && (q = memchr(q, 't', (size_t)(end - q)));
         q++) {
      if (q > s && q[-1] != ' ')
        continue;
      body = parse_header(q, end, 1, &type, &tl, &ts, &serial, &flags);
      if (body && q - s > 6 && q[-1] == ' ') {
        const char *w = q - 1;
        while (w > s && w[-1] != ' ')
          w--;
        if (q - 1 - w > 5 && !memcmp(w, "node=", 5)) {
          node = w + 5;
          node_len = (size_t)(q - 1 - node);
        }
      }
    }
  }
  if (!body)
    return 0;
  int rc = add_record(r, ts, serial, node, node_len, type, tl, flags, body,
                      (size_t)(end - body), 0);
  return rc == HK_OK ? 1 : rc;
}

static int
is_blank(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return 0;
  return 1;
}

static const char *
find_word(const char *s, size_t n, const char *w, size_t wl)
{
  for (size_t i = 0; i + wl <= n; i++)
    if (s[i] == w[0] && !memcmp(s + i, w, wl))
      return s + i;
  return NULL;
}

int
auditd_looks_like_record(const char *s, size_t n)
{
  const char *t = find_word(s, n, "type=", 5);
  return t && find_word(t, n - (size_t)(t - s), "audit(", 6) != NULL;
}

static void
report_totals(auditd_run *r)
{
  if (r->not_audit)
    HK_LOG_INFO(r->host, r->inst,
                "%lld %s held no audit record (format=auoms reads only the "
                "audit records among other programs' messages)",
                (long long)r->not_audit,
                r->carrier == CARRY_LINES ? "lines" : "rows");
  if (r->skipped)
    HK_LOG_WARN(r->host, r->inst, "skipped %lld malformed %s%s (on_error=skip)",
                (long long)r->skipped,
                r->carrier == CARRY_LINES ? "line" : "row",
                r->skipped == 1 ? "" : "s");
}

/* A malformed line or row: stop (on_error=fail) or warn and go on.
 * Returns 1 when the run stops. */
static int
bad_input(auditd_run *r, hk_error *bad)
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
              r->carrier == CARRY_LINES ? "line" : "row");
  return 0;
}

/* Read one line or carrier row into the open events.  0 to go on, 1 at the
 * end (or a pending error), <0 out of memory. */
static int
read_one(auditd_run *r)
{
  hk_error rerr;
  hk_error_clear(&rerr);
  if (r->carrier != CARRY_LINES) {
    int rc = auditd_carrier_next(r, &rerr);
    if (rc == 1)
      return 0;
    if (rc == 3) {
      r->not_audit++;
      return 0;
    }
    if (rc == 2)
      return bad_input(r, &rerr);
    if (rc == HK_E_NOMEM)
      return rc;
    if (rc < 0) {
      r->pending = 1;
      r->pending_err = rerr;
    }
    r->done = 1;
    return 1;
  }
  size_t n;
  const char *line = next_line(r, &n, &rerr);
  if (!line) {
    if (rerr.code) {
      r->pending = 1;
      r->pending_err = rerr;
    }
    r->done = 1;
    return 1;
  }
  if (is_blank(line, n))
    return 0;
  int rc = auditd_take_record(r, line, n, r->format == FMT_AUOMS, NULL, 0);
  if (rc < 0)
    return rc;
  if (rc == 0 && r->format == FMT_AUOMS && !auditd_looks_like_record(line, n)) {
    r->not_audit++;
    return 0;
  }
  if (rc == 0) {
    if (r->format == FMT_AUOMS)
      hk_error_set(&rerr, HK_E_INVAL,
                   "auditd: %s:%lld: not a well-formed audit record "
                   "(expected 'type=... audit(SECONDS.FRACTION:SERIAL): ...' "
                   "after the syslog header)",
                   r->shown_path, (long long)r->line_no);
    else
      hk_error_set(&rerr, HK_E_INVAL,
                   "auditd: %s:%lld: not an audit record (expected "
                   "'type=... msg=audit(...)')",
                   r->shown_path, (long long)r->line_no);
    return bad_input(r, &rerr);
  }
  return 0;
}

static int
stream_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  auditd_run *r = ud;
  out->release = NULL;
  for (;;) {
    if (r->done && hk_table_builder_row_count(r->b) == 0) {
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
      return hk_error_set(err, HK_E_CANCELED,
                          "auditd: canceled after %lld rows",
                          (long long)r->emitted);
    }
    while (!r->done && hk_table_builder_row_count(r->b) < r->batch_rows) {
      if (r->row_limit > 0 && r->emitted >= r->row_limit) {
        r->done = 1;
        break;
      }
      int rc = read_one(r);
      if (rc < 0)
        return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
      if (rc > 0)
        break;
      if (auditd_flush_done(r, 0) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
    }
    if (r->done && !r->reported) {
      if (auditd_flush_done(r, 1) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
      report_totals(r);
      r->reported = 1;
    }
    if (hk_table_builder_row_count(r->b) > 0)
      return hk_table_builder_finish_batch(r->b, out, err);
  }
}

static int
stream_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  auditd_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static void
run_free(void *ud)
{
  auditd_run *r = ud;
  if (!r)
    return;
  auditd_carrier_close(r);
  if (r->src_open)
    hk_file_src_close(&r->src);
  for (size_t i = 0; i < OPEN_WINDOW; i++) {
    hk_buf_free(&r->ring[i].text);
    hk_buf_free(&r->ring[i].node);
  }
  if (r->b)
    hk_table_builder_free(r->b);
  free(r->fields);
  free(r->rec_types);
  free(r->rec_lens);
  free(r->rec_auoms);
  hk_buf_free(&r->scratch);
  hk_buf_free(&r->json);
  hk_buf_free(&r->cmd);
  hk_buf_free(&r->row_text);
  hk_buf_free(&r->row_aux);
  free(r->path);
  free(r);
}

/* ------------------------------------------------------------ sniffing */

static int
contains(const char *s, size_t n, const char *word)
{
  return find_word(s, n, word, strlen(word)) != NULL;
}

/* Decide the format (format=auto) and the carrier from the first bytes. */
static int
choose_input(auditd_run *r, hk_error *err)
{
  int first = hk_file_src_peek_nonspace(&r->src, err);
  if (first < -1)
    return first;
  if (first == '{' || first == '[') {
    r->carrier = CARRY_JSON;
    if (r->format == FMT_RAW)
      return hk_error_set(err, HK_E_INVAL,
                          "auditd: %s: JSON input with format=raw (use "
                          "format=loganalytics or format=auoms, or auto)",
                          r->shown_path);
    return HK_OK; /* the carrier decides auto from the first object */
  }
  size_t n = 0;
  const char *line = peek_first_line(r, &n, err);
  if (!line) {
    if (err && err->code)
      return err->code;
    if (r->format == FMT_AUTO)
      r->format = FMT_RAW;
    return HK_OK;
  }
  int header_la =
      contains(line, n, "AuditdMessage") && !contains(line, n, "type=");
  int header_sys =
      contains(line, n, "SyslogMessage") && !contains(line, n, "type=");
  if (r->format == FMT_RAW)
    return HK_OK;
  if ((r->format == FMT_AUTO || r->format == FMT_LOGANALYTICS) && header_la) {
    r->format = FMT_LOGANALYTICS;
    r->carrier = CARRY_CSV;
    return HK_OK;
  }
  if ((r->format == FMT_AUTO || r->format == FMT_AUOMS) && header_sys) {
    r->format = FMT_AUOMS;
    r->carrier = CARRY_CSV;
    return HK_OK;
  }
  if (r->format == FMT_LOGANALYTICS)
    return hk_error_set(err, HK_E_INVAL,
                        "auditd: %s:1: no AuditdMessage column in the header "
                        "(format=loganalytics expects a CSV export with "
                        "mssg_id and AuditdMessage, or JSON rows)",
                        r->shown_path);
  if (r->format == FMT_AUOMS)
    return HK_OK;
  /* auto, text: raw unless the first line carries a record after a syslog
   * header */
  r->format = FMT_RAW;
  if (auditd_take_record(r, line, n, 0, NULL, 0) == 1) {
    /* undo: the record is read again by the stream */
    r->n_open = 0;
    r->record_no = 0;
    return HK_OK;
  }
  r->format = FMT_AUOMS;
  if (auditd_take_record(r, line, n, 1, NULL, 0) == 1) {
    r->n_open = 0;
    r->record_no = 0;
    return HK_OK;
  }
  r->format = FMT_RAW; /* reported as malformed, line 1 */
  return HK_OK;
}

/* -------------------------------------------------------------- plugin */

static int
auditd_run_query(void *state, const hk_query *q, struct ArrowArrayStream *out,
                 hk_error *err)
{
  const hk_host *h = host_services;
  auditd_run *r = calloc(1, sizeof *r);
  if (!r)
    return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
  r->host = h;
  r->inst = state;
  r->col_message = r->col_id = r->col_computer = -1;
  int rc = HK_OK;
  const char *path = h->config_get_string(q->options, "path");
  const char *on_error = h->config_get_string(q->options, "on_error");
  const char *format = h->config_get_string(q->options, "format");
  r->skip_bad = on_error && !strcmp(on_error, "skip");
  r->format = FMT_AUTO;
  for (int f = 0; format && f < 4; f++)
    if (!strcmp(format, format_names[f]))
      r->format = f;
  r->batch_rows = q->batch_rows > 0 ? q->batch_rows : DEFAULT_BATCH_ROWS;
  r->row_limit = q->row_limit;
  r->start_us = q->start_us;
  r->end_us = q->end_us;
  while (path && *path == ' ')
    path++;
  if (!path || !*path) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      "auditd: path is required (an audit.log file or - for "
                      "standard input)");
    err->flags |= HK_EF_USER;
    goto fail;
  }
  if (!(r->path = strdup(path))) {
    rc = hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
    goto fail;
  }
  r->shown_path = strcmp(path, "-") ? r->path : "<stdin>";
  struct stat st;
  if (strcmp(path, "-") && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
    rc = hk_error_set(err, HK_E_INVAL,
                      "auditd: '%s' is a directory (expected an audit log "
                      "file)",
                      path);
    err->flags |= HK_EF_USER;
    goto fail;
  }
  if ((rc = hk_file_src_open(&r->src, path, err)) != HK_OK) {
    int open_errno = errno;
    if (rc == HK_E_NOMEM)
      goto fail;
    rc = hk_error_set(err, rc, "auditd: cannot open '%s': %s", path,
                      strerror(open_errno));
    err->flags |= HK_EF_USER;
    goto fail;
  }
  r->src_open = 1;
  r->src.path = r->shown_path;
  if (!(r->b = hk_table_builder_new())) {
    rc = hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
    goto fail;
  }
  for (int c = 0; c < N_COLS; c++)
    if (hk_table_builder_add_column(r->b, auditd_columns[c].name,
                                    auditd_columns[c].type) < 0) {
      rc = hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
      goto fail;
    }
  if ((rc = hk_file_src_skip_bom(&r->src, err)) != HK_OK ||
      (rc = choose_input(r, err)) != HK_OK ||
      (r->carrier != CARRY_LINES &&
       (rc = auditd_carrier_open(r, err)) != HK_OK)) {
    err->flags |= HK_EF_USER;
    goto fail;
  }
  HK_LOG_DEBUG(h, r->inst, "%s: format=%s, %s", r->shown_path,
               format_names[r->format],
               r->carrier == CARRY_LINES ? "lines"
               : r->carrier == CARRY_CSV ? "CSV rows"
                                         : "JSON rows");
  hk_stream_callbacks cb = {sizeof cb, stream_schema, stream_next, run_free};
  return hk_stream_init_callbacks(out, &cb, r, err);
fail:
  run_free(r);
  return rc;
}

static int
auditd_create(const hk_instance *inst, const hk_config *cfg, void **state,
              hk_error *err)
{
  (void)cfg;
  (void)err;
  *state = (void *)inst; /* the only state: who we are, for logging */
  return HK_OK;
}

static const hk_provider_vt auditd_vtable = {
    .struct_size = sizeof(hk_provider_vt),
    .options = auditd_options,
    .create = auditd_create,
    .destroy = NULL,
    .run_query = auditd_run_query,
};

static const hk_plugin_desc auditd_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "auditd",
    .version = "1.1.0",
    .kind = HK_KIND_PROVIDER,
    .flags = 0,
    .summary = "Linux audit records (audit.log, Log Analytics exports, AUOMS "
               "in syslog) as one row per event: records grouped, hex "
               "decoded, command lines joined",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &auditd_vtable,
};

static const hk_plugin_desc *const auditd_descs[] = {&auditd_desc, NULL};

static const hk_plugin_desc *const *
auditd_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->log || !host->log_enabled || !host->config_get_string) {
    hk_error_set(err, HK_E_ABI,
                 "auditd: the host lacks logging or config services");
    return NULL;
  }
  host_services = host;
  return auditd_descs;
}

HK_PLUGIN_DEFINE(auditd, auditd_entry)
