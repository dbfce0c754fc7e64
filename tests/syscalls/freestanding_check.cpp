// Compiled with the shim's freestanding flags (see CMakeLists.txt): proves that the table
// header needs no libc and that lookups fold to constants there too.
#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {

static_assert(find_syscall(257)->route == Route::Forward);
static_assert(find_syscall_by_name("getpid")->route == Route::Shim);

// A non-constant use, so the index and the rows are emitted as they will be in the shim.
extern "C" __attribute__((visibility("hidden"))) std::uint16_t
cocoon_syscall_check_route_of(long nr) {
  const SyscallInfo* row = find_syscall(nr);
  return row == nullptr ? 0xffff : static_cast<std::uint16_t>(row->route);
}

}  // namespace cocoon::syscalls
