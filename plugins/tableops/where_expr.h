/*
 * plugins/tableops/where_expr.h -- the compiled `where` tree, shared by
 * the parser (where_expr.c) and the binder/evaluator (where_eval.c).
 */
#ifndef HK_PLUGIN_TABLEOPS_WHERE_EXPR_H
#define HK_PLUGIN_TABLEOPS_WHERE_EXPR_H

#include "tableops.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#ifdef PCRE2_MATCH_INVALID_UTF
#define HK_PCRE2_UTF (PCRE2_UTF | PCRE2_MATCH_INVALID_UTF)
#else
#define HK_PCRE2_UTF PCRE2_UTF
#endif

enum value_kind { V_NULL, V_INT, V_FLOAT, V_STR, V_BOOL, V_TS };

typedef struct value {
  int kind;
  int64_t i; /* V_INT, V_BOOL, V_TS */
  double f;
  const char *s; /* V_STR */
  size_t len;
} value;

enum truth { TV_FALSE = 0, TV_TRUE = 1, TV_UNKNOWN = 2 };

enum operand_kind { OPD_COLUMN = 1, OPD_LITERAL = 2 };

typedef struct operand {
  int kind;
  const char *name; /* column name (borrowed from the tokens) */
  size_t pos;       /* source position of the operand */
  size_t src_len;
  int64_t col; /* after bind */
  int type;    /* column type after bind */
  value lit;
  const char *text; /* a literal as text, for string operators */
  size_t text_len;
} operand;

enum node_kind {
  N_AND = 1,
  N_OR,
  N_NOT,
  N_CMP,
  N_STROP,
  N_IN,
  N_ISNULL,
  N_ISEMPTY,
  N_TRUTH
};

enum strop_kind {
  S_CONTAINS = 1,
  S_STARTSWITH,
  S_ENDSWITH,
  S_EQUALS,
  S_MATCHES
};

typedef struct node {
  int kind;
  int op;        /* enum tableops_op (N_CMP) or strop_kind (N_STROP) */
  bool negate;   /* !contains, !in, is not null, ... */
  bool caseless; /* contains, =~, in~ (through `re`) */
  size_t pos;    /* of the operator, for messages */
  struct node *a, *b;
  operand lhs, rhs;
  operand *list; /* N_IN */
  size_t n_list;
  int list_sorted; /* V_STR or V_INT when `list` is sorted for bsearch */
  pcre2_code *re;
  pcre2_match_data *md;
} node;

struct tableops_where {
  char *text;
  tableops_tokens toks;
  node *root;
  hk_error *run_err; /* set during eval, for match failures */
  int failed;
};

#endif /* HK_PLUGIN_TABLEOPS_WHERE_EXPR_H */
