/*
 * host/cli/cmd_geoip.c -- `huntkit geoip IP... [--db PATH] [--file F]`:
 * the geoip_maxmind enricher over addresses, one row per address with the
 * enricher's fields, status and summary.  Non-public addresses are
 * answered (no_data, "private address (not geolocated)"), not dropped.
 */
#define _GNU_SOURCE
#include "config.h"

#include "ti.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char hk_ti_geoip_help[] =
    "Usage: huntkit geoip [OPTIONS] IP...\n"
    "       huntkit geoip [OPTIONS] --file FILE\n"
    "\n"
    "Geolocates IP addresses with the geoip_maxmind enricher (local MaxMind\n"
    "City, Country and ASN databases) and prints one row per address: ip,\n"
    "country_code, country_name, city, subdivision, postal_code, latitude,\n"
    "longitude, timezone, asn, as_org, network, status and summary.\n"
    "Private, loopback and other non-public addresses are answered as such\n"
    "(status no_data, summary e.g. \"private address (not geolocated)\").\n"
    "\n"
    "The databases come from conf.d/geoip_maxmind.yaml (city_db, country_db,\n"
    "asn_db), or from --db.\n"
    "\n"
    "Options:\n"
    "  --db PATH          a .mmdb file; may be given twice.  A file whose\n"
    "                     name contains \"ASN\" is used as asn_db, one with\n"
    "                     \"Country\" as country_db, any other as city_db\n"
    "  --file FILE        addresses, one per line ('-': standard input)\n"
    "  -o FORMAT          table, csv, json, ndjson\n"
    "\n"
    "Examples:\n"
    "  huntkit geoip 81.2.69.142 10.0.0.1\n"
    "  huntkit geoip --db GeoLite2-City.mmdb --db GeoLite2-ASN.mmdb "
    "--file ips.txt -o csv\n";

/* A registry whose only configured instance is geoip_maxmind with the
 * --db files, for `geoip --db`. */
static hk_registry *
registry_with_dbs(hk_cli *cli, const hk_ti_opts *o)
{
  hk_setting_item items[8];
  hk_instance_conf conf;
  hk_settings s;
  memset(items, 0, sizeof items);
  memset(&conf, 0, sizeof conf);
  memset(&s, 0, sizeof s);
  size_t n = 0;
  for (size_t i = 0; i < o->n_dbs && n < 8; i++) {
    const char *path = o->dbs[i];
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    items[n].key = strcasestr(base, "asn")       ? "asn_db"
                   : strcasestr(base, "country") ? "country_db"
                                                 : "city_db";
    items[n].value = (char *)path;
    items[n].line = (int)i + 1;
    for (size_t k = 0; k < n; k++)
      if (strcmp(items[k].key, items[n].key) == 0)
        items[k].key = NULL; /* the later --db wins */
    n++;
  }
  size_t m = 0;
  for (size_t i = 0; i < n; i++)
    if (items[i].key)
      items[m++] = items[i];
  conf.file = "--db";
  conf.line = 1;
  conf.plugin = "geoip_maxmind";
  conf.instance = "geoip_maxmind";
  conf.enabled = true;
  conf.items = items;
  conf.n_items = m;
  s.config_dir = cli->settings.config_dir;
  s.plugin_dirs = cli->settings.plugin_dirs;
  s.n_plugin_dirs = cli->settings.n_plugin_dirs;
  s.instances = &conf;
  s.n_instances = 1;
  return hk_registry_new(&s);
}

