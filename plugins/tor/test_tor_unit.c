/*
 * plugins/tor/test_tor_unit.c -- white-box tests of the `tor` enricher
 * through its descriptor with a fake host (tests/plugin_test_host.h): list
 * formats, address spellings, malformed lines, where the list comes from
 * (list_path, fresh or stale cache, download, fallback URL) and every failure
 * on the way.  Downloads go to test_server.py on 127.0.0.1 when libcurl is
 * there. Expected values were read off the fixtures test-exit-addresses and
 * test-bulk-exit-list by hand.
 */
#define HK_TEST_CLASSIFIERS /* host/ioc.c is compiled in */
#include "plugin_test_host.h"

const hk_plugin_desc *const *tor_LTX_hk_plugin_entry(const struct hk_host *,
                                                     hk_error *);

static const hk_plugin_desc *desc;
static const hk_enricher_vt *vt;
static char srcdir[1024];

/* "STATUS SEV | summary | is_exit node published last_status exit_seen |
 * raw" for one lookup. */
static char *
look(th_instance *i, const char *value)
{
  static char text[2048];
  hk_ioc ioc = {sizeof ioc, value, strlen(value), "ipv4"};
  hk_enrichment e;
  hk_error err;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  hk_error_clear(&err);
  if (vt->lookup(i->state, NULL, &ioc, &e, &err) != HK_OK) {
    snprintf(text, sizeof text, "FAILED %s", err.msg);
    return text;
  }
  hk_buf b = HK_BUF_INIT;
  hk_buf_appendf(&b, "%d %d | %s |", e.status, e.severity,
                 e.summary ? e.summary : "~");
  for (int f = 0; e.fields && f < 5; f++) {
    const hk_value *v = &e.fields[f];
    if (!v->is_set)
      hk_buf_append_str(&b, " ~");
    else if (f == 0)
      hk_buf_append_str(&b, v->i64 ? " true" : " false");
    else if (f == 1)
      hk_buf_appendf(&b, " %.*s", (int)v->str_len, v->str);
    else
      hk_buf_appendf(&b, " %lld", (long long)(v->i64 / 1000000));
  }
  if (!e.fields)
    hk_buf_append_str(&b, " (no fields)");
  hk_buf_appendf(&b, " | %s", e.raw ? e.raw : "~");
  snprintf(text, sizeof text, "%s", b.data);
  hk_buf_free(&b);
  return text;
}

static const char *
reference_of(th_instance *i)
{
  static char ref[1100];
  hk_ioc ioc = {sizeof ioc, "8.8.8.8", 7, "ipv4"};
  hk_enrichment e;
  hk_error err;
  memset(&e, 0, sizeof e);
  e.struct_size = sizeof e;
  vt->lookup(i->state, NULL, &ioc, &e, &err);
  snprintf(ref, sizeof ref, "%s", e.reference ? e.reference : "~");
  return ref;
}

