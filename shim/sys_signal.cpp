// Signal bookkeeping served in the enclave: dispositions, masks, alternate stacks, and
// signals the program sends to itself.
#include "shim/deferred_calls.hpp"
#include "shim/clock.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/signal_frame.hpp"
#include "shim/signal_queue.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/signals.hpp"
#include "shim/sync.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::shim {
namespace {

constexpr std::uint64_t kUnblockable = sigqueue::kUnblockable;

SpinLock g_action_lock;  // rt_sigaction from several threads

bool valid_signal(long sig) { return sig >= 1 && sig <= abi::kNSig; }

}  // namespace

long sys_rt_sigaction(SyscallFrame& f) {
  long sig = f.a[0];
  if (!valid_signal(sig) || f.a[3] != 8) return -abi::kEINVAL;
  // A vfork child's dispositions are its own (glibc's posix_spawn resets handlers there).
  vfork::Child* child = vfork::current();
  abi::KernelSigaction& cur = child ? child->actions[sig] : signals::program_action(static_cast<int>(sig));
  abi::KernelSigaction next;
  if (f.a[1]) {
    if (sig == abi::kSIGKILL || sig == abi::kSIGSTOP) return -abi::kEINVAL;
    if (!user::read(next, static_cast<std::uint64_t>(f.a[1]))) return -abi::kEFAULT;
    next.mask &= ~kUnblockable;
  }
  abi::KernelSigaction old;
  {
    LockGuard guard(g_action_lock);
    old = cur;
    if (f.a[1]) cur = next;
  }
  if (f.a[2] && !user::write(static_cast<std::uint64_t>(f.a[2]), old)) return -abi::kEFAULT;
  return 0;
}

long sys_rt_sigprocmask(SyscallFrame& f) {
  if (f.a[3] != 8) return -abi::kEINVAL;
  ShimThread* t = current_thread();
  std::uint64_t old = t->sigmask;
  if (f.a[1]) {
    std::uint64_t set;
    if (!user::read(set, static_cast<std::uint64_t>(f.a[1]))) return -abi::kEFAULT;
    switch (f.a[0]) {
      case abi::kSigBlock: t->sigmask |= set; break;
      case abi::kSigUnblock: t->sigmask &= ~set; break;
      case abi::kSigSetmask: t->sigmask = set; break;
      default: return -abi::kEINVAL;
    }
    t->sigmask &= ~kUnblockable;
  }
  if (f.a[2] && !user::write(static_cast<std::uint64_t>(f.a[2]), old)) return -abi::kEFAULT;
  return 0;
}

long sys_rt_sigreturn(SyscallFrame&) { sigframe::sigreturn(current_thread()); }

long sys_rt_sigpending(SyscallFrame& f) {
  if (f.a[1] != 8) return -abi::kEINVAL;
  ShimThread* t = current_thread();
  std::uint64_t set = sigqueue::pending_for(t) & t->sigmask;
  return user::write(static_cast<std::uint64_t>(f.a[0]), set) ? 0 : -abi::kEFAULT;
}

// Sleeps until a signal is queued (any thread's generation bump) or `deadline_ns` passes
// (-1: no deadline). Returns false on timeout.
static bool wait_for_signal(std::uint32_t seen, std::int64_t deadline_ns) {
  long wait_ns = -1;
  if (deadline_ns >= 0) {
    wait_ns = deadline_ns - clock::monotonic_ns();
    if (wait_ns <= 0) return false;
  }
  deferred::flush();
  host::futex_wait(sigqueue::generation_word(), seen, wait_ns);
  return true;
}

long sys_rt_sigsuspend(SyscallFrame& f) {
  if (f.a[1] != 8) return -abi::kEINVAL;
  std::uint64_t mask;
  if (!user::read(mask, static_cast<std::uint64_t>(f.a[0]))) return -abi::kEFAULT;
  ShimThread* t = current_thread();
  t->saved_mask = t->sigmask;
  t->has_saved_mask = 1;
  t->sigmask = mask & ~sigqueue::kUnblockable;
  for (;;) {
    std::uint32_t seen = __atomic_load_n(sigqueue::generation_word(), __ATOMIC_ACQUIRE);
    if (sigqueue::pending_for(t) & ~t->sigmask) break;
    wait_for_signal(seen, -1);
  }
  // The exit path delivers it; the frame carries the mask from before the call.
  return -abi::kEINTR;
}

