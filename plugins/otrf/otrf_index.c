/*
 * plugins/otrf/otrf_index.c -- the index of OTRF Security-Datasets
 * metadata: the dataset YAML files of the repository's layout
 * (datasets/{atomic,compound}/_metadata/NAME.yaml) and MSTICPy's
 * mordor_cache.json (the same documents keyed by their path), read into
 * one list that the provider filters by technique, tactic, platform and
 * text.
 *
 * Both forms are turned into json-c objects first (YAML scalars stay
 * text, so sub-technique "001" keeps its zeros), and one function reads a
 * dataset out of either.  Metadata is third-party input: YAML aliases are
 * bounded (billion laughs), paths derived from links are checked before
 * they name a file in the cache.
 */
#include "otrf.h"

#include <dirent.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <yaml.h>

/* Nodes one YAML file may expand to, aliases included. */
#define YAML_NODES_MAX 200000
#define YAML_DEPTH_MAX 64
/* Directory levels searched for metadata. */
#define WALK_DEPTH_MAX 12

static const struct {
  const char *id, *name;
} tactics[] = {
    {"TA0043", "Reconnaissance"},  {"TA0042", "Resource Development"},
    {"TA0001", "Initial Access"},  {"TA0002", "Execution"},
    {"TA0003", "Persistence"},     {"TA0004", "Privilege Escalation"},
    {"TA0005", "Defense Evasion"}, {"TA0006", "Credential Access"},
    {"TA0007", "Discovery"},       {"TA0008", "Lateral Movement"},
    {"TA0009", "Collection"},      {"TA0011", "Command and Control"},
    {"TA0010", "Exfiltration"},    {"TA0040", "Impact"}};
#define N_TACTICS (sizeof tactics / sizeof tactics[0])

const char *
otrf_tactic_name(const char *id)
{
  for (size_t i = 0; i < N_TACTICS; i++)
    if (!strcasecmp(id, tactics[i].id))
      return tactics[i].name;
  return NULL;
}

/* "credential_access", "Credential-Access", "credential access" -> id. */
static const char *
tactic_by_name(const char *s)
{
  for (size_t i = 0; i < N_TACTICS; i++) {
    const char *a = s, *b = tactics[i].name;
    for (; *a && *b; a++, b++) {
      char ca = *a == '_' || *a == '-' ? ' ' : *a;
      if ((ca | 0x20) != (*b | 0x20))
        break;
    }
    if (!*a && !*b)
      return tactics[i].id;
  }
  return NULL;
}

/* ---------------------------------------------------------------- memory */

static void
free_strings(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static void
dataset_free(otrf_dataset *d)
{
  free(d->id);
  free(d->title);
  free(d->type);
  free(d->description);
  free(d->author);
  free(d->source);
  free_strings(d->platforms, d->n_platforms);
  free_strings(d->tags, d->n_tags);
  for (size_t i = 0; i < d->n_maps; i++) {
    free(d->maps[i].technique);
    free(d->maps[i].sub);
    free_strings(d->maps[i].tactics, d->maps[i].n_tactics);
  }
  free(d->maps);
  for (size_t i = 0; i < d->n_files; i++) {
    free(d->files[i].type);
    free(d->files[i].link);
    free(d->files[i].rel);
    free(d->files[i].query);
  }
  free(d->files);
  free(d->haystack);
  memset(d, 0, sizeof *d);
}

void
otrf_index_free(otrf_index *ix)
{
  for (size_t i = 0; i < ix->n; i++)
    dataset_free(&ix->sets[i]);
  free(ix->sets);
  hk_buf_free(&ix->sources);
  memset(ix, 0, sizeof *ix);
}

/* ------------------------------------------------------- YAML -> json-c */

typedef struct yaml_conv {
  yaml_document_t *doc;
  size_t nodes;
  int too_big;
} yaml_conv;

static int
is_null_scalar(const yaml_node_t *n)
{
  const char *v = (const char *)n->data.scalar.value;
  if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return 0;
  return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
         !strcmp(v, "NULL");
}

static json_object *
yaml_to_json(yaml_conv *c, yaml_node_t *n, int depth)
{
  if (!n || depth > YAML_DEPTH_MAX || ++c->nodes > YAML_NODES_MAX) {
    c->too_big = n != NULL;
    return NULL;
  }
  switch (n->type) {
  case YAML_SCALAR_NODE:
    if (is_null_scalar(n))
      return NULL;
    return json_object_new_string_len((const char *)n->data.scalar.value,
                                      (int)n->data.scalar.length);
  case YAML_SEQUENCE_NODE: {
    json_object *a = json_object_new_array();
    for (yaml_node_item_t *it = n->data.sequence.items.start;
         a && it < n->data.sequence.items.top && !c->too_big; it++)
      json_object_array_add(
          a, yaml_to_json(c, yaml_document_get_node(c->doc, *it), depth + 1));
    return a;
  }
  case YAML_MAPPING_NODE: {
    json_object *o = json_object_new_object();
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
         o && p < n->data.mapping.pairs.top && !c->too_big; p++) {
      yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
      if (!k || k->type != YAML_SCALAR_NODE)
        continue; /* complex keys mean nothing here */
      json_object_object_add(
          o, (const char *)k->data.scalar.value,
          yaml_to_json(c, yaml_document_get_node(c->doc, p->value), depth + 1));
    }
    return o;
  }
  default:
    return NULL;
  }
}

