/*
 * tests/host/test_querylib.c -- the query library: loading MSTICPy-format
 * files (tests/data/queries, written for these tests in MSTICPy's exact
 * schema), names, merge rules, anchors and macros, errors with
 * file:line:key, and expansion with values quoted for KQL, SPL, OData and
 * the `where` language.  Every expected text below was written by hand
 * from the languages' literal rules (see queries/README.md).
 */
#include "config.h"

#include "../../host/querylib.h"
#include "../tap.h"
#include "util.h"

#define SRC HK_TEST_SRCDIR
/* 2024-03-04T05:06:07Z */
#define NOW (INT64_C(1709528767) * 1000000)
#define DAY (INT64_C(86400) * 1000000)

static hk_querylib *lib;

/* Expand `name` with "k=v" pairs (NULL-terminated) and the time range;
 * returns the text (static) or "ERROR: message". */
static const char *
expand_range(const char *name, int64_t start, int64_t end,
             const char *const *kv)
{
  static char out[4096];
  const char *keys[16], *values[16];
  char buf[16][256];
  size_t n = 0;
  hk_error err;
  hk_qplan plan;
  hk_qargs a;
  const hk_qentry *e;

  hk_error_clear(&err);
  e = hk_querylib_find(lib, name, &err);
  if (!e) {
    snprintf(out, sizeof out, "ERROR: %s", err.msg);
    return out;
  }
  for (; kv && kv[n]; n++) {
    const char *eq = strchr(kv[n], '=');
    snprintf(buf[n], sizeof buf[n], "%.*s", (int)(eq - kv[n]), kv[n]);
    keys[n] = buf[n];
    values[n] = eq + 1;
  }
  a.keys = keys;
  a.values = values;
  a.n = n;
  a.start_us = start;
  a.end_us = end;
  a.now_us = NOW;
  if (hk_query_expand(e, &a, &plan, &err) != HK_OK) {
    snprintf(out, sizeof out, "ERROR: %s%s", err.msg,
             err.flags & HK_EF_USER ? "" : " (not a user error)");
    return out;
  }
  snprintf(out, sizeof out, "%s", plan.text);
  hk_qplan_clear(&plan);
  return out;
}

static const char *
expand(const char *name, const char *const *kv)
{
  return expand_range(name, HK_TIME_MIN, HK_TIME_MAX, kv);
}

#define KV(...) ((const char *const[]){__VA_ARGS__, NULL})

static const hk_qparam *
param(const hk_qentry *e, const char *name)
{
  for (size_t i = 0; e && i < e->src->n_params; i++)
    if (strcmp(e->src->params[i].name, name) == 0)
      return &e->src->params[i];
  return NULL;
}

