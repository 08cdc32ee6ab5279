/*
 * host/cli/main.c -- `huntkit`: global options, verb dispatch, help, and
 * the plumbing every verb shares (stdout sink, progress, Ctrl-C).
 *
 * `huntkit --version` must stay instant: nothing is loaded before a verb
 * asks for it (hk_cli_open).
 */
#define _GNU_SOURCE
#include "config.h"

#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------------- help */

static const char MAIN_HELP[] =
    "Usage: huntkit [OPTIONS] COMMAND [ARGS]\n"
    "\n"
    "Threat hunting from the command line: query logs, enrich, analyze and\n"
    "show them through plugins.\n"
    "\n"
    "Commands:\n"
    "  run PIPELINE      run a pipeline: provider | analyzers | renderer\n"
    "  plugins list      plugins found, loaded or refused (and why)\n"
    "  plugins inspect   a plugin's options, config and fields\n"
    "  plugins check     load one .so with every check\n"
    "  queries list|show the query library\n"
    "  query NAME        run a query from the library\n"
    "  ioc extract       pull IoCs out of text, files or columns\n"
    "  unpack            decode base64 and unpack archives in text\n"
    "  mask              pseudonymise hosts, accounts, IPs in a table\n"
    "  ti lookup         threat-intel lookups of IoCs\n"
    "  geoip             geolocate IP addresses\n"
    "  proctree          build and show process trees\n"
    "  timeline          events on a time axis (HTML) or per time bucket\n"
    "  demo              a short hunt over a bundled dataset\n"
    "  help [COMMAND]    this text, or a command's\n"
    "\n"
    "Options:\n"
    "  --config PATH     configuration directory or huntkit.yaml\n"
    "  -o FORMAT         output: table, csv, json, ndjson (any renderer)\n"
    "  -v, -vv           more log output (info, debug)\n"
    "  -q                errors only\n"
    "  --strict          a partial result (warnings) exits with 1\n"
    "  --no-cache        neither read nor write the lookup cache\n"
    "  --refresh         ignore cached lookups (and cache the new answers)\n"
    "  --version         print the version\n"
    "  --help            this text\n"
    "\n"
    "Example:\n"
    "  huntkit run 'file path=events.json | where EventID == 4688 | count by "
    "Computer'\n"
    "\n"
    "Exit status: 0 ok, 1 failure, 2 usage error, 130 interrupted.\n";

