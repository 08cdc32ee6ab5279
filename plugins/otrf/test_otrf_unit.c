/*
 * plugins/otrf/test_otrf_unit.c -- the `otrf` provider driven through its
 * descriptor with the fake host of tests/plugin_test_host.h, whose
 * http_fetch keeps the contract of huntkit/host.h (download_path: write
 * PATH.part, rename only after a complete 2xx reply) with libcurl, against
 * plugins/otrf/test_server.py on 127.0.0.1.  Expected event counts were
 * computed with Python's zipfile and json modules (one event per non-empty JSON
 * line).
 */
#include "plugin_test_host.h"

#include <huntkit/huntkit.h>

#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------- helpers */

const hk_plugin_desc *const *otrf_LTX_hk_plugin_entry(const struct hk_host *,
                                                      hk_error *);

struct hk_instance {
  int id;
};

static const hk_plugin_desc *desc;
static const hk_provider_vt *vt;
static char dir[256], srcdir[512];
static struct hk_instance the_inst;

typedef struct result {
  int rc;
  char err[600];
  int64_t rows;
  hk_buf first; /* the requested column of every row, one per line */
} result;

/* Run options `opts` on the instance configured by `conf`; collect the
 * row count and the values of column `col` (may be NULL). */
static result
run(const char *conf, const char *opts, const char *col)
{
  result res = {0};
  res.first = (hk_buf)HK_BUF_INIT;
  hk_config *icfg = th_config(desc->params, conf);
  hk_config *ocfg = th_config(vt->options, opts);
  hk_error err;
  void *state = NULL;
  hk_error_clear(&err);
  hk_buf_reset(&th_log);
  res.rc = vt->create(&the_inst, icfg, &state, &err);
  struct ArrowArrayStream st = {0};
  if (res.rc == HK_OK) {
    hk_query q = {sizeof q, NULL, NULL, ocfg, HK_TIME_MIN, HK_TIME_MAX, 0, 0};
    res.rc = vt->run_query(state, &q, &st, &err);
  }
  if (res.rc != HK_OK) {
    snprintf(res.err, sizeof res.err, "%s", err.msg);
  } else {
    struct ArrowSchema schema = {0};
    if (st.get_schema(&st, &schema) != 0)
      abort();
    for (;;) {
      struct ArrowArray a = {0};
      if (st.get_next(&st, &a) != 0) {
        res.rc = HK_E_FAIL;
        snprintf(res.err, sizeof res.err, "%s", st.get_last_error(&st));
        break;
      }
      if (!a.release)
        break;
      hk_batch_view v;
      if (hk_batch_view_init(&v, &schema, &a, &err) != HK_OK)
        abort();
      int64_t c = col ? hk_batch_view_column_index(&v, col) : -1;
      for (int64_t r = 0; r < v.rows && c >= 0; r++) {
        char cell[512];
        hk_batch_view_format_cell(&v, c, r, cell, sizeof cell);
        hk_buf_appendf(&res.first, "%s\n", cell);
      }
      res.rows += v.rows;
      hk_batch_view_release(&v);
      a.release(&a);
    }
    schema.release(&schema);
    st.release(&st);
  }
  if (state)
    vt->destroy(state);
  th_config_free(icfg);
  th_config_free(ocfg);
  return res;
}

static void
result_free(result *r)
{
  hk_buf_free(&r->first);
}

static int
exists(const char *path)
{
  struct stat s;
  return stat(path, &s) == 0;
}

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

/* ---------------------------------------------------------- the server */

static pid_t server_pid;
static int port;

static int
server_start(void)
{
  char script[600], root[600], logp[300];
  snprintf(script, sizeof script, "%s/plugins/otrf/test_server.py", srcdir);
  snprintf(root, sizeof root, "%s/tests/data/otrf/cache", srcdir);
  snprintf(logp, sizeof logp, "%s/server.log", dir);
  const char *args[] = {root, "--log", logp, NULL};
  port = th_start_server(script, args, &server_pid);
  return port > 0;
}

/* --------------------------------------------------------------- tests */

#define LSASS "SDWIN-201018195009"
#define LSASS_ZIP                                                              \
  "datasets/atomic/windows/credential_access/host/"                            \
  "psh_lsass_memory_dump_comsvcs.zip"