static void
test_loading(void)
{
  hk_error err;
  const hk_qentry *e;
  const hk_qparam *p;
  static const char *const names[] = {
      "loganalytics.Alerts.type1.alerts_by_name",
      "loganalytics.Alerts.type1.n_1st_query",
      "loganalytics.Hunting.alerts_by_name",
      "loganalytics.Hunting.n_1st_query",
      "loganalytics.Json.json_shaped",
      "loganalytics.WindowsSecurity.get_alert_like",
      "loganalytics.WindowsSecurity.list_events_by_id",
      "loganalytics.WindowsSecurity.list_host_processes",
      "loganalytics.WindowsSecurity.list_logons_min_count",
      "loganalytics.WindowsSecurity.list_processes_in_session",
      "splunk.Alerts.list_all_alerts",
      "splunk.Authentication.list_logons_for_account",
      "splunk.SplunkGeneral.get_events_parameterized"};

  hk_error_clear(&err);
  is_int(hk_querylib_add_dir(lib, SRC "/tests/data/queries/msticpy", &err),
         HK_OK, "the MSTICPy-format files load");
  is_int(hk_querylib_problem_count(lib), 0, "without problems");
  is_int(hk_querylib_count(lib), 13, "13 names (3 files, 11 sources)");
  for (size_t i = 0; i < 13; i++)
    is_str(hk_querylib_at(lib, i)->name, names[i], "name %zu sorted", i);

  /* Merge: the defaults' parameters first, then the source's. */
  e = hk_querylib_find(lib, "loganalytics.WindowsSecurity.list_host_processes",
                       &err);
  ok(e != NULL, "find by full name");
  is_int(e->src->n_params, 10, "8 default parameters + 2 of the source");
  is_str(e->src->params[0].name, "table", "defaults come first");
  is_str(e->src->params[8].name, "host_name", "then the source's");
  p = param(e, "host_name");
  ok(p && !p->has_default && p->type == HK_QP_STR,
     "host_name is a required str");
  is_int(p ? p->n_aliases : 0, 2, "host_name has two aliases");
  is_str(p ? p->aliases[1] : NULL, "computer", "aliases as a YAML list");
  p = param(e, "path_separator");
  is_str(p ? p->default_text : NULL, "\\\\",
         "a single-quoted YAML default keeps its two backslashes");
  p = param(e, "query_project");
  is_str(p ? p->default_text : NULL,
         " | project TenantId, Account, EventID, TimeGenerated, Computer, "
         "NewProcessName, CommandLine, SubjectLogonId | extend "
         "TimeCreatedUtc=TimeGenerated",
         "a multi-line single-quoted default folds as PyYAML folds it");
  is_str(e->src->data_source, "security_event",
         "defaults.metadata.data_source is merged");
  is_int(e->src->n_tags, 4, "the file's tags");
  is_int(e->src->line, 52, "the source's line");
  is_str(e->environment, "LogAnalytics", "environment as written");
  is_int(e->language, HK_QL_KQL, "LogAnalytics queries are KQL");

  /* A source overrides only the default of a shared parameter. */
  e = hk_querylib_find(lib, "loganalytics.get_alert_like", &err);
  p = param(e, "start");
  ok(p && p->has_default && strcmp(p->default_text, "-30") == 0 &&
         strcmp(p->description, "Query start time") == 0,
     "get_alert_like: start gets a default, keeps its description");
  is_int(e ? e->src->n_params : 0, 9,
         "8 defaults + system_alert_id: start and end are merged, not added");

  /* Literal (|) and folded (>) templates. */
  e = hk_querylib_find(lib, "loganalytics.list_processes_in_session", &err);
  like(e ? e->src->template : NULL,
       "{event_filter}\n| where Computer has \"{host_name}\"\n",
       "a literal block keeps its line breaks");
  e = hk_querylib_find(lib, "loganalytics.list_events_by_id", &err);
  is_str(e ? e->src->template : NULL,
         "{table} | where {subscription_filter} | where TimeGenerated >= "
         "datetime({start}) | where TimeGenerated <= datetime({end}) | where "
         "EventID in ({event_list}) | where Account in~ ({accounts}) "
         "{add_query_items}\n",
         "a folded block joins its lines");
  p = param(e, "event_list");
  ok(p && p->type == HK_QP_LIST && p->n_aliases == 1 &&
         strcmp(p->aliases[0], "event_ids") == 0,
     "a scalar alias");
  p = param(e, "accounts");
  ok(p && p->default_is_list && p->n_default_items == 2 &&
         strcmp(p->default_items[1], "LOCAL SERVICE") == 0,
     "a list default");

  /* Anchors, aliases, macros, dotted families. */
  e = hk_querylib_find(lib, "loganalytics.Alerts.type1.alerts_by_name", &err);
  is_str(e ? e->src->template : NULL,
         "{table} | where AlertName has \"{alert_name}\" | take 10",
         "the template comes from an anchor and its macro is expanded");
  is_str(e ? e->family : NULL, "Alerts.type1", "a dotted family");
  is_str(e ? e->environment : NULL, "Custom.LogAnalytics",
         "Prefix.Env: the part after the dot names the provider");
  e = hk_querylib_find(lib, "loganalytics.Json.json_shaped", &err);
  is_str(e ? e->src->template : NULL,
         "{{\"query\": \"{json_value}\", \"top\": {top}}}",
         "a second anchor, with literal braces");

  /* Splunk: a source's metadata.data_families overrides the file's. */
  e = hk_querylib_find(lib, "splunk.list_all_alerts", &err);
  is_str(e ? e->family : NULL, "Alerts", "family from the source metadata");
  is_int(e ? e->language : 0, HK_QL_SPL, "Splunk queries are SPL");
}

