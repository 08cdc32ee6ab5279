/*
 * plugins/tableops/where_eval.c -- binding and evaluating a parsed `where`
 * tree.  Binding resolves column names and checks types once per stream;
 * evaluation walks the tree per row with SQL's three-valued logic (a null
 * cell makes a comparison unknown; only rows where the whole expression is
 * true are kept).
 */
#define _GNU_SOURCE /* memmem */
#include "where_expr.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ bind */

static const char *
type_name(int type)
{
  const char *n = hk_column_type_name(type);
  return n ? n : "unknown";
}

static const char *
value_kind_name(int kind)
{
  switch (kind) {
  case V_INT:
  case V_FLOAT:
    return "a number";
  case V_STR:
    return "a string";
  case V_BOOL:
    return "true/false";
  case V_TS:
    return "a date-time";
  default:
    return "null";
  }
}

static int
bind_column(tableops_where *w, operand *o, const tableops_columns *cols,
            hk_error *err)
{
  (void)w;
  if (o->kind != OPD_COLUMN)
    return HK_OK;
  o->col = tableops_columns_find(cols, o->name);
  if (o->col < 0)
    return tableops_error_no_column(err, "where", o->name, cols);
  o->type = cols->types[o->col];
  return HK_OK;
}

static bool
is_numeric_type(int t)
{
  return t == HK_COL_INT64 || t == HK_COL_FLOAT64;
}

/* Convert literal `lit` (compared with column `c`) to the column's type
 * where the column type needs it; refuse pairs that can never compare. */
static int
convert_literal(tableops_where *w, const operand *c, operand *lit,
                hk_error *err)
{
  value *v = &lit->lit;
  const char *tn = type_name(c->type);
  switch (c->type) {
  case HK_COL_INT64:
  case HK_COL_FLOAT64:
    if (v->kind == V_INT || v->kind == V_FLOAT)
      return HK_OK;
    if (v->kind == V_STR) {
      int k = tableops_parse_number(v->s, v->len, &v->i, &v->f);
      if (k == 0)
        return tableops_syntax_error(
            &w->toks, err, lit->pos,
            "column '%s' is %s but \"%s\" is not a number", c->name, tn, v->s);
      v->kind = k == 1 ? V_INT : V_FLOAT;
      return HK_OK;
    }
    break;
  case HK_COL_TIMESTAMP:
    if (v->kind == V_TS)
      return HK_OK;
    if (v->kind == V_STR) {
      if (!tableops_parse_iso8601(v->s, v->len, &v->i))
        return tableops_syntax_error(
            &w->toks, err, lit->pos,
            "column '%s' is a timestamp but \"%s\" is not an ISO-8601 "
            "date-time (e.g. \"2019-01-15T05:15:02Z\")",
            c->name, v->s);
      v->kind = V_TS;
      return HK_OK;
    }
    return tableops_syntax_error(
        &w->toks, err, lit->pos,
        "column '%s' is a timestamp: compare it with an ISO-8601 string "
        "such as \"2019-01-15T05:15:02Z\", not %s",
        c->name, value_kind_name(v->kind));
  case HK_COL_BOOL:
    if (v->kind == V_BOOL)
      return HK_OK;
    if (v->kind == V_STR) {
      int b = 0;
      if (!tableops_parse_bool(v->s, v->len, &b))
        return tableops_syntax_error(
            &w->toks, err, lit->pos,
            "column '%s' is bool but \"%s\" is not true or false", c->name,
            v->s);
      v->kind = V_BOOL;
      v->i = b;
      return HK_OK;
    }
    if (v->kind == V_INT && (v->i == 0 || v->i == 1)) {
      v->kind = V_BOOL;
      return HK_OK;
    }
    break;
  default: /* utf8 cells are read per row; an all-null column never matches */
    return HK_OK;
  }
  return tableops_syntax_error(&w->toks, err, lit->pos,
                               "cannot compare %s column '%s' with %s", tn,
                               c->name, value_kind_name(v->kind));
}

