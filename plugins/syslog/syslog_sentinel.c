/*
 * plugins/syslog/syslog_sentinel.c -- rows of the Microsoft Sentinel /
 * Log Analytics `Syslog` table exported as CSV (MSTICPy's syslog_data.csv)
 * or JSON (NDJSON, an array, or objects one after another), read with the
 * file provider's readers and mapped onto the provider's columns.
 */
#include "syslog_run.h"

#include <json-c/json.h>
#include <string.h>

enum {
  SENT_TIME,
  SENT_EVENT_TIME,
  SENT_COMPUTER,
  SENT_HOSTNAME,
  SENT_FACILITY,
  SENT_SEVERITY,
  SENT_MESSAGE,
  SENT_PID,
  SENT_HOSTIP,
  SENT_PROCESS,
  N_SENT
};

static const char *const sent_names[N_SENT] = {
    "TimeGenerated", "EventTime",     "Computer",  "HostName", "Facility",
    "SeverityLevel", "SyslogMessage", "ProcessID", "HostIP",   "ProcessName"};

int
hk_syslog_sentinel_open(syslog_run *r, hk_error *err)
{
  for (int i = 0; i < N_SENT; i++)
    r->col[i] = -1;
  int first = hk_file_src_peek_nonspace(&r->src, err);
  if (first < -1)
    return first;
  if (first == '{' || first == '[') {
    int mode = HK_FILE_JSON_LINES;
    if (first == '[')
      mode = HK_FILE_JSON_ARRAY;
    else {
      int rc = hk_file_json_first_line_complete(&r->src, err);
      if (rc < 0)
        return rc;
      if (!rc)
        mode = HK_FILE_JSON_SEQ;
    }
    int rc = hk_file_json_init(&r->json, &r->src, mode, err);
    if (rc == HK_OK)
      r->json_open = 1;
    return rc;
  }
  hk_file_csv_init(&r->csv, &r->src, ',');
  r->csv_open = 1;
  int rc = hk_file_csv_next(&r->csv, err);
  if (rc <= 0)
    return rc; /* empty: no rows */
  r->n_header = r->csv.n_fields;
  for (size_t i = 0; i < r->csv.n_fields; i++) {
    const hk_file_field *f = &r->csv.fields[i];
    for (int k = 0; k < N_SENT; k++)
      if (r->col[k] < 0 && strlen(sent_names[k]) == f->len &&
          !memcmp(sent_names[k], f->p, f->len))
        r->col[k] = (int)i;
  }
  if (r->col[SENT_MESSAGE] < 0)
    return hk_error_set(err, HK_E_INVAL,
                        "syslog: %s:%lld: no SyslogMessage column in the "
                        "header (a Sentinel Syslog export has TimeGenerated, "
                        "Computer, Facility, SeverityLevel, ProcessName, "
                        "ProcessID, SyslogMessage)",
                        r->shown_path, (long long)r->csv.line);
  return HK_OK;
}

void
hk_syslog_sentinel_close(syslog_run *r)
{
  if (r->csv_open)
    hk_file_csv_free(&r->csv);
  if (r->json_open)
    hk_file_json_free(&r->json);
  r->csv_open = r->json_open = 0;
}

/* One row's values, NULL when absent or empty. */
typedef struct sent_row {
  const char *v[N_SENT];
  size_t n[N_SENT];
} sent_row;

