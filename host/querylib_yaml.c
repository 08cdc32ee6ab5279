/*
 * host/querylib_yaml.c -- read one query definition file (MSTICPy's YAML
 * schema) into merged sources; querylib.c names and registers them.
 *
 * Files are read with libyaml's document loader, so anchors and aliases
 * (Prisma Cloud's files keep templates under metadata.aliases and refer to
 * them with *name), folded and literal scalars all behave as in PyYAML's
 * safe loader.  Merging follows MSTICPy: metadata is file <- defaults <-
 * source, parameters are defaults <- source field by field (a source may
 * change only the default of a shared parameter).  MSTICPy's sharing of
 * one defaults dict per family across files (a later file changing how an
 * earlier one renders) is deliberately not reproduced.
 */
#define _GNU_SOURCE /* strndup */
#include "config.h"

#include "querylib.h"
#include "timeparse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

static void
strv_free(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static int
strv_push(char ***v, size_t *n, const char *s)
{
  char **nv = realloc(*v, (*n + 1) * sizeof *nv);
  if (!nv)
    return HK_E_NOMEM;
  *v = nv;
  if (!(nv[*n] = strdup(s)))
    return HK_E_NOMEM;
  (*n)++;
  return HK_OK;
}

static int
strv_dup(char **src, size_t n, char ***out)
{
  size_t k = 0;
  *out = NULL;
  for (size_t i = 0; i < n; i++)
    if (strv_push(out, &k, src[i]) != HK_OK) {
      strv_free(*out, k);
      *out = NULL;
      return HK_E_NOMEM;
    }
  return HK_OK;
}

static int
type_from_name(const char *s)
{
  static const struct {
    const char *name;
    int type;
  } TYPES[] = {{"str", HK_QP_STR},           {"string", HK_QP_STR},
               {"int", HK_QP_INT},           {"integer", HK_QP_INT},
               {"float", HK_QP_FLOAT},       {"double", HK_QP_FLOAT},
               {"datetime", HK_QP_DATETIME}, {"list", HK_QP_LIST},
               {"bool", HK_QP_BOOL},         {"boolean", HK_QP_BOOL}};
  for (size_t i = 0; i < sizeof TYPES / sizeof TYPES[0]; i++)
    if (strcasecmp(TYPES[i].name, s) == 0)
      return TYPES[i].type;
  return 0;
}

/* ----------------------------------------------------------------- YAML */

typedef struct yfile {
  const char *path;
  yaml_document_t doc;
} yfile;

static int
node_line(const yaml_node_t *n)
{
  return n ? (int)n->start_mark.line + 1 : 0;
}

static yaml_node_t *
yget(yfile *yf, yaml_node_t *map, const char *key)
{
  if (!map || map->type != YAML_MAPPING_NODE)
    return NULL;
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(&yf->doc, p->key);
    if (k && k->type == YAML_SCALAR_NODE &&
        strcmp((const char *)k->data.scalar.value, key) == 0)
      return yaml_document_get_node(&yf->doc, p->value);
  }
  return NULL;
}

