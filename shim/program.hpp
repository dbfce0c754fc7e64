// Starting a program inside the enclave: at launch, and again on execve (the new program
// replaces the old one in the same enclave, keeping the fds that are not close-on-exec).
#pragma once

#include <cstdint>

namespace cocoon::shim {

// Loads `path` (following #! interpreters) and its ELF interpreter into enclave memory,
// builds the initial stack and jumps to it. Strings must live in shim memory.
[[noreturn]] void start_program(char** argv, std::uint32_t argc, char** envp, std::uint32_t envc,
                                const char* path);

// Whether `path` can be started (exists, is an ELF program or a #! script whose interpreter
// exists). Returns 0 or -errno as execve would. keep_open (an execve in this enclave): the
// ELF program found stays open, verified, for the start_program that follows, which then
// does not read and verify it again.
long check_startable(const char* path, bool keep_open = false);

}  // namespace cocoon::shim