static int
row_to_msg(syslog_run *r, const sent_row *row, int64_t line, hk_error *err)
{
  hk_syslog_msg m;
  memset(&m, 0, sizeof m);
  m.format = HK_SYSLOG_SENTINEL;
  m.pri = -1;
  int tcol = row->v[SENT_TIME] ? SENT_TIME : SENT_EVENT_TIME;
  if (row->v[tcol]) {
    if (!hk_file_parse_timestamp_any(row->v[tcol], row->n[tcol], &m.ts_us)) {
      int shown = row->n[tcol] > 60 ? 60 : (int)row->n[tcol];
      hk_error_set(err, HK_E_INVAL,
                   "syslog: %s:%lld: %s '%.*s' is not a date-time (expected "
                   "ISO-8601 such as 2019-07-08T16:08:00Z, M/D/YYYY H:MM or "
                   "epoch seconds)",
                   r->shown_path, (long long)line, sent_names[tcol], shown,
                   row->v[tcol]);
      return 2;
    }
    m.has_ts = 1;
  }
  int hcol = row->v[SENT_COMPUTER] ? SENT_COMPUTER : SENT_HOSTNAME;
  m.host = row->v[hcol];
  m.host_len = row->n[hcol];
  m.facility = row->v[SENT_FACILITY];
  m.facility_len = row->n[SENT_FACILITY];
  m.severity = row->v[SENT_SEVERITY];
  m.severity_len = row->n[SENT_SEVERITY];
  if (m.facility && m.severity) {
    int f = hk_syslog_facility_code(m.facility, m.facility_len);
    int s = hk_syslog_severity_code(m.severity, m.severity_len);
    if (f >= 0 && s >= 0)
      m.pri = f * 8 + s;
  }
  m.app = row->v[SENT_PROCESS];
  m.app_len = row->n[SENT_PROCESS];
  m.procid = row->v[SENT_PID];
  m.procid_len = row->n[SENT_PID];
  m.msg = row->v[SENT_MESSAGE];
  m.msg_len = row->n[SENT_MESSAGE];
  m.host_ip = row->v[SENT_HOSTIP];
  m.host_ip_len = row->n[SENT_HOSTIP];
  return hk_syslog_take(r, &m) == HK_OK ? 1 : HK_E_NOMEM;
}

int
hk_syslog_sentinel_next(syslog_run *r, hk_error *err)
{
  sent_row row;
  memset(&row, 0, sizeof row);
  if (r->csv_open) {
    if (!r->n_header)
      return 0;
    int rc = hk_file_csv_next(&r->csv, err);
    if (rc <= 0) {
      if (rc < 0)
        hk_error_prefix(err, "syslog: ");
      return rc;
    }
    int64_t line = r->csv.line;
    r->line_no = line;
    if (r->csv.n_fields != r->n_header) {
      hk_error_set(err, HK_E_INVAL,
                   "syslog: %s:%lld: %zu fields, expected %zu (as in the "
                   "header)",
                   r->shown_path, (long long)line, r->csv.n_fields,
                   r->n_header);
      return 2;
    }
    for (int k = 0; k < N_SENT; k++)
      if (r->col[k] >= 0 && r->csv.fields[r->col[k]].len) {
        row.v[k] = r->csv.fields[r->col[k]].p;
        row.n[k] = r->csv.fields[r->col[k]].len;
      }
    return row_to_msg(r, &row, line, err);
  }
  json_object *o = NULL;
  int rc = hk_file_json_next(&r->json, &o, err);
  if (rc == HK_FILE_BAD) {
    hk_error_prefix(err, "syslog: ");
    return 2;
  }
  if (rc != HK_FILE_REC) {
    if (rc < 0)
      hk_error_prefix(err, "syslog: ");
    return rc;
  }
  int64_t line = r->json.line;
  for (int k = 0; k < N_SENT; k++) {
    json_object *v;
    if (!json_object_object_get_ex(o, sent_names[k], &v) || !v ||
        json_object_is_type(v, json_type_null))
      continue;
    const char *s = json_object_get_string(v);
    size_t n = json_object_is_type(v, json_type_string)
                   ? (size_t)json_object_get_string_len(v)
                   : strlen(s);
    if (n) {
      row.v[k] = s;
      row.n[k] = n;
    }
  }
  if (!row.v[SENT_MESSAGE] &&
      !json_object_object_get_ex(o, "SyslogMessage", NULL)) {
    json_object_put(o);
    hk_error_set(err, HK_E_INVAL,
                 "syslog: %s:%lld: no SyslogMessage in the object (expected "
                 "a Sentinel Syslog row)",
                 r->shown_path, (long long)line);
    return 2;
  }
  rc = row_to_msg(r, &row, line, err);
  json_object_put(o);
  return rc;
}
