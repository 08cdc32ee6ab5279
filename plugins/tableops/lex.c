/*
 * plugins/tableops/lex.c -- the tokenizer behind every tableops stage's
 * free text (where expressions, select/sort/count column lists), and the
 * column-list parser.  Positions are kept as byte offsets and reported as
 * 1-based character columns, so a message can point at the culprit.
 */
#include "tableops.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Longest source text quoted in full inside a message. */
#define SHOW_SRC_MAX 200

size_t
tableops_column_of(const tableops_tokens *t, size_t pos)
{
  size_t col = 1;
  for (size_t i = 0; i < pos && t->src[i]; i++)
    if (((unsigned char)t->src[i] & 0xC0) != 0x80)
      col++;
  return col;
}

int
tableops_syntax_error(const tableops_tokens *t, hk_error *err, size_t pos,
                      const char *fmt, ...)
{
  char what[HK_ERROR_MSG_MAX];
  va_list ap;
  size_t srclen = strlen(t->src);
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  if (srclen > SHOW_SRC_MAX)
    return hk_error_set(err, HK_E_INVAL, "%s: %s at column %zu of '%.*s...'",
                        t->who, what, tableops_column_of(t, pos), SHOW_SRC_MAX,
                        t->src);
  return hk_error_set(err, HK_E_INVAL, "%s: %s at column %zu of '%s'", t->who,
                      what, tableops_column_of(t, pos), t->src);
}

const char *
tableops_token_show(const tableops_tokens *t, size_t i, char *buf, size_t cap)
{
  const tableops_token *tk = &t->tok[i];
  if (tk->kind == TT_END)
    snprintf(buf, cap, "the end");
  else
    snprintf(buf, cap, "'%.*s'", (int)(tk->len > 60 ? 60 : tk->len),
             t->src + tk->pos);
  return buf;
}

bool
tableops_tok_is_word(const tableops_token *tk, const char *word)
{
  return tk->kind == TT_IDENT && strcasecmp(tk->text, word) == 0;
}

void
tableops_tokens_free(tableops_tokens *t)
{
  if (!t)
    return;
  for (size_t i = 0; i < t->n; i++)
    free(t->tok[i].text);
  free(t->tok);
  t->tok = NULL;
  t->n = 0;
}

/* ------------------------------------------------------------------ lexing */

typedef struct lexer {
  tableops_tokens *t;
  size_t cap;
  const char *s;
  size_t len;
  unsigned flags;
  hk_error *err;
} lexer;

static tableops_token *
push(lexer *lx, int kind, size_t pos, size_t len)
{
  if (lx->t->n == lx->cap) {
    size_t ncap = lx->cap ? lx->cap * 2 : 16;
    tableops_token *n = realloc(lx->t->tok, ncap * sizeof *n);
    if (!n)
      return NULL;
    lx->t->tok = n;
    lx->cap = ncap;
  }
  tableops_token *tk = &lx->t->tok[lx->t->n++];
  memset(tk, 0, sizeof *tk);
  tk->kind = kind;
  tk->pos = pos;
  tk->len = len;
  return tk;
}

static int
nomem(lexer *lx)
{
  return hk_error_set(lx->err, HK_E_NOMEM, "%s: out of memory", lx->t->who);
}

static bool
is_word_start(unsigned char c, unsigned flags)
{
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
      c == '@' || c >= 0x80)
    return true;
  return (flags & TABLEOPS_LEX_GLOB) && (c == '*' || c == '?');
}

static bool
is_word_char(unsigned char c, unsigned flags)
{
  return is_word_start(c, flags) || (c >= '0' && c <= '9') || c == '.';
}

static bool
is_digit(unsigned char c)
{
  return c >= '0' && c <= '9';
}

