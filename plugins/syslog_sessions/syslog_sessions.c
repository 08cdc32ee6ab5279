/*
 * plugins/syslog_sessions/syslog_sessions.c -- the `syslog_sessions`
 * analyzer: logon sessions from syslog (sshd, su, sudo, login and other
 * pam_unix services), the sudo commands run in them, and what looks
 * suspicious: risky commands, bursts of commands, failed logons before a
 * session and bursts of failed logons (MSTICPy's cluster_syslog_logons_df
 * and risky_sudo_sessions, see README.md for the differences).
 *
 * The input is drained (sessions need the whole picture), only recognised
 * messages are kept, sorted by time, and paired per host, service and
 * user.  The output is one row per session, per sudo command no session
 * claims, per refused sudo and per burst of failed logons, in time order.
 */
#include "sessions.h"

#include <huntkit/analyzer.h>
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/table.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hk_host *host_services;

/* MSTICPy's resources/cmd_line_rules.json, "Syslog" */
static const char *const default_risky[] = {
    ".*authorized_keys.*",     ".*(wget|curl).*\\|?.*sh.*",
    ".*(:\\(\\){:\\|:&};:).*", ".*(mv.*/dev/null).*",
    ".*/bin/bash.*",           NULL};

static const hk_param sessions_options[] = {
    {"time_column", HK_PT_STRING, 0, "TimeGenerated", NULL, "timestamp column"},
    {"message_column", HK_PT_STRING, 0, "SyslogMessage", NULL,
     "message text column"},
    {"host_column", HK_PT_STRING, 0, "Computer", NULL,
     "host column (optional in the input)"},
    {"process_column", HK_PT_STRING, 0, "ProcessName", NULL,
     "process name column (optional)"},
    {"pid_column", HK_PT_STRING, 0, "ProcessID", NULL,
     "process id column (optional): pairs a session's open and close"},
    {"risky", HK_PT_LIST, 0, NULL, NULL,
     "regexes for risky sudo commands, matched from the start (default: "
     "MSTICPy's Syslog rules, or risky_commands in the instance config)"},
    {"risky_file", HK_PT_PATH, 0, NULL, NULL,
     "file of risky-command regexes: MSTICPy's JSON {\"Syslog\": [...]} or "
     "one per line"},
    {"burst_commands", HK_PT_INT, 0, "10", NULL,
     "this many sudo commands of one user on one host within burst_seconds "
     "is suspicious (MSTICPy cmd_speed events=10)"},
    {"burst_seconds", HK_PT_DURATION, 0, "5s", NULL,
     "window of burst_commands (MSTICPy cmd_speed time=5)"},
    {"failed_threshold", HK_PT_INT, 0, "5", NULL,
     "failed logons from one source (IP, else user) that make a burst"},
    {"failed_window", HK_PT_DURATION, 0, "5m", NULL,
     "failures at most this far apart are one burst; failures this long "
     "before a session count against it"},
    {"attach_window", HK_PT_DURATION, 0, "5s", NULL,
     "a sudo command logged up to this long before a sudo session opens "
     "belongs to it; an sshd Accepted line up to 12 times this before"},
    {"exclude_services", HK_PT_LIST, 0, "cron", NULL,
     "pam services whose sessions are left out"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param sessions_params[] = {
    {"risky_commands", HK_PT_LIST, 0, NULL, NULL,
     "regexes for risky sudo commands (replaces MSTICPy's default list)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

typedef struct sess_state {
  const hk_instance *inst;
  char **risky; /* from the instance config; NULL: none given */
  size_t n_risky;
} sess_state;

/* -------------------------------------------------------------- reading */

static int64_t
column(const hk_batch_view *v, const char *name)
{
  return name && *name ? hk_batch_view_column_index(v, name) : -1;
}

static int
read_input(sess_run *r, struct ArrowArrayStream *input, const hk_config *opts,
           hk_error *err)
{
  const hk_host *h = host_services;
  const char *tname = h->config_get_string(opts, "time_column");
  const char *mname = h->config_get_string(opts, "message_column");
  const char *hname = h->config_get_string(opts, "host_column");
  const char *pname = h->config_get_string(opts, "process_column");
  const char *iname = h->config_get_string(opts, "pid_column");
  sess_classifier cl;
  if (hk_sess_classifier_init(&cl) != HK_OK) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
  }
  hk_row_cursor cur;
  int rc = hk_row_cursor_init(&cur, input, err);
  if (rc != HK_OK) {
    hk_sess_classifier_free(&cl);
    return rc;
  }
  int64_t tc = -1, mc = -1, hc = -1, pc = -1, ic = -1, base = -1;
  int itype = -1;
  char cell[32];
  int64_t dropped_no_time = 0;
  while ((rc = hk_row_cursor_next(&cur, err)) > 0) {
    const hk_batch_view *v = &cur.view;
    if (cur.row_base != base) {
      base = cur.row_base;
      tc = column(v, tname);
      mc = column(v, mname);
      if (tc < 0 || hk_batch_view_column_type(v, tc) != HK_COL_TIMESTAMP ||
          mc < 0 || hk_batch_view_column_type(v, mc) != HK_COL_UTF8) {
        hk_buf names = HK_BUF_INIT;
        for (int64_t c = 0; c < v->columns; c++)
          hk_buf_appendf(&names, "%s%s", c ? ", " : "",
                         hk_batch_view_column_name(v, c));
        rc = hk_error_set(
            err, HK_E_INVAL,
            "syslog_sessions: needs a timestamp column '%s' and a text "
            "column '%s' (columns: %s; set time_column= / message_column=)",
            tname, mname, names.data ? names.data : "");
        hk_buf_free(&names);
        break;
      }
      hc = column(v, hname);
      if (hc >= 0 && hk_batch_view_column_type(v, hc) != HK_COL_UTF8)
        hc = -1;
      if (hc < 0 && (!hname || !strcmp(hname, "Computer"))) {
        hc = column(v, "HostName");
        if (hc >= 0 && hk_batch_view_column_type(v, hc) != HK_COL_UTF8)
          hc = -1;
      }
      pc = column(v, pname);
      if (pc >= 0 && hk_batch_view_column_type(v, pc) != HK_COL_UTF8)
        pc = -1;
      ic = column(v, iname);
      itype = ic >= 0 ? hk_batch_view_column_type(v, ic) : -1;
    }
    int64_t row = cur.row;
    if (hk_batch_view_is_null(v, mc, row))
      continue;
    size_t mlen, plen = 0, hlen = 0;
    const char *msg = hk_batch_view_utf8(v, mc, row, &mlen);
    const char *proc = NULL, *hostname = NULL;
    if (pc >= 0 && !hk_batch_view_is_null(v, pc, row))
      proc = hk_batch_view_utf8(v, pc, row, &plen);
    sess_event ev;
    memset(&ev, 0, sizeof ev);
    ev.pid = ev.port = -1;
    rc = hk_sess_classify(&cl, msg, mlen, proc, plen, &r->arena, &ev);
    if (rc < 0)
      break;
    if (rc == 0)
      continue;
    if (hk_batch_view_is_null(v, tc, row)) {
      dropped_no_time++;
      continue;
    }
    ev.t = hk_batch_view_timestamp(v, tc, row);
    ev.seq = cur.row_base + row;
    if (hc >= 0 && !hk_batch_view_is_null(v, hc, row)) {
      hostname = hk_batch_view_utf8(v, hc, row, &hlen);
      ev.host.off = r->arena.len;
      ev.host.len = (uint32_t)hlen;
      ev.host.set = 1;
      if (hk_buf_append(&r->arena, hostname, hlen) != HK_OK) {
        rc = HK_E_NOMEM;
        break;
      }
    }
    if (ic >= 0 && !hk_batch_view_is_null(v, ic, row)) {
      if (itype == HK_COL_INT64)
        ev.pid = hk_batch_view_int64(v, ic, row);
      else {
        hk_batch_view_format_cell(v, ic, row, cell, sizeof cell);
        char *end;
        long long p = strtoll(cell, &end, 10);
        if (end != cell && !*end)
          ev.pid = p;
      }
    }
    if (r->n_ev == r->cap_ev) {
      size_t cap = r->cap_ev ? r->cap_ev * 2 : 256;
      sess_event *ne = realloc(r->ev, cap * sizeof *ne);
      if (!ne) {
        rc = HK_E_NOMEM;
        break;
      }
      r->ev = ne;
      r->cap_ev = cap;
    }
    r->ev[r->n_ev++] = ev;
    if (h->is_canceled && h->is_canceled(r->inst)) {
      rc = hk_error_set(err, HK_E_CANCELED, "syslog_sessions: canceled");
      break;
    }
  }
  hk_row_cursor_release(&cur);
  hk_sess_classifier_free(&cl);
  if (rc == HK_E_NOMEM)
    return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
  if (dropped_no_time)
    HK_LOG_WARN(h, r->inst,
                "%lld session messages without a time were left out",
                (long long)dropped_no_time);
  return rc < 0 ? rc : HK_OK;
}

/* -------------------------------------------------------------- stream */

#define OUT_BATCH_ROWS 8192

static int
stream_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  sess_run *r = ud;
  out->release = NULL;
  while (r->next_row < r->n_rows &&
         hk_table_builder_row_count(r->b) < OUT_BATCH_ROWS)
    if (hk_sess_emit_row(r, &r->rows[r->next_row++]) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
  if (hk_table_builder_row_count(r->b) == 0)
    return HK_OK;
  return hk_table_builder_finish_batch(r->b, out, err);
}

static int
stream_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  sess_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static void
run_free(void *ud)
{
  sess_run *r = ud;
  if (!r)
    return;
  for (size_t i = 0; i < r->n_risky; i++) {
    pcre2_code_free(r->risky[i]);
    free(r->risky_text[i]);
  }
  free(r->risky);
  free(r->risky_text);
  pcre2_match_data_free(r->md);
  hk_buf_free(&r->arena);
  free(r->ev);
  free(r->ss);
  free(r->cmd_session);
  free(r->cmd_burst);
  free(r->attached);
  free(r->fails);
  free(r->bursts);
  free(r->rows);
  if (r->b)
    hk_table_builder_free(r->b);
  hk_buf_free(&r->json);
  hk_buf_free(&r->reasons);
  free(r);
}

static int
get_int(const hk_config *opts, const char *name, int64_t def)
{
  int64_t v = def;
  if (host_services->config_get_int(opts, name, &v) != HK_OK)
    v = def;
  return (int)(v > INT32_MAX ? INT32_MAX : v);
}

static int
sessions_run(void *state, const hk_config *opts, struct ArrowArrayStream *input,
             struct ArrowArrayStream *output, hk_error *err)
{
  const hk_host *h = host_services;
  sess_state *st = state;
  sess_run *r = calloc(1, sizeof *r);
  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
  }
  r->inst = st ? st->inst : NULL;
  int rc = HK_OK;
  r->burst_n = get_int(opts, "burst_commands", 10);
  r->burst_us = (int64_t)get_int(opts, "burst_seconds", 5000) * 1000;
  r->failed_n = get_int(opts, "failed_threshold", 5);
  r->failed_us = (int64_t)get_int(opts, "failed_window", 300000) * 1000;
  r->attach_us = (int64_t)get_int(opts, "attach_window", 5000) * 1000;
  r->n_excluded = h->config_get_list(opts, "exclude_services", &r->excluded);
  if (!(r->md = pcre2_match_data_create(4, NULL))) {
    rc = hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
    goto fail_input;
  }
  /* risky rules: option, file, instance config, MSTICPy's defaults */
  const char *const *items = NULL;
  size_t n_items = h->config_get_list(opts, "risky", &items);
  const char *file = h->config_get_string(opts, "risky_file");
  for (size_t i = 0; rc == HK_OK && i < n_items; i++)
    rc = hk_sess_add_rule(r, items[i], strlen(items[i]), "option risky", err);
  if (rc == HK_OK && file && *file)
    rc = hk_sess_load_rules_file(r, file, err);
  if (rc == HK_OK && !n_items && !(file && *file)) {
    if (st && st->n_risky)
      for (size_t i = 0; rc == HK_OK && i < st->n_risky; i++)
        rc = hk_sess_add_rule(r, st->risky[i], strlen(st->risky[i]),
                              "config risky_commands", err);
    else
      for (size_t i = 0; rc == HK_OK && default_risky[i]; i++)
        rc = hk_sess_add_rule(r, default_risky[i], strlen(default_risky[i]),
                              "default", err);
  }
  if (rc != HK_OK) {
    err->flags |= HK_EF_USER;
    goto fail_input;
  }
  if ((rc = read_input(r, input, opts, err)) != HK_OK)
    goto fail;
  if (hk_sess_analyse(r) != HK_OK || !(r->b = hk_table_builder_new())) {
    rc = hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
    goto fail;
  }
  for (int c = 0; c < N_OUT; c++)
    if (hk_table_builder_add_column(r->b, sess_out_columns[c].name,
                                    sess_out_columns[c].type) < 0) {
      rc = hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
      goto fail;
    }
  if (r->orphan_closes)
    HK_LOG_INFO(h, r->inst,
                "%lld session closes had no open session (opened before the "
                "data starts)",
                (long long)r->orphan_closes);
  hk_stream_callbacks cb = {sizeof cb, stream_schema, stream_next, run_free};
  return hk_stream_init_callbacks(output, &cb, r, err);
fail_input:
  hk_stream_release(input);
fail:
  run_free(r);
  return rc;
}

/* ---------------------------------------------------------------- plugin */

static void
sessions_destroy(void *state)
{
  sess_state *st = state;
  if (!st)
    return;
  for (size_t i = 0; i < st->n_risky; i++)
    free(st->risky[i]);
  free(st->risky);
  free(st);
}

static int
sessions_create(const hk_instance *inst, const hk_config *cfg, void **state,
                hk_error *err)
{
  sess_state *st = calloc(1, sizeof *st);
  if (!st)
    return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
  st->inst = inst;
  const char *const *items = NULL;
  size_t n =
      cfg ? host_services->config_get_list(cfg, "risky_commands", &items) : 0;
  if (n) {
    st->risky = calloc(n, sizeof *st->risky);
    if (!st->risky) {
      sessions_destroy(st);
      return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
    }
    for (size_t i = 0; i < n; i++) {
      /* refuse a broken pattern when the instance is configured */
      int errcode;
      PCRE2_SIZE erroff;
      pcre2_code *code =
          pcre2_compile((PCRE2_SPTR)items[i], PCRE2_ZERO_TERMINATED,
                        PCRE2_ANCHORED | PCRE2_UTF, &errcode, &erroff, NULL);
      if (!code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(errcode, msg, sizeof msg);
        sessions_destroy(st);
        return hk_error_set(err, HK_E_CONFIG,
                            "syslog_sessions: risky_commands item %zu '%s': "
                            "%s at offset %zu",
                            i + 1, items[i], (char *)msg, (size_t)erroff);
      }
      pcre2_code_free(code);
      if (!(st->risky[st->n_risky++] = strdup(items[i]))) {
        sessions_destroy(st);
        return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
      }
    }
  }
  *state = st;
  return HK_OK;
}

static const hk_analyzer_vt sessions_vtable = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = sessions_options,
    .create = sessions_create,
    .destroy = sessions_destroy,
    .run = sessions_run,
};

static const hk_plugin_desc sessions_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "syslog_sessions",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = 0,
    .summary = "logon sessions from syslog (sshd, su, sudo, pam), their sudo "
               "commands, risky commands and failed-logon bursts",
    .entity_types = NULL,
    .params = sessions_params,
    .vtable = &sessions_vtable,
};

static const hk_plugin_desc *const sessions_descs[] = {&sessions_desc, NULL};

static const hk_plugin_desc *const *
sessions_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->log || !host->log_enabled || !host->config_get_string ||
      !host->config_get_int || !host->config_get_list) {
    hk_error_set(err, HK_E_ABI,
                 "syslog_sessions: the host lacks logging or config services");
    return NULL;
  }
  host_services = host;
  return sessions_descs;
}

HK_PLUGIN_DEFINE(syslog_sessions, sessions_entry)