/* -------------------------------------------------- one metadata object */

static const char *
get_str(json_object *o, const char *key)
{
  json_object *v;
  if (!json_object_object_get_ex(o, key, &v) || !v)
    return NULL;
  if (json_object_get_type(v) == json_type_string ||
      json_object_get_type(v) == json_type_int ||
      json_object_get_type(v) == json_type_double)
    return json_object_get_string(v);
  return NULL;
}

static char *
dup_or_null(const char *s)
{
  return s ? strdup(s) : NULL;
}

/* A value that is a string or a list of strings, as a list. */
static int
get_list(json_object *o, const char *key, char ***out, size_t *n)
{
  json_object *v;
  *out = NULL;
  *n = 0;
  if (!json_object_object_get_ex(o, key, &v) || !v)
    return HK_OK;
  if (json_object_get_type(v) != json_type_array) {
    const char *s = json_object_get_string(v);
    if (!s || !*s)
      return HK_OK;
    if (!(*out = malloc(sizeof **out)) || !((*out)[0] = strdup(s)))
      return HK_E_NOMEM;
    *n = 1;
    return HK_OK;
  }
  size_t len = json_object_array_length(v);
  if (!len)
    return HK_OK;
  if (!(*out = calloc(len, sizeof **out)))
    return HK_E_NOMEM;
  for (size_t i = 0; i < len; i++) {
    json_object *item = json_object_array_get_idx(v, i);
    const char *s = item ? json_object_get_string(item) : NULL;
    if (!s || !*s || json_object_get_type(item) == json_type_object ||
        json_object_get_type(item) == json_type_array)
      continue;
    if (!((*out)[*n] = strdup(s)))
      return HK_E_NOMEM;
    (*n)++;
  }
  return HK_OK;
}

/* "2020/10/18" or "2020-10-18" -> midnight UTC in microseconds. */
static int64_t
parse_date(const char *s)
{
  int y, m, d;
  char sep1, sep2;
  if (!s || sscanf(s, "%4d%c%2d%c%2d", &y, &sep1, &m, &sep2, &d) != 5 ||
      sep1 != sep2 || (sep1 != '/' && sep1 != '-') || m < 1 || m > 12 ||
      d < 1 || d > 31)
    return INT64_MIN;
  /* days from civil (Howard Hinnant's algorithm) */
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return days * 86400 * 1000000;
}

/* The cache path of a link: under the repository for canonical links,
 * else other/HOST/PATH.  NULL when the link could escape the cache
 * (.., empty segments, odd characters). */
