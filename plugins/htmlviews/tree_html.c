/*
 * plugins/htmlviews/tree_html.c -- the tree_html renderer: any table with
 * id and parent columns (proctree's proc_key / parent_key by default) as
 * one self-contained page with a collapsible tree, search, hover details
 * and colours by a column.  Included by htmlviews.c.
 */

/* Process name and pid column pairs, most specific first (as tree_text). */
static const char *const hv_name_pid[][2] = {
    {"NewProcessName", "NewProcessId"},
    {"CreatedProcessName", "CreatedProcessId"},
    {"Image", "ProcessId"},
    {"FileName", "ProcessId"},
    {"ImageFileName", "PID"},
    {"exe", "pid"},
    {"Name", "Pid"},
    {"name", "pid"},
    {"process_name", "process_id"}};
static const char *const hv_cmd_cols[] = {"CommandLine",
                                          "CreatedProcessCommandLine",
                                          "ProcessCommandLine", "cmdline"};
/* Hover details when details= is not given: what an analyst asks first. */
static const char *const hv_tree_details[] = {"NewProcessName",
                                              "CreatedProcessName",
                                              "Image",
                                              "FileName",
                                              "ImageFileName",
                                              "exe",
                                              "Name",
                                              "NewProcessId",
                                              "CreatedProcessId",
                                              "ProcessId",
                                              "PID",
                                              "pid",
                                              "Pid",
                                              "CommandLine",
                                              "CreatedProcessCommandLine",
                                              "ProcessCommandLine",
                                              "cmdline",
                                              "TimeGenerated",
                                              "UtcTime",
                                              "TimeCreated",
                                              "ProcessCreationTime",
                                              "CreatedProcessCreationTime",
                                              "CreateTime",
                                              "Timestamp",
                                              "SubjectUserName",
                                              "User",
                                              "AccountName",
                                              "CreatedProcessAccountName",
                                              "acct",
                                              "Username",
                                              "Computer",
                                              "DeviceName",
                                              "ComputerDnsName",
                                              "Hostname",
                                              "Fqdn",
                                              "ParentProcessName",
                                              "ParentImage",
                                              "InitiatingProcessFileName",
                                              "ProcessGuid",
                                              "proc_key"};

#define HV_LABEL_MAX 300
#define HV_MAX_PAIRS 12
#define HV_CMD_MAX 240

/* Parent row of each row (-1: root) by id text; the first row with an id
 * wins; parent cycles are cut where they are first entered. */
static int
hv_link_parents(const hv_table *t, int64_t id_col, int64_t parent_col,
                int64_t *par, int64_t *n_cycles, hk_error *err)
{
  int64_t n = t->n_rows;
  size_t cap = 16;
  while (cap < (size_t)n * 2)
    cap *= 2;
  int64_t *slot = malloc(cap * sizeof *slot);
  uint64_t *hash = malloc(cap * sizeof *hash);
  unsigned char *state = calloc((size_t)n + 1, 1);
  int64_t *path = malloc(((size_t)n + 1) * sizeof *path);
  if (!slot || !hash || !state || !path) {
    free(slot);
    free(hash);
    free(state);
    free(path);
    return hk_error_set(err, HK_E_NOMEM, "tree_html: out of memory");
  }
  for (size_t i = 0; i < cap; i++)
    slot[i] = -1;
  char tmp[128], tmp2[128];
  size_t len, len2;
  for (int64_t r = 0; r < n; r++) {
    par[r] = -1;
    const char *id = hv_cell(t, id_col, r, &len, tmp, sizeof tmp);
    if (!id)
      continue;
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < len; k++)
      h = (h ^ (unsigned char)id[k]) * 1099511628211ULL;
    size_t j = h & (cap - 1);
    int dup = 0;
    for (; slot[j] >= 0; j = (j + 1) & (cap - 1)) {
      const char *o = hv_cell(t, id_col, slot[j], &len2, tmp2, sizeof tmp2);
      if (hash[j] == h && len2 == len && memcmp(o, id, len) == 0) {
        dup = 1;
        break;
      }
    }
    if (!dup) {
      slot[j] = r;
      hash[j] = h;
    }
  }
  for (int64_t r = 0; r < n; r++) {
    const char *p = hv_cell(t, parent_col, r, &len, tmp, sizeof tmp);
    if (!p)
      continue;
    uint64_t h = 1469598103934665603ULL;
    for (size_t k = 0; k < len; k++)
      h = (h ^ (unsigned char)p[k]) * 1099511628211ULL;
    for (size_t j = h & (cap - 1); slot[j] >= 0; j = (j + 1) & (cap - 1)) {
      const char *o = hv_cell(t, id_col, slot[j], &len2, tmp2, sizeof tmp2);
      if (hash[j] == h && len2 == len && memcmp(o, p, len) == 0) {
        if (slot[j] != r)
          par[r] = slot[j];
        break;
      }
    }
  }
  /* cycles: walk up from each row; meeting the current walk again means
   * a cycle, cut at the last link taken (1: on the walk, 2: done) */
  for (int64_t r = 0; r < n; r++) {
    int64_t k = 0, v = r;
    while (v >= 0 && state[v] == 0) {
      state[v] = 1;
      path[k++] = v;
      v = par[v];
    }
    if (v >= 0 && state[v] == 1) {
      par[path[k - 1]] = -1;
      (*n_cycles)++;
    }
    while (k > 0)
      state[path[--k]] = 2;
  }
  free(slot);
  free(hash);
  free(state);
  free(path);
  return HK_OK;
}

