/*
 * host/cli/cmd_ioc.c -- `huntkit ioc extract`, `huntkit unpack` and
 * `huntkit mask`: the text transforms as verbs.
 *
 * Each verb composes a pipeline of plugins (text or file provider, the
 * analyzer, a renderer) and runs it like `huntkit run`, so a verb never
 * does anything a pipeline cannot: the command it runs is shown with -v.
 */
#define _GNU_SOURCE
#include "config.h"

#include "cli.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const hk_cli_verb hk_cli_verbs_ioc[] = {
    {"ioc", "IoC extraction",
     "Usage: huntkit ioc extract [FILE|-] [OPTIONS]\n"
     "\n"
     "Finds indicators (ipv4, ipv6, dns, url, md5_hash, sha1_hash,\n"
     "sha256_hash, email, windows_path, linux_path and custom types) in text\n"
     "or in columns of a table.  See `huntkit help ioc extract`.\n"
     "\n"
     "Example:\n"
     "  huntkit ioc extract /var/log/syslog --types ipv4,url\n"},
    {"ioc extract", "IoC extraction",
     "Usage: huntkit ioc extract [FILE|-] [OPTIONS]\n"
     "       huntkit ioc extract --text 'STRING' [OPTIONS]\n"
     "       huntkit ioc extract TABLE --columns C1,C2 [OPTIONS]\n"
     "\n"
     "Text (a file streamed line by line, standard input, or --text): one\n"
     "row per observable and line: IoCType, Observable, Line (1-based).\n"
     "With -o json the observables are grouped by type instead, each once,\n"
     "the most frequent first: {\"ipv4\": [...], \"url\": [...]}.\n"
     "\n"
     "A table (CSV, TSV, JSON, NDJSON; --columns names the text columns):\n"
     "MSTICPy's extract_df rows: IoCType, Observable, SourceIndex (0-based\n"
     "row), Input (the cell), Column.\n"
     "\n"
     "Options:\n"
     "  --text S            scan the string S\n"
     "  --columns C,...     the input is a table: scan these columns\n"
     "  --format F          table format (csv, tsv, json, ndjson; default by\n"
     "                      extension)\n"
     "  --types T,...       only these types (default: all but paths)\n"
     "  --include-paths     also windows_path and linux_path\n"
     "  --ignore-private    drop IPs that are not globally routable\n"
     "  --no-refang         keep defanged spellings (hxxp, [.]) as written\n"
     "  --input             text mode: add the line itself (Input)\n"
     "  -o FORMAT           table, csv, json (grouped), ndjson\n"
     "\n"
     "Defanged forms (hxxp, [.], (dot), [@]) are recognised and refanged;\n"
     "domains must end in a Public Suffix List suffix; times such as\n"
     "10:22:33 are not IPv6; all-digit or low-variety hex is not a hash.\n"
     "Custom types: `custom` in conf.d/iocextract.yaml (plugin iocextract).\n"
     "\n"
     "Examples:\n"
     "  huntkit ioc extract --text 'beacon to hxxp://evil[.]example/x from "
     "10.1.2.3'\n"
     "  huntkit ioc extract access.log --types url,dns -o json | jq '.url'\n"
     "  huntkit ioc extract events.csv --columns CommandLine -o csv\n"
     "  zcat big.log.gz | huntkit ioc extract - --ignore-private -o ndjson\n"},
    {"unpack", "decode base64 and unpack archives",
     "Usage: huntkit unpack [FILE|-] [OPTIONS]\n"
     "       huntkit unpack --text 'STRING' [OPTIONS]\n"
     "       huntkit unpack TABLE --column C [OPTIONS]\n"
     "\n"
     "Finds base64 runs (30 characters or more, line breaks allowed inside),\n"
     "decodes them, unpacks zip, gzip, tar, 7z and the other formats\n"
     "libarchive reads, and decodes what it finds again, to a depth limit.\n"
     "UTF-16LE text (PowerShell -enc) is shown as UTF-8.  One row per\n"
     "decoded item: reference, original_string, file_name, file_type,\n"
     "decoded_string, encoding_type, md5, sha1, sha256, printable_bytes,\n"
     "depth, size, note (see plugins/b64unpack/README.md).\n"
     "\n"
     "A file or --text is read whole (one input); --lines decodes each line\n"
     "on its own (src_index is then the 0-based line).  With --column the\n"
     "input is a table and every row of that column is decoded, with\n"
     "MSTICPy's unpack_df columns (the input and full_decoded_string too).\n"
     "\n"
     "Options:\n"
     "  --text S              decode the string S\n"
     "  --lines               one input per line instead of the whole file\n"
     "  --column C            the input is a table: decode column C\n"
     "  --format F            table format (csv, tsv, json, ndjson)\n"
     "  --max-depth N         deepest nesting (default 20)\n"
     "  --max-total-bytes N   decoded bytes per input (default 64 MiB)\n"
     "  --max-entries N       archive entries per input (default 10000)\n"
     "  --max-ratio N         unpacked/packed ratio of one archive (100)\n"
     "  --utf16 auto|yes|no   UTF-16 text detection (default auto)\n"
     "  --full                text mode: also the input and\n"
     "                        full_decoded_string columns\n"
     "  -o FORMAT             table, csv, json, ndjson\n"
     "\n"
     "When a limit is reached (a zip bomb, a deep nest, an archive that\n"
     "contains itself) the input stops there with a warning, the items\n"
     "decoded so far are kept and their `note` says why; exit status 0\n"
     "(1 with --strict).\n"
     "\n"
     "Examples:\n"
     "  huntkit unpack dropper.txt\n"
     "  huntkit unpack --text 'powershell -enc SQBFAFgAIAAoAE4AZQB3AC0A...'\n"
     "  huntkit unpack events.csv --column CommandLine -o csv\n"},
    {"mask", "pseudonymise columns",
     "Usage: huntkit mask [TABLE|-] [OPTIONS]\n"
     "\n"
     "Replaces host names, accounts, IP addresses, e-mails, GUIDs, SIDs and\n"
     "names inside free text by keyed pseudonyms (HMAC-SHA256): the same\n"
     "value masks the same way with the same key, in every file; IPs keep\n"
     "their kind and subnet structure (private stays private, the same /24\n"
     "stays one /24); built-in names (SYSTEM, S-1-5-18, 127.0.0.1) are\n"
     "kept.  With no column named, the columns with well-known names are\n"
     "masked (Computer, Account, IpAddress, CommandLine, ...).  Without a\n"
     "key a random one is generated and reported once on stderr.\n"
     "Writes CSV unless -o says otherwise.  Details: plugins/mask/README.md.\n"
     "\n"
     "Options (each takes columns, C1,C2 or repeated):\n"
     "  --host C      host names          --domain C   domain names\n"
     "  --account C   DOMAIN\\user, user@domain\n"
     "  --ip C        IP addresses        --email C    e-mail addresses\n"
     "  --guid C      GUIDs               --sid C      Windows SIDs\n"
     "  --text C      free text (IPs, e-mails, names inside are masked)\n"
     "  --string C    any other text, as a whole\n"
     "  --null C      emptied\n"
     "  --defaults    also the well-known column names\n"
     "  --key-env NAME  the key from environment variable NAME\n"
     "  --key K       the key itself (visible in `ps`: prefer --key-env)\n"
     "  --format F    input format (csv, tsv, json, ndjson)\n"
     "\n"
     "Examples:\n"
     "  HK_MASK_KEY=s3cret huntkit mask logons.csv --key-env HK_MASK_KEY > "
     "shared.csv\n"
     "  huntkit mask events.json --host Computer --ip IpAddress --text "
     "CommandLine -o ndjson\n"},
    {NULL, NULL, NULL}};