static int
hexval(unsigned char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Append code point `cp` as UTF-8. */
static size_t
put_utf8(char *o, unsigned cp)
{
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  o[0] = (char)(0xE0 | (cp >> 12));
  o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[2] = (char)(0x80 | (cp & 0x3F));
  return 3;
}

/* A quoted string starting at `p` (the quote).  `verbatim`: @"..." where
 * only a doubled quote is special.  Sets *end past the closing quote. */
static int
lex_string(lexer *lx, size_t start, size_t p, bool verbatim, size_t *end,
           char **text, size_t *text_len)
{
  char q = lx->s[p];
  /* Decoded text is never longer than the source. */
  char *o = malloc(lx->len - p + 1);
  size_t n = 0;
  if (!o)
    return nomem(lx);
  p++;
  for (;;) {
    if (p >= lx->len) {
      free(o);
      return tableops_syntax_error(lx->t, lx->err, start,
                                   "unterminated string (no closing %c)", q);
    }
    char c = lx->s[p];
    if (c == q) {
      if (verbatim && p + 1 < lx->len && lx->s[p + 1] == q) {
        o[n++] = q;
        p += 2;
        continue;
      }
      p++;
      break;
    }
    if (c != '\\' || verbatim) {
      o[n++] = c;
      p++;
      continue;
    }
    /* An escape. */
    size_t esc = p;
    if (p + 1 >= lx->len) {
      free(o);
      return tableops_syntax_error(lx->t, lx->err, start,
                                   "unterminated string (no closing %c)", q);
    }
    char e = lx->s[p + 1];
    p += 2;
    switch (e) {
    case '\\':
    case '"':
    case '\'':
    case '/':
      o[n++] = e;
      break;
    case 'n':
      o[n++] = '\n';
      break;
    case 'r':
      o[n++] = '\r';
      break;
    case 't':
      o[n++] = '\t';
      break;
    case 'x': {
      int h1 = p < lx->len ? hexval((unsigned char)lx->s[p]) : -1;
      int h2 = p + 1 < lx->len ? hexval((unsigned char)lx->s[p + 1]) : -1;
      if (h1 < 0 || h2 < 0 || (h1 == 0 && h2 == 0)) {
        free(o);
        return tableops_syntax_error(
            lx->t, lx->err, esc,
            "'\\x' needs two hex digits (not 00), e.g. \\x41");
      }
      o[n++] = (char)(h1 * 16 + h2);
      p += 2;
      break;
    }
    case 'u': {
      unsigned cp = 0;
      for (int k = 0; k < 4; k++) {
        int h = p + (size_t)k < lx->len
                    ? hexval((unsigned char)lx->s[p + (size_t)k])
                    : -1;
        if (h < 0) {
          free(o);
          return tableops_syntax_error(lx->t, lx->err, esc,
                                       "'\\u' needs four hex digits, e.g. "
                                       "\\u00e9");
        }
        cp = cp * 16 + (unsigned)h;
      }
      if (cp == 0 || (cp >= 0xD800 && cp <= 0xDFFF)) {
        free(o);
        return tableops_syntax_error(
            lx->t, lx->err, esc,
            "'\\u%04x' is not a character allowed in a string", cp);
      }
      /* \uXXXX (6 source bytes) never decodes to more than 3 bytes. */
      n += put_utf8(o + n, cp);
      p += 4;
      break;
    }
    default:
      free(o);
      return tableops_syntax_error(
          lx->t, lx->err, esc,
          "unknown escape '\\%c' in a string; write \\\\ for a backslash "
          "or use a verbatim string @\"...\"",
          e);
    }
  }
  o[n] = '\0';
  *end = p;
  *text = o;
  *text_len = n;
  return HK_OK;
}

/* `name` with `` doubled to include a backtick. */
static int
lex_backtick(lexer *lx, size_t p, size_t *end, char **text, size_t *text_len)
{
  size_t start = p;
  char *o = malloc(lx->len - p + 1);
  size_t n = 0;
  if (!o)
    return nomem(lx);
  p++;
  for (;;) {
    if (p >= lx->len) {
      free(o);
      return tableops_syntax_error(lx->t, lx->err, start,
                                   "unterminated column name (no closing `)");
    }
    if (lx->s[p] == '`') {
      if (p + 1 < lx->len && lx->s[p + 1] == '`') {
        o[n++] = '`';
        p += 2;
        continue;
      }
      p++;
      break;
    }
    o[n++] = lx->s[p++];
  }
  o[n] = '\0';
  *end = p;
  *text = o;
  *text_len = n;
  return HK_OK;
}

/* [name] with ]] for ], or ['name'] / ["name"] (KQL). */
static int
lex_bracket(lexer *lx, size_t p, size_t *end, char **text, size_t *text_len)
{
  size_t start = p;
  size_t q = p + 1;
  while (q < lx->len && (lx->s[q] == ' ' || lx->s[q] == '\t'))
    q++;
  if (q < lx->len && (lx->s[q] == '"' || lx->s[q] == '\'')) {
    int rc = lex_string(lx, q, q, false, &q, text, text_len);
    if (rc != HK_OK)
      return rc;
    while (q < lx->len && (lx->s[q] == ' ' || lx->s[q] == '\t'))
      q++;
    if (q >= lx->len || lx->s[q] != ']') {
      free(*text);
      *text = NULL;
      return tableops_syntax_error(lx->t, lx->err, start,
                                   "expected ']' after the quoted name");
    }
    *end = q + 1;
    return HK_OK;
  }
  char *o = malloc(lx->len - p + 1);
  size_t n = 0;
  if (!o)
    return nomem(lx);
  p++;
  for (;;) {
    if (p >= lx->len) {
      free(o);
      return tableops_syntax_error(lx->t, lx->err, start,
                                   "unterminated column name (no closing ])");
    }
    if (lx->s[p] == ']') {
      if (p + 1 < lx->len && lx->s[p + 1] == ']') {
        o[n++] = ']';
        p += 2;
        continue;
      }
      p++;
      break;
    }
    o[n++] = lx->s[p++];
  }
  o[n] = '\0';
  *end = p;
  *text = o;
  *text_len = n;
  return HK_OK;
}

static int
lex_number(lexer *lx, size_t p, size_t *end)
{
  size_t start = p;
  bool is_float = false, hex = false;
  if (lx->s[p] == '0' && p + 1 < lx->len &&
      (lx->s[p + 1] == 'x' || lx->s[p + 1] == 'X') && p + 2 < lx->len &&
      hexval((unsigned char)lx->s[p + 2]) >= 0) {
    hex = true;
    p += 2;
    while (p < lx->len && hexval((unsigned char)lx->s[p]) >= 0)
      p++;
  } else {
    while (p < lx->len && is_digit((unsigned char)lx->s[p]))
      p++;
    if (p < lx->len && lx->s[p] == '.' && p + 1 < lx->len &&
        is_digit((unsigned char)lx->s[p + 1])) {
      is_float = true;
      p++;
      while (p < lx->len && is_digit((unsigned char)lx->s[p]))
        p++;
    }
    if (p < lx->len && (lx->s[p] == 'e' || lx->s[p] == 'E')) {
      size_t q = p + 1;
      if (q < lx->len && (lx->s[q] == '+' || lx->s[q] == '-'))
        q++;
      if (q < lx->len && is_digit((unsigned char)lx->s[q])) {
        is_float = true;
        p = q;
        while (p < lx->len && is_digit((unsigned char)lx->s[p]))
          p++;
      }
    }
  }
  if (p < lx->len &&
      (is_word_char((unsigned char)lx->s[p], 0) || lx->s[p] == ':')) {
    size_t q = p;
    while (q < lx->len &&
           (is_word_char((unsigned char)lx->s[q], 0) || lx->s[q] == ':'))
      q++;
    return tableops_syntax_error(
        lx->t, lx->err, start,
        "'%.*s' is not a number; put text in quotes, e.g. \"%.*s\"",
        (int)(q - start), lx->s + start, (int)(q - start), lx->s + start);
  }
  char buf[64];
  if (p - start >= sizeof buf)
    return tableops_syntax_error(lx->t, lx->err, start,
                                 "number '%.*s' is too long", (int)(p - start),
                                 lx->s + start);
  memcpy(buf, lx->s + start, p - start);
  buf[p - start] = '\0';
  tableops_token *tk = push(lx, is_float ? TT_FLOAT : TT_INT, start, p - start);
  if (!tk)
    return nomem(lx);
  errno = 0;
  if (is_float) {
    tk->f = strtod(buf, NULL);
  } else if (hex) {
    unsigned long long u = strtoull(buf + 2, NULL, 16);
    if (errno == ERANGE || u > (unsigned long long)INT64_MAX)
      errno = ERANGE;
    tk->i = (int64_t)u;
  } else {
    tk->i = strtoll(buf, NULL, 10);
  }
  if (errno == ERANGE)
    return tableops_syntax_error(lx->t, lx->err, start,
                                 "number '%s' is out of range", buf);
  *end = p;
  return HK_OK;
}

static int
lex_op(lexer *lx, size_t p, size_t *end)
{
  static const struct {
    const char *text;
    int kind, op;
  } ops[] = {
      {"==", TT_OP, OP_EQ},    {"=~", TT_OP, OP_EQ_CI}, {"!=", TT_OP, OP_NE},
      {"!~", TT_OP, OP_NE_CI}, {"<>", TT_OP, OP_NE},    {"<=", TT_OP, OP_LE},
      {">=", TT_OP, OP_GE},    {"&&", TT_OP, OP_AND},   {"||", TT_OP, OP_OR},
      {"=", TT_OP, OP_EQ},     {"<", TT_OP, OP_LT},     {">", TT_OP, OP_GT},
      {"!", TT_BANG, 0},       {"(", TT_LPAREN, 0},     {")", TT_RPAREN, 0},
      {",", TT_COMMA, 0},      {"-", TT_MINUS, 0},      {"+", TT_PLUS, 0},
      {"~", TT_TILDE, 0},      {"*", TT_STAR, 0},
  };
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    size_t n = strlen(ops[k].text);
    if (p + n <= lx->len && memcmp(lx->s + p, ops[k].text, n) == 0) {
      tableops_token *tk = push(lx, ops[k].kind, p, n);
      if (!tk)
        return nomem(lx);
      tk->op = ops[k].op;
      *end = p + n;
      return HK_OK;
    }
  }
  unsigned char c = (unsigned char)lx->s[p];
  if (c < 0x20 || c == 0x7F)
    return tableops_syntax_error(lx->t, lx->err, p,
                                 "unexpected control character 0x%02x", c);
  return tableops_syntax_error(lx->t, lx->err, p, "unexpected character '%c'",
                               c);
}

