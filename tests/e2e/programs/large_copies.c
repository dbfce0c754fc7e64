// Large file copies and the free space next to them. Cocoon populates the copy of a file of
// a MiB or more as whole 2 MiB host pages, populating free space beside it too (shim/memory.cpp,
// prefault): that space must still behave as unmapped memory (a fault on access) and read as
// zero once something is mapped there. Compared with a native run; every line is layout-free.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"

#define PAGE 4096ul
#define HUGE (2ul << 20)

static sigjmp_buf g_jump;
static void on_fault(int sig) {
  siglongjmp(g_jump, sig);
}

// 1 when reading the byte at p faults.
static int read_faults(volatile const char* p) {
  if (sigsetjmp(g_jump, 1) != 0) return 1;
  (void)*p;
  return 0;
}

static unsigned char pattern(size_t i) {
  return (unsigned char)(i * 131 + (i >> 12) * 7 + 1);
}

static int make_file(const char* path, size_t len) {
  FILE* f = fopen(path, "wb");
  if (!f) return 0;
  for (size_t i = 0; i < len; ++i) fputc(pattern(i), f);
  return fclose(f) == 0;
}

static int holds_pattern(const unsigned char* m, size_t len) {
  for (size_t i = 0; i < len; ++i)
    if (m[i] != pattern(i)) return 0;
  return 1;
}

// Every free page of [from, to) faults on access, and reads zero once mapped (then unmapped
// again). Pages some other mapping holds are left alone. Returns the number of wrong pages.
static int probe_free(uintptr_t from, uintptr_t to) {
  int wrong = 0;
  for (uintptr_t p = from; p < to; p += PAGE) {
    int faults = read_faults((const char*)p);  // first: mapping a page changes what it was
    void* m = mmap((void*)p, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (m == MAP_FAILED) continue;  // in use
    if (!faults) ++wrong;           // free, yet readable
    const unsigned char* b = m;
    for (size_t i = 0; i < PAGE; ++i)
      if (b[i]) {
        ++wrong;
        break;
      }
    memset(m, 0x5a, PAGE);  // a later mapping there must still read zero
    munmap(m, PAGE);
  }
  return wrong;
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_fault;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGBUS, &sa, NULL);

  const size_t len = 1792 * 1024 + 1000;  // 1.75 MiB and a bit: not a whole number of pages
  CHECK(make_file("large_copy.bin", len), "a file of %zu bytes written", len);
  FILE* f = fopen("large_copy.bin", "rb");
  int fd = f ? fileno(f) : -1;

  // Wherever the system puts it.
  unsigned char* m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, 0);
  CHECK(m != MAP_FAILED, "mapped anywhere");
  if (m != MAP_FAILED) {
    CHECK(holds_pattern(m, len), "the mapping holds the file's bytes");
    size_t end = (len + PAGE - 1) & ~(PAGE - 1);
    int zero_tail = 1;
    for (size_t i = len; i < end; ++i) zero_tail &= m[i] == 0;
    CHECK(zero_tail, "the last page is zero past the end of the file");
    uintptr_t after = (uintptr_t)m + end;
    CHECK(probe_free(after, (after + HUGE - 1) & ~(HUGE - 1)) == 0,
          "free pages up to the next 2 MiB boundary fault, and read zero once mapped");
    CHECK(probe_free((uintptr_t)m & ~(HUGE - 1), (uintptr_t)m) == 0,
          "free pages from the 2 MiB boundary below fault, and read zero once mapped");
    munmap(m, len);
  }

  // At a hint inside a free 2 MiB region, so that free space lies on both sides of it.
  unsigned char* room = mmap(NULL, 4 * HUGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  CHECK(room != MAP_FAILED, "room reserved");
  if (room != MAP_FAILED) {
    uintptr_t region = ((uintptr_t)room + HUGE - 1) & ~(HUGE - 1);
    munmap(room, 4 * HUGE);
    unsigned char* want = (unsigned char*)(region + 64 * 1024);
    const size_t small = 1792 * 1024;  // fills most of the region, and stays inside it
    m = mmap(want, small, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(m == want, "mapped at the hint");
    if (m == want) {
      CHECK(holds_pattern(m, small), "the mapping at the hint holds the file's bytes");
      CHECK(probe_free(region, (uintptr_t)m) == 0, "the free pages below it fault, and read zero once mapped");
      CHECK(probe_free((uintptr_t)m + small, region + HUGE) == 0,
            "the free pages above it fault, and read zero once mapped");
      // Mapped again over the same place after the copy is gone: nothing stale shows.
      munmap(m, small);
      unsigned char* z = mmap(want, small, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
      int zero = z != MAP_FAILED;
      for (size_t i = 0; zero && i < small; ++i) zero = z[i] == 0;
      CHECK(zero, "anonymous memory mapped over the old copy reads zero");
      if (z != MAP_FAILED) munmap(z, small);
    }
  }
  if (f) fclose(f);
  unlink("large_copy.bin");
  return checks_summary();
}
