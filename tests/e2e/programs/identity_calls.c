// Credentials that stay as they are, nice values and memfd_create, compared line by line with
// a native run (Cocoon: fixed credentials accept calls that keep them; priorities are the
// enclave threads' host nice values; memfd_create makes an anonymous file in the proxy).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  uid_t u = getuid();
  gid_t g = getgid();
  CHECK(setuid(u) == 0 && setgid(g) == 0, "setuid/setgid to the current ids");
  CHECK(setreuid(-1, -1) == 0 && setregid(-1, -1) == 0, "setreuid/setregid(-1, -1)");
  CHECK(setresuid(-1, u, -1) == 0 && setresgid(g, -1, g) == 0, "setresuid/setresgid keeping the ids");
  CHECK(getuid() == u && geteuid() == u && getgid() == g, "the ids are unchanged");

  errno = 0;
  int base = getpriority(PRIO_PROCESS, getpid());
  CHECK(errno == 0, "getpriority of the process");
  CHECK(setpriority(PRIO_PROCESS, getpid(), base + 1) == 0 && getpriority(PRIO_PROCESS, getpid()) == base + 1,
        "setpriority: one step nicer");
  CHECK(setpriority(PRIO_PROCESS, 0, base + 2) == 0 && getpriority(PRIO_PROCESS, 0) == base + 2,
        "setpriority of the calling thread");
  errno = 0;
  CHECK(getpriority(PRIO_PROCESS, 0x7ffffff0) == -1 && errno == ESRCH, "getpriority of no such process: ESRCH");

  int fd = memfd_create("cocoon-test", MFD_CLOEXEC);
  CHECK(fd >= 0, "memfd_create");
  char buf[16] = {0};
  CHECK(write(fd, "hello", 5) == 5 && pread(fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0, "memfd: write, read");
  struct stat st;
  CHECK(fstat(fd, &st) == 0 && st.st_size == 5, "memfd: size");
  CHECK((fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0, "memfd: MFD_CLOEXEC");
  char link[64] = {0}, proc[32];
  snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
  CHECK(readlink(proc, link, sizeof link - 1) > 0 && strncmp(link, "/memfd:cocoon-test", 18) == 0, "memfd: its name");
  char* m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  CHECK(m != MAP_FAILED && memcmp(m, "hello", 5) == 0, "memfd: a shared mapping");
  if (m != MAP_FAILED) {
    m[0] = 'J';
    CHECK(munmap(m, 4096) == 0 && pread(fd, buf, 5, 0) == 5 && memcmp(buf, "Jello", 5) == 0, "memfd: written back");
  }
  close(fd);
  return checks_summary();
}
