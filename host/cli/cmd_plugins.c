/*
 * host/cli/cmd_plugins.c -- `huntkit plugins list|inspect|check`.
 *
 * Tables go through the renderers like every other result; only when the
 * renderer itself cannot be loaded do we fall back to tab-separated text,
 * because this is the command an operator runs to find out why.
 */
#define _GNU_SOURCE
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* ------------------------------------------------------- small tables */

/* Rows of text cells (NULL = null) kept so that a table can be rendered
 * or, failing that, printed as TSV. */
typedef struct text_table {
  const char *const *columns;
  size_t n_cols;
  char **cells; /* row-major, owned */
  size_t n_rows, cap_rows;
} text_table;

static int
tt_add_row(text_table *t, const char *const *values)
{
  if (t->n_rows == t->cap_rows) {
    size_t cap = t->cap_rows ? t->cap_rows * 2 : 16;
    char **nc = realloc(t->cells, cap * t->n_cols * sizeof *nc);
    if (!nc)
      return HK_E_NOMEM;
    t->cells = nc;
    t->cap_rows = cap;
  }
  for (size_t c = 0; c < t->n_cols; c++) {
    char **cell = &t->cells[t->n_rows * t->n_cols + c];
    *cell = values[c] ? strdup(values[c]) : NULL;
    if (values[c] && !*cell)
      return HK_E_NOMEM;
  }
  t->n_rows++;
  return HK_OK;
}

static void
tt_free(text_table *t)
{
  for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
    free(t->cells[i]);
  free(t->cells);
}

static int
tt_to_stream(const text_table *t, struct ArrowArrayStream *out, hk_error *err)
{
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowSchema schema;
  struct ArrowArray batch;
  int rc = HK_OK;

  if (!b)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  for (size_t c = 0; c < t->n_cols && rc >= 0; c++)
    rc = hk_table_builder_add_column(b, t->columns[c], HK_COL_UTF8);
  for (size_t r = 0; r < t->n_rows && rc >= 0; r++)
    for (size_t c = 0; c < t->n_cols && rc >= 0; c++) {
      const char *v = t->cells[r * t->n_cols + c];
      rc = v ? hk_table_builder_append_utf8(b, c, v, strlen(v))
             : hk_table_builder_append_null(b, c);
    }
  if (rc < 0) {
    hk_table_builder_free(b);
    return hk_error_set(err, rc, "cannot build the table");
  }
  rc = hk_table_builder_export_schema(b, &schema, err);
  if (rc == HK_OK) {
    rc = hk_table_builder_finish_batch(b, &batch, err);
    if (rc == HK_OK)
      rc = hk_stream_init_batches(out, &schema, &batch, 1, err);
    else
      hk_schema_release(&schema);
  }
  hk_table_builder_free(b);
  return rc;
}

static void
tt_print_tsv(const text_table *t, const hk_sink *sink)
{
  hk_buf b = HK_BUF_INIT;
  for (size_t c = 0; c < t->n_cols; c++)
    hk_buf_appendf(&b, "%s%s", c ? "\t" : "", t->columns[c]);
  hk_buf_append_char(&b, '\n');
  for (size_t r = 0; r < t->n_rows; r++) {
    for (size_t c = 0; c < t->n_cols; c++) {
      const char *v = t->cells[r * t->n_cols + c];
      hk_buf_appendf(&b, "%s%s", c ? "\t" : "", v ? v : "");
    }
    hk_buf_append_char(&b, '\n');
  }
  if (b.len)
    sink->write(sink->ud, b.data, b.len);
  hk_buf_free(&b);
}

/* Render `t` on `out` with `renderer`; when the renderer cannot be found,
 * say so and print TSV instead.  Returns an hk_status. */
