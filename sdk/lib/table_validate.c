/*
 * sdk/lib/table_validate.c -- refuse any schema or batch huntkit cannot
 * read safely.
 *
 * The C Data Interface does not carry buffer sizes, so the validator
 * checks everything the specification lets a consumer check: the struct
 * shape, formats, buffer counts and pointers, lengths and offsets, and
 * the utf8 offsets themselves.  Given a producer that allocated its
 * buffers as the Arrow columnar format requires for the lengths it
 * declares, the reader then never leaves those buffers.
 */
#include "sdk_internal.h"

#include <stdio.h>
#include <string.h>

/* Column label for messages: "column 'EventID' (index 2)". */
static const char *
column_label(char *buf, size_t cap, const struct ArrowSchema *child, int64_t i)
{
  if (child && child->name)
    snprintf(buf, cap, "column '%s' (index %lld)", child->name, (long long)i);
  else
    snprintf(buf, cap, "column %lld", (long long)i);
  return buf;
}

static int
validate_child_schema(const struct ArrowSchema *c, int64_t i, hk_error *err)
{
  char label[160];

  if (!c)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema: column %lld is a NULL pointer",
                        (long long)i);
  column_label(label, sizeof label, c, i);
  if (!c->release)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema: %s has been released (release "
                        "callback is NULL)",
                        label);
  if (!c->name)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema: %s has no name; every column needs one",
                        label);
  if (!c->format)
    return hk_error_set(err, HK_E_INVAL, "table schema: %s has no format",
                        label);
  if (hk_column_type_from_format(c->format) < 0)
    return hk_error_set(
        err, HK_E_INVAL,
        "table schema: %s has Arrow format '%.32s', which huntkit does not "
        "carry (supported: n, l, g, b, u, tsu:UTC); cast it to one of them",
        label, c->format);
  if (c->dictionary)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema: %s is dictionary-encoded, which "
                        "huntkit does not carry; decode it first",
                        label);
  if (c->n_children != 0)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema: %s has %lld children, expected none "
                        "for format '%s'",
                        label, (long long)c->n_children, c->format);
  return HK_OK;
}

int
hk_table_validate_schema(const struct ArrowSchema *schema, hk_error *err)
{
  int64_t i, j;
  int rc;

  if (!schema)
    return hk_error_set(err, HK_E_INVAL, "table schema: NULL pointer");
  if (!schema->release)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema has been released (release callback "
                        "is NULL)");
  if (!schema->format || strcmp(schema->format, "+s") != 0)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema has format '%.32s', expected a struct "
                        "('+s') with one child per column",
                        schema->format ? schema->format : "(null)");
  if (schema->dictionary)
    return hk_error_set(
        err, HK_E_INVAL,
        "table schema: the struct itself is dictionary-encoded");
  if (schema->n_children < 0)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema has a negative column count (%lld)",
                        (long long)schema->n_children);
  if (schema->n_children > 0 && !schema->children)
    return hk_error_set(err, HK_E_INVAL,
                        "table schema declares %lld columns but its children "
                        "pointer is NULL",
                        (long long)schema->n_children);
  for (i = 0; i < schema->n_children; i++) {
    rc = validate_child_schema(schema->children[i], i, err);
    if (rc != HK_OK)
      return rc;
  }
  /* Readers find columns by name; a duplicate would shadow a column.
   * Quadratic, but tables have tens of columns, not thousands. */
  for (i = 1; i < schema->n_children; i++)
    for (j = 0; j < i; j++)
      if (strcmp(schema->children[i]->name, schema->children[j]->name) == 0)
        return hk_error_set(err, HK_E_INVAL,
                            "table schema: column '%s' appears twice "
                            "(indexes %lld and %lld); rename one",
                            schema->children[i]->name, (long long)j,
                            (long long)i);
  return HK_OK;
}

static int64_t
expected_buffers(int type)
{
  switch (type) {
  case HK_COL_NULL:
    return 0; /* the null layout has no buffers at all */
  case HK_COL_UTF8:
    return 3; /* validity, offsets, data */
  default:
    return 2; /* validity, values */
  }
}

/* Index of the first unset bit of bits[from, from + n), or -1. */
static int64_t
first_unset_bit(const uint8_t *bits, int64_t from, int64_t n)
{
  int64_t i;

  for (i = 0; i < n; i++)
    if (!hk_bit_get(bits, from + i))
      return i;
  return -1;
}

/*
 * One child array.  `need` is how many of its (logical) rows the parent
 * reaches: parent offset + parent length.
 */
