// The Linux errno values the syscall table and the shim use, with their names.
//
// Freestanding-safe: the shim has no <errno.h>. The values are Linux's (x86-64, from
// include/uapi/asm-generic/errno-base.h and errno.h); tests/syscalls checks every one of
// them against the host's <errno.h>. Names carry a k prefix so that they never collide with
// the <errno.h> macros in host code that includes both.
#pragma once

#include <cstdint>

namespace cocoon::syscalls {

inline constexpr std::uint16_t kEPERM = 1;
inline constexpr std::uint16_t kENOENT = 2;
inline constexpr std::uint16_t kEINTR = 4;
inline constexpr std::uint16_t kEIO = 5;
inline constexpr std::uint16_t kEBADF = 9;
inline constexpr std::uint16_t kECHILD = 10;
inline constexpr std::uint16_t kEAGAIN = 11;
inline constexpr std::uint16_t kENOMEM = 12;
inline constexpr std::uint16_t kEACCES = 13;
inline constexpr std::uint16_t kEFAULT = 14;
inline constexpr std::uint16_t kEINVAL = 22;
inline constexpr std::uint16_t kEMFILE = 24;
inline constexpr std::uint16_t kENOTTY = 25;
inline constexpr std::uint16_t kESPIPE = 29;
inline constexpr std::uint16_t kERANGE = 34;
inline constexpr std::uint16_t kENOSYS = 38;
inline constexpr std::uint16_t kEOPNOTSUPP = 95;

struct ErrnoName {
  std::uint16_t value;
  const char* name;
};

inline constexpr ErrnoName kErrnoNames[] = {
    {kEPERM, "EPERM"},   {kENOENT, "ENOENT"}, {kEINTR, "EINTR"},   {kEIO, "EIO"},
    {kEBADF, "EBADF"},   {kECHILD, "ECHILD"}, {kEAGAIN, "EAGAIN"}, {kENOMEM, "ENOMEM"},
    {kEACCES, "EACCES"}, {kEFAULT, "EFAULT"}, {kEINVAL, "EINVAL"}, {kEMFILE, "EMFILE"},
    {kENOTTY, "ENOTTY"}, {kESPIPE, "ESPIPE"}, {kERANGE, "ERANGE"}, {kENOSYS, "ENOSYS"},
    {kEOPNOTSUPP, "EOPNOTSUPP"},
};

// The symbolic name of a positive errno value, or nullptr when it is not in kErrnoNames.
constexpr const char* errno_name(std::uint16_t value) {
  for (const ErrnoName& e : kErrnoNames)
    if (e.value == value) return e.name;
  return nullptr;
}

}  // namespace cocoon::syscalls
