/*
 * host/settings.c -- finding and reading huntkit.yaml and conf.d/NAME.yaml.
 *
 * The search order and the keys are documented in core.h.  Files are read
 * with libyaml's document API, which keeps each node's line, so every
 * error names file, line and key: "conf.d/vt.yaml:4: key 'config' must be
 * a mapping".  The config directory is made absolute first, so relative
 * directories in huntkit.yaml resolve against it and every path in
 * hk_settings is absolute.
 *
 * YAML nulls (`key:` with nothing, `~`, `null`) mean "not set": a missing
 * or empty section is never an error.  Only the first document of a file
 * is read; a second one is refused rather than silently ignored.
 * HUNTKIT_PLUGIN_PATH entries that are not absolute are skipped with a
 * warning: plugin paths are never resolved against the current directory.
 */
#include "config.h"

#include "http.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <yaml.h>

#ifndef PKGLIBDIR
#define PKGLIBDIR "/usr/local/lib/huntkit"
#endif
#ifndef SYSCONFDIR
#define SYSCONFDIR "/usr/local/etc"
#endif

#define NOMEM(err) hk_error_set((err), HK_E_NOMEM, "out of memory")

/* ------------------------------------------------------------ string lists */

typedef struct strlist {
  char **v;
  size_t n, cap;
} strlist;

static int
strlist_push(strlist *l, char *s) /* takes `s` */
{
  if (s == NULL)
    return HK_E_NOMEM;
  if (l->n == l->cap) {
    size_t ncap = l->cap ? l->cap * 2 : 8;
    char **v = realloc(l->v, ncap * sizeof *v);
    if (v == NULL) {
      free(s);
      return HK_E_NOMEM;
    }
    l->v = v;
    l->cap = ncap;
  }
  l->v[l->n++] = s;
  return HK_OK;
}

static bool
strlist_has(const strlist *l, const char *s)
{
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->v[i], s) == 0)
      return true;
  return false;
}

static void
strv_free(char **v, size_t n)
{
  for (size_t i = 0; i < n; i++)
    free(v[i]);
  free(v);
}

/* "a/b" + "c" -> "a/b/c" (malloc'd). */
static char *
path_join(const char *dir, const char *name)
{
  size_t dl = strlen(dir), nl = strlen(name);
  bool slash = dl > 0 && dir[dl - 1] == '/';
  char *out = malloc(dl + nl + 2);
  if (out) {
    memcpy(out, dir, dl);
    if (!slash)
      out[dl++] = '/';
    memcpy(out + dl, name, nl + 1);
  }
  return out;
}

/* Make `path` absolute: "~" is expanded, a relative path is taken relative
 * to `base` (absolute). */
static char *
resolve_path(const char *path, const char *base)
{
  char *home = hk_expand_home(path);
  if (home == NULL || home[0] == '/')
    return home;
  char *out = path_join(base, home);
  free(home);
  return out;
}

/* -------------------------------------------------------------- YAML */

typedef struct yfile {
  const char *path; /* for messages */
  yaml_document_t doc;
  bool have_doc;
} yfile;

static int
node_line(const yaml_node_t *n)
{
  return (int)n->start_mark.line + 1;
}

