/*
 * host/querylib.h -- the query library: query definition files in
 * MSTICPy's YAML schema (metadata, defaults, sources, typed parameters,
 * templates), loaded from queries/<provider>/ and the settings'
 * query_dirs, and expanded into query text with every value typed,
 * validated and quoted for the target language.
 *
 * Names.  A query is addressed as PROVIDER.FAMILY.QUERY, e.g.
 * loganalytics.WindowsSecurity.list_host_processes or
 * file.WindowsSecurity.process_creation: PROVIDER is the huntkit provider
 * that runs it (from the file's metadata.data_environments: LogAnalytics,
 * MSSentinel and AzureSentinel are `loganalytics`, Splunk is `splunk`,
 * MDE/MDATP/M365D are `defender`, ...), FAMILY one of the source's
 * data_families (dotted families stay dotted) and QUERY the key under
 * `sources`.  A query registered under several environments or families
 * has one name per combination, as in MSTICPy.  PROVIDER.QUERY is
 * accepted too when exactly one family of that provider has QUERY.
 *
 * Trust.  The template and the string defaults of a file are query text
 * written by the query's author and are inserted as written.  Values given
 * at run time are values: each is checked against its parameter's type
 * and written as a literal of the target language in the place the
 * template puts it (inside a string literal: escaped for that literal;
 * bare: as a typed literal), so no value can add query text.  See
 * queries/README.md for the rules per language.
 *
 * Files: querylib.c (directories, names, lookup), querylib_yaml.c (one
 * file), querylib_expand.c (validation, quoting, expansion).
 */
#ifndef HK_HOST_QUERYLIB_H
#define HK_HOST_QUERYLIB_H

#include "core.h"

#include <stdbool.h>

/* Parameter types (MSTICPy's `type:`). */
enum hk_qparam_type {
  HK_QP_STR = 1,
  HK_QP_INT,
  HK_QP_FLOAT,
  HK_QP_DATETIME,
  HK_QP_LIST,
  HK_QP_BOOL
};

/* Languages a template is written in, from its provider. */
enum hk_qlang {
  HK_QL_KQL = 1, /* loganalytics, kusto, defender, resourcegraph */
  HK_QL_SPL,     /* splunk */
  HK_QL_WHERE,   /* file queries: the `where` stage's expressions */
  HK_QL_ODATA,   /* msgraph */
  HK_QL_TEXT     /* anything else: JSON-style string literals */
};

typedef struct hk_qparam {
  char *name;
  char *description; /* NULL when the file gives none */
  int type;          /* enum hk_qparam_type */
  bool has_default;  /* false: the parameter is required */
  bool default_is_list;
  char *default_text; /* scalar default as written (NULL for a list) */
  char **default_items;
  size_t n_default_items;
  char **aliases;
  size_t n_aliases;
  bool has_format; /* MSTICPy's `format:` key (not applied: see expand) */
  int line;        /* line of the definition in the file */
} hk_qparam;

/* One source of a file after the merge (file metadata <- defaults <-
 * source).  Shared by every name it is registered under. */
typedef struct hk_qsource {
  char *file; /* path as loaded */
  int line;   /* line of the source's key */
  char *query;
  char *description;
  char *template; /* args.query, macros expanded */
  int template_line;
  hk_qparam *params; /* defaults' parameters first, then the source's */
  size_t n_params;
  /* args other than query and uri (file queries: reader options such as
   * path, format, time_column), in file order; values are templates. */
  char **arg_keys;
  char **arg_values;
  size_t n_args;
  char *reader; /* args.reader (file queries), NULL for `file` */
  char **tags;
  size_t n_tags;
  char *data_source; /* metadata.data_source, or NULL */
} hk_qsource;

typedef struct hk_qentry {
  char *name;        /* PROVIDER.FAMILY.QUERY */
  char *provider;    /* e.g. "file", "loganalytics" */
  char *family;      /* e.g. "WindowsSecurity" */
  char *environment; /* the data_environments item as written */
  int language;      /* enum hk_qlang */
  const hk_qsource *src;
  char *replaced; /* "FILE:LINE" of a definition this one replaced */
  unsigned seq;   /* load order, for overrides */
} hk_qentry;

typedef struct hk_querylib hk_querylib;

hk_querylib *hk_querylib_new(void);
void hk_querylib_free(hk_querylib *lib);

/*
 * Load one file.  A file that cannot be used as a whole (YAML syntax,
 * missing metadata/sources, ...) is skipped: HK_E_CONFIG with
 * "FILE:LINE: KEY: what is wrong (what was expected)".  A bad source is
 * skipped alone and recorded as a problem; the others load.  Every
 * problem (also the file-level one) is recorded for
 * hk_querylib_problem().  A later definition of the same name replaces
 * the earlier one.
 */
int hk_querylib_add_file(hk_querylib *lib, const char *path, hk_error *err);

/* Every *.yaml and *.yml under `dir`, recursively, in sorted order.
 * HK_E_NOTFOUND when `dir` is not a directory; problems of single files
 * are recorded, not returned. */
int hk_querylib_add_dir(hk_querylib *lib, const char *dir, hk_error *err);

/*
 * The standard library: the built-in queries (the first of
 * $HUNTKIT_DATADIR/queries, PKGDATADIR/queries and `srcdir`/queries that
 * exists; `srcdir` may be NULL), then each of the settings' query_dirs in
 * order (one that does not exist is recorded as a problem and skipped),
 * so a user's definition replaces a built-in one of the same name.
 */
