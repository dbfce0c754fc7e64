#include "command.hpp"

#include <unistd.h>

#include <climits>

namespace cocoon::tools {

std::vector<CommandInfo>& command_registry() {
  static std::vector<CommandInfo> registry;
  return registry;
}

CommandRegistration::CommandRegistration(std::string name, std::string help, CommandSetup setup) {
  command_registry().push_back({std::move(name), std::move(help), std::move(setup)});
}

std::vector<std::string>& passthrough_args() {
  static std::vector<std::string> args;
  return args;
}

std::string self_exe_path() {
  char buf[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "cocoon";
  return std::string(buf, static_cast<size_t>(n));
}

}  // namespace cocoon::tools
