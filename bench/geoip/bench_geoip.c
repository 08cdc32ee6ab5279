/*
 * bench/geoip/bench_geoip.c -- lookups per second of the built
 * geoip_maxmind plugin, in isolation, on one core.
 *
 *   bench_geoip PLUGIN.so CITY.mmdb ADDRS.txt [SECONDS]
 *
 * The plugin is loaded with dlopen and driven through its descriptor (the
 * host's own IP classifier, host/ioc.c, is compiled in, since the plugin
 * calls it on every lookup), exactly as the host's enricher stage calls
 * it, minus the host's table work.  In the same run, two references on the
 * same addresses: libmaxminddb alone doing the plugin's work (parse the
 * address, MMDB_lookup_sockaddr, read the same eight values with
 * MMDB_aget_value), MMDB_lookup_string + the same reads, and the tree walk
 * alone (the floor for any reader of this file).  Prints lookups/s and ns per
 * lookup (CPU time of the process, pinned to CPU 0) for each.
 */
#define _GNU_SOURCE
#include "host/core.h"

#include <huntkit/huntkit.h>

#include <arpa/inet.h>
#include <dlfcn.h>
#include <maxminddb.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------- the smallest host */

struct hk_config {
  const char *city_db;
};

void
hk_log_msg(const hk_instance *inst, int level, const char *fmt, ...)
{
  (void)inst;
  (void)level;
  (void)fmt;
}

static void
b_log(const hk_instance *inst, int level, const char *fmt, ...)
{
  va_list ap;
  (void)inst;
  (void)level;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
}

static int
b_log_enabled(const hk_instance *inst, int level)
{
  (void)inst;
  return level <= HK_LOG_WARN;
}

static int
b_is_set(const hk_config *cfg, const char *name)
{
  (void)cfg;
  return !strcmp(name, "city_db") || !strcmp(name, "max_age");
}

static const char *
b_string(const hk_config *cfg, const char *name)
{
  if (!strcmp(name, "city_db"))
    return cfg->city_db;
  if (!strcmp(name, "language"))
    return "en";
  if (!strcmp(name, "download_url"))
    return "https://download.maxmind.com";
  return NULL;
}

static int
b_int(const hk_config *cfg, const char *name, int64_t *out)
{
  (void)cfg;
  if (!strcmp(name, "max_age")) {
    *out = 0;
    return HK_OK;
  }
  return HK_E_NOTFOUND;
}

static int
b_float(const hk_config *cfg, const char *name, double *out)
{
  (void)cfg;
  (void)name;
  (void)out;
  return HK_E_NOTFOUND;
}

static int
b_bool(const hk_config *cfg, const char *name, int *out)
{
  (void)cfg;
  (void)name;
  (void)out;
  return HK_E_NOTFOUND;
}

static size_t
b_list(const hk_config *cfg, const char *name, const char *const **items)
{
  (void)cfg;
  (void)name;
  (void)items;
  return 0;
}

static int64_t
b_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
b_canceled(const hk_instance *inst)
{
  (void)inst;
  return 0;
}

static const hk_host bench_host = {
    .struct_size = sizeof(hk_host),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .version = "bench",
    .log = b_log,
    .log_enabled = b_log_enabled,
    .config_is_set = b_is_set,
    .config_get_string = b_string,
    .config_get_int = b_int,
    .config_get_float = b_float,
    .config_get_bool = b_bool,
    .config_get_list = b_list,
    .now_us = b_now,
    .monotonic_us = b_now,
    .is_canceled = b_canceled,
    .ip_classify = hk_ip_classify,
    .ip_class_name = hk_ip_class_name,
    .ioc_classify = hk_ioc_classify,
};

/* ------------------------------------------------------------ helpers */

typedef struct addr {
  const char *s;
  size_t len;
} addr;

