/*
 * host/querylib_values.c -- a query's parameter values: run-time text
 * parsed and checked against each parameter's type, the run's time range
 * for start/end, the file's defaults, and the missing required ones
 * reported.  Quoting them is querylib_expand.c's part.
 */
#define _GNU_SOURCE /* asprintf */
#include "config.h"

#include "querylib_int.h"
#include "timeparse.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------- values */

static int
type_error(const xctx *x, const hk_qparam *p, const char *text,
           const char *what)
{
  hk_error_set(x->err, HK_E_CONFIG,
               "query %s: parameter '%s' must be %s (type %s), got '%.80s'",
               x->e->name, p->name, what, hk_qparam_type_name(p->type), text);
  x->err->flags |= HK_EF_USER;
  return HK_E_CONFIG;
}

static bool
integer_text(const char *s, long long *out)
{
  char *end;
  errno = 0;
  while (isspace((unsigned char)*s))
    s++;
  if (!*s)
    return false;
  *out = strtoll(s, &end, 10);
  while (isspace((unsigned char)*end))
    end++;
  return errno == 0 && *end == '\0';
}

static int
parse_value(const xctx *x, qvalue *v, int64_t now_us)
{
  const hk_qparam *p = v->p;
  const char *s = v->text;
  switch (p->type) {
  case HK_QP_INT:
    if (!integer_text(s, &v->i))
      return type_error(x, p, s, "an integer");
    break;
  case HK_QP_FLOAT: {
    char *end;
    errno = 0;
    v->f = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v->f))
      return type_error(x, p, s, "a number");
    break;
  }
  case HK_QP_BOOL:
    if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") ||
        !strcasecmp(s, "on") || !strcmp(s, "1"))
      v->b = 1;
    else if (!strcasecmp(s, "false") || !strcasecmp(s, "no") ||
             !strcasecmp(s, "off") || !strcmp(s, "0"))
      v->b = 0;
    else
      return type_error(x, p, s, "true or false");
    break;
  case HK_QP_DATETIME: {
    long long days;
    size_t digits = strspn(s + (*s == '-' || *s == '+'), "0123456789");
    /* MSTICPy reads a bare integer as days from now (-1: a day ago);
     * ten digits are epoch seconds. */
    if (digits != 10 && integer_text(s, &days) && days > -1000000 &&
        days < 1000000) {
      v->t_us = now_us + days * US_PER_DAY;
    } else {
      hk_error terr;
      hk_error_clear(&terr);
      if (hk_time_parse(s, now_us, &v->t_us, &terr) != HK_OK) {
        hk_error_set(x->err, HK_E_CONFIG,
                     "query %s: parameter '%s' (type "
                     "datetime): %s",
                     x->e->name, p->name, terr.msg);
        x->err->flags |= HK_EF_USER;
        return HK_E_CONFIG;
      }
    }
    break;
  }
  case HK_QP_LIST:
    if (!v->given && p->default_is_list) {
      for (size_t i = 0; i < p->n_default_items; i++) {
        char **ni = realloc(v->items, (v->n_items + 1) * sizeof *ni);
        if (!ni || !(ni[v->n_items] = strdup(p->default_items[i]))) {
          if (ni)
            v->items = ni;
          return hk_error_set(x->err, HK_E_NOMEM, "out of memory");
        }
        v->items = ni;
        v->n_items++;
      }
      break;
    }
    /* MSTICPy: a text with commas is split and each item stripped. */
    for (const char *q = s;;) {
      const char *comma = strchr(q, ',');
      size_t len = comma ? (size_t)(comma - q) : strlen(q);
      const char *a = q, *z = q + len;
      char **ni;
      while (a < z && isspace((unsigned char)*a))
        a++;
      while (z > a && isspace((unsigned char)z[-1]))
        z--;
      ni = realloc(v->items, (v->n_items + 1) * sizeof *ni);
      if (!ni || !(ni[v->n_items] = strndup(a, (size_t)(z - a)))) {
        if (ni)
          v->items = ni;
        return hk_error_set(x->err, HK_E_NOMEM, "out of memory");
      }
      v->items = ni;
      v->n_items++;
      if (!comma)
        break;
      q = comma + 1;
    }
    break;
  default:
    break;
  }
  return HK_OK;
}

static const hk_qparam *
param_named(const hk_qsource *s, const char *name, bool *by_alias)
{
  *by_alias = false;
  for (size_t i = 0; i < s->n_params; i++)
    if (strcmp(s->params[i].name, name) == 0)
      return &s->params[i];
  for (size_t i = 0; i < s->n_params; i++)
    for (size_t k = 0; k < s->params[i].n_aliases; k++)
      if (strcmp(s->params[i].aliases[k], name) == 0) {
        *by_alias = true;
        return &s->params[i];
      }
  return NULL;
}

