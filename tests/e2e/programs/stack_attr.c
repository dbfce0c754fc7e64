// The main thread's stack as glibc reports it (pthread_getattr_np reads /proc/self/maps and
// RLIMIT_STACK): a local variable must lie inside [addr, addr + size). Runtimes such as the
// JVM size their stack guards this way.
#define _GNU_SOURCE
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

int main(void) {
  pthread_attr_t attr;
  void* addr = NULL;
  size_t size = 0;
  int local = 0;
  if (pthread_getattr_np(pthread_self(), &attr) != 0 || pthread_attr_getstack(&attr, &addr, &size) != 0) {
    puts("pthread_getattr_np failed");
    return 1;
  }
  uintptr_t lo = (uintptr_t)addr, hi = lo + size, here = (uintptr_t)&local;
  printf("local variable %s the reported stack\n", here >= lo && here < hi ? "inside" : "OUTSIDE");
  printf("stack size at least 1 MiB: %s\n", size >= (1u << 20) ? "yes" : "no");
  return 0;
}
