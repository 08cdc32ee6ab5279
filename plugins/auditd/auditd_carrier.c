/*
 * plugins/auditd/auditd_carrier.c -- audit records that arrive inside rows
 * of a table export rather than as audit.log lines:
 *
 *  - Log Analytics (the `AuditLog_CL`-derived form MSTICPy reads): a row per
 *    event with `mssg_id` (`SECONDS.FRACTION:SERIAL`) and `AuditdMessage`,
 *    a Python (or JSON) literal `[{'TYPE': ['k=v', 'k=v', ...]}, ...]`: the
 *    record bodies already split at spaces by the agent;
 *  - Sentinel `Syslog` rows whose `SyslogMessage` is an AUOMS (or audisp)
 *    record, `type=AUOMS_EXECVE audit(...): ...`.
 *
 * Rows come from the file provider's CSV and JSON readers (compiled in), so
 * the CSV dialect is exactly the file provider's.
 */
#include "auditd_internal.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#ifndef JSON_C_TO_STRING_NOSLASHESCAPE
#define JSON_C_TO_STRING_NOSLASHESCAPE 0
#endif

/* ------------------------------------------------------ the literal */

typedef struct lit {
  const char *p, *end, *start;
} lit;

static void
lit_space(lit *l)
{
  while (l->p < l->end &&
         (*l->p == ' ' || *l->p == '\t' || *l->p == '\n' || *l->p == '\r'))
    l->p++;
}

static int
lit_char(lit *l, char c)
{
  lit_space(l);
  if (l->p < l->end && *l->p == c) {
    l->p++;
    return 1;
  }
  return 0;
}

static int
hex_digits(const char *p, int n, uint32_t *out)
{
  uint32_t v = 0;
  for (int i = 0; i < n; i++) {
    char c = p[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0)
      return 0;
    v = v << 4 | (uint32_t)d;
  }
  *out = v;
  return 1;
}

static int
put_utf8(hk_buf *b, uint32_t cp)
{
  char u[4];
  size_t n;
  if (cp < 0x80)
    u[0] = (char)cp, n = 1;
  else if (cp < 0x800)
    u[0] = (char)(0xC0 | cp >> 6), u[1] = (char)(0x80 | (cp & 0x3F)), n = 2;
  else if (cp < 0x10000)
    u[0] = (char)(0xE0 | cp >> 12), u[1] = (char)(0x80 | (cp >> 6 & 0x3F)),
    u[2] = (char)(0x80 | (cp & 0x3F)), n = 3;
  else
    u[0] = (char)(0xF0 | cp >> 18), u[1] = (char)(0x80 | (cp >> 12 & 0x3F)),
    u[2] = (char)(0x80 | (cp >> 6 & 0x3F)), u[3] = (char)(0x80 | (cp & 0x3F)),
    n = 4;
  return hk_buf_append(b, u, n);
}

/* A Python repr or JSON string literal, appended to `out` unescaped.
 * 1 on success, 0 when malformed. */