/* A pipeline under construction. */
typedef struct pipeline_text {
  hk_buf b;
} pipeline_text;

static void
pt_word(pipeline_text *p, const char *key, const char *value)
{
  hk_buf_appendf(&p->b, " %s=", key);
  hk_cli_append_quoted(&p->b, value);
}

static void
pt_list(pipeline_text *p, const char *key, const hk_cli_list *l)
{
  hk_buf joined = HK_BUF_INIT;
  for (size_t i = 0; i < l->n; i++)
    hk_buf_appendf(&joined, "%s%s", i ? "," : "", l->items[i]);
  pt_word(p, key, joined.data ? joined.data : "");
  hk_buf_free(&joined);
}

/* The provider stage: the text provider for text, file for a table. */
static void
pt_source(pipeline_text *p, const char *file, const char *text,
          const char *format, int table, const char *mode)
{
  if (table) {
    hk_buf_append_str(&p->b, "file");
    pt_word(p, "path", file ? file : "-");
    if (format)
      pt_word(p, "format", format);
    return;
  }
  hk_buf_append_str(&p->b, "text");
  if (text)
    pt_word(p, "text", text);
  else
    pt_word(p, "path", file ? file : "-");
  if (mode)
    pt_word(p, "mode", mode);
}

/* Exactly one input: a FILE word or --text.  Returns 0 or an exit code. */
static int
one_input(const char *verb, char **words, int n, const char *text,
          const char **file)
{
  if (n > 1)
    return hk_cli_usage_error(verb, "one input at a time (got '%s' and '%s')",
                              words[0], words[1]);
  if (n == 1 && text)
    return hk_cli_usage_error(verb, "give a FILE or --text, not both");
  *file = n == 1 ? words[0] : NULL;
  return 0;
}

