/*
 * plugins/syslog_sessions/sessions_output.c -- the risky-command rules
 * (option, MSTICPy's rules file, instance config, MSTICPy's defaults) and
 * the output rows with their reasons.
 */
#include "sessions.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const sess_column sess_out_columns[N_OUT] = {
    {"Kind", HK_COL_UTF8},
    {"Computer", HK_COL_UTF8},
    {"Service", HK_COL_UTF8},
    {"User", HK_COL_UTF8},
    {"ByUser", HK_COL_UTF8},
    {"SourceIP", HK_COL_UTF8},
    {"SourcePort", HK_COL_INT64},
    {"Method", HK_COL_UTF8},
    {"Start", HK_COL_TIMESTAMP},
    {"End", HK_COL_TIMESTAMP},
    {"DurationSeconds", HK_COL_FLOAT64},
    {"ProcessID", HK_COL_INT64},
    {"Commands", HK_COL_INT64},
    {"CommandList", HK_COL_UTF8},
    {"FailedLogons", HK_COL_INT64},
    {"Risky", HK_COL_BOOL},
    {"RiskReasons", HK_COL_UTF8},
};

int
hk_sess_add_rule(sess_run *r, const char *re, size_t len, const char *where,
                 hk_error *err)
{
  int errcode;
  PCRE2_SIZE erroff;
  pcre2_code *code = pcre2_compile(
      (PCRE2_SPTR)re, len, PCRE2_ANCHORED | PCRE2_UTF, &errcode, &erroff, NULL);
  if (!code) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(errcode, msg, sizeof msg);
    return hk_error_set(err, HK_E_CONFIG,
                        "syslog_sessions: risky rule '%.*s' (%s): %s at "
                        "offset %zu",
                        (int)(len > 80 ? 80 : len), re, where, (char *)msg,
                        (size_t)erroff);
  }
  (void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
  pcre2_code **nr = realloc(r->risky, (r->n_risky + 1) * sizeof *nr);
  char **nt = nr ? realloc(r->risky_text, (r->n_risky + 1) * sizeof *nt) : NULL;
  char *text = nt ? strndup(re, len) : NULL;
  if (nr)
    r->risky = nr;
  if (nt)
    r->risky_text = nt;
  if (!text) {
    pcre2_code_free(code);
    return hk_error_set(err, HK_E_NOMEM, "syslog_sessions: out of memory");
  }
  r->risky[r->n_risky] = code;
  r->risky_text[r->n_risky++] = text;
  return HK_OK;
}

/* MSTICPy's rules file ({"Syslog": [...]}, or a plain JSON array), or one
 * regex per line (blank lines and # comments skipped). */
int
hk_sess_load_rules_file(sess_run *r, const char *path, hk_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f)
    return hk_error_set(err, HK_E_NOTFOUND,
                        "syslog_sessions: risky_file '%s': cannot open: %s",
                        path, strerror(errno));
  hk_buf text = HK_BUF_INIT;
  char chunk[8192];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    hk_buf_append(&text, chunk, got);
  fclose(f);
  int rc = HK_OK;
  const char *p = text.data ? text.data : "";
  while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
    p++;
  char where[300];
  if (*p == '{' || *p == '[') {
    json_object *o = json_tokener_parse(p), *list = o;
    if (o && json_object_is_type(o, json_type_object) &&
        !json_object_object_get_ex(o, "Syslog", &list))
      list = NULL;
    if (!list || !json_object_is_type(list, json_type_array)) {
      json_object_put(o);
      hk_buf_free(&text);
      return hk_error_set(err, HK_E_CONFIG,
                          "syslog_sessions: risky_file '%s': expected a JSON "
                          "list of regexes or {\"Syslog\": [...]} as in "
                          "MSTICPy's cmd_line_rules.json",
                          path);
    }
    for (size_t i = 0; rc == HK_OK && i < json_object_array_length(list); i++) {
      json_object *v = json_object_array_get_idx(list, i);
      snprintf(where, sizeof where, "%s, item %zu", path, i + 1);
      if (!json_object_is_type(v, json_type_string))
        rc = hk_error_set(err, HK_E_CONFIG,
                          "syslog_sessions: risky_file '%s': item %zu is not "
                          "a string",
                          path, i + 1);
      else
        rc =
            hk_sess_add_rule(r, json_object_get_string(v),
                             (size_t)json_object_get_string_len(v), where, err);
    }
    json_object_put(o);
  } else {
    int line = 0;
    for (const char *q = text.data; rc == HK_OK && q && *q;) {
      const char *nl = strchr(q, '\n');
      size_t n = nl ? (size_t)(nl - q) : strlen(q);
      line++;
      if (n && q[n - 1] == '\r')
        n--;
      size_t s = 0;
      while (s < n && (q[s] == ' ' || q[s] == '\t'))
        s++;
      if (s < n && q[s] != '#') {
        snprintf(where, sizeof where, "%s:%d", path, line);
        rc = hk_sess_add_rule(r, q + s, n - s, where, err);
      }
      q = nl ? nl + 1 : NULL;
    }
  }
  hk_buf_free(&text);
  return rc;
}

