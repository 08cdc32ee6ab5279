/*
 * plugins/proctree/schema.c -- the process-event schemas proctree knows
 * (MSTICPy's ProcSchema set plus Velociraptor and Volatility lists), and
 * matching them to a table's columns.  Included by proctree.c.
 *
 * Each field lists candidate column names, tried in order, exact name
 * first and then ignoring case.
 */

typedef struct pt_schema_def {
  const char *name;
  int link; /* enum pt_link_mode (sysmon falls back to as-of without GUIDs) */
  const char *f[PT_LEVELS][PT_FIELDS];
  const char *host;
  const char *event_col;
  const char *event_value;
  int basename_names;
  int match_parent_name;
} pt_schema_def;

#define PT_WIN_TIME                                                            \
  "TimeGenerated|TimeCreated|TimeCreatedUtc|EventTime|@timestamp"
#define PT_WIN_HOST "Computer|Hostname|HostName|DeviceName"

static const pt_schema_def pt_schemas[PT_S_COUNT] = {
    [PT_S_WIN4688] =
        {"win4688",
         PT_LINK_ASOF,
         {[PT_LV_SELF] = {[PT_F_NAME] = "NewProcessName",
                          [PT_F_PID] = "NewProcessId",
                          [PT_F_TIME] = PT_WIN_TIME,
                          [PT_F_CMD] = "CommandLine"},
          [PT_LV_PARENT] =
              {[PT_F_NAME] = "ParentProcessName", [PT_F_PID] = "ProcessId"}},
         PT_WIN_HOST,
         "EventID",
         "4688",
         0,
         1},
    [PT_S_SYSMON] = {"sysmon",
                     PT_LINK_GUID,
                     {[PT_LV_SELF] = {[PT_F_NAME] = "Image",
                                      [PT_F_PID] = "ProcessId",
                                      [PT_F_TIME] = "UtcTime|" PT_WIN_TIME,
                                      [PT_F_CMD] = "CommandLine",
                                      [PT_F_GUID] = "ProcessGuid"},
                      [PT_LV_PARENT] = {[PT_F_NAME] = "ParentImage",
                                        [PT_F_PID] = "ParentProcessId",
                                        [PT_F_CMD] = "ParentCommandLine",
                                        [PT_F_GUID] = "ParentProcessGuid"}},
                     PT_WIN_HOST,
                     "EventID",
                     "1",
                     0,
                     1},
    [PT_S_MDE] =
        {"mde",
         PT_LINK_EXACT,
         {[PT_LV_SELF] = {[PT_F_NAME] = "FileName",
                          [PT_F_PID] = "ProcessId",
                          [PT_F_TIME] = "ProcessCreationTime|Timestamp",
                          [PT_F_CMD] = "ProcessCommandLine"},
          [PT_LV_PARENT] = {[PT_F_NAME] = "InitiatingProcessFileName",
                            [PT_F_PID] = "InitiatingProcessId",
                            [PT_F_TIME] = "InitiatingProcessCreationTime",
                            [PT_F_CMD] = "InitiatingProcessCommandLine"},
          [PT_LV_GRAND] = {[PT_F_NAME] = "InitiatingProcessParentFileName",
                           [PT_F_PID] = "InitiatingProcessParentId",
                           [PT_F_TIME] =
                               "InitiatingProcessParentCreationTime"}},
         "DeviceName|Computer",
         "ActionType",
         "ProcessCreated",
         1,
         1},
    [PT_S_MDE_INTERNAL] =
        {"mde_internal",
         PT_LINK_EXACT,
         {[PT_LV_SELF] = {[PT_F_NAME] = "CreatedProcessName",
                          [PT_F_PID] = "CreatedProcessId",
                          [PT_F_TIME] = "CreatedProcessCreationTime",
                          [PT_F_CMD] = "CreatedProcessCommandLine"},
          [PT_LV_PARENT] = {[PT_F_NAME] = "InitiatingProcessName",
                            [PT_F_PID] = "InitiatingProcessId",
                            [PT_F_TIME] = "InitiatingProcessCreationTime",
                            [PT_F_CMD] = "InitiatingProcessCommandLine"},
          [PT_LV_GRAND] = {[PT_F_NAME] = "InitiatingProcessParentProcessName",
                           [PT_F_PID] = "InitiatingProcessParentProcessId",
                           [PT_F_TIME] =
                               "InitiatingProcessParentCreationTime"}},
         "ComputerDnsName|DeviceName",
         NULL,
         NULL,
         1,
         1},
    [PT_S_AUDITD] = {"auditd",
                     PT_LINK_ASOF,
                     {[PT_LV_SELF] = {[PT_F_NAME] = "exe",
                                      [PT_F_PID] = "pid",
                                      [PT_F_TIME] = "TimeGenerated|time",
                                      [PT_F_CMD] = "cmdline"},
                      [PT_LV_PARENT] = {[PT_F_PID] = "ppid"}},
                     "Computer|node|hostname",
                     "EventType",
                     "SYSCALL_EXECVE",
                     0,
                     0},
    [PT_S_VELOCIRAPTOR] = {"velociraptor",
                           PT_LINK_ASOF,
                           {[PT_LV_SELF] = {[PT_F_NAME] = "Name",
                                            [PT_F_PID] = "Pid",
                                            [PT_F_TIME] =
                                                "CreateTime|StartTime",
                                            [PT_F_CMD] = "CommandLine"},
                            [PT_LV_PARENT] = {[PT_F_PID] = "Ppid"}},
                           "Fqdn|Hostname|ClientId",
                           NULL,
                           NULL,
                           0,
                           0},
    [PT_S_MINIMAL] =
        {"minimal",
         PT_LINK_ASOF,
         {[PT_LV_SELF] =
              {[PT_F_NAME] = "ImageFileName|ProcessName|process_name|name|Name",
               [PT_F_PID] = "PID|pid|process_id|ProcessId",
               [PT_F_TIME] =
                   "CreateTime|time|timestamp|TimeGenerated|StartTime",
               [PT_F_CMD] = "CommandLine|cmdline|Cmd|Args"},
          [PT_LV_PARENT] =
              {[PT_F_PID] = "PPID|ppid|parent_id|ParentProcessId|ParentPid"}},
         "Computer|Hostname|host",
         NULL,
         NULL,
         0,
         0},
};

