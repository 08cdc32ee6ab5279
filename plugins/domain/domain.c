/*
 * plugins/domain/domain.c -- the domain analyzer: for a column of domain
 * names or URLs, adds columns with the host, validity (and why not), the
 * A-label and U-label forms, the public suffix / registered domain /
 * subdomain split, the registrable label's entropy and a DGA-likeness
 * score (domain_core.c says how it is computed).  MSTICPy's domain_utils
 * (reference §17.3) for the checks that need no network.  The input's
 * columns are passed on as they are (shared, not copied).
 */
#include <huntkit/analyzer.h>
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/plugin.h>
#include <huntkit/table.h>

#include "domain_core.c"

static const hk_host *dom_host;

enum {
  OUT_HOST,
  OUT_VALID,
  OUT_ERROR,
  OUT_ASCII,
  OUT_UNICODE,
  OUT_SUFFIX,
  OUT_REGISTERED,
  OUT_SUBDOMAIN,
  OUT_ENTROPY,
  OUT_DGA,
  OUT_NCOLS
};
static const char *const dom_out_names[OUT_NCOLS] = {
    "host",   "valid",      "error",     "ascii",   "unicode",
    "suffix", "registered", "subdomain", "entropy", "dga_score"};
static const int dom_out_types[OUT_NCOLS] = {
    HK_COL_UTF8, HK_COL_BOOL, HK_COL_UTF8, HK_COL_UTF8,    HK_COL_UTF8,
    HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8, HK_COL_FLOAT64, HK_COL_FLOAT64};

/* Results by input text: domain columns repeat a lot (DNS logs). */
typedef struct dom_memo_entry {
  struct dom_memo_entry *next;
  uint64_t hash;
  uint32_t key_len;
  uint8_t flags; /* bit i: string i set (host..subdomain), bit 7: valid */
  uint8_t has_entropy, has_dga;
  double entropy, dga;
  uint32_t len[7];
  char data[]; /* key, then the seven strings */
} dom_memo_entry;

/* The memo is emptied when it holds this many bytes (memory stays flat). */
#define DOM_MEMO_MAX_BYTES (16u << 20)

typedef struct dom_state {
  const hk_instance *inst;
} dom_state;

typedef struct dom_run {
  const hk_instance *inst;
  dom_ctx ctx;
  psl_ctx_t *psl;
  dom_info info;
  struct ArrowArrayStream input;
  int64_t col, n_in;
  int64_t *map;
  hk_table_builder *out;
  dom_memo_entry **memo;
  size_t memo_buckets, memo_n, memo_bytes;
  hk_buf cell;
} dom_run;

static void
dom_memo_clear(dom_run *r)
{
  for (size_t b = 0; b < r->memo_buckets; b++) {
    dom_memo_entry *e = r->memo[b], *next;
    for (; e; e = next) {
      next = e->next;
      free(e);
    }
    r->memo[b] = NULL;
  }
  r->memo_n = 0;
  r->memo_bytes = 0;
}

static void
dom_run_free(void *ud)
{
  dom_run *r = ud;
  if (!r)
    return;
  hk_stream_release(&r->input);
  dom_memo_clear(r);
  free(r->memo);
  dom_info_free(&r->info);
  if (r->psl)
    psl_free(r->psl);
  hk_table_builder_free(r->out);
  free(r->map);
  hk_buf_free(&r->cell);
  free(r);
}

static uint64_t
dom_hash(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  return h;
}

static const hk_buf *
dom_field(const dom_info *d, int i, int *set)
{
  switch (i) {
  case 0:
    *set = 1;
    return &d->host;
  case 1:
    *set = d->error.len > 0;
    return &d->error;
  case 2:
    *set = d->has_ascii;
    return &d->ascii;
  case 3:
    *set = d->has_unicode;
    return &d->unicode;
  case 4:
    *set = d->has_suffix;
    return &d->suffix;
  case 5:
    *set = d->has_registered;
    return &d->registered;
  default:
    *set = d->has_subdomain;
    return &d->subdomain;
  }
}

