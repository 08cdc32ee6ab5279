/*
 * host/registry.c -- modules (shared objects and static entries), the
 * plugins they carry, what was refused and why, and plugin instances.
 *
 * Loading is lazy: hk_registry_find tries <dir>/<name>.so in each plugin
 * directory first and scans every .so only when that fails (one .so may
 * carry several plugins).  Every attempt is recorded as a module, loaded or
 * not, and each refusal keeps its message for `huntkit plugins list`.  A
 * path already tried is not opened again by find/load_all; an explicit
 * hk_registry_load_path retries a path that failed (the operator may have
 * fixed it) and replaces that path's old refusals.
 *
 * The first directory wins: a second plugin with a name already loaded is
 * refused as a duplicate, naming the file that was loaded.
 *
 * hk_instance is opaque to plugins and carries a magic number that every
 * host service checks.  Its config is validated against the plugin's
 * schema with origins "FILE:LINE (PLUGIN)" (see config.c), and the plugin's
 * create runs when the instance is first asked for.
 */
#include "config.h"

#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Descriptor arrays are bounded so a missing NULL terminator cannot run
 * away. */
#define HK_MAX_DESCS 1024

typedef struct module_rec {
  hk_module m; /* first: hk_module pointers are module_rec pointers */
  int code;    /* HK_OK when loaded, else the first refusal's code */
} module_rec;

typedef struct refusal_rec {
  hk_refusal r;
  int code;
} refusal_rec;

/* The members every vtable starts with. */
typedef struct vt_header {
  HK_VT_HEADER;
} vt_header;

struct hk_instance {
  uint32_t magic;
  hk_registry *reg;
  const hk_plugin *plugin;
  char *name;
  char *file; /* conf.d file, or NULL when unconfigured */
  hk_config *cfg;
  void *state;
  hk_log_state log;
};

#define VEC(type)                                                              \
  struct {                                                                     \
    type *v;                                                                   \
    size_t n, cap;                                                             \
  }

struct hk_registry {
  pthread_mutex_t lock;
  char *config_dir;
  char **dirs;
  size_t n_dirs;
  hk_instance_conf *confs;
  size_t n_confs;
  VEC(module_rec *) modules;
  VEC(hk_plugin *) plugins;
  VEC(refusal_rec *) refusals;
  VEC(hk_instance *) instances;
  bool scanned_all;
};

static int
vec_grow(void **v, size_t *cap, size_t n, size_t elem)
{
  if (n < *cap)
    return HK_OK;
  size_t ncap = *cap ? *cap * 2 : 8;
  void *nv = realloc(*v, ncap * elem);
  if (nv == NULL)
    return HK_E_NOMEM;
  *v = nv;
  *cap = ncap;
  return HK_OK;
}

#define VEC_PUSH(vec, item)                                                    \
  (vec_grow((void **)&(vec).v, &(vec).cap, (vec).n, sizeof *(vec).v) == HK_OK  \
       ? ((vec).v[(vec).n++] = (item), HK_OK)                                  \
       : HK_E_NOMEM)

/* ------------------------------------------------------------ lifecycle */

hk_registry *
hk_registry_new(const hk_settings *settings)
{
  hk_registry *r = calloc(1, sizeof *r);
  if (r == NULL)
    return NULL;
  pthread_mutex_init(&r->lock, NULL);
  if (settings == NULL)
    return r;
  if (settings->config_dir &&
      (r->config_dir = strdup(settings->config_dir)) == NULL)
    goto nomem;
  if (settings->n_plugin_dirs &&
      (r->dirs = calloc(settings->n_plugin_dirs, sizeof *r->dirs)) == NULL)
    goto nomem;
  for (size_t i = 0; i < settings->n_plugin_dirs; i++, r->n_dirs++)
    if ((r->dirs[i] = strdup(settings->plugin_dirs[i])) == NULL)
      goto nomem;
  if (settings->n_instances &&
      (r->confs = calloc(settings->n_instances, sizeof *r->confs)) == NULL)
    goto nomem;
  for (size_t i = 0; i < settings->n_instances; i++, r->n_confs++)
    if (hk_instance_conf_copy(&r->confs[i], &settings->instances[i]) != HK_OK)
      goto nomem;
  return r;
nomem:
  hk_registry_free(r);
  return NULL;
}

