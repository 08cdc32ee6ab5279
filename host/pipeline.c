/*
 * host/pipeline.c -- bind a pipeline's stages (split by pipeline_split.c)
 * to plugin instances and run it as a chain of Arrow streams.
 *
 * Every stream a plugin returns is wrapped (stream_check.c) so that a
 * malformed table or an error is pinned on the stage where it started:
 * analyzers wrap their input's errors in their own, so the runner reports
 * the first error any wrapper saw rather than the renderer's last word.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include "config.h"

#include "pipeline.h"
#include "querylib.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_BATCH_ROWS 8192

/* The members every vtable starts with (HK_VT_HEADER). */
typedef struct vt_header {
  HK_VT_HEADER;
} vt_header;

typedef struct stage {
  char *name;  /* plugin or plugin:instance as written */
  char *label; /* "stage N (name)" */
  int implicit;
  hk_instance *inst;
  const hk_plugin_desc *desc;
  hk_config *options;      /* the plugin's options schema */
  hk_config *host_options; /* enricher stages: column=, prefix= */
  char *prefix;            /* enricher stages: resolved prefix */
  /* Provider stages of a `query` stage: the query's name and text and
   * its time window (from its start/end parameters or the run's). */
  char *query_name;
  char *query_text;
  int has_window;
  int64_t start_us, end_us;
} stage;

struct hk_pipeline {
  hk_registry *registry;
  stage *stages;
  size_t n_stages;
};

static const hk_param enrich_host_options[] = {
    {HK_ENRICH_COLUMN_OPTION, HK_PT_STRING, HK_P_REQUIRED, NULL, NULL,
     "column whose values are looked up"},
    {HK_ENRICH_PREFIX_OPTION, HK_PT_STRING, 0, NULL, NULL,
     "prefix of the added columns (default: the instance name and '_')"},
    {NULL, 0, 0, NULL, NULL, NULL}};

/* ---------------------------------------------------------------- parse */

static const char *
kind_with_article(uint32_t kind)
{
  switch (kind) {
  case HK_KIND_PROVIDER:
    return "a provider";
  case HK_KIND_ENRICHER:
    return "an enricher";
  case HK_KIND_ANALYZER:
    return "an analyzer";
  case HK_KIND_RENDERER:
    return "a renderer";
  default:
    return "a plugin of unknown kind";
  }
}

static const hk_param *
find_param(const hk_param *schema, const char *name, size_t len)
{
  for (; schema && schema->name; schema++)
    if (strlen(schema->name) == len && memcmp(schema->name, name, len) == 0)
      return schema;
  return NULL;
}

static const hk_param *
options_schema(const hk_plugin_desc *desc)
{
  const vt_header *vt = desc->vtable;
  return vt ? vt->options : NULL;
}

/* "a, b, c" of every option name a stage accepts. */
static void
list_options(const stage *st, char *buf, size_t cap)
{
  size_t used = 0;
  const hk_param *schemas[2] = {NULL, options_schema(st->desc)};
  if (st->desc->kind == HK_KIND_ENRICHER)
    schemas[0] = enrich_host_options;
  buf[0] = '\0';
  for (int s = 0; s < 2; s++)
    for (const hk_param *p = schemas[s]; p && p->name; p++) {
      int n =
          snprintf(buf + used, cap - used, "%s%s", used ? ", " : "", p->name);
      if (n < 0 || (size_t)n >= cap - used)
        return;
      used += (size_t)n;
    }
}

/* Like hk_error_prefix, for a "stage N (name)" label. */
static void
error_prefix(hk_error *err, const char *label)
{
  size_t cap = sizeof err->msg, ll, ml;
  if (!err)
    return;
  ll = strlen(label);
  if (ll > cap - 3)
    ll = cap - 3;
  ml = strnlen(err->msg, cap - 1);
  if (ml > cap - 3 - ll)
    ml = cap - 3 - ll;
  memmove(err->msg + ll + 2, err->msg, ml);
  err->msg[ll + 2 + ml] = '\0';
  memcpy(err->msg, label, ll);
  memcpy(err->msg + ll, ": ", 2);
}

static int
user_error(hk_error *err, int code)
{
  if (err)
    err->flags |= HK_EF_USER;
  return code;
}

