/*
 * host/stream_check.c -- the streams the runner puts between stages.
 *
 * check: every schema and batch a plugin returns is validated before any
 *   other code reads it, and errors are pinned on the stage they started
 *   in.  It also ends the provider's stream on Ctrl-C so that the rest of
 *   the pipeline finishes with what was read.
 * enrich: an enricher stage.  The output batch is the input batch plus one
 *   column per enricher field: the input's children are shared, not
 *   copied (the input array lives in the output's private data until the
 *   output is released), the new children come from an SDK builder.
 */
#define _GNU_SOURCE /* asprintf */
#include "config.h"

#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- check */

typedef struct check_priv {
  struct ArrowArrayStream inner;
  char *plugin;
  int stage;
  int stop_on_cancel;
  hk_stream_hooks hooks;
  struct ArrowSchema schema; /* validated; for batch validation */
  int have_schema;
  int ended;
  int failed; /* errno of the sticky error, 0 when none */
  char msg[HK_ERROR_MSG_MAX];
} check_priv;

static int
check_fail(check_priv *cp, int errnum, int report)
{
  cp->failed = errnum ? errnum : EIO;
  if (report && cp->hooks.on_error)
    cp->hooks.on_error(cp->hooks.ud, cp->stage, cp->msg);
  return cp->failed;
}

/* The plugin's stream failed: keep its message. */
static int
check_inner_failed(check_priv *cp, int errnum)
{
  const char *m =
      cp->inner.get_last_error ? cp->inner.get_last_error(&cp->inner) : NULL;
  if (m && *m)
    snprintf(cp->msg, sizeof cp->msg, "%s", m);
  else
    snprintf(cp->msg, sizeof cp->msg, "plugin '%s' failed: %s", cp->plugin,
             strerror(errnum ? errnum : EIO));
  return check_fail(cp, errnum, 1);
}

static int
check_malformed(check_priv *cp, const hk_error *e)
{
  snprintf(cp->msg, sizeof cp->msg,
           "plugin '%s' returned a malformed table: %s", cp->plugin, e->msg);
  return check_fail(cp, EINVAL, 1);
}

static int
check_fetch_schema(check_priv *cp, struct ArrowSchema *out)
{
  hk_error e;
  int rc;
  memset(out, 0, sizeof *out);
  rc = cp->inner.get_schema(&cp->inner, out);
  if (rc != 0)
    return check_inner_failed(cp, rc);
  if (!out->release) {
    hk_error_set(&e, HK_E_INVAL, "get_schema returned a released schema");
    return check_malformed(cp, &e);
  }
  hk_error_clear(&e);
  if (hk_table_validate_schema(out, &e) != HK_OK) {
    hk_schema_release(out);
    return check_malformed(cp, &e);
  }
  return 0;
}

static int
check_ensure_schema(check_priv *cp)
{
  int rc;
  if (cp->have_schema)
    return 0;
  rc = check_fetch_schema(cp, &cp->schema);
  if (rc == 0)
    cp->have_schema = 1;
  return rc;
}

static int
check_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
  check_priv *cp = s->private_data;
  if (cp->failed)
    return cp->failed;
  return check_fetch_schema(cp, out);
}

static int
check_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
  check_priv *cp = s->private_data;
  hk_error e;
  int rc;

  memset(out, 0, sizeof *out);
  if (cp->failed)
    return cp->failed;
  if (cp->ended || (cp->stop_on_cancel && hk_services_canceled())) {
    cp->ended = 1;
    return 0;
  }
  if ((rc = check_ensure_schema(cp)) != 0)
    return rc;
  rc = cp->inner.get_next(&cp->inner, out);
  if (rc != 0) {
    memset(out, 0, sizeof *out);
    return check_inner_failed(cp, rc);
  }
  if (!out->release) {
    cp->ended = 1;
    return 0;
  }
  hk_error_clear(&e);
  if (hk_table_validate_batch(&cp->schema, out, &e) != HK_OK) {
    hk_array_release(out);
    return check_malformed(cp, &e);
  }
  if (cp->hooks.on_rows)
    cp->hooks.on_rows(cp->hooks.ud, cp->stage, out->length);
  return 0;
}