static void
instance_free(hk_instance *inst)
{
  if (inst == NULL)
    return;
  inst->magic = 0;
  hk_config_free(inst->cfg);
  free(inst->name);
  free(inst->file);
  free(inst);
}

void
hk_registry_free(hk_registry *r)
{
  if (r == NULL)
    return;
  /* Instances go first and newest first: a later instance may use state an
   * earlier one set up. */
  for (size_t i = r->instances.n; i-- > 0;) {
    hk_instance *inst = r->instances.v[i];
    const vt_header *vt = inst->plugin->desc->vtable;
    if (vt->destroy)
      vt->destroy(inst->state);
    hk_log_flush(inst);
    instance_free(inst);
  }
  free(r->instances.v);
  for (size_t i = 0; i < r->plugins.n; i++)
    free(r->plugins.v[i]);
  free(r->plugins.v);
  for (size_t i = 0; i < r->refusals.n; i++) {
    free(r->refusals.v[i]->r.path);
    free(r->refusals.v[i]->r.name);
    free(r->refusals.v[i]);
  }
  free(r->refusals.v);
  for (size_t i = 0; i < r->modules.n; i++) {
    hk_loader_close(r->modules.v[i]->m.handle);
    free(r->modules.v[i]->m.path);
    free(r->modules.v[i]);
  }
  free(r->modules.v);
  for (size_t i = 0; i < r->n_dirs; i++)
    free(r->dirs[i]);
  free(r->dirs);
  for (size_t i = 0; i < r->n_confs; i++)
    hk_instance_conf_clear(&r->confs[i]);
  free(r->confs);
  free(r->config_dir);
  pthread_mutex_destroy(&r->lock);
  free(r);
}

/* -------------------------------------------------------------- loading */

static hk_plugin *
lookup(const hk_registry *r, const char *name)
{
  for (size_t i = 0; i < r->plugins.n; i++)
    if (strcmp(r->plugins.v[i]->desc->name, name) == 0)
      return r->plugins.v[i];
  return NULL;
}

static module_rec *
module_by_path(const hk_registry *r, const char *path)
{
  for (size_t i = 0; i < r->modules.n; i++)
    if (strcmp(r->modules.v[i]->m.path, path) == 0)
      return r->modules.v[i];
  return NULL;
}

static void
add_refusal(hk_registry *r, const char *path, const char *name, int code,
            const char *reason)
{
  refusal_rec *f = calloc(1, sizeof *f);
  if (f == NULL)
    return;
  f->code = code;
  f->r.path = strdup(path);
  f->r.name = name ? strdup(name) : NULL;
  snprintf(f->r.reason, sizeof f->r.reason, "%s", reason);
  hk_log_redact(f->r.reason, sizeof f->r.reason);
  if (f->r.path == NULL || VEC_PUSH(r->refusals, f) != HK_OK) {
    free(f->r.path);
    free(f->r.name);
    free(f);
    return;
  }
  hk_log_msg(NULL, HK_LOG_INFO, "%s", f->r.reason);
}

static void
drop_refusals_of(hk_registry *r, const char *path)
{
  size_t k = 0;
  for (size_t i = 0; i < r->refusals.n; i++) {
    refusal_rec *f = r->refusals.v[i];
    if (strcmp(f->r.path, path) == 0) {
      free(f->r.path);
      free(f->r.name);
      free(f);
    } else {
      r->refusals.v[k++] = f;
    }
  }
  r->refusals.n = k;
}

