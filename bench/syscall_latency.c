// Latency of one syscall, as the program sees it. Runs natively or inside Cocoon.
//   syscall_latency getppid|clock_gettime|pread4k [iterations] [rounds]
// Prints one line: "<name> median_ns=<x> min_ns=<y>" over `rounds` rounds of `iterations`.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp(const void* a, const void* b) {
  double x = *(const double*)a, y = *(const double*)b;
  return x < y ? -1 : x > y;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  const char* what = argv[1];
  long iters = argc > 2 ? atol(argv[2]) : 100000;
  int rounds = argc > 3 ? atoi(argv[3]) : 11;
  char path[] = "/tmp/cocoon-bench-XXXXXX";
  int fd = -1;
  static char buf[4096];
  if (!strcmp(what, "pread4k")) {
    fd = mkstemp(path);
    if (fd < 0 || write(fd, buf, sizeof buf) != sizeof buf) return 3;
    unlink(path);
  }
  double per[64];
  if (rounds > 64) rounds = 64;
  volatile long sink = 0;
  for (int r = 0; r < rounds; ++r) {
    double t0 = now_ns();
    for (long i = 0; i < iters; ++i) {
      if (what[0] == 'g') sink += getppid();
      else if (what[0] == 'c') { struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts); sink += ts.tv_nsec; }
      else sink += pread(fd, buf, sizeof buf, 0);
    }
    per[r] = (now_ns() - t0) / iters;
  }
  qsort(per, rounds, sizeof per[0], cmp);
  printf("%s median_ns=%.1f min_ns=%.1f\n", what, per[rounds / 2], per[0]);
  return sink == 42 ? 1 : 0;
}
