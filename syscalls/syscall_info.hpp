// The shape of one row of Cocoon's syscall table (see syscall_table.hpp for the rows).
//
// Freestanding-safe: included by the shim (no libc), the proxy and the host tools.
// Every x86-64 Linux syscall has exactly one row that says where it is served:
//   * Route::Shim    — emulated inside the enclave by the shim (shim/sys_*.cpp);
//   * Route::Forward — executed by the untrusted proxy; each pointer argument is copied
//                      across the untrusted window as its ArgSpec says, and every value the
//                      proxy returns is checked by the shim before use;
//   * Route::Refuse  — never executed; the program gets -errno, and `--verbose` names the
//                      syscall once on stderr.
// `cocoon syscalls` prints this table as the support matrix; nothing else documents support.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::syscalls {

enum class Route : std::uint8_t { Shim, Forward, Refuse };

// How one argument crosses the enclave boundary when the call is forwarded.
enum class Arg : std::uint8_t {
  None,     // slot unused
  Int,      // plain integer, passed unchanged
  Fd,       // a program fd: translated through the shim's fd table to the proxy's fd
  In,       // pointer: bytes copied enclave -> proxy before the call
  Out,      // pointer: bytes copied proxy -> enclave after a successful call
  InOut,    // pointer: copied in before and out after
  Path,     // NUL-terminated path, copied in (at most 4096 bytes incl. NUL)
  Str,      // NUL-terminated string that is not a path (e.g. xattr name), copied in
  IovIn,    // struct iovec array, buffers copied in; count in size_arg
  IovOut,   // struct iovec array, buffers copied out; count in size_arg
  Special,  // the shim has a dedicated marshaller for this argument (named in the note)
};

// Size of a pointer argument. Exactly one of these applies:
//   size_arg >= 0 : the byte count (or element count for Iov*) is the value of argument
//                   number size_arg;
//   size_arg == kSizeFromPtr : the byte count is a socklen_t/int stored at the pointer
//                   given by the *next* argument (value-result, e.g. accept's addrlen);
//   otherwise      : fixed_size bytes (e.g. sizeof(struct stat) == 144).
inline constexpr std::int8_t kNoSizeArg = -1;
inline constexpr std::int8_t kSizeFromPtr = -2;

//
// elem_size (added after the first three fields, so existing initializers keep their
// meaning) multiplies a size_arg count: the pointer covers value(size_arg) * elem_size
// bytes. It is 1 for byte counts, e.g. 12 for epoll_wait's struct epoll_event array,
// 8 for poll's struct pollfd array and 16 (sizeof(struct iovec)) for Iov*, whose size_arg
// counts iovecs.
//
// A NULL pointer argument crosses as NULL (nothing is copied): optional pointers such as
// accept's addr, sendfile's offset or a NULL timeout keep their meaning, and a mandatory
// one gets the proxy kernel's EFAULT.
struct ArgSpec {
  Arg kind = Arg::None;
  std::int8_t size_arg = kNoSizeArg;
  std::uint16_t fixed_size = 0;
  std::uint16_t elem_size = 1;
};

// Flags on a row.
enum : std::uint16_t {
  kOutSizeIsResult = 1u << 0,  // Out/IovOut copy back min(size, return value) bytes
                               // (Out sized by size_arg: min(count, result) * elem_size;
                               // an Out sized kSizeFromPtr is not affected: it copies back
                               // min(length before, length after the call) bytes)
  kBlocking = 1u << 1,         // may block for long in the proxy (reads from pipes, accept…)
  kCustom = 1u << 2,           // Forward, but through a dedicated shim routine, not the
                               // generic marshaller (ioctl, fcntl, poll, msghdr…)
  kPartial = 1u << 3,          // supported with documented limits (see note)
  // Added with the table (compatible: new bits only).
  kNewFd = 1u << 4,            // Forward: a non-negative result is a new proxy fd; the shim
                               // enters it in its fd table and returns the program's fd
  kNewFdPair = 1u << 5,        // Forward: the Out int[2] holds two new proxy fds (pipe,
                               // socketpair); the shim enters both and rewrites the pair
  kAtFdCwd = 1u << 6,          // Forward: an Fd argument may be AT_FDCWD (-100), passed
                               // through unchanged (the proxy's cwd is the program's cwd)
};

struct SyscallInfo {
  std::uint16_t nr;
  const char* name;
  Route route;
  std::uint16_t err;   // Route::Refuse: the positive errno returned (ENOSYS, EPERM, …)
  ArgSpec args[6];
  std::uint16_t flags;
  const char* note;    // why refused / what is partial / how it is served. Never empty.
};

}  // namespace cocoon::syscalls