/* The descriptor's name when it can be read safely, else NULL. */
static const char *
desc_name(const hk_plugin_desc *d)
{
  if (d->struct_size >= offsetof(hk_plugin_desc, name) + sizeof d->name &&
      hk_valid_plugin_name(d->name))
    return d->name;
  return NULL;
}

/* Run an entry function and accept its descriptors into module `mod`. */
static int
accept_descriptors(hk_registry *r, module_rec *mod, hk_plugin_entry_fn *entry,
                   hk_error *err)
{
  const char *path = mod->m.path;
  hk_error e;
  hk_error_clear(&e);
  const hk_plugin_desc *const *descs = entry(hk_services(), &e);
  if (descs == NULL || descs[0] == NULL) {
    if (descs)
      hk_error_set(err, HK_E_ABI,
                   "refusing %s: the entry point returned no plugins", path);
    else if (e.msg[0])
      hk_error_set(err, HK_E_ABI, "refusing %s: the plugin refused to load: %s",
                   path, e.msg);
    else
      hk_error_set(err, HK_E_ABI,
                   "refusing %s: the plugin refused to load (it gave no "
                   "reason)",
                   path);
    add_refusal(r, path, NULL, err->code, err->msg);
    return err->code;
  }
  size_t n = 0;
  while (n < HK_MAX_DESCS && descs[n])
    n++;
  if (n == HK_MAX_DESCS) {
    hk_error_set(err, HK_E_ABI,
                 "refusing %s: more than %d descriptors (is the array "
                 "NULL-terminated?)",
                 path, HK_MAX_DESCS);
    add_refusal(r, path, NULL, err->code, err->msg);
    return err->code;
  }
  mod->m.descs = descs;
  mod->m.n_descs = n;
  int first = HK_OK;
  size_t accepted = 0;
  for (size_t i = 0; i < n; i++) {
    const hk_plugin_desc *d = descs[i];
    int rc = hk_loader_check_desc(d, i, path, &e);
    const hk_plugin *dup = rc == HK_OK ? lookup(r, d->name) : NULL;
    if (dup)
      rc = hk_error_set(&e, HK_E_CONFIG,
                        "%s: duplicate plugin name '%s': already loaded from "
                        "%s",
                        path, d->name, dup->module->path);
    hk_plugin *p = NULL;
    if (rc == HK_OK) {
      p = calloc(1, sizeof *p);
      if (p == NULL || VEC_PUSH(r->plugins, p) != HK_OK) {
        free(p);
        rc = hk_error_set(&e, HK_E_NOMEM, "out of memory");
      } else {
        p->desc = d;
        p->module = &mod->m;
        accepted++;
      }
    }
    if (rc != HK_OK) {
      add_refusal(r, path, desc_name(d), rc, e.msg);
      if (first == HK_OK) {
        first = rc;
        *err = e;
        snprintf(mod->m.reason, sizeof mod->m.reason, "%s", e.msg);
      }
    }
  }
  mod->m.loaded = accepted > 0;
  mod->code = accepted > 0 ? HK_OK : first;
  return mod->code;
}

static module_rec *
new_module(hk_registry *r, const char *path, hk_error *err)
{
  module_rec *mod = calloc(1, sizeof *mod);
  if (mod == NULL || (mod->m.path = strdup(path)) == NULL ||
      VEC_PUSH(r->modules, mod) != HK_OK) {
    if (mod)
      free(mod->m.path);
    free(mod);
    hk_error_set(err, HK_E_NOMEM, "out of memory");
    return NULL;
  }
  return mod;
}

