/*
 * plugins/file/setup.c -- one run of the file readers, set up from plain
 * settings: the paths expanded (globs, archives and their members), the
 * options checked, the first rows read to infer the columns, and the run
 * handed out as a stream.
 *
 * The `file` provider (file.c) fills the settings from its options; the
 * `otrf` provider links these sources too and fills them from its own, so
 * the readers exist once in the tree.
 */
#include "run.h"

#include <json-c/json.h>

#include <errno.h>
#include <glob.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define DEFAULT_BATCH_ROWS 8192

static void
run_free(void *ud)
{
  hk_file_run *r = ud;
  if (!r)
    return;
  hk_file_close_input(r);
  hk_file_archive_close(r);
  for (size_t i = 0; i < r->n_inputs; i++) {
    free(r->inputs[i].path);
    free(r->inputs[i].archive);
    free(r->inputs[i].member_sel);
    free(r->inputs[i].member);
    free(r->inputs[i].map);
  }
  free(r->inputs);
  for (size_t i = 0; i < r->names.n; i++)
    free(r->cols[i].bad_where);
  hk_file_names_free(&r->names);
  free(r->cols);
  for (size_t i = r->replay; i < r->n_rows; i++)
    if (r->rows[i].obj)
      json_object_put(r->rows[i].obj);
  free(r->rows);
  free(r->fields);
  hk_buf_free(&r->arena);
  if (r->b)
    hk_table_builder_free(r->b);
  free(r->seen);
  hk_file_names_free(&r->unknown);
  free(r->unknown_count);
  free(r->tmp_fields);
  free(r->next_key);
  hk_buf_free(&r->scratch);
  free(r->time_column_opt);
  free(r->path_text);
  free(r);
}

static int
stream_schema(void *ud, struct ArrowSchema *out, hk_error *err)
{
  hk_file_run *r = ud;
  return hk_table_builder_export_schema(r->b, out, err);
}

static int
stream_next(void *ud, struct ArrowArray *out, hk_error *err)
{
  return hk_file_next_batch(ud, out, err);
}

/* ---------------------------------------------------------------- inputs */

static int
format_from_name(const char *s)
{
  static const char *const names[] = {"auto", "csv", "tsv", "ndjson", "json"};
  for (int i = 0; i < 5; i++)
    if (!strcasecmp(s, names[i]))
      return i;
  return -1;
}

int
hk_file_format_from_extension(const char *path)
{
  static const struct {
    const char *ext;
    int format;
  } exts[] = {{".csv", HK_FILE_FMT_CSV},      {".tsv", HK_FILE_FMT_TSV},
              {".tab", HK_FILE_FMT_TSV},      {".ndjson", HK_FILE_FMT_NDJSON},
              {".jsonl", HK_FILE_FMT_NDJSON}, {".ldjson", HK_FILE_FMT_NDJSON},
              {".json", HK_FILE_FMT_JSON}};
  const char *dot = strrchr(path, '.'), *slash = strrchr(path, '/');
  if (!dot || (slash && dot < slash))
    return HK_FILE_FMT_AUTO;
  for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
    if (!strcasecmp(dot, exts[i].ext))
      return exts[i].format;
  return HK_FILE_FMT_AUTO;
}

static int
user_error(hk_error *err, int code)
{
  err->flags |= HK_EF_USER;
  return code;
}

static int
add_input(hk_file_run *r, const char *path, const char *member_sel,
          hk_error *err)
{
  int container = strcmp(path, "-") ? hk_file_archive_kind(path) : 0;
  if (member_sel && container == HK_FILE_PLAIN)
    return user_error(
        err, hk_error_set(err, HK_E_CONFIG,
                          "%s: '%s' is not a zip or tar archive, so '#%s' "
                          "selects nothing (path=%s)",
                          r->who, path, member_sel, r->path_text));
  if (container != HK_FILE_PLAIN && !hk_file_archive_supported())
    return user_error(
        err, hk_error_set(err, HK_E_NOTSUP,
                          "%s: '%s' is an archive or compressed file; reading "
                          "those needs a huntkit built with libarchive "
                          "(install libarchive-dev and rebuild), or unpack it "
                          "first",
                          r->who, path));
  hk_file_input *in = realloc(r->inputs, (r->n_inputs + 1) * sizeof *r->inputs);
  if (!in)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  r->inputs = in;
  in = &r->inputs[r->n_inputs];
  memset(in, 0, sizeof *in);
  r->n_inputs++;
  in->container = container;
  in->path = strdup(path);
  if (!in->path)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  if (container != HK_FILE_PLAIN) {
    in->archive = strdup(path);
    if (!in->archive ||
        (member_sel && *member_sel && !(in->member_sel = strdup(member_sel))))
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
    in->format = r->format; /* per member, once its name is known */
  } else {
    in->format = r->format != HK_FILE_FMT_AUTO
                     ? r->format
                     : hk_file_format_from_extension(path);
  }
  return HK_OK;
}

