// poll, ppoll, select, pselect6, epoll_pwait, epoll_pwait2: forwarded with their fd sets; the
// program's signal mask argument is applied in the enclave for the duration of the wait
// (signals are delivered by the shim), the proxy waits with none.
#include "shim/deferred_calls.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/heap.hpp"
#include "shim/linux_abi.hpp"
#include "shim/local_files.hpp"
#include "shim/local_poll.hpp"
#include "shim/signals.hpp"
#include "shim/thread.hpp"
#include "syscalls/syscall_table.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim {
namespace {

constexpr std::int16_t kPollnval = 0x20;

// poll/ppoll over a set with in-enclave pipes or eventfds (shim/local_poll.cpp). false when
// the set has none (the caller forwards it as usual).
bool poll_with_local(long op, std::uint64_t fds, long nfds, long arg2, std::uint64_t tsp, long* result) {
  if (!local::any() || nfds == 0) return false;
  std::uint64_t bytes = static_cast<std::uint64_t>(nfds) * 8;
  auto* set = static_cast<localpoll::PollFd*>(heap::alloc(bytes));
  if (!set) return false;
  bool mine = user::copy_from(set, fds, bytes) && localpoll::any_local(set, nfds);
  if (mine) {
    std::int64_t timeout_ns = -1;
    if (op == 7) {
      if (arg2 >= 0) timeout_ns = arg2 * 1'000'000;
    } else if (tsp) {
      abi::Timespec ts;
      if (!user::read(ts, tsp)) {
        heap::free(set, bytes);
        *result = -abi::kEFAULT;
        return true;
      }
      timeout_ns = ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
    }
    long r = localpoll::poll(set, nfds, timeout_ns);
    if (r >= 0)
      for (long i = 0; i < nfds; ++i)
        if (!user::write(fds + static_cast<std::uint64_t>(i) * 8 + 6, set[i].revents)) r = -abi::kEFAULT;
    *result = r;
  }
  heap::free(set, bytes);
  return mine;
}

// select/pselect6 over a set with in-enclave fds: as a poll, sets rewritten from its revents.
bool select_with_local(long nfds, std::uint64_t sets[3], std::int64_t timeout_ns, long* result) {
  if (!local::any() || nfds <= 0) return false;
  std::uint64_t bytes = ((static_cast<std::uint64_t>(nfds) + 63) / 64) * 8;
  std::uint8_t in[3][fd::kMaxFds / 8];
  bool any_local = false;
  long count = 0;
  for (int k = 0; k < 3; ++k) {
    __builtin_memset(in[k], 0, bytes);
    if (sets[k] && !user::copy_from(in[k], sets[k], bytes)) return false;
  }
  for (long n = 0; n < nfds; ++n)
    if (((in[0][n / 8] | in[1][n / 8] | in[2][n / 8]) >> (n % 8)) & 1) {
      ++count;
      any_local = any_local || local::is_local(static_cast<int>(n));
    }
  if (!any_local) return false;
  auto* set = static_cast<localpoll::PollFd*>(heap::alloc(static_cast<std::uint64_t>(count) * 8));
  if (!set) return false;
  long m = 0;
  for (long n = 0; n < nfds; ++n) {
    bool r = (in[0][n / 8] >> (n % 8)) & 1, w = (in[1][n / 8] >> (n % 8)) & 1, e = (in[2][n / 8] >> (n % 8)) & 1;
    if (!(r || w || e)) continue;
    set[m++] = localpoll::PollFd{static_cast<std::int32_t>(n),
                                 static_cast<std::int16_t>((r ? 0x1 : 0) | (w ? 0x4 : 0) | (e ? 0x2 : 0)), 0};
  }
  long ready = localpoll::poll(set, count, timeout_ns);
  if (ready >= 0) {
    for (int k = 0; k < 3; ++k) __builtin_memset(in[k], 0, bytes);
    ready = 0;
    for (long i = 0; i < count && ready >= 0; ++i) {
      std::int16_t rev = set[i].revents;
      int n = set[i].fd;
      if (rev & kPollnval) ready = -abi::kEBADF;
      bool r = (set[i].events & 0x1) && (rev & (0x1 | 0x40 | 0x10 | 0x8));   // POLLIN POLLRDNORM POLLHUP POLLERR
      bool w = (set[i].events & 0x4) && (rev & (0x4 | 0x100 | 0x8));        // POLLOUT POLLWRNORM POLLERR
      bool e = (set[i].events & 0x2) && (rev & 0x2);                         // POLLPRI
      if (ready < 0) break;
      if (r) in[0][n / 8] = static_cast<std::uint8_t>(in[0][n / 8] | (1 << (n % 8))), ++ready;
      if (w) in[1][n / 8] = static_cast<std::uint8_t>(in[1][n / 8] | (1 << (n % 8))), ++ready;
      if (e) in[2][n / 8] = static_cast<std::uint8_t>(in[2][n / 8] | (1 << (n % 8))), ++ready;
    }
    for (int k = 0; k < 3 && ready >= 0; ++k)
      if (sets[k] && !user::copy_to(sets[k], in[k], bytes)) ready = -abi::kEFAULT;
  }
  heap::free(set, static_cast<std::uint64_t>(count) * 8);
  *result = ready;
  return true;
}

long do_poll(long op, std::uint64_t fds, long nfds, long arg2, std::uint64_t tsp) {
  if (nfds < 0 || nfds > fd::kMaxFds) return -abi::kEINVAL;
  if (long r; poll_with_local(op, fds, nfds, arg2, tsp, &r)) return r;
  std::uint64_t bytes = static_cast<std::uint64_t>(nfds) * 8;
  ProxyRequest rq(op);
  if (!rq.in(0, fds, bytes)) return -abi::kEFAULT;
  rq.arg(1, nfds);
  // fds the shim does not know are polled as -1 by the proxy and reported POLLNVAL here.
  auto* p = rq.data(0);
  long invalid = 0;
  for (long i = 0; i < nfds; ++i) {
    std::int32_t fdn;
    __builtin_memcpy(&fdn, p + i * 8, 4);
    if (fdn >= 0 && !fd::is_open(fdn)) {
      std::int32_t none = -1;
      __builtin_memcpy(p + i * 8, &none, 4);
      ++invalid;
    }
  }
  if (op == 7) {
    rq.arg(2, invalid ? 0 : arg2);  // an invalid fd makes poll return at once
  } else if (tsp) {
    if (!rq.in(2, tsp, 16)) return -abi::kEFAULT;
    if (invalid) __builtin_memset(rq.data(2), 0, 16);
  }
  long r = rq.call(op == 7 ? "poll" : "ppoll");
  if (r < 0) return r;
  if (r > nfds) return iago("poll", "ready count", r);
  // Copy revents back, restoring the program's fds and marking unknown ones.
  long ready = 0;
  for (long i = 0; i < nfds; ++i) {
    std::uint8_t orig[8];
    if (!user::copy_from(orig, fds + static_cast<std::uint64_t>(i) * 8, 8)) return -abi::kEFAULT;
    std::int32_t fdn;
    __builtin_memcpy(&fdn, orig, 4);
    std::int16_t revents = 0;
    if (fdn >= 0 && !fd::is_open(fdn)) revents = kPollnval;
    else if (fdn >= 0) __builtin_memcpy(&revents, p + i * 8 + 6, 2);
    if (revents) ++ready;
    __builtin_memcpy(orig + 6, &revents, 2);
    if (!user::copy_to(fds + static_cast<std::uint64_t>(i) * 8, orig, 8)) return -abi::kEFAULT;
  }
  return ready;
}

long do_select(long op, long nfds, std::uint64_t sets[3], std::uint64_t tp, std::uint64_t tsize) {
  if (nfds < 0 || nfds > fd::kMaxFds) return -abi::kEINVAL;
  if (local::any()) {
    std::int64_t timeout_ns = -1;
    if (tp) {
      std::int64_t t[2];
      if (!user::read(t, tp)) return -abi::kEFAULT;
      timeout_ns = t[0] * 1'000'000'000 + (op == 23 ? t[1] * 1000 : t[1]);  // timeval or timespec
    }
    if (long r; select_with_local(nfds, sets, timeout_ns, &r)) return r;
  }
  std::uint64_t bytes = ((static_cast<std::uint64_t>(nfds) + 63) / 64) * 8;
  ProxyRequest rq(op);
  rq.arg(0, nfds);
  for (int k = 0; k < 3; ++k) {
    if (!sets[k]) continue;
    if (!rq.in(1 + k, sets[k], bytes)) return -abi::kEFAULT;
    const std::uint8_t* set = rq.data(1 + k);
    for (long fdn = 0; fdn < nfds; ++fdn)
      if ((set[fdn / 8] >> (fdn % 8)) & 1)
        if (!fd::is_open(static_cast<int>(fdn))) return -abi::kEBADF;
  }
  if (tp && !rq.in(4, tp, tsize)) return -abi::kEFAULT;
  long r = rq.call(op == 23 ? "select" : "pselect6");
  if (r < 0) return r;
  if (r > nfds * 3) return iago("select", "ready count", r);
  for (int k = 0; k < 3; ++k)
    if (sets[k] && !user::copy_to(sets[k], rq.data(1 + k), bytes)) return -abi::kEFAULT;
  if (tp && op == 23 && !user::copy_to(tp, rq.data(4), tsize)) return -abi::kEFAULT;
  return r;
}

}  // namespace