static const char *
check_get_last_error(struct ArrowArrayStream *s)
{
  check_priv *cp = s->private_data;
  return cp->failed ? cp->msg : NULL;
}

static void
check_release(struct ArrowArrayStream *s)
{
  check_priv *cp = s->private_data;
  if (!s->release)
    return;
  hk_stream_release(&cp->inner);
  if (cp->have_schema)
    hk_schema_release(&cp->schema);
  free(cp->plugin);
  free(cp);
  s->release = NULL;
}

int
hk_stream_check_wrap(struct ArrowArrayStream *inner, const char *plugin,
                     int stage, int stop_on_cancel,
                     const hk_stream_hooks *hooks, struct ArrowArrayStream *out,
                     hk_error *err)
{
  check_priv *cp = calloc(1, sizeof *cp);
  memset(out, 0, sizeof *out);
  if (cp)
    cp->plugin = strdup(plugin);
  if (!cp || !cp->plugin) {
    free(cp);
    hk_stream_release(inner);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  if (!inner->get_schema || !inner->get_next) {
    free(cp->plugin);
    free(cp);
    hk_stream_release(inner);
    return hk_error_set(err, HK_E_INVAL,
                        "plugin '%s' returned a malformed stream: "
                        "get_schema or get_next is NULL",
                        plugin);
  }
  cp->inner = *inner;
  inner->release = NULL;
  cp->stage = stage;
  cp->stop_on_cancel = stop_on_cancel;
  if (hooks)
    cp->hooks = *hooks;
  out->get_schema = check_get_schema;
  out->get_next = check_get_next;
  out->get_last_error = check_get_last_error;
  out->release = check_release;
  out->private_data = cp;
  return HK_OK;
}

/* --------------------------------------------------------------- enrich */

/* One distinct looked-up value and what the enricher said about it. */
typedef struct memo_entry {
  struct memo_entry *next;
  uint64_t hash;
  char *key;
  size_t key_len;
  hk_value *values; /* one per field; strings owned */
} memo_entry;

typedef struct enrich_priv {
  struct ArrowArrayStream inner;
  const hk_instance *inst;
  const hk_plugin_desc *desc;
  const hk_enricher_vt *vt;
  const hk_config *options;
  char *column;
  char *label;
  int stage;
  hk_stream_hooks hooks;
  struct ArrowSchema in_schema;
  int64_t col;
  size_t n_fields;
  hk_table_builder *builder;
  memo_entry **buckets;
  size_t n_buckets, n_entries;
  char *cell; /* scratch for non-utf8 cells */
  size_t cell_cap;
  int failed;
  char msg[HK_ERROR_MSG_MAX];
} enrich_priv;

/* Output schema and array: borrowed children of the input plus the
 * builder's, kept alive by holding both parents. */
typedef struct spliced_schema {
  struct ArrowSchema in, add;
  struct ArrowSchema **children;
} spliced_schema;

typedef struct spliced_array {
  struct ArrowArray in, add;
  struct ArrowArray **children;
} spliced_array;

static uint64_t
hash_bytes(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static void
memo_entry_free(memo_entry *m, size_t n_fields)
{
  if (m->values)
    for (size_t f = 0; f < n_fields; f++)
      free((char *)m->values[f].str);
  free(m->values);
  free(m->key);
  free(m);
}

static int
memo_grow(enrich_priv *ep)
{
  size_t n = ep->n_buckets ? ep->n_buckets * 2 : 256;
  memo_entry **nb = calloc(n, sizeof *nb);
  if (!nb)
    return HK_E_NOMEM;
  for (size_t b = 0; b < ep->n_buckets; b++) {
    memo_entry *m = ep->buckets[b], *next;
    for (; m; m = next) {
      next = m->next;
      m->next = nb[m->hash & (n - 1)];
      nb[m->hash & (n - 1)] = m;
    }
  }
  free(ep->buckets);
  ep->buckets = nb;
  ep->n_buckets = n;
  return HK_OK;
}

static int
accepts_type(const hk_plugin_desc *desc, const char *type)
{
  if (!desc->entity_types)
    return 1;
  for (const char *const *t = desc->entity_types; *t; t++)
    if (strcmp(*t, type) == 0)
      return 1;
  return 0;
}

/* Copy the plugin's answer (valid only until its next call). */
static int
memo_copy_fields(enrich_priv *ep, memo_entry *m, const hk_enrichment *e)
{
  if (!e->fields)
    return HK_OK;
  for (size_t f = 0; f < ep->n_fields; f++) {
    hk_value v = e->fields[f];
    if (v.is_set && ep->vt->fields[f].type == HK_COL_UTF8 && v.str) {
      char *copy = malloc(v.str_len + 1);
      if (!copy)
        return HK_E_NOMEM;
      memcpy(copy, v.str, v.str_len);
      copy[v.str_len] = '\0';
      v.str = copy;
    } else {
      v.str = NULL;
      v.str_len = 0;
    }
    m->values[f] = v;
  }
  return HK_OK;
}

static void
enrich_lookup(enrich_priv *ep, memo_entry *m)
{
  const char *type = hk_services()->ioc_classify(m->key, m->key_len);
  hk_enrichment e;
  hk_error lerr;
  hk_ioc ioc;
  int rc;

  if (!type || !accepts_type(ep->desc, type) || hk_services_canceled())
    return;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  ioc.struct_size = sizeof ioc;
  ioc.value = m->key;
  ioc.len = m->key_len;
  ioc.type = type;
  hk_error_clear(&lerr);
  rc =
      ep->vt->lookup(hk_instance_state(ep->inst), ep->options, &ioc, &e, &lerr);
  if (rc != HK_OK) {
    hk_log_msg(ep->inst, HK_LOG_WARN, "%s: lookup of %s '%.80s' failed: %s",
               ep->label, type, m->key, lerr.msg[0] ? lerr.msg : "no message");
    return;
  }
  if (memo_copy_fields(ep, m, &e) != HK_OK) {
    for (size_t f = 0; f < ep->n_fields; f++) {
      free((char *)m->values[f].str);
      memset(&m->values[f], 0, sizeof m->values[f]);
    }
    hk_log_msg(ep->inst, HK_LOG_WARN,
               "%s: out of memory keeping the answer "
               "for '%.80s'",
               ep->label, m->key);
  }
}

/* The memo entry for a value, looking it up on first sight.  NULL when
 * out of memory. */
static memo_entry *
memo_get(enrich_priv *ep, const char *s, size_t len)
{
  uint64_t h = hash_bytes(s, len);
  memo_entry *m;
  if (ep->n_buckets)
    for (m = ep->buckets[h & (ep->n_buckets - 1)]; m; m = m->next)
      if (m->hash == h && m->key_len == len && memcmp(m->key, s, len) == 0)
        return m;
  if (ep->n_entries + 1 > ep->n_buckets / 4 * 3 && memo_grow(ep) != HK_OK)
    return NULL;
  m = calloc(1, sizeof *m);
  if (!m)
    return NULL;
  m->hash = h;
  m->key = malloc(len + 1);
  m->values = calloc(ep->n_fields ? ep->n_fields : 1, sizeof *m->values);
  if (!m->key || !m->values) {
    memo_entry_free(m, 0);
    return NULL;
  }
  memcpy(m->key, s, len);
  m->key[len] = '\0';
  m->key_len = len;
  enrich_lookup(ep, m);
  m->next = ep->buckets[h & (ep->n_buckets - 1)];
  ep->buckets[h & (ep->n_buckets - 1)] = m;
  ep->n_entries++;
  return m;
}

static int
append_value(hk_table_builder *b, size_t col, uint32_t type, const hk_value *v)
{
  if (!v || !v->is_set)
    return hk_table_builder_append_null(b, col);
  switch (type) {
  case HK_COL_INT64:
    return hk_table_builder_append_int64(b, col, v->i64);
  case HK_COL_FLOAT64:
    return hk_table_builder_append_float64(b, col, v->f64);
  case HK_COL_BOOL:
    return hk_table_builder_append_bool(b, col, v->i64 != 0);
  case HK_COL_TIMESTAMP:
    return hk_table_builder_append_timestamp(b, col, v->i64);
  case HK_COL_UTF8:
    if (!v->str)
      return hk_table_builder_append_null(b, col);
    return hk_table_builder_append_utf8(b, col, v->str, v->str_len);
  default:
    return hk_table_builder_append_null(b, col);
  }
}

static int
append_nulls(enrich_priv *ep)
{
  for (size_t f = 0; f < ep->n_fields; f++) {
    int rc = hk_table_builder_append_null(ep->builder, f);
    if (rc != HK_OK)
      return rc;
  }
  return HK_OK;
}

/* The cell at `row` as text; NULL for a null cell. */
static const char *
cell_text(enrich_priv *ep, const hk_batch_view *v, int64_t row, size_t *len)
{
  size_t need;
  if (hk_batch_view_is_null(v, ep->col, row))
    return NULL;
  if (hk_batch_view_column_type(v, ep->col) == HK_COL_UTF8)
    return hk_batch_view_utf8(v, ep->col, row, len);
  need = hk_batch_view_format_cell(v, ep->col, row, ep->cell, ep->cell_cap);
  if (need >= ep->cell_cap) {
    char *nb = realloc(ep->cell, need + 1);
    if (!nb)
      return NULL;
    ep->cell = nb;
    ep->cell_cap = need + 1;
    hk_batch_view_format_cell(v, ep->col, row, ep->cell, ep->cell_cap);
  }
  *len = need;
  return ep->cell;
}

static int
enrich_fail(enrich_priv *ep, int errnum, int report, const char *msg)
{
  snprintf(ep->msg, sizeof ep->msg, "%s", msg);
  ep->failed = errnum;
  if (report && ep->hooks.on_error)
    ep->hooks.on_error(ep->hooks.ud, ep->stage, ep->msg);
  return errnum;
}

static int
enrich_build(enrich_priv *ep, const struct ArrowArray *in,
             struct ArrowArray *add, hk_error *err)
{
  hk_batch_view view;
  int rc;

  /* The added children must line up with the parent's offset. */
  for (int64_t i = 0; i < in->offset; i++)
    if ((rc = append_nulls(ep)) != HK_OK)
      return hk_error_set(err, rc, "out of memory");
  if ((rc = hk_batch_view_init(&view, &ep->in_schema, in, err)) != HK_OK)
    return rc;
  for (int64_t row = 0; row < view.rows && rc == HK_OK; row++) {
    size_t len = 0;
    const char *s = cell_text(ep, &view, row, &len);
    memo_entry *m = s ? memo_get(ep, s, len) : NULL;
    if (s && !m) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      break;
    }
    for (size_t f = 0; f < ep->n_fields && rc == HK_OK; f++)
      rc = append_value(ep->builder, f, ep->vt->fields[f].type,
                        m ? &m->values[f] : NULL);
    if (rc != HK_OK)
      hk_error_set(err, rc, "cannot append to the added columns");
  }
  hk_batch_view_release(&view);
  if (rc != HK_OK)
    return rc;
  return hk_table_builder_finish_batch(ep->builder, add, err);
}

static void
spliced_array_release(struct ArrowArray *a)
{
  spliced_array *sa;
  if (!a->release)
    return;
  sa = a->private_data;
  hk_array_release(&sa->in);
  hk_array_release(&sa->add);
  free(sa->children);
  free(sa);
  a->release = NULL;
}

static void
spliced_schema_release(struct ArrowSchema *s)
{
  spliced_schema *ss;
  if (!s->release)
    return;
  ss = s->private_data;
  hk_schema_release(&ss->in);
  hk_schema_release(&ss->add);
  free(ss->children);
  free(ss);
  s->release = NULL;
}

static int
enrich_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
  enrich_priv *ep = s->private_data;
  spliced_schema *ss;
  hk_error e;
  int rc;

  memset(out, 0, sizeof *out);
  if (ep->failed)
    return ep->failed;
  ss = calloc(1, sizeof *ss);
  if (!ss)
    return ENOMEM;
  rc = ep->inner.get_schema(&ep->inner, &ss->in);
  if (rc != 0) {
    free(ss);
    const char *m =
        ep->inner.get_last_error ? ep->inner.get_last_error(&ep->inner) : NULL;
    return enrich_fail(ep, rc, 0, m ? m : strerror(rc));
  }
  hk_error_clear(&e);
  if (hk_table_builder_export_schema(ep->builder, &ss->add, &e) != HK_OK) {
    hk_schema_release(&ss->in);
    free(ss);
    return enrich_fail(ep, ENOMEM, 1, e.msg);
  }
  int64_t n = ss->in.n_children + ss->add.n_children;
  ss->children = calloc((size_t)(n ? n : 1), sizeof *ss->children);
  if (!ss->children) {
    hk_schema_release(&ss->in);
    hk_schema_release(&ss->add);
    free(ss);
    return ENOMEM;
  }
  for (int64_t i = 0; i < ss->in.n_children; i++)
    ss->children[i] = ss->in.children[i];
  for (int64_t i = 0; i < ss->add.n_children; i++)
    ss->children[ss->in.n_children + i] = ss->add.children[i];
  out->format = "+s";
  out->name = "";
  out->metadata = NULL;
  out->flags = ss->in.flags;
  out->n_children = n;
  out->children = ss->children;
  out->dictionary = NULL;
  out->release = spliced_schema_release;
  out->private_data = ss;
  return 0;
}

