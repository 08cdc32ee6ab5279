/*
 * plugins/auditd/auditd_event.c -- from the records of one audit event to
 * one output row: field splitting, auditd's hex encoding, the command line
 * from EXECVE arguments, typed columns and the `fields` JSON.
 */
#include "auditd_internal.h"

#include <stdlib.h>
#include <string.h>

const auditd_column auditd_columns[N_COLS] = {
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

AUDITD_HOT int
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

AUDITD_HOT int
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

/* AUOMS keys: a letter or '_', then letters, digits, '_' or '-', then '='. */
static int
auoms_key_at(const char *s, size_t i, size_t n)
{
  if (i >= n || !((s[i] >= 'a' && s[i] <= 'z') ||
                  (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
    return 0;
  while (i < n &&
         ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
          (s[i] >= '0' && s[i] <= '9') || s[i] == '_' || s[i] == '-'))
    i++;
  return i < n && s[i] == '=';
}

/* Fields of an AUOMS record.  AUOMS neither escapes quotes inside quoted
 * values (cmdline="bash -c "x"") nor quotes values with spaces
 * (proctitle=/usr/bin/java -Dx ...), so a quoted value ends at a quote
 * followed by the end or by ` key=`, an unquoted one at ` key=`, and a
 * [..] list at its closing bracket.  Values are never hex-decoded. */
static int
split_fields_auoms(auditd_run *r, const char *s, size_t n, int record)
{
  size_t i = 0;
  while (i < n) {
    while (i < n && s[i] == ' ')
      i++;
    if (i >= n)
      break;
    size_t k0 = i;
    while (i < n && s[i] != '=' && s[i] != ' ')
      i++;
    if (add_field(r, s + k0, i - k0, record) != HK_OK)
      return HK_E_NOMEM;
    if (i >= n || s[i] != '=')
      continue;
    i++;
    field *f = &r->fields[r->n_fields - 1];
    f->has_value = 1;
    size_t v0 = i, vl;
    if (i < n && s[i] == '"') {
      size_t j = i + 1;
      while (j < n &&
             !(s[j] == '"' &&
               (j + 1 == n || (s[j + 1] == ' ' && auoms_key_at(s, j + 2, n)))))
        j++;
      v0 = i + 1;
      vl = j - v0;
      i = j < n ? j + 1 : n;
    } else if (i < n && s[i] == '[') {
      size_t j = i;
      int depth = 0, in_string = 0;
      for (; j < n; j++) {
        if (in_string) {
          if (s[j] == '\\')
            j++;
          else if (s[j] == '"')
            in_string = 0;
        } else if (s[j] == '"')
          in_string = 1;
        else if (s[j] == '[')
          depth++;
        else if (s[j] == ']' && --depth == 0) {
          j++;
          break;
        }
      }
      if (j > n)
        j = n;
      vl = j - i;
      i = j;
    } else {
      size_t j = i;
      while (j < n && !(s[j] == ' ' && auoms_key_at(s, j + 1, n)))
        j++;
      vl = j - i;
      i = j;
    }
    if (hk_buf_append(&r->scratch, s + v0, vl) != HK_OK)
      return HK_E_NOMEM;
    f->vlen = vl;
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

AUDITD_HOT int is_unset_text(const char *s, size_t n);

/* cmdline from EXECVE aN and the aN[i] pieces of long arguments, else the
 * `cmdline` field AUOMS writes (as AUOMS quoted it). */
static int
build_cmdline(auditd_run *r, const char **rtypes, const size_t *rtlens,
              const field *cmdline_field)
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
    if (cmdline_field && !is_unset_text(r->scratch.data + cmdline_field->voff,
                                        cmdline_field->vlen))
      return append_text(r, C_CMDLINE, r->scratch.data + cmdline_field->voff,
                         cmdline_field->vlen);
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

AUDITD_HOT int
is_unset_text(const char *s, size_t n)
{
  return n == 0 || (n == 1 && s[0] == '?') ||
         (n == 6 && !memcmp(s, "(null)", 6)) ||
         (n == 6 && !memcmp(s, "(none)", 6));
}

AUDITD_HOT int
append_typed(auditd_run *r, int col, const field *f)
{
  const char *v = r->scratch.data + f->voff;
  int64_t iv;
  switch (auditd_columns[col].type) {
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
  if (nrec + 1 > r->cap_rec) {
    size_t cap = (nrec + 1) * 2;
    const char **t = realloc(r->rec_types, cap * sizeof *t);
    if (t)
      r->rec_types = t;
    size_t *l = t ? realloc(r->rec_lens, cap * sizeof *l) : NULL;
    if (l)
      r->rec_lens = l;
    unsigned char *a = l ? realloc(r->rec_auoms, cap) : NULL;
    if (!a)
      return HK_E_NOMEM;
    r->rec_auoms = a;
    r->cap_rec = cap;
  }
  const char **rtypes = r->rec_types;
  size_t *rtlens = r->rec_lens;
  unsigned char *rauoms = r->rec_auoms;
  r->n_fields = 0;
  hk_buf_reset(&r->scratch);
  hk_buf_append(&r->scratch, "", 0);
  int rc = HK_OK, any_auoms = 0;
  const char *p = ev->text.data;
  for (size_t i = 0; i < nrec && rc == HK_OK; i++) {
    uint32_t tl, bl;
    memcpy(&tl, p, 4);
    memcpy(&bl, p + 4, 4);
    rauoms[i] = (tl & REC_AUOMS) != 0;
    any_auoms |= rauoms[i];
    tl &= ~REC_AUOMS;
    rtypes[i] = p + 8;
    rtlens[i] = tl;
    rc = rauoms[i] ? split_fields_auoms(r, p + 8 + tl, bl, (int)i)
                   : split_fields(r, p + 8, tl, p + 8 + tl, bl, (int)i);
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

  /* typed columns: first field of that name in record order */
  const field *found[N_COLS] = {0};
  /* AUOMS writes in one record what auditd spreads over several */
  const field *auoms_node = NULL, *auoms_syscall = NULL, *auoms_cmdline = NULL,
              *auoms_paths = NULL;
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
  for (size_t i = 0; any_auoms && i < r->n_fields; i++) {
    const field *f = &r->fields[i];
    if (!f->has_value || !rauoms[f->record])
      continue;
    if (f->klen == 4 && !memcmp(f->key, "node", 4) && !auoms_node)
      auoms_node = f;
    else if (f->klen == 9 && !memcmp(f->key, "syscall_r", 9) && !auoms_syscall)
      auoms_syscall = f;
    else if (f->klen == 7 && !memcmp(f->key, "cmdline", 7) && !auoms_cmdline)
      auoms_cmdline = f;
    else if (f->klen == 9 && !memcmp(f->key, "path_name", 9) && !auoms_paths)
      auoms_paths = f;
  }
  if (ev->node.len)
    rc |= append_text(r, C_NODE, ev->node.data, ev->node.len);
  else if (auoms_node)
    rc |= append_typed(r, C_NODE, auoms_node);
  else
    rc |= hk_table_builder_append_null(b, C_NODE);
  int64_t ignored;
  if (auoms_syscall &&
      (!found[C_SYSCALL] || !parse_int(r->scratch.data + found[C_SYSCALL]->voff,
                                       found[C_SYSCALL]->vlen, &ignored)))
    found[C_SYSCALL] = auoms_syscall; /* syscall=execve syscall_r=59 */
  if (!any_path && auoms_paths) {
    /* path_name=["/bin/bash","/lib64/ld-linux-x86-64.so.2"] */
    const char *v = r->scratch.data + auoms_paths->voff;
    size_t vl = auoms_paths->vlen;
    for (size_t i = 0; i < vl; i++) {
      if (v[i] != '"')
        continue;
      size_t start = paths.len;
      if (any_path && hk_buf_append_char(&paths, ';') != HK_OK)
        rc = HK_E_NOMEM;
      size_t text0 = paths.len;
      for (i++; i < vl && v[i] != '"'; i++) {
        if (v[i] == '\\' && i + 1 < vl)
          i++;
        hk_buf_append_char(&paths, v[i]);
      }
      if (paths.len == text0)
        paths.len = start; /* empty name */
      else
        any_path = 1;
    }
  }
  for (int c = C_PID; c < N_COLS && rc == HK_OK; c++) {
    if (c == C_CMDLINE)
      rc |= build_cmdline(r, rtypes, rtlens, auoms_cmdline);
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
  return rc == HK_OK ? HK_OK : HK_E_NOMEM;
}

int
auditd_emit_head(auditd_run *r)
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
int
auditd_flush_done(auditd_run *r, int all)
{
  while (r->n_open) {
    open_event *ev = &r->ring[r->head];
    if (!all && !ev->complete &&
        r->record_no - ev->last_record_no < OPEN_WINDOW)
      break;
    if (auditd_emit_head(r) != HK_OK)
      return HK_E_NOMEM;
  }
  return HK_OK;
}