static const hk_cli_verb VERBS[] = {
    {"run", "run a pipeline",
     "Usage: huntkit run [OPTIONS] 'STAGE | STAGE | ...'\n"
     "\n"
     "Runs a pipeline: the first stage is a provider (it reads data), the\n"
     "middle stages are analyzers or enrichers, the last a renderer (default\n"
     "`table`, or the one named by -o).  A stage is a plugin name (or\n"
     "plugin:instance from conf.d), then key=value options and free text\n"
     "for plugins that take it (the expression of `where`); options may\n"
     "stand before or after the free text.  Enricher stages take\n"
     "column=NAME (the column to look up) and prefix=TEXT (default: the\n"
     "instance name and _).  See `huntkit plugins list` and\n"
     "`huntkit plugins inspect NAME`.\n"
     "\n"
     "Options:\n"
     "  -o FORMAT       renderer when the pipeline names none: table, csv,\n"
     "                  json, ndjson\n"
     "  --from TIME     start of the time range given to the provider\n"
     "  --to TIME       end of the time range (exclusive)\n"
     "                  TIME: 2024-03-04, 2024-03-04T05:06:07Z, epoch "
     "seconds,\n"
     "                  now, -7d, -3h, -30m, -2w, +1h; @d @h @m @mon @y round\n"
     "                  down (UTC), e.g. -1d@d\n"
     "  --strict        exit 1 when the result is partial (warnings)\n"
     "\n"
     "Examples:\n"
     "  huntkit run 'file path=events.json | where EventID == 4688 | count by "
     "Computer | table'\n"
     "  huntkit run -o csv 'file path=flows.csv | select SrcIP, DstIP | head "
     "10'\n"
     "  huntkit run 'file path=flows.csv | iptype column=DstIP' --from "
     "-7d@d\n"},
    {"plugins", "list, inspect and check plugins",
     "Usage: huntkit plugins list [-o FORMAT]\n"
     "       huntkit plugins inspect NAME [-o json]\n"
     "       huntkit plugins check PATH\n"
     "\n"
     "  list      every plugin in the plugin directories: name, kind, "
     "version,\n"
     "            ABI, loaded or refused with the reason, and its file\n"
     "  inspect   one plugin: summary, flags, entity types, run options and\n"
     "            instance config with type, default, choices and help\n"
     "  check     load one .so with every loader check; exit 1 if refused\n"
     "\n"
     "Plugin directories: plugin_dirs in huntkit.yaml, $HUNTKIT_PLUGIN_PATH,\n"
     "then the installed plugin directory.\n"
     "\n"
     "Examples:\n"
     "  huntkit plugins list\n"
     "  huntkit plugins list -o json | jq '.[] | select(.status == "
     "\"refused\")'\n"
     "  huntkit plugins inspect file\n"
     "  huntkit plugins check ./myplugin.so\n"},
    {"plugins list", "list plugins",
     "Usage: huntkit plugins list [-o FORMAT]\n"
     "\n"
     "Loads every .so in the plugin directories and shows one row per plugin:\n"
     "name, kind, version, abi, status (loaded or refused), reason, path.\n"
     "A refused file shows why (ABI, permissions, schema, duplicate name).\n"
     "\n"
     "Examples:\n"
     "  huntkit plugins list\n"
     "  huntkit plugins list -o json\n"},
    {"plugins inspect", "describe a plugin",
     "Usage: huntkit plugins inspect NAME [-o json]\n"
     "\n"
     "Shows a plugin's summary, kind, flags, entity types, its run options\n"
     "(key=value in a pipeline stage), its instance config (conf.d) and, for\n"
     "enrichers, the columns it adds.\n"
     "\n"
     "Examples:\n"
     "  huntkit plugins inspect file\n"
     "  huntkit plugins inspect where -o json\n"},
    {"plugins check", "load one plugin file",
     "Usage: huntkit plugins check PATH\n"
     "\n"
     "Loads one .so alone, with every check of the loader (permissions,\n"
     "entry symbol, struct sizes, ABI, vtable, parameter schema), in a child\n"
     "process so a crash in the plugin's entry is reported, not fatal.\n"
     "Prints `ok: PATH: name (kind) version` per plugin, or `refused: PATH:\n"
     "reason`; exits 1 when anything was refused.\n"
     "\n"
     "Example:\n"
     "  huntkit plugins check /usr/lib/huntkit/plugins/file.so\n"},
    {"demo", "a hunt over bundled data",
     "Usage: huntkit demo\n"
     "\n"
     "A short hunt over bundled OTRF Security-Datasets recordings: an LSASS\n"
     "memory dump through comsvcs.dll (found in the OTRF index, read from\n"
     "its zip offline, checked with the cmdline rules, a library query, a\n"
     "process tree, a timeline, IoC extraction and an offline TI list) and\n"
     "a Log4Shell reverse shell in Linux auditd (AUOMS) records, whose base64\n"
     "payload is decoded.  Each section prints the command that reruns it.\n"
     "The demo writes its own configuration (otrf:demo, ti_feed:demo) to\n"
     "$XDG_CACHE_HOME/huntkit/demo (~/.cache/huntkit/demo); a GeoIP instance\n"
     "(geoip_maxmind) of your configuration is copied there and used too.\n"
     "Data: $HUNTKIT_DATADIR/demo, the installed data directory, then the\n"
     "source tree.\n"
     "\n"
     "Example:\n"
     "  huntkit demo\n"},
    {"help", "show help",
     "Usage: huntkit help [COMMAND [SUBCOMMAND]]\n"
     "\n"
     "Example:\n"
     "  huntkit help run\n"
     "  huntkit help plugins inspect\n"},
    {NULL, NULL, NULL}};

/* Verbs of the design that this build does not have yet: named, so that
 * nobody mistakes them for typos, but never faked. */
static const char *const PLANNED_VERBS[] = {"analyze", "pivot", NULL};

/* Verbs that live in their own files: each file exports its command and
 * the help entries of its verbs and sub-verbs. */
