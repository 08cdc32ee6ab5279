/*
 * plugins/geoip_maxmind/test_geoip_unit.c -- white-box tests of the
 * geoip_maxmind download and age check with a fake host
 * (tests/plugin_test_host.h) whose http_fetch (libcurl) talks to test_server.py
 * on 127.0.0.1, which serves tar.gz archives it builds from MaxMind's test
 * databases (tests/data/maxmind): both URL schemes, the redirect, 401, 403,
 * 404, 429, a truncated archive, an archive without the database or with a
 * corrupt one or with a "../" member name; when a download happens and when
 * not; that a failure never damages the database in place; that the key never
 * shows.  The test databases' build epoch is 1770245369
 * (2026-02-04 22:49:29 UTC, from their metadata); the fake clock is set
 * relative to it.
 */
#define HK_TEST_CLASSIFIERS /* host/ioc.c is compiled in */
#include "plugin_test_host.h"

#include "geoip_internal.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <maxminddb.h>

const hk_plugin_desc *const *
geoip_maxmind_LTX_hk_plugin_entry(const struct hk_host *, hk_error *);

#define BUILD_EPOCH 1770245369LL

static const hk_plugin_desc *desc;
static const hk_enricher_vt *vt;
static char mmdb_dir[1024], srcdir[1024], dir[512];
static int port;

/* "CC city" of an address, or the summary when nothing is found. */
static const char *
where(th_instance *i, const char *ip)
{
  static char text[300];
  hk_ioc ioc = {sizeof ioc, ip, strlen(ip), "ipv4"};
  hk_enrichment e;
  hk_error err;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  vt->lookup(i->state, NULL, &ioc, &e, &err);
  snprintf(text, sizeof text, "%s", e.summary ? e.summary : "~");
  return text;
}