static int
load_path_locked(hk_registry *r, const char *path, hk_error *err)
{
  module_rec *mod = module_by_path(r, path);
  if (mod && mod->m.loaded)
    return HK_OK;
  if (mod) {
    /* A retry: forget what the last attempt refused. */
    drop_refusals_of(r, path);
    mod->m.reason[0] = '\0';
    mod->m.descs = NULL;
    mod->m.n_descs = 0;
  } else if ((mod = new_module(r, path, err)) == NULL) {
    return HK_E_NOMEM;
  }
  void *handle;
  hk_plugin_entry_fn *entry;
  int rc = hk_loader_open(path, &handle, &entry, err);
  if (rc != HK_OK) {
    hk_log_redact(err->msg, sizeof err->msg);
    add_refusal(r, path, NULL, rc, err->msg);
    snprintf(mod->m.reason, sizeof mod->m.reason, "%s", err->msg);
    mod->code = rc;
    return rc;
  }
  if (mod->m.handle)
    hk_loader_close(mod->m.handle); /* the retry holds its own reference */
  mod->m.handle = handle;
  return accept_descriptors(r, mod, entry, err);
}

int
hk_registry_load_path(hk_registry *r, const char *path, hk_error *err)
{
  if (r == NULL || path == NULL)
    return hk_error_set(err, HK_E_INVAL, "no registry or path");
  pthread_mutex_lock(&r->lock);
  int rc = load_path_locked(r, path, err);
  pthread_mutex_unlock(&r->lock);
  return rc;
}

int
hk_registry_add_static(hk_registry *r, const char *label,
                       hk_plugin_entry_fn *entry, hk_error *err)
{
  if (r == NULL || label == NULL || entry == NULL)
    return hk_error_set(err, HK_E_INVAL, "no registry, label or entry");
  char path[256];
  snprintf(path, sizeof path, "static:%s", label);
  pthread_mutex_lock(&r->lock);
  int rc;
  module_rec *mod = module_by_path(r, path);
  if (mod) {
    rc = mod->code;
    if (rc != HK_OK)
      hk_error_set(err, rc, "%s", mod->m.reason);
  } else if ((mod = new_module(r, path, err)) == NULL) {
    rc = HK_E_NOMEM;
  } else {
    rc = accept_descriptors(r, mod, entry, err);
  }
  pthread_mutex_unlock(&r->lock);
  return rc;
}

static int
cmp_str(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
has_so_ext(const char *name)
{
  size_t n = strlen(name);
  return name[0] != '.' && n > 3 && strcmp(name + n - 3, ".so") == 0;
}

/* Every .so of one directory, in name order, skipping paths tried before. */
static void
scan_dir(hk_registry *r, const char *dir)
{
  DIR *d = opendir(dir);
  if (d == NULL) {
    if (errno != ENOENT)
      hk_log_msg(NULL, HK_LOG_WARN, "plugin directory %s: %s", dir,
                 strerror(errno));
    return;
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (!has_so_ext(de->d_name))
      continue;
    char *s = strdup(de->d_name);
    if (s == NULL || vec_grow((void **)&names, &cap, n, sizeof *names)) {
      free(s);
      break;
    }
    names[n++] = s;
  }
  closedir(d);
  if (n > 1)
    qsort(names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++) {
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, names[i]) <
            sizeof path &&
        module_by_path(r, path) == NULL) {
      hk_error e;
      load_path_locked(r, path, &e);
    }
    free(names[i]);
  }
  free(names);
}

static void
load_all_locked(hk_registry *r)
{
  for (size_t i = 0; i < r->n_dirs; i++)
    scan_dir(r, r->dirs[i]);
  r->scanned_all = true;
}

void
hk_registry_load_all(hk_registry *r)
{
  if (r == NULL)
    return;
  pthread_mutex_lock(&r->lock);
  load_all_locked(r);
  pthread_mutex_unlock(&r->lock);
}

/* "a, b, c" of loaded plugin names, cut to fit a message. */
static void
loaded_names(const hk_registry *r, char *buf, size_t cap)
{
  size_t at = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < r->plugins.n; i++) {
    const char *name = r->plugins.v[i]->desc->name;
    if (at + strlen(name) + 8 > cap) {
      snprintf(buf + at, cap - at, ", ...");
      return;
    }
    at += (size_t)snprintf(buf + at, cap - at, "%s%s", i ? ", " : "", name);
  }
}