static void
test_exit_addresses(void)
{
  char cfg[1200], want[1400];
  snprintf(cfg, sizeof cfg, "list_path=%s/test-exit-addresses;max_age=0",
           srcdir);
  th_instance i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "exit-addresses list loads");
  snprintf(want, sizeof want,
           "INFO: loaded 4 exit addresses of 3 relays from "
           "%s/test-exit-addresses\n",
           srcdir);
  is_str(th_log.data, want, "load reported at INFO, no warning");
  is_str(look(&i, "162.247.74.201"),
         "0 2 | Tor exit node 0011BD2485AD45D984EC4159C88FC066E5E3300E (last "
         "status 2024-05-01 19:00:00 UTC) | true "
         "0011BD2485AD45D984EC4159C88FC066E5E3300E 1714554662 1714590000 "
         "1714591684 | "
         "{\"ExitNode\":\"0011BD2485AD45D984EC4159C88FC066E5E3300E\","
         "\"Published\":\"2024-05-01 09:11:02\",\"LastStatus\":\"2024-05-01 "
         "19:00:00\",\"ExitAddress\":\"162.247.74.201 2024-05-01 19:28:04\"}",
         "listed exit: OK, medium (MSTICPy's warning), all fields, raw node");
  is_str(look(&i, "185.220.101.34"),
         "0 2 | Tor exit node 00C3CC8A87D9E1D2B8A2AC1E6D5D1A1F53E1C6B8 (last "
         "status 2024-05-01 20:00:00 UTC) | true "
         "00C3CC8A87D9E1D2B8A2AC1E6D5D1A1F53E1C6B8 1714537365 1714593600 "
         "1714593961 | "
         "{\"ExitNode\":\"00C3CC8A87D9E1D2B8A2AC1E6D5D1A1F53E1C6B8\","
         "\"Published\":\"2024-05-01 04:22:45\",\"LastStatus\":\"2024-05-01 "
         "20:00:00\",\"ExitAddress\":\"185.220.101.34 2024-05-01 20:06:01\"}",
         "second ExitAddress of a relay has its own date");
  is_str(look(&i, "::ffff:193.218.118.182"),
         "0 2 | Tor exit node 01A9258A46E97FF8B2CAC7910577862C14F2C524 (last "
         "status 2024-05-01 18:00:00 UTC) | true "
         "01A9258A46E97FF8B2CAC7910577862C14F2C524 1714521253 1714586400 "
         "1714502849 | "
         "{\"ExitNode\":\"01A9258A46E97FF8B2CAC7910577862C14F2C524\","
         "\"Published\":\"2024-04-30 23:54:13\",\"LastStatus\":\"2024-05-01 "
         "18:00:00\",\"ExitAddress\":\"::ffff:193.218.118.182 2024-04-30 "
         "18:47:29\"}",
         "IPv4-mapped IPv6 meets the IPv4 entry");
  is_str(look(&i, "185.220.101.35"),
         "4 0 | not in the Tor exit list (4 addresses) | false ~ ~ ~ ~ | ~",
         "unlisted global address: NO_DATA, is_exit false");
  is_str(look(&i, "10.1.2.3"),
         "4 0 | private address: not a Tor exit node | false ~ ~ ~ ~ | ~",
         "private address: NO_DATA, says why");
  is_str(look(&i, "::1"),
         "4 0 | loopback address: not a Tor exit node | false ~ ~ ~ ~ | ~",
         "loopback IPv6");
  is_str(look(&i, "185.220.101"),
         "2 -1 | '185.220.101' is not an IPv4 or IPv6 address | (no fields) "
         "| ~",
         "not an address: BAD_FORMAT, null fields");
  snprintf(want, sizeof want, "%s/test-exit-addresses", srcdir);
  is_str(reference_of(&i), want, "reference is the list used");
  th_close(&i);
}

static void
test_bulk_list(void)
{
  char cfg[1200];
  snprintf(cfg, sizeof cfg, "list_path=%s/test-bulk-exit-list;max_age=0",
           srcdir);
  th_instance i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "bulk list loads");
  is_str(look(&i, "2001:67C:E60:C0C:192:42:116:16"),
         "0 2 | listed as a Tor exit node | true ~ ~ ~ ~ | "
         "{\"ExitAddress\":\"2001:67C:E60:C0C:192:42:116:16\"}",
         "IPv6 in upper case matches; no relay details in a bulk list");
  is_str(look(&i, "2a0b:f4c2:0:0::30"),
         "0 2 | listed as a Tor exit node | true ~ ~ ~ ~ | "
         "{\"ExitAddress\":\"2a0b:f4c2:0:0::30\"}",
         "another spelling of a listed IPv6");
  is_str(look(&i, "193.218.118.182"),
         "4 0 | not in the Tor exit list (4 addresses) | false ~ ~ ~ ~ | ~",
         "only the bulk list's addresses");
  th_close(&i);

  /* format=ip-list refuses to read exit-addresses blocks as addresses. */
  snprintf(cfg, sizeof cfg,
           "list_path=%s/test-exit-addresses;max_age=0;format=ip-list", srcdir);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_E_INVAL, "exit-addresses read as ip-list: refused");
  like(i.err.msg,
       "test-exit-addresses holds no usable exit address (13 malformed "
       "lines; line 1: 'ExitNode' is not an IP address): not a Tor exit "
       "list?",
       "message counts the lines and shows the first");
  th_close(&i);
}

