// Making the calls the shim deferred (channel::DeferredCall) before the request they travel
// with, in the order the shim numbered them, whichever worker carries them.
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "proxy/proxy.hpp"

namespace cocoon::proxy {
namespace {

// Returns once every deferred call numbered below `seq` was made (sequence numbers wrap).
// Another worker carries them, normally within microseconds: yield to it, then sleep on the
// counter (bounded, so that a wake-up lost to a race costs 1 ms rather than a hang).
void wait_made(std::uint32_t* done, std::uint32_t seq) {
  for (int i = 0;; ++i) {
    std::uint32_t seen = __atomic_load_n(done, __ATOMIC_ACQUIRE);
    if (static_cast<std::int32_t>(seen - seq) >= 0) return;
    if (i < 64) {
      sched_yield();
      continue;
    }
    timespec ms{0, 1'000'000};
    syscall(SYS_futex, done, FUTEX_WAIT, seen, &ms, nullptr, 0);
  }
}

long make_one(const channel::DeferredCall& c) {
  long r;
  switch (c.op) {
    case 3:  // close
      r = close(static_cast<int>(c.args[0]));
      break;
    case 72:  // fcntl(F_SETFL) only
      if (c.args[1] != F_SETFL) return -EINVAL;
      r = syscall(SYS_fcntl, c.args[0], F_SETFL, c.args[2]);
      break;
    case 54:  // setsockopt with an int value
      r = setsockopt(static_cast<int>(c.args[0]), static_cast<int>(c.args[1]), static_cast<int>(c.args[2]), c.value, 4);
      break;
    case 233:  // epoll_ctl
      r = syscall(SYS_epoll_ctl, c.args[0], c.args[1], c.args[2], c.value);
      break;
    default:
      return -EINVAL;
  }
  return r < 0 ? -errno : r;
}

}  // namespace

void make_deferred_calls(channel::Channel* ch, channel::WindowHeader* window, Hostile hostile) {
  std::uint32_t* done = &window->deferred_done;
  std::uint32_t n = __atomic_load_n(&ch->deferred_count, __ATOMIC_ACQUIRE);
  if (n == 0 || n > channel::kMaxDeferred) {
    wait_made(done, __atomic_load_n(&ch->run_after, __ATOMIC_RELAXED));
    return;
  }
  std::uint32_t first = __atomic_load_n(&ch->deferred_first, __ATOMIC_RELAXED);
  wait_made(done, first);
  for (std::uint32_t i = 0; i < n; ++i) {
    channel::DeferredCall c;
    std::memcpy(&c, &ch->deferred[i], sizeof c);
    ch->deferred_ret[i] = hostile == Hostile::FailDeferred ? -EIO : make_one(c);
  }
  __atomic_store_n(done, first + n, __ATOMIC_RELEASE);
  syscall(SYS_futex, done, FUTEX_WAKE, 0x7fffffff, nullptr, nullptr, 0);
}

}  // namespace cocoon::proxy
