// `cocoon syscalls`: print the syscall support matrix, generated from syscalls/syscall_table.hpp.
#include <iostream>
#include <memory>

#include "command.hpp"
#include "syscalls/syscall_listing.hpp"

namespace {

cocoon::tools::CommandRegistration reg{
    "syscalls", "Print the syscall support matrix (Markdown, or JSON with --json)",
    [](CLI::App& app) {
      auto opts = std::make_shared<cocoon::syscalls::ListingOptions>();
      app.add_flag("--json", opts->json, "Print JSON instead of Markdown");
      app.add_option("--route", opts->route, "Only rows served this way: shim, forward or refuse");
      return [opts]() -> int {
        return cocoon::syscalls::print_syscall_listing(*opts, std::cout, std::cerr);
      };
    }};

}  // namespace