static const hk_plugin *
find_locked(hk_registry *r, const char *name, hk_error *err)
{
  const hk_plugin *p = lookup(r, name);
  if (p)
    return p;
  if (!hk_valid_plugin_name(name)) {
    hk_error_set(err, HK_E_NOTFOUND,
                 "no plugin named '%.64s' (plugin names are [a-z][a-z0-9_]*; "
                 "see `huntkit plugins list`)",
                 name);
    return NULL;
  }
  for (size_t i = 0; i < r->n_dirs; i++) {
    char path[4096];
    struct stat st;
    if ((size_t)snprintf(path, sizeof path, "%s/%s.so", r->dirs[i], name) >=
            sizeof path ||
        module_by_path(r, path) || stat(path, &st) != 0)
      continue;
    hk_error e;
    load_path_locked(r, path, &e);
    if ((p = lookup(r, name)) != NULL)
      return p;
  }
  if (!r->scanned_all) {
    load_all_locked(r);
    if ((p = lookup(r, name)) != NULL)
      return p;
  }
  /* Say why when the plugin was there but refused. */
  char file[80];
  snprintf(file, sizeof file, "/%s.so", name);
  for (size_t i = 0; i < r->refusals.n; i++) {
    const refusal_rec *f = r->refusals.v[i];
    size_t pl = strlen(f->r.path), fl = strlen(file);
    if ((f->r.name && strcmp(f->r.name, name) == 0) ||
        (pl >= fl && strcmp(f->r.path + pl - fl, file) == 0)) {
      hk_error_set(err, f->code, "%s", f->r.reason);
      return NULL;
    }
  }
  char names[300];
  loaded_names(r, names, sizeof names);
  if (r->plugins.n)
    hk_error_set(err, HK_E_NOTFOUND,
                 "no plugin named '%s' (loaded: %s; see `huntkit plugins "
                 "list`)",
                 name, names);
  else
    hk_error_set(err, HK_E_NOTFOUND,
                 "no plugin named '%s' (no plugins found in %zu plugin "
                 "director%s; see `huntkit plugins list`)",
                 name, r->n_dirs, r->n_dirs == 1 ? "y" : "ies");
  return NULL;
}

const hk_plugin *
hk_registry_find(hk_registry *r, const char *name, hk_error *err)
{
  if (r == NULL || name == NULL) {
    hk_error_set(err, HK_E_INVAL, "no registry or plugin name");
    return NULL;
  }
  pthread_mutex_lock(&r->lock);
  const hk_plugin *p = find_locked(r, name, err);
  pthread_mutex_unlock(&r->lock);
  return p;
}

size_t
hk_registry_plugin_count(const hk_registry *r)
{
  return r ? r->plugins.n : 0;
}

const hk_plugin *
hk_registry_plugin_at(const hk_registry *r, size_t i)
{
  return r && i < r->plugins.n ? r->plugins.v[i] : NULL;
}

size_t
hk_registry_refusal_count(const hk_registry *r)
{
  return r ? r->refusals.n : 0;
}

const hk_refusal *
hk_registry_refusal_at(const hk_registry *r, size_t i)
{
  return r && i < r->refusals.n ? &r->refusals.v[i]->r : NULL;
}

/* ------------------------------------------------------------ instances */

bool
hk_instance_valid(const hk_instance *inst)
{
  return inst != NULL && inst->magic == HK_INSTANCE_MAGIC;
}

hk_log_state *
hk_instance_log_state(const hk_instance *inst)
{
  return hk_instance_valid(inst) ? &((hk_instance *)inst)->log : NULL;
}

const hk_plugin *
hk_instance_plugin(const hk_instance *inst)
{
  return hk_instance_valid(inst) ? inst->plugin : NULL;
}

const char *
hk_instance_name(const hk_instance *inst)
{
  return hk_instance_valid(inst) ? inst->name : NULL;
}

void *
hk_instance_state(const hk_instance *inst)
{
  return hk_instance_valid(inst) ? inst->state : NULL;
}

