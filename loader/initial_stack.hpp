// Building the System V x86-64 initial process stack (psABI §3.4.1 "Initial Stack and
// Register State", Linux's create_elf_tables layout). Freestanding; also host-compiled.
//
// Layout, from high to low addresses:
//   stack_top - 8 .. stack_top     8 zero bytes (end marker)
//   argv strings, envp strings, execfn string (ascending, each NUL-terminated)
//   16 AT_RANDOM bytes
//   platform string
//   zero padding so that the final rsp is 16-byte aligned
//   auxv pairs ending with AT_NULL
//   NULL, envp pointers
//   NULL, argv pointers
//   argc                            <- rsp
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::loader {

// Auxiliary vector types (Linux include/uapi/linux/auxvec.h, arch/x86 additions).
inline constexpr std::uint64_t kAtNull = 0;
inline constexpr std::uint64_t kAtPhdr = 3;
inline constexpr std::uint64_t kAtPhent = 4;
inline constexpr std::uint64_t kAtPhnum = 5;
inline constexpr std::uint64_t kAtPagesz = 6;
inline constexpr std::uint64_t kAtBase = 7;
inline constexpr std::uint64_t kAtFlags = 8;
inline constexpr std::uint64_t kAtEntry = 9;
inline constexpr std::uint64_t kAtUid = 11;
inline constexpr std::uint64_t kAtEuid = 12;
inline constexpr std::uint64_t kAtGid = 13;
inline constexpr std::uint64_t kAtEgid = 14;
inline constexpr std::uint64_t kAtPlatform = 15;
inline constexpr std::uint64_t kAtHwcap = 16;
inline constexpr std::uint64_t kAtClktck = 17;
inline constexpr std::uint64_t kAtSecure = 23;
inline constexpr std::uint64_t kAtRandom = 25;
inline constexpr std::uint64_t kAtHwcap2 = 26;
inline constexpr std::uint64_t kAtExecfn = 31;
inline constexpr std::uint64_t kAtSysinfoEhdr = 33;
inline constexpr std::uint64_t kAtMinsigstksz = 51;

struct AuxEntry {
  std::uint64_t type;
  std::uint64_t value;
};

struct InitialStackSpec {
  const char* const* argv = nullptr;  // argc NUL-terminated strings
  std::size_t argc = 0;
  const char* const* envp = nullptr;  // envc NUL-terminated strings
  std::size_t envc = 0;
  // Auxiliary entries in the order wanted, without AT_NULL (appended). The values of
  // AT_RANDOM, AT_PLATFORM and AT_EXECFN entries are replaced by the addresses of the copied
  // data; when the list lacks one of them and its data is given, it is appended.
  const AuxEntry* auxv = nullptr;
  std::size_t auxc = 0;
  const std::uint8_t* random = nullptr;  // 16 bytes, required
  const char* platform = nullptr;        // optional ("x86_64")
  const char* execfn = nullptr;          // optional (the program path as given to execve)
};

enum class StackError : std::uint8_t {
  Ok = 0,
  TooSmall,     // the window cannot hold everything (like execve's E2BIG)
  BadArgument,  // null pointer with a nonzero count, no random bytes, AT_NULL in auxv,
                // AT_PLATFORM/AT_EXECFN listed without data
};

const char* stack_error_message(StackError err);

struct InitialStack {
  std::uint64_t rsp = 0;   // address of argc; 16-byte aligned
  std::uint64_t argv = 0;  // address of argv[0] pointer
  std::uint64_t envp = 0;  // address of envp[0] pointer
  std::uint64_t auxv = 0;  // address of the first auxv pair
  std::uint64_t random = 0;
  std::uint64_t platform = 0;  // 0 if none
  std::uint64_t execfn = 0;    // 0 if none
};

// Writes the stack into `window`, which is the caller's writable view of the target addresses
// [stack_top - window_size, stack_top). Pointers written are target addresses.
StackError build_initial_stack(const InitialStackSpec& spec, std::uint64_t stack_top, std::uint8_t* window,
                               std::uint64_t window_size, InitialStack& out);

}  // namespace cocoon::loader
