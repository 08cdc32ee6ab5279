/*
 * host/loader.c -- opening plugin shared objects with libltdl, and the
 * descriptor checks every plugin (loaded or static) goes through.  The only
 * file that includes ltdl.h.
 *
 * Paths: libltdl is only ever given absolute paths, after these checks
 * (collectd's lstat/S_ISREG check, extended; CVE-2009-3736):
 *   - the path is absolute: never resolved against the current directory;
 *   - it ends in ".so", so libltdl opens exactly that file (it would append
 *     an extension to a name without one);
 *   - it names a regular file (after following symlinks);
 *   - the file, and the directory holding it (both the one named and the
 *     one the symlinks lead to), are not group- or world-writable -- a
 *     world-writable sticky directory such as /tmp is refused too, since
 *     anyone could have planted the file there;
 *   - the file and directory are owned by root or by the current user.
 * Then lt_dlopenadvise(ext, local, resident) on the path as given: RTLD_LOCAL
 * keeps the plugins' own libraries apart, and resident modules are never
 * unloaded (no atexit / TLS destructor crashes, readable sanitizer traces).
 * libltdl calls are serialised with one mutex: libltdl 2.x is not
 * thread-safe.
 */
#include "config.h"

#include "internal.h"

#include <dlfcn.h>
#include <errno.h>
#include <ltdl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <huntkit/analyzer.h>
#include <huntkit/enricher.h>
#include <huntkit/provider.h>
#include <huntkit/renderer.h>

/* Plugin-supplied counts are bounded so a corrupt table cannot run away. */
#define HK_MAX_PARAMS 256

static pthread_mutex_t ltdl_lock = PTHREAD_MUTEX_INITIALIZER;
static bool ltdl_ready;
static char ltdl_init_error[256];

/* -------------------------------------------------------------- paths */

/* Directory part of `path` (malloc'd), "/" for a file at the root. */
static char *
dir_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  if (slash == NULL)
    return strdup(".");
  if (slash == path)
    return strdup("/");
  return strndup(path, (size_t)(slash - path));
}

/* Refuse a file or directory others can write or that someone else owns. */
static int
check_owner_and_mode(const char *shown, const char *what, const char *path,
                     const struct stat *st, hk_error *err)
{
  uid_t me = geteuid();
  if (st->st_uid != 0 && st->st_uid != me)
    return hk_error_set(err, HK_E_INVAL,
                        "refusing %s: %s%s%s is owned by uid %u, not by root "
                        "or you (uid %u)",
                        shown, what, path ? " " : "", path ? path : "",
                        (unsigned)st->st_uid, (unsigned)me);
  mode_t w = st->st_mode & (S_IWGRP | S_IWOTH);
  if (w == 0)
    return HK_OK;
  const char *who = w == (S_IWGRP | S_IWOTH) ? "group- and world-writable"
                    : w == S_IWGRP           ? "group-writable"
                                             : "world-writable";
  const char *fix = w == (S_IWGRP | S_IWOTH) ? "go-w"
                    : w == S_IWGRP           ? "g-w"
                                             : "o-w";
  return hk_error_set(
      err, HK_E_INVAL, "refusing %s: %s%s%s is %s (chmod %s %s)", shown, what,
      path ? " " : "", path ? path : "", who, fix, path ? path : shown);
}

static int
check_dir(const char *shown, const char *dir, hk_error *err)
{
  struct stat st;
  if (stat(dir, &st) != 0)
    return hk_error_set(err, HK_E_NOTFOUND, "refusing %s: directory %s: %s",
                        shown, dir, strerror(errno));
  return check_owner_and_mode(shown, "directory", dir, &st, err);
}