long sys_poll(SyscallFrame& f) { return do_poll(7, static_cast<std::uint64_t>(f.a[0]), f.a[1], f.a[2], 0); }

long sys_ppoll(SyscallFrame& f) {
  if (long r = signals::wait_under_mask(current_thread(), static_cast<std::uint64_t>(f.a[3]), static_cast<std::uint64_t>(f.a[4])))
    return r;
  return do_poll(271, static_cast<std::uint64_t>(f.a[0]), f.a[1], 0, static_cast<std::uint64_t>(f.a[2]));
}

long sys_select(SyscallFrame& f) {
  std::uint64_t sets[3] = {static_cast<std::uint64_t>(f.a[1]), static_cast<std::uint64_t>(f.a[2]),
                           static_cast<std::uint64_t>(f.a[3])};
  return do_select(23, f.a[0], sets, static_cast<std::uint64_t>(f.a[4]), 16);
}

long sys_pselect6(SyscallFrame& f) {
  // arg5: {const sigset_t* ss; size_t ss_len}
  if (f.a[5]) {
    std::uint64_t pair[2];
    if (!user::read(pair, static_cast<std::uint64_t>(f.a[5]))) return -abi::kEFAULT;
    if (long r = signals::wait_under_mask(current_thread(), pair[0], pair[1])) return r;
  }
  std::uint64_t sets[3] = {static_cast<std::uint64_t>(f.a[1]), static_cast<std::uint64_t>(f.a[2]),
                           static_cast<std::uint64_t>(f.a[3])};
  return do_select(270, f.a[0], sets, static_cast<std::uint64_t>(f.a[4]), 16);
}