static char *
link_rel(const char *link, int *canonical)
{
  static const char *const bases[] = {
      OTRF_CANONICAL_BASE,
      "https://raw.githubusercontent.com/OTRF/mordor/master/", NULL};
  const char *rest = NULL;
  *canonical = 0;
  for (size_t i = 0; bases[i] && !rest; i++)
    if (!strncmp(link, bases[i], strlen(bases[i]))) {
      rest = link + strlen(bases[i]);
      *canonical = 1;
    }
  hk_buf b = HK_BUF_INIT;
  if (rest) {
    hk_buf_append_str(&b, rest);
  } else {
    const char *p = strstr(link, "://");
    if (!p || (strncmp(link, "https", 5) && strncmp(link, "http", 4)))
      return NULL;
    hk_buf_appendf(&b, "other/%s", p + 3);
  }
  char *s = hk_buf_detach(&b, NULL);
  if (!s)
    return NULL;
  char *q = strpbrk(s, "?#");
  if (q)
    *q = '\0';
  int ok = *s && *s != '/';
  for (const char *c = s; ok && *c; c++) {
    unsigned char u = (unsigned char)*c;
    if (!(u >= 'a' && u <= 'z') && !(u >= 'A' && u <= 'Z') &&
        !(u >= '0' && u <= '9') && !strchr("._-/+%@~", u))
      ok = 0;
    if (u == '/' && (c[1] == '/' || c[1] == '\0'))
      ok = 0;
    if ((c == s || c[-1] == '/') && c[0] == '.' &&
        (c[1] == '/' || c[1] == '\0' ||
         (c[1] == '.' && (c[2] == '/' || !c[2]))))
      ok = 0;
  }
  if (!ok) {
    free(s);
    return NULL;
  }
  return s;
}

/* MSTICPy's query name: the path under datasets/ joined with dots, minus
 * the extension. */
static char *
query_name(const char *rel)
{
  static const char *const exts[] = {".tar.gz", ".zip", ".tgz", ".gz",
                                     ".json",   ".tar", NULL};
  const char *p = !strncmp(rel, "datasets/", 9) ? rel + 9 : rel;
  char *q = strdup(p);
  if (!q)
    return NULL;
  size_t n = strlen(q);
  for (size_t i = 0; exts[i]; i++) {
    size_t k = strlen(exts[i]);
    if (n > k && !strcasecmp(q + n - k, exts[i])) {
      q[n - k] = '\0';
      break;
    }
  }
  for (char *c = q; *c; c++)
    if (*c == '/')
      *c = '.';
  return q;
}

static void
lower_append(hk_buf *b, const char *s)
{
  if (!s)
    return;
  size_t at = b->len;
  hk_buf_append_str(b, s);
  hk_buf_append_char(b, '\n');
  for (size_t i = at; i < b->len; i++)
    if (b->data[i] >= 'A' && b->data[i] <= 'Z')
      b->data[i] |= 0x20;
}

/* The simulation's tools (name, module: "Empire", "powershell/...") are
 * searched too: they say how the attack was run. */
static void
append_tools(hk_buf *b, json_object *o)
{
  json_object *sim, *tools;
  if (!json_object_object_get_ex(o, "simulation", &sim) || !sim ||
      !json_object_object_get_ex(sim, "tools", &tools) || !tools ||
      json_object_get_type(tools) != json_type_array)
    return;
  for (size_t i = 0; i < json_object_array_length(tools); i++) {
    json_object *t = json_object_array_get_idx(tools, i);
    if (!t || json_object_get_type(t) != json_type_object)
      continue;
    lower_append(b, get_str(t, "name"));
    lower_append(b, get_str(t, "module"));
  }
}

