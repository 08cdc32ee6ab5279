/*
 * host/querylib.c -- the query library: which files are read (built-in
 * queries, the settings' query_dirs), how their sources are named
 * (PROVIDER.FAMILY.QUERY, see querylib.h), overrides and lookup.  Reading
 * one file is querylib_yaml.c's; expansion is querylib_expand.c's.
 */
#define _GNU_SOURCE /* asprintf, strndup */
#include "config.h"

#include "querylib.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include "timeparse.h"
#include <pcre2.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define MAX_DIR_DEPTH 16

struct hk_querylib {
  hk_qsource **sources;
  size_t n_sources, cap_sources;
  hk_qentry *entries;
  size_t n_entries, cap_entries;
  char **problems;
  size_t n_problems, cap_problems;
  unsigned seq;
  char *builtin_dir;
};

/* ---------------------------------------------------------- utilities */

static void
strv_free(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

static int
strv_push(char ***v, size_t *n, const char *s)
{
  char **nv = realloc(*v, (*n + 1) * sizeof *nv);
  if (!nv)
    return HK_E_NOMEM;
  *v = nv;
  if (!(nv[*n] = strdup(s)))
    return HK_E_NOMEM;
  (*n)++;
  return HK_OK;
}

static int
add_problem(hk_querylib *lib, const char *msg)
{
  if (lib->n_problems == lib->cap_problems) {
    size_t cap = lib->cap_problems ? 2 * lib->cap_problems : 8;
    char **np = realloc(lib->problems, cap * sizeof *np);
    if (!np)
      return HK_E_NOMEM;
    lib->problems = np;
    lib->cap_problems = cap;
  }
  if (!(lib->problems[lib->n_problems] = strdup(msg)))
    return HK_E_NOMEM;
  lib->n_problems++;
  return HK_OK;
}

/* Names as MSTICPy makes attribute names of them: anything but
 * [A-Za-z0-9_] becomes '_', a leading digit gets "n_" (dots separate the
 * levels of a family and are kept there). */
static char *
sanitize_name(const char *s, int keep_dots)
{
  size_t n = strlen(s);
  /* Room for "n_" before every level. */
  char *o = malloc(3 * n + 3), *p = o;
  bool level_start = true;
  if (!o)
    return NULL;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (keep_dots && c == '.') {
      *p++ = '.';
      level_start = true;
      continue;
    }
    if (level_start && isdigit(c)) {
      *p++ = 'n';
      *p++ = '_';
    }
    level_start = false;
    *p++ = (char)(isalnum(c) || c == '_' ? c : '_');
  }
  if (p == o)
    *p++ = '_';
  *p = '\0';
  return o;
}

/* -------------------------------------------------------- environments */

static const struct {
  const char *env;
  const char *provider;
  int lang;
} ENVIRONMENTS[] = {
    {"MSSentinel", "loganalytics", HK_QL_KQL},
    {"AzureSentinel", "loganalytics", HK_QL_KQL},
    {"LogAnalytics", "loganalytics", HK_QL_KQL},
    {"MSSentinel_New", "loganalytics", HK_QL_KQL},
    {"MSSentinel_Legacy", "loganalytics", HK_QL_KQL},
    {"MSSentinel_KQLM", "loganalytics", HK_QL_KQL},
    {"MSSentinelSearch", "mssentinelsearch", HK_QL_KQL},
    {"Kusto", "kusto", HK_QL_KQL},
    {"AzureDataExplorer", "kusto", HK_QL_KQL},
    {"Kusto_New", "kusto", HK_QL_KQL},
    {"Kusto_Legacy", "kusto", HK_QL_KQL},
    {"Kusto_KQLM", "kusto", HK_QL_KQL},
    {"MDE", "defender", HK_QL_KQL},
    {"MDATP", "defender", HK_QL_KQL},
    {"M365D", "defender", HK_QL_KQL},
    {"M365DGraph", "defender", HK_QL_KQL},
    {"GraphHunting", "defender", HK_QL_KQL},
    {"ResourceGraph", "resourcegraph", HK_QL_KQL},
    {"MSGraph", "msgraph", HK_QL_ODATA},
    {"SecurityGraph", "msgraph", HK_QL_ODATA},
    {"Splunk", "splunk", HK_QL_SPL},
    {"OTRF", "otrf", HK_QL_TEXT},
    {"Mordor", "otrf", HK_QL_TEXT},
    {"LocalData", "localdata", HK_QL_TEXT},
    {"OSQueryLogs", "osquery", HK_QL_TEXT},
    {"OSQuery", "osquery", HK_QL_TEXT},
    {"VelociraptorLogs", "velociraptor", HK_QL_TEXT},
    {"Velociraptor", "velociraptor", HK_QL_TEXT},
    {"file", "file", HK_QL_WHERE},
};