const hk_config *
hk_instance_config(const hk_instance *inst)
{
  return hk_instance_valid(inst) ? inst->cfg : NULL;
}

/* "a, b" of the configured instance names of `plugin`. */
static void
configured_names(const hk_registry *r, const char *plugin, char *buf,
                 size_t cap)
{
  size_t at = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < r->n_confs && at + 8 < cap; i++)
    if (strcmp(r->confs[i].plugin, plugin) == 0)
      at += (size_t)snprintf(buf + at, cap - at, "%s%s", at ? ", " : "",
                             r->confs[i].instance);
  if (at == 0)
    snprintf(buf, cap, "none");
}

/* Which conf.d entry a spec means; *conf NULL for the unconfigured
 * default instance. */
static int
choose_conf(const hk_registry *r, const char *plugin, const char *inst,
            const hk_instance_conf **conf, hk_error *err)
{
  *conf = NULL;
  char names[256];
  if (inst) {
    for (size_t i = 0; i < r->n_confs; i++) {
      const hk_instance_conf *c = &r->confs[i];
      if (strcmp(c->plugin, plugin) != 0 || strcmp(c->instance, inst) != 0)
        continue;
      if (!c->enabled)
        return hk_error_set(err, HK_E_CONFIG,
                            "%s:%d: instance '%s' of plugin '%s' is disabled "
                            "(enabled: false)",
                            c->file, c->line, inst, plugin);
      *conf = c;
      return HK_OK;
    }
    if (strcmp(inst, plugin) == 0)
      return HK_OK;
    configured_names(r, plugin, names, sizeof names);
    return hk_error_set(err, HK_E_NOTFOUND,
                        "no instance '%s' of plugin '%s' is configured "
                        "(configured: %s; add a conf.d/*.yaml file with "
                        "`plugin: %s` and `instance: %s`)",
                        inst, plugin, names, plugin, inst);
  }
  const hk_instance_conf *only = NULL;
  size_t n = 0;
  for (size_t i = 0; i < r->n_confs; i++) {
    const hk_instance_conf *c = &r->confs[i];
    if (strcmp(c->plugin, plugin) != 0 || !c->enabled)
      continue;
    if (strcmp(c->instance, plugin) == 0) {
      *conf = c;
      return HK_OK;
    }
    only = c;
    n++;
  }
  if (n > 1) {
    configured_names(r, plugin, names, sizeof names);
    return hk_error_set(err, HK_E_CONFIG,
                        "plugin '%s' has several instances (%s): name one, "
                        "e.g. %s:%s",
                        plugin, names, plugin, only->instance);
  }
  *conf = only;
  return HK_OK;
}

static int
build_config(const hk_plugin *p, const hk_instance_conf *conf,
             const char *config_dir, hk_config **out, hk_error *err)
{
  const char *pname = p->desc->name;
  hk_config *cfg = hk_config_new(p->desc->params);
  if (cfg == NULL)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  char origin[4200];
  int rc = HK_OK;
  for (size_t i = 0; conf && i < conf->n_items && rc == HK_OK; i++) {
    const hk_setting_item *it = &conf->items[i];
    snprintf(origin, sizeof origin, "%s:%d (%s)", conf->file, it->line, pname);
    if (it->value)
      rc = hk_config_set_text(cfg, it->key, it->value, origin, err);
    else
      rc = hk_config_set_list(cfg, it->key, (const char *const *)it->items,
                              it->n_items, origin, err);
  }
  if (rc == HK_OK && conf) {
    snprintf(origin, sizeof origin, "%s:%d (%s)", conf->file, conf->line,
             pname);
    rc = hk_config_check_required(cfg, origin, err);
  } else if (rc == HK_OK) {
    /* No conf.d file: say which file to write. */
    const hk_param *schema = p->desc->params;
    const char *missing = NULL;
    for (size_t i = 0; schema && schema[i].name && !missing; i++)
      if ((schema[i].flags & HK_P_REQUIRED) && schema[i].default_value == NULL)
        missing = schema[i].name;
    if (missing)
      rc =
          hk_error_set(err, HK_E_CONFIG,
                       "plugin '%s' needs configuration: key '%s' is required; "
                       "add %s%sconf.d/%s.yaml with `plugin: %s` and a "
                       "`config:` mapping",
                       pname, missing, config_dir ? config_dir : "",
                       config_dir ? "/" : "", pname, pname);
  }
  if (rc != HK_OK) {
    hk_config_free(cfg);
    return rc;
  }
  *out = cfg;
  return HK_OK;
}