/* Remember the result now in r->info (skipped when memory is short). */
static void
dom_memo_put(dom_run *r, const char *s, size_t n, uint64_t h)
{
  size_t total = n;
  dom_memo_entry *e;
  char *p;
  if (n > 1024)
    return;
  if (r->memo_bytes >= DOM_MEMO_MAX_BYTES)
    dom_memo_clear(r);
  if (r->memo_n >= r->memo_buckets) {
    size_t nb = r->memo_buckets ? r->memo_buckets * 2 : 4096;
    dom_memo_entry **b = calloc(nb, sizeof *b);
    if (!b)
      return;
    for (size_t i = 0; i < r->memo_buckets; i++) {
      dom_memo_entry *x = r->memo[i], *next;
      for (; x; x = next) {
        next = x->next;
        x->next = b[x->hash & (nb - 1)];
        b[x->hash & (nb - 1)] = x;
      }
    }
    free(r->memo);
    r->memo = b;
    r->memo_buckets = nb;
  }
  for (int i = 0; i < 7; i++) {
    int set;
    total += dom_field(&r->info, i, &set)->len;
  }
  if (!(e = malloc(sizeof *e + total)))
    return;
  e->hash = h;
  e->key_len = (uint32_t)n;
  e->flags = (uint8_t)(r->info.valid ? 0x80 : 0);
  e->has_entropy = (uint8_t)r->info.has_entropy;
  e->has_dga = (uint8_t)r->info.has_dga;
  e->entropy = r->info.entropy;
  e->dga = r->info.dga;
  memcpy(e->data, s, n);
  p = e->data + n;
  for (int i = 0; i < 7; i++) {
    int set;
    const hk_buf *f = dom_field(&r->info, i, &set);
    e->flags |= (uint8_t)(set ? 1u << i : 0);
    e->len[i] = (uint32_t)f->len;
    if (f->len)
      memcpy(p, f->data, f->len);
    p += f->len;
  }
  e->next = r->memo[h & (r->memo_buckets - 1)];
  r->memo[h & (r->memo_buckets - 1)] = e;
  r->memo_n++;
  r->memo_bytes += sizeof *e + total + sizeof(void *);
}

static const dom_memo_entry *
dom_memo_get(dom_run *r, const char *s, size_t n, uint64_t h)
{
  if (!r->memo_buckets)
    return NULL;
  for (dom_memo_entry *e = r->memo[h & (r->memo_buckets - 1)]; e; e = e->next)
    if (e->hash == h && e->key_len == n && memcmp(e->data, s, n) == 0)
      return e;
  return NULL;
}

static int
dom_append_entry(dom_run *r, const dom_memo_entry *e)
{
  hk_table_builder *b = r->out;
  static const int col_of[7] = {OUT_HOST,     OUT_ERROR,  OUT_ASCII,
                                OUT_UNICODE,  OUT_SUFFIX, OUT_REGISTERED,
                                OUT_SUBDOMAIN};
  const char *p = e->data + e->key_len;
  int rc = hk_table_builder_append_bool(b, OUT_VALID, (e->flags & 0x80) != 0);
  for (int i = 0; rc == HK_OK && i < 7; i++) {
    rc = e->flags & (1u << i)
             ? hk_table_builder_append_utf8(b, (size_t)col_of[i], p, e->len[i])
             : hk_table_builder_append_null(b, (size_t)col_of[i]);
    p += e->len[i];
  }
  if (rc == HK_OK)
    rc = e->has_entropy
             ? hk_table_builder_append_float64(b, OUT_ENTROPY, e->entropy)
             : hk_table_builder_append_null(b, OUT_ENTROPY);
  if (rc == HK_OK)
    rc = e->has_dga ? hk_table_builder_append_float64(b, OUT_DGA, e->dga)
                    : hk_table_builder_append_null(b, OUT_DGA);
  return rc;
}

static int
dom_append_info(dom_run *r)
{
  hk_table_builder *b = r->out;
  const dom_info *d = &r->info;
  static const int col_of[7] = {OUT_HOST,     OUT_ERROR,  OUT_ASCII,
                                OUT_UNICODE,  OUT_SUFFIX, OUT_REGISTERED,
                                OUT_SUBDOMAIN};
  int rc = hk_table_builder_append_bool(b, OUT_VALID, d->valid);
  for (int i = 0; rc == HK_OK && i < 7; i++) {
    int set;
    const hk_buf *f = dom_field(d, i, &set);
    rc = set ? hk_table_builder_append_utf8(b, (size_t)col_of[i],
                                            f->data ? f->data : "", f->len)
             : hk_table_builder_append_null(b, (size_t)col_of[i]);
  }
  if (rc == HK_OK)
    rc = d->has_entropy
             ? hk_table_builder_append_float64(b, OUT_ENTROPY, d->entropy)
             : hk_table_builder_append_null(b, OUT_ENTROPY);
  if (rc == HK_OK)
    rc = d->has_dga ? hk_table_builder_append_float64(b, OUT_DGA, d->dga)
                    : hk_table_builder_append_null(b, OUT_DGA);
  return rc;
}