static const char *const pt_field_label[PT_FIELDS] = {"name", "pid", "time",
                                                      "cmdline", "guid"};

/* Column of the first candidate in "A|B|C" present in the view; exact
 * names first, then ignoring case.  *exact tells which matched. */
static int64_t
pt_find_column(const hk_batch_view *v, const char *cands, int *exact)
{
  if (!cands)
    return -1;
  for (int pass = 0; pass < 2; pass++) {
    const char *p = cands;
    while (*p) {
      const char *e = strchr(p, '|');
      size_t n = e ? (size_t)(e - p) : strlen(p);
      for (int64_t c = 0; c < v->columns; c++) {
        const char *name = hk_batch_view_column_name(v, c);
        if (!name || strlen(name) != n)
          continue;
        if (pass == 0 ? memcmp(name, p, n) == 0 : pt_eq_ci(name, n, p, n)) {
          if (exact)
            *exact = pass == 0;
          return c;
        }
      }
      p += n + (e ? 1 : 0);
    }
  }
  return -1;
}

/* Required: the process name, its pid and the parent pid. */
static int
pt_schema_fits(const hk_batch_view *v, const pt_schema_def *s, int *score)
{
  int total = 0, exact = 0;
  static const int need[][2] = {{PT_LV_SELF, PT_F_NAME},
                                {PT_LV_SELF, PT_F_PID},
                                {PT_LV_PARENT, PT_F_PID}};
  for (size_t k = 0; k < sizeof need / sizeof need[0]; k++)
    if (pt_find_column(v, s->f[need[k][0]][need[k][1]], NULL) < 0)
      return 0;
  for (int l = 0; l < PT_LEVELS; l++)
    for (int f = 0; f < PT_FIELDS; f++)
      if (pt_find_column(v, s->f[l][f], &exact) >= 0)
        total += exact ? 2 : 1;
  if (pt_find_column(v, s->host, &exact) >= 0)
    total += exact ? 2 : 1;
  if (s->event_col && pt_find_column(v, s->event_col, &exact) >= 0)
    total += exact ? 2 : 1;
  *score = total;
  return 1;
}

static int
pt_schema_by_name(const char *name)
{
  for (int i = 0; i < PT_S_COUNT; i++)
    if (strcmp(pt_schemas[i].name, name) == 0)
      return i;
  return -1;
}

/* The error for "no schema fits": which columns were looked for, and
 * which the table has. */
static int
pt_schema_error(const hk_batch_view *v, const char *named, hk_error *err)
{
  hk_buf b = HK_BUF_INIT;
  if (named)
    hk_buf_appendf(&b,
                   "proctree: the input does not fit schema=%s: it needs "
                   "columns ",
                   named);
  else
    hk_buf_append_str(&b, "proctree: cannot tell the process schema from the "
                          "columns; looked for ");
  for (int i = 0; i < PT_S_COUNT; i++) {
    const pt_schema_def *s = &pt_schemas[i];
    if (named && strcmp(named, s->name) != 0)
      continue;
    hk_buf_appendf(&b, "%s%s (%s, %s, %s)", i && !named ? "; " : "", s->name,
                   s->f[0][PT_F_NAME], s->f[0][PT_F_PID], s->f[1][PT_F_PID]);
  }
  hk_buf_append_str(&b, "; the table has: ");
  for (int64_t c = 0; c < v->columns && c < 24; c++)
    hk_buf_appendf(&b, "%s%s", c ? ", " : "", hk_batch_view_column_name(v, c));
  if (v->columns > 24)
    hk_buf_appendf(&b, ", ... (%lld columns)", (long long)v->columns);
  hk_buf_append_str(&b, ". Name the schema with schema=... or the columns "
                        "with name_column=, pid_column=, ppid_column=");
  hk_error_set(err, HK_E_INVAL, "%s", b.data ? b.data : "proctree: no schema");
  hk_buf_free(&b);
  return HK_E_INVAL;
}

