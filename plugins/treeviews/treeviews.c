/*
 * plugins/treeviews/treeviews.c -- two renderers of any table that has id
 * and parent columns (a process tree from proctree by default):
 *   tree_text  pstree-like text, one process per line, trimmed to the
 *              terminal width;
 *   dot        a Graphviz digraph.
 * Rows whose parent is null or not in the table are roots; children keep
 * table order.  See README.md.
 */
#include <huntkit/huntkit.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const hk_host *tv_host;

typedef struct tv_batch {
  struct ArrowArray array;
  hk_batch_view view;
} tv_batch;

typedef struct tv_row {
  uint32_t batch, row;
  int64_t parent; /* row index or -1 */
} tv_row;

#define TV_MAX_PAIRS 12

typedef struct tv_tree {
  struct ArrowSchema schema;
  tv_batch *batches;
  size_t n_batches;
  tv_row *rows;
  int64_t n_rows;
  int64_t *child_start, *child_list, *roots, n_roots;
  /* columns (-1 when absent); a table mixing event types (Security 4688
   * and Sysmon 1) has several name/pid pairs and command-line columns, each
   * filled on its own rows: the first non-null one is used per row */
  int64_t id, parent, synth;
  int64_t name[TV_MAX_PAIRS], pid[TV_MAX_PAIRS], cmd[TV_MAX_PAIRS];
  size_t n_names, n_cmds;
  int64_t *label; /* label=... columns */
  size_t n_label;
} tv_tree;

/* Process name and pid column pairs, most specific first. */
static const char *const tv_name_pid[][2] = {
    {"NewProcessName", "NewProcessId"},
    {"CreatedProcessName", "CreatedProcessId"},
    {"Image", "ProcessId"},
    {"FileName", "ProcessId"},
    {"ImageFileName", "PID"},
    {"exe", "pid"},
    {"Name", "Pid"},
    {"name", "pid"},
    {"process_name", "process_id"}};
static const char *const tv_cmd_cols[] = {"CommandLine",
                                          "CreatedProcessCommandLine",
                                          "ProcessCommandLine", "cmdline"};

/* ------------------------------------------------------------ reading */

static uint64_t
tv_hash(const char *s, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ULL;
  }
  return h ? h : 1;
}

static const char *
tv_cell(const tv_tree *t, int64_t r, int64_t col, size_t *len, char *tmp,
        size_t cap)
{
  const tv_batch *b = &t->batches[t->rows[r].batch];
  int64_t row = t->rows[r].row;
  *len = 0;
  if (col < 0 || hk_batch_view_is_null(&b->view, col, row))
    return NULL;
  if (hk_batch_view_column_type(&b->view, col) == HK_COL_UTF8)
    return hk_batch_view_utf8(&b->view, col, row, len);
  size_t need = hk_batch_view_format_cell(&b->view, col, row, tmp, cap);
  *len = need < cap ? need : cap - 1;
  return tmp;
}

static void
tv_tree_free(tv_tree *t)
{
  for (size_t i = 0; i < t->n_batches; i++) {
    hk_batch_view_release(&t->batches[i].view);
    hk_array_release(&t->batches[i].array);
  }
  free(t->batches);
  hk_schema_release(&t->schema);
  free(t->rows);
  free(t->child_start);
  free(t->child_list);
  free(t->roots);
  free(t->label);
}

static int64_t
tv_column(const hk_batch_view *v, const char *name)
{
  return name ? hk_batch_view_column_index(v, name) : -1;
}

/* The column named by option `key` (default `def`); a missing column
 * named by the user is an error listing the columns. */
static int
tv_option_column(const hk_config *opt, const hk_batch_view *v, const char *key,
                 const char *def, int64_t *out, hk_error *err)
{
  const char *name = tv_host->config_get_string(opt, key);
  if (!name)
    name = def;
  *out = tv_column(v, name);
  if (*out >= 0)
    return HK_OK;
  hk_buf b = HK_BUF_INIT;
  for (int64_t c = 0; c < v->columns && c < 30; c++)
    hk_buf_appendf(&b, "%s%s", c ? ", " : "", hk_batch_view_column_name(v, c));
  hk_error_set(err, HK_E_NOTFOUND,
               "%s=%s: no such column (columns: %s); build the tree with "
               "proctree first, or name the columns with id= and parent=",
               key, name, b.data ? b.data : "");
  hk_buf_free(&b);
  return HK_E_NOTFOUND;
}

