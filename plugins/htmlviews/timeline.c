/*
 * plugins/htmlviews/timeline.c -- what timeline_html and timeline_text
 * share: the events of a table as (time, group) pairs, groups in order of
 * first appearance, and reference markers.  Included by htmlviews.c.
 */

/* Group ids by name: groups are few, but a small hash keeps many-group
 * inputs (group_by a command line) linear. */
typedef struct hv_gmap {
  int64_t *slot; /* group id or -1 */
  uint64_t *hash;
  size_t cap;
} hv_gmap;

typedef struct hv_events {
  int64_t n, cap;  /* events with a time */
  int64_t *row;    /* event -> table row */
  int64_t *us;     /* event -> time, µs since the epoch (UTC) */
  int64_t *group;  /* event -> group */
  char **gname;    /* group -> name (owned) */
  int64_t *gcount; /* group -> events */
  int64_t n_groups;
  hv_gmap gmap;
  int64_t rows;      /* rows seen */
  int64_t skipped;   /* rows without a readable time */
  int64_t first_bad; /* the first of them (row number), and its text */
  char bad_text[64];
  int64_t time_col, group_col;
} hv_events;

static void
hv_events_free(hv_events *e)
{
  free(e->row);
  free(e->us);
  free(e->group);
  for (int64_t g = 0; g < e->n_groups; g++)
    free(e->gname[g]);
  free(e->gname);
  free(e->gcount);
  free(e->gmap.slot);
  free(e->gmap.hash);
  memset(e, 0, sizeof *e);
}

static uint64_t
hv_hash(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t k = 0; k < n; k++)
    h = (h ^ (unsigned char)s[k]) * 1099511628211ULL;
  return h;
}

/* Group id of `name` (added when new); -1 when out of memory. */
static int64_t
hv_group_of(hv_events *e, hv_gmap *m, const char *s, size_t n)
{
  if ((size_t)(e->n_groups + 1) * 2 > m->cap) {
    size_t cap = m->cap ? m->cap * 2 : 64;
    int64_t *slot = malloc(cap * sizeof *slot);
    uint64_t *hash = malloc(cap * sizeof *hash);
    char **names = realloc(e->gname, cap * sizeof *names);
    if (names)
      e->gname = names;
    int64_t *counts = names ? realloc(e->gcount, cap * sizeof *counts) : NULL;
    if (counts)
      e->gcount = counts;
    if (!slot || !hash || !names || !counts) {
      free(slot);
      free(hash);
      return -1;
    }
    for (size_t i = 0; i < cap; i++)
      slot[i] = -1;
    for (size_t i = 0; i < m->cap; i++)
      if (m->slot[i] >= 0) {
        size_t j = m->hash[i] & (cap - 1);
        while (slot[j] >= 0)
          j = (j + 1) & (cap - 1);
        slot[j] = m->slot[i];
        hash[j] = m->hash[i];
      }
    free(m->slot);
    free(m->hash);
    m->slot = slot;
    m->hash = hash;
    m->cap = cap;
  }
  uint64_t h = hv_hash(s, n);
  size_t j = h & (m->cap - 1);
  for (; m->slot[j] >= 0; j = (j + 1) & (m->cap - 1)) {
    const char *o = e->gname[m->slot[j]];
    if (m->hash[j] == h && strlen(o) == n && memcmp(o, s, n) == 0)
      return m->slot[j];
  }
  char *copy = malloc(n + 1);
  if (!copy)
    return -1;
  /* a NUL inside the value would cut the name: show it as U+FFFD's
   * stand-in '?' so names stay C strings */
  for (size_t k = 0; k < n; k++)
    copy[k] = s[k] ? s[k] : '?';
  copy[n] = '\0';
  e->gname[e->n_groups] = copy;
  e->gcount[e->n_groups] = 0;
  m->slot[j] = e->n_groups;
  m->hash[j] = h;
  return e->n_groups++;
}

/* Resolve the time column (time_column= or found) and the group column
 * (group_by=, optional) on `t` (its first batch is enough). */
