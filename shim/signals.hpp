// Signals: the host-level handlers of the enclave process (Syscall User Dispatch traps,
// faults, asynchronous signals) and the program's signal dispositions.
#pragma once

#include <cstdint>

#include "shim/linux_abi.hpp"

namespace cocoon::shim::signals {

// Installs the shim's host handlers for every catchable signal, on the thread's altstack.
void install_host_handlers();
void setup_thread_altstack(std::uint64_t base, std::uint64_t size);

// The program's disposition of a signal (its rt_sigaction view).
abi::KernelSigaction& program_action(int sig);

// What the program's disposition makes of `sig` sent to itself now: 0 when ignored,
// otherwise the process ends the way Linux would end it (never returns).
long raise_in_program(int sig);

// Ends the process by `sig` as the default action would (the supervisor sees the signal).
[[noreturn]] void die_by(int sig, const char* reason);

const char* signal_name(int sig);

// execve: handled signals go back to their default action; ignored ones stay ignored.
void reset_handlers_for_exec();

}  // namespace cocoon::shim::signals
