/*
 * tests/tap.h -- a tiny TAP producer for C tests (automake's TAP driver
 * reads it).  Header-only: each test program includes it once.
 *
 *   plan_lazy();                       // or plan(N)
 *   ok(x == 1, "x is one");
 *   is_int(got, 42, "answer");
 *   is_str(got, "abc", "name");
 *   like(msg, "no column", "message names the problem");
 *   return done_testing();
 */
#ifndef HK_TESTS_TAP_H
#define HK_TESTS_TAP_H

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TAP_UNUSED_ __attribute__((unused))

static int tap_n_ = 0, tap_failed_ = 0, tap_planned_ = 0;

static TAP_UNUSED_ void
plan(int n)
{
  tap_planned_ = n;
  printf("1..%d\n", n);
}

static TAP_UNUSED_ void
plan_lazy(void)
{
  tap_planned_ = -1;
}

static int TAP_UNUSED_ __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
  va_list ap;
  tap_n_++;
  if (!cond)
    tap_failed_++;
  printf("%sok %d - ", cond ? "" : "not ", tap_n_);
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
  fflush(stdout);
  return cond;
}

static void TAP_UNUSED_ __attribute__((format(printf, 1, 2)))
diag(const char *fmt, ...)
{
  va_list ap;
  printf("# ");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  printf("\n");
}

#define is_int(got, want, ...)                                                 \
  do {                                                                         \
    long long g_ = (long long)(got), w_ = (long long)(want);                   \
    if (!ok(g_ == w_, __VA_ARGS__))                                            \
      diag("  got %lld, want %lld", g_, w_);                                   \
  } while (0)

#define is_str(got, want, ...)                                                 \
  do {                                                                         \
    const char *g_ = (got), *w_ = (want);                                      \
    if (!ok(g_ && w_ ? strcmp(g_, w_) == 0 : g_ == w_, __VA_ARGS__))           \
      diag("  got '%s', want '%s'", g_ ? g_ : "(null)", w_ ? w_ : "(null)");   \
  } while (0)

#define like(got, needle, ...)                                                 \
  do {                                                                         \
    const char *g_ = (got), *n_ = (needle);                                    \
    if (!ok(g_ && strstr(g_, n_) != NULL, __VA_ARGS__))                        \
      diag("  '%s' does not contain '%s'", g_ ? g_ : "(null)", n_);           \
  } while (0)

static TAP_UNUSED_ int
done_testing(void)
{
  if (tap_planned_ <= 0)
    printf("1..%d\n", tap_n_);
  return tap_failed_ ? 1 : 0;
}

#endif /* HK_TESTS_TAP_H */
