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
#include <huntkit/buf.h>
#include <huntkit/provider.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BATCH_ROWS 8192
#define READ_CHUNK (1u << 20)
/* An event is complete at its EOE record, or when this many records were
 * read since its last record, or when more events than this are open. */
#define OPEN_WINDOW 64

static const hk_host *host_services;

static const hk_param auditd_options[] = {
    {"path", HK_PT_PATH, HK_P_REQUIRED | HK_P_REST, NULL, NULL,
     "raw audit log to read (audit.log format), or - for standard input"},
    {"on_error", HK_PT_STRING, 0, "fail", "skip|fail",
     "a line that is not an audit record: fail the run, or skip it with a "
     "warning"},
    {NULL, 0, 0, NULL, NULL, NULL}};

/* Output columns; the order here is the schema order. */
enum {
  C_TIME,
  C_SERIAL,
  C_EVENT_TYPE,
  C_NODE,
  C_PID,
  C_PPID,
  C_UID,
  C_AUID,
  C_EUID,
  C_GID,
  C_SES,
  C_SYSCALL,
  C_SUCCESS,
  C_EXIT,
  C_EXE,
  C_COMM,
  C_KEY,
  C_TTY,
  C_CWD,
  C_CMDLINE,
  C_PROCTITLE,
  C_PATHS,
  C_ACCT,
  C_HOSTNAME,
  C_ADDR,
  C_TERMINAL,
  C_RES,
  C_FIELDS,
  N_COLS
};

static const struct {
  const char *name;
  int type;
} columns[N_COLS] = {
    {"TimeGenerated", HK_COL_TIMESTAMP},
    {"serial", HK_COL_INT64},
    {"event_type", HK_COL_UTF8},
    {"node", HK_COL_UTF8},
    {"pid", HK_COL_INT64},
    {"ppid", HK_COL_INT64},
    {"uid", HK_COL_INT64},
    {"auid", HK_COL_INT64},
    {"euid", HK_COL_INT64},
    {"gid", HK_COL_INT64},
    {"ses", HK_COL_INT64},
    {"syscall", HK_COL_INT64},
    {"success", HK_COL_BOOL},
    {"exit", HK_COL_INT64},
    {"exe", HK_COL_UTF8},
    {"comm", HK_COL_UTF8},
    {"key", HK_COL_UTF8},
    {"tty", HK_COL_UTF8},
    {"cwd", HK_COL_UTF8},
    {"cmdline", HK_COL_UTF8},
    {"proctitle", HK_COL_UTF8},
    {"paths", HK_COL_UTF8},
    {"acct", HK_COL_UTF8},
    {"hostname", HK_COL_UTF8},
    {"addr", HK_COL_UTF8},
    {"terminal", HK_COL_UTF8},
    {"res", HK_COL_UTF8},
    {"fields", HK_COL_UTF8},
};

/* Record fields that fill a typed column directly (the first record of the
 * event that has the field wins). */
static const struct {
  const char *field;
  size_t len;
  int col;
} direct_fields[] = {
    {"pid", 3, C_PID},         {"ppid", 4, C_PPID},
    {"uid", 3, C_UID},         {"auid", 4, C_AUID},
    {"euid", 4, C_EUID},       {"gid", 3, C_GID},
    {"ses", 3, C_SES},         {"syscall", 7, C_SYSCALL},
    {"success", 7, C_SUCCESS}, {"exit", 4, C_EXIT},
    {"exe", 3, C_EXE},         {"comm", 4, C_COMM},
    {"key", 3, C_KEY},         {"tty", 3, C_TTY},
    {"cwd", 3, C_CWD},         {"proctitle", 9, C_PROCTITLE},
    {"acct", 4, C_ACCT},       {"hostname", 8, C_HOSTNAME},
    {"addr", 4, C_ADDR},       {"terminal", 8, C_TERMINAL},
    {"res", 3, C_RES},
};

/* Fields auditd writes hex-encoded (unquoted) when the value holds a space,
 * a quote, a control character or non-ASCII bytes; quoted values are
 * literal.  EXECVE aN / aN[i] are handled separately. */
