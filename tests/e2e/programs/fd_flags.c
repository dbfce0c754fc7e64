// File status flags (fcntl F_GETFL), compared line by line with a native run. Cocoon keeps
// them in the enclave for files only this process holds; every way they change must show:
// F_SETFL, FIONBIO, a duplicate's F_SETFL, a child process's F_SETFL on an inherited socket,
// a closed fd's number reused, accept4's SOCK_NONBLOCK.
#define _GNU_SOURCE
#include <fcntl.h>
#include <netinet/in.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"

extern char** environ;

static int nonblocking(int fd) { return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

int main(int argc, char** argv) {
  if (argc == 3 && strcmp(argv[1], "set-nonblock") == 0) {  // the child of the inherited-socket check
    int fd = atoi(argv[2]);
    return fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0 ? 0 : 1;
  }
  setvbuf(stdout, NULL, _IOLBF, 0);

  int s = socket(AF_INET, SOCK_STREAM, 0);
  CHECK((fcntl(s, F_GETFL) & O_ACCMODE) == O_RDWR && !nonblocking(s), "a new socket: O_RDWR, blocking");
  CHECK(fcntl(s, F_SETFL, O_NONBLOCK) == 0 && nonblocking(s), "F_SETFL O_NONBLOCK shows");
  CHECK(nonblocking(s) && nonblocking(s), "and again");
  CHECK(fcntl(s, F_SETFL, 0) == 0 && !nonblocking(s), "F_SETFL 0 clears it");
  int on = 1, off = 0;
  CHECK(ioctl(s, FIONBIO, &on) == 0 && nonblocking(s), "FIONBIO 1 shows");
  CHECK(ioctl(s, FIONBIO, &off) == 0 && !nonblocking(s), "FIONBIO 0 shows");
  CHECK(fcntl(s, F_SETFL, O_NONBLOCK | O_APPEND) == 0 && (fcntl(s, F_GETFL) & (O_NONBLOCK | O_APPEND)) == (O_NONBLOCK | O_APPEND),
        "F_SETFL O_NONBLOCK|O_APPEND shows both");
  CHECK(fcntl(s, F_SETFL, 0) == 0 && (fcntl(s, F_GETFL) & (O_NONBLOCK | O_APPEND)) == 0, "both cleared");

  int d = dup(s);
  CHECK(fcntl(d, F_SETFL, O_NONBLOCK) == 0 && nonblocking(s), "a duplicate's F_SETFL shows on the original");
  CHECK(fcntl(s, F_SETFL, 0) == 0 && !nonblocking(d), "and the original's on the duplicate");
  int t = socket(AF_INET, SOCK_STREAM, 0);
  nonblocking(t);
  CHECK(dup2(s, t) == t && fcntl(t, F_SETFL, O_NONBLOCK) == 0 && nonblocking(s), "dup2: the same file");
  close(d);
  close(t);
  fcntl(s, F_SETFL, 0);

  // A child changes a socket it inherited (one never duplicated): the parent sees it.
  int k = socket(AF_INET, SOCK_STREAM, 0);
  nonblocking(k);
  char fdtext[16];
  snprintf(fdtext, sizeof fdtext, "%d", k);
  char* child_argv[] = {argv[0], "set-nonblock", fdtext, NULL};
  pid_t pid;
  int status = -1;
  int r = posix_spawn(&pid, "/proc/self/exe", NULL, NULL, child_argv, environ);
  if (r == 0) waitpid(pid, &status, 0);
  CHECK(r == 0 && status == 0, "the child set O_NONBLOCK on the inherited socket");
  CHECK(nonblocking(k), "the parent sees the child's change");

  // A closed fd's number, reused by a new socket, starts blocking.
  int u = socket(AF_INET, SOCK_STREAM, 0);
  fcntl(u, F_SETFL, O_NONBLOCK);
  nonblocking(u);
  close(u);
  int v = socket(AF_INET, SOCK_STREAM, 0);
  CHECK(v == u && !nonblocking(v), "a reused fd number: the new socket's flags");

  // accept4 with SOCK_NONBLOCK; accept without.
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  int l = socket(AF_INET, SOCK_STREAM, 0);
  int ok = bind(l, (struct sockaddr*)&a, sizeof a) == 0 && listen(l, 4) == 0 && getsockname(l, (struct sockaddr*)&a, &len) == 0;
  int c1 = socket(AF_INET, SOCK_STREAM, 0), c2 = socket(AF_INET, SOCK_STREAM, 0);
  ok = ok && connect(c1, (struct sockaddr*)&a, sizeof a) == 0 && connect(c2, (struct sockaddr*)&a, sizeof a) == 0;
  int x = accept4(l, NULL, NULL, SOCK_NONBLOCK), y = accept(l, NULL, NULL);
  CHECK(ok && x >= 0 && nonblocking(x), "accept4(SOCK_NONBLOCK): non-blocking");
  CHECK(y >= 0 && !nonblocking(y), "accept: blocking");
  CHECK(fcntl(y, F_SETFL, O_NONBLOCK) == 0 && nonblocking(y) && fcntl(y, F_SETFL, 0) == 0 && !nonblocking(y),
        "accepted socket: F_SETFL both ways");
  // The whole flags of new sockets, as Linux gives them (Cocoon knows them without asking):
  // printed, so that the comparison with the native run checks every bit.
  fcntl(l, F_SETFL, O_NONBLOCK);  // a listener's flags are not inherited (accept(2))
  int c3 = socket(AF_INET, SOCK_STREAM, 0), c4 = socket(AF_INET, SOCK_STREAM, 0), c5 = socket(AF_INET, SOCK_STREAM, 0);
  connect(c3, (struct sockaddr*)&a, sizeof a), connect(c4, (struct sockaddr*)&a, sizeof a), connect(c5, (struct sockaddr*)&a, sizeof a);
  int news[] = {socket(AF_INET, SOCK_STREAM, 0), socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0),
                socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0),
                accept(l, NULL, NULL), accept4(l, NULL, NULL, SOCK_CLOEXEC), accept4(l, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)};
  for (unsigned i = 0; i < sizeof news / sizeof news[0]; ++i)
    printf("new socket %u: F_GETFL %#x, FD_CLOEXEC %d\n", i, fcntl(news[i], F_GETFL), fcntl(news[i], F_GETFD));
  CHECK(fcntl(12345, F_GETFL) == -1, "F_GETFL of a closed fd fails");
  return checks_summary();
}
