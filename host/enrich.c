/*
 * host/enrich.c -- the stream the runner puts after an enricher stage.
 *
 * The output batch is the input batch plus one column per enricher field
 * and two of the host's: <prefix>status (the lookup status: ok, no_data,
 * bad_format, not_supported, query_failed) and <prefix>summary (the
 * enricher's one-line summary, or the error of a failed lookup), so a
 * failed lookup is visible in the table and not only in a warning.  The
 * input's children are shared, not copied (the input array lives in the
 * output's private data until the output is released); the new children
 * come from an SDK builder.
 *
 * Per batch: the distinct values not seen before are collected, looked up
 * together through the bulk engine (hk_lookup_run: many HTTP requests in
 * flight for enrichers with prepare/parse, the cache, the rate limits),
 * then the columns are filled from the memo.  A value is looked up once
 * per stream.  Values whose IoC type the enricher does not take get
 * status not_supported and null fields.
 */
#define _GNU_SOURCE /* asprintf */
#include "config.h"

#include "pipeline.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Failed lookups logged one by one per stage; after that one note. */
#define HK_ENRICH_LOGGED_FAILURES 10

/* One distinct looked-up value and what the enricher said about it. */
typedef struct memo_entry {
  struct memo_entry *next;
  uint64_t hash;
  char *key;
  size_t key_len;
  int answered;     /* 0: not looked up yet (or canceled) */
  int32_t status;   /* -1: no status (not looked up) */
  char *summary;    /* owned or NULL */
  hk_value *values; /* one per field; strings owned; NULL: all null */
} memo_entry;