static int
lit_string(lit *l, hk_buf *out)
{
  lit_space(l);
  if (l->p >= l->end || (*l->p != '\'' && *l->p != '"'))
    return 0;
  char q = *l->p++;
  for (;;) {
    const char *s = l->p;
    while (l->p < l->end && *l->p != q && *l->p != '\\')
      l->p++;
    if (hk_buf_append(out, s, (size_t)(l->p - s)) != HK_OK)
      return 0;
    if (l->p >= l->end)
      return 0;
    if (*l->p == q) {
      l->p++;
      return 1;
    }
    if (l->end - l->p < 2)
      return 0;
    char e = l->p[1];
    l->p += 2;
    uint32_t cp;
    switch (e) {
    case 'n':
      hk_buf_append_char(out, '\n');
      break;
    case 'r':
      hk_buf_append_char(out, '\r');
      break;
    case 't':
      hk_buf_append_char(out, '\t');
      break;
    case 'b':
      hk_buf_append_char(out, '\b');
      break;
    case 'f':
      hk_buf_append_char(out, '\f');
      break;
    case 'v':
      hk_buf_append_char(out, '\v');
      break;
    case 'a':
      hk_buf_append_char(out, '\a');
      break;
    case '0':
      hk_buf_append_char(out, '\0');
      break;
    case '\\':
    case '\'':
    case '"':
    case '/':
      hk_buf_append_char(out, e);
      break;
    case 'x':
      if (l->end - l->p < 2 || !hex_digits(l->p, 2, &cp))
        return 0;
      l->p += 2;
      put_utf8(out, cp);
      break;
    case 'u':
      if (l->end - l->p < 4 || !hex_digits(l->p, 4, &cp))
        return 0;
      l->p += 4;
      if (cp >= 0xD800 && cp < 0xDC00 && l->end - l->p >= 6 &&
          l->p[0] == '\\' && l->p[1] == 'u') {
        uint32_t lo;
        if (hex_digits(l->p + 2, 4, &lo) && lo >= 0xDC00 && lo < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          l->p += 6;
        }
      }
      if (cp >= 0xD800 && cp < 0xE000)
        cp = 0xFFFD;
      put_utf8(out, cp);
      break;
    case 'U':
      if (l->end - l->p < 8 || !hex_digits(l->p, 8, &cp) || cp > 0x10FFFF)
        return 0;
      l->p += 8;
      put_utf8(out, cp);
      break;
    default:
      return 0;
    }
  }
}

/* Parse `[{'TYPE': ['k=v', ...]}, ...]` into r->row_text as records
 * ([u32 type len][u32 body len][type][body]) and count them.  Returns NULL
 * or what was expected where it stopped (l->p). */
static const char *
parse_literal(auditd_run *r, lit *l, size_t *n_records)
{
  hk_buf *aux = &r->row_aux;
  *n_records = 0;
  hk_buf_reset(&r->row_text);
  if (!lit_char(l, '['))
    return "'['";
  if (lit_char(l, ']'))
    return NULL;
  do {
    if (!lit_char(l, '{'))
      return "'{' (a record: {'TYPE': [fields]})";
    if (lit_char(l, '}'))
      continue;
    do {
      hk_buf_reset(aux);
      if (!lit_string(l, aux))
        return "a quoted record type";
      size_t tl = aux->len;
      if (!tl)
        return "a record type that is not empty";
      if (!lit_char(l, ':'))
        return "':' after the record type";
      if (!lit_char(l, '['))
        return "'[' (the record's fields)";
      if (!lit_char(l, ']')) {
        int first = 1;
        do {
          if (!first && hk_buf_append_char(aux, ' ') != HK_OK)
            return "memory";
          first = 0;
          if (!lit_string(l, aux))
            return "a quoted 'key=value' field";
        } while (lit_char(l, ','));
        if (!lit_char(l, ']'))
          return "',' or ']' after a field";
      }
      uint32_t hdr[2] = {(uint32_t)tl, (uint32_t)(aux->len - tl)};
      if (hk_buf_append(&r->row_text, hdr, sizeof hdr) != HK_OK ||
          hk_buf_append(&r->row_text, aux->data, aux->len) != HK_OK)
        return "memory";
      (*n_records)++;
    } while (lit_char(l, ','));
    if (!lit_char(l, '}'))
      return "',' or '}' after a record";
  } while (lit_char(l, ','));
  if (!lit_char(l, ']'))
    return "',' or ']' after a record";
  lit_space(l);
  if (l->p != l->end)
    return "the end of the list";
  return NULL;
}

/* ------------------------------------------------------------- rows */

/* A malformed row: "FILE:LINE: <before>'<value>'<after>", the value cut
 * short; without a value just "<before>".  Returns 2 (malformed). */
