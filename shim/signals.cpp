#include "shim/signals.hpp"

#include "shim/dispatch.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/log.hpp"
#include "shim/patch.hpp"
#include "shim/signal_frame.hpp"
#include "shim/signal_queue.hpp"
#include "shim/thread.hpp"
#include "shim/user_memory.hpp"

extern "C" void shim_sigreturn_restorer();
extern "C" void shim_trap_stub();
extern "C" void shim_user_copy_insn();
extern "C" void shim_user_fill_insn();
extern "C" void shim_user_strnlen_insn();
extern "C" void shim_user_access_fault();
extern "C" void shim_exit_trap();
extern "C" void shim_exit_ret();
extern "C" void shim_syscall_entry();

namespace cocoon::shim::signals {
namespace {

abi::KernelSigaction g_actions[abi::kNSig + 1];

enum class Default { Term, Core, Ignore, Stop, Cont };

Default default_action(int sig) {
  switch (sig) {
    case abi::kSIGCHLD: case abi::kSIGURG: case abi::kSIGWINCH: return Default::Ignore;
    case abi::kSIGCONT: return Default::Cont;
    case abi::kSIGSTOP: case abi::kSIGTSTP: case abi::kSIGTTIN: case abi::kSIGTTOU: return Default::Stop;
    case abi::kSIGQUIT: case abi::kSIGILL: case abi::kSIGTRAP: case abi::kSIGABRT: case abi::kSIGBUS:
    case abi::kSIGFPE: case abi::kSIGSEGV: case abi::kSIGXCPU: case abi::kSIGXFSZ: case abi::kSIGSYS:
      return Default::Core;
    default:
      return Default::Term;
  }
}

bool rip_in_shim(std::uint64_t rip) { return rip >= g.text_begin && rip < g.text_end; }

// A syscall instruction of the program trapped (Syscall User Dispatch). Rewrite the call
// site when possible, then make the thread continue in the shim's syscall entry as if the
// site had called it: push the return address below the red zone, resume at the trap stub.
void on_syscall_trap(abi::UContext* uc) {
  std::uint64_t rip = uc->gregs[abi::kRip];
  bump_stat(g.window->stats.sigsys_traps);
  if (std::uint64_t nr = uc->gregs[abi::kRax]; nr < channel::kMaxStatsSyscalls) bump_stat(g.window->stats.trapped[nr]);
  if (!(g.flags & launch::kNoPatch)) patch::try_rewrite(rip - 2, uc->gregs[abi::kRax]);
  std::uint64_t sp = uc->gregs[abi::kRsp] - patch::kRedZone - 8;  // shim_trap_stub's call adds 8 more
  *reinterpret_cast<std::uint64_t*>(sp) = rip;
  uc->gregs[abi::kRsp] = sp;
  uc->gregs[abi::kRip] = reinterpret_cast<std::uint64_t>(&shim_trap_stub);
}

bool synchronous(const abi::SigInfo* si) { return si->si_code > 0; }

bool is_fault_signal(int sig) {
  return sig == abi::kSIGSEGV || sig == abi::kSIGBUS || sig == abi::kSIGFPE || sig == abi::kSIGILL ||
         sig == abi::kSIGTRAP || sig == abi::kSIGSYS;
}

extern "C" void host_signal_handler(int sig, abi::SigInfo* si, abi::UContext* uc) {
  std::uint64_t rip = uc->gregs[abi::kRip];
  if (sig == abi::kSIGSYS && si->si_code == abi::kSysUserDispatch) {
    on_syscall_trap(uc);
    return;
  }
  if (sig == abi::kSIGTRAP && patch::is_being_patched(rip - 1)) {
    uc->gregs[abi::kRip] = rip - 1;  // another thread is rewriting this site: retry it
    return;
  }
  bool fault = synchronous(si) && is_fault_signal(sig);
  if (fault && (sig == abi::kSIGSEGV || sig == abi::kSIGBUS) &&
      (rip == reinterpret_cast<std::uint64_t>(&shim_user_copy_insn) ||
       rip == reinterpret_cast<std::uint64_t>(&shim_user_fill_insn) ||
       rip == reinterpret_cast<std::uint64_t>(&shim_user_strnlen_insn))) {
    // A checked copy to or from the program's memory met a page another thread unmapped
    // meanwhile: the copy fails (EFAULT for the program).
    uc->gregs[abi::kRip] = reinterpret_cast<std::uint64_t>(&shim_user_access_fault);
    static std::uint32_t reported;
    if (verbose() && !__atomic_exchange_n(&reported, 1u, __ATOMIC_RELAXED))
      log("a copy to or from the program's memory met a page unmapped meanwhile (by another thread); the call gets EFAULT");
    return;
  }
  ShimThread* t = current_thread();
  if (fault && sig == abi::kSIGILL && rip == reinterpret_cast<std::uint64_t>(&shim_exit_trap)) {
    // The shim's exit path found a signal to deliver: the program resumes at the `ret` that
    // ends its syscall, after the handler.
    uc->gregs[abi::kRip] = reinterpret_cast<std::uint64_t>(&shim_exit_ret);
    deliver_pending(t, uc, true);
    return;
  }
  if (fault && rip_in_shim(rip)) {
    char why[200];
    snformat(why, sizeof why, "internal fault in the shim: %s at rip %p (shim offset 0x%lx), address %p",
             signal_name(sig), reinterpret_cast<void*>(rip), rip - g.image_base,
             reinterpret_cast<void*>(si->field0));
    die_by(sig, why);
  }
  if (fault) {
    // The program's own fault: its handler runs now, as Linux forces it (a blocked or
    // ignored fault kills).
    abi::KernelSigaction act = g_actions[sig];
    bool is_blocked = (t->sigmask & sigqueue::bit(sig)) != 0;
    if (act.handler == abi::kSigDfl || act.handler == abi::kSigIgn || is_blocked) {
      char why[200];
      snformat(why, sizeof why, "program killed by %s at rip %p, address %p%s", signal_name(sig),
               reinterpret_cast<void*>(rip), reinterpret_cast<void*>(si->field0),
               act.handler > abi::kSigIgn ? " (the signal was blocked)" : "");
      die_by(sig, why);
    }
    sigframe::push(t, uc, sig, *si, act);
    return;
  }
  // Asynchronous: from outside (through the supervisor or the terminal), or a kick from
  // another enclave thread that queued something for this one.
  if (!sigqueue::is_kick(sig, si)) {
    PendingSignal what{si->si_code, 0, si->field0, 0};
    __builtin_memcpy(&what.value, &si->field1, 8);
    sigqueue::generate(nullptr, sig, what);
  }
  // In the program's code (or the shim's entry and exit paths, which run on the program's
  // stack with its registers): deliver now. Inside the shim: at the end of the call.
  if (__atomic_load_n(&t->in_shim, __ATOMIC_ACQUIRE) == 0) deliver_pending(t, uc);
  else sigqueue::refresh_deliverable(t);
}

}  // namespace

bool ignored(int sig, const abi::KernelSigaction& act) {
  if (act.handler == abi::kSigIgn) return true;
  if (act.handler != abi::kSigDfl) return false;
  Default d = default_action(sig);
  return d == Default::Ignore || d == Default::Cont || d == Default::Stop;
}

namespace {

// Calls Linux never restarts after a handler ran, whatever SA_RESTART says.
bool never_restarted(long nr) {
  return nr == 7 || nr == 23 || nr == 270 || nr == 271 || nr == 232 || nr == 281 || nr == 441;
}

// The context resumes by making the same syscall again: shim_syscall_entry with the number
// in %rax (the exit path left it in %rcx) and the arguments still in their registers.
void restart_syscall(abi::UContext* uc) {
  uc->gregs[abi::kRip] = reinterpret_cast<std::uint64_t>(&shim_syscall_entry);
  uc->gregs[abi::kRax] = uc->gregs[abi::kRcx];
}

}  // namespace

void deliver_pending(ShimThread* t, abi::UContext* uc, bool at_syscall_exit) {
  bool interrupted = at_syscall_exit && static_cast<long>(uc->gregs[abi::kRax]) == kRestartSyscall;
  for (;;) {
    abi::SigInfo info;
    int sig = sigqueue::take(t, ~t->sigmask, &info);
    if (!sig) break;
    abi::KernelSigaction act = g_actions[sig];
    if (ignored(sig, act)) continue;
    if (act.handler == abi::kSigDfl) {
      char why[120];
      snformat(why, sizeof why, "program killed by %s", signal_name(sig));
      die_by(sig, why);
    }
    if (interrupted) {
      if ((act.flags & abi::kSaRestart) && !never_restarted(static_cast<long>(uc->gregs[abi::kRcx])))
        restart_syscall(uc);
      else
        uc->gregs[abi::kRax] = static_cast<std::uint64_t>(-abi::kEINTR);
    }
    sigframe::push(t, uc, sig, info, act);
    return;
  }
  if (interrupted) restart_syscall(uc);
  if (t->has_saved_mask) {
    t->sigmask = t->saved_mask;
    t->has_saved_mask = 0;
  }
  sigqueue::refresh_deliverable(t);
}

long wait_under_mask(ShimThread* t, std::uint64_t mask_ptr, std::uint64_t size) {
  if (!mask_ptr) return 0;
  if (size != 8) return -abi::kEINVAL;
  std::uint64_t mask;
  if (!user::read(mask, mask_ptr)) return -abi::kEFAULT;
  t->saved_mask = t->sigmask;
  t->has_saved_mask = 1;
  t->sigmask = mask & ~sigqueue::kUnblockable;
  sigqueue::refresh_deliverable(t);
  return __atomic_load_n(&t->deliverable, __ATOMIC_ACQUIRE) ? -abi::kEINTR : 0;
}

void after_syscall_slow(ShimThread* t) {
  std::uint64_t pending = sigqueue::pending_for(t);
  if (t->has_saved_mask && !(pending & ~t->sigmask)) {
    t->sigmask = t->saved_mask;
    t->has_saved_mask = 0;
  }
  sigqueue::refresh_deliverable(t);
}

long send(ShimThread* target, int sig, int code, std::uint64_t value) {
  if (sig == 0) return 0;
  PendingSignal what{code, 0, static_cast<std::uint32_t>(g.pid) | (static_cast<std::uint64_t>(g.uid) << 32), value};
  sigqueue::generate(target, sig, what);
  return 0;
}

long raise_in_program(int sig) { return send(current_thread(), sig, abi::kSiUser); }

const char* signal_name(int sig) {
  static const char* const names[] = {
      "signal 0", "SIGHUP",  "SIGINT",  "SIGQUIT", "SIGILL",    "SIGTRAP", "SIGABRT", "SIGBUS",
      "SIGFPE",   "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",   "SIGPIPE", "SIGALRM", "SIGTERM",
      "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
      "SIGXCPU",  "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",  "SIGPWR",  "SIGSYS"};
  if (sig >= 0 && sig < 32) return names[sig];
  return "a real-time signal";
}

abi::KernelSigaction& program_action(int sig) { return g_actions[sig]; }

void reset_handlers_for_exec() {
  for (auto& a : g_actions)
    if (a.handler != abi::kSigIgn) a = abi::KernelSigaction{};
}

void setup_thread_altstack(std::uint64_t base, std::uint64_t size) {
  abi::StackT ss{reinterpret_cast<void*>(base), 0, 0, size};
  host::call(abi::kSigaltstack, &ss, 0);
}

void install_host_handlers() {
  for (int sig = 1; sig <= abi::kNSig; ++sig) {
    if (sig == abi::kSIGKILL || sig == abi::kSIGSTOP) continue;
    abi::KernelSigaction act{};
    act.handler = reinterpret_cast<unsigned long>(&host_signal_handler);
    // No SA_RESTART: a wait in the shim must see EINTR to hand a signal to the program.
    // Asynchronous signals stay blocked while a handler runs (so a handler never
    // interrupts another on the same thread); faults cannot be blocked.
    act.flags = abi::kSaSiginfo | abi::kSaOnstack | abi::kSaRestorer;
    act.restorer = reinterpret_cast<unsigned long>(&shim_sigreturn_restorer);
    act.mask = ~sigqueue::kSynchronous;
    host::call(abi::kRtSigaction, sig, &act, 0, 8);
  }
  // The program starts with every disposition at SIG_DFL.
}

void die_by(int sig, const char* reason) {
  record_exit_reason(2, sig, reason);
  abi::KernelSigaction dfl{};
  dfl.handler = abi::kSigDfl;
  host::call(abi::kRtSigaction, sig, &dfl, 0, 8);
  std::uint64_t unblock = 1ull << (sig - 1);
  host::call(abi::kRtSigprocmask, abi::kSigUnblock, &unblock, 0, 8);
  host::call(abi::kTgkill, g.host_pid, host::call(abi::kGettid), sig);
  // A signal whose default action does not end the process still ends it here.
  host::exit_group(128 + sig);
}

}  // namespace cocoon::shim::signals
