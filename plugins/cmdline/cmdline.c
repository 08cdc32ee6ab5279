/*
 * plugins/cmdline/cmdline.c -- the cmdline analyzer: risky command lines
 * (MSTICPy's risky_cmd_line, reference §17.2) from a YAML rule file, also
 * over base64 payloads decoded inside the text.  One output row per
 * (input row, column, rule, decoded layer) hit.  Streams: input rows are
 * checked as they arrive and output batches are bounded.
 */
#include <huntkit/analyzer.h>
#include <huntkit/buf.h>
#include <huntkit/host.h>
#include <huntkit/plugin.h>
#include <huntkit/table.h>

#include "cmd_rules.c"
/* after cmd_rules.c, whose types it uses */
#include "cmd_scan.c"

static const hk_host *cmd_host;

#define CMD_BATCH_ROWS 4096
#define CMD_BATCH_BYTES (8u << 20)
/* Rule give-ups reported one by one before they are only counted. */
#define CMD_MAX_LIMIT_WARNINGS 10

/* Where the rules come from when neither the run nor the instance names
 * a file: the installed copy, then (for an uninstalled build) the source
 * tree's. */
static const char *const cmd_default_rule_files[] = {PKGDATADIR
                                                     "/conf/cmdline_rules.yaml",
#ifdef HK_CMDLINE_SRC_RULES
                                                     HK_CMDLINE_SRC_RULES,
#endif
                                                     NULL};

enum {
  OUT_SOURCE_INDEX,
  OUT_COLUMN,
  OUT_RULE_ID,
  OUT_RULE,
  OUT_TECHNIQUES,
  OUT_SEVERITY,
  OUT_MATCH,
  OUT_OFFSET,
  OUT_DECODED,
  OUT_DECODED_TEXT,
  OUT_DESCRIPTION,
  OUT_INPUT,
  OUT_NFIXED
};

static const char *const cmd_out_names[OUT_NFIXED] = {
    "SourceIndex", "Column",      "RuleId",      "Rule",
    "Techniques",  "Severity",    "Match",       "Offset",
    "Decoded",     "DecodedText", "Description", "Input"};
static const int cmd_out_types[OUT_NFIXED] = {
    HK_COL_INT64, HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8,
    HK_COL_UTF8,  HK_COL_UTF8, HK_COL_UTF8, HK_COL_INT64,
    HK_COL_BOOL,  HK_COL_UTF8, HK_COL_UTF8, HK_COL_UTF8};

typedef struct cmd_state {
  const hk_instance *inst;
  char *rules_path; /* from the instance config, or NULL */
} cmd_state;

typedef struct cmd_run {
  const hk_instance *inst;
  cmd_rules rules;
  cmd_scanner sc;
  hk_row_cursor cur;
  size_t ncols;
  const char *const *col_names; /* borrowed from the options */
  int64_t *col_index;
  size_t nkeep;
  const char *const *keep_names;
  int64_t *keep_index;
  int *keep_type;
  size_t max_match_len;
  hk_table_builder *out;
  hk_buf cell;
  hk_buf match;
  int64_t limit_events; /* rule matches that gave up */
  int64_t match_limit;
  int summary_done;
} cmd_run;

static void
cmd_destroy(void *state)
{
  cmd_state *st = state;
  if (!st)
    return;
  free(st->rules_path);
  free(st);
}

static int
cmd_create(const hk_instance *inst, const hk_config *cfg, void **state,
           hk_error *err)
{
  cmd_state *st = calloc(1, sizeof *st);
  const char *path = cfg ? cmd_host->config_get_string(cfg, "rules") : NULL;
  if (!st)
    return hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
  st->inst = inst;
  if (path && *path) {
    /* Load once now so that a broken rule file is refused when the
     * instance is configured rather than in the middle of a hunt. */
    cmd_rules rs;
    char msg[HK_ERROR_MSG_MAX - 32];
    int rc = cmd_rules_load_file(&rs, path, msg, sizeof msg);
    if (rc != HK_OK) {
      free(st);
      return hk_error_set(err, rc == HK_E_NOMEM ? HK_E_NOMEM : HK_E_CONFIG,
                          "cmdline: rules: %s", msg);
    }
    cmd_rules_free(&rs);
    if (!(st->rules_path = strdup(path))) {
      free(st);
      return hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
    }
  }
  *state = st;
  return HK_OK;
}