static bool
is_null(const yaml_node_t *n)
{
  const char *v;
  if (!n)
    return true;
  if (n->type != YAML_SCALAR_NODE ||
      n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return false;
  v = (const char *)n->data.scalar.value;
  return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
         strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static const char *
scalar(const yaml_node_t *n)
{
  return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value
                                          : NULL;
}

static const char *
node_kind(const yaml_node_t *n)
{
  if (!n)
    return "nothing";
  switch (n->type) {
  case YAML_SCALAR_NODE:
    return "a value";
  case YAML_SEQUENCE_NODE:
    return "a list";
  case YAML_MAPPING_NODE:
    return "a mapping";
  default:
    return "nothing";
  }
}

static int yerr(hk_error *err, const yfile *yf, const yaml_node_t *n,
                const char *key, const char *fmt, ...) HK_PRINTF(5, 6);

/* "FILE:LINE: KEY: message" */
static int
yerr(hk_error *err, const yfile *yf, const yaml_node_t *n, const char *key,
     const char *fmt, ...)
{
  char msg[HK_ERROR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  return hk_error_set(err, HK_E_CONFIG, "%s:%d: %s: %s", yf->path,
                      n ? node_line(n) : 1, key, msg);
}

/* A scalar or a list of scalars as strings (MSTICPy accepts both for
 * data_environments, data_families, tags and aliases). */
static int
string_list(yfile *yf, yaml_node_t *n, const char *key, char ***out,
            size_t *n_out, hk_error *err)
{
  *out = NULL;
  *n_out = 0;
  if (is_null(n))
    return HK_OK;
  if (n->type == YAML_SCALAR_NODE) {
    if (strv_push(out, n_out, scalar(n)) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    return HK_OK;
  }
  if (n->type != YAML_SEQUENCE_NODE)
    return yerr(err, yf, n, key, "expected a list of names, got %s",
                node_kind(n));
  for (yaml_node_item_t *it = n->data.sequence.items.start;
       it < n->data.sequence.items.top; it++) {
    yaml_node_t *item = yaml_document_get_node(&yf->doc, *it);
    if (!item || item->type != YAML_SCALAR_NODE) {
      strv_free(*out, *n_out);
      *out = NULL;
      *n_out = 0;
      return yerr(err, yf, item ? item : n, key,
                  "expected a list of names, got %s in it", node_kind(item));
    }
    if (strv_push(out, n_out, scalar(item)) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  return HK_OK;
}

/* ----------------------------------------------------------- parameters */

/* One parameter while merging: the nodes of its fields, from the
 * defaults and then the source. */
typedef struct pdef {
  const char *name;
  yaml_node_t *desc, *type, *def, *aliases, *format;
  yaml_node_t *where;  /* the definition that set `type` last, for lines */
  const char *section; /* "defaults.parameters" or "sources.X.parameters" */
  bool has_def_key;
} pdef;

static int
collect_params(yfile *yf, yaml_node_t *params, const char *section, pdef **defs,
               size_t *n, hk_error *err)
{
  if (is_null(params))
    return HK_OK;
  if (params->type != YAML_MAPPING_NODE)
    return yerr(err, yf, params, section,
                "expected a mapping of parameter names to definitions, got "
                "%s",
                node_kind(params));
  for (yaml_node_pair_t *p = params->data.mapping.pairs.start;
       p < params->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(&yf->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(&yf->doc, p->value);
    const char *name = scalar(k);
    pdef *d = NULL;
    if (!name || !*name)
      return yerr(err, yf, k, section, "a parameter name must be a word");
    if (!v || v->type != YAML_MAPPING_NODE)
      return yerr(err, yf, v ? v : k, section,
                  "parameter '%s': expected a mapping with description, type "
                  "and optionally default and aliases, got %s",
                  name, node_kind(v));
    for (size_t i = 0; i < *n; i++)
      if (strcmp((*defs)[i].name, name) == 0)
        d = &(*defs)[i];
    if (!d) {
      pdef *nd = realloc(*defs, (*n + 1) * sizeof *nd);
      if (!nd)
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
      *defs = nd;
      d = &nd[(*n)++];
      memset(d, 0, sizeof *d);
      d->name = name;
    }
    d->where = v;
    d->section = section;
    /* Field by field: the source changes only what it names. */
    for (yaml_node_pair_t *f = v->data.mapping.pairs.start;
         f < v->data.mapping.pairs.top; f++) {
      const char *fk = scalar(yaml_document_get_node(&yf->doc, f->key));
      yaml_node_t *fv = yaml_document_get_node(&yf->doc, f->value);
      if (!fk)
        continue;
      if (strcmp(fk, "description") == 0)
        d->desc = fv;
      else if (strcmp(fk, "type") == 0)
        d->type = fv;
      else if (strcmp(fk, "default") == 0) {
        d->def = fv;
        d->has_def_key = true;
      } else if (strcmp(fk, "aliases") == 0)
        d->aliases = fv;
      else if (strcmp(fk, "format") == 0)
        d->format = fv;
      /* Other keys are ignored, as MSTICPy's code does. */
    }
  }
  return HK_OK;
}

static bool
parse_int_text(const char *s, long long *out)
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
build_param(yfile *yf, const pdef *d, hk_qparam *p, hk_error *err)
{
  char key[256];
  const char *tname;
  memset(p, 0, sizeof *p);
  snprintf(key, sizeof key, "%s.%s", d->section, d->name);
  p->line = node_line(d->where);
  if (!(p->name = strdup(d->name)))
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  if (d->desc && scalar(d->desc) && !is_null(d->desc) &&
      !(p->description = strdup(scalar(d->desc))))
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  if (!d->type || is_null(d->type))
    return yerr(err, yf, d->where, key,
                "missing 'type' (str, int, float, datetime, list or bool)");
  tname = scalar(d->type);
  if (!tname || !(p->type = type_from_name(tname)))
    return yerr(err, yf, d->type, key,
                "unknown type '%s' (expected str, int, float, datetime, list "
                "or bool)",
                tname ? tname : node_kind(d->type));
  if (d->aliases) {
    char akey[300];
    snprintf(akey, sizeof akey, "%s.aliases", key);
    if (string_list(yf, d->aliases, akey, &p->aliases, &p->n_aliases, err) !=
        HK_OK)
      return err ? err->code : HK_E_CONFIG;
  }
  p->has_format = d->format && !is_null(d->format);
  /* A null default (`default:` with nothing) leaves the parameter
   * required, as in MSTICPy's code. */
  if (!d->has_def_key || is_null(d->def))
    return HK_OK;
  p->has_default = true;
  if (d->def->type == YAML_SEQUENCE_NODE) {
    if (p->type != HK_QP_LIST)
      return yerr(err, yf, d->def, key,
                  "the default is a list but the type is %s",
                  hk_qparam_type_name(p->type));
    p->default_is_list = true;
    if (string_list(yf, d->def, key, &p->default_items, &p->n_default_items,
                    err) != HK_OK)
      return err ? err->code : HK_E_CONFIG;
    return HK_OK;
  }
  if (d->def->type != YAML_SCALAR_NODE)
    return yerr(err, yf, d->def, key, "the default must be a value, got %s",
                node_kind(d->def));
  if (!(p->default_text = strdup(scalar(d->def))))
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  /* Typed defaults must read as their type now, not when a query runs. */
  switch (p->type) {
  case HK_QP_INT: {
    long long v;
    if (!parse_int_text(p->default_text, &v))
      return yerr(err, yf, d->def, key,
                  "default '%s' is not an integer (type int)", p->default_text);
    break;
  }
  case HK_QP_FLOAT: {
    char *end;
    errno = 0;
    (void)strtod(p->default_text, &end);
    if (errno || end == p->default_text || *end)
      return yerr(err, yf, d->def, key,
                  "default '%s' is not a number (type float)", p->default_text);
    break;
  }
  case HK_QP_BOOL: {
    static const char *const WORDS[] = {"true", "false", "yes", "no",
                                        "on",   "off",   "1",   "0"};
    bool okw = false;
    for (size_t i = 0; i < sizeof WORDS / sizeof WORDS[0]; i++)
      okw |= strcasecmp(WORDS[i], p->default_text) == 0;
    if (!okw)
      return yerr(err, yf, d->def, key,
                  "default '%s' is not true or false (type bool)",
                  p->default_text);
    break;
  }
  case HK_QP_DATETIME: {
    long long days;
    int64_t t;
    hk_error terr;
    hk_error_clear(&terr);
    if (!parse_int_text(p->default_text, &days) &&
        hk_time_parse(p->default_text, 0, &t, &terr) != HK_OK)
      return yerr(err, yf, d->def, key, "%s", terr.msg);
    break;
  }
  default:
    break;
  }
  return HK_OK;
}

static void
param_clear(hk_qparam *p)
{
  free(p->name);
  free(p->description);
  free(p->default_text);
  strv_free(p->default_items, p->n_default_items);
  strv_free(p->aliases, p->n_aliases);
}

void
hk_qsource_free(hk_qsource *s)
{
  if (!s)
    return;
  free(s->file);
  free(s->query);
  free(s->description);
  free(s->template);
  for (size_t i = 0; i < s->n_params; i++)
    param_clear(&s->params[i]);
  free(s->params);
  strv_free(s->arg_keys, s->n_args);
  strv_free(s->arg_values, s->n_args);
  free(s->reader);
  strv_free(s->tags, s->n_tags);
  free(s->data_source);
  free(s);
}

/* ------------------------------------------------------------ templates */

int
hk_query_template_scan(const char *t, hk_qplaceholder_fn fn, void *ud,
                       hk_error *err)
{
  int line = 1;
  for (size_t i = 0; t[i]; i++) {
    if (t[i] == '\n')
      line++;
    if (t[i] == '}') {
      if (t[i + 1] == '}') {
        i++;
        continue;
      }
      return hk_error_set(err, HK_E_CONFIG,
                          "line %d of the template: single '}' (write }} "
                          "for a literal brace)",
                          line);
    }
    if (t[i] != '{')
      continue;
    if (t[i + 1] == '{') {
      i++;
      continue;
    }
    size_t j = i + 1;
    if (isalpha((unsigned char)t[j]) || t[j] == '_') {
      while (isalnum((unsigned char)t[j]) || t[j] == '_')
        j++;
      if (t[j] == '}') {
        int rc = fn ? fn(ud, t + i + 1, j - i - 1, i) : HK_OK;
        if (rc != HK_OK)
          return rc;
        i = j;
        continue;
      }
    }
    {
      size_t k = j;
      while (t[k] && t[k] != '}' && t[k] != '\n' && k - i < 40)
        k++;
      if (t[k] == '}')
        return hk_error_set(err, HK_E_CONFIG,
                            "line %d of the template: '%.*s' is not a "
                            "placeholder huntkit supports (write {name}, or "
                            "{{ for a literal brace)",
                            line, (int)(k - i + 1), t + i);
      return hk_error_set(err, HK_E_CONFIG,
                          "line %d of the template: single '{' (write {{ "
                          "for a literal brace)",
                          line);
    }
  }
  return HK_OK;
}

typedef struct check_ud {
  const hk_qsource *src;
  const char *missing;
  size_t missing_len;
} check_ud;

static int
check_placeholder(void *ud, const char *name, size_t len, size_t offset)
{
  check_ud *c = ud;
  (void)offset;
  for (size_t i = 0; i < c->src->n_params; i++)
    if (strlen(c->src->params[i].name) == len &&
        memcmp(c->src->params[i].name, name, len) == 0)
      return HK_OK;
  c->missing = name;
  c->missing_len = len;
  return HK_E_NOTFOUND;
}

/* MSTICPy's query macros: `$<name>$` (the closing $ optional) becomes
 * the macro's value, or nothing when it is not defined; then runs of
 * blank lines collapse. */
static char *
expand_macros(yfile *yf, yaml_node_t *macros, const char *t)
{
  hk_buf b = HK_BUF_INIT;
  const char *p = t;
  if (!strstr(t, "$<"))
    return strdup(t);
  while (*p) {
    const char *m = strstr(p, "$<");
    const char *close = m ? strchr(m + 2, '>') : NULL;
    if (!m || !close) {
      hk_buf_append_str(&b, p);
      break;
    }
    hk_buf_append(&b, p, (size_t)(m - p));
    {
      char *name = strndup(m + 2, (size_t)(close - m - 2));
      yaml_node_t *def = name ? yget(yf, macros, name) : NULL;
      const char *value = scalar(yget(yf, def, "value"));
      if (value)
        hk_buf_append_str(&b, value);
      free(name);
    }
    p = close + 1;
    if (*p == '$')
      p++;
  }
  {
    char *s = hk_buf_detach(&b, NULL), *o = s;
    if (!s)
      return strdup("");
    for (char *q = s; *q; q++) {
      if (*q == '\n' && o > s && o[-1] == '\n')
        continue;
      *o++ = *q;
    }
    *o = '\0';
    return s;
  }
}

/* ------------------------------------------------------------ one file */

typedef struct file_ctx {
  yfile *yf;
  yaml_node_t *meta, *defaults, *d_meta, *d_params, *d_args;
  char **envs, **fams;
  size_t n_envs, n_fams;
} file_ctx;

static int
build_source(file_ctx *fc, const char *qname, yaml_node_t *keynode,
             yaml_node_t *sdef, hk_qsource **out, char ***envs, size_t *n_envs,
             char ***fams, size_t *n_fams, hk_error *err)
{
  yfile *yf = fc->yf;
  hk_qsource *s = calloc(1, sizeof *s);
  pdef *defs = NULL;
  size_t n_defs = 0;
  char section[256], key[300];
  yaml_node_t *s_meta, *s_args, *n_query, *node;
  int rc = HK_OK;

  *out = NULL;
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  s->line = node_line(keynode);
  if (!(s->file = strdup(yf->path)) || !(s->query = strdup(qname))) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto fail;
  }
  snprintf(section, sizeof section, "sources.%s", qname);
  if (!sdef || sdef->type != YAML_MAPPING_NODE) {
    rc = yerr(err, yf, sdef ? sdef : keynode, section,
              "expected a mapping with description, args and parameters, "
              "got %s",
              node_kind(sdef));
    goto fail;
  }
  if ((node = yget(yf, sdef, "description")) && scalar(node) &&
      !(s->description = strdup(scalar(node)))) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto fail;
  }

  /* metadata: file <- defaults <- source, key by key. */
  s_meta = yget(yf, sdef, "metadata");
  *envs = fc->envs;
  *n_envs = fc->n_envs;
  *fams = fc->fams;
  *n_fams = fc->n_fams;
  {
    yaml_node_t *metas[2] = {fc->d_meta, s_meta};
    const char *names[2] = {"defaults.metadata", section};
    for (int m = 0; m < 2; m++) {
      yaml_node_t *v;
      if (!metas[m])
        continue;
      if ((v = yget(yf, metas[m], "data_families"))) {
        char **l;
        size_t n;
        snprintf(key, sizeof key, "%s%s.data_families", names[m],
                 m ? ".metadata" : "");
        if ((rc = string_list(yf, v, key, &l, &n, err)) != HK_OK)
          goto fail;
        if (n) {
          if (*fams != fc->fams)
            strv_free(*fams, *n_fams);
          *fams = l;
          *n_fams = n;
        } else
          free(l);
      }
      if ((v = yget(yf, metas[m], "data_environments"))) {
        char **l;
        size_t n;
        snprintf(key, sizeof key, "%s%s.data_environments", names[m],
                 m ? ".metadata" : "");
        if ((rc = string_list(yf, v, key, &l, &n, err)) != HK_OK)
          goto fail;
        if (n) {
          if (*envs != fc->envs)
            strv_free(*envs, *n_envs);
          *envs = l;
          *n_envs = n;
        } else
          free(l);
      }
      if ((v = yget(yf, metas[m], "data_source")) && scalar(v)) {
        free(s->data_source);
        if (!(s->data_source = strdup(scalar(v)))) {
          rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
          goto fail;
        }
      }
    }
  }
  {
    yaml_node_t *tags = yget(yf, s_meta, "tags");
    if (!tags)
      tags = yget(yf, fc->d_meta, "tags");
    if (!tags)
      tags = yget(yf, fc->meta, "tags");
    if (tags && (rc = string_list(yf, tags, "metadata.tags", &s->tags,
                                  &s->n_tags, err)) != HK_OK)
      goto fail;
  }
  if (!s->data_source) {
    node = yget(yf, fc->meta, "data_source");
    if (scalar(node) && !(s->data_source = strdup(scalar(node)))) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      goto fail;
    }
  }

  /* parameters: defaults <- source, field by field. */
  if ((rc = collect_params(yf, fc->d_params, "defaults.parameters", &defs,
                           &n_defs, err)) != HK_OK)
    goto fail;
  snprintf(key, sizeof key, "%s.parameters", section);
  if ((rc = collect_params(yf, yget(yf, sdef, "parameters"), key, &defs,
                           &n_defs, err)) != HK_OK)
    goto fail;
  if (n_defs && !(s->params = calloc(n_defs, sizeof *s->params))) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto fail;
  }
  for (size_t i = 0; i < n_defs; i++) {
    rc = build_param(yf, &defs[i], &s->params[i], err);
    s->n_params++;
    if (rc != HK_OK)
      goto fail;
  }

  /* args: defaults <- source. */
  s_args = yget(yf, sdef, "args");
  if (s_args && s_args->type != YAML_MAPPING_NODE && !is_null(s_args)) {
    snprintf(key, sizeof key, "%s.args", section);
    rc = yerr(err, yf, s_args, key, "expected a mapping with query, got %s",
              node_kind(s_args));
    goto fail;
  }
  n_query = yget(yf, s_args, "query");
  if (!n_query)
    n_query = yget(yf, fc->d_args, "query");
  snprintf(key, sizeof key, "%s.args.query", section);
  if (!n_query || !scalar(n_query) || !*scalar(n_query)) {
    rc = yerr(err, yf, n_query ? n_query : (s_args ? s_args : sdef), key,
              n_query ? "the query template must be non-empty text"
                      : "missing: every source needs args.query (the query "
                        "template)");
    goto fail;
  }
  s->template_line = node_line(n_query);
  if (!(s->template = expand_macros(yf, yget(yf, sdef, "query_macros"),
                                    scalar(n_query)))) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto fail;
  }
  {
    yaml_node_t *arg_maps[2] = {fc->d_args, s_args};
    for (int m = 0; m < 2; m++) {
      if (!arg_maps[m] || arg_maps[m]->type != YAML_MAPPING_NODE)
        continue;
      for (yaml_node_pair_t *p = arg_maps[m]->data.mapping.pairs.start;
           p < arg_maps[m]->data.mapping.pairs.top; p++) {
        yaml_node_t *kn = yaml_document_get_node(&yf->doc, p->key);
        yaml_node_t *vn = yaml_document_get_node(&yf->doc, p->value);
        const char *k = scalar(kn);
        size_t at = s->n_args;
        if (!k || strcmp(k, "query") == 0 || strcmp(k, "uri") == 0)
          continue;
        snprintf(key, sizeof key, "%s.args.%s", m ? section : "defaults", k);
        if (is_null(vn))
          continue;
        if (vn->type != YAML_SCALAR_NODE) {
          rc =
              yerr(err, yf, vn, key, "expected a value, got %s", node_kind(vn));
          goto fail;
        }
        if (strcmp(k, "reader") == 0) {
          free(s->reader);
          if (!(s->reader = strdup(scalar(vn)))) {
            rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
            goto fail;
          }
          continue;
        }
        for (size_t i = 0; i < s->n_args; i++)
          if (strcmp(s->arg_keys[i], k) == 0)
            at = i;
        if (at < s->n_args) {
          char *nv = strdup(scalar(vn));
          if (!nv) {
            rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
            goto fail;
          }
          free(s->arg_values[at]);
          s->arg_values[at] = nv;
        } else {
          size_t nk = s->n_args, nv = s->n_args;
          if (strv_push(&s->arg_keys, &nk, k) != HK_OK ||
              strv_push(&s->arg_values, &nv, scalar(vn)) != HK_OK) {
            rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
            if (nk > nv)
              free(s->arg_keys[--nk]);
            goto fail;
          }
          s->n_args++;
        }
      }
    }
  }

  /* Every {name} needs a definition (MSTICPy's QuerySource.validate). */
  {
    check_ud cu = {s, NULL, 0};
    hk_error terr;
    hk_error_clear(&terr);
    rc = hk_query_template_scan(s->template, check_placeholder, &cu, &terr);
    for (size_t i = 0; rc == HK_OK && i < s->n_args; i++)
      rc = hk_query_template_scan(s->arg_values[i], check_placeholder, &cu,
                                  &terr);
    if (rc == HK_E_NOTFOUND) {
      rc = yerr(err, yf, n_query, key,
                "placeholder {%.*s} has no parameter definition (add it "
                "under %s.parameters or defaults.parameters)",
                (int)cu.missing_len, cu.missing, section);
      goto fail;
    }
    if (rc != HK_OK) {
      rc = yerr(err, yf, n_query, key, "%s", terr.msg);
      goto fail;
    }
  }
  free(defs);
  *out = s;
  return HK_OK;

fail:
  free(defs);
  if (*fams != fc->fams)
    strv_free(*fams, *n_fams);
  if (*envs != fc->envs)
    strv_free(*envs, *n_envs);
  *fams = fc->fams;
  *envs = fc->envs;
  hk_qsource_free(s);
  return rc;
}

static int
load_yaml(yfile *yf, yaml_node_t **root, hk_error *err)
{
  FILE *fp = fopen(yf->path, "rb");
  yaml_parser_t parser;
  int rc = HK_OK;
  if (!fp)
    return hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                        "%s: cannot read: %s", yf->path, strerror(errno));
  if (!yaml_parser_initialize(&parser)) {
    fclose(fp);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  yaml_parser_set_input_file(&parser, fp);
  if (!yaml_parser_load(&parser, &yf->doc)) {
    rc = hk_error_set(err, HK_E_CONFIG, "%s:%zu: YAML syntax error: %s%s%s",
                      yf->path, parser.problem_mark.line + 1,
                      parser.problem ? parser.problem : "malformed",
                      parser.context ? " " : "",
                      parser.context ? parser.context : "");
  } else {
    *root = yaml_document_get_root_node(&yf->doc);
    if (!*root) {
      yaml_document_delete(&yf->doc);
      rc = hk_error_set(err, HK_E_CONFIG,
                        "%s:1: the file is empty (a query file has metadata, "
                        "defaults and sources)",
                        yf->path);
    }
  }
  yaml_parser_delete(&parser);
  fclose(fp);
  return rc;
}

static int
push_problem(hk_qfile *out, const char *msg)
{
  return strv_push(&out->problems, &out->n_problems, msg);
}

static int
push_item(hk_qfile *out, hk_qsource *s, char **envs, size_t n_envs, char **fams,
          size_t n_fams)
{
  hk_qparsed *ni = realloc(out->items, (out->n_items + 1) * sizeof *ni);
  if (!ni)
    return HK_E_NOMEM;
  out->items = ni;
  ni += out->n_items;
  memset(ni, 0, sizeof *ni);
  if (strv_dup(envs, n_envs, &ni->envs) != HK_OK)
    return HK_E_NOMEM;
  if (strv_dup(fams, n_fams, &ni->fams) != HK_OK) {
    strv_free(ni->envs, n_envs);
    return HK_E_NOMEM;
  }
  ni->n_envs = n_envs;
  ni->n_fams = n_fams;
  ni->src = s;
  out->n_items++;
  return HK_OK;
}

void
hk_qfile_clear(hk_qfile *f)
{
  for (size_t i = 0; i < f->n_items; i++) {
    hk_qsource_free(f->items[i].src);
    strv_free(f->items[i].envs, f->items[i].n_envs);
    strv_free(f->items[i].fams, f->items[i].n_fams);
  }
  free(f->items);
  strv_free(f->problems, f->n_problems);
  memset(f, 0, sizeof *f);
}

int
hk_qfile_parse(const char *path, hk_qfile *out, hk_error *err)
{
  yfile yf = {.path = path};
  yaml_node_t *root = NULL, *sources;
  file_ctx fc = {.yf = &yf};

  memset(out, 0, sizeof *out);
  int rc;

  if ((rc = load_yaml(&yf, &root, err)) != HK_OK)
    return rc;
  if (root->type != YAML_MAPPING_NODE) {
    rc = yerr(err, &yf, root, "(top level)",
              "expected a mapping with metadata, defaults and sources, got %s",
              node_kind(root));
    goto out;
  }
  fc.meta = yget(&yf, root, "metadata");
  if (!fc.meta || fc.meta->type != YAML_MAPPING_NODE ||
      fc.meta->data.mapping.pairs.start == fc.meta->data.mapping.pairs.top) {
    rc = yerr(err, &yf, fc.meta ? fc.meta : root, "metadata",
              "missing or empty (needs version, description, "
              "data_environments and data_families)");
    goto out;
  }
  if ((rc = string_list(&yf, yget(&yf, fc.meta, "data_environments"),
                        "metadata.data_environments", &fc.envs, &fc.n_envs,
                        err)) != HK_OK)
    goto out;
  if (!fc.n_envs) {
    rc = yerr(err, &yf, fc.meta, "metadata.data_environments",
              "missing or empty (e.g. [LogAnalytics], [Splunk] or [file])");
    goto out;
  }
  if ((rc = string_list(&yf, yget(&yf, fc.meta, "data_families"),
                        "metadata.data_families", &fc.fams, &fc.n_fams, err)) !=
      HK_OK)
    goto out;
  if (!fc.n_fams) {
    rc = yerr(err, &yf, fc.meta, "metadata.data_families",
              "missing or empty (e.g. [WindowsSecurity])");
    goto out;
  }
  fc.defaults = yget(&yf, root, "defaults");
  if (fc.defaults && !is_null(fc.defaults) &&
      fc.defaults->type != YAML_MAPPING_NODE) {
    rc = yerr(err, &yf, fc.defaults, "defaults",
              "expected a mapping with metadata and parameters, got %s",
              node_kind(fc.defaults));
    goto out;
  }
  fc.d_meta = yget(&yf, fc.defaults, "metadata");
  fc.d_params = yget(&yf, fc.defaults, "parameters");
  fc.d_args = yget(&yf, fc.defaults, "args");
  sources = yget(&yf, root, "sources");
  if (!sources || sources->type != YAML_MAPPING_NODE ||
      sources->data.mapping.pairs.start == sources->data.mapping.pairs.top) {
    rc = yerr(err, &yf, sources ? sources : root, "sources",
              "missing or empty (a mapping of query names to their "
              "description, args.query and parameters)");
    goto out;
  }
  for (yaml_node_pair_t *p = sources->data.mapping.pairs.start;
       p < sources->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(&yf.doc, p->key);
    yaml_node_t *v = yaml_document_get_node(&yf.doc, p->value);
    const char *qname = scalar(k);
    hk_qsource *s = NULL;
    char **envs = fc.envs, **fams = fc.fams;
    size_t n_envs = fc.n_envs, n_fams = fc.n_fams;
    hk_error serr;
    hk_error_clear(&serr);
    if (!qname || !*qname) {
      yerr(&serr, &yf, k, "sources", "a query name must be a word");
      rc = HK_E_CONFIG;
    } else {
      rc = build_source(&fc, qname, k, v, &s, &envs, &n_envs, &fams, &n_fams,
                        &serr);
    }
    if (rc == HK_E_NOMEM) {
      hk_error_set(err, rc, "out of memory");
      goto out;
    }
    if (rc != HK_OK) {
      /* One bad source is skipped; the file's other sources load. */
      char msg[HK_ERROR_MSG_MAX + 40];
      snprintf(msg, sizeof msg, "%s (query skipped)", serr.msg);
      if (push_problem(out, msg) != HK_OK) {
        rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
        goto out;
      }
      rc = HK_OK;
      continue;
    }
    rc = push_item(out, s, envs, n_envs, fams, n_fams);
    if (rc != HK_OK) {
      hk_qsource_free(s);
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    }
    if (fams != fc.fams)
      strv_free(fams, n_fams);
    if (envs != fc.envs)
      strv_free(envs, n_envs);
    if (rc != HK_OK)
      goto out;
  }
out:
  strv_free(fc.envs, fc.n_envs);
  strv_free(fc.fams, fc.n_fams);
  yaml_document_delete(&yf.doc);
  return rc;
}
