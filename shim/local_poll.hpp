// poll, select and epoll over sets that include the enclave's own pipes and eventfds
// (shim/local_files.hpp): their state is read in the enclave, the other fds' from the proxy;
// a wait covers both (the proxy's wait is interrupted when a local object changes).
#pragma once

#include <cstdint>

namespace cocoon::shim::localpoll {

struct PollFd {
  std::int32_t fd;
  std::int16_t events;
  std::int16_t revents;
};
static_assert(sizeof(PollFd) == 8);

// True when the set has an fd served in the enclave (then the calls below must be used).
bool any_local(const PollFd* fds, long n);

// poll over `fds` (shim memory), waiting at most timeout_ns (-1: no limit). Ready count,
// -errno, or kRestartSyscall when a signal is due.
long poll(PollFd* fds, long n, std::int64_t timeout_ns);

// epoll_ctl for a local fd in epoll instance `epfd` (the caller checked both are open and
// `fd` is local). 0 or -errno.
long epoll_ctl_local(int epfd, int op, int fd, std::uint32_t events, std::uint64_t data);
// True when epoll instance `epfd` watches local fds.
bool epoll_has_local(int epfd);
// epoll_wait on an instance that watches local fds; events go to the program's array at
// `events_at` (maxevents entries). Count, -errno or kRestartSyscall.
long epoll_wait(int epfd, std::uint64_t events_at, int maxevents, std::int64_t timeout_ns);
// A local file's last fd closed: it leaves every epoll set (as in Linux).
void forget_file(const void* file);
// A local file moved to the host (local::export_fd): its epoll interests become the proxy's,
// added at once, or in a vfork child (whose proxy fork is not the process's proxy) by the
// parent once the child is done (add_moved_to_proxy).
void move_to_proxy(const void* file);
void add_moved_to_proxy();
// An fd closed: if it was an epoll instance, its local interests go.
void forget_epoll(int epfd);

}  // namespace cocoon::shim::localpoll
