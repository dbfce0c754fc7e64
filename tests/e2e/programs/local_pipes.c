// Pipes and eventfds (served inside the enclave by Cocoon), compared line by line with a native
// run: data between threads, end of file, EPIPE and SIGPIPE, O_NONBLOCK and FIONREAD, dup,
// eventfd counters and semaphores, and poll, select and epoll over sets that mix them with
// sockets (which the proxy serves), waits that another thread's write ends, signals; and
// /proc/self/fd listing exactly the program's fds.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "check.h"


static void sleep_ms(int ms) {
  struct timespec d = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&d, NULL);
}

// ---- a pipe between threads ----------------------------------------------------------------

enum { kTotal = 1 << 20 };
static int p[2];
static void* write_all(void* arg) {
  (void)arg;
  unsigned char chunk[3000];
  for (size_t sent = 0; sent < kTotal;) {
    size_t n = kTotal - sent < sizeof chunk ? kTotal - sent : sizeof chunk;
    for (size_t i = 0; i < n; ++i) chunk[i] = (unsigned char)((sent + i) * 31 + 7);
    ssize_t w = write(p[1], chunk, n);
    if (w <= 0) break;
    sent += (size_t)w;
  }
  close(p[1]);
  return NULL;
}

static void test_pipe_threads(void) {
  CHECK(pipe(p) == 0, "pipe");
  struct stat st;
  CHECK(fstat(p[0], &st) == 0 && S_ISFIFO(st.st_mode), "fstat: a FIFO");
  pthread_t th;
  pthread_create(&th, NULL, write_all, NULL);
  size_t got = 0, bad = 0;
  unsigned char buf[5000];
  for (;;) {
    ssize_t r = read(p[0], buf, sizeof buf);
    if (r <= 0) break;
    for (ssize_t i = 0; i < r; ++i) bad += buf[i] != (unsigned char)((got + (size_t)i) * 31 + 7);
    got += (size_t)r;
  }
  pthread_join(th, NULL);
  CHECK(got == kTotal && bad == 0, "1 MiB through a pipe between threads, in order, then end of file");
  close(p[0]);
}

// ---- nonblocking, FIONREAD, EPIPE, dup ---------------------------------------------------------

static volatile sig_atomic_t sigpipes;
static void on_sigpipe(int sig) { (void)sig; sigpipes++; }

static void test_pipe_edges(void) {
  pipe2(p, O_NONBLOCK);
  char c;
  CHECK(read(p[0], &c, 1) == -1 && errno == EAGAIN, "O_NONBLOCK read of an empty pipe: EAGAIN");
  char big[70000];
  memset(big, 'x', sizeof big);
  ssize_t w = write(p[1], big, sizeof big);
  CHECK(w == 65536, "O_NONBLOCK write of 70000 bytes: 65536 fit");
  CHECK(write(p[1], big, 1) == -1 && errno == EAGAIN, "a full pipe: EAGAIN");
  int n = -1;
  ioctl(p[0], FIONREAD, &n);
  CHECK(n == 65536, "FIONREAD: 65536");
  int d = dup(p[0]);
  int fl = fcntl(d, F_GETFL);
  CHECK((fl & O_NONBLOCK) != 0, "a dup shares O_NONBLOCK");
  fcntl(p[0], F_SETFL, fl & ~O_NONBLOCK);
  CHECK((fcntl(d, F_GETFL) & O_NONBLOCK) == 0, "clearing it on one end clears it for the dup");
  close(p[0]);
  CHECK(read(d, big, 10) == 10, "the dup still reads after the original is closed");
  close(d);
  signal(SIGPIPE, on_sigpipe);
  w = write(p[1], "y", 1);
  CHECK(w == -1 && errno == EPIPE && sigpipes == 1, "no reader: EPIPE and SIGPIPE");
  close(p[1]);
  signal(SIGPIPE, SIG_DFL);
  pipe(p);
  close(p[1]);
  CHECK(read(p[0], &c, 1) == 0, "no writer left: end of file");
  close(p[0]);
}