static int
enrich_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
  enrich_priv *ep = s->private_data;
  spliced_array *sa;
  hk_error e;
  int rc;

  memset(out, 0, sizeof *out);
  if (ep->failed)
    return ep->failed;
  sa = calloc(1, sizeof *sa);
  if (!sa)
    return ENOMEM;
  rc = ep->inner.get_next(&ep->inner, &sa->in);
  if (rc != 0) {
    const char *m =
        ep->inner.get_last_error ? ep->inner.get_last_error(&ep->inner) : NULL;
    free(sa);
    return enrich_fail(ep, rc, 0, m ? m : strerror(rc));
  }
  if (!sa->in.release) {
    free(sa);
    return 0; /* end of stream */
  }
  hk_error_clear(&e);
  if (enrich_build(ep, &sa->in, &sa->add, &e) != HK_OK) {
    hk_array_release(&sa->in);
    free(sa);
    return enrich_fail(ep, e.code == HK_E_NOMEM ? ENOMEM : EIO, 1, e.msg);
  }
  int64_t n = sa->in.n_children + sa->add.n_children;
  sa->children = calloc((size_t)(n ? n : 1), sizeof *sa->children);
  if (!sa->children) {
    hk_array_release(&sa->in);
    hk_array_release(&sa->add);
    free(sa);
    return ENOMEM;
  }
  for (int64_t i = 0; i < sa->in.n_children; i++)
    sa->children[i] = sa->in.children[i];
  for (int64_t i = 0; i < sa->add.n_children; i++)
    sa->children[sa->in.n_children + i] = sa->add.children[i];
  out->length = sa->in.length;
  out->null_count = sa->in.null_count;
  out->offset = sa->in.offset;
  out->n_buffers = sa->in.n_buffers;
  out->buffers = sa->in.buffers;
  out->n_children = n;
  out->children = sa->children;
  out->dictionary = NULL;
  out->release = spliced_array_release;
  out->private_data = sa;
  return 0;
}