static void
show_pipeline(const hk_cli *cli, const char *text)
{
  hk_cli_apply_log_level(cli);
  /* Redacted like every log line: the text may hold a --key. */
  if (hk_log_get_level() >= HK_LOG_INFO) {
    size_t cap = strlen(text) + 1;
    char *shown = malloc(cap);
    if (!shown)
      return;
    memcpy(shown, text, cap);
    hk_log_redact(shown, cap);
    fprintf(stderr, "huntkit: running: huntkit run '%s'\n", shown);
    free(shown);
  }
}

/* ------------------------------------------------- grouped JSON output */

/* A sink that reads the ndjson renderer's lines and keeps each
 * (IoCType, Observable) once, types in order of first appearance. */
typedef struct grouped_sink {
  hk_sink sink;
  hk_buf line;
  json_object *groups; /* type -> object used as an ordered set */
  int failed;
} grouped_sink;

static void
grouped_take_line(grouped_sink *g, const char *s, size_t n)
{
  json_tokener *tok;
  json_object *row, *type, *obs, *set;
  if (n == 0)
    return;
  tok = json_tokener_new();
  row = tok ? json_tokener_parse_ex(tok, s, (int)n) : NULL;
  if (tok)
    json_tokener_free(tok);
  if (!row || !json_object_object_get_ex(row, "IoCType", &type) ||
      !json_object_object_get_ex(row, "Observable", &obs)) {
    g->failed = 1;
    json_object_put(row);
    return;
  }
  const char *t = json_object_get_string(type);
  if (!json_object_object_get_ex(g->groups, t, &set)) {
    set = json_object_new_object();
    json_object_object_add(g->groups, t, set);
  }
  json_object_object_add(set, json_object_get_string(obs), NULL);
  json_object_put(row);
}

static int
grouped_write(void *ud, const void *buf, size_t len)
{
  grouped_sink *g = ud;
  const char *p = buf, *end = p + len;
  while (p < end) {
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
    if (hk_buf_append(&g->line, p, n) != HK_OK)
      return HK_E_NOMEM;
    if (!nl)
      break;
    grouped_take_line(g, g->line.data ? g->line.data : "", g->line.len);
    hk_buf_reset(&g->line);
    p = nl + 1;
  }
  return HK_OK;
}

static void
grouped_add_type(json_object *out, const char *type, json_object *set)
{
  json_object *arr = json_object_new_array();
  json_object_object_foreach(set, obs, unused)
  {
    (void)unused;
    json_object_array_add(arr, json_object_new_string(obs));
  }
  json_object_object_add(out, type, arr);
}

