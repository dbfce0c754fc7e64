// Writable MAP_SHARED file mappings, compared line by line with a native run. In Cocoon the
// enclave holds a copy and writes back what changed at msync, munmap, mremap and exit: each
// of those must leave the file as Linux does, and pages the program did not change must not
// overwrite what others wrote to the file meanwhile.
#define _GNU_SOURCE
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char** environ;
#define PAGE 4096

static const char* path = "shared_mapping.data";

static int fresh(long size, char fill) {
  int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
  char* buf = malloc(size);
  memset(buf, fill, size);
  if (fd < 0 || write(fd, buf, size) != size) fd = -1;
  free(buf);
  return fd;
}

static char at(long off) {
  int fd = open(path, O_RDONLY);
  char c = 0;
  if (fd < 0 || pread(fd, &c, 1, off) != 1) c = '?';
  close(fd);
  return c;
}

static long file_size(void) {
  struct stat st;
  return stat(path, &st) == 0 ? st.st_size : -1;
}

int main(int argc, char** argv) {
  if (argc == 2 && strcmp(argv[1], "write-and-exit") == 0) {  // the child of the exit check
    int fd = open(path, O_RDWR);
    char* m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) return 1;
    m[7] = 'E';
    exit(0);  // neither msync nor munmap
  }
  setvbuf(stdout, NULL, _IOLBF, 0);

  int fd = fresh(3 * PAGE, 'a');
  char* m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(m != MAP_FAILED && m[0] == 'a' && m[3 * PAGE - 1] == 'a', "a shared writable mapping shows the file");
  m[0] = 'B';
  m[2 * PAGE + 100] = 'B';
  CHECK(msync(m, 3 * PAGE, MS_SYNC) == 0 && at(0) == 'B' && at(2 * PAGE + 100) == 'B' && at(1) == 'a',
        "msync: the changed bytes are in the file");
  m[PAGE + 5] = 'C';
  CHECK(munmap(m, 3 * PAGE) == 0 && at(PAGE + 5) == 'C', "munmap: the changed bytes are in the file");
  close(fd);

  // Written by someone else meanwhile: a page the mapping did not change keeps that write.
  fd = fresh(2 * PAGE, 'a');
  m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  int other = open(path, O_RDWR);
  CHECK(pwrite(other, "W", 1, PAGE + 9) == 1, "another fd writes to the second page");
  m[3] = 'D';
  CHECK(munmap(m, 2 * PAGE) == 0 && at(3) == 'D' && at(PAGE + 9) == 'W', "the other write survives the write-back");
  close(other);

  // The fd closed right after mmap.
  m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  m[10] = 'F';
  CHECK(munmap(m, PAGE) == 0 && at(10) == 'F', "the fd closed after mmap: still written back");

  // Past the end of the file: the file keeps its size.
  fd = fresh(5000, 'a');
  m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  m[4000] = 'G';
  m[6000] = 'g';
  CHECK(munmap(m, 2 * PAGE) == 0 && at(4000) == 'G' && file_size() == 5000, "past the end: the file keeps its size");

  // Part of it unmapped: the rest is still followed.
  ftruncate(fd, 3 * PAGE);
  m = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  m[PAGE + 1] = 'H';
  CHECK(munmap(m + PAGE, PAGE) == 0 && at(PAGE + 1) == 'H', "the middle page unmapped: written back");
  m[1] = 'I';
  m[2 * PAGE + 1] = 'J';
  CHECK(msync(m, PAGE, MS_SYNC) == 0 && at(1) == 'I', "the first page: msync still works");
  CHECK(munmap(m + 2 * PAGE, PAGE) == 0 && at(2 * PAGE + 1) == 'J', "the last page: munmap still works");
  munmap(m, PAGE);

  // Grown with mremap after ftruncate (what Python's mmap.resize does).
  m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  ftruncate(fd, 4 * PAGE);
  char* g = mremap(m, PAGE, 4 * PAGE, MREMAP_MAYMOVE);
  CHECK(g != MAP_FAILED && g[3 * PAGE] == 0, "mremap: grown");
  if (g != MAP_FAILED) {
    g[3 * PAGE + 2] = 'K';
    g[2] = 'L';
    CHECK(munmap(g, 4 * PAGE) == 0 && at(3 * PAGE + 2) == 'K' && at(2) == 'L', "mremap: both parts written back");
  }

  // MAP_FIXED over it: written back first.
  m = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  m[20] = 'M';
  CHECK(mmap(m, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == m && at(20) == 'M',
        "MAP_FIXED over it: written back");
  munmap(m, PAGE);
  close(fd);

  // Read-only fd: a writable shared mapping is refused; a read-only one works.
  fd = open(path, O_RDONLY);
  CHECK(mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED, "O_RDONLY: PROT_WRITE refused");
  m = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
  CHECK(m != MAP_FAILED && m[20] == 'M', "O_RDONLY: PROT_READ works");
  close(fd);

  // A process that exits with the mapping still there: written back.
  char* child_argv[] = {argv[0], "write-and-exit", NULL};
  pid_t pid;
  int status = -1;
  int r = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, child_argv, environ);
  if (r == 0) waitpid(pid, &status, 0);
  CHECK(r == 0 && status == 0 && at(7) == 'E', "exit without munmap: written back");
  unlink(path);
  return checks_summary();
}
