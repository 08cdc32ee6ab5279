/*
 * huntkit/analyzer.h -- analyzer plugins: transform or score a table.
 *
 * An analyzer takes ownership of an input stream and returns an output
 * stream.  Streaming analyzers (HK_PF_STREAMING: where, select, head) pull
 * the input lazily from their own get_next; others (sort, count, a
 * seasonal decomposition) drain the input first.  Convention: the output
 * keeps the input columns (or a key column) and adds named columns.
 */
#ifndef HUNTKIT_ANALYZER_H
#define HUNTKIT_ANALYZER_H

#include <huntkit/host.h>
#include <huntkit/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * hk_analyzer_vt -- the analyzer vtable.
 *
 * run: required.  `input` (transfer: the analyzer must release it, also
 *   on failure) is the upstream table; `options` (borrowed; valid until
 *   the output stream is released) holds the validated per-run options.
 *   On success, *output (transfer: the host releases it) is the result
 *   stream, which may pull from `input` until it is released.  On failure
 *   return a negative code with `err` naming the option or column at
 *   fault (e.g. "count: no column 'Computer' (columns: EventID, Host)").
 *   Not called concurrently on one state unless HK_PF_THREADSAFE.
 */
typedef struct hk_analyzer_vt {
  HK_VT_HEADER;
  int (*run)(void *state, const hk_config *options,
             struct ArrowArrayStream *input, struct ArrowArrayStream *output,
             hk_error *err);
} hk_analyzer_vt;

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_ANALYZER_H */
