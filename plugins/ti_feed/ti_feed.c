/*
 * plugins/ti_feed/ti_feed.c -- the `ti_feed` enricher: offline lookups in
 * local indicator lists (CSV, plain text, JSON, NDJSON, MISP feeds), so
 * threat intelligence works with no network at all.
 *
 * The lists named by `paths` are read once, when the instance is created,
 * into one store (ti_feed_store.c); a lookup normalises the IoC the same
 * way as the list values and probes the hash table: the exact key, then,
 * for addresses, each CIDR prefix length the lists use, and, with
 * match_subdomains, each parent of a domain.  Every matching list line is
 * reported; the most severe one leads.
 */
#include "ti_feed_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hk_host *hk_tf_host;

#define TF_MAX_MATCHES 64

enum {
  F_LISTED,
  F_SEVERITY,
  F_DESCRIPTION,
  F_LIST,
  F_LINE,
  F_IOC_TYPE,
  F_MATCHED,
  F_MATCHES,
  F_COUNT
};

typedef struct hk_tf_state {
  const hk_instance *inst;
  hk_tf_store store;
  int refang, match_subdomains;
  /* Per-call outputs, valid until the next lookup. */
  hk_value fields[F_COUNT];
  hk_buf key, probe, raw, summary, reference;
  char why[300];
} hk_tf_state;

static void
hk_tf_destroy(void *state)
{
  hk_tf_state *s = state;
  if (!s)
    return;
  hk_tf_store_free(&s->store);
  hk_buf_free(&s->key);
  hk_buf_free(&s->probe);
  hk_buf_free(&s->raw);
  hk_buf_free(&s->summary);
  hk_buf_free(&s->reference);
  free(s);
}

/* Free a half-made state and pass the failure code on. */
static int
create_failed(hk_tf_state *s, int rc)
{
  hk_tf_destroy(s);
  return rc;
}

static int
hk_tf_create(const hk_instance *inst, const hk_config *cfg, void **state,
             hk_error *err)
{
  const hk_host *h = hk_tf_host;
  if (!HK_HAS(h, ip_classify))
    return hk_error_set(err, HK_E_NOTSUP,
                        "ti_feed: this huntkit has no IP classifier "
                        "(hk_host.ip_classify is missing); upgrade huntkit");
  hk_tf_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "ti_feed: out of memory");
  s->inst = inst;

  hk_tf_opts o;
  memset(&o, 0, sizeof o);
  o.inst = inst;
  o.value_column = h->config_get_string(cfg, "value_column");
  o.type_column = h->config_get_string(cfg, "type_column");
  o.desc_column = h->config_get_string(cfg, "description_column");
  o.severity_column = h->config_get_string(cfg, "severity_column");
  o.type_column_set = h->config_is_set(cfg, "type_column");
  o.desc_column_set = h->config_is_set(cfg, "description_column");
  o.severity_column_set = h->config_is_set(cfg, "severity_column");
  if (!o.value_column || !*o.value_column)
    o.value_column = "value";
  if (h->config_get_bool(cfg, "header", &o.header) != HK_OK)
    o.header = 1;
  if (h->config_get_bool(cfg, "refang", &o.refang) != HK_OK)
    o.refang = 1;
  if (h->config_get_bool(cfg, "misp_to_ids_only", &o.misp_to_ids_only) != HK_OK)
    o.misp_to_ids_only = 1;
  if (h->config_get_bool(cfg, "match_subdomains", &s->match_subdomains) !=
      HK_OK)
    s->match_subdomains = 0;
  s->refang = o.refang;
  const char *on_error = h->config_get_string(cfg, "on_error");
  o.skip_errors = on_error && !strcmp(on_error, "skip");
  const char *dt = h->config_get_string(cfg, "default_type");
  o.default_type = dt && *dt ? dt : NULL;
  const char *ds = h->config_get_string(cfg, "default_severity");
  o.default_severity = HK_SEV_HIGH;
  if (ds && *ds && !hk_tf_parse_severity(ds, strlen(ds), &o.default_severity))
    return create_failed(
        s, hk_error_set(err, HK_E_CONFIG,
                        "ti_feed: default_severity '%s' is not one of "
                        "unknown, information, low, medium, high",
                        ds));
  const char *delim = h->config_get_string(cfg, "delimiter");
  if (delim && *delim) {
    if (!strcmp(delim, "tab") || !strcmp(delim, "\\t"))
      o.delimiter = '\t';
    else if (strlen(delim) == 1 && delim[0] != '"' && delim[0] != '\n')
      o.delimiter = delim[0];
    else
      return create_failed(
          s, hk_error_set(err, HK_E_CONFIG,
                          "ti_feed: delimiter '%s' must be one character "
                          "(or 'tab')",
                          delim));
  }
  const char *format = h->config_get_string(cfg, "format");
  if (!format || !*format)
    format = "auto";

  const char *const *paths = NULL;
  size_t n_paths = h->config_get_list(cfg, "paths", &paths);
  if (n_paths == 0)
    return create_failed(
        s, hk_error_set(err, HK_E_CONFIG,
                        "ti_feed: no indicator lists: set paths (files, "
                        "globs or MISP feed directories) in conf.d"));
  for (size_t i = 0; i < n_paths; i++) {
    int rc = hk_tf_load_path(&s->store, &o, paths[i], format, err);
    if (rc != HK_OK) {
      hk_error_prefix(err, "ti_feed: ");
      hk_tf_destroy(s);
      return rc == HK_E_NOTFOUND ? HK_E_CONFIG : rc;
    }
  }
  HK_LOG_INFO(h, inst, "%zu indicator%s from %zu list file%s",
              s->store.n_entries, s->store.n_entries == 1 ? "" : "s",
              s->store.n_lists, s->store.n_lists == 1 ? "" : "s");
  *state = s;
  return HK_OK;
}