/* Drain the input and link rows to their parents by id text. */
static int
tv_load(tv_tree *t, const hk_config *opt, struct ArrowArrayStream *in,
        hk_error *err)
{
  memset(t, 0, sizeof *t);
  int rc = hk_stream_schema(in, &t->schema, err);
  size_t cap = 0;
  int64_t row_cap = 0;
  while (rc == HK_OK) {
    struct ArrowArray a;
    rc = hk_stream_next(in, &a, err);
    if (rc != HK_OK || !a.release)
      break;
    if (t->n_batches == cap) {
      cap = cap ? cap * 2 : 16;
      tv_batch *p = realloc(t->batches, cap * sizeof *p);
      if (!p) {
        hk_array_release(&a);
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
      }
      t->batches = p;
    }
    tv_batch *b = &t->batches[t->n_batches];
    memset(b, 0, sizeof *b);
    b->array = a;
    b->view.struct_size = sizeof b->view;
    rc = hk_batch_view_init(&b->view, &t->schema, &b->array, err);
    if (rc != HK_OK) {
      hk_array_release(&b->array);
      break;
    }
    t->n_batches++;
    for (int64_t r = 0; r < b->view.rows; r++) {
      if (t->n_rows == row_cap) {
        row_cap = row_cap ? row_cap * 2 : 1024;
        tv_row *p = realloc(t->rows, (size_t)row_cap * sizeof *p);
        if (!p)
          return hk_error_set(err, HK_E_NOMEM, "out of memory");
        t->rows = p;
      }
      t->rows[t->n_rows].batch = (uint32_t)(t->n_batches - 1);
      t->rows[t->n_rows].row = (uint32_t)r;
      t->rows[t->n_rows].parent = -1;
      t->n_rows++;
    }
  }
  if (rc != HK_OK || t->n_batches == 0)
    return rc;
  const hk_batch_view *v = &t->batches[0].view;
  rc = tv_option_column(opt, v, "id", "proc_key", &t->id, err);
  if (rc == HK_OK)
    rc = tv_option_column(opt, v, "parent", "parent_key", &t->parent, err);
  if (rc != HK_OK)
    return rc;
  t->n_names = t->n_cmds = 0;
  for (size_t k = 0; k < sizeof tv_name_pid / sizeof tv_name_pid[0]; k++) {
    int64_t c = tv_column(v, tv_name_pid[k][0]);
    if (c >= 0 && t->n_names < TV_MAX_PAIRS) {
      t->name[t->n_names] = c;
      t->pid[t->n_names++] = tv_column(v, tv_name_pid[k][1]);
    }
  }
  for (size_t k = 0; k < sizeof tv_cmd_cols / sizeof tv_cmd_cols[0]; k++) {
    int64_t c = tv_column(v, tv_cmd_cols[k]);
    if (c >= 0 && t->n_cmds < TV_MAX_PAIRS)
      t->cmd[t->n_cmds++] = c;
  }
  t->synth = tv_column(v, "IsSynthetic");
  const char *const *items;
  size_t n = tv_host->config_get_list(opt, "label", &items);
  if (n) {
    t->label = calloc(n, sizeof *t->label);
    if (!t->label)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    for (size_t k = 0; k < n; k++) {
      t->label[k] = tv_column(v, items[k]);
      if (t->label[k] < 0)
        return hk_error_set(err, HK_E_NOTFOUND,
                            "label: no column '%s' in the input", items[k]);
    }
    t->n_label = n;
  }

  /* id -> row map, open addressing */
  size_t mcap = 16;
  while (mcap < (size_t)t->n_rows * 2)
    mcap *= 2;
  int64_t *slot = malloc(mcap * sizeof *slot);
  uint64_t *hash = malloc(mcap * sizeof *hash);
  t->child_start = calloc((size_t)t->n_rows + 2, sizeof *t->child_start);
  t->child_list = malloc(((size_t)t->n_rows + 1) * sizeof *t->child_list);
  t->roots = malloc(((size_t)t->n_rows + 1) * sizeof *t->roots);
  if (!slot || !hash || !t->child_start || !t->child_list || !t->roots) {
    free(slot);
    free(hash);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < mcap; i++)
    slot[i] = -1;
  char tmp[128], tmp2[128];
  size_t len, len2;
  for (int64_t r = 0; r < t->n_rows; r++) {
    const char *id = tv_cell(t, r, t->id, &len, tmp, sizeof tmp);
    if (!id)
      continue;
    uint64_t h = tv_hash(id, len);
    size_t j = h & (mcap - 1);
    int dup = 0;
    while (slot[j] >= 0 && !dup) {
      const char *o = tv_cell(t, slot[j], t->id, &len2, tmp2, sizeof tmp2);
      dup = hash[j] == h && len2 == len && memcmp(o, id, len) == 0;
      j = (j + 1) & (mcap - 1);
    }
    if (dup)
      continue; /* first row with an id wins */
    slot[j] = r;
    hash[j] = h;
  }
  for (int64_t r = 0; r < t->n_rows; r++) {
    const char *p = tv_cell(t, r, t->parent, &len, tmp, sizeof tmp);
    if (!p)
      continue;
    uint64_t h = tv_hash(p, len);
    for (size_t j = h & (mcap - 1); slot[j] >= 0; j = (j + 1) & (mcap - 1)) {
      const char *o = tv_cell(t, slot[j], t->id, &len2, tmp2, sizeof tmp2);
      if (hash[j] == h && len2 == len && memcmp(o, p, len) == 0) {
        if (slot[j] != r)
          t->rows[r].parent = slot[j];
        break;
      }
    }
  }
  free(slot);
  free(hash);
  /* children in table order (CSR) */
  for (int64_t r = 0; r < t->n_rows; r++)
    if (t->rows[r].parent >= 0)
      t->child_start[t->rows[r].parent + 1]++;
  for (int64_t r = 0; r < t->n_rows; r++)
    t->child_start[r + 1] += t->child_start[r];
  int64_t *fill = calloc((size_t)t->n_rows + 1, sizeof *fill);
  if (!fill)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  for (int64_t r = 0; r < t->n_rows; r++) {
    int64_t p = t->rows[r].parent;
    if (p >= 0)
      t->child_list[t->child_start[p] + fill[p]++] = r;
    else
      t->roots[t->n_roots++] = r;
  }
  free(fill);
  return HK_OK;
}

