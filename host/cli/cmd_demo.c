/*
 * host/cli/cmd_demo.c -- `huntkit demo`: a short, real hunt over the
 * bundled OTRF Security-Datasets recording of an LSASS memory dump through
 * comsvcs.dll.  Every section is an ordinary pipeline, printed with the
 * command that reruns it, so the demo doubles as a tutorial.
 */
#define _GNU_SOURCE
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEMO_FILE "lsass_dump.json"

/* A section: a pipeline over the demo data.  In `pipeline`, @DEMO@ is the
 * demo data directory (quoted); the otrf:demo and ti_feed:demo instances
 * come from the demo's own configuration directory (conf.d written from
 * the templates in demo/). */
enum { DEMO_NEEDS_GEOIP = 1 };
typedef struct demo_section {
  const char *title;
  const char *why;
  const char *pipeline;
  int needs;
} demo_section;

#define LSASS "otrf:demo SDWIN-201018195009"
#define LINUX "auditd path=@DEMO@/linux/log4shell_auoms.json"

static const demo_section SECTIONS[] = {
    {"Find a recording of LSASS dumping in the OTRF index",
     "ATT&CK T1003.001 (LSASS memory); the bundled cache works offline.",
     "otrf:demo technique=T1003.001 | select id, title, techniques, cached", 0},
    {"What the recording holds: events per log and event ID",
     "Sysmon (1 process, 10 process access, 11 file) and Security events, "
     "read from the zip in place.",
     LSASS " | count by Channel, EventID | sort -count, EventID", 0},
    {"Risky command lines (cmdline rules)",
     "rundll32 calling comsvcs.dll's MiniDump export is the textbook LSASS "
     "dump.",
     LSASS " | cmdline CommandLine min_severity=medium | select SourceIndex, "
           "RuleId, Techniques, Match",
     0},
    {"Who opened lsass.exe: a query from the library",
     "file.sysmon_lsass_access (`huntkit queries show` it); all access "
     "(0x1fffff) from rundll32 stands out.",
     "query file.sysmon_lsass_access path=@DEMO@/otrf/datasets/atomic/"
     "windows/credential_access/host/psh_lsass_memory_dump_comsvcs.zip | "
     "count by SourceImage, GrantedAccess",
     0},
    {"The process tree behind the dump",
     "Sysmon 1 events joined on their process GUIDs; the parent PowerShell "
     "was never logged, so it is inferred.",
     LSASS " | proctree schema=sysmon | tree_text", 0},
    {"When it happened, per second and log",
     "Everything is over in a burst at 07:50 (`huntkit timeline` draws it as "
     "HTML).",
     LSASS " | timeline_text group_by=Channel", 0},
    {"Indicators in the recording, looked up in an offline TI list",
     "iocextract pulls paths, addresses and hashes out of the events; "
     "ti_feed checks them against demo/ti_feed (a made-up list) with no "
     "network at all.",
     LSASS " | iocextract CommandLine, TargetFilename, ImageLoaded, "
           "DestAddress, Hashes include_paths=true | ti_feed:demo "
           "column=Observable | where demo_status == \"ok\" | count by "
           "demo_severity, IoCType, Observable | sort -count, Observable",
     0},
    {"Network connections allowed by the firewall (Security 5156)",
     "Destinations classified by the iptype enricher.",
     LSASS " | where EventID == 5156 | count by SourceAddress, DestAddress, "
           "DestPort | iptype column=DestAddress | select SourceAddress, "
           "DestAddress, DestPort, count, iptype_class",
     0},
    {"...and geolocated (your GeoIP configuration)",
     "geoip_maxmind with the database of your own conf.d.",
     LSASS " | where EventID == 5156 | count by DestAddress | @GEOIP@ "
           "column=DestAddress",
     DEMO_NEEDS_GEOIP},
    {"Linux: a Log4Shell reverse shell in auditd (AUOMS) records",
     "Tomcat's java starts bash with a base64 payload piped to base64 -d.",
     LINUX " | where success == true and (ppid == 17790 or pid == 17790) | "
           "select TimeGenerated, pid, ppid, uid, exe, cmdline",
     0},
    {"Decoding the payload, and the address in it",
     "b64unpack decodes the run; iocextract finds the attacker's listener.",
     LINUX " | where pid == 17790 | b64unpack cmdline | iocextract "
           "decoded_string | select Input as decoded, IoCType, Observable",
     0},
    {NULL, NULL, NULL, 0}};

