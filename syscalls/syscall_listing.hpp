// What `cocoon syscalls` does, separated from the CLI wiring so that tests can run it.
// Host code.
#pragma once

#include <iosfwd>
#include <string>

namespace cocoon::syscalls {

struct ListingOptions {
  bool json = false;   // JSON (syscall_json.hpp) instead of Markdown (syscall_markdown.hpp)
  std::string route;   // "" for every row, else "shim", "forward" or "refuse"
};

// Prints the table to `out`. Returns 0, or 2 after one line "cocoon syscalls: …" on `err`
// when an option is invalid.
int print_syscall_listing(const ListingOptions& options, std::ostream& out, std::ostream& err);

}  // namespace cocoon::syscalls