static void
test_malformed(const char *dir)
{
  char path[600], cfg[700], want[2000];
  static const char text[] =
      "ExitAddress 1.2.3.4 2024-05-01 00:00:00\n"           /* 1: no node */
      "ExitNode AAAA000000000000000000000000000000000001\n" /* 2 */
      "Published yesterday\n"                               /* 3: bad date */
      "LastStatus 2024-05-01 10:00:00\r\n"                  /* 4: CR LF ok */
      "ExitAddress 256.1.1.1 2024-05-01 10:10:10\n"         /* 5: bad IP */
      "ExitAddress 51.15.43.205 2024-05-01 10:10:10\n"      /* 6 */
      "ExitAddress 51.15.43.206 2024-13-01 10:10:10\n"      /* 7: bad date */
      "Contact someone@example.org\n"                       /* 8: ignored */
      "ExitNode\n";                                         /* 9: no id */
  snprintf(path, sizeof path, "%s/malformed", dir);
  th_write(path, text, sizeof text - 1);
  snprintf(cfg, sizeof cfg, "list_path=%s;max_age=0", path);
  th_instance i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "a list with malformed lines still loads");
  if (i.rc != HK_OK) {
    diag("%s", i.err.msg);
    return;
  }
  snprintf(want, sizeof want,
           "WARN: %s: skipped 5 malformed lines (line 1: 'ExitAddress "
           "1.2.3.4 2024-05-01 00:00:00' before any ExitNode line)\n"
           "INFO: loaded 1 exit address of 1 relay from %s\n",
           path, path);
  is_str(th_log.data, want, "one warning: count and first bad line");
  is_str(look(&i, "51.15.43.205"),
         "0 2 | Tor exit node AAAA000000000000000000000000000000000001 (last "
         "status 2024-05-01 10:00:00 UTC) | true "
         "AAAA000000000000000000000000000000000001 ~ 1714557600 1714558210 | "
         "{\"ExitNode\":\"AAAA000000000000000000000000000000000001\","
         "\"LastStatus\":\"2024-05-01 10:00:00\",\"ExitAddress\":\"51.15.43."
         "205 2024-05-01 10:10:10\"}",
         "good lines around bad ones are kept; bad Published left null");
  is_str(look(&i, "1.2.3.4"),
         "4 0 | not in the Tor exit list (1 address) | false ~ ~ ~ ~ | ~",
         "the address before any ExitNode was skipped");
  th_close(&i);

  th_write(path, "", 0);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_E_INVAL, "empty list refused");
  snprintf(want, sizeof want,
           "tor: list_path: %s holds no exit address (empty list?)", path);
  is_str(i.err.msg, want, "empty list message");
  th_close(&i);

  snprintf(cfg, sizeof cfg, "list_path=%s/nope;max_age=0", dir);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_E_CONFIG, "missing list_path: config error");
  snprintf(want, sizeof want,
           "tor: list_path: cannot open %s/nope: No such file or directory",
           dir);
  is_str(i.err.msg, want, "missing list_path message");
  th_close(&i);

  /* An old list_path is used, with a warning. */
  snprintf(path, sizeof path, "%s/old-list", dir);
  th_write(path, "185.220.101.33\n", 15);
  th_age_file(path, 3 * 86400 + 60);
  snprintf(cfg, sizeof cfg, "list_path=%s", path);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "old list_path still used");
  snprintf(want, sizeof want,
           "WARN: list_path %s is 3 days old (max_age is 1d); replace it "
           "with a fresh copy of https://check.torproject.org/exit-addresses\n",
           path);
  like(th_log.data, want, "stale list_path warned about");
  th_close(&i);
}

