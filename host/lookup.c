/*
 * host/lookup.c -- the bulk lookup engine behind `huntkit ti lookup`,
 * `huntkit geoip` and enricher stages.
 *
 * For an enricher with prepare/parse (ABI 1.1) each lookup goes:
 *   prepare -> request, or an answer at once
 *   cache   -> a stored reply for (type, value, method, URL, body)?  parse
 *              it: no request, no quota spent
 *   pool    -> the HTTP service sends it within the instance's limits,
 *              many in flight; each reply goes to parse as it arrives, and
 *              a reply that parses is stored (not 429 or 5xx)
 * All plugin calls happen on this thread, one at a time, so no plugin
 * state is ever entered twice at once.  Enrichers without prepare/parse
 * (local lookups) run through lookup() in the gaps of the network loop.
 *
 * Cache keys are the request with the instance's own secrets (its SECRET
 * config values and the values of its requests' headers) replaced by
 * "***": an API key in a query string never reaches the cache file, a
 * key rotation does not empty the cache, and the keys of one instance do
 * not depend on what other instances are configured.  Reads of a
 * batch share one read transaction, writes are grouped (HK_WRITE_GROUP
 * per transaction, or one second's worth), so a fully cached batch costs
 * one B-tree probe per lookup.
 */
#define _GNU_SOURCE
#include "config.h"

#include "http.h"

#include <stdlib.h>
#include <string.h>

/* Stores per write transaction, and the longest a write transaction
 * stays open: other processes wait for it. */
#define HK_WRITE_GROUP 256
#define HK_WRITE_HOLD_US 1000000

/* One key byte separates the engine's entries from plugins' cache_put. */
#define HK_LOOKUP_KEY_TAG 'L'

typedef struct eng_inst {
  hk_instance *inst;
  const hk_plugin_desc *desc;
  const hk_enricher_vt *vt;
  void *state;
  size_t n_fields;
  hk_svc *svc;
  int async;       /* prepare/parse through the HTTP service */
  int cache_read;  /* look replies up before asking */
  int cache_write; /* store replies */
  int64_t ttl_s;
  int read_open, write_open;
  size_t writes;
  int64_t write_since_us;
  char **secrets; /* SECRET config values, for cache keys */
  size_t n_secrets;
} eng_inst;

typedef struct engine engine;

typedef struct eng_job {
  engine *en;
  hk_lookup *item;
  eng_inst *ei;
  char *key;
  size_t key_len;
  int cacheable;
} eng_job;

struct engine {
  eng_inst *insts;
  size_t n_insts;
  eng_job *jobs;
  size_t n_jobs;
  size_t *sync; /* indices of jobs for lookup() */
  size_t n_sync, next_sync;
  size_t done, total;
  const hk_lookup_opts *opts;
  char *scratch; /* a cached reply, copied for parse */
  size_t scratch_cap;
  int nomem;
};

/* ---------------------------------------------------------------- names */

const char *
hk_lookup_status_name(int status)
{
  switch (status) {
  case HK_LK_OK:
    return "ok";
  case HK_LK_NOT_SUPPORTED:
    return "not_supported";
  case HK_LK_BAD_FORMAT:
    return "bad_format";
  case HK_LK_QUERY_FAILED:
    return "query_failed";
  case HK_LK_NO_DATA:
    return "no_data";
  default:
    return "unknown";
  }
}

const char *
hk_severity_name(int severity)
{
  switch (severity) {
  case HK_SEV_INFORMATION:
    return "information";
  case HK_SEV_LOW:
    return "low";
  case HK_SEV_MEDIUM:
    return "medium";
  case HK_SEV_HIGH:
    return "high";
  default:
    return "unknown";
  }
}

int
hk_enricher_accepts(const hk_plugin_desc *desc, const char *type)
{
  if (!desc->entity_types)
    return 1;
  for (const char *const *t = desc->entity_types; *t; t++)
    if (strcmp(*t, type) == 0)
      return 1;
  return 0;
}

void
hk_lookup_clear(hk_lookup *item)
{
  free(item->summary);
  free(item->reference);
  free(item->raw);
  if (item->fields)
    for (size_t f = 0; f < item->n_fields; f++)
      free((char *)item->fields[f].str);
  free(item->fields);
  item->summary = item->reference = item->raw = NULL;
  item->fields = NULL;
  item->n_fields = 0;
  item->done = 0;
  item->rc = HK_OK;
  item->status = 0;
  item->severity = 0;
  item->from_cache = 0;
}

