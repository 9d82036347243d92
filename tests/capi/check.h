/* check.h: the counting CHECK macro the C ABI tests share (no test framework
 * in C99). Each test's main() reports `passed` and `failed` and returns
 * failed != 0. Include once per test executable. */
#ifndef FAIRGATE_TESTS_CAPI_CHECK_H
#define FAIRGATE_TESTS_CAPI_CHECK_H

#include <stdio.h>

static int passed = 0, failed = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    if (cond) {                                                                \
      ++passed;                                                                \
    } else {                                                                   \
      ++failed;                                                                \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

#endif
