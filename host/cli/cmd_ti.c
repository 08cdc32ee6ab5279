/*
 * host/cli/cmd_ti.c -- `huntkit ti lookup` (and the help entries of
 * `geoip`, which is in cmd_geoip.c; the shared parts are in ti_common.c).
 *
 * Both verbs collect IoCs (words, or one per line of --file), send them through
 * the bulk lookup engine (hk_lookup_run: concurrent HTTP within each
 * instance's limits, the cache, fail-open per lookup) and render one table
 * with the -o renderer.
 *
 * ti lookup: one row per (IoC x provider) in MSTICPy's TI result shape
 * (Ioc, IocType, QuerySubtype, Provider, Result, Severity, Details,
 * Reference, Status, RawResult), or with --summary one row per IoC with
 * the worst severity.  A provider that fails (no API key, network down,
 * quota spent) gives query_failed rows with the reason in Details; the
 * other providers' rows are kept.
 */
#define _GNU_SOURCE
#include "config.h"

#include "ti.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TI_HELP                                                                \
  "Usage: huntkit ti lookup [OPTIONS] IOC...\n"                                \
  "       huntkit ti lookup [OPTIONS] --file FILE\n"                           \
  "\n"                                                                         \
  "Looks IoCs up in threat-intelligence providers and prints MSTICPy's TI\n"   \
  "result table: one row per IoC and provider with the columns Ioc,\n"         \
  "IocType, QuerySubtype, Provider, Result, Severity (information, low,\n"     \
  "medium, high, unknown), Details, Reference, Status (ok, no_data,\n"         \
  "bad_format, not_supported, query_failed) and RawResult.\n"                  \
  "\n"                                                                         \
  "The IoC type is detected (ipv4, ipv6, dns, url, md5_hash, sha1_hash,\n"     \
  "sha256_hash, email, windows_path, linux_path) unless --type gives it.\n"    \
  "Each IoC goes only to the providers that take its type.  The providers\n"   \
  "are every enabled conf.d instance of a threat-intelligence enricher\n"      \
  "(virustotal, otx, xforce, greynoise, abuseipdb, tor, ti_feed, ...),\n"      \
  "or those named with --providers.  Requests run concurrently within each\n"  \
  "instance's rate, quota and concurrency settings (see the README), and\n"    \
  "answers are cached, so a repeated lookup costs no quota.\n"                 \
  "\n"                                                                         \
  "A provider that fails (missing API key, network error, quota spent)\n"      \
  "gives rows with Status query_failed and the reason in Details; the\n"       \
  "other providers' rows are kept.\n"                                          \
  "\n"                                                                         \
  "Options:\n"                                                                 \
  "  --file FILE        IoCs, one per line ('-': standard input); blank\n"     \
  "                     lines and lines starting with # are skipped\n"         \
  "  --type TYPE        the type of every IoC, instead of detecting it\n"      \
  "  --providers A,B    only these providers: plugin, plugin:instance or a\n"  \
  "                     conf.d instance name; an IoC of a type one of them\n"  \
  "                     does not take gets a not_supported row\n"              \
  "  --summary          one row per IoC instead: Ioc, IocType, Severity\n"     \
  "                     (the worst over the providers that answered ok\n"      \
  "                     or no_data; unknown when none did),\n"                 \
  "                     Providers (rows), Flagged (rows of severity low or\n"  \
  "                     worse), Failed (query_failed rows) and Details\n"      \
  "                     (provider=severity, or =status when not ok)\n"         \
  "  --no-cache         neither read nor write the lookup cache\n"             \
  "  --refresh          ask again, ignoring cached answers (and cache the\n"   \
  "                     new ones)\n"                                           \
  "  --strict           exit 1 when any lookup failed\n"                       \
  "  -o FORMAT          table, csv, json, ndjson\n"                            \
  "\n"                                                                         \
  "Duplicate IoCs are looked up once.  Progress goes to stderr on a\n"         \
  "terminal.  Ctrl-C stops the lookups and prints those that finished.\n"      \
  "\n"                                                                         \
  "Examples:\n"                                                                \
  "  huntkit ti lookup 198.51.100.23 example.com\n"                            \
  "  huntkit ti lookup --file iocs.txt --providers otx,virustotal -o csv\n"    \
  "  huntkit ti lookup --summary --file iocs.txt\n"                            \
  "  huntkit ti lookup --type sha256_hash --refresh "                          \
  "275a021bbfb6489e54d471899f7db9d1663fc695ec2fe2a2c4538aabf651fd0f\n"         \
  "\n"                                                                         \
  "Exit status: 0 (also when some lookups failed), 1 with --strict when\n"     \
  "any failed, 2 usage error, 130 interrupted.\n"

