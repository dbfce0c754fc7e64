// Checks what `cocoon run` was asked to run before any process starts, so that a missing
// file, a non-ELF file, a 32-bit ELF or a script without an interpreter gets one clear
// error naming the file (and nothing is left running).
#pragma once

#include <stdexcept>
#include <string>

namespace cocoon::run {

class ProgramError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Resolves `name` like execvp (PATH search when it has no '/'), follows #! interpreters,
// and checks that the final binary is a loadable x86-64 ELF program.
// Returns the absolute path of `name`. Throws ProgramError.
std::string check_program(const std::string& name, const std::string& path_env);

}  // namespace cocoon::run