/* -------------------------------------------------------------- records */

static void
progress(engine *en)
{
  en->done++;
  if (en->opts && en->opts->progress)
    en->opts->progress(en->opts->progress_ud, en->done, en->total);
}

static char *
dup_or_null(engine *en, const char *s)
{
  if (!s)
    return NULL;
  char *d = strdup(s);
  if (!d)
    en->nomem = 1;
  return d;
}

static void
record_fail(engine *en, hk_lookup *item, int code, const char *msg)
{
  hk_lookup_clear(item);
  item->done = 1;
  item->rc = code < 0 ? code : HK_E_FAIL;
  item->status = HK_LK_QUERY_FAILED;
  item->severity = HK_SEV_UNKNOWN;
  item->summary = dup_or_null(en, msg && *msg ? msg : "lookup failed");
  progress(en);
}

/* Copy what the plugin answered: its pointers live only until its next
 * call. */
static void
record(engine *en, eng_job *j, const hk_enrichment *e, int from_cache)
{
  hk_lookup *item = j->item;
  const eng_inst *ei = j->ei;
  hk_lookup_clear(item);
  item->done = 1;
  item->rc = HK_OK;
  item->status = e->status >= HK_LK_OK && e->status <= HK_LK_NO_DATA
                     ? e->status
                     : HK_LK_QUERY_FAILED;
  item->severity = e->severity >= HK_SEV_UNKNOWN && e->severity <= HK_SEV_HIGH
                       ? e->severity
                       : HK_SEV_UNKNOWN;
  item->summary = dup_or_null(en, e->summary);
  item->reference = dup_or_null(en, e->reference);
  item->raw = dup_or_null(en, e->raw);
  item->from_cache = from_cache;
  if (e->fields && ei->n_fields) {
    item->fields = calloc(ei->n_fields, sizeof *item->fields);
    if (!item->fields) {
      en->nomem = 1;
    } else {
      item->n_fields = ei->n_fields;
      for (size_t f = 0; f < ei->n_fields; f++) {
        hk_value v = e->fields[f];
        if (v.is_set && ei->vt->fields[f].type == HK_COL_UTF8 && v.str) {
          char *copy = malloc(v.str_len + 1);
          if (!copy) {
            en->nomem = 1;
            v.is_set = 0;
            v.str = NULL;
          } else {
            memcpy(copy, v.str, v.str_len);
            copy[v.str_len] = '\0';
            v.str = copy;
          }
        } else {
          v.str = NULL;
          v.str_len = 0;
        }
        item->fields[f] = v;
      }
    }
  }
  progress(en);
}

static void
init_out(hk_enrichment *out, hk_error *e)
{
  memset(out, 0, sizeof *out);
  out->struct_size = sizeof *out;
  out->severity = HK_SEV_UNKNOWN;
  hk_error_clear(e);
}

static hk_ioc
ioc_of(const hk_lookup *item)
{
  hk_ioc ioc = {.struct_size = sizeof ioc,
                .value = item->value,
                .len = item->len,
                .type = item->type};
  return ioc;
}

/* ------------------------------------------------------------ lookup() */

static void
run_sync(engine *en, eng_job *j)
{
  hk_enrichment out;
  hk_error e;
  hk_ioc ioc = ioc_of(j->item);
  init_out(&out, &e);
  int rc = j->ei->vt->lookup(j->ei->state, j->item->options, &ioc, &out, &e);
  if (rc < 0)
    record_fail(en, j->item, rc, e.msg);
  else
    record(en, j, &out, 0);
}

/* One lookup() per call; 1 while there is more to do. */
static int
step_sync(void *ud)
{
  engine *en = ud;
  if (en->next_sync >= en->n_sync || hk_services_canceled())
    return 0;
  run_sync(en, &en->jobs[en->sync[en->next_sync++]]);
  return en->next_sync < en->n_sync;
}

/* ------------------------------------------------------- async lookups */

#ifdef HK_WITH_HTTP

/* Secrets shorter than this are not taken out of cache keys: replacing a
 * two-letter "secret" everywhere would make different requests one key. */
#define HK_KEY_SECRET_MIN 6

