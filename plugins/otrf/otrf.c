/*
 * plugins/otrf/otrf.c -- the `otrf` provider: OTRF Security-Datasets
 * (formerly Mordor), MSTICPy's MordorDriver rebuilt.
 *
 * Without dataset= it returns the index of the dataset metadata as a
 * table, filtered by technique, tactic, platform and text.  With
 * dataset= it makes sure the dataset's files are in the local cache
 * (downloading them with the host's HTTP service when they are not) and
 * reads the JSON and CSV members of the zip / tar.gz files in place with
 * the file provider's readers, which this module links: the events come
 * out as one table stream.  A pre-populated cache works with no network.
 */
#include "otrf.h"

#include "../file/run.h"

#include <huntkit/provider.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static const hk_host *host_services;

static const hk_param otrf_config[] = {
    {"base_url", HK_PT_STRING, 0, OTRF_CANONICAL_BASE, NULL,
     "where dataset files are downloaded from; replaces the GitHub prefix of "
     "the links in the metadata (a mirror, or a loopback server in tests)"},
    {"metadata", HK_PT_LIST, 0, NULL, NULL,
     "dataset metadata: Security-Datasets 'datasets' folders or _metadata "
     "YAML files, and/or MSTICPy's mordor_cache.json (default: "
     "CACHE/datasets and CACHE/mordor_cache.json)"},
    {"cache_dir", HK_PT_PATH, 0, NULL, NULL,
     "where dataset files are kept, in the repository's layout "
     "(datasets/atomic/...); default: the host's cache directory for this "
     "instance"},
    {"offline", HK_PT_BOOL, 0, "false", NULL,
     "never download: a file that is not in the cache is an error"},
    {NULL, 0, 0, NULL, NULL, NULL}};

static const hk_param otrf_options[] = {
    {"dataset", HK_PT_LIST, HK_P_REST, NULL, NULL,
     "datasets to read: id (SDWIN-201018195009), MSTICPy query name, file "
     "name or URL; without it the index is listed"},
    {"list", HK_PT_BOOL, 0, "false", NULL,
     "list the index (the default without dataset=)"},
    {"technique", HK_PT_LIST, 0, NULL, NULL,
     "ATT&CK techniques: T1003 (with its sub-techniques) or T1003.001"},
    {"tactic", HK_PT_LIST, 0, NULL, NULL,
     "ATT&CK tactics: TA0006 or credential_access"},
    {"platform", HK_PT_LIST, 0, NULL, NULL, "windows, linux, aws, azure, ..."},
    {"search", HK_PT_STRING, 0, NULL, NULL,
     "text in id, title, description, tags, authors, techniques, tactics or "
     "files; a+b: both, a,b: either; any case"},
    {"file_type", HK_PT_LIST, 0, NULL, NULL,
     "dataset files to read by type (host, network, cloud); default: all but "
     "network (packet captures)"},
    {"refresh", HK_PT_BOOL, 0, "false", NULL,
     "download the files again even when they are in the cache"},
    {"on_error", HK_PT_STRING, 0, "fail", "skip|fail",
     "malformed event: fail the run, or skip it with a warning"},
    {"add_source", HK_PT_BOOL, 0, "false", NULL,
     "add a _source column holding ARCHIVE#MEMBER:LINE of each event"},
    {"infer_rows", HK_PT_INT, 0, "0", NULL,
     "events read to fix the columns; 0 reads each file twice so that every "
     "key becomes a column"},
    {"types", HK_PT_LIST, 0, NULL, NULL,
     "column types instead of inferred ones, COLUMN:TYPE"},
    {"batch_rows", HK_PT_INT, 0, NULL, NULL,
     "rows per batch (default: the host's preference, else 8192)"},
    {"time_column", HK_PT_STRING, 0, NULL, NULL,
     "timestamp column a query's time window filters on (default: "
     "@timestamp, TimeCreated, EventTime, ...)"},
    {"max_member_size", HK_PT_INT, 0, "4096", NULL,
     "largest archive member read, in MiB uncompressed"},
    {"max_ratio", HK_PT_INT, 0, "200", NULL,
     "highest compression ratio of a member before it is taken for a zip "
     "bomb"},
    {NULL, 0, 0, NULL, NULL, NULL}};