static bool
is_null(const yaml_node_t *n)
{
  if (n->type != YAML_SCALAR_NODE ||
      n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
    return false;
  const char *v = (const char *)n->data.scalar.value;
  return v[0] == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
         strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

static const char *
scalar(const yaml_node_t *n)
{
  return (const char *)n->data.scalar.value;
}

/* Load the first document of `path`.  An empty file gives a NULL root. */
static int
yfile_load(yfile *yf, const char *path, yaml_node_t **root, hk_error *err)
{
  memset(yf, 0, sizeof *yf);
  yf->path = path;
  *root = NULL;
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return hk_error_set(err, HK_E_IO, "%s: cannot read: %s", path,
                        strerror(errno));
  yaml_parser_t parser;
  if (!yaml_parser_initialize(&parser)) {
    fclose(fp);
    return NOMEM(err);
  }
  yaml_parser_set_input_file(&parser, fp);
  int rc = HK_OK;
  if (!yaml_parser_load(&parser, &yf->doc)) {
    rc = hk_error_set(
        err, HK_E_CONFIG, "%s:%zu:%zu: YAML syntax error: %s%s%s", path,
        parser.problem_mark.line + 1, parser.problem_mark.column + 1,
        parser.problem ? parser.problem : "malformed YAML",
        parser.context ? " " : "", parser.context ? parser.context : "");
  } else {
    yf->have_doc = true;
    *root = yaml_document_get_root_node(&yf->doc);
    if (*root) {
      yaml_document_t second;
      if (!yaml_parser_load(&parser, &second)) {
        rc = hk_error_set(err, HK_E_CONFIG, "%s:%zu: YAML syntax error: %s",
                          path, parser.problem_mark.line + 1,
                          parser.problem ? parser.problem : "malformed YAML");
      } else {
        yaml_node_t *r2 = yaml_document_get_root_node(&second);
        if (r2)
          rc = hk_error_set(err, HK_E_CONFIG,
                            "%s:%d: a second YAML document ('---') is not "
                            "allowed: put everything in one",
                            path, node_line(r2));
        yaml_document_delete(&second);
      }
    }
  }
  yaml_parser_delete(&parser);
  fclose(fp);
  return rc;
}

static void
yfile_free(yfile *yf)
{
  if (yf->have_doc)
    yaml_document_delete(&yf->doc);
  yf->have_doc = false;
}

/* Walk a mapping: refuse non-scalar and duplicate keys. */
static int
check_mapping_keys(yfile *yf, yaml_node_t *map, hk_error *err)
{
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(&yf->doc, p->key);
    if (k->type != YAML_SCALAR_NODE)
      return hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: keys must be plain words, not a list or "
                          "mapping",
                          yf->path, node_line(k));
    for (yaml_node_pair_t *q = map->data.mapping.pairs.start; q < p; q++) {
      yaml_node_t *k2 = yaml_document_get_node(&yf->doc, q->key);
      if (k2->type == YAML_SCALAR_NODE && strcmp(scalar(k), scalar(k2)) == 0)
        return hk_error_set(err, HK_E_CONFIG,
                            "%s:%d: key '%s' appears twice (first at line %d)",
                            yf->path, node_line(k), scalar(k), node_line(k2));
    }
  }
  return HK_OK;
}

/* A list of paths (or a null) into `out`, resolved against `base`. */
static int
read_path_list(yfile *yf, const char *key, yaml_node_t *v, const char *base,
               strlist *out, hk_error *err)
{
  if (is_null(v))
    return HK_OK;
  if (v->type != YAML_SEQUENCE_NODE)
    return hk_error_set(err, HK_E_CONFIG,
                        "%s:%d: key '%s' must be a list of directories "
                        "(e.g. [/opt/huntkit/%s])",
                        yf->path, node_line(v), key,
                        strcmp(key, "plugin_dirs") == 0 ? "plugins"
                                                        : "queries");
  for (yaml_node_item_t *it = v->data.sequence.items.start;
       it < v->data.sequence.items.top; it++) {
    yaml_node_t *n = yaml_document_get_node(&yf->doc, *it);
    if (n->type != YAML_SCALAR_NODE || is_null(n) || scalar(n)[0] == '\0')
      return hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key '%s': every item must be a directory "
                          "path",
                          yf->path, node_line(n), key);
    char *p = resolve_path(scalar(n), base);
    if (p == NULL)
      return NOMEM(err);
    if (strlist_has(out, p)) {
      free(p);
      continue;
    }
    if (strlist_push(out, p) != HK_OK)
      return NOMEM(err);
  }
  return HK_OK;
}

static int
parse_log_level(const char *s)
{
  static const char *const names[] = {"error", "warn", "info", "debug"};
  for (int i = 0; i < 4; i++)
    if (strcmp(s, names[i]) == 0)
      return i;
  return -1;
}

