// Two threads open files at the same time in a signed enclave: one a file the manifest
// allows, the other one it does not list. Each must always get its own answer (the policy
// decision of one thread never uses the other's path). Usage: threads_open_policy ALLOWED HIDDEN
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

enum { kRounds = 3000 };

struct Job {
  const char* path;
  int expect_ok;
  int wrong;
};

static void* opener(void* arg) {
  struct Job* j = arg;
  for (int i = 0; i < kRounds; ++i) {
    int fd = open(j->path, O_RDONLY);
    if (fd >= 0) close(fd);
    int ok = fd >= 0;
    if (ok != j->expect_ok || (!ok && errno != ENOENT)) ++j->wrong;
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 3) return 2;
  struct Job allowed = {argv[1], 1, 0}, hidden = {argv[2], 0, 0};
  pthread_t a, b;
  pthread_create(&a, NULL, opener, &allowed);
  pthread_create(&b, NULL, opener, &hidden);
  pthread_join(a, NULL);
  pthread_join(b, NULL);
  printf("allowed file: %d wrong answers; unlisted file: %d wrong answers\n", allowed.wrong, hidden.wrong);
  return 0;
}
