/*
 * host/querylib_expand.c -- quoting: turn a query definition and its
 * typed values (querylib_values.c) into query text that no value can
 * change the shape of.
 *
 * The template is lexed in its target language first, so each {name} is
 * known to sit bare, inside a "..." / '...' / @"..." string, inside a
 * `column` or [column] name, or in a comment.  A value given at run time is
 * then written for exactly that place: escaped inside a literal, a typed
 * literal when bare.  String defaults of the file are the author's query
 * text (MSTICPy's `{table}`, `{event_filter}`, `{add_query_items}`) and
 * are inserted as written, like the template itself.
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

#define SENTINEL '\x01'

/* Where a placeholder sits in the template. */
enum ctx {
  CTX_BARE,
  CTX_DQ,       /* "..." with backslash escapes */
  CTX_SQ,       /* '...' with backslash escapes */
  CTX_VDQ,      /* @"..." verbatim: "" for a quote */
  CTX_VSQ,      /* @'...' */
  CTX_OSQ,      /* OData '...': '' for a quote */
  CTX_BACKTICK, /* `column` (where): `` for a backtick */
  CTX_BRACKET,  /* [column] (where): ]] for a bracket */
  CTX_TRIPLE,   /* ```...``` (KQL multi-line string) */
  CTX_COMMENT   /* // to the end of the line (KQL), ```...``` (SPL) */
};

typedef struct slot {
  const char *name;
  size_t name_len;
  size_t start, end; /* of "{name}" in the template */
  enum ctx ctx;
  bool in_datetime; /* bare, as in datetime({start}) */
  bool in_parens;   /* bare, as in in ({list}) */
} slot;

/* ------------------------------------------------------------- lexing */

typedef struct scan_acc {
  hk_buf flat; /* the template with each {name} as one SENTINEL byte */
  slot *slots;
  size_t n_slots;
  size_t *flat_pos; /* position of each slot's SENTINEL in `flat` */
} scan_acc;

static bool
is_ident_char(char c)
{
  return isalnum((unsigned char)c) || c == '_';
}

/* Build the flat text: literal braces unescaped, placeholders as one
 * byte each. */
static int
flatten(const char *t, scan_acc *a, hk_error *err)
{
  for (size_t i = 0; t[i]; i++) {
    if (t[i] == SENTINEL)
      return hk_error_set(err, HK_E_CONFIG,
                          "the template holds a control character \\x01");
    if ((t[i] == '{' && t[i + 1] == '{') || (t[i] == '}' && t[i + 1] == '}')) {
      hk_buf_append_char(&a->flat, t[i]);
      i++;
      continue;
    }
    if (t[i] == '{') {
      size_t j = i + 1;
      slot *ns;
      size_t *np;
      while (is_ident_char(t[j]))
        j++;
      /* hk_query_template_scan accepted the template at load time. */
      ns = realloc(a->slots, (a->n_slots + 1) * sizeof *ns);
      if (!ns)
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
      a->slots = ns;
      np = realloc(a->flat_pos, (a->n_slots + 1) * sizeof *np);
      if (!np)
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
      a->flat_pos = np;
      memset(&ns[a->n_slots], 0, sizeof *ns);
      ns[a->n_slots].name = t + i + 1;
      ns[a->n_slots].name_len = j - i - 1;
      ns[a->n_slots].start = i;
      ns[a->n_slots].end = j + 1;
      np[a->n_slots] = a->flat.len;
      a->n_slots++;
      hk_buf_append_char(&a->flat, SENTINEL);
      i = j;
      continue;
    }
    hk_buf_append_char(&a->flat, t[i]);
  }
  if (!a->flat.data)
    hk_buf_append_str(&a->flat, "");
  return a->flat.data ? HK_OK : hk_error_set(err, HK_E_NOMEM, "out of memory");
}

static bool
preceded_by_datetime(const char *f, size_t pos)
{
  size_t i = pos;
  while (i > 0 && isspace((unsigned char)f[i - 1]))
    i--;
  if (i == 0 || f[i - 1] != '(')
    return false;
  i--;
  while (i > 0 && isspace((unsigned char)f[i - 1]))
    i--;
  return i >= 8 && strncasecmp(f + i - 8, "datetime", 8) == 0 &&
         (i == 8 || !is_ident_char(f[i - 9]));
}