static double
cpu_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static addr *
read_addresses(const char *path, size_t *n)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    perror(path);
    exit(2);
  }
  fseek(f, 0, SEEK_END);
  long size = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *text = malloc((size_t)size + 1);
  if (fread(text, 1, (size_t)size, f) != (size_t)size) {
    perror(path);
    exit(2);
  }
  fclose(f);
  text[size] = '\0';
  size_t cap = 1024, k = 0;
  addr *a = malloc(cap * sizeof *a);
  for (char *p = text; *p;) {
    char *eol = strchr(p, '\n');
    size_t len = eol ? (size_t)(eol - p) : strlen(p);
    if (len) {
      if (k == cap)
        a = realloc(a, (cap *= 2) * sizeof *a);
      p[len] = '\0';
      a[k].s = p;
      a[k].len = len;
      k++;
    }
    if (!eol)
      break;
    p = eol + 1;
  }
  *n = k;
  return a;
}

/* The ten values the plugin reads from a City record. */
static const char *const p_cc[] = {"country", "iso_code", NULL};
static const char *const p_cn[] = {"country", "names", "en", NULL};
static const char *const p_city[] = {"city", "names", "en", NULL};
static const char *const p_sub[] = {"subdivisions", "0", "names", "en", NULL};
static const char *const p_postal[] = {"postal", "code", NULL};
static const char *const p_lat[] = {"location", "latitude", NULL};
static const char *const p_lon[] = {"location", "longitude", NULL};
static const char *const p_tz[] = {"location", "time_zone", NULL};
static const char *const *const paths[] = {p_cc,     p_cn,  p_city, p_sub,
                                           p_postal, p_lat, p_lon,  p_tz};

static size_t
read_record(MMDB_entry_s *e)
{
  size_t got = 0;
  MMDB_entry_data_s d;
  for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++)
    if (MMDB_aget_value(e, &d, paths[k]) == MMDB_SUCCESS && d.has_data)
      got++;
  return got;
}

typedef struct result {
  double seconds;
  size_t lookups, found;
} result;

static void
report(const char *what, result r, double ref)
{
  double rate = (double)r.lookups / r.seconds;
  printf("%-44s %12.0f lookups/s %7.1f ns/lookup  found %zu/%zu", what, rate,
         1e9 / rate, r.found, r.lookups);
  if (ref > 0)
    printf("  (%.2fx the time of libmaxminddb alone)", (1e9 / rate) / ref);
  printf("\n");
}

