/*
 * plugins/geoip_maxmind/geoip_maxmind.c -- the `geoip_maxmind` enricher:
 * country, city, coordinates and autonomous system of IPv4/IPv6 addresses
 * from local MaxMind DB (.mmdb) files (GeoLite2/GeoIP2 City, Country and
 * ASN), read with libmaxminddb.
 *
 * Each configured database is opened once (memory-mapped) in create.  A
 * lookup allocates nothing: the address is parsed by the host's
 * classifier, looked up with MMDB_lookup_sockaddr (MMDB_lookup_string
 * would go through getaddrinfo) and the fields are read with fixed
 * MMDB_aget_value paths; their strings point into the mapped file, which
 * stays valid until destroy.  Non-public addresses are answered NO_DATA
 * without touching the databases (MSTICPy silently drops them; we keep
 * the row and say why).
 */
#include <huntkit/huntkit.h>

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const hk_host *geo_host;

enum {
  F_COUNTRY_CODE,
  F_COUNTRY_NAME,
  F_CITY,
  F_SUBDIVISION,
  F_POSTAL_CODE,
  F_LATITUDE,
  F_LONGITUDE,
  F_TIMEZONE,
  F_ASN,
  F_AS_ORG,
  F_NETWORK,
  F_COUNT
};

enum { DB_CITY, DB_COUNTRY, DB_ASN, DB_COUNT };

static const char *const db_param[DB_COUNT] = {"city_db", "country_db",
                                               "asn_db"};

#define LANG_MAX 32

typedef struct geo_state {
  const hk_instance *inst;
  MMDB_s db[DB_COUNT];
  int open[DB_COUNT];
  char path[DB_COUNT][512]; /* for error messages */
  char lang[LANG_MAX];
  /* Lookup paths, built once; names.<lang> needs the configured language. */
  const char *p_country_code[3], *p_country_name[4], *p_city[4],
      *p_subdivision[5], *p_postal[3], *p_lat[3], *p_lon[3], *p_tz[3],
      *p_asn[2], *p_as_org[2];
  const char *p_country_name_en[4], *p_city_en[4], *p_subdivision_en[5];
  /* Per-call outputs, valid until the next lookup. */
  hk_value fields[F_COUNT];
  char network[INET6_ADDRSTRLEN + 8];
  char summary[256];
} geo_state;

static void
build_paths(geo_state *s)
{
#define PATH(dst, ...)                                                         \
  do {                                                                         \
    const char *tmp_[] = {__VA_ARGS__, NULL};                                  \
    memcpy(s->dst, tmp_, sizeof tmp_);                                         \
  } while (0)
  PATH(p_country_code, "country", "iso_code");
  PATH(p_country_name, "country", "names", s->lang);
  PATH(p_city, "city", "names", s->lang);
  PATH(p_subdivision, "subdivisions", "0", "names", s->lang);
  PATH(p_postal, "postal", "code");
  PATH(p_lat, "location", "latitude");
  PATH(p_lon, "location", "longitude");
  PATH(p_tz, "location", "time_zone");
  PATH(p_asn, "autonomous_system_number");
  PATH(p_as_org, "autonomous_system_organization");
  PATH(p_country_name_en, "country", "names", "en");
  PATH(p_city_en, "city", "names", "en");
  PATH(p_subdivision_en, "subdivisions", "0", "names", "en");
#undef PATH
}

static void
geo_destroy(void *state)
{
  geo_state *s = state;
  if (!s)
    return;
  for (int i = 0; i < DB_COUNT; i++)
    if (s->open[i])
      MMDB_close(&s->db[i]);
  free(s);
}

/* Warn about a database that is old or of an unexpected kind; neither
 * stops the lookups. */
