/*
 * plugins/geoip_maxmind/geoip_maxmind.c -- the `geoip_maxmind` enricher:
 * country, city, coordinates and autonomous system of IPv4/IPv6 addresses
 * from local MaxMind DB (.mmdb) files (GeoLite2/GeoIP2 City, Country and
 * ASN), read with libmaxminddb.
 *
 * Each configured database is opened once (memory-mapped) in create.  A
 * lookup allocates nothing: the address is parsed by the host's
 * classifier; an IPv4 address is found in the search tree by our own walk
 * (geoip_fast.c: libmaxminddb's, with the first 16 steps remembered per
 * /16), anything else by MMDB_lookup_sockaddr (MMDB_lookup_string would go
 * through getaddrinfo).  A record's fields come from a per-instance cache
 * keyed by the record's offset, else from one pass over its bytes
 * (geoip_fast.c); whenever those fast paths meet something unexpected,
 * libmaxminddb does the work (MMDB_lookup_sockaddr, fixed MMDB_aget_value
 * paths) and names the damage.  Strings point into the mapped file or the
 * cache and stay valid until the next lookup.  Non-public addresses are
 * answered NO_DATA without touching the databases (MSTICPy silently drops
 * them; we keep the row and say why).
 *
 * With a MaxMind licence key (and auto_update), a database that is missing
 * or older than max_age is downloaded first (geoip_download.c); without a
 * key nothing is ever downloaded.
 */
#include "geoip_internal.h"

#include <arpa/inet.h>
#include <maxminddb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

static const hk_host *geo_host;

enum {
  F_COUNTRY_CODE = HK_GEOIP_F_COUNTRY_CODE,
  F_COUNTRY_NAME = HK_GEOIP_F_COUNTRY_NAME,
  F_CITY = HK_GEOIP_F_CITY,
  F_SUBDIVISION = HK_GEOIP_F_SUBDIVISION,
  F_POSTAL_CODE = HK_GEOIP_F_POSTAL_CODE,
  F_LATITUDE = HK_GEOIP_F_LATITUDE,
  F_LONGITUDE = HK_GEOIP_F_LONGITUDE,
  F_TIMEZONE = HK_GEOIP_F_TIMEZONE,
  F_ASN = HK_GEOIP_F_ASN,
  F_AS_ORG = HK_GEOIP_F_AS_ORG,
  F_NETWORK = HK_GEOIP_F_NETWORK,
  F_COUNT = HK_GEOIP_F_COUNT
};

enum { DB_CITY, DB_COUNTRY, DB_ASN, DB_COUNT };

static const char *const db_param[DB_COUNT] = {"city_db", "country_db",
                                               "asn_db"};
static const char *const edition_param[DB_COUNT] = {
    "city_edition", "country_edition", "asn_edition"};

#define LANG_MAX 32

typedef struct geo_state {
  const hk_instance *inst;
  MMDB_s db[DB_COUNT];
  int open[DB_COUNT];
  int downloaded[DB_COUNT]; /* fetched by this instance: the newest there is */
  hk_geoip_cache *cache[DB_COUNT]; /* made on first use; NULL: none */
  int cache_failed[DB_COUNT];
  hk_geoip_tree *tree[DB_COUNT]; /* IPv4 walks; made on first use */
  int tree_failed[DB_COUNT];
  int have_key;
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
  for (int i = 0; i < DB_COUNT; i++) {
    if (s->open[i])
      MMDB_close(&s->db[i]);
    hk_geoip_cache_free(s->cache[i]);
    hk_geoip_tree_free(s->tree[i]);
  }
  free(s);
}

/* A duration in ms as the shortest exact "30d", "12h", "45m", "10s". */
static void
format_duration(int64_t ms, char *out, size_t cap)
{
  static const struct {
    int64_t ms;
    const char *unit;
  } units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    if (ms >= units[i].ms && ms % units[i].ms == 0) {
      snprintf(out, cap, "%lld%s", (long long)(ms / units[i].ms),
               units[i].unit);
      return;
    }
  snprintf(out, cap, "%lldms", (long long)ms);
}

