/*
 * huntkit/provider.h -- provider plugins: get data.
 *
 * A provider turns a query (a name, an expanded query text, typed options
 * and a time window) into a table stream that the host pulls batch by
 * batch, so memory follows the batch size and the host keeps control of
 * row limits and cancellation.
 */
#ifndef HUNTKIT_PROVIDER_H
#define HUNTKIT_PROVIDER_H

#include <huntkit/host.h>
#include <huntkit/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Open ends of a time window. */
#define HK_TIME_MIN INT64_MIN
#define HK_TIME_MAX INT64_MAX

/* One query to run.  Borrowed: valid for the duration of run_query only;
 * copy what the returned stream needs later. */
typedef struct hk_query {
  uint32_t struct_size;
  /* Query name from the query library, or NULL for an ad-hoc stage such
   * as `file path=x.csv`. */
  const char *name;
  /* Query text after the host substituted and quoted the parameters, or
   * NULL when the query has no template. */
  const char *text;
  /* Options validated against the vtable's `options` schema (borrowed;
   * valid until the returned stream is released). */
  const hk_config *options;
  /* Time window [start_us, end_us) in microseconds since the epoch (UTC);
   * HK_TIME_MIN / HK_TIME_MAX when open. */
  int64_t start_us;
  int64_t end_us;
  /* Stop after this many rows; 0 means no limit.  A hint: the host also
   * enforces it. */
  int64_t row_limit;
  /* Preferred rows per batch (e.g. 8192); a hint. */
  int32_t batch_rows;
} hk_query;

/*
 * hk_provider_vt -- the provider vtable (hk_plugin_desc.vtable).
 *
 * run_query: required.  Start the query and hand back a stream in *out
 *   (transfer: the host releases it).  Cheap checks (missing file, bad
 *   option) fail here with `err` filled; problems found while reading
 *   surface from the stream's get_next / get_last_error.  Rows that were
 *   skipped (on_error=skip) must be reported with hk_host.log at WARN with
 *   file and line, so the run is shown as partial.  The stream may be
 *   pulled after run_query returns but never after destroy.  Not called
 *   concurrently on one state unless HK_PF_THREADSAFE.
 */
typedef struct hk_provider_vt {
  HK_VT_HEADER;
  int (*run_query)(void *state, const hk_query *query,
                   struct ArrowArrayStream *out, hk_error *err);
} hk_provider_vt;

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_PROVIDER_H */
