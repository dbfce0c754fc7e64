// futex operations between real threads, through raw syscalls (what glibc's mutexes,
// condition variables and semaphores are built on): WAIT/WAKE, WAIT_BITSET/WAKE_BITSET,
// CMP_REQUEUE, timeouts on both clocks, FUTEX_PRIVATE_FLAG. Deterministic output: a wake that
// finds nobody because the waiter is not asleep yet is simply retried.
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static long futex(uint32_t* uaddr, int op, uint32_t val, const void* timeout_or_val2, uint32_t* uaddr2, uint32_t val3) {
  return syscall(SYS_futex, uaddr, op, val, timeout_or_val2, uaddr2, val3);
}
static const char* err(long r) { return r == 0 ? "0" : r > 0 ? "positive" : strerror(errno); }

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

static uint32_t g_word_a, g_word_b, g_word_c, g_word_d;
static int g_ready, g_woken, g_woken_bitset[3];

struct Waiter {
  uint32_t* word;
  int op;
  uint32_t bitset;
  int id;
};

static pthread_mutex_t g_robust;

static void* die_holding(void* arg) {
  (void)arg;
  pthread_mutex_lock(&g_robust);
  return NULL;  // exits holding the robust mutex
}

static int g_holding;

static void* die_holding_later(void* arg) {
  (void)arg;
  pthread_mutex_lock(&g_robust);
  __atomic_store_n(&g_holding, 1, __ATOMIC_SEQ_CST);
  pause_ms(50);  // meanwhile the other thread blocks on the mutex
  return NULL;
}