static int
dom_append_nulls(dom_run *r)
{
  for (size_t c = 0; c < OUT_NCOLS; c++) {
    int rc = hk_table_builder_append_null(r->out, c);
    if (rc != HK_OK)
      return rc;
  }
  return HK_OK;
}

static int
dom_out_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  dom_run *r = ud;
  struct ArrowSchema in, add;
  int rc = hk_stream_schema(&r->input, &in, err);
  if (rc != HK_OK)
    return rc;
  if ((rc = hk_table_builder_export_schema(r->out, &add, err)) != HK_OK) {
    hk_schema_release(&in);
    return rc;
  }
  return hk_splice_schema(&in, &add, r->map, r->n_in + OUT_NCOLS, out, err);
}

static int
dom_one(dom_run *r, const hk_batch_view *v, int64_t row)
{
  const char *s;
  size_t n;
  uint64_t h;
  const dom_memo_entry *e;
  int rc;

  if (hk_batch_view_is_null(v, r->col, row))
    return dom_append_nulls(r);
  if (hk_batch_view_column_type(v, r->col) == HK_COL_UTF8) {
    s = hk_batch_view_utf8(v, r->col, row, &n);
  } else {
    size_t need;
    hk_buf_reset(&r->cell);
    if (hk_buf_reserve(&r->cell, 64) != HK_OK)
      return HK_E_NOMEM;
    need = hk_batch_view_format_cell(v, r->col, row, r->cell.data, r->cell.cap);
    if (need >= r->cell.cap) {
      if (hk_buf_reserve(&r->cell, need + 1) != HK_OK)
        return HK_E_NOMEM;
      hk_batch_view_format_cell(v, r->col, row, r->cell.data, r->cell.cap);
    }
    s = r->cell.data;
    n = need;
  }
  h = dom_hash(s, n);
  if ((e = dom_memo_get(r, s, n, h)))
    return dom_append_entry(r, e);
  if ((rc = dom_analyze(&r->ctx, s, n, &r->info)) != HK_OK)
    return rc;
  dom_memo_put(r, s, n, h);
  return dom_append_info(r);
}

static int
dom_out_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  dom_run *r = ud;
  struct ArrowSchema schema;
  struct ArrowArray in, add;
  hk_batch_view v;
  int rc;

  out->release = NULL;
  if ((rc = hk_stream_next(&r->input, &in, err)) != HK_OK) {
    hk_error_prefix(err, "domain: ");
    return rc;
  }
  if (!in.release)
    return HK_OK;
  if ((rc = hk_stream_schema(&r->input, &schema, err)) != HK_OK) {
    hk_array_release(&in);
    return rc;
  }
  rc = hk_batch_view_init(&v, &schema, &in, err);
  if (rc == HK_OK) {
    if (hk_splice_pad(r->out, in.offset) != HK_OK)
      rc = HK_E_NOMEM;
    for (int64_t row = 0; rc == HK_OK && row < v.rows; row++)
      rc = dom_one(r, &v, row);
    if (rc == HK_E_NOMEM)
      hk_error_set(err, rc, "domain: out of memory");
    hk_batch_view_release(&v);
  }
  hk_schema_release(&schema);
  if (rc == HK_OK && dom_host->is_canceled(r->inst))
    rc = hk_error_set(err, HK_E_CANCELED, "domain: canceled");
  if (rc == HK_OK)
    rc = hk_table_builder_finish_batch(r->out, &add, err);
  if (rc != HK_OK) {
    hk_array_release(&in);
    return rc;
  }
  return hk_splice_batch(&in, &add, r->map, r->n_in + OUT_NCOLS, out, err);
}

static int
dom_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  dom_state *st = calloc(1, sizeof *st);
  (void)cfg;
  if (!st)
    return hk_error_set(err, HK_E_NOMEM, "domain: out of memory");
  st->inst = inst;
  *state = st;
  return HK_OK;
}

static void
dom_destroy(void *state)
{
  free(state);
}

