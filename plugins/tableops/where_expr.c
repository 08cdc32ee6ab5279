/*
 * plugins/tableops/where_expr.c -- the `where` expression parser: recursive
 * descent from the tokens into a tree (where_expr.h).  Regexes and
 * case-insensitive patterns are compiled here, once, with PCRE2 JIT, so a
 * bad pattern is reported before any row is read.  Grammar: README.md.
 */
#include "where_expr.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* PCRE2's JIT code reads a few bytes past the end of a subject (harmless:
 * within the buffer), which valgrind reports as uses of uninitialised
 * memory.  Under valgrind the interpreter runs instead; the results are
 * the same. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HK_UNDER_VALGRIND() RUNNING_ON_VALGRIND
#endif
#endif
#ifndef HK_UNDER_VALGRIND
#define HK_UNDER_VALGRIND() 0
#endif

/* Deepest nesting of parentheses and `not`: bounds the recursion. */
#define MAX_DEPTH 200

typedef struct parser {
  tableops_where *w;
  tableops_tokens *t;
  size_t i;
  int depth;
  hk_error *err;
} parser;

/* ------------------------------------------------------------------ tree */

static void
node_free(node *n)
{
  if (!n)
    return;
  node_free(n->a);
  node_free(n->b);
  free(n->list);
  if (n->md)
    pcre2_match_data_free(n->md);
  if (n->re)
    pcre2_code_free(n->re);
  free(n);
}

void
tableops_where_free(tableops_where *w)
{
  if (!w)
    return;
  node_free(w->root);
  tableops_tokens_free(&w->toks);
  free(w->text);
  free(w);
}

static node *
node_new(parser *p, int kind, size_t pos)
{
  node *n = calloc(1, sizeof *n);
  if (!n)
    hk_error_set(p->err, HK_E_NOMEM, "where: out of memory");
  else {
    n->kind = kind;
    n->pos = pos;
  }
  return n;
}

/* ---------------------------------------------------------------- parser */

static const tableops_token *
cur(const parser *p)
{
  return &p->t->tok[p->i];
}

static const tableops_token *
peek(const parser *p, size_t ahead)
{
  size_t k = p->i + ahead;
  return &p->t->tok[k < p->t->n ? k : p->t->n - 1];
}

static const char *
show(const parser *p, size_t i, char *buf, size_t cap)
{
  return tableops_token_show(p->t, i, buf, cap);
}

static int fail(parser *p, size_t pos, const char *fmt, ...) HK_PRINTF(3, 4);