typedef struct enrich_priv {
  struct ArrowArrayStream inner;
  hk_instance *inst;
  const hk_plugin_desc *desc;
  const hk_enricher_vt *vt;
  const hk_config *options;
  char *column;
  char *label;
  char *prefix;
  int stage;
  hk_stream_hooks hooks;
  struct ArrowSchema in_schema;
  int64_t col;
  size_t n_fields;
  size_t status_col, summary_col; /* builder columns after the fields */
  hk_table_builder *builder;
  memo_entry **buckets;
  size_t n_buckets, n_entries;
  memo_entry **row_entries; /* per row of the current batch */
  size_t row_cap;
  memo_entry **pending; /* new entries of the current batch */
  size_t n_pending, pending_cap;
  char *cell; /* scratch for non-utf8 cells */
  size_t cell_cap;
  unsigned long failures;
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
memo_values_free(hk_value *values, size_t n_fields)
{
  if (values)
    for (size_t f = 0; f < n_fields; f++)
      free((char *)values[f].str);
  free(values);
}

static void
memo_entry_free(memo_entry *m, size_t n_fields)
{
  memo_values_free(m->values, n_fields);
  free(m->summary);
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
pending_push(enrich_priv *ep, memo_entry *m)
{
  if (ep->n_pending == ep->pending_cap) {
    size_t cap = ep->pending_cap ? ep->pending_cap * 2 : 64;
    memo_entry **np = realloc(ep->pending, cap * sizeof *np);
    if (!np)
      return HK_E_NOMEM;
    ep->pending = np;
    ep->pending_cap = cap;
  }
  ep->pending[ep->n_pending++] = m;
  return HK_OK;
}

/* The memo entry for a value; a new one is queued for this batch's
 * lookups.  NULL when out of memory. */
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
  m->status = -1;
  m->key = malloc(len + 1);
  if (!m->key || pending_push(ep, m) != HK_OK) {
    memo_entry_free(m, 0);
    return NULL;
  }
  memcpy(m->key, s, len);
  m->key[len] = '\0';
  m->key_len = len;
  m->next = ep->buckets[h & (ep->n_buckets - 1)];
  ep->buckets[h & (ep->n_buckets - 1)] = m;
  ep->n_entries++;
  return m;
}

static void
log_failure(enrich_priv *ep, const hk_lookup *l)
{
  ep->failures++;
  if (ep->failures <= HK_ENRICH_LOGGED_FAILURES)
    hk_log_msg(ep->inst, HK_LOG_WARN, "%s: lookup of %s '%.80s' failed: %s",
               ep->label, l->type, l->value,
               l->summary ? l->summary : "no message");
  if (ep->failures == HK_ENRICH_LOGGED_FAILURES + 1)
    hk_log_msg(ep->inst, HK_LOG_WARN,
               "%s: more lookups failed; they are not logged one by one: "
               "see the %sstatus and %ssummary columns",
               ep->label, ep->prefix, ep->prefix);
}

/* Look up this batch's new values together. */
static int
lookup_pending(enrich_priv *ep, hk_error *err)
{
  size_t n = 0;
  hk_lookup *items = calloc(ep->n_pending ? ep->n_pending : 1, sizeof *items);
  memo_entry **owners =
      calloc(ep->n_pending ? ep->n_pending : 1, sizeof *owners);
  int rc = HK_OK;
  if (!items || !owners) {
    free(items);
    free(owners);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < ep->n_pending; i++) {
    memo_entry *m = ep->pending[i];
    const char *type = hk_ioc_classify(m->key, m->key_len);
    if (!type || !hk_enricher_accepts(ep->desc, type)) {
      char msg[96];
      if (type)
        snprintf(msg, sizeof msg, "type %s not supported", type);
      else
        snprintf(msg, sizeof msg, "not a recognised IoC");
      m->answered = 1;
      m->status = HK_LK_NOT_SUPPORTED;
      m->summary = strdup(msg);
      continue;
    }
    items[n].inst = ep->inst;
    items[n].options = ep->options;
    items[n].value = m->key;
    items[n].len = m->key_len;
    items[n].type = type;
    owners[n++] = m;
  }
  ep->n_pending = 0;
  if (n) {
    hk_error lerr;
    hk_error_clear(&lerr);
    rc = hk_lookup_run(items, n, NULL, &lerr);
    if (rc == HK_E_CANCELED)
      rc = HK_OK; /* what finished is kept; the rest stays null */
    else if (rc != HK_OK)
      hk_error_set(err, rc, "%s", lerr.msg);
  }
  for (size_t i = 0; i < n; i++) {
    hk_lookup *l = &items[i];
    memo_entry *m = owners[i];
    if (l->done) {
      if (l->rc < 0)
        log_failure(ep, l);
      m->answered = 1;
      m->status = l->status;
      m->summary = l->summary;
      l->summary = NULL;
      if (l->fields && l->n_fields == ep->n_fields) {
        m->values = l->fields;
        l->fields = NULL;
      }
    }
    hk_lookup_clear(l);
  }
  free(items);
  free(owners);
  return rc;
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
append_text(hk_table_builder *b, size_t col, const char *s)
{
  return s ? hk_table_builder_append_utf8(b, col, s, strlen(s))
           : hk_table_builder_append_null(b, col);
}

/* One output row's added cells from its memo entry (NULL: all null). */
static int
append_entry(enrich_priv *ep, const memo_entry *m)
{
  int rc = HK_OK;
  for (size_t f = 0; f < ep->n_fields && rc == HK_OK; f++)
    rc = append_value(ep->builder, f, ep->vt->fields[f].type,
                      m && m->values ? &m->values[f] : NULL);
  if (rc == HK_OK)
    rc = append_text(ep->builder, ep->status_col,
                     m && m->status >= 0 ? hk_lookup_status_name(m->status)
                                         : NULL);
  if (rc == HK_OK)
    rc = append_text(ep->builder, ep->summary_col, m ? m->summary : NULL);
  return rc;
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
    if ((rc = append_entry(ep, NULL)) != HK_OK)
      return hk_error_set(err, rc, "out of memory");
  if ((rc = hk_batch_view_init(&view, &ep->in_schema, in, err)) != HK_OK)
    return rc;
  if ((size_t)view.rows > ep->row_cap) {
    memo_entry **nr = realloc(ep->row_entries, (size_t)view.rows * sizeof *nr);
    if (!nr) {
      hk_batch_view_release(&view);
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    }
    ep->row_entries = nr;
    ep->row_cap = (size_t)view.rows;
  }
  ep->n_pending = 0;
  for (int64_t row = 0; row < view.rows && rc == HK_OK; row++) {
    size_t len = 0;
    const char *s = cell_text(ep, &view, row, &len);
    memo_entry *m = s ? memo_get(ep, s, len) : NULL;
    if (s && !m)
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    ep->row_entries[row] = m;
  }
  if (rc == HK_OK && ep->n_pending)
    rc = lookup_pending(ep, err);
  for (int64_t row = 0; row < view.rows && rc == HK_OK; row++)
    if ((rc = append_entry(ep, ep->row_entries[row])) != HK_OK)
      hk_error_set(err, rc, "cannot append to the added columns");
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
  free(ep->row_entries);
  free(ep->pending);
  hk_stream_release(&ep->inner);
  hk_schema_release(&ep->in_schema);
  hk_table_builder_free(ep->builder);
  free(ep->column);
  free(ep->label);
  free(ep->prefix);
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

/* Add column PREFIX+suffix, refusing a name the input already has. */
static int
add_column(enrich_priv *ep, const char *suffix, int type, hk_error *err)
{
  char *name;
  if (asprintf(&name, "%s%s", ep->prefix, suffix) < 0)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  if (schema_column(&ep->in_schema, name) >= 0) {
    hk_error_set(err, HK_E_CONFIG,
                 "column '%s' already exists; choose another prefix=", name);
    free(name);
    err->flags |= HK_EF_USER;
    return HK_E_CONFIG;
  }
  for (size_t c = 0; c < hk_table_builder_column_count(ep->builder); c++)
    if (strcmp(hk_table_builder_column_name(ep->builder, c), name) == 0) {
      hk_error_set(err, HK_E_CONFIG,
                   "enricher field '%s' clashes with the host's column '%s' "
                   "(the plugin must rename its field)",
                   suffix, name);
      free(name);
      return HK_E_CONFIG;
    }
  int rc = hk_table_builder_add_column(ep->builder, name, type);
  free(name);
  if (rc < 0)
    return hk_error_set(err, rc, "cannot add a column for field '%s'", suffix);
  return HK_OK;
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
    if ((rc = add_column(ep, f->name, (int)f->type, err)) != HK_OK)
      return rc;
    ep->n_fields++;
  }
  ep->status_col = ep->n_fields;
  ep->summary_col = ep->n_fields + 1;
  if ((rc = add_column(ep, "status", HK_COL_UTF8, err)) != HK_OK ||
      (rc = add_column(ep, "summary", HK_COL_UTF8, err)) != HK_OK)
    return rc;
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
  ep->inst = (hk_instance *)spec->inst;
  ep->desc = hk_instance_plugin(spec->inst)->desc;
  ep->vt = ep->desc->vtable;
  ep->options = spec->options;
  ep->stage = spec->stage;
  ep->column = strdup(spec->column);
  ep->label = strdup(spec->stage_label);
  ep->prefix = strdup(spec->prefix);
  if (hooks)
    ep->hooks = *hooks;
  if (!ep->column || !ep->label || !ep->prefix) {
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
