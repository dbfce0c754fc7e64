// getsockname and getpeername, compared line by line with a native run. Cocoon keeps an
// accepted socket's addresses in the enclave; the answers must stay exact through repeated
// calls, a short buffer, bad arguments, a closed fd whose number is reused, and dup2 onto it.
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "check.h"

static int port_of(int fd, int peer) {
  struct sockaddr_storage a;
  socklen_t len = sizeof a;
  int r = peer ? getpeername(fd, (struct sockaddr*)&a, &len) : getsockname(fd, (struct sockaddr*)&a, &len);
  if (r != 0) return -errno;
  if (a.ss_family == AF_INET && len == sizeof(struct sockaddr_in)) return ntohs(((struct sockaddr_in*)&a)->sin_port);
  if (a.ss_family == AF_INET6 && len == sizeof(struct sockaddr_in6)) return ntohs(((struct sockaddr_in6*)&a)->sin6_port);
  return -1000;
}

// A listening socket on the loopback of the family, a client connected to it, the accepted end.
static int connected(int family, int* listener, int* client) {
  struct sockaddr_storage a = {0};
  socklen_t len;
  if (family == AF_INET) {
    struct sockaddr_in* in = (struct sockaddr_in*)&a;
    in->sin_family = AF_INET;
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    len = sizeof *in;
  } else {
    struct sockaddr_in6* in6 = (struct sockaddr_in6*)&a;
    in6->sin6_family = AF_INET6;
    in6->sin6_addr = in6addr_loopback;
    len = sizeof *in6;
  }
  int l = socket(family, SOCK_STREAM, 0), c = socket(family, SOCK_STREAM, 0);
  if (l < 0 || c < 0 || bind(l, (struct sockaddr*)&a, len) != 0 || listen(l, 8) != 0 ||
      getsockname(l, (struct sockaddr*)&a, &len) != 0 || connect(c, (struct sockaddr*)&a, len) != 0)
    return -1;
  *listener = l;
  *client = c;
  return accept(l, NULL, NULL);
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  int l, c;
  int a = connected(AF_INET, &l, &c);
  CHECK(a >= 0, "accepted an IPv4 connection");
  int lport = port_of(l, 0), cport = port_of(c, 0);
  for (int i = 0; i < 3; ++i) {
    CHECK(port_of(a, 0) == lport, "getsockname of the accepted socket: the listener's port (%d)", i);
    CHECK(port_of(a, 1) == cport, "getpeername of the accepted socket: the client's port (%d)", i);
  }
  struct sockaddr_in full, part;
  memset(&part, 0xAB, sizeof part);
  socklen_t len = sizeof full;
  getsockname(a, (struct sockaddr*)&full, &len);
  len = 4;
  CHECK(getsockname(a, (struct sockaddr*)&part, &len) == 0 && len == sizeof full, "a short buffer: the full length");
  CHECK(memcmp(&part, &full, 4) == 0 && ((unsigned char*)&part)[4] == 0xAB, "a short buffer: only what fits is written");
  len = (socklen_t)-1;
  CHECK(getsockname(a, (struct sockaddr*)&full, &len) == -1 && errno == EINVAL, "a negative length: EINVAL");
  CHECK(getpeername(a, (struct sockaddr*)&full, NULL) == -1 && errno == EFAULT, "no length: EFAULT");

  // The number reused by another accepted connection: that connection's peer.
  int c2 = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in la;
  len = sizeof la;
  getsockname(l, (struct sockaddr*)&la, &len);
  connect(c2, (struct sockaddr*)&la, len);
  close(a);
  int a2 = accept(l, NULL, NULL);
  CHECK(a2 == a, "the next accepted socket takes the closed number");
  CHECK(port_of(a2, 1) == port_of(c2, 0), "getpeername: the new connection's client");
  // dup2 of another connection onto that number.
  int c3 = socket(AF_INET, SOCK_STREAM, 0);
  connect(c3, (struct sockaddr*)&la, len);
  int a3 = accept(l, NULL, NULL);
  port_of(a3, 1);
  CHECK(dup2(a3, a2) == a2 && port_of(a2, 1) == port_of(c3, 0), "dup2 onto it: the other connection's client");
  CHECK(port_of(c2, 1) == lport && port_of(l, 0) == lport, "sockets not accepted: forwarded as before");
  // A closed accepted socket's number reused by a client socket: the client's addresses.
  int c5 = socket(AF_INET, SOCK_STREAM, 0);
  connect(c5, (struct sockaddr*)&la, len);
  int a5 = accept(l, NULL, NULL);
  port_of(a5, 0), port_of(a5, 1);
  close(a5);
  int c7 = socket(AF_INET, SOCK_STREAM, 0);
  connect(c7, (struct sockaddr*)&la, len);
  CHECK(c7 == a5 && port_of(c7, 1) == lport && port_of(c7, 0) != lport, "a client socket on the closed number: its own addresses");

  int l6, c6;
  int a6 = connected(AF_INET6, &l6, &c6);
  if (a6 >= 0) {
    CHECK(port_of(a6, 0) == port_of(l6, 0) && port_of(a6, 0) == port_of(a6, 0), "IPv6: getsockname");
    CHECK(port_of(a6, 1) == port_of(c6, 0) && port_of(a6, 1) == port_of(c6, 0), "IPv6: getpeername");
  } else {
    printf("ok   IPv6: getsockname\nok   IPv6: getpeername\n");  // no IPv6 loopback here
  }
  return checks_summary();
}
