/*
 * host/cache.c -- the persistent lookup cache: one SQLite database per
 * instance, <cache root>/<plugin>/<instance>.sqlite (mode 0600 in 0700
 * directories), holding
 *   lookups(k, expires, status, ctype, body)  replies and plugin values
 *   quota(day, used)                          requests made per UTC day
 *
 * Why SQLite: lookups are point reads and writes by key with an expiry,
 * from one or several huntkit processes at once (two terminals hunting
 * with one API key share the quota and the answers).  SQLite gives that
 * with crash-safe transactions, file locking between processes, no
 * server, and one file per instance that an operator can inspect or
 * delete.  WAL mode lets readers run while another process writes;
 * synchronous=NORMAL skips the fsync per commit (a crash may lose the
 * last few answers, never corrupt the file).
 *
 * Speed: statements are prepared once per database and reused; the
 * lookup engine wraps a batch of reads (or writes) in one transaction, so
 * a fully cached run costs one B-tree probe per lookup.
 *
 * A cache that cannot be opened (corrupt file, unwritable directory,
 * schema of a newer huntkit) is reported once as a warning and then every
 * call fails with HK_E_IO: lookups go on uncached.
 */
#define _GNU_SOURCE
#include "config.h"

#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HK_CACHE_SCHEMA_VERSION 1