/* Is `w` a `key=value` word with an identifier as key?  Sets *klen. */
static int
is_key_value(const char *w, size_t *klen)
{
  const char *eq = strchr(w, '=');
  if (!eq || eq == w || !(islower((unsigned char)w[0])))
    return 0;
  for (const char *p = w; p < eq; p++)
    if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
      return 0;
  *klen = (size_t)(eq - w);
  return 1;
}

static int
check_required(const stage *st, const hk_config *cfg, hk_error *err)
{
  const hk_param *schema = hk_config_schema(cfg);
  for (const hk_param *p = schema; p && p->name; p++) {
    if (!(p->flags & HK_P_REQUIRED) || hk_config_is_set(cfg, p->name))
      continue;
    if (p->flags & HK_P_REST)
      hk_error_set(err, HK_E_CONFIG, "%s: missing the text after '%s' (%s)",
                   st->label, st->name, p->help ? p->help : p->name);
    else
      hk_error_set(err, HK_E_CONFIG, "%s: missing required option '%s=' (%s)",
                   st->label, p->name,
                   p->help ? p->help : "see `huntkit plugins inspect`");
    return user_error(err, HK_E_CONFIG);
  }
  return hk_config_check_required(cfg, st->label, err);
}

static int
bind_options(stage *st, const hk_stage_text *t, const char *src, hk_error *err)
{
  const hk_param *schema = options_schema(st->desc);
  int enricher = st->desc->kind == HK_KIND_ENRICHER;
  char known[512];
  int rc;

  st->options = hk_config_new(schema);
  if (!st->options)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  if (enricher) {
    st->host_options = hk_config_new(enrich_host_options);
    if (!st->host_options)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  for (size_t i = 1; i < t->n_words; i++) {
    const char *w = t->words[i].text;
    size_t klen = 0;
    hk_config *target = NULL;
    const hk_param *p = NULL;
    if (is_key_value(w, &klen)) {
      if (enricher && (p = find_param(enrich_host_options, w, klen)))
        target = st->host_options;
      else if ((p = find_param(schema, w, klen)))
        target = st->options;
    }
    if (target) {
      if (hk_config_is_set(target, p->name))
        return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                            "%s: option '%s' is given twice",
                                            st->label, p->name));
      rc = hk_config_set_text(target, p->name, w + klen + 1, st->label, err);
      if (rc != HK_OK)
        return user_error(err, rc);
      continue;
    }
    /* The first word that is not an option starts the free text. */
    const char *rest = hk_config_rest_param(st->options);
    if (rest && hk_config_is_set(st->options, rest)) {
      hk_error_set(err, HK_E_CONFIG,
                   "%s: option '%s' is given twice (as %s= and as the text "
                   "from '%s' on)",
                   st->label, rest, rest, w);
      return user_error(err, HK_E_CONFIG);
    }
    if (rest) {
      size_t from = t->words[i].start, to = t->end;
      /* Options may also follow the free text (`iocextract Message
       * types=ipv4`): unquoted trailing key=value words naming a known
       * option are taken off its end. */
      for (size_t last = t->n_words; last > i + 1; last--) {
        const hk_stage_word *lw = &t->words[last - 1];
        size_t kl = 0;
        const hk_param *lp = NULL;
        hk_config *tg = NULL;
        if (src[lw->start] == '"' || src[lw->start] == '\'' ||
            !is_key_value(lw->text, &kl))
          break;
        if (enricher && (lp = find_param(enrich_host_options, lw->text, kl)))
          tg = st->host_options;
        else if ((lp = find_param(schema, lw->text, kl)) &&
                 !(lp->flags & HK_P_REST))
          tg = st->options;
        if (!tg)
          break;
        if (hk_config_is_set(tg, lp->name))
          return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                              "%s: option '%s' is given twice",
                                              st->label, lp->name));
        rc =
            hk_config_set_text(tg, lp->name, lw->text + kl + 1, st->label, err);
        if (rc != HK_OK)
          return user_error(err, rc);
        to = lw->start;
      }
      while (to > from && isspace((unsigned char)src[to - 1]))
        to--;
      char *text = strndup(src + from, to - from);
      if (!text)
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
      rc = hk_config_set_text(st->options, rest, text, st->label, err);
      free(text);
      if (rc != HK_OK)
        return user_error(err, rc);
      break;
    }
    list_options(st, known, sizeof known);
    if (klen)
      hk_error_set(err, HK_E_CONFIG, "%s: unknown option '%.*s' (%s%s)",
                   st->label, (int)klen, w, known[0] ? "options: " : "",
                   known[0] ? known : "it takes no options");
    else
      hk_error_set(err, HK_E_CONFIG,
                   "%s: unexpected word '%s': options are written key=value "
                   "(%s%s)",
                   st->label, w, known[0] ? "options: " : "",
                   known[0] ? known : "it takes no options");
    return user_error(err, HK_E_CONFIG);
  }
  if ((rc = check_required(st, st->options, err)) != HK_OK)
    return user_error(err, rc);
  if (enricher) {
    const char *prefix;
    if ((rc = check_required(st, st->host_options, err)) != HK_OK)
      return user_error(err, rc);
    prefix = hk_config_get_string(st->host_options, HK_ENRICH_PREFIX_OPTION);
    if (prefix)
      st->prefix = strdup(prefix);
    else if (asprintf(&st->prefix, "%s_", hk_instance_name(st->inst)) < 0)
      st->prefix = NULL;
    if (!st->prefix)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  return HK_OK;
}

