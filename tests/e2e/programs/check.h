// The check lines of the e2e test programs that are compared with a native run:
// CHECK(condition, "what holds", ...) prints "ok   what holds" or "FAIL what holds", and
// checks_summary() prints the count of failures and gives main's exit status.
#pragma once

#include <stdio.h>

static int failures;

#define CHECK(cond, ...)           \
  do {                             \
    if (cond) {                    \
      printf("ok   " __VA_ARGS__); \
    } else {                       \
      printf("FAIL " __VA_ARGS__); \
      failures++;                  \
    }                              \
    printf("\n");                  \
  } while (0)

static inline int checks_summary(void) {
  printf("%d failures\n", failures);
  return failures ? 1 : 0;
}
