/*
 * host/querylib_int.h -- what querylib_expand.c (quoting) and
 * querylib_values.c (typed values) share.  Private to the query library.
 */
#ifndef HK_HOST_QUERYLIB_INT_H
#define HK_HOST_QUERYLIB_INT_H

#include "querylib.h"

#include <stdbool.h>

#define US_PER_DAY (INT64_C(86400) * 1000000)

/* One parameter's value for an expansion. */
typedef struct qvalue {
  const hk_qparam *p;
  bool given;       /* a run-time value (else the file's default) */
  const char *text; /* the value or default as written */
  long long i;
  double f;
  int b;
  int64_t t_us;
  char **items;
  size_t n_items;
} qvalue;

typedef struct xctx {
  const hk_qentry *e;
  qvalue *values;
  size_t n_values;
  hk_error *err;
} xctx;

/* Mark an error as the user's to fix; returns `code`. */
static inline int
user_error(hk_error *err, int code)
{
  if (err)
    err->flags |= HK_EF_USER;
  return code;
}

/* Values of every parameter of x->e into x->values (see
 * querylib_values.c); HK_OK or an error naming query and parameter. */
int hk_qvalues_resolve(xctx *x, const hk_qargs *a, hk_qplan *plan);

#endif /* HK_HOST_QUERYLIB_INT_H */
