/*
 * plugins/file/archive.c -- members of zip and tar archives (and single
 * compressed files) read in place with libarchive: a member is a byte
 * source like a file, decompressed as the readers pull it, never written
 * anywhere.
 *
 * Archives are hostile input.  A member that breaks off (truncated or
 * corrupt archive) ends the run with an error naming archive and member
 * after the rows read before it, which are kept and marked partial.  A
 * member that grows past max_member_size, or whose compression ratio
 * passes max_ratio, is taken for a zip bomb and stops the run the same way.
 *
 * Without libarchive (HK_FILE_WITH_ARCHIVE undefined) archives are still
 * recognised, and refused with the package to install.
 */
#include "run.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#ifdef HK_FILE_WITH_ARCHIVE
#include <archive.h>
#include <archive_entry.h>
#endif

/* Members an archive may have before it is refused (each becomes an
 * input of the run). */
#define MEMBERS_MAX 100000
/* The ratio check starts once a member has given this much: small
 * members of repetitive text legitimately compress very well. */
#define RATIO_FROM_BYTES (1 << 20)
/* Names listed in "members skipped" messages. */
#define NAMES_SHOWN 8

/* ------------------------------------------------------- what a path is */

static int
ends_with(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n > k && !strcasecmp(s + n - k, suffix);
}

static const char *const archive_exts[] = {
    ".zip", ".tar",     ".tgz", ".tar.gz", ".taz",  ".tbz",     ".tbz2",
    ".tb2", ".tar.bz2", ".txz", ".tar.xz", ".tzst", ".tar.zst", NULL};
static const char *const compressed_exts[] = {".gz", ".bz2", ".xz", ".zst",
                                              NULL};

/* By the first bytes, for names that say nothing. */
static int
kind_by_magic(const char *path)
{
  unsigned char b[512];
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return HK_FILE_PLAIN; /* opening it later says why */
  ssize_t n = read(fd, b, sizeof b);
  close(fd);
  if (n >= 4 && b[0] == 'P' && b[1] == 'K' &&
      ((b[2] == 3 && b[3] == 4) || (b[2] == 5 && b[3] == 6)))
    return HK_FILE_ARCHIVE;
  if (n >= 262 && !memcmp(b + 257, "ustar", 5))
    return HK_FILE_ARCHIVE;
  if ((n >= 2 && b[0] == 0x1f && b[1] == 0x8b) ||
      (n >= 3 && !memcmp(b, "BZh", 3)) ||
      (n >= 6 && !memcmp(b,
                         "\xfd"
                         "7zXZ\0",
                         6)) ||
      (n >= 4 && !memcmp(b, "\x28\xb5\x2f\xfd", 4)))
    return HK_FILE_COMPRESSED;
  return HK_FILE_PLAIN;
}

int
hk_file_archive_kind(const char *path)
{
  for (size_t i = 0; archive_exts[i]; i++)
    if (ends_with(path, archive_exts[i]))
      return HK_FILE_ARCHIVE;
  for (size_t i = 0; compressed_exts[i]; i++)
    if (ends_with(path, compressed_exts[i]))
      return HK_FILE_COMPRESSED;
  if (hk_file_format_from_extension(path) != HK_FILE_FMT_AUTO)
    return HK_FILE_PLAIN;
  return kind_by_magic(path);
}

#ifndef HK_FILE_WITH_ARCHIVE

int
hk_file_archive_supported(void)
{
  return 0;
}

int
hk_file_archive_open_member(hk_file_run *r, hk_error *err)
{
  return hk_error_set(err, HK_E_NOTSUP,
                      "%s: '%s' is an archive; reading archives needs a "
                      "huntkit built with libarchive",
                      r->who, r->inputs[r->cur].path);
}

int
hk_file_archive_next_member(hk_file_run *r, hk_error *err)
{
  (void)r;
  (void)err;
  return 0;
}

