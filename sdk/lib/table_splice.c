/*
 * sdk/lib/table_splice.c -- an output batch (and its schema) made of an
 * input batch whose children are shared, not copied, plus children of a
 * second batch (or none: a projection).  The output keeps both parents alive in
 * its private data and releases them with itself; the children stay owned by
 * their parents (table.h says how a consumer may still move one out).
 */
#include "sdk_internal.h"

#include <huntkit/table.h>
#include <stdlib.h>
#include <string.h>

typedef struct splice_array {
  struct ArrowArray in, add;
  struct ArrowArray **children;
} splice_array;

typedef struct splice_schema {
  struct ArrowSchema in, add;
  struct ArrowSchema **children;
} splice_schema;

static void
splice_array_release(struct ArrowArray *a)
{
  splice_array *sa;
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
splice_schema_release(struct ArrowSchema *s)
{
  splice_schema *ss;
  if (!s->release)
    return;
  ss = s->private_data;
  hk_schema_release(&ss->in);
  hk_schema_release(&ss->add);
  free(ss->children);
  free(ss);
  s->release = NULL;
}

/* Check `map` against the parents' child counts: every entry names an
 * existing child, none twice. */
static int
check_map(const int64_t *map, int64_t n, int64_t n_in, int64_t n_add,
          hk_error *err)
{
  unsigned char *used;
  int rc = HK_OK;

  if (n < 0)
    return hk_error_set(err, HK_E_INVAL, "splice: %lld output columns",
                        (long long)n);
  if (n > 0 && !map)
    return hk_error_set(err, HK_E_INVAL, "splice: no column map");
  if (n_in < 0 || n_add < 0)
    return hk_error_set(err, HK_E_INVAL, "splice: a negative child count");
  used = calloc((size_t)(n_in + n_add) + 1, 1);
  if (!used)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  for (int64_t i = 0; rc == HK_OK && i < n; i++) {
    int64_t k = map[i] >= 0 ? map[i] : n_in + (-(map[i] + 1));
    if (map[i] >= n_in || (map[i] < 0 && -(map[i] + 1) >= n_add))
      rc = hk_error_set(err, HK_E_INVAL,
                        "splice: output column %lld maps to %s column %lld, "
                        "which does not exist (%lld columns)",
                        (long long)i, map[i] >= 0 ? "input" : "added",
                        (long long)(map[i] >= 0 ? map[i] : -(map[i] + 1)),
                        (long long)(map[i] >= 0 ? n_in : n_add));
    else if (used[k]++)
      rc = hk_error_set(err, HK_E_INVAL,
                        "splice: %s column %lld is mapped twice",
                        map[i] >= 0 ? "input" : "added",
                        (long long)(map[i] >= 0 ? map[i] : -(map[i] + 1)));
  }
  free(used);
  return rc;
}

/* The added columns that `map` uses must cover the input's offset and
 * length: the parent's offset applies to them too. */
static int
check_added_lengths(const struct ArrowArray *in, const struct ArrowArray *add,
                    const int64_t *map, int64_t n, hk_error *err)
{
  int64_t need = in->offset + in->length;
  for (int64_t i = 0; i < n; i++) {
    const struct ArrowArray *c;
    if (map[i] >= 0)
      continue;
    c = add->children[-(map[i] + 1)];
    if (!c || c->length < need)
      return hk_error_set(err, HK_E_INVAL,
                          "splice: added column %lld has %lld values; the "
                          "input needs its offset + length = %lld (pad it "
                          "with hk_splice_pad)",
                          (long long)-(map[i] + 1),
                          (long long)(c ? c->length : 0), (long long)need);
  }
  return HK_OK;
}

int
hk_splice_batch(struct ArrowArray *in, struct ArrowArray *add,
                const int64_t *map, int64_t n, struct ArrowArray *out,
                hk_error *err)
{
  splice_array *sa;
  int rc;

  if (!in || !in->release || (add && !add->release))
    rc = hk_error_set(err, HK_E_INVAL, "splice: %s batch is released",
                      !in || !in->release ? "the input" : "the added");
  else
    rc = check_map(map, n, in->n_children, add ? add->n_children : 0, err);
  if (rc == HK_OK && add)
    rc = check_added_lengths(in, add, map, n, err);
  if (rc != HK_OK) {
    hk_array_release(in);
    hk_array_release(add);
    return rc;
  }
  sa = calloc(1, sizeof *sa);
  if (sa)
    sa->children = calloc(n > 0 ? (size_t)n : 1, sizeof *sa->children);
  if (!sa || !sa->children) {
    free(sa);
    hk_array_release(in);
    hk_array_release(add);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  sa->in = *in;
  in->release = NULL;
  if (add) {
    sa->add = *add;
    add->release = NULL;
  }
  for (int64_t i = 0; i < n; i++)
    sa->children[i] =
        map[i] >= 0 ? sa->in.children[map[i]] : sa->add.children[-(map[i] + 1)];
  memset(out, 0, sizeof *out);
  out->length = sa->in.length;
  out->null_count = sa->in.null_count;
  out->offset = sa->in.offset;
  out->n_buffers = sa->in.n_buffers;
  out->buffers = sa->in.buffers;
  out->n_children = n;
  out->children = sa->children;
  out->release = splice_array_release;
  out->private_data = sa;
  return HK_OK;
}

int
hk_splice_schema(struct ArrowSchema *in, struct ArrowSchema *add,
                 const int64_t *map, int64_t n, struct ArrowSchema *out,
                 hk_error *err)
{
  splice_schema *ss;
  int rc;

  if (!in || !in->release || (add && !add->release))
    rc = hk_error_set(err, HK_E_INVAL, "splice: %s schema is released",
                      !in || !in->release ? "the input" : "the added");
  else
    rc = check_map(map, n, in->n_children, add ? add->n_children : 0, err);
  if (rc != HK_OK) {
    hk_schema_release(in);
    hk_schema_release(add);
    return rc;
  }
  ss = calloc(1, sizeof *ss);
  if (ss)
    ss->children = calloc(n > 0 ? (size_t)n : 1, sizeof *ss->children);
  if (!ss || !ss->children) {
    free(ss);
    hk_schema_release(in);
    hk_schema_release(add);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  ss->in = *in;
  in->release = NULL;
  if (add) {
    ss->add = *add;
    add->release = NULL;
  }
  for (int64_t i = 0; i < n; i++)
    ss->children[i] =
        map[i] >= 0 ? ss->in.children[map[i]] : ss->add.children[-(map[i] + 1)];
  memset(out, 0, sizeof *out);
  out->format = "+s";
  out->name = "";
  out->flags = ss->in.flags;
  out->n_children = n;
  out->children = ss->children;
  out->release = splice_schema_release;
  out->private_data = ss;
  return HK_OK;
}

int
hk_splice_pad(hk_table_builder *b, int64_t n)
{
  size_t ncols = hk_table_builder_column_count(b);
  for (int64_t i = 0; i < n; i++)
    for (size_t c = 0; c < ncols; c++) {
      int rc = hk_table_builder_append_null(b, c);
      if (rc != HK_OK)
        return rc;
    }
  return HK_OK;
}