static void
test_names(void)
{
  hk_error err;
  const hk_qentry *e;
  hk_error_clear(&err);
  e = hk_querylib_find(lib, "splunk.list_logons_for_account", &err);
  is_str(e ? e->name : NULL, "splunk.Authentication.list_logons_for_account",
         "PROVIDER.QUERY finds a unique query");
  e = hk_querylib_find(lib, "loganalytics.alerts_by_name", &err);
  is_str(e ? e->name : NULL, "loganalytics.Alerts.type1.alerts_by_name",
         "one source under two families is one query");
  hk_error_clear(&err);
  e = hk_querylib_find(lib, "loganalytics.List_Host_Processes", &err);
  ok(e == NULL && err.code == HK_E_NOTFOUND && (err.flags & HK_EF_USER),
     "names are case-sensitive");
  is_str(err.msg,
         "no query named 'loganalytics.List_Host_Processes' (did you mean "
         "'loganalytics.WindowsSecurity.list_host_processes'? see `huntkit "
         "queries list`)",
         "with a suggestion");
  hk_error_clear(&err);
  e = hk_querylib_find(lib, "kusto.nothing", &err);
  is_str(err.msg,
         "no query named 'kusto.nothing' (13 queries loaded; see `huntkit "
         "queries list`)",
         "unknown name");
}

