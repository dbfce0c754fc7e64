// Calls the shim answers for the program at once and makes on the host later, ahead of the
// next request any enclave thread sends to the proxy (docs/architecture.md, "Deferred calls").
//
// A server spends most of its round trips on calls whose answer is known in advance: after
// accept, Node sets TCP_NODELAY and adds the socket to its epoll set; Java switches it between
// blocking and non-blocking modes twice and adds and removes it; both end with
// epoll_ctl(DEL) and close. Each such call is deferred only when the shim knows exactly what
// Linux would answer (0) and when making it later cannot be observed:
// - the fd is a TCP socket this process made (socket, or accept on one) and it alone holds
//   (shim/fd_status.hpp: not duplicated, not inherited by a child);
// - epoll_ctl: the instance is one this process made and alone holds, the shim follows its
//   interest set exactly (ADD of a socket not in it, MOD or DEL of one in it), and no other
//   thread waits on an epoll instance in the proxy meanwhile (it would miss the change);
// - close: no thread waits on an epoll instance (an event for the closed fd could reach it);
// - F_SETFL: only O_NONBLOCK changes, on cached flags; setsockopt: TCP_NODELAY.
// The calls travel, numbered, in the channel of the next request (channel::DeferredCall); the
// proxy makes them in order before any request sent after them. Before the shim blocks a
// thread itself (futex, sleep, in-enclave pipes) and before vfork, execve and exit, what is
// pending goes out. A deferred call the host then refuses ends the program with a message
// naming it: the program was told it succeeded.
#pragma once

#include <cstdint>

#include "proxy/channel.hpp"

namespace cocoon::shim::deferred {

// What the shim learns of fds (forwarded calls that made them).
void made_socket(int fd, long family, long type, long protocol);
void accepted(int fd, int listener);
void made_epoll(int fd);
// fd is being closed (close, close_range, dup2/dup3 over it), while fd_status still says
// whether this process alone held it.
void closing(int fd);

// Each returns true when the call was deferred (the program gets 0); false: make it now.
bool close(int fd);
bool set_flags(int fd, long new_flags);                               // fcntl(F_SETFL)
bool setsockopt(int fd, long level, long name, std::uint64_t value_ptr, long len);
bool epoll_ctl(int epfd, int op, int fd, std::uint64_t event_ptr);
// An epoll_ctl made now: the followed interest set learns its outcome.
void epoll_ctl_made(int epfd, int op, int fd, long result);

// Every request to the proxy: takes what is pending along (or says which calls it follows);
// then reads the results of what it carried.
void attach(channel::Channel* ch, std::uint64_t op);
void carried_results(channel::Channel* ch);
// Sends what is pending now (one round trip, only if something is).
void flush();

}  // namespace cocoon::shim::deferred