static const struct {
  const char *name;
  size_t len;
} encoded_fields[] = {
    {"name", 4},   {"cwd", 3},          {"exe", 3},          {"comm", 4},
    {"path", 4},   {"proctitle", 9},    {"cmd", 3},          {"acct", 4},
    {"key", 3},    {"ocomm", 5},        {"watch", 5},        {"dir", 3},
    {"data", 4},   {"file", 4},         {"old-disk", 8},     {"new-disk", 8},
    {"old-fs", 6}, {"new-fs", 6},       {"old-rng", 7},      {"new-rng", 7},
    {"device", 6}, {"cgroup", 6},       {"root_dir", 8},     {"sw", 2},
    {"vm", 2},     {"old-chardev", 11}, {"new-chardev", 11},
};

typedef struct field {
  const char *key; /* into the event's record text */
  size_t klen;
  size_t voff; /* value (unquoted, decoded) in the run's scratch buffer */
  size_t vlen;
  int has_value;
  int record; /* index of the record in the event */
} field;

typedef struct open_event {
  int64_t ts_us;
  int64_t serial;
  int64_t last_record_no;
  int complete;
  /* records, each as: uint32 type length, uint32 body length, type, body;
   * node name (if any) kept in `node` */
  hk_buf text;
  size_t n_records;
  hk_buf node;
} open_event;

typedef struct auditd_run {
  const hk_host *host;
  const hk_instance *inst;
  char *path;
  const char *shown_path;
  FILE *fp;
  int own_fp;
  int skip_bad;
  int64_t batch_rows, row_limit, start_us, end_us;

  char *buf; /* read buffer */
  size_t buf_cap, buf_len, buf_pos;
  int eof;
  int64_t line_no, record_no;

  open_event ring[OPEN_WINDOW];
  size_t head, n_open;

  hk_table_builder *b;
  int64_t emitted, skipped;
  int done, pending;
  hk_error pending_err;

  /* per-event scratch */
  field *fields;
  size_t n_fields, cap_fields;
  hk_buf scratch, json, cmd;
  size_t *rec_types; /* offsets of record starts in the event text */
  size_t cap_rec;
} auditd_run;

/* ------------------------------------------------------------- helpers */

