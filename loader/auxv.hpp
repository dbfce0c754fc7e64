// The auxiliary vector Linux gives a new program (fs/binfmt_elf.c create_elf_tables), built
// from the loaded program and interpreter. Feed the result to build_initial_stack, which
// fills in the AT_RANDOM / AT_PLATFORM / AT_EXECFN addresses. Freestanding; host-compiled.
#pragma once

#include <cstddef>
#include <cstdint>

#include "loader/elf_load.hpp"
#include "loader/initial_stack.hpp"

namespace cocoon::loader {

struct AuxvParams {
  const LoadedImage* program = nullptr;  // required
  const LoadedImage* interp = nullptr;   // the loaded PT_INTERP, or null for a static program
  std::uint64_t uid = 0, euid = 0, gid = 0, egid = 0;
  bool secure = false;                 // AT_SECURE
  std::uint64_t hwcap = 0, hwcap2 = 0;  // AT_HWCAP (CPUID.1:EDX on x86), AT_HWCAP2
  std::uint64_t clktck = 100;          // AT_CLKTCK (USER_HZ)
  std::uint64_t minsigstksz = 0;       // AT_MINSIGSTKSZ; omitted when 0
  std::uint64_t sysinfo_ehdr = 0;      // AT_SYSINFO_EHDR (vDSO); omitted when 0
};

// AT_SYSINFO_EHDR, AT_MINSIGSTKSZ, AT_HWCAP, AT_PAGESZ, AT_CLKTCK, AT_PHDR, AT_PHENT,
// AT_PHNUM, AT_BASE, AT_FLAGS, AT_ENTRY, AT_UID, AT_EUID, AT_GID, AT_EGID, AT_SECURE,
// AT_RANDOM, AT_HWCAP2, AT_EXECFN, AT_PLATFORM (no AT_NULL).
inline constexpr std::size_t kMaxAuxEntries = 20;

// Writes the entries (Linux's order) to out and returns how many; 0 if params.program is null.
// The list names AT_EXECFN and AT_PLATFORM, so the InitialStackSpec must carry execfn and
// platform strings (build_initial_stack refuses the list otherwise).
// AT_BASE is the interpreter's load bias (0 without one); AT_ENTRY is the program's entry.
std::size_t make_auxv(const AuxvParams& params, AuxEntry (&out)[kMaxAuxEntries]);

}  // namespace cocoon::loader