static void
stage_clear(stage *st)
{
  free(st->name);
  free(st->label);
  free(st->prefix);
  free(st->query_name);
  free(st->query_text);
  hk_config_free(st->options);
  hk_config_free(st->host_options);
}

void
hk_pipeline_free(hk_pipeline *p)
{
  if (!p)
    return;
  for (size_t i = 0; i < p->n_stages; i++)
    stage_clear(&p->stages[i]);
  free(p->stages);
  free(p);
}

/* Bind `st` to an instance of plugin `name`; `label` is the stage's
 * name in messages ("stage 2 (where)"). */
static int
bind_instance(hk_registry *r, stage *st, const char *label, const char *name,
              hk_error *err)
{
  st->name = strdup(name);
  st->label = strdup(label);
  if (!st->name || !st->label)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  st->inst = hk_registry_instance(r, name, err);
  if (!st->inst) {
    int code = err && err->code != HK_OK ? err->code : HK_E_NOTFOUND;
    error_prefix(err, st->label);
    if (code == HK_E_NOTFOUND)
      user_error(err, code);
    return code;
  }
  st->desc = hk_instance_plugin(st->inst)->desc;
  return HK_OK;
}

static int
bind_numbered(hk_registry *r, stage *st, size_t number, const char *name,
              hk_error *err)
{
  char label[160];
  snprintf(label, sizeof label, "stage %zu (%s)", number, name);
  return bind_instance(r, st, label, name, err);
}

static int
check_kind(const stage *st, size_t index, size_t n_written, hk_error *err)
{
  uint32_t kind = st->desc->kind;
  if (index == 0 && kind != HK_KIND_PROVIDER)
    hk_error_set(err, HK_E_CONFIG,
                 "%s is %s: a pipeline starts with a provider, e.g. `file "
                 "path=events.json | ...`",
                 st->label, kind_with_article(kind));
  else if (index > 0 && kind == HK_KIND_PROVIDER)
    hk_error_set(err, HK_E_CONFIG,
                 "%s is a provider: only the first stage can be a provider",
                 st->label);
  else if (kind == HK_KIND_RENDERER && index + 1 < n_written)
    hk_error_set(err, HK_E_CONFIG,
                 "%s is a renderer: only the last stage can be a renderer",
                 st->label);
  else if (kind < HK_KIND_PROVIDER || kind > HK_KIND_RENDERER)
    hk_error_set(err, HK_E_CONFIG, "%s has an unknown kind %u", st->label,
                 kind);
  else
    return HK_OK;
  return user_error(err, HK_E_CONFIG);
}

/* Set the options of a stage made by a query (no text to parse: each
 * value is set as it is). */
static int
set_stage_options(stage *st, const char *const *keys, const char *const *values,
                  size_t n, hk_error *err)
{
  int rc;
  st->options = hk_config_new(options_schema(st->desc));
  if (!st->options)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  for (size_t i = 0; i < n; i++) {
    const char *key = keys[i];
    if (!key) {
      key = hk_config_rest_param(st->options);
      if (!key)
        return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                            "%s: plugin '%s' takes no "
                                            "expression text",
                                            st->label, st->name));
    }
    rc = hk_config_set_text(st->options, key, values[i], st->label, err);
    if (rc != HK_OK)
      return user_error(err, rc);
  }
  rc = check_required(st, st->options, err);
  return rc == HK_OK ? HK_OK : user_error(err, rc);
}