static char
prev_nonspace(const char *f, size_t pos)
{
  while (pos > 0 && isspace((unsigned char)f[pos - 1]))
    pos--;
  return pos ? f[pos - 1] : '\0';
}

static char
next_nonspace(const char *f, size_t pos)
{
  pos++;
  while (f[pos] && isspace((unsigned char)f[pos]))
    pos++;
  return f[pos];
}

/* Walk the flat text in the language's lexical rules and give every
 * SENTINEL its context. */
static void
lex_contexts(int lang, scan_acc *a)
{
  const char *f = a->flat.data;
  enum ctx st = CTX_BARE;
  size_t k = 0; /* next slot */
  for (size_t i = 0; f[i]; i++) {
    char c = f[i];
    if (c == SENTINEL) {
      slot *s = &a->slots[k++];
      s->ctx = st;
      if (st == CTX_BARE) {
        s->in_datetime =
            preceded_by_datetime(f, i) && next_nonspace(f, i) == ')';
        s->in_parens = prev_nonspace(f, i) == '(' && next_nonspace(f, i) == ')';
      }
      continue;
    }
    switch (st) {
    case CTX_BARE:
      if (lang == HK_QL_ODATA) {
        if (c == '\'')
          st = CTX_OSQ;
        break;
      }
      if (c == '"')
        st = CTX_DQ;
      else if (c == '\'')
        st = CTX_SQ;
      else if ((lang == HK_QL_KQL || lang == HK_QL_WHERE) && c == '@' &&
               (f[i + 1] == '"' || f[i + 1] == '\'')) {
        st = f[i + 1] == '"' ? CTX_VDQ : CTX_VSQ;
        i++;
      } else if (lang == HK_QL_KQL && (c == 'h' || c == 'H') &&
                 (f[i + 1] == '"' || f[i + 1] == '\'') &&
                 (i == 0 || !is_ident_char(f[i - 1]))) {
        /* h"..." hides a literal from logs; it lexes like "...". */
        st = f[i + 1] == '"' ? CTX_DQ : CTX_SQ;
        i++;
      } else if (lang == HK_QL_KQL && c == '/' && f[i + 1] == '/') {
        st = CTX_COMMENT;
        i++;
      } else if ((lang == HK_QL_KQL || lang == HK_QL_SPL) &&
                 strncmp(f + i, "```", 3) == 0) {
        st = lang == HK_QL_KQL ? CTX_TRIPLE : CTX_COMMENT;
        i += 2;
      } else if (lang == HK_QL_WHERE && c == '`')
        st = CTX_BACKTICK;
      else if (lang == HK_QL_WHERE && c == '[') {
        size_t j = i + 1;
        while (f[j] == ' ' || f[j] == '\t')
          j++;
        /* ['name'] is a string inside brackets, [name] a bracket name. */
        if (f[j] != '"' && f[j] != '\'')
          st = CTX_BRACKET;
      }
      break;
    case CTX_DQ:
    case CTX_SQ:
      if (c == '\\' && f[i + 1] && f[i + 1] != SENTINEL)
        i++;
      else if (c == (st == CTX_DQ ? '"' : '\''))
        st = CTX_BARE;
      break;
    case CTX_VDQ:
    case CTX_VSQ:
    case CTX_OSQ: {
      char q = st == CTX_VDQ ? '"' : '\'';
      if (c == q) {
        if (f[i + 1] == q)
          i++;
        else
          st = CTX_BARE;
      }
      break;
    }
    case CTX_BACKTICK:
      if (c == '`') {
        if (f[i + 1] == '`')
          i++;
        else
          st = CTX_BARE;
      }
      break;
    case CTX_BRACKET:
      if (c == ']') {
        if (f[i + 1] == ']')
          i++;
        else
          st = CTX_BARE;
      }
      break;
    case CTX_TRIPLE:
      if (strncmp(f + i, "```", 3) == 0) {
        st = CTX_BARE;
        i += 2;
      }
      break;
    case CTX_COMMENT:
      if (lang == HK_QL_SPL ? strncmp(f + i, "```", 3) == 0 : c == '\n') {
        if (lang == HK_QL_SPL)
          i += 2;
        st = CTX_BARE;
      }
      break;
    }
  }
}

/* ------------------------------------------------------------ quoting */

static const char *
ctx_words(enum ctx c)
{
  switch (c) {
  case CTX_VDQ:
  case CTX_VSQ:
    return "a verbatim string";
  case CTX_BACKTICK:
  case CTX_BRACKET:
    return "a column name";
  case CTX_TRIPLE:
    return "a ``` string";
  case CTX_COMMENT:
    return "a comment";
  default:
    return "a string";
  }
}

