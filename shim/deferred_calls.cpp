#include "shim/deferred_calls.hpp"

#include "shim/fd_status.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/sync.hpp"
#include "shim/thread.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim::deferred {
namespace {

constexpr int kFollowed = 4096;  // epoll interests are followed for fds below this
constexpr int kInstances = 8;    // epoll instances followed at once
constexpr long kEpollAdd = 1, kEpollDel = 2, kEpollMod = 3;
// epoll_event.events bits whose ADD or MOD cannot fail on a TCP socket (EPOLLEXCLUSIVE and
// EPOLLWAKEUP have rules of their own: made now).
constexpr std::uint32_t kPlainEvents = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 |
                                       0x2000 /* EPOLLRDHUP */ | (1u << 30) /* EPOLLONESHOT */ |
                                       (1u << 31) /* EPOLLET */;

// An epoll instance this process made: the fds in its interest set, and the threads waiting
// on it in the proxy.
struct Instance {
  int epfd = -1;  // -1: a free slot; -2: closed, free once its last waiter is back
  std::uint32_t waiters = 0;
  std::uint64_t in[kFollowed / 64] = {};
};

SpinLock g_lock;                      // guards everything below
channel::DeferredCall g_pending[channel::kMaxDeferred];
std::uint32_t g_count;                // pending calls (also read without the lock, as a hint)
std::uint32_t g_taken;                // calls numbered below this went out with a request
std::uint32_t g_waiters;              // threads in a forwarded epoll wait, on any instance
Instance g_epolls[kInstances];
std::uint8_t g_tcp[fd::kMaxFds];       // 1: a TCP socket made by socket() or accept on one
std::uint8_t g_epoll_refs[kFollowed];  // interest sets (any instance) the fd is in; 255: unknown

bool child() { return vfork::current() != nullptr; }

Instance* instance(int epfd) {
  if (epfd < 0) return nullptr;
  for (Instance& i : g_epolls)
    if (i.epfd == epfd) return &i;
  return nullptr;
}

bool in_set(const Instance& i, int fd) { return (i.in[fd >> 6] >> (fd & 63)) & 1; }
void set_in(Instance& i, int fd, bool on) {
  if (on) i.in[fd >> 6] |= 1ull << (fd & 63);
  else i.in[fd >> 6] &= ~(1ull << (fd & 63));
}

void ref(int fd, int by) {
  if (fd < 0 || fd >= kFollowed || g_epoll_refs[fd] == 255) return;
  int v = g_epoll_refs[fd] + by;
  g_epoll_refs[fd] = static_cast<std::uint8_t>(v < 0 ? 0 : v > 254 ? 255 : v);
}

// A TCP socket whose open file only this process holds.
bool private_tcp(int fd) {
  return fd >= 0 && fd < fd::kMaxFds && __atomic_load_n(&g_tcp[fd], __ATOMIC_RELAXED) && fd_status::is_private(fd);
}

// With g_lock held.
bool enqueue(std::uint64_t op, long a0, long a1, long a2, const void* value, unsigned len) {
  if (g_count == channel::kMaxDeferred) return false;
  channel::DeferredCall& c = g_pending[g_count];
  c.op = op;
  c.args[0] = a0, c.args[1] = a1, c.args[2] = a2;
  __builtin_memset(c.value, 0, sizeof c.value);
  if (len) __builtin_memcpy(c.value, value, len);
  __atomic_store_n(&g_count, g_count + 1, __ATOMIC_RELEASE);
  bump_stat(g.window->stats.deferred_calls);
  return true;
}

const char* call_name(std::uint64_t op) {
  switch (op) {
    case 3: return "close";
    case 72: return "fcntl(F_SETFL)";
    case 54: return "setsockopt(TCP_NODELAY)";
    case 233: return "epoll_ctl";
    default: return "call";
  }
}

}  // namespace