static int
build_haystack(otrf_dataset *d, json_object *o)
{
  hk_buf b = HK_BUF_INIT;
  append_tools(&b, o);
  lower_append(&b, d->id);
  lower_append(&b, d->title);
  lower_append(&b, d->type);
  lower_append(&b, d->description);
  lower_append(&b, d->author);
  for (size_t i = 0; i < d->n_platforms; i++)
    lower_append(&b, d->platforms[i]);
  for (size_t i = 0; i < d->n_tags; i++)
    lower_append(&b, d->tags[i]);
  for (size_t i = 0; i < d->n_maps; i++) {
    lower_append(&b, d->maps[i].technique);
    if (d->maps[i].sub) {
      char full[64];
      snprintf(full, sizeof full, "%s.%s", d->maps[i].technique,
               d->maps[i].sub);
      lower_append(&b, full);
    }
    for (size_t k = 0; k < d->maps[i].n_tactics; k++) {
      lower_append(&b, d->maps[i].tactics[k]);
      lower_append(&b, otrf_tactic_name(d->maps[i].tactics[k]));
    }
  }
  for (size_t i = 0; i < d->n_files; i++) {
    lower_append(&b, d->files[i].link);
    lower_append(&b, d->files[i].query);
  }
  if (!b.data)
    return HK_E_NOMEM;
  d->haystack = hk_buf_detach(&b, NULL);
  return HK_OK;
}

static int
read_mappings(json_object *o, otrf_dataset *d)
{
  json_object *v;
  if (!json_object_object_get_ex(o, "attack_mappings", &v) || !v ||
      json_object_get_type(v) != json_type_array)
    return HK_OK;
  size_t n = json_object_array_length(v);
  if (!n)
    return HK_OK;
  if (!(d->maps = calloc(n, sizeof *d->maps)))
    return HK_E_NOMEM;
  for (size_t i = 0; i < n; i++) {
    json_object *m = json_object_array_get_idx(v, i);
    const char *t = m && json_object_get_type(m) == json_type_object
                        ? get_str(m, "technique")
                        : NULL;
    if (!t || !*t)
      continue;
    otrf_mapping *mp = &d->maps[d->n_maps];
    if (!(mp->technique = strdup(t)))
      return HK_E_NOMEM;
    d->n_maps++;
    json_object *sv;
    if (json_object_object_get_ex(m, "sub-technique", &sv) && sv) {
      char num[16];
      const char *s = json_object_get_string(sv);
      if (json_object_get_type(sv) == json_type_int) {
        snprintf(num, sizeof num, "%03d", json_object_get_int(sv));
        s = num;
      }
      if (s && *s && !(mp->sub = strdup(s)))
        return HK_E_NOMEM;
    }
    if (get_list(m, "tactics", &mp->tactics, &mp->n_tactics) != HK_OK)
      return HK_E_NOMEM;
  }
  return HK_OK;
}

static int
read_files(json_object *o, otrf_dataset *d, const otrf_log *lg)
{
  json_object *v;
  if (!json_object_object_get_ex(o, "files", &v) || !v ||
      json_object_get_type(v) != json_type_array)
    return HK_OK;
  size_t n = json_object_array_length(v);
  if (!n)
    return HK_OK;
  if (!(d->files = calloc(n, sizeof *d->files)))
    return HK_E_NOMEM;
  for (size_t i = 0; i < n; i++) {
    json_object *f = json_object_array_get_idx(v, i);
    const char *link = f && json_object_get_type(f) == json_type_object
                           ? get_str(f, "link")
                           : NULL;
    if (!link || !*link)
      continue;
    otrf_file *fl = &d->files[d->n_files];
    int canonical;
    char *rel = link_rel(link, &canonical);
    if (!rel) {
      HK_LOG_WARN(lg->host, lg->inst,
                  "%s: dataset %s: file link '%s' is not an http(s) URL with a "
                  "plain path; the file is left out",
                  d->source, d->id, link);
      continue;
    }
    fl->rel = rel;
    fl->canonical = canonical;
    if (!(fl->link = strdup(link)) || !(fl->query = query_name(rel)))
      return HK_E_NOMEM;
    const char *type = get_str(f, "type");
    if (type && !(fl->type = strdup(type)))
      return HK_E_NOMEM;
    d->n_files++;
  }
  return HK_OK;
}

