/*
 * plugins/geoip_maxmind/geoip_download.c -- fetching a MaxMind database
 * with a licence key: the .tar.gz comes through the host's HTTP service
 * into a hidden file next to the database, the one <edition>.mmdb inside
 * is extracted with libarchive into a temporary file, checked by opening
 * it with libmaxminddb, and renamed over the database.  Any failure leaves
 * the old database untouched and no temporary file behind.
 *
 * URLs (MaxMind's "direct download" scheme, base configurable):
 *   with account_id: BASE/geoip/databases/EDITION/download?suffix=tar.gz
 *                    with HTTP Basic auth account_id:license_key (MaxMind
 *                    answers with a redirect to its storage, which the host
 *                    follows)
 *   without:         BASE/app/geoip_download?edition_id=EDITION&
 *                    license_key=KEY&suffix=tar.gz (the legacy form)
 * The key never appears in a message: the host registers header values as
 * secrets and never prints query strings; our own messages name the
 * edition and the host only.
 */
#include "geoip_internal.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <maxminddb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Largest .mmdb accepted from an archive (GeoIP2 Enterprise is ~1 GB). */
#define GEOIP_MMDB_MAX (4LL * 1024 * 1024 * 1024)

/* Wipe and free a buffer that held a secret. */
static void
buf_wipe(hk_buf *b)
{
  if (b->data)
    memset(b->data, 0, b->cap);
  hk_buf_free(b);
}

static int
mkdir_parents(const char *path)
{
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (!slash || slash == dir)
    return 0;
  *slash = '\0';
  for (char *p = dir + 1; *p; p++)
    if (*p == '/') {
      *p = '\0';
      if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return -1;
      *p = '/';
    }
  if (mkdir(dir, 0755) != 0 && errno != EEXIST)
    return -1;
  return 0;
}

static const char *
base_name(const char *path)
{
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

/* Copy the entry libarchive is positioned on into `fd`. */
static int
copy_entry(struct archive *a, int fd, const char *what, hk_error *err)
{
  const void *block;
  size_t size;
  la_int64_t offset, total = 0;
  for (;;) {
    int r = archive_read_data_block(a, &block, &size, &offset);
    if (r == ARCHIVE_EOF)
      return HK_OK;
    if (r < ARCHIVE_WARN)
      return hk_error_set(err, HK_E_INVAL,
                          "the archive of %s is damaged or truncated: %s", what,
                          archive_error_string(a) ? archive_error_string(a)
                                                  : "read error");
    total += (la_int64_t)size;
    if (total > GEOIP_MMDB_MAX)
      return hk_error_set(err, HK_E_LIMIT,
                          "the database in the archive of %s is larger than "
                          "%lld GiB",
                          what, GEOIP_MMDB_MAX >> 30);
    if (lseek(fd, (off_t)offset, SEEK_SET) < 0)
      return hk_error_set(err, HK_E_IO, "cannot write the database: %s",
                          strerror(errno));
    const char *p = block;
    while (size > 0) {
      ssize_t w = write(fd, p, size);
      if (w < 0) {
        if (errno == EINTR)
          continue;
        return hk_error_set(err, HK_E_IO, "cannot write the database: %s",
                            strerror(errno));
      }
      p += w;
      size -= (size_t)w;
    }
  }
}

/* Extract EDITION.mmdb from `archive_path` into `tmp` (created here). */
static int
extract(const char *archive_path, const char *edition, const char *tmp,
        hk_error *err)
{
  char want[300];
  snprintf(want, sizeof want, "%s.mmdb", edition);
  struct archive *a = archive_read_new();
  if (!a)
    return hk_error_set(err, HK_E_NOMEM, "out of memory");
  archive_read_support_filter_gzip(a);
  archive_read_support_format_tar(a);
  int rc = HK_OK, found = 0;
  if (archive_read_open_filename(a, archive_path, 65536) != ARCHIVE_OK) {
    rc = hk_error_set(err, HK_E_INVAL,
                      "the download of %s is not a usable tar.gz archive "
                      "(damaged or truncated?): %s",
                      edition,
                      archive_error_string(a) ? archive_error_string(a) : "?");
    archive_read_free(a);
    return rc;
  }
  struct archive_entry *e;
  for (;;) {
    int r = archive_read_next_header(a, &e);
    if (r == ARCHIVE_EOF)
      break;
    if (r < ARCHIVE_WARN) {
      rc = hk_error_set(
          err, HK_E_INVAL, "the archive of %s is damaged or truncated: %s",
          edition,
          archive_error_string(a) ? archive_error_string(a) : "read error");
      break;
    }
    /* Only the file's base name is used; the archive's path (which could
     * hold "../") never names anything on disk. */
    const char *name = archive_entry_pathname(e);
    if (archive_entry_filetype(e) != AE_IFREG || !name ||
        strcmp(base_name(name), want) != 0)
      continue;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
      rc = hk_error_set(err, HK_E_IO, "cannot create %s: %s", tmp,
                        strerror(errno));
      break;
    }
    rc = copy_entry(a, fd, edition, err);
    if (rc == HK_OK && fsync(fd) != 0)
      rc = hk_error_set(err, HK_E_IO, "cannot write %s: %s", tmp,
                        strerror(errno));
    if (close(fd) != 0 && rc == HK_OK)
      rc = hk_error_set(err, HK_E_IO, "cannot write %s: %s", tmp,
                        strerror(errno));
    found = rc == HK_OK;
    break;
  }
  archive_read_free(a);
  if (rc == HK_OK && !found)
    rc = hk_error_set(err, HK_E_INVAL,
                      "the archive of %s holds no %s (wrong edition?)", edition,
                      want);
  return rc;
}