/* ------------------------------------------------------------ output */

typedef struct tv_out {
  const hk_sink *sink;
  hk_buf buf;
  int rc; /* first write error */
} tv_out;

static void
tv_flush(tv_out *o, int force)
{
  if (o->rc == HK_OK && o->buf.len && (force || o->buf.len >= 65536))
    o->rc = o->sink->write(o->sink->ud, o->buf.data, o->buf.len);
  if (force || o->buf.len >= 65536)
    hk_buf_reset(&o->buf);
}

/* Cell text with control characters (newlines inside command lines) as
 * spaces, so that only tv_label's own separators break label lines. */
static void
tv_append_clean(hk_buf *b, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    hk_buf_append_char(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
  }
}

/* The default label: "name [pid] cmdline", the file name only. */
static void
tv_label(const tv_tree *t, int64_t r, hk_buf *b, int for_dot)
{
  char tmp[256];
  size_t len;
  const char *s;
  if (t->n_label) {
    for (size_t k = 0; k < t->n_label; k++) {
      s = tv_cell(t, r, t->label[k], &len, tmp, sizeof tmp);
      if (k)
        hk_buf_append_char(b, for_dot ? '\n' : ' ');
      tv_append_clean(b, s ? s : "", len);
    }
    return;
  }
  /* the first name column this row fills, and its pid */
  size_t pair = 0;
  s = NULL;
  for (; pair < t->n_names && !s; pair++)
    s = tv_cell(t, r, t->name[pair], &len, tmp, sizeof tmp);
  int64_t pid_col = s ? t->pid[pair - 1] : -1;
  if (!s) {
    s = tv_cell(t, r, t->id, &len, tmp, sizeof tmp);
    tv_append_clean(b, s ? s : "?", s ? len : 1);
  } else {
    size_t i = len;
    while (i > 0 && s[i - 1] != '\\' && s[i - 1] != '/')
      i--;
    tv_append_clean(b, s + i, len - i);
  }
  s = tv_cell(t, r, pid_col, &len, tmp, sizeof tmp);
  if (s) {
    hk_buf_append_str(b, for_dot ? "\n" : " [");
    tv_append_clean(b, s, len);
    if (!for_dot)
      hk_buf_append_char(b, ']');
  }
  if (t->synth >= 0) {
    const tv_batch *tb = &t->batches[t->rows[r].batch];
    if (hk_batch_view_column_type(&tb->view, t->synth) == HK_COL_BOOL &&
        !hk_batch_view_is_null(&tb->view, t->synth, t->rows[r].row) &&
        hk_batch_view_bool(&tb->view, t->synth, t->rows[r].row))
      hk_buf_append_str(b, " (inferred)");
  }
  s = NULL;
  for (size_t k = 0; k < t->n_cmds && !s; k++)
    s = tv_cell(t, r, t->cmd[k], &len, tmp, sizeof tmp);
  if (s && len) {
    hk_buf_append_str(b, for_dot ? "\n" : "  ");
    tv_append_clean(b, s, len);
  }
}

