/*
 * tests/host/test_cache.c -- the persistent lookup cache through the
 * hk_host members a plugin sees (cache_get, cache_put, cache_dir): where
 * the files go and their modes, TTLs (with the services' test clock),
 * --no-cache and --refresh, the daily quota persisted across runs, and a
 * corrupt cache file (a warning once, then lookups go on uncached).
 */
#include "config.h"

#include "../../host/http.h"
#include "../tap.h"
#include "util.h"

static const hk_field_desc no_fields[] = {{NULL, 0, NULL}};

static int
nop_lookup(void *state, const hk_config *options, const hk_ioc *ioc,
           hk_enrichment *out, hk_error *err)
{
  (void)state, (void)options, (void)ioc, (void)err;
  out->status = HK_LK_NO_DATA;
  return HK_OK;
}

static const hk_enricher_vt nop_vt = {.struct_size = sizeof(hk_enricher_vt),
                                      .fields = no_fields,
                                      .lookup = nop_lookup};
static const hk_plugin_desc nop_desc = {.struct_size = sizeof(hk_plugin_desc),
                                        .abi_major = HK_ABI_MAJOR,
                                        .abi_minor = HK_ABI_MINOR,
                                        .name = "cachefix",
                                        .version = "1",
                                        .kind = HK_KIND_ENRICHER,
                                        .summary = "test",
                                        .vtable = &nop_vt};
static const hk_plugin_desc *const nop_descs[] = {&nop_desc, NULL};

static const hk_plugin_desc *const *
nop_entry(const hk_host *host, hk_error *err)
{
  (void)host, (void)err;
  return nop_descs;
}

static int64_t fake_now;

static int64_t
test_clock(void)
{
  return fake_now;
}

