// Syscall dispatch: every syscall of the program arrives here as a SyscallFrame.
#pragma once

#include <cstdint>

namespace cocoon::shim {

struct SyscallFrame {
  long nr;
  long a[6];  // rdi rsi rdx r10 r8 r9
};

using Handler = long (*)(SyscallFrame&);

// What a handler returns when a signal interrupted the call (Linux's ERESTARTSYS, never seen
// by the program): the call is made again, unless the program's handler for the signal
// lacks SA_RESTART or the call is one Linux never restarts, then it ends with EINTR.
inline constexpr long kRestartSyscall = -512;

// Handlers of rows served in the shim (Route::Shim) and of forwarded rows with kCustom.
Handler handler_for(long nr);

// Names a refused or unsupported syscall once on stderr when --verbose is set.
void report_unsupported(long nr, const char* why);

}  // namespace cocoon::shim