/* Append `s` with control characters (newlines inside command lines)
 * shown as spaces, cut to `max` code points with "..." (0: no limit). */
static void
tv_append_fitted(hk_buf *b, const char *s, size_t n, size_t max)
{
  size_t cps = 0, i = 0;
  for (size_t k = 0; k < n; k++)
    cps += ((unsigned char)s[k] & 0xC0) != 0x80;
  size_t keep = max && cps > max ? (max > 3 ? max - 3 : 0) : cps;
  for (size_t cp = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c & 0xC0) != 0x80 && cp++ == keep)
      break;
    hk_buf_append_char(b, c < 0x20 || c == 0x7f ? ' ' : (char)c);
  }
  if (keep < cps)
    hk_buf_append(b, "...", max < 3 ? max : 3);
}

static size_t
tv_width(const hk_config *opt, const hk_sink *sink)
{
  int64_t w = 0;
  if (tv_host->config_get_int(opt, "width", &w) == HK_OK && w > 0)
    return (size_t)w;
  if (w == 0 && sink->is_tty && sink->width > 0)
    return (size_t)sink->width;
  return 0;
}

/* pstree-style lines; `last` holds, per depth, whether that ancestor was
 * the last child (no more "|" below it). */
static void
tv_text_walk(const tv_tree *t, tv_out *o, size_t width, char *visited)
{
  int64_t *stack = malloc(((size_t)t->n_rows + 1) * 2 * sizeof *stack);
  char *last = malloc((size_t)t->n_rows + 2);
  hk_buf line = HK_BUF_INIT, label = HK_BUF_INIT;
  if (!stack || !last) {
    free(stack);
    free(last);
    o->rc = HK_E_NOMEM;
    return;
  }
  for (int64_t ri = 0; ri <= t->n_rows && o->rc == HK_OK; ri++) {
    /* roots first, then rows only reachable through a cycle */
    int64_t root = ri < t->n_roots ? t->roots[ri] : -1;
    if (ri >= t->n_roots) {
      for (int64_t r = 0; r < t->n_rows && root < 0; r++)
        if (!visited[r])
          root = r;
      if (root < 0)
        break;
    }
    if (visited[root])
      continue;
    int64_t sp = 0;
    stack[sp++] = root;
    stack[sp++] = 0; /* depth, with the "last child" bit in bit 62 */
    while (sp > 0 && o->rc == HK_OK) {
      int64_t d = stack[--sp], r = stack[--sp];
      int is_last = (d >> 62) & 1;
      d &= ~((int64_t)1 << 62);
      if (visited[r])
        continue;
      visited[r] = 1;
      last[d] = (char)is_last;
      hk_buf_reset(&line);
      for (int64_t k = 1; k < d; k++)
        hk_buf_append_str(&line, last[k] ? "    " : "|   ");
      if (d > 0)
        hk_buf_append_str(&line, is_last ? "`-- " : "|-- ");
      hk_buf_reset(&label);
      tv_label(t, r, &label, 0);
      hk_buf_append(&line, label.data ? label.data : "", label.len);
      tv_append_fitted(&o->buf, line.data, line.len, width);
      hk_buf_append_char(&o->buf, '\n');
      tv_flush(o, 0);
      int64_t first = t->child_start[r], end = t->child_start[r + 1];
      for (int64_t c = end; c > first; c--) {
        stack[sp++] = t->child_list[c - 1];
        stack[sp++] = (d + 1) | ((int64_t)(c == end) << 62);
      }
    }
  }
  hk_buf_free(&line);
  hk_buf_free(&label);
  free(stack);
  free(last);
}

