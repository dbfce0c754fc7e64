// Calls Cocoon answers at once and makes on the host later (shim/deferred_calls.hpp: close,
// F_SETFL, TCP_NODELAY and epoll_ctl on TCP sockets), compared line by line with a native run.
// Each check observes, through the host kernel, that a deferred call took effect before the
// calls that depend on it: another thread's wait, a read, an epoll_wait, a reused fd number.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

extern char** environ;

static int g_listener;

static void listen_loopback(void) {
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  g_listener = socket(AF_INET, SOCK_STREAM, 0);
  if (bind(g_listener, (struct sockaddr*)&a, sizeof a) != 0 || listen(g_listener, 16) != 0) perror("listen");
}

// A client connected to the listener; returns the accepted end.
static int connect_one(int* client) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  getsockname(g_listener, (struct sockaddr*)&a, &len);
  *client = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(*client, (struct sockaddr*)&a, len) != 0) return -1;
  return accept(g_listener, NULL, NULL);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

struct Waiter {
  int epfd, count, fd, done;
};

static void* wait_epoll(void* arg) {
  struct Waiter* w = arg;
  struct epoll_event ev;
  w->count = epoll_wait(w->epfd, &ev, 1, 5000);
  w->fd = w->count == 1 ? ev.data.fd : -1;
  __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

static void* read_one(void* arg) {
  char b[16];
  return (void*)(long)read(*(int*)arg, b, sizeof b);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  alarm(30);  // a lost deferred call would hang a check: end with SIGALRM instead
  listen_loopback();
  int c, a = connect_one(&c);
  CHECK(a >= 0, "accepted a connection");

  // TCP_NODELAY: read back through the host.
  int one = 1, v = 0;
  socklen_t len = sizeof v;
  CHECK(setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0, "TCP_NODELAY set");
  CHECK(getsockopt(a, IPPROTO_TCP, TCP_NODELAY, &v, &len) == 0 && v != 0, "getsockopt reads it back");
  CHECK(setsockopt(a, IPPROTO_TCP, TCP_NODELAY, NULL, 4) == -1 && errno == EFAULT, "a bad pointer: EFAULT");

  // F_SETFL: a read without data fails at once only if the host has O_NONBLOCK.
  int fl = fcntl(a, F_GETFL);
  CHECK(fcntl(a, F_SETFL, fl | O_NONBLOCK) == 0, "O_NONBLOCK set");
  CHECK((fcntl(a, F_GETFL) & O_NONBLOCK) != 0, "F_GETFL shows it");
  char buf[64];
  CHECK(read(a, buf, sizeof buf) == -1 && errno == EAGAIN, "a read without data: EAGAIN");
  CHECK(fcntl(a, F_SETFL, fl) == 0, "back to blocking");
  CHECK((fcntl(a, F_GETFL) & O_NONBLOCK) == 0, "F_GETFL shows blocking");

  // epoll_ctl: every change is seen by the next epoll_wait.
  int ep = epoll_create1(EPOLL_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = a}, out[4];
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == 0, "epoll ADD");
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == -1 && errno == EEXIST, "ADD again: EEXIST");
  CHECK(epoll_wait(ep, out, 4, 0) == 0, "nothing to read yet");
  CHECK(write(c, "y", 1) == 1, "the client writes a byte");
  CHECK(epoll_wait(ep, out, 4, 5000) == 1 && out[0].data.fd == a && out[0].events == EPOLLIN, "the byte: EPOLLIN");
  ev.events = EPOLLOUT;
  CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev) == 0, "MOD to EPOLLOUT");
  CHECK(epoll_wait(ep, out, 4, 5000) == 1 && out[0].events == EPOLLOUT, "EPOLLOUT alone");
  CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL) == 0, "DEL");
  CHECK(epoll_wait(ep, out, 4, 0) == 0, "nothing after DEL");
  CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, a, &ev) == -1 && errno == ENOENT, "MOD after DEL: ENOENT");
  CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL) == -1 && errno == ENOENT, "DEL again: ENOENT");
  ev.events = EPOLLIN;
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == 0 && epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL) == 0 &&
            epoll_ctl(ep, EPOLL_CTL_ADD, a, &ev) == 0,
        "ADD, DEL, ADD in a row");
  CHECK(epoll_wait(ep, out, 4, 5000) == 1 && out[0].events == EPOLLIN, "the unread byte: EPOLLIN");
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL, "the instance itself: EINVAL");
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, 777, &ev) == -1 && errno == EBADF, "a closed fd: EBADF");

  // A socket added, then closed before any other call: it leaves the set, its peer sees the end,
  // and the next socket takes its number.
  int c2, a2 = connect_one(&c2);
  ev.data.fd = a2;
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, a2, &ev) == 0 && close(a2) == 0, "a socket added, then closed");
  CHECK(epoll_wait(ep, out, 4, 100) == 1 && out[0].data.fd == a, "only the other socket is in the set");
  CHECK(read(c2, buf, sizeof buf) == 0, "its peer reads the end");
  int s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(s == a2, "a new socket takes the closed number");
  close(s);

  // A thread already waiting on the instance sees a socket added meanwhile, with data ready,
  // while this thread makes no other call (a deferred ADD would leave it waiting).
  int c3, a3 = connect_one(&c3);
  CHECK(write(c3, "z", 1) == 1, "a third client writes before its socket joins the set");
  CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, a, NULL) == 0, "the first socket leaves the set");
  struct Waiter w = {ep, -2, -2, 0};
  pthread_t t;
  pthread_create(&t, NULL, wait_epoll, &w);
  usleep(200000);  // the thread waits
  ev.data.fd = a3;
  // No output until the checks below: a forwarded write would carry a deferred call along.
  int added = epoll_ctl(ep, EPOLL_CTL_ADD, a3, &ev);
  double until = now() + 3;
  while (!__atomic_load_n(&w.done, __ATOMIC_ACQUIRE) && now() < until) {
  }
  CHECK(added == 0, "ADD while another thread waits");
  CHECK(__atomic_load_n(&w.done, __ATOMIC_ACQUIRE) && w.count == 1 && w.fd == a3,
        "the waiting thread sees the new socket's byte");
  pthread_join(t, NULL);

  // A socket closed while another thread reads its peer; this one then waits for that thread.
  int c4, a4 = connect_one(&c4);
  pthread_create(&t, NULL, read_one, &c4);
  usleep(200000);  // the thread reads
  int closed = close(a4);
  void* got;
  pthread_join(t, &got);
  CHECK(closed == 0, "a socket closed while its peer is read");
  CHECK((long)got == 0, "the reading thread sees the end while this one waits for it");

  // A socket (not close-on-exec) closed just before a child starts: the child does not get it.
  int c5, a5 = connect_one(&c5);
  char cmd[160];
  snprintf(cmd, sizeof cmd, "if [ -e /proc/self/fd/%d ]; then echo child: open; else echo child: closed; fi", a5);
  char* argv[] = {"/bin/sh", "-c", cmd, NULL};
  // Nothing else until vfork (posix_spawn would make a pipe first: that call would carry the
  // close along).
  int closed5 = close(a5);
  pid_t pid = vfork();
  if (pid == 0) {
    execve("/bin/sh", argv, environ);
    _exit(127);
  }
  int status = -1;
  if (pid > 0) waitpid(pid, &status, 0);
  CHECK(closed5 == 0 && pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0, "a child started after a close");

  // The host's own view of the flags (a duplicate is not the process's alone: F_GETFL is asked).
  int d = dup(a);
  CHECK(d >= 0 && (fcntl(d, F_GETFL) & O_NONBLOCK) == 0, "the host's flags: blocking");
  CHECK(close(d) == 0 && close(a) == 0 && close(c) == 0, "closes");
  return checks_summary();
}
