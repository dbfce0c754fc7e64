#include "shim/signals.hpp"

#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/log.hpp"
#include "shim/patch.hpp"
#include "shim/thread.hpp"

extern "C" void shim_sigreturn_restorer();
extern "C" void shim_trap_stub();
extern "C" void shim_user_copy_insn();
extern "C" void shim_user_fill_insn();
extern "C" void shim_user_strnlen_insn();
extern "C" void shim_user_access_fault();

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
  if (!(g.flags & launch::kNoPatch)) patch::try_rewrite(rip - 2, uc->gregs[abi::kRax]);
  std::uint64_t sp = uc->gregs[abi::kRsp] - patch::kRedZone - 8;  // shim_trap_stub's call adds 8 more
  *reinterpret_cast<std::uint64_t*>(sp) = rip;
  uc->gregs[abi::kRsp] = sp;
  uc->gregs[abi::kRip] = reinterpret_cast<std::uint64_t>(&shim_trap_stub);
}

bool synchronous(const abi::SigInfo* si) { return si->si_code > 0; }

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
  bool fault = synchronous(si) && (sig == abi::kSIGSEGV || sig == abi::kSIGBUS || sig == abi::kSIGFPE ||
                                   sig == abi::kSIGILL || sig == abi::kSIGTRAP || sig == abi::kSIGSYS);
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
  if (fault && rip_in_shim(rip)) {
    char why[200];
    snformat(why, sizeof why, "internal fault in the shim: %s at rip %p (shim offset 0x%lx), address %p",
             signal_name(sig), reinterpret_cast<void*>(rip), rip - g.image_base,
             reinterpret_cast<void*>(si->field0));
    die_by(sig, why);
  }
  const abi::KernelSigaction& act = g_actions[sig];
  if (fault) {
    if (act.handler == abi::kSigDfl || act.handler == abi::kSigIgn) {
      char why[200];
      snformat(why, sizeof why, "program killed by %s at rip %p, address %p", signal_name(sig),
               reinterpret_cast<void*>(rip), reinterpret_cast<void*>(si->field0));
      die_by(sig, why);
    }
    char why[200];
    snformat(why, sizeof why, "program killed by %s at rip %p (its own %s handler cannot run yet)",
             signal_name(sig), reinterpret_cast<void*>(rip), signal_name(sig));
    die_by(sig, why);
  }
  // Asynchronous signal from outside (or from the proxy/supervisor).
  if (act.handler == abi::kSigIgn) return;
  if (act.handler == abi::kSigDfl) {
    Default d = default_action(sig);
    if (d == Default::Ignore || d == Default::Cont || d == Default::Stop) return;
    char why[120];
    snformat(why, sizeof why, "program killed by %s", signal_name(sig));
    die_by(sig, why);
  }
  char why[160];
  snformat(why, sizeof why, "program killed by %s (delivery to its handler is not supported yet)", signal_name(sig));
  die_by(sig, why);
}

}  // namespace

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
    act.flags = abi::kSaSiginfo | abi::kSaOnstack | abi::kSaRestorer | abi::kSaRestart;
    act.restorer = reinterpret_cast<unsigned long>(&shim_sigreturn_restorer);
    act.mask = 0;
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
  host::call(abi::kTgkill, g.pid, host::call(abi::kGettid), sig);
  // A signal whose default action does not end the process still ends it here.
  host::exit_group(128 + sig);
}

long raise_in_program(int sig) {
  if (sig == 0) return 0;
  const abi::KernelSigaction& act = g_actions[sig];
  if (act.handler == abi::kSigIgn) return 0;
  if (act.handler == abi::kSigDfl) {
    Default d = default_action(sig);
    if (d == Default::Ignore || d == Default::Cont || d == Default::Stop) return 0;
    char why[120];
    snformat(why, sizeof why, "program killed by %s", signal_name(sig));
    die_by(sig, why);
  }
  char why[160];
  snformat(why, sizeof why, "program killed by %s (delivery to its handler is not supported yet)", signal_name(sig));
  die_by(sig, why);
}

}  // namespace cocoon::shim::signals