static void
test_downloads(void)
{
  char conf[2048], path[1024], logp[300];
  snprintf(logp, sizeof logp, "%s/server.log", dir);
  snprintf(conf, sizeof conf,
           "base_url=http://127.0.0.1:%d;cache_dir=%s/cache;metadata=%s/tests/"
           "data/otrf/cache/datasets",
           port, dir, srcdir);
  snprintf(path, sizeof path, "%s/cache/%s", dir, LSASS_ZIP);

  /* 184 = events in psh_lsass_memory_dump_comsvcs.zip (Python zipfile) */
  result r = run(conf, "dataset=" LSASS, "Channel");
  is_int(r.rc, HK_OK, "download and read %s (%s)", LSASS, r.err);
  is_int(r.rows, 184, "184 events");
  ok(exists(path), "the zip is in the cache in the repository's layout");
  ok(!strncmp(r.first.data ? r.first.data : "", "Security\n", 9),
     "first event's Channel is Security");
  is_int(count_lines(logp), 1, "one request");
  like(th_log.data ? th_log.data : "",
       "downloading http://127.0.0.1:", "the download is logged at INFO");
  result_free(&r);

  r = run(conf, "dataset=" LSASS, NULL);
  is_int(r.rows, 184, "second run: 184 events");
  is_int(count_lines(logp), 1, "from the cache: no request");
  result_free(&r);

  /* the compound dataset's Microsoft365DefenderEvents.Zip: 9 events */
  r = run(conf, "dataset=Microsoft365DefenderEvents", NULL);
  is_int(r.rows, 9, "a file of a compound dataset by name (%s)", r.err);
  result_free(&r);

  /* SDWIN-190518182022 (empire_launcher_vbs.zip) is not on the server */
  r = run(conf, "dataset=SDWIN-190518182022", NULL);
  is_int(r.rc, HK_E_NOTFOUND, "404");
  like(r.err,
       "otrf: dataset SDWIN-190518182022: http://127.0.0.1:", "names it");
  like(r.err, "HTTP 404, no such file (base_url=http://127.0.0.1:",
       "and says 404 and base_url");
  snprintf(path, sizeof path,
           "%s/cache/datasets/atomic/windows/execution/host/"
           "empire_launcher_vbs.zip",
           dir);
  ok(!exists(path), "nothing is left in the cache after a 404");
  result_free(&r);

  /* a complete reply holding half the zip */
  char bad[2048];
  snprintf(bad, sizeof bad,
           "base_url=http://127.0.0.1:%d/truncated/;cache_dir=%s/cache-t;"
           "metadata=%s/tests/data/otrf/cache/datasets",
           port, dir, srcdir);
  r = run(bad, "dataset=" LSASS, NULL);
  is_int(r.rc, HK_E_FAIL, "a truncated download fails while reading");
  like(r.err,
       "psh_lsass_memory_dump_comsvcs.zip#psh_lsass_memory_dump_comsvcs_2020-"
       "10-18T19500924.json: the archive is truncated or corrupt after ",
       "the error names archive and member");
  like(r.err, "refresh=true downloads the cached file again",
       "and says how to fetch it again");
  /* Python: the first 8978 bytes of the zip inflate to 124756 bytes
   * holding 83 complete lines */
  is_int(r.rows, 83, "the 83 events before the break are returned");
  like(r.err, "the 83 rows before it were returned (partial result)",
       "and counted in the message");
  result_free(&r);

  /* the connection drops in the middle: the download fails */
  snprintf(bad, sizeof bad,
           "base_url=http://127.0.0.1:%d/cut/;cache_dir=%s/cache-c;"
           "metadata=%s/tests/data/otrf/cache/datasets",
           port, dir, srcdir);
  r = run(bad, "dataset=" LSASS, NULL);
  is_int(r.rc, HK_E_NETWORK, "a cut download fails");
  like(r.err,
       "otrf: dataset " LSASS ": downloading " LSASS_ZIP
       ": request to 127.0.0.1 failed: ",
       "naming the dataset and the file");
  snprintf(path, sizeof path, "%s/cache-c/%s", dir, LSASS_ZIP);
  ok(!exists(path), "no partial file in the cache");
  result_free(&r);

  /* offline: the server is gone, the cache still serves */
  th_stop_server(&server_pid);
  r = run(conf, "dataset=" LSASS ";add_source=true", "_source");
  is_int(r.rows, 184, "server stopped: 184 events from the cache");
  char want[1200];
  snprintf(want, sizeof want,
           "%s/cache/%s#psh_lsass_memory_dump_comsvcs_2020-10-18T19500924."
           "json:1\n",
           dir, LSASS_ZIP);
  ok(r.first.data && !strncmp(r.first.data, want, strlen(want)),
     "_source is ARCHIVE#MEMBER:LINE");
  result_free(&r);
  r = run(conf, "dataset=" LSASS ";refresh=true", NULL);
  is_int(r.rc, HK_E_NETWORK, "refresh=true with the server gone fails");
  snprintf(path, sizeof path, "%s/cache/%s", dir, LSASS_ZIP);
  ok(exists(path), "and keeps the cached copy");
  result_free(&r);
}