typedef struct otrf_state {
  const hk_instance *inst;
  const hk_config *cfg;
  char *base_url; /* ends in '/' */
  int offline;
  char *root; /* the cache, once known */
  otrf_index ix;
  int loaded;
} otrf_state;

static int
user_error(hk_error *err, int code)
{
  err->flags |= HK_EF_USER;
  return code;
}

static int
otrf_create(const hk_instance *inst, const hk_config *cfg, void **state,
            hk_error *err)
{
  const hk_host *h = host_services;
  otrf_state *st = calloc(1, sizeof *st);
  if (!st)
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  st->inst = inst;
  st->cfg = cfg;
  const char *base = cfg ? h->config_get_string(cfg, "base_url") : NULL;
  if (!base || !*base)
    base = OTRF_CANONICAL_BASE;
  if (strncmp(base, "http://", 7) && strncmp(base, "https://", 8)) {
    free(st);
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "otrf: base_url '%s' is not an http:// "
                                        "or https:// URL",
                                        base));
  }
  size_t n = strlen(base);
  st->base_url = malloc(n + 2);
  if (!st->base_url) {
    free(st);
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  }
  snprintf(st->base_url, n + 2, "%s%s", base, base[n - 1] == '/' ? "" : "/");
  int b = 0;
  st->offline =
      cfg && h->config_get_bool(cfg, "offline", &b) == HK_OK && b ? 1 : 0;
  *state = st;
  return HK_OK;
}

static void
otrf_destroy(void *state)
{
  otrf_state *st = state;
  if (!st)
    return;
  otrf_index_free(&st->ix);
  free(st->base_url);
  free(st->root);
  free(st);
}

/* ------------------------------------------------------ cache and index */

static int
resolve_root(otrf_state *st, hk_error *err)
{
  const hk_host *h = host_services;
  if (st->root)
    return HK_OK;
  const char *dir = st->cfg ? h->config_get_string(st->cfg, "cache_dir") : NULL;
  if ((!dir || !*dir) && HK_HAS(h, cache_dir))
    dir = h->cache_dir(st->inst);
  if (!dir || !*dir)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "otrf: no cache directory: set "
                                        "cache_dir in conf.d/otrf.yaml (or "
                                        "cache_dir in huntkit.yaml)"));
  if (!(st->root = strdup(dir)))
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  return HK_OK;
}

static int
is_dir(const char *p)
{
  struct stat s;
  return stat(p, &s) == 0 && S_ISDIR(s.st_mode);
}

static int
is_file(const char *p)
{
  struct stat s;
  return stat(p, &s) == 0 && S_ISREG(s.st_mode);
}

static int
load_index(otrf_state *st, hk_error *err)
{
  const hk_host *h = host_services;
  otrf_log lg = {h, st->inst};
  if (st->loaded)
    return HK_OK;
  const char *const *items = NULL;
  size_t n = st->cfg ? h->config_get_list(st->cfg, "metadata", &items) : 0;
  int rc = HK_OK;
  for (size_t i = 0; i < n && rc == HK_OK; i++) {
    hk_buf p = HK_BUF_INIT;
    const char *home = getenv("HOME");
    if (items[i][0] == '~' && items[i][1] == '/' && home)
      hk_buf_appendf(&p, "%s%s", home, items[i] + 1);
    else
      hk_buf_append_str(&p, items[i]);
    rc = p.data ? otrf_index_add_path(&st->ix, p.data, &lg, err)
                : hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
    hk_buf_free(&p);
    if (rc == HK_E_NOTFOUND) {
      size_t len = strlen(err->msg);
      snprintf(err->msg + len, sizeof err->msg - len,
               " (metadata: in the instance config)");
      user_error(err, rc);
    }
  }
  if (rc == HK_OK && n == 0) {
    hk_buf p = HK_BUF_INIT;
    hk_buf_appendf(&p, "%s/datasets", st->root);
    if (p.data && is_dir(p.data))
      rc = otrf_index_add_path(&st->ix, p.data, &lg, err);
    hk_buf_reset(&p);
    hk_buf_appendf(&p, "%s/mordor_cache.json", st->root);
    if (rc == HK_OK && p.data && is_file(p.data))
      rc = otrf_index_add_path(&st->ix, p.data, &lg, err);
    hk_buf_free(&p);
  }
  if (rc != HK_OK) {
    otrf_index_free(&st->ix);
    return rc;
  }
  otrf_index_finish(&st->ix, &lg);
  if (st->ix.n == 0) {
    int none = st->ix.n_sources == 0;
    otrf_index_free(&st->ix);
    return user_error(
        err, hk_error_set(err, HK_E_CONFIG,
                          "otrf: %s: set metadata: in conf.d/otrf.yaml to a "
                          "Security-Datasets checkout's datasets/ folder (its "
                          "_metadata/*.yaml) or to MSTICPy's "
                          "mordor_cache.json, or put those in %s",
                          none ? "no dataset metadata found"
                               : "the metadata holds no dataset",
                          st->root));
  }
  HK_LOG_DEBUG(h, st->inst, "index: %zu datasets from %s", st->ix.n,
               st->ix.sources.data ? st->ix.sources.data : "");
  st->loaded = 1;
  return HK_OK;
}