static void
check_metadata(geo_state *s, int which, int64_t max_age_days)
{
  const MMDB_metadata_s *md = &s->db[which].metadata;
  static const char *const expect[DB_COUNT] = {"City", "Country", "ASN"};
  const char *type = md->database_type ? md->database_type : "";
  if (!strstr(type, expect[which]) &&
      !(which == DB_COUNTRY && strstr(type, "City")))
    HK_LOG_WARN(geo_host, s->inst,
                "%s %s is a '%s' database, not a %s database; its %s fields "
                "may stay empty",
                db_param[which], s->path[which], type, expect[which],
                expect[which]);
  if (max_age_days > 0) {
    int64_t now_s = geo_host->now_us() / 1000000;
    int64_t age_days = (now_s - (int64_t)md->build_epoch) / 86400;
    if (age_days > max_age_days)
      HK_LOG_WARN(geo_host, s->inst,
                  "%s %s was built %lld days ago (max_age_days is %lld); "
                  "download a fresh copy from MaxMind",
                  db_param[which], s->path[which], (long long)age_days,
                  (long long)max_age_days);
  }
}

static int
geo_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  if (!HK_HAS(geo_host, ip_classify))
    return hk_error_set(err, HK_E_NOTSUP,
                        "geoip_maxmind: this huntkit has no IP classifier "
                        "(hk_host.ip_classify is missing); upgrade huntkit");
  geo_state *s = calloc(1, sizeof *s);
  if (!s)
    return hk_error_set(err, HK_E_NOMEM, "geoip_maxmind: out of memory");
  s->inst = inst;
  const char *lang = geo_host->config_get_string(cfg, "language");
  if (!lang || !*lang)
    lang = "en";
  if (strlen(lang) >= LANG_MAX) {
    free(s);
    return hk_error_set(err, HK_E_CONFIG,
                        "geoip_maxmind: language '%.40s...' is too long: use "
                        "a MaxMind locale code such as en, de, pt-BR, zh-CN",
                        lang);
  }
  strcpy(s->lang, lang);
  build_paths(s);
  int64_t max_age = 0;
  if (geo_host->config_get_int(cfg, "max_age_days", &max_age) != HK_OK)
    max_age = 0;

  int n_open = 0;
  for (int i = 0; i < DB_COUNT; i++) {
    const char *path = geo_host->config_get_string(cfg, db_param[i]);
    if (!path || !*path)
      continue;
    snprintf(s->path[i], sizeof s->path[i], "%s", path);
    int rc = MMDB_open(path, MMDB_MODE_MMAP, &s->db[i]);
    if (rc != MMDB_SUCCESS) {
      hk_error_set(err,
                   rc == MMDB_FILE_OPEN_ERROR ? HK_E_NOTFOUND : HK_E_CONFIG,
                   "geoip_maxmind: cannot open %s %s: %s%s", db_param[i], path,
                   MMDB_strerror(rc),
                   rc == MMDB_FILE_OPEN_ERROR
                       ? " (check the path in conf.d/geoip_maxmind.yaml)"
                       : " (the file is not a usable MaxMind DB; download "
                         "it again)");
      geo_destroy(s);
      return err->code;
    }
    s->open[i] = 1;
    n_open++;
    check_metadata(s, i, max_age);
  }
  if (n_open == 0) {
    geo_destroy(s);
    return hk_error_set(err, HK_E_CONFIG,
                        "geoip_maxmind: no database configured: set city_db "
                        "(a GeoLite2-City.mmdb) in conf.d/geoip_maxmind.yaml");
  }
  *state = s;
  return HK_OK;
}

/* Status of reading one value: 0 found, 1 absent, -1 corrupt data. */
static int
get_value(MMDB_entry_s *entry, const char *const *path, uint32_t want,
          MMDB_entry_data_s *d, int *mmdb_rc)
{
  int rc = MMDB_aget_value(entry, d, path);
  if (rc == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR ||
      rc == MMDB_INVALID_LOOKUP_PATH_ERROR)
    return 1;
  if (rc != MMDB_SUCCESS) {
    *mmdb_rc = rc;
    return -1;
  }
  if (!d->has_data)
    return 1;
  if (d->type != want) {
    /* A value of an unexpected type is as good as absent, except for
     * numbers whose width a database may choose. */
    if (!(want == MMDB_DATA_TYPE_UINT32 && (d->type == MMDB_DATA_TYPE_UINT16 ||
                                            d->type == MMDB_DATA_TYPE_UINT64)))
      return 1;
  }
  return 0;
}