const hk_cli_verb hk_cli_verbs_ti[] = {
    {"ti", "threat-intel lookups of IoCs", TI_HELP},
    {"ti lookup", "threat-intel lookups of IoCs", TI_HELP},
    {"geoip", "geolocate IP addresses", hk_ti_geoip_help},
    {NULL, NULL, NULL}};

/* IoC types --type accepts (huntkit/ioc.h). */
static const char *const ioc_types[] = {
    HK_IOC_IPV4,         HK_IOC_IPV6,       HK_IOC_DNS,      HK_IOC_URL,
    HK_IOC_MD5,          HK_IOC_SHA1,       HK_IOC_SHA256,   HK_IOC_EMAIL,
    HK_IOC_WINDOWS_PATH, HK_IOC_LINUX_PATH, HK_IOC_HOSTNAME, NULL};

/* --------------------------------------------------------------- options */

/* ------------------------------------------------------------ the IoCs */

/* ------------------------------------------------------------ providers */

typedef struct provider {
  char *name;                 /* Provider column: the instance name */
  hk_instance *inst;          /* NULL when it could not be made */
  hk_config *options;         /* its run options, at their defaults */
  const hk_plugin_desc *desc; /* NULL when the plugin did not load */
  bool explicit_;             /* named with --providers */
  char error[HK_ERROR_MSG_MAX];
} provider;

static void
providers_free(provider *p, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    free(p[i].name);
    hk_config_free(p[i].options);
  }
  free(p);
}

/* The instance of `spec`, or the reason in p->error. */
static void
open_provider(hk_cli *cli, const char *spec, const char *plugin_name,
              provider *p)
{
  hk_error err;
  hk_error_clear(&err);
  const hk_plugin *pl = hk_registry_find(cli->registry, plugin_name, &err);
  if (pl)
    p->desc = pl->desc;
  if (pl && (p->inst = hk_registry_instance(cli->registry, spec, &err))) {
    char origin[300];
    snprintf(origin, sizeof origin, "ti lookup (%s)", spec);
    if (!(p->options = hk_ti_default_options(pl->desc, origin, p->error,
                                             sizeof p->error)))
      p->inst = NULL; /* its rows fail with the reason */
    return;
  }
  snprintf(p->error, sizeof p->error, "%s", err.msg);
}

/* "name": a conf.d instance name, a plugin name or plugin:instance. */
static int
resolve_named(hk_cli *cli, const char *name, provider *p)
{
  char spec[256];
  const hk_instance_conf *conf = NULL;
  const char *colon = strchr(name, ':');
  if (!colon)
    for (size_t i = 0; i < cli->settings.n_instances && !conf; i++)
      if (strcmp(cli->settings.instances[i].instance, name) == 0)
        conf = &cli->settings.instances[i];
  if (conf)
    snprintf(spec, sizeof spec, "%s:%s", conf->plugin, conf->instance);
  else
    snprintf(spec, sizeof spec, "%s", name);
  char plugin[128];
  size_t plen = strcspn(spec, ":");
  snprintf(plugin, sizeof plugin, "%.*s", (int)plen, spec);
  hk_error err;
  hk_error_clear(&err);
  const hk_plugin *pl = hk_registry_find(cli->registry, plugin, &err);
  if (!pl)
    return hk_cli_usage_error("ti lookup", "--providers: %s", err.msg);
  if (pl->desc->kind != HK_KIND_ENRICHER)
    return hk_cli_usage_error("ti lookup",
                              "--providers: '%s' is %s plugin, not an "
                              "enricher",
                              plugin,
                              pl->desc->kind == HK_KIND_ANALYZER ? "an analyzer"
                              : pl->desc->kind == HK_KIND_PROVIDER
                                  ? "a data provider"
                                  : "a renderer");
  p->explicit_ = true;
  open_provider(cli, spec, plugin, p);
  p->name = strdup(p->inst ? hk_instance_name(p->inst)
                   : conf  ? conf->instance
                   : colon ? colon + 1
                           : name);
  return p->name ? 0 : hk_cli_error(HK_EXIT_FAIL, "out of memory");
}