/* One metadata document into the index.  `where` names it in messages. */
static int
add_dataset(otrf_index *ix, json_object *o, const char *where,
            const otrf_log *lg)
{
  const char *id = o && json_object_get_type(o) == json_type_object
                       ? get_str(o, "id")
                       : NULL;
  if (!id || !*id) {
    HK_LOG_WARN(lg->host, lg->inst,
                "%s: not a Security-Datasets metadata document (no 'id' key); "
                "left out",
                where);
    ix->skipped++;
    return HK_OK;
  }
  if (ix->n == ix->cap) {
    size_t cap = ix->cap ? ix->cap * 2 : 128;
    otrf_dataset *s = realloc(ix->sets, cap * sizeof *s);
    if (!s)
      return HK_E_NOMEM;
    ix->sets = s;
    ix->cap = cap;
  }
  otrf_dataset *d = &ix->sets[ix->n];
  memset(d, 0, sizeof *d);
  int rc = HK_E_NOMEM;
  if (!(d->id = strdup(id)) || !(d->source = strdup(where)))
    goto fail;
  d->title = dup_or_null(get_str(o, "title"));
  d->type = dup_or_null(get_str(o, "type"));
  d->description = dup_or_null(get_str(o, "description"));
  d->created_us = parse_date(get_str(o, "creation_date"));
  d->modified_us = parse_date(get_str(o, "modification_date"));
  char **people;
  size_t n_people;
  if (get_list(o, "contributors", &people, &n_people) != HK_OK)
    goto fail;
  if (!n_people) {
    free_strings(people, n_people);
    if (get_list(o, "author", &people, &n_people) != HK_OK)
      goto fail;
  }
  hk_buf b = HK_BUF_INIT;
  for (size_t i = 0; i < n_people; i++)
    hk_buf_appendf(&b, "%s%s", i ? "; " : "", people[i]);
  free_strings(people, n_people);
  d->author = b.data ? hk_buf_detach(&b, NULL) : NULL;
  if (get_list(o, "platform", &d->platforms, &d->n_platforms) != HK_OK ||
      get_list(o, "tags", &d->tags, &d->n_tags) != HK_OK ||
      read_mappings(o, d) != HK_OK || read_files(o, d, lg) != HK_OK ||
      build_haystack(d, o) != HK_OK)
    goto fail;
  ix->n++;
  return HK_OK;
fail:
  dataset_free(d);
  return rc;
}

/* ------------------------------------------------------------ the files */

static int
add_yaml_file(otrf_index *ix, const char *path, const otrf_log *lg,
              hk_error *err)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    HK_LOG_WARN(lg->host, lg->inst, "%s: cannot open: %s; left out", path,
                strerror(errno));
    ix->skipped++;
    return HK_OK;
  }
  yaml_parser_t parser;
  yaml_document_t doc;
  int rc = HK_OK;
  if (!yaml_parser_initialize(&parser)) {
    fclose(f);
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  }
  yaml_parser_set_input_file(&parser, f);
  if (!yaml_parser_load(&parser, &doc)) {
    char started[64] = "";
    if (parser.context)
      snprintf(started, sizeof started, " (from line %lu)",
               (unsigned long)parser.context_mark.line + 1);
    HK_LOG_WARN(lg->host, lg->inst,
                "%s:%lu: malformed YAML: %s%s%s%s; the dataset is left out",
                path, (unsigned long)parser.problem_mark.line + 1,
                parser.problem ? parser.problem : "parse error",
                parser.context ? " " : "", parser.context ? parser.context : "",
                started);
    ix->skipped++;
  } else {
    yaml_conv c = {&doc, 0, 0};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    json_object *o = root ? yaml_to_json(&c, root, 0) : NULL;
    if (c.too_big) {
      HK_LOG_WARN(lg->host, lg->inst,
                  "%s: YAML expands to more than %d nodes or %d levels "
                  "(aliases?); left out",
                  path, YAML_NODES_MAX, YAML_DEPTH_MAX);
      ix->skipped++;
    } else if (root) {
      rc = add_dataset(ix, o, path, lg);
    }
    json_object_put(o);
    yaml_document_delete(&doc);
  }
  yaml_parser_delete(&parser);
  fclose(f);
  if (rc == HK_OK)
    ix->n_sources++;
  return rc == HK_OK
             ? HK_OK
             : hk_error_set(err, rc, "otrf: out of memory reading %s", path);
}