static void
test_kql(void)
{
  /* Bare datetimes inside datetime(...), a string placeholder inside
   * "...": the quote and the pipe stay inside the literal. */
  is_str(expand_range("loganalytics.list_host_processes", NOW - DAY, NOW,
                      KV("host_name=WS\"5 | take 1")),
         "let start = datetime(2024-03-03T05:06:07Z); let end = "
         "datetime(2024-03-04T05:06:07Z); SecurityEvent | where EventID == "
         "4688  | project TenantId, Account, EventID, TimeGenerated, "
         "Computer, NewProcessName, CommandLine, SubjectLogonId | extend "
         "TimeCreatedUtc=TimeGenerated | where true | where Computer has "
         "\"WS\\\"5 | take 1\" | where TimeGenerated >= start | where "
         "TimeGenerated <= end",
         "KQL: a value in \"...\" is escaped, defaults are the author's text");
  /* An alias; a bare operator word; MSTICPy's integer days. */
  is_str(expand("loganalytics.list_host_processes",
                KV("computer=WS5", "host_op=contains", "start=-2", "end=0")),
         "let start = datetime(2024-03-02T05:06:07Z); let end = "
         "datetime(2024-03-04T05:06:07Z); SecurityEvent | where EventID == "
         "4688  | project TenantId, Account, EventID, TimeGenerated, "
         "Computer, NewProcessName, CommandLine, SubjectLogonId | extend "
         "TimeCreatedUtc=TimeGenerated | where true | where Computer contains "
         "\"WS5\" | where TimeGenerated >= start | where TimeGenerated <= end",
         "KQL: alias, operator word, integer days");
  /* A bare value that is not a word becomes a string literal. */
  like(expand("loganalytics.list_host_processes",
              KV("host_name=x", "host_op=| take 1; print 1")),
       "| where Computer \"| take 1; print 1\" \"x\"",
       "KQL: a bare non-word value is a string literal, not text");
  like(expand("loganalytics.list_host_processes",
              KV("host_name=x", "table=SecurityEvent_CL")),
       "datetime(2024-03-05T05:06:07Z); SecurityEvent_CL |",
       "KQL: a bare table name is inserted; end defaults to now + 1 day");
  like(expand("loganalytics.list_host_processes", KV("host_name=a\\b\n\t'c")),
       "Computer has \"a\\\\b\\n\\t'c\"",
       "KQL: \\ newline and tab; ' needs no escape in \"...\"");
  is_str(expand("loganalytics.list_host_processes", KV("host_name=a\x01")),
         "ERROR: query loganalytics.WindowsSecurity.list_host_processes: "
         "parameter 'host_name' cannot be placed in a string of the KQL "
         "query: it holds control character 0x01, which a KQL string cannot "
         "carry",
         "KQL: other control characters are refused");

  /* Lists: in (...) they are items; numbers bare, strings quoted. */
  is_str(expand_range("loganalytics.list_events_by_id",
                      INT64_C(1709251200) * 1000000,
                      INT64_C(1709337600) * 1000000,
                      KV("event_ids=4624, 4625", "accounts=a'b,c\"d")),
         "SecurityEvent | where true | where TimeGenerated >= "
         "datetime(2024-03-01T00:00:00Z) | where TimeGenerated <= "
         "datetime(2024-03-02T00:00:00Z) | where EventID in (4624, 4625) | "
         "where Account in~ (\"a'b\", \"c\\\"d\")",
         "KQL lists");

  /* int, float, bool, datetime, list outside parentheses, verbatim
   * string, single-quoted string, comment. */
  is_str(expand_range("loganalytics.list_logons_min_count", NOW - DAY, NOW,
                      KV("min_count=3", "min_ratio=0.25", "interactive=yes",
                         "since=2024-02-01T10:00:00+02:00", "hosts=a,b",
                         "process_path=C:\\\"x", "auth_package=Ker'b",
                         "report_note=x // y")),
         "SecurityEvent | where EventID == 4624 | where TimeGenerated "
         "between (datetime(2024-03-03T05:06:07Z) .. "
         "datetime(2024-03-04T05:06:07Z)) | where ProcessName startswith "
         "@\"C:\\\"\"x\" | where AuthenticationPackageName == 'Ker\\'b' | "
         "summarize LogonCount = count() by Account | where LogonCount >= 3 "
         "| where LogonRatio > 0.25 | extend Interactive = true, Since = "
         "datetime(2024-02-01T08:00:00Z), Hosts = dynamic([\"a\", \"b\"]) // "
         "report for x // y",
         "KQL typed literals and every kind of place");
  like(expand("loganalytics.list_logons_min_count", NULL),
       "startswith @\"C:\\Windows\\System32\"",
       "a string default is inserted as written, even in a literal");
  like(expand("loganalytics.list_logons_min_count", NULL),
       "Since = datetime(2024-02-26T05:06:07Z), Hosts = dynamic([])",
       "datetime default -7 is 7 days before now; an empty list");
  is_str(expand("loganalytics.list_logons_min_count", KV("report_note=a\nb")),
         "ERROR: query loganalytics.WindowsSecurity.list_logons_min_count: "
         "parameter 'report_note' cannot be placed in a comment of the KQL "
         "query: it holds a line break, which would end the comment it is "
         "placed in",
         "KQL: a line break cannot end a comment");
  is_str(expand("loganalytics.list_logons_min_count", KV("process_path=a\nb")),
         "ERROR: query loganalytics.WindowsSecurity.list_logons_min_count: "
         "parameter 'process_path' cannot be placed in a verbatim string of "
         "the KQL query: it holds a line break, which a KQL verbatim string "
         "cannot carry",
         "KQL: verbatim strings hold no line break");

  /* Literal braces and a value inside a JSON-shaped template. */
  is_str(expand("loganalytics.json_shaped", KV("json_value=a\"}, \"x\": {\"")),
         "{\"query\": \"a\\\"}, \\\"x\\\": {\\\"\", \"top\": 20}",
         "{{ }} are braces; the value stays in its string");
  is_str(expand("loganalytics.alerts_by_name", NULL),
         "SecurityAlert | where AlertName has \"\" | take 10", "all defaults");
}

