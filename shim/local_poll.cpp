#include "shim/local_poll.hpp"

#include "shim/deferred_calls.hpp"
#include "shim/clock.hpp"
#include "shim/dispatch.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/local_files.hpp"
#include "shim/log.hpp"
#include "shim/sync.hpp"
#include "shim/thread.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim::localpoll {
namespace {

constexpr std::int16_t kPollnval = 0x20;
constexpr std::uint32_t kEpollEt = 1u << 31, kEpollOneshot = 1u << 30;
constexpr std::uint32_t kEpollAlways = 0x8 | 0x10;  // EPOLLERR, EPOLLHUP
constexpr long kEpollCtlAdd = 1, kEpollCtlDel = 2, kEpollCtlMod = 3;
constexpr std::int64_t kMs = 1'000'000;

// A local fd in an epoll instance (the instance itself lives in the proxy).
struct Interest {
  int epfd;
  int fd;
  const void* file;        // the open file behind fd when it was added
  std::uint32_t events;
  std::uint64_t data;
  bool disarmed;           // EPOLLONESHOT after its event
  std::uint32_t reported;  // change count when an EPOLLET event was last reported
  Interest* next;
};

SpinLock g_lock;
Interest* g_interests;

// Waits until a local object changes after `seen` or the deadline passes (-1: none).
// kRestartSyscall when a signal is due.
long wait_local(std::uint32_t seen, std::int64_t deadline) {
  long wait = -1;
  if (deadline >= 0) {
    wait = deadline - clock::monotonic_ns();
    if (wait <= 0) return 0;
  }
  deferred::flush();
  host::futex_wait(local::change_word(), seen, wait);
  return __atomic_load_n(&current_thread()->deliverable, __ATOMIC_ACQUIRE) ? kRestartSyscall : 0;
}

// Timeout for the proxy, in ms (poll's unit), rounded up; -1 none.
long remaining_ms(std::int64_t deadline) {
  if (deadline < 0) return -1;
  std::int64_t left = deadline - clock::monotonic_ns();
  return left <= 0 ? 0 : static_cast<long>((left + kMs - 1) / kMs);
}

// poll of the non-local entries through the proxy (local ones are sent as -1), waiting at most
// timeout_ms. Fills their revents; ready count among them, or -errno / kRestartSyscall.
long proxy_poll(PollFd* fds, long n, long timeout_ms) {
  ProxyRequest rq(7);
  std::uint64_t bytes = static_cast<std::uint64_t>(n) * sizeof(PollFd);
  if (!rq.in_bytes(0, fds, bytes)) return -abi::kEINVAL;
  auto* sent = reinterpret_cast<PollFd*>(rq.data(0));
  for (long i = 0; i < n; ++i)
    if (sent[i].fd >= 0 && (local::is_local(sent[i].fd) || !fd::is_open(sent[i].fd))) sent[i].fd = -1;
  rq.arg(1, n);
  rq.arg(2, timeout_ms);
  long r = rq.call("poll");
  if (r < 0) return r;
  if (r > n) return iago("poll", "ready count", r);
  long ready = 0;
  for (long i = 0; i < n; ++i) {
    if (fds[i].fd < 0 || local::is_local(fds[i].fd) || !fd::is_open(fds[i].fd)) continue;
    fds[i].revents = reinterpret_cast<PollFd*>(rq.data(0))[i].revents;
    if (fds[i].revents) ++ready;
  }
  return ready;
}

}  // namespace

bool any_local(const PollFd* fds, long n) {
  for (long i = 0; i < n; ++i)
    if (fds[i].fd >= 0 && local::is_local(fds[i].fd)) return true;
  return false;
}

long poll(PollFd* fds, long n, std::int64_t timeout_ns) {
  std::int64_t deadline = timeout_ns < 0 ? -1 : clock::monotonic_ns() + timeout_ns;
  bool any_host = false;
  for (long i = 0; i < n; ++i)
    if (fds[i].fd >= 0 && !local::is_local(fds[i].fd) && fd::is_open(fds[i].fd)) any_host = true;
  for (;;) {
    std::uint32_t seen = __atomic_load_n(local::change_word(), __ATOMIC_ACQUIRE);
    long ready = 0;
    for (long i = 0; i < n; ++i) {
      fds[i].revents = 0;
      if (fds[i].fd < 0) continue;
      if (local::is_local(fds[i].fd)) fds[i].revents = local::poll_state(fds[i].fd, fds[i].events);
      else if (!fd::is_open(fds[i].fd)) fds[i].revents = kPollnval;
      if (fds[i].revents) ++ready;
    }
    if (any_host) {
      long r = proxy_poll(fds, n, 0);
      if (r < 0 && r != kRestartSyscall) return r;
      if (r > 0) ready += r;
    }
    if (ready > 0 || remaining_ms(deadline) == 0) return ready;
    if (!any_host) {
      if (long r = wait_local(seen, deadline)) return r;
      continue;
    }
    // Wait in the proxy for the host fds; a local change interrupts it.
    local::begin_mixed_wait();
    long r = 0;
    if (__atomic_load_n(local::change_word(), __ATOMIC_ACQUIRE) == seen) r = proxy_poll(fds, n, remaining_ms(deadline));
    local::end_mixed_wait();
    if (r == kRestartSyscall && __atomic_load_n(&current_thread()->deliverable, __ATOMIC_ACQUIRE)) return r;
    if (r < 0 && r != kRestartSyscall) return r;
    // Whatever happened (host fds ready, a local change, the timeout), look at everything again.
  }
}