void made_socket(int fd, long family, long type, long protocol) {
  constexpr long kInet = 2, kInet6 = 10, kStream = 1, kTcp = 6;
  if (child() || fd < 0 || fd >= fd::kMaxFds) return;
  bool tcp = (family == kInet || family == kInet6) && (type & 0xf) == kStream && (protocol == 0 || protocol == kTcp);
  __atomic_store_n(&g_tcp[fd], static_cast<std::uint8_t>(tcp), __ATOMIC_RELAXED);
}

void accepted(int fd, int listener) {
  if (child() || fd < 0 || fd >= fd::kMaxFds) return;
  bool tcp = listener >= 0 && listener < fd::kMaxFds && __atomic_load_n(&g_tcp[listener], __ATOMIC_RELAXED);
  __atomic_store_n(&g_tcp[fd], static_cast<std::uint8_t>(tcp), __ATOMIC_RELAXED);
}

void made_epoll(int fd) {
  if (child() || fd < 0) return;
  LockGuard guard(g_lock);
  for (Instance& i : g_epolls)
    if (i.epfd < 0) {
      i = Instance{};
      i.epfd = fd;
      return;
    }
}

void closing(int fd) {
  if (child() || fd < 0 || fd >= fd::kMaxFds) return;
  __atomic_store_n(&g_tcp[fd], std::uint8_t{0}, __ATOMIC_RELAXED);
  LockGuard guard(g_lock);
  // An open file that only this fd held leaves every interest set (Linux); whatever opens
  // under this number next is a new file, in none.
  if (fd < kFollowed) {
    g_epoll_refs[fd] = 0;
    for (Instance& i : g_epolls)
      if (i.epfd >= 0) set_in(i, fd, false);
  }
  if (Instance* i = instance(fd)) {
    for (int k = 0; k < kFollowed; ++k)
      if (in_set(*i, k)) ref(k, -1);
    i->epfd = i->waiters ? -2 : -1;
  }
}

bool close(int fd) {
  if (child() || !private_tcp(fd)) return false;
  LockGuard guard(g_lock);
  // A thread waiting on an instance that watches the fd would see it leave only later.
  bool watched = fd >= kFollowed || g_epoll_refs[fd] != 0;
  if (watched && g_waiters) return false;
  return enqueue(3, fd, 0, 0, nullptr, 0);
}

bool set_flags(int fd, long new_flags) {
  long old_flags;
  if (child() || !private_tcp(fd) || !fd_status::known_flags(fd, &old_flags)) return false;
  if (((old_flags ^ new_flags) & fd_status::kSettable & ~fd_status::kNonblock) != 0) return false;
  LockGuard guard(g_lock);
  return enqueue(72, fd, 4 /* F_SETFL */, new_flags, nullptr, 0);
}

bool setsockopt(int fd, long level, long name, std::uint64_t value_ptr, long len) {
  constexpr long kIpprotoTcp = 6, kTcpNodelay = 1;
  if (child() || level != kIpprotoTcp || name != kTcpNodelay || len != 4 || !private_tcp(fd)) return false;
  std::int32_t v;
  if (!user::read(v, value_ptr)) return false;  // made now: EFAULT as Linux says
  LockGuard guard(g_lock);
  return enqueue(54, fd, level, name, &v, 4);
}

bool epoll_ctl(int epfd, int op, int fd, std::uint64_t event_ptr) {
  if (child() || fd < 0 || fd >= kFollowed || fd == epfd || !private_tcp(fd) || !fd_status::is_private(epfd))
    return false;
  std::uint8_t ev[12] = {};
  if (op != kEpollDel) {
    if (!user::copy_from(ev, event_ptr, sizeof ev)) return false;
    std::uint32_t events;
    __builtin_memcpy(&events, ev, 4);
    if (events & ~kPlainEvents) return false;
  }
  LockGuard guard(g_lock);
  Instance* i = instance(epfd);
  if (!i || i->waiters) return false;
  bool in = in_set(*i, fd);
  bool certain = op == kEpollAdd ? !in : (op == kEpollDel || op == kEpollMod) && in;
  if (!certain) return false;  // the kernel's error (EEXIST, ENOENT, EINVAL): made now
  if (!enqueue(233, epfd, op, fd, ev, sizeof ev)) return false;
  if (op != kEpollMod) {
    set_in(*i, fd, op == kEpollAdd);
    ref(fd, op == kEpollAdd ? 1 : -1);
  }
  return true;
}