static void
test_errors(void)
{
  is_str(expand("loganalytics.list_host_processes", NULL),
         "ERROR: query loganalytics.WindowsSecurity.list_host_processes: "
         "missing required parameter 'host_name' (str: Name of host)",
         "missing required");
  is_str(expand("loganalytics.list_processes_in_session", NULL),
         "ERROR: query loganalytics.WindowsSecurity.list_processes_in_session: "
         "missing required parameters 'host_name' (str: Name of host), "
         "'logon_session_id' (str: The logon session ID of the source "
         "process)",
         "all missing parameters at once");
  is_str(
      expand("loganalytics.list_host_processes", KV("host_name=a", "hots=b")),
      "ERROR: query loganalytics.WindowsSecurity.list_host_processes has no "
      "parameter 'hots' (parameters: table, event_filter, query_project, "
      "start, end, add_query_items, subscription_filter, path_separator, "
      "host_name, host_op)",
      "unknown name");
  is_str(expand("loganalytics.list_host_processes",
                KV("host_name=a", "hostname=b")),
         "ERROR: query loganalytics.WindowsSecurity.list_host_processes: "
         "parameter 'host_name' is given twice (as 'host_name' and "
         "'hostname')",
         "a parameter and its alias");
  is_str(expand("loganalytics.list_logons_min_count", KV("min_count=3.5")),
         "ERROR: query loganalytics.WindowsSecurity.list_logons_min_count: "
         "parameter 'min_count' must be an integer (type int), got '3.5'",
         "wrong int");
  is_str(expand("loganalytics.list_logons_min_count", KV("min_ratio=nan")),
         "ERROR: query loganalytics.WindowsSecurity.list_logons_min_count: "
         "parameter 'min_ratio' must be a number (type float), got 'nan'",
         "wrong float");
  is_str(expand("loganalytics.list_logons_min_count", KV("interactive=maybe")),
         "ERROR: query loganalytics.WindowsSecurity.list_logons_min_count: "
         "parameter 'interactive' must be true or false (type bool), got "
         "'maybe'",
         "wrong bool");
  is_str(expand("loganalytics.list_logons_min_count", KV("since=yesterday")),
         "ERROR: query loganalytics.WindowsSecurity.list_logons_min_count: "
         "parameter 'since' (type datetime): cannot read 'yesterday' as a "
         "time: expected ISO-8601 (2024-03-04 or 2024-03-04T05:06:07Z), "
         "epoch seconds (1709528767), now, or a relative time (-7d, -3h, "
         "-30m@m, now@d)",
         "wrong datetime");
  is_str(expand_range("loganalytics.list_host_processes", NOW, HK_TIME_MAX,
                      KV("host_name=a", "start=-1d")),
         "ERROR: query loganalytics.WindowsSecurity.list_host_processes: "
         "parameter 'start' is given twice (--param start and --from)",
         "start from --from and --param");
}

static void
test_spl(void)
{
  is_str(expand_range("splunk.get_events_parameterized",
                      INT64_C(1709251200) * 1000000,
                      INT64_C(1709337600) * 1000000 + 250000,
                      KV("index=main", "source=WinEventLog:Security")),
         "search index=main source=\"WinEventLog:Security\" "
         "timeformat=\"%Y-%m-%d %H:%M:%S.%6N\" earliest=\"2024-03-01 "
         "00:00:00.000000\" latest=\"2024-03-02 00:00:00.250000\" | table "
         "TimeCreated, host, EventID, User, process, cmdline | head 100",
         "SPL: bare values, datetimes as MSTICPy's Splunk formatter");
  is_str(expand_range(
             "splunk.list_logons_for_account", INT64_C(1709251200) * 1000000,
             INT64_C(1709337600) * 1000000,
             KV("account_name=bob\" OR user=\"*", "event_codes=4624,x y")),
         "search index=* sourcetype=\"WinEventLog:Security\" EventCode IN "
         "(4624,\"x y\") user=\"bob\\\" OR user=\\\"*\" "
         "timeformat=\"%Y-%m-%d %H:%M:%S.%6N\" earliest=\"2024-03-01 "
         "00:00:00.000000\" latest=\"2024-03-02 00:00:00.000000\" | head 100",
         "SPL: a value in \"...\" is escaped; lists are comma-joined");
  is_str(expand("splunk.list_logons_for_account", KV("user=a\nb")),
         "ERROR: query splunk.Authentication.list_logons_for_account: "
         "parameter 'user' cannot be placed in a string of the SPL query: "
         "it holds control character 0x0a, which an SPL string cannot carry",
         "SPL: line breaks are refused");
}