// ---- epoll -------------------------------------------------------------------------------

bool epoll_has_local(int epfd) {
  LockGuard guard(g_lock);
  for (Interest* i = g_interests; i; i = i->next)
    if (i->epfd == epfd) return true;
  return false;
}

long epoll_ctl_local(int epfd, int op, int fdn, std::uint32_t events, std::uint64_t data) {
  LockGuard guard(g_lock);
  Interest** at = &g_interests;
  while (*at && !((*at)->epfd == epfd && (*at)->fd == fdn)) at = &(*at)->next;
  switch (op) {
    case kEpollCtlAdd: {
      if (*at) return -abi::kEEXIST;
      auto* i = static_cast<Interest*>(heap::alloc(sizeof(Interest)));
      if (!i) return -abi::kENOMEM;
      *i = Interest{epfd, fdn, local::file_identity(fdn), events, data, false, 0, g_interests};
      g_interests = i;
      break;
    }
    case kEpollCtlMod:
      if (!*at) return -abi::kENOENT;
      (*at)->events = events;
      (*at)->data = data;
      (*at)->disarmed = false;
      (*at)->reported = 0;
      break;
    case kEpollCtlDel: {
      if (!*at) return -abi::kENOENT;
      Interest* gone = *at;
      *at = gone->next;
      heap::free(gone, sizeof *gone);
      break;
    }
    default:
      return -abi::kEINVAL;
  }
  // A waiter in epoll_wait on this instance must look at the new set.
  local::poke();
  return 0;
}

namespace {

// Drops every interest `doomed` picks (the caller holds no lock).
template <typename Pred>
void forget_if(Pred doomed) {
  LockGuard guard(g_lock);
  for (Interest** at = &g_interests; *at;) {
    if (doomed(**at)) {
      Interest* gone = *at;
      *at = gone->next;
      heap::free(gone, sizeof *gone);
    } else {
      at = &(*at)->next;
    }
  }
}

}  // namespace

void forget_file(const void* file) {
  forget_if([file](const Interest& i) { return i.file == file; });
}

namespace {

// Interests of exported files waiting to be added to the proxy's epoll instances.
struct Moved {
  int epfd, fd;
  std::uint32_t events;
  std::uint64_t data;
};
constexpr int kMaxMoved = 64;
Moved g_moved[kMaxMoved];
int g_nmoved;

}  // namespace

void move_to_proxy(const void* file) {
  forget_if([&](const Interest& i) {
    if (i.file != file) return false;
    if (g_nmoved < kMaxMoved) g_moved[g_nmoved++] = Moved{i.epfd, i.fd, i.disarmed ? 0u : i.events, i.data};
    return true;
  });
  if (!vfork::current()) add_moved_to_proxy();
}

void add_moved_to_proxy() {
  Moved todo[kMaxMoved];
  int n;
  {
    LockGuard guard(g_lock);
    n = g_nmoved;
    __builtin_memcpy(todo, g_moved, sizeof(Moved) * static_cast<unsigned>(n));
    g_nmoved = 0;
  }
  for (int k = 0; k < n; ++k) {
    std::uint8_t ev[12];  // struct epoll_event (packed on x86-64)
    __builtin_memcpy(ev, &todo[k].events, 4);
    __builtin_memcpy(ev + 4, &todo[k].data, 8);
    ProxyRequest rq(233);
    rq.arg(0, todo[k].epfd);
    rq.arg(1, kEpollCtlAdd);
    rq.arg(2, todo[k].fd);
    if (!rq.in_bytes(3, ev, sizeof ev)) continue;
    long r = rq.call("epoll_ctl");
    if (r < 0 && verbose())
      log("epoll: fd %d left the enclave but not its epoll set %d (errno %ld)", todo[k].fd, todo[k].epfd, -r);
  }
}

void forget_epoll(int epfd) {
  if (!__atomic_load_n(&g_interests, __ATOMIC_ACQUIRE)) return;
  forget_if([epfd](const Interest& i) { return i.epfd == epfd; });
}