static int
check_path(const char *path, hk_error *err)
{
  if (path[0] != '/')
    return hk_error_set(err, HK_E_INVAL,
                        "refusing '%s': plugin paths must be absolute (they "
                        "are never looked up in the current directory)",
                        path);
  /* With lt_dladvise_ext, libltdl appends ".la" or ".so" to a name that
   * has neither, and would open a file other than the one checked here. */
  size_t len = strlen(path);
  if (len < 4 || strcmp(path + len - 3, ".so") != 0)
    return hk_error_set(err, HK_E_INVAL,
                        "refusing %s: plugin files are shared objects whose "
                        "names end in .so",
                        path);
  struct stat st;
  if (stat(path, &st) != 0)
    return hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                        "cannot load %s: %s", path, strerror(errno));
  if (!S_ISREG(st.st_mode))
    return hk_error_set(err, HK_E_INVAL, "refusing %s: not a regular file",
                        path);
  int rc = check_owner_and_mode(path, "file", NULL, &st, err);
  if (rc != HK_OK)
    return rc;
  char *dir = dir_of(path);
  char *real = realpath(path, NULL);
  char *real_dir = real ? dir_of(real) : NULL;
  if (dir == NULL || real == NULL || real_dir == NULL)
    rc = real == NULL && errno != ENOMEM
             ? hk_error_set(err, HK_E_IO, "cannot load %s: %s", path,
                            strerror(errno))
             : hk_error_set(err, HK_E_NOMEM, "out of memory");
  else if ((rc = check_dir(path, dir, err)) == HK_OK &&
           strcmp(dir, real_dir) != 0)
    rc = check_dir(path, real_dir, err);
  free(dir);
  free(real);
  free(real_dir);
  return rc;
}

/* ------------------------------------------------------------- libltdl */

static int
ensure_ltdl(hk_error *err)
{
  if (!ltdl_ready && ltdl_init_error[0] == '\0') {
    if (lt_dlinit() != 0) {
      const char *e = lt_dlerror();
      snprintf(ltdl_init_error, sizeof ltdl_init_error, "%s",
               e ? e : "unknown error");
    } else {
      ltdl_ready = true;
    }
  }
  if (!ltdl_ready)
    return hk_error_set(err, HK_E_FAIL, "cannot initialise libltdl: %s",
                        ltdl_init_error);
  return HK_OK;
}

/* libltdl reports most dlopen failures as "file not found" (its last
 * loader's verdict), which misleads when the file exists but is not a
 * shared object or lacks a library.  Opening the same, already checked,
 * path with dlopen gives the system's reason; it replaces `why` when
 * there is one. */
static void
real_dlerror(const char *path, char *why, size_t cap)
{
  dlerror();
  void *h = dlopen(path, RTLD_LAZY | RTLD_LOCAL);
  if (h != NULL) {
    dlclose(h);
    return;
  }
  const char *e = dlerror();
  if (e == NULL)
    return;
  size_t pl = strlen(path);
  if (strncmp(e, path, pl) == 0 && strncmp(e + pl, ": ", 2) == 0)
    e += pl + 2; /* "PATH: reason": the message names the path already */
  snprintf(why, cap, "%s", e);
}

int
hk_loader_open(const char *path, void **handle, hk_plugin_entry_fn **entry,
               hk_error *err)
{
  *handle = NULL;
  *entry = NULL;
  int rc = check_path(path, err);
  if (rc != HK_OK)
    return rc;

  pthread_mutex_lock(&ltdl_lock);
  if ((rc = ensure_ltdl(err)) != HK_OK)
    goto out;
  lt_dladvise advise;
  if (lt_dladvise_init(&advise) != 0) {
    rc = hk_error_set(err, HK_E_NOMEM, "out of memory");
    goto out;
  }
  lt_dladvise_ext(&advise);
  lt_dladvise_local(&advise);
  lt_dladvise_resident(&advise);
  lt_dlhandle h = lt_dlopenadvise(path, advise);
  lt_dladvise_destroy(&advise);
  if (h == NULL) {
    const char *lt = lt_dlerror();
    char why[HK_ERROR_MSG_MAX];
    snprintf(why, sizeof why, "%s", lt ? lt : "unknown error");
    real_dlerror(path, why, sizeof why);
    rc = hk_error_set(err, HK_E_FAIL,
                      "cannot load %s: %s (run `ldd %s` to see missing "
                      "libraries)",
                      path, why, path);
    goto out;
  }
  void *sym = lt_dlsym(h, HK_PLUGIN_ENTRY_SYMBOL);
  if (sym == NULL) {
    rc = hk_error_set(err, HK_E_ABI,
                      "refusing %s: no entry point '" HK_PLUGIN_ENTRY_SYMBOL
                      "' (not a huntkit plugin, or built without "
                      "HK_PLUGIN_DEFINE(<file name>, ...))",
                      path);
    lt_dlclose(h);
    goto out;
  }
  *handle = h;
  *entry = (hk_plugin_entry_fn *)sym;
out:
  pthread_mutex_unlock(&ltdl_lock);
  return rc;
}