static int
tt_render(hk_cli *cli, const text_table *t, const char *renderer,
          hk_cli_out *out, hk_error *err)
{
  struct ArrowArrayStream s;
  int rc;
  if (!hk_registry_find(cli->registry, renderer, err)) {
    if (cli->output)
      return err->code ? err->code : HK_E_NOTFOUND;
    hk_cli_error(0, "cannot show a table (%s); plain text follows", err->msg);
    hk_error_clear(err);
    tt_print_tsv(t, &out->sink);
    return HK_OK;
  }
  if ((rc = tt_to_stream(t, &s, err)) != HK_OK)
    return rc;
  return hk_render_stream(cli->registry, renderer, &s, &out->sink, err);
}

static void out_text(hk_cli_out *out, const char *fmt, ...) HK_PRINTF(2, 3);

static void
out_text(hk_cli_out *out, const char *fmt, ...)
{
  char *s = NULL;
  va_list ap;
  int n;
  va_start(ap, fmt);
  n = vasprintf(&s, fmt, ap);
  va_end(ap);
  if (n > 0)
    out->sink.write(out->sink.ud, s, (size_t)n);
  free(s);
}

/* Flush and turn the outcome into an exit code. */
static int
out_finish(hk_cli_out *out, int rc, const hk_error *err)
{
  if (!out->closed && !out->io_error)
    hk_cli_out_flush(out);
  if (out->closed)
    return HK_EXIT_OK;
  if (out->io_error)
    return hk_cli_error(HK_EXIT_FAIL, "cannot write to standard output: %s",
                        strerror(out->saved_errno));
  if (rc != HK_OK)
    return hk_cli_error(err->flags & HK_EF_USER || err->code == HK_E_NOTFOUND
                            ? HK_EXIT_USAGE
                            : HK_EXIT_FAIL,
                        "%s", err->msg);
  return HK_EXIT_OK;
}

/* ----------------------------------------------------------------- list */

typedef struct list_row {
  const char *v[7]; /* name kind version abi status reason path */
  char abi[16];
  int refused;
} list_row;

static int
list_row_cmp(const void *a, const void *b)
{
  const list_row *x = a, *y = b;
  int c;
  if (x->refused != y->refused)
    return x->refused - y->refused;
  c = strcmp(x->v[0] ? x->v[0] : "", y->v[0] ? y->v[0] : "");
  return c ? c : strcmp(x->v[6] ? x->v[6] : "", y->v[6] ? y->v[6] : "");
}

