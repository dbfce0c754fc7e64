// More threads than the enclave has: creates up to N threads that all wait until the main
// thread releases them; reports how many it could create and the first error, then joins
// them and exits normally. Usage: threads_limit N
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t g_cond = PTHREAD_COND_INITIALIZER;
static int g_release;

static void* waiter(void* arg) {
  pthread_mutex_lock(&g_lock);
  while (!g_release) pthread_cond_wait(&g_cond, &g_lock);
  pthread_mutex_unlock(&g_lock);
  return arg;
}

int main(int argc, char** argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10;
  pthread_t* t = calloc((size_t)n, sizeof *t);
  int created = 0, err = 0;
  for (; created < n; ++created) {
    err = pthread_create(&t[created], NULL, waiter, (void*)(long)created);
    if (err) break;
  }
  printf("created %d of %d threads", created, n);
  if (err) printf("; then pthread_create: %s", strerror(err));
  printf("\n");
  pthread_mutex_lock(&g_lock);
  g_release = 1;
  pthread_cond_broadcast(&g_cond);
  pthread_mutex_unlock(&g_lock);
  long sum = 0;
  for (int i = 0; i < created; ++i) {
    void* r;
    pthread_join(t[i], &r);
    sum += (long)r;
  }
  printf("joined %d threads, sum %ld\n", created, sum);
  return 0;
}
