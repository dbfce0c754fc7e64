// The manifest's file policy applied to forwarded calls, before they reach the proxy:
// paths (hidden ones do not exist, trusted ones open verified and read-only, only allowed
// ones can be changed) and fds of trusted files (served from verified chunks).
#pragma once

#include "shim/dispatch.hpp"
#include "syscalls/syscall_info.hpp"

namespace cocoon::shim {

// Returns true when the call was fully handled here (result in *result); false to let the
// generic marshaller forward it.
bool apply_file_policy(const syscalls::SyscallInfo& info, SyscallFrame& f, long* result);

// After a forwarded open/openat/creat of an allowed path succeeded: remember the fd's path.
void note_opened(const syscalls::SyscallInfo& info, SyscallFrame& f, long fd);

// After a successful chdir/fchdir: the shim's working directory follows.
void note_chdir(SyscallFrame& f);

namespace policy {
struct Resolved;
}
// This thread slot's scratch for one resolved path (4 KiB; not on the shim stack).
policy::Resolved* resolved_scratch();

}  // namespace cocoon::shim