static int
cmp_str_operands(const void *a, const void *b)
{
  const value *x = &((const operand *)a)->lit, *y = &((const operand *)b)->lit;
  size_t n = x->len < y->len ? x->len : y->len;
  int c = n ? memcmp(x->s, y->s, n) : 0;
  if (c)
    return c;
  return x->len < y->len ? -1 : x->len > y->len;
}

static int
cmp_int_operands(const void *a, const void *b)
{
  int64_t x = ((const operand *)a)->lit.i, y = ((const operand *)b)->lit.i;
  return x < y ? -1 : x > y;
}

/* A long `in` list of strings on a text column, or of integers on an int
 * column, is searched by bisection: IoC lists run to thousands. */
static void
sort_list(node *n)
{
  int kind = n->lhs.type == HK_COL_UTF8    ? V_STR
             : n->lhs.type == HK_COL_INT64 ? V_INT
                                           : V_NULL;
  if (kind == V_NULL || n->n_list < 8)
    return;
  for (size_t k = 0; k < n->n_list; k++)
    if (n->list[k].lit.kind != kind)
      return;
  qsort(n->list, n->n_list, sizeof *n->list,
        kind == V_STR ? cmp_str_operands : cmp_int_operands);
  n->list_sorted = kind;
}

static int
flip(int op)
{
  switch (op) {
  case OP_LT:
    return OP_GT;
  case OP_LE:
    return OP_GE;
  case OP_GT:
    return OP_LT;
  case OP_GE:
    return OP_LE;
  default:
    return op;
  }
}

static int
bind_node(tableops_where *w, node *n, const tableops_columns *cols,
          hk_error *err)
{
  int rc;
  switch (n->kind) {
  case N_AND:
  case N_OR:
    rc = bind_node(w, n->a, cols, err);
    return rc != HK_OK ? rc : bind_node(w, n->b, cols, err);
  case N_NOT:
    return bind_node(w, n->a, cols, err);
  case N_ISNULL:
  case N_ISEMPTY:
  case N_STROP:
    return bind_column(w, &n->lhs, cols, err);
  case N_TRUTH:
    rc = bind_column(w, &n->lhs, cols, err);
    if (rc != HK_OK)
      return rc;
    if (n->lhs.kind == OPD_COLUMN && n->lhs.type != HK_COL_BOOL &&
        n->lhs.type != HK_COL_NULL)
      return tableops_syntax_error(
          &w->toks, err, n->lhs.pos,
          "column '%s' is %s, not true/false: compare it, e.g. '%s == ...'",
          n->lhs.name, type_name(n->lhs.type), n->lhs.name);
    if (n->lhs.kind == OPD_LITERAL && n->lhs.lit.kind != V_BOOL)
      return tableops_syntax_error(&w->toks, err, n->lhs.pos,
                                   "'%.*s' is not a condition",
                                   (int)n->lhs.src_len, w->text + n->lhs.pos);
    return HK_OK;
  case N_IN:
    rc = bind_column(w, &n->lhs, cols, err);
    if (rc != HK_OK || n->caseless || n->lhs.kind != OPD_COLUMN)
      return rc;
    for (size_t k = 0; k < n->n_list; k++) {
      rc = convert_literal(w, &n->lhs, &n->list[k], err);
      if (rc != HK_OK)
        return rc;
    }
    sort_list(n);
    return HK_OK;
  case N_CMP:
    rc = bind_column(w, &n->lhs, cols, err);
    if (rc != HK_OK)
      return rc;
    if (n->rhs.kind == OPD_COLUMN &&
        tableops_columns_find(cols, n->rhs.name) < 0 &&
        n->lhs.kind == OPD_COLUMN) {
      /* `Computer == WKS1`: most likely text that lacks its quotes. */
      char list[300];
      tableops_columns_text(cols, list, sizeof list);
      return hk_error_set(err, HK_E_NOTFOUND,
                          "where: no column '%s' (to compare with text, quote "
                          "it: \"%s\"; columns: %s)",
                          n->rhs.name, n->rhs.name, list);
    }
    rc = bind_column(w, &n->rhs, cols, err);
    if (rc != HK_OK)
      return rc;
    if (n->lhs.kind == OPD_LITERAL && n->rhs.kind == OPD_COLUMN) {
      operand t = n->lhs;
      n->lhs = n->rhs;
      n->rhs = t;
      n->op = flip(n->op);
    }
    if (n->lhs.kind == OPD_COLUMN && n->rhs.kind == OPD_LITERAL)
      return convert_literal(w, &n->lhs, &n->rhs, err);
    if (n->lhs.kind == OPD_COLUMN && n->rhs.kind == OPD_COLUMN) {
      int a = n->lhs.type, b = n->rhs.type;
      bool bad =
          (is_numeric_type(a) && (b == HK_COL_BOOL || b == HK_COL_TIMESTAMP)) ||
          (is_numeric_type(b) && (a == HK_COL_BOOL || a == HK_COL_TIMESTAMP)) ||
          (a == HK_COL_TIMESTAMP && b == HK_COL_BOOL) ||
          (b == HK_COL_TIMESTAMP && a == HK_COL_BOOL);
      if (bad)
        return tableops_syntax_error(&w->toks, err, n->pos,
                                     "cannot compare %s column '%s' with %s "
                                     "column '%s'",
                                     type_name(a), n->lhs.name, type_name(b),
                                     n->rhs.name);
    }
    return HK_OK;
  default:
    return HK_OK;
  }
}

