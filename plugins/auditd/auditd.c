/*
 * plugins/auditd/auditd.c -- the `auditd` provider: raw Linux audit logs
 * (/var/log/audit/audit.log) as one row per audit event.
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

#define DEFAULT_BATCH_ROWS 8192
#define READ_CHUNK (1u << 20)

static const hk_host *host_services;

static const hk_param auditd_options[] = {
    {"path", HK_PT_PATH, HK_P_REQUIRED | HK_P_REST, NULL, NULL,
     "raw audit log to read (audit.log format), or - for standard input"},
    {"on_error", HK_PT_STRING, 0, "fail", "skip|fail",
     "a line that is not an audit record: fail the run, or skip it with a "
     "warning"},
    {NULL, 0, 0, NULL, NULL, NULL}};

/* ------------------------------------------------------------- reading */

/* The next line (without its terminator) or NULL at the end of input. */
static const char *
next_line(auditd_run *r, size_t *len, hk_error *err)
{
  for (;;) {
    char *start = r->buf + r->buf_pos;
    char *nl = memchr(start, '\n', r->buf_len - r->buf_pos);
    if (nl || (r->eof && r->buf_pos < r->buf_len)) {
      size_t n = nl ? (size_t)(nl - start) : r->buf_len - r->buf_pos;
      r->buf_pos += n + (nl ? 1 : 0);
      if (n && start[n - 1] == '\r')
        n--;
      *len = n;
      r->line_no++;
      return start;
    }
    if (r->eof)
      return NULL;
    /* keep the partial line, then read more */
    memmove(r->buf, start, r->buf_len - r->buf_pos);
    r->buf_len -= r->buf_pos;
    r->buf_pos = 0;
    if (r->buf_cap - r->buf_len < READ_CHUNK) {
      size_t cap = r->buf_cap * 2;
      char *nb = realloc(r->buf, cap);
      if (!nb) {
        hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
        return NULL;
      }
      r->buf = nb;
      r->buf_cap = cap;
    }
    size_t got = fread(r->buf + r->buf_len, 1, r->buf_cap - r->buf_len, r->fp);
    if (got == 0) {
      if (ferror(r->fp)) {
        hk_error_set(err, HK_E_IO, "auditd: %s:%lld: read failed: %s",
                     r->shown_path, (long long)r->line_no + 1, strerror(errno));
        return NULL;
      }
      r->eof = 1;
    }
    r->buf_len += got;
  }
}

/* Parse `[node=N ]type=T msg=audit(S.F:SERIAL):` and add the record to its
 * event.  Returns 1 when it was a record, 0 when it is not one, <0 on
 * allocation failure. */
static int
take_record(auditd_run *r, const char *s, size_t n)
{
  const char *end = s + n, *p = s, *node = NULL;
  size_t node_len = 0;
  if (n > 5 && !memcmp(p, "node=", 5)) {
    node = p + 5;
    while (p < end && *p != ' ')
      p++;
    node_len = (size_t)(p - node);
    if (p < end)
      p++;
  }
  if (end - p < 5 || memcmp(p, "type=", 5))
    return 0;
  const char *type = p += 5;
  while (p < end && *p != ' ')
    p++;
  size_t tl = (size_t)(p - type);
  if (!tl || end - p < 11 || memcmp(p, " msg=audit(", 11))
    return 0;
  p += 11;
  int64_t secs = 0, frac_us = 0, serial = 0;
  const char *d0 = p;
  while (p < end && *p >= '0' && *p <= '9' && p - d0 < 15)
    secs = secs * 10 + (*p++ - '0');
  if (p == d0 || p >= end || *p != '.')
    return 0;
  d0 = ++p;
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
  d0 = ++p;
  while (p < end && *p >= '0' && *p <= '9' && p - d0 < 18)
    serial = serial * 10 + (*p++ - '0');
  if (p == d0 || end - p < 2 || memcmp(p, "):", 2))
    return 0;
  p += 2;
  if (p < end && *p == ' ')
    p++;
  int64_t ts = secs * 1000000 + frac_us;
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
    if (node && hk_buf_append(&ev->node, node, node_len) != HK_OK)
      return HK_E_NOMEM;
  }
  ev->last_record_no = r->record_no;
  if (tl == 3 && !memcmp(type, "EOE", 3)) {
    ev->complete = 1;
    return 1;
  }
  uint32_t hdr[2] = {(uint32_t)tl, (uint32_t)(end - p)};
  if (hk_buf_append(&ev->text, hdr, sizeof hdr) != HK_OK ||
      hk_buf_append(&ev->text, type, tl) != HK_OK ||
      hk_buf_append(&ev->text, p, (size_t)(end - p)) != HK_OK)
    return HK_E_NOMEM;
  ev->n_records++;
  return 1;
}