namespace {

struct EpollEvent {
  std::uint32_t events;
  std::uint64_t data;
} __attribute__((packed));
static_assert(sizeof(EpollEvent) == 12);

// The ready local interests of `epfd` into out (at most max). Level-triggered unless
// EPOLLET (then only after a change since it was last reported), EPOLLONESHOT disarms.
int local_events(int epfd, EpollEvent* out, int max, std::uint32_t now_changes) {
  int n = 0;
  LockGuard guard(g_lock);
  for (Interest* i = g_interests; i && n < max; i = i->next) {
    if (i->epfd != epfd || i->disarmed) continue;
    auto state = static_cast<std::uint16_t>(
        local::poll_state(i->fd, static_cast<std::int16_t>(i->events & 0xffff)));
    std::uint32_t ev = state & (i->events | kEpollAlways);
    if (!ev) continue;
    if ((i->events & kEpollEt) && i->reported == now_changes) continue;
    i->reported = now_changes;
    if (i->events & kEpollOneshot) i->disarmed = true;
    out[n++] = EpollEvent{ev, i->data};
  }
  return n;
}

// epoll_wait on the proxy's instance into out (at most max), waiting at most timeout_ms.
long proxy_epoll_wait(int epfd, EpollEvent* out, int max, long timeout_ms) {
  ProxyRequest rq(232);
  rq.arg(0, epfd);
  std::uint64_t bytes = static_cast<std::uint64_t>(max) * sizeof(EpollEvent);
  if (!rq.out(1, bytes)) return -abi::kEINVAL;
  rq.arg(2, max);
  rq.arg(3, timeout_ms);
  long r = rq.call("epoll_wait");
  if (r < 0) return r;
  if (r > max) return iago("epoll_wait", "event count", r);
  __builtin_memcpy(out, rq.data(1), static_cast<std::uint64_t>(r) * sizeof(EpollEvent));
  return r;
}

}  // namespace

long epoll_wait(int epfd, std::uint64_t events_at, int maxevents, std::int64_t timeout_ns) {
  if (maxevents <= 0 || maxevents > 4096) return -abi::kEINVAL;
  std::uint64_t bytes = static_cast<std::uint64_t>(maxevents) * sizeof(EpollEvent);
  if (!user::range_writable(events_at, bytes)) return -abi::kEFAULT;
  // What fits in one channel request bounds the host part; the rest waits for the next call.
  int host_max = maxevents;
  if (static_cast<std::uint64_t>(host_max) * sizeof(EpollEvent) > channel::kChannelDataSize)
    host_max = static_cast<int>(channel::kChannelDataSize / sizeof(EpollEvent));
  auto* out = static_cast<EpollEvent*>(heap::alloc(bytes));
  if (!out) return -abi::kENOMEM;
  std::int64_t deadline = timeout_ns < 0 ? -1 : clock::monotonic_ns() + timeout_ns;
  long result = 0;
  for (;;) {
    std::uint32_t seen = __atomic_load_n(local::change_word(), __ATOMIC_ACQUIRE);
    int n = local_events(epfd, out, maxevents, seen);
    // Local events ready, or no time to wait: the host's ready ones join them without waiting.
    // Otherwise the wait below answers at once when host events are ready.
    if (n > 0 || remaining_ms(deadline) == 0) {
      if (n < maxevents) {
        int room = maxevents - n < host_max ? maxevents - n : host_max;
        long r = proxy_epoll_wait(epfd, out + n, room, 0);
        if (r < 0 && r != kRestartSyscall) {
          result = r;
          break;
        }
        if (r > 0) n += static_cast<int>(r);
      }
      result = n;
      break;
    }
    local::begin_mixed_wait();
    long r = 0;
    if (__atomic_load_n(local::change_word(), __ATOMIC_ACQUIRE) == seen) {
      int room = maxevents < host_max ? maxevents : host_max;
      r = proxy_epoll_wait(epfd, out, room, remaining_ms(deadline));
    }
    local::end_mixed_wait();
    if (r > 0) {
      // Host events arrived; local ones may be ready as well: both in this answer.
      int n2 = static_cast<int>(r);
      n2 += local_events(epfd, out + n2, maxevents - n2, __atomic_load_n(local::change_word(), __ATOMIC_ACQUIRE));
      result = n2;
      break;
    }
    if (r == kRestartSyscall && __atomic_load_n(&current_thread()->deliverable, __ATOMIC_ACQUIRE)) {
      result = r;
      break;
    }
    if (r < 0 && r != kRestartSyscall) {
      result = r;
      break;
    }
  }
  if (result > 0 && !user::copy_to(events_at, out, static_cast<std::uint64_t>(result) * sizeof(EpollEvent)))
    result = -abi::kEFAULT;
  heap::free(out, bytes);
  return result;
}

}  // namespace cocoon::shim::localpoll