static void
test_quote(void)
{
  hk_buf b = HK_BUF_INIT;
  hk_error err;
  static const struct {
    int lang;
    const char *in, *out;
  } Q[] = {{HK_QL_KQL, "a\"b\\c'd\n", "\"a\\\"b\\\\c'd\\n\""},
           {HK_QL_SPL, "a\"b\\c'd", "\"a\\\"b\\\\c'd\""},
           {HK_QL_WHERE, "a\"b\\c\x02\xc3\xa9", "\"a\\\"b\\\\c\\x02\xc3\xa9\""},
           {HK_QL_ODATA, "O'Brien", "'O''Brien'"},
           {HK_QL_TEXT, "a'\"\x02", "\"a'\\\"\\u0002\""}};
  for (size_t i = 0; i < sizeof Q / sizeof Q[0]; i++) {
    hk_buf_reset(&b);
    hk_error_clear(&err);
    ok(hk_query_quote(Q[i].lang, Q[i].in, &b, &err) == HK_OK, "quote %s",
       hk_qlang_name(Q[i].lang));
    hk_buf_append_char(&b, '\0');
    is_str(b.data, Q[i].out, "%s literal", hk_qlang_name(Q[i].lang));
  }
  hk_buf_free(&b);
}

/* A file written here: OData, and the where language's places. */
static void
test_other_languages(const char *dir)
{
  hk_error err;
  write_file(pathf("%s/odata.yaml", dir),
             "metadata:\n"
             "  version: 1\n"
             "  description: OData test\n"
             "  data_environments: [SecurityGraph]\n"
             "  data_families: [SecurityGraphAlert]\n"
             "sources:\n"
             "  alerts_by_title:\n"
             "    description: Alerts by title\n"
             "    args:\n"
             "      query: \"{path}?$filter=title eq '{title}' and "
             "createdDateTime ge {start}\"\n"
             "    parameters:\n"
             "      path: {description: Path, type: str, default: "
             "/security/alerts}\n"
             "      title: {description: Title, type: str}\n"
             "      start: {description: Start, type: datetime}\n");
  write_file(pathf("%s/places.yaml", dir),
             "metadata:\n"
             "  version: 1\n"
             "  description: where places\n"
             "  data_environments: [file]\n"
             "  data_families: [Test]\n"
             "sources:\n"
             "  places:\n"
             "    description: every place of the where language\n"
             "    args:\n"
             "      reader: auditd\n"
             "      path: '{path}'\n"
             "      time_column: '{tc}'\n"
             "      query: >-\n"
             "        `{col}` == '{sq}' and [{br}] == @\"{vb}\"\n"
             "        and t >= datetime({when}) and t < {when}\n"
             "        and n in ({ids}) and s in {names}\n"
             "    parameters:\n"
             "      path: {description: Files, type: list}\n"
             "      tc: {description: Time column, type: str, default: ''}\n"
             "      col: {description: Column, type: str}\n"
             "      sq: {description: Single, type: str}\n"
             "      br: {description: Bracket, type: str}\n"
             "      vb: {description: Verbatim, type: str}\n"
             "      when: {description: Time, type: datetime}\n"
             "      ids: {description: Ids, type: list}\n"
             "      names: {description: Names, type: list}\n"
             "  list_in_string:\n"
             "    description: a list inside a string literal\n"
             "    args:\n"
             "      query: 'q == \"IN ({items})\"'\n"
             "    parameters:\n"
             "      items: {description: Items, type: list}\n");
  hk_error_clear(&err);
  is_int(hk_querylib_add_file(lib, pathf("%s/odata.yaml", dir), &err), HK_OK,
         "an OData file loads");
  is_int(hk_querylib_add_file(lib, pathf("%s/places.yaml", dir), &err), HK_OK,
         "a file query loads");
  is_str(expand("msgraph.alerts_by_title", KV("title=O'Brien's", "start=0")),
         "/security/alerts?$filter=title eq 'O''Brien''s' and createdDateTime "
         "ge 2024-03-04T05:06:07Z",
         "OData: '' doubles a quote");
  is_str(expand("file.places",
                KV("path=a.json,b.json", "col=a`b", "sq=it's", "br=x]y",
                   "vb=C:\\\"q\"", "when=2024-03-04T05:06:07.5Z",
                   "ids=1, -2, 3.5", "names=a,b c")),
         "`a``b` == 'it\\'s' and [x]]y] == @\"C:\\\"\"q\"\"\" and t >= "
         "datetime(\"2024-03-04T05:06:07.500000Z\") and t < "
         "datetime(\"2024-03-04T05:06:07.500000Z\") and n in (1, -2, 3.5) "
         "and s in (\"a\", \"b c\")",
         "where: column names, strings, verbatim, datetimes, lists");
  is_str(expand("file.list_in_string", KV("items=a,it's,42")),
         "q == \"IN ('a', 'it\\\\'s', 42)\"",
         "a list inside a string: MSTICPy's 'a', 'b' form, then escaped");
  {
    const hk_qentry *e = hk_querylib_find(lib, "file.places", &err);
    const char *keys[] = {"path", "col",  "sq",  "br",
                          "vb",   "when", "ids", "names"};
    const char *vals[] = {"a.json, b.json", "c", "s", "b", "v", "0", "1", "x"};
    hk_qargs a = {keys, vals, 8, NOW - DAY, HK_TIME_MAX, NOW};
    hk_qplan plan;
    ok(e && hk_query_expand(e, &a, &plan, &err) == HK_OK, "file plan");
    is_str(plan.provider, "auditd", "args.reader names the provider");
    ok(plan.file_query, "it is a file query");
    is_int(plan.n_opts, 1, "one option: time_column is empty and left out");
    is_str(plan.opt_keys[0], "path", "option path");
    is_str(plan.opt_values[0], "a.json,b.json",
           "an option value is plain text (a list joined by commas)");
    ok(plan.start_us == NOW - DAY && plan.end_us == HK_TIME_MAX,
       "the run's range is the provider's window");
    hk_qplan_clear(&plan);
  }
}

