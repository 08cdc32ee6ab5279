/*
 * sdk/lib/table_stream.c -- ArrowArrayStream producers (over a callback,
 * over ready-made batches), a consumer helper that turns the stream's
 * errno + last error into an hk_error, and release helpers.
 *
 * Both producers follow the C Stream Interface: get_schema / get_next
 * return 0 or an errno value, the end of the stream is a released array
 * (release == NULL), get_last_error describes the latest failure until
 * the next call, and release() frees everything and sets release = NULL.
 * After a failure the stream stays failed: later get_next calls repeat
 * the error instead of calling the producer again.
 */
#include "sdk_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void
hk_schema_release(struct ArrowSchema *s)
{
  if (s && s->release)
    s->release(s);
}

void
hk_array_release(struct ArrowArray *a)
{
  if (a && a->release)
    a->release(a);
}

void
hk_stream_release(struct ArrowArrayStream *s)
{
  if (s && s->release)
    s->release(s);
}

/* hk_status -> the errno a stream callback returns (table.h). */
static int
status_to_errno(int code)
{
  switch (code) {
  case HK_E_NOMEM:
    return ENOMEM;
  case HK_E_INVAL:
    return EINVAL;
  case HK_E_NOTSUP:
    return ENOTSUP;
  case HK_E_CANCELED:
    return ECANCELED;
  case HK_E_TIMEOUT:
    return ETIMEDOUT;
  default:
    return EIO;
  }
}

/* The reverse, for any producer: errno values with an obvious hk_status
 * keep it; everything else is an I/O failure. */
static int
errno_to_status(int e)
{
  switch (e) {
  case ENOMEM:
    return HK_E_NOMEM;
  case EINVAL:
    return HK_E_INVAL;
  case ENOTSUP:
    return HK_E_NOTSUP;
  case ECANCELED:
    return HK_E_CANCELED;
  case ETIMEDOUT:
    return HK_E_TIMEOUT;
  default:
    return HK_E_IO;
  }
}

/* Keep a failure's message; producers that forgot to fill `err` still get
 * a message naming the status. */
static void
keep_error(char *dst, const hk_error *e, int code)
{
  if (e->msg[0])
    snprintf(dst, HK_ERROR_MSG_MAX, "%s", e->msg);
  else
    snprintf(dst, HK_ERROR_MSG_MAX,
             "the producer failed with status %d and gave no message", code);
}

/* ---------------------------------------------------- callback streams */

struct cb_stream {
  hk_stream_callbacks cb;
  void *ud;
  int failed_errno; /* 0 until a call fails */
  int finished;
  char last_error[HK_ERROR_MSG_MAX];
};

static int
cb_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
  struct cb_stream *p = s->private_data;
  hk_error e;
  int rc;

  hk_error_clear(&e);
  memset(out, 0, sizeof *out);
  rc = p->cb.schema(p->ud, out, &e);
  if (rc == HK_OK && out->release)
    return 0;
  if (rc == HK_OK) {
    snprintf(p->last_error, sizeof p->last_error,
             "the producer returned no schema");
    return EIO;
  }
  /* On failure nothing was transferred: `out` is not ours to release. */
  memset(out, 0, sizeof *out);
  keep_error(p->last_error, &e, rc);
  return status_to_errno(rc);
}

static int
cb_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
  struct cb_stream *p = s->private_data;
  hk_error e;
  int rc;

  memset(out, 0, sizeof *out);
  if (p->failed_errno)
    return p->failed_errno;
  if (p->finished)
    return 0;
  hk_error_clear(&e);
  rc = p->cb.next(p->ud, out, &e);
  if (rc != HK_OK) {
    memset(out, 0, sizeof *out); /* nothing was transferred */
    keep_error(p->last_error, &e, rc);
    p->failed_errno = status_to_errno(rc);
    return p->failed_errno;
  }
  if (!out->release) {
    memset(out, 0, sizeof *out);
    p->finished = 1;
  }
  return 0;
}

static const char *
cb_get_last_error(struct ArrowArrayStream *s)
{
  struct cb_stream *p = s->private_data;
  return p->last_error[0] ? p->last_error : NULL;
}

static void
cb_release(struct ArrowArrayStream *s)
{
  struct cb_stream *p = s->private_data;

  if (p->cb.free_ud)
    p->cb.free_ud(p->ud);
  free(p);
  s->release = NULL;
  s->private_data = NULL;
}

/* On failure `ud` is freed through cb->free_ud (when there is one), so a
 * caller never has to clean up after a refused stream. */