int
tableops_where_bind(tableops_where *w, const tableops_columns *cols,
                    hk_error *err)
{
  return bind_node(w, w->root, cols, err);
}

/* ------------------------------------------------------------------ eval */

static void
fetch(const operand *o, const hk_batch_view *v, int64_t row, value *out)
{
  if (o->kind == OPD_LITERAL) {
    *out = o->lit;
    return;
  }
  out->kind = V_NULL;
  if (o->type == HK_COL_NULL || hk_batch_view_is_null(v, o->col, row))
    return;
  switch (o->type) {
  case HK_COL_INT64:
    out->kind = V_INT;
    out->i = hk_batch_view_int64(v, o->col, row);
    break;
  case HK_COL_FLOAT64:
    out->kind = V_FLOAT;
    out->f = hk_batch_view_float64(v, o->col, row);
    break;
  case HK_COL_BOOL:
    out->kind = V_BOOL;
    out->i = hk_batch_view_bool(v, o->col, row) != 0;
    break;
  case HK_COL_TIMESTAMP:
    out->kind = V_TS;
    out->i = hk_batch_view_timestamp(v, o->col, row);
    break;
  case HK_COL_UTF8:
    out->kind = V_STR;
    out->s = hk_batch_view_utf8(v, o->col, row, &out->len);
    break;
  default:
    break;
  }
}

#define INCOMPARABLE 2

static int
cmp_int_float(int64_t i, double d)
{
  if (isnan(d))
    return INCOMPARABLE;
  if (d >= 9223372036854775808.0)
    return -1;
  if (d < -9223372036854775808.0)
    return 1;
  double t = trunc(d);
  int64_t ti = (int64_t)t;
  if (i != ti)
    return i < ti ? -1 : 1;
  return d > t ? -1 : d < t ? 1 : 0;
}

static int
cmp_num(const value *a, const value *b)
{
  if (a->kind == V_INT && b->kind == V_INT)
    return a->i < b->i ? -1 : a->i > b->i;
  if (a->kind == V_INT)
    return cmp_int_float(a->i, b->f);
  if (b->kind == V_INT) {
    int c = cmp_int_float(b->i, a->f);
    return c == INCOMPARABLE ? c : -c;
  }
  if (isnan(a->f) || isnan(b->f))
    return INCOMPARABLE;
  return a->f < b->f ? -1 : a->f > b->f;
}