int
main(int argc, char **argv)
{
  if (argc < 4) {
    fprintf(stderr, "usage: %s PLUGIN.so CITY.mmdb ADDRS.txt [SECONDS]\n",
            argv[0]);
    return 2;
  }
  double min_seconds = argc > 4 ? atof(argv[4]) : 3.0;
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  if (sched_setaffinity(0, sizeof one, &one) != 0)
    perror("sched_setaffinity (running unpinned)");

  size_t n;
  addr *a = read_addresses(argv[3], &n);
  void *so = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!so) {
    fprintf(stderr, "%s\n", dlerror());
    return 2;
  }
  hk_plugin_entry_fn *entry =
      (hk_plugin_entry_fn *)dlsym(so, "geoip_maxmind_LTX_hk_plugin_entry");
  if (!entry)
    entry = (hk_plugin_entry_fn *)dlsym(so, HK_PLUGIN_ENTRY_SYMBOL);
  hk_error err;
  const hk_plugin_desc *const *descs = entry ? entry(&bench_host, &err) : NULL;
  if (!descs) {
    fprintf(stderr, "no geoip_maxmind entry in %s\n", argv[1]);
    return 2;
  }
  const hk_enricher_vt *vt = descs[0]->vtable;
  struct hk_config cfg = {argv[2]};
  void *state;
  if (vt->create((const hk_instance *)&cfg, &cfg, &state, &err) != HK_OK) {
    fprintf(stderr, "create: %s\n", err.msg);
    return 2;
  }
  printf("%zu addresses from %s, database %s, CPU 0\n", n, argv[3], argv[2]);

  /* The plugin, through its vtable. */
  result plugin = {0, 0, 0};
  for (int warm = 1; warm >= 0; warm--) {
    double t0 = cpu_seconds();
    size_t done = 0, found = 0;
    do {
      for (size_t i = 0; i < n; i++) {
        hk_ioc ioc = {sizeof ioc, a[i].s, a[i].len, "ipv4"};
        hk_enrichment e;
        e.struct_size = sizeof e;
        vt->lookup(state, NULL, &ioc, &e, &err);
        found += e.status == HK_LK_OK;
      }
      done += n;
    } while (!warm && cpu_seconds() - t0 < min_seconds);
    plugin = (result){cpu_seconds() - t0, done, found};
  }

  /* BENCH_ONLY=plugin: just the plugin (for a profiler). */
  const char *only = getenv("BENCH_ONLY");
  if (only && !strcmp(only, "plugin")) {
    report("geoip_maxmind plugin lookup", plugin, 0);
    vt->destroy(state);
    free(a);
    return 0;
  }

  /* libmaxminddb alone: inet_pton + lookup_sockaddr + the same reads. */
  MMDB_s db;
  if (MMDB_open(argv[2], MMDB_MODE_MMAP, &db) != MMDB_SUCCESS)
    return 2;
  result raw = {0, 0, 0};
  for (int warm = 1; warm >= 0; warm--) {
    double t0 = cpu_seconds();
    size_t done = 0, found = 0;
    do {
      for (size_t i = 0; i < n; i++) {
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        inet_pton(AF_INET, a[i].s, &sin.sin_addr);
        int mrc;
        MMDB_lookup_result_s r =
            MMDB_lookup_sockaddr(&db, (struct sockaddr *)&sin, &mrc);
        if (r.found_entry && read_record(&r.entry))
          found++;
      }
      done += n;
    } while (!warm && cpu_seconds() - t0 < min_seconds);
    raw = (result){cpu_seconds() - t0, done, found};
  }
  /* The tree walk alone: the floor of any lookup in this database. */
  result tree = {0, 0, 0};
  for (int warm = 1; warm >= 0; warm--) {
    double t0 = cpu_seconds();
    size_t done = 0, found = 0;
    do {
      for (size_t i = 0; i < n; i++) {
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        inet_pton(AF_INET, a[i].s, &sin.sin_addr);
        int mrc;
        MMDB_lookup_result_s r =
            MMDB_lookup_sockaddr(&db, (struct sockaddr *)&sin, &mrc);
        found += r.found_entry;
      }
      done += n;
    } while (!warm && cpu_seconds() - t0 < min_seconds);
    tree = (result){cpu_seconds() - t0, done, found};
  }
  result str = {0, 0, 0};
  for (int warm = 1; warm >= 0; warm--) {
    double t0 = cpu_seconds();
    size_t done = 0, found = 0;
    do {
      for (size_t i = 0; i < n; i++) {
        int gai, mrc;
        MMDB_lookup_result_s r = MMDB_lookup_string(&db, a[i].s, &gai, &mrc);
        if (r.found_entry && read_record(&r.entry))
          found++;
      }
      done += n;
    } while (!warm && cpu_seconds() - t0 < min_seconds);
    str = (result){cpu_seconds() - t0, done, found};
  }
  double ref = 1e9 * raw.seconds / (double)raw.lookups;
  report("libmaxminddb tree walk only (no reads)", tree, ref);
  report("libmaxminddb alone (sockaddr + 8 reads)", raw, 0);
  report("libmaxminddb MMDB_lookup_string + 8 reads", str, ref);
  report("geoip_maxmind plugin lookup", plugin, ref);
  printf("target: >= 1,000,000 lookups/s on one core: %s\n",
         (double)plugin.lookups / plugin.seconds >= 1e6 ? "met" : "NOT met");
  MMDB_close(&db);
  vt->destroy(state);
  free(a);
  return 0;
}