int
hk_querylib_environment(const char *env, char *buf, size_t cap)
{
  const char *dot = strrchr(env, '.');
  size_t n = 0;
  if (dot && dot[1])
    env = dot + 1; /* "Prefix.EnvName": MSTICPy uses the last part */
  for (size_t i = 0; i < sizeof ENVIRONMENTS / sizeof ENVIRONMENTS[0]; i++)
    if (strcmp(ENVIRONMENTS[i].env, env) == 0) {
      snprintf(buf, cap, "%s", ENVIRONMENTS[i].provider);
      return ENVIRONMENTS[i].lang;
    }
  /* Any other environment (Sumologic, Elastic, a plugin's own name) is a
   * provider of that name, lower-cased. */
  for (const char *p = env; *p && n + 1 < cap; p++) {
    unsigned char c = (unsigned char)*p;
    buf[n++] = (char)(isalnum(c) ? tolower(c) : '_');
  }
  if (n == 0 && cap > 1)
    buf[n++] = '_';
  if (cap)
    buf[n] = '\0';
  return HK_QL_TEXT;
}

const char *
hk_qlang_name(int lang)
{
  switch (lang) {
  case HK_QL_KQL:
    return "KQL";
  case HK_QL_SPL:
    return "SPL";
  case HK_QL_WHERE:
    return "where";
  case HK_QL_ODATA:
    return "OData";
  default:
    return "text";
  }
}

const char *
hk_qparam_type_name(int type)
{
  switch (type) {
  case HK_QP_STR:
    return "str";
  case HK_QP_INT:
    return "int";
  case HK_QP_FLOAT:
    return "float";
  case HK_QP_DATETIME:
    return "datetime";
  case HK_QP_LIST:
    return "list";
  case HK_QP_BOOL:
    return "bool";
  default:
    return "?";
  }
}

/* ------------------------------------------------------------ registry */

static int
add_entry(hk_querylib *lib, const char *provider, int lang,
          const char *environment, const char *family, const hk_qsource *src)
{
  hk_qentry *e;
  char *fam = sanitize_name(family, 1), *q = sanitize_name(src->query, 0);
  int rc = HK_E_NOMEM;
  if (!fam || !q)
    goto out;
  if (lib->n_entries == lib->cap_entries) {
    size_t cap = lib->cap_entries ? 2 * lib->cap_entries : 64;
    hk_qentry *ne = realloc(lib->entries, cap * sizeof *ne);
    if (!ne)
      goto out;
    lib->entries = ne;
    lib->cap_entries = cap;
  }
  e = &lib->entries[lib->n_entries];
  memset(e, 0, sizeof *e);
  if (asprintf(&e->name, "%s.%s.%s", provider, fam, q) < 0) {
    e->name = NULL;
    goto out;
  }
  e->provider = strdup(provider);
  e->family = fam;
  fam = NULL;
  e->environment = strdup(environment);
  if (!e->provider || !e->environment) {
    free(e->name);
    free(e->provider);
    free(e->family);
    free(e->environment);
    goto out;
  }
  e->language = lang;
  e->src = src;
  e->seq = lib->seq++;
  lib->n_entries++;
  rc = HK_OK;
out:
  free(fam);
  free(q);
  return rc;
}

static int
keep_source(hk_querylib *lib, hk_qsource *s)
{
  if (lib->n_sources == lib->cap_sources) {
    size_t cap = lib->cap_sources ? 2 * lib->cap_sources : 32;
    hk_qsource **ns = realloc(lib->sources, cap * sizeof *ns);
    if (!ns)
      return HK_E_NOMEM;
    lib->sources = ns;
    lib->cap_sources = cap;
  }
  lib->sources[lib->n_sources++] = s;
  return HK_OK;
}