static char *
local_path(const otrf_state *st, const otrf_file *f)
{
  size_t n = strlen(st->root) + strlen(f->rel) + 2;
  char *p = malloc(n);
  if (p)
    snprintf(p, n, "%s/%s", st->root, f->rel);
  return p;
}

static char *
file_url(const otrf_state *st, const otrf_file *f)
{
  if (!f->canonical)
    return strdup(f->link);
  size_t n = strlen(st->base_url) + strlen(f->rel) + 1;
  char *u = malloc(n);
  if (u)
    snprintf(u, n, "%s%s", st->base_url, f->rel);
  return u;
}

/* ---------------------------------------------------------- the listing */

enum {
  C_ID,
  C_TITLE,
  C_TYPE,
  C_PLATFORM,
  C_TECHNIQUES,
  C_TACTICS,
  C_TACTIC_NAMES,
  C_AUTHOR,
  C_CREATED,
  C_MODIFIED,
  C_FILES,
  C_CACHED,
  C_QUERIES,
  C_URLS,
  C_DESCRIPTION,
  C_TAGS,
  C_METADATA,
  N_COLS
};

static const struct {
  const char *name;
  int type;
} list_cols[N_COLS] = {{"id", HK_COL_UTF8},
                       {"title", HK_COL_UTF8},
                       {"type", HK_COL_UTF8},
                       {"platform", HK_COL_UTF8},
                       {"techniques", HK_COL_UTF8},
                       {"tactics", HK_COL_UTF8},
                       {"tactic_names", HK_COL_UTF8},
                       {"author", HK_COL_UTF8},
                       {"creation_date", HK_COL_TIMESTAMP},
                       {"modification_date", HK_COL_TIMESTAMP},
                       {"files", HK_COL_INT64},
                       {"cached", HK_COL_INT64},
                       {"queries", HK_COL_UTF8},
                       {"urls", HK_COL_UTF8},
                       {"description", HK_COL_UTF8},
                       {"tags", HK_COL_UTF8},
                       {"metadata", HK_COL_UTF8}};

static int
put_text(hk_table_builder *b, size_t col, const char *s)
{
  if (!s || !*s)
    return hk_table_builder_append_null(b, col);
  return hk_table_builder_append_utf8(b, col, s, strlen(s));
}

static int
put_list(hk_table_builder *b, size_t col, char **v, size_t n)
{
  hk_buf t = HK_BUF_INIT;
  for (size_t i = 0; i < n; i++)
    hk_buf_appendf(&t, "%s%s", i ? ", " : "", v[i]);
  int rc = put_text(b, col, t.data);
  hk_buf_free(&t);
  return rc;
}

/* Append `s` to `t` unless it is already one of its ", " items. */
static void
add_unique(hk_buf *t, const char *s)
{
  size_t n = strlen(s);
  for (const char *p = t->data; p && *p;) {
    const char *e = strstr(p, ", ");
    size_t len = e ? (size_t)(e - p) : strlen(p);
    if (len == n && !strncmp(p, s, n))
      return;
    if (!e)
      break;
    p = e + 2;
  }
  hk_buf_appendf(t, "%s%s", t->len ? ", " : "", s);
}