/* Append `s` escaped for the inside of a literal of kind `c`. */
static int
escape_into(int lang, enum ctx c, const char *s, hk_buf *b, hk_error *err)
{
  if (c == CTX_TRIPLE && strstr(s, "```"))
    return hk_error_set(err, HK_E_INVAL,
                        "it holds ``` and cannot be written in a ``` string");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    unsigned char ch = *p;
    bool ctl = ch < 0x20 || ch == 0x7f;
    switch (c) {
    case CTX_DQ:
    case CTX_SQ:
      if (lang == HK_QL_SPL) {
        /* SPL knows \" and \\ only; a line break inside a quoted search
         * term is not something a value should bring. */
        if (ch == '\\' || ch == (c == CTX_DQ ? '"' : '\''))
          hk_buf_append_char(b, '\\');
        else if (ctl && ch != '\t')
          return hk_error_set(err, HK_E_INVAL,
                              "it holds control character 0x%02x, which an "
                              "SPL string cannot carry",
                              ch);
        hk_buf_append_char(b, (char)ch);
        break;
      }
      if (ch == '\\' || ch == (c == CTX_DQ ? '"' : '\'')) {
        hk_buf_append_char(b, '\\');
        hk_buf_append_char(b, (char)ch);
      } else if (ch == '\n')
        hk_buf_append_str(b, "\\n");
      else if (ch == '\r')
        hk_buf_append_str(b, "\\r");
      else if (ch == '\t')
        hk_buf_append_str(b, "\\t");
      else if (ctl) {
        if (lang == HK_QL_WHERE)
          hk_buf_appendf(b, "\\x%02x", ch);
        else if (lang == HK_QL_KQL)
          return hk_error_set(err, HK_E_INVAL,
                              "it holds control character 0x%02x, which a "
                              "KQL string cannot carry",
                              ch);
        else
          hk_buf_appendf(b, "\\u%04x", ch);
      } else
        hk_buf_append_char(b, (char)ch);
      break;
    case CTX_VDQ:
    case CTX_VSQ:
      if (ch == (c == CTX_VDQ ? '"' : '\''))
        hk_buf_append_char(b, (char)ch);
      else if (lang == HK_QL_KQL && (ch == '\n' || ch == '\r'))
        return hk_error_set(err, HK_E_INVAL,
                            "it holds a line break, which a KQL verbatim "
                            "string cannot carry");
      hk_buf_append_char(b, (char)ch);
      break;
    case CTX_OSQ:
      if (ch == '\'')
        hk_buf_append_char(b, '\'');
      else if (ch == '\n' || ch == '\r')
        return hk_error_set(err, HK_E_INVAL,
                            "it holds a line break, which an OData string "
                            "cannot carry");
      hk_buf_append_char(b, (char)ch);
      break;
    case CTX_BACKTICK:
    case CTX_BRACKET:
      if (ch == (c == CTX_BACKTICK ? '`' : ']'))
        hk_buf_append_char(b, (char)ch);
      else if (ctl)
        return hk_error_set(err, HK_E_INVAL,
                            "it holds control character 0x%02x, which a "
                            "column name cannot carry",
                            ch);
      hk_buf_append_char(b, (char)ch);
      break;
    case CTX_COMMENT:
      if (ch == '\n' || ch == '\r')
        return hk_error_set(err, HK_E_INVAL,
                            "it holds a line break, which would end the "
                            "comment it is placed in");
      if (lang == HK_QL_SPL && ch == '`')
        return hk_error_set(err, HK_E_INVAL,
                            "it holds a backtick, which could end the "
                            "comment it is placed in");
      hk_buf_append_char(b, (char)ch);
      break;
    default:
      hk_buf_append_char(b, (char)ch);
    }
  }
  return HK_OK;
}

int
hk_query_quote(int lang, const char *text, hk_buf *out, hk_error *err)
{
  enum ctx c = lang == HK_QL_ODATA ? CTX_OSQ : CTX_DQ;
  char q = lang == HK_QL_ODATA ? '\'' : '"';
  int rc;
  hk_buf_append_char(out, q);
  if ((rc = escape_into(lang, c, text, out, err)) != HK_OK)
    return rc;
  hk_buf_append_char(out, q);
  return HK_OK;
}