static int
validate_child_array(const struct ArrowSchema *cs, const struct ArrowArray *c,
                     int64_t i, int64_t need, hk_error *err)
{
  char label[160];
  int type = hk_column_type_from_format(cs->format);
  int64_t nbuf = expected_buffers(type);

  column_label(label, sizeof label, cs, i);
  if (!c)
    return hk_error_set(err, HK_E_INVAL, "batch: %s: the array is NULL", label);
  if (!c->release)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: the array has been released (release "
                        "callback is NULL)",
                        label);
  if (c->length < 0 || c->offset < 0)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: negative length (%lld) or offset (%lld)",
                        label, (long long)c->length, (long long)c->offset);
  /* No real array comes near 2^59 slots; the bound keeps every byte
   * offset the reader computes (up to 8 * index) far from overflow. */
  if (c->offset > (INT64_MAX >> 4) - c->length)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: offset %lld plus length %lld is "
                        "implausibly large",
                        label, (long long)c->offset, (long long)c->length);
  if (c->length < need)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: the column has %lld rows but the batch "
                        "needs %lld (its offset plus its length)",
                        label, (long long)c->length, (long long)need);
  if (c->null_count < -1 || c->null_count > c->length)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: null_count %lld is impossible for %lld "
                        "rows",
                        label, (long long)c->null_count, (long long)c->length);
  if (c->n_children != 0)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: the array has %lld children, expected "
                        "none for format '%s'",
                        label, (long long)c->n_children, cs->format);
  if (c->dictionary)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: the array carries a dictionary the "
                        "schema does not declare",
                        label);
  if (c->n_buffers != nbuf)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: %lld buffers, expected %lld for format "
                        "'%s'",
                        label, (long long)c->n_buffers, (long long)nbuf,
                        cs->format);
  if (nbuf == 0) {
    if (c->null_count != -1 && c->null_count != c->length)
      return hk_error_set(err, HK_E_INVAL,
                          "batch: %s: a null column has null_count %lld but "
                          "%lld rows",
                          label, (long long)c->null_count,
                          (long long)c->length);
    return HK_OK;
  }
  if (!c->buffers)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: the buffers pointer is NULL", label);
  if (!c->buffers[0] && c->null_count > 0)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: null_count is %lld but there is no "
                        "validity bitmap",
                        label, (long long)c->null_count);
  if (c->length == 0)
    return HK_OK;
  if (!c->buffers[1])
    return hk_error_set(err, HK_E_INVAL,
                        "batch: %s: the %s buffer is NULL for %lld rows", label,
                        type == HK_COL_UTF8 ? "offsets" : "values",
                        (long long)c->length);
  if (type == HK_COL_UTF8) {
    /* Offsets of the whole child (length + 1 of them, from its offset):
     * non-negative and non-decreasing, so every string lies inside the
     * data buffer the producer allocated for the last offset. */
    const char *off = (const char *)c->buffers[1] + 4 * c->offset;
    int32_t first, prev, cur = 0;
    int64_t r;
    memcpy(&first, off, 4);
    if (first < 0)
      return hk_error_set(err, HK_E_INVAL,
                          "batch: %s: utf8 offsets start at %ld, below 0",
                          label, (long)first);
    prev = first;
    for (r = 0; r < c->length; r++, prev = cur) {
      memcpy(&cur, off + 4 * (r + 1), 4);
      if (cur < prev)
        return hk_error_set(err, HK_E_INVAL,
                            "batch: %s: utf8 offsets decrease at row %lld "
                            "(%ld after %ld)",
                            label, (long long)r, (long)cur, (long)prev);
    }
    if (prev > first && !c->buffers[2])
      return hk_error_set(err, HK_E_INVAL,
                          "batch: %s: the utf8 data buffer is NULL but the "
                          "offsets span %ld bytes",
                          label, (long)(prev - first));
  }
  return HK_OK;
}

int
hk_table_validate_batch(const struct ArrowSchema *schema,
                        const struct ArrowArray *array, hk_error *err)
{
  int64_t i, need;
  int rc = hk_table_validate_schema(schema, err);

  if (rc != HK_OK)
    return rc;
  if (!array)
    return hk_error_set(err, HK_E_INVAL, "batch: NULL pointer");
  if (!array->release)
    return hk_error_set(err, HK_E_INVAL,
                        "batch has been released (release callback is NULL)");
  if (array->length < 0 || array->offset < 0)
    return hk_error_set(err, HK_E_INVAL,
                        "batch has a negative length (%lld) or offset (%lld)",
                        (long long)array->length, (long long)array->offset);
  if (array->offset > (INT64_MAX >> 4) - array->length)
    return hk_error_set(err, HK_E_INVAL,
                        "batch offset %lld plus length %lld is implausibly "
                        "large",
                        (long long)array->offset, (long long)array->length);
  if (array->n_children != schema->n_children)
    return hk_error_set(
        err, HK_E_INVAL, "batch has %lld columns but its schema has %lld",
        (long long)array->n_children, (long long)schema->n_children);
  if (array->n_children > 0 && !array->children)
    return hk_error_set(err, HK_E_INVAL,
                        "batch declares %lld columns but its children "
                        "pointer is NULL",
                        (long long)array->n_children);
  if (array->n_buffers != 1)
    return hk_error_set(err, HK_E_INVAL,
                        "batch (a struct array) has %lld buffers, expected 1 "
                        "(the validity bitmap)",
                        (long long)array->n_buffers);
  if (!array->buffers)
    return hk_error_set(err, HK_E_INVAL, "batch: the buffers pointer is NULL");
  if (array->dictionary)
    return hk_error_set(err, HK_E_INVAL,
                        "batch carries a dictionary the schema does not "
                        "declare");
  if (array->null_count < -1 || array->null_count > array->length)
    return hk_error_set(err, HK_E_INVAL,
                        "batch: null_count %lld is impossible for %lld rows",
                        (long long)array->null_count, (long long)array->length);
  /* A whole row cannot be null in a huntkit table; a bitmap that marks
   * every row valid is accepted. */
  if (array->buffers[0] && array->null_count != 0) {
    int64_t r =
        first_unset_bit(array->buffers[0], array->offset, array->length);
    if (r >= 0)
      return hk_error_set(err, HK_E_INVAL,
                          "batch: row %lld is null as a whole; mark its cells "
                          "null instead",
                          (long long)r);
  }
  need = array->offset + array->length;
  for (i = 0; i < array->n_children; i++) {
    rc = validate_child_array(schema->children[i], array->children[i], i, need,
                              err);
    if (rc != HK_OK)
      return rc;
  }
  return HK_OK;
}