/* Column override options (name_column=...): their value must be a column
 * of the table. */
static int
pt_override(const hk_host *host, const hk_config *opt, const hk_batch_view *v,
            const char *key, int64_t *slot, hk_error *err)
{
  if (!opt || !host->config_is_set(opt, key))
    return HK_OK;
  const char *name = host->config_get_string(opt, key);
  if (name && strcmp(name, "none") == 0) {
    *slot = -1;
    return HK_OK;
  }
  int64_t c = name ? hk_batch_view_column_index(v, name) : -1;
  if (c < 0)
    return hk_error_set(err, HK_E_NOTFOUND,
                        "proctree: %s=%s: no such column in the input", key,
                        name ? name : "");
  *slot = c;
  return HK_OK;
}

/* Resolve the schema for the table whose first batch is `v`.  `named` is
 * the schema option ("auto" to infer). */
static int
pt_resolve_schema(const hk_host *host, const hk_config *opt,
                  const hk_batch_view *v, const char *named, pt_cols *out,
                  hk_error *err)
{
  int id = -1, any_override = 0;
  static const char *const over[] = {"name_column", "pid_column", "ppid_column",
                                     "parent_name_column", "time_column"};
  for (size_t k = 0; opt && k < sizeof over / sizeof over[0]; k++)
    any_override |= host->config_is_set(opt, over[k]);
  if (named && strcmp(named, "auto") != 0) {
    id = pt_schema_by_name(named);
    int score;
    if (id < 0 ||
        (!any_override && !pt_schema_fits(v, &pt_schemas[id], &score)))
      return pt_schema_error(v, named, err);
  } else {
    int best = -1;
    for (int i = 0; i < PT_S_COUNT; i++) {
      int score;
      if (pt_schema_fits(v, &pt_schemas[i], &score) && score > best) {
        best = score;
        id = i;
      }
    }
    if (id < 0 && any_override)
      id = PT_S_MINIMAL;
    if (id < 0)
      return pt_schema_error(v, NULL, err);
  }
  const pt_schema_def *s = &pt_schemas[id];
  memset(out, 0, sizeof *out);
  out->schema = id;
  for (int l = 0; l < PT_LEVELS; l++)
    for (int f = 0; f < PT_FIELDS; f++)
      out->col[l][f] = pt_find_column(v, s->f[l][f], NULL);
  out->host = pt_find_column(v, s->host, NULL);
  out->event = s->event_col ? pt_find_column(v, s->event_col, NULL) : -1;
  out->event_value = s->event_value;
  out->basename_names = s->basename_names;
  out->link = s->link;
  int rc = HK_OK;
  if (rc == HK_OK)
    rc = pt_override(host, opt, v, "name_column", &out->col[0][PT_F_NAME], err);
  if (rc == HK_OK)
    rc = pt_override(host, opt, v, "pid_column", &out->col[0][PT_F_PID], err);
  if (rc == HK_OK)
    rc = pt_override(host, opt, v, "ppid_column", &out->col[1][PT_F_PID], err);
  if (rc == HK_OK)
    rc = pt_override(host, opt, v, "parent_name_column",
                     &out->col[1][PT_F_NAME], err);
  if (rc == HK_OK)
    rc = pt_override(host, opt, v, "time_column", &out->col[0][PT_F_TIME], err);
  if (rc == HK_OK)
    rc = pt_override(host, opt, v, "host_column", &out->host, err);
  if (rc != HK_OK)
    return rc;
  if (out->col[0][PT_F_PID] < 0 || out->col[1][PT_F_PID] < 0)
    return pt_schema_error(v, s->name, err);
  out->match_parent_name = s->match_parent_name && out->col[1][PT_F_NAME] >= 0;
  if (out->link == PT_LINK_GUID &&
      (out->col[0][PT_F_GUID] < 0 || out->col[1][PT_F_GUID] < 0))
    out->link = PT_LINK_ASOF;
  if (out->link == PT_LINK_EXACT &&
      (out->col[0][PT_F_TIME] < 0 || out->col[1][PT_F_TIME] < 0))
    out->link = PT_LINK_ASOF;
  if (host->log_enabled(NULL, HK_LOG_DEBUG)) {
    for (int f = 0; f < PT_FIELDS; f++)
      if (out->col[0][f] >= 0)
        host->log(NULL, HK_LOG_DEBUG, "proctree: schema %s: %s = %s", s->name,
                  pt_field_label[f],
                  hk_batch_view_column_name(v, out->col[0][f]));
  }
  return HK_OK;
}
