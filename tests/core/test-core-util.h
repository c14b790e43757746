/* Tiny assertion helpers for the core's C tests. */
#ifndef TEST_CORE_UTIL_H
#define TEST_CORE_UTIL_H

#include <math.h>
#include <stdio.h>

static int test_failures;

#define CHECK(cond, ...)                                                                        \
  do {                                                                                          \
    if (!(cond)) {                                                                              \
      test_failures++;                                                                          \
      fprintf(stderr, "%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                \
      fprintf(stderr, __VA_ARGS__);                                                             \
      fputc('\n', stderr);                                                                      \
    }                                                                                           \
  } while (0)

#define CHECK_NEAR(a, b, tol, what)                                                             \
  CHECK(fabs((double)(a) - (double)(b)) <= (tol), "%s: %g vs %g (tol %g)", what, (double)(a), \
        (double)(b), (double)(tol))

static int test_result(const char *name) {
  if (test_failures) {
    fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
    return 1;
  }
  printf("%s: ok\n", name);
  return 0;
}

#endif