typedef int hk_cli_cmd_fn(hk_cli *cli, int argc, char **argv);
static const struct {
  const char *name;
  hk_cli_cmd_fn *fn;
  const hk_cli_verb *help;
} COMMANDS[] = {
    {"run", hk_cmd_run, NULL},
    {"plugins", hk_cmd_plugins, NULL},
    {"demo", hk_cmd_demo, NULL},
    {"queries", hk_cmd_queries, hk_cli_verbs_queries},
    {"query", hk_cmd_query, NULL},
    {"ioc", hk_cmd_ioc, hk_cli_verbs_ioc},
    {"unpack", hk_cmd_unpack, NULL},
    {"mask", hk_cmd_mask, NULL},
    {"ti", hk_cmd_ti, hk_cli_verbs_ti},
    {"geoip", hk_cmd_geoip, NULL},
    {"proctree", hk_cmd_proctree, hk_cli_verbs_views},
    {"timeline", hk_cmd_timeline, NULL},
};

static const hk_cli_verb *
find_verb(const char *name)
{
  for (const hk_cli_verb *v = VERBS; v->name; v++)
    if (strcmp(v->name, name) == 0)
      return v;
  for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
    for (const hk_cli_verb *v = COMMANDS[i].help; v && v->name; v++)
      if (strcmp(v->name, name) == 0)
        return v;
  return NULL;
}

int
hk_cli_print_help(const char *verb)
{
  const hk_cli_verb *v = verb ? find_verb(verb) : NULL;
  fputs(v ? v->usage : MAIN_HELP, stdout);
  return HK_EXIT_OK;
}

/* -------------------------------------------------------------- errors */

int
hk_cli_error(int code, const char *fmt, ...)
{
  va_list ap;
  fflush(stdout);
  hk_cli_progress_clear();
  fputs("huntkit: ", stderr);
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  return code;
}

int
hk_cli_usage_error(const char *verb, const char *fmt, ...)
{
  va_list ap;
  fprintf(stderr, "huntkit%s%s: ", verb ? " " : "", verb ? verb : "");
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fprintf(stderr, "\nTry 'huntkit help%s%s'.\n", verb ? " " : "",
          verb ? verb : "");
  return HK_EXIT_USAGE;
}

/* ------------------------------------------------------------- options */

/* Does `arg` name long option `name` ("--name" or "--name=value")?  Sets
 * *inline_value for the second form. */
static int
long_opt(const char *arg, const char *name, const char **inline_value)
{
  size_t n = strlen(name);
  *inline_value = NULL;
  if (strncmp(arg, "--", 2) != 0 || strncmp(arg + 2, name, n) != 0)
    return 0;
  if (arg[2 + n] == '\0')
    return 1;
  if (arg[2 + n] == '=') {
    *inline_value = arg + 3 + n;
    return 1;
  }
  return 0;
}

static int
is_allowed(const char *const *allowed, const char *name)
{
  for (; allowed && *allowed; allowed++)
    if (strcmp(*allowed, name) == 0)
      return 1;
  return 0;
}

/* Take the value of an option: inline, or the next argument. */
static int
opt_value(const char *verb, const char *opt, const char *inline_value, int argc,
          char **argv, int *i, const char **out)
{
  if (inline_value) {
    *out = inline_value;
    return 0;
  }
  if (*i + 1 >= argc)
    return hk_cli_usage_error(verb, "option %s needs a value", opt);
  *out = argv[++*i];
  return 0;
}

/*
 * One option at argv[*i] (global or the verb's).  Returns 0 when taken,
 * -1 when argv[*i] is not an option, or an exit code.
 */