/* Print {"type": [observables...], ...} to stdout: the built-in types in
 * iocextract's order, then custom ones as they came. */
static int
grouped_print(hk_cli *cli, grouped_sink *g)
{
  static const char *const order[] = {
      "ipv4",     "ipv6",      "dns",         "url",          "email",
      "md5_hash", "sha1_hash", "sha256_hash", "windows_path", "linux_path"};
  json_object *out = json_object_new_object(), *set;
  hk_cli_out *o = malloc(sizeof *o);
  int rc = HK_EXIT_OK;
  if (!out || !o) {
    json_object_put(out);
    free(o);
    return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  }
  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    if (json_object_object_get_ex(g->groups, order[i], &set))
      grouped_add_type(out, order[i], set);
  json_object_object_foreach(g->groups, type, tset)
  {
    if (!json_object_object_get_ex(out, type, NULL))
      grouped_add_type(out, type, tset);
  }
  const char *text = json_object_to_json_string_ext(
      out, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
               JSON_C_TO_STRING_NOSLASHESCAPE);
  hk_cli_out_init(o);
  if (o->sink.write(o->sink.ud, text, strlen(text)) != HK_OK ||
      o->sink.write(o->sink.ud, "\n", 1) != HK_OK ||
      hk_cli_out_flush(o) != HK_OK) {
    if (!o->closed)
      rc = hk_cli_error(HK_EXIT_FAIL, "cannot write to standard output");
  }
  (void)cli;
  json_object_put(out);
  free(o);
  return rc;
}

/* --------------------------------------------------------- ioc extract */

int
hk_cmd_ioc(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"strict", NULL};
  const char *text = NULL, *format = NULL, *file = NULL;
  bool include_paths = false, ignore_private = false, no_refang = false,
       input = false;
  hk_cli_list types = {0}, columns = {0};
  const hk_cli_opt opts[] = {
      {"text", 0, HK_CLI_VALUE, &text, false},
      {"format", 0, HK_CLI_VALUE, &format, false},
      {"types", 't', HK_CLI_LIST, &types, false},
      {"columns", 'c', HK_CLI_LIST, &columns, false},
      {"include-paths", 0, HK_CLI_FLAG, &include_paths, false},
      {"ignore-private", 0, HK_CLI_FLAG, &ignore_private, false},
      {"no-refang", 0, HK_CLI_FLAG, &no_refang, false},
      {"input", 0, HK_CLI_FLAG, &input, false},
      {NULL, 0, 0, NULL, false}};
  char **words = NULL;
  int n = 0, rc;
  pipeline_text p = {HK_BUF_INIT};
  const char *verb = "ioc extract";

  if (argc < 2 || strcmp(argv[1], "extract") != 0) {
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
      return hk_cli_print_help("ioc extract");
    return hk_cli_usage_error("ioc",
                              argc < 2 ? "missing subcommand (extract)"
                                       : "unknown subcommand '%s' "
                                         "(extract)",
                              argv[argc < 2 ? 0 : 1]);
  }
  rc = hk_cli_parse_verb_args(cli, verb, argc - 2, argv + 2, allowed, opts,
                              &words, &n);
  if (rc != 0)
    goto done;
  if (cli->help) {
    rc = hk_cli_print_help(verb);
    goto done;
  }
  if ((rc = one_input(verb, words, n, text, &file)) != 0)
    goto done;
  int table = columns.n > 0;
  if (table && text) {
    rc = hk_cli_usage_error(verb, "--columns needs a table FILE, not --text");
    goto done;
  }
  int grouped = !table && cli->output && strcmp(cli->output, "json") == 0;

  pt_source(&p, file, text, format, table, NULL);
  hk_buf_append_str(&p.b, " | iocextract");
  if (table)
    pt_list(&p, "columns", &columns);
  else {
    pt_word(&p, "columns", "text");
    pt_word(&p, "index_column", "line_no");
    if (!input)
      pt_word(&p, "input", "false");
  }
  if (types.n)
    pt_list(&p, "types", &types);
  if (include_paths)
    pt_word(&p, "include_paths", "true");
  if (ignore_private)
    pt_word(&p, "ignore_private", "true");
  if (no_refang)
    pt_word(&p, "refang", "false");
  if (grouped)
    /* Only the distinct pairs reach the CLI, most frequent first. */
    hk_buf_append_str(&p.b, " | count by IoCType, Observable");
  else if (!table)
    hk_buf_append_str(&p.b, input ? " | select IoCType, Observable, "
                                    "SourceIndex as Line, Input"
                                  : " | select IoCType, Observable, "
                                    "SourceIndex as Line");
  if (grouped) {
    grouped_sink g;
    memset(&g, 0, sizeof g);
    g.sink.struct_size = sizeof g.sink;
    g.sink.ud = &g;
    g.sink.write = grouped_write;
    g.groups = json_object_new_object();
    hk_buf_append_str(&p.b, " | ndjson");
    show_pipeline(cli, p.b.data);
    rc = hk_cli_run_pipeline_sink(cli, p.b.data, &g.sink);
    if (g.line.len)
      grouped_take_line(&g, g.line.data, g.line.len);
    if (g.failed)
      rc = hk_cli_error(HK_EXIT_FAIL, "internal error: unreadable row "
                                      "from the ndjson renderer");
    else if (rc == HK_EXIT_OK || rc == HK_EXIT_INTERRUPTED)
      rc = grouped_print(cli, &g) ? HK_EXIT_FAIL : rc;
    json_object_put(g.groups);
    hk_buf_free(&g.line);
  } else {
    show_pipeline(cli, p.b.data);
    rc = hk_cli_run_pipeline(cli, p.b.data);
  }