static int
is_file(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The demo data file (malloc'd), or NULL with the places searched in
 * `tried`. */
static char *
find_demo_data(hk_buf *tried)
{
  const char *dirs[3];
  size_t n = 0;
  const char *env = getenv("HUNTKIT_DATADIR");
  if (env && *env)
    dirs[n++] = env;
  dirs[n++] = PKGDATADIR;
#ifdef HK_ABS_TOP_SRCDIR
  dirs[n++] = HK_ABS_TOP_SRCDIR;
#endif
  for (size_t i = 0; i < n; i++) {
    char *path;
    if (asprintf(&path, "%s/demo/%s", dirs[i], DEMO_FILE) < 0)
      return NULL;
    if (is_file(path))
      return path;
    hk_buf_appendf(tried, "%s%s", tried->len ? ", " : "", path);
    free(path);
  }
  return NULL;
}

/* `path` as one word of a pipeline stage, in double quotes so that the
 * printed command can be pasted into a shell inside single quotes. */
static void
append_quoted(hk_buf *b, const char *path)
{
  hk_buf_append_char(b, '"');
  for (const char *c = path; *c; c++) {
    if (strchr("\"\\$`", *c))
      hk_buf_append_char(b, '\\');
    hk_buf_append_char(b, *c);
  }
  hk_buf_append_char(b, '"');
}

/* stdout failed: a reader that went away is fine (`| head`), anything
 * else is a failure. */
static int
stdout_failed(void)
{
  if (errno == EPIPE)
    return HK_EXIT_OK;
  return hk_cli_error(HK_EXIT_FAIL, "cannot write to standard output: %s",
                      strerror(errno));
}

/* The demo's configuration directory: $XDG_CACHE_HOME/huntkit/demo, else
 * ~/.cache/huntkit/demo.  It is kept, so the printed commands rerun.
 * Malloc'd, or NULL. */
static char *
demo_config_dir(void)
{
  const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char *dir = NULL;
  if (xdg && *xdg == '/') {
    if (asprintf(&dir, "%s/huntkit/demo", xdg) < 0)
      return NULL;
  } else if (home && *home) {
    if (asprintf(&dir, "%s/.cache/huntkit/demo", home) < 0)
      return NULL;
  } else if (asprintf(&dir, "/tmp/huntkit-demo-%ld", (long)getuid()) < 0)
    return NULL;
  return dir;
}

/* mkdir -p with mode 0700 for the parts it creates. */
static int
make_dirs(const char *path)
{
  char *p = strdup(path);
  if (!p)
    return -1;
  for (char *c = p + 1; *c; c++) {
    if (*c != '/')
      continue;
    *c = '\0';
    if (mkdir(p, 0700) != 0 && errno != EEXIST) {
      free(p);
      return -1;
    }
    *c = '/';
  }
  int rc = mkdir(p, 0700) != 0 && errno != EEXIST ? -1 : 0;
  free(p);
  return rc;
}

static char *
read_file(const char *path)
{
  FILE *f = fopen(path, "rb");
  hk_buf b = HK_BUF_INIT;
  char chunk[4096];
  size_t n;
  if (!f)
    return NULL;
  while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
    hk_buf_append(&b, chunk, n);
  fclose(f);
  hk_buf_append(&b, "", 0);
  return hk_buf_detach(&b, NULL);
}

/* Write conf.d/NAME from a template in the demo directory, DEMO_DIR
 * replaced by `data_dir`.  Returns 0 or -1 with errno. */
static int
write_from_template(const char *tmpl_path, const char *out_path,
                    const char *data_dir)
{
  char *t = read_file(tmpl_path);
  hk_buf out = HK_BUF_INIT;
  FILE *f;
  if (!t)
    return -1;
  for (const char *p = t, *hit; *p; p = hit + 8) {
    hit = strstr(p, "DEMO_DIR");
    if (!hit) {
      hk_buf_append_str(&out, p);
      break;
    }
    hk_buf_append(&out, p, (size_t)(hit - p));
    hk_buf_append_str(&out, data_dir);
  }
  free(t);
  f = fopen(out_path, "w");
  if (!f || fwrite(out.data, 1, out.len, f) != out.len || fclose(f) != 0) {
    hk_buf_free(&out);
    return -1;
  }
  hk_buf_free(&out);
  return 0;
}

/* The user's enabled geoip_maxmind instance, if any: its conf.d file is
 * copied into the demo's configuration and its stage name returned
 * (malloc'd), else NULL. */
static char *
copy_user_geoip(const char *user_config, const char *confd)
{
  hk_settings st;
  hk_error err;
  char *stage = NULL;
  memset(&st, 0, sizeof st);
  hk_error_clear(&err);
  if (hk_settings_load(user_config, &st, &err) != HK_OK)
    return NULL; /* the demo does not need the user's configuration */
  for (size_t i = 0; i < st.n_instances && !stage; i++) {
    const hk_instance_conf *ic = &st.instances[i];
    char *text, *dst;
    if (!ic->enabled || strcmp(ic->plugin, "geoip_maxmind") != 0)
      continue;
    if (!(text = read_file(ic->file)))
      continue;
    if (asprintf(&dst, "%s/geoip.yaml", confd) >= 0) {
      FILE *f = fopen(dst, "w");
      if (f && fputs(text, f) >= 0 && fclose(f) == 0) {
        if (asprintf(&stage, "geoip_maxmind:%s", ic->instance) < 0)
          stage = NULL;
      } else if (f)
        fclose(f);
      free(dst);
    }
    free(text);
  }
  hk_settings_free(&st);
  return stage;
}

/* Fill `pipeline` with the section's text for the demo data dir. */
static void
expand_section(hk_buf *out, const char *pipeline, const char *data_dir,
               const char *geoip)
{
  for (const char *p = pipeline; *p;) {
    if (strncmp(p, "@DEMO@", 6) == 0) {
      /* @DEMO@/rest: the whole path is one quoted word */
      const char *end = p + 6;
      while (*end && *end != ' ')
        end++;
      hk_buf word = HK_BUF_INIT;
      hk_buf_append_str(&word, data_dir);
      hk_buf_append(&word, p + 6, (size_t)(end - (p + 6)));
      append_quoted(out, word.data);
      hk_buf_free(&word);
      p = end;
    } else if (strncmp(p, "@GEOIP@", 7) == 0) {
      hk_buf_append_str(out, geoip ? geoip : "geoip_maxmind");
      p += 7;
    } else
      hk_buf_append_char(out, *p++);
  }
}

int
hk_cmd_demo(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"strict", NULL};
  hk_buf tried = HK_BUF_INIT;
  char **words, *data, *data_dir = NULL, *conf = NULL, *confd = NULL,
                       *geoip = NULL;
  int n, rc;

  if ((rc = hk_cli_parse_args(cli, "demo", argc - 1, argv + 1, allowed, &words,
                              &n)) != 0)
    return rc;
  free(words);
  if (cli->help)
    return hk_cli_print_help("demo");
  if (n > 0)
    return hk_cli_usage_error("demo", "takes no arguments");
  if (cli->output)
    return hk_cli_usage_error("demo",
                              "-o does not apply: the demo prints a report; "
                              "rerun its commands with -o instead");
  data = find_demo_data(&tried);
  if (!data) {
    rc = hk_cli_error(HK_EXIT_FAIL,
                      "demo data not found (looked for %s); set "
                      "HUNTKIT_DATADIR to the directory holding demo/%s",
                      tried.data ? tried.data : DEMO_FILE, DEMO_FILE);
    hk_buf_free(&tried);
    return rc;
  }
  hk_buf_free(&tried);
  data_dir = strndup(data, strlen(data) - strlen("/" DEMO_FILE));

  /* The demo's own configuration: the otrf and ti_feed instances over the
   * bundled data, and the user's GeoIP instance when there is one. */
  conf = demo_config_dir();
  if (!data_dir || !conf || asprintf(&confd, "%s/conf.d", conf) < 0) {
    rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
    goto done;
  }
  {
    char *t1 = NULL, *t2 = NULL, *o1 = NULL, *o2 = NULL;
    int ok = make_dirs(confd) == 0 &&
             asprintf(&t1, "%s/otrf.yaml", data_dir) >= 0 &&
             asprintf(&t2, "%s/ti_feed.yaml", data_dir) >= 0 &&
             asprintf(&o1, "%s/otrf.yaml", confd) >= 0 &&
             asprintf(&o2, "%s/ti_feed.yaml", confd) >= 0 &&
             write_from_template(t1, o1, data_dir) == 0 &&
             write_from_template(t2, o2, data_dir) == 0;
    int saved = errno;
    free(t1);
    free(t2);
    free(o1);
    free(o2);
    if (!ok) {
      rc = hk_cli_error(HK_EXIT_FAIL,
                        "cannot write the demo's configuration in %s: %s "
                        "(set XDG_CACHE_HOME to a writable directory)",
                        conf, strerror(saved));
      goto done;
    }
    char *stale;
    if (asprintf(&stale, "%s/geoip.yaml", confd) >= 0) {
      unlink(stale); /* from an earlier run whose user config had one */
      free(stale);
    }
  }
  geoip = copy_user_geoip(cli->config_path, confd);
  cli->config_path = conf;

  printf("huntkit demo: hunting an LSASS memory dump (comsvcs.dll MiniDump) "
         "and a Log4Shell reverse shell\n"
         "Data:   OTRF Security-Datasets (MIT licence), %s\n"
         "Config: %s (otrf:demo, ti_feed:demo%s)\n",
         data_dir, conf, geoip ? ", your GeoIP instance" : "");
  rc = HK_EXIT_OK;
  for (size_t i = 0, shown = 0; SECTIONS[i].title && rc == HK_EXIT_OK; i++) {
    hk_buf text = HK_BUF_INIT;
    if ((SECTIONS[i].needs & DEMO_NEEDS_GEOIP) && !geoip)
      continue;
    expand_section(&text, SECTIONS[i].pipeline, data_dir, geoip);
    printf("\n%zu. %s\n   %s\n   $ huntkit --config %s run '%s'\n\n", ++shown,
           SECTIONS[i].title, SECTIONS[i].why, conf, text.data);
    if (fflush(stdout) != 0 || ferror(stdout)) {
      hk_buf_free(&text);
      rc = stdout_failed();
      break;
    }
    rc = hk_cli_run_pipeline(cli, text.data);
    hk_buf_free(&text);
  }
  if (rc == HK_EXIT_OK && !ferror(stdout)) {
    printf("\nNext: change a pipeline above and run it; `huntkit plugins "
           "list` shows every stage you can use, `huntkit queries list` the "
           "query library.%s\n",
           geoip ? ""
                 : "  With a GeoIP database in your conf.d (plugin "
                   "geoip_maxmind) the demo also geolocates addresses.");
    if (fflush(stdout) != 0)
      rc = stdout_failed();
  }
done:
  free(data);
  free(data_dir);
  free(conf);
  free(confd);
  free(geoip);
  return rc;
}