struct hk_cache {
  sqlite3 *db;
  sqlite3_stmt *get, *put, *quota_add, *quota_get, *quota_prune;
  int depth; /* nesting of hk_cache_begin */
  char *path;
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS lookups("
    " k BLOB PRIMARY KEY,"
    " expires INTEGER NOT NULL," /* Unix seconds */
    " status INTEGER,"           /* HTTP status; NULL for plugin values */
    " ctype TEXT,"
    " body BLOB NOT NULL) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS quota("
    " day INTEGER PRIMARY KEY," /* days since the epoch, UTC */
    " used INTEGER NOT NULL);"
    "PRAGMA user_version = 1;";

static void
cache_free(hk_cache *c)
{
  if (!c)
    return;
  sqlite3_finalize(c->get);
  sqlite3_finalize(c->put);
  sqlite3_finalize(c->quota_add);
  sqlite3_finalize(c->quota_get);
  sqlite3_finalize(c->quota_prune);
  sqlite3_close(c->db);
  free(c->path);
  free(c);
}

static int
prepare(hk_cache *c, const char *sql, sqlite3_stmt **st)
{
  return sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
                            NULL);
}

/* Open (creating) the database of `svc`; *why gets the reason on
 * failure. */
static hk_cache *
cache_open(hk_svc *svc, char *why, size_t cap)
{
  const char *root = hk_svc_cache_root();
  hk_cache *c = calloc(1, sizeof *c);
  char *dir = NULL;
  int e, fd, rc;
  if (!c || !root || asprintf(&dir, "%s/%s", root, svc->plugin) < 0 ||
      asprintf(&c->path, "%s/%s.sqlite", dir, svc->instance) < 0) {
    snprintf(why, cap, "out of memory");
    free(dir);
    cache_free(c);
    return NULL;
  }
  if ((e = hk_svc_mkdir_private(dir)) != 0) {
    snprintf(why, cap, "cannot create %s: %s", dir, strerror(e));
    goto fail;
  }
  /* SQLite would create the file 0644: make it private first. */
  fd = open(c->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    snprintf(why, cap, "cannot open %s: %s", c->path, strerror(errno));
    goto fail;
  }
  close(fd);
  rc = sqlite3_open_v2(c->path, &c->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    goto sqlfail;
  sqlite3_busy_timeout(c->db, 5000);
  sqlite3_stmt *v = NULL;
  int version = 0;
  rc = sqlite3_prepare_v2(c->db, "PRAGMA user_version", -1, &v, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(v)) == SQLITE_ROW) {
    version = sqlite3_column_int(v, 0);
    rc = SQLITE_OK;
  }
  sqlite3_finalize(v);
  if (rc != SQLITE_OK)
    goto sqlfail;
  if (version > HK_CACHE_SCHEMA_VERSION) {
    snprintf(why, cap,
             "%s was written by a newer huntkit (schema %d); delete it or "
             "set another cache_dir",
             c->path, version);
    goto fail;
  }
  if ((rc = sqlite3_exec(c->db,
                         "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                         " PRAGMA mmap_size=268435456;",
                         NULL, NULL, NULL)) != SQLITE_OK ||
      (rc = sqlite3_exec(c->db, schema_sql, NULL, NULL, NULL)) != SQLITE_OK)
    goto sqlfail;
  if ((rc = prepare(c,
                    "SELECT expires, status, ctype, body FROM lookups "
                    "WHERE k = ?1",
                    &c->get)) != SQLITE_OK ||
      (rc = prepare(c,
                    "INSERT OR REPLACE INTO lookups(k, expires, status, "
                    "ctype, body) VALUES(?1, ?2, ?3, ?4, ?5)",
                    &c->put)) != SQLITE_OK ||
      (rc = prepare(c,
                    "INSERT INTO quota(day, used) VALUES(?1, ?2) "
                    "ON CONFLICT(day) DO UPDATE SET used = used + ?2",
                    &c->quota_add)) != SQLITE_OK ||
      (rc = prepare(c, "SELECT used FROM quota WHERE day = ?1",
                    &c->quota_get)) != SQLITE_OK ||
      (rc = prepare(c, "DELETE FROM quota WHERE day < ?1", &c->quota_prune)) !=
          SQLITE_OK)
    goto sqlfail;
  /* Expired answers are never read again: drop them once per run. */
  char sql[96];
  snprintf(sql, sizeof sql, "DELETE FROM lookups WHERE expires <= %lld",
           (long long)(hk_svc_now_us() / 1000000));
  sqlite3_exec(c->db, sql, NULL, NULL, NULL);
  free(dir);
  return c;
sqlfail:
  snprintf(why, cap, "%s: %s", c->path,
           c->db ? sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
fail:
  free(dir);
  cache_free(c);
  return NULL;
}

/* The open cache of `svc`, opening it on first use; cache_lock held. */
static hk_cache *
cache_get(hk_svc *svc)
{
  if (svc->cache_state == 1)
    return svc->cache;
  if (svc->cache_state < 0)
    return NULL;
  char why[HK_ERROR_MSG_MAX];
  svc->cache = cache_open(svc, why, sizeof why);
  if (!svc->cache) {
    svc->cache_state = -1;
    hk_log_msg(NULL, HK_LOG_WARN,
               "%s: the lookup cache is unusable (%s); lookups go on "
               "uncached (delete the file to start a new cache)",
               svc->label, why);
    return NULL;
  }
  svc->cache_state = 1;
  return svc->cache;
}

static void
cache_error(hk_svc *svc, const char *what)
{
  hk_log_msg(NULL, HK_LOG_WARN, "%s: lookup cache %s: %s", svc->label, what,
             sqlite3_errmsg(svc->cache->db));
}

int
hk_cache_begin(hk_svc *svc, int write)
{
  int rc = HK_OK;
  pthread_mutex_lock(&svc->cache_lock);
  hk_cache *c = cache_get(svc);
  if (!c) {
    rc = HK_E_IO;
  } else if (c->depth++ == 0 &&
             sqlite3_exec(c->db, write ? "BEGIN IMMEDIATE" : "BEGIN", NULL,
                          NULL, NULL) != SQLITE_OK) {
    cache_error(svc, "cannot begin a transaction");
    c->depth = 0;
    rc = HK_E_IO;
  }
  pthread_mutex_unlock(&svc->cache_lock);
  return rc;
}

int
hk_cache_commit(hk_svc *svc)
{
  int rc = HK_OK;
  pthread_mutex_lock(&svc->cache_lock);
  hk_cache *c = svc->cache_state == 1 ? svc->cache : NULL;
  if (!c || c->depth == 0) {
    rc = HK_E_IO;
  } else if (--c->depth == 0) {
    sqlite3_reset(c->get); /* a pending read would hold the snapshot */
    if (sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
      cache_error(svc, "cannot commit");
      sqlite3_exec(c->db, "ROLLBACK", NULL, NULL, NULL);
      rc = HK_E_IO;
    }
  }
  pthread_mutex_unlock(&svc->cache_lock);
  return rc;
}

int
hk_cache_lookup(hk_svc *svc, const void *key, size_t key_len, long *status,
                const char **content_type, const char **body, size_t *body_len)
{
  int rc = HK_E_NOTFOUND;
  pthread_mutex_lock(&svc->cache_lock);
  hk_cache *c = cache_get(svc);
  if (!c) {
    pthread_mutex_unlock(&svc->cache_lock);
    return HK_E_IO;
  }
  sqlite3_reset(c->get);
  sqlite3_bind_blob(c->get, 1, key, (int)key_len, SQLITE_STATIC);
  int s = sqlite3_step(c->get);
  if (s == SQLITE_ROW) {
    if (sqlite3_column_int64(c->get, 0) > hk_svc_now_us() / 1000000) {
      *status = sqlite3_column_type(c->get, 1) == SQLITE_NULL
                    ? -1
                    : (long)sqlite3_column_int64(c->get, 1);
      *content_type = (const char *)sqlite3_column_text(c->get, 2);
      const void *b = sqlite3_column_blob(c->get, 3);
      *body_len = (size_t)sqlite3_column_bytes(c->get, 3);
      *body = b ? b : "";
      rc = HK_OK;
    }
  } else if (s != SQLITE_DONE) {
    cache_error(svc, "read failed");
    rc = HK_E_IO;
  }
  /* Unbinding keeps the caller's key from being referenced later; the
   * row stays readable until the next reset. */
  sqlite3_clear_bindings(c->get);
  pthread_mutex_unlock(&svc->cache_lock);
  return rc;
}

int
hk_cache_store(hk_svc *svc, const void *key, size_t key_len, long status,
               const char *content_type, const char *body, size_t body_len,
               int64_t ttl_s)
{
  int rc = HK_OK;
  pthread_mutex_lock(&svc->cache_lock);
  hk_cache *c = cache_get(svc);
  if (!c) {
    pthread_mutex_unlock(&svc->cache_lock);
    return HK_E_IO;
  }
  sqlite3_stmt *st = c->put;
  sqlite3_reset(st);
  sqlite3_bind_blob(st, 1, key, (int)key_len, SQLITE_STATIC);
  sqlite3_bind_int64(st, 2, hk_svc_now_us() / 1000000 + ttl_s);
  if (status < 0)
    sqlite3_bind_null(st, 3);
  else
    sqlite3_bind_int64(st, 3, status);
  if (content_type)
    sqlite3_bind_text(st, 4, content_type, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(st, 4);
  sqlite3_bind_blob64(st, 5, body, body_len, SQLITE_STATIC);
  if (sqlite3_step(st) != SQLITE_DONE) {
    cache_error(svc, "write failed");
    rc = HK_E_IO;
  }
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  pthread_mutex_unlock(&svc->cache_lock);
  return rc;
}

int
hk_cache_quota_add(hk_svc *svc, int64_t day, int64_t n, int64_t *used)
{
  int rc = HK_OK;
  pthread_mutex_lock(&svc->cache_lock);
  hk_cache *c = cache_get(svc);
  if (!c) {
    pthread_mutex_unlock(&svc->cache_lock);
    return HK_E_IO;
  }
  int own = c->depth == 0;
  if (own && n > 0 &&
      sqlite3_exec(c->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
    cache_error(svc, "cannot count a request");
    pthread_mutex_unlock(&svc->cache_lock);
    return HK_E_IO;
  }
  if (n > 0) {
    sqlite3_reset(c->quota_add);
    sqlite3_bind_int64(c->quota_add, 1, day);
    sqlite3_bind_int64(c->quota_add, 2, n);
    if (sqlite3_step(c->quota_add) != SQLITE_DONE)
      rc = HK_E_IO;
    sqlite3_reset(c->quota_add);
    sqlite3_reset(c->quota_prune);
    sqlite3_bind_int64(c->quota_prune, 1, day - 31);
    sqlite3_step(c->quota_prune);
    sqlite3_reset(c->quota_prune);
  }
  *used = 0;
  sqlite3_reset(c->quota_get);
  sqlite3_bind_int64(c->quota_get, 1, day);
  int s = sqlite3_step(c->quota_get);
  if (s == SQLITE_ROW)
    *used = sqlite3_column_int64(c->quota_get, 0);
  else if (s != SQLITE_DONE)
    rc = HK_E_IO;
  sqlite3_reset(c->quota_get);
  if (own && n > 0 &&
      sqlite3_exec(c->db, rc == HK_OK ? "COMMIT" : "ROLLBACK", NULL, NULL,
                   NULL) != SQLITE_OK)
    rc = HK_E_IO;
  if (rc != HK_OK)
    cache_error(svc, "cannot count a request");
  pthread_mutex_unlock(&svc->cache_lock);
  return rc;
}

void
hk_cache_close(hk_svc *svc)
{
  pthread_mutex_lock(&svc->cache_lock);
  cache_free(svc->cache);
  svc->cache = NULL;
  svc->cache_state = 0;
  pthread_mutex_unlock(&svc->cache_lock);
}
