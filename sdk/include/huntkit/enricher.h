/*
 * huntkit/enricher.h -- enricher plugins: look observables up.
 *
 * An enricher answers one IoC (value + type) with an enrichment record:
 * status, severity, a summary, named typed fields, a reference and the raw
 * reply.  The host does the table work: in a pipeline it adds the fields as
 * columns next to the looked-up column; for `huntkit ti` it collects the
 * records into the TI result table.  The host only ever passes an IoC whose
 * type is in the descriptor's entity_types, and records NOT_SUPPORTED
 * itself for the others.
 */
#ifndef HUNTKIT_ENRICHER_H
#define HUNTKIT_ENRICHER_H

#include <huntkit/host.h>
#include <huntkit/table.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Lookup status (MSTICPy's LookupStatus values). */
enum hk_lookup_status {
  HK_LK_OK = 0,
  HK_LK_NOT_SUPPORTED = 1, /* this enricher does not handle the type */
  HK_LK_BAD_FORMAT = 2,    /* the value is not a valid IoC of its type */
  HK_LK_QUERY_FAILED = 3,  /* the service failed (see the error) */
  HK_LK_NO_DATA = 4        /* looked up, nothing known */
};

/* Severity (MSTICPy's ResultSeverity values). */
enum hk_severity {
  HK_SEV_UNKNOWN = -1,
  HK_SEV_INFORMATION = 0,
  HK_SEV_LOW = 1,
  HK_SEV_MEDIUM = 2,
  HK_SEV_HIGH = 3
};

/* The observable to look up.  Borrowed for the duration of the call. */
typedef struct hk_ioc {
  uint32_t struct_size;
  const char *value; /* not necessarily NUL-terminated */
  size_t len;
  const char *type; /* huntkit/ioc.h name, e.g. "ipv4" */
} hk_ioc;

/* One column an enricher adds.  Used in arrays, so frozen for the ABI
 * major; the array ends with a NULL name. */
typedef struct hk_field_desc {
  const char *name; /* column suffix, e.g. "country" */
  uint32_t type;    /* enum hk_column_type */
  const char *help; /* one line, shown by `huntkit plugins inspect` */
} hk_field_desc;

/* A typed value for one field.  Frozen for the ABI major (arrays). */
typedef struct hk_value {
  int32_t is_set; /* 0: null */
  int32_t reserved;
  int64_t i64;     /* INT64; BOOL (0/1); TIMESTAMP (µs since epoch, UTC) */
  double f64;      /* FLOAT64 */
  const char *str; /* UTF8 */
  size_t str_len;  /* bytes at str */
} hk_value;

/* The answer to one lookup.  Filled by the plugin into a struct the host
 * provides (struct_size set by the host); every pointer in it is owned by
 * the plugin and valid until the next call on the same state. */
typedef struct hk_enrichment {
  uint32_t struct_size;
  int32_t status;         /* enum hk_lookup_status */
  int32_t severity;       /* enum hk_severity */
  const char *summary;    /* one line, or NULL */
  const hk_value *fields; /* one per vtable field, in order; NULL: all null */
  const char *reference;  /* URL or citation, or NULL */
  const char *raw;        /* the service's raw reply (JSON text), or NULL */
} hk_enrichment;

/*
 * hk_enricher_vt -- the enricher vtable.
 *
 * fields: required (may be an empty array).  The columns lookup() fills.
 * lookup: required.  Look `ioc` up and fill *out.  `options` (borrowed) are
 *   the validated per-run options.  Return HK_OK whenever a record was
 *   produced, including NO_DATA and BAD_FORMAT answers; return a negative
 *   code with `err` set only when the lookup itself failed (network, auth,
 *   quota: set HK_EF_RETRYABLE where a later try may work).  Not called
 *   concurrently on one state unless HK_PF_THREADSAFE.
 */
typedef struct hk_enricher_vt {
  HK_VT_HEADER;
  const hk_field_desc *fields;
  int (*lookup)(void *state, const hk_config *options, const hk_ioc *ioc,
                hk_enrichment *out, hk_error *err);

  /* --- ABI 1.1: lookups the host runs over HTTP, many at a time ---------
   * Optional, both or neither (test with HK_HAS).  When set, the host uses
   * them instead of lookup for bulk work (`huntkit ti`, enricher stages):
   * it calls prepare for each IoC, checks its cache, sends the requests
   * through its HTTP service (several in flight, the instance's rate limit,
   * retries), and calls parse with each reply, cached or fresh.  All calls
   * come from one host thread, never concurrently on one state.
   *
   * prepare: either fill *req (struct_size set by the host; strings owned
   *   by the plugin, valid until the next call on the state: the host
   *   copies them at once) and return HK_OK, or answer at once without a
   *   request (e.g. BAD_FORMAT, or NOT_SUPPORTED for a subtype) by filling
   *   *out, leaving req->url NULL and returning HK_OK.  A negative return
   *   with `err` set is a failed lookup (e.g. HK_E_AUTH: no API key).
   *   The cache key is (instance, IoC type, value, request URL and body).
   * parse: turn the reply into *out (same ownership as lookup's).  Called
   *   for every HTTP status, so the plugin maps 404 to NO_DATA, 401/403 to
   *   a failed lookup, and so on; return negative with `err` set (flag
   *   RETRYABLE where a later try may work) for a failed lookup.  A reply
   *   for which parse fails is never cached. */
  int (*prepare)(void *state, const hk_config *options, const hk_ioc *ioc,
                 hk_http_request *req, hk_enrichment *out, hk_error *err);
  int (*parse)(void *state, const hk_config *options, const hk_ioc *ioc,
               const hk_http_response *resp, hk_enrichment *out, hk_error *err);
} hk_enricher_vt;

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_ENRICHER_H */