void
hk_file_archive_close(hk_file_run *r)
{
  (void)r;
}

void
hk_file_archive_rewind(hk_file_run *r)
{
  (void)r;
}

#else /* HK_FILE_WITH_ARCHIVE */

struct hk_file_archive {
  struct archive *ar;
  hk_file_run *run;
  int container;     /* HK_FILE_ARCHIVE or HK_FILE_COMPRESSED */
  const char *path;  /* the archive (borrowed from its input) */
  const char *sel;   /* member pattern, or NULL (borrowed) */
  char *name;        /* the current member's name */
  const char *shown; /* ARCHIVE#MEMBER of the current member (its input's) */
  size_t members;    /* regular members seen */
  size_t matched;    /* members read */
  hk_buf skipped;    /* names of members left out, the first few */
  size_t n_skipped;
  int64_t out;       /* bytes of the current member given so far */
  int64_t raw_start; /* archive bytes read when its header was */
  const char *block; /* the part of libarchive's last block not yet given */
  size_t block_left;
  int at_end; /* the member has no more blocks */
};

int
hk_file_archive_supported(void)
{
  return 1;
}

void
hk_file_archive_close(hk_file_run *r)
{
  hk_file_archive *a = r->arc;
  if (!a)
    return;
  if (a->ar)
    archive_read_free(a->ar);
  free(a->name);
  hk_buf_free(&a->skipped);
  free(a);
  r->arc = NULL;
}

/* The failure that ends the run: `err` is filled, the run marked broken
 * so that on_error=skip does not read on past it. */
static int broken(hk_file_run *r, hk_error *err, int code, const char *fmt, ...)
    HK_PRINTF(4, 5);

static int
broken(hk_file_run *r, hk_error *err, int code, const char *fmt, ...)
{
  va_list ap;
  r->broken = 1;
  err->code = code;
  err->flags = 0;
  va_start(ap, fmt);
  vsnprintf(err->msg, sizeof err->msg, fmt, ap);
  va_end(ap);
  return code;
}

static const char *
lib_error(struct archive *ar)
{
  const char *s = archive_error_string(ar);
  return s && *s ? s : "unknown libarchive error";
}