static int
bad_row(auditd_run *r, int64_t line, hk_error *err, const char *before,
        const char *value, size_t value_len, const char *after)
{
  if (!value) {
    hk_error_set(err, HK_E_INVAL, "auditd: %s:%lld: %s", r->shown_path,
                 (long long)line, before);
    return 2;
  }
  int shown = value_len > 60 ? 60 : (int)value_len;
  hk_error_set(err, HK_E_INVAL, "auditd: %s:%lld: %s'%.*s%s'%s", r->shown_path,
               (long long)line, before, shown, value,
               value_len > 60 ? "..." : "", after);
  return 2;
}

static int
is_space(char c)
{
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* One Log Analytics row: mssg_id and AuditdMessage (text), Computer. */
static int
la_row(auditd_run *r, int64_t line, const char *id, size_t id_len,
       const char *msg, size_t msg_len, const char *comp, size_t comp_len,
       hk_error *err)
{
  while (msg_len && is_space(*msg))
    msg++, msg_len--;
  if (!msg_len)
    return bad_row(r, line, err, "AuditdMessage is empty", NULL, 0, NULL);
  if (*msg != '[') {
    /* MSTICPy also accepts raw audit.log lines in the column */
    const char *p = msg, *end = msg + msg_len;
    int any = 0;
    while (p < end) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
      while (n && is_space(p[n - 1]))
        n--;
      if (n) {
        int rc = auditd_take_record(r, p, n, 0, comp, comp_len);
        if (rc < 0)
          return rc;
        if (rc == 0)
          return bad_row(r, line, err, "AuditdMessage ", p, n,
                         " is neither a list of {'TYPE': [fields]} nor "
                         "audit.log lines");
        any = 1;
      }
      p = nl ? nl + 1 : end;
    }
    return any ? 1
               : bad_row(r, line, err, "AuditdMessage is empty", NULL, 0, NULL);
  }
  int64_t ts, serial;
  const char *q = id, *qend = id + id_len;
  while (q < qend && is_space(*q))
    q++;
  int ok = 0;
  {
    /* SECONDS.FRACTION:SERIAL */
    int64_t secs = 0, frac = 0, ser = 0;
    int scale = 100000, nd = 0;
    while (q < qend && *q >= '0' && *q <= '9' && nd < 12)
      secs = secs * 10 + (*q++ - '0'), nd++;
    if (nd && q < qend && *q == '.') {
      q++;
      int nf = 0;
      while (q < qend && *q >= '0' && *q <= '9') {
        if (scale)
          frac += (*q - '0') * scale, scale /= 10;
        q++, nf++;
      }
      if (nf && q < qend && *q == ':') {
        q++;
        int ns = 0;
        while (q < qend && *q >= '0' && *q <= '9' && ns < 18)
          ser = ser * 10 + (*q++ - '0'), ns++;
        while (q < qend && is_space(*q))
          q++;
        ok = ns && q == qend;
      }
    }
    ts = secs * 1000000 + frac;
    serial = ser;
  }
  if (!ok)
    return bad_row(r, line, err, "mssg_id ", id, id_len,
                   " is not SECONDS.FRACTION:SERIAL");
  lit l = {msg, msg + msg_len, msg};
  size_t n_records = 0;
  const char *expected = parse_literal(r, &l, &n_records);
  if (expected) {
    if (!strcmp(expected, "memory"))
      return HK_E_NOMEM;
    char what[200];
    snprintf(what, sizeof what,
             "AuditdMessage is not a list of {'TYPE': [fields]}: at "
             "character %zu expected %s",
             (size_t)(l.p - l.start) + 1, expected);
    hk_error_set(err, HK_E_INVAL, "auditd: %s:%lld: %s", r->shown_path,
                 (long long)line, what);
    return 2;
  }
  if (!n_records)
    return bad_row(r, line, err, "AuditdMessage holds no records", NULL, 0,
                   NULL);
  const char *p = r->row_text.data;
  for (size_t i = 0; i < n_records; i++) {
    uint32_t tl, bl;
    memcpy(&tl, p, 4);
    memcpy(&bl, p + 4, 4);
    int rc = auditd_add_record(r, ts, serial, comp, comp_len, p + 8, tl, 0,
                               p + 8 + tl, bl, 1);
    if (rc != HK_OK)
      return rc;
    p += 8 + tl + bl;
  }
  return 1;
}