static int
hexval(int c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static int
is_hex_text(const char *s, size_t n)
{
  if (n < 2 || n % 2)
    return 0;
  for (size_t i = 0; i < n; i++)
    if (hexval((unsigned char)s[i]) < 0)
      return 0;
  return 1;
}

static int
is_encoded_field(const char *rtype, size_t rtlen, const char *k, size_t kl)
{
  if (rtlen == 6 && !memcmp(rtype, "EXECVE", 6) && kl >= 2 && k[0] == 'a' &&
      k[1] >= '0' && k[1] <= '9') {
    size_t i = 1;
    while (i < kl && k[i] >= '0' && k[i] <= '9')
      i++;
    return i == kl || k[i] == '[';
  }
  for (size_t i = 0; i < sizeof encoded_fields / sizeof encoded_fields[0]; i++)
    if (encoded_fields[i].len == kl && encoded_fields[i].name[0] == k[0] &&
        !memcmp(encoded_fields[i].name, k, kl))
      return 1;
  return 0;
}

static int
parse_int(const char *s, size_t n, int64_t *out)
{
  size_t i = 0;
  int neg = 0;
  if (n && s[0] == '-')
    neg = 1, i = 1;
  if (i == n || n - i > 19)
    return 0;
  uint64_t v = 0;
  for (; i < n; i++) {
    if (s[i] < '0' || s[i] > '9')
      return 0;
    v = v * 10 + (uint64_t)(s[i] - '0');
  }
  if (v > (uint64_t)INT64_MAX)
    return 0;
  *out = neg ? -(int64_t)v : (int64_t)v;
  return 1;
}

/* ------------------------------------------------------------- parsing */

static int
add_field(auditd_run *r, const char *k, size_t kl, int record)
{
  if (r->n_fields == r->cap_fields) {
    size_t cap = r->cap_fields ? r->cap_fields * 2 : 64;
    field *f = realloc(r->fields, cap * sizeof *f);
    if (!f)
      return HK_E_NOMEM;
    r->fields = f;
    r->cap_fields = cap;
  }
  field *f = &r->fields[r->n_fields++];
  f->key = k;
  f->klen = kl;
  f->voff = r->scratch.len;
  f->vlen = 0;
  f->has_value = 0;
  f->record = record;
  return HK_OK;
}

/* Split `s` into key=value fields of record `record`; a msg='...' value
 * holding further fields (user-space records) is split too. */
static int
split_fields(auditd_run *r, const char *rtype, size_t rtlen, const char *s,
             size_t n, int record)
{
  size_t i = 0;
  while (i < n) {
    while (i < n && (s[i] == ' ' || s[i] == 0x1d))
      i++;
    if (i >= n)
      break;
    size_t k0 = i;
    while (i < n && s[i] != '=' && s[i] != ' ' && s[i] != 0x1d)
      i++;
    size_t kl = i - k0;
    if (add_field(r, s + k0, kl, record) != HK_OK)
      return HK_E_NOMEM;
    if (i >= n || s[i] != '=')
      continue; /* a word without a value */
    i++;
    field *f = &r->fields[r->n_fields - 1];
    f->has_value = 1;
    if (i < n && (s[i] == '"' || s[i] == '\'')) {
      char q = s[i++];
      size_t v0 = i;
      while (i < n && s[i] != q)
        i++;
      size_t vl = i - v0;
      if (i < n)
        i++;
      if (q == '\'' && kl == 3 && !memcmp(s + k0, "msg", 3)) {
        /* the nested fields replace the container */
        r->n_fields--;
        if (split_fields(r, rtype, rtlen, s + v0, vl, record) != HK_OK)
          return HK_E_NOMEM;
        continue;
      }
      if (hk_buf_append(&r->scratch, s + v0, vl) != HK_OK)
        return HK_E_NOMEM;
      f->vlen = vl;
      continue;
    }
    size_t v0 = i;
    while (i < n && s[i] != ' ' && s[i] != 0x1d)
      i++;
    size_t vl = i - v0;
    if (is_hex_text(s + v0, vl) && is_encoded_field(rtype, rtlen, s + k0, kl)) {
      int is_key = kl == 3 && !memcmp(s + k0, "key", 3);
      if (hk_buf_reserve(&r->scratch, vl / 2 + 1) != HK_OK)
        return HK_E_NOMEM;
      char *d = r->scratch.data + r->scratch.len;
      size_t dl = 0;
      for (size_t j = 0; j < vl; j += 2) {
        char c = (char)(hexval((unsigned char)s[v0 + j]) << 4 |
                        hexval((unsigned char)s[v0 + j + 1]));
        /* several keys are separated by \x01; arguments by NUL */
        if (is_key && c == 0x01)
          c = ',';
        else if (c == 0)
          c = ' ';
        d[dl++] = c;
      }
      if (kl == 9 && !memcmp(s + k0, "proctitle", 9))
        while (dl && d[dl - 1] == ' ' && s[v0 + 2 * dl - 1] == '0' &&
               s[v0 + 2 * dl - 2] == '0')
          dl--; /* trailing NULs of the argument vector */
      r->scratch.len += dl;
      r->scratch.data[r->scratch.len] = '\0';
      f->vlen = dl;
    } else {
      if (hk_buf_append(&r->scratch, s + v0, vl) != HK_OK)
        return HK_E_NOMEM;
      f->vlen = vl;
    }
  }
  return HK_OK;
}

/* ------------------------------------------------------------- emitting */

static int
append_text(auditd_run *r, int col, const char *s, size_t n)
{
  return hk_table_builder_append_utf8(r->b, (size_t)col, s, n);
}

typedef struct arg_piece {
  int64_t arg, piece;
  size_t field;
} arg_piece;

static int
cmp_piece(const void *a, const void *b)
{
  const arg_piece *x = a, *y = b;
  if (x->arg != y->arg)
    return x->arg < y->arg ? -1 : 1;
  return x->piece < y->piece ? -1 : x->piece > y->piece;
}

static void
append_arg(hk_buf *out, const char *s, size_t n)
{
  int quote = n == 0;
  for (size_t i = 0; i < n && !quote; i++)
    if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '"')
      quote = 1;
  if (out->len)
    hk_buf_append_char(out, ' ');
  if (!quote) {
    hk_buf_append(out, s, n);
    return;
  }
  hk_buf_append_char(out, '"');
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"' || s[i] == '\\')
      hk_buf_append_char(out, '\\');
    hk_buf_append_char(out, s[i]);
  }
  hk_buf_append_char(out, '"');
}