static void
test_cache_without_http(const char *dir)
{
  char cache[1100], cached[1200], want[1400], src[1200];
  int (*saved)(const hk_instance *, const hk_http_request *, hk_http_response *,
               hk_error *) = th_host.http_fetch;
  th_host.http_fetch = NULL;
  snprintf(cache, sizeof cache, "%s/cache-nohttp", dir);
  mkdir(cache, 0700);
  th_cache_dir_path = cache;
  snprintf(cached, sizeof cached, "%s/exit-addresses", cache);

  th_instance i = th_open(desc, "%s", "");
  is_int(i.rc, HK_E_CONFIG, "no list, no HTTP service: refused");
  is_str(i.err.msg,
         "tor: no Tor exit list: this huntkit has no HTTP service to "
         "download https://check.torproject.org/exit-addresses; download "
         "https://check.torproject.org/exit-addresses yourself and set "
         "list_path to it in conf.d/tor.yaml",
         "the message says what is missing and what to do");
  th_close(&i);

  /* A fresh cached copy works offline. */
  snprintf(src, sizeof src, "%s/test-exit-addresses", srcdir);
  FILE *in = fopen(src, "rb");
  char buf[4096];
  size_t n = fread(buf, 1, sizeof buf, in);
  fclose(in);
  th_write(cached, buf, n);
  th_age_file(cached, 3600);
  i = th_open(desc, "%s", "");
  is_int(i.rc, HK_OK, "fresh cached list used without HTTP");
  snprintf(want, sizeof want,
           "INFO: loaded 4 exit addresses of 3 relays from %s\n", cached);
  is_str(th_log.data, want, "no warning for a fresh list");
  is_str(reference_of(&i), "https://check.torproject.org/exit-addresses",
         "reference is the list's URL");
  th_close(&i);

  /* A stale one too, with a warning naming its age and why. */
  th_age_file(cached, 2 * 86400 + 7200);
  i = th_open(desc, "%s", "");
  is_int(i.rc, HK_OK, "stale cached list used when it cannot be refreshed");
  like(th_log.data,
       "WARN: using the cached exit list, 2 days old (max_age is 1d), "
       "because refreshing it failed: this huntkit has no HTTP service to "
       "download https://check.torproject.org/exit-addresses\n",
       "stale list warned about");
  like(look(&i, "185.220.101.33"), "0 2 | Tor exit node", "lookups work");
  th_close(&i);

  /* max_age=0: never stale. */
  i = th_open(desc, "max_age=0");
  is_int(i.rc, HK_OK, "max_age=0 takes the cached list as it is");
  ok(strstr(th_log.data, "WARN") == NULL, "no warning with max_age=0");
  th_close(&i);

  /* No cache directory either. */
  th_cache_dir_path = NULL;
  i = th_open(desc, "%s", "");
  is_int(i.rc, HK_E_CONFIG, "no cache dir, no HTTP, no list_path: refused");
  like(i.err.msg, "tor: no Tor exit list: this huntkit has no HTTP service",
       "the missing HTTP service is named");
  th_close(&i);
  th_host.http_fetch = saved;
}

#ifdef HK_TEST_CURL
static int
count_lines(const char *path)
{
  FILE *f = fopen(path, "r");
  int n = 0, c;
  if (!f)
    return 0;
  while ((c = fgetc(f)) != EOF)
    n += c == '\n';
  fclose(f);
  return n;
}