/* A path without glob characters: it must be a readable file. */
static int
add_plain_path(hk_file_run *r, const char *item, const char *member_sel,
               hk_error *err)
{
  struct stat st;
  char *expanded = NULL;
  const char *path = item;
  if (item[0] == '~' && item[1] == '/' && getenv("HOME")) {
    size_t n = strlen(getenv("HOME")) + strlen(item);
    if (!(expanded = malloc(n)))
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
    snprintf(expanded, n, "%s%s", getenv("HOME"), item + 1);
    path = expanded;
  }
  int rc = HK_OK;
  if (stat(path, &st) != 0) {
    /* `file x.csv on_error=skip` hands "x.csv on_error=skip" to path */
    const char *sp = strchr(item, ' ');
    int options_after = sp && strchr(sp, '=');
    rc = user_error(
        err, hk_error_set(err, errno == ENOENT ? HK_E_NOTFOUND : HK_E_IO,
                          "%s: %s '%s' (path=%s)%s", r->who,
                          errno == ENOENT ? "no such file" : strerror(errno),
                          item, r->path_text,
                          options_after ? "; write options before a bare "
                                          "path, or use path="
                                        : ""));
  } else if (S_ISDIR(st.st_mode))
    rc = user_error(err, hk_error_set(err, HK_E_INVAL,
                                      "%s: '%s' is a directory (use a glob "
                                      "such as '%s/*.csv') (path=%s)",
                                      r->who, item, item, r->path_text));
  else if (access(path, R_OK) != 0)
    rc = user_error(
        err, hk_error_set(err, HK_E_IO, "%s: cannot read '%s': %s (path=%s)",
                          r->who, item, strerror(errno), r->path_text));
  else
    rc = add_input(r, path, member_sel, err);
  free(expanded);
  return rc;
}

static int
add_glob(hk_file_run *r, const char *pattern, const char *member_sel,
         hk_error *err)
{
  glob_t g;
  int flags = GLOB_TILDE;
#ifdef GLOB_BRACE
  flags |= GLOB_BRACE;
#endif
  int grc = glob(pattern, flags, NULL, &g);
  if (grc == GLOB_NOMATCH || (grc == 0 && g.gl_pathc == 0)) {
    if (grc == 0)
      globfree(&g);
    return user_error(err, hk_error_set(err, HK_E_NOTFOUND,
                                        "%s: no file matches '%s' "
                                        "(path=%s)",
                                        r->who, pattern, r->path_text));
  }
  if (grc != 0)
    return hk_error_set(err, grc == GLOB_NOSPACE ? HK_E_NOMEM : HK_E_IO,
                        "%s: cannot expand '%s' (path=%s)", r->who, pattern,
                        r->path_text);
  int rc = HK_OK;
  size_t added = 0;
  for (size_t i = 0; i < g.gl_pathc && rc == HK_OK; i++) {
    struct stat st;
    if (stat(g.gl_pathv[i], &st) != 0 || S_ISDIR(st.st_mode))
      continue; /* directories a pattern happens to match */
    rc = add_input(r, g.gl_pathv[i], member_sel, err);
    added++;
  }
  globfree(&g);
  if (rc == HK_OK && added == 0)
    rc = user_error(err, hk_error_set(err, HK_E_NOTFOUND,
                                      "%s: '%s' matches only directories "
                                      "(path=%s)",
                                      r->who, pattern, r->path_text));
  return rc;
}

/* ARCHIVE#MEMBER: split at the first '#' unless the whole item is an
 * existing file (names may hold '#').  *member is NULL without a '#'. */
static int
split_member(const char *item, char **archive, char **member)
{
  struct stat st;
  const char *hash = strchr(item, '#');
  *archive = *member = NULL;
  if (!hash || hash == item || stat(item, &st) == 0)
    return HK_OK;
  *archive = strndup(item, (size_t)(hash - item));
  *member = strdup(hash + 1);
  return *archive && *member ? HK_OK : HK_E_NOMEM;
}

static int
expand_paths(hk_file_run *r, const char *const *items, size_t n, hk_error *err)
{
  hk_buf text = HK_BUF_INIT;
  for (size_t i = 0; i < n; i++)
    hk_buf_appendf(&text, "%s%s", i ? "," : "", items[i]);
  r->path_text = hk_buf_detach(&text, NULL);
  if (!r->path_text)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  int stdin_seen = 0;
  for (size_t i = 0; i < n; i++) {
    const char *item = items[i];
    char *archive = NULL, *member = NULL;
    int rc;
    while (*item == ' ')
      item++;
    if (!*item)
      continue;
    if (!strcmp(item, "-")) {
      if (stdin_seen++)
        return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                            "%s: '-' (standard input) "
                                            "given twice (path=%s)",
                                            r->who, r->path_text));
      rc = add_input(r, "-", NULL, err);
    } else if ((rc = split_member(item, &archive, &member)) != HK_OK) {
      rc = hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
    } else {
      const char *file = archive ? archive : item;
      if (strpbrk(file, "*?[{"))
        rc = add_glob(r, file, member, err);
      else
        rc = add_plain_path(r, file, member, err);
    }
    free(archive);
    free(member);
    if (rc != HK_OK)
      return rc;
  }
  if (r->n_inputs == 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: path names no file (path=%s)",
                                        r->who, r->path_text));
  if (stdin_seen && r->infer_rows == 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: infer_rows=0 reads the input "
                                        "twice, which standard input cannot "
                                        "do (give infer_rows=N)",
                                        r->who));
  return HK_OK;
}