static int
hv_events_begin(const hv_table *t, const hk_config *opt, hv_events *e,
                hk_error *err)
{
  memset(e, 0, sizeof *e);
  e->group_col = -1;
  e->first_bad = -1;
  int rc = hv_time_column(t, hv_opt_str(opt, "time_column"), &e->time_col, err);
  if (rc == HK_OK)
    rc = hv_option_column(t, "group_by", hv_opt_str(opt, "group_by"),
                          &e->group_col, err);
  if (rc != HK_OK)
    return rc;
  int tt = hv_column_type(t, e->time_col);
  if (tt != HK_COL_TIMESTAMP && tt != HK_COL_UTF8)
    return hk_error_set(err, HK_E_INVAL,
                        "%s: time_column=%s is %s, not a timestamp or text "
                        "(for epoch numbers read it with file "
                        "types=%s:timestamp)",
                        t->who, hv_column_name(t, e->time_col),
                        hk_column_type_name(tt),
                        hv_column_name(t, e->time_col));
  return HK_OK;
}

/* Add the events of the rows of `t` (numbered from `row_base`); rows
 * without a readable time are counted and left out. */
static int
hv_events_add(const hv_table *t, hv_events *e, int64_t row_base, hk_error *err)
{
  char tmp[128];
  if (e->n + t->n_rows > e->cap) {
    int64_t cap = e->cap ? e->cap * 2 : 1024;
    while (cap < e->n + t->n_rows)
      cap *= 2;
    int64_t *row = realloc(e->row, (size_t)cap * sizeof *row);
    if (row)
      e->row = row;
    int64_t *us = row ? realloc(e->us, (size_t)cap * sizeof *us) : NULL;
    if (us)
      e->us = us;
    int64_t *group = us ? realloc(e->group, (size_t)cap * sizeof *group) : NULL;
    if (!group)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
    e->group = group;
    e->cap = cap;
  }
  for (int64_t r = 0; r < t->n_rows; r++) {
    int64_t us;
    e->rows++;
    if (!hv_cell_time(t, e->time_col, r, &us)) {
      if (e->skipped++ == 0) {
        size_t len;
        const char *s = hv_cell(t, e->time_col, r, &len, tmp, sizeof tmp);
        e->first_bad = row_base + r;
        snprintf(e->bad_text, sizeof e->bad_text, "%.*s",
                 s ? (int)(len > 60 ? 60 : len) : 4, s ? s : "null");
      }
      continue;
    }
    size_t len = 0;
    const char *s = e->group_col >= 0
                        ? hv_cell(t, e->group_col, r, &len, tmp, sizeof tmp)
                        : "all";
    if (!s) {
      s = "(none)";
      len = 6;
    } else if (e->group_col < 0) {
      len = 3;
    }
    int64_t g = hv_group_of(e, &e->gmap, s, len);
    if (g < 0)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", t->who);
    e->gcount[g]++;
    e->row[e->n] = row_base + r;
    e->us[e->n] = us;
    e->group[e->n] = g;
    e->n++;
  }
  return HK_OK;
}

/* Say how many rows had no time (a warning: the run is partial). */
static void
hv_events_end(const hv_table *t, const hv_events *e, const char *time_name)
{
  if (e->skipped)
    HK_LOG_WARN(hv_host, t->inst,
                "%s: %lld of %lld rows have no readable time in %s and are "
                "left out (first: data row %lld, '%s'; expected ISO-8601 "
                "such as 2024-03-04T05:06:07Z)",
                t->who, (long long)e->skipped, (long long)e->rows, time_name,
                (long long)e->first_bad + 1, e->bad_text);
}

/* All the events of a loaded table. */
static int
hv_events_read(const hv_table *t, const hk_config *opt, hv_events *e,
               hk_error *err)
{
  int rc = hv_events_begin(t, opt, e, err);
  if (rc == HK_OK)
    rc = hv_events_add(t, e, 0, err);
  if (rc == HK_OK)
    hv_events_end(t, e, hv_column_name(t, e->time_col));
  return rc;
}

/* ref=TIME:label items: TIME is ISO-8601 (no zone: UTC), the label
 * optional.  Adds {"t": ms, "label": text} objects to `out`. */
static int
hv_refs(const hk_config *opt, json_object *out, const char *who, hk_error *err)
{
  const char *const *items;
  size_t n = hv_opt_list(opt, "ref", &items);
  for (size_t k = 0; k < n; k++) {
    const char *s = items[k];
    int64_t us;
    size_t used = hv_parse_time_prefix(s, strlen(s), &us);
    if (!used || (s[used] && s[used] != ':'))
      return hk_error_set(err, HK_E_INVAL,
                          "%s: ref=%s: expected TIME or TIME:label with TIME "
                          "in ISO-8601 (e.g. ref=2024-03-04T05:06:07Z:alert)",
                          who, s);
    const char *label = s[used] ? s + used + 1 : "";
    json_object *r = json_object_new_object();
    json_object_object_add(r, "t", json_object_new_double((double)us / 1000.0));
    json_object_object_add(r, "label",
                           json_object_new_string(*label ? label : "ref"));
    json_object_array_add(out, r);
  }
  return HK_OK;
}