/* Replace every `secret` in the NUL-terminated buffer by "***". */
static int
key_redact(hk_buf *b, const char *secret)
{
  size_t sl = strlen(secret);
  if (sl < HK_KEY_SECRET_MIN || !b->data || !strstr(b->data, secret))
    return HK_OK;
  hk_buf out = HK_BUF_INIT;
  const char *p = b->data, *hit;
  while ((hit = strstr(p, secret)) != NULL) {
    hk_buf_append(&out, p, (size_t)(hit - p));
    hk_buf_append_str(&out, "***");
    p = hit + sl;
  }
  hk_buf_append_str(&out, p);
  if (!out.data) {
    hk_buf_free(&out);
    return HK_E_NOMEM;
  }
  hk_buf_free(b);
  *b = out;
  return HK_OK;
}

static int
build_key(eng_job *j, const hk_http_request *req)
{
  const hk_lookup *item = j->item;
  const char *method = req->method && *req->method ? req->method : "GET";
  if (req->body && memchr(req->body, '\0', req->body_len))
    return 0; /* binary bodies are not cached */
  hk_buf b = HK_BUF_INIT;
  hk_buf_append_char(&b, HK_LOOKUP_KEY_TAG);
  hk_buf_append_str(&b, item->type);
  hk_buf_append_char(&b, '\x1f');
  hk_buf_append(&b, item->value, item->len);
  hk_buf_append_char(&b, '\x1f');
  hk_buf_append_str(&b, method);
  hk_buf_append_char(&b, '\x1f');
  hk_buf_append_str(&b, req->url);
  hk_buf_append_char(&b, '\x1f');
  if (req->body)
    hk_buf_append(&b, req->body, req->body_len);
  if (hk_buf_append_char(&b, '\0') != HK_OK || !b.data) {
    hk_buf_free(&b);
    return -1;
  }
  int rc = HK_OK;
  for (size_t i = 0; i < j->ei->n_secrets && rc == HK_OK; i++)
    rc = key_redact(&b, j->ei->secrets[i]);
  for (const char *const *h = req->headers; h && *h && rc == HK_OK; h++) {
    const char *v = hk_svc_header_secret(*h);
    if (v)
      rc = key_redact(&b, v);
  }
  if (rc != HK_OK) {
    hk_buf_free(&b);
    return -1;
  }
  j->key_len = strlen(b.data);
  j->key = hk_buf_detach(&b, NULL);
  return j->key ? 1 : -1;
}

static void
cache_flush(eng_inst *ei)
{
  if (ei->write_open) {
    hk_cache_commit(ei->svc);
    ei->write_open = 0;
    ei->writes = 0;
  }
}

static void
cache_store(eng_inst *ei, eng_job *j, const hk_http_reply *r)
{
  if (!ei->cache_write || !j->cacheable || r->status == 429 || r->status >= 500)
    return;
  int64_t now = hk_svc_mono_us();
  if (!ei->write_open) {
    if (hk_cache_begin(ei->svc, 1) != HK_OK) {
      ei->cache_write = 0;
      return;
    }
    ei->write_open = 1;
    ei->write_since_us = now;
  }
  if (hk_cache_store(ei->svc, j->key, j->key_len, r->status, r->content_type,
                     r->body, r->body_len, ei->ttl_s) != HK_OK)
    ei->cache_write = 0;
  if (++ei->writes >= HK_WRITE_GROUP ||
      now - ei->write_since_us >= HK_WRITE_HOLD_US)
    cache_flush(ei);
}

static void
on_reply(void *ud, hk_http_reply *r)
{
  eng_job *j = ud;
  engine *en = j->en;
  if (r->rc == HK_E_CANCELED)
    return; /* not done: Ctrl-C keeps only what finished */
  if (r->rc != HK_OK) {
    record_fail(en, j->item, r->rc, r->err);
    return;
  }
  eng_inst *ei = j->ei;
  hk_http_response resp = {.struct_size = sizeof resp,
                           .status = (int32_t)r->status,
                           .from_cache = 0,
                           .attempts = r->attempts,
                           .body = r->body,
                           .body_len = r->body_len,
                           .content_type = r->content_type,
                           .elapsed_us = r->elapsed_us};
  hk_enrichment out;
  hk_error e;
  hk_ioc ioc = ioc_of(j->item);
  init_out(&out, &e);
  int rc = ei->vt->parse(ei->state, j->item->options, &ioc, &resp, &out, &e);
  if (rc < 0) {
    record_fail(en, j->item, rc, e.msg);
    return;
  }
  record(en, j, &out, 0);
  cache_store(ei, j, r);
}

