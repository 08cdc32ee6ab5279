/*
 * plugins/proctree/proctree.c -- the proctree analyzer: process events in,
 * a process tree (a table with proc_key / parent_key columns) out.
 *
 * It drains its input (a tree needs every event), keeps the batches and
 * reads cells in place; the output carries the input columns plus the
 * tree columns, in depth-first order.  See README.md.
 */
#include "proctree_int.h"

#include <stdio.h>
#include <time.h>

static const hk_host *pt_host;

/* CPU time of this thread, for the debug log: on a busy machine the wall
 * time of the build says little. */
static int64_t
pt_cpu_us(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
    return 0;
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Order matters: each part uses the ones before it. */
// clang-format off
#include "cells.c"
#include "schema.c"
#include "maps.c"
#include "build.c"
#include "emit.c"
#include "query.c"
// clang-format on

static const hk_param pt_options[] = {
    {"schema", HK_PT_STRING, 0, "auto",
     "auto|win4688|sysmon|mde|mde_internal|auditd|minimal|velociraptor",
     "event schema; auto infers it from the column names"},
    {"query", HK_PT_STRING, 0, "none",
     "none|roots|children|descendants|ancestors|siblings|summary",
     "return only part of the tree, or a one-row summary"},
    {"process", HK_PT_STRING, 0, NULL, NULL,
     "proc_key or pid of the process for children/descendants/ancestors/"
     "siblings"},
    {"include_process", HK_PT_BOOL, 0, "true", NULL,
     "include the process itself in children/descendants/ancestors/siblings"},
    {"host_column", HK_PT_STRING, 0, NULL, NULL,
     "column naming the host (trees are per host); 'none' for one host"},
    {"name_column", HK_PT_STRING, 0, NULL, NULL,
     "column with the process name or path"},
    {"pid_column", HK_PT_STRING, 0, NULL, NULL, "column with the process id"},
    {"ppid_column", HK_PT_STRING, 0, NULL, NULL,
     "column with the parent process id"},
    {"parent_name_column", HK_PT_STRING, 0, NULL, NULL,
     "column with the parent's name (joined on with the parent pid)"},
    {"time_column", HK_PT_STRING, 0, NULL, NULL,
     "column with the process creation time"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static void
pt_tree_free(pt_tree *t)
{
  if (!t)
    return;
  for (size_t i = 0; i < t->n_batches; i++) {
    hk_batch_view_release(&t->batches[i].view);
    hk_array_release(&t->batches[i].array);
  }
  free(t->batches);
  hk_schema_release(&t->schema);
  free(t->nodes);
  pt_intern_free(&t->names);
  pt_intern_free(&t->hosts);
  free(t->child_start);
  free(t->child_list);
  free(t->order);
  free(t->pos);
  free(t);
}

static void
pt_output_free(void *ud)
{
  pt_output *o = ud;
  if (!o)
    return;
  hk_table_builder_free(o->builder);
  free(o->sel);
  free(o->in_col);
  free(o->synth_field);
  free(o->anc);
  hk_buf_free(&o->key);
  hk_buf_free(&o->tmp);
  pt_tree_free(o->tree);
  free(o);
}

/* Read every batch of `input` into t. */
static int
pt_drain(pt_tree *t, struct ArrowArrayStream *input, hk_error *err)
{
  int rc = hk_stream_schema(input, &t->schema, err);
  if (rc != HK_OK)
    return rc;
  size_t cap = 0;
  for (;;) {
    struct ArrowArray a;
    rc = hk_stream_next(input, &a, err);
    if (rc != HK_OK)
      return rc;
    if (!a.release)
      return HK_OK;
    if (a.length == 0) {
      hk_array_release(&a);
      continue;
    }
    if (t->n_batches == cap) {
      size_t nc = cap ? cap * 2 : 16;
      pt_batch *p = realloc(t->batches, nc * sizeof *p);
      if (!p) {
        hk_array_release(&a);
        return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
      }
      t->batches = p;
      cap = nc;
    }
    pt_batch *b = &t->batches[t->n_batches];
    memset(b, 0, sizeof *b);
    b->array = a; /* moved: the view reads it in place */
    b->view.struct_size = sizeof b->view;
    rc = hk_batch_view_init(&b->view, &t->schema, &b->array, err);
    if (rc != HK_OK) {
      hk_array_release(&b->array);
      return rc;
    }
    b->first_row = t->n_rows;
    t->n_rows += b->view.rows;
    t->n_batches++;
    if (t->host->is_canceled(t->inst))
      return hk_error_set(err, HK_E_CANCELED, "proctree: canceled");
  }
}

/* An input without rows gives an output without rows, with the tree
 * columns when the columns allow. */
static int
pt_empty_output(pt_tree *t, struct ArrowArrayStream *output, hk_error *err)
{
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowSchema s;
  if (!b)
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  for (int64_t c = 0; c < t->schema.n_children; c++) {
    int type = hk_column_type_from_format(t->schema.children[c]->format);
    hk_table_builder_add_column(b, t->schema.children[c]->name,
                                type < 0 ? HK_COL_UTF8 : type);
  }
  int rc = hk_table_builder_export_schema(b, &s, err);
  hk_table_builder_free(b);
  if (rc != HK_OK)
    return rc;
  return hk_stream_init_batches(output, &s, NULL, 0, err);
}

/* The instance handle, for the host's cancellation and logging. */
typedef struct pt_state {
  const hk_instance *inst;
} pt_state;

static int
pt_create(const hk_instance *inst, const hk_config *cfg, void **state,
          hk_error *err)
{
  (void)cfg;
  pt_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  s->inst = inst;
  *state = s;
  return HK_OK;
}

static void
pt_destroy(void *state)
{
  free(state);
}

static int
pt_run(void *state, const hk_config *options, struct ArrowArrayStream *input,
       struct ArrowArrayStream *output, hk_error *err)
{
  const hk_host *h = pt_host;
  pt_tree *t = calloc(1, sizeof *t);
  if (!t) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  }
  t->host = h;
  t->inst = state ? ((pt_state *)state)->inst : NULL;
  int rc = pt_drain(t, input, err);
  hk_stream_release(input);
  if (rc == HK_OK && t->n_batches == 0) {
    rc = pt_empty_output(t, output, err);
    pt_tree_free(t);
    return rc;
  }
  const char *schema = h->config_get_string(options, "schema");
  if (rc == HK_OK)
    rc = pt_resolve_schema(h, options, &t->batches[0].view,
                           schema ? schema : "auto", &t->cols, err);
  int64_t t0 = h->monotonic_us ? h->monotonic_us() : 0;
  int64_t cpu0 = pt_cpu_us();
  if (rc == HK_OK)
    rc = pt_build(t, err);
  if (rc == HK_OK && h->monotonic_us)
    HK_LOG_DEBUG(h, t->inst,
                 "proctree: %lld processes from %lld rows in %lld ms (%lld ms "
                 "CPU)",
                 (long long)t->n_nodes, (long long)t->n_rows,
                 (long long)((h->monotonic_us() - t0) / 1000),
                 (long long)((pt_cpu_us() - cpu0) / 1000));
  if (rc != HK_OK) {
    pt_tree_free(t);
    return rc;
  }
  if (t->n_filtered || t->n_no_pid || t->n_duplicates || t->n_cycles)
    HK_LOG_INFO(h, t->inst,
                "proctree: %lld rows of other event types and %lld without "
                "a process id skipped, %lld repeated events dropped, %lld "
                "parent cycles cut",
                (long long)t->n_filtered, (long long)t->n_no_pid,
                (long long)t->n_duplicates, (long long)t->n_cycles);
  if (t->n_nodes == 0 && t->n_rows > 0)
    HK_LOG_WARN(h, t->inst,
                "proctree: none of the %lld rows is a process event for "
                "schema %s",
                (long long)t->n_rows, pt_schemas[t->cols.schema].name);
  int query = pt_query_from_name(h->config_get_string(options, "query"));
  if (query == PT_Q_SUMMARY) {
    rc = pt_summary(t, output, err);
    pt_tree_free(t);
    return rc;
  }
  int include = 1;
  if (h->config_get_bool(options, "include_process", &include) != HK_OK)
    include = 1;
  int64_t *sel = NULL, n_sel = 0;
  rc = pt_select(t, query, h->config_get_string(options, "process"), include,
                 &sel, &n_sel, err);
  if (rc != HK_OK) {
    pt_tree_free(t);
    return rc;
  }
  pt_output *o = calloc(1, sizeof *o);
  if (!o) {
    free(sel);
    pt_tree_free(t);
    return hk_error_set(err, HK_E_NOMEM, "proctree: out of memory");
  }
  rc = pt_output_init(o, t, sel, n_sel, err);
  if (rc == HK_OK) {
    hk_stream_callbacks cb = {sizeof cb, pt_output_schema, pt_output_next,
                              pt_output_free};
    rc = hk_stream_init_callbacks(output, &cb, o, err);
    if (rc == HK_OK)
      return HK_OK;
  }
  o->tree = t;
  o->sel = sel;
  pt_output_free(o);
  return rc;
}

static const hk_analyzer_vt pt_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = pt_options,
    .create = pt_create,
    .destroy = pt_destroy,
    .run = pt_run,
};

static const hk_plugin_desc pt_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "proctree",
    .version = "0.1.0",
    .kind = HK_KIND_ANALYZER,
    .flags = 0,
    .summary = "build process trees from Windows 4688, Sysmon, Defender, "
               "auditd and process-list events",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &pt_vt,
};

static const hk_plugin_desc *const pt_descs[] = {&pt_desc, NULL};

static const hk_plugin_desc *const *
pt_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "proctree: host ABI major differs");
    return NULL;
  }
  pt_host = host;
  return pt_descs;
}

HK_PLUGIN_DEFINE(proctree, pt_entry)