static int
choose_providers(hk_cli *cli, const char *list, provider **out, size_t *n_out)
{
  provider *v = NULL;
  size_t n = 0;
  int rc = 0;
  if (list) {
    char *copy = strdup(list), *save = NULL;
    if (!copy)
      return hk_cli_error(HK_EXIT_FAIL, "out of memory");
    for (char *tok = strtok_r(copy, ",", &save); tok && rc == 0;
         tok = strtok_r(NULL, ",", &save)) {
      while (*tok == ' ')
        tok++;
      if (!*tok)
        continue;
      provider *nv = realloc(v, (n + 1) * sizeof *nv);
      if (!nv) {
        rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
        break;
      }
      v = nv;
      memset(&v[n], 0, sizeof v[n]);
      rc = resolve_named(cli, tok, &v[n]);
      n++;
    }
    free(copy);
    if (rc == 0 && n == 0)
      rc = hk_cli_usage_error("ti lookup", "--providers: no provider named");
  } else {
    for (size_t i = 0; i < cli->settings.n_instances && rc == 0; i++) {
      const hk_instance_conf *c = &cli->settings.instances[i];
      if (!c->enabled)
        continue;
      hk_error err;
      hk_error_clear(&err);
      const hk_plugin *pl = hk_registry_find(cli->registry, c->plugin, &err);
      /* A configured plugin that does not load is reported as failed
       * rows: the operator meant it to answer. */
      if (pl &&
          (pl->desc->kind != HK_KIND_ENRICHER || !(pl->desc->flags & HK_PF_TI)))
        continue;
      provider *nv = realloc(v, (n + 1) * sizeof *nv);
      if (!nv) {
        rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
        break;
      }
      v = nv;
      memset(&v[n], 0, sizeof v[n]);
      if (pl) {
        char spec[256];
        snprintf(spec, sizeof spec, "%s:%s", c->plugin, c->instance);
        open_provider(cli, spec, c->plugin, &v[n]);
      } else {
        snprintf(v[n].error, sizeof v[n].error, "%s", err.msg);
      }
      if (!(v[n].name = strdup(c->instance)))
        rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
      n++;
    }
    if (rc == 0 && n == 0)
      rc = hk_cli_error(HK_EXIT_FAIL,
                        "no threat-intelligence provider is configured: "
                        "add a conf.d/NAME.yaml enabling one (virustotal, "
                        "otx, xforce, greynoise, abuseipdb, tor, ti_feed; "
                        "see `huntkit plugins list`), or name one with "
                        "--providers");
  }
  *out = v;
  *n_out = n;
  return rc;
}

/* --------------------------------------------------------------- running */

/* One result row: a lookup, or an answer the CLI knows already. */
typedef struct ti_row {
  size_t ioc, prov;
  hk_lookup *lk;      /* NULL: fixed */
  int32_t status;     /* fixed rows */
  const char *detail; /* fixed rows (borrowed) */
} ti_row;

/* ------------------------------------------------------------- tables */

static int
add_cols(hk_table_builder *b, const char *const *names, const int *types)
{
  for (size_t i = 0; names[i]; i++)
    if (hk_table_builder_add_column(b, names[i], types[i]) < 0)
      return HK_E_NOMEM;
  return HK_OK;
}