long sys_pause(SyscallFrame&) {
  ShimThread* t = current_thread();
  for (;;) {
    std::uint32_t seen = __atomic_load_n(sigqueue::generation_word(), __ATOMIC_ACQUIRE);
    if (sigqueue::pending_for(t) & ~t->sigmask) return -abi::kEINTR;
    wait_for_signal(seen, -1);
  }
}

long sys_rt_sigtimedwait(SyscallFrame& f) {
  if (f.a[3] != 8) return -abi::kEINVAL;
  std::uint64_t set;
  if (!user::read(set, static_cast<std::uint64_t>(f.a[0]))) return -abi::kEFAULT;
  set &= ~sigqueue::kUnblockable;
  std::int64_t deadline = -1;
  if (f.a[2]) {
    abi::Timespec ts;
    if (!user::read(ts, static_cast<std::uint64_t>(f.a[2]))) return -abi::kEFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1'000'000'000) return -abi::kEINVAL;
    deadline = clock::monotonic_ns() + ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
  }
  if (f.a[1] && !user::range_writable(static_cast<std::uint64_t>(f.a[1]), sizeof(abi::SigInfo))) return -abi::kEFAULT;
  ShimThread* t = current_thread();
  for (;;) {
    std::uint32_t seen = __atomic_load_n(sigqueue::generation_word(), __ATOMIC_ACQUIRE);
    abi::SigInfo info;
    if (int sig = sigqueue::take(t, set, &info)) {
      if (f.a[1] && !user::write(static_cast<std::uint64_t>(f.a[1]), info)) return -abi::kEFAULT;
      return sig;
    }
    // A signal outside the set that the thread does not block interrupts the wait.
    if (sigqueue::pending_for(t) & ~t->sigmask & ~set) return -abi::kEINTR;
    if (!wait_for_signal(seen, deadline)) return -abi::kEAGAIN;
  }
}

// sigqueue and pthread_sigqueue: to the enclave's own process or one of its threads.
static long queue_info(long nr, long pid, ShimThread* target, long sig, std::uint64_t info_at) {
  if (sig < 0 || sig > abi::kNSig) return -abi::kEINVAL;
  abi::SigInfo info;
  if (!user::read(info, info_at)) return -abi::kEFAULT;
  if (pid != g.pid) {
    report_unsupported(nr, "signals to processes outside the enclave are refused (EPERM)");
    return -abi::kEPERM;
  }
  // As Linux: a process may not pretend to be the kernel or kill() (si_code >= 0).
  if (info.si_code >= 0 || info.si_code == abi::kSiTkill) return -abi::kEPERM;
  std::uint64_t value;
  __builtin_memcpy(&value, &info.field1, 8);
  return signals::send(target, static_cast<int>(sig), info.si_code, value);
}

long sys_rt_sigqueueinfo(SyscallFrame& f) {
  return queue_info(129, f.a[0], nullptr, f.a[1], static_cast<std::uint64_t>(f.a[2]));
}

long sys_rt_tgsigqueueinfo(SyscallFrame& f) {
  ShimThread* target = f.a[0] == g.pid ? threads::live_thread(f.a[1]) : nullptr;
  if (f.a[0] == g.pid && !target) return -abi::kESRCH;
  return queue_info(297, f.a[0], target, f.a[2], static_cast<std::uint64_t>(f.a[3]));
}