static int
http_failure(int status, const char *edition, hk_error *err)
{
  switch (status) {
  case 401:
    return hk_error_set(err, HK_E_AUTH,
                        "MaxMind refused the licence key (HTTP 401) for %s: "
                        "check license_key and account_id",
                        edition);
  case 403:
    return hk_error_set(err, HK_E_AUTH,
                        "MaxMind refused %s (HTTP 403): the account may not "
                        "include this edition",
                        edition);
  case 404:
    return hk_error_set(err, HK_E_CONFIG,
                        "MaxMind has no edition '%s' (HTTP 404): check the "
                        "*_edition settings",
                        edition);
  case 429:
    hk_error_set(err, HK_E_RATELIMIT,
                 "MaxMind's download limit is reached (HTTP 429) for %s; try "
                 "again tomorrow",
                 edition);
    err->flags |= HK_EF_RETRYABLE;
    return err->code;
  default:
    hk_error_set(err, HK_E_NETWORK, "downloading %s failed: HTTP %d", edition,
                 status);
    if (status >= 500)
      err->flags |= HK_EF_RETRYABLE;
    return err->code;
  }
}

int
hk_geoip_download(const hk_host *host, const hk_instance *inst,
                  const hk_geoip_dl *dl, const char *edition, const char *dest,
                  hk_error *err)
{
  if (!HK_HAS(host, http_fetch))
    return hk_error_set(err, HK_E_NOTSUP,
                        "this huntkit has no HTTP service to download %s",
                        edition);
  if (!*edition)
    return hk_error_set(err, HK_E_CONFIG, "no MaxMind edition ID configured");
  for (const char *c = edition; *c; c++)
    if (!((*c >= 'A' && *c <= 'Z') || (*c >= 'a' && *c <= 'z') ||
          (*c >= '0' && *c <= '9') || *c == '-' || *c == '_'))
      return hk_error_set(err, HK_E_CONFIG,
                          "edition '%s' is not a MaxMind edition ID (letters, "
                          "digits, '-')",
                          edition);
  if (mkdir_parents(dest) != 0)
    return hk_error_set(err, HK_E_IO, "cannot create the directory of %s: %s",
                        dest, strerror(errno));

  hk_buf url = HK_BUF_INIT, auth = HK_BUF_INIT, cred = HK_BUF_INIT;
  char archive_path[4200], tmp[4200], dir_tmp[4200];
  const char *base = dl->base_url;
  size_t blen = strlen(base);
  while (blen && base[blen - 1] == '/')
    blen--;
  const char *headers[2] = {NULL, NULL};
  if (dl->account_id && *dl->account_id) {
    hk_buf_appendf(&url, "%.*s/geoip/databases/%s/download?suffix=tar.gz",
                   (int)blen, base, edition);
    hk_buf_appendf(&cred, "%s:%s", dl->account_id, dl->license_key);
    hk_buf_append_str(&auth, "Authorization: Basic ");
    hk_base64_encode(&auth, cred.data, cred.len, 0);
    headers[0] = auth.data;
  } else {
    hk_buf_appendf(&url, "%.*s/app/geoip_download?edition_id=%s&license_key=",
                   (int)blen, base, edition);
    hk_buf_append_url_encoded(&url, dl->license_key, strlen(dl->license_key));
    hk_buf_append_str(&url, "&suffix=tar.gz");
  }
  snprintf(dir_tmp, sizeof dir_tmp, "%s", dest);
  char *slash = strrchr(dir_tmp, '/');
  if (slash)
    slash[1] = '\0';
  else
    dir_tmp[0] = '\0';
  snprintf(archive_path, sizeof archive_path, "%s.%s.%ld.tar.gz", dir_tmp,
           edition, (long)getpid());
  snprintf(tmp, sizeof tmp, "%s.%ld.new", dest, (long)getpid());

  hk_http_request req;
  hk_http_response resp;
  memset(&req, 0, sizeof req);
  memset(&resp, 0, sizeof resp);
  req.struct_size = sizeof req;
  resp.struct_size = sizeof resp;
  req.method = "GET";
  req.url = url.data;
  req.headers = headers[0] ? headers : NULL;
  req.timeout_ms = dl->timeout_ms;
  req.download_path = archive_path;
  hk_error_clear(err);
  int rc = host->http_fetch(inst, &req, &resp, err);
  buf_wipe(&url);
  buf_wipe(&auth);
  buf_wipe(&cred);
  if (rc != HK_OK) {
    if (!err->msg[0])
      hk_error_set(err, rc, "downloading %s failed", edition);
  } else if (resp.status < 200 || resp.status > 299)
    rc = http_failure(resp.status, edition, err);
  else
    rc = extract(archive_path, edition, tmp, err);
  unlink(archive_path);
  if (rc == HK_OK) {
    MMDB_s db;
    int mrc = MMDB_open(tmp, MMDB_MODE_MMAP, &db);
    if (mrc != MMDB_SUCCESS)
      rc = hk_error_set(err, HK_E_INVAL,
                        "the downloaded %s is not a usable MaxMind DB: %s",
                        edition, MMDB_strerror(mrc));
    else
      MMDB_close(&db);
  }
  if (rc == HK_OK && rename(tmp, dest) != 0)
    rc = hk_error_set(err, HK_E_IO, "cannot replace %s: %s", dest,
                      strerror(errno));
  if (rc != HK_OK)
    unlink(tmp);
  return rc;
}
