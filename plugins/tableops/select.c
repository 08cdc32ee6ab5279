/*
 * plugins/tableops/select.c -- the `select` analyzer: keep, reorder, rename
 * or drop columns.  Streaming, batch by batch.
 *
 *   select Computer, EventID as Id      keep these, in this order
 *   select Subject*, Computer           globs keep every matching column
 *   select Computer, *                  move Computer first, keep the rest
 *   select -TenantId, -SourceComputerId drop these, keep the rest in order
 */
#include "tableops.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

typedef struct select_run {
  tableops_input in;
  hk_table_builder *b;
  size_t *which; /* input column of each output column */
  size_t n;
  int64_t *map; /* `which` for hk_splice_batch, when share is set */
  int share;    /* pass the input's columns on rather than copy them */
} select_run;

static void
select_free(void *ud)
{
  select_run *r = ud;
  tableops_input_close(&r->in);
  hk_table_builder_free(r->b);
  free(r->which);
  free(r->map);
  free(r);
}

static int
select_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  select_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static int
select_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  select_run *r = ud;
  struct ArrowArray batch;
  hk_batch_view v;
  int rc = tableops_input_next(&r->in, &batch, err);
  if (rc != HK_OK)
    return rc;
  if (!batch.release) {
    out->release = NULL;
    return HK_OK;
  }
  if (r->share) {
    rc = hk_splice_batch(&batch, NULL, r->map, (int64_t)r->n, out, err);
    if (rc != HK_OK)
      tableops_error_context(err, "select: input batch");
    return rc;
  }
  rc = hk_batch_view_init(&v, &r->in.schema, &batch, err);
  if (rc != HK_OK) {
    tableops_error_context(err, "select: input batch");
    hk_array_release(&batch);
    return rc;
  }
  for (size_t c = 0; c < r->n && rc == HK_OK; c++) {
    size_t in = r->which[c];
    rc = tableops_copy_rows(r->b, c, &v, (int64_t)in, r->in.cols.types[in],
                            NULL, 0, v.rows);
  }
  hk_batch_view_release(&v);
  hk_array_release(&batch);
  if (rc != HK_OK)
    return hk_error_set(err, rc, "select: cannot build the output batch");
  return hk_table_builder_finish_batch(r->b, out, err);
}

static bool
glob_matches(const char *glob, const char *name)
{
  return fnmatch(glob, name, 0) == 0;
}

/* Work out which input columns go out, and under which names. */
static int
select_plan(select_run *r, const tableops_name_list *l, const char ***names,
            hk_error *err)
{
  const tableops_columns *c = &r->in.cols;
  size_t ndrop = 0;
  for (size_t i = 0; i < l->n; i++)
    ndrop += l->items[i].negated;
  if (ndrop && ndrop != l->n)
    return hk_error_set(err, HK_E_INVAL,
                        "select: list columns to keep or -columns to drop, "
                        "not both");
  bool *used = calloc(c->n ? c->n : 1, sizeof *used);
  r->which = calloc(c->n + l->n + 1, sizeof *r->which);
  *names = calloc(c->n + l->n + 1, sizeof **names);
  if (!used || !r->which || !*names) {
    free(used);
    return hk_error_set(err, HK_E_NOMEM, "select: out of memory");
  }
  int rc = HK_OK;
  /* Explicit names first, so that a glob elsewhere skips them. */
  for (size_t i = 0; i < l->n && rc == HK_OK; i++) {
    const tableops_name_item *it = &l->items[i];
    if (it->glob) {
      bool any = false;
      for (size_t k = 0; k < c->n && !any; k++)
        any = glob_matches(it->name, c->names[k]);
      if (!any) {
        char list[360];
        tableops_columns_text(c, list, sizeof list);
        rc = hk_error_set(err, HK_E_NOTFOUND,
                          "select: no column matches '%s' (columns: %s)",
                          it->name, list);
      }
      continue;
    }
    int64_t k = tableops_columns_find(c, it->name);
    if (k < 0)
      rc = tableops_error_no_column(err, "select", it->name, c);
    else if (used[k] && !ndrop)
      rc = hk_error_set(err, HK_E_INVAL, "select: column '%s' is listed twice",
                        it->name);
    else
      used[k] = true;
  }
  if (rc == HK_OK && ndrop) {
    for (size_t k = 0; k < c->n; k++) {
      bool drop = used[k];
      for (size_t i = 0; i < l->n && !drop; i++)
        drop = l->items[i].glob && glob_matches(l->items[i].name, c->names[k]);
      if (!drop) {
        r->which[r->n] = k;
        (*names)[r->n++] = NULL;
      }
    }
  } else if (rc == HK_OK) {
    bool *taken = calloc(c->n ? c->n : 1, sizeof *taken);
    if (!taken)
      rc = hk_error_set(err, HK_E_NOMEM, "select: out of memory");
    for (size_t i = 0; i < l->n && rc == HK_OK; i++) {
      const tableops_name_item *it = &l->items[i];
      if (!it->glob) {
        size_t k = (size_t)tableops_columns_find(c, it->name);
        taken[k] = true;
        r->which[r->n] = k;
        (*names)[r->n++] = it->rename;
        continue;
      }
      for (size_t k = 0; k < c->n; k++) {
        if (used[k] || taken[k] || !glob_matches(it->name, c->names[k]))
          continue;
        taken[k] = true;
        r->which[r->n] = k;
        (*names)[r->n++] = NULL;
      }
    }
    free(taken);
  }
  free(used);
  if (rc == HK_OK && r->n == 0)
    rc = hk_error_set(err, HK_E_INVAL,
                      "select: that drops every column; keep at least one");
  /* Renames may collide with each other or with kept names. */
  for (size_t i = 0; i < r->n && rc == HK_OK; i++) {
    const char *a = (*names)[i] ? (*names)[i] : c->names[r->which[i]];
    for (size_t j = 0; j < i; j++) {
      const char *b = (*names)[j] ? (*names)[j] : c->names[r->which[j]];
      if (strcmp(a, b) == 0) {
        rc = hk_error_set(err, HK_E_INVAL,
                          "select: two output columns would be named '%s'; "
                          "rename one with 'as'",
                          a);
        break;
      }
    }
  }
  return rc;
}

