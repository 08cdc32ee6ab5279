/*
 * host/cli/ti_common.c -- the parts `ti lookup` and `geoip` share: their
 * own options, the IoC list (words and --file, each IoC once), table
 * helpers and the exit status (see ti.h).
 */
#define _GNU_SOURCE
#include "config.h"

#include "ti.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --------------------------------------------------------------- options */

/* Take the verb's own options out of argv (the rest goes to the common
 * parser).  `names` lists "file", "type", ... that this verb has. */
int
hk_ti_take_opts(const char *verb, int *argc, char **argv,
                const char *const *names, hk_ti_opts *o)
{
  int out = 0;
  for (int i = 0; i < *argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) {
      while (i < *argc)
        argv[out++] = argv[i++];
      break;
    }
    int taken = 0;
    for (const char *const *n = names; *n && !taken; n++) {
      size_t len = strlen(*n);
      if (strncmp(a, "--", 2) != 0 || strncmp(a + 2, *n, len) != 0 ||
          (a[2 + len] != '\0' && a[2 + len] != '='))
        continue;
      taken = 1;
      const char *val = NULL;
      if (strcmp(*n, "summary") == 0) {
        if (a[2 + len] == '=')
          return hk_cli_usage_error(verb, "option --summary takes no value");
        o->summary = true;
        continue;
      }
      if (a[2 + len] == '=')
        val = a + 3 + len;
      else if (i + 1 < *argc)
        val = argv[++i];
      else
        return hk_cli_usage_error(verb, "option --%s needs a value", *n);
      if (strcmp(*n, "file") == 0)
        o->file = val;
      else if (strcmp(*n, "type") == 0)
        o->type = val;
      else if (strcmp(*n, "providers") == 0)
        o->providers = val;
      else if (strcmp(*n, "db") == 0) {
        const char **nd = realloc(o->dbs, (o->n_dbs + 1) * sizeof *nd);
        if (!nd)
          return hk_cli_error(HK_EXIT_FAIL, "out of memory");
        o->dbs = nd;
        o->dbs[o->n_dbs++] = val;
      }
    }
    if (!taken)
      argv[out++] = argv[i];
  }
  *argc = out;
  return 0;
}

/* ------------------------------------------------------------ the IoCs */

void
hk_ti_iocs_free(hk_ti_iocs *l)
{
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i].value);
  free(l->v);
}

/* Add one IoC (trimmed; duplicates of value and type are dropped). */
static int
ioc_add(hk_ti_iocs *l, const char *s, size_t len, const char *type)
{
  while (len && (*s == ' ' || *s == '\t'))
    s++, len--;
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
                 s[len - 1] == '\r' || s[len - 1] == '\n'))
    len--;
  if (len == 0)
    return HK_OK;
  const char *t = type ? type : hk_ioc_classify(s, len);
  for (size_t i = 0; i < l->n; i++)
    if (strlen(l->v[i].value) == len && memcmp(l->v[i].value, s, len) == 0 &&
        l->v[i].type == t)
      return HK_OK;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    hk_ti_ioc *nv = realloc(l->v, cap * sizeof *nv);
    if (!nv)
      return HK_E_NOMEM;
    l->v = nv;
    l->cap = cap;
  }
  char *v = strndup(s, len);
  if (!v)
    return HK_E_NOMEM;
  l->v[l->n].value = v;
  l->v[l->n].type = t;
  l->n++;
  return HK_OK;
}

/* The duplicate check above is linear: fine for the words of a command
 * line, not for a 100,000-line file.  Files go through a hash set. */
/* The duplicate check above is linear: fine for the words of a command
 * line, not for a 100,000-line file.  Files go through a hash set. */
typedef struct seen_set {
  uint64_t *slots; /* 0 = empty */
  size_t cap, n;
} seen_set;

static uint64_t
hash_ioc(const char *s, size_t len, const char *type)
{
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= (unsigned char)s[i];
    h *= 1099511628211ULL;
  }
  h ^= (uint64_t)(uintptr_t)type;
  h *= 1099511628211ULL;
  return h ? h : 1;
}

/* 1 when (probably) seen before; exact check done by the caller. */
static int
seen_insert(seen_set *st, uint64_t h, int *added)
{
  *added = 0;
  if ((st->n + 1) * 4 > st->cap * 3) {
    size_t cap = st->cap ? st->cap * 2 : 1024;
    uint64_t *ns = calloc(cap, sizeof *ns);
    if (!ns)
      return -1;
    for (size_t i = 0; i < st->cap; i++)
      if (st->slots[i])
        for (size_t k = st->slots[i] & (cap - 1);; k = (k + 1) & (cap - 1))
          if (!ns[k]) {
            ns[k] = st->slots[i];
            break;
          }
    free(st->slots);
    st->slots = ns;
    st->cap = cap;
  }
  for (size_t k = h & (st->cap - 1);; k = (k + 1) & (st->cap - 1)) {
    if (st->slots[k] == h)
      return 1;
    if (!st->slots[k]) {
      st->slots[k] = h;
      st->n++;
      *added = 1;
      return 0;
    }
  }
}