static int
is_blank(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t')
      return 0;
  return 1;
}

static void
report_totals(auditd_run *r)
{
  if (r->skipped)
    HK_LOG_WARN(r->host, r->inst,
                "skipped %lld malformed line%s (on_error=skip)",
                (long long)r->skipped, r->skipped == 1 ? "" : "s");
}

static int
stream_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  auditd_run *r = ud;
  out->release = NULL;
  if (r->done) {
    if (r->pending) {
      r->pending = 0;
      *err = r->pending_err;
      if (r->emitted)
        err->flags |= HK_EF_PARTIAL;
      return err->code ? err->code : HK_E_FAIL;
    }
    return HK_OK;
  }
  if (r->host->is_canceled && r->host->is_canceled(r->inst)) {
    r->done = 1;
    return hk_error_set(err, HK_E_CANCELED, "auditd: canceled after %lld rows",
                        (long long)r->emitted);
  }
  while (hk_table_builder_row_count(r->b) < r->batch_rows) {
    if (r->row_limit > 0 && r->emitted >= r->row_limit) {
      r->done = 1;
      break;
    }
    size_t n;
    hk_error rerr;
    hk_error_clear(&rerr);
    const char *line = next_line(r, &n, &rerr);
    if (!line) {
      if (rerr.code) {
        r->pending = 1;
        r->pending_err = rerr;
      }
      r->done = 1;
      break;
    }
    if (is_blank(line, n))
      continue;
    int rc = take_record(r, line, n);
    if (rc < 0)
      return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
    if (rc == 0) {
      hk_error_set(&rerr, HK_E_INVAL,
                   "auditd: %s:%lld: not an audit record (expected "
                   "'type=... msg=audit(...)')",
                   r->shown_path, (long long)r->line_no);
      if (!r->skip_bad) {
        rerr.flags |= HK_EF_USER;
        r->pending = 1;
        r->pending_err = rerr;
        r->done = 1;
        break;
      }
      r->skipped++;
      HK_LOG_WARN(r->host, r->inst, "%s; line skipped (on_error=skip)",
                  rerr.msg);
      continue;
    }
    if (auditd_flush_done(r, 0) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
  }
  if (r->done) {
    if (auditd_flush_done(r, 1) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
    report_totals(r);
  }
  if (hk_table_builder_row_count(r->b) > 0)
    return hk_table_builder_finish_batch(r->b, out, err);
  return stream_next(r, out, err);
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
  if (r->fp && r->own_fp)
    fclose(r->fp);
  for (size_t i = 0; i < OPEN_WINDOW; i++) {
    hk_buf_free(&r->ring[i].text);
    hk_buf_free(&r->ring[i].node);
  }
  if (r->b)
    hk_table_builder_free(r->b);
  free(r->fields);
  hk_buf_free(&r->scratch);
  hk_buf_free(&r->json);
  hk_buf_free(&r->cmd);
  free(r->buf);
  free(r->path);
  free(r);
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
  int rc = HK_OK;
  const char *path = h->config_get_string(q->options, "path");
  const char *on_error = h->config_get_string(q->options, "on_error");
  r->skip_bad = on_error && !strcmp(on_error, "skip");
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
  if (!strcmp(path, "-")) {
    r->fp = stdin;
    r->shown_path = "<stdin>";
  } else {
    r->fp = fopen(path, "rb");
    r->own_fp = 1;
    r->shown_path = r->path;
    if (!r->fp) {
      rc = hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                        "auditd: cannot open '%s': %s", path, strerror(errno));
      err->flags |= HK_EF_USER;
      goto fail;
    }
  }
  r->buf_cap = 2 * READ_CHUNK;
  if (!(r->buf = malloc(r->buf_cap)) || !(r->b = hk_table_builder_new())) {
    rc = hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
    goto fail;
  }
  for (int c = 0; c < N_COLS; c++)
    if (hk_table_builder_add_column(r->b, auditd_columns[c].name,
                                    auditd_columns[c].type) < 0) {
      rc = hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
      goto fail;
    }
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
    .version = "1.0.0",
    .kind = HK_KIND_PROVIDER,
    .flags = 0,
    .summary = "raw Linux audit logs (audit.log) as one row per event: "
               "records grouped, hex decoded, command lines joined",
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