static int
mode_of(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static const hk_host *host;

static int
get(hk_instance *inst, const char *key, size_t klen, char *out, size_t cap)
{
  const char *v = NULL;
  size_t n = 0;
  int rc = host->cache_get(inst, key, klen, &v, &n);
  out[0] = '\0';
  if (rc == HK_OK)
    snprintf(out, cap, "%.*s", (int)n, v);
  return rc;
}

static void
test_store_and_files(hk_instance *inst, const char *cache)
{
  char v[256];
  is_int(get(inst, "k1", 2, v, sizeof v), HK_E_NOTFOUND, "empty cache: miss");
  is_int(host->cache_put(inst, "k1", 2, "v1", 2, 0), HK_OK, "put k1");
  is_int(get(inst, "k1", 2, v, sizeof v), HK_OK, "get k1");
  is_str(v, "v1", "the stored value");
  is_int(host->cache_put(inst, "k1", 2, "value two", 9, 0), HK_OK,
         "put k1 again");
  get(inst, "k1", 2, v, sizeof v);
  is_str(v, "value two", "replaced");
  /* keys and values are bytes */
  is_int(host->cache_put(inst, "a\0b", 3, "x\0y", 3, 0), HK_OK,
         "binary key and value");
  const char *bv;
  size_t bn;
  is_int(host->cache_get(inst, "a\0b", 3, &bv, &bn), HK_OK, "get binary");
  ok(bn == 3 && memcmp(bv, "x\0y", 3) == 0, "all three bytes back");
  is_int(get(inst, "a\0c", 3, v, sizeof v), HK_E_NOTFOUND,
         "a key differing after a NUL is another key");

  is_int(mode_of(pathf("%s/cachefix", cache)), 0700, "plugin dir is 0700");
  is_int(mode_of(pathf("%s/cachefix/c1.sqlite", cache)), 0600,
         "cache file is 0600");
  const char *d = host->cache_dir(inst);
  is_str(d, pathf("%s/cachefix/c1", cache), "cache_dir of the instance");
  is_int(mode_of(d), 0700, "created 0700");
  ok(host->cache_dir(inst) == d, "the same string every time");
}

static void
test_ttl(hk_instance *inst)
{
  char v[64];
  int64_t real = hk_svc_now_us();
  fake_now = real;
  hk_services_set_clock(test_clock);
  is_int(host->cache_put(inst, "short", 5, "s", 1, 10), HK_OK, "ttl 10 s");
  is_int(host->cache_put(inst, "long", 4, "l", 1, 0), HK_OK,
         "ttl 0: the instance's cache_ttl (1h)");
  fake_now = real + 9 * 1000000LL;
  is_int(get(inst, "short", 5, v, sizeof v), HK_OK, "alive after 9 s");
  fake_now = real + 11 * 1000000LL;
  is_int(get(inst, "short", 5, v, sizeof v), HK_E_NOTFOUND,
         "expired after 11 s");
  is_int(get(inst, "long", 4, v, sizeof v), HK_OK, "the 1h entry lives");
  fake_now = real + 3601 * 1000000LL;
  is_int(get(inst, "long", 4, v, sizeof v), HK_E_NOTFOUND,
         "expired after cache_ttl");
  hk_services_set_clock(NULL);
}

static void
test_modes(hk_instance *inst)
{
  char v[64];
  host->cache_put(inst, "m", 1, "old", 3, 0);
  hk_services_set_cache_mode(HK_CACHE_REFRESH);
  is_int(get(inst, "m", 1, v, sizeof v), HK_E_NOTFOUND,
         "--refresh: nothing is read");
  is_int(host->cache_put(inst, "m", 1, "new", 3, 0), HK_OK,
         "--refresh: writes");
  hk_services_set_cache_mode(HK_CACHE_USE);
  get(inst, "m", 1, v, sizeof v);
  is_str(v, "new", "what --refresh wrote is read later");
  hk_services_set_cache_mode(HK_CACHE_OFF);
  is_int(get(inst, "m", 1, v, sizeof v), HK_E_NOTFOUND,
         "--no-cache: nothing is read");
  is_int(host->cache_put(inst, "m", 1, "off", 3, 0), HK_OK,
         "--no-cache: put says ok...");
  hk_services_set_cache_mode(HK_CACHE_USE);
  get(inst, "m", 1, v, sizeof v);
  is_str(v, "new", "...and stores nothing");
}

static void
test_quota(hk_instance *inst)
{
  hk_svc *svc = hk_svc_of(inst);
  hk_error e;
  int64_t real = hk_svc_now_us();
  fake_now = real;
  hk_services_set_clock(test_clock);
  hk_error_clear(&e);
  is_int(hk_svc_quota_take(svc, &e), HK_OK, "request 1 of 2");
  is_int(hk_svc_quota_take(svc, &e), HK_OK, "request 2 of 2");
  is_int(hk_svc_quota_take(svc, &e), HK_E_RATELIMIT, "the third is refused");
  like(e.msg,
       "cachefix:c1: the daily quota of 2 requests is spent (2 made today, "
       "UTC); it resets at 00:00 UTC (quota: in ",
       "the message says what and when");
  like(e.msg, "/conf.d/c.yaml)", "and which file sets it");

  /* A new run: the count comes back from the cache file. */
  hk_cache_close(svc);
  svc->quota_loaded = 0;
  hk_error_clear(&e);
  is_int(hk_svc_quota_take(svc, &e), HK_E_RATELIMIT,
         "still spent in the next run (persisted)");
  /* --no-cache does not reset a quota */
  hk_services_set_cache_mode(HK_CACHE_OFF);
  is_int(hk_svc_quota_take(svc, &e), HK_E_RATELIMIT,
         "--no-cache does not bypass the quota");
  hk_services_set_cache_mode(HK_CACHE_USE);
  fake_now = (real / 86400000000LL + 1) * 86400000000LL + 1;
  is_int(hk_svc_quota_take(svc, &e), HK_OK, "a new UTC day: allowed again");
  hk_services_set_clock(NULL);
}

static void
test_corrupt(hk_registry *r, const char *cache)
{
  hk_error e;
  hk_error_clear(&e);
  mkdir(pathf("%s/cachefix", cache), 0700);
  write_file(pathf("%s/cachefix/c2.sqlite", cache),
             "this is not an SQLite database, just text long enough to be "
             "read as a header and refused.............................\n");
  hk_instance *inst = hk_registry_instance(r, "cachefix:c2", &e);
  ok(inst != NULL, "instance c2");
  char v[64];
  capture_start();
  int g = get(inst, "k", 1, v, sizeof v);
  int p = host->cache_put(inst, "k", 1, "v", 1, 0);
  int g2 = get(inst, "k", 1, v, sizeof v);
  char *err = capture_stop();
  is_int(g, HK_E_NOTFOUND, "corrupt cache: get is a miss");
  is_int(p, HK_E_IO, "put says the cache is unusable");
  is_int(g2, HK_E_NOTFOUND, "still a miss");
  like(err, "cachefix:c2: the lookup cache is unusable (", "warned");
  like(err, "c2.sqlite: file is not a database); lookups go on uncached",
       "naming the file and SQLite's reason");
  is_int(count_lines(err), 1, "once");
  free(err);
}

int
main(void)
{
  host = hk_services();
  if (!HK_HAS(host, cache_get)) {
    printf("1..0 # SKIP no lookup cache in this build\n");
    return 0;
  }
  char *dir = tmpdir_new(), *cache = tmpdir_new();
  rmdir(cache); /* the host creates it */
  mkdir(pathf("%s/conf.d", dir), 0755);
  write_file(pathf("%s/huntkit.yaml", dir), pathf("cache_dir: %s\n", cache));
  write_file(pathf("%s/conf.d/c.yaml", dir),
             "plugin: cachefix\ninstance: c1\ncache_ttl: 1h\nquota: 2/day\n");
  write_file(pathf("%s/conf.d/d.yaml", dir),
             "plugin: cachefix\ninstance: c2\n");
  hk_settings s;
  hk_error e;
  hk_error_clear(&e);
  if (hk_settings_load(dir, &s, &e) != HK_OK) {
    diag("%s", e.msg);
    return 99;
  }
  hk_registry *r = hk_registry_new(&s);
  hk_registry_add_static(r, "cachefix", nop_entry, &e);
  hk_instance *inst = hk_registry_instance(r, "cachefix:c1", &e);
  ok(inst != NULL, "instance c1");
  if (inst) {
    test_store_and_files(inst, cache);
    test_ttl(inst);
    test_modes(inst);
    test_quota(inst);
    test_corrupt(r, cache);
  }
  hk_registry_free(r);
  hk_settings_free(&s);
  rm_rf(dir);
  rm_rf(cache);
  free(dir);
  free(cache);
  return done_testing();
}