void epoll_ctl_made(int epfd, int op, int fd, long result) {
  if (child() || fd < 0 || fd >= kFollowed) return;
  LockGuard guard(g_lock);
  bool added = (op == kEpollAdd && result == 0), removed = (op == kEpollDel && result == 0);
  if (added || removed) ref(fd, added ? 1 : -1);
  Instance* i = instance(epfd);
  if (!i) return;
  if (added || (op == kEpollAdd && result == -abi::kEEXIST)) set_in(*i, fd, true);
  if (removed || ((op == kEpollDel || op == kEpollMod) && result == -abi::kENOENT)) set_in(*i, fd, false);
}

void attach(channel::Channel* ch, std::uint64_t op) {
  ShimThread* self = current_thread();
  self->carried_count = 0;
  self->counted_epoll_wait = 0;
  bool waits = op == 232 || op == 281 || op == 441;  // epoll_wait epoll_pwait epoll_pwait2
  if (child() || (!waits && __atomic_load_n(&g_count, __ATOMIC_ACQUIRE) == 0)) {
    __atomic_store_n(&ch->deferred_count, 0u, __ATOMIC_RELAXED);
    __atomic_store_n(&ch->run_after, __atomic_load_n(&g_taken, __ATOMIC_ACQUIRE), __ATOMIC_RELAXED);
    return;
  }
  LockGuard guard(g_lock);
  std::uint32_t n = g_count;
  for (std::uint32_t k = 0; k < n; ++k) {
    __builtin_memcpy(&ch->deferred[k], &g_pending[k], sizeof g_pending[k]);
    self->carried[k] = g_pending[k].op << 32 | static_cast<std::uint32_t>(g_pending[k].args[g_pending[k].op == 233 ? 2 : 0]);
  }
  self->carried_count = n;
  ch->deferred_first = g_taken;
  g_taken += n;
  __atomic_store_n(&g_count, 0u, __ATOMIC_RELAXED);
  ch->run_after = g_taken;
  __atomic_store_n(&ch->deferred_count, n, __ATOMIC_RELEASE);
  if (waits) {
    ++g_waiters;
    Instance* i = instance(static_cast<int>(ch->req.args[0]));
    if (i) ++i->waiters;
    self->counted_epoll_wait = i ? static_cast<std::uint32_t>(i - g_epolls) + 2 : 1;
  }
}

void carried_results(channel::Channel* ch) {
  ShimThread* self = current_thread();
  if (std::uint32_t counted = self->counted_epoll_wait) {
    LockGuard guard(g_lock);
    --g_waiters;
    if (counted >= 2) {
      Instance& i = g_epolls[counted - 2];
      if (i.waiters && --i.waiters == 0 && i.epfd == -2) i.epfd = -1;
    }
    self->counted_epoll_wait = 0;
  }
  for (std::uint32_t k = 0; k < self->carried_count; ++k) {
    long r = __atomic_load_n(&ch->deferred_ret[k], __ATOMIC_RELAXED);
    if (r != 0)
      fatal("the host failed a deferred %s on fd %d (result %ld) that the program was told had succeeded",
            call_name(self->carried[k] >> 32), static_cast<int>(self->carried[k] & 0xffffffffu), r);
  }
  self->carried_count = 0;
}

void flush() {
  if (child() || __atomic_load_n(&g_count, __ATOMIC_ACQUIRE) == 0) return;
  proxy_call(static_cast<long>(channel::kOpPing));
}

}  // namespace cocoon::shim::deferred