static int
geoip_table(const hk_ti_iocs *ips, const hk_plugin_desc *desc,
            const hk_lookup *lks, const int *which,
            struct ArrowArrayStream *out)
{
  const hk_enricher_vt *vt = desc->vtable;
  hk_table_builder *b = hk_table_builder_new();
  int rc = b ? HK_OK : HK_E_NOMEM;
  size_t n_fields = 0;
  if (rc == HK_OK && hk_table_builder_add_column(b, "ip", HK_COL_UTF8) < 0)
    rc = HK_E_NOMEM;
  for (const hk_field_desc *f = vt->fields; rc == HK_OK && f && f->name;
       f++, n_fields++)
    if (hk_table_builder_add_column(b, f->name, (int)f->type) < 0)
      rc = HK_E_NOMEM;
  if (rc == HK_OK &&
      (hk_table_builder_add_column(b, "status", HK_COL_UTF8) < 0 ||
       hk_table_builder_add_column(b, "summary", HK_COL_UTF8) < 0))
    rc = HK_E_NOMEM;
  for (size_t i = 0; i < ips->n && rc == HK_OK; i++) {
    const hk_lookup *l = which[i] >= 0 ? &lks[which[i]] : NULL;
    if (l && !l->done)
      continue;
    rc = hk_ti_put_text(b, 0, ips->v[i].value);
    for (size_t f = 0; f < n_fields && rc == HK_OK; f++) {
      const hk_value *v = l && l->fields ? &l->fields[f] : NULL;
      size_t col = f + 1;
      if (!v || !v->is_set) {
        rc = hk_table_builder_append_null(b, col);
        continue;
      }
      switch (vt->fields[f].type) {
      case HK_COL_UTF8:
        rc = v->str ? hk_table_builder_append_utf8(b, col, v->str, v->str_len)
                    : hk_table_builder_append_null(b, col);
        break;
      case HK_COL_FLOAT64:
        rc = hk_table_builder_append_float64(b, col, v->f64);
        break;
      case HK_COL_BOOL:
        rc = hk_table_builder_append_bool(b, col, v->i64 != 0);
        break;
      case HK_COL_TIMESTAMP:
        rc = hk_table_builder_append_timestamp(b, col, v->i64);
        break;
      case HK_COL_INT64:
        rc = hk_table_builder_append_int64(b, col, v->i64);
        break;
      default:
        rc = hk_table_builder_append_null(b, col);
      }
    }
    rc = rc ? rc
            : hk_ti_put_text(
                  b, n_fields + 1,
                  hk_lookup_status_name(l ? l->status : HK_LK_BAD_FORMAT));
    rc = rc ? rc
            : hk_ti_put_text(b, n_fields + 2,
                             l ? l->summary : "not an IPv4 or IPv6 address");
  }
  if (rc != HK_OK) {
    hk_table_builder_free(b);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  rc = hk_ti_stream(b, out);
  hk_table_builder_free(b);
  return rc;
}

int
hk_cmd_geoip(hk_cli *cli, int argc, char **argv)
{
  static const char *const own[] = {"file", "db", NULL};
  static const char *const allowed[] = {"strict", NULL};
  hk_ti_opts o;
  char **words = NULL;
  int n, rc;
  memset(&o, 0, sizeof o);
  argc--, argv++;
  if ((rc = hk_ti_take_opts("geoip", &argc, argv, own, &o)) != 0) {
    free(o.dbs);
    return rc;
  }
  if ((rc = hk_cli_parse_args(cli, "geoip", argc, argv, allowed, &words, &n)) !=
      0) {
    free(o.dbs);
    return rc;
  }
  if (cli->help) {
    free(words);
    free(o.dbs);
    return hk_cli_print_help("geoip");
  }
  hk_ti_iocs ips = {0};
  hk_registry *own_reg = NULL;
  hk_config *options = NULL;
  hk_lookup *lks = NULL;
  int *which = NULL;
  size_t n_lks = 0;
  rc = hk_ti_gather("geoip", &o, words, n, NULL, &ips);
  if (rc == 0)
    rc = hk_cli_open(cli);
  hk_instance *inst = NULL;
  if (rc == 0) {
    hk_registry *r = cli->registry;
    if (o.n_dbs && !(r = own_reg = registry_with_dbs(cli, &o)))
      rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
    hk_error err;
    hk_error_clear(&err);
    if (rc == 0 && !(inst = hk_registry_instance(r, "geoip_maxmind", &err)))
      rc =
          hk_cli_error(HK_EXIT_FAIL, "%s%s", err.msg,
                       o.n_dbs ? "" : " (or give the database with --db PATH)");
  }
  if (rc == 0) {
    char why[HK_ERROR_MSG_MAX];
    if (!(options = hk_ti_default_options(hk_instance_plugin(inst)->desc,
                                          "geoip", why, sizeof why)))
      rc = hk_cli_error(HK_EXIT_FAIL, "%s", why);
  }
  if (rc == 0 && (!(lks = calloc(ips.n, sizeof *lks)) ||
                  !(which = calloc(ips.n, sizeof *which))))
    rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
  for (size_t i = 0; rc == 0 && i < ips.n; i++) {
    const char *t = ips.v[i].type;
    which[i] = -1;
    if (!t || (strcmp(t, HK_IOC_IPV4) != 0 && strcmp(t, HK_IOC_IPV6) != 0))
      continue;
    lks[n_lks].inst = inst;
    lks[n_lks].options = options;
    lks[n_lks].value = ips.v[i].value;
    lks[n_lks].len = strlen(ips.v[i].value);
    lks[n_lks].type = t;
    which[i] = (int)n_lks++;
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
    for (size_t i = 0; i < n_lks; i++) {
      done += lks[i].done != 0;
      failed += lks[i].done && lks[i].status == HK_LK_QUERY_FAILED;
    }
    struct ArrowArrayStream table;
    rc = geoip_table(&ips, hk_instance_plugin(inst)->desc, lks, which, &table);
    if (rc == 0)
      rc = hk_ti_finish(cli, hk_cli_render(cli, &table), canceled, done, n_lks,
                        failed, "addresses");
  }
  for (size_t i = 0; i < n_lks; i++)
    hk_lookup_clear(&lks[i]);
  free(lks);
  free(which);
  hk_config_free(options);
  /* The instance (and its open databases) goes with its registry. */
  if (own_reg)
    hk_registry_free(own_reg);
  hk_ti_iocs_free(&ips);
  free(words);
  free(o.dbs);
  return rc;
}