/* One Syslog row whose message is an audit record. */
static int
auoms_row(auditd_run *r, int64_t line, const char *msg, size_t msg_len,
          const char *comp, size_t comp_len, hk_error *err)
{
  while (msg_len && is_space(msg[msg_len - 1]))
    msg_len--;
  int rc = auditd_take_record(r, msg, msg_len, 1, comp, comp_len);
  if (rc < 0)
    return rc;
  if (rc == 0 && !auditd_looks_like_record(msg, msg_len))
    return 3; /* another program's message */
  if (rc == 0)
    return bad_row(r, line, err, "SyslogMessage ", msg, msg_len,
                   " is not a well-formed audit record (expected "
                   "'type=... audit(SECONDS.FRACTION:SERIAL): ...')");
  return 1;
}

/* ----------------------------------------------------------- carriers */

int
auditd_carrier_open(auditd_run *r, hk_error *err)
{
  if (r->carrier == CARRY_CSV) {
    hk_file_csv_init(&r->csv, &r->src, ',');
    r->csv_open = 1;
    int rc = hk_file_csv_next(&r->csv, err);
    if (rc < 0) {
      hk_error_prefix(err, "auditd: ");
      return rc;
    }
    if (rc == 0)
      return HK_OK;
    r->n_header = r->csv.n_fields;
    int col_host = -1;
    const char *want =
        r->format == FMT_LOGANALYTICS ? "AuditdMessage" : "SyslogMessage";
    for (size_t i = 0; i < r->csv.n_fields; i++) {
      const hk_file_field *f = &r->csv.fields[i];
      if (f->len == strlen(want) && !memcmp(f->p, want, f->len))
        r->col_message = (int)i;
      else if (f->len == 7 && !memcmp(f->p, "mssg_id", 7))
        r->col_id = (int)i;
      else if (f->len == 8 && !memcmp(f->p, "Computer", 8))
        r->col_computer = (int)i;
      else if (f->len == 8 && !memcmp(f->p, "HostName", 8))
        col_host = (int)i;
    }
    if (r->col_computer < 0)
      r->col_computer = col_host;
    if (r->col_message < 0 || (r->format == FMT_LOGANALYTICS && r->col_id < 0))
      return hk_error_set(
          err, HK_E_INVAL,
          "auditd: %s:%lld: no %s column in the header (format=%s expects "
          "%s)",
          r->shown_path, (long long)r->csv.line,
          r->col_message < 0 ? want : "mssg_id",
          r->format == FMT_LOGANALYTICS ? "loganalytics" : "auoms",
          r->format == FMT_LOGANALYTICS ? "mssg_id and AuditdMessage columns"
                                        : "a SyslogMessage column");
    return HK_OK;
  }
  int first = hk_file_src_peek_nonspace(&r->src, err);
  if (first < -1)
    return first;
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
  int rc = hk_file_json_init(&r->jsonr, &r->src, mode, err);
  if (rc != HK_OK)
    return rc;
  r->json_open = 1;
  return HK_OK;
}

void
auditd_carrier_close(auditd_run *r)
{
  if (r->csv_open)
    hk_file_csv_free(&r->csv);
  if (r->json_open)
    hk_file_json_free(&r->jsonr);
  r->csv_open = r->json_open = 0;
}