/* A bare word that cannot add query text: a name (table, operator word,
 * field), a comparison operator or a number. */
static bool
safe_word(const char *s)
{
  static const char *const OPS[] = {"==", "!=", "=~", "!~", "<",
                                    "<=", ">",  ">=", "=",  "<>"};
  const char *p = s;
  for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
    if (strcmp(s, OPS[i]) == 0)
      return true;
  if (*p == '-')
    p++;
  if (isdigit((unsigned char)*p)) {
    while (isdigit((unsigned char)*p))
      p++;
    if (*p == '.' && isdigit((unsigned char)p[1]))
      for (p++; isdigit((unsigned char)*p);)
        p++;
    return *p == '\0';
  }
  p = s;
  if (*p == '!')
    p++;
  if (!isalpha((unsigned char)*p) && *p != '_')
    return false;
  while (is_ident_char(*p))
    p++;
  if (*p == '~')
    p++;
  return *p == '\0';
}

static bool
number_like(const char *s)
{
  return safe_word(s) && (isdigit((unsigned char)s[0]) ||
                          (s[0] == '-' && isdigit((unsigned char)s[1])));
}

/* The value as text (what a string literal holds). */
static void
value_text(int lang, const qvalue *v, hk_buf *b)
{
  char tbuf[48];
  switch (v->p->type) {
  case HK_QP_INT:
    hk_buf_appendf(b, "%lld", v->i);
    break;
  case HK_QP_FLOAT: {
    char s[40];
    snprintf(s, sizeof s, "%.15g", v->f);
    if (strtod(s, NULL) != v->f)
      snprintf(s, sizeof s, "%.17g", v->f);
    hk_buf_append_str(b, s);
    break;
  }
  case HK_QP_BOOL:
    hk_buf_append_str(b, v->b ? "true" : "false");
    break;
  case HK_QP_DATETIME:
    hk_time_format(v->t_us, tbuf, sizeof tbuf);
    if (lang == HK_QL_SPL) {
      /* MSTICPy's Splunk format, matching timeformat="%Y-%m-%d
       * %H:%M:%S.%6N" of its templates. */
      char *z;
      tbuf[10] = ' ';
      if ((z = strchr(tbuf, 'Z')))
        *z = '\0';
      if (!strchr(tbuf, '.'))
        strcat(tbuf, ".000000");
    }
    hk_buf_append_str(b, tbuf);
    break;
  case HK_QP_LIST:
    /* Inside a string literal a list is written as MSTICPy writes lists
     * ('a', 'b', 4624); the literal's own escaping comes on top. */
    for (size_t i = 0; i < v->n_items; i++) {
      const char *it = v->items[i];
      if (i)
        hk_buf_append_str(b, ", ");
      if (number_like(it)) {
        hk_buf_append_str(b, it);
        continue;
      }
      hk_buf_append_char(b, '\'');
      for (; *it; it++) {
        if (*it == '\'' || *it == '\\')
          hk_buf_append_char(b, '\\');
        hk_buf_append_char(b, *it);
      }
      hk_buf_append_char(b, '\'');
    }
    break;
  default:
    hk_buf_append_str(b, v->text);
  }
}

static int
append_literal(int lang, const char *s, hk_buf *b, hk_error *err)
{
  return hk_query_quote(lang, s, b, err);
}

/* A value written bare in the template. */
static int
render_bare(int lang, const slot *sl, const qvalue *v, hk_buf *b, hk_error *err)
{
  hk_buf t = HK_BUF_INIT;
  int rc = HK_OK;
  switch (v->p->type) {
  case HK_QP_STR:
    if (safe_word(v->text))
      hk_buf_append_str(b, v->text);
    else
      rc = append_literal(lang, v->text, b, err);
    break;
  case HK_QP_DATETIME:
    value_text(lang, v, &t);
    if (lang == HK_QL_KQL)
      hk_buf_appendf(b, sl->in_datetime ? "%s" : "datetime(%s)", t.data);
    else if (lang == HK_QL_WHERE)
      hk_buf_appendf(b, sl->in_datetime ? "\"%s\"" : "datetime(\"%s\")",
                     t.data);
    else if (lang == HK_QL_SPL)
      hk_buf_appendf(b, "\"%s\"", t.data);
    else
      hk_buf_append_str(b, t.data);
    break;
  case HK_QP_LIST: {
    bool wrap_dynamic = lang == HK_QL_KQL && !sl->in_parens;
    bool wrap_parens = lang == HK_QL_WHERE && !sl->in_parens;
    if (wrap_dynamic)
      hk_buf_append_str(b, "dynamic([");
    if (wrap_parens)
      hk_buf_append_char(b, '(');
    for (size_t i = 0; i < v->n_items && rc == HK_OK; i++) {
      if (i)
        hk_buf_append_str(b, lang == HK_QL_SPL ? "," : ", ");
      if (number_like(v->items[i]))
        hk_buf_append_str(b, v->items[i]);
      else
        rc = append_literal(lang, v->items[i], b, err);
    }
    if (wrap_dynamic)
      hk_buf_append_str(b, "])");
    if (wrap_parens)
      hk_buf_append_char(b, ')');
    break;
  }
  default:
    value_text(lang, v, b);
  }
  hk_buf_free(&t);
  return rc;
}

