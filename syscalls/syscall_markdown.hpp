// Renders the syscall table (syscall_table.hpp) as the Markdown support matrix that
// `cocoon syscalls` prints and docs/syscalls.md holds. Host code.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "syscalls/syscall_info.hpp"

namespace cocoon::syscalls {

// Makes text safe inside a Markdown table cell (escapes '\\', '|', '*' and '`'; line breaks
// become spaces).
std::string escape_markdown_cell(std::string_view text);

// The whole support matrix: a summary (counts per route and errno), a legend, and one row
// per syscall. With `only`, the summary still counts the whole table but only rows of that
// route follow.
std::string render_markdown(std::optional<Route> only = std::nullopt);

}  // namespace cocoon::syscalls