static int
tv_render_text(void *state, const hk_config *options,
               struct ArrowArrayStream *input, const hk_sink *sink,
               hk_error *err)
{
  (void)state;
  tv_tree t;
  int rc = tv_load(&t, options, input, err);
  hk_stream_release(input);
  if (rc != HK_OK) {
    tv_tree_free(&t);
    return rc;
  }
  tv_out o = {sink, HK_BUF_INIT, HK_OK};
  char *visited = calloc((size_t)t.n_rows + 1, 1);
  if (!visited) {
    tv_tree_free(&t);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  tv_text_walk(&t, &o, tv_width(options, sink), visited);
  tv_flush(&o, 1);
  free(visited);
  hk_buf_free(&o.buf);
  tv_tree_free(&t);
  if (o.rc == HK_E_IO)
    return HK_OK; /* the reader went away (| head) */
  if (o.rc != HK_OK)
    return hk_error_set(err, o.rc, "tree_text: writing the output failed");
  return HK_OK;
}

/* DOT double-quoted string body: quotes and backslashes escaped (Windows
 * paths!), newlines as \n, other control characters as spaces. */
static void
tv_dot_escape(hk_buf *b, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\') {
      hk_buf_append_char(b, '\\');
      hk_buf_append_char(b, (char)c);
    } else if (c == '\n') {
      hk_buf_append_str(b, "\\n");
    } else if (c < 0x20 || c == 0x7f) {
      hk_buf_append_char(b, ' ');
    } else {
      hk_buf_append_char(b, (char)c);
    }
  }
}