static void
cmd_run_free(void *ud)
{
  cmd_run *r = ud;
  if (!r)
    return;
  hk_row_cursor_release(&r->cur);
  hk_table_builder_free(r->out);
  cmd_scanner_free(&r->sc);
  cmd_rules_free(&r->rules);
  free(r->col_index);
  free(r->keep_index);
  free(r->keep_type);
  hk_buf_free(&r->cell);
  hk_buf_free(&r->match);
  free(r);
}

static int
cmd_out_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  cmd_run *r = ud;
  return hk_table_builder_export_schema(r->out, out, err);
}

/* The cell as text (formatted when it is not utf8); NULL for null. */
static const char *
cmd_cell_text(cmd_run *r, int64_t col, int64_t row, size_t *len)
{
  size_t need;
  if (hk_batch_view_is_null(&r->cur.view, col, row))
    return NULL;
  if (hk_batch_view_column_type(&r->cur.view, col) == HK_COL_UTF8)
    return hk_batch_view_utf8(&r->cur.view, col, row, len);
  hk_buf_reset(&r->cell);
  if (hk_buf_reserve(&r->cell, 64) != HK_OK)
    return NULL;
  need = hk_batch_view_format_cell(&r->cur.view, col, row, r->cell.data,
                                   r->cell.cap);
  if (need >= r->cell.cap) {
    if (hk_buf_reserve(&r->cell, need + 1) != HK_OK)
      return NULL;
    hk_batch_view_format_cell(&r->cur.view, col, row, r->cell.data,
                              r->cell.cap);
  }
  *len = need;
  return r->cell.data;
}

static int
cmd_copy_cell(hk_table_builder *b, size_t out, const hk_batch_view *v,
              int64_t col, int type, int64_t row)
{
  size_t len;
  const char *s;
  if (hk_batch_view_is_null(v, col, row))
    return hk_table_builder_append_null(b, out);
  switch (type) {
  case HK_COL_INT64:
    return hk_table_builder_append_int64(b, out,
                                         hk_batch_view_int64(v, col, row));
  case HK_COL_FLOAT64:
    return hk_table_builder_append_float64(b, out,
                                           hk_batch_view_float64(v, col, row));
  case HK_COL_BOOL:
    return hk_table_builder_append_bool(b, out,
                                        hk_batch_view_bool(v, col, row));
  case HK_COL_TIMESTAMP:
    return hk_table_builder_append_timestamp(
        b, out, hk_batch_view_timestamp(v, col, row));
  case HK_COL_UTF8:
    s = hk_batch_view_utf8(v, col, row, &len);
    return hk_table_builder_append_utf8(b, out, s, len);
  default:
    return hk_table_builder_append_null(b, out);
  }
}

/* The matched text, cut (on a UTF-8 boundary) at max_match_len bytes. */
static void
cmd_match_text(cmd_run *r, const char *s, size_t len)
{
  hk_buf_reset(&r->match);
  if (len <= r->max_match_len) {
    hk_buf_append(&r->match, s, len);
    return;
  }
  len = r->max_match_len;
  while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
    len--;
  hk_buf_append(&r->match, s, len);
  hk_buf_append_str(&r->match, "...");
}

static void
cmd_warn_limits(cmd_run *r, int64_t src, size_t c)
{
  for (size_t i = 0; i < r->sc.nlimited; i++) {
    if (r->limit_events++ < CMD_MAX_LIMIT_WARNINGS)
      cmd_host->log(r->inst, HK_LOG_WARN,
                    "cmdline: row %lld, column '%s': rule '%s' gave up at "
                    "match_limit=%lld; no hit is reported for it there "
                    "(raise match_limit to look further)",
                    (long long)src, r->col_names[c],
                    r->rules.rule[r->sc.limited[i]].id,
                    (long long)r->match_limit);
  }
  if (r->sc.decode_capped)
    cmd_host->log(r->inst, HK_LOG_WARN,
                  "cmdline: row %lld, column '%s': more than %zu bytes of "
                  "decoded payloads; the rest was not decoded",
                  (long long)src, r->col_names[c], r->sc.max_decoded);
}

/* Check one cell and append its hit rows.  Returns the bytes appended
 * (>= 0) or a negative code. */