/* --------------------------------------------------------------- options */

static int
parse_delimiter(hk_file_run *r, const char *s, char *out, hk_error *err)
{
  if (!strcmp(s, "tab") || !strcmp(s, "\\t") || !strcmp(s, "\t"))
    *out = '\t';
  else if (strlen(s) == 1 && s[0] != '"' && s[0] != '\r' && s[0] != '\n')
    *out = s[0];
  else
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: delimiter '%s' is not one "
                                        "character (give e.g. ';' or tab)",
                                        r->who, s));
  return HK_OK;
}

static int
check_types(hk_file_run *r, const char *const *types, size_t n, hk_error *err)
{
  for (size_t i = 0; i < n; i++) {
    const char *colon = strrchr(types[i], ':');
    if (!colon || colon == types[i] ||
        hk_file_type_from_name(colon + 1, strlen(colon + 1)) < 0)
      return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                          "%s: types: '%s' is not "
                                          "COLUMN:TYPE (TYPE one of int, "
                                          "float, bool, timestamp, string)",
                                          r->who, types[i]));
  }
  return HK_OK;
}

static int
apply_settings(hk_file_run *r, const hk_file_settings *set, const hk_query *q,
               hk_error *err)
{
  const char *s = set->format;
  r->format = HK_FILE_FMT_AUTO;
  if (s && (r->format = format_from_name(s)) < 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: format '%s' is not one of "
                                        "auto, csv, tsv, ndjson, json",
                                        r->who, s));
  r->skip_bad = set->skip_bad;
  r->keep_index = set->keep_index;
  r->add_source = set->add_source;
  r->header = set->header;
  r->infer_rows = set->infer_rows;
  if (r->infer_rows < 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: infer_rows must be 0 (all) "
                                        "or more, got %lld",
                                        r->who, (long long)r->infer_rows));
  r->batch_rows = q->batch_rows > 0 ? q->batch_rows : DEFAULT_BATCH_ROWS;
  if (set->batch_rows_set) {
    if (set->batch_rows < 1)
      return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                          "%s: batch_rows must be at least "
                                          "1, got %lld",
                                          r->who, (long long)set->batch_rows));
    r->batch_rows = set->batch_rows;
  }
  if (set->max_member_mb < 1 || set->max_member_mb > (INT64_MAX >> 20))
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: max_member_size must be at "
                                        "least 1 (MiB), got %lld",
                                        r->who, (long long)set->max_member_mb));
  if (set->max_ratio < 1)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: max_ratio must be at least 1, "
                                        "got %lld",
                                        r->who, (long long)set->max_ratio));
  r->max_member_bytes = set->max_member_mb << 20;
  r->max_ratio = set->max_ratio;
  r->archive_hint = set->archive_hint;
  if ((s = set->delimiter) && parse_delimiter(r, s, &r->delim, err) != HK_OK)
    return err->code;
  if ((s = set->time_column) && *s && !(r->time_column_opt = strdup(s)))
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  r->start_us = q->start_us;
  r->end_us = q->end_us;
  r->row_limit = q->row_limit > 0 ? q->row_limit : 0;
  if (set->n_paths == 0)
    return user_error(err, hk_error_set(err, HK_E_CONFIG,
                                        "%s: path is required (a file, a "
                                        "glob or - for standard input)",
                                        r->who));
  return expand_paths(r, set->paths, set->n_paths, err);
}

int
hk_file_open_stream(const hk_host *host, const hk_instance *inst,
                    const char *who, const hk_file_settings *set,
                    const hk_query *q, struct ArrowArrayStream *out,
                    hk_error *err)
{
  hk_file_run *r = calloc(1, sizeof *r);
  if (!r)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", who);
  r->host = host;
  r->inst = inst;
  r->who = who;
  r->source_col = r->time_col = -1;

  int rc = apply_settings(r, set, q, err);
  if (rc == HK_OK)
    rc = check_types(r, set->types, set->n_types, err);
  if (rc == HK_OK)
    rc = hk_file_collect_sample(r, err);
  if (rc == HK_OK)
    rc = hk_file_fix_schema(r, set->types, set->n_types, err);
  if (rc != HK_OK) {
    run_free(r);
    return rc;
  }
  /* from here the stream owns the run, and frees it even on failure */
  hk_stream_callbacks cb = {sizeof cb, stream_schema, stream_next, run_free};
  return hk_stream_init_callbacks(out, &cb, r, err);
}