static int
plugins_list(hk_cli *cli)
{
  static const char *const columns[] = {"name",   "kind",   "version", "abi",
                                        "status", "reason", "path"};
  text_table t = {columns, 7, NULL, 0, 0};
  size_t np, nr;
  list_row *rows;
  hk_cli_out *out;
  hk_error err;
  int rc = HK_OK;

  hk_registry_load_all(cli->registry);
  np = hk_registry_plugin_count(cli->registry);
  nr = hk_registry_refusal_count(cli->registry);
  rows = calloc(np + nr + 1, sizeof *rows);
  out = malloc(sizeof *out);
  if (!rows || !out) {
    free(rows);
    free(out);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  for (size_t i = 0; i < np; i++) {
    const hk_plugin *p = hk_registry_plugin_at(cli->registry, i);
    list_row *r = &rows[i];
    snprintf(r->abi, sizeof r->abi, "%u.%u", (unsigned)p->desc->abi_major,
             (unsigned)p->desc->abi_minor);
    r->v[0] = p->desc->name;
    r->v[1] = hk_kind_name(p->desc->kind);
    r->v[2] = p->desc->version;
    r->v[3] = r->abi;
    r->v[4] = "loaded";
    r->v[5] = NULL;
    r->v[6] = p->module ? p->module->path : NULL;
  }
  for (size_t i = 0; i < nr; i++) {
    const hk_refusal *f = hk_registry_refusal_at(cli->registry, i);
    list_row *r = &rows[np + i];
    r->refused = 1;
    r->v[0] = f->name;
    r->v[4] = "refused";
    r->v[5] = f->reason;
    r->v[6] = f->path;
  }
  qsort(rows, np + nr, sizeof *rows, list_row_cmp);
  for (size_t i = 0; i < np + nr && rc == HK_OK; i++)
    rc = tt_add_row(&t, rows[i].v);
  hk_cli_out_init(out);
  hk_error_clear(&err);
  if (rc != HK_OK)
    hk_error_set(&err, rc, "out of memory");
  else
    rc = tt_render(cli, &t, cli->output ? cli->output : "table", out, &err);
  rc = out_finish(out, rc, &err);
  tt_free(&t);
  free(rows);
  free(out);
  return rc;
}

/* -------------------------------------------------------------- inspect */

static const char *
param_type_name(uint32_t type)
{
  switch (type) {
  case HK_PT_STRING:
    return "string";
  case HK_PT_INT:
    return "int";
  case HK_PT_FLOAT:
    return "float";
  case HK_PT_BOOL:
    return "bool";
  case HK_PT_DURATION:
    return "duration";
  case HK_PT_LIST:
    return "list";
  case HK_PT_PATH:
    return "path";
  default:
    return "unknown";
  }
}

static void
param_flags(const hk_param *p, char *buf, size_t cap)
{
  snprintf(buf, cap, "%s%s%s%s%s", p->flags & HK_P_REQUIRED ? "required" : "",
           (p->flags & HK_P_REQUIRED) && (p->flags & (HK_P_SECRET | HK_P_REST))
               ? ", "
               : "",
           p->flags & HK_P_SECRET ? "secret" : "",
           (p->flags & HK_P_SECRET) && (p->flags & HK_P_REST) ? ", " : "",
           p->flags & HK_P_REST ? "text after the name" : "");
}

static void
plugin_flags(uint32_t flags, char *buf, size_t cap)
{
  static const struct {
    uint32_t bit;
    const char *name;
  } names[] = {{HK_PF_STREAMING, "streaming"},
               {HK_PF_NETWORK, "network"},
               {HK_PF_SECRETS, "secrets"},
               {HK_PF_THREADSAFE, "thread-safe"},
               {HK_PF_TI, "threat-intel"}};
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (flags & names[i].bit) {
      int n = snprintf(buf + used, cap - used, "%s%s", used ? ", " : "",
                       names[i].name);
      if (n > 0 && (size_t)n < cap - used)
        used += (size_t)n;
    }
  if (!used)
    snprintf(buf, cap, "none");
}

static int
params_table(text_table *t, const hk_param *schema)
{
  for (const hk_param *p = schema; p && p->name; p++) {
    char flags[64];
    const char *row[6];
    param_flags(p, flags, sizeof flags);
    row[0] = p->name;
    row[1] = param_type_name(p->type);
    row[2] = p->flags & HK_P_SECRET ? (p->default_value ? "***" : NULL)
                                    : p->default_value;
    row[3] = p->choices;
    row[4] = flags[0] ? flags : NULL;
    row[5] = p->help;
    if (tt_add_row(t, row) != HK_OK)
      return HK_E_NOMEM;
  }
  return HK_OK;
}

static const hk_param enrich_host_params[] = {
    {HK_ENRICH_COLUMN_OPTION, HK_PT_STRING, HK_P_REQUIRED, NULL, NULL,
     "column whose values are looked up (added by the host)"},
    {HK_ENRICH_PREFIX_OPTION, HK_PT_STRING, 0, NULL, NULL,
     "prefix of the added columns, default NAME_ (added by the host)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param *
vt_options(const hk_plugin_desc *d)
{
  const struct {
    HK_VT_HEADER;
  } *vt = d->vtable;
  return vt ? vt->options : NULL;
}

static int
inspect_section(hk_cli *cli, hk_cli_out *out, const char *title,
                const hk_param *a, const hk_param *b, hk_error *err)
{
  static const char *const columns[] = {"name",    "type",  "default",
                                        "choices", "flags", "help"};
  text_table t = {columns, 6, NULL, 0, 0};
  int rc;
  out_text(out, "\n%s:\n", title);
  if ((!a || !a->name) && (!b || !b->name)) {
    out_text(out, "  none\n");
    return HK_OK;
  }
  rc = params_table(&t, a);
  if (rc == HK_OK)
    rc = params_table(&t, b);
  if (rc == HK_OK)
    rc = tt_render(cli, &t, "table", out, err);
  else
    hk_error_set(err, rc, "out of memory");
  tt_free(&t);
  return rc;
}

static json_object *
params_json(const hk_param *a, const hk_param *b)
{
  json_object *arr = json_object_new_array();
  const hk_param *schemas[2] = {a, b};
  for (int s = 0; s < 2; s++)
    for (const hk_param *p = schemas[s]; p && p->name; p++) {
      json_object *o = json_object_new_object();
      const char *def = p->flags & HK_P_SECRET
                            ? (p->default_value ? "***" : NULL)
                            : p->default_value;
      json_object_object_add(o, "name", json_object_new_string(p->name));
      json_object_object_add(o, "type",
                             json_object_new_string(param_type_name(p->type)));
      json_object_object_add(o, "default",
                             def ? json_object_new_string(def) : NULL);
      json_object_object_add(
          o, "choices", p->choices ? json_object_new_string(p->choices) : NULL);
      json_object_object_add(
          o, "required", json_object_new_boolean(!!(p->flags & HK_P_REQUIRED)));
      json_object_object_add(
          o, "secret", json_object_new_boolean(!!(p->flags & HK_P_SECRET)));
      json_object_object_add(o, "rest",
                             json_object_new_boolean(!!(p->flags & HK_P_REST)));
      json_object_object_add(o, "help",
                             p->help ? json_object_new_string(p->help) : NULL);
      json_object_array_add(arr, o);
    }
  return arr;
}

static int
inspect_json(const hk_plugin *p, hk_cli_out *out)
{
  const hk_plugin_desc *d = p->desc;
  json_object *o = json_object_new_object(), *a;
  char abi[16];
  const char *text;

  snprintf(abi, sizeof abi, "%u.%u", (unsigned)d->abi_major,
           (unsigned)d->abi_minor);
  json_object_object_add(o, "name", json_object_new_string(d->name));
  json_object_object_add(o, "kind",
                         json_object_new_string(hk_kind_name(d->kind)));
  json_object_object_add(o, "version",
                         json_object_new_string(d->version ? d->version : ""));
  json_object_object_add(o, "abi", json_object_new_string(abi));
  json_object_object_add(o, "summary",
                         json_object_new_string(d->summary ? d->summary : ""));
  json_object_object_add(
      o, "path", p->module ? json_object_new_string(p->module->path) : NULL);
  a = json_object_new_array();
  if (d->flags & HK_PF_STREAMING)
    json_object_array_add(a, json_object_new_string("streaming"));
  if (d->flags & HK_PF_NETWORK)
    json_object_array_add(a, json_object_new_string("network"));
  if (d->flags & HK_PF_SECRETS)
    json_object_array_add(a, json_object_new_string("secrets"));
  if (d->flags & HK_PF_THREADSAFE)
    json_object_array_add(a, json_object_new_string("thread-safe"));
  if (d->flags & HK_PF_TI)
    json_object_array_add(a, json_object_new_string("threat-intel"));
  json_object_object_add(o, "flags", a);
  if (d->entity_types) {
    a = json_object_new_array();
    for (const char *const *t = d->entity_types; *t; t++)
      json_object_array_add(a, json_object_new_string(*t));
    json_object_object_add(o, "entity_types", a);
  } else {
    json_object_object_add(o, "entity_types", NULL);
  }
  json_object_object_add(
      o, "options",
      params_json(d->kind == HK_KIND_ENRICHER ? enrich_host_params : NULL,
                  vt_options(d)));
  json_object_object_add(o, "config", params_json(d->params, NULL));
  if (d->kind == HK_KIND_ENRICHER) {
    const hk_enricher_vt *vt = d->vtable;
    a = json_object_new_array();
    for (const hk_field_desc *f = vt->fields; f && f->name; f++) {
      json_object *fo = json_object_new_object();
      json_object_object_add(fo, "name", json_object_new_string(f->name));
      json_object_object_add(
          fo, "type",
          json_object_new_string(hk_column_type_name((int)f->type)));
      json_object_object_add(fo, "help",
                             f->help ? json_object_new_string(f->help) : NULL);
      json_object_array_add(a, fo);
    }
    json_object_object_add(o, "fields", a);
  }
  if (d->kind == HK_KIND_RENDERER) {
    const hk_renderer_vt *vt = d->vtable;
    json_object_object_add(
        o, "media_type",
        vt->media_type ? json_object_new_string(vt->media_type) : NULL);
  }
  text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                               JSON_C_TO_STRING_SPACED |
                                               JSON_C_TO_STRING_NOSLASHESCAPE);
  out_text(out, "%s\n", text);
  json_object_put(o);
  return HK_OK;
}

static int
inspect_text(hk_cli *cli, const hk_plugin *p, hk_cli_out *out, hk_error *err)
{
  const hk_plugin_desc *d = p->desc;
  char flags[128];
  int rc;

  plugin_flags(d->flags, flags, sizeof flags);
  out_text(out, "%s %s (%s)\n", d->name, d->version ? d->version : "",
           hk_kind_name(d->kind));
  out_text(out, "  %s\n\n", d->summary ? d->summary : "");
  out_text(out, "  file:          %s\n",
           p->module ? p->module->path : "(built in)");
  out_text(out, "  ABI:           %u.%u\n", (unsigned)d->abi_major,
           (unsigned)d->abi_minor);
  out_text(out, "  flags:         %s\n", flags);
  out_text(out, "  entity types:  ");
  if (d->entity_types && d->entity_types[0]) {
    for (const char *const *t = d->entity_types; *t; t++)
      out_text(out, "%s%s", t == d->entity_types ? "" : ", ", *t);
    out_text(out, "\n");
  } else {
    out_text(out, "-\n");
  }
  if (d->kind == HK_KIND_RENDERER) {
    const hk_renderer_vt *vt = d->vtable;
    out_text(out, "  media type:    %s\n",
             vt->media_type ? vt->media_type : "-");
  }
  rc = inspect_section(cli, out, "Run options (key=value in a pipeline stage)",
                       d->kind == HK_KIND_ENRICHER ? enrich_host_params : NULL,
                       vt_options(d), err);
  if (rc == HK_OK)
    rc = inspect_section(cli, out,
                         "Instance config (the config: mapping of a conf.d "
                         "file)",
                         d->params, NULL, err);
  if (rc == HK_OK && d->kind == HK_KIND_ENRICHER) {
    static const char *const columns[] = {"column", "type", "help"};
    const hk_enricher_vt *vt = d->vtable;
    text_table t = {columns, 3, NULL, 0, 0};
    out_text(out, "\nColumns added (PREFIX + name):\n");
    for (const hk_field_desc *f = vt->fields; f && f->name && rc == HK_OK;
         f++) {
      const char *row[3] = {f->name, hk_column_type_name((int)f->type),
                            f->help};
      rc = tt_add_row(&t, row);
    }
    if (rc == HK_OK && t.n_rows)
      rc = tt_render(cli, &t, "table", out, err);
    else if (rc == HK_OK)
      out_text(out, "  none\n");
    else
      hk_error_set(err, rc, "out of memory");
    tt_free(&t);
  }
  return rc;
}

static int
plugins_inspect(hk_cli *cli, const char *name)
{
  const hk_plugin *p;
  hk_cli_out *out;
  hk_error err;
  int rc;

  if (cli->output && strcmp(cli->output, "json") != 0 &&
      strcmp(cli->output, "table") != 0)
    return hk_cli_usage_error("plugins inspect",
                              "-o %s: inspect shows text or json", cli->output);
  hk_error_clear(&err);
  p = hk_registry_find(cli->registry, name, &err);
  if (!p)
    return hk_cli_error(HK_EXIT_USAGE, "%s", err.msg);
  out = malloc(sizeof *out);
  if (!out)
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  hk_cli_out_init(out);
  if (cli->output && strcmp(cli->output, "json") == 0)
    rc = inspect_json(p, out);
  else
    rc = inspect_text(cli, p, out, &err);
  rc = out_finish(out, rc, &err);
  free(out);
  return rc;
}

/* ---------------------------------------------------------------- check */

/* Tabs and newlines would break the child's line protocol. */
static void
put_field(hk_buf *b, const char *s)
{
  for (; s && *s; s++)
    hk_buf_append_char(b, *s == '\t' || *s == '\n' || *s == '\r' ? ' ' : *s);
}

static void
check_child(int fd, const char *abs_path)
{
  hk_settings none;
  hk_registry *r;
  hk_error err;
  hk_buf b = HK_BUF_INIT;
  const char *p;
  size_t left;

  memset(&none, 0, sizeof none);
  none.log_level = -1;
  r = hk_registry_new(&none);
  if (!r)
    _exit(3);
  hk_error_clear(&err);
  hk_registry_load_path(r, abs_path, &err);
  for (size_t i = 0; i < hk_registry_plugin_count(r); i++) {
    const hk_plugin *pl = hk_registry_plugin_at(r, i);
    hk_buf_append_str(&b, "ok\t");
    put_field(&b, pl->desc->name);
    hk_buf_append_char(&b, '\t');
    put_field(&b, hk_kind_name(pl->desc->kind));
    hk_buf_append_char(&b, '\t');
    put_field(&b, pl->desc->version);
    hk_buf_append_char(&b, '\n');
  }
  for (size_t i = 0; i < hk_registry_refusal_count(r); i++) {
    hk_buf_append_str(&b, "refused\t");
    put_field(&b, hk_registry_refusal_at(r, i)->reason);
    hk_buf_append_char(&b, '\n');
  }
  if (hk_registry_plugin_count(r) == 0 && hk_registry_refusal_count(r) == 0) {
    hk_buf_append_str(&b, "refused\t");
    put_field(&b, err.msg[0] ? err.msg : "no plugin in the file");
    hk_buf_append_char(&b, '\n');
  }
  for (p = b.data, left = b.len; left > 0;) {
    ssize_t w = write(fd, p, left);
    if (w < 0 && errno == EINTR)
      continue;
    if (w <= 0)
      break;
    p += w;
    left -= (size_t)w;
  }
  hk_buf_free(&b);
  hk_registry_free(r);
  close(fd);
  _exit(0);
}

static int
plugins_check(hk_cli *cli, const char *path)
{
  char *abs_path = NULL, cwd[PATH_MAX];
  int fds[2], status = 0, refused = 0, any = 0;
  hk_buf got = HK_BUF_INIT;
  char chunk[4096];
  pid_t pid;

  (void)cli;
  if (path[0] == '/')
    abs_path = strdup(path);
  else if (getcwd(cwd, sizeof cwd) &&
           asprintf(&abs_path, "%s/%s", cwd, path) < 0)
    abs_path = NULL;
  if (!abs_path)
    return hk_cli_error(HK_EXIT_FAIL, "cannot make '%s' absolute: %s", path,
                        strerror(errno));
  if (pipe(fds) < 0) {
    free(abs_path);
    return hk_cli_error(HK_EXIT_FAIL, "pipe: %s", strerror(errno));
  }
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    free(abs_path);
    close(fds[0]);
    close(fds[1]);
    return hk_cli_error(HK_EXIT_FAIL, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    close(fds[0]);
    check_child(fds[1], abs_path);
  }
  close(fds[1]);
  for (;;) {
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    hk_buf_append(&got, chunk, (size_t)n);
  }
  close(fds[0]);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
    ;

  for (char *line = got.data, *nl; line && *line; line = nl + 1) {
    char *f1, *f2, *f3;
    nl = strchr(line, '\n');
    if (!nl)
      break;
    *nl = '\0';
    f1 = strchr(line, '\t');
    if (!f1)
      continue;
    *f1++ = '\0';
    any = 1;
    if (strcmp(line, "ok") == 0 && (f2 = strchr(f1, '\t')) &&
        (f3 = strchr(f2 + 1, '\t'))) {
      *f2++ = '\0';
      *f3++ = '\0';
      printf("ok: %s: %s (%s) %s\n", path, f1, f2, f3);
    } else {
      /* The loader names the file; we already did. */
      size_t al = strlen(abs_path);
      if (strncmp(f1, abs_path, al) == 0 && strncmp(f1 + al, ": ", 2) == 0)
        f1 += al + 2;
      printf("refused: %s: %s\n", path, f1);
      refused = 1;
    }
  }
  hk_buf_free(&got);
  free(abs_path);
  if (WIFSIGNALED(status)) {
    printf("refused: %s: crashed (signal %d, %s) while loading\n", path,
           WTERMSIG(status), strsignal(WTERMSIG(status)));
    return HK_EXIT_FAIL;
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !any) {
    printf("refused: %s: crashed while loading (the check process exited "
           "with status %d)\n",
           path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    return HK_EXIT_FAIL;
  }
  return refused ? HK_EXIT_FAIL : HK_EXIT_OK;
}

/* ---------------------------------------------------------------- verb */

int
hk_cmd_plugins(hk_cli *cli, int argc, char **argv)
{
  char **words;
  int n, rc;
  const char *sub;
  char help_name[32];

  if ((rc = hk_cli_parse_args(cli, "plugins", argc - 1, argv + 1, NULL, &words,
                              &n)) != 0)
    return rc;
  sub = n > 0 ? words[0] : NULL;
  if (cli->help) {
    snprintf(help_name, sizeof help_name, "plugins %s", sub ? sub : "");
    free(words);
    if (sub && (strcmp(sub, "list") == 0 || strcmp(sub, "inspect") == 0 ||
                strcmp(sub, "check") == 0))
      return hk_cli_print_help(help_name);
    return hk_cli_print_help("plugins");
  }
  if (!sub) {
    rc = hk_cli_usage_error("plugins", "give a subcommand: list, inspect "
                                       "NAME or check PATH");
  } else if (strcmp(sub, "list") == 0) {
    if (n > 1)
      rc = hk_cli_usage_error("plugins list", "unexpected argument '%s'",
                              words[1]);
    else if ((rc = hk_cli_open(cli)) == 0)
      rc = plugins_list(cli);
  } else if (strcmp(sub, "inspect") == 0) {
    if (n != 2)
      rc = hk_cli_usage_error("plugins inspect",
                              n < 2 ? "give a plugin name, e.g. huntkit "
                                      "plugins inspect file"
                                    : "give one plugin name");
    else if ((rc = hk_cli_open(cli)) == 0)
      rc = plugins_inspect(cli, words[1]);
  } else if (strcmp(sub, "check") == 0) {
    if (n != 2)
      rc = hk_cli_usage_error("plugins check",
                              n < 2 ? "give the path of a .so, e.g. huntkit "
                                      "plugins check ./myplugin.so"
                                    : "give one path");
    else {
      hk_cli_apply_log_level(cli);
      rc = plugins_check(cli, words[1]);
    }
  } else {
    rc = hk_cli_usage_error(
        "plugins", "unknown subcommand '%s' (list, inspect, check)", sub);
  }
  free(words);
  return rc;
}