static int64_t
cmd_emit_cell(cmd_run *r, int64_t row, size_t c, hk_error *err)
{
  int64_t src = r->cur.row_base + row;
  size_t len = 0;
  const char *text = cmd_cell_text(r, r->col_index[c], row, &len);
  int64_t bytes = 0;
  hk_table_builder *b = r->out;

  if (!text)
    return hk_batch_view_is_null(&r->cur.view, r->col_index[c], row)
               ? 0
               : hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
  if (cmd_scan_text(&r->sc, text, len) != HK_OK)
    return hk_error_set(err, HK_E_NOMEM,
                        "cmdline: row %lld, column '%s': out of memory",
                        (long long)src, r->col_names[c]);
  if (r->sc.nlimited || r->sc.decode_capped)
    cmd_warn_limits(r, src, c);
  for (size_t h = 0; h < r->sc.nhit; h++) {
    const cmd_hit *hit = &r->sc.hit[h];
    const cmd_rule *rule = &r->rules.rule[hit->rule];
    const cmd_layer *layer = &r->sc.layer[hit->layer];
    const char *sev = cmd_severity_names[rule->severity];
    size_t k = OUT_NFIXED;
    int rc;

    cmd_match_text(r, layer->text + hit->off, hit->len);
    rc = hk_table_builder_append_int64(b, OUT_SOURCE_INDEX, src);
    rc = rc ? rc
            : hk_table_builder_append_utf8(b, OUT_COLUMN, r->col_names[c],
                                           strlen(r->col_names[c]));
    rc = rc ? rc
            : hk_table_builder_append_utf8(b, OUT_RULE_ID, rule->id,
                                           strlen(rule->id));
    rc = rc ? rc
            : hk_table_builder_append_utf8(b, OUT_RULE, rule->name,
                                           strlen(rule->name));
    rc = rc ? rc
            : hk_table_builder_append_utf8(b, OUT_TECHNIQUES, rule->techniques,
                                           strlen(rule->techniques));
    rc = rc ? rc
            : hk_table_builder_append_utf8(b, OUT_SEVERITY, sev, strlen(sev));
    rc = rc ? rc
            : hk_table_builder_append_utf8(b, OUT_MATCH,
                                           r->match.data ? r->match.data : "",
                                           r->match.len);
    rc = rc ? rc
            : hk_table_builder_append_int64(b, OUT_OFFSET, (int64_t)hit->off);
    rc = rc ? rc
            : hk_table_builder_append_bool(b, OUT_DECODED, layer->depth > 0);
    rc = rc                 ? rc
         : layer->depth > 0 ? hk_table_builder_append_utf8(
                                  b, OUT_DECODED_TEXT, layer->text, layer->len)
                            : hk_table_builder_append_null(b, OUT_DECODED_TEXT);
    rc =
        rc ? rc
           : hk_table_builder_append_utf8(b, OUT_DESCRIPTION, rule->description,
                                          strlen(rule->description));
    rc = rc ? rc : hk_table_builder_append_utf8(b, OUT_INPUT, text, len);
    for (size_t i = 0; rc == HK_OK && i < r->nkeep; i++, k++)
      rc = cmd_copy_cell(b, k, &r->cur.view, r->keep_index[i], r->keep_type[i],
                         row);
    if (rc != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
    bytes += (int64_t)(len + r->match.len + 128 +
                       (layer->depth > 0 ? layer->len : 0));
  }
  return bytes;
}

static int
cmd_out_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  cmd_run *r = ud;
  int64_t bytes = 0;
  int rc;

  out->release = NULL;
  while ((rc = hk_row_cursor_next(&r->cur, err)) > 0) {
    int64_t row = r->cur.row;
    for (size_t c = 0; c < r->ncols; c++) {
      int64_t n = cmd_emit_cell(r, row, c, err);
      if (n < 0)
        return (int)n;
      bytes += n;
    }
    if (hk_table_builder_row_count(r->out) >= CMD_BATCH_ROWS ||
        bytes >= (int64_t)CMD_BATCH_BYTES)
      return hk_table_builder_finish_batch(r->out, out, err);
    if ((row & 255) == 255 && cmd_host->is_canceled(r->inst))
      return hk_error_set(err, HK_E_CANCELED, "cmdline: canceled");
  }
  if (rc < 0) {
    hk_error_prefix(err, "cmdline: ");
    return rc;
  }
  if (!r->summary_done) {
    r->summary_done = 1;
    if (r->limit_events > CMD_MAX_LIMIT_WARNINGS)
      cmd_host->log(r->inst, HK_LOG_WARN,
                    "cmdline: %lld more rule matches gave up at "
                    "match_limit=%lld (only the first %d are listed)",
                    (long long)(r->limit_events - CMD_MAX_LIMIT_WARNINGS),
                    (long long)r->match_limit, CMD_MAX_LIMIT_WARNINGS);
  }
  if (hk_table_builder_row_count(r->out) > 0)
    return hk_table_builder_finish_batch(r->out, out, err);
  return HK_OK;
}