/* Whether the output can be the input's own columns, renamed: when each
 * kept input column has the very type string the output schema declares
 * for it (no dictionary, no children).  Then a batch costs a few pointers
 * instead of a copy of every cell; otherwise (a type the builder writes
 * differently) the cells are copied. */
static int
select_plan_sharing(select_run *r, hk_error *err)
{
  struct ArrowSchema out;
  int share = 1;
  int rc = hk_table_builder_export_schema(r->b, &out, err);
  if (rc != HK_OK)
    return rc;
  for (size_t c = 0; c < r->n && share; c++) {
    const struct ArrowSchema *in = r->in.schema.children[r->which[c]];
    share = (int64_t)c < out.n_children && in && in->format &&
            in->dictionary == NULL && in->n_children == 0 &&
            strcmp(in->format, out.children[c]->format) == 0;
  }
  hk_schema_release(&out);
  if (!share)
    return HK_OK;
  r->map = calloc(r->n ? r->n : 1, sizeof *r->map);
  if (!r->map)
    return hk_error_set(err, HK_E_NOMEM, "select: out of memory");
  for (size_t c = 0; c < r->n; c++)
    r->map[c] = (int64_t)r->which[c];
  r->share = 1;
  return HK_OK;
}

static int
select_run_fn(void *state, const hk_config *options,
              struct ArrowArrayStream *input, struct ArrowArrayStream *output,
              hk_error *err)
{
  (void)state;
  const char *text = tableops_host->config_get_string(options, "columns");
  tableops_name_list l;
  const char **names = NULL;
  int rc = tableops_parse_names(
      text, "select",
      TABLEOPS_NAMES_AS | TABLEOPS_NAMES_SIGN | TABLEOPS_NAMES_GLOB, &l, err);
  if (rc != HK_OK) {
    hk_stream_release(input);
    return rc;
  }
  for (size_t i = 0; i < l.n; i++) {
    if (l.items[i].positive) {
      tableops_name_list_free(&l);
      hk_stream_release(input);
      return hk_error_set(err, HK_E_INVAL,
                          "select: '+%s': a column is kept by naming it; "
                          "'-' drops one",
                          l.items[i].name);
    }
  }
  select_run *r = calloc(1, sizeof *r);
  if (!r) {
    tableops_name_list_free(&l);
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "select: out of memory");
  }
  rc = tableops_input_open(&r->in, input, "select", err);
  if (rc == HK_OK)
    rc = select_plan(r, &l, &names, err);
  if (rc == HK_OK) {
    r->b =
        tableops_builder_new(&r->in.cols, r->which, names, r->n, "select", err);
    if (!r->b)
      rc = err ? err->code : HK_E_NOMEM;
  }
  free(names);
  tableops_name_list_free(&l);
  if (rc == HK_OK)
    rc = select_plan_sharing(r, err);
  if (rc != HK_OK) {
    select_free(r);
    return rc;
  }
  return tableops_output_init(output, select_schema, select_next, select_free,
                              r, err);
}

static const hk_param select_options[] = {
    {"columns", HK_PT_STRING, HK_P_REST | HK_P_REQUIRED, NULL, NULL,
     "columns to keep (A, B as C, Sub*) or to drop (-A, -B)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt select_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = select_options,
    .create = tableops_state_create,
    .destroy = tableops_state_destroy,
    .run = select_run_fn,
};

const hk_plugin_desc tableops_select_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "select",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING,
    .summary = "keep, reorder, rename or drop columns",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &select_vt,
};