/* Values of every parameter: run-time values, the run's time range for
 * start/end, defaults; then the missing required ones are reported. */
int
hk_qvalues_resolve(xctx *x, const hk_qargs *a, hk_qplan *plan)
{
  const hk_qsource *s = x->e->src;
  const char **given_as;
  hk_buf missing = HK_BUF_INIT;
  size_t n_missing = 0;
  int rc = HK_OK;

  x->values = calloc(s->n_params ? s->n_params : 1, sizeof *x->values);
  given_as = calloc(s->n_params ? s->n_params : 1, sizeof *given_as);
  if (!x->values || !given_as) {
    free(given_as);
    return hk_error_set(x->err, HK_E_NOMEM, "out of memory");
  }
  x->n_values = s->n_params;
  for (size_t i = 0; i < s->n_params; i++)
    x->values[i].p = &s->params[i];

  for (size_t k = 0; k < a->n; k++) {
    bool alias;
    const hk_qparam *p = param_named(s, a->keys[k], &alias);
    size_t idx;
    if (!p) {
      hk_buf names = HK_BUF_INIT;
      for (size_t i = 0; i < s->n_params; i++)
        hk_buf_appendf(&names, "%s%s", i ? ", " : "", s->params[i].name);
      hk_error_set(x->err, HK_E_CONFIG,
                   "query %s has no parameter '%s' (parameters: %s)",
                   x->e->name, a->keys[k], names.data ? names.data : "none");
      hk_buf_free(&names);
      rc = user_error(x->err, HK_E_CONFIG);
      goto out;
    }
    idx = (size_t)(p - s->params);
    if (given_as[idx]) {
      hk_error_set(x->err, HK_E_CONFIG,
                   "query %s: parameter '%s' is given twice (as '%s' and "
                   "'%s')",
                   x->e->name, p->name, given_as[idx], a->keys[k]);
      rc = user_error(x->err, HK_E_CONFIG);
      goto out;
    }
    given_as[idx] = a->keys[k];
    x->values[idx].given = true;
    x->values[idx].text = a->values[k];
  }

  plan->start_us = a->start_us;
  plan->end_us = a->end_us;
  for (size_t i = 0; i < s->n_params; i++) {
    qvalue *v = &x->values[i];
    const hk_qparam *p = v->p;
    bool is_start = strcmp(p->name, "start") == 0,
         is_end = strcmp(p->name, "end") == 0;
    int64_t range = is_start ? a->start_us : a->end_us;
    bool range_set =
        is_start ? a->start_us != HK_TIME_MIN : a->end_us != HK_TIME_MAX;
    if (p->type == HK_QP_DATETIME && (is_start || is_end)) {
      /* MSTICPy's start and end are the run's time range. */
      if (v->given && range_set) {
        hk_error_set(x->err, HK_E_CONFIG,
                     "query %s: parameter '%s' is given twice (--param %s "
                     "and --%s)",
                     x->e->name, p->name, given_as[i],
                     is_start ? "from" : "to");
        rc = user_error(x->err, HK_E_CONFIG);
        goto out;
      }
      if (range_set) {
        v->given = true;
        v->text = "";
        v->t_us = range;
        continue;
      }
      if (!v->given && !p->has_default) {
        /* MSTICPy's default window: a day either side of now; no window
         * is given to the provider then, as MSTICPy sends none. */
        v->given = true;
        v->text = "";
        v->t_us = a->now_us + (is_start ? -US_PER_DAY : US_PER_DAY);
        plan->default_time = true;
        continue;
      }
    }
    if (!v->given) {
      if (!p->has_default) {
        hk_buf_appendf(&missing, "%s'%s' (%s%s%s)", n_missing ? ", " : "",
                       p->name, hk_qparam_type_name(p->type),
                       p->description ? ": " : "",
                       p->description ? p->description : "");
        n_missing++;
        continue;
      }
      v->text = p->default_text ? p->default_text : "";
    }
    if ((rc = parse_value(x, v, a->now_us)) != HK_OK)
      goto out;
    if (p->type == HK_QP_DATETIME && v->given && (is_start || is_end)) {
      if (is_start)
        plan->start_us = v->t_us;
      else
        plan->end_us = v->t_us;
    }
  }
  if (n_missing) {
    hk_error_set(x->err, HK_E_CONFIG,
                 "query %s: missing required parameter%s %s", x->e->name,
                 n_missing > 1 ? "s" : "", missing.data);
    rc = user_error(x->err, HK_E_CONFIG);
  }
out:
  hk_buf_free(&missing);
  free(given_as);
  return rc;
}