/* Parse a stored reply; HK_OK when it gave a record. */
static int
try_cached(engine *en, eng_job *j)
{
  eng_inst *ei = j->ei;
  long status;
  const char *ctype, *body;
  size_t len;
  char ctbuf[256];
  pthread_mutex_lock(&ei->svc->cache_lock);
  int rc = hk_cache_lookup(ei->svc, j->key, j->key_len, &status, &ctype, &body,
                           &len);
  if (rc == HK_OK) {
    /* parse may use the cache itself, which ends the borrowed row */
    if (len + 1 > en->scratch_cap) {
      char *nb = realloc(en->scratch, len + 1);
      if (!nb)
        rc = HK_E_NOMEM;
      else {
        en->scratch = nb;
        en->scratch_cap = len + 1;
      }
    }
    if (rc == HK_OK) {
      memcpy(en->scratch, body, len);
      en->scratch[len] = '\0';
      snprintf(ctbuf, sizeof ctbuf, "%s", ctype ? ctype : "");
    }
  } else if (rc == HK_E_IO) {
    ei->cache_read = 0;
  }
  pthread_mutex_unlock(&ei->svc->cache_lock);
  if (rc != HK_OK)
    return rc;
  hk_http_response resp = {.struct_size = sizeof resp,
                           .status = (int32_t)status,
                           .from_cache = 1,
                           .attempts = 0,
                           .body = en->scratch,
                           .body_len = len,
                           .content_type = ctbuf[0] ? ctbuf : NULL,
                           .elapsed_us = 0};
  hk_enrichment out;
  hk_error e;
  hk_ioc ioc = ioc_of(j->item);
  init_out(&out, &e);
  if (ei->vt->parse(ei->state, j->item->options, &ioc, &resp, &out, &e) < 0)
    return HK_E_INVAL; /* e.g. a reply stored by an older plugin: ask again */
  record(en, j, &out, 1);
  return HK_OK;
}

/* prepare, the cache, else queue the request. */
static void
start_async(engine *en, hk_http_pool *pool, eng_job *j)
{
  eng_inst *ei = j->ei;
  hk_ioc ioc = ioc_of(j->item);
  for (int round = 0; round < 2; round++) {
    hk_http_request req;
    hk_enrichment out;
    hk_error e;
    memset(&req, 0, sizeof req);
    req.struct_size = sizeof req;
    init_out(&out, &e);
    int rc = ei->vt->prepare(ei->state, j->item->options, &ioc, &req, &out, &e);
    if (rc < 0) {
      record_fail(en, j->item, rc, e.msg);
      return;
    }
    if (!req.url) {
      record(en, j, &out, 0);
      return;
    }
    if (round == 0) {
      int k = build_key(j, &req);
      if (k < 0) {
        record_fail(en, j->item, HK_E_NOMEM, "out of memory");
        return;
      }
      j->cacheable = k > 0;
      if (j->cacheable && ei->cache_read) {
        if (try_cached(en, j) == HK_OK)
          return;
        continue; /* prepare again: parse ended req's strings */
      }
    }
    if (hk_http_pool_add(pool, ei->svc, &req, on_reply, j, &e) != HK_OK)
      record_fail(en, j->item, e.code, e.msg);
    return;
  }
}

#endif /* HK_WITH_HTTP */

/* ------------------------------------------------------------------ run */

static eng_inst *
inst_of(engine *en, hk_instance *inst)
{
  for (size_t i = 0; i < en->n_insts; i++)
    if (en->insts[i].inst == inst)
      return &en->insts[i];
  eng_inst *ei = &en->insts[en->n_insts++];
  memset(ei, 0, sizeof *ei);
  ei->inst = inst;
  const hk_plugin *p = hk_instance_plugin(inst);
  if (!p || p->desc->kind != HK_KIND_ENRICHER)
    return ei; /* desc NULL: every job fails */
  ei->desc = p->desc;
  ei->vt = p->desc->vtable;
  ei->state = hk_instance_state(inst);
  for (const hk_field_desc *f = ei->vt->fields; f && f->name; f++)
    ei->n_fields++;
#ifdef HK_WITH_HTTP
  if (HK_HAS(ei->vt, prepare) && HK_HAS(ei->vt, parse) &&
      (ei->svc = hk_svc_of(inst)) != NULL) {
    ei->async = 1;
    pthread_mutex_lock(&ei->svc->lock);
    ei->ttl_s = ei->svc->conf.cache_ttl_s;
    pthread_mutex_unlock(&ei->svc->lock);
#ifdef HK_WITH_CACHE
    int mode = hk_svc_cache_mode();
    ei->cache_read = ei->ttl_s > 0 && mode == HK_CACHE_USE;
    ei->cache_write = ei->ttl_s > 0 && mode != HK_CACHE_OFF;
#endif
    const hk_config *cfg = hk_instance_config(inst);
    const hk_param *schema = cfg ? hk_config_schema(cfg) : NULL;
    for (const hk_param *pa = schema; pa && pa->name; pa++) {
      const char *v = (pa->flags & HK_P_SECRET)
                          ? hk_config_get_string(cfg, pa->name)
                          : NULL;
      char **ns =
          v ? realloc(ei->secrets, (ei->n_secrets + 1) * sizeof *ns) : NULL;
      if (ns) {
        ei->secrets = ns;
        if ((ns[ei->n_secrets] = strdup(v)) != NULL)
          ei->n_secrets++;
      }
    }
  }
#endif
  return ei;
}