static const char *
json_text(json_object *o, const char *key, size_t *len)
{
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !v)
    return NULL;
  if (json_object_is_type(v, json_type_string)) {
    *len = (size_t)json_object_get_string_len(v);
    return json_object_get_string(v);
  }
  if (json_object_is_type(v, json_type_array)) {
    const char *s = json_object_to_json_string_ext(
        v, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
    *len = strlen(s);
    return s;
  }
  if (json_object_is_type(v, json_type_null))
    return NULL;
  const char *s = json_object_get_string(v);
  *len = strlen(s);
  return s;
}

static int
json_row(auditd_run *r, json_object *o, hk_error *err)
{
  int64_t line = r->jsonr.line;
  size_t msg_len = 0, id_len = 0, comp_len = 0;
  const char *la_msg = json_text(o, "AuditdMessage", &msg_len);
  size_t sys_len = 0;
  const char *sys_msg = json_text(o, "SyslogMessage", &sys_len);
  if (r->format == FMT_AUTO) {
    if (la_msg)
      r->format = FMT_LOGANALYTICS;
    else if (sys_msg)
      r->format = FMT_AUOMS;
  }
  const char *comp = json_text(o, "Computer", &comp_len);
  if (!comp)
    comp = json_text(o, "HostName", &comp_len);
  if (r->format == FMT_LOGANALYTICS) {
    if (!la_msg)
      return bad_row(r, line, err,
                     "no AuditdMessage in the object (format=loganalytics)",
                     NULL, 0, NULL);
    const char *id = json_text(o, "mssg_id", &id_len);
    if (!id)
      return bad_row(r, line, err,
                     "no mssg_id in the object (format=loganalytics)", NULL, 0,
                     NULL);
    return la_row(r, line, id, id_len, la_msg, msg_len, comp, comp_len, err);
  }
  if (r->format == FMT_AUOMS) {
    if (!sys_msg)
      return bad_row(r, line, err,
                     "no SyslogMessage in the object (format=auoms)", NULL, 0,
                     NULL);
    return auoms_row(r, line, sys_msg, sys_len, comp, comp_len, err);
  }
  return bad_row(r, line, err,
                 "the object has neither AuditdMessage (Log Analytics) nor "
                 "SyslogMessage (AUOMS in Syslog)",
                 NULL, 0, NULL);
}

int
auditd_carrier_next(auditd_run *r, hk_error *err)
{
  if (r->carrier == CARRY_CSV) {
    if (!r->n_header)
      return 0; /* empty input */
    int rc = hk_file_csv_next(&r->csv, err);
    if (rc <= 0) {
      if (rc < 0)
        hk_error_prefix(err, "auditd: ");
      return rc;
    }
    int64_t line = r->csv.line;
    if (r->csv.n_fields != r->n_header) {
      hk_error_set(err, HK_E_INVAL,
                   "auditd: %s:%lld: %zu fields, expected %zu (as in the "
                   "header)",
                   r->shown_path, (long long)line, r->csv.n_fields,
                   r->n_header);
      return 2;
    }
    const hk_file_field *f = r->csv.fields;
    const hk_file_field *msg = &f[r->col_message];
    const char *comp = NULL;
    size_t comp_len = 0;
    if (r->col_computer >= 0) {
      comp = f[r->col_computer].p;
      comp_len = f[r->col_computer].len;
    }
    if (r->format == FMT_LOGANALYTICS)
      return la_row(r, line, f[r->col_id].p, f[r->col_id].len, msg->p, msg->len,
                    comp, comp_len, err);
    return auoms_row(r, line, msg->p, msg->len, comp, comp_len, err);
  }
  json_object *o = NULL;
  int rc = hk_file_json_next(&r->jsonr, &o, err);
  if (rc == HK_FILE_BAD) {
    hk_error_prefix(err, "auditd: ");
    return 2;
  }
  if (rc != HK_FILE_REC) {
    if (rc < 0)
      hk_error_prefix(err, "auditd: ");
    return rc;
  }
  rc = json_row(r, o, err);
  json_object_put(o);
  return rc;
}