static const char *
enrich_get_last_error(struct ArrowArrayStream *s)
{
  enrich_priv *ep = s->private_data;
  return ep->failed ? ep->msg : NULL;
}

static void
enrich_priv_free(enrich_priv *ep)
{
  for (size_t b = 0; b < ep->n_buckets; b++) {
    memo_entry *m = ep->buckets[b], *next;
    for (; m; m = next) {
      next = m->next;
      memo_entry_free(m, ep->n_fields);
    }
  }
  free(ep->buckets);
  hk_stream_release(&ep->inner);
  hk_schema_release(&ep->in_schema);
  hk_table_builder_free(ep->builder);
  free(ep->column);
  free(ep->label);
  free(ep->cell);
  free(ep);
}

static void
enrich_release(struct ArrowArrayStream *s)
{
  if (!s->release)
    return;
  enrich_priv_free(s->private_data);
  s->release = NULL;
}

static int64_t
schema_column(const struct ArrowSchema *s, const char *name)
{
  for (int64_t i = 0; i < s->n_children; i++)
    if (s->children[i]->name && strcmp(s->children[i]->name, name) == 0)
      return i;
  return -1;
}

static void
column_names(const struct ArrowSchema *s, char *buf, size_t cap)
{
  size_t used = 0;
  buf[0] = '\0';
  for (int64_t i = 0; i < s->n_children; i++) {
    int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "",
                     s->children[i]->name ? s->children[i]->name : "");
    if (n < 0 || (size_t)n >= cap - used) {
      if (cap > 4)
        strcpy(buf + cap - 4, "...");
      return;
    }
    used += (size_t)n;
  }
}

