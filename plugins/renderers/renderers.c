/*
 * plugins/renderers/renderers.c -- entry point of renderers.so (table,
 * csv, json, ndjson) and the plumbing the four share: options, the
 * buffered sink writer and the batch loop.  See README.md.
 */
#include "renderers.h"

#include <stdlib.h>
#include <string.h>

const hk_host *hk_rnd_host;

int
hk_rnd_create(const hk_instance *inst, const hk_config *cfg, void **state,
              hk_error *err)
{
  hk_rnd_state *st;
  (void)cfg;
  st = calloc(1, sizeof *st);
  if (st == NULL)
    return hk_rnd_nomem(err, "renderer state");
  st->inst = inst;
  *state = st;
  return HK_OK;
}

void
hk_rnd_destroy(void *state)
{
  free(state);
}

int
hk_rnd_canceled(void *state)
{
  const hk_rnd_state *st = state;
  if (hk_rnd_host == NULL || hk_rnd_host->is_canceled == NULL)
    return 0;
  return hk_rnd_host->is_canceled(st ? st->inst : NULL) != 0;
}

int
hk_rnd_opt_bool(const hk_config *opts, const char *name, int fallback)
{
  int v;
  if (opts == NULL || hk_rnd_host == NULL ||
      hk_rnd_host->config_get_bool == NULL ||
      hk_rnd_host->config_get_bool(opts, name, &v) != HK_OK)
    return fallback;
  return v != 0;
}

int64_t
hk_rnd_opt_int(const hk_config *opts, const char *name, int64_t fallback)
{
  int64_t v;
  if (opts == NULL || hk_rnd_host == NULL ||
      hk_rnd_host->config_get_int == NULL ||
      hk_rnd_host->config_get_int(opts, name, &v) != HK_OK)
    return fallback;
  return v;
}

const char *
hk_rnd_opt_string(const hk_config *opts, const char *name, const char *fallback)
{
  const char *v;
  if (opts == NULL || hk_rnd_host == NULL ||
      hk_rnd_host->config_get_string == NULL)
    return fallback;
  v = hk_rnd_host->config_get_string(opts, name);
  return v ? v : fallback;
}

int
hk_rnd_nomem(hk_error *err, const char *what)
{
  return hk_error_set(err, HK_E_NOMEM, "out of memory while rendering (%s)",
                      what);
}

void
hk_rnd_out_init(hk_rnd_out *o, const hk_sink *sink)
{
  hk_buf empty = HK_BUF_INIT;
  o->sink = sink;
  o->buf = empty;
  o->failed = HK_OK;
}

void
hk_rnd_out_free(hk_rnd_out *o)
{
  hk_buf_free(&o->buf);
}

int
hk_rnd_out_flush(hk_rnd_out *o, hk_error *err)
{
  int rc;
  if (o->failed != HK_OK)
    return o->failed;
  if (o->buf.len == 0)
    return HK_OK;
  rc = o->sink->write(o->sink->ud, o->buf.data, o->buf.len);
  hk_buf_reset(&o->buf);
  if (rc == HK_OK)
    return HK_OK;
  /* HK_E_IO means the reader went away (`| head`): the caller stops
   * quietly and the CLI decides that this is not a failure. */
  o->failed = rc < 0 ? rc : HK_E_IO;
  return hk_error_set(err, o->failed,
                      "cannot write the output: the reader closed it or "
                      "the device is full");
}

int
hk_rnd_append_formatted(hk_buf *b, const hk_batch_view *v, int64_t col,
                        int64_t row)
{
  size_t room, need;
  /* Numbers, bools and timestamps fit in far less than 64 bytes. */
  if (hk_buf_reserve(b, 64) != HK_OK)
    return HK_E_NOMEM;
  room = b->cap - b->len;
  need = hk_batch_view_format_cell(v, col, row, b->data + b->len, room);
  if (need >= room) {
    if (hk_buf_reserve(b, need + 1) != HK_OK)
      return HK_E_NOMEM;
    room = b->cap - b->len;
    need = hk_batch_view_format_cell(v, col, row, b->data + b->len, room);
  }
  b->len += need;
  return HK_OK;
}

int
hk_rnd_drive(void *state, struct ArrowArrayStream *input, const hk_sink *sink,
             const hk_rnd_driver *drv, void *ud, hk_error *err)
{
  struct ArrowSchema schema;
  struct ArrowArray array;
  hk_rnd_out out;
  int64_t rows_done = 0;
  int rc;

  memset(&schema, 0, sizeof schema);
  memset(&array, 0, sizeof array);
  hk_rnd_out_init(&out, sink);
  rc = hk_stream_schema(input, &schema, err);
  if (rc == HK_OK)
    rc = hk_table_validate_schema(&schema, err);
  if (rc == HK_OK)
    rc = drv->begin(ud, &schema, &out, err);
  while (rc == HK_OK) {
    hk_batch_view v;
    if (hk_rnd_canceled(state)) {
      rc = hk_error_set(err, HK_E_CANCELED,
                        "canceled after %lld rows were rendered",
                        (long long)rows_done);
      break;
    }
    rc = hk_stream_next(input, &array, err);
    if (rc != HK_OK || array.release == NULL)
      break;
    memset(&v, 0, sizeof v);
    v.struct_size = sizeof v;
    rc = hk_batch_view_init(&v, &schema, &array, err);
    if (rc == HK_OK) {
      rc = drv->batch(ud, &v, &out, err);
      if (rc == HK_OK)
        rows_done += v.rows;
      hk_batch_view_release(&v);
    }
    hk_array_release(&array);
    if (rc == HK_OK)
      rc = hk_rnd_out_maybe_flush(&out, err);
  }
  if (rc == HK_OK)
    rc = drv->end(ud, &out, err);
  if (rc == HK_OK) {
    rc = hk_rnd_out_flush(&out, err);
  } else if (out.failed == HK_OK) {
    /* Keep the rows rendered before the input failed: they are correct,
     * and the error says the output is incomplete. */
    hk_error ignored;
    hk_error_clear(&ignored);
    if (hk_rnd_out_flush(&out, &ignored) == HK_OK && rows_done > 0 && err)
      err->flags |= HK_EF_PARTIAL;
  }
  hk_rnd_out_free(&out);
  hk_schema_release(&schema);
  hk_stream_release(input);
  return rc;
}

static const hk_plugin_desc *const renderer_descs[] = {
    &hk_rnd_table_desc, &hk_rnd_csv_desc, &hk_rnd_json_desc,
    &hk_rnd_ndjson_desc, NULL};

static const hk_plugin_desc *const *
renderers_entry(const hk_host *host, hk_error *err)
{
  if (host == NULL || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI,
                 "renderers: built for huntkit plugin ABI %d, the host "
                 "offers %d",
                 HK_ABI_MAJOR, host ? (int)host->abi_major : -1);
    return NULL;
  }
  hk_rnd_host = host;
  return renderer_descs;
}

HK_PLUGIN_DEFINE(renderers, renderers_entry)