long sys_sigaltstack(SyscallFrame& f) {
  ShimThread* t = current_thread();
  std::uint64_t sp = sigframe::program_sp_at_syscall(t);
  bool on_it = t->prog_altstack_size && sp > t->prog_altstack_sp && sp - t->prog_altstack_sp <= t->prog_altstack_size;
  if (f.a[1]) {
    int flags = t->prog_altstack_size ? (on_it ? abi::kSsOnstack : 0) : abi::kSsDisable;
    flags |= t->prog_altstack_flags & abi::kSsAutodisarm;
    abi::StackT old{reinterpret_cast<void*>(t->prog_altstack_sp), flags, 0, t->prog_altstack_size};
    if (!user::write(static_cast<std::uint64_t>(f.a[1]), old)) return -abi::kEFAULT;
  }
  if (f.a[0]) {
    abi::StackT ss;
    if (!user::read(ss, static_cast<std::uint64_t>(f.a[0]))) return -abi::kEFAULT;
    if (on_it) return -abi::kEPERM;  // as Linux: not while running on it
    int mode = ss.ss_flags & ~abi::kSsAutodisarm;
    if (mode != 0 && mode != abi::kSsDisable && mode != abi::kSsOnstack) return -abi::kEINVAL;
    if (mode == abi::kSsDisable) {
      t->prog_altstack_sp = 0;
      t->prog_altstack_size = 0;
      t->prog_altstack_flags = abi::kSsDisable;
    } else {
      if (ss.ss_size < 2048) return -abi::kENOMEM;  // MINSIGSTKSZ
      t->prog_altstack_sp = reinterpret_cast<std::uint64_t>(ss.ss_sp);
      t->prog_altstack_size = ss.ss_size;
      t->prog_altstack_flags = ss.ss_flags & abi::kSsAutodisarm;
    }
  }
  return 0;
}

long sys_kill(SyscallFrame& f) {
  long pid = static_cast<std::int32_t>(f.a[0]), sig = f.a[1];  // pid_t: an int
  if (sig < 0 || sig > abi::kNSig) return -abi::kEINVAL;
  if (pid == g.pid || pid == 0 || pid == -1 || pid == -g.pid)
    return signals::send(nullptr, static_cast<int>(sig), abi::kSiUser);
  return children::kill_other(pid, sig);
}

namespace {

// Whether the program's fd is the directory /proc/<its own pid> (or /proc/self), which Linux
// takes as a pidfd of the process. Such a path is the proxy's /proc/self in the host
// (proc::alias_own_pid), so the proxy's kernel would signal the proxy: asked of the proxy by
// the link /proc/self/fd/<fd>, which names its own /proc directory then.
bool own_proc_dir(int fd) {
  std::int32_t proxy = __atomic_load_n(&g.window->proxy_pid, __ATOMIC_ACQUIRE);
  if (fd < 0 || proxy <= 0) return false;
  char target[64], want[32];
  std::size_t w = snformat(want, sizeof want, "/proc/%d", proxy);
  long r = proxy_fd_link(fd, target, sizeof target);
  return r == static_cast<long>(w) && __builtin_memcmp(target, want, w) == 0;
}

}  // namespace

// pidfd_send_signal: forwarded (the proxy holds the pidfd), except on the program's own /proc
// directory, where the signal is the program's own (as kill or rt_sigqueueinfo to itself).
long sys_pidfd_send_signal(SyscallFrame& f) {
  int fd = static_cast<int>(f.a[0]);
  long sig = f.a[1];
  if (fd::to_proxy(fd) >= 0 && own_proc_dir(fd)) {
    if (f.a[3] != 0) return -abi::kEINVAL;  // no flags defined for this
    if (sig < 0 || sig > abi::kNSig) return -abi::kEINVAL;
    if (f.a[2]) return queue_info(129, g.pid, nullptr, sig, static_cast<std::uint64_t>(f.a[2]));
    return signals::send(nullptr, static_cast<int>(sig), abi::kSiUser);
  }
  return forward_generic(*syscalls::find_syscall(424), f);
}

long sys_tgkill(SyscallFrame& f) {
  long tgid = f.a[0], tid = f.a[1], sig = f.a[2];
  if (sig < 0 || sig > abi::kNSig || tid <= 0 || tgid <= 0) return -abi::kEINVAL;
  ShimThread* target = tgid == g.pid ? threads::live_thread(tid) : nullptr;
  if (!target) return -abi::kESRCH;
  return signals::send(target, static_cast<int>(sig), abi::kSiTkill);
}

long sys_tkill(SyscallFrame& f) {
  long tid = f.a[0], sig = f.a[1];
  if (sig < 0 || sig > abi::kNSig || tid <= 0) return -abi::kEINVAL;
  ShimThread* target = threads::live_thread(tid);
  if (!target) return -abi::kESRCH;
  return signals::send(target, static_cast<int>(sig), abi::kSiTkill);
}

}  // namespace cocoon::shim
