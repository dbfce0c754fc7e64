// Signals: the host-level handlers of the enclave process (Syscall User Dispatch traps,
// faults, asynchronous signals), the program's dispositions, and delivery to its handlers.
//
// Where a signal reaches the program:
//  * a fault in the program's code: its handler runs at once (frame built from the host
//    context the kernel gave the shim's handler);
//  * an asynchronous signal while the thread runs program code: the same, at once;
//  * while the shim serves a call: queued; the shim's exit path (shim/entry.S) traps into
//    the SIGILL handler with the program's full state once the call is done, and the handler
//    runs then. Waits inside the shim (futex, nanosleep, sigsuspend, sigtimedwait, pause)
//    end with EINTR for it; forwarded calls blocked in the proxy finish first.
#pragma once

#include <cstdint>

#include "shim/linux_abi.hpp"
#include "shim/signal_queue.hpp"
#include "shim/thread.hpp"

namespace cocoon::shim::signals {

// Installs the shim's host handlers for every catchable signal, on the thread's altstack.
void install_host_handlers();
void setup_thread_altstack(std::uint64_t base, std::uint64_t size);

// The program's disposition of a signal (its rt_sigaction view).
abi::KernelSigaction& program_action(int sig);
// True when the disposition discards the signal (SIG_IGN, or SIG_DFL of a signal whose
// default is to be ignored, to stop or to continue: no job control in an enclave).
bool ignored(int sig, const abi::KernelSigaction& act);

// The program sends `sig` to its own process (target null) or to one of its threads, with
// si_code `code` and its own pid and uid as sender. 0, as kill returns.
long send(ShimThread* target, int sig, int code, std::uint64_t value = 0);
// A signal the shim raises for the calling thread (SIGPIPE after a write to a closed pipe).
long raise_in_program(int sig);

// Takes the next signal thread t may take and runs its handler on top of `uc` (see
// sigframe::push); applies default actions on the way. Restores sigsuspend's mask when no
// handler runs. Call on thread t only, with host signals blocked or from a host handler.
// At a syscall's exit, a call the signal interrupted (kRestartSyscall in %rax) is made again
// or ends with EINTR, as the handler's SA_RESTART says.
void deliver_pending(ShimThread* t, abi::UContext* uc, bool at_syscall_exit = false);

// ppoll, pselect6, epoll_pwait: the call waits under the mask at `mask_ptr` (when not null),
// as sigsuspend does; after it the thread's mask is restored (by after_syscall, or by the
// handler's frame when a signal ends the wait). 0, -EFAULT, -EINVAL, or -EINTR when a signal
// the mask lets through is already pending (the call must not wait).
long wait_under_mask(ShimThread* t, std::uint64_t mask_ptr, std::uint64_t size);

// After every syscall the shim served (shim/dispatch.cpp): keeps t->deliverable right. The
// common case (nothing pending, no temporary mask) costs two loads, inline.
void after_syscall_slow(ShimThread* t);
inline void after_syscall(ShimThread* t) {
  if (sigqueue::pending_for(t) | t->has_saved_mask) after_syscall_slow(t);
}

// Ends the process by `sig` as the default action would (the supervisor sees the signal).
[[noreturn]] void die_by(int sig, const char* reason);

const char* signal_name(int sig);

// execve: handled signals go back to their default action; ignored ones stay ignored.
void reset_handlers_for_exec();

}  // namespace cocoon::shim::signals