/* The first rule a command matches (from its start, as Python's
 * re.match), or -1. */
static int64_t
risky_rule(sess_run *r, const char *cmd, size_t len)
{
  for (size_t i = 0; i < r->n_risky; i++)
    if (pcre2_match(r->risky[i], (PCRE2_SPTR)cmd, len, 0, 0, r->md, NULL) >= 0)
      return (int64_t)i;
  return -1;
}

/* -------------------------------------------------------------- output */

static int
put_str(sess_run *r, int col, sess_str s)
{
  if (!s.set)
    return hk_table_builder_append_null(r->b, (size_t)col);
  return hk_table_builder_append_utf8(r->b, (size_t)col, S(r, s), s.len);
}

static void
reason(sess_run *r, const char *text)
{
  hk_buf_append_char(&r->reasons, r->reasons.len ? ',' : '[');
  hk_buf_append_json_string(&r->reasons, text, strlen(text));
}

/* The commands as JSON in r->json; risky commands and bursts as
 * reasons. */
static void
command_facts(sess_run *r, const size_t *cmds, size_t n)
{
  char line[600];
  hk_buf_reset(&r->json);
  hk_buf_append_char(&r->json, '[');
  for (size_t i = 0; i < n; i++) {
    const sess_event *e = &r->ev[cmds[i]];
    if (i)
      hk_buf_append_char(&r->json, ',');
    hk_buf_append_json_string(&r->json, S(r, e->text), e->text.len);
    int64_t rule = risky_rule(r, S(r, e->text), e->text.len);
    if (rule >= 0) {
      snprintf(line, sizeof line, "risky command: %.*s (rule %s)",
               (int)(e->text.len > 300 ? 300 : e->text.len), S(r, e->text),
               r->risky_text[rule]);
      reason(r, line);
    }
  }
  hk_buf_append_char(&r->json, ']');
  for (size_t i = 0; i < n; i++)
    if (r->cmd_burst[cmds[i]]) {
      const sess_event *e = &r->ev[cmds[i]];
      snprintf(line, sizeof line,
               "part of a burst: %lld or more sudo commands by %.*s within "
               "%.3g s",
               (long long)r->burst_n, (int)(e->by.len > 100 ? 100 : e->by.len),
               S(r, e->by), (double)r->burst_us / 1e6);
      reason(r, line);
      break;
    }
}