int hk_querylib_load_standard(hk_querylib *lib, const hk_settings *settings,
                              const char *srcdir, hk_error *err);
/* The built-in directory used by the last load_standard, or NULL. */
const char *hk_querylib_builtin_dir(const hk_querylib *lib);

size_t hk_querylib_problem_count(const hk_querylib *lib);
const char *hk_querylib_problem(const hk_querylib *lib, size_t i);

/* Entries sorted by name (byte order). */
size_t hk_querylib_count(const hk_querylib *lib);
const hk_qentry *hk_querylib_at(const hk_querylib *lib, size_t i);

/* Find by full name or PROVIDER.QUERY.  NULL with HK_E_NOTFOUND (and a
 * suggestion) or HK_E_INVAL (ambiguous: the candidates are named). */
const hk_qentry *hk_querylib_find(const hk_querylib *lib, const char *name,
                                  hk_error *err);

/* Indices (for hk_querylib_at, malloc'd) of the entries of `provider`
 * (NULL: all) that match `pattern` (NULL: all), a PCRE2 regex matched
 * ignoring case against the name, description, parameter names, the
 * `table` parameter's default and the template, as MSTICPy's search.
 * HK_E_INVAL (HK_EF_USER) for a bad regex. */
int hk_querylib_search(const hk_querylib *lib, const char *provider,
                       const char *pattern, size_t **out, size_t *n_out,
                       hk_error *err);

/* "str", "int", "float", "datetime", "list", "bool". */
const char *hk_qparam_type_name(int type);
/* "KQL", "SPL", "where", "OData", "text". */
const char *hk_qlang_name(int lang);
/* The huntkit provider and language of a data environment as written in
 * a file ("LogAnalytics" -> "loganalytics", KQL; "Prefix.Splunk" ->
 * "splunk", SPL).  Writes the provider into buf. */
int hk_querylib_environment(const char *env, char *buf, size_t cap);

/* ---------------------------------------------------------- expansion */

/* Run-time values of one query. */
typedef struct hk_qargs {
  const char *const *keys; /* parameter names or aliases */
  const char *const *values;
  size_t n;
  /* The run's time range ([start, end), HK_TIME_MIN / HK_TIME_MAX when
   * open): it gives the `start` and `end` parameters of a query that has
   * them. */
  int64_t start_us, end_us;
  int64_t now_us; /* for relative times */
} hk_qargs;

/* What a query expands to: one provider stage (for file queries, followed
 * by a `where` stage when the filter is not empty). */
typedef struct hk_qplan {
  char *name;     /* full name */
  char *provider; /* plugin of the provider stage ("file", "auditd", ...) */
  int language;
  bool file_query;
  /* Query text with the values in place; for file queries the filter,
   * the `where` stage's expression (NULL or "" for none). */
  char *text;
  /* Options of the provider stage (file queries: path, format, ...),
   * after substitution; empty values are left out. */
  char **opt_keys;
  char **opt_values;
  size_t n_opts;
  /* The time window to give the provider: the start/end parameters when
   * the query has them, else the run's range. */
  int64_t start_us, end_us;
  /* true when start/end were not given and MSTICPy's default window
   * ([now - 1 day, now + 1 day]) filled them; the window above is then
   * open, as MSTICPy sends none. */
  bool default_time;
} hk_qplan;

/*
 * Validate the values (unknown name, given twice, wrong type, missing
 * required: errors name the query and the parameter, HK_E_CONFIG with
 * HK_EF_USER) and expand the templates.  On success the plan is filled
 * (free with hk_qplan_clear).
 */
int hk_query_expand(const hk_qentry *e, const hk_qargs *args, hk_qplan *out,
                    hk_error *err);
void hk_qplan_clear(hk_qplan *p);

/* Append `text` as a string literal of `lang` (double-quoted, escaped;
 * OData single-quoted).  HK_E_INVAL when the text holds a character the
 * literal cannot carry (e.g. a control character in KQL). */
int hk_query_quote(int lang, const char *text, hk_buf *out, hk_error *err);

/* ------------------------------------------------- shared by the files */

/* One source read from a file, with the data environments and families
 * it is registered under. */
typedef struct hk_qparsed {
  hk_qsource *src;
  char **envs;
  size_t n_envs;
  char **fams;
  size_t n_fams;
} hk_qparsed;

/* What one file holds: its good sources, and a message per skipped one. */
typedef struct hk_qfile {
  hk_qparsed *items;
  size_t n_items;
  char **problems;
  size_t n_problems;
} hk_qfile;

/* Read `path` (querylib_yaml.c).  A file-level error (syntax, missing
 * metadata or sources) is returned; a bad source becomes a problem. */
int hk_qfile_parse(const char *path, hk_qfile *out, hk_error *err);
/* Free the file's items (sources not taken: set items[i].src = NULL to
 * keep one) and problems. */
void hk_qfile_clear(hk_qfile *f);
void hk_qsource_free(hk_qsource *s);

/* Placeholders of a template: calls `fn` for each {name} (not for {{ }});
 * HK_E_CONFIG for a lone brace or a field huntkit does not support
 * ({name:spec}, {0}, {}), with the line inside the template. */
typedef int (*hk_qplaceholder_fn)(void *ud, const char *name, size_t len,
                                  size_t offset);
int hk_query_template_scan(const char *tmpl, hk_qplaceholder_fn fn, void *ud,
                           hk_error *err);

#endif /* HK_HOST_QUERYLIB_H */