/* Names in the temporary directory, sorted, space-separated. */
static const char *
listing(void)
{
  static char text[2048];
  char names[32][256];
  int n = 0;
  DIR *d = opendir(dir);
  struct dirent *e;
  while (d && (e = readdir(d)) && n < 32)
    if (e->d_name[0] != '.' ||
        (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")))
      snprintf(names[n++], sizeof names[0], "%s", e->d_name);
  if (d)
    closedir(d);
  for (int a = 0; a < n; a++)
    for (int b = a + 1; b < n; b++)
      if (strcmp(names[a], names[b]) > 0) {
        char t[256];
        memcpy(t, names[a], sizeof t);
        memcpy(names[a], names[b], sizeof t);
        memcpy(names[b], t, sizeof t);
      }
  text[0] = '\0';
  for (int a = 0; a < n; a++)
    snprintf(text + strlen(text), sizeof text - strlen(text), "%s%s",
             a ? " " : "", names[a]);
  return text;
}

static void
copy_db(const char *name, const char *to)
{
  char from[1200];
  snprintf(from, sizeof from, "%s/%s", mmdb_dir, name);
  FILE *in = fopen(from, "rb");
  hk_buf b = HK_BUF_INIT;
  char chunk[8192];
  size_t n;
  while (in && (n = fread(chunk, 1, sizeof chunk, in)) > 0)
    hk_buf_append(&b, chunk, n);
  if (in)
    fclose(in);
  th_write(to, b.data, b.len);
  hk_buf_free(&b);
}

static void
test_age_without_key(void)
{
  char city[700], want[2000];
  snprintf(city, sizeof city, "%s/old-City.mmdb", dir);
  copy_db("GeoLite2-City-Test.mmdb", city);
  th_now_us = (BUILD_EPOCH + 10 * 86400) * 1000000;
  th_instance i = th_open(desc, "city_db=%s", city);
  is_int(i.rc, HK_OK, "10-day-old database, default max_age 30d");
  ok(!strstr(th_log.data ? th_log.data : "", "WARN"), "no warning");
  th_close(&i);

  th_now_us = (BUILD_EPOCH + 40 * 86400) * 1000000;
  th_http_calls = 0;
  i = th_open(desc, "city_db=%s", city);
  is_int(i.rc, HK_OK, "40-day-old database still opens");
  snprintf(want, sizeof want,
           "WARN: city_db %s was built 40 days ago (max_age is 30d); "
           "download a fresh copy from MaxMind, or set license_key (and "
           "account_id) in conf.d/geoip_maxmind.yaml to let huntkit fetch "
           "it\n",
           city);
  is_str(th_log.data, want, "stale: warned, with the way to fix it");
  is_int(th_http_calls, 0, "no key: never downloaded");
  th_close(&i);

  i = th_open(desc, "city_db=%s;max_age=12h", city);
  like(th_log.data, "(max_age is 12h)", "max_age is a duration");
  th_close(&i);
  i = th_open(desc, "city_db=%s;max_age_days=2", city);
  like(th_log.data, "was built 40 days ago (max_age is 2d)",
       "max_age_days, the older spelling, still works");
  th_close(&i);
  i = th_open(desc, "city_db=%s;max_age=0", city);
  ok(!th_log.data || !strstr(th_log.data, "WARN"), "max_age=0: no warning");
  th_close(&i);

  snprintf(city, sizeof city, "%s/missing.mmdb", dir);
  i = th_open(desc, "city_db=%s", city);
  is_int(i.rc, HK_E_NOTFOUND, "missing database without a key");
  snprintf(want, sizeof want,
           "geoip_maxmind: cannot open city_db %s: Error opening the "
           "specified MaxMind DB file (check the path in "
           "conf.d/geoip_maxmind.yaml, or set license_key to let huntkit "
           "download it)",
           city);
  is_str(i.err.msg, want, "message mentions license_key");
  th_close(&i);
}

/* ----------------------------------------------- one pass vs libmaxminddb */

typedef struct net {
  uint8_t addr[16];
  int bits;
} net;

/* Every network with data in the tree (node numbers visited once, so the
 * IPv4 aliases are walked once). */
static void
walk(const MMDB_s *db, uint32_t node, uint8_t *addr, int depth, net *out,
     size_t *n, size_t cap, uint8_t *seen)
{
  MMDB_search_node_s sn;
  if (*n >= cap || node >= db->metadata.node_count || seen[node] ||
      MMDB_read_node(db, node, &sn) != MMDB_SUCCESS)
    return;
  seen[node] = 1;
  for (int side = 0; side < 2; side++) {
    uint8_t a[16];
    memcpy(a, addr, 16);
    if (side)
      a[depth / 8] |= (uint8_t)(0x80 >> (depth % 8));
    int type = side ? sn.right_record_type : sn.left_record_type;
    uint64_t rec = side ? sn.right_record : sn.left_record;
    if (type == MMDB_RECORD_TYPE_SEARCH_NODE)
      walk(db, (uint32_t)rec, a, depth + 1, out, n, cap, seen);
    else if (type == MMDB_RECORD_TYPE_DATA && *n < cap) {
      memcpy(out[*n].addr, a, 16);
      out[*n].bits = depth + 1;
      (*n)++;
    }
  }
}

static void
expect_string(MMDB_entry_s *e, const char *const *path,
              const char *const *fallback, hk_buf *b)
{
  MMDB_entry_data_s d;
  int rc = MMDB_aget_value(e, &d, path);
  if ((rc != MMDB_SUCCESS || !d.has_data ||
       d.type != MMDB_DATA_TYPE_UTF8_STRING) &&
      fallback)
    rc = MMDB_aget_value(e, &d, fallback);
  if (rc == MMDB_SUCCESS && d.has_data && d.type == MMDB_DATA_TYPE_UTF8_STRING)
    hk_buf_appendf(b, "[%.*s]", (int)d.data_size, d.utf8_string);
  else
    hk_buf_append_str(b, "~");
}

static void
expect_double(MMDB_entry_s *e, const char *const *path, hk_buf *b)
{
  MMDB_entry_data_s d;
  if (MMDB_aget_value(e, &d, path) == MMDB_SUCCESS && d.has_data &&
      d.type == MMDB_DATA_TYPE_DOUBLE)
    hk_buf_appendf(b, "%.6f", d.double_value);
  else
    hk_buf_append_str(b, "~");
}

static void
got_fields(const hk_value *f, int from, int to, hk_buf *b)
{
  for (int k = from; k <= to; k++) {
    if (!f || !f[k].is_set)
      hk_buf_append_str(b, "~");
    else if (k == HK_GEOIP_F_LATITUDE || k == HK_GEOIP_F_LONGITUDE)
      hk_buf_appendf(b, "%.6f", f[k].f64);
    else if (k == HK_GEOIP_F_ASN)
      hk_buf_appendf(b, "%lld", (long long)f[k].i64);
    else
      hk_buf_appendf(b, "[%.*s]", (int)f[k].str_len, f[k].str);
  }
}

/* The plugin reads each record in one pass of its own (geoip_fast.c) and
 * keeps what it read (by record offset); compare every network of the
 * test databases, twice (the second time from the cache), with
 * libmaxminddb's own MMDB_aget_value reads. */
static void
test_one_pass_matches_libmaxminddb(const char *file, const char *param,
                                   const char *lang, int asn)
{
  char path[1200];
  snprintf(path, sizeof path, "%s/%s", mmdb_dir, file);
  MMDB_s db;
  if (MMDB_open(path, MMDB_MODE_MMAP, &db) != MMDB_SUCCESS) {
    ok(0, "open %s", file);
    return;
  }
  net *nets = calloc(4096, sizeof *nets);
  uint8_t *seen = calloc(db.metadata.node_count + 1, 1);
  size_t n = 0;
  uint8_t zero[16] = {0};
  walk(&db, 0, zero, 0, nets, &n, 4096, seen);
  th_now_us = (BUILD_EPOCH + 1) * 1000000;
  th_instance i = th_open(desc, "%s=%s;language=%s", param, path, lang);
  const char *p_cc[] = {"country", "iso_code", NULL};
  const char *p_cn[] = {"country", "names", lang, NULL};
  const char *p_cn_en[] = {"country", "names", "en", NULL};
  const char *p_city[] = {"city", "names", lang, NULL};
  const char *p_city_en[] = {"city", "names", "en", NULL};
  const char *p_sub[] = {"subdivisions", "0", "names", lang, NULL};
  const char *p_sub_en[] = {"subdivisions", "0", "names", "en", NULL};
  const char *p_postal[] = {"postal", "code", NULL};
  const char *p_lat[] = {"location", "latitude", NULL};
  const char *p_lon[] = {"location", "longitude", NULL};
  const char *p_tz[] = {"location", "time_zone", NULL};
  const char *p_asn[] = {"autonomous_system_number", NULL};
  const char *p_org[] = {"autonomous_system_organization", NULL};
  size_t compared = 0, differ = 0;
  for (int pass = 0; pass < 2; pass++)
    for (size_t k = 0; k < n; k++) {
      char text[INET6_ADDRSTRLEN];
      int v4 = db.metadata.ip_version == 4 ||
               (nets[k].bits > 96 && !memcmp(nets[k].addr, zero, 12));
      if (db.metadata.ip_version == 4)
        inet_ntop(AF_INET, nets[k].addr, text, sizeof text);
      else
        inet_ntop(v4 ? AF_INET : AF_INET6,
                  v4 ? nets[k].addr + 12 : nets[k].addr, text, sizeof text);
      hk_ip_info ip = {sizeof ip, 0, 0, 0, 0, {0}, NULL};
      if (hk_ip_classify(text, strlen(text), &ip) != HK_OK || !ip.is_global)
        continue;
      int gai, mrc;
      MMDB_lookup_result_s r = MMDB_lookup_string(&db, text, &gai, &mrc);
      if (!r.found_entry)
        continue;
      hk_buf want = HK_BUF_INIT, got = HK_BUF_INIT;
      if (asn) {
        MMDB_entry_data_s d;
        if (MMDB_aget_value(&r.entry, &d, p_asn) == MMDB_SUCCESS &&
            d.has_data && d.type == MMDB_DATA_TYPE_UINT32)
          hk_buf_appendf(&want, "%u", d.uint32);
        else
          hk_buf_append_str(&want, "~");
        expect_string(&r.entry, p_org, NULL, &want);
      } else {
        expect_string(&r.entry, p_cc, NULL, &want);
        expect_string(&r.entry, p_cn, p_cn_en, &want);
        if (strstr(file, "City")) {
          expect_string(&r.entry, p_city, p_city_en, &want);
          expect_string(&r.entry, p_sub, p_sub_en, &want);
          expect_string(&r.entry, p_postal, NULL, &want);
          expect_double(&r.entry, p_lat, &want);
          expect_double(&r.entry, p_lon, &want);
          expect_string(&r.entry, p_tz, NULL, &want);
        } else
          hk_buf_append_str(&want, "~~~~~~");
      }
      hk_ioc ioc = {sizeof ioc, text, strlen(text), v4 ? "ipv4" : "ipv6"};
      hk_enrichment e;
      hk_error err;
      memset(&e, 0, sizeof e);
      e.struct_size = sizeof e;
      vt->lookup(i.state, NULL, &ioc, &e, &err);
      if (asn)
        got_fields(e.fields, HK_GEOIP_F_ASN, HK_GEOIP_F_AS_ORG, &got);
      else
        got_fields(e.fields, HK_GEOIP_F_COUNTRY_CODE, HK_GEOIP_F_TIMEZONE,
                   &got);
      compared++;
      if (strcmp(want.data, got.data) != 0 && differ++ < 3)
        diag("%s %s: libmaxminddb %s, plugin %s", file, text, want.data,
             got.data);
      hk_buf_free(&want);
      hk_buf_free(&got);
    }
  ok(compared > 20 && differ == 0,
     "%s (%s): %zu lookups of every network, twice, equal to "
     "libmaxminddb's reads",
     file, lang, compared);
  th_close(&i);
  free(nets);
  free(seen);
  MMDB_close(&db);
}

#ifdef HK_TEST_CURL
static int
log_lines(const char *path, char *out, size_t cap)
{
  FILE *f = fopen(path, "r");
  size_t n = f ? fread(out, 1, cap - 1, f) : 0;
  out[n] = '\0';
  if (f)
    fclose(f);
  int lines = 0;
  for (size_t k = 0; k < n; k++)
    lines += out[k] == '\n';
  return lines;
}

static void
test_download(const char *log_path)
{
  char city[700], asn[700], want[2000], logged[8192];
  struct stat st1, st2;
  snprintf(city, sizeof city, "%s/db/GeoLite2-City.mmdb", dir);
  snprintf(asn, sizeof asn, "%s/GeoLite2-ASN.mmdb", dir);
  th_now_us = (BUILD_EPOCH + 10 * 86400) * 1000000;

  /* Missing, key and account: downloaded (directory created). */
  th_http_calls = 0;
  th_instance i = th_open(desc,
                          "city_db=%s;license_key=goodkey;account_id=42;"
                          "download_url=http://127.0.0.1:%d/",
                          city, port);
  is_int(i.rc, HK_OK, "missing City database downloaded");
  if (i.rc != HK_OK)
    diag("%s", i.err.msg);
  is_str(where(&i, "81.2.69.142"), "GB, London", "and used");
  snprintf(want, sizeof want,
           "INFO: downloaded GeoLite2-City into city_db %s\n", city);
  is_str(th_log.data, want, "reported at INFO");
  is_int(th_http_calls, 1, "one fetch");
  log_lines(log_path, logged, sizeof logged);
  like(logged,
       "GET /geoip/databases/GeoLite2-City/download?suffix=tar.gz auth=42\n",
       "current scheme: HTTP Basic with the account ID");
  like(logged, "GET /storage/GeoLite2-City.tar.gz?X-Sig=abc",
       "the redirect to storage was followed");
  th_close(&i);
  is_str(listing(), "db old-City.mmdb", "no archive or temporary file left");

  /* Fresh: no download. */
  stat(city, &st1);
  i = th_open(desc,
              "city_db=%s;license_key=goodkey;account_id=42;"
              "download_url=http://127.0.0.1:%d",
              city, port);
  is_int(th_http_calls, 1, "fresh database: nothing fetched");
  th_close(&i);

  /* Stale but written less than a day ago: MaxMind has nothing newer. */
  th_now_us = (BUILD_EPOCH + 40 * 86400) * 1000000;
  th_age_file(city, 3600);
  i = th_open(desc,
              "city_db=%s;license_key=goodkey;account_id=42;"
              "download_url=http://127.0.0.1:%d",
              city, port);
  is_int(th_http_calls, 1, "stale, fetched an hour ago: not again");
  like(th_log.data,
       "was built 40 days ago (max_age is 30d); download a "
       "fresh copy from MaxMind\n",
       "but warned about");
  th_close(&i);

  /* Stale and written days ago: replaced atomically. */
  th_age_file(city, 3 * 86400);
  i = th_open(desc,
              "city_db=%s;license_key=goodkey;account_id=42;"
              "download_url=http://127.0.0.1:%d",
              city, port);
  is_int(th_http_calls, 2, "stale: fetched again");
  stat(city, &st2);
  ok(st1.st_ino != st2.st_ino, "the file was replaced by a rename");
  ok(!strstr(th_log.data, "WARN"),
     "no age warning for a copy fetched just now");
  th_close(&i);

  /* Stale, and the key is refused: the old copy stays in use. */
  th_age_file(city, 3 * 86400);
  i = th_open(desc,
              "city_db=%s;license_key=badkey;account_id=42;"
              "download_url=http://127.0.0.1:%d",
              city, port);
  is_int(i.rc, HK_OK, "refused update: the instance still starts");
  snprintf(want, sizeof want,
           "WARN: could not update city_db %s: MaxMind refused the licence "
           "key (HTTP 401) for GeoLite2-City: check license_key and "
           "account_id; using the copy built 40 days ago\n",
           city);
  like(th_log.data, want, "warned with the reason and the copy's age");
  is_str(where(&i, "81.2.69.142"), "GB, London", "the old copy answers");
  ok(!strstr(th_log.data, "badkey"), "the key is not in the log");
  th_close(&i);

  /* Missing, key refused: no database at all. */
  th_now_us = (BUILD_EPOCH + 10 * 86400) * 1000000;
  i = th_open(desc,
              "asn_db=%s;license_key=badkey;download_url=http://127.0.0.1:%d",
              asn, port);
  is_int(i.rc, HK_E_AUTH, "missing database, key refused: failure");
  snprintf(want, sizeof want,
           "geoip_maxmind: asn_db %s is missing and downloading GeoLite2-ASN "
           "failed: MaxMind refused the licence key (HTTP 401) for "
           "GeoLite2-ASN: check license_key and account_id",
           asn);
  is_str(i.err.msg, want, "the message says what and why");
  ok(!strstr(i.err.msg, "badkey"), "without the key");
  th_close(&i);

  /* The legacy scheme: key in the query, no account. */
  i = th_open(desc,
              "asn_db=%s;license_key=goodkey;download_url=http://127.0.0.1:%d",
              asn, port);
  is_int(i.rc, HK_OK, "legacy URL scheme");
  log_lines(log_path, logged, sizeof logged);
  like(logged,
       "GET /app/geoip_download?edition_id=GeoLite2-ASN&license_key=<7>&"
       "suffix=tar.gz auth=-\n",
       "edition and key in the query, no Basic auth");
  like(where(&i, "1.0.0.1"), "AS15169 Google Inc.", "the ASN database works");
  th_close(&i);
  is_str(listing(), "GeoLite2-ASN.mmdb db old-City.mmdb",
         "only the databases in the directory");

  /* Broken downloads never replace a database. */
  static const struct {
    const char *edition;
    int rc;
    const char *why;
  } broken[] = {
      {"Truncated-City", HK_E_INVAL,
       "the download of Truncated-City is not a usable tar.gz archive "
       "(damaged or truncated?): truncated gzip input"},
      {"Cut-City", HK_E_INVAL,
       "the archive of Cut-City is damaged or truncated: Truncated input "
       "file"},
      {"NoMmdb-City", HK_E_INVAL,
       "the archive of NoMmdb-City holds no NoMmdb-City.mmdb (wrong "
       "edition?)"},
      {"Corrupt-City", HK_E_INVAL,
       "the downloaded Corrupt-City is not a usable MaxMind DB: The MaxMind "
       "DB file contains invalid metadata"},
      {"Denied-City", HK_E_AUTH,
       "MaxMind refused Denied-City (HTTP 403): the account may not include "
       "this edition"},
      {"Limited-City", HK_E_RATELIMIT,
       "MaxMind's download limit is reached (HTTP 429) for Limited-City; try "
       "again tomorrow"},
      {"Nope-City", HK_E_CONFIG,
       "MaxMind has no edition 'Nope-City' (HTTP 404): check the *_edition "
       "settings"},
  };
  char target[700];
  snprintf(target, sizeof target, "%s/new/City.mmdb", dir);
  for (size_t k = 0; k < sizeof broken / sizeof broken[0]; k++) {
    i = th_open(desc,
                "city_db=%s;license_key=goodkey;account_id=42;city_edition=%s;"
                "download_url=http://127.0.0.1:%d",
                target, broken[k].edition, port);
    is_int(i.rc, broken[k].rc, "%s: failure code", broken[k].edition);
    like(i.err.msg, broken[k].why, "%s: message", broken[k].edition);
    th_close(&i);
  }
  is_str(listing(), "GeoLite2-ASN.mmdb db new old-City.mmdb",
         "nothing left behind by the failures");
  snprintf(want, sizeof want, "%s/new", dir);
  DIR *d = opendir(want);
  int entries = 0;
  struct dirent *e;
  while (d && (e = readdir(d)))
    entries += e->d_name[0] != '.';
  if (d)
    closedir(d);
  is_int(entries, 0, "no partial database or archive in the target dir");

  /* A truncated update leaves the old database intact and in use. */
  copy_db("GeoLite2-City-Test.mmdb", target);
  th_now_us = (BUILD_EPOCH + 40 * 86400) * 1000000;
  th_age_file(target, 3 * 86400);
  i = th_open(desc,
              "city_db=%s;license_key=goodkey;account_id=42;"
              "city_edition=Truncated-City;download_url=http://127.0.0.1:%d",
              target, port);
  is_int(i.rc, HK_OK, "truncated update: the old copy is kept");
  like(th_log.data, "could not update city_db ", "the failed update is logged");
  like(th_log.data,
       "Truncated-City is not a usable tar.gz archive "
       "(damaged or truncated?): truncated gzip input; using the "
       "copy built 40 days ago",
       "with the reason");
  is_str(where(&i, "81.2.69.142"), "GB, London", "the old copy answers");
  th_close(&i);

  /* A member named ../../../Evil-City.mmdb lands only where it should. */
  unlink(target);
  i = th_open(desc,
              "city_db=%s;license_key=goodkey;account_id=42;"
              "city_edition=Evil-City;download_url=http://127.0.0.1:%d",
              target, port);
  is_int(i.rc, HK_OK, "archive member with ../ in its name");
  is_str(where(&i, "81.2.69.142"), "GB, London", "extracted to city_db only");
  th_close(&i);
  snprintf(want, sizeof want, "%s/../Evil-City.mmdb", dir);
  ok(access(want, F_OK) != 0 && access("../../../Evil-City.mmdb", F_OK) != 0,
     "nothing written along the member's path");

  /* auto_update false, or no HTTP service. */
  unlink(target);
  th_http_calls = 0;
  i = th_open(desc, "city_db=%s;license_key=goodkey;auto_update=false", target);
  is_int(i.rc, HK_E_NOTFOUND, "auto_update=false: missing stays missing");
  is_int(th_http_calls, 0, "and nothing is fetched");
  th_close(&i);
  th_host.http_fetch = NULL;
  i = th_open(desc, "city_db=%s;license_key=goodkey", target);
  is_int(i.rc, HK_E_CONFIG, "no HTTP service: failure");
  snprintf(want, sizeof want,
           "geoip_maxmind: city_db %s is missing and downloading "
           "GeoLite2-City failed: this huntkit has no HTTP service to "
           "download GeoLite2-City",
           target);
  is_str(i.err.msg, want, "says the service is missing");
  th_close(&i);
  th_host.http_fetch = th_http_fetch;
}
#endif

int
main(void)
{
  const char *src = getenv("HK_SRCDIR");
  hk_error err;
  snprintf(srcdir, sizeof srcdir, "%s/plugins/geoip_maxmind", src ? src : ".");
  snprintf(mmdb_dir, sizeof mmdb_dir, "%s/tests/data/maxmind", src ? src : ".");
  const hk_plugin_desc *const *d =
      geoip_maxmind_LTX_hk_plugin_entry(&th_host, &err);
  desc = d[0];
  vt = desc->vtable;
  th_tempdir(dir, sizeof dir);
  test_age_without_key();
  test_one_pass_matches_libmaxminddb("GeoLite2-City-Test.mmdb", "city_db", "en",
                                     0);
  test_one_pass_matches_libmaxminddb("GeoLite2-City-Test.mmdb", "city_db", "de",
                                     0);
  test_one_pass_matches_libmaxminddb("GeoLite2-Country-Test.mmdb", "country_db",
                                     "zh-CN", 0);
  test_one_pass_matches_libmaxminddb("GeoLite2-ASN-Test.mmdb", "asn_db", "en",
                                     1);
#ifdef HK_TEST_CURL
  char script[1200], log_path[700];
  snprintf(script, sizeof script, "%s/test_server.py", srcdir);
  snprintf(log_path, sizeof log_path, "%s.log", dir);
  const char *args[] = {mmdb_dir, log_path, NULL};
  pid_t pid = 0;
  port = th_start_server(script, args, &pid);
  if (port) {
    test_download(log_path);
    th_stop_server(&pid);
  } else
    ok(1, "# SKIP python3 not available for the loopback server");
  unlink(log_path);
#endif
  th_rm_rf(dir);
  th_host_cleanup();
  return done_testing();
}