static int
enrich_setup(enrich_priv *ep, const hk_enrich_spec *spec, hk_error *err)
{
  char names[384];
  int rc;

  rc = hk_stream_schema(&ep->inner, &ep->in_schema, err);
  if (rc != HK_OK)
    return rc;
  ep->col = schema_column(&ep->in_schema, spec->column);
  if (ep->col < 0) {
    column_names(&ep->in_schema, names, sizeof names);
    hk_error_set(err, HK_E_NOTFOUND, "no column '%s' (columns: %s)",
                 spec->column, names);
    err->flags |= HK_EF_USER;
    return HK_E_NOTFOUND;
  }
  ep->builder = hk_table_builder_new();
  if (!ep->builder)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  for (const hk_field_desc *f = ep->vt->fields; f && f->name; f++) {
    char *name;
    if (asprintf(&name, "%s%s", spec->prefix, f->name) < 0)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    if (schema_column(&ep->in_schema, name) >= 0) {
      hk_error_set(err, HK_E_CONFIG,
                   "column '%s' already exists; choose another prefix=", name);
      free(name);
      err->flags |= HK_EF_USER;
      return HK_E_CONFIG;
    }
    rc = hk_table_builder_add_column(ep->builder, name, (int)f->type);
    free(name);
    if (rc < 0)
      return hk_error_set(err, rc, "cannot add a column for field '%s'",
                          f->name);
    ep->n_fields++;
  }
  return HK_OK;
}

int
hk_enrich_stream_wrap(struct ArrowArrayStream *inner,
                      const hk_enrich_spec *spec, const hk_stream_hooks *hooks,
                      struct ArrowArrayStream *out, hk_error *err)
{
  enrich_priv *ep = calloc(1, sizeof *ep);
  int rc;

  memset(out, 0, sizeof *out);
  if (!ep) {
    hk_stream_release(inner);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  ep->inner = *inner;
  inner->release = NULL;
  ep->inst = spec->inst;
  ep->desc = hk_instance_plugin(spec->inst)->desc;
  ep->vt = ep->desc->vtable;
  ep->options = spec->options;
  ep->stage = spec->stage;
  ep->column = strdup(spec->column);
  ep->label = strdup(spec->stage_label);
  if (hooks)
    ep->hooks = *hooks;
  if (!ep->column || !ep->label) {
    enrich_priv_free(ep);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  rc = enrich_setup(ep, spec, err);
  if (rc != HK_OK) {
    enrich_priv_free(ep);
    return rc;
  }
  out->get_schema = enrich_get_schema;
  out->get_next = enrich_get_next;
  out->get_last_error = enrich_get_last_error;
  out->release = enrich_release;
  out->private_data = ep;
  return HK_OK;
}