static hk_instance *
instance_locked(hk_registry *r, const char *spec, hk_error *err)
{
  char pname[72];
  const char *colon = strchr(spec, ':');
  size_t pl = colon ? (size_t)(colon - spec) : strlen(spec);
  const char *iname = colon ? colon + 1 : NULL;
  if (pl == 0 || pl >= sizeof pname || (iname && iname[0] == '\0')) {
    hk_error_set(err, HK_E_INVAL,
                 "'%.80s' is not a plugin name or plugin:instance", spec);
    return NULL;
  }
  memcpy(pname, spec, pl);
  pname[pl] = '\0';

  const hk_instance_conf *conf;
  if (choose_conf(r, pname, iname, &conf, err) != HK_OK)
    return NULL;
  const char *name = conf ? conf->instance : iname ? iname : pname;
  for (size_t i = 0; i < r->instances.n; i++) {
    hk_instance *inst = r->instances.v[i];
    if (strcmp(inst->plugin->desc->name, pname) == 0 &&
        strcmp(inst->name, name) == 0)
      return inst;
  }

  const hk_plugin *p = find_locked(r, pname, err);
  if (p == NULL) {
    if (conf)
      hk_error_prefix(err, "%s:%d: ", conf->file, conf->line);
    return NULL;
  }
  hk_instance *inst = calloc(1, sizeof *inst);
  if (inst == NULL || (inst->name = strdup(name)) == NULL ||
      (conf && (inst->file = strdup(conf->file)) == NULL)) {
    instance_free(inst);
    hk_error_set(err, HK_E_NOMEM, "out of memory");
    return NULL;
  }
  inst->reg = r;
  inst->plugin = p;
  if (build_config(p, conf, r->config_dir, &inst->cfg, err) != HK_OK) {
    instance_free(inst);
    return NULL;
  }
  inst->magic = HK_INSTANCE_MAGIC;
  const vt_header *vt = p->desc->vtable;
  if (vt->create) {
    hk_error e;
    hk_error_clear(&e);
    int rc = vt->create(inst, inst->cfg, &inst->state, &e);
    if (rc != HK_OK) {
      hk_error_set(err, rc < 0 ? rc : HK_E_FAIL, "cannot start %s:%s%s%s%s: %s",
                   pname, inst->name, inst->file ? " (" : "",
                   inst->file ? inst->file : "", inst->file ? ")" : "",
                   e.msg[0] ? e.msg : "the plugin gave no reason");
      if (e.flags)
        err->flags = e.flags;
      hk_log_redact(err->msg, sizeof err->msg);
      hk_log_flush(inst);
      instance_free(inst);
      return NULL;
    }
  }
  if (VEC_PUSH(r->instances, inst) != HK_OK) {
    if (vt->destroy)
      vt->destroy(inst->state);
    instance_free(inst);
    hk_error_set(err, HK_E_NOMEM, "out of memory");
    return NULL;
  }
  return inst;
}

hk_instance *
hk_registry_instance(hk_registry *r, const char *spec, hk_error *err)
{
  if (r == NULL || spec == NULL) {
    hk_error_set(err, HK_E_INVAL, "no registry or instance name");
    return NULL;
  }
  pthread_mutex_lock(&r->lock);
  hk_instance *inst = instance_locked(r, spec, err);
  pthread_mutex_unlock(&r->lock);
  return inst;
}