static int
load_main_file(hk_settings *out, strlist *plugin_dirs, strlist *query_dirs,
               hk_error *err)
{
  yfile yf;
  yaml_node_t *root;
  int rc = yfile_load(&yf, out->config_file, &root, err);
  if (rc != HK_OK || root == NULL || is_null(root))
    goto done;
  if (root->type != YAML_MAPPING_NODE) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      "%s:%d: the top level must be a mapping of keys "
                      "(plugin_dirs, query_dirs, cache_dir, log_level)",
                      yf.path, node_line(root));
    goto done;
  }
  if ((rc = check_mapping_keys(&yf, root, err)) != HK_OK)
    goto done;
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
       p < root->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(&yf.doc, p->key);
    yaml_node_t *v = yaml_document_get_node(&yf.doc, p->value);
    const char *key = scalar(k);
    if (strcmp(key, "plugin_dirs") == 0) {
      rc = read_path_list(&yf, key, v, out->config_dir, plugin_dirs, err);
    } else if (strcmp(key, "query_dirs") == 0) {
      rc = read_path_list(&yf, key, v, out->config_dir, query_dirs, err);
    } else if (strcmp(key, "cache_dir") == 0) {
      if (is_null(v))
        continue;
      if (v->type != YAML_SCALAR_NODE || scalar(v)[0] == '\0')
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key 'cache_dir' must be a directory path",
                          yf.path, node_line(v));
      else if ((out->cache_dir = resolve_path(scalar(v), out->config_dir)) ==
               NULL)
        rc = NOMEM(err);
    } else if (strcmp(key, "log_level") == 0) {
      if (is_null(v))
        continue;
      int lvl = v->type == YAML_SCALAR_NODE ? parse_log_level(scalar(v)) : -1;
      if (lvl < 0)
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key 'log_level' must be one of "
                          "error|warn|info|debug, got '%s'",
                          yf.path, node_line(v),
                          v->type == YAML_SCALAR_NODE ? scalar(v)
                                                      : "a list or mapping");
      else
        out->log_level = lvl;
    } else {
      rc = hk_error_set(err, HK_E_CONFIG,
                        "%s:%d: unknown key '%s' (known keys: plugin_dirs, "
                        "query_dirs, cache_dir, log_level)",
                        yf.path, node_line(k), key);
    }
    if (rc != HK_OK)
      break;
  }
done:
  yfile_free(&yf);
  return rc;
}

/* ------------------------------------------------ host-owned instance keys */

/* The HTTP service's and the cache's settings of one instance sit at the
 * top level of its conf.d file, next to plugin/instance/enabled/config,
 * because the host applies them whatever the plugin: the plugin's schema
 * only governs `config:`.  Their values are parsed in http_conf.c. */

static bool
is_http_key(const char *key)
{
  for (size_t i = 0; hk_http_conf_keys[i]; i++)
    if (strcmp(hk_http_conf_keys[i], key) == 0)
      return true;
  return false;
}

typedef struct http_entries {
  hk_http_conf_entry *v;
  size_t n, cap;
} http_entries;

static void
http_entries_free(http_entries *e)
{
  for (size_t i = 0; i < e->n; i++) {
    free(e->v[i].plugin);
    free(e->v[i].instance);
    free(e->v[i].file);
    hk_http_conf_clear(&e->v[i].conf);
  }
  free(e->v);
  memset(e, 0, sizeof *e);
}

/* Takes `conf` (its proxy) whatever the outcome. */
static int
http_entries_push(http_entries *e, const hk_instance_conf *c,
                  hk_http_conf *conf)
{
  if (e->n == e->cap) {
    size_t ncap = e->cap ? e->cap * 2 : 8;
    hk_http_conf_entry *nv = realloc(e->v, ncap * sizeof *nv);
    if (!nv) {
      hk_http_conf_clear(conf);
      return HK_E_NOMEM;
    }
    e->v = nv;
    e->cap = ncap;
  }
  hk_http_conf_entry *x = &e->v[e->n];
  x->plugin = strdup(c->plugin);
  x->instance = strdup(c->instance);
  x->file = strdup(c->file);
  x->conf = *conf;
  if (!x->plugin || !x->instance || !x->file) {
    free(x->plugin);
    free(x->instance);
    free(x->file);
    hk_http_conf_clear(conf);
    return HK_E_NOMEM;
  }
  e->n++;
  return HK_OK;
}

/* ------------------------------------------------------------- conf.d */