static void
test_time_window(void)
{
  hk_error err;
  const hk_qentry *e;
  hk_qplan plan;
  const char *keys[] = {"host_name"}, *vals[] = {"x"};
  hk_qargs a = {keys, vals, 1, HK_TIME_MIN, HK_TIME_MAX, NOW};
  hk_error_clear(&err);
  e = hk_querylib_find(lib, "loganalytics.list_host_processes", &err);
  ok(hk_query_expand(e, &a, &plan, &err) == HK_OK, "no time range");
  ok(plan.default_time && plan.start_us == HK_TIME_MIN &&
         plan.end_us == HK_TIME_MAX,
     "MSTICPy's default window fills start/end; the provider gets none");
  is_str(plan.provider, "loganalytics", "the provider of a KQL query");
  ok(!plan.file_query && plan.n_opts == 0, "no options");
  hk_qplan_clear(&plan);
  a.start_us = NOW - 7 * DAY;
  a.end_us = NOW;
  ok(hk_query_expand(e, &a, &plan, &err) == HK_OK, "a time range");
  ok(!plan.default_time && plan.start_us == NOW - 7 * DAY && plan.end_us == NOW,
     "--from/--to are the query's start and end");
  hk_qplan_clear(&plan);
}

static void
test_problems(void)
{
  hk_querylib *bad = hk_querylib_new();
  hk_error err;
  static const char *const want[] = {
      SRC "/tests/data/queries/bad/bad_source.yaml:24: "
          "sources.unknown_type.parameters.host: unknown type 'hostname' "
          "(expected str, int, float, datetime, list or bool) (query skipped)",
      SRC "/tests/data/queries/bad/bad_source.yaml:28: "
          "sources.undefined_placeholder.args.query: placeholder {host_name} "
          "has no parameter definition (add it under "
          "sources.undefined_placeholder.parameters or defaults.parameters) "
          "(query skipped)",
      SRC "/tests/data/queries/bad/bad_source.yaml:35: "
          "sources.missing_type.parameters.host: missing 'type' (str, int, "
          "float, datetime, list or bool) (query skipped)",
      SRC "/tests/data/queries/bad/bad_source.yaml:44: "
          "sources.bad_int_default.parameters.n: default 'many' is not an "
          "integer (type int) (query skipped)",
      SRC "/tests/data/queries/bad/bad_source.yaml:48: "
          "sources.no_query.args.query: missing: every source needs "
          "args.query (the query template) (query skipped)",
      SRC "/tests/data/queries/bad/no_sources.yaml:1: sources: missing or "
          "empty (a mapping of query names to their description, args.query "
          "and parameters)",
      SRC "/tests/data/queries/bad/syntax.yaml:5: YAML syntax error: did not "
          "find expected ',' or ']' while parsing a flow sequence"};
  hk_error_clear(&err);
  is_int(hk_querylib_add_dir(bad, SRC "/tests/data/queries/bad", &err), HK_OK,
         "a directory with bad files loads what it can");
  is_int(hk_querylib_count(bad), 1, "the one good source");
  is_str(hk_querylib_at(bad, 0)->name, "loganalytics.Broken.good_one",
         "its name");
  is_int(hk_querylib_problem_count(bad), 7, "7 problems");
  for (size_t i = 0; i < 7; i++)
    is_str(hk_querylib_problem(bad, i), want[i], "problem %zu", i);
  hk_error_clear(&err);
  is_int(hk_querylib_add_dir(bad, "/nonexistent/queries", &err), HK_E_NOTFOUND,
         "a missing directory");
  is_str(err.msg,
         "query directory '/nonexistent/queries' does not exist or is not a "
         "directory",
         "says so");
  hk_error_clear(&err);
  is_int(hk_querylib_add_file(bad, SRC "/tests/data/queries/bad/syntax.yaml",
                              &err),
         HK_E_CONFIG, "add_file returns a file's error");
  hk_querylib_free(bad);
}