static int
fail(parser *p, size_t pos, const char *fmt, ...)
{
  char what[HK_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tableops_syntax_error(p->t, p->err, pos, "%s", what);
}

/* Words that are operators or connectives, never bare column names. */
static bool
is_reserved(const tableops_token *tk)
{
  static const char *const words[] = {
      "and",         "or",          "not",
      "in",          "is",          "contains",
      "contains_cs", "startswith",  "startswith_cs",
      "endswith",    "endswith_cs", "matches",
      NULL};
  if (tk->kind != TT_IDENT)
    return false;
  for (size_t k = 0; words[k]; k++)
    if (strcasecmp(tk->text, words[k]) == 0)
      return true;
  return false;
}

static bool
is_and(const tableops_token *tk)
{
  return tableops_tok_is_word(tk, "and") ||
         (tk->kind == TT_OP && tk->op == OP_AND);
}

static bool
is_or(const tableops_token *tk)
{
  return tableops_tok_is_word(tk, "or") ||
         (tk->kind == TT_OP && tk->op == OP_OR);
}

/* Parse one operand: a column, a literal or datetime("...").  Returns 1
 * when one was found, 0 when the current token cannot start an operand
 * (nothing consumed), negative on error. */
static int
parse_operand(parser *p, operand *o)
{
  const tableops_token *tk = cur(p);
  memset(o, 0, sizeof *o);
  o->pos = tk->pos;
  o->src_len = tk->len;
  o->kind = OPD_LITERAL;
  switch (tk->kind) {
  case TT_QIDENT:
    o->kind = OPD_COLUMN;
    o->name = tk->text;
    p->i++;
    return 1;
  case TT_IDENT:
    if (is_reserved(tk))
      return 0;
    if (tableops_tok_is_word(tk, "true") || tableops_tok_is_word(tk, "false")) {
      o->lit.kind = V_BOOL;
      o->lit.i = tableops_tok_is_word(tk, "true");
    } else if (tableops_tok_is_word(tk, "null")) {
      o->lit.kind = V_NULL;
    } else if (tableops_tok_is_word(tk, "datetime") &&
               peek(p, 1)->kind == TT_LPAREN) {
      const tableops_token *s = peek(p, 2);
      if (s->kind != TT_STRING || peek(p, 3)->kind != TT_RPAREN)
        return fail(p, tk->pos,
                    "datetime() takes one quoted ISO-8601 date-time, e.g. "
                    "datetime(\"2019-01-15T05:15:02Z\")");
      if (!tableops_parse_iso8601(s->text, s->text_len, &o->lit.i))
        return fail(p, s->pos,
                    "\"%s\" is not an ISO-8601 date-time (e.g. "
                    "\"2019-01-15T05:15:02Z\")",
                    s->text);
      o->lit.kind = V_TS;
      o->src_len = peek(p, 3)->pos + 1 - tk->pos;
      o->text = s->text;
      o->text_len = s->text_len;
      p->i += 4;
      return 1;
    } else {
      o->kind = OPD_COLUMN;
      o->name = tk->text;
    }
    o->text = p->t->src + tk->pos;
    o->text_len = tk->len;
    p->i++;
    return 1;
  case TT_STRING:
    o->lit.kind = V_STR;
    o->lit.s = tk->text;
    o->lit.len = tk->text_len;
    o->text = tk->text;
    o->text_len = tk->text_len;
    p->i++;
    return 1;
  case TT_INT:
  case TT_FLOAT:
  case TT_MINUS: {
    bool neg = tk->kind == TT_MINUS;
    const tableops_token *num = neg ? peek(p, 1) : tk;
    if (num->kind != TT_INT && num->kind != TT_FLOAT)
      return 0;
    if (num->kind == TT_INT) {
      o->lit.kind = V_INT;
      o->lit.i = neg ? -num->i : num->i;
    } else {
      o->lit.kind = V_FLOAT;
      o->lit.f = neg ? -num->f : num->f;
    }
    o->src_len = num->pos + num->len - tk->pos;
    o->text = p->t->src + tk->pos;
    o->text_len = o->src_len;
    p->i += neg ? 2 : 1;
    return 1;
  }
  default:
    return 0;
  }
}

/* The operand after an operator; a missing one is an error naming the
 * operator. */
static int
expect_operand(parser *p, operand *o, const char *after)
{
  char shown[80];
  int rc = parse_operand(p, o);
  if (rc < 0)
    return rc;
  if (rc == 1)
    return HK_OK;
  if (cur(p)->kind == TT_END)
    return fail(p, cur(p)->pos, "expected a value after '%s'", after);
  return fail(p, cur(p)->pos, "expected a value after '%s', found %s", after,
              show(p, p->i, shown, sizeof shown));
}

/* Escape a literal for use inside a PCRE2 pattern (UTF mode: only ASCII
 * punctuation is special after a backslash). */
static int
append_escaped(hk_buf *b, const char *s, size_t len)
{
  for (size_t k = 0; k < len; k++) {
    unsigned char c = (unsigned char)s[k];
    bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                 (c >= 'A' && c <= 'Z') || c >= 0x80;
    if (!alnum && hk_buf_append_char(b, '\\') != HK_OK)
      return HK_E_NOMEM;
    if (hk_buf_append_char(b, (char)c) != HK_OK)
      return HK_E_NOMEM;
  }
  return HK_OK;
}

/* Compile `pat` into n->re (JIT when available); errors point at `pos`. */
static int
compile_re(parser *p, node *n, const char *pat, size_t len, uint32_t options,
           size_t pos, const char *what)
{
  int code;
  PCRE2_SIZE off;
  n->re = pcre2_compile((PCRE2_SPTR)pat, len, options | HK_PCRE2_UTF, &code,
                        &off, NULL);
  if (!n->re) {
    PCRE2_UCHAR msg[160];
    pcre2_get_error_message(code, msg, sizeof msg);
    if (code == PCRE2_ERROR_UTF8_ERR1 ||
        (code <= PCRE2_ERROR_UTF8_ERR1 && code >= PCRE2_ERROR_UTF8_ERR21))
      return fail(p, pos, "the %s is not valid UTF-8", what);
    if (options & PCRE2_LITERAL)
      return fail(p, pos, "cannot use the %s: %s", what, (const char *)msg);
    return fail(p, pos, "bad regex \"%.*s\": %s (offset %zu)", (int)len, pat,
                (const char *)msg, (size_t)off);
  }
  /* JIT is an optimisation: without it (no JIT support, no executable
   * memory) matching still works, only slower. */
  if (!HK_UNDER_VALGRIND())
    (void)pcre2_jit_compile(n->re, PCRE2_JIT_COMPLETE);
  n->md = pcre2_match_data_create_from_pattern(n->re, NULL);
  if (!n->md)
    return hk_error_set(p->err, HK_E_NOMEM, "where: out of memory");
  return HK_OK;
}

static const struct {
  const char *word;
  int strop;
  bool caseless;
} strops[] = {
    {"contains", S_CONTAINS, true},     {"contains_cs", S_CONTAINS, false},
    {"startswith", S_STARTSWITH, true}, {"startswith_cs", S_STARTSWITH, false},
    {"endswith", S_ENDSWITH, true},     {"endswith_cs", S_ENDSWITH, false},
    {"matches", S_MATCHES, false},
};

static int
find_strop(const tableops_token *tk)
{
  for (size_t k = 0; k < sizeof strops / sizeof strops[0]; k++)
    if (tableops_tok_is_word(tk, strops[k].word))
      return (int)k;
  return -1;
}

/* `lhs contains "x"` and friends; the operator word is current. */
static int
parse_strop(parser *p, node *n, int which)
{
  char shown[80];
  const tableops_token *optk = cur(p);
  char opword[32];
  snprintf(opword, sizeof opword, "%s", optk->text);
  n->kind = N_STROP;
  n->op = strops[which].strop;
  n->caseless = strops[which].caseless;
  n->pos = optk->pos;
  p->i++;
  if (n->op == S_MATCHES && tableops_tok_is_word(cur(p), "regex"))
    p->i++;
  const tableops_token *rt = cur(p);
  if (rt->kind == TT_STRING) {
    n->rhs.lit.kind = V_STR;
    n->rhs.text = rt->text;
    n->rhs.text_len = rt->text_len;
  } else if (n->op != S_MATCHES &&
             (rt->kind == TT_INT || rt->kind == TT_FLOAT)) {
    n->rhs.lit.kind = V_STR;
    n->rhs.text = p->t->src + rt->pos;
    n->rhs.text_len = rt->len;
  } else if (rt->kind == TT_END) {
    return fail(p, rt->pos, "expected a quoted %s after '%s'",
                n->op == S_MATCHES ? "regex" : "string", opword);
  } else {
    return fail(p, rt->pos, "expected a quoted %s after '%s', found %s",
                n->op == S_MATCHES ? "regex" : "string", opword,
                show(p, p->i, shown, sizeof shown));
  }
  n->rhs.kind = OPD_LITERAL;
  n->rhs.pos = rt->pos;
  n->rhs.lit.s = n->rhs.text;
  n->rhs.lit.len = n->rhs.text_len;
  p->i++;
  if (n->op == S_MATCHES)
    return compile_re(p, n, n->rhs.text, n->rhs.text_len, 0, rt->pos, "regex");
  if (n->caseless) {
    uint32_t opt = PCRE2_LITERAL | PCRE2_CASELESS;
    if (n->op == S_STARTSWITH || n->op == S_EQUALS)
      opt |= PCRE2_ANCHORED;
    if (n->op == S_ENDSWITH || n->op == S_EQUALS)
      opt |= PCRE2_ENDANCHORED;
    return compile_re(p, n, n->rhs.text, n->rhs.text_len, opt, rt->pos,
                      "string");
  }
  return HK_OK;
}

/* `lhs in (v1, v2)`, `in~`: the word `in` is current. */
static int
parse_in(parser *p, node *n)
{
  char shown[80];
  const tableops_token *in = cur(p);
  size_t cap = 0;
  n->kind = N_IN;
  n->pos = in->pos;
  p->i++;
  if (cur(p)->kind == TT_TILDE && cur(p)->pos == in->pos + in->len) {
    n->caseless = true;
    p->i++;
  }
  if (cur(p)->kind != TT_LPAREN)
    return fail(p, cur(p)->pos, "expected '(' after 'in', found %s",
                show(p, p->i, shown, sizeof shown));
  p->i++;
  for (;;) {
    operand o;
    int rc = parse_operand(p, &o);
    if (rc < 0)
      return rc;
    if (rc == 0)
      return fail(p, cur(p)->pos, "expected a value in the list after 'in'%s%s",
                  cur(p)->kind == TT_END ? "" : ", found ",
                  cur(p)->kind == TT_END ? ""
                                         : show(p, p->i, shown, sizeof shown));
    if (o.kind == OPD_COLUMN)
      return fail(p, o.pos,
                  "the list after 'in' takes values, not columns: quote "
                  "'%s' if it is text",
                  o.name);
    if (o.lit.kind == V_NULL)
      return fail(p, o.pos, "null cannot be in an 'in' list; use 'is null'");
    if (n->n_list == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      operand *l = realloc(n->list, ncap * sizeof *l);
      if (!l)
        return hk_error_set(p->err, HK_E_NOMEM, "where: out of memory");
      n->list = l;
      cap = ncap;
    }
    n->list[n->n_list++] = o;
    if (cur(p)->kind == TT_COMMA) {
      p->i++;
      continue;
    }
    if (cur(p)->kind == TT_RPAREN) {
      p->i++;
      break;
    }
    return fail(p, cur(p)->pos,
                "expected ',' or ')' in the list after 'in', "
                "found %s",
                show(p, p->i, shown, sizeof shown));
  }
  if (!n->caseless)
    return HK_OK;
  /* in~: one anchored caseless alternation of the escaped texts. */
  hk_buf pat = HK_BUF_INIT;
  int rc = hk_buf_append_str(&pat, "(?:");
  for (size_t k = 0; k < n->n_list && rc == HK_OK; k++) {
    if (k)
      rc = hk_buf_append_char(&pat, '|');
    if (rc == HK_OK)
      rc = append_escaped(&pat, n->list[k].text, n->list[k].text_len);
  }
  if (rc == HK_OK)
    rc = hk_buf_append_char(&pat, ')');
  if (rc != HK_OK) {
    hk_buf_free(&pat);
    return hk_error_set(p->err, HK_E_NOMEM, "where: out of memory");
  }
  rc = compile_re(p, n, pat.data, pat.len,
                  PCRE2_CASELESS | PCRE2_ANCHORED | PCRE2_ENDANCHORED, n->pos,
                  "list");
  hk_buf_free(&pat);
  return rc;
}

static node *parse_or(parser *p);

static node *
parse_predicate(parser *p)
{
  char shown[80], shown2[80];
  const tableops_token *tk = cur(p);
  node *n;
  if (tk->kind == TT_LPAREN) {
    size_t open = tk->pos;
    p->i++;
    if (++p->depth > MAX_DEPTH) {
      fail(p, open, "expression nested too deeply (over %d levels)", MAX_DEPTH);
      return NULL;
    }
    n = parse_or(p);
    p->depth--;
    if (!n)
      return NULL;
    if (cur(p)->kind != TT_RPAREN) {
      fail(p, cur(p)->pos,
           "expected ')' to close the '(' at column %zu, "
           "found %s",
           tableops_column_of(p->t, open), show(p, p->i, shown, sizeof shown));
      node_free(n);
      return NULL;
    }
    p->i++;
    return n;
  }
  static const struct {
    const char *name;
    int kind;
    bool negate;
  } funcs[] = {{"isnull", N_ISNULL, false},
               {"isnotnull", N_ISNULL, true},
               {"isempty", N_ISEMPTY, false},
               {"isnotempty", N_ISEMPTY, true}};
  if (tk->kind == TT_IDENT && peek(p, 1)->kind == TT_LPAREN) {
    for (size_t k = 0; k < sizeof funcs / sizeof funcs[0]; k++) {
      if (!tableops_tok_is_word(tk, funcs[k].name))
        continue;
      n = node_new(p, funcs[k].kind, tk->pos);
      if (!n)
        return NULL;
      n->negate = funcs[k].negate;
      p->i += 2;
      char after[32];
      snprintf(after, sizeof after, "%s(", funcs[k].name);
      if (expect_operand(p, &n->lhs, after) != HK_OK) {
        node_free(n);
        return NULL;
      }
      if (cur(p)->kind != TT_RPAREN) {
        fail(p, cur(p)->pos,
             "expected ')' after the argument of %s(), "
             "found %s",
             funcs[k].name, show(p, p->i, shown, sizeof shown));
        node_free(n);
        return NULL;
      }
      p->i++;
      return n;
    }
  }

  n = node_new(p, N_TRUTH, tk->pos);
  if (!n)
    return NULL;
  int rc = parse_operand(p, &n->lhs);
  if (rc <= 0) {
    if (rc == 0) {
      if (tk->kind == TT_END)
        fail(p, tk->pos, "expected a condition");
      else if (tk->kind == TT_RPAREN)
        fail(p, tk->pos, "expected a condition, found ')'");
      else
        fail(p, tk->pos, "expected a column or value, found %s",
             show(p, p->i, shown, sizeof shown));
    }
    node_free(n);
    return NULL;
  }
  size_t lhs_end = p->i - 1;
  const tableops_token *op = cur(p);

  /* Comparison operators. */
  if (op->kind == TT_OP && op->op >= OP_EQ && op->op <= OP_NE_CI) {
    char optext[8];
    snprintf(optext, sizeof optext, "%.*s", (int)op->len, p->t->src + op->pos);
    n->pos = op->pos;
    p->i++;
    if (op->op == OP_EQ_CI || op->op == OP_NE_CI) {
      /* =~ is a caseless match of the whole text: a string operator. */
      const tableops_token *rt = cur(p);
      n->negate = op->op == OP_NE_CI;
      if (rt->kind != TT_STRING && rt->kind != TT_INT && rt->kind != TT_FLOAT) {
        if (rt->kind == TT_END)
          fail(p, rt->pos, "expected a quoted string after '%s'", optext);
        else
          fail(p, rt->pos, "expected a quoted string after '%s', found %s",
               optext, show(p, p->i, shown, sizeof shown));
        node_free(n);
        return NULL;
      }
      n->kind = N_STROP;
      n->op = S_EQUALS;
      n->caseless = true;
      n->rhs.kind = OPD_LITERAL;
      n->rhs.pos = rt->pos;
      n->rhs.lit.kind = V_STR;
      n->rhs.text = rt->kind == TT_STRING ? rt->text : p->t->src + rt->pos;
      n->rhs.text_len = rt->kind == TT_STRING ? rt->text_len : rt->len;
      n->rhs.lit.s = n->rhs.text;
      n->rhs.lit.len = n->rhs.text_len;
      p->i++;
      if (compile_re(p, n, n->rhs.text, n->rhs.text_len,
                     PCRE2_LITERAL | PCRE2_CASELESS | PCRE2_ANCHORED |
                         PCRE2_ENDANCHORED,
                     rt->pos, "string") != HK_OK) {
        node_free(n);
        return NULL;
      }
      return n;
    }
    n->kind = N_CMP;
    n->op = op->op;
    if (expect_operand(p, &n->rhs, optext) != HK_OK) {
      node_free(n);
      return NULL;
    }
    /* `x == null` reads as `x is null`: what the analyst means. */
    bool lnull = n->lhs.kind == OPD_LITERAL && n->lhs.lit.kind == V_NULL;
    bool rnull = n->rhs.kind == OPD_LITERAL && n->rhs.lit.kind == V_NULL;
    if (lnull || rnull) {
      if (n->op != OP_EQ && n->op != OP_NE) {
        fail(p, op->pos,
             "'%s' cannot compare with null; use 'is null' or "
             "'is not null'",
             optext);
        node_free(n);
        return NULL;
      }
      n->kind = N_ISNULL;
      n->negate = n->op == OP_NE;
      if (lnull)
        n->lhs = n->rhs;
    }
    return n;
  }

  /* Optional negation before a word operator: !contains, not in, ... */
  bool negate = false;
  size_t save = p->i;
  if (op->kind == TT_BANG || tableops_tok_is_word(op, "not")) {
    const tableops_token *nx = peek(p, 1);
    if (find_strop(nx) >= 0 || tableops_tok_is_word(nx, "in")) {
      negate = true;
      p->i++;
      op = cur(p);
    }
  }
  int which = find_strop(op);
  if (which >= 0) {
    if (parse_strop(p, n, which) != HK_OK) {
      node_free(n);
      return NULL;
    }
    n->negate = negate;
    return n;
  }
  if (tableops_tok_is_word(op, "in")) {
    if (parse_in(p, n) != HK_OK) {
      node_free(n);
      return NULL;
    }
    n->negate = negate;
    return n;
  }
  p->i = save;
  if (tableops_tok_is_word(op, "is")) {
    n->kind = N_ISNULL;
    n->pos = op->pos;
    p->i++;
    if (tableops_tok_is_word(cur(p), "not")) {
      n->negate = true;
      p->i++;
    }
    if (!tableops_tok_is_word(cur(p), "null")) {
      fail(p, cur(p)->pos,
           "expected 'null' or 'not null' after 'is', "
           "found %s",
           show(p, p->i, shown, sizeof shown));
      node_free(n);
      return NULL;
    }
    p->i++;
    return n;
  }
  /* No operator: a bare bool column or literal.  Anything but a
   * connective or the end here is a missing operator. */
  if (op->kind != TT_END && op->kind != TT_RPAREN && !is_and(op) &&
      !is_or(op)) {
    fail(p, op->pos, "expected an operator or 'and'/'or' after %s, found %s",
         show(p, lhs_end, shown, sizeof shown),
         show(p, p->i, shown2, sizeof shown2));
    node_free(n);
    return NULL;
  }
  return n;
}

static node *
parse_not(parser *p)
{
  const tableops_token *tk = cur(p);
  if (tk->kind == TT_BANG || tableops_tok_is_word(tk, "not")) {
    size_t pos = tk->pos;
    p->i++;
    if (++p->depth > MAX_DEPTH) {
      fail(p, pos, "expression nested too deeply (over %d levels)", MAX_DEPTH);
      return NULL;
    }
    node *child = parse_not(p);
    p->depth--;
    if (!child)
      return NULL;
    node *n = node_new(p, N_NOT, pos);
    if (!n) {
      node_free(child);
      return NULL;
    }
    n->a = child;
    return n;
  }
  return parse_predicate(p);
}

static node *
parse_binary(parser *p, bool is_or_level)
{
  node *left = is_or_level ? parse_binary(p, false) : parse_not(p);
  if (!left)
    return NULL;
  for (;;) {
    const tableops_token *tk = cur(p);
    if (is_or_level ? !is_or(tk) : !is_and(tk))
      return left;
    size_t pos = tk->pos;
    char word[8];
    snprintf(word, sizeof word, "%.*s", (int)tk->len, p->t->src + tk->pos);
    p->i++;
    if (cur(p)->kind == TT_END) {
      fail(p, cur(p)->pos, "expected a condition after '%s'", word);
      node_free(left);
      return NULL;
    }
    node *right = is_or_level ? parse_binary(p, false) : parse_not(p);
    if (!right) {
      node_free(left);
      return NULL;
    }
    node *n = node_new(p, is_or_level ? N_OR : N_AND, pos);
    if (!n) {
      node_free(left);
      node_free(right);
      return NULL;
    }
    n->a = left;
    n->b = right;
    left = n;
  }
}

static node *
parse_or(parser *p)
{
  return parse_binary(p, true);
}

int
tableops_where_parse(const char *text, tableops_where **out, hk_error *err)
{
  char shown[80];
  *out = NULL;
  tableops_where *w = calloc(1, sizeof *w);
  if (!w || !(w->text = strdup(text ? text : ""))) {
    free(w);
    return hk_error_set(err, HK_E_NOMEM, "where: out of memory");
  }
  int rc = tableops_lex(w->text, "where", 0, &w->toks, err);
  if (rc != HK_OK) {
    tableops_where_free(w);
    return rc;
  }
  if (w->toks.tok[0].kind == TT_END) {
    tableops_where_free(w);
    return hk_error_set(err, HK_E_INVAL,
                        "where: empty expression; write a condition such as "
                        "'EventID == 4688'");
  }
  parser p = {w, &w->toks, 0, 0, err};
  w->root = parse_or(&p);
  if (!w->root) {
    tableops_where_free(w);
    return err ? err->code : HK_E_INVAL;
  }
  if (cur(&p)->kind != TT_END) {
    if (cur(&p)->kind == TT_RPAREN)
      rc = fail(&p, cur(&p)->pos, "unexpected ')' without a matching '('");
    else
      rc = fail(&p, cur(&p)->pos,
                "unexpected %s; join conditions with 'and' "
                "or 'or'",
                show(&p, p.i, shown, sizeof shown));
    tableops_where_free(w);
    return rc;
  }
  *out = w;
  return HK_OK;
}