/* ------------------------------------------------------------- lookup */

typedef struct match_set {
  uint32_t idx[TF_MAX_MATCHES];
  size_t n, total;
} match_set;

static void
collect(const hk_tf_store *st, uint32_t first, match_set *m)
{
  for (uint32_t e = first; e != TF_NONE; e = st->entries[e].next) {
    if (m->n < TF_MAX_MATCHES)
      m->idx[m->n++] = e;
    m->total++;
  }
}

/* Address lookups also meet CIDR entries: mask with each prefix length
 * a list used and probe again. */
static void
probe_networks(hk_tf_state *s, match_set *m)
{
  const hk_tf_store *st = &s->store;
  int family = s->key.data[1];
  unsigned bits = family == 4 ? 32 : 128, nbytes = bits / 8;
  const uint8_t *present = family == 4 ? st->v4_prefixes : st->v6_prefixes;
  for (int p = (int)bits - 1; p >= 0; p--) {
    if (!present[p])
      continue;
    hk_buf_reset(&s->probe);
    hk_buf_append(&s->probe, s->key.data, 3 + nbytes);
    uint8_t *a = (uint8_t *)s->probe.data + 3;
    s->probe.data[2] = (char)p;
    for (unsigned i = 0; i < nbytes; i++) {
      unsigned keep = (unsigned)p > i * 8 ? (unsigned)p - i * 8 : 0;
      if (keep < 8)
        a[i] &= (uint8_t)(0xff00u >> keep);
    }
    collect(st, hk_tf_store_find(st, s->probe.data, s->probe.len), m);
  }
}

static void
probe_parents(hk_tf_state *s, match_set *m)
{
  const char *name = s->key.data + 1;
  size_t len = s->key.len - 1;
  for (size_t i = 0; i < len; i++) {
    if (name[i] != '.' || i + 1 >= len)
      continue;
    hk_buf_reset(&s->probe);
    hk_buf_append_char(&s->probe, TF_C_DNS);
    hk_buf_append(&s->probe, name + i + 1, len - i - 1);
    collect(&s->store, hk_tf_store_find(&s->store, s->probe.data, s->probe.len),
            m);
  }
}

static void
set_str(hk_value *v, const char *s)
{
  if (!s)
    return;
  v->is_set = 1;
  v->str = s;
  v->str_len = strlen(s);
}

static void
raw_member(hk_buf *b, const char *key, const char *value)
{
  hk_buf_appendf(b, ",\"%s\":", key);
  hk_buf_append_json_string(b, value, strlen(value));
}