static int
append_dataset_row(const otrf_state *st, hk_table_builder *b,
                   const otrf_dataset *d)
{
  hk_buf tech = HK_BUF_INIT, tac = HK_BUF_INIT, names = HK_BUF_INIT,
         queries = HK_BUF_INIT, urls = HK_BUF_INIT;
  int64_t cached = 0;
  int rc = HK_OK;
  for (size_t i = 0; i < d->n_maps; i++) {
    char t[64];
    snprintf(t, sizeof t, "%s%s%s", d->maps[i].technique,
             d->maps[i].sub ? "." : "", d->maps[i].sub ? d->maps[i].sub : "");
    add_unique(&tech, t);
    for (size_t k = 0; k < d->maps[i].n_tactics; k++) {
      const char *name = otrf_tactic_name(d->maps[i].tactics[k]);
      add_unique(&tac, d->maps[i].tactics[k]);
      add_unique(&names, name ? name : d->maps[i].tactics[k]);
    }
  }
  for (size_t i = 0; i < d->n_files; i++) {
    char *p = local_path(st, &d->files[i]);
    char *u = file_url(st, &d->files[i]);
    if (!p || !u)
      rc = HK_E_NOMEM;
    else {
      cached += is_file(p);
      hk_buf_appendf(&queries, "%s%s", i ? ", " : "", d->files[i].query);
      hk_buf_appendf(&urls, "%s%s", i ? ", " : "", u);
    }
    free(p);
    free(u);
  }
  if (rc == HK_OK)
    rc = put_text(b, C_ID, d->id);
  if (rc == HK_OK)
    rc = put_text(b, C_TITLE, d->title);
  if (rc == HK_OK)
    rc = put_text(b, C_TYPE, d->type);
  if (rc == HK_OK)
    rc = put_list(b, C_PLATFORM, d->platforms, d->n_platforms);
  if (rc == HK_OK)
    rc = put_text(b, C_TECHNIQUES, tech.data);
  if (rc == HK_OK)
    rc = put_text(b, C_TACTICS, tac.data);
  if (rc == HK_OK)
    rc = put_text(b, C_TACTIC_NAMES, names.data);
  if (rc == HK_OK)
    rc = put_text(b, C_AUTHOR, d->author);
  if (rc == HK_OK)
    rc = d->created_us == INT64_MIN
             ? hk_table_builder_append_null(b, C_CREATED)
             : hk_table_builder_append_timestamp(b, C_CREATED, d->created_us);
  if (rc == HK_OK)
    rc = d->modified_us == INT64_MIN
             ? hk_table_builder_append_null(b, C_MODIFIED)
             : hk_table_builder_append_timestamp(b, C_MODIFIED, d->modified_us);
  if (rc == HK_OK)
    rc = hk_table_builder_append_int64(b, C_FILES, (int64_t)d->n_files);
  if (rc == HK_OK)
    rc = hk_table_builder_append_int64(b, C_CACHED, cached);
  if (rc == HK_OK)
    rc = put_text(b, C_QUERIES, queries.data);
  if (rc == HK_OK)
    rc = put_text(b, C_URLS, urls.data);
  if (rc == HK_OK)
    rc = put_text(b, C_DESCRIPTION, d->description);
  if (rc == HK_OK)
    rc = put_list(b, C_TAGS, d->tags, d->n_tags);
  if (rc == HK_OK)
    rc = put_text(b, C_METADATA, d->source);
  hk_buf_free(&tech);
  hk_buf_free(&tac);
  hk_buf_free(&names);
  hk_buf_free(&queries);
  hk_buf_free(&urls);
  return rc;
}

static int
list_index(otrf_state *st, const otrf_filter *f, const hk_query *q,
           struct ArrowArrayStream *out, hk_error *err)
{
  hk_table_builder *b = hk_table_builder_new();
  struct ArrowSchema schema = {0};
  struct ArrowArray batch = {0};
  int rc = b ? HK_OK : HK_E_NOMEM;
  for (size_t c = 0; c < N_COLS && rc == HK_OK; c++)
    if (hk_table_builder_add_column(b, list_cols[c].name, list_cols[c].type) <
        0)
      rc = HK_E_NOMEM;
  int64_t rows = 0;
  for (size_t i = 0; i < st->ix.n && rc == HK_OK; i++) {
    if (!otrf_dataset_matches(&st->ix.sets[i], f))
      continue;
    if (q->row_limit > 0 && rows >= q->row_limit)
      break;
    rc = append_dataset_row(st, b, &st->ix.sets[i]);
    rows++;
  }
  if (rc != HK_OK) {
    if (b)
      hk_table_builder_free(b);
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  }
  rc = hk_table_builder_export_schema(b, &schema, err);
  if (rc == HK_OK)
    rc = hk_table_builder_finish_batch(b, &batch, err);
  hk_table_builder_free(b);
  if (rc != HK_OK) {
    hk_schema_release(&schema);
    return rc;
  }
  return hk_stream_init_batches(out, &schema, &batch, 1, err);
}