static bool
valid_instance_name(const char *s)
{
  if (!((s[0] >= 'a' && s[0] <= 'z') || (s[0] >= 'A' && s[0] <= 'Z') ||
        (s[0] >= '0' && s[0] <= '9')))
    return false;
  size_t n = 0;
  for (; s[n]; n++) {
    char c = s[n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
          (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
      return false;
  }
  return n <= 64;
}

void
hk_instance_conf_clear(hk_instance_conf *c)
{
  free(c->file);
  free(c->plugin);
  free(c->instance);
  for (size_t i = 0; i < c->n_items; i++) {
    hk_setting_item *it = &c->items[i];
    free(it->key);
    if (it->value) {
      explicit_bzero(it->value, strlen(it->value));
      free(it->value);
    }
    for (size_t k = 0; k < it->n_items; k++) {
      explicit_bzero(it->items[k], strlen(it->items[k]));
      free(it->items[k]);
    }
    free(it->items);
  }
  free(c->items);
  memset(c, 0, sizeof *c);
}

int
hk_instance_conf_copy(hk_instance_conf *dst, const hk_instance_conf *src)
{
  memset(dst, 0, sizeof *dst);
  dst->line = src->line;
  dst->enabled = src->enabled;
  if ((dst->file = strdup(src->file)) == NULL ||
      (dst->plugin = strdup(src->plugin)) == NULL ||
      (dst->instance = strdup(src->instance)) == NULL)
    goto nomem;
  if (src->n_items &&
      (dst->items = calloc(src->n_items, sizeof *dst->items)) == NULL)
    goto nomem;
  for (size_t i = 0; i < src->n_items; i++, dst->n_items++) {
    const hk_setting_item *s = &src->items[i];
    hk_setting_item *d = &dst->items[i];
    d->line = s->line;
    if ((d->key = strdup(s->key)) == NULL)
      goto nomem;
    if (s->value && (d->value = strdup(s->value)) == NULL)
      goto nomem;
    if (s->value == NULL) {
      if ((d->items = calloc(s->n_items + 1, sizeof *d->items)) == NULL)
        goto nomem;
      for (size_t k = 0; k < s->n_items; k++, d->n_items++)
        if ((d->items[k] = strdup(s->items[k])) == NULL)
          goto nomem;
    }
  }
  return HK_OK;
nomem:
  hk_instance_conf_clear(dst);
  return HK_E_NOMEM;
}

/* The `config:` mapping of a conf.d file into c->items. */
static int
read_config_items(yfile *yf, yaml_node_t *map, hk_instance_conf *c,
                  hk_error *err)
{
  int rc = check_mapping_keys(yf, map, err);
  if (rc != HK_OK)
    return rc;
  size_t n =
      (size_t)(map->data.mapping.pairs.top - map->data.mapping.pairs.start);
  if (n == 0)
    return HK_OK;
  if ((c->items = calloc(n, sizeof *c->items)) == NULL)
    return NOMEM(err);
  for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
       p < map->data.mapping.pairs.top; p++) {
    yaml_node_t *k = yaml_document_get_node(&yf->doc, p->key);
    yaml_node_t *v = yaml_document_get_node(&yf->doc, p->value);
    if (is_null(v))
      continue; /* `key:` with no value: unset */
    hk_setting_item *it = &c->items[c->n_items];
    it->line = node_line(k);
    if ((it->key = strdup(scalar(k))) == NULL)
      return NOMEM(err);
    c->n_items++;
    if (v->type == YAML_SCALAR_NODE) {
      if ((it->value = strdup(scalar(v))) == NULL)
        return NOMEM(err);
      continue;
    }
    if (v->type != YAML_SEQUENCE_NODE)
      return hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key 'config.%s' must be a value or a list "
                          "of values, not a mapping",
                          yf->path, node_line(v), scalar(k));
    size_t m =
        (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
    if ((it->items = calloc(m + 1, sizeof *it->items)) == NULL)
      return NOMEM(err);
    for (yaml_node_item_t *i = v->data.sequence.items.start;
         i < v->data.sequence.items.top; i++) {
      yaml_node_t *e = yaml_document_get_node(&yf->doc, *i);
      if (e->type != YAML_SCALAR_NODE)
        return hk_error_set(err, HK_E_CONFIG,
                            "%s:%d: key 'config.%s': list items must be "
                            "plain values",
                            yf->path, node_line(e), scalar(k));
      if ((it->items[it->n_items] = strdup(scalar(e))) == NULL)
        return NOMEM(err);
      it->n_items++;
    }
  }
  return HK_OK;
}

/* One conf.d file; *have is false for an empty file. */
static int
load_instance_file(const char *path, hk_instance_conf *c, bool *have,
                   hk_http_conf *http, hk_error *err)
{
  /* The host-owned keys (hk_http_conf_keys) are accepted too; the
   * messages list the keys every file has. */
  static const char known[] = "plugin, instance, enabled, config";
  yfile yf;
  yaml_node_t *root;
  memset(c, 0, sizeof *c);
  hk_http_conf_init(http);
  *have = false;
  int rc = yfile_load(&yf, path, &root, err);
  if (rc != HK_OK || root == NULL || is_null(root))
    goto done;
  if (root->type != YAML_MAPPING_NODE) {
    rc = hk_error_set(err, HK_E_CONFIG,
                      "%s:%d: the top level must be a mapping of keys (%s)",
                      path, node_line(root), known);
    goto done;
  }
  if ((rc = check_mapping_keys(&yf, root, err)) != HK_OK)
    goto done;
  c->enabled = true;
  c->line = node_line(root);
  if ((c->file = strdup(path)) == NULL) {
    rc = NOMEM(err);
    goto done;
  }
  for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
       p < root->data.mapping.pairs.top && rc == HK_OK; p++) {
    yaml_node_t *k = yaml_document_get_node(&yf.doc, p->key);
    yaml_node_t *v = yaml_document_get_node(&yf.doc, p->value);
    const char *key = scalar(k);
    bool is_scalar = v->type == YAML_SCALAR_NODE && !is_null(v);
    if (strcmp(key, "plugin") == 0) {
      if (!is_scalar || !hk_valid_plugin_name(scalar(v)))
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key 'plugin' must be a plugin name "
                          "([a-z][a-z0-9_]*, see `huntkit plugins list`), "
                          "got '%s'",
                          path, node_line(v),
                          v->type == YAML_SCALAR_NODE ? scalar(v)
                                                      : "a list or mapping");
      else if ((c->plugin = strdup(scalar(v))) == NULL)
        rc = NOMEM(err);
      else
        c->line = node_line(k);
    } else if (strcmp(key, "instance") == 0) {
      if (!is_scalar || !valid_instance_name(scalar(v)))
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key 'instance' must be a name of letters, "
                          "digits, '_', '-' or '.', got '%s'",
                          path, node_line(v),
                          v->type == YAML_SCALAR_NODE ? scalar(v)
                                                      : "a list or mapping");
      else if ((c->instance = strdup(scalar(v))) == NULL)
        rc = NOMEM(err);
    } else if (strcmp(key, "enabled") == 0) {
      int b;
      if (!is_scalar || hk_parse_bool_word(scalar(v), &b) != 0)
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key 'enabled' must be true or false, got "
                          "'%s'",
                          path, node_line(v),
                          v->type == YAML_SCALAR_NODE ? scalar(v)
                                                      : "a list or mapping");
      else
        c->enabled = b;
    } else if (strcmp(key, "config") == 0) {
      if (is_null(v))
        continue;
      if (v->type != YAML_MAPPING_NODE)
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key 'config' must be a mapping", path,
                          node_line(v));
      else
        rc = read_config_items(&yf, v, c, err);
    } else if (is_http_key(key)) {
      if (is_null(v))
        continue;
      if (v->type != YAML_SCALAR_NODE) {
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: key '%s' must be a single value, not a "
                          "list or mapping",
                          path, node_line(v), key);
      } else if ((rc = hk_http_conf_set(http, key, scalar(v), err)) != HK_OK) {
        hk_error_prefix(err, "%s:%d: key '%s' ", path, node_line(v), key);
      }
    } else {
      rc = hk_error_set(err, HK_E_CONFIG,
                        "%s:%d: unknown key '%s' (known keys: %s)", path,
                        node_line(k), key, known);
    }
  }
  if (rc == HK_OK && c->plugin == NULL)
    rc = hk_error_set(err, HK_E_CONFIG,
                      "%s:%d: missing key 'plugin' (the plugin this file "
                      "enables, e.g. `plugin: virustotal`)",
                      path, node_line(root));
  if (rc == HK_OK && c->instance == NULL &&
      (c->instance = strdup(c->plugin)) == NULL)
    rc = NOMEM(err);
  if (rc == HK_OK)
    *have = true;
