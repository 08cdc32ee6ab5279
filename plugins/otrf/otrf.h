/*
 * plugins/otrf/otrf.h -- the parts of the `otrf` provider: the index of
 * OTRF Security-Datasets metadata (otrf_index.c) and the provider that
 * lists it, downloads dataset files and reads them (otrf.c) through the
 * file provider's readers (plugins/file, built into this module too).
 */
#ifndef HK_OTRF_H
#define HK_OTRF_H

#include <huntkit/buf.h>
#include <huntkit/host.h>

/* Links in the metadata point here; base_url replaces this prefix. */
#define OTRF_CANONICAL_BASE                                                    \
  "https://raw.githubusercontent.com/OTRF/Security-Datasets/master/"

typedef struct otrf_mapping {
  char *technique; /* "T1003" */
  char *sub;       /* "001", or NULL */
  char **tactics;  /* "TA0006", ... */
  size_t n_tactics;
} otrf_mapping;

typedef struct otrf_file {
  char *type;    /* "Host", "Network", "Cloud" as written */
  char *link;    /* the URL in the metadata */
  char *rel;     /* path under base_url and the cache: "datasets/atomic/..." */
  char *query;   /* MSTICPy's query name: "atomic.windows....host.NAME" */
  int canonical; /* link is under OTRF_CANONICAL_BASE (base_url applies) */
} otrf_file;

typedef struct otrf_dataset {
  char *id, *title, *type, *description, *author;
  char *source; /* metadata file it came from */
  char **platforms;
  size_t n_platforms;
  char **tags;
  size_t n_tags;
  otrf_mapping *maps;
  size_t n_maps;
  otrf_file *files;
  size_t n_files;
  int64_t created_us, modified_us; /* INT64_MIN when not given */
  char *haystack;                  /* lower-case text for search= */
} otrf_dataset;

typedef struct otrf_index {
  otrf_dataset *sets; /* sorted by id once loaded */
  size_t n, cap;
  int64_t skipped;  /* metadata files or entries that were left out */
  hk_buf sources;   /* what was read, for messages */
  size_t n_sources; /* metadata files and cache files read */
} otrf_index;

/* Where messages go. */
typedef struct otrf_log {
  const hk_host *host;
  const hk_instance *inst;
} otrf_log;

/* Add the datasets of `path`: a directory (its YAML files, and those in
 * `_metadata` folders below it), a metadata YAML file, or a JSON file in
 * MSTICPy's mordor_cache.json form (path -> metadata document) or a list
 * of documents.  Malformed files and entries are skipped with a warning
 * naming file and line.  HK_OK, or HK_E_NOMEM / HK_E_NOTFOUND (path
 * missing) with `err` filled. */
int otrf_index_add_path(otrf_index *ix, const char *path, const otrf_log *lg,
                        hk_error *err);
/* Sort by id and drop later duplicates (logged at DEBUG). */
void otrf_index_finish(otrf_index *ix, const otrf_log *lg);
void otrf_index_free(otrf_index *ix);

/* Filters of the list; each list is ORed, the kinds ANDed. */
typedef struct otrf_filter {
  const char *const *techniques;
  size_t n_techniques;
  const char *const *tactics;
  size_t n_tactics;
  const char *const *platforms;
  size_t n_platforms;
  const char *search;  /* "a+b,c": (a AND b) OR c, case-insensitive */
  const char *dataset; /* id, query name, file name or URL */
} otrf_filter;

/* Check the filter's values (technique and tactic spelling); HK_E_CONFIG
 * naming the bad value. */
int otrf_filter_check(const otrf_filter *f, hk_error *err);
int otrf_dataset_matches(const otrf_dataset *d, const otrf_filter *f);
/* Does `key` name the dataset (1: all its files) or one of its files
 * (2, *file set)?  0 when not. */
int otrf_dataset_named(const otrf_dataset *d, const char *key, size_t *file);

/* ATT&CK tactic name for an id ("TA0006" -> "Credential Access"), or
 * NULL. */
const char *otrf_tactic_name(const char *id);

#endif /* HK_OTRF_H */
