// One thread unmaps and maps again a page while another passes it to syscalls that copy
// into it (read, clock_gettime through the syscall) and out of it (write, a path for open).
// Each call either works or fails with EFAULT (or, for read, a short count; for open, ENOENT
// for the empty path on the fresh zero page), as on Linux — never anything else, and the
// process never dies.
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { kRounds = 20000 };
static char* g_page;
static volatile int g_stop;

static void* flipper(void* arg) {
  (void)arg;
  while (!g_stop) {
    munmap(g_page, 4096);
    if (mmap(g_page, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != g_page) {
      printf("mmap MAP_FIXED failed\n");
      return NULL;
    }
  }
  return NULL;
}

int main(void) {
  g_page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  int zero = open("/dev/zero", O_RDONLY), null = open("/dev/null", O_WRONLY);
  if (g_page == MAP_FAILED || zero < 0 || null < 0) return 1;
  pthread_t t;
  pthread_create(&t, NULL, flipper, NULL);
  int other = 0;
  for (int i = 0; i < kRounds; ++i) {
    long r = read(zero, g_page, 4096);  // Linux may also stop short at the unmapped page
    if (!(r > 0 && r <= 4096) && !(r == -1 && errno == EFAULT)) ++other;
    r = write(null, g_page, 4096);
    if (r != 4096 && !(r == -1 && errno == EFAULT)) ++other;
    r = syscall(SYS_clock_gettime, CLOCK_REALTIME, g_page);  // not the vDSO: it would fault
    if (r != 0 && !(r == -1 && errno == EFAULT)) ++other;
    r = open(g_page, O_RDONLY);  // a path on the page: "" (ENOENT) or EFAULT
    if (r >= 0) close((int)r);
    if (!(r == -1 && (errno == ENOENT || errno == EFAULT))) ++other;
  }
  g_stop = 1;
  pthread_join(t, NULL);
  printf("%d rounds, unexpected results: %d\n", kRounds, other);
  return 0;
}