/* Details of an ok row: the summary, else field=value pairs. */
static void
row_details(const ti_row *r, const provider *pv, hk_buf *b)
{
  hk_buf_reset(b);
  if (!r->lk) {
    hk_buf_append_str(b, r->detail ? r->detail : "");
    return;
  }
  if (r->lk->summary) {
    hk_buf_append_str(b, r->lk->summary);
    return;
  }
  const hk_enricher_vt *vt = pv->desc ? pv->desc->vtable : NULL;
  for (size_t f = 0; vt && r->lk->fields && f < r->lk->n_fields; f++) {
    const hk_value *v = &r->lk->fields[f];
    if (!v->is_set)
      continue;
    if (b->len)
      hk_buf_append_str(b, "; ");
    hk_buf_appendf(b, "%s=", vt->fields[f].name);
    switch (vt->fields[f].type) {
    case HK_COL_UTF8:
      hk_buf_append(b, v->str ? v->str : "", v->str ? v->str_len : 0);
      break;
    case HK_COL_FLOAT64:
      hk_buf_appendf(b, "%g", v->f64);
      break;
    case HK_COL_BOOL:
      hk_buf_append_str(b, v->i64 ? "true" : "false");
      break;
    default:
      hk_buf_appendf(b, "%lld", (long long)v->i64);
    }
  }
}

static int
row_status(const ti_row *r)
{
  return r->lk ? r->lk->status : r->status;
}

static int
row_severity(const ti_row *r)
{
  return r->lk ? r->lk->severity : HK_SEV_UNKNOWN;
}