// A read blocked on a pipe keeps its end open even when another thread closes the fd (as the
// kernel holds the file during the call): a later write still reaches it.
static char blocked_got;
static ssize_t blocked_r;
static void* blocked_reader(void* arg) {
  (void)arg;
  blocked_r = read(p[0], &blocked_got, 1);
  return NULL;
}

static void test_close_while_blocked(void) {
  pipe(p);
  pthread_t th;
  pthread_create(&th, NULL, blocked_reader, NULL);
  sleep_ms(50);
  close(p[0]);
  sleep_ms(20);
  ssize_t w = write(p[1], "q", 1);
  pthread_join(th, NULL);
  CHECK(w == 1 && blocked_r == 1 && blocked_got == 'q', "closing the fd of a blocked read: the read still gets the data");
  close(p[1]);
}

// ---- eventfd ---------------------------------------------------------------------------------

static int efd;
static void* add_later(void* arg) {
  sleep_ms(50);
  uint64_t v = (uint64_t)(intptr_t)arg;
  if (write(efd, &v, 8) != 8) perror("write");
  return NULL;
}

static void test_eventfd(void) {
  efd = eventfd(3, 0);
  uint64_t v = 4;
  write(efd, &v, 8);
  read(efd, &v, 8);
  CHECK(v == 7, "eventfd: read returns the sum and resets it");
  int nb = eventfd(0, EFD_NONBLOCK);
  CHECK(read(nb, &v, 8) == -1 && errno == EAGAIN, "eventfd nonblocking at zero: EAGAIN");
  CHECK(read(nb, &v, 4) == -1 && errno == EINVAL, "eventfd: a read of fewer than 8 bytes is EINVAL");
  v = ~0ull;
  CHECK(write(nb, &v, 8) == -1 && errno == EINVAL, "eventfd: writing 2^64-1 is EINVAL");
  v = 0xfffffffffffffffeull;
  write(nb, &v, 8);
  v = 1;
  CHECK(write(nb, &v, 8) == -1 && errno == EAGAIN, "eventfd: an overflowing write is EAGAIN");
  close(nb);
  int sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
  uint64_t a = 0, b = 0, c = 0;
  read(sem, &a, 8);
  read(sem, &b, 8);
  CHECK(a == 1 && b == 1 && read(sem, &c, 8) == -1 && errno == EAGAIN, "EFD_SEMAPHORE: reads of 1 until zero");
  close(sem);
  pthread_t th;
  pthread_create(&th, NULL, add_later, (void*)(intptr_t)5);
  read(efd, &v, 8);
  pthread_join(th, NULL);
  CHECK(v == 5, "a blocking eventfd read waits for another thread's write");
}

// ---- poll, select, epoll over mixed sets ----------------------------------------------------

static int sp[2];
static void* write_pipe_later(void* arg) {
  (void)arg;
  sleep_ms(50);
  if (write(p[1], "z", 1) != 1) perror("write");
  return NULL;
}
static void* write_socket_later(void* arg) {
  (void)arg;
  sleep_ms(50);
  if (write(sp[1], "s", 1) != 1) perror("write");
  return NULL;
}

static void test_poll_mixed(void) {
  pipe(p);
  socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
  struct pollfd set[2] = {{p[0], POLLIN, 0}, {sp[0], POLLIN, 0}};
  CHECK(poll(set, 2, 0) == 0, "poll(pipe, socket), nothing ready, timeout 0: 0");
  CHECK(poll(set, 2, 30) == 0, "poll with a 30 ms timeout: 0");
  pthread_t th;
  pthread_create(&th, NULL, write_pipe_later, NULL);
  int r = poll(set, 2, 5000);
  pthread_join(th, NULL);
  CHECK(r == 1 && set[0].revents == POLLIN && set[1].revents == 0, "poll wakes for the pipe another thread writes");
  char c;
  read(p[0], &c, 1);
  pthread_create(&th, NULL, write_socket_later, NULL);
  r = poll(set, 2, 5000);
  pthread_join(th, NULL);
  CHECK(r == 1 && set[0].revents == 0 && set[1].revents == POLLIN, "and for the socket");
  read(sp[0], &c, 1);
  struct pollfd out[2] = {{p[1], POLLOUT, 0}, {sp[1], POLLOUT, 0}};
  CHECK(poll(out, 2, 0) == 2 && out[0].revents == POLLOUT, "both writable");

  fd_set rd;
  FD_ZERO(&rd);
  FD_SET(p[0], &rd);
  FD_SET(sp[0], &rd);
  pthread_create(&th, NULL, write_pipe_later, NULL);
  r = select((p[0] > sp[0] ? p[0] : sp[0]) + 1, &rd, NULL, NULL, NULL);
  pthread_join(th, NULL);
  CHECK(r == 1 && FD_ISSET(p[0], &rd) && !FD_ISSET(sp[0], &rd), "select wakes for the pipe");
  read(p[0], &c, 1);
  close(p[1]);
  set[0].revents = 0;
  r = poll(set, 1, 0);
  CHECK(r == 1 && (set[0].revents & POLLHUP), "the write end closed: POLLHUP");
  close(p[0]);
}

