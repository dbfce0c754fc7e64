// Threads come and go: batches of threads, some exiting (pthread_exit or return) while others
// still run, more threads in total than the enclave has slots, joined batch by batch; plus
// detached threads whose slots must come back too. Usage: threads_churn BATCHES PER_BATCH
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static long g_total;
static int g_detached_done;

static void sleep_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

static void* worker(void* arg) {
  long v = (long)arg;
  // Even threads leave at once; odd ones keep running a little while the others exit.
  if (v % 2) sleep_ms(2 + (int)(v % 5));
  long sum = 0;
  for (long i = 0; i <= v * 1000; ++i) sum += i % 7;
  pthread_mutex_lock(&g_lock);
  g_total += sum;
  pthread_mutex_unlock(&g_lock);
  if (v % 3 == 0) pthread_exit((void*)(sum));
  return (void*)sum;
}

static void* detached(void* arg) {
  (void)arg;
  pthread_mutex_lock(&g_lock);
  ++g_detached_done;
  pthread_cond_signal(&g_cond);
  pthread_mutex_unlock(&g_lock);
  return NULL;
}

static void* last_thread(void* arg) {
  (void)arg;
  sleep_ms(20);
  printf("the last thread ends the process\n");
  return NULL;
}

int main(int argc, char** argv) {
  int batches = argc > 1 ? atoi(argv[1]) : 10;
  int per = argc > 2 ? atoi(argv[2]) : 3;
  pthread_t* t = calloc((size_t)per, sizeof *t);
  long joined_sum = 0;
  int created = 0;
  for (int b = 0; b < batches; ++b) {
    for (int i = 0; i < per; ++i) {
      int e = pthread_create(&t[i], NULL, worker, (void*)(long)(b * per + i));
      if (e) {
        printf("batch %d thread %d: pthread_create: %s\n", b, i, strerror(e));
        return 1;
      }
      ++created;
    }
    for (int i = 0; i < per; ++i) {
      void* r;
      if (pthread_join(t[i], &r) != 0) {
        printf("join failed\n");
        return 1;
      }
      joined_sum += (long)r;
    }
  }
  // Detached threads, one at a time (each must get a slot back from the previous one).
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
  for (int i = 0; i < per * 2; ++i) {
    pthread_t d;
    int e;
    // A detached thread's slot is free shortly after it signals; retry on EAGAIN briefly.
    for (int tries = 0; (e = pthread_create(&d, &attr, detached, NULL)) == EAGAIN && tries < 1000; ++tries) sleep_ms(1);
    if (e) {
      printf("detached %d: pthread_create: %s\n", i, strerror(e));
      return 1;
    }
    pthread_mutex_lock(&g_lock);
    while (g_detached_done < i + 1) pthread_cond_wait(&g_cond, &g_lock);
    pthread_mutex_unlock(&g_lock);
  }
  printf("created %d joined threads in %d batches, sum %ld (shared total %ld), %d detached threads done\n", created,
         batches, joined_sum, g_total, g_detached_done);
  // The main thread leaves first; the last thread's end ends the process (status 0, and
  // glibc flushes stdout).
  pthread_t last;
  if (pthread_create(&last, NULL, last_thread, NULL) != 0) return 1;
  pthread_exit(NULL);
}