static int
dom_run_analyzer(void *state, const hk_config *options,
                 struct ArrowArrayStream *input,
                 struct ArrowArrayStream *output, hk_error *err)
{
  dom_state *st = state;
  dom_run *r = calloc(1, sizeof *r);
  struct ArrowSchema schema = {0};
  const char *column, *prefix;
  int private_suffixes = 1, rc;
  static const hk_stream_callbacks cb = {sizeof cb, dom_out_schema,
                                         dom_out_next, dom_run_free};

  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "domain: out of memory");
  }
  r->input = *input;
  input->release = NULL;
  r->inst = st ? st->inst : NULL;
  if ((rc = hk_stream_schema(&r->input, &schema, err)) != HK_OK) {
    hk_error_prefix(err, "domain: input: ");
    goto fail;
  }
  column = dom_host->config_get_string(options, "column");
  prefix = dom_host->config_get_string(options, "prefix");
  if (!prefix)
    prefix = "domain_";
  dom_host->config_get_bool(options, "private_suffixes", &private_suffixes);
  if (!column || !*column) {
    rc = hk_error_set(err, HK_E_INVAL,
                      "domain: no column to check: name it, e.g. 'domain "
                      "QueryName' or 'domain column=Url'");
    goto fail;
  }
  r->n_in = schema.n_children;
  r->col = -1;
  for (int64_t k = 0; k < schema.n_children; k++)
    if (schema.children[k]->name &&
        strcmp(schema.children[k]->name, column) == 0)
      r->col = k;
  if (r->col < 0) {
    hk_buf cols = HK_BUF_INIT;
    for (int64_t k = 0; k < schema.n_children; k++)
      hk_buf_appendf(&cols, "%s%s", k ? ", " : "",
                     schema.children[k]->name ? schema.children[k]->name : "");
    rc =
        hk_error_set(err, HK_E_NOTFOUND, "domain: no column '%s' (columns: %s)",
                     column, cols.data ? cols.data : "none");
    hk_buf_free(&cols);
    goto fail;
  }
  r->out = hk_table_builder_new();
  r->map = calloc((size_t)(r->n_in + OUT_NCOLS), sizeof *r->map);
  if (!r->out || !r->map) {
    rc = hk_error_set(err, HK_E_NOMEM, "domain: out of memory");
    goto fail;
  }
  for (int c = 0; c < OUT_NCOLS; c++) {
    hk_buf name = HK_BUF_INIT;
    hk_buf_appendf(&name, "%s%s", prefix, dom_out_names[c]);
    for (int64_t k = 0; k < schema.n_children; k++)
      if (schema.children[k]->name && name.data &&
          strcmp(schema.children[k]->name, name.data) == 0) {
        rc = hk_error_set(err, HK_E_INVAL,
                          "domain: the input already has a column '%s'; "
                          "choose another prefix (prefix=...)",
                          name.data);
        hk_buf_free(&name);
        goto fail;
      }
    if (!name.data ||
        hk_table_builder_add_column(r->out, name.data, dom_out_types[c]) < 0) {
      hk_buf_free(&name);
      rc = hk_error_set(err, HK_E_NOMEM, "domain: out of memory");
      goto fail;
    }
    hk_buf_free(&name);
  }
  for (int64_t j = 0; j < r->n_in; j++)
    r->map[j] = j;
  for (int c = 0; c < OUT_NCOLS; c++)
    r->map[r->n_in + c] = -(int64_t)c - 1;
  /* psl_latest: the newer of the system's list and libpsl's built-in one */
  r->psl = psl_latest(NULL);
  if (!r->psl) {
    rc = hk_error_set(err, HK_E_FAIL,
                      "domain: no Public Suffix List (libpsl has none "
                      "built in and none was found on the system)");
    goto fail;
  }
  dom_ctx_init(&r->ctx, r->psl, private_suffixes);
  hk_schema_release(&schema);
  rc = hk_stream_init_callbacks(output, &cb, r, err);
  if (rc != HK_OK)
    goto fail;
  return HK_OK;
fail:
  hk_schema_release(&schema);
  dom_run_free(r);
  return rc;
}

static const hk_param dom_options[] = {
    {"column", HK_PT_STRING, HK_P_REST, NULL, NULL,
     "column of domain names or URLs (also the stage's free text: domain "
     "QueryName)"},
    {"prefix", HK_PT_STRING, 0, "domain_", NULL,
     "prefix of the added columns (domain_valid, domain_registered, ...)"},
    {"private_suffixes", HK_PT_BOOL, 0, "true", NULL,
     "count the Public Suffix List's private section (blogspot.com, "
     "duckdns.org) as suffixes when splitting; false: ICANN section only"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt dom_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = dom_options,
    .create = dom_create,
    .destroy = dom_destroy,
    .run = dom_run_analyzer,
};

static const hk_plugin_desc dom_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "domain",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING,
    .summary = "domain names: validity (syntax, Public Suffix List, IDN), "
               "registered domain / subdomain, entropy, DGA-likeness",
    .entity_types = NULL,
    .params = NULL,
    .vtable = &dom_vt,
};

static const hk_plugin_desc *const dom_descs[] = {&dom_desc, NULL};

static const hk_plugin_desc *const *
dom_entry(const struct hk_host *host, hk_error *err)
{
  (void)err;
  dom_host = host;
  return dom_descs;
}

HK_PLUGIN_DEFINE(domain, dom_entry)