static int
no_placeholder(void *ud, const char *name, size_t len, size_t offset)
{
  (void)ud;
  (void)name;
  (void)len;
  (void)offset;
  return HK_OK;
}

static void
test_template_scan(void)
{
  hk_error err;
  hk_error_clear(&err);
  is_int(hk_query_template_scan("a\n{b} } c", no_placeholder, NULL, &err),
         HK_E_CONFIG, "a single }");
  is_str(err.msg,
         "line 2 of the template: single '}' (write }} for a literal brace)",
         "named with its line");
  is_int(hk_query_template_scan("x {a:>10}", no_placeholder, NULL, &err),
         HK_E_CONFIG, "a format spec");
  is_str(err.msg,
         "line 1 of the template: '{a:>10}' is not a placeholder huntkit "
         "supports (write {name}, or {{ for a literal brace)",
         "format specs are refused");
  is_int(hk_query_template_scan("{{x}} {y_1}", no_placeholder, NULL, &err),
         HK_OK, "escaped braces and a name");
}

static void
test_shipped(void)
{
  hk_querylib *q = hk_querylib_new();
  hk_error err;
  size_t n_file = 0;
  hk_error_clear(&err);
  is_int(hk_querylib_add_dir(q, SRC "/queries", &err), HK_OK,
         "the shipped queries load");
  is_int(hk_querylib_problem_count(q), 0, "without problems");
  for (size_t i = 0; i < hk_querylib_count(q); i++) {
    const hk_qentry *e = hk_querylib_at(q, i);
    n_file += strcmp(e->provider, "file") == 0;
    ok(e->src->description && strlen(e->src->description) >= 5,
       "%s has a description", e->name);
  }
  is_int(n_file, 29, "29 file queries");
  hk_querylib_free(q);
}

int
main(void)
{
  char *dir = tmpdir_new();
  plan_lazy();
  lib = hk_querylib_new();
  test_loading();
  test_names();
  test_kql();
  test_errors();
  test_spl();
  test_quote();
  test_other_languages(dir);
  test_time_window();
  test_problems();
  test_template_scan();
  test_shipped();
  hk_querylib_free(lib);
  rm_rf(dir);
  free(dir);
  return done_testing();
}