/* Column `name` of the input, or an error listing the columns. */
static int
cmd_find_column(cmd_run *r, const char *name, int64_t *out, hk_error *err)
{
  hk_buf names = HK_BUF_INIT;
  for (int64_t k = 0; k < r->cur.schema.n_children; k++) {
    const char *nm = r->cur.schema.children[k]->name;
    if (nm && strcmp(nm, name) == 0) {
      *out = k;
      return HK_OK;
    }
  }
  for (int64_t k = 0; k < r->cur.schema.n_children; k++)
    hk_buf_appendf(
        &names, "%s%s", k ? ", " : "",
        r->cur.schema.children[k]->name ? r->cur.schema.children[k]->name : "");
  hk_error_set(err, HK_E_NOTFOUND, "cmdline: no column '%s' (columns: %s)",
               name, names.data ? names.data : "none");
  hk_buf_free(&names);
  return HK_E_NOTFOUND;
}

/* Load the rules: the run's `rules`, else the instance's, else the
 * default places in turn. */
static int
cmd_load_rules(cmd_run *r, const cmd_state *st, const hk_config *options,
               hk_error *err)
{
  char msg[HK_ERROR_MSG_MAX - 32];
  const char *path = cmd_host->config_get_string(options, "rules");
  int rc;

  if (!path || !*path)
    path = st ? st->rules_path : NULL;
  if (path && *path) {
    rc = cmd_rules_load_file(&r->rules, path, msg, sizeof msg);
    if (rc != HK_OK)
      return hk_error_set(err, rc == HK_E_NOMEM ? HK_E_NOMEM : HK_E_CONFIG,
                          "cmdline: rules: %s", msg);
    return HK_OK;
  }
  for (size_t i = 0; cmd_default_rule_files[i]; i++) {
    rc = cmd_rules_load_file(&r->rules, cmd_default_rule_files[i], msg,
                             sizeof msg);
    if (rc == HK_E_NOTFOUND)
      continue;
    if (rc != HK_OK)
      return hk_error_set(err, rc == HK_E_NOMEM ? HK_E_NOMEM : HK_E_CONFIG,
                          "cmdline: rules: %s", msg);
    HK_LOG_DEBUG(cmd_host, r->inst, "cmdline: %zu rules from %s", r->rules.n,
                 cmd_default_rule_files[i]);
    return HK_OK;
  }
  return hk_error_set(
      err, HK_E_CONFIG,
      "cmdline: no rule file: give one with rules=PATH (or "
      "`rules:` in the instance's conf.d file); looked for "
      "%s%s%s",
      cmd_default_rule_files[0], cmd_default_rule_files[1] ? " and " : "",
      cmd_default_rule_files[1] ? cmd_default_rule_files[1] : "");
}

/* Which rules take part: severity, platform, rule_ids. */
static int
cmd_select_rules(cmd_run *r, const hk_config *options, hk_error *err)
{
  const char *sev = cmd_host->config_get_string(options, "min_severity");
  const char *platform = cmd_host->config_get_string(options, "platform");
  const char *const *ids = NULL;
  size_t nids = cmd_host->config_get_list(options, "rule_ids", &ids);
  int min_sev = 0, any_platform;
  size_t enabled = 0;

  for (int i = 0; sev && i < 4; i++)
    if (strcmp(sev, cmd_severity_names[i]) == 0)
      min_sev = i;
  any_platform = !platform || !*platform || strcasecmp(platform, "any") == 0;
  for (size_t k = 0; k < nids; k++) {
    size_t i;
    for (i = 0; i < r->rules.n; i++)
      if (strcmp(r->rules.rule[i].id, ids[k]) == 0)
        break;
    if (i == r->rules.n)
      return hk_error_set(err, HK_E_INVAL,
                          "cmdline: rule_ids: no rule '%s' in the rule file "
                          "(ids are the `id:` fields, e.g. '%s')",
                          ids[k], r->rules.rule[0].id);
  }
  for (size_t i = 0; i < r->rules.n; i++) {
    const cmd_rule *rule = &r->rules.rule[i];
    int on = rule->severity >= min_sev;
    if (on && !any_platform)
      on = strcasecmp(rule->platform, platform) == 0 ||
           strcmp(rule->platform, "any") == 0;
    if (on && nids) {
      int listed = 0;
      for (size_t k = 0; k < nids; k++)
        listed |= strcmp(rule->id, ids[k]) == 0;
      on = listed;
    }
    r->sc.enabled[i] = (uint8_t)on;
    enabled += (size_t)on;
  }
  if (!enabled)
    return hk_error_set(err, HK_E_INVAL,
                        "cmdline: no rule left after min_severity=%s, "
                        "platform=%s%s",
                        sev ? sev : "informational",
                        platform ? platform : "any",
                        nids ? " and rule_ids" : "");
  return HK_OK;
}

