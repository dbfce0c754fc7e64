#include "loader/auxv.hpp"

#include "loader/elf_types.hpp"

namespace cocoon::loader {

std::size_t make_auxv(const AuxvParams& params, AuxEntry (&out)[kMaxAuxEntries]) {
  if (params.program == nullptr) return 0;
  const LoadedImage& prog = *params.program;
  std::size_t n = 0;
  auto add = [&](std::uint64_t type, std::uint64_t value) { out[n++] = AuxEntry{type, value}; };
  if (params.sysinfo_ehdr != 0) add(kAtSysinfoEhdr, params.sysinfo_ehdr);
  if (params.minsigstksz != 0) add(kAtMinsigstksz, params.minsigstksz);
  add(kAtHwcap, params.hwcap);
  add(kAtPagesz, kPageSize);
  add(kAtClktck, params.clktck);
  add(kAtPhdr, prog.phdr);
  add(kAtPhent, prog.phent);
  add(kAtPhnum, prog.phnum);
  add(kAtBase, params.interp != nullptr ? params.interp->bias : 0);
  add(kAtFlags, 0);
  add(kAtEntry, prog.entry);
  add(kAtUid, params.uid);
  add(kAtEuid, params.euid);
  add(kAtGid, params.gid);
  add(kAtEgid, params.egid);
  add(kAtSecure, params.secure ? 1 : 0);
  add(kAtRandom, 0);  // address filled in by build_initial_stack
  add(kAtHwcap2, params.hwcap2);
  add(kAtExecfn, 0);    // idem
  add(kAtPlatform, 0);  // idem
  return n;
}

}  // namespace cocoon::loader