static int
add_json_file(otrf_index *ix, const char *path, const otrf_log *lg,
              hk_error *err)
{
  json_object *root = json_object_from_file(path);
  if (!root) {
    HK_LOG_WARN(lg->host, lg->inst,
                "%s: not a JSON index (expected MSTICPy's mordor_cache.json: "
                "an object of metadata documents): %s; left out",
                path,
                json_util_get_last_err() ? json_util_get_last_err()
                                         : "parse error");
    ix->skipped++;
    return HK_OK;
  }
  int rc = HK_OK;
  hk_buf where = HK_BUF_INIT;
  if (json_object_get_type(root) == json_type_array) {
    size_t n = json_object_array_length(root);
    for (size_t i = 0; i < n && rc == HK_OK; i++) {
      hk_buf_reset(&where);
      hk_buf_appendf(&where, "%s[%zu]", path, i);
      rc = add_dataset(ix, json_object_array_get_idx(root, i), where.data, lg);
    }
  } else if (json_object_get_type(root) == json_type_object &&
             get_str(root, "id")) {
    rc = add_dataset(ix, root, path, lg);
  } else if (json_object_get_type(root) == json_type_object) {
    json_object_object_foreach(root, key, val)
    {
      if (rc != HK_OK)
        break;
      hk_buf_reset(&where);
      hk_buf_appendf(&where, "%s: %s", path, key);
      rc = add_dataset(ix, val, where.data, lg);
    }
  } else {
    HK_LOG_WARN(lg->host, lg->inst,
                "%s: not a JSON index (expected an object of metadata "
                "documents); left out",
                path);
    ix->skipped++;
  }
  hk_buf_free(&where);
  json_object_put(root);
  if (rc == HK_OK)
    ix->n_sources++;
  return rc == HK_OK
             ? HK_OK
             : hk_error_set(err, rc, "otrf: out of memory reading %s", path);
}

static int
has_ext(const char *name, const char *const *exts)
{
  size_t n = strlen(name);
  for (size_t i = 0; exts[i]; i++) {
    size_t k = strlen(exts[i]);
    if (n > k && !strcasecmp(name + n - k, exts[i]))
      return 1;
  }
  return 0;
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Collect metadata files below `dir`: YAML files in `dir` itself (when
 * top) or in folders named _metadata. */
static int
walk(const char *dir, int depth, int take_yaml, char ***files, size_t *n,
     size_t *cap)
{
  static const char *const yaml_exts[] = {".yaml", ".yml", NULL};
  DIR *d = opendir(dir);
  if (!d)
    return HK_OK;
  struct dirent *e;
  int rc = HK_OK;
  while (rc == HK_OK && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    size_t len = strlen(dir) + strlen(e->d_name) + 2;
    char *p = malloc(len);
    if (!p) {
      rc = HK_E_NOMEM;
      break;
    }
    snprintf(p, len, "%s/%s", dir, e->d_name);
    struct stat st;
    if (lstat(p, &st) != 0) {
      free(p);
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      if (depth < WALK_DEPTH_MAX)
        rc = walk(p, depth + 1, !strcmp(e->d_name, "_metadata"), files, n, cap);
      free(p);
      continue;
    }
    if (!take_yaml || !S_ISREG(st.st_mode) || !has_ext(e->d_name, yaml_exts)) {
      free(p);
      continue;
    }
    if (*n == *cap) {
      size_t c = *cap ? *cap * 2 : 64;
      char **f = realloc(*files, c * sizeof *f);
      if (!f) {
        free(p);
        rc = HK_E_NOMEM;
        break;
      }
      *files = f;
      *cap = c;
    }
    (*files)[(*n)++] = p;
  }
  closedir(d);
  return rc;
}

int
otrf_index_add_path(otrf_index *ix, const char *path, const otrf_log *lg,
                    hk_error *err)
{
  static const char *const yaml_exts[] = {".yaml", ".yml", NULL};
  struct stat st;
  if (stat(path, &st) != 0)
    return hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                        "otrf: metadata '%s': %s", path, strerror(errno));
  hk_buf_appendf(&ix->sources, "%s%s", ix->sources.len ? ", " : "", path);
  if (!S_ISDIR(st.st_mode)) {
    if (has_ext(path, yaml_exts))
      return add_yaml_file(ix, path, lg, err);
    return add_json_file(ix, path, lg, err);
  }
  char **files = NULL;
  size_t n = 0, cap = 0;
  int rc = walk(path, 0, 1, &files, &n, &cap);
  if (rc == HK_OK && n)
    qsort(files, n, sizeof *files, cmp_str);
  for (size_t i = 0; i < n && rc == HK_OK; i++)
    rc = add_yaml_file(ix, files[i], lg, err);
  free_strings(files, n);
  if (rc == HK_E_NOMEM && err->code == HK_OK)
    hk_error_set(err, rc, "otrf: out of memory reading %s", path);
  return rc;
}