/* Read a string value as the other side's kind. */
static bool
coerce_str(const value *s, int kind, value *out)
{
  switch (kind) {
  case V_INT:
  case V_FLOAT: {
    int k = tableops_parse_number(s->s, s->len, &out->i, &out->f);
    out->kind = k == 1 ? V_INT : V_FLOAT;
    return k != 0;
  }
  case V_TS:
    out->kind = V_TS;
    return tableops_parse_iso8601(s->s, s->len, &out->i);
  case V_BOOL: {
    int b = 0;
    out->kind = V_BOOL;
    if (!tableops_parse_bool(s->s, s->len, &b))
      return false;
    out->i = b;
    return true;
  }
  default:
    return false;
  }
}

/* -1, 0, 1, or INCOMPARABLE.  Neither value is null. */
static int
value_cmp(const value *a, const value *b)
{
  value tmp;
  if (a->kind == V_STR && b->kind == V_STR) {
    size_t n = a->len < b->len ? a->len : b->len;
    int c = n ? memcmp(a->s, b->s, n) : 0;
    if (c)
      return c < 0 ? -1 : 1;
    return a->len < b->len ? -1 : a->len > b->len;
  }
  if (a->kind == V_STR) {
    if (!coerce_str(a, b->kind, &tmp))
      return INCOMPARABLE;
    return value_cmp(&tmp, b);
  }
  if (b->kind == V_STR) {
    if (!coerce_str(b, a->kind, &tmp))
      return INCOMPARABLE;
    return value_cmp(a, &tmp);
  }
  bool an = a->kind == V_INT || a->kind == V_FLOAT;
  bool bn = b->kind == V_INT || b->kind == V_FLOAT;
  if (an && bn)
    return cmp_num(a, b);
  if (a->kind != b->kind)
    return INCOMPARABLE;
  return a->i < b->i ? -1 : a->i > b->i;
}

static bool
op_holds(int op, int c)
{
  switch (op) {
  case OP_EQ:
    return c == 0;
  case OP_NE:
    return c != 0;
  case OP_LT:
    return c < 0;
  case OP_LE:
    return c <= 0;
  case OP_GT:
    return c > 0;
  case OP_GE:
    return c >= 0;
  default:
    return false;
  }
}

/* The operand's value as text (for string operators); false when null. */
static bool
operand_text(const operand *o, const hk_batch_view *v, int64_t row, char *buf,
             size_t cap, const char **s, size_t *len)
{
  if (o->kind == OPD_LITERAL) {
    if (o->lit.kind == V_NULL)
      return false;
    *s = o->text;
    *len = o->text_len;
    return true;
  }
  if (o->type == HK_COL_NULL || hk_batch_view_is_null(v, o->col, row))
    return false;
  if (o->type == HK_COL_UTF8) {
    *s = hk_batch_view_utf8(v, o->col, row, len);
    return true;
  }
  size_t need = hk_batch_view_format_cell(v, o->col, row, buf, cap);
  *s = buf;
  *len = need < cap ? need : cap - 1;
  return true;
}

static bool
re_match(tableops_where *w, node *n, const char *s, size_t len, int64_t row)
{
  int rc =
      pcre2_match(n->re, (PCRE2_SPTR)(len ? s : ""), len, 0, 0, n->md, NULL);
  if (rc >= 0)
    return true;
  if (rc != PCRE2_ERROR_NOMATCH && !w->failed) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(rc, msg, sizeof msg);
    w->failed = 1;
    hk_error_set(w->run_err, HK_E_LIMIT,
                 "where: matching the pattern at column %zu failed on row "
                 "%lld of a batch: %s",
                 tableops_column_of(&w->toks, n->rhs.pos), (long long)row + 1,
                 (const char *)msg);
  }
  return false;
}