// epoll_ctl: a local fd's interest is kept in the enclave; others go to the proxy's instance.
long sys_epoll_ctl(SyscallFrame& f) {
  int epfd = static_cast<int>(f.a[0]), target = static_cast<int>(f.a[2]);
  if (local::is_local(target)) {
    if (!fd::is_open(epfd) || local::is_local(epfd)) return -abi::kEBADF;
    if (epfd == target) return -abi::kEINVAL;
    struct {
      std::uint32_t events;
      std::uint64_t data;
    } __attribute__((packed)) ev{0, 0};
    if (f.a[1] != 2 && !user::read(ev, static_cast<std::uint64_t>(f.a[3]))) return -abi::kEFAULT;
    return localpoll::epoll_ctl_local(epfd, static_cast<int>(f.a[1]), target, ev.events, ev.data);
  }
  int op = static_cast<int>(f.a[1]);
  if (deferred::epoll_ctl(epfd, op, target, static_cast<std::uint64_t>(f.a[3]))) return 0;
  long r = forward_generic(*syscalls::find_syscall(233), f);
  deferred::epoll_ctl_made(epfd, op, target, r);
  return r;
}

// epoll_wait, epoll_pwait, epoll_pwait2: an instance watching local fds is waited on here;
// the mask (pwait) applies in the enclave, the proxy waits with none.
long epoll_wait_common(SyscallFrame& f, std::int64_t timeout_ns) {
  int epfd = static_cast<int>(f.a[0]);
  if (localpoll::epoll_has_local(epfd)) {
    if (!fd::is_open(epfd)) return -abi::kEBADF;
    return localpoll::epoll_wait(epfd, static_cast<std::uint64_t>(f.a[1]), static_cast<int>(f.a[2]), timeout_ns);
  }
  SyscallFrame plain = f;
  if (f.nr != 232) plain.a[4] = 0;
  return forward_generic(*syscalls::find_syscall(f.nr), plain);
}

long sys_epoll_wait(SyscallFrame& f) {
  return epoll_wait_common(f, static_cast<int>(f.a[3]) < 0 ? -1 : static_cast<std::int64_t>(static_cast<int>(f.a[3])) * 1'000'000);
}

long sys_epoll_pwait(SyscallFrame& f) {
  if (long r = signals::wait_under_mask(current_thread(), static_cast<std::uint64_t>(f.a[4]), static_cast<std::uint64_t>(f.a[5])))
    return r;
  return sys_epoll_wait(f);
}

long sys_epoll_pwait2(SyscallFrame& f) {
  if (long r = signals::wait_under_mask(current_thread(), static_cast<std::uint64_t>(f.a[4]), static_cast<std::uint64_t>(f.a[5])))
    return r;
  std::int64_t timeout_ns = -1;
  if (f.a[3]) {
    abi::Timespec ts;
    if (!user::read(ts, static_cast<std::uint64_t>(f.a[3]))) return -abi::kEFAULT;
    timeout_ns = ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
  }
  return epoll_wait_common(f, timeout_ns);
}

}  // namespace cocoon::shim
