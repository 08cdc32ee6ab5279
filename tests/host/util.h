/*
 * tests/host/util.h -- helpers shared by the host tests: private temporary
 * directories, files, and capturing what the host prints on stderr.
 * Header-only; include after tests/tap.h.
 */
#ifndef HK_TESTS_HOST_UTIL_H
#define HK_TESTS_HOST_UTIL_H

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A new private directory (mode 0755) under $TMPDIR or /tmp; static
 * buffer per call site is the caller's job (strdup the result). */
static __attribute__((unused)) char *
tmpdir_new(void)
{
  const char *base = getenv("TMPDIR");
  char tmpl[4096];
  snprintf(tmpl, sizeof tmpl, "%s/hk-host-test.XXXXXX",
           base && base[0] ? base : "/tmp");
  char *d = mkdtemp(tmpl);
  if (d == NULL) {
    perror("mkdtemp");
    exit(99);
  }
  chmod(d, 0755);
  return strdup(d);
}

static __attribute__((unused)) void
rm_rf(const char *path)
{
  struct stat st;
  if (lstat(path, &st) != 0)
    return;
  if (S_ISDIR(st.st_mode)) {
    chmod(path, 0700);
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d)) != NULL) {
      if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
        continue;
      char sub[4096];
      snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
      rm_rf(sub);
    }
    if (d)
      closedir(d);
    rmdir(path);
  } else {
    unlink(path);
  }
}

/* "dir/name" in a static rotating buffer (enough for a few at once). */
static __attribute__((unused)) const char *
pathf(const char *fmt, ...)
{
  static char bufs[8][4096];
  static int next;
  char *b = bufs[next++ % 8];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(b, sizeof bufs[0], fmt, ap);
  va_end(ap);
  return b;
}

static __attribute__((unused)) void
write_file(const char *path, const char *text)
{
  FILE *f = fopen(path, "w");
  if (f == NULL) {
    perror(path);
    exit(99);
  }
  fputs(text, f);
  fclose(f);
}

static __attribute__((unused)) int
copy_file(const char *from, const char *to, mode_t mode)
{
  int in = open(from, O_RDONLY), out;
  if (in < 0)
    return -1;
  out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (out < 0) {
    close(in);
    return -1;
  }
  char buf[65536];
  ssize_t n;
  while ((n = read(in, buf, sizeof buf)) > 0)
    if (write(out, buf, (size_t)n) != n)
      break;
  close(in);
  close(out);
  return chmod(to, mode);
}

/* ---- stderr capture: everything the host prints between start and stop */

static int capture_saved_fd = -1;
static char capture_path[4096];

static __attribute__((unused)) void
capture_start(void)
{
  const char *base = getenv("TMPDIR");
  snprintf(capture_path, sizeof capture_path, "%s/hk-stderr.XXXXXX",
           base && base[0] ? base : "/tmp");
  int fd = mkstemp(capture_path);
  if (fd < 0) {
    perror("mkstemp");
    exit(99);
  }
  fflush(stderr);
  capture_saved_fd = dup(2);
  dup2(fd, 2);
  close(fd);
}

/* Returns what was printed (malloc'd; the caller frees). */
static __attribute__((unused)) char *
capture_stop(void)
{
  fflush(stderr);
  dup2(capture_saved_fd, 2);
  close(capture_saved_fd);
  capture_saved_fd = -1;
  FILE *f = fopen(capture_path, "r");
  char *text = calloc(1, 1 << 20);
  if (f && text) {
    size_t n = fread(text, 1, (1 << 20) - 1, f);
    text[n] = '\0';
  }
  if (f)
    fclose(f);
  unlink(capture_path);
  return text;
}

static __attribute__((unused)) int
count_lines(const char *s)
{
  int n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

#endif /* HK_TESTS_HOST_UTIL_H */
