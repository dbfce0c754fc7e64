// Readable descriptions of syscall table rows (syscall_table.hpp), shared by the Markdown
// and JSON renderings of `cocoon syscalls`. Host code.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "syscalls/syscall_info.hpp"

namespace cocoon::syscalls {

// "shim", "forward", "refuse" (the names `cocoon syscalls --route` accepts).
std::string_view route_name(Route route);
// The inverse of route_name; nullopt for any other text.
std::optional<Route> route_from_name(std::string_view name);

// "none", "int", "fd", "in", "out", "inout", "path", "str", "iov_in", "iov_out", "special".
std::string_view arg_kind_name(Arg kind);

// The names of the flags set in `flags`, in bit order: "out_size_is_result", "blocking",
// "custom", "partial", "new_fd", "new_fd_pair", "at_fdcwd"; unknown bits as "0x…".
std::vector<std::string> flag_names(std::uint16_t flags);

// Where a row is served, readable: "shim", "shim (partial)", "forward (custom, blocking)",
// "refuse: ENOSYS".
std::string describe_route(const SyscallInfo& row);

// How one argument of a forwarded row crosses, e.g. "out buf[arg2] ← result bytes".
std::string describe_arg(const SyscallInfo& row, int index);

// All arguments of a forwarded row joined with "; ", e.g. for read
// "fd; out buf[arg2] ← result bytes; int". "—" for rows that are not forwarded, "none" for
// forwarded rows without arguments.
std::string describe_args(const SyscallInfo& row);

}  // namespace cocoon::syscalls