static int
set_string(MMDB_entry_s *entry, const char *const *path,
           const char *const *fallback, hk_value *v, int *mmdb_rc)
{
  MMDB_entry_data_s d;
  int r = get_value(entry, path, MMDB_DATA_TYPE_UTF8_STRING, &d, mmdb_rc);
  if (r == 1 && fallback)
    r = get_value(entry, fallback, MMDB_DATA_TYPE_UTF8_STRING, &d, mmdb_rc);
  if (r != 0)
    return r;
  v->is_set = 1;
  v->str = d.utf8_string;
  v->str_len = d.data_size;
  return 0;
}

static int
set_double(MMDB_entry_s *entry, const char *const *path, hk_value *v,
           int *mmdb_rc)
{
  MMDB_entry_data_s d;
  int r = get_value(entry, path, MMDB_DATA_TYPE_DOUBLE, &d, mmdb_rc);
  if (r != 0)
    return r;
  v->is_set = 1;
  v->f64 = d.double_value;
  return 0;
}

static int
set_uint(MMDB_entry_s *entry, const char *const *path, hk_value *v,
         int *mmdb_rc)
{
  MMDB_entry_data_s d;
  int r = get_value(entry, path, MMDB_DATA_TYPE_UINT32, &d, mmdb_rc);
  if (r != 0)
    return r;
  v->is_set = 1;
  v->i64 = d.type == MMDB_DATA_TYPE_UINT16   ? d.uint16
           : d.type == MMDB_DATA_TYPE_UINT64 ? (int64_t)d.uint64
                                             : d.uint32;
  return 0;
}

/* The matched prefix as CIDR text, from the address and the result's
 * netmask (counted in the IPv6 tree when an IPv4 address is looked up in
 * an IPv6 database). */
static void
set_network(geo_state *s, const MMDB_s *db, const hk_ip_info *ip,
            unsigned netmask)
{
  uint8_t a[16];
  int v4 = ip->family == 4;
  unsigned bits = v4 ? 32 : 128;
  if (v4 && db->metadata.ip_version == 6)
    netmask = netmask >= 96 ? netmask - 96 : 0;
  if (netmask > bits)
    netmask = bits;
  memcpy(a, ip->addr, 16);
  for (unsigned i = 0; i < bits / 8; i++) {
    unsigned keep = netmask > i * 8 ? netmask - i * 8 : 0;
    if (keep < 8)
      a[i] &= (uint8_t)(0xff00u >> keep);
  }
  char text[INET6_ADDRSTRLEN];
  if (!inet_ntop(v4 ? AF_INET : AF_INET6, a, text, sizeof text))
    return;
  snprintf(s->network, sizeof s->network, "%s/%u", text, netmask);
  s->fields[F_NETWORK].is_set = 1;
  s->fields[F_NETWORK].str = s->network;
  s->fields[F_NETWORK].str_len = strlen(s->network);
}

static int
query_failed(geo_state *s, hk_enrichment *out, int which, const char *what,
             int mmdb_rc)
{
  snprintf(s->summary, sizeof s->summary, "%s %s: %s %s (corrupt database?)",
           db_param[which], s->path[which], what, MMDB_strerror(mmdb_rc));
  HK_LOG_WARN(geo_host, s->inst, "%s", s->summary);
  out->status = HK_LK_QUERY_FAILED;
  out->severity = HK_SEV_UNKNOWN;
  out->summary = s->summary;
  out->fields = NULL;
  return HK_OK;
}