static bool
strop_holds(tableops_where *w, node *n, const char *s, size_t len, int64_t row)
{
  if (n->re)
    return re_match(w, n, s, len, row);
  const char *nd = n->rhs.text;
  size_t nl = n->rhs.text_len;
  switch (n->op) {
  case S_CONTAINS:
    return nl == 0 || (len >= nl && memmem(s, len, nd, nl) != NULL);
  case S_STARTSWITH:
    return len >= nl && (nl == 0 || memcmp(s, nd, nl) == 0);
  case S_ENDSWITH:
    return len >= nl && (nl == 0 || memcmp(s + len - nl, nd, nl) == 0);
  default:
    return false;
  }
}

static int
eval(tableops_where *w, node *n, const hk_batch_view *v, int64_t row)
{
  value a, b;
  char buf[80];
  const char *s;
  size_t len;
  int x, y;
  switch (n->kind) {
  case N_AND:
    x = eval(w, n->a, v, row);
    if (x == TV_FALSE)
      return TV_FALSE;
    y = eval(w, n->b, v, row);
    if (y == TV_FALSE)
      return TV_FALSE;
    return x == TV_TRUE && y == TV_TRUE ? TV_TRUE : TV_UNKNOWN;
  case N_OR:
    x = eval(w, n->a, v, row);
    if (x == TV_TRUE)
      return TV_TRUE;
    y = eval(w, n->b, v, row);
    if (y == TV_TRUE)
      return TV_TRUE;
    return x == TV_FALSE && y == TV_FALSE ? TV_FALSE : TV_UNKNOWN;
  case N_NOT:
    x = eval(w, n->a, v, row);
    return x == TV_UNKNOWN ? x : !x;
  case N_TRUTH:
    fetch(&n->lhs, v, row, &a);
    if (a.kind == V_NULL)
      return TV_UNKNOWN;
    return a.i ? TV_TRUE : TV_FALSE;
  case N_ISNULL:
    fetch(&n->lhs, v, row, &a);
    return (a.kind == V_NULL) != n->negate;
  case N_ISEMPTY:
    fetch(&n->lhs, v, row, &a);
    return (a.kind == V_NULL || (a.kind == V_STR && a.len == 0)) != n->negate;
  case N_CMP:
    fetch(&n->lhs, v, row, &a);
    fetch(&n->rhs, v, row, &b);
    if (a.kind == V_NULL || b.kind == V_NULL)
      return TV_UNKNOWN;
    x = value_cmp(&a, &b);
    /* A cell that cannot be read as the other side's type is neither
     * equal nor unequal to it: every comparison is false. */
    if (x == INCOMPARABLE)
      return TV_FALSE;
    return op_holds(n->op, x);
  case N_STROP:
    if (!operand_text(&n->lhs, v, row, buf, sizeof buf, &s, &len))
      return TV_UNKNOWN;
    return strop_holds(w, n, s, len, row) != n->negate;
  case N_IN: {
    bool found = false;
    if (n->re) {
      if (!operand_text(&n->lhs, v, row, buf, sizeof buf, &s, &len))
        return TV_UNKNOWN;
      found = re_match(w, n, s, len, row);
    } else {
      fetch(&n->lhs, v, row, &a);
      if (a.kind == V_NULL)
        return TV_UNKNOWN;
      if (n->list_sorted) {
        operand key;
        key.lit = a;
        found = bsearch(&key, n->list, n->n_list, sizeof *n->list,
                        n->list_sorted == V_STR ? cmp_str_operands
                                                : cmp_int_operands) != NULL;
      }
      for (size_t k = 0; k < n->n_list && !found && !n->list_sorted; k++)
        found = value_cmp(&a, &n->list[k].lit) == 0;
    }
    return found != n->negate;
  }
  default:
    return TV_UNKNOWN;
  }
}

int64_t
tableops_where_eval(tableops_where *w, const hk_batch_view *v, uint8_t *keep,
                    hk_error *err)
{
  int64_t kept = 0;
  w->run_err = err;
  w->failed = 0;
  for (int64_t r = 0; r < v->rows; r++) {
    keep[r] = eval(w, w->root, v, r) == TV_TRUE;
    kept += keep[r];
    if (w->failed)
      return err ? err->code : HK_E_FAIL;
  }
  return kept;
}