static void
test_no_http(void)
{
  char conf[2048];
  hk_error err;
  snprintf(conf, sizeof conf,
           "cache_dir=%s/cache-n;metadata=%s/tests/data/otrf/cache/datasets",
           dir, srcdir);
  th_host.http_fetch = NULL;
  otrf_LTX_hk_plugin_entry(&th_host, &err);
  result r = run(conf, "dataset=" LSASS, NULL);
  is_int(r.rc, HK_E_NOTSUP, "a host without http_fetch cannot download");
  like(r.err, "otrf: dataset " LSASS ": " LSASS_ZIP " is not in the cache (",
       "names dataset and file");
  like(r.err, "downloads need a huntkit built with libcurl",
       "and says what is missing");
  result_free(&r);

  /* the pre-populated cache works without it */
  snprintf(conf, sizeof conf, "cache_dir=%s/tests/data/otrf/cache", srcdir);
  r = run(conf, "dataset=" LSASS, NULL);
  is_int(r.rows, 184, "the bundled cache reads without HTTP (%s)", r.err);
  result_free(&r);
  snprintf(conf, sizeof conf, "cache_dir=%s/tests/data/otrf/cache;offline=true",
           srcdir);
  r = run(conf, "dataset=SDWIN-201219070027", NULL);
  is_int(r.rc, HK_E_NOTFOUND, "offline=true: a missing file is an error");
  like(r.err,
       "otrf: dataset SDWIN-201219070027: "
       "datasets/atomic/windows/lateral_movement/host/schtask_create.zip is "
       "not in the cache (",
       "the host file; the network capture is not even tried");
  like(r.err, ") and offline is set", "and why");
  result_free(&r);
  th_host.http_fetch = th_http_fetch;
  otrf_LTX_hk_plugin_entry(&th_host, &err);
}

static void
test_index(void)
{
  char conf[1024];
  snprintf(conf, sizeof conf,
           "cache_dir=%s/cache-i;metadata=%s/tests/data/otrf/mordor_cache.json",
           dir, srcdir);
  /* expected sets computed from mordor_cache.json with Python */
  result r = run(conf, "list=true", "id");
  is_int(r.rows, 96, "mordor_cache.json: 96 datasets");
  result_free(&r);
  r = run(conf, "technique=T1078", "id");
  is_str(r.first.data,
         "377d9af5-5009-48d9-ae97-1756a01d7ef8\nSDAWS-200914011940\n",
         "technique=T1078");
  result_free(&r);
  r = run(conf, "technique=t1003.001", "id");
  is_str(r.first.data,
         "SDWIN-190518202151\nSDWIN-191027055035\nSDWIN-200807103913\n"
         "SDWIN-201018195009\nSDWIN-201018225619\n",
         "technique=T1003.001 (a sub-technique, any case)");
  result_free(&r);
  r = run(conf, "technique=T1003", NULL);
  is_int(r.rows, 16, "technique=T1003 includes its sub-techniques");
  result_free(&r);
  r = run(conf, "tactic=Credential-Access", NULL);
  is_int(r.rows, 19, "tactic by name");
  result_free(&r);
  r = run(conf, "tactic=TA0001", "id");
  is_str(r.first.data,
         "377d9af5-5009-48d9-ae97-1756a01d7ef8\nSDAWS-200914011940\n"
         "SDLIN-211214154100\n",
         "tactic by id");
  result_free(&r);
  r = run(conf, "platform=linux,aws", NULL);
  is_int(r.rows, 4, "platform list: 3 Linux + 1 AWS");
  result_free(&r);
  r = run(conf, "search=Empire", NULL);
  is_int(r.rows, 39, "search=Empire");
  result_free(&r);
  r = run(conf, "search=empire+power", "id");
  is_str(r.first.data,
         "SDWIN-190301125905\nSDWIN-190518211456\nSDWIN-200922042230\n",
         "a+b: both terms");
  result_free(&r);
  r = run(conf, "search=dcsync, golden", NULL);
  is_int(r.rows, 3, "a,b: either term");
  result_free(&r);
  r = run(conf, "technique=T1003;tactic=TA0006;search=mimikatz", "id");
  is_str(r.first.data,
         "SDWIN-190518202151\nSDWIN-190518230752\nSDWIN-190518235535\n"
         "SDWIN-190625103712\nSDWIN-200807103913\n",
         "filters combine");
  result_free(&r);
  r = run(conf, "technique=T10", NULL);
  is_int(r.rc, HK_E_CONFIG, "a malformed technique is refused");
  like(r.err, "technique 'T10' is not an ATT&CK technique id", "with why");
  result_free(&r);
  r = run(conf, "tactic=hacking", NULL);
  like(r.err, "tactic 'hacking' is not an ATT&CK tactic", "unknown tactic");
  result_free(&r);
  r = run(conf, "dataset=nosuch_dataset", NULL);
  is_int(r.rc, HK_E_NOTFOUND, "unknown dataset");
  like(r.err, "otrf: no dataset 'nosuch_dataset' among the 96 in the index",
       "says so");
  result_free(&r);
  r = run(conf, "dataset=mimikatz", NULL);
  like(r.err, "did you mean SDWIN-190518202151, SDWIN-190518230752",
       "and suggests datasets that mention it");
  result_free(&r);
  r = run(conf, "dataset=" LSASS ";technique=T1003", NULL);
  is_int(r.rc, HK_E_CONFIG, "filters and dataset= without list=true");
  result_free(&r);
}