static int
cmd_get_int(const hk_config *options, const char *name, int64_t lo, int64_t hi,
            int64_t *out, hk_error *err)
{
  int64_t v;
  if (cmd_host->config_get_int(options, name, &v) != HK_OK)
    return HK_OK;
  if (v < lo || v > hi)
    return hk_error_set(err, HK_E_INVAL,
                        "cmdline: %s must be between %lld and %lld (got %lld)",
                        name, (long long)lo, (long long)hi, (long long)v);
  *out = v;
  return HK_OK;
}

static int
cmd_setup_output(cmd_run *r, hk_error *err)
{
  r->out = hk_table_builder_new();
  if (!r->out)
    return hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
  for (int k = 0; k < OUT_NFIXED; k++)
    if (hk_table_builder_add_column(r->out, cmd_out_names[k],
                                    cmd_out_types[k]) < 0)
      return hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
  for (size_t i = 0; i < r->nkeep; i++) {
    for (int k = 0; k < OUT_NFIXED; k++)
      if (strcmp(r->keep_names[i], cmd_out_names[k]) == 0)
        return hk_error_set(err, HK_E_INVAL,
                            "cmdline: keep: '%s' is also the name of an "
                            "output column; rename it first (select %s as "
                            "...)",
                            r->keep_names[i], r->keep_names[i]);
    if (hk_table_builder_add_column(r->out, r->keep_names[i], r->keep_type[i]) <
        0)
      return hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
  }
  return HK_OK;
}

static int
cmd_run_analyzer(void *state, const hk_config *options,
                 struct ArrowArrayStream *input,
                 struct ArrowArrayStream *output, hk_error *err)
{
  cmd_state *st = state;
  cmd_run *r = calloc(1, sizeof *r);
  char msg[256];
  int64_t depth = 3, limit = 1000000, maxlen = 512;
  int decode = 1, rc;
  static const hk_stream_callbacks cb = {sizeof cb, cmd_out_schema,
                                         cmd_out_next, cmd_run_free};

  if (!r) {
    hk_stream_release(input);
    return hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
  }
  rc = hk_row_cursor_init(&r->cur, input, err);
  if (rc != HK_OK) {
    hk_error_prefix(err, "cmdline: input: ");
    goto fail;
  }
  r->inst = st ? st->inst : NULL;
  r->ncols = cmd_host->config_get_list(options, "column", &r->col_names);
  if (r->ncols == 0) {
    rc = hk_error_set(err, HK_E_INVAL,
                      "cmdline: no column to check: name it, e.g. 'cmdline "
                      "CommandLine' or 'cmdline column=CommandLine,"
                      "ParentCommandLine'");
    goto fail;
  }
  if ((rc = cmd_get_int(options, "max_decode_depth", 0, 16, &depth, err)) ||
      (rc =
           cmd_get_int(options, "match_limit", 1000, INT32_MAX, &limit, err)) ||
      (rc = cmd_get_int(options, "max_match_len", 16, 1 << 20, &maxlen, err)))
    goto fail;
  cmd_host->config_get_bool(options, "decode", &decode);
  r->match_limit = limit;
  r->max_match_len = (size_t)maxlen;
  if ((rc = cmd_load_rules(r, st, options, err)) != HK_OK)
    goto fail;
  rc = cmd_scanner_init(&r->sc, &r->rules, (uint32_t)limit, msg, sizeof msg);
  if (rc != HK_OK) {
    hk_error_set(err, rc, "cmdline: %s", msg);
    goto fail;
  }
  r->sc.decode = decode;
  r->sc.max_depth = (int)depth;
  if ((rc = cmd_select_rules(r, options, err)) != HK_OK)
    goto fail;

