// poll, ppoll, select, pselect6, epoll_pwait, epoll_pwait2: forwarded with their fd sets; the
// program's signal mask argument is applied in the enclave for the duration of the wait
// (signals are delivered by the shim), the proxy waits with none.
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/linux_abi.hpp"
#include "shim/signals.hpp"
#include "shim/thread.hpp"
#include "syscalls/syscall_table.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim {
namespace {

constexpr std::int16_t kPollnval = 0x20;

long do_poll(long op, std::uint64_t fds, long nfds, long arg2, std::uint64_t tsp) {
  if (nfds < 0 || nfds > fd::kMaxFds) return -abi::kEINVAL;
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

// epoll_pwait and epoll_pwait2: the mask is applied here; the proxy waits with none.
long sys_epoll_pwait(SyscallFrame& f) {
  if (long r = signals::wait_under_mask(current_thread(), static_cast<std::uint64_t>(f.a[4]), static_cast<std::uint64_t>(f.a[5])))
    return r;
  SyscallFrame plain = f;
  plain.a[4] = 0;
  return forward_generic(*syscalls::find_syscall(f.nr), plain);
}

long sys_epoll_pwait2(SyscallFrame& f) { return sys_epoll_pwait(f); }

}  // namespace cocoon::shim
