// File status flags (what fcntl F_GETFL reads) of fds whose open file description only this
// process holds, kept in the enclave so that F_GETFL needs no round trip to the proxy.
//
// Java's NIO reads them before each switch between blocking and non-blocking mode (F_GETFL,
// then F_SETFL): about a third of the forwarded calls of a Java HTTP server. The flags of a
// description change only by F_SETFL, FIONBIO or FIOASYNC on it, so they can be followed
// exactly as long as no other fd or process shares the description. An fd is "private" from
// its creation by a forwarded call (open, socket, accept…) until it is duplicated, closed or
// possibly inherited (a vfork child shares every fd); only then is nothing cached for it.
#pragma once

namespace cocoon::shim::fd_status {

// The file status flags F_SETFL may change (O_APPEND, O_NONBLOCK, FASYNC, O_DIRECT, O_NOATIME).
inline constexpr long kNonblock = 04000;
inline constexpr long kSettable = 02000 | kNonblock | 020000 | 040000 | 01000000;

void created(int fd);      // a forwarded call made a new description for fd
void created_with(int fd, long flags);  // the same, with flags known (a new socket's)
void shared(int fd);       // fd was closed, duplicated, or replaced by a duplicate
void all_shared();         // a child process may hold any of them now
bool is_private(int fd);   // only this process holds fd's open file, through fd alone
bool known_flags(int fd, long* flags);  // the cached F_GETFL flags, when known

// F_GETFL of a socket just made by socket() or accept4() with these type/flags bits: O_RDWR,
// and O_NONBLOCK for SOCK_NONBLOCK. Nothing is inherited from a listening socket (accept(2)).
inline long new_socket_flags(long type_or_flags) {
  return 02 | (type_or_flags & kNonblock);
}

// F_GETFL for fd: the cached flags, or what fetch() (the forwarded call) returns, kept when
// the description is private. Serialized per fd with set(), so an answer that an F_SETFL
// overtook is never kept.
template <typename Fetch>
long get(int fd, Fetch fetch);
// F_SETFL (arg) or FIONBIO (nonblock_only, arg = on) on fd through `apply` (the forwarded
// call); the cache follows when it succeeds.
template <typename Apply>
long set(int fd, long arg, bool nonblock_only, Apply apply);

// Implementation details used by the templates.
namespace detail {
void lock(int fd);
void unlock(int fd);
bool cached(int fd, long* flags);
bool tracked(int fd);        // private (flags known or not)
void store(int fd, long flags);
long after_set(long flags, long arg, bool nonblock_only);
}  // namespace detail

template <typename Fetch>
long get(int fd, Fetch fetch) {
  long flags;
  if (detail::cached(fd, &flags)) return flags;
  if (!detail::tracked(fd)) return fetch();
  detail::lock(fd);
  long r = fetch();
  if (r >= 0) detail::store(fd, r);
  detail::unlock(fd);
  return r;
}

template <typename Apply>
long set(int fd, long arg, bool nonblock_only, Apply apply) {
  if (!detail::tracked(fd)) return apply();
  detail::lock(fd);
  long old;
  bool known = detail::cached(fd, &old);
  long r = apply();
  if (known && r == 0) detail::store(fd, detail::after_set(old, arg, nonblock_only));
  else if (r == 0) detail::store(fd, -1);  // unknown: fetched again by the next F_GETFL
  detail::unlock(fd);
  return r;
}

}  // namespace cocoon::shim::fd_status