void
hk_loader_close(void *handle)
{
  if (handle == NULL)
    return;
  pthread_mutex_lock(&ltdl_lock);
  /* Resident modules stay mapped; this only drops libltdl's reference. */
  lt_dlclose((lt_dlhandle)handle);
  pthread_mutex_unlock(&ltdl_lock);
}

/* ------------------------------------------------------ descriptor checks */

bool
hk_valid_plugin_name(const char *name)
{
  if (name == NULL || !(name[0] >= 'a' && name[0] <= 'z'))
    return false;
  size_t n = 0;
  for (; name[n]; n++) {
    char c = name[n];
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
    if (n >= 64)
      return false;
  }
  return true;
}

/* A printable copy of a plugin-supplied string for messages. */
static void
shown_name(const char *s, char *buf, size_t cap)
{
  size_t i = 0;
  for (; s && s[i] && i + 1 < cap && i < 64; i++)
    buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
  buf[i] = '\0';
}

int
hk_loader_check_params(const hk_param *schema, const char *what, hk_error *err)
{
  if (schema == NULL)
    return HK_OK;
  const char *rest = NULL;
  char a[72], b[72];
  for (size_t i = 0;; i++) {
    if (i >= HK_MAX_PARAMS)
      return hk_error_set(err, HK_E_ABI,
                          "%s table has more than %d rows (missing the "
                          "terminating {NULL} row?)",
                          what, HK_MAX_PARAMS);
    const hk_param *p = &schema[i];
    if (p->name == NULL)
      break;
    shown_name(p->name, a, sizeof a);
    if (!hk_valid_plugin_name(p->name))
      return hk_error_set(err, HK_E_ABI,
                          "%s #%zu has an invalid name '%s' (names are "
                          "[a-z][a-z0-9_]*)",
                          what, i + 1, a);
    for (size_t k = 0; k < i; k++)
      if (strcmp(schema[k].name, p->name) == 0)
        return hk_error_set(err, HK_E_ABI, "%s '%s' is declared twice", what,
                            a);
    if (p->type < HK_PT_STRING || p->type > HK_PT_PATH)
      return hk_error_set(err, HK_E_ABI, "%s '%s' has unknown type %u", what, a,
                          (unsigned)p->type);
    if (p->flags & HK_P_REST) {
      if (rest) {
        shown_name(rest, b, sizeof b);
        return hk_error_set(err, HK_E_ABI,
                            "%ss '%s' and '%s' both take the free text "
                            "(HK_P_REST); at most one may",
                            what, b, a);
      }
      rest = p->name;
    }
    if (p->choices && p->choices[0] == '\0')
      return hk_error_set(err, HK_E_ABI,
                          "%s '%s' has empty choices (use NULL for any value)",
                          what, a);
    if (p->default_value) {
      hk_error e;
      if (hk_param_check_text(p, p->default_value, &e) != HK_OK) {
        /* e.msg reads "key 'x' must be ..., got 'y'". */
        const char *why = strstr(e.msg, "' ");
        return hk_error_set(err, HK_E_ABI, "%s '%s': bad default: %s", what, a,
                            why ? why + 2 : e.msg);
      }
    }
  }
  return HK_OK;
}

