#include "shim/signal_queue.hpp"

#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/log.hpp"
#include "shim/signals.hpp"
#include "shim/sync.hpp"
#include "shim/threads.hpp"
#include "shim/timers.hpp"

namespace cocoon::shim::sigqueue {

std::uint64_t g_process_pending;

namespace {

SpinLock g_lock;
PendingSignal g_process_info[abi::kNSig];
std::uint32_t g_generation;

bool blocked(const ShimThread* t, int sig) { return (t->sigmask & bit(sig)) != 0; }

// The thread that should take a signal sent to the process: the caller if it does not block
// it, else the first live thread that does not, else none (it waits for one to unblock it).
ShimThread* choose_thread(int sig) {
  ShimThread* self = current_thread();
  if (!blocked(self, sig)) return self;
  ShimThread* found = nullptr;
  threads::for_each_live([&](ShimThread* t) {
    if (!found && !blocked(t, sig)) found = t;
  });
  return found;
}

void kick(ShimThread* t) {
  if (t == current_thread()) return;
  std::int32_t tid = __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE);
  if (tid > 0) host::call(abi::kTgkill, g.host_pid, tid, kKickSignal);
}

void fill_info(abi::SigInfo* info, int sig, const PendingSignal& p) {
  __builtin_memset(info, 0, sizeof *info);
  info->si_signo = sig;
  info->si_code = p.code;
  info->field0 = p.sender;
  __builtin_memcpy(&info->field1, &p.value, 8);
}

int lowest(std::uint64_t set) { return set ? __builtin_ctzll(set) + 1 : 0; }

int take_locked(ShimThread* t, std::uint64_t set, abi::SigInfo* info);

}  // namespace

HostSignalsBlocked::HostSignalsBlocked() {
  std::uint64_t block = ~kSynchronous;
  host::call(abi::kRtSigprocmask, abi::kSigBlock, &block, &old_, 8);
}
HostSignalsBlocked::~HostSignalsBlocked() { host::call(abi::kRtSigprocmask, abi::kSigSetmask, &old_, 0, 8); }

bool is_kick(int sig, const abi::SigInfo* si) {
  return sig == kKickSignal && si->si_code == abi::kSiTkill && static_cast<std::int32_t>(si->field0) == g.host_pid;
}

std::uint32_t* generation_word() { return &g_generation; }

void refresh_deliverable(ShimThread* t) {
  // A host handler may queue between the load and the store on this very thread: look again
  // until the pending sets did not move under the store.
  for (;;) {
    std::uint64_t p = pending_for(t);
    __atomic_store_n(&t->deliverable, static_cast<std::uint8_t>((p & ~t->sigmask) != 0), __ATOMIC_RELEASE);
    if (pending_for(t) == p) return;
  }
}

void generate(ShimThread* target, int sig, const PendingSignal& what) {
  const abi::KernelSigaction& act = signals::program_action(sig);
  HostSignalsBlocked no_host_signals;
  ShimThread* taker = target ? target : choose_thread(sig);
  bool is_blocked = !taker || blocked(taker, sig);
  if (!is_blocked) {
    if (signals::ignored(sig, act)) return;
    if (act.handler == abi::kSigDfl) {
      char why[120];
      snformat(why, sizeof why, "program killed by %s", signals::signal_name(sig));
      signals::die_by(sig, why);
    }
  }
  {
    LockGuard guard(g_lock);
    std::uint64_t* set = target ? &target->pending : &g_process_pending;
    PendingSignal* info = target ? target->pending_info : g_process_info;
    if (!(*set & bit(sig))) {
      info[sig - 1] = what;
      __atomic_fetch_or(set, bit(sig), __ATOMIC_RELEASE);
    }
    __atomic_add_fetch(&g_generation, 1u, __ATOMIC_RELEASE);
  }
  host::futex_wake(&g_generation, 0x7fffffff);
  if (taker) {
    if (taker == current_thread()) refresh_deliverable(taker);
    else kick(taker);
  }
}

int take(ShimThread* t, std::uint64_t set, abi::SigInfo* info) {
  HostSignalsBlocked no_host_signals;
  int sig = take_locked(t, set, info);
  if (sig && info->si_code == timers::kSiTimer) timers::taken(info);
  return sig;
}

namespace {
int take_locked(ShimThread* t, std::uint64_t set, abi::SigInfo* info) {
  LockGuard guard(g_lock);
  std::uint64_t mine = t->pending & set, process = g_process_pending & set;
  int sig = lowest(mine & kSynchronous);
  if (!sig) sig = lowest(mine);
  if (sig) {
    fill_info(info, sig, t->pending_info[sig - 1]);
    __atomic_fetch_and(&t->pending, ~bit(sig), __ATOMIC_RELEASE);
    return sig;
  }
  sig = lowest(process & kSynchronous);
  if (!sig) sig = lowest(process);
  if (sig) {
    fill_info(info, sig, g_process_info[sig - 1]);
    __atomic_fetch_and(&g_process_pending, ~bit(sig), __ATOMIC_RELEASE);
  }
  return sig;
}

}  // namespace

}  // namespace cocoon::shim::sigqueue