static void test_epoll_mixed(void) {
  int ep = epoll_create1(EPOLL_CLOEXEC);
  efd = eventfd(0, EFD_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 111};
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0, "epoll_ctl ADD an eventfd");
  CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == -1 && errno == EEXIST, "ADD twice: EEXIST");
  ev.data.u64 = 222;
  epoll_ctl(ep, EPOLL_CTL_ADD, sp[0], &ev);
  struct epoll_event got[4];
  CHECK(epoll_wait(ep, got, 4, 0) == 0, "epoll_wait, nothing ready: 0");
  pthread_t th;
  pthread_create(&th, NULL, add_later, (void*)(intptr_t)1);
  int n = epoll_wait(ep, got, 4, 5000);
  pthread_join(th, NULL);
  CHECK(n == 1 && got[0].data.u64 == 111 && got[0].events == EPOLLIN, "epoll_wait wakes for the eventfd another thread writes");
  CHECK(epoll_wait(ep, got, 4, 0) == 1, "level-triggered: reported again until read");
  uint64_t v;
  read(efd, &v, 8);
  pthread_create(&th, NULL, write_socket_later, NULL);
  n = epoll_wait(ep, got, 4, 5000);
  pthread_join(th, NULL);
  CHECK(n == 1 && got[0].data.u64 == 222, "and for the socket");
  char c;
  read(sp[0], &c, 1);
  ev.events = EPOLLIN | EPOLLET;
  ev.data.u64 = 333;
  CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev) == 0, "MOD to edge-triggered");
  v = 1;
  write(efd, &v, 8);
  n = epoll_wait(ep, got, 4, 0);
  CHECK(n == 1 && got[0].data.u64 == 333, "EPOLLET: reported after the change");
  CHECK(epoll_wait(ep, got, 4, 0) == 0, "EPOLLET: not again without a new change");
  read(efd, &v, 8);
  ev.events = EPOLLIN | EPOLLONESHOT;
  epoll_ctl(ep, EPOLL_CTL_MOD, efd, &ev);
  write(efd, &v, 8);
  CHECK(epoll_wait(ep, got, 4, 0) == 1 && epoll_wait(ep, got, 4, 0) == 0, "EPOLLONESHOT: once, then disarmed");
  CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == 0, "DEL");
  CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL) == -1 && errno == ENOENT, "DEL again: ENOENT");
  close(efd);
  close(ep);
  close(sp[0]);
  close(sp[1]);
}

// ---- signals ---------------------------------------------------------------------------------

static pid_t main_tid;
static volatile sig_atomic_t usr1;
static void on_usr1(int sig) { (void)sig; usr1++; }
static void* signal_later(void* arg) {
  (void)arg;
  sleep_ms(50);
  syscall(SYS_tgkill, getpid(), main_tid, SIGUSR1);
  return NULL;
}
static void* signal_then_write(void* arg) {
  signal_later(arg);
  sleep_ms(50);
  if (write(p[1], "w", 1) != 1) perror("write");
  return NULL;
}