int
hk_stream_init_callbacks(struct ArrowArrayStream *out,
                         const hk_stream_callbacks *cb, void *ud, hk_error *err)
{
  struct cb_stream *p;
  size_t n;

  if (!cb || cb->struct_size < offsetof(hk_stream_callbacks, free_ud) ||
      !cb->schema || !cb->next) {
    if (cb && cb->struct_size >= sizeof *cb && cb->free_ud)
      cb->free_ud(ud);
    return hk_error_set(err, HK_E_INVAL,
                        "stream: the callbacks need struct_size, schema and "
                        "next");
  }
  n = cb->struct_size < sizeof *cb ? cb->struct_size : sizeof *cb;
  p = calloc(1, sizeof *p);
  if (!out || !p) {
    free(p);
    if (n >= sizeof *cb && cb->free_ud)
      cb->free_ud(ud);
    return out ? hk_error_set(err, HK_E_NOMEM, "stream: out of memory")
               : hk_error_set(err, HK_E_INVAL, "stream: no output");
  }
  memcpy(&p->cb, cb, n);
  p->cb.struct_size = (uint32_t)sizeof p->cb;
  p->ud = ud;
  out->get_schema = cb_get_schema;
  out->get_next = cb_get_next;
  out->get_last_error = cb_get_last_error;
  out->release = cb_release;
  out->private_data = p;
  return HK_OK;
}

/* ----------------------------------------------------- schema deep copy */

/* Arrow metadata: int32 count, then per pair int32 length + key bytes,
 * int32 length + value bytes (native byte order). */
static size_t
metadata_size(const char *md)
{
  int32_t n, len;
  size_t pos = 4;
  int32_t i;

  if (!md)
    return 0;
  memcpy(&n, md, 4);
  for (i = 0; i < 2 * n; i++) {
    memcpy(&len, md + pos, 4);
    pos += 4 + (size_t)(len > 0 ? len : 0);
  }
  return pos;
}

struct copied_schema {
  char *format, *name, *metadata;
  struct ArrowSchema **child_ptrs;
  struct ArrowSchema *children;
  struct ArrowSchema *dictionary;
  int64_t n_children;
};

static void
copied_schema_release(struct ArrowSchema *s)
{
  struct copied_schema *c = s->private_data;
  int64_t i;

  for (i = 0; i < c->n_children; i++)
    hk_schema_release(&c->children[i]);
  if (c->dictionary) {
    hk_schema_release(c->dictionary);
    free(c->dictionary);
  }
  free(c->children);
  free(c->child_ptrs);
  free(c->format);
  free(c->name);
  free(c->metadata);
  free(c);
  s->release = NULL;
}

static int
schema_copy(struct ArrowSchema *dst, const struct ArrowSchema *src, int depth)
{
  struct copied_schema *c;
  size_t mdlen = metadata_size(src->metadata);
  int64_t i;

  memset(dst, 0, sizeof *dst);
  if (depth > 64 || src->n_children < 0 ||
      (src->n_children > 0 && !src->children))
    return HK_E_INVAL;
  c = calloc(1, sizeof *c);
  if (!c)
    return HK_E_NOMEM;
  dst->private_data = c;
  dst->release = copied_schema_release;
  dst->flags = src->flags;
  c->format = strdup(src->format ? src->format : "");
  c->name = src->name ? strdup(src->name) : NULL;
  c->metadata = mdlen ? malloc(mdlen) : NULL;
  if (!c->format || (src->name && !c->name) || (mdlen && !c->metadata))
    goto fail;
  if (mdlen)
    memcpy(c->metadata, src->metadata, mdlen);
  if (src->n_children) {
    c->children = calloc((size_t)src->n_children, sizeof *c->children);
    c->child_ptrs = calloc((size_t)src->n_children, sizeof *c->child_ptrs);
    if (!c->children || !c->child_ptrs)
      goto fail;
  }
  for (i = 0; i < src->n_children; i++) {
    c->n_children = i + 1;
    c->child_ptrs[i] = &c->children[i];
    if (!src->children[i] ||
        schema_copy(&c->children[i], src->children[i], depth + 1) != HK_OK)
      goto fail;
  }
  if (src->dictionary) {
    c->dictionary = calloc(1, sizeof *c->dictionary);
    if (!c->dictionary ||
        schema_copy(c->dictionary, src->dictionary, depth + 1) != HK_OK)
      goto fail;
  }
  dst->format = c->format;
  dst->name = c->name;
  dst->metadata = c->metadata;
  dst->n_children = src->n_children;
  dst->children = src->n_children ? c->child_ptrs : NULL;
  dst->dictionary = c->dictionary;
  return HK_OK;

fail:
  copied_schema_release(dst);
  return HK_E_NOMEM;
}