int
hk_lookup_run(hk_lookup *items, size_t n, const hk_lookup_opts *opts,
              hk_error *err)
{
  engine en;
  memset(&en, 0, sizeof en);
  en.opts = opts;
  en.total = n;
  if (n == 0)
    return HK_OK;
  en.insts = calloc(n, sizeof *en.insts);
  en.jobs = calloc(n, sizeof *en.jobs);
  en.sync = calloc(n, sizeof *en.sync);
  if (!en.insts || !en.jobs || !en.sync) {
    free(en.insts);
    free(en.jobs);
    free(en.sync);
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  }
  size_t n_async = 0;
  for (size_t i = 0; i < n; i++) {
    hk_lookup *item = &items[i];
    eng_job *j = &en.jobs[i];
    hk_lookup_clear(item);
    j->en = &en;
    j->item = item;
    j->ei = inst_of(&en, item->inst);
    if (!j->ei->desc) {
      record_fail(&en, item, HK_E_INVAL, "not an enricher instance");
    } else if (!item->type || !hk_enricher_accepts(j->ei->desc, item->type)) {
      hk_lookup_clear(item);
      item->done = 1;
      item->status = HK_LK_NOT_SUPPORTED;
      item->severity = HK_SEV_UNKNOWN;
      char msg[128];
      snprintf(msg, sizeof msg, "type %s not supported",
               item->type ? item->type : "unknown");
      item->summary = dup_or_null(&en, msg);
      progress(&en);
    } else if (j->ei->async) {
      n_async++;
    } else {
      en.sync[en.n_sync++] = i;
    }
  }

#ifdef HK_WITH_HTTP
  hk_http_pool *pool = NULL;
  if (n_async) {
    hk_error perr;
    hk_error_clear(&perr);
    pool = hk_http_pool_new(&perr);
    /* One read transaction per instance over the batch's cache probes. */
    for (size_t k = 0; k < en.n_insts; k++) {
      eng_inst *ei = &en.insts[k];
      if (ei->cache_read && hk_cache_begin(ei->svc, 0) == HK_OK)
        ei->read_open = 1;
      else
        ei->cache_read = 0;
    }
    for (size_t i = 0; i < n && !hk_services_canceled(); i++) {
      eng_job *j = &en.jobs[i];
      if (j->item->done || !j->ei->async)
        continue;
      if (!pool)
        record_fail(&en, j->item, perr.code, perr.msg);
      else
        start_async(&en, pool, j);
    }
    for (size_t k = 0; k < en.n_insts; k++)
      if (en.insts[k].read_open) {
        hk_cache_commit(en.insts[k].svc);
        en.insts[k].read_open = 0;
      }
  }
  if (pool) {
    hk_http_pool_run(pool, step_sync, &en);
    hk_http_pool_free(pool);
    for (size_t k = 0; k < en.n_insts; k++)
      cache_flush(&en.insts[k]);
  } else {
    while (step_sync(&en))
      ;
  }
#else
  (void)n_async;
  while (step_sync(&en))
    ;
#endif

  for (size_t i = 0; i < n; i++)
    free(en.jobs[i].key);
  for (size_t k = 0; k < en.n_insts; k++) {
    for (size_t i = 0; i < en.insts[k].n_secrets; i++)
      free(en.insts[k].secrets[i]);
    free(en.insts[k].secrets);
  }
  free(en.jobs);
  free(en.insts);
  free(en.sync);
  free(en.scratch);
  if (en.nomem)
    return hk_error_set(err, HK_E_NOMEM,
                        "out of memory keeping the lookups' answers");
  if (hk_services_canceled())
    return hk_error_set(err, HK_E_CANCELED, "canceled");
  return HK_OK;
}
