// Subcommand registry for the `cocoon` CLI. Each subcommand lives in its own
// tools/cmd_<name>.cpp and registers itself with a file-scope CommandRegistration:
//
//   static cocoon::tools::CommandRegistration reg{"keygen", "Create an RSA-3072 signing key",
//     [](CLI::App& app) {
//       auto opts = std::make_shared<Opts>();
//       app.add_option("--out", opts->out)->required();
//       return [opts]() -> int { ... return 0; };   // runs when this subcommand was chosen
//     }};
//
// A subcommand returns the process exit status. Errors are reported with report_error()
// (one line: "cocoon <cmd>: <what>"), never with an uncaught exception.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <string>
#include <vector>

namespace cocoon::tools {

using CommandRunner = std::function<int()>;
using CommandSetup = std::function<CommandRunner(CLI::App&)>;

struct CommandInfo {
  std::string name;
  std::string help;
  CommandSetup setup;
};

std::vector<CommandInfo>& command_registry();

struct CommandRegistration {
  CommandRegistration(std::string name, std::string help, CommandSetup setup);
};

// Everything after the first "--" on the command line, exactly as given (CLI11 never sees
// it: a program's arguments must reach it byte for byte, dashes and all).
std::vector<std::string>& passthrough_args();

// The path of the running cocoon executable (for finding the shim and for re-exec).
std::string self_exe_path();

}  // namespace cocoon::tools