/* Smallest vtable of each kind (ABI 1.0 layouts) and its required members. */
static int
check_vtable(const hk_plugin_desc *d, hk_error *err)
{
  const char *kind = hk_kind_name(d->kind);
  if (d->vtable == NULL)
    return hk_error_set(err, HK_E_ABI, "no %s vtable (vtable is NULL)", kind);
  uint32_t size = *(const uint32_t *)d->vtable;
  size_t need = 0;
  const char *missing = NULL;
  const hk_param *options = NULL;
  switch (d->kind) {
  case HK_KIND_PROVIDER: {
    const hk_provider_vt *vt = d->vtable;
    need = sizeof *vt;
    if (size >= need) {
      options = vt->options;
      if (!vt->run_query)
        missing = "run_query";
    }
    break;
  }
  case HK_KIND_ENRICHER: {
    const hk_enricher_vt *vt = d->vtable;
    need = offsetof(hk_enricher_vt, prepare); /* the 1.0 layout */
    if (size >= need) {
      options = vt->options;
      if (!vt->fields)
        missing = "fields";
      else if (!vt->lookup)
        missing = "lookup";
      else if (HK_HAS(vt, prepare) != HK_HAS(vt, parse))
        missing = HK_HAS(vt, prepare) ? "parse (prepare is set: set both "
                                        "or neither)"
                                      : "prepare (parse is set: set both "
                                        "or neither)";
    }
    break;
  }
  case HK_KIND_ANALYZER: {
    const hk_analyzer_vt *vt = d->vtable;
    need = sizeof *vt;
    if (size >= need) {
      options = vt->options;
      if (!vt->run)
        missing = "run";
    }
    break;
  }
  case HK_KIND_RENDERER: {
    const hk_renderer_vt *vt = d->vtable;
    need = sizeof *vt;
    if (size >= need) {
      options = vt->options;
      if (!vt->render)
        missing = "render";
      else if (!vt->media_type)
        missing = "media_type";
    }
    break;
  }
  }
  if (size < need)
    return hk_error_set(err, HK_E_ABI,
                        "%s vtable is %u bytes, at least %zu expected", kind,
                        (unsigned)size, need);
  if (missing)
    return hk_error_set(err, HK_E_ABI, "required %s vtable member '%s' is NULL",
                        kind, missing);
  return hk_loader_check_params(options, "option", err);
}

int
hk_loader_check_desc(const hk_plugin_desc *d, size_t index, const char *where,
                     hk_error *err)
{
  char name[72];
  /* The host version's "major.minor", for "rebuild against huntkit X". */
  char ver[16];
  const char *dot = strchr(PACKAGE_VERSION, '.');
  dot = dot ? strchr(dot + 1, '.') : NULL;
  snprintf(ver, sizeof ver, "%.*s",
           dot ? (int)(dot - PACKAGE_VERSION) : (int)strlen(PACKAGE_VERSION),
           PACKAGE_VERSION);
  if (d == NULL || d->struct_size < HK_DESC_MIN_SIZE)
    return hk_error_set(err, HK_E_ABI,
                        "%s: entry #%zu: descriptor is %u bytes, at least "
                        "%zu expected (rebuild the plugin against huntkit "
                        "%s)",
                        where, index + 1, d ? (unsigned)d->struct_size : 0u,
                        (size_t)HK_DESC_MIN_SIZE, ver);
  if (d->name && hk_valid_plugin_name(d->name))
    snprintf(name, sizeof name, "plugin '%s'", d->name);
  else
    snprintf(name, sizeof name, "descriptor #%zu", index + 1);

  if (d->abi_major != HK_ABI_MAJOR)
    return hk_error_set(err, HK_E_ABI,
                        "%s: %s: built for ABI %u.%u, this huntkit speaks ABI "
                        "%d.%d: rebuild the plugin against huntkit %s",
                        where, name, d->abi_major, d->abi_minor, HK_ABI_MAJOR,
                        HK_ABI_MINOR, ver);
  if (d->abi_minor > HK_ABI_MINOR)
    return hk_error_set(err, HK_E_ABI,
                        "%s: %s: built for ABI %u.%u, newer than this "
                        "huntkit's ABI %d.%d: upgrade huntkit or rebuild the "
                        "plugin against huntkit %s",
                        where, name, d->abi_major, d->abi_minor, HK_ABI_MAJOR,
                        HK_ABI_MINOR, ver);
  if (!hk_valid_plugin_name(d->name)) {
    char bad[72];
    shown_name(d->name, bad, sizeof bad);
    return hk_error_set(err, HK_E_ABI,
                        "%s: %s: invalid plugin name '%s' (names are "
                        "[a-z][a-z0-9_]*, at most 64 characters)",
                        where, name, d->name ? bad : "(null)");
  }
  if (d->kind < HK_KIND_PROVIDER || d->kind > HK_KIND_RENDERER)
    return hk_error_set(err, HK_E_ABI,
                        "%s: %s: unknown kind %u (expected 1 provider, 2 "
                        "enricher, 3 analyzer or 4 renderer)",
                        where, name, (unsigned)d->kind);
  int rc = check_vtable(d, err);
  if (rc == HK_OK)
    rc = hk_loader_check_params(d->params, "parameter", err);
  if (rc != HK_OK)
    hk_error_prefix(err, "%s: %s: ", where, name);
  return rc;
}