/* ----------------------------------------------------------- downloads */

static int
make_dirs(char *path, hk_error *err)
{
  for (char *p = path + 1; *p; p++) {
    if (*p != '/')
      continue;
    *p = '\0';
    int failed = mkdir(path, 0700) != 0 && errno != EEXIST;
    int saved = errno;
    *p = '/';
    if (failed) {
      *p = '\0';
      hk_error_set(err, HK_E_IO, "otrf: cannot create the cache folder %s: %s",
                   path, strerror(saved));
      *p = '/';
      return HK_E_IO;
    }
  }
  return HK_OK;
}

/* Make sure the file is in the cache; *path (transfer) is where. */
static int
ensure_cached(otrf_state *st, const otrf_dataset *d, const otrf_file *f,
              int refresh, char **path, hk_error *err)
{
  const hk_host *h = host_services;
  char *p = local_path(st, f), *url = NULL;
  int rc = HK_OK;
  if (!p)
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  *path = p;
  if (!refresh && is_file(p))
    return HK_OK;
  if (st->offline)
    return user_error(err, hk_error_set(err, HK_E_NOTFOUND,
                                        "otrf: dataset %s: %s is not in the "
                                        "cache (%s) and offline is set",
                                        d->id, f->rel, p));
  if (!HK_HAS(h, http_fetch))
    return user_error(err, hk_error_set(err, HK_E_NOTSUP,
                                        "otrf: dataset %s: %s is not in the "
                                        "cache (%s); downloads need a huntkit "
                                        "built with libcurl (or copy the file "
                                        "there)",
                                        d->id, f->rel, p));
  if (!(url = file_url(st, f)))
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  if ((rc = make_dirs(p, err)) != HK_OK) {
    free(url);
    return rc;
  }
  HK_LOG_INFO(h, st->inst, "dataset %s: downloading %s", d->id, url);
  hk_http_request req;
  hk_http_response resp;
  memset(&req, 0, sizeof req);
  memset(&resp, 0, sizeof resp);
  req.struct_size = sizeof req;
  resp.struct_size = sizeof resp;
  req.method = "GET";
  req.url = url;
  req.download_path = p;
  rc = h->http_fetch(st->inst, &req, &resp, err);
  if (rc != HK_OK) {
    hk_error_prefix(err, "otrf: dataset %s: downloading %s: ", d->id, f->rel);
  } else if (resp.status == 404) {
    rc = user_error(err, hk_error_set(err, HK_E_NOTFOUND,
                                      "otrf: dataset %s: %s: HTTP 404, no "
                                      "such file (base_url=%s)",
                                      d->id, url, st->base_url));
  } else if (resp.status < 200 || resp.status > 299) {
    rc = hk_error_set(err, HK_E_NETWORK, "otrf: dataset %s: %s: HTTP %d", d->id,
                      url, (int)resp.status);
  } else if (!is_file(p)) {
    rc = hk_error_set(err, HK_E_IO,
                      "otrf: dataset %s: %s: the download did not arrive at "
                      "%s",
                      d->id, url, p);
  }
  free(url);
  return rc;
}

/* ---------------------------------------------------------- the events */

typedef struct pick {
  size_t set, file;
} pick;

static int
type_wanted(const otrf_file *f, const char *const *types, size_t n)
{
  const char *t = f->type ? f->type : "";
  if (n == 0)
    return strcasecmp(t, "network") != 0;
  for (size_t i = 0; i < n; i++)
    if (!strcasecmp(t, types[i]))
      return 1;
  return 0;
}

