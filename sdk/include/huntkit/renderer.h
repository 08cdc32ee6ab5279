/*
 * huntkit/renderer.h -- renderer plugins: show a table.
 *
 * A renderer writes bytes to a sink chosen by the host (stdout, a file, a
 * test buffer), never to a FILE* of its own.
 */
#ifndef HUNTKIT_RENDERER_H
#define HUNTKIT_RENDERER_H

#include <huntkit/host.h>
#include <huntkit/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * hk_sink -- where rendered bytes go.  Owned by the host; borrowed by the
 * renderer for the duration of render().
 * write: append `len` bytes; returns HK_OK or a negative code (HK_E_IO
 *   when the reader went away, e.g. `| head`: stop quietly).
 * is_tty: 1 when the sink is an interactive terminal (colour, fitting).
 * width: terminal width in columns, 0 when unknown or not a terminal.
 */
typedef struct hk_sink {
  uint32_t struct_size;
  void *ud;
  int (*write)(void *ud, const void *buf, size_t len);
  int32_t is_tty;
  int32_t width;
} hk_sink;

/*
 * hk_renderer_vt -- the renderer vtable.
 *
 * media_type: required.  What render() writes: "text/plain", "text/csv",
 *   "application/json", "application/x-ndjson", "text/html", ...
 * render: required.  Consume `input` (transfer: release it, also on
 *   failure) and write the rendering to `sink`.  `options` (borrowed) holds
 *   the validated per-run options.  Stream renderers (csv, ndjson) write
 *   each batch as it arrives so memory stays flat.  Not called
 *   concurrently on one state unless HK_PF_THREADSAFE.
 */
typedef struct hk_renderer_vt {
  HK_VT_HEADER;
  const char *media_type;
  int (*render)(void *state, const hk_config *options,
                struct ArrowArrayStream *input, const hk_sink *sink,
                hk_error *err);
} hk_renderer_vt;

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_RENDERER_H */