static int
geo_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_enrichment *out, hk_error *err)
{
  (void)options;
  (void)err;
  geo_state *s = state;
  hk_ip_info ip;
  memset(&ip, 0, sizeof ip);
  ip.struct_size = sizeof ip;
  out->severity = HK_SEV_INFORMATION;
  out->reference = NULL;
  out->raw = NULL;
  out->fields = NULL;
  if (geo_host->ip_classify(ioc->value, ioc->len, &ip) != HK_OK ||
      ip.family == 0) {
    size_t shown = ioc->len > 64 ? 64 : ioc->len;
    snprintf(s->summary, sizeof s->summary,
             "'%.*s%s' is not an IPv4 or IPv6 address", (int)shown, ioc->value,
             ioc->len > shown ? "..." : "");
    out->status = HK_LK_BAD_FORMAT;
    out->severity = HK_SEV_UNKNOWN;
    out->summary = s->summary;
    return HK_OK;
  }
  if (!ip.is_global) {
    const char *cls = geo_host->ip_class_name
                          ? geo_host->ip_class_name(ip.ip_class)
                          : "non-public";
    snprintf(s->summary, sizeof s->summary, "%s address (not geolocated)", cls);
    out->status = HK_LK_NO_DATA;
    out->summary = s->summary;
    return HK_OK;
  }

  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  if (ip.family == 4) {
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    sin->sin_family = AF_INET;
    memcpy(&sin->sin_addr, ip.addr, 4);
  } else {
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    sin6->sin6_family = AF_INET6;
    memcpy(&sin6->sin6_addr, ip.addr, 16);
  }

  memset(s->fields, 0, sizeof s->fields);
  int found = 0, have_network = 0;
  for (int i = 0; i < DB_COUNT; i++) {
    if (!s->open[i])
      continue;
    /* The country database only matters without a city database, which
     * carries the same country fields. */
    if (i == DB_COUNTRY && s->open[DB_CITY])
      continue;
    int mmdb_rc = MMDB_SUCCESS;
    MMDB_lookup_result_s r =
        MMDB_lookup_sockaddr(&s->db[i], (const struct sockaddr *)&ss, &mmdb_rc);
    if (mmdb_rc == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
      continue;
    if (mmdb_rc != MMDB_SUCCESS)
      return query_failed(s, out, i, "lookup failed:", mmdb_rc);
    if (!r.found_entry)
      continue;
    found = 1;
    int bad = 0;
    if (i == DB_ASN) {
      bad |= set_uint(&r.entry, s->p_asn, &s->fields[F_ASN], &mmdb_rc) < 0;
      bad |= set_string(&r.entry, s->p_as_org, NULL, &s->fields[F_AS_ORG],
                        &mmdb_rc) < 0;
    } else {
      bad |= set_string(&r.entry, s->p_country_code, NULL,
                        &s->fields[F_COUNTRY_CODE], &mmdb_rc) < 0;
      bad |= set_string(&r.entry, s->p_country_name, s->p_country_name_en,
                        &s->fields[F_COUNTRY_NAME], &mmdb_rc) < 0;
      if (i == DB_CITY) {
        bad |= set_string(&r.entry, s->p_city, s->p_city_en, &s->fields[F_CITY],
                          &mmdb_rc) < 0;
        bad |= set_string(&r.entry, s->p_subdivision, s->p_subdivision_en,
                          &s->fields[F_SUBDIVISION], &mmdb_rc) < 0;
        bad |= set_string(&r.entry, s->p_postal, NULL,
                          &s->fields[F_POSTAL_CODE], &mmdb_rc) < 0;
        bad |= set_double(&r.entry, s->p_lat, &s->fields[F_LATITUDE],
                          &mmdb_rc) < 0;
        bad |= set_double(&r.entry, s->p_lon, &s->fields[F_LONGITUDE],
                          &mmdb_rc) < 0;
        bad |= set_string(&r.entry, s->p_tz, NULL, &s->fields[F_TIMEZONE],
                          &mmdb_rc) < 0;
      }
    }
    if (bad)
      return query_failed(s, out, i, "reading the record failed:", mmdb_rc);
    if (!have_network) {
      set_network(s, &s->db[i], &ip, r.netmask);
      have_network = 1;
    }
  }
  if (!found) {
    snprintf(s->summary, sizeof s->summary, "not in database");
    out->status = HK_LK_NO_DATA;
    out->summary = s->summary;
    return HK_OK;
  }

  /* "GB, London; AS15169 Google Inc." -- only the parts we have. */
  const hk_value *f = s->fields;
  int n =
      snprintf(s->summary, sizeof s->summary, "%.*s",
               f[F_COUNTRY_CODE].is_set ? (int)f[F_COUNTRY_CODE].str_len : 1,
               f[F_COUNTRY_CODE].is_set ? f[F_COUNTRY_CODE].str : "-");
  if (f[F_CITY].is_set && n >= 0 && (size_t)n < sizeof s->summary)
    n += snprintf(s->summary + n, sizeof s->summary - n, ", %.*s",
                  (int)(f[F_CITY].str_len > 80 ? 80 : f[F_CITY].str_len),
                  f[F_CITY].str);
  if (f[F_ASN].is_set && n >= 0 && (size_t)n < sizeof s->summary)
    snprintf(s->summary + n, sizeof s->summary - n, "; AS%lld %.*s",
             (long long)f[F_ASN].i64,
             f[F_AS_ORG].is_set
                 ? (int)(f[F_AS_ORG].str_len > 80 ? 80 : f[F_AS_ORG].str_len)
                 : 0,
             f[F_AS_ORG].is_set ? f[F_AS_ORG].str : "");
  out->status = HK_LK_OK;
  out->summary = s->summary;
  out->fields = s->fields;
  return HK_OK;
}

static const char *const geo_entity_types[] = {HK_IOC_IPV4, HK_IOC_IPV6, NULL};

static const hk_field_desc geo_fields[] = {
    {"country_code", HK_COL_UTF8, "ISO 3166-1 alpha-2 country code, e.g. GB"},
    {"country_name", HK_COL_UTF8, "country name in the configured language"},
    {"city", HK_COL_UTF8, "city name (city_db)"},
    {"subdivision", HK_COL_UTF8,
     "largest subdivision (state, region) name (city_db)"},
    {"postal_code", HK_COL_UTF8, "postal code (city_db)"},
    {"latitude", HK_COL_FLOAT64, "approximate latitude (city_db)"},
    {"longitude", HK_COL_FLOAT64, "approximate longitude (city_db)"},
    {"timezone", HK_COL_UTF8, "IANA time zone, e.g. Europe/London (city_db)"},
    {"asn", HK_COL_INT64, "autonomous system number (asn_db)"},
    {"as_org", HK_COL_UTF8, "autonomous system organisation (asn_db)"},
    {"network", HK_COL_UTF8,
     "the matched prefix as CIDR (from city_db, else country_db, else "
     "asn_db)"},
    {NULL, 0, NULL}};

static const hk_param geo_params[] = {
    {"city_db", HK_PT_PATH, 0, NULL, NULL,
     "GeoLite2-City.mmdb / GeoIP2-City.mmdb: country, city, location"},
    {"country_db", HK_PT_PATH, 0, NULL, NULL,
     "GeoLite2-Country.mmdb: country only (used when city_db is not set)"},
    {"asn_db", HK_PT_PATH, 0, NULL, NULL,
     "GeoLite2-ASN.mmdb: autonomous system number and organisation"},
    {"max_age_days", HK_PT_INT, 0, "30", NULL,
     "warn when a database was built more than this many days ago (0: never)"},
    {"language", HK_PT_STRING, 0, "en", NULL,
     "language of the names (MaxMind locale: en, de, es, fr, ja, pt-BR, ru, "
     "zh-CN); falls back to en"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_enricher_vt geo_vt = {
    .struct_size = sizeof(hk_enricher_vt),
    .options = NULL,
    .create = geo_create,
    .destroy = geo_destroy,
    .fields = geo_fields,
    .lookup = geo_lookup,
};

static const hk_plugin_desc geo_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "geoip_maxmind",
    .version = "1.0.0",
    .kind = HK_KIND_ENRICHER,
    .flags = 0,
    .summary = "country, city, location and ASN of IP addresses from local "
               "MaxMind (GeoLite2/GeoIP2) .mmdb files",
    .entity_types = geo_entity_types,
    .params = geo_params,
    .vtable = &geo_vt,
};

static const hk_plugin_desc *const geo_descriptors[] = {&geo_desc, NULL};

static const hk_plugin_desc *const *
geo_entry(const hk_host *host, hk_error *err)
{
  if (!host || host->abi_major != HK_ABI_MAJOR) {
    hk_error_set(err, HK_E_ABI, "geoip_maxmind: host ABI %u does not match %d",
                 host ? (unsigned)host->abi_major : 0u, HK_ABI_MAJOR);
    return NULL;
  }
  geo_host = host;
  return geo_descriptors;
}

HK_PLUGIN_DEFINE(geoip_maxmind, geo_entry)