/* Warn about a database that is old or of an unexpected kind; neither
 * stops the lookups. */
static void
check_metadata(geo_state *s, int which, int64_t max_age_ms)
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
  /* A copy fetched just now is the newest MaxMind has: no nagging. */
  if (max_age_ms > 0 && !s->downloaded[which]) {
    int64_t now_s = geo_host->now_us() / 1000000;
    int64_t age_s = now_s - (int64_t)md->build_epoch;
    if (age_s * 1000 > max_age_ms) {
      char limit[32];
      format_duration(max_age_ms, limit, sizeof limit);
      HK_LOG_WARN(geo_host, s->inst,
                  "%s %s was built %lld days ago (max_age is %s); %s",
                  db_param[which], s->path[which], (long long)(age_s / 86400),
                  limit,
                  s->have_key ? "download a fresh copy from MaxMind"
                              : "download a fresh copy from MaxMind, or set "
                                "license_key (and account_id) in "
                                "conf.d/geoip_maxmind.yaml to let huntkit "
                                "fetch it");
    }
  }
}

/* With a licence key: fetch a database that is missing, unreadable, or
 * built longer than max_age ago (but at most once a day, since MaxMind
 * limits downloads and may not have published anything newer).  HK_OK
 * while a usable file remains; a failure only when there is none. */