static void* blocked_locker(void* arg) {
  (void)arg;
  int r = pthread_mutex_lock(&g_robust);
  printf("robust, a waiter: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
  if (r == EOWNERDEAD) pthread_mutex_consistent(&g_robust);
  pthread_mutex_unlock(&g_robust);
  return NULL;
}

static void* waiter(void* arg) {
  struct Waiter* w = arg;
  __atomic_fetch_add(&g_ready, 1, __ATOMIC_SEQ_CST);
  long r;
  do {
    r = futex(w->word, w->op, 0, NULL, NULL, w->bitset);
  } while (r != 0 && errno == EINTR);
  if (r == 0) {
    __atomic_fetch_add(&g_woken, 1, __ATOMIC_SEQ_CST);
    if (w->id < 3) __atomic_store_n(&g_woken_bitset[w->id], 1, __ATOMIC_SEQ_CST);
  }
  return NULL;
}

static void wait_ready(int n) {
  while (__atomic_load_n(&g_ready, __ATOMIC_SEQ_CST) < n) pause_ms(1);
}

// Wakes with op until `want` waiters in all were woken; returns the sum of what the calls
// reported.
static long wake_until(uint32_t* word, int op, int per_call, uint32_t bitset, int want) {
  long total = 0;
  for (int tries = 0; total < want && tries < 5000; ++tries) {
    long r = futex(word, op, (uint32_t)per_call, NULL, NULL, bitset);
    if (r < 0) return r;
    if (r > per_call) return -1000;
    total += r;
    if (total < want) pause_ms(1);
  }
  return total;
}

int main(void) {
  pthread_t t[4];
  // 1. WAIT / WAKE (private), four waiters woken one at a time.
  struct Waiter wa = {&g_word_a, FUTEX_WAIT_PRIVATE, 0, 9};
  for (int i = 0; i < 4; ++i) pthread_create(&t[i], NULL, waiter, &wa);
  wait_ready(4);
  long n = wake_until(&g_word_a, FUTEX_WAKE_PRIVATE, 1, 0, 4);
  for (int i = 0; i < 4; ++i) pthread_join(t[i], NULL);
  printf("wait/wake: woke %ld, waiters saw %d wakes\n", n, g_woken);

  // 2. WAIT_BITSET / WAKE_BITSET: only the waiter whose bits match is woken.
  g_ready = g_woken = 0;
  struct Waiter w1 = {&g_word_b, FUTEX_WAIT_BITSET_PRIVATE, 1u, 1}, w2 = {&g_word_b, FUTEX_WAIT_BITSET_PRIVATE, 2u, 2};
  pthread_create(&t[0], NULL, waiter, &w1);
  pthread_create(&t[1], NULL, waiter, &w2);
  wait_ready(2);
  long b2 = wake_until(&g_word_b, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 2u, 1);
  pthread_join(t[1], NULL);
  int only2 = g_woken_bitset[2] && !g_woken_bitset[1];
  long b1 = wake_until(&g_word_b, FUTEX_WAKE_BITSET_PRIVATE, INT_MAX, 1u, 1);
  pthread_join(t[0], NULL);
  printf("bitset: bits 2 woke %ld (%s), bits 1 woke %ld, both woken %d\n", b2, only2 ? "the right one" : "WRONG ONE", b1,
         g_woken_bitset[1] && g_woken_bitset[2]);

  // 3. CMP_REQUEUE: three waiters moved from C to D, none woken; a stale value gives EAGAIN;
  //    then C has no waiter and D has three.
  g_ready = g_woken = 0;
  struct Waiter wc = {&g_word_c, FUTEX_WAIT_PRIVATE, 0, 9};
  for (int i = 0; i < 3; ++i) pthread_create(&t[i], NULL, waiter, &wc);
  wait_ready(3);
  long moved = 0;
  for (int tries = 0; moved < 3 && tries < 5000; ++tries) {
    long r = futex(&g_word_c, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void*)(uintptr_t)INT_MAX, &g_word_d, 0);
    if (r < 0) break;
    moved += r;
    if (moved < 3) pause_ms(1);
  }
  long stale = futex(&g_word_c, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void*)(uintptr_t)INT_MAX, &g_word_d, 7);
  const char* stale_err = stale == -1 && errno == EAGAIN ? "EAGAIN" : "no EAGAIN";
  long left = futex(&g_word_c, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
  int woken_before = g_woken;
  long on_d = wake_until(&g_word_d, FUTEX_WAKE_PRIVATE, INT_MAX, 0, 3);
  for (int i = 0; i < 3; ++i) pthread_join(t[i], NULL);
  printf("requeue: moved %ld, stale value %s, left on C %ld, woken before %d, woken on D %ld\n", moved, stale_err, left,
         woken_before, on_d);

  // 4. Errors and timeouts.
  uint32_t one = 1, zero = 0;
  printf("value mismatch: %s\n", err(futex(&one, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0)));
  printf("bitset 0: %s\n", err(futex(&zero, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0)));
  printf("nobody to wake: %ld\n", futex(&zero, FUTEX_WAKE, 1, NULL, NULL, 0));
  struct timespec rel = {0, 20 * 1000 * 1000};
  printf("relative 20 ms: %s\n", err(futex(&zero, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0)));
  struct timespec bad = {0, 2000000000};
  printf("bad timeout: %s\n", err(futex(&zero, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0)));
  struct timespec abs_rt;
  clock_gettime(CLOCK_REALTIME, &abs_rt);
  abs_rt.tv_nsec += 20 * 1000 * 1000;
  if (abs_rt.tv_nsec >= 1000000000) abs_rt.tv_sec += 1, abs_rt.tv_nsec -= 1000000000;
  printf("absolute realtime: %s\n",
         err(futex(&zero, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME, 0, &abs_rt, NULL, FUTEX_BITSET_MATCH_ANY)));
  struct timespec past;
  clock_gettime(CLOCK_MONOTONIC, &past);
  past.tv_sec -= 1;
  printf("absolute monotonic in the past: %s\n",
         err(futex(&zero, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY)));
  struct timespec start, end;
  clock_gettime(CLOCK_MONOTONIC, &start);
  futex(&zero, FUTEX_WAIT, 0, &rel, NULL, 0);
  clock_gettime(CLOCK_MONOTONIC, &end);
  long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_nsec - start.tv_nsec) / 1000000;
  printf("a 20 ms wait took at least 20 ms: %s\n", ms >= 19 ? "yes" : "no");

  // 5. Robust mutexes: a thread that exits holding one leaves it EOWNERDEAD for the next
  //    locker, whether that one locks afterwards or is already waiting.
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&g_robust, &attr);
  pthread_create(&t[0], NULL, die_holding, NULL);
  pthread_join(t[0], NULL);
  int r = pthread_mutex_lock(&g_robust);
  printf("robust, after the owner died: %s\n", r == EOWNERDEAD ? "EOWNERDEAD" : strerror(r));
  if (r == EOWNERDEAD) pthread_mutex_consistent(&g_robust);
  pthread_mutex_unlock(&g_robust);
  fflush(stdout);
  pthread_create(&t[0], NULL, die_holding_later, NULL);
  while (!__atomic_load_n(&g_holding, __ATOMIC_SEQ_CST)) pause_ms(1);
  pthread_create(&t[1], NULL, blocked_locker, NULL);
  pthread_join(t[0], NULL);
  pthread_join(t[1], NULL);
  return 0;
}