/* A member name fit for messages: no control characters. */
static char *
clean_name(const char *s)
{
  size_t n = strlen(s);
  if (n > 1024)
    n = 1024;
  char *c = malloc(n + 1);
  if (!c)
    return NULL;
  for (size_t i = 0; i < n; i++)
    c[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
  c[n] = '\0';
  return c;
}

static const char *
base_name(const char *s)
{
  const char *slash = strrchr(s, '/');
  return slash ? slash + 1 : s;
}

/* macOS resource forks (__MACOSX/, ._name) ride along in many zips and
 * carry table extensions, but hold no table. */
static int
is_junk(const char *name)
{
  return !strncmp(name, "__MACOSX/", 9) || strstr(name, "/__MACOSX/") ||
         !strncmp(base_name(name), "._", 2);
}

static int
wanted(const hk_file_archive *a, const char *name)
{
  if (a->sel)
    return !strcmp(a->sel, name) || !fnmatch(a->sel, name, 0) ||
           !fnmatch(a->sel, base_name(name), 0);
  return !is_junk(name) &&
         hk_file_format_from_extension(name) != HK_FILE_FMT_AUTO;
}

/* The name of a single compressed file's content: its own name without
 * the compression extension. */
static char *
raw_name(const char *path)
{
  const char *b = base_name(path);
  size_t n = strlen(b);
  for (size_t i = 0; compressed_exts[i]; i++)
    if (ends_with(b, compressed_exts[i])) {
      n -= strlen(compressed_exts[i]);
      break;
    }
  return strndup(b, n);
}

static void
note_skipped(hk_file_archive *a, const char *name)
{
  if (a->n_skipped++ < NAMES_SHOWN)
    hk_buf_appendf(&a->skipped, "%s%s", a->skipped.len ? ", " : "", name);
}

static const char *
skipped_text(hk_file_archive *a)
{
  hk_buf *b = &a->skipped;
  if (a->n_skipped > NAMES_SHOWN)
    hk_buf_appendf(b, " and %zu more", a->n_skipped - NAMES_SHOWN);
  return b->len ? b->data : "none";
}

/* Read headers up to the next member to read: 1 with a->name set, 0 at
 * the end of the archive, or a negative hk_status. */
static int
find_member(hk_file_run *r, hk_file_archive *a, hk_error *err)
{
  for (;;) {
    struct archive_entry *e;
    int rc = archive_read_next_header(a->ar, &e);
    if (rc == ARCHIVE_EOF)
      return 0;
    if (rc < ARCHIVE_WARN) {
      if (a->matched == 0 && a->members == 0)
        return broken(r, err, HK_E_IO, "%s: %s: cannot read it as %s: %s%s",
                      r->who, a->path,
                      a->container == HK_FILE_ARCHIVE ? "a zip or tar archive"
                                                      : "a compressed file",
                      lib_error(a->ar), r->archive_hint ? r->archive_hint : "");
      return broken(r, err, HK_E_IO,
                    "%s: %s: the archive is truncated or corrupt after %zu "
                    "member%s: %s%s",
                    r->who, a->path, a->members, a->members == 1 ? "" : "s",
                    lib_error(a->ar), r->archive_hint ? r->archive_hint : "");
    }
    if (archive_entry_filetype(e) != AE_IFREG)
      continue; /* directories, links, devices */
    if (++a->members > MEMBERS_MAX)
      return broken(r, err, HK_E_LIMIT, "%s: %s: more than %d members; refused",
                    r->who, a->path, MEMBERS_MAX);
    free(a->name);
    int raw = archive_format(a->ar) == ARCHIVE_FORMAT_RAW;
    if (raw && archive_filter_code(a->ar, 0) == ARCHIVE_FILTER_NONE)
      return broken(r, err, HK_E_INVAL,
                    "%s: %s: not compressed with gzip, bzip2, xz or zstd, and "
                    "not a tar archive (rename it, or give format=)",
                    r->who, a->path);
    const char *pathname = archive_entry_pathname(e);
    a->name = raw ? raw_name(a->path) : clean_name(pathname ? pathname : "?");
    if (!a->name)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
    if (!raw && !wanted(a, a->name)) {
      note_skipped(a, a->name);
      continue;
    }
    if (archive_entry_is_data_encrypted(e) > 0)
      return broken(r, err, HK_E_NOTSUP,
                    "%s: %s#%s: the member is encrypted; encrypted members "
                    "are not read (decrypt the archive first)",
                    r->who, a->path, a->name);
    if (archive_entry_size_is_set(e) &&
        archive_entry_size(e) > r->max_member_bytes)
      return broken(r, err, HK_E_LIMIT,
                    "%s: %s#%s: the member says it holds %lld bytes, more than "
                    "max_member_size=%lld (MiB); refused (raise "
                    "max_member_size= if it is genuine)",
                    r->who, a->path, a->name, (long long)archive_entry_size(e),
                    (long long)(r->max_member_bytes >> 20));
    a->matched++;
    return 1;
  }
}

static int
open_archive(hk_file_run *r, hk_file_input *in, hk_error *err)
{
  hk_file_archive *a = calloc(1, sizeof *a);
  if (!a || !(a->ar = archive_read_new())) {
    free(a);
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  }
  r->arc = a;
  a->run = r;
  a->container = in->container;
  a->path = in->archive;
  a->sel = in->member_sel;
  archive_read_support_filter_all(a->ar);
  archive_read_support_format_zip(a->ar);
  archive_read_support_format_tar(a->ar);
  archive_read_support_format_gnutar(a->ar);
  /* raw only for a compressed single file: it accepts anything */
  if (in->container == HK_FILE_COMPRESSED)
    archive_read_support_format_raw(a->ar);
  if (archive_read_open_filename(a->ar, in->archive, 1 << 16) != ARCHIVE_OK)
    return broken(r, err, HK_E_IO, "%s: %s: cannot read it as %s: %s", r->who,
                  in->archive,
                  in->container == HK_FILE_ARCHIVE ? "a zip or tar archive"
                                                   : "a compressed file",
                  lib_error(a->ar));
  return HK_OK;
}

/* Display name: ARCHIVE#MEMBER; a single compressed file is its path. */
static int
name_input(hk_file_run *r, hk_file_input *in, const char *member)
{
  hk_buf b = HK_BUF_INIT;
  if (archive_format(r->arc->ar) == ARCHIVE_FORMAT_RAW)
    hk_buf_append_str(&b, in->archive);
  else
    hk_buf_appendf(&b, "%s#%s", in->archive, member);
  char *m = strdup(member);
  if (!b.data || !m) {
    hk_buf_free(&b);
    free(m);
    return HK_E_NOMEM;
  }
  free(in->path);
  free(in->member);
  in->path = hk_buf_detach(&b, NULL);
  in->member = m;
  in->format = r->format != HK_FILE_FMT_AUTO
                   ? r->format
                   : hk_file_format_from_extension(member);
  return HK_OK;
}

/* Blocks straight from libarchive (archive_read_data would drop the bytes
 * it had decompressed when a later block of the same call fails, and a
 * truncated archive must give everything before the break). */
static int
member_read(void *ctx, char *buf, size_t cap, size_t *got, hk_error *err)
{
  hk_file_archive *a = ctx;
  hk_file_run *r = a->run;
  *got = 0;
  while (!a->block_left && !a->at_end) {
    const void *block;
    size_t size;
    la_int64_t offset;
    int rc = archive_read_data_block(a->ar, &block, &size, &offset);
    if (rc == ARCHIVE_EOF) {
      a->at_end = 1;
      break;
    }
    if (rc < ARCHIVE_WARN)
      return broken(r, err, HK_E_IO,
                    "%s: %s: the archive is truncated or corrupt after %lld "
                    "bytes of the member: %s%s",
                    r->who, a->shown, (long long)a->out, lib_error(a->ar),
                    r->archive_hint ? r->archive_hint : "");
    if (offset != a->out)
      return broken(r, err, HK_E_INVAL,
                    "%s: %s: a sparse member (a hole at byte %lld); not a "
                    "table",
                    r->who, a->shown, (long long)a->out);
    a->block = block;
    a->block_left = size;
    a->out += (int64_t)size;
    if (a->out > r->max_member_bytes)
      return broken(r, err, HK_E_LIMIT,
                    "%s: %s: more than %lld MiB uncompressed "
                    "(max_member_size=%lld); stopped reading: a zip bomb? "
                    "(raise max_member_size= if the member is genuine)",
                    r->who, a->shown, (long long)(r->max_member_bytes >> 20),
                    (long long)(r->max_member_bytes >> 20));
    if (a->out >= RATIO_FROM_BYTES) {
      int64_t raw = archive_filter_bytes(a->ar, -1) - a->raw_start;
      if (raw < 1)
        raw = 1;
      if (a->out / raw > r->max_ratio)
        return broken(r, err, HK_E_LIMIT,
                      "%s: %s: %lld bytes from %lld compressed, a ratio "
                      "above max_ratio=%lld; stopped reading: a zip bomb? "
                      "(raise max_ratio= if the member is genuine)",
                      r->who, a->shown, (long long)a->out, (long long)raw,
                      (long long)r->max_ratio);
    }
  }
  size_t n = a->block_left < cap ? a->block_left : cap;
  if (n) {
    memcpy(buf, a->block, n);
    a->block += n;
    a->block_left -= n;
  }
  *got = n;
  return HK_OK;
}

int
hk_file_archive_open_member(hk_file_run *r, hk_error *err)
{
  hk_file_input *in = &r->inputs[r->cur];
  if (!r->arc) {
    int rc = open_archive(r, in, err);
    if (rc == HK_OK)
      rc = find_member(r, r->arc, err);
    if (rc == 0) {
      if (in->member_sel)
        rc = broken(r, err, HK_E_NOTFOUND,
                    "%s: %s: no member matches '%s' (members: %s)", r->who,
                    in->archive, in->member_sel, skipped_text(r->arc));
      else
        rc = broken(r, err, HK_E_NOTFOUND,
                    "%s: %s: no CSV, TSV, NDJSON or JSON member (members: "
                    "%s); pick one with %s#MEMBER and format=",
                    r->who, in->archive, skipped_text(r->arc), in->archive);
    }
    if (rc < 0)
      return rc;
    if (name_input(r, in, r->arc->name) != HK_OK)
      return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  }
  hk_file_archive *a = r->arc;
  a->shown = in->path;
  a->out = 0;
  a->block = NULL;
  a->block_left = 0;
  a->at_end = 0;
  a->raw_start = archive_filter_bytes(a->ar, -1);
  return hk_file_src_open_reader(&r->src, in->path, member_read, a, err) ==
                 HK_OK
             ? 1
             : err->code;
}

int
hk_file_archive_next_member(hk_file_run *r, hk_error *err)
{
  hk_file_archive *a = r->arc;
  if (!a)
    return 0;
  int rc = find_member(r, a, err);
  if (rc < 0)
    return rc;
  if (rc == 0) {
    if (a->n_skipped && !a->sel && !r->quiet)
      HK_LOG_INFO(r->host, r->inst,
                  "%s: members left out (not CSV, TSV, NDJSON or JSON by "
                  "name): %s; pick one with %s#MEMBER",
                  a->path, skipped_text(a), a->path);
    hk_file_archive_close(r);
    return 0;
  }
  /* the next member is an input of its own, right after this one */
  hk_file_input *in = realloc(r->inputs, (r->n_inputs + 1) * sizeof *in);
  if (!in)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  r->inputs = in;
  size_t at = r->cur + 1;
  memmove(&in[at + 1], &in[at], (r->n_inputs - at) * sizeof *in);
  r->n_inputs++;
  hk_file_input *prev = &in[r->cur], *next = &in[at];
  memset(next, 0, sizeof *next);
  next->container = prev->container;
  next->extra = 1;
  next->archive = strdup(prev->archive);
  if (prev->member_sel)
    next->member_sel = strdup(prev->member_sel);
  if (!next->archive || (prev->member_sel && !next->member_sel) ||
      name_input(r, next, a->name) != HK_OK)
    return hk_error_set(err, HK_E_NOMEM, "%s: out of memory", r->who);
  a->path = next->archive;
  a->sel = next->member_sel;
  r->cur = at;
  return 1;
}

void
hk_file_archive_rewind(hk_file_run *r)
{
  hk_file_archive_close(r);
  r->broken = 0; /* the second pass meets the break again */
  size_t kept = 0;
  for (size_t i = 0; i < r->n_inputs; i++) {
    hk_file_input *in = &r->inputs[i];
    if (in->extra) {
      free(in->path);
      free(in->archive);
      free(in->member_sel);
      free(in->member);
      free(in->map);
      continue;
    }
    if (in->container != HK_FILE_PLAIN && in->member) {
      char *p = strdup(in->archive);
      if (p) { /* else the member's name stays: only messages differ */
        free(in->path);
        in->path = p;
      }
      free(in->member);
      in->member = NULL;
    }
    r->inputs[kept++] = *in;
  }
  r->n_inputs = kept;
}

#endif /* HK_FILE_WITH_ARCHIVE */