static int
register_source(hk_querylib *lib, hk_qsource *s, char **envs, size_t n_envs,
                char **fams, size_t n_fams, hk_error *err)
{
  char seen[16][64];
  size_t n_seen = 0;
  if (keep_source(lib, s) != HK_OK) {
    hk_qsource_free(s);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  for (size_t e = 0; e < n_envs; e++) {
    char provider[64];
    int lang = hk_querylib_environment(envs[e], provider, sizeof provider);
    bool dup = false;
    /* LogAnalytics and MSSentinel in one file are one provider. */
    for (size_t k = 0; k < n_seen; k++)
      dup |= strcmp(seen[k], provider) == 0;
    if (dup)
      continue;
    if (n_seen < 16)
      snprintf(seen[n_seen++], sizeof seen[0], "%s", provider);
    for (size_t f = 0; f < n_fams; f++)
      if (add_entry(lib, provider, lang, envs[e], fams[f], s) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  return HK_OK;
}

/* Parse one file and register what it holds; problems are kept. */
static int
load_file(hk_querylib *lib, const char *path, hk_error *err)
{
  hk_qfile f;
  int rc = hk_qfile_parse(path, &f, err);
  for (size_t i = 0; i < f.n_problems; i++)
    if (add_problem(lib, f.problems[i]) != HK_OK)
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
  for (size_t i = 0; i < f.n_items; i++) {
    hk_qparsed *it = &f.items[i];
    hk_qsource *s = it->src;
    it->src = NULL; /* the library owns it from here, also on failure */
    if (register_source(lib, s, it->envs, it->n_envs, it->fams, it->n_fams,
                        err) != HK_OK)
      rc = HK_E_NOMEM;
  }
  hk_qfile_clear(&f);
  return rc;
}

/* ---------------------------------------------------- names and order */

static int
entry_cmp(const void *a, const void *b)
{
  const hk_qentry *x = a, *y = b;
  int c = strcmp(x->name, y->name);
  if (c)
    return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void
entry_clear(hk_qentry *e)
{
  free(e->name);
  free(e->provider);
  free(e->family);
  free(e->environment);
  free(e->replaced);
}

/* Sort by name; of several definitions of one name the last loaded wins
 * and remembers where the one it replaced came from. */
static void
settle(hk_querylib *lib)
{
  size_t o = 0;
  if (lib->n_entries < 2)
    return;
  qsort(lib->entries, lib->n_entries, sizeof *lib->entries, entry_cmp);
  for (size_t i = 0; i < lib->n_entries; i++) {
    if (o > 0 && strcmp(lib->entries[o - 1].name, lib->entries[i].name) == 0) {
      hk_qentry *prev = &lib->entries[o - 1];
      char *where = NULL;
      if (asprintf(&where, "%s:%d", prev->src->file, prev->src->line) < 0)
        where = NULL;
      entry_clear(prev);
      *prev = lib->entries[i];
      free(prev->replaced);
      prev->replaced = where;
      hk_log_msg(NULL, HK_LOG_INFO, "query %s from %s:%d replaces %s",
                 prev->name, prev->src->file, prev->src->line,
                 where ? where : "an earlier definition");
      continue;
    }
    lib->entries[o++] = lib->entries[i];
  }
  lib->n_entries = o;
}

/* -------------------------------------------------------------- public */

hk_querylib *
hk_querylib_new(void)
{
  return calloc(1, sizeof(hk_querylib));
}

void
hk_querylib_free(hk_querylib *lib)
{
  if (!lib)
    return;
  for (size_t i = 0; i < lib->n_entries; i++)
    entry_clear(&lib->entries[i]);
  free(lib->entries);
  for (size_t i = 0; i < lib->n_sources; i++)
    hk_qsource_free(lib->sources[i]);
  free(lib->sources);
  strv_free(lib->problems, lib->n_problems);
  free(lib->builtin_dir);
  free(lib);
}

int
hk_querylib_add_file(hk_querylib *lib, const char *path, hk_error *err)
{
  int rc = load_file(lib, path, err);
  if (rc != HK_OK && rc != HK_E_NOMEM && err && add_problem(lib, err->msg))
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
  settle(lib);
  return rc;
}

static int
name_cmp(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
is_query_file(const char *name)
{
  size_t n = strlen(name);
  return (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
         (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

static int
walk_dir(hk_querylib *lib, const char *dir, int depth, hk_error *err)
{
  DIR *d = opendir(dir);
  char **names = NULL;
  size_t n = 0;
  struct dirent *de;
  int rc = HK_OK;

  if (!d) {
    char msg[HK_ERROR_MSG_MAX];
    snprintf(msg, sizeof msg, "%s: cannot read the directory: %s", dir,
             strerror(errno));
    return add_problem(lib, msg) == HK_OK
               ? HK_OK
               : hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  while ((de = readdir(d)))
    if (de->d_name[0] != '.' && strv_push(&names, &n, de->d_name) != HK_OK) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      break;
    }
  closedir(d);
  if (names)
    qsort(names, n, sizeof *names, name_cmp);
  for (size_t i = 0; i < n && rc == HK_OK; i++) {
    char *path;
    struct stat st;
    if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
      rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      break;
    }
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
      if (depth < MAX_DIR_DEPTH)
        rc = walk_dir(lib, path, depth + 1, err);
    } else if (is_query_file(names[i])) {
      hk_error ferr;
      hk_error_clear(&ferr);
      if (load_file(lib, path, &ferr) != HK_OK) {
        if (ferr.code == HK_E_NOMEM || add_problem(lib, ferr.msg) != HK_OK)
          rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
      }
    }
    free(path);
  }
  strv_free(names, n);
  return rc;
}

int
hk_querylib_add_dir(hk_querylib *lib, const char *dir, hk_error *err)
{
  struct stat st;
  int rc;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return hk_error_set(err, HK_E_NOTFOUND,
                        "query directory '%s' does not exist or is not a "
                        "directory",
                        dir);
  rc = walk_dir(lib, dir, 0, err);
  settle(lib);
  return rc;
}

int
hk_querylib_load_standard(hk_querylib *lib, const hk_settings *settings,
                          const char *srcdir, hk_error *err)
{
  const char *roots[3];
  size_t n = 0;
  const char *env = getenv("HUNTKIT_DATADIR");
  int rc = HK_OK;

  if (env && *env)
    roots[n++] = env;
  roots[n++] = PKGDATADIR;
  if (srcdir && *srcdir)
    roots[n++] = srcdir;
  for (size_t i = 0; i < n && !lib->builtin_dir; i++) {
    char *dir;
    struct stat st;
    if (asprintf(&dir, "%s/queries", roots[i]) < 0)
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
      lib->builtin_dir = dir;
    else
      free(dir);
  }
  if (lib->builtin_dir &&
      (rc = walk_dir(lib, lib->builtin_dir, 0, err)) != HK_OK)
    return rc;
  for (size_t i = 0; settings && i < settings->n_query_dirs; i++) {
    hk_error derr;
    hk_error_clear(&derr);
    if (hk_querylib_add_dir(lib, settings->query_dirs[i], &derr) != HK_OK) {
      char msg[HK_ERROR_MSG_MAX + 64];
      if (derr.code == HK_E_NOMEM)
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
      snprintf(msg, sizeof msg, "%s (query_dirs in %s)", derr.msg,
               settings->config_file ? settings->config_file : "huntkit.yaml");
      if (add_problem(lib, msg) != HK_OK)
        return hk_error_set(err, HK_E_NOMEM, "out of memory");
    }
  }
  settle(lib);
  return HK_OK;
}

const char *
hk_querylib_builtin_dir(const hk_querylib *lib)
{
  return lib->builtin_dir;
}

size_t
hk_querylib_problem_count(const hk_querylib *lib)
{
  return lib->n_problems;
}

const char *
hk_querylib_problem(const hk_querylib *lib, size_t i)
{
  return i < lib->n_problems ? lib->problems[i] : NULL;
}

size_t
hk_querylib_count(const hk_querylib *lib)
{
  return lib->n_entries;
}

const hk_qentry *
hk_querylib_at(const hk_querylib *lib, size_t i)
{
  return i < lib->n_entries ? &lib->entries[i] : NULL;
}

static int
find_cmp(const void *key, const void *elem)
{
  return strcmp(key, ((const hk_qentry *)elem)->name);
}

static const char *
last_part(const char *name)
{
  const char *dot = strrchr(name, '.');
  return dot ? dot + 1 : name;
}

const hk_qentry *
hk_querylib_find(const hk_querylib *lib, const char *name, hk_error *err)
{
  const hk_qentry *e = NULL;
  const char *dot = strchr(name, '.');
  if (lib->n_entries)
    e = bsearch(name, lib->entries, lib->n_entries, sizeof *lib->entries,
                find_cmp);
  if (e)
    return e;
  /* PROVIDER.QUERY: one query of that name among the provider's
   * families (several families of one source count as one). */
  if (dot && !strchr(dot + 1, '.')) {
    const hk_qentry *found = NULL;
    hk_buf names = HK_BUF_INIT;
    size_t n_found = 0, plen = (size_t)(dot - name);
    for (size_t i = 0; i < lib->n_entries; i++) {
      const hk_qentry *c = &lib->entries[i];
      if (strlen(c->provider) != plen || memcmp(c->provider, name, plen) ||
          strcmp(last_part(c->name), dot + 1))
        continue;
      hk_buf_appendf(&names, "%s%s", names.len ? ", " : "", c->name);
      if (!found || found->src != c->src)
        n_found++;
      if (!found)
        found = c;
    }
    if (n_found == 1) {
      hk_buf_free(&names);
      return found;
    }
    if (n_found > 1) {
      hk_error_set(err, HK_E_INVAL,
                   "query name '%s' is ambiguous: %s (give the full name)",
                   name, names.data);
      hk_buf_free(&names);
      if (err)
        err->flags |= HK_EF_USER;
      return NULL;
    }
    hk_buf_free(&names);
  }
  /* Not found: suggest a name that differs only in case, or that ends in
   * the same query. */
  {
    const char *hint = NULL, *want = last_part(name);
    for (size_t i = 0; i < lib->n_entries && !hint; i++)
      if (strcasecmp(lib->entries[i].name, name) == 0)
        hint = lib->entries[i].name;
    for (size_t i = 0; i < lib->n_entries && !hint; i++)
      if (strcasecmp(last_part(lib->entries[i].name), want) == 0)
        hint = lib->entries[i].name;
    if (hint)
      hk_error_set(err, HK_E_NOTFOUND,
                   "no query named '%s' (did you mean '%s'? see `huntkit "
                   "queries list`)",
                   name, hint);
    else
      hk_error_set(err, HK_E_NOTFOUND,
                   "no query named '%s' (%zu queries loaded; see `huntkit "
                   "queries list`)",
                   name, lib->n_entries);
    if (err)
      err->flags |= HK_EF_USER;
  }
  return NULL;
}

static bool
re_match(pcre2_code *re, pcre2_match_data *md, const char *s)
{
  return s && pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0, 0, md,
                          NULL) >= 0;
}

int
hk_querylib_search(const hk_querylib *lib, const char *provider,
                   const char *pattern, size_t **out, size_t *n_out,
                   hk_error *err)
{
  pcre2_code *re = NULL;
  pcre2_match_data *md = NULL;
  size_t *idx;
  *out = NULL;
  *n_out = 0;
  if (pattern) {
    int code;
    PCRE2_SIZE off;
    re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                       PCRE2_CASELESS, &code, &off, NULL);
    if (!re) {
      PCRE2_UCHAR msg[160];
      pcre2_get_error_message(code, msg, sizeof msg);
      hk_error_set(err, HK_E_INVAL, "--search '%s': %s (at offset %zu)",
                   pattern, (const char *)msg, (size_t)off);
      if (err)
        err->flags |= HK_EF_USER;
      return HK_E_INVAL;
    }
    md = pcre2_match_data_create_from_pattern(re, NULL);
    if (!md) {
      pcre2_code_free(re);
      return hk_error_set(err, HK_E_NOMEM, "out of memory");
    }
  }
  idx = malloc((lib->n_entries ? lib->n_entries : 1) * sizeof *idx);
  if (!idx) {
    pcre2_match_data_free(md);
    pcre2_code_free(re);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  for (size_t i = 0; i < lib->n_entries; i++) {
    const hk_qentry *e = &lib->entries[i];
    const hk_qsource *s = e->src;
    bool hit = !re;
    if (provider && strcmp(e->provider, provider) != 0)
      continue;
    /* MSTICPy's search: name, description, parameter names, the table
     * parameter's default and the query text. */
    hit = hit || re_match(re, md, e->name) ||
          re_match(re, md, s->description) || re_match(re, md, s->template);
    for (size_t k = 0; !hit && k < s->n_params; k++)
      hit = re_match(re, md, s->params[k].name) ||
            (strcmp(s->params[k].name, "table") == 0 &&
             re_match(re, md, s->params[k].default_text));
    if (hit)
      idx[(*n_out)++] = i;
  }
  pcre2_match_data_free(md);
  pcre2_code_free(re);
  *out = idx;
  return HK_OK;
}