static int
cmp_dataset(const void *a, const void *b)
{
  return strcmp(((const otrf_dataset *)a)->id, ((const otrf_dataset *)b)->id);
}

void
otrf_index_finish(otrf_index *ix, const otrf_log *lg)
{
  /* a stable order keeps the first source of a duplicate id */
  for (size_t i = 1; i < ix->n; i++)
    for (size_t k = i; k > 0 && cmp_dataset(&ix->sets[k - 1], &ix->sets[k]) > 0;
         k--) {
      otrf_dataset t = ix->sets[k];
      ix->sets[k] = ix->sets[k - 1];
      ix->sets[k - 1] = t;
    }
  size_t kept = 0;
  for (size_t i = 0; i < ix->n; i++) {
    if (kept && !strcmp(ix->sets[kept - 1].id, ix->sets[i].id)) {
      HK_LOG_DEBUG(lg->host, lg->inst, "%s: dataset %s already read from %s",
                   ix->sets[i].source, ix->sets[i].id,
                   ix->sets[kept - 1].source);
      dataset_free(&ix->sets[i]);
      continue;
    }
    ix->sets[kept++] = ix->sets[i];
  }
  ix->n = kept;
}

/* ---------------------------------------------------------- the filters */

/* "T1003" or "T1003.001"; also without the T, any case. */
static int
technique_ok(const char *s)
{
  if ((*s | 0x20) != 't')
    return 0;
  size_t i = 1;
  while (s[i] >= '0' && s[i] <= '9')
    i++;
  if (i != 5)
    return 0;
  if (!s[i])
    return 1;
  if (s[i] != '.')
    return 0;
  size_t k = i + 1;
  while (s[k] >= '0' && s[k] <= '9')
    k++;
  return k == i + 4 && !s[k];
}

int
otrf_filter_check(const otrf_filter *f, hk_error *err)
{
  for (size_t i = 0; i < f->n_techniques; i++)
    if (!technique_ok(f->techniques[i]))
      return hk_error_set(err, HK_E_CONFIG,
                          "otrf: technique '%s' is not an ATT&CK technique id "
                          "(expected T1234 or T1234.001)",
                          f->techniques[i]);
  for (size_t i = 0; i < f->n_tactics; i++)
    if (!otrf_tactic_name(f->tactics[i]) && !tactic_by_name(f->tactics[i]))
      return hk_error_set(err, HK_E_CONFIG,
                          "otrf: tactic '%s' is not an ATT&CK tactic (expected "
                          "an id such as TA0006 or a name such as "
                          "credential_access)",
                          f->tactics[i]);
  return HK_OK;
}

static int
has_technique(const otrf_dataset *d, const char *want)
{
  const char *dot = strchr(want, '.');
  size_t tlen = dot ? (size_t)(dot - want) : strlen(want);
  for (size_t i = 0; i < d->n_maps; i++) {
    const otrf_mapping *m = &d->maps[i];
    if (strlen(m->technique) != tlen || strncasecmp(m->technique, want, tlen))
      continue;
    if (!dot || (m->sub && !strcmp(m->sub, dot + 1)))
      return 1;
  }
  return 0;
}