static int
hk_tf_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
             hk_enrichment *out, hk_error *err)
{
  (void)options;
  hk_tf_state *s = state;
  const hk_tf_store *st = &s->store;
  memset(s->fields, 0, sizeof s->fields);
  out->severity = HK_SEV_INFORMATION;
  out->reference = NULL;
  out->raw = NULL;
  out->fields = NULL;
  const char *type = ioc->type ? ioc->type : "";
  int cls = hk_tf_class_of_type(type, strlen(type));
  if (cls == 0) /* "path": not a lookup type, decide by the text */
    cls = memchr(ioc->value, '\\', ioc->len) ? TF_C_WINPATH : TF_C_LINPATH;
  int rc = hk_tf_make_key(cls, type, strlen(type), ioc->value, ioc->len,
                          s->refang, &s->key, s->why, sizeof s->why);
  if (rc == HK_E_NOMEM)
    return hk_error_set(err, rc, "ti_feed: out of memory");
  hk_buf_reset(&s->summary);
  if (rc != HK_OK) {
    hk_buf_append_str(&s->summary, s->why);
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = s->summary.data;
    return HK_OK;
  }

  match_set m;
  m.n = m.total = 0;
  collect(st, hk_tf_store_find(st, s->key.data, s->key.len), &m);
  if (cls == TF_C_IP && st->has_networks)
    probe_networks(s, &m);
  if (cls == TF_C_DNS && s->match_subdomains)
    probe_parents(s, &m);

  s->fields[F_LISTED].is_set = 1;
  out->fields = s->fields;
  if (m.total == 0) {
    hk_buf_appendf(&s->summary, "not in the indicator lists (%zu indicators)",
                   st->n_entries);
    out->status = HK_LK_NO_DATA;
    out->summary = s->summary.data;
    return HK_OK;
  }

  /* The most severe match leads; ties keep list order. */
  size_t lead = 0;
  for (size_t i = 1; i < m.n; i++)
    if (st->entries[m.idx[i]].severity > st->entries[m.idx[lead]].severity)
      lead = i;
  const hk_tf_entry *e = &st->entries[m.idx[lead]];
  const hk_tf_list *l = &st->lists[e->list];
  s->fields[F_LISTED].i64 = 1;
  set_str(&s->fields[F_SEVERITY], hk_tf_severity_name(e->severity));
  set_str(&s->fields[F_DESCRIPTION], hk_tf_str(st, e->desc));
  set_str(&s->fields[F_LIST], l->name);
  if (e->line) {
    s->fields[F_LINE].is_set = 1;
    s->fields[F_LINE].i64 = e->line;
  }
  set_str(&s->fields[F_IOC_TYPE], hk_tf_str(st, e->type));
  set_str(&s->fields[F_MATCHED], hk_tf_str(st, e->value));
  s->fields[F_MATCHES].is_set = 1;
  s->fields[F_MATCHES].i64 = (int64_t)m.total;

  hk_buf_appendf(&s->summary, "listed in %s", l->name);
  if (e->line)
    hk_buf_appendf(&s->summary, ":%u", e->line);
  hk_buf_appendf(&s->summary, " (%s)", hk_tf_severity_name(e->severity));
  if (e->desc != TF_NONE)
    hk_buf_appendf(&s->summary, ": %.200s", hk_tf_str(st, e->desc));
  if (m.total > 1)
    hk_buf_appendf(&s->summary, "; %zu more match%s", m.total - 1,
                   m.total == 2 ? "" : "es");

  hk_buf_reset(&s->reference);
  hk_buf_append_str(&s->reference, l->path);
  if (e->line)
    hk_buf_appendf(&s->reference, ":%u", e->line);

  hk_buf_reset(&s->raw);
  hk_buf_append_char(&s->raw, '[');
  for (size_t i = 0; i < m.n; i++) {
    const hk_tf_entry *x = &st->entries[m.idx[i]];
    hk_buf_appendf(&s->raw, "%s{\"list\":", i ? "," : "");
    const char *path = st->lists[x->list].path;
    hk_buf_append_json_string(&s->raw, path, strlen(path));
    if (x->line)
      hk_buf_appendf(&s->raw, ",\"line\":%u", x->line);
    raw_member(&s->raw, "type", hk_tf_str(st, x->type));
    raw_member(&s->raw, "value", hk_tf_str(st, x->value));
    raw_member(&s->raw, "severity", hk_tf_severity_name(x->severity));
    if (x->desc != TF_NONE)
      raw_member(&s->raw, "description", hk_tf_str(st, x->desc));
    if (x->extra != TF_NONE)
      hk_buf_appendf(&s->raw, ",%s", hk_tf_str(st, x->extra));
    hk_buf_append_char(&s->raw, '}');
  }
  hk_buf_append_char(&s->raw, ']');

  out->status = HK_LK_OK;
  out->severity = e->severity;
  out->summary = s->summary.data;
  out->reference = s->reference.data;
  out->raw = s->raw.data;
  return HK_OK;
}

