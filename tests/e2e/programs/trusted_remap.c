// Maps a file (meant to be a trusted file of at least 4 pages whose pages all differ) the way
// ld.so maps a library, and then in the ways where pages already in place must NOT be
// kept: each check compares a mapped page with the file's bytes read with pread. Prints
// "<check> ok" or "<check> FAIL <why>" per check.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PAGE 4096l

static int fd;
static char want[PAGE];

// Whether page `p` (mapped) holds the file's page at file offset `off`.
static int holds(const char* what, const char* p, long off) {
  if (pread(fd, want, PAGE, off) != PAGE) {
    printf("%s FAIL pread\n", what);
    return 0;
  }
  if (memcmp(p, want, PAGE) != 0) {
    printf("%s FAIL bytes differ from the file at offset %ld\n", what, off);
    return 0;
  }
  printf("%s ok\n", what);
  return 1;
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  fd = open(argv[1], O_RDONLY);
  if (fd < 0) {
    perror("open");
    return 1;
  }
  // As ld.so: the whole span read-only, then a part again over it at the same offsets.
  char* span = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
  if (span == MAP_FAILED) return 1;
  holds("span", span + PAGE, PAGE);
  if (mmap(span + PAGE, 2 * PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_FIXED, fd, PAGE) != span + PAGE) return 1;
  holds("same_offsets_again", span + 2 * PAGE, 2 * PAGE);
  // Another offset over the same pages: the other bytes.
  if (mmap(span + 3 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) != span + 3 * PAGE) return 1;
  holds("other_offset", span + 3 * PAGE, 0);
  // Written by the program, then mapped again read-only: the file's bytes, not the writes.
  if (mprotect(span, PAGE, PROT_READ | PROT_WRITE) != 0) return 1;
  memset(span, 'W', PAGE);
  if (mprotect(span, PAGE, PROT_READ) != 0) return 1;
  if (mmap(span, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 0) != span) return 1;
  holds("after_a_write", span, 0);
  // Discarded (MADV_DONTNEED), then mapped again: the file's bytes.
  char* two = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
  if (two == MAP_FAILED) return 1;
  madvise(two, 2 * PAGE, MADV_DONTNEED);
  if (mmap(two, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 2 * PAGE) != two) return 1;
  holds("after_dontneed", two + PAGE, 3 * PAGE);
  // Anonymous memory in between, then the file over it.
  if (mmap(two, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, -1, 0) != two) return 1;
  if (mmap(two, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd, 2 * PAGE) != two) return 1;
  holds("over_anonymous", two, 2 * PAGE);
  // A second open of the same file maps the same bytes.
  int fd2 = open(argv[1], O_RDONLY);
  char* three = mmap(NULL, 2 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
  if (fd2 < 0 || three == MAP_FAILED) return 1;
  if (mmap(three, PAGE, PROT_READ, MAP_PRIVATE | MAP_FIXED, fd2, PAGE) != three) return 1;
  holds("other_fd", three, PAGE);
  return 0;
}