/* ------------------------------------------------------- batch streams */

struct batches_stream {
  struct ArrowSchema schema;
  struct ArrowArray *batches;
  size_t n, next;
  char last_error[HK_ERROR_MSG_MAX];
};

static int
batches_get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
  struct batches_stream *p = s->private_data;
  int rc = schema_copy(out, &p->schema, 0);

  if (rc == HK_OK)
    return 0;
  snprintf(p->last_error, sizeof p->last_error,
           "copying the schema failed (%s)",
           rc == HK_E_NOMEM ? "out of memory" : "malformed schema");
  return status_to_errno(rc);
}

static int
batches_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
  struct batches_stream *p = s->private_data;

  if (p->next < p->n) {
    *out = p->batches[p->next]; /* a move: the stream no longer owns it */
    p->batches[p->next].release = NULL;
    p->next++;
  } else {
    memset(out, 0, sizeof *out);
  }
  return 0;
}

static const char *
batches_get_last_error(struct ArrowArrayStream *s)
{
  struct batches_stream *p = s->private_data;
  return p->last_error[0] ? p->last_error : NULL;
}

static void
batches_release(struct ArrowArrayStream *s)
{
  struct batches_stream *p = s->private_data;
  size_t i;

  for (i = p->next; i < p->n; i++)
    hk_array_release(&p->batches[i]);
  hk_schema_release(&p->schema);
  free(p->batches);
  free(p);
  s->release = NULL;
  s->private_data = NULL;
}

/* Ownership of the schema and arrays always moves: on failure they are
 * released here, so the caller never has to. */
int
hk_stream_init_batches(struct ArrowArrayStream *out, struct ArrowSchema *schema,
                       struct ArrowArray *batches, size_t n, hk_error *err)
{
  struct batches_stream *p = NULL;
  size_t i;
  int rc;

  if (!out || !schema || !schema->release || (n && !batches)) {
    rc = hk_error_set(err, HK_E_INVAL,
                      "stream: needs an output, a live schema and %zu "
                      "batches",
                      n);
    goto fail;
  }
  p = calloc(1, sizeof *p);
  if (p && n)
    p->batches = malloc(n * sizeof *p->batches);
  if (!p || (n && !p->batches)) {
    rc = hk_error_set(err, HK_E_NOMEM, "stream: out of memory");
    goto fail;
  }
  p->schema = *schema;
  schema->release = NULL;
  for (i = 0; i < n; i++) {
    p->batches[i] = batches[i];
    batches[i].release = NULL;
  }
  p->n = n;
  out->get_schema = batches_get_schema;
  out->get_next = batches_get_next;
  out->get_last_error = batches_get_last_error;
  out->release = batches_release;
  out->private_data = p;
  return HK_OK;

fail:
  if (p)
    free(p->batches);
  free(p);
  hk_schema_release(schema);
  for (i = 0; batches && i < n; i++)
    hk_array_release(&batches[i]);
  return rc;
}

/* ------------------------------------------------------------ consumer */

static int
stream_failure(struct ArrowArrayStream *in, int e, const char *what,
               hk_error *err)
{
  const char *msg = in->get_last_error ? in->get_last_error(in) : NULL;

  if (msg && *msg)
    return hk_error_set(err, errno_to_status(e), "%s: %s", what, msg);
  return hk_error_set(err, errno_to_status(e), "%s: %s (errno %d)", what,
                      strerror(e), e);
}

int
hk_stream_next(struct ArrowArrayStream *in, struct ArrowArray *out,
               hk_error *err)
{
  int e;

  if (!in || !in->release || !out)
    return hk_error_set(err, HK_E_INVAL,
                        "reading a batch: the stream is missing or released");
  memset(out, 0, sizeof *out);
  e = in->get_next(in, out);
  if (e != 0) {
    /* After a failure `out` is not valid (C Stream Interface): nothing
     * to release. */
    memset(out, 0, sizeof *out);
    return stream_failure(in, e, "reading a batch", err);
  }
  return HK_OK;
}

int
hk_stream_schema(struct ArrowArrayStream *in, struct ArrowSchema *out,
                 hk_error *err)
{
  int e;

  if (!in || !in->release || !out)
    return hk_error_set(err, HK_E_INVAL,
                        "reading the schema: the stream is missing or "
                        "released");
  memset(out, 0, sizeof *out);
  e = in->get_schema(in, out);
  if (e != 0) {
    memset(out, 0, sizeof *out);
    return stream_failure(in, e, "reading the schema", err);
  }
  if (!out->release)
    return hk_error_set(err, HK_E_INVAL,
                        "reading the schema: the stream returned a released "
                        "schema");
  return HK_OK;
}
