// Signal bookkeeping served in the enclave: dispositions, masks, alternate stacks, and
// signals the program sends to itself.
#include "shim/globals.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/signals.hpp"
#include "shim/sync.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim {
namespace {

constexpr std::uint64_t kUnblockable = (1ull << (abi::kSIGKILL - 1)) | (1ull << (abi::kSIGSTOP - 1));

SpinLock g_action_lock;  // rt_sigaction from several threads

bool valid_signal(long sig) { return sig >= 1 && sig <= abi::kNSig; }

}  // namespace

long sys_rt_sigaction(SyscallFrame& f) {
  long sig = f.a[0];
  if (!valid_signal(sig) || f.a[3] != 8) return -abi::kEINVAL;
  abi::KernelSigaction& cur = signals::program_action(static_cast<int>(sig));
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

long sys_rt_sigreturn(SyscallFrame&) {
  // The shim never builds a signal frame on the program's stack yet, so a sigreturn cannot
  // match a delivery: the program is confused. End it as Linux would (SIGSEGV).
  signals::die_by(abi::kSIGSEGV, "rt_sigreturn without a signal being delivered");
}

long sys_rt_sigpending(SyscallFrame& f) {
  if (f.a[1] != 8) return -abi::kEINVAL;
  std::uint64_t none = 0;
  return user::write(static_cast<std::uint64_t>(f.a[0]), none) ? 0 : -abi::kEFAULT;
}

long sys_sigaltstack(SyscallFrame& f) {
  ShimThread* t = current_thread();
  if (f.a[1]) {
    abi::StackT old{reinterpret_cast<void*>(t->prog_altstack_sp), t->prog_altstack_size ? 0 : abi::kSsDisable, 0,
                    t->prog_altstack_size};
    if (!user::write(static_cast<std::uint64_t>(f.a[1]), old)) return -abi::kEFAULT;
  }
  if (f.a[0]) {
    abi::StackT ss;
    if (!user::read(ss, static_cast<std::uint64_t>(f.a[0]))) return -abi::kEFAULT;
    if (ss.ss_flags & ~(abi::kSsDisable | (1 << 31))) return -abi::kEINVAL;
    if (ss.ss_flags & abi::kSsDisable) {
      t->prog_altstack_sp = 0;
      t->prog_altstack_size = 0;
    } else {
      if (ss.ss_size < 2048) return -abi::kENOMEM;
      t->prog_altstack_sp = reinterpret_cast<std::uint64_t>(ss.ss_sp);
      t->prog_altstack_size = ss.ss_size;
    }
    t->prog_altstack_flags = ss.ss_flags;
  }
  return 0;
}

long sys_kill(SyscallFrame& f) {
  long pid = f.a[0], sig = f.a[1];
  if (sig < 0 || sig > abi::kNSig) return -abi::kEINVAL;
  if (pid == g.pid || pid == 0 || pid == -1 || pid == -g.pid) return signals::raise_in_program(static_cast<int>(sig));
  report_unsupported(62, "signals to processes outside the enclave are refused (EPERM)");
  return -abi::kEPERM;
}

long sys_tgkill(SyscallFrame& f) {
  long tgid = f.a[0], tid = f.a[1], sig = f.a[2];
  if (sig < 0 || sig > abi::kNSig || tid <= 0 || tgid <= 0) return -abi::kEINVAL;
  if (tgid != g.pid || !threads::tid_alive(tid)) return -abi::kESRCH;
  return signals::raise_in_program(static_cast<int>(sig));
}

long sys_tkill(SyscallFrame& f) {
  long tid = f.a[0], sig = f.a[1];
  if (sig < 0 || sig > abi::kNSig || tid <= 0) return -abi::kEINVAL;
  if (!threads::tid_alive(tid)) return -abi::kESRCH;
  return signals::raise_in_program(static_cast<int>(sig));
}

}  // namespace cocoon::shim
