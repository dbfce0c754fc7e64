// Threads inside the enclave: 8 threads each compute, write and read back their own file
// through the proxy, add to a mutex-protected counter and meet the main thread through a
// condition variable; the main thread joins them all. The output is deterministic, so the
// run inside Cocoon must match the native one byte for byte.
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

enum { kThreads = 8, kLines = 200 };

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static long g_counter;
static int g_arrived;      // threads that reached the handshake
static int g_go;           // set by the main thread once all have arrived
static pid_t g_tids[kThreads];

struct Result {
  int index;
  uint64_t checksum;
  long bytes;
  int ok;
};

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdull;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ull;
  return x ^ (x >> 33);
}

static void* worker(void* arg) {
  struct Result* r = arg;
  g_tids[r->index] = (pid_t)syscall(SYS_gettid);
  // Computation.
  uint64_t h = (uint64_t)r->index + 1;
  for (int i = 0; i < 200000; ++i) h = mix(h + (uint64_t)i);
  // File I/O through the proxy: write a file of our own, read it back.
  char path[64];
  snprintf(path, sizeof path, "cocoon-thread-%d.tmp", r->index);
  FILE* f = fopen(path, "w");
  if (!f) return NULL;
  for (int i = 0; i < kLines; ++i) fprintf(f, "thread %d line %d value %llu\n", r->index, i, (unsigned long long)mix(h + i) % 1000);
  fclose(f);
  f = fopen(path, "r");
  if (!f) return NULL;
  char line[128];
  long bytes = 0;
  int lines = 0, ok = 1;
  while (fgets(line, sizeof line, f)) {
    char want[128];
    snprintf(want, sizeof want, "thread %d line %d value %llu\n", r->index, lines, (unsigned long long)mix(h + lines) % 1000);
    if (strcmp(line, want) != 0) ok = 0;
    bytes += (long)strlen(line);
    ++lines;
  }
  fclose(f);
  unlink(path);
  r->ok = ok && lines == kLines;
  r->bytes = bytes;
  r->checksum = h;
  // The shared counter.
  for (int i = 0; i < 1000; ++i) {
    pthread_mutex_lock(&g_lock);
    ++g_counter;
    pthread_mutex_unlock(&g_lock);
  }
  sched_yield();
  // Handshake: tell the main thread we arrived, wait until it says go.
  pthread_mutex_lock(&g_lock);
  ++g_arrived;
  pthread_cond_broadcast(&g_cond);
  while (!g_go) pthread_cond_wait(&g_cond, &g_lock);
  pthread_mutex_unlock(&g_lock);
  return r;
}

int main(void) {
  pthread_t threads[kThreads];
  struct Result results[kThreads];
  for (int i = 0; i < kThreads; ++i) {
    results[i] = (struct Result){i, 0, 0, 0};
    int e = pthread_create(&threads[i], NULL, worker, &results[i]);
    if (e) {
      printf("pthread_create %d: %s\n", i, strerror(e));
      return 1;
    }
  }
  pthread_mutex_lock(&g_lock);
  while (g_arrived < kThreads) pthread_cond_wait(&g_cond, &g_lock);
  printf("all %d threads arrived, counter %ld\n", g_arrived, g_counter);
  // The threads wait for us: they are alive (tgkill with signal 0), have an affinity
  // (sched_getaffinity of another thread's tid), and a timed wait nobody signals times out.
  int alive = 0, affinity = 0;
  for (int i = 0; i < kThreads; ++i) {
    alive += pthread_kill(threads[i], 0) == 0;
    cpu_set_t set;
    affinity += pthread_getaffinity_np(threads[i], sizeof set, &set) == 0 && CPU_COUNT(&set) > 0;
  }
  printf("alive %d, with an affinity %d\n", alive, affinity);
  struct timespec deadline;
  clock_gettime(CLOCK_REALTIME, &deadline);
  deadline.tv_nsec += 20 * 1000 * 1000;
  if (deadline.tv_nsec >= 1000000000) deadline.tv_sec += 1, deadline.tv_nsec -= 1000000000;
  pthread_cond_t nobody = PTHREAD_COND_INITIALIZER;
  int timed = pthread_cond_timedwait(&nobody, &g_lock, &deadline);
  printf("timed wait: %s\n", timed == ETIMEDOUT ? "timed out" : strerror(timed));
  g_go = 1;
  pthread_cond_broadcast(&g_cond);
  pthread_mutex_unlock(&g_lock);
  for (int i = 0; i < kThreads; ++i) {
    void* ret = NULL;
    int e = pthread_join(threads[i], &ret);
    if (e || ret != &results[i]) {
      printf("pthread_join %d: %s\n", i, e ? strerror(e) : "wrong result");
      return 1;
    }
  }
  pid_t main_tid = (pid_t)syscall(SYS_gettid);
  int distinct = 1;
  for (int i = 0; i < kThreads; ++i) {
    if (g_tids[i] == main_tid || g_tids[i] <= 0) distinct = 0;
    for (int j = 0; j < i; ++j)
      if (g_tids[i] == g_tids[j]) distinct = 0;
  }
  for (int i = 0; i < kThreads; ++i)
    printf("thread %d: checksum %016llx, file %ld bytes, %s\n", i, (unsigned long long)results[i].checksum,
           results[i].bytes, results[i].ok ? "read back ok" : "READ BACK WRONG");
  printf("counter %ld, tids %s\n", g_counter, distinct ? "distinct" : "NOT DISTINCT");
  return 0;
}