static void
test_download(const char *dir)
{
  char script[1100], log_path[1100], cache[1100], cached[1200], cfg[600],
      want[1400];
  snprintf(script, sizeof script, "%s/test_server.py", srcdir);
  snprintf(log_path, sizeof log_path, "%s/requests.log", dir);
  const char *args[] = {srcdir, log_path, NULL};
  pid_t pid = 0;
  int port = th_start_server(script, args, &pid);
  if (!port) {
    ok(1, "# SKIP python3 not available for the loopback server");
    return;
  }
  snprintf(cache, sizeof cache, "%s/cache", dir);
  mkdir(cache, 0700);
  th_cache_dir_path = cache;
  snprintf(cached, sizeof cached, "%s/exit-addresses", cache);

  snprintf(cfg, sizeof cfg,
           "url=http://127.0.0.1:%d/exit-addresses;fallback_url=", port);
  th_http_calls = 0;
  th_instance i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "list downloaded into the cache");
  is_int(th_http_calls, 1, "one request");
  is_int(count_lines(log_path), 1, "the server saw one request");
  is_int(count_lines(cached), 13, "cached copy written whole");
  like(look(&i, "162.247.74.201"), "0 2 | Tor exit node 0011BD", "hit");
  snprintf(want, sizeof want, "http://127.0.0.1:%d/exit-addresses", port);
  is_str(reference_of(&i), want, "reference is the URL");
  th_close(&i);

  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "second instance");
  is_int(th_http_calls, 1, "fresh cache: no request");
  is_int(count_lines(log_path), 1, "the server saw no new request");
  th_close(&i);

  /* Stale: refreshed from the fallback when the main URL fails. */
  th_age_file(cached, 86400 + 1);
  snprintf(cfg, sizeof cfg,
           "url=http://127.0.0.1:%d/status/503;fallback_url=http://"
           "127.0.0.1:%d/bulk",
           port, port);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "stale cache refreshed from the fallback");
  snprintf(want, sizeof want,
           "WARN: http://127.0.0.1:%d/status/503 answered HTTP 503; trying "
           "http://127.0.0.1:%d/bulk\n",
           port, port);
  like(th_log.data, want, "the failing URL is named");
  like(look(&i, "2a0b:f4c2::30"), "0 2 | listed as a Tor exit node",
       "the fallback list is in use");
  is_int(count_lines(cached), 5, "cache now holds the fallback list");
  th_close(&i);

  /* Everything fails, stale copy: used with a warning. */
  th_age_file(cached, 86400 * 3);
  snprintf(cfg, sizeof cfg,
           "url=http://127.0.0.1:%d/html;fallback_url=http://127.0.0.1:%d/"
           "status/404",
           port, port);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "stale copy when every refresh fails");
  snprintf(want, sizeof want,
           "WARN: http://127.0.0.1:%d/html: %s/exit-addresses.%ld.new holds "
           "no usable exit address (1 malformed line; line 1: "
           "'<html><body>Please' is not an IP address): not a Tor exit list?; "
           "trying http://127.0.0.1:%d/status/404\n",
           port, cache, (long)getpid(), port);
  like(th_log.data, want, "a captive-portal page is not taken for a list");
  snprintf(want, sizeof want,
           "WARN: using the cached exit list, 3 days old (max_age is 1d), "
           "because refreshing it failed: http://127.0.0.1:%d/status/404 "
           "answered HTTP 404\n",
           port);
  like(th_log.data, want, "stale copy warned about with the last failure");
  is_int(count_lines(cached), 5, "the cached copy was not overwritten");
  th_close(&i);

  /* Nothing cached and every URL fails: a clear error. */
  unlink(cached);
  snprintf(cfg, sizeof cfg,
           "url=http://127.0.0.1:%d/truncated;fallback_url=", port);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_E_NETWORK, "truncated download, nothing cached: failure");
  snprintf(want, sizeof want,
           "tor: no Tor exit list: http://127.0.0.1:%d/truncated: request to "
           "127.0.0.1 failed: Transferred a partial file",
           port);
  like(i.err.msg, want, "the transfer error is reported");
  like(i.err.msg, "set list_path to it in conf.d/tor.yaml", "and the way out");
  struct stat st;
  ok(stat(cached, &st) != 0, "no truncated list left in the cache");
  th_close(&i);

  /* No cache directory: downloaded into memory, used, not kept. */
  th_cache_dir_path = NULL;
  snprintf(cfg, sizeof cfg, "url=http://127.0.0.1:%d/bulk;fallback_url=", port);
  i = th_open(desc, "%s", cfg);
  is_int(i.rc, HK_OK, "no cache directory: the list is fetched into memory");
  snprintf(want, sizeof want,
           "INFO: loaded 4 exit addresses of 0 relays from the downloaded "
           "list\nINFO: downloaded the Tor exit list from "
           "http://127.0.0.1:%d/bulk (not cached: no cache directory)\n",
           port);
  is_str(th_log.data, want, "and says it is not cached");
  like(look(&i, "2a0b:f4c2::30"), "0 2 | listed as a Tor exit node", "hit");
  th_close(&i);

  th_stop_server(&pid);
}
#endif

int
main(void)
{
  const char *src = getenv("HK_SRCDIR");
  hk_error err;
  snprintf(srcdir, sizeof srcdir, "%s/plugins/tor", src ? src : ".");
  const hk_plugin_desc *const *d = tor_LTX_hk_plugin_entry(&th_host, &err);
  desc = d[0];
  vt = desc->vtable;
  char dir[512];
  th_tempdir(dir, sizeof dir);
  test_exit_addresses();
  test_bulk_list();
  test_malformed(dir);
  test_cache_without_http(dir);
#ifdef HK_TEST_CURL
  test_download(dir);
#endif
  th_rm_rf(dir);
  th_host_cleanup();
  return done_testing();
}