static int
parse_one(hk_cli *cli, const char *verb, int argc, char **argv, int *i,
          const char *const *allowed)
{
  const char *a = argv[*i], *iv;
  const char *long_with_value[] = {"config", "output", "from", "to", NULL};

  if (a[0] != '-' || a[1] == '\0')
    return -1;
  if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
    cli->help = true;
    return 0;
  }
  if (strcmp(a, "-q") == 0 || strcmp(a, "--quiet") == 0) {
    cli->verbosity = -1;
    cli->verbosity_set = true;
    return 0;
  }
  if (strcmp(a, "--verbose") == 0) {
    cli->verbosity++;
    cli->verbosity_set = true;
    return 0;
  }
  if (a[1] == 'v' && strspn(a + 1, "v") == strlen(a + 1)) {
    cli->verbosity += (int)strlen(a + 1);
    cli->verbosity_set = true;
    return 0;
  }
  if (strcmp(a, "-o") == 0 || (a[1] == 'o' && a[2] != '\0' && a[2] != '-'))
    return opt_value(verb, "-o", a[2] ? a + 2 : NULL, argc, argv, i,
                     &cli->output);
  if (strcmp(a, "--no-cache") == 0 || strcmp(a, "--refresh") == 0) {
    int mode = a[2] == 'n' ? HK_CACHE_OFF : HK_CACHE_REFRESH;
    if (cli->cache_mode != HK_CACHE_USE && cli->cache_mode != mode)
      return hk_cli_usage_error(verb, "--no-cache and --refresh exclude "
                                      "each other");
    cli->cache_mode = mode;
    hk_services_set_cache_mode(mode);
    return 0;
  }
  if (long_opt(a, "strict", &iv) && !iv) {
    if (!is_allowed(allowed, "strict"))
      return hk_cli_usage_error(verb, "option --strict does not apply here");
    cli->strict = true;
    return 0;
  }
  for (int k = 0; long_with_value[k]; k++) {
    const char *name = long_with_value[k], **dst;
    char opt[16];
    if (!long_opt(a, name, &iv))
      continue;
    snprintf(opt, sizeof opt, "--%s", name);
    if (strcmp(name, "config") == 0)
      dst = &cli->config_path;
    else if (strcmp(name, "output") == 0)
      dst = &cli->output;
    else if (!is_allowed(allowed, name))
      return hk_cli_usage_error(verb, "option %s does not apply here", opt);
    else
      dst = strcmp(name, "from") == 0 ? &cli->from : &cli->to;
    return opt_value(verb, opt, iv, argc, argv, i, dst);
  }
  return hk_cli_usage_error(verb, "unknown option '%s'", a);
}

/* One of the verb's own options at argv[*i]: 0 taken, -1 not one of
 * them, else an exit code. */
static int
parse_verb_opt(const char *verb, const hk_cli_opt *opts, int argc, char **argv,
               int *i)
{
  const char *a = argv[*i], *iv = NULL;
  const hk_cli_opt *o = NULL;
  char shown[64];
  if (!opts || a[0] != '-' || a[1] == '\0')
    return -1;
  for (const hk_cli_opt *k = opts; k->name && !o; k++) {
    if (a[1] == '-' && long_opt(a, k->name, &iv))
      o = k;
    else if (a[1] != '-' && k->short_name && a[1] == k->short_name) {
      o = k;
      iv = a[2] ? a + 2 : NULL;
    }
  }
  if (!o)
    return -1;
  snprintf(shown, sizeof shown, "--%s", o->name);
  if (o->kind == HK_CLI_FLAG) {
    if (iv)
      return hk_cli_usage_error(verb, "option %s takes no value", shown);
    *(bool *)o->dst = true;
    return 0;
  }
  const char *v = NULL;
  int rc = opt_value(verb, shown, iv, argc, argv, i, &v);
  if (rc != 0)
    return rc;
  if (o->kind == HK_CLI_VALUE) {
    *(const char **)o->dst = v;
    return 0;
  }
  hk_cli_list *l = o->dst;
  const char *p = v;
  do {
    const char *comma = o->keep_commas ? NULL : strchr(p, ',');
    size_t n = comma ? (size_t)(comma - p) : strlen(p);
    /* The item strings are kept in the array after the pointers' end
     * marker would be awkward; copies are simplest and tiny. */
    char *item = strndup(p, n);
    const char **grown = realloc(l->items, (l->n + 2) * sizeof *grown);
    if (!item || !grown) {
      free(item);
      if (grown)
        l->items = grown;
      return hk_cli_error(HK_EXIT_FAIL, "out of memory");
    }
    l->items = grown;
    l->items[l->n++] = item;
    l->items[l->n] = NULL;
    p = comma ? comma + 1 : NULL;
  } while (p);
  return 0;
}

void
hk_cli_list_free(hk_cli_list *l)
{
  for (size_t i = 0; i < l->n; i++)
    free((char *)l->items[i]);
  free(l->items);
  l->items = NULL;
  l->n = 0;
}

