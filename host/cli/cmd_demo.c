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

#define DEMO_FILE "lsass_dump.json"

typedef struct demo_section {
  const char *title;
  const char *why;
  const char *stages; /* after `file path=DATA | ` */
} demo_section;

static const demo_section SECTIONS[] = {
    {"What the recording holds: events per log and event ID",
     "Sysmon (1 process, 10 process access, 11 file) and Security events.",
     "count by Channel, EventID | sort -count, EventID"},
    {"The command that ran",
     "rundll32 calling comsvcs.dll's MiniDump export on PID 756 is the "
     "textbook LSASS dump.",
     "where CommandLine contains \"MiniDump\" | select TimeCreated, EventID, "
     "CommandLine"},
    {"Who opened lsass.exe (Sysmon 10)",
     "GrantedAccess 0x1fffff (all access) from rundll32 stands out.",
     "where EventID == 10 && TargetImage endswith \"lsass.exe\" | count by "
     "SourceImage, GrantedAccess | sort -count, SourceImage"},
    {"The dump file written to disk (Sysmon 11)",
     "A .dmp file in a user's Temp directory.",
     "where EventID == 11 && TargetFilename endswith \".dmp\" | select "
     "UtcTime, Image, TargetFilename"},
    {"Network connections allowed by the firewall (Security 5156)",
     "Destinations classified by the iptype enricher.",
     "where EventID == 5156 | count by SourceAddress, DestAddress, DestPort | "
     "iptype column=DestAddress"},
    {NULL, NULL, NULL}};

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

int
hk_cmd_demo(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"strict", NULL};
  hk_buf tried = HK_BUF_INIT;
  char **words, *data;
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

  printf("huntkit demo: hunting an LSASS memory dump (comsvcs.dll MiniDump)\n"
         "Data: OTRF Security-Datasets, "
         "atomic/windows/credential_access/host/"
         "psh_lsass_memory_dump_comsvcs (MIT licence)\n"
         "      %s\n",
         data);
  rc = HK_EXIT_OK;
  for (size_t i = 0; SECTIONS[i].title && rc == HK_EXIT_OK; i++) {
    hk_buf text = HK_BUF_INIT;
    hk_buf_append_str(&text, "file path=");
    append_quoted(&text, data);
    hk_buf_appendf(&text, " | %s", SECTIONS[i].stages);
    printf("\n%zu. %s\n   %s\n   $ huntkit run '%s'\n\n", i + 1,
           SECTIONS[i].title, SECTIONS[i].why, text.data);
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
           "list` shows every stage you can use.\n");
    if (fflush(stdout) != 0)
      rc = stdout_failed();
  }
  free(data);
  return rc;
}