/* The file-name part of a Windows or POSIX path. */
static void
hv_basename(const char **s, size_t *n)
{
  for (size_t i = *n; i > 0; i--)
    if ((*s)[i - 1] == '\\' || (*s)[i - 1] == '/') {
      *s += i;
      *n -= i;
      return;
    }
}

/* Append at most `max` bytes of `s`, cut on a code point, with "...". */
static void
hv_append_cut(hk_buf *b, const char *s, size_t n, size_t max)
{
  if (n <= max) {
    hk_buf_append(b, s, n);
    return;
  }
  size_t k = max;
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
    k--;
  hk_buf_append(b, s, k);
  hk_buf_append_str(b, "\xe2\x80\xa6");
}

static int
hv_render_tree(void *state, const hk_config *opt,
               struct ArrowArrayStream *input, const hk_sink *sink,
               hk_error *err)
{
  hv_table t;
  int rc = hv_table_load(&t, state, "tree_html", input,
                         hv_opt_int(opt, "max_rows", 200000), err);
  int64_t *par = NULL, *details = NULL, *label_cols = NULL;
  size_t n_details = 0, n_label = 0;
  json_object *data = NULL;
  hk_buf lb = HK_BUF_INIT;
  if (rc != HK_OK)
    goto done;
  int64_t id_col = -1, par_col = -1, color_col = -1;
  if (t.n_rows == 0) {
    /* nothing to draw, but still a page that says so */
    data = json_object_new_object();
    json_object_object_add(data, "n", json_object_new_int(0));
    json_object_object_add(data, "noun", json_object_new_string("nodes"));
    json_object_object_add(data, "parent", json_object_new_array());
    json_object_object_add(data, "label", json_object_new_array());
    json_object_object_add(data, "synthetic", json_object_new_array());
    json_object_object_add(data, "expand", json_object_new_int(-1));
    goto write;
  }
  const char *id_name = hv_opt_str(opt, "id");
  const char *par_name = hv_opt_str(opt, "parent");
  if ((rc = hv_option_column(&t, "id", id_name ? id_name : "proc_key", &id_col,
                             err)) != HK_OK ||
      (rc = hv_option_column(&t, "parent", par_name ? par_name : "parent_key",
                             &par_col, err)) != HK_OK ||
      (rc = hv_option_column(&t, "color", hv_opt_str(opt, "color"), &color_col,
                             err)) != HK_OK) {
    if (err && (id_col < 0 || par_col < 0)) {
      size_t l = strlen(err->msg);
      snprintf(err->msg + l, sizeof err->msg - l,
               "; build the tree with proctree first, or name the columns "
               "with id= and parent=");
    }
    goto done;
  }
  par = malloc((size_t)t.n_rows * sizeof *par);
  if (!par) {
    rc = hk_error_set(err, HK_E_NOMEM, "tree_html: out of memory");
    goto done;
  }
  int64_t n_cycles = 0;
  if ((rc = hv_link_parents(&t, id_col, par_col, par, &n_cycles, err)) != HK_OK)
    goto done;
  if (n_cycles)
    HK_LOG_WARN(hv_host, t.inst,
                "tree_html: %lld parent cycles cut (a row is its own "
                "ancestor); those rows are shown as roots",
                (long long)n_cycles);

  /* label: label= columns, else "name [pid]" and the command line */
  const char *const *items;
  size_t n_items = hv_opt_list(opt, "label", &items);
  /* a table mixing event types (Security 4688 and Sysmon 1) fills each
   * name/pid pair and command-line column on its own rows: per row, the
   * first one that is not null */
  int64_t name_cols[HV_MAX_PAIRS], pid_cols[HV_MAX_PAIRS];
  int64_t cmd_cols[HV_MAX_PAIRS];
  size_t n_names = 0, n_cmds = 0;
  if (n_items) {
    label_cols = malloc(n_items * sizeof *label_cols);
    if (!label_cols) {
      rc = hk_error_set(err, HK_E_NOMEM, "tree_html: out of memory");
      goto done;
    }
    for (size_t k = 0; k < n_items; k++)
      if ((rc = hv_option_column(&t, "label", items[k], &label_cols[n_label++],
                                 err)) != HK_OK)
        goto done;
  } else {
    for (size_t k = 0; k < sizeof hv_name_pid / sizeof hv_name_pid[0]; k++)
      if ((name_cols[n_names] = hv_column(&t, hv_name_pid[k][0])) >= 0)
        pid_cols[n_names++] = hv_column(&t, hv_name_pid[k][1]);
    for (size_t k = 0; k < sizeof hv_cmd_cols / sizeof hv_cmd_cols[0]; k++)
      if ((cmd_cols[n_cmds] = hv_column(&t, hv_cmd_cols[k])) >= 0)
        n_cmds++;
  }
  if ((rc = hv_detail_columns(&t, opt, hv_tree_details,
                              sizeof hv_tree_details / sizeof *hv_tree_details,
                              &details, &n_details, err)) != HK_OK)
    goto done;
  int64_t synth_col = hv_column(&t, "IsSynthetic");

  /* the command line is usually a hover column too: send it once */
  int64_t cmd_detail = -1;
  for (size_t k = 0; k < n_details && n_cmds == 1; k++)
    if (details[k] == cmd_cols[0])
      cmd_detail = (int64_t)k;
  data = json_object_new_object();
  json_object *jpar = json_object_new_array();
  json_object *jlabel = json_object_new_array();
  json_object *jcmd =
      n_cmds > 0 && cmd_detail < 0 ? json_object_new_array() : NULL;
  json_object *jsyn = json_object_new_array();
  char tmp[128];
  size_t len;
  for (int64_t r = 0; r < t.n_rows; r++) {
    json_object_array_add(jpar, json_object_new_int64(par[r]));
    hk_buf_reset(&lb);
    if (n_label) {
      for (size_t k = 0; k < n_label; k++) {
        const char *s = hv_cell(&t, label_cols[k], r, &len, tmp, sizeof tmp);
        if (k)
          hk_buf_append_char(&lb, ' ');
        hv_append_cut(&lb, s ? s : "", len, HV_LABEL_MAX);
      }
    } else {
      const char *s = NULL;
      size_t pair = 0;
      for (; pair < n_names && !s; pair++)
        s = hv_cell(&t, name_cols[pair], r, &len, tmp, sizeof tmp);
      int64_t pid_col = s ? pid_cols[pair - 1] : -1;
      if (!s)
        s = hv_cell(&t, id_col, r, &len, tmp, sizeof tmp);
      else
        hv_basename(&s, &len);
      hv_append_cut(&lb, s ? s : "?", s ? len : 1, HV_LABEL_MAX);
      s = hv_cell(&t, pid_col, r, &len, tmp, sizeof tmp);
      if (s) {
        hk_buf_append_str(&lb, " [");
        hv_append_cut(&lb, s, len, 40);
        hk_buf_append_char(&lb, ']');
      }
    }
    json_object_array_add(jlabel, json_object_new_string_len(
                                      lb.data ? lb.data : "", (int)lb.len));
    if (jcmd) {
      const char *s = NULL;
      for (size_t k = 0; k < n_cmds && !s; k++)
        s = hv_cell(&t, cmd_cols[k], r, &len, tmp, sizeof tmp);
      hk_buf_reset(&lb);
      if (s)
        hv_append_cut(&lb, s, len, HV_CMD_MAX);
      json_object_array_add(jcmd, s ? json_object_new_string_len(
                                          lb.data ? lb.data : "", (int)lb.len)
                                    : NULL);
    }
    if (hv_cell_bool(&t, synth_col, r))
      json_object_array_add(jsyn, json_object_new_int64(r));
  }
  json_object_object_add(data, "n", json_object_new_int64(t.n_rows));
  json_object_object_add(
      data, "noun",
      json_object_new_string(hv_column(&t, "proc_key") == id_col ? "processes"
                                                                 : "nodes"));
  json_object_object_add(data, "parent", jpar);
  json_object_object_add(data, "label", jlabel);
  if (jcmd)
    json_object_object_add(data, "cmd", jcmd);
  json_object_object_add(data, "cmd_detail", json_object_new_int64(cmd_detail));
  json_object_object_add(data, "synthetic", jsyn);
  json_object_object_add(
      data, "details",
      hv_json_details(&t, details, n_details, NULL, t.n_rows,
                      (size_t)hv_opt_int(opt, "max_cell", 4000)));
  json_object_object_add(data, "expand",
                         json_object_new_int64(hv_opt_int(opt, "expand", -1)));
  if (color_col >= 0) {
    /* categories in order of first appearance; null is -1 */
    json_object *jc = json_object_new_object(), *keys = json_object_new_array();
    json_object *of = json_object_new_array();
    int64_t n_keys = 0;
    char **key_text = NULL;
    size_t *key_len = NULL;
    for (int64_t r = 0; r < t.n_rows; r++) {
      const char *s = hv_cell(&t, color_col, r, &len, tmp, sizeof tmp);
      int64_t k = -1;
      for (int64_t q = 0; s && q < n_keys && k < 0; q++)
        if (key_len[q] == len && memcmp(key_text[q], s, len) == 0)
          k = q;
      if (s && k < 0 && n_keys < 200) {
        char **nt = realloc(key_text, (size_t)(n_keys + 1) * sizeof *nt);
        size_t *nl =
            nt ? realloc(key_len, (size_t)(n_keys + 1) * sizeof *nl) : NULL;
        if (nt)
          key_text = nt;
        if (nl)
          key_len = nl;
        char *copy = nl ? malloc(len + 1) : NULL;
        if (copy) {
          memcpy(copy, s, len);
          copy[len] = '\0';
          key_text[n_keys] = copy;
          key_len[n_keys] = len;
          json_object_array_add(keys, json_object_new_string_len(s, (int)len));
          k = n_keys++;
        }
      } else if (s && k < 0) {
        k = 200; /* "other" */
      }
      json_object_array_add(of, json_object_new_int64(k));
    }
    if (n_keys == 200)
      json_object_array_add(keys, json_object_new_string("(other values)"));
    for (int64_t q = 0; q < n_keys; q++)
      free(key_text[q]);
    free(key_text);
    free(key_len);
    json_object_object_add(
        jc, "column", json_object_new_string(hv_column_name(&t, color_col)));
    json_object_object_add(jc, "keys", keys);
    json_object_object_add(jc, "of", of);
    json_object_object_add(data, "color", jc);
  }
write:;
  const char *title = hv_opt_str(opt, "title");
  rc = hv_write_page(sink, title ? title : "Process tree", hv_asset_tree_css,
                     hv_asset_tree_html, data, hv_asset_tree_js, err,
                     "tree_html");
done:
  json_object_put(data);
  hk_buf_free(&lb);
  free(par);
  free(details);
  free(label_cols);
  hv_table_free(&t);
  return rc;
}