static int
render_slot(const xctx *x, int lang, const slot *sl, hk_buf *b)
{
  const qvalue *v = NULL;
  hk_buf t = HK_BUF_INIT;
  hk_error e;
  int rc;
  for (size_t i = 0; i < x->n_values; i++)
    if (strlen(x->values[i].p->name) == sl->name_len &&
        memcmp(x->values[i].p->name, sl->name, sl->name_len) == 0)
      v = &x->values[i];
  if (!v) /* checked when the file was loaded */
    return hk_error_set(x->err, HK_E_FAIL, "query %s: no value for {%.*s}",
                        x->e->name, (int)sl->name_len, sl->name);
  if (v->p->has_format)
    return user_error(
        x->err,
        hk_error_set(x->err, HK_E_CONFIG,
                     "query %s: parameter '%s' has a 'format' key, which "
                     "huntkit does not apply (it would paste the value "
                     "into the query unquoted); remove it from %s",
                     x->e->name, v->p->name, x->e->src->file));
  /* The author's own text. */
  if (!v->given && v->p->type == HK_QP_STR) {
    hk_buf_append_str(b, v->text);
    return HK_OK;
  }
  hk_error_clear(&e);
  if (sl->ctx == CTX_BARE)
    rc = render_bare(lang, sl, v, b, &e);
  else {
    value_text(lang, v, &t);
    rc = escape_into(lang, sl->ctx, t.data ? t.data : "", b, &e);
  }
  hk_buf_free(&t);
  if (rc != HK_OK) {
    hk_error_set(x->err, rc,
                 "query %s: parameter '%s' cannot be placed in %s of the %s "
                 "query: %s",
                 x->e->name, v->p->name, ctx_words(sl->ctx),
                 hk_qlang_name(lang), e.msg);
    return user_error(x->err, rc);
  }
  return HK_OK;
}

/* Drop lines that are empty or only blanks (MSTICPy removes them so that
 * optional clauses rendering as '' leave no gap). */
static void
drop_blank_lines(char *s)
{
  char *o = s, *line = s;
  while (*line) {
    char *nl = strchr(line, '\n');
    size_t len = nl ? (size_t)(nl - line) + 1 : strlen(line);
    bool blank = true;
    for (size_t i = 0; i < len; i++)
      if (!isspace((unsigned char)line[i]))
        blank = false;
    /* The first line is kept, as MSTICPy's `\n\s*\n` -> `\n` does. */
    if (!blank || line == s) {
      memmove(o, line, len);
      o += len;
    }
    line += len;
  }
  *o = '\0';
}

/* Expand `tmpl` for `lang`; `raw_values` writes run-time values as plain
 * text (provider options are set as values, never parsed as a query). */