int
hk_sess_emit_row(sess_run *r, const out_row *o)
{
  hk_table_builder *b = r->b;
  int rc = HK_OK;
  char line[200];
  hk_buf_reset(&r->reasons);
  sess_str none = {0, 0, 0};
  if (o->kind == ROW_SESSION) {
    session *s = &r->ss[o->index];
    command_facts(r, r->attached + s->first_cmd, s->n_cmds);
    if (r->failed_n > 0 && s->failed_before >= r->failed_n) {
      snprintf(line, sizeof line, "%lld failed logons in the %.3g s before",
               (long long)s->failed_before, (double)r->failed_us / 1e6);
      reason(r, line);
    }
    rc |= hk_table_builder_append_utf8(b, O_KIND, "session", 7);
    rc |= put_str(r, O_COMPUTER, s->host);
    rc |= put_str(r, O_SERVICE, s->service);
    rc |= put_str(r, O_USER, s->user);
    rc |= put_str(r, O_BYUSER, s->by);
    rc |= put_str(r, O_SOURCEIP, s->ip);
    rc |= s->port >= 0 ? hk_table_builder_append_int64(b, O_SOURCEPORT, s->port)
                       : hk_table_builder_append_null(b, O_SOURCEPORT);
    rc |= put_str(r, O_METHOD, s->method);
    rc |= hk_table_builder_append_timestamp(b, O_START, s->start);
    rc |= s->closed ? hk_table_builder_append_timestamp(b, O_END, s->end)
                    : hk_table_builder_append_null(b, O_END);
    rc |= s->closed ? hk_table_builder_append_float64(
                          b, O_DURATION, (double)(s->end - s->start) / 1e6)
                    : hk_table_builder_append_null(b, O_DURATION);
    rc |= s->pid >= 0 ? hk_table_builder_append_int64(b, O_PID, s->pid)
                      : hk_table_builder_append_null(b, O_PID);
    rc |= hk_table_builder_append_int64(b, O_COMMANDS, (int64_t)s->n_cmds);
    rc |= hk_table_builder_append_utf8(b, O_COMMANDLIST, r->json.data,
                                       r->json.len);
    rc |= hk_table_builder_append_int64(b, O_FAILED, s->failed_before);
  } else if (o->kind == ROW_COMMAND || o->kind == ROW_REFUSED) {
    const sess_event *e = &r->ev[o->index];
    size_t idx = o->index;
    command_facts(r, &idx, 1);
    if (o->kind == ROW_REFUSED) {
      snprintf(line, sizeof line, "sudo refused: %.*s",
               (int)(e->reason.len > 150 ? 150 : e->reason.len),
               S(r, e->reason));
      reason(r, line);
    }
    rc |= o->kind == ROW_COMMAND
              ? hk_table_builder_append_utf8(b, O_KIND, "sudo_command", 12)
              : hk_table_builder_append_utf8(b, O_KIND, "sudo_refused", 12);
    rc |= put_str(r, O_COMPUTER, e->host);
    rc |= put_str(r, O_SERVICE, e->service);
    rc |= put_str(r, O_USER, e->user);
    rc |= put_str(r, O_BYUSER, e->by);
    rc |= put_str(r, O_SOURCEIP, none);
    rc |= hk_table_builder_append_null(b, O_SOURCEPORT);
    rc |= put_str(r, O_METHOD, e->method);
    rc |= hk_table_builder_append_timestamp(b, O_START, e->t);
    rc |= hk_table_builder_append_null(b, O_END);
    rc |= hk_table_builder_append_null(b, O_DURATION);
    rc |= e->pid >= 0 ? hk_table_builder_append_int64(b, O_PID, e->pid)
                      : hk_table_builder_append_null(b, O_PID);
    rc |= hk_table_builder_append_int64(b, O_COMMANDS, o->kind == ROW_COMMAND);
    rc |= hk_table_builder_append_utf8(b, O_COMMANDLIST, r->json.data,
                                       r->json.len);
    rc |= hk_table_builder_append_int64(b, O_FAILED, 0);
  } else {
    const burst *u = &r->bursts[o->index];
    const sess_event *f = &r->ev[r->fails[u->first]];
    /* the users tried, in order, once each */
    hk_buf_reset(&r->json);
    hk_buf_append_char(&r->json, '[');
    for (int64_t i = 0; i < u->count; i++) {
      const sess_event *g = &r->ev[r->fails[u->first + (size_t)i]];
      int seen = 0;
      for (int64_t j = 0; j < i && !seen; j++)
        seen = str_eq(r, r->ev[r->fails[u->first + (size_t)j]].user, g->user);
      if (seen || !g->user.set)
        continue;
      if (r->json.len > 1)
        hk_buf_append_char(&r->json, ',');
      hk_buf_append_json_string(&r->json, S(r, g->user), g->user.len);
    }
    hk_buf_append_char(&r->json, ']');
    snprintf(line, sizeof line, "%lld failed logons within %.3g s",
             (long long)u->count, (double)(u->end - u->start) / 1e6);
    reason(r, line);
    rc |= hk_table_builder_append_utf8(b, O_KIND, "failed_logons", 13);
    rc |= put_str(r, O_COMPUTER, f->host);
    rc |= put_str(r, O_SERVICE, f->service);
    /* one user: that user; several: their JSON list */
    if (r->json.len > 2 &&
        memchr(r->json.data + 1, ',', r->json.len - 2) == NULL)
      rc |= put_str(r, O_USER, f->user);
    else if (r->json.len > 2)
      rc |= hk_table_builder_append_utf8(b, O_USER, r->json.data, r->json.len);
    else
      rc |= hk_table_builder_append_null(b, O_USER);
    rc |= put_str(r, O_BYUSER, none);
    rc |= put_str(r, O_SOURCEIP, f->ip.set && f->ip.len ? f->ip : none);
    rc |= hk_table_builder_append_null(b, O_SOURCEPORT);
    rc |= put_str(r, O_METHOD, f->method);
    rc |= hk_table_builder_append_timestamp(b, O_START, u->start);
    rc |= hk_table_builder_append_timestamp(b, O_END, u->end);
    rc |= hk_table_builder_append_float64(b, O_DURATION,
                                          (double)(u->end - u->start) / 1e6);
    rc |= hk_table_builder_append_null(b, O_PID);
    rc |= hk_table_builder_append_int64(b, O_COMMANDS, 0);
    rc |= hk_table_builder_append_null(b, O_COMMANDLIST);
    rc |= hk_table_builder_append_int64(b, O_FAILED, u->count);
  }
  if (r->reasons.len)
    hk_buf_append_char(&r->reasons, ']');
  rc |= hk_table_builder_append_bool(b, O_RISKY, r->reasons.len > 0);
  rc |= r->reasons.len ? hk_table_builder_append_utf8(
                             b, O_REASONS, r->reasons.data, r->reasons.len)
                       : hk_table_builder_append_null(b, O_REASONS);
  return rc == HK_OK ? HK_OK : HK_E_NOMEM;
}