int
hk_cli_parse_verb_args(hk_cli *cli, const char *verb, int argc, char **argv,
                       const char *const *allowed, const hk_cli_opt *opts,
                       char ***words, int *n_words)
{
  char **w = calloc((size_t)argc + 1, sizeof *w);
  int n = 0, only_words = 0;
  if (!w)
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  for (int i = 0; i < argc; i++) {
    int rc = -1;
    if (!only_words && strcmp(argv[i], "--") == 0) {
      only_words = 1;
      continue;
    }
    if (!only_words) {
      rc = parse_verb_opt(verb, opts, argc, argv, &i);
      if (rc == -1)
        rc = parse_one(cli, verb, argc, argv, &i, allowed);
    }
    if (rc == -1)
      w[n++] = argv[i];
    else if (rc != 0) {
      free(w);
      return rc;
    }
  }
  *words = w;
  *n_words = n;
  return 0;
}

int
hk_cli_parse_args(hk_cli *cli, const char *verb, int argc, char **argv,
                  const char *const *allowed, char ***words, int *n_words)
{
  return hk_cli_parse_verb_args(cli, verb, argc, argv, allowed, NULL, words,
                                n_words);
}

/* ---------------------------------------------------------- core setup */

void
hk_cli_apply_log_level(const hk_cli *cli)
{
  int level = HK_LOG_WARN;
  if (cli->verbosity_set) {
    if (cli->verbosity < 0)
      level = HK_LOG_ERROR;
    else
      level = HK_LOG_WARN + cli->verbosity;
  } else if (cli->settings_loaded && cli->settings.log_level >= 0) {
    level = cli->settings.log_level;
  }
  if (level > HK_LOG_DEBUG)
    level = HK_LOG_DEBUG;
  hk_log_set_level(level);
}

int
hk_cli_open(hk_cli *cli)
{
  hk_error err;
  if (cli->registry)
    return 0;
  hk_cli_apply_log_level(cli);
  hk_error_clear(&err);
  if (hk_settings_load(cli->config_path, &cli->settings, &err) != HK_OK)
    return hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  cli->settings_loaded = true;
  hk_cli_apply_log_level(cli);
  cli->registry = hk_registry_new(&cli->settings);
  if (!cli->registry)
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  return 0;
}

/* -------------------------------------------------------------- stdout */

static bool progress_enabled, progress_shown, stdout_is_tty;
static int64_t progress_started, progress_last;

static int
out_write_fd(hk_cli_out *o, const char *p, size_t n)
{
  while (n > 0) {
    ssize_t w = write(STDOUT_FILENO, p, n);
    if (w < 0) {
      if (errno == EINTR)
        continue;
      if (errno == EPIPE)
        o->closed = true;
      else {
        o->io_error = true;
        o->saved_errno = errno;
      }
      return HK_E_IO;
    }
    p += w;
    n -= (size_t)w;
  }
  return HK_OK;
}

int
hk_cli_out_flush(hk_cli_out *o)
{
  int rc;
  if (o->closed || o->io_error)
    return HK_E_IO;
  rc = out_write_fd(o, o->buf, o->len);
  o->len = 0;
  return rc;
}

static int
out_sink_write(void *ud, const void *buf, size_t len)
{
  hk_cli_out *o = ud;
  if (o->closed || o->io_error)
    return HK_E_IO;
  if (stdout_is_tty) {
    hk_cli_progress_clear();
    progress_enabled = false; /* the terminal now shows the result */
  }
  if (o->len + len > sizeof o->buf) {
    if (hk_cli_out_flush(o) != HK_OK)
      return HK_E_IO;
    if (len >= sizeof o->buf)
      return out_write_fd(o, buf, len);
  }
  memcpy(o->buf + o->len, buf, len);
  o->len += len;
  return HK_OK;
}

/* Only a terminal has a width: output to a file or a pipe is never cut. */
static int
terminal_width(void)
{
  const char *cols = getenv("COLUMNS");
  struct winsize ws;
  if (!stdout_is_tty)
    return 0;
  if (cols && *cols) {
    char *end;
    long v = strtol(cols, &end, 10);
    if (*end == '\0' && v > 0 && v < 100000)
      return (int)v;
  }
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 0;
}

void
hk_cli_out_init(hk_cli_out *o)
{
  memset(o, 0, sizeof *o);
  stdout_is_tty = isatty(STDOUT_FILENO);
  o->sink.struct_size = sizeof o->sink;
  o->sink.ud = o;
  o->sink.write = out_sink_write;
  o->sink.is_tty = stdout_is_tty;
  o->sink.width = terminal_width();
}

/* ------------------------------------------------------------ progress */

static int64_t
mono_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

void
hk_cli_progress_start(void)
{
  progress_enabled = isatty(STDERR_FILENO) && hk_log_get_level() > 0;
  progress_shown = false;
  progress_started = progress_last = mono_us();
}