/* cmdline from EXECVE aN and the aN[i] pieces of long arguments. */
static int
build_cmdline(auditd_run *r, const char **rtypes, const size_t *rtlens)
{
  arg_piece *pieces = NULL;
  size_t n = 0, cap = 0;
  int sorted = 1, rc = HK_OK;
  hk_buf_reset(&r->cmd);
  for (size_t i = 0; i < r->n_fields; i++) {
    field *f = &r->fields[i];
    if (rtlens[f->record] != 6 || memcmp(rtypes[f->record], "EXECVE", 6) ||
        !f->has_value || f->klen < 2 || f->key[0] != 'a' || f->key[1] < '0' ||
        f->key[1] > '9')
      continue;
    size_t j = 1;
    int64_t arg = 0, piece = -1;
    while (j < f->klen && f->key[j] >= '0' && f->key[j] <= '9' && arg < 1000000)
      arg = arg * 10 + (f->key[j++] - '0');
    if (j < f->klen) {
      if (f->key[j] != '[')
        continue; /* a1_len */
      piece = 0;
      for (j++; j < f->klen && f->key[j] >= '0' && f->key[j] <= '9'; j++)
        piece = piece * 10 + (f->key[j] - '0');
    }
    if (n == cap) {
      cap = cap ? cap * 2 : 16;
      arg_piece *p = realloc(pieces, cap * sizeof *p);
      if (!p) {
        free(pieces);
        return HK_E_NOMEM;
      }
      pieces = p;
    }
    if (n && cmp_piece(&pieces[n - 1], &(arg_piece){arg, piece, 0}) > 0)
      sorted = 0;
    pieces[n++] = (arg_piece){arg, piece, i};
  }
  if (!n) {
    free(pieces);
    return hk_table_builder_append_null(r->b, C_CMDLINE);
  }
  if (!sorted)
    qsort(pieces, n, sizeof *pieces, cmp_piece);
  hk_buf joined = HK_BUF_INIT;
  for (size_t i = 0; i < n;) {
    size_t j = i;
    hk_buf_reset(&joined);
    for (; j < n && pieces[j].arg == pieces[i].arg; j++) {
      field *f = &r->fields[pieces[j].field];
      hk_buf_append(&joined, r->scratch.data + f->voff, f->vlen);
    }
    append_arg(&r->cmd, joined.data ? joined.data : "", joined.len);
    i = j;
  }
  hk_buf_free(&joined);
  free(pieces);
  rc = append_text(r, C_CMDLINE, r->cmd.data ? r->cmd.data : "", r->cmd.len);
  return rc;
}

static int
is_unset_text(const char *s, size_t n)
{
  return n == 0 || (n == 1 && s[0] == '?') ||
         (n == 6 && !memcmp(s, "(null)", 6)) ||
         (n == 6 && !memcmp(s, "(none)", 6));
}