/* The files the keys name, in order, without repeats. */
static int
pick_files(otrf_state *st, const char *const *keys, size_t n_keys,
           const char *const *types, size_t n_types, pick **out, size_t *n_out,
           hk_error *err)
{
  pick *picks = NULL;
  size_t n = 0, cap = 0;
  for (size_t k = 0; k < n_keys; k++) {
    const char *key = keys[k];
    while (*key == ' ')
      key++;
    size_t found = 0, typed_out = 0;
    for (size_t i = 0; i < st->ix.n; i++) {
      size_t file = 0;
      int how = otrf_dataset_named(&st->ix.sets[i], key, &file);
      if (!how)
        continue;
      const otrf_dataset *d = &st->ix.sets[i];
      for (size_t fi = 0; fi < d->n_files; fi++) {
        if (how == 2 && fi != file)
          continue;
        if (how == 1 && !type_wanted(&d->files[fi], types, n_types)) {
          typed_out++;
          continue;
        }
        found++;
        int dup = 0;
        for (size_t x = 0; x < n && !dup; x++)
          dup = picks[x].set == i && picks[x].file == fi;
        if (dup)
          continue;
        if (n == cap) {
          cap = cap ? cap * 2 : 8;
          pick *np = realloc(picks, cap * sizeof *np);
          if (!np) {
            free(picks);
            return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
          }
          picks = np;
        }
        picks[n++] = (pick){i, fi};
      }
    }
    if (!found) {
      hk_buf near = HK_BUF_INIT;
      size_t shown = 0;
      char lower[128];
      size_t kl =
          strlen(key) < sizeof lower - 1 ? strlen(key) : sizeof lower - 1;
      for (size_t i = 0; i < kl; i++)
        lower[i] =
            key[i] >= 'A' && key[i] <= 'Z' ? (char)(key[i] | 0x20) : key[i];
      lower[kl] = '\0';
      for (size_t i = 0; i < st->ix.n && shown < 5; i++)
        if (kl >= 3 && strstr(st->ix.sets[i].haystack, lower)) {
          hk_buf_appendf(&near, "%s%s", shown ? ", " : "", st->ix.sets[i].id);
          shown++;
        }
      if (typed_out)
        hk_error_set(err, HK_E_NOTFOUND,
                     "otrf: dataset '%s' has only files of types left out by "
                     "file_type= (network captures are left out unless "
                     "file_type=network)",
                     key);
      else
        hk_error_set(err, HK_E_NOTFOUND,
                     "otrf: no dataset '%s' among the %zu in the index%s%s%s "
                     "(`otrf search=TEXT` lists them)",
                     key, st->ix.n, shown ? "; did you mean " : "",
                     shown ? near.data : "", shown ? "?" : "");
      hk_buf_free(&near);
      free(picks);
      return user_error(err, HK_E_NOTFOUND);
    }
  }
  *out = picks;
  *n_out = n;
  return HK_OK;
}

static int
read_events(otrf_state *st, const char *const *keys, size_t n_keys,
            const hk_query *q, struct ArrowArrayStream *out, hk_error *err)
{
  const hk_host *h = host_services;
  const hk_config *o = q->options;
  const char *const *types = NULL;
  size_t n_types = h->config_get_list(o, "file_type", &types);
  int refresh = 0, b = 0;
  h->config_get_bool(o, "refresh", &refresh);
  pick *picks = NULL;
  size_t n = 0;
  int rc = pick_files(st, keys, n_keys, types, n_types, &picks, &n, err);
  if (rc != HK_OK)
    return rc;
  char **paths = calloc(n ? n : 1, sizeof *paths);
  if (!paths) {
    free(picks);
    return hk_error_set(err, HK_E_NOMEM, "otrf: out of memory");
  }
  for (size_t i = 0; i < n && rc == HK_OK; i++) {
    const otrf_dataset *d = &st->ix.sets[picks[i].set];
    rc =
        ensure_cached(st, d, &d->files[picks[i].file], refresh, &paths[i], err);
  }
  if (rc == HK_OK) {
    hk_file_settings set = {0};
    const char *s;
    int64_t v;
    set.paths = (const char *const *)paths;
    set.n_paths = n;
    set.n_types = h->config_get_list(o, "types", &set.types);
    s = h->config_get_string(o, "on_error");
    set.skip_bad = s && !strcmp(s, "skip");
    set.add_source = h->config_get_bool(o, "add_source", &b) == HK_OK && b;
    set.header = 1;
    if (h->config_get_int(o, "infer_rows", &v) == HK_OK)
      set.infer_rows = v;
    if (h->config_is_set(o, "batch_rows") &&
        h->config_get_int(o, "batch_rows", &v) == HK_OK) {
      set.batch_rows = v;
      set.batch_rows_set = 1;
    }
    set.time_column = h->config_get_string(o, "time_column");
    set.max_member_mb = HK_FILE_DEFAULT_MAX_MEMBER_MB;
    if (h->config_get_int(o, "max_member_size", &v) == HK_OK)
      set.max_member_mb = v;
    set.max_ratio = HK_FILE_DEFAULT_MAX_RATIO;
    if (h->config_get_int(o, "max_ratio", &v) == HK_OK)
      set.max_ratio = v;
    set.archive_hint = "; refresh=true downloads the cached file again";
    rc = hk_file_open_stream(h, st->inst, "otrf", &set, q, out, err);
  }
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
  free(picks);
  return rc;
}

