// Maps a whole file (meant to be a trusted file of at least 64 KiB, kept whole in enclave
// memory: its pages then move into the mapping instead of being copied) and reads it with
// pread while the mapping is unchanged, after part of it was written, and after it was
// unmapped. Prints "<step> <checksum of the bytes>" or "<step> error <strerror>" per step;
// natively the same lines give the file's own checksums.
//   trusted_lend FILE [MARKER]: with MARKER, prints "mapped" after mapping and waits for
//   MARKER to exist before reading again (the test changes the file meanwhile).
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t fnv(const unsigned char* p, size_t n) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 16777619u;
  return h;
}

static unsigned char buf[1 << 22];

static void read_back(int fd, const char* step, size_t size) {
  size_t got = 0;
  while (got < size) {
    ssize_t r = pread(fd, buf + got, size - got, (off_t)got);
    if (r < 0) {
      printf("%s error %s\n", step, strerror(errno));
      return;
    }
    if (r == 0) break;
    got += (size_t)r;
  }
  printf("%s %zu %08x\n", step, got, fnv(buf, got));
}

int main(int argc, char** argv) {
  if (argc < 2) return 2;
  int fd = open(argv[1], O_RDONLY);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || st.st_size > (off_t)sizeof buf) return 1;
  size_t size = (size_t)st.st_size;
  unsigned char* map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
  if (map == MAP_FAILED) return 1;
  printf("mapping %zu %08x\n", size, fnv(map, size));
  read_back(fd, "read_while_mapped", size);
  fflush(stdout);
  if (argc > 2) {
    printf("mapped\n");
    fflush(stdout);
    while (access(argv[2], F_OK) != 0) usleep(20000);
    read_back(fd, "read_after_host_change", size);
  }
  // Written by the program: its bytes are no longer the file's.
  if (mprotect(map, 4096, PROT_READ | PROT_WRITE) != 0) return 1;
  memset(map, 'W', 4096);
  read_back(fd, "read_after_write", size);
  munmap(map, size);
  read_back(fd, "read_after_unmap", size);
  return 0;
}