/* --------------------------------------------------------- descriptor */

static const char *const hk_tf_entity_types[] = {
    HK_IOC_IPV4,       HK_IOC_IPV6,
    HK_IOC_DNS,        HK_IOC_HOSTNAME,
    HK_IOC_URL,        HK_IOC_EMAIL,
    HK_IOC_MD5,        HK_IOC_SHA1,
    HK_IOC_SHA256,     HK_IOC_WINDOWS_PATH,
    HK_IOC_LINUX_PATH, HK_IOC_ACCOUNT,
    HK_IOC_PROCESS,    NULL};

static const hk_field_desc hk_tf_fields[] = {
    {"listed", HK_COL_BOOL,
     "true when the value is in a list (null: not looked up)"},
    {"severity", HK_COL_UTF8,
     "severity of the leading match: information, low, medium, high"},
    {"description", HK_COL_UTF8, "description of the leading match"},
    {"list", HK_COL_UTF8,
     "list file of the leading match (MISP: feed/event.json)"},
    {"line", HK_COL_INT64, "line of the leading match in its list"},
    {"ioc_type", HK_COL_UTF8, "indicator type as the list gives it"},
    {"matched", HK_COL_UTF8,
     "the list's value (a CIDR or parent domain when that matched)"},
    {"matches", HK_COL_INT64, "how many list entries matched"},
    {NULL, 0, NULL}};

static const hk_param hk_tf_params[] = {
    {"paths", HK_PT_LIST, HK_P_REQUIRED, NULL, NULL,
     "indicator lists: files, globs (~/ti/*.csv) or MISP feed directories"},
    {"format", HK_PT_STRING, 0, "auto", "auto|csv|text|json|ndjson|misp",
     "list format; auto: by extension (.csv .tsv .json .ndjson .jsonl, a "
     "directory with manifest.json is MISP, anything else text)"},
    {"value_column", HK_PT_STRING, 0, "value", NULL,
     "CSV column (name or 1-based number) or JSON member holding the "
     "indicator"},
    {"type_column", HK_PT_STRING, 0, "type", NULL,
     "column/member with the indicator type; when absent the type is "
     "detected"},
    {"description_column", HK_PT_STRING, 0, "description", NULL,
     "column/member with a description"},
    {"severity_column", HK_PT_STRING, 0, "severity", NULL,
     "column/member with the severity (information, low, medium, high)"},
    {"delimiter", HK_PT_STRING, 0, NULL, NULL,
     "CSV delimiter: one character or 'tab' (default ',' and tab for .tsv)"},
    {"header", HK_PT_BOOL, 0, "true", NULL,
     "CSV lists start with a header row (false: use column numbers)"},
    {"default_type", HK_PT_STRING, 0, NULL, NULL,
     "type of entries that give none (e.g. hostname for a list of bare host "
     "names); unset: detected from the value"},
    {"default_severity", HK_PT_STRING, 0, "high",
     "unknown|information|low|medium|high",
     "severity of entries that give none"},
    {"on_error", HK_PT_STRING, 0, "fail", "fail|skip",
     "a malformed list line: stop (naming file and line) or skip it"},
    {"refang", HK_PT_BOOL, 0, "true", NULL,
     "undo defanging ([.] hxxp [@] ...) in IPs, domains, URLs and e-mail"},
    {"match_subdomains", HK_PT_BOOL, 0, "false", NULL,
     "a listed domain also matches its subdomains"},
    {"misp_to_ids_only", HK_PT_BOOL, 0, "true", NULL,
     "MISP feeds: only attributes flagged to_ids (detection indicators)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_enricher_vt hk_tf_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = hk_tf_create,
    .destroy = hk_tf_destroy,
    .fields = hk_tf_fields,
    .lookup = hk_tf_lookup,
};

static const hk_plugin_desc hk_tf_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "ti_feed",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = HK_PF_TI,
    .summary = "offline threat intelligence from local indicator lists (CSV, "
               "text, JSON, NDJSON, MISP feeds)",
    .entity_types = hk_tf_entity_types,
    .params = hk_tf_params,
    .vtable = &hk_tf_vt,
};

static const hk_plugin_desc *const hk_tf_descriptors[] = {&hk_tf_desc, NULL};

static const hk_plugin_desc *const *
ti_feed_entry_fn(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "ti_feed: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  hk_tf_host = host;
  return hk_tf_descriptors;
}

HK_PLUGIN_DEFINE(ti_feed, ti_feed_entry_fn)