static int
expand_template(const xctx *x, int lang, const char *tmpl, bool raw_values,
                char **out)
{
  scan_acc a = {HK_BUF_INIT, NULL, 0, NULL};
  hk_buf b = HK_BUF_INIT;
  size_t at = 0;
  int rc;

  *out = NULL;
  if ((rc = flatten(tmpl, &a, x->err)) != HK_OK)
    goto out;
  lex_contexts(lang, &a);
  for (size_t k = 0; k < a.n_slots; k++) {
    slot *sl = &a.slots[k];
    /* Literal text up to the placeholder, with {{ and }} unescaped. */
    for (size_t i = at; i < sl->start; i++) {
      hk_buf_append_char(&b, tmpl[i]);
      if ((tmpl[i] == '{' || tmpl[i] == '}') && tmpl[i + 1] == tmpl[i])
        i++;
    }
    at = sl->end;
    if (raw_values) {
      const qvalue *v = NULL;
      for (size_t i = 0; i < x->n_values; i++)
        if (strlen(x->values[i].p->name) == sl->name_len &&
            memcmp(x->values[i].p->name, sl->name, sl->name_len) == 0)
          v = &x->values[i];
      if (v && v->p->type == HK_QP_LIST) {
        for (size_t i = 0; i < v->n_items; i++)
          hk_buf_appendf(&b, "%s%s", i ? "," : "", v->items[i]);
      } else if (v)
        value_text(HK_QL_TEXT, v, &b);
      continue;
    }
    if ((rc = render_slot(x, lang, sl, &b)) != HK_OK)
      goto out;
  }
  for (size_t i = at; tmpl[i]; i++) {
    hk_buf_append_char(&b, tmpl[i]);
    if ((tmpl[i] == '{' || tmpl[i] == '}') && tmpl[i + 1] == tmpl[i])
      i++;
  }
  if (!b.data)
    hk_buf_append_str(&b, "");
  if (!b.data) {
    rc = hk_error_set(x->err, HK_E_NOMEM, "out of memory");
    goto out;
  }
  *out = hk_buf_detach(&b, NULL);
  if (!raw_values && lang != HK_QL_WHERE)
    drop_blank_lines(*out);
  rc = HK_OK;
out:
  hk_buf_free(&b);
  hk_buf_free(&a.flat);
  free(a.slots);
  free(a.flat_pos);
  return rc;
}

/* ------------------------------------------------------------- public */

void
hk_qplan_clear(hk_qplan *p)
{
  if (!p)
    return;
  free(p->name);
  free(p->provider);
  free(p->text);
  for (size_t i = 0; i < p->n_opts; i++) {
    free(p->opt_keys[i]);
    free(p->opt_values[i]);
  }
  free(p->opt_keys);
  free(p->opt_values);
  memset(p, 0, sizeof *p);
}

int
hk_query_expand(const hk_qentry *e, const hk_qargs *args, hk_qplan *out,
                hk_error *err)
{
  xctx x = {.e = e, .err = err};
  const hk_qsource *s = e->src;
  int rc;

  memset(out, 0, sizeof *out);
  out->language = e->language;
  out->file_query = e->language == HK_QL_WHERE;
  if ((rc = hk_qvalues_resolve(&x, args, out)) != HK_OK)
    goto fail;
  out->name = strdup(e->name);
  out->provider =
      strdup(out->file_query && s->reader ? s->reader : e->provider);
  if (!out->name || !out->provider) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto fail;
  }
  if ((rc = expand_template(&x, e->language, s->template, false, &out->text)) !=
      HK_OK)
    goto fail;
  {
    /* Blanks around the whole text mean nothing (a quoted YAML template
     * starts with the space of its folded first line). */
    char *t = out->text, *z;
    while (isspace((unsigned char)*t))
      t++;
    memmove(out->text, t, strlen(t) + 1);
    z = out->text + strlen(out->text);
    while (z > out->text && isspace((unsigned char)z[-1]))
      *--z = '\0';
  }
  if (s->n_args) {
    out->opt_keys = calloc(s->n_args, sizeof *out->opt_keys);
    out->opt_values = calloc(s->n_args, sizeof *out->opt_values);
    if (!out->opt_keys || !out->opt_values) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      goto fail;
    }
  }
  for (size_t i = 0; i < s->n_args; i++) {
    char *v;
    if ((rc = expand_template(&x, e->language, s->arg_values[i], true, &v)) !=
        HK_OK)
      goto fail;
    if (!*v) {
      /* `time_column: '{time_column}'` with an empty default: the
       * provider's own choice. */
      free(v);
      continue;
    }
    if (!(out->opt_keys[out->n_opts] = strdup(s->arg_keys[i]))) {
      free(v);
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      goto fail;
    }
    out->opt_values[out->n_opts++] = v;
  }
  rc = HK_OK;
  goto done;
fail:
  hk_qplan_clear(out);
done:
  for (size_t i = 0; i < x.n_values; i++)
    for (size_t k = 0; k < x.values[i].n_items; k++)
      free(x.values[i].items[k]);
  for (size_t i = 0; i < x.n_values; i++)
    free(x.values[i].items);
  free(x.values);
  return rc;
}