int
tableops_lex(const char *src, const char *who, unsigned flags,
             tableops_tokens *out, hk_error *err)
{
  lexer lx = {out, 0, src, strlen(src), flags, err};
  size_t p = 0;
  out->src = src;
  out->who = who;
  out->tok = NULL;
  out->n = 0;
  for (;;) {
    while (p < lx.len && (src[p] == ' ' || src[p] == '\t' || src[p] == '\n' ||
                          src[p] == '\r'))
      p++;
    if (p >= lx.len) {
      if (!push(&lx, TT_END, p, 0)) {
        tableops_tokens_free(out);
        return nomem(&lx);
      }
      return HK_OK;
    }
    unsigned char c = (unsigned char)src[p];
    int rc;
    size_t end = p;
    char *text = NULL;
    size_t text_len = 0;
    int kind = 0;
    if (c == '"' || c == '\'') {
      rc = lex_string(&lx, p, p, false, &end, &text, &text_len);
      kind = TT_STRING;
    } else if (c == '@' && p + 1 < lx.len &&
               (src[p + 1] == '"' || src[p + 1] == '\'')) {
      rc = lex_string(&lx, p, p + 1, true, &end, &text, &text_len);
      kind = TT_STRING;
    } else if (c == '`') {
      rc = lex_backtick(&lx, p, &end, &text, &text_len);
      kind = TT_QIDENT;
    } else if (c == '[') {
      rc = lex_bracket(&lx, p, &end, &text, &text_len);
      kind = TT_QIDENT;
    } else if (is_digit(c) || (c == '.' && p + 1 < lx.len &&
                               is_digit((unsigned char)src[p + 1]))) {
      rc = lex_number(&lx, p, &end);
    } else if (is_word_start(c, flags)) {
      while (end < lx.len && is_word_char((unsigned char)src[end], flags))
        end++;
      text_len = end - p;
      text = strndup(src + p, text_len);
      rc = text ? HK_OK : nomem(&lx);
      kind = TT_IDENT;
    } else {
      rc = lex_op(&lx, p, &end);
    }
    if (rc == HK_OK && kind) {
      tableops_token *tk = push(&lx, kind, p, end - p);
      if (!tk) {
        rc = nomem(&lx);
      } else {
        tk->text = text;
        tk->text_len = text_len;
        text = NULL;
      }
    }
    free(text);
    if (rc != HK_OK) {
      tableops_tokens_free(out);
      return rc;
    }
    p = end;
  }
}