static int
has_tactic(const otrf_dataset *d, const char *want)
{
  const char *id = otrf_tactic_name(want) ? want : tactic_by_name(want);
  for (size_t i = 0; id && i < d->n_maps; i++)
    for (size_t k = 0; k < d->maps[i].n_tactics; k++)
      if (!strcasecmp(d->maps[i].tactics[k], id))
        return 1;
  return 0;
}

static int
has_platform(const otrf_dataset *d, const char *want)
{
  for (size_t i = 0; i < d->n_platforms; i++)
    if (!strcasecmp(d->platforms[i], want))
      return 1;
  return 0;
}

/* MSTICPy's search terms: ',' separates alternatives, '+' joins terms that
 * must all appear; here without regard to case. */
static int
text_matches(const char *haystack, const char *search)
{
  const char *alt = search;
  for (;;) {
    const char *alt_end = strchr(alt, ',');
    if (!alt_end)
      alt_end = alt + strlen(alt);
    int all = 1, any_term = 0;
    for (const char *t = alt; t < alt_end && all;) {
      const char *t_end = memchr(t, '+', (size_t)(alt_end - t));
      if (!t_end)
        t_end = alt_end;
      const char *a = t, *e = t_end;
      while (a < e && *a == ' ')
        a++;
      while (e > a && e[-1] == ' ')
        e--;
      if (e > a) {
        char term[256];
        size_t n = (size_t)(e - a) < sizeof term - 1 ? (size_t)(e - a)
                                                     : sizeof term - 1;
        for (size_t i = 0; i < n; i++)
          term[i] = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] | 0x20) : a[i];
        term[n] = '\0';
        any_term = 1;
        all = strstr(haystack, term) != NULL;
      }
      t = t_end + (t_end < alt_end);
    }
    if (any_term && all)
      return 1;
    if (!*alt_end)
      return 0;
    alt = alt_end + 1;
  }
}

/* The metadata file's name without .yaml: compound datasets have a UUID
 * for an id but a readable file name (GoldenSAMLADFSMailAccess). */
static int
is_metadata_name(const char *source, const char *key)
{
  const char *base = strrchr(source, '/');
  base = base ? base + 1 : source;
  size_t n = strlen(key);
  return !strncasecmp(base, key, n) &&
         (!strcasecmp(base + n, ".yaml") || !strcasecmp(base + n, ".yml"));
}

int
otrf_dataset_named(const otrf_dataset *d, const char *key, size_t *file)
{
  if (!strcasecmp(d->id, key) || is_metadata_name(d->source, key))
    return 1;
  for (size_t i = 0; i < d->n_files; i++) {
    const otrf_file *f = &d->files[i];
    const char *base = strrchr(f->rel, '/');
    base = base ? base + 1 : f->rel;
    size_t stem = strcspn(base, ".");
    if (!strcmp(f->query, key) || !strcmp(f->link, key) ||
        !strcmp(f->rel, key) || !strcmp(base, key) ||
        (strlen(key) == stem && !strncmp(base, key, stem))) {
      *file = i;
      return 2;
    }
  }
  return 0;
}

int
otrf_dataset_matches(const otrf_dataset *d, const otrf_filter *f)
{
  int ok = !f->n_techniques;
  for (size_t i = 0; i < f->n_techniques && !ok; i++)
    ok = has_technique(d, f->techniques[i]);
  if (!ok)
    return 0;
  ok = !f->n_tactics;
  for (size_t i = 0; i < f->n_tactics && !ok; i++)
    ok = has_tactic(d, f->tactics[i]);
  if (!ok)
    return 0;
  ok = !f->n_platforms;
  for (size_t i = 0; i < f->n_platforms && !ok; i++)
    ok = has_platform(d, f->platforms[i]);
  if (!ok)
    return 0;
  if (f->dataset && *f->dataset) {
    size_t file;
    if (!otrf_dataset_named(d, f->dataset, &file))
      return 0;
  }
  return !f->search || !*f->search || text_matches(d->haystack, f->search);
}
