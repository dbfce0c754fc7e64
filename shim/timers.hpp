// Timers that raise signals: alarm and setitimer (ITIMER_REAL: SIGALRM; ITIMER_VIRTUAL and
// ITIMER_PROF: SIGVTALRM and SIGPROF on the process's CPU time, which the host reports as
// user and system time together, looked at every 5 ms while armed), and POSIX timers
// (timer_create with SIGEV_SIGNAL, SIGEV_THREAD_ID — what glibc's SIGEV_THREAD uses — or
// SIGEV_NONE) on the realtime, monotonic and boottime clocks.
//
// One host thread of the shim's own (no program thread slot, every host signal blocked)
// sleeps until the earliest expiry and generates the signals as the kernel would, with
// si_code SI_KERNEL (itimer) or SI_TIMER (timer id, overrun count, sigval). On SGX hardware the
// same thread is an enclave thread waiting in an OCALL with a timeout.
//
// The syscalls themselves are handlers in shim/sys_handlers.hpp (sys_alarm, sys_timer_*, ...).
#pragma once

#include "shim/linux_abi.hpp"

namespace cocoon::shim::timers {

inline constexpr int kSiTimer = -2;

// A POSIX timer's signal was taken (delivered or waited for): fills si_overrun with the
// expirations since it was queued, and lets the timer queue its signal again.
void taken(abi::SigInfo* info);

// execve: POSIX timers are deleted; the itimer stays armed (as on Linux).
void reset_for_exec();

}  // namespace cocoon::shim::timers