/* `query NAME k=v ...` as stage 1: the query's provider stage, and for a
 * file query a `where` stage with its filter.  Returns the number of
 * stages made in *n_made. */
static int
expand_query_stage(hk_pipeline *p, const hk_stage_text *t,
                   const hk_parse_opts *o, size_t n_total, size_t *n_made,
                   hk_error *err)
{
  const char **keys = NULL, **values = NULL;
  char **owned = NULL;
  const hk_qentry *e;
  hk_qargs qa;
  hk_qplan plan;
  char label[200];
  stage *st;
  int rc = HK_OK;

  *n_made = 0;
  memset(&plan, 0, sizeof plan);
  if (!o || !o->queries)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "stage 1 (query): the query library "
                                        "is not available here"));
  if (t->n_words < 2)
    return user_error(
        err, hk_error_set(err, HK_E_CONFIG,
                          "stage 1 (query): give a query name, e.g. `query "
                          "file.process_creation host=WS5 path=x.csv` (see "
                          "`huntkit queries list`)"));
  e = hk_querylib_find(o->queries, t->words[1].text, err);
  if (!e) {
    error_prefix(err, "stage 1 (query)");
    return user_error(err, err && err->code ? err->code : HK_E_NOTFOUND);
  }
  snprintf(label, sizeof label, "stage 1 (query %s)", e->name);
  keys = calloc(t->n_words, sizeof *keys);
  values = calloc(t->n_words, sizeof *values);
  owned = calloc(t->n_words, sizeof *owned);
  if (!keys || !values || !owned) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto out;
  }
  for (size_t i = 2; i < t->n_words; i++) {
    const char *w = t->words[i].text, *eq = strchr(w, '=');
    if (!eq || eq == w) {
      rc = user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: parameters are written "
                                        "name=value, got '%s'",
                                        label, w));
      goto out;
    }
    owned[i - 2] = strndup(w, (size_t)(eq - w));
    if (!owned[i - 2]) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      goto out;
    }
    keys[i - 2] = owned[i - 2];
    values[i - 2] = eq + 1;
  }
  qa.keys = keys;
  qa.values = values;
  qa.n = t->n_words - 2;
  qa.start_us = o->start_us;
  qa.end_us = o->end_us;
  qa.now_us = o->now_us;
  if ((rc = hk_query_expand(e, &qa, &plan, err)) != HK_OK) {
    error_prefix(err, "stage 1");
    goto out;
  }

  /* The provider stage. */
  st = &p->stages[p->n_stages++];
  (*n_made)++;
  if ((rc = bind_instance(p->registry, st, label, plan.provider, err)) !=
      HK_OK) {
    if (rc == HK_E_NOTFOUND && !plan.file_query)
      hk_error_set(err, rc,
                   "%s: no provider plugin '%s' is installed to run this %s "
                   "query (`huntkit query %s --print` shows its text)",
                   label, plan.provider, hk_qlang_name(plan.language), e->name);
    if (rc == HK_E_NOTFOUND)
      user_error(err, rc);
    goto out;
  }
  if ((rc = check_kind(st, 0, n_total, err)) != HK_OK)
    goto out;
  if ((rc = set_stage_options(st, (const char *const *)plan.opt_keys,
                              (const char *const *)plan.opt_values, plan.n_opts,
                              err)) != HK_OK)
    goto out;
  st->query_name = strdup(plan.name);
  if (!st->query_name ||
      (!plan.file_query && !(st->query_text = strdup(plan.text)))) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto out;
  }
  st->has_window = 1;
  st->start_us = plan.start_us;
  st->end_us = plan.end_us;

  /* The filter of a file query. */
  if (plan.file_query && plan.text && *plan.text) {
    const char *no_key[1] = {NULL};
    const char *filter[1] = {plan.text};
    snprintf(label, sizeof label, "stage 1 (query %s: where)", e->name);
    st = &p->stages[p->n_stages++];
    (*n_made)++;
    if ((rc = bind_instance(p->registry, st, label, "where", err)) != HK_OK)
      goto out;
    if ((rc = check_kind(st, 1, n_total, err)) != HK_OK)
      goto out;
    rc = set_stage_options(st, no_key, filter, 1, err);
  }