void
hk_cli_progress_update(void *ud, int64_t rows_read)
{
  int64_t now;
  (void)ud;
  if (!progress_enabled)
    return;
  now = mono_us();
  if (now - progress_started < 500000 || now - progress_last < 500000)
    return;
  progress_last = now;
  fprintf(stderr, "\rhuntkit: %lld rows read ...", (long long)rows_read);
  fflush(stderr);
  progress_shown = true;
}

void
hk_cli_progress_clear(void)
{
  if (!progress_shown)
    return;
  fputs("\r\033[K", stderr);
  fflush(stderr);
  progress_shown = false;
}

/* ------------------------------------------------------------- signals */

static volatile sig_atomic_t interrupts;

static void
on_sigint(int sig)
{
  static const char msg[] =
      "\nhuntkit: canceling (press Ctrl-C again to quit now)\n";
  (void)sig;
  if (++interrupts > 1)
    _exit(HK_EXIT_INTERRUPTED);
  hk_services_cancel();
  if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
    /* nothing to do: stderr is gone */
  }
}

void
hk_cli_install_signals(void)
{
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGINT, &sa, NULL);
}

/* ---------------------------------------------------------------- main */

static int
cmd_help(int argc, char **argv)
{
  char name[64];
  if (argc <= 1)
    return hk_cli_print_help(NULL);
  if (argc >= 3) {
    snprintf(name, sizeof name, "%s %s", argv[1], argv[2]);
    if (find_verb(name))
      return hk_cli_print_help(name);
  }
  if (find_verb(argv[1]))
    return hk_cli_print_help(argv[1]);
  for (int i = 0; PLANNED_VERBS[i]; i++)
    if (strcmp(PLANNED_VERBS[i], argv[1]) == 0)
      return hk_cli_error(HK_EXIT_USAGE,
                          "'%s' is not available in this build yet", argv[1]);
  return hk_cli_usage_error(NULL, "no help for '%s': no such command", argv[1]);
}

static void
print_version(void)
{
  printf("huntkit %s (plugin ABI %d.%d)\n", PACKAGE_VERSION, HK_ABI_MAJOR,
         HK_ABI_MINOR);
}

int
main(int argc, char **argv)
{
  hk_cli cli;
  int i, rc;
  const char *verb;

  memset(&cli, 0, sizeof cli);
  /* Global options before the verb; verbs accept them after it too. */
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--version") == 0) {
      print_version();
      return HK_EXIT_OK;
    }
    if (strcmp(argv[i], "--") == 0) {
      i++;
      break;
    }
    rc = parse_one(&cli, NULL, argc, argv, &i, NULL);
    if (rc == -1)
      break;
    if (rc != 0)
      return rc;
  }
  if (i >= argc) {
    if (cli.help)
      return hk_cli_print_help(NULL);
    fputs(MAIN_HELP, stderr);
    return HK_EXIT_USAGE;
  }
  verb = argv[i];
  if (cli.help && strcmp(verb, "help") != 0) {
    /* `huntkit --help run` reads like `huntkit help run`. */
    return cmd_help(argc - i + 1, argv + i - 1);
  }

  signal(SIGPIPE, SIG_IGN);
  if (strcmp(verb, "help") == 0)
    rc = cmd_help(argc - i, argv + i);
  else if (strcmp(verb, "version") == 0) {
    print_version();
    rc = HK_EXIT_OK;
  } else {
    rc = -1;
    for (size_t k = 0; k < sizeof COMMANDS / sizeof COMMANDS[0]; k++)
      if (strcmp(COMMANDS[k].name, verb) == 0)
        rc = COMMANDS[k].fn(&cli, argc - i, argv + i);
  }
  if (rc == -1) {
    for (int k = 0; PLANNED_VERBS[k]; k++)
      if (strcmp(PLANNED_VERBS[k], verb) == 0)
        rc = hk_cli_error(HK_EXIT_USAGE,
                          "'%s' is not available in this build yet", verb);
    if (rc == -1)
      rc = hk_cli_usage_error(NULL, "unknown command '%s' (see `huntkit help`)",
                              verb);
  }
  if (cli.registry)
    hk_registry_free(cli.registry);
  if (cli.settings_loaded)
    hk_settings_free(&cli.settings);
  fflush(stdout);
  return rc;
}