static int
tv_render_dot(void *state, const hk_config *options,
              struct ArrowArrayStream *input, const hk_sink *sink,
              hk_error *err)
{
  (void)state;
  tv_tree t;
  int rc = tv_load(&t, options, input, err);
  hk_stream_release(input);
  if (rc != HK_OK) {
    tv_tree_free(&t);
    return rc;
  }
  int64_t max_label = 60;
  if (tv_host->config_get_int(options, "max_label", &max_label) != HK_OK)
    max_label = 60;
  const char *rankdir = tv_host->config_get_string(options, "rankdir");
  tv_out o = {sink, HK_BUF_INIT, HK_OK};
  hk_buf label = HK_BUF_INIT, line = HK_BUF_INIT;
  hk_buf_appendf(&o.buf,
                 "digraph proctree {\n  rankdir=%s;\n  node [shape=box, "
                 "fontname=\"Helvetica\", fontsize=10];\n",
                 rankdir ? rankdir : "LR");
  for (int64_t r = 0; r < t.n_rows && o.rc == HK_OK; r++) {
    hk_buf_reset(&label);
    tv_label(&t, r, &label, 1);
    /* each label line is cut on its own */
    hk_buf_reset(&line);
    const char *s = label.data ? label.data : "";
    size_t n = label.len;
    while (n > 0 || s == label.data) {
      const char *nl = memchr(s, '\n', n);
      size_t part = nl ? (size_t)(nl - s) : n;
      tv_append_fitted(&line, s, part, (size_t)(max_label > 0 ? max_label : 0));
      if (!nl)
        break;
      hk_buf_append_char(&line, '\n');
      s = nl + 1;
      n -= part + 1;
    }
    hk_buf_appendf(&o.buf, "  n%lld [label=\"", (long long)r);
    tv_dot_escape(&o.buf, line.data ? line.data : "", line.len);
    hk_buf_append_str(&o.buf, "\"");
    if (t.synth >= 0) {
      const tv_batch *b = &t.batches[t.rows[r].batch];
      if (hk_batch_view_column_type(&b->view, t.synth) == HK_COL_BOOL &&
          !hk_batch_view_is_null(&b->view, t.synth, t.rows[r].row) &&
          hk_batch_view_bool(&b->view, t.synth, t.rows[r].row))
        hk_buf_append_str(&o.buf, ", style=dashed");
    }
    hk_buf_append_str(&o.buf, "];\n");
    if (t.rows[r].parent >= 0)
      hk_buf_appendf(&o.buf, "  n%lld -> n%lld;\n", (long long)t.rows[r].parent,
                     (long long)r);
    tv_flush(&o, 0);
  }
  hk_buf_append_str(&o.buf, "}\n");
  tv_flush(&o, 1);
  hk_buf_free(&o.buf);
  hk_buf_free(&label);
  hk_buf_free(&line);
  tv_tree_free(&t);
  if (o.rc == HK_E_IO)
    return HK_OK;
  if (o.rc != HK_OK)
    return hk_error_set(err, o.rc, "dot: writing the output failed");
  return HK_OK;
}

/* ------------------------------------------------------------ plugin */

#define TV_COMMON_OPTIONS                                                      \
  {"id", HK_PT_STRING, 0, "proc_key", NULL, "column with each row's id"},      \
      {"parent", HK_PT_STRING,                                                 \
       0,        "parent_key",                                                 \
       NULL,     "column with the parent's id (null for roots)"},              \
  {                                                                            \
    "label", HK_PT_LIST, 0, NULL, NULL,                                        \
        "columns to show per node (default: name [pid] command line)"          \
  }

static const hk_param tv_text_options[] = {
    TV_COMMON_OPTIONS,
    {"width", HK_PT_INT, 0, "0", NULL,
     "cut lines to this many characters; 0: the terminal width when "
     "writing to a terminal, else no limit"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param tv_dot_options[] = {
    TV_COMMON_OPTIONS,
    {"rankdir", HK_PT_STRING, 0, "LR", "LR|TB|RL|BT",
     "Graphviz layout direction"},
    {"max_label", HK_PT_INT, 0, "60", NULL,
     "cut each label line to this many characters (0: no limit)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_renderer_vt tv_text_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = tv_text_options,
    .media_type = "text/plain",
    .render = tv_render_text,
};

static const hk_renderer_vt tv_dot_vt = {
    .struct_size = sizeof(hk_renderer_vt),
    .options = tv_dot_options,
    .media_type = "text/vnd.graphviz",
    .render = tv_render_dot,
};

static const hk_plugin_desc tv_text_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "tree_text",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .summary = "show a tree (id/parent columns) as pstree-like text",
    .vtable = &tv_text_vt,
};

static const hk_plugin_desc tv_dot_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "dot",
    .version = "0.1.0",
    .kind = HK_KIND_RENDERER,
    .summary = "write a tree (id/parent columns) as a Graphviz digraph",
    .vtable = &tv_dot_vt,
};

static const hk_plugin_desc *const tv_descs[] = {&tv_text_desc, &tv_dot_desc,
                                                 NULL};

static const hk_plugin_desc *const *
tv_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "treeviews: host ABI major differs");
    return NULL;
  }
  tv_host = host;
  return tv_descs;
}

HK_PLUGIN_DEFINE(treeviews, tv_entry)
