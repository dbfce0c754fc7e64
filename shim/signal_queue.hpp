// Pending signals of the program: what is queued for each thread and for the process, which
// signal a thread must take next, and the word waits in the shim sleep on.
//
// Every change happens under one lock taken with the host's asynchronous signals blocked
// (the host handlers queue signals too, and must never find the lock held by the thread they
// interrupted). Readers of a thread's own state (t->deliverable) need no lock.
#pragma once

#include <cstdint>

#include "shim/linux_abi.hpp"
#include "shim/thread.hpp"

namespace cocoon::shim::sigqueue {

constexpr std::uint64_t bit(int sig) { return 1ull << (sig - 1); }
inline constexpr std::uint64_t kUnblockable = bit(abi::kSIGKILL) | bit(abi::kSIGSTOP);
// Faults the CPU raises: never blocked by the host handlers (a blocked fault kills).
inline constexpr std::uint64_t kSynchronous = bit(abi::kSIGSEGV) | bit(abi::kSIGBUS) | bit(abi::kSIGILL) |
                                             bit(abi::kSIGFPE) | bit(abi::kSIGTRAP) | bit(abi::kSIGSYS);

// Generates `sig` for the program: to `target` (tgkill, tkill, a fault), or to the process
// (target null: kill, or a signal from outside). Applies the disposition as Linux does at
// generation: ignored and not blocked: dropped; fatal by default and not blocked: the
// process ends now (never returns); otherwise queued, and the thread that should take it is
// woken (if it waits in the shim) or kicked (if it runs the program).
void generate(ShimThread* target, int sig, const PendingSignal& what);

// Takes the next pending signal in `set` for thread t (its own first, then the process's;
// faults first, then the lowest number). 0 if none.
int take(ShimThread* t, std::uint64_t set, abi::SigInfo* info);

// Signals pending for the process (any thread may take them); use pending_for.
extern std::uint64_t g_process_pending;

// Signals pending for t or its process (inline: every syscall's exit looks).
inline std::uint64_t pending_for(const ShimThread* t) {
  return __atomic_load_n(&t->pending, __ATOMIC_ACQUIRE) | __atomic_load_n(&g_process_pending, __ATOMIC_ACQUIRE);
}

// Recomputes t->deliverable from the pending sets and t's mask; call on thread t only.
void refresh_deliverable(ShimThread* t);

// Bumped whenever a signal is queued; sigsuspend, pause and sigtimedwait sleep on it.
std::uint32_t* generation_word();

// The host signal the shim sends to one of the enclave's own threads to make it look at its
// pending set (it runs program code, or sleeps in the shim). Recognised by its sender.
inline constexpr int kKickSignal = 64;
bool is_kick(int sig, const abi::SigInfo* si);

// Blocks the host's asynchronous signals for a scope (the queue lock's condition).
class HostSignalsBlocked {
 public:
  HostSignalsBlocked();
  ~HostSignalsBlocked();
  HostSignalsBlocked(const HostSignalsBlocked&) = delete;
  HostSignalsBlocked& operator=(const HostSignalsBlocked&) = delete;
  std::uint64_t previous() const { return old_; }

 private:
  std::uint64_t old_ = 0;
};

}  // namespace cocoon::shim::sigqueue