static int
maybe_download(geo_state *s, int which, const char *path, const char *edition,
               const hk_geoip_dl *dl, int64_t max_age_ms, hk_error *err)
{
  struct stat st;
  int exists = stat(path, &st) == 0;
  int64_t now_s = geo_host->now_us() / 1000000;
  int64_t built_age_s = -1;
  if (exists) {
    MMDB_s db;
    if (MMDB_open(path, MMDB_MODE_MMAP, &db) == MMDB_SUCCESS) {
      built_age_s = now_s - (int64_t)db.metadata.build_epoch;
      MMDB_close(&db);
    }
    int64_t written_age_s = now_s - (int64_t)st.st_mtime;
    if (built_age_s >= 0 &&
        (max_age_ms <= 0 || built_age_s * 1000 <= max_age_ms ||
         written_age_s < 86400))
      return HK_OK;
  }
  hk_error derr;
  hk_error_clear(&derr);
  if (hk_geoip_download(geo_host, s->inst, dl, edition, path, &derr) == HK_OK) {
    s->downloaded[which] = 1;
    HK_LOG_INFO(geo_host, s->inst, "downloaded %s into %s %s", edition,
                db_param[which], path);
    return HK_OK;
  }
  if (built_age_s >= 0) {
    HK_LOG_WARN(geo_host, s->inst,
                "could not update %s %s: %s; using the copy built %lld days "
                "ago",
                db_param[which], path, derr.msg,
                (long long)(built_age_s / 86400));
    return HK_OK;
  }
  hk_error_set(err, derr.code == HK_E_NOTSUP ? HK_E_CONFIG : derr.code,
               "geoip_maxmind: %s %s is %s and downloading %s failed: %s",
               db_param[which], path,
               exists ? "not a usable database" : "missing", edition, derr.msg);
  err->flags = derr.flags;
  return err->code;
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
  /* max_age (a duration); max_age_days is its older spelling. */
  int64_t max_age_ms = 30LL * 86400000;
  int64_t days = 0;
  if (!geo_host->config_is_set(cfg, "max_age") &&
      geo_host->config_is_set(cfg, "max_age_days") &&
      geo_host->config_get_int(cfg, "max_age_days", &days) == HK_OK)
    max_age_ms = days * 86400000;
  else if (geo_host->config_get_int(cfg, "max_age", &max_age_ms) != HK_OK)
    max_age_ms = 30LL * 86400000;

  hk_geoip_dl dl;
  memset(&dl, 0, sizeof dl);
  dl.license_key = geo_host->config_get_string(cfg, "license_key");
  dl.account_id = geo_host->config_get_string(cfg, "account_id");
  dl.base_url = geo_host->config_get_string(cfg, "download_url");
  if (!dl.base_url || !*dl.base_url)
    dl.base_url = "https://download.maxmind.com";
  if (geo_host->config_get_int(cfg, "download_timeout", &dl.timeout_ms) !=
      HK_OK)
    dl.timeout_ms = 600000;
  int auto_update = 1;
  if (geo_host->config_get_bool(cfg, "auto_update", &auto_update) != HK_OK)
    auto_update = 1;
  s->have_key = dl.license_key && *dl.license_key;

  int n_open = 0;
  for (int i = 0; i < DB_COUNT; i++) {
    const char *path = geo_host->config_get_string(cfg, db_param[i]);
    if (!path || !*path)
      continue;
    snprintf(s->path[i], sizeof s->path[i], "%s", path);
    if (s->have_key && auto_update) {
      const char *edition = geo_host->config_get_string(cfg, edition_param[i]);
      if (maybe_download(s, i, path, edition ? edition : "", &dl, max_age_ms,
                         err) != HK_OK) {
        geo_destroy(s);
        return err->code;
      }
    }
    int rc = MMDB_open(path, MMDB_MODE_MMAP, &s->db[i]);
    if (rc != MMDB_SUCCESS) {
      hk_error_set(
          err, rc == MMDB_FILE_OPEN_ERROR ? HK_E_NOTFOUND : HK_E_CONFIG,
          "geoip_maxmind: cannot open %s %s: %s%s", db_param[i], path,
          MMDB_strerror(rc),
          rc != MMDB_FILE_OPEN_ERROR
              ? " (the file is not a usable MaxMind DB; download "
                "it again)"
          : s->have_key ? " (check the path in conf.d/geoip_maxmind.yaml)"
                        : " (check the path in conf.d/geoip_maxmind.yaml, or "
                          "set license_key to let huntkit download it)");
      geo_destroy(s);
      return err->code;
    }
    s->open[i] = 1;
    n_open++;
    check_metadata(s, i, max_age_ms);
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
  /* IPv4 and "/len" by hand: glibc's inet_ntop formats IPv4 with sprintf,
   * and printf-style formatting cost a tenth of a lookup (bench/geoip). */
  if (v4) {
    char *p = s->network;
    for (int i = 0; i < 4; i++) {
      unsigned b = a[i];
      if (b >= 100)
        *p++ = (char)('0' + b / 100);
      if (b >= 10)
        *p++ = (char)('0' + b / 10 % 10);
      *p++ = (char)('0' + b % 10);
      *p++ = i < 3 ? '.' : '\0';
    }
  } else if (!inet_ntop(AF_INET6, a, s->network, INET6_ADDRSTRLEN))
    return;
  size_t n = strlen(s->network);
  s->network[n++] = '/';
  if (netmask >= 100)
    s->network[n++] = (char)('0' + netmask / 100);
  if (netmask >= 10)
    s->network[n++] = (char)('0' + netmask / 10 % 10);
  s->network[n++] = (char)('0' + netmask % 10);
  s->network[n] = '\0';
  s->fields[F_NETWORK].is_set = 1;
  s->fields[F_NETWORK].str = s->network;
  s->fields[F_NETWORK].str_len = n;
}

/* Append n bytes at p, stopping at end; returns the new end of text. */
static char *
put(char *p, char *end, const char *src, size_t n)
{
  size_t room = (size_t)(end - p);
  if (n > room)
    n = room;
  /* The parts are short (codes, city names); gcc inlines a variable-size
   * memcpy as `rep movsq`, whose start-up cost was 4 % of a lookup
   * (bench/geoip).  Two overlapping fixed-size copies cover 8..16 bytes. */
  if (n >= 8 && n <= 16) {
    memcpy(p, src, 8);
    memcpy(p + n - 8, src + n - 8, 8);
  } else if (n >= 4 && n < 8) {
    memcpy(p, src, 4);
    memcpy(p + n - 4, src + n - 4, 4);
  } else
    memcpy(p, src, n);
  return p + n;
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

/* The IPv4 walker over database `which` (geoip_fast.c), made on first
 * use; NULL when its tree is not one it reads exactly as libmaxminddb does
 * (then every lookup goes through MMDB_lookup_sockaddr). */
static hk_geoip_tree *
tree_of(geo_state *s, int which)
{
  if (s->tree[which] || s->tree_failed[which])
    return s->tree[which];
  const MMDB_s *db = &s->db[which];
  uint32_t start = 0;
  unsigned bit = 0;
  int usable;
  if (db->metadata.ip_version == 6) {
    /* IPv4 lives under ::/96; libmaxminddb found that node at open. */
    start = db->ipv4_start_node.node_value;
    bit = db->ipv4_start_node.netmask;
    usable = bit == 96 && db->depth == 128;
  } else
    usable = db->metadata.ip_version == 4 && db->depth == 32;
  /* The data section starts after the tree and a 16-byte separator. */
  uint64_t tree_bytes =
      db->data_section >= db->file_content + 16
          ? (uint64_t)(db->data_section - db->file_content) - 16
          : 0;
  if (usable)
    s->tree[which] = hk_geoip_tree_new(
        db->file_content, tree_bytes, db->metadata.node_count,
        db->full_record_byte_size, db->data_section_size, start, bit);
  s->tree_failed[which] = s->tree[which] == NULL;
  return s->tree[which];
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
  int have_sockaddr = 0;

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
    MMDB_lookup_result_s r;
    hk_geoip_tree *tree = ip.family == 4 ? tree_of(s, i) : NULL;
    int walked = -1;
    if (tree) {
      uint32_t offset = 0;
      unsigned netmask = 0;
      walked = hk_geoip_tree_v4(tree, ip.addr, &offset, &netmask);
      r.found_entry = walked == 1;
      r.netmask = (uint16_t)netmask;
      r.entry.mmdb = &s->db[i];
      r.entry.offset = offset;
    }
    if (walked < 0) {
      if (!have_sockaddr) {
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
        have_sockaddr = 1;
      }
      r = MMDB_lookup_sockaddr(&s->db[i], (const struct sockaddr *)&ss,
                               &mmdb_rc);
      if (mmdb_rc == MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
        continue;
      if (mmdb_rc != MMDB_SUCCESS)
        return query_failed(s, out, i, "lookup failed:", mmdb_rc);
    }
    if (!r.found_entry)
      continue;
    found = 1;
    int bad = 0;
    /* One pass over the record's bytes; libmaxminddb's path reads only
     * when that declines (unexpected or damaged data). */
    const MMDB_s *db = &s->db[i];
    /* Straight into the fields: they start null, and this database's
     * share of them is cleared again if the fast path declines. */
    hk_value *part = s->fields;
    if (!s->cache[i] && !s->cache_failed[i]) {
      /* 64K records (4 MB) of City/Country, 16K (1 MB) of ASN. */
      s->cache[i] = hk_geoip_cache_new(i == DB_ASN ? 14 : 16);
      s->cache_failed[i] = s->cache[i] == NULL;
    }
    int fast = -1;
    if (s->cache[i] &&
        hk_geoip_cache_get(s->cache[i], db->data_section, r.entry.offset, part))
      fast = 0;
    else {
      fast = i == DB_ASN
                 ? hk_geoip_fast_asn(db->data_section, db->data_section_size,
                                     r.entry.offset, part)
                 : hk_geoip_fast_location(db->data_section,
                                          db->data_section_size, r.entry.offset,
                                          s->lang, i == DB_CITY, part);
      if (fast == 0 && s->cache[i])
        hk_geoip_cache_put(s->cache[i], db->data_section, r.entry.offset, part,
                           i == DB_ASN);
    }
    if (fast != 0) {
      int from = i == DB_ASN ? F_ASN : F_COUNTRY_CODE;
      int to = i == DB_ASN ? F_AS_ORG : F_TIMEZONE;
      memset(&part[from], 0, (size_t)(to - from + 1) * sizeof part[0]);
    }
    if (fast == 0) {
      /* read above */
    } else if (i == DB_ASN) {
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
    memcpy(s->summary, "not in database", sizeof "not in database");
    out->status = HK_LK_NO_DATA;
    out->summary = s->summary;
    return HK_OK;
  }

  /* "GB, London; AS15169 Google Inc." -- only the parts we have, built
   * without snprintf (it cost a tenth of a lookup). */
  const hk_value *f = s->fields;
  char *p = s->summary, *end = s->summary + sizeof s->summary - 1;
  p = put(p, end, f[F_COUNTRY_CODE].is_set ? f[F_COUNTRY_CODE].str : "-",
          f[F_COUNTRY_CODE].is_set ? f[F_COUNTRY_CODE].str_len : 1);
  if (f[F_CITY].is_set) {
    p = put(p, end, ", ", 2);
    p = put(p, end, f[F_CITY].str,
            f[F_CITY].str_len > 80 ? 80 : f[F_CITY].str_len);
  }
  if (f[F_ASN].is_set) {
    char num[24];
    int nl = 0;
    uint64_t asn = (uint64_t)f[F_ASN].i64;
    do
      num[sizeof num - 1 - nl++] = (char)('0' + asn % 10);
    while ((asn /= 10) && nl < (int)sizeof num);
    p = put(p, end, "; AS", 4);
    p = put(p, end, num + sizeof num - nl, (size_t)nl);
    if (f[F_AS_ORG].is_set) {
      p = put(p, end, " ", 1);
      p = put(p, end, f[F_AS_ORG].str,
              f[F_AS_ORG].str_len > 80 ? 80 : f[F_AS_ORG].str_len);
    }
  }
  *p = '\0';
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
    {"max_age", HK_PT_DURATION, 0, "30d", NULL,
     "warn when a database was built longer ago (0: never); with "
     "license_key, download a fresh copy then"},
    {"max_age_days", HK_PT_INT, 0, NULL, NULL,
     "older spelling of max_age, in days (used when max_age is not set)"},
    {"license_key", HK_PT_STRING, HK_P_SECRET, NULL, NULL,
     "MaxMind licence key: download missing or stale databases (never "
     "without one); write ${env:MAXMIND_LICENSE_KEY}"},
    {"account_id", HK_PT_STRING, 0, NULL, NULL,
     "MaxMind account ID (HTTP Basic auth; without it the legacy download "
     "URL carries the key)"},
    {"download_url", HK_PT_STRING, 0, "https://download.maxmind.com", NULL,
     "base of MaxMind's download URLs"},
    {"auto_update", HK_PT_BOOL, 0, "true", NULL,
     "with license_key: download when a database is missing or older than "
     "max_age (at most once a day)"},
    {"download_timeout", HK_PT_DURATION, 0, "10m", NULL,
     "time limit of one database download"},
    {"city_edition", HK_PT_STRING, 0, "GeoLite2-City", NULL,
     "MaxMind edition ID downloaded into city_db"},
    {"country_edition", HK_PT_STRING, 0, "GeoLite2-Country", NULL,
     "MaxMind edition ID downloaded into country_db"},
    {"asn_edition", HK_PT_STRING, 0, "GeoLite2-ASN", NULL,
     "MaxMind edition ID downloaded into asn_db"},
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
    /* Network only to download the databases, with the operator's key. */
    .flags = HK_PF_NETWORK | HK_PF_SECRETS,
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