static int
full_table(const hk_ti_iocs *iocs, const provider *pv, const ti_row *rows,
           size_t n_rows, struct ArrowArrayStream *out)
{
  static const char *const names[] = {
      "Ioc",     "IocType",   "QuerySubtype", "Provider",  "Result", "Severity",
      "Details", "Reference", "Status",       "RawResult", NULL};
  static const int types[] = {
      HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8, HK_COL_BOOL,
      HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8};
  hk_table_builder *b = hk_table_builder_new();
  hk_buf details = HK_BUF_INIT;
  int rc = b ? add_cols(b, names, types) : HK_E_NOMEM;
  for (size_t i = 0; i < n_rows && rc == HK_OK; i++) {
    const ti_row *r = &rows[i];
    if (r->lk && !r->lk->done)
      continue; /* canceled before it finished */
    const hk_ti_ioc *in = &iocs->v[r->ioc];
    int st = row_status(r);
    row_details(r, &pv[r->prov], &details);
    rc = hk_ti_put_text(b, 0, in->value);
    rc = rc ? rc : hk_ti_put_text(b, 1, in->type ? in->type : "unknown");
    rc = rc ? rc : hk_table_builder_append_null(b, 2);
    rc = rc ? rc : hk_ti_put_text(b, 3, pv[r->prov].name);
    rc = rc ? rc : hk_table_builder_append_bool(b, 4, st == HK_LK_OK);
    rc = rc ? rc : hk_ti_put_text(b, 5, hk_severity_name(row_severity(r)));
    rc = rc ? rc : hk_ti_put_text(b, 6, details.data ? details.data : "");
    rc = rc ? rc : hk_ti_put_text(b, 7, r->lk ? r->lk->reference : NULL);
    rc = rc ? rc : hk_ti_put_text(b, 8, hk_lookup_status_name(st));
    rc = rc ? rc : hk_ti_put_text(b, 9, r->lk ? r->lk->raw : NULL);
  }
  hk_buf_free(&details);
  if (rc != HK_OK) {
    hk_table_builder_free(b);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  rc = hk_ti_stream(b, out);
  hk_table_builder_free(b);
  return rc;
}

static int
summary_table(const hk_ti_iocs *iocs, const provider *pv, const ti_row *rows,
              size_t n_rows, struct ArrowArrayStream *out)
{
  static const char *const names[] = {"Ioc",       "IocType", "Severity",
                                      "Providers", "Flagged", "Failed",
                                      "Details",   NULL};
  static const int types[] = {HK_COL_UTF8,  HK_COL_UTF8,  HK_COL_UTF8,
                              HK_COL_INT64, HK_COL_INT64, HK_COL_INT64,
                              HK_COL_UTF8};
  hk_table_builder *b = hk_table_builder_new();
  hk_buf details = HK_BUF_INIT;
  int rc = b ? add_cols(b, names, types) : HK_E_NOMEM;
  size_t r = 0;
  for (size_t i = 0; i < iocs->n && rc == HK_OK; i++) {
    int worst = HK_SEV_UNKNOWN;
    int64_t n = 0, flagged = 0, failed = 0;
    hk_buf_reset(&details);
    /* rows are in IoC order */
    for (; r < n_rows && rows[r].ioc == i; r++) {
      const ti_row *row = &rows[r];
      if (row->lk && !row->lk->done)
        continue;
      int st = row_status(row), sev = row_severity(row);
      n++;
      if (st == HK_LK_QUERY_FAILED)
        failed++;
      if ((st == HK_LK_OK || st == HK_LK_NO_DATA) && sev > worst)
        worst = sev;
      if (st == HK_LK_OK && sev >= HK_SEV_LOW)
        flagged++;
      if (details.len)
        hk_buf_append_str(&details, ", ");
      hk_buf_appendf(&details, "%s=%s", pv[row->prov].name,
                     st == HK_LK_OK ? hk_severity_name(sev)
                                    : hk_lookup_status_name(st));
    }
    const hk_ti_ioc *in = &iocs->v[i];
    rc = hk_ti_put_text(b, 0, in->value);
    rc = rc ? rc : hk_ti_put_text(b, 1, in->type ? in->type : "unknown");
    rc = rc ? rc : hk_ti_put_text(b, 2, hk_severity_name(worst));
    rc = rc ? rc : hk_table_builder_append_int64(b, 3, n);
    rc = rc ? rc : hk_table_builder_append_int64(b, 4, flagged);
    rc = rc ? rc : hk_table_builder_append_int64(b, 5, failed);
    rc = rc ? rc : hk_ti_put_text(b, 6, details.data ? details.data : "");
  }
  hk_buf_free(&details);
  if (rc != HK_OK) {
    hk_table_builder_free(b);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  rc = hk_ti_stream(b, out);
  hk_table_builder_free(b);
  return rc;
}

/* ------------------------------------------------------------- ti lookup */

static int
is_known_type(const char *t)
{
  for (size_t i = 0; ioc_types[i]; i++)
    if (strcmp(ioc_types[i], t) == 0)
      return 1;
  return 0;
}

/* Static type string for --type (the IoC rows point at it). */
static const char *
static_type(const char *t)
{
  for (size_t i = 0; ioc_types[i]; i++)
    if (strcmp(ioc_types[i], t) == 0)
      return ioc_types[i];
  return NULL;
}

static int
ti_lookup(hk_cli *cli, const hk_ti_opts *o, char **words, int n_words)
{
  const char *type = NULL;
  if (o->type) {
    if (!is_known_type(o->type))
      return hk_cli_usage_error(
          "ti lookup",
          "--type '%s' is not an IoC type (ipv4, ipv6, dns, url, md5_hash, "
          "sha1_hash, sha256_hash, email, windows_path, linux_path, "
          "hostname)",
          o->type);
    type = static_type(o->type);
  }
  hk_ti_iocs iocs = {0};
  provider *pv = NULL;
  size_t n_pv = 0;
  ti_row *rows = NULL;
  hk_lookup *lks = NULL;
  size_t n_rows = 0, n_lks = 0;
  int rc = hk_ti_gather("ti lookup", o, words, n_words, type, &iocs);
  if (rc == 0)
    rc = hk_cli_open(cli);
  if (rc == 0)
    rc = choose_providers(cli, o->providers, &pv, &n_pv);
  if (rc == 0 && (iocs.n > SIZE_MAX / (n_pv + 1) / sizeof *rows ||
                  !(rows = calloc(iocs.n * n_pv + 1, sizeof *rows)) ||
                  !(lks = calloc(iocs.n * n_pv + 1, sizeof *lks))))
    rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
  for (size_t i = 0; rc == 0 && i < iocs.n; i++) {
    const hk_ti_ioc *in = &iocs.v[i];
    size_t before = n_rows;
    if (!in->type) {
      hk_cli_error(0,
                   "warning: cannot tell the IoC type of '%.80s'; give "
                   "--type",
                   in->value);
      continue;
    }
    for (size_t p = 0; p < n_pv; p++) {
      ti_row *r = &rows[n_rows];
      int accepts = pv[p].desc && hk_enricher_accepts(pv[p].desc, in->type);
      r->ioc = i;
      r->prov = p;
      if (pv[p].desc && !accepts) {
        if (!pv[p].explicit_)
          continue;
        r->status = HK_LK_NOT_SUPPORTED;
        r->detail = "type not supported by this provider";
      } else if (!pv[p].inst) {
        r->status = HK_LK_QUERY_FAILED;
        r->detail = pv[p].error;
      } else {
        hk_lookup *l = &lks[n_lks++];
        l->inst = pv[p].inst;
        l->options = pv[p].options;
        l->value = in->value;
        l->len = strlen(in->value);
        l->type = in->type;
        r->lk = l;
      }
      n_rows++;
    }
    if (n_rows == before)
      hk_cli_error(0, "warning: no provider takes '%.80s' (type %s)", in->value,
                   in->type);
  }
  if (rc == 0) {
    hk_lookup_opts lo = {.progress = hk_ti_progress, .progress_ud = NULL};
    hk_error err;
    hk_error_clear(&err);
    hk_cli_install_signals();
    hk_cli_progress_start();
    int lrc = hk_lookup_run(lks, n_lks, &lo, &err);
    hk_cli_progress_clear();
    if (lrc != HK_OK && lrc != HK_E_CANCELED)
      rc = hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  }
  bool canceled = hk_services_canceled();
  if (canceled)
    hk_services_reset_cancel(); /* render what finished */
  if (rc == 0) {
    size_t done = 0, failed = 0;
    for (size_t i = 0; i < n_rows; i++) {
      if (rows[i].lk && !rows[i].lk->done)
        continue;
      done++;
      if (row_status(&rows[i]) == HK_LK_QUERY_FAILED)
        failed++;
    }
    struct ArrowArrayStream table;
    rc = o->summary ? summary_table(&iocs, pv, rows, n_rows, &table)
                    : full_table(&iocs, pv, rows, n_rows, &table);
    if (rc == 0)
      rc = hk_ti_finish(cli, hk_cli_render(cli, &table), canceled, done, n_rows,
                        failed, "lookups");
  }
  for (size_t i = 0; i < n_lks; i++)
    hk_lookup_clear(&lks[i]);
  free(lks);
  free(rows);
  providers_free(pv, n_pv);
  hk_ti_iocs_free(&iocs);
  return rc;
}

int
hk_cmd_ti(hk_cli *cli, int argc, char **argv)
{
  static const char *const own[] = {"file", "type", "providers", "summary",
                                    NULL};
  static const char *const allowed[] = {"strict", NULL};
  hk_ti_opts o;
  char **words;
  int n, rc;
  memset(&o, 0, sizeof o);
  argc--, argv++;
  if ((rc = hk_ti_take_opts("ti lookup", &argc, argv, own, &o)) != 0)
    return rc;
  if ((rc = hk_cli_parse_args(cli, "ti", argc, argv, allowed, &words, &n)) != 0)
    return rc;
  if (cli->help) {
    free(words);
    return hk_cli_print_help("ti lookup");
  }
  if (n == 0 || strcmp(words[0], "lookup") != 0) {
    rc = hk_cli_usage_error("ti",
                            n ? "unknown sub-command '%s' (ti lookup)"
                              : "give a sub-command: ti lookup IOC...",
                            n ? words[0] : "");
    free(words);
    return rc;
  }
  rc = ti_lookup(cli, &o, words + 1, n - 1);
  free(words);
  return rc;
}

/* ----------------------------------------------------------------- geoip */
