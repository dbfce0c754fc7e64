// pidfds of the program's children (pidfd_open, poll, waitid(P_PIDFD), pidfd_send_signal),
// compared line by line with a native run. The children are started with posix_spawn (in
// Cocoon each is a new enclave, a child of the proxy).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char** environ;

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags) {
  return (int)syscall(SYS_pidfd_open, pid, flags);
}
static int pidfd_send_signal(int fd, int sig, siginfo_t* info, unsigned flags) {
  return (int)syscall(SYS_pidfd_send_signal, fd, sig, info, flags);
}

static volatile sig_atomic_t g_usr1;
static void on_usr1(int sig) {
  (void)sig;
  g_usr1 = 1;
}

static pid_t start(const char* script) {
  char* argv[] = {"/bin/sh", "-c", (char*)script, NULL};
  pid_t pid = -1;
  if (posix_spawn(&pid, "/bin/sh", NULL, NULL, argv, environ) != 0) return -1;
  return pid;
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  alarm(30);

  // A child that ends by itself: its pidfd becomes readable, waitid by pidfd reaps it.
  pid_t a = start("exit 3");
  CHECK(a > 0, "a child started");
  int fa = pidfd_open(a, 0);
  CHECK(fa >= 0, "pidfd_open of the child");
  CHECK((fcntl(fa, F_GETFD) & FD_CLOEXEC) != 0, "the pidfd is close-on-exec");
  struct pollfd p = {.fd = fa, .events = POLLIN};
  CHECK(poll(&p, 1, 10000) == 1 && (p.revents & POLLIN), "the pidfd is readable once the child ended");
  siginfo_t si;
  memset(&si, 0, sizeof si);
  CHECK(waitid(P_PIDFD, fa, &si, WEXITED) == 0, "waitid(P_PIDFD)");
  CHECK(si.si_pid == a && si.si_code == CLD_EXITED && si.si_status == 3, "it reports the child's exit status 3");
  CHECK(waitid(P_PIDFD, fa, &si, WEXITED | WNOHANG) == -1 && errno == ECHILD, "reaped: ECHILD");
  close(fa);

  // A child that waits: a signal through its pidfd ends it.
  pid_t b = start("sleep 20");
  int fb = pidfd_open(b, 0);
  CHECK(fb >= 0, "pidfd_open of a second child");
  p.fd = fb;
  CHECK(poll(&p, 1, 100) == 0, "not readable while it runs");
  CHECK(pidfd_send_signal(fb, SIGTERM, NULL, 0) == 0, "pidfd_send_signal(SIGTERM)");
  int st = 0;
  CHECK(waitpid(b, &st, 0) == b && WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "the child ended by SIGTERM");
  CHECK(pidfd_send_signal(fb, SIGTERM, NULL, 0) == -1 && errno == ESRCH, "signalling it again: ESRCH");
  close(fb);

  // Its own process: /proc/self and /proc/<pid> directories are pidfds of it, as is
  // pidfd_open(getpid()); a signal through them reaches its handler.
  struct sigaction sa = {.sa_handler = on_usr1};
  sigaction(SIGUSR1, &sa, NULL);
  char own[32];
  snprintf(own, sizeof own, "/proc/%d", (int)getpid());
  const char* dirs[] = {"/proc/self", own};
  for (int i = 0; i < 2; ++i) {
    int d = open(dirs[i], O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    g_usr1 = 0;
    CHECK(d >= 0 && pidfd_send_signal(d, SIGUSR1, NULL, 0) == 0, "a signal through the directory %s",
          i ? "/proc/<pid>" : "/proc/self");
    CHECK(g_usr1 == 1, "its handler ran before the call returned");
    close(d);
  }
  int self = pidfd_open(getpid(), 0);
  g_usr1 = 0;
  CHECK(self >= 0 && pidfd_send_signal(self, SIGUSR1, NULL, 0) == 0, "a signal through pidfd_open(getpid())");
  for (int i = 0; i < 500 && !g_usr1; ++i) usleep(10000);
  CHECK(g_usr1 == 1, "its handler ran");
  CHECK(waitid(P_PIDFD, self, &si, WEXITED | WNOHANG) == -1 && errno == ECHILD, "waitid on itself: ECHILD");
  close(self);

  // Errors as Linux gives them.
  CHECK(pidfd_open(-1, 0) == -1 && errno == EINVAL, "pidfd_open(-1): EINVAL");
  CHECK(pidfd_open(getpid(), 12345) == -1 && errno == EINVAL, "unknown flags: EINVAL");
  CHECK(pidfd_send_signal(-1, SIGTERM, NULL, 0) == -1 && errno == EBADF, "pidfd_send_signal(-1): EBADF");
  int pipefd[2];
  CHECK(pipe(pipefd) == 0, "a pipe");
  CHECK(waitid(P_PIDFD, pipefd[0], &si, WEXITED) == -1 && errno == EBADF, "waitid on a pipe as pidfd: EBADF");
  CHECK(pidfd_send_signal(pipefd[0], SIGTERM, NULL, 0) == -1 && errno == EBADF, "a signal to a pipe: EBADF");
  return checks_summary();
}