static void
test_bad_metadata(void)
{
  char path[600], conf[2048];
  snprintf(path, sizeof path, "%s/meta/_metadata", dir);
  char cmd[800];
  snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
  if (system(cmd) != 0)
    abort();
  snprintf(path, sizeof path, "%s/meta/_metadata/a.yaml", dir);
  FILE *f = fopen(path, "w");
  fputs("title: broken\nid: [unclosed\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/meta/_metadata/b.yaml", dir);
  f = fopen(path, "w");
  /* a billion laughs: 9 levels of 9 aliases */
  fputs("a: &a [x,x,x,x,x,x,x,x,x]\n", f);
  for (char c = 'b'; c <= 'j'; c++)
    fprintf(f, "%c: &%c [*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c,*%c]\n", c, c, c - 1,
            c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
  fputs("id: SDX-1\n", f);
  fclose(f);
  snprintf(path, sizeof path, "%s/meta/_metadata/c.yaml", dir);
  f = fopen(path, "w");
  fputs("id: SDX-2\ntitle: Fine\nfiles:\n- type: Host\n  link: "
        "https://raw.githubusercontent.com/OTRF/Security-Datasets/master/"
        "datasets/../../etc/passwd\n",
        f);
  fclose(f);
  snprintf(conf, sizeof conf, "cache_dir=%s/cache-m;metadata=%s/meta", dir,
           dir);
  result r = run(conf, "list=true", "id");
  is_str(r.first.data, "SDX-2\n", "only the good dataset is listed");
  like(th_log.data ? th_log.data : "",
       "/meta/_metadata/a.yaml:3: malformed YAML: did not find expected ',' "
       "or ']' while parsing a flow sequence (from line 2)",
       "malformed YAML: file and line");
  like(th_log.data ? th_log.data : "",
       "/meta/_metadata/b.yaml: YAML expands to more than 200000 nodes",
       "alias bombs are refused");
  like(th_log.data ? th_log.data : "",
       "dataset SDX-2: file link "
       "'https://raw.githubusercontent.com/OTRF/Security-Datasets/master/"
       "datasets/../../etc/passwd' is not an http(s) URL with a plain path",
       "a link that would leave the cache is refused");
  result_free(&r);
  snprintf(conf, sizeof conf, "cache_dir=%s/empty-cache", dir);
  r = run(conf, "list=true", NULL);
  is_int(r.rc, HK_E_CONFIG, "no metadata at all");
  like(r.err,
       "otrf: no dataset metadata found: set metadata: in "
       "conf.d/otrf.yaml",
       "says where to put it");
  result_free(&r);
  snprintf(conf, sizeof conf, "cache_dir=%s/x;metadata=%s/nope.json", dir, dir);
  r = run(conf, "list=true", NULL);
  is_int(r.rc, HK_E_NOTFOUND, "missing metadata path");
  like(r.err,
       "/nope.json': No such file or directory (metadata: in the "
       "instance config)",
       "names it and the key");
  result_free(&r);
  r = run("base_url=ftp://x", "list=true", NULL);
  is_int(r.rc, HK_E_CONFIG, "base_url must be http(s)");
  result_free(&r);
}

int
main(void)
{
  hk_error err;
  const char *tmp = getenv("TMPDIR");
  const char *src = getenv("HK_SRCDIR");
  plan_lazy();
  snprintf(srcdir, sizeof srcdir, "%s", src && *src ? src : ".");
  snprintf(dir, sizeof dir, "%s/hk-otrf-unit.XXXXXX",
           tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(dir))
    return 99;
  const hk_plugin_desc *const *d = otrf_LTX_hk_plugin_entry(&th_host, &err);
  ok(d && d[0] && !d[1] && !strcmp(d[0]->name, "otrf") &&
         d[0]->kind == HK_KIND_PROVIDER,
     "entry returns one provider descriptor");
  desc = d[0];
  vt = desc->vtable;

  test_index();
  test_bad_metadata();
  test_no_http();
  if (server_start())
    test_downloads();
  else
    printf("ok %d # SKIP python3 is needed for the loopback server\n",
           ++tap_n_);
  th_stop_server(&server_pid);

  th_host_cleanup();
  char cmd[300];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd) != 0)
    diag("could not remove %s", dir);
  return done_testing();
}
