/* Minimal assertion helpers for the nnrt C tests. */
#ifndef NNRT_TEST_CHECK_H
#define NNRT_TEST_CHECK_H

#include <stdio.h>
#include <string.h>

static int test_failures;

#define CHECK(cond)                                                        \
  do {                                                                     \
    if (!(cond)) {                                                         \
      fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
      test_failures++;                                                     \
    }                                                                      \
  } while (0)

/* Checks that a message contains a fragment, printing both if not. */
#define CHECK_MSG(msg, fragment)                                                              \
  do {                                                                                        \
    if (!strstr((msg), (fragment))) {                                                         \
      fprintf(stderr, "%s:%d: message \"%s\" lacks \"%s\"\n", __FILE__, __LINE__, (msg), (fragment)); \
      test_failures++;                                                                        \
    }                                                                                         \
  } while (0)

#endif /* NNRT_TEST_CHECK_H */