done:
  if (rc != HK_OK || !*have) {
    hk_instance_conf_clear(c);
    hk_http_conf_clear(http);
  }
  yfile_free(&yf);
  return rc;
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
has_yaml_ext(const char *name)
{
  size_t n = strlen(name);
  return name[0] != '.' && ((n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
                            (n > 4 && strcmp(name + n - 4, ".yml") == 0));
}

static int
load_conf_d(hk_settings *out, http_entries *http, hk_error *err)
{
  char *dir = path_join(out->config_dir, "conf.d");
  if (dir == NULL)
    return NOMEM(err);
  DIR *d = opendir(dir);
  if (d == NULL) {
    int e = errno;
    int rc = e == ENOENT ? HK_OK
                         : hk_error_set(err, HK_E_CONFIG, "%s: cannot read: %s",
                                        dir, strerror(e));
    free(dir);
    return rc;
  }
  strlist names = {0};
  int rc = HK_OK;
  struct dirent *de;
  while ((de = readdir(d)) != NULL)
    if (has_yaml_ext(de->d_name) &&
        strlist_push(&names, strdup(de->d_name)) != HK_OK) {
      rc = NOMEM(err);
      break;
    }
  closedir(d);
  if (names.n > 1)
    qsort(names.v, names.n, sizeof *names.v, cmp_str);
  for (size_t i = 0; i < names.n && rc == HK_OK; i++) {
    char *path = path_join(dir, names.v[i]);
    if (path == NULL) {
      rc = NOMEM(err);
      break;
    }
    hk_instance_conf c;
    hk_http_conf hc;
    bool have;
    rc = load_instance_file(path, &c, &have, &hc, err);
    free(path);
    if (rc != HK_OK || !have)
      continue;
    for (size_t k = 0; k < out->n_instances; k++) {
      const hk_instance_conf *o = &out->instances[k];
      if (strcmp(o->plugin, c.plugin) == 0 &&
          strcmp(o->instance, c.instance) == 0) {
        rc = hk_error_set(err, HK_E_CONFIG,
                          "%s:%d: instance '%s' of plugin '%s' is already "
                          "defined in %s:%d (set `instance:` to tell them "
                          "apart)",
                          c.file, c.line, c.instance, c.plugin, o->file,
                          o->line);
        break;
      }
    }
    if (rc != HK_OK) {
      hk_instance_conf_clear(&c);
      hk_http_conf_clear(&hc);
      break;
    }
    if (http_entries_push(http, &c, &hc) != HK_OK) {
      hk_instance_conf_clear(&c);
      rc = NOMEM(err);
      break;
    }
    hk_instance_conf *v =
        realloc(out->instances, (out->n_instances + 1) * sizeof *v);
    if (v == NULL) {
      hk_instance_conf_clear(&c);
      rc = NOMEM(err);
      break;
    }
    out->instances = v;
    out->instances[out->n_instances++] = c;
  }
  strv_free(names.v, names.n);
  free(dir);
  return rc;
}

/* -------------------------------------------------------------- search */

/* Pick the config location: the first candidate that exists.  The explicit
 * path and $HUNTKIT_CONFIG must exist when given. */
static int
find_config(const char *explicit_path, char **found, hk_error *err)
{
  *found = NULL;
  const char *env = getenv("HUNTKIT_CONFIG");
  struct stat st;
  if (explicit_path && explicit_path[0]) {
    char *p = hk_expand_home(explicit_path);
    if (p == NULL)
      return NOMEM(err);
    if (stat(p, &st) != 0) {
      int e = errno;
      free(p);
      return hk_error_set(err, HK_E_CONFIG, "--config %s: %s", explicit_path,
                          strerror(e));
    }
    *found = p;
    return HK_OK;
  }
  if (env && env[0]) {
    char *p = hk_expand_home(env);
    if (p == NULL)
      return NOMEM(err);
    if (stat(p, &st) != 0) {
      int e = errno;
      free(p);
      return hk_error_set(err, HK_E_CONFIG,
                          "HUNTKIT_CONFIG=%s: %s (unset it or point it at a "
                          "config directory)",
                          env, strerror(e));
    }
    *found = p;
    return HK_OK;
  }
  const char *xdg = getenv("XDG_CONFIG_HOME");
  char *cand = xdg && xdg[0] == '/' ? path_join(xdg, "huntkit")
                                    : hk_expand_home("~/.config/huntkit");
  if (cand == NULL)
    return NOMEM(err);
  if (stat(cand, &st) == 0) {
    *found = cand;
    return HK_OK;
  }
  free(cand);
  if (stat(SYSCONFDIR "/huntkit", &st) == 0 &&
      (*found = strdup(SYSCONFDIR "/huntkit")) == NULL)
    return NOMEM(err);
  return HK_OK;
}

/* Set config_dir and config_file from the location found. */
static int
use_location(hk_settings *out, const char *where, hk_error *err)
{
  char *abs = realpath(where, NULL);
  if (abs == NULL)
    return hk_error_set(err, HK_E_CONFIG, "%s: %s", where, strerror(errno));
  struct stat st;
  if (stat(abs, &st) != 0) {
    int e = errno;
    free(abs);
    return hk_error_set(err, HK_E_CONFIG, "%s: %s", where, strerror(e));
  }
  if (S_ISDIR(st.st_mode)) {
    out->config_dir = abs;
    char *file = path_join(abs, "huntkit.yaml");
    if (file == NULL)
      return NOMEM(err);
    if (stat(file, &st) == 0 && S_ISREG(st.st_mode))
      out->config_file = file;
    else
      free(file);
    return HK_OK;
  }
  if (!S_ISREG(st.st_mode)) {
    free(abs);
    return hk_error_set(err, HK_E_CONFIG, "%s: not a config file or directory",
                        where);
  }
  out->config_file = abs;
  char *slash = strrchr(abs, '/');
  out->config_dir =
      slash == abs ? strdup("/") : strndup(abs, (size_t)(slash - abs));
  return out->config_dir ? HK_OK : NOMEM(err);
}

/* HUNTKIT_PLUGIN_PATH entries (absolute only), then PKGLIBDIR/plugins. */
static int
add_env_and_default_dirs(strlist *dirs, hk_error *err)
{
  const char *env = getenv("HUNTKIT_PLUGIN_PATH");
  for (const char *p = env; p && *p;) {
    const char *colon = strchr(p, ':');
    size_t n = colon ? (size_t)(colon - p) : strlen(p);
    if (n > 0) {
      char *d = strndup(p, n);
      if (d == NULL)
        return NOMEM(err);
      if (d[0] != '/') {
        hk_log_msg(NULL, HK_LOG_WARN,
                   "HUNTKIT_PLUGIN_PATH: ignoring '%s': plugin directories "
                   "must be absolute paths",
                   d);
        free(d);
      } else if (strlist_has(dirs, d)) {
        free(d);
      } else if (strlist_push(dirs, d) != HK_OK) {
        return NOMEM(err);
      }
    }
    p = colon ? colon + 1 : p + n;
  }
  const char *def = PKGLIBDIR "/plugins";
  if (!strlist_has(dirs, def) && strlist_push(dirs, strdup(def)) != HK_OK)
    return NOMEM(err);
  return HK_OK;
}

int
hk_settings_load(const char *explicit_path, hk_settings *out, hk_error *err)
{
  memset(out, 0, sizeof *out);
  out->log_level = -1;
  strlist plugin_dirs = {0}, query_dirs = {0};
  http_entries http = {0};
  char *where = NULL;
  int rc = find_config(explicit_path, &where, err);
  if (rc == HK_OK && where)
    rc = use_location(out, where, err);
  free(where);
  if (rc == HK_OK && out->config_file)
    rc = load_main_file(out, &plugin_dirs, &query_dirs, err);
  if (rc == HK_OK && out->config_dir)
    rc = load_conf_d(out, &http, err);
  if (rc == HK_OK)
    rc = add_env_and_default_dirs(&plugin_dirs, err);
  out->plugin_dirs = plugin_dirs.v;
  out->n_plugin_dirs = plugin_dirs.n;
  out->query_dirs = query_dirs.v;
  out->n_query_dirs = query_dirs.n;
  /* The services apply each instance's host-owned keys and the cache
   * root: the settings loaded last are the ones in force. */
  if (rc == HK_OK &&
      hk_services_configure(out->cache_dir, http.v, http.n) != HK_OK)
    rc = NOMEM(err);
  http_entries_free(&http);
  if (rc != HK_OK)
    hk_settings_free(out);
  return rc;
}

void
hk_settings_free(hk_settings *s)
{
  if (s == NULL)
    return;
  free(s->config_dir);
  free(s->config_file);
  strv_free(s->plugin_dirs, s->n_plugin_dirs);
  strv_free(s->query_dirs, s->n_query_dirs);
  free(s->cache_dir);
  for (size_t i = 0; i < s->n_instances; i++)
    hk_instance_conf_clear(&s->instances[i]);
  free(s->instances);
  memset(s, 0, sizeof *s);
  s->log_level = -1;
}