static int
otrf_run_query(void *state, const hk_query *q, struct ArrowArrayStream *out,
               hk_error *err)
{
  const hk_host *h = host_services;
  const hk_config *o = q->options;
  otrf_state *st = state;
  otrf_filter f;
  int list = 0;
  memset(&f, 0, sizeof f);
  if (!st)
    return hk_error_set(err, HK_E_FAIL, "otrf: no instance state");
  const char *const *keys = NULL;
  size_t n_keys = h->config_get_list(o, "dataset", &keys);
  /* a query from the library names its file by its text (the URL, as in
   * MSTICPy) or by its name */
  const char *qkey = q->text && *q->text ? q->text : q->name;
  if (n_keys == 0 && qkey && *qkey) {
    keys = &qkey;
    n_keys = 1;
  }
  h->config_get_bool(o, "list", &list);
  f.n_techniques = h->config_get_list(o, "technique", &f.techniques);
  f.n_tactics = h->config_get_list(o, "tactic", &f.tactics);
  f.n_platforms = h->config_get_list(o, "platform", &f.platforms);
  f.search = h->config_get_string(o, "search");
  int filtered =
      f.n_techniques || f.n_tactics || f.n_platforms || (f.search && *f.search);
  int rc = otrf_filter_check(&f, err);
  if (rc != HK_OK)
    return user_error(err, rc);
  if (n_keys && !list && filtered)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "otrf: technique=, tactic=, platform= "
                                        "and search= filter the index; with "
                                        "dataset= they need list=true"));
  if (n_keys > 1 && list)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "otrf: list=true takes one dataset= "
                                        "value"));
  if ((rc = resolve_root(st, err)) != HK_OK ||
      (rc = load_index(st, err)) != HK_OK)
    return rc;
  if (n_keys && !list)
    return read_events(st, keys, n_keys, q, out, err);
  f.dataset = n_keys ? keys[0] : NULL;
  return list_index(st, &f, q, out, err);
}

/* ----------------------------------------------------------- descriptor */

static const hk_provider_vt otrf_vtable = {
    .struct_size = sizeof(hk_provider_vt),
    .options = otrf_options,
    .create = otrf_create,
    .destroy = otrf_destroy,
    .run_query = otrf_run_query,
};

static const hk_plugin_desc otrf_desc = {
    .struct_size = sizeof(hk_plugin_desc),
    .abi_major = HK_ABI_MAJOR,
    .abi_minor = HK_ABI_MINOR,
    .name = "otrf",
    .version = "1.0.0",
    .kind = HK_KIND_PROVIDER,
    .flags = HK_PF_NETWORK,
    .summary = "OTRF Security-Datasets (Mordor): list by ATT&CK technique, "
               "tactic, platform or text; download to a cache; read the "
               "events",
    .entity_types = NULL,
    .params = otrf_config,
    .vtable = &otrf_vtable,
};

static const hk_plugin_desc *const otrf_descs[] = {&otrf_desc, NULL};

static const hk_plugin_desc *const *
otrf_entry(const struct hk_host *host, hk_error *err)
{
  if (!host || !host->log || !host->log_enabled || !host->config_get_list) {
    hk_error_set(err, HK_E_ABI,
                 "otrf: the host lacks logging or config services");
    return NULL;
  }
  host_services = host;
  return otrf_descs;
}

HK_PLUGIN_DEFINE(otrf, otrf_entry)