done:
  hk_buf_free(&p.b);
  hk_cli_list_free(&types);
  hk_cli_list_free(&columns);
  free(words);
  return rc;
}

/* -------------------------------------------------------------- unpack */

int
hk_cmd_unpack(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"strict", NULL};
  const char *text = NULL, *format = NULL, *file = NULL, *column = NULL,
             *max_depth = NULL, *max_total = NULL, *max_entries = NULL,
             *max_ratio = NULL, *utf16 = NULL;
  bool lines = false, full = false;
  const hk_cli_opt opts[] = {
      {"text", 0, HK_CLI_VALUE, &text, false},
      {"format", 0, HK_CLI_VALUE, &format, false},
      {"column", 'c', HK_CLI_VALUE, &column, false},
      {"lines", 0, HK_CLI_FLAG, &lines, false},
      {"full", 0, HK_CLI_FLAG, &full, false},
      {"max-depth", 0, HK_CLI_VALUE, &max_depth, false},
      {"max-total-bytes", 0, HK_CLI_VALUE, &max_total, false},
      {"max-entries", 0, HK_CLI_VALUE, &max_entries, false},
      {"max-ratio", 0, HK_CLI_VALUE, &max_ratio, false},
      {"utf16", 0, HK_CLI_VALUE, &utf16, false},
      {NULL, 0, 0, NULL, false}};
  char **words = NULL;
  int n = 0, rc;
  pipeline_text p = {HK_BUF_INIT};

  rc = hk_cli_parse_verb_args(cli, "unpack", argc - 1, argv + 1, allowed, opts,
                              &words, &n);
  if (rc != 0)
    goto done;
  if (cli->help) {
    rc = hk_cli_print_help("unpack");
    goto done;
  }
  if ((rc = one_input("unpack", words, n, text, &file)) != 0)
    goto done;
  if (column && text) {
    rc = hk_cli_usage_error("unpack", "--column needs a table FILE, not "
                                      "--text");
    goto done;
  }
  if (column && lines) {
    rc = hk_cli_usage_error("unpack", "--lines applies to text input, not "
                                      "to a table (--column)");
    goto done;
  }
  pt_source(&p, file, text, format, column != NULL,
            column  ? NULL
            : lines ? "lines"
                    : "whole");
  hk_buf_append_str(&p.b, " | b64unpack");
  pt_word(&p, "column", column ? column : "text");
  if (max_depth)
    pt_word(&p, "max_depth", max_depth);
  if (max_total)
    pt_word(&p, "max_total_bytes", max_total);
  if (max_entries)
    pt_word(&p, "max_entries", max_entries);
  if (max_ratio)
    pt_word(&p, "max_ratio", max_ratio);
  if (utf16)
    pt_word(&p, "utf16", utf16);
  if (!column && !full)
    hk_buf_append_str(&p.b, " keep_input=false | select reference, "
                            "original_string, file_name, file_type, "
                            "decoded_string, encoding_type, md5, sha1, "
                            "sha256, printable_bytes, src_index, depth, "
                            "size, note");
  show_pipeline(cli, p.b.data);
  rc = hk_cli_run_pipeline(cli, p.b.data);
