// The syscall table (syscall_table.hpp) as JSON, for `cocoon syscalls --json`. Host code.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>

#include "syscalls/syscall_info.hpp"

namespace cocoon::syscalls {

// {"kernel": "6.18", "max_nr": 469, "syscalls": [{"nr", "name", "route", "errno",
//  "errno_name", "args": [{"kind", "size_arg", "size_from_next_arg", "fixed_size",
//  "elem_size"}…], "arguments", "flags": […], "note"}…]}.
// "errno"/"errno_name" are present only for refused rows, "args" only for forwarded ones.
// With `only`, just the rows of that route.
nlohmann::json table_to_json(std::optional<Route> only = std::nullopt);

}  // namespace cocoon::syscalls