static int
append_typed(auditd_run *r, int col, const field *f)
{
  const char *v = r->scratch.data + f->voff;
  int64_t iv;
  switch (columns[col].type) {
  case HK_COL_INT64:
    if (!parse_int(v, f->vlen, &iv))
      return hk_table_builder_append_null(r->b, (size_t)col);
    if (iv == 4294967295LL && col != C_EXIT && col != C_SYSCALL)
      iv = -1; /* auditd's "unset" id */
    return hk_table_builder_append_int64(r->b, (size_t)col, iv);
  case HK_COL_BOOL:
    if (f->vlen == 3 && !memcmp(v, "yes", 3))
      return hk_table_builder_append_bool(r->b, (size_t)col, 1);
    if (f->vlen == 2 && !memcmp(v, "no", 2))
      return hk_table_builder_append_bool(r->b, (size_t)col, 0);
    return hk_table_builder_append_null(r->b, (size_t)col);
  default:
    if (is_unset_text(v, f->vlen))
      return hk_table_builder_append_null(r->b, (size_t)col);
    return append_text(r, col, v, f->vlen);
  }
}

static int
emit_event(auditd_run *r, open_event *ev)
{
  if (ev->ts_us < r->start_us || ev->ts_us >= r->end_us)
    return HK_OK;
  if (r->row_limit > 0 && r->emitted >= r->row_limit)
    return HK_OK;
  size_t nrec = ev->n_records;
  const char **rtypes = malloc((nrec + 1) * sizeof *rtypes);
  size_t *rtlens = malloc((nrec + 1) * sizeof *rtlens);
  if (!rtypes || !rtlens) {
    free(rtypes);
    free(rtlens);
    return HK_E_NOMEM;
  }
  r->n_fields = 0;
  hk_buf_reset(&r->scratch);
  hk_buf_append(&r->scratch, "", 0);
  int rc = HK_OK;
  const char *p = ev->text.data;
  for (size_t i = 0; i < nrec && rc == HK_OK; i++) {
    uint32_t tl, bl;
    memcpy(&tl, p, 4);
    memcpy(&bl, p + 4, 4);
    rtypes[i] = p + 8;
    rtlens[i] = tl;
    rc = split_fields(r, p + 8, tl, p + 8 + tl, bl, (int)i);
    p += 8 + tl + bl;
  }
  if (rc != HK_OK || !r->scratch.data)
    goto out;

  hk_table_builder *b = r->b;
  rc |= hk_table_builder_append_timestamp(b, C_TIME, ev->ts_us);
  rc |= hk_table_builder_append_int64(b, C_SERIAL, ev->serial);
  /* event_type: distinct record types in order of first appearance */
  hk_buf_reset(&r->cmd);
  for (size_t i = 0; i < nrec; i++) {
    size_t j = 0;
    while (j < i && !(rtlens[j] == rtlens[i] &&
                      !memcmp(rtypes[j], rtypes[i], rtlens[i])))
      j++;
    if (j < i)
      continue;
    if (r->cmd.len)
      hk_buf_append_char(&r->cmd, ',');
    hk_buf_append(&r->cmd, rtypes[i], rtlens[i]);
  }
  rc |=
      append_text(r, C_EVENT_TYPE, r->cmd.data ? r->cmd.data : "", r->cmd.len);
  rc |= ev->node.len ? append_text(r, C_NODE, ev->node.data, ev->node.len)
                     : hk_table_builder_append_null(b, C_NODE);

  /* typed columns: first field of that name in record order */
  const field *found[N_COLS] = {0};
  hk_buf paths = HK_BUF_INIT;
  int any_path = 0;
  for (size_t i = 0; i < r->n_fields; i++) {
    const field *f = &r->fields[i];
    if (!f->has_value)
      continue;
    int rt_path =
        rtlens[f->record] == 4 && !memcmp(rtypes[f->record], "PATH", 4);
    if (rt_path && f->klen == 4 && !memcmp(f->key, "name", 4)) {
      const char *v = r->scratch.data + f->voff;
      if (!is_unset_text(v, f->vlen)) {
        if (any_path++)
          hk_buf_append_char(&paths, ';');
        hk_buf_append(&paths, v, f->vlen);
      }
      continue;
    }
    int rt_execve =
        rtlens[f->record] == 6 && !memcmp(rtypes[f->record], "EXECVE", 6);
    if (rt_execve)
      continue;
    for (size_t d = 0; d < sizeof direct_fields / sizeof direct_fields[0]; d++)
      if (direct_fields[d].len == f->klen &&
          direct_fields[d].field[0] == f->key[0] &&
          !memcmp(direct_fields[d].field, f->key, f->klen)) {
        if (!found[direct_fields[d].col])
          found[direct_fields[d].col] = f;
        break;
      }
  }
  for (int c = C_PID; c < N_COLS && rc == HK_OK; c++) {
    if (c == C_CMDLINE)
      rc |= build_cmdline(r, rtypes, rtlens);
    else if (c == C_PATHS)
      rc |= any_path ? append_text(r, c, paths.data, paths.len)
                     : hk_table_builder_append_null(b, (size_t)c);
    else if (c == C_FIELDS)
      break;
    else if (found[c])
      rc |= append_typed(r, c, found[c]);
    else
      rc |= hk_table_builder_append_null(b, (size_t)c);
  }
  hk_buf_free(&paths);

  /* fields: {"TYPE":[{k:v,...},...],...}, types in order of appearance */
  hk_buf *j = &r->json;
  hk_buf_reset(j);
  hk_buf_append_char(j, '{');
  int first_type = 1;
  for (size_t i = 0; i < nrec; i++) {
    size_t k = 0;
    while (k < i && !(rtlens[k] == rtlens[i] &&
                      !memcmp(rtypes[k], rtypes[i], rtlens[i])))
      k++;
    if (k < i)
      continue;
    if (!first_type)
      hk_buf_append_char(j, ',');
    first_type = 0;
    hk_buf_append_json_string(j, rtypes[i], rtlens[i]);
    hk_buf_append_str(j, ":[");
    int first_rec = 1;
    size_t fi = 0;
    for (size_t m = i; m < nrec; m++) {
      if (rtlens[m] != rtlens[i] || memcmp(rtypes[m], rtypes[i], rtlens[i]))
        continue;
      hk_buf_append_str(j, first_rec ? "{" : ",{");
      first_rec = 0;
      while (fi < r->n_fields && r->fields[fi].record < (int)m)
        fi++;
      for (int first_field = 1;
           fi < r->n_fields && r->fields[fi].record == (int)m; fi++) {
        const field *f = &r->fields[fi];
        if (!first_field)
          hk_buf_append_char(j, ',');
        first_field = 0;
        hk_buf_append_json_string(j, f->key, f->klen);
        hk_buf_append_char(j, ':');
        if (f->has_value)
          hk_buf_append_json_string(j, r->scratch.data + f->voff, f->vlen);
        else
          hk_buf_append_str(j, "null");
      }
      hk_buf_append_char(j, '}');
    }
    hk_buf_append_char(j, ']');
  }
  if (hk_buf_append_char(j, '}') != HK_OK)
    rc = HK_E_NOMEM;
  if (rc == HK_OK)
    rc = append_text(r, C_FIELDS, j->data, j->len);
  if (rc == HK_OK)
    r->emitted++;
out:
  free(rtypes);
  free(rtlens);
  return rc == HK_OK ? HK_OK : HK_E_NOMEM;
}

static int
emit_head(auditd_run *r)
{
  open_event *ev = &r->ring[r->head];
  int rc = emit_event(r, ev);
  hk_buf_reset(&ev->text);
  hk_buf_reset(&ev->node);
  r->head = (r->head + 1) % OPEN_WINDOW;
  r->n_open--;
  return rc;
}

/* Emit, in order of first record, the events that are done. */
static int
flush_done(auditd_run *r, int all)
{
  while (r->n_open) {
    open_event *ev = &r->ring[r->head];
    if (!all && !ev->complete &&
        r->record_no - ev->last_record_no < OPEN_WINDOW)
      break;
    if (emit_head(r) != HK_OK)
      return HK_E_NOMEM;
  }
  return HK_OK;
}

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
    if (r->n_open == OPEN_WINDOW && emit_head(r) != HK_OK)
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
    if (flush_done(r, 0) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "auditd: out of memory");
  }
  if (r->done) {
    if (flush_done(r, 1) != HK_OK)
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
    if (hk_table_builder_add_column(r->b, columns[c].name, columns[c].type) <
        0) {
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