out:
  hk_qplan_clear(&plan);
  for (size_t i = 0; owned && i < t->n_words; i++)
    free(owned[i]);
  free(owned);
  free(keys);
  free(values);
  return rc;
}

static bool
is_query_stage(const hk_stage_text *t)
{
  return t->n_words > 0 && strcmp(t->words[0].text, "query") == 0;
}

int
hk_pipeline_parse_ex(hk_registry *r, const char *src, const hk_parse_opts *o,
                     hk_pipeline **out, hk_error *err)
{
  const char *default_renderer = o ? o->default_renderer : NULL;
  hk_stage_text *texts = NULL;
  size_t n_texts = 0, first = 0, n_total;
  hk_pipeline *p;
  int rc;

  *out = NULL;
  if ((rc = hk_pipeline_split(src, &texts, &n_texts, err)) != HK_OK)
    return rc;
  for (size_t i = 1; i < n_texts; i++)
    if (is_query_stage(&texts[i])) {
      hk_error_set(err, HK_E_CONFIG,
                   "stage %zu (query): a query reads data, so it can only be "
                   "the first stage",
                   i + 1);
      hk_pipeline_split_free(texts, n_texts);
      return user_error(err, HK_E_CONFIG);
    }
  /* A query stage becomes up to two stages (provider, where). */
  n_total = n_texts + (is_query_stage(&texts[0]) ? 1 : 0);
  p = calloc(1, sizeof *p);
  if (p)
    p->stages = calloc(n_total + 1, sizeof *p->stages);
  if (!p || !p->stages) {
    free(p);
    hk_pipeline_split_free(texts, n_texts);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  p->registry = r;
  if (is_query_stage(&texts[0])) {
    size_t made = 0;
    rc = expand_query_stage(p, &texts[0], o, n_total, &made, err);
    if (rc != HK_OK)
      goto fail;
    /* A file query without a filter is one stage. */
    n_total -= 2 - made;
    first = 1;
  }
  for (size_t i = first; i < n_texts; i++) {
    size_t at = p->n_stages;
    stage *st = &p->stages[p->n_stages++];
    rc = bind_numbered(r, st, i + 1, texts[i].words[0].text, err);
    if (rc == HK_OK)
      rc = check_kind(st, at, n_total, err);
    if (rc == HK_OK)
      rc = bind_options(st, &texts[i], src, err);
    if (rc != HK_OK)
      goto fail;
  }
  if (p->stages[p->n_stages - 1].desc->kind != HK_KIND_RENDERER) {
    const char *name = default_renderer ? default_renderer : "table";
    stage *st = &p->stages[p->n_stages++];
    st->implicit = 1;
    rc = bind_numbered(r, st, n_texts + 1, name, err);
    if (rc == HK_OK && st->desc->kind != HK_KIND_RENDERER) {
      hk_error_set(err, HK_E_CONFIG,
                   "output format '%s' is %s, not a renderer (renderers "
                   "show tables: table, csv, json, ndjson)",
                   name, kind_with_article(st->desc->kind));
      rc = user_error(err, HK_E_CONFIG);
    }
    if (rc == HK_OK) {
      hk_stage_text none = {0};
      rc = bind_options(st, &none, "", err);
    }
    if (rc != HK_OK)
      goto fail;
  }
  hk_pipeline_split_free(texts, n_texts);
  *out = p;
  return HK_OK;

fail:
  hk_pipeline_split_free(texts, n_texts);
  hk_pipeline_free(p);
  return rc;
}

int
hk_pipeline_parse(hk_registry *r, const char *src, const char *default_renderer,
                  hk_pipeline **out, hk_error *err)
{
  hk_parse_opts o = {.default_renderer = default_renderer,
                     .start_us = HK_TIME_MIN,
                     .end_us = HK_TIME_MAX};
  return hk_pipeline_parse_ex(r, src, &o, out, err);
}

size_t
hk_pipeline_stage_count(const hk_pipeline *p)
{
  return p->n_stages;
}

const char *
hk_pipeline_stage_name(const hk_pipeline *p, size_t i)
{
  return i < p->n_stages ? p->stages[i].name : NULL;
}

uint32_t
hk_pipeline_stage_kind(const hk_pipeline *p, size_t i)
{
  return i < p->n_stages ? p->stages[i].desc->kind : 0;
}

hk_instance *
hk_pipeline_stage_instance(const hk_pipeline *p, size_t i)
{
  return i < p->n_stages ? p->stages[i].inst : NULL;
}

const hk_config *
hk_pipeline_stage_options(const hk_pipeline *p, size_t i)
{
  return i < p->n_stages ? p->stages[i].options : NULL;
}

int
hk_pipeline_stage_implicit(const hk_pipeline *p, size_t i)
{
  return i < p->n_stages ? p->stages[i].implicit : 0;
}

const char *
hk_pipeline_stage_column(const hk_pipeline *p, size_t i)
{
  if (i >= p->n_stages || !p->stages[i].host_options)
    return NULL;
  return hk_config_get_string(p->stages[i].host_options,
                              HK_ENRICH_COLUMN_OPTION);
}

const char *
hk_pipeline_stage_prefix(const hk_pipeline *p, size_t i)
{
  return i < p->n_stages ? p->stages[i].prefix : NULL;
}

/* ------------------------------------------------------------------ run */

typedef struct run_state {
  hk_pipeline *p;
  const hk_run_opts *opts;
  int error_stage; /* 1-based; 0 until a wrapper reports */
  char error_msg[HK_ERROR_MSG_MAX];
  int64_t rows_read;
} run_state;

static void
on_stage_error(void *ud, int stage_no, const char *msg)
{
  run_state *rs = ud;
  if (rs->error_stage)
    return;
  rs->error_stage = stage_no;
  snprintf(rs->error_msg, sizeof rs->error_msg, "%s", msg);
}

static void
on_stage_rows(void *ud, int stage_no, int64_t rows)
{
  run_state *rs = ud;
  if (stage_no != 1)
    return;
  rs->rows_read += rows;
  if (rs->opts->progress)
    rs->opts->progress(rs->opts->progress_ud, rs->rows_read);
}

/* The message for a failure: the first stage that reported an error,
 * else the stage whose call failed (`fallback`, 0-based). */
static int
report(run_state *rs, size_t fallback, int code, const hk_error *call_err,
       hk_run_result *res, hk_error *err)
{
  if (code == HK_OK)
    code = HK_E_FAIL;
  if (rs->error_stage) {
    hk_error_set(err, code, "%s: %s", rs->p->stages[rs->error_stage - 1].label,
                 rs->error_msg);
    res->failed_stage = rs->error_stage;
  } else {
    hk_error_set(err, code, "%s: %s", rs->p->stages[fallback].label,
                 call_err->msg[0] ? call_err->msg : "failed without a message");
    res->failed_stage = (int)fallback + 1;
  }
  if (err)
    err->flags |= call_err->flags & HK_EF_RETRYABLE;
  return code;
}

int
hk_pipeline_run(hk_pipeline *p, const hk_run_opts *opts, hk_run_result *res,
                hk_error *err)
{
  run_state rs = {.p = p, .opts = opts};
  hk_stream_hooks hooks = {on_stage_error, on_stage_rows, &rs};
  hk_error call_err;
  struct ArrowArrayStream *streams; /* stage i's output, stable addresses */
  struct ArrowArrayStream raw;
  int rc = HK_OK;
  size_t i;

  memset(res, 0, sizeof *res);
  hk_error_clear(&call_err);
  streams = calloc(p->n_stages, sizeof *streams);
  if (!streams)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");

  for (i = 0; i < p->n_stages && rc == HK_OK; i++) {
    stage *st = &p->stages[i];
    void *state = hk_instance_state(st->inst);
    memset(&raw, 0, sizeof raw);
    switch (st->desc->kind) {
    case HK_KIND_PROVIDER: {
      const hk_provider_vt *vt = st->desc->vtable;
      hk_query q = {.struct_size = sizeof q,
                    .name = st->query_name,
                    .text = st->query_text,
                    .options = st->options,
                    .start_us = st->has_window ? st->start_us : opts->start_us,
                    .end_us = st->has_window ? st->end_us : opts->end_us,
                    .batch_rows = opts->batch_rows > 0 ? opts->batch_rows
                                                       : DEFAULT_BATCH_ROWS};
      rc = vt->run_query(state, &q, &raw, &call_err);
      if (rc == HK_OK && !raw.release) {
        hk_error_set(&call_err, HK_E_FAIL, "plugin '%s' returned no stream",
                     st->desc->name);
        rc = HK_E_FAIL;
      }
      if (rc == HK_OK)
        rc = hk_stream_check_wrap(&raw, st->desc->name, (int)i + 1, 1, &hooks,
                                  &streams[i], &call_err);
      break;
    }
    case HK_KIND_ANALYZER: {
      const hk_analyzer_vt *vt = st->desc->vtable;
      rc = vt->run(state, st->options, &streams[i - 1], &raw, &call_err);
      if (rc == HK_OK && !raw.release) {
        hk_error_set(&call_err, HK_E_FAIL, "plugin '%s' returned no stream",
                     st->desc->name);
        rc = HK_E_FAIL;
      }
      if (rc == HK_OK)
        rc = hk_stream_check_wrap(&raw, st->desc->name, (int)i + 1, 0, &hooks,
                                  &streams[i], &call_err);
      break;
    }
    case HK_KIND_ENRICHER: {
      hk_enrich_spec spec = {.inst = st->inst,
                             .options = st->options,
                             .column = hk_config_get_string(
                                 st->host_options, HK_ENRICH_COLUMN_OPTION),
                             .prefix = st->prefix,
                             .stage_label = st->label,
                             .stage = (int)i + 1};
      rc = hk_enrich_stream_wrap(&streams[i - 1], &spec, &hooks, &streams[i],
                                 &call_err);
      break;
    }
    case HK_KIND_RENDERER: {
      const hk_renderer_vt *vt = st->desc->vtable;
      rc = vt->render(state, st->options, &streams[i - 1], opts->sink,
                      &call_err);
      break;
    }
    }
    if (rc != HK_OK) {
      hk_stream_release(&raw);
      rc = report(&rs, i, rc, &call_err, res, err);
    }
  }
  /* A stage failed but the stages after it carried on as if the input had
   * ended: the output is short, so the run fails all the same. */
  if (rc == HK_OK && rs.error_stage) {
    hk_error_set(&call_err, HK_E_FAIL, "input failed");
    rc = report(&rs, p->n_stages - 1, HK_E_FAIL, &call_err, res, err);
  }
  /* Nothing is left to release here: each stage's output was handed to
   * the next stage (plugins release their input, also on failure, and the
   * wrappers take theirs in every case), and a failing stage's output was
   * released above.  `streams` must outlive the renderer's call, since a
   * plugin may keep pulling through the pointer it was given. */
  res->rows_read = rs.rows_read;
  res->canceled = hk_services_canceled();
  free(streams);
  return rc;
}

int
hk_render_stream(hk_registry *r, const char *renderer,
                 struct ArrowArrayStream *in, const hk_sink *sink,
                 hk_error *err)
{
  hk_instance *inst = hk_registry_instance(r, renderer, err);
  const hk_plugin_desc *desc;
  const hk_renderer_vt *vt;
  struct ArrowArrayStream checked;
  hk_config *cfg;
  int rc;

  if (!inst) {
    hk_stream_release(in);
    return err && err->code != HK_OK ? err->code : HK_E_NOTFOUND;
  }
  desc = hk_instance_plugin(inst)->desc;
  if (desc->kind != HK_KIND_RENDERER) {
    hk_stream_release(in);
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "'%s' is %s, not a renderer", renderer,
                                        kind_with_article(desc->kind)));
  }
  vt = desc->vtable;
  cfg = hk_config_new(vt->options);
  if (!cfg) {
    hk_stream_release(in);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  rc = hk_config_check_required(cfg, renderer, err);
  if (rc == HK_OK)
    rc = hk_stream_check_wrap(in, desc->name, 1, 0, NULL, &checked, err);
  else
    hk_stream_release(in);
  if (rc == HK_OK) {
    rc = vt->render(hk_instance_state(inst), cfg, &checked, sink, err);
    if (rc != HK_OK)
      error_prefix(err, renderer);
  }
  hk_config_free(cfg);
  return rc;
}