  r->col_index = calloc(r->ncols, sizeof *r->col_index);
  r->nkeep = cmd_host->config_get_list(options, "keep", &r->keep_names);
  r->keep_index = calloc(r->nkeep ? r->nkeep : 1, sizeof *r->keep_index);
  r->keep_type = calloc(r->nkeep ? r->nkeep : 1, sizeof *r->keep_type);
  if (!r->col_index || !r->keep_index || !r->keep_type) {
    rc = hk_error_set(err, HK_E_NOMEM, "cmdline: out of memory");
    goto fail;
  }
  for (size_t c = 0; c < r->ncols; c++)
    if ((rc = cmd_find_column(r, r->col_names[c], &r->col_index[c], err)))
      goto fail;
  for (size_t k = 0; k < r->nkeep; k++) {
    if ((rc = cmd_find_column(r, r->keep_names[k], &r->keep_index[k], err)))
      goto fail;
    r->keep_type[k] = hk_column_type_from_format(
        r->cur.schema.children[r->keep_index[k]]->format);
  }
  if ((rc = cmd_setup_output(r, err)) != HK_OK)
    goto fail;
  rc = hk_stream_init_callbacks(output, &cb, r, err);
  if (rc != HK_OK)
    goto fail;
  return HK_OK;
fail:
  cmd_run_free(r);
  return rc;
}

static const hk_param cmd_options[] = {
    {"column", HK_PT_LIST, HK_P_REST, NULL, NULL,
     "text columns to check (also the stage's free text: cmdline "
     "CommandLine, ParentCommandLine)"},
    {"rules", HK_PT_PATH, 0, NULL, NULL,
     "rule file (default: the instance's `rules`, else the installed "
     "conf/cmdline_rules.yaml)"},
    {"min_severity", HK_PT_STRING, 0, "informational",
     "informational|low|medium|high", "leave out rules below this severity"},
    {"platform", HK_PT_STRING, 0, "any", NULL,
     "only rules for this platform (windows, linux, or an MSTICPy log type) "
     "plus those for any; default: all rules"},
    {"rule_ids", HK_PT_LIST, 0, NULL, NULL, "only these rules (their ids)"},
    {"decode", HK_PT_BOOL, 0, "true", NULL,
     "also check base64 payloads after decoding them (PowerShell "
     "-EncodedCommand, runs of 32+ base64 characters)"},
    {"max_decode_depth", HK_PT_INT, 0, "3", NULL,
     "how many encodings deep to decode (0-16)"},
    {"match_limit", HK_PT_INT, 0, "1000000", NULL,
     "PCRE2 match limit of every rule at every start position: a rule that "
     "reaches it gives up on that text (with a warning)"},
    {"max_match_len", HK_PT_INT, 0, "512", NULL,
     "bytes of matched text shown in Match; longer matches end in ..."},
    {"keep", HK_PT_LIST, 0, NULL, NULL,
     "input columns copied into every hit row (e.g. TimeGenerated, Computer)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param cmd_params[] = {
    {"rules", HK_PT_PATH, 0, NULL, NULL,
     "rule file for this instance (default: the installed "
     "conf/cmdline_rules.yaml)"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_analyzer_vt cmd_vt = {
    .struct_size = sizeof(hk_analyzer_vt),
    .options = cmd_options,
    .create = cmd_create,
    .destroy = cmd_destroy,
    .run = cmd_run_analyzer,
};

static const hk_plugin_desc cmd_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "cmdline",
    .version = "1.0.0",
    .kind = HK_KIND_ANALYZER,
    .flags = HK_PF_STREAMING,
    .summary = "risky command lines (LOLBins, download cradles, encoded "
               "PowerShell, ...) from a YAML rule file, also inside decoded "
               "base64",
    .entity_types = NULL,
    .params = cmd_params,
    .vtable = &cmd_vt,
};

static const hk_plugin_desc *const cmd_descs[] = {&cmd_desc, NULL};

static const hk_plugin_desc *const *
cmd_entry(const struct hk_host *host, hk_error *err)
{
  (void)err;
  cmd_host = host;
  return cmd_descs;
}

HK_PLUGIN_DEFINE(cmdline, cmd_entry)
