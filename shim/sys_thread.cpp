// Thread state served in the enclave: TLS (%fs), tid address, robust lists, futexes, exit.
#include "shim/clock.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/sync.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/thread.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim {
namespace {

// Futex waiters: each sleeps on its own word with a host futex (an untrusted wait on
// hardware); wakers find them here by address. The program's futex words stay in the
// enclave and are only ever read by the shim.
struct Waiter {
  std::uint64_t uaddr;
  std::uint32_t bitset;
  std::uint32_t woken;  // host futex word
  Waiter* next;
};
SpinLock g_futex_lock;
Waiter* g_waiters;

constexpr long kCmdMask = 0x7f;  // without FUTEX_PRIVATE_FLAG / FUTEX_CLOCK_REALTIME
constexpr long kWaitBitset = 9, kWakeBitset = 10, kRequeue = 3, kCmpRequeue = 4, kWakeOp = 5;
constexpr long kClockRealtimeFlag = 256;

long futex_wait(std::uint64_t uaddr, std::uint32_t val, std::uint64_t timeout_ptr, bool absolute,
                bool realtime, std::uint32_t bitset) {
  if (bitset == 0) return -abi::kEINVAL;
  std::int64_t deadline = -1;
  if (timeout_ptr) {
    abi::Timespec ts;
    if (!user::read(ts, timeout_ptr)) return -abi::kEFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1'000'000'000) return -abi::kEINVAL;
    std::int64_t t = ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
    std::int64_t now = realtime ? clock::realtime_ns() : clock::monotonic_ns();
    deadline = clock::monotonic_ns() + (absolute ? t - now : t);
  }
  Waiter w{uaddr, bitset, 0, nullptr};
  {
    LockGuard guard(g_futex_lock);
    std::uint32_t cur;
    if (!user::read(cur, uaddr)) return -abi::kEFAULT;
    if (cur != val) return -abi::kEAGAIN;
    w.next = g_waiters;
    g_waiters = &w;
  }
  long result = 0;
  while (!__atomic_load_n(&w.woken, __ATOMIC_ACQUIRE)) {
    long wait_ns = -1;
    if (deadline >= 0) {
      wait_ns = deadline - clock::monotonic_ns();
      if (wait_ns <= 0) {
        result = -abi::kETIMEDOUT;
        break;
      }
    }
    host::futex_wait(&w.woken, 0, wait_ns);
  }
  LockGuard guard(g_futex_lock);
  for (Waiter** p = &g_waiters; *p; p = &(*p)->next)
    if (*p == &w) {
      *p = w.next;
      break;
    }
  if (result == -abi::kETIMEDOUT && __atomic_load_n(&w.woken, __ATOMIC_ACQUIRE)) result = 0;
  return result;
}

long futex_wake(std::uint64_t uaddr, long count, std::uint32_t bitset, std::uint64_t requeue_to = 0,
                long requeue_max = 0) {
  if (bitset == 0) return -abi::kEINVAL;
  long woken = 0, moved = 0;
  LockGuard guard(g_futex_lock);
  for (Waiter* w = g_waiters; w; w = w->next) {
    if (w->uaddr != uaddr || __atomic_load_n(&w->woken, __ATOMIC_RELAXED)) continue;
    if (woken < count) {
      if (!(w->bitset & bitset)) continue;
      __atomic_store_n(&w->woken, 1u, __ATOMIC_RELEASE);
      host::futex_wake(&w->woken, 1);
      ++woken;
    } else if (requeue_to && moved < requeue_max) {
      w->uaddr = requeue_to;
      ++moved;
    }
  }
  return woken + moved;
}

}  // namespace

long sys_arch_prctl(SyscallFrame& f) {
  ShimThread* t = current_thread();
  switch (f.a[0]) {
    case abi::kArchSetFs:
      t->program_fs = static_cast<std::uint64_t>(f.a[1]);
      asm volatile("wrfsbase %0" ::"r"(t->program_fs));
      return 0;
    case abi::kArchGetFs: {
      std::uint64_t fs;
      asm volatile("rdfsbase %0" : "=r"(fs));
      return user::write(static_cast<std::uint64_t>(f.a[1]), fs) ? 0 : -abi::kEFAULT;
    }
    case abi::kArchGetCpuid:
      return 1;
    default:
      // %gs belongs to the shim.
      report_unsupported(158, "only ARCH_SET_FS/ARCH_GET_FS/ARCH_GET_CPUID are supported");
      return -abi::kEINVAL;
  }
}

long sys_set_tid_address(SyscallFrame& f) {
  ShimThread* t = current_thread();
  t->clear_child_tid = static_cast<std::uint64_t>(f.a[0]);
  return t->tid;
}

long sys_set_robust_list(SyscallFrame& f) {
  if (f.a[1] != 24) return -abi::kEINVAL;
  ShimThread* t = current_thread();
  t->robust_list = static_cast<std::uint64_t>(f.a[0]);
  t->robust_list_len = 24;
  return 0;
}

long sys_get_robust_list(SyscallFrame& f) {
  ShimThread* t = current_thread();
  if (f.a[0] != 0 && f.a[0] != t->tid) return -abi::kESRCH;
  if (!user::write(static_cast<std::uint64_t>(f.a[1]), t->robust_list)) return -abi::kEFAULT;
  std::uint64_t len = 24;
  return user::write(static_cast<std::uint64_t>(f.a[2]), len) ? 0 : -abi::kEFAULT;
}

long sys_futex(SyscallFrame& f) {
  std::uint64_t uaddr = static_cast<std::uint64_t>(f.a[0]);
  long op = f.a[1];
  long cmd = op & kCmdMask & ~128;
  std::uint32_t val = static_cast<std::uint32_t>(f.a[2]);
  if (uaddr & 3) return -abi::kEINVAL;
  switch (cmd) {
    case abi::kFutexWait:
      return futex_wait(uaddr, val, static_cast<std::uint64_t>(f.a[3]), false, false, ~0u);
    case kWaitBitset:
      return futex_wait(uaddr, val, static_cast<std::uint64_t>(f.a[3]), true, (op & kClockRealtimeFlag) != 0,
                        static_cast<std::uint32_t>(f.a[5]));
    case abi::kFutexWake:
      return futex_wake(uaddr, static_cast<long>(val), ~0u);
    case kWakeBitset:
      return futex_wake(uaddr, static_cast<long>(val), static_cast<std::uint32_t>(f.a[5]));
    case kRequeue:
    case kCmpRequeue: {
      if (cmd == kCmpRequeue) {
        std::uint32_t cur;
        if (!user::read(cur, uaddr)) return -abi::kEFAULT;
        if (cur != static_cast<std::uint32_t>(f.a[5])) return -abi::kEAGAIN;
      }
      return futex_wake(uaddr, static_cast<long>(val), ~0u, static_cast<std::uint64_t>(f.a[4]), f.a[3]);
    }
    default:
      report_unsupported(202, "this futex operation is not supported (ENOSYS)");
      return -abi::kENOSYS;
  }
}

long sys_exit(SyscallFrame& f) {
  // One thread per enclave for now: the last thread's exit ends the process.
  host::exit_group(static_cast<int>(f.a[0] & 0xff));
}

long sys_exit_group(SyscallFrame& f) { host::exit_group(static_cast<int>(f.a[0] & 0xff)); }

}  // namespace cocoon::shim
