/*
 * plugins/renderers/renderers.h -- what the four renderers of renderers.so
 * (table, csv, json, ndjson) share: the saved host table, the per-instance
 * state, option reading, a buffered sink writer and a batch-by-batch driver.
 * Private to this plugin; every symbol here is hidden by -fvisibility=hidden.
 */
#ifndef HK_PLUGINS_RENDERERS_H
#define HK_PLUGINS_RENDERERS_H

#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/renderer.h>
#include <huntkit/table.h>

/* Output is collected in one reused buffer and handed to the sink in
 * writes of at least this size, so a large table costs few syscalls and no
 * per-cell allocation. */
#define HK_RND_FLUSH_AT (64u * 1024u)

/* Saved by the entry function; every host service is reached through it. */
extern const hk_host *hk_rnd_host;

extern const hk_plugin_desc hk_rnd_table_desc;
extern const hk_plugin_desc hk_rnd_csv_desc;
extern const hk_plugin_desc hk_rnd_json_desc;
extern const hk_plugin_desc hk_rnd_ndjson_desc;

/* One instance: only the handle, so long renders can poll cancellation. */
typedef struct hk_rnd_state {
  const hk_instance *inst;
} hk_rnd_state;

int hk_rnd_create(const hk_instance *inst, const hk_config *cfg, void **state,
                  hk_error *err);
void hk_rnd_destroy(void *state);
/* 1 once the user pressed Ctrl-C (state may be NULL). */
int hk_rnd_canceled(void *state);

/* Typed option reads with a fallback when the host has no value (options
 * may be NULL when a caller passes none). */
int hk_rnd_opt_bool(const hk_config *opts, const char *name, int fallback);
int64_t hk_rnd_opt_int(const hk_config *opts, const char *name,
                       int64_t fallback);
const char *hk_rnd_opt_string(const hk_config *opts, const char *name,
                              const char *fallback);

/* Buffered writer over the sink.  `failed` records a sink error so that
 * nothing more is written after the reader went away. */
typedef struct hk_rnd_out {
  const hk_sink *sink;
  hk_buf buf;
  int failed;
} hk_rnd_out;

void hk_rnd_out_init(hk_rnd_out *o, const hk_sink *sink);
void hk_rnd_out_free(hk_rnd_out *o);
/* Hand everything buffered to the sink.  HK_E_IO (or the sink's code) with
 * `err` filled when the sink refuses. */
int hk_rnd_out_flush(hk_rnd_out *o, hk_error *err);
/* Flush only once HK_RND_FLUSH_AT bytes are waiting. */
static inline int
hk_rnd_out_maybe_flush(hk_rnd_out *o, hk_error *err)
{
  return o->buf.len >= HK_RND_FLUSH_AT ? hk_rnd_out_flush(o, err) : HK_OK;
}

/* Fill `err` for a failed allocation and return HK_E_NOMEM. */
int hk_rnd_nomem(hk_error *err, const char *what);

/* Append a non-utf8 cell's text (hk_batch_view_format_cell) straight into
 * `b`, without an intermediate copy.  Nothing for a null cell. */
int hk_rnd_append_formatted(hk_buf *b, const hk_batch_view *v, int64_t col,
                            int64_t row);

/*
 * The streaming renderers' loop.  hk_rnd_drive reads the schema, calls
 * `begin`, then `batch` for each batch of the input (as a validated view),
 * then `end`, flushing the output between batches when it has grown past
 * HK_RND_FLUSH_AT.  It polls cancellation between batches, releases the
 * input in every case, flushes what was rendered before an input error and
 * marks that error HK_EF_PARTIAL when rows had already been written.
 */
typedef struct hk_rnd_driver {
  int (*begin)(void *ud, const struct ArrowSchema *schema, hk_rnd_out *out,
               hk_error *err);
  int (*batch)(void *ud, const hk_batch_view *v, hk_rnd_out *out,
               hk_error *err);
  int (*end)(void *ud, hk_rnd_out *out, hk_error *err);
} hk_rnd_driver;

int hk_rnd_drive(void *state, struct ArrowArrayStream *input,
                 const hk_sink *sink, const hk_rnd_driver *drv, void *ud,
                 hk_error *err);

#endif /* HK_PLUGINS_RENDERERS_H */
