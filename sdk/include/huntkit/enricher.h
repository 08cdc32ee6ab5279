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
  int32_t status;   /* enum hk_lookup_status */
  int32_t severity; /* enum hk_severity */
  const char *summary;   /* one line, or NULL */
  const hk_value *fields; /* one per vtable field, in order; NULL: all null */
  const char *reference; /* URL or citation, or NULL */
  const char *raw;       /* the service's raw reply (JSON text), or NULL */
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
} hk_enricher_vt;

#ifdef __cplusplus
}
#endif
#endif /* HUNTKIT_ENRICHER_H */
