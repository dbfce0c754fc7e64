// Reads a file in the ways a program can: read(), pread(), mmap(). With "wait MARKER OFFSET",
// it opens the file, reads it, then waits for MARKER to exist (so that the test can change
// the file on the host meanwhile) and reads it again at OFFSET. Prints one line per access: "<how> ok <first 16 bytes>" or
// "<how> error <strerror>".
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void report(const char* how, long r, const char* buf) {
  if (r < 0) printf("%s error %s\n", how, strerror(errno));
  else printf("%s ok %.16s\n", how, buf);
}

static void all_ways(int fd, long off) {
  char buf[32] = {0};
  lseek(fd, off, SEEK_SET);
  report("read", read(fd, buf, 16), buf);
  memset(buf, 0, sizeof buf);
  report("pread", pread(fd, buf, 16, off), buf);
  void* p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, off & ~4095l);
  if (p == MAP_FAILED) report("mmap", -1, NULL);
  else report("mmap", 0, (const char*)p + (off & 4095));
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    printf("open error %s\n", strerror(errno));
    return 1;
  }
  all_ways(fd, 0);
  // "wait MARKER OFFSET": then read again at OFFSET once MARKER exists.
  if (argc > 4 && !strcmp(argv[2], "wait")) {
    fflush(stdout);
    for (int i = 0; i < 500 && access(argv[3], F_OK) != 0; ++i) {
      struct timespec ts = {0, 10 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    all_ways(fd, atol(argv[4]));
  }
  return 0;
}