static void test_signals(void) {
  main_tid = (pid_t)syscall(SYS_gettid);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sigaction(SIGUSR1, &sa, NULL);
  pipe(p);
  pthread_t th;
  pthread_create(&th, NULL, signal_later, NULL);
  char c;
  ssize_t r = read(p[0], &c, 1);
  int e = errno;
  pthread_join(th, NULL);
  CHECK(r == -1 && e == EINTR && usr1 == 1, "a read of an empty pipe ends with EINTR after the handler");
  sa.sa_flags = SA_RESTART;
  sigaction(SIGUSR1, &sa, NULL);
  pthread_create(&th, NULL, signal_then_write, NULL);
  r = read(p[0], &c, 1);
  pthread_join(th, NULL);
  CHECK(r == 1 && c == 'w' && usr1 == 2, "SA_RESTART: the read is made again and gets the data");
  close(p[0]);
  close(p[1]);
  signal(SIGUSR1, SIG_DFL);
}

// Every entry of /proc/self/fd is an fd the program has open, and the pipe, eventfd and socket
// it just made are listed (in Cocoon the listing is the proxy's, which holds fds of its own).
static void test_proc_self_fd(void) {
  int p[2];
  int ok = pipe(p) == 0;
  int e = eventfd(0, 0), s = socket(AF_INET, SOCK_STREAM, 0);
  DIR* d = opendir("/proc/self/fd");
  CHECK(ok && e >= 0 && s >= 0 && d, "/proc/self/fd: opened");
  if (!d) return;
  int listed = 0, foreign = 0, seen_pipe = 0, seen_e = 0, seen_s = 0;
  struct dirent* de;
  while ((de = readdir(d))) {
    if (de->d_name[0] == '.') continue;
    int n = atoi(de->d_name);
    listed++;
    if (fcntl(n, F_GETFD) < 0) foreign++, printf("     not the program's: fd %d\n", n);
    seen_pipe += n == p[0] || n == p[1];
    seen_e += n == e;
    seen_s += n == s;
  }
  closedir(d);
  CHECK(listed >= 7 && foreign == 0, "/proc/self/fd: every entry is an fd of the program");
  CHECK(seen_pipe == 2 && seen_e == 1 && seen_s == 1, "/proc/self/fd: the new pipe, eventfd and socket are listed");
  close(p[0]), close(p[1]), close(e), close(s);
}

// splice, tee and sendfile with pipes (Cocoon moves such a pipe to the host first, with what
// it buffered): the bytes come out in order, and poll still sees the pipe.
static void test_splice_family(void) {
  int p[2], q[2];
  int ok = pipe(p) == 0 && pipe(q) == 0;
  char name[] = "/tmp/cocoon-splice-XXXXXX";
  int file = mkstemp(name);
  ok = ok && file >= 0 && write(file, "XYZ", 3) == 3;
  unlink(name);
  CHECK(ok && write(p[1], "abc", 3) == 3, "splice: a pipe with 3 bytes buffered, a file");
  loff_t off = 0;
  CHECK(splice(file, &off, p[1], NULL, 3, 0) == 3 && off == 3, "splice: file -> pipe, offset advanced");
  CHECK(tee(p[0], q[1], 6, 0) == 6, "tee: pipe -> pipe");
  char buf[16] = {0};
  CHECK(read(q[0], buf, sizeof buf) == 6 && memcmp(buf, "abcXYZ", 6) == 0, "tee: the copy, in order");
  off_t foff = 1;
  CHECK(sendfile(p[1], file, &foff, 2) == 2 && foff == 3, "sendfile: file -> pipe");
  struct pollfd pfd = {p[0], POLLIN, 0};
  CHECK(poll(&pfd, 1, 1000) == 1 && (pfd.revents & POLLIN), "poll: the moved pipe is readable");
  memset(buf, 0, sizeof buf);
  CHECK(read(p[0], buf, sizeof buf) == 8 && memcmp(buf, "abcXYZYZ", 8) == 0, "splice: the pipe reads all, in order");
  close(file), close(p[0]), close(p[1]), close(q[0]), close(q[1]);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_proc_self_fd();
  test_splice_family();
  test_pipe_threads();
  test_pipe_edges();
  test_close_while_blocked();
  test_eventfd();
  test_poll_mixed();
  test_epoll_mixed();
  test_signals();
  return checks_summary();
}