/* ------------------------------------------------------------- name lists */

void
tableops_name_list_free(tableops_name_list *l)
{
  if (!l)
    return;
  for (size_t i = 0; i < l->n; i++) {
    free(l->items[i].name);
    free(l->items[i].rename);
  }
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

static bool
is_name_token(const tableops_token *tk)
{
  return tk->kind == TT_IDENT || tk->kind == TT_QIDENT;
}

static int
parse_name_list(tableops_tokens *t, unsigned flags, tableops_name_list *out,
                hk_error *err)
{
  char shown[80];
  size_t i = 0, cap = 0;
  bool saw_by = false;
  if ((flags & TABLEOPS_NAMES_BY) && tableops_tok_is_word(&t->tok[0], "by") &&
      t->tok[1].kind != TT_COMMA &&
      !((flags & TABLEOPS_NAMES_AS) &&
        tableops_tok_is_word(&t->tok[1], "as"))) {
    saw_by = true;
    i++;
  }
  if (t->tok[i].kind == TT_END) {
    if (saw_by)
      return tableops_syntax_error(t, err, t->tok[i].pos,
                                   "expected a column name after 'by'");
    if (flags & TABLEOPS_NAMES_EMPTY)
      return HK_OK;
    return tableops_syntax_error(t, err, t->tok[i].pos,
                                 "expected a column name");
  }
  for (;;) {
    tableops_name_item item;
    memset(&item, 0, sizeof item);
    if (t->tok[i].kind == TT_MINUS || t->tok[i].kind == TT_PLUS) {
      if (!(flags & TABLEOPS_NAMES_SIGN))
        return tableops_syntax_error(
            t, err, t->tok[i].pos, "unexpected %s",
            tableops_token_show(t, i, shown, sizeof shown));
      item.negated = t->tok[i].kind == TT_MINUS;
      item.positive = !item.negated;
      i++;
    }
    const tableops_token *nt = &t->tok[i];
    if (nt->kind == TT_STAR && (flags & TABLEOPS_NAMES_GLOB)) {
      item.name = strdup("*");
      item.glob = true;
    } else if (is_name_token(nt)) {
      item.name = strdup(nt->text);
      item.glob = nt->kind == TT_IDENT && (flags & TABLEOPS_NAMES_GLOB) &&
                  strpbrk(nt->text, "*?") != NULL;
    } else {
      return tableops_syntax_error(
          t, err, nt->pos, "expected a column name%s, found %s",
          i == 0                           ? ""
          : t->tok[i - 1].kind == TT_COMMA ? " after ','"
                                           : "",
          tableops_token_show(t, i, shown, sizeof shown));
    }
    if (!item.name)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
    item.pos = nt->pos;
    i++;
    if ((flags & TABLEOPS_NAMES_DIR) &&
        (tableops_tok_is_word(&t->tok[i], "asc") ||
         tableops_tok_is_word(&t->tok[i], "desc"))) {
      int dir = tableops_tok_is_word(&t->tok[i], "asc") ? 1 : -1;
      if (item.negated || item.positive) {
        free(item.name);
        return tableops_syntax_error(
            t, err, t->tok[i].pos,
            "give the direction once: '%s%.*s' or '%.*s %s', not both",
            item.negated ? "-" : "+", (int)nt->len, t->src + nt->pos,
            (int)nt->len, t->src + nt->pos, t->tok[i].text);
      }
      item.direction = dir;
      i++;
    }
    if ((flags & TABLEOPS_NAMES_AS) && tableops_tok_is_word(&t->tok[i], "as")) {
      size_t as_pos = t->tok[i].pos;
      i++;
      if (!is_name_token(&t->tok[i])) {
        free(item.name);
        return tableops_syntax_error(
            t, err, t->tok[i].pos,
            "expected a new column name after 'as', "
            "found %s",
            tableops_token_show(t, i, shown, sizeof shown));
      }
      if (item.negated || item.glob) {
        free(item.name);
        return tableops_syntax_error(t, err, as_pos,
                                     "'as' renames one kept column; it cannot "
                                     "follow %s",
                                     item.glob ? "a pattern" : "a -column");
      }
      if (t->tok[i].text_len == 0 ||
          strlen(t->tok[i].text) != t->tok[i].text_len) {
        free(item.name);
        return tableops_syntax_error(t, err, t->tok[i].pos,
                                     "a column name must not be empty");
      }
      item.rename = strdup(t->tok[i].text);
      if (!item.rename) {
        free(item.name);
        return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
      }
      i++;
    }
    if (out->n == cap) {
      size_t ncap = cap ? cap * 2 : 8;
      tableops_name_item *n = realloc(out->items, ncap * sizeof *n);
      if (!n) {
        free(item.name);
        free(item.rename);
        return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
      }
      out->items = n;
      cap = ncap;
    }
    out->items[out->n++] = item;
    if (t->tok[i].kind == TT_END)
      return HK_OK;
    if (t->tok[i].kind != TT_COMMA)
      return tableops_syntax_error(
          t, err, t->tok[i].pos, "expected ',' between column names, found %s",
          tableops_token_show(t, i, shown, sizeof shown));
    i++;
  }
}

int
tableops_parse_names(const char *src, const char *who, unsigned flags,
                     tableops_name_list *out, hk_error *err)
{
  tableops_tokens t;
  out->items = NULL;
  out->n = 0;
  int rc = tableops_lex(src ? src : "", who,
                        (flags & TABLEOPS_NAMES_GLOB) ? TABLEOPS_LEX_GLOB : 0,
                        &t, err);
  if (rc != HK_OK)
    return rc;
  rc = parse_name_list(&t, flags, out, err);
  tableops_tokens_free(&t);
  if (rc != HK_OK)
    tableops_name_list_free(out);
  return rc;
}