done:
  hk_buf_free(&p.b);
  free(words);
  return rc;
}

/* ---------------------------------------------------------------- mask */

int
hk_cmd_mask(hk_cli *cli, int argc, char **argv)
{
  static const char *const allowed[] = {"strict", NULL};
  static const char *const kinds[] = {"host",   "domain", "account", "ip",
                                      "email",  "guid",   "sid",     "text",
                                      "string", "null"};
  enum { N_KINDS = sizeof kinds / sizeof kinds[0] };
  hk_cli_list cols[N_KINDS];
  hk_cli_opt opts[N_KINDS + 5];
  const char *format = NULL, *key = NULL, *key_env = NULL, *file = NULL;
  bool defaults = false;
  char **words = NULL;
  int n = 0, rc;
  pipeline_text p = {HK_BUF_INIT};

  memset(cols, 0, sizeof cols);
  for (size_t k = 0; k < N_KINDS; k++)
    opts[k] = (hk_cli_opt){kinds[k], 0, HK_CLI_LIST, &cols[k], false};
  opts[N_KINDS] = (hk_cli_opt){"format", 0, HK_CLI_VALUE, &format, false};
  opts[N_KINDS + 1] = (hk_cli_opt){"key", 0, HK_CLI_VALUE, &key, false};
  opts[N_KINDS + 2] = (hk_cli_opt){"key-env", 0, HK_CLI_VALUE, &key_env, false};
  opts[N_KINDS + 3] =
      (hk_cli_opt){"defaults", 0, HK_CLI_FLAG, &defaults, false};
  opts[N_KINDS + 4] = (hk_cli_opt){NULL, 0, 0, NULL, false};

  rc = hk_cli_parse_verb_args(cli, "mask", argc - 1, argv + 1, allowed, opts,
                              &words, &n);
  if (rc != 0)
    goto done;
  if (cli->help) {
    rc = hk_cli_print_help("mask");
    goto done;
  }
  if ((rc = one_input("mask", words, n, NULL, &file)) != 0)
    goto done;
  if (key && key_env) {
    rc = hk_cli_usage_error("mask", "give --key or --key-env, not both");
    goto done;
  }
  if (key_env && !getenv(key_env)) {
    rc = hk_cli_usage_error("mask",
                            "--key-env: environment variable '%s' is "
                            "not set",
                            key_env);
    goto done;
  }
  if (key)
    hk_log_add_secret(key);
  pt_source(&p, file, NULL, format, 1, NULL);
  hk_buf_append_str(&p.b, " | mask");
  for (size_t k = 0; k < N_KINDS; k++)
    if (cols[k].n)
      pt_list(&p, kinds[k], &cols[k]);
  if (defaults)
    pt_word(&p, "defaults", "true");
  if (key)
    pt_word(&p, "key", key);
  else if (key_env) {
    hk_buf ref = HK_BUF_INIT;
    hk_buf_appendf(&ref, "${env:%s}", key_env);
    pt_word(&p, "key", ref.data);
    hk_buf_free(&ref);
  }
  if (!cli->output)
    hk_buf_append_str(&p.b, " | csv");
  show_pipeline(cli, p.b.data);
  rc = hk_cli_run_pipeline(cli, p.b.data);
done:
  for (size_t k = 0; k < N_KINDS; k++)
    hk_cli_list_free(&cols[k]);
  hk_buf_free(&p.b);
  free(words);
  return rc;
}