static int
read_ioc_file(const char *verb, const char *path, const char *type,
              hk_ti_iocs *l)
{
  FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
  if (!fp)
    return hk_cli_error(HK_EXIT_FAIL, "%s: --file %s: %s", verb, path,
                        strerror(errno));
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  seen_set seen = {0};
  int rc = 0;
  /* Words given before the file are in the set too. */
  for (size_t i = 0; i < l->n; i++) {
    int added;
    seen_insert(&seen,
                hash_ioc(l->v[i].value, strlen(l->v[i].value), l->v[i].type),
                &added);
  }
  while ((n = getline(&line, &cap, fp)) >= 0) {
    char *s = line;
    size_t len = (size_t)n;
    while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
                   s[len - 1] == ' ' || s[len - 1] == '\t'))
      len--;
    while (len && (*s == ' ' || *s == '\t'))
      s++, len--;
    if (len == 0 || *s == '#')
      continue;
    const char *t = type ? type : hk_ioc_classify(s, len);
    int added;
    int dup = seen_insert(&seen, hash_ioc(s, len, t), &added);
    if (dup < 0) {
      rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
      break;
    }
    if (dup) {
      /* a hash hit: confirm (rare) before dropping */
      int same = 0;
      for (size_t i = 0; i < l->n && !same; i++)
        same = l->v[i].type == t && strlen(l->v[i].value) == len &&
               memcmp(l->v[i].value, s, len) == 0;
      if (same)
        continue;
    }
    if (l->n == l->cap) {
      size_t ncap = l->cap ? l->cap * 2 : 64;
      hk_ti_ioc *nv = realloc(l->v, ncap * sizeof *nv);
      if (!nv) {
        rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
        break;
      }
      l->v = nv;
      l->cap = ncap;
    }
    if (!(l->v[l->n].value = strndup(s, len))) {
      rc = hk_cli_error(HK_EXIT_FAIL, "out of memory");
      break;
    }
    l->v[l->n++].type = t;
  }
  if (rc == 0 && ferror(fp))
    rc = hk_cli_error(HK_EXIT_FAIL, "%s: --file %s: %s", verb, path,
                      strerror(errno));
  free(line);
  free(seen.slots);
  if (fp != stdin)
    fclose(fp);
  return rc;
}

int
hk_ti_gather(const char *verb, const hk_ti_opts *o, char **words, int n_words,
             const char *type, hk_ti_iocs *iocs)
{
  for (int i = 0; i < n_words; i++)
    if (ioc_add(iocs, words[i], strlen(words[i]), type) != HK_OK)
      return hk_cli_error(HK_EXIT_FAIL, "out of memory");
  if (o->file) {
    int rc = read_ioc_file(verb, o->file, type, iocs);
    if (rc)
      return rc;
  }
  const char *what = strcmp(verb, "geoip") == 0 ? "IP addresses" : "IoCs";
  if (iocs->n == 0)
    return o->file ? hk_cli_usage_error(verb, "--file %s holds no %s", o->file,
                                        what)
                   : hk_cli_usage_error(verb, "give %s, or --file FILE", what);
  return 0;
}

/* ------------------------------------------------------------- the rest */

/* The run options an enricher gets from `ti`: its schema's defaults (a
 * pipeline stage would give key=value words). */
hk_config *
hk_ti_default_options(const hk_plugin_desc *desc, const char *origin, char *why,
                      size_t cap)
{
  const hk_enricher_vt *vt = desc->vtable;
  hk_config *cfg = hk_config_new(vt->options);
  hk_error err;
  hk_error_clear(&err);
  if (!cfg) {
    snprintf(why, cap, "out of memory");
    return NULL;
  }
  if (hk_config_check_required(cfg, origin, &err) != HK_OK) {
    snprintf(why, cap, "%s", err.msg);
    hk_config_free(cfg);
    return NULL;
  }
  return cfg;
}

void
hk_ti_progress(void *ud, size_t done, size_t total)
{
  (void)ud;
  (void)total;
  hk_cli_progress_update(NULL, (int64_t)done);
}

int
hk_ti_put_text(hk_table_builder *b, size_t col, const char *s)
{
  return s ? hk_table_builder_append_utf8(b, col, s, strlen(s))
           : hk_table_builder_append_null(b, col);
}

/* Finish the builder into a one-batch stream (transfer). */
int
hk_ti_stream(hk_table_builder *b, struct ArrowArrayStream *out)
{
  struct ArrowSchema schema;
  struct ArrowArray batch;
  hk_error err;
  hk_error_clear(&err);
  if (hk_table_builder_export_schema(b, &schema, &err) != HK_OK)
    return hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  if (hk_table_builder_finish_batch(b, &batch, &err) != HK_OK) {
    hk_schema_release(&schema);
    return hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  }
  if (hk_stream_init_batches(out, &schema, &batch, 1, &err) != HK_OK)
    return hk_cli_error(HK_EXIT_FAIL, "%s", err.msg);
  return 0;
}

/* Exit status after the table was rendered. */
int
hk_ti_finish(hk_cli *cli, int render_rc, bool canceled, size_t done,
             size_t total, size_t failed, const char *what)
{
  if (render_rc != HK_EXIT_OK)
    return render_rc;
  if (canceled)
    return hk_cli_error(HK_EXIT_INTERRUPTED,
                        "canceled (Ctrl-C) after %zu of %zu %s; the output "
                        "shows those",
                        done, total, what);
  if (failed) {
    hk_cli_error(0, "%zu %s failed (Status query_failed; see Details)", failed,
                 failed == 1 ? "lookup" : "lookups");
    if (cli->strict)
      return HK_EXIT_FAIL;
  }
  return HK_EXIT_OK;
}