static int
hv_render_timeline(void *state, const hk_config *opt,
                   struct ArrowArrayStream *input, const hk_sink *sink,
                   hk_error *err)
{
  hv_table t;
  hv_events e;
  json_object *data = NULL;
  int64_t *details = NULL;
  size_t n_details = 0;
  memset(&e, 0, sizeof e);
  int rc = hv_table_load(&t, state, "timeline_html", input,
                         hv_opt_int(opt, "max_rows", 200000), err);
  int64_t value_col = -1, label_col = -1;
  if (rc == HK_OK && t.n_rows == 0)
    rc = hk_error_set(err, HK_E_INVAL, "timeline_html: the input has no rows");
  if (rc == HK_OK)
    rc = hv_events_read(&t, opt, &e, err);
  if (rc == HK_OK)
    rc = hv_option_column(&t, "value_column", hv_opt_str(opt, "value_column"),
                          &value_col, err);
  if (rc == HK_OK)
    rc = hv_option_column(&t, "label", hv_opt_str(opt, "label"), &label_col,
                          err);
  const char *const *asked;
  if (rc == HK_OK && hv_opt_list(opt, "details", &asked) > 0)
    /* without details= the hover shows the time, group and value */
    rc = hv_detail_columns(&t, opt, NULL, 0, &details, &n_details, err);
  if (rc != HK_OK)
    goto done;
  data = json_object_new_object();
  json_object *jt = json_object_new_array(), *jg = json_object_new_array();
  json_object *jv = value_col >= 0 ? json_object_new_array() : NULL;
  json_object *jl = label_col >= 0 ? json_object_new_array() : NULL;
  int64_t no_value = 0;
  for (int64_t i = 0; i < e.n; i++) {
    json_object_array_add(jt, json_object_new_double((double)e.us[i] / 1000.0));
    json_object_array_add(jg, json_object_new_int64(e.group[i]));
    if (jv) {
      double v;
      if (hv_cell_number(&t, value_col, e.row[i], &v))
        json_object_array_add(jv, json_object_new_double(v));
      else {
        json_object_array_add(jv, NULL);
        no_value++;
      }
    }
    if (jl)
      json_object_array_add(jl, hv_json_cell(&t, label_col, e.row[i], 200));
  }
  if (no_value)
    HK_LOG_WARN(hv_host, t.inst,
                "timeline_html: %lld events have no number in %s and are not "
                "drawn",
                (long long)no_value, hv_column_name(&t, value_col));
  json_object *jgroups = json_object_new_array();
  for (int64_t g = 0; g < e.n_groups; g++)
    json_object_array_add(jgroups, json_object_new_string(e.gname[g]));
  json_object_object_add(data, "t", jt);
  json_object_object_add(data, "g", jg);
  json_object_object_add(data, "groups", jgroups);
  json_object_object_add(
      data, "time_column",
      json_object_new_string(hv_column_name(&t, e.time_col)));
  json_object_object_add(
      data, "group_by",
      e.group_col >= 0 ? json_object_new_string(hv_column_name(&t, e.group_col))
                       : NULL);
  if (jv) {
    json_object_object_add(data, "v", jv);
    json_object_object_add(
        data, "value_column",
        json_object_new_string(hv_column_name(&t, value_col)));
    const char *kind = hv_opt_str(opt, "kind");
    json_object_object_add(data, "kind",
                           json_object_new_string(kind ? kind : "bar"));
  }
  if (jl)
    json_object_object_add(data, "label", jl);
  json_object_object_add(
      data, "details",
      n_details ? hv_json_details(&t, details, n_details, e.row, e.n,
                                  (size_t)hv_opt_int(opt, "max_cell", 1000))
                : NULL);
  json_object_object_add(data, "skipped", json_object_new_int64(e.skipped));
  json_object *jrefs = json_object_new_array();
  json_object_object_add(data, "refs", jrefs);
  if ((rc = hv_refs(opt, jrefs, "timeline_html", err)) != HK_OK)
    goto done;
  const char *title = hv_opt_str(opt, "title");
  rc = hv_write_page(sink, title ? title : "Timeline", hv_asset_timeline_css,
                     hv_asset_timeline_html, data, hv_asset_timeline_js, err,
                     "timeline_html");
done:
  json_object_put(data);
  free(details);
  hv_events_free(&e);
  hv_table_free(&t);
  return rc;
}
