// Fuzz target: reading an ELF object's loader data (PT_INTERP, DT_NEEDED, RPATH, RUNPATH)
// from untrusted bytes, e.g. a binary in a container image. The bytes go into a memfd.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "manifest/elf_deps.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  int fd = memfd_create("fuzz_elf", MFD_CLOEXEC);
  if (fd < 0) return 0;
  if (size > 0 && write(fd, data, size) != static_cast<ssize_t>(size)) {
    close(fd);
    return 0;
  }
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  std::size_t n = 0;
  try {
    auto info = cocoon::manifest::read_elf_object(path, "fuzz");
    n = info.interp.size() + info.needed.size() + info.rpath.size() + info.runpath.size();
  } catch (const cocoon::manifest::ElfDepsError&) {
  }
  close(fd);
  return n == 0xdeadbeef ? 1 : 0;
}
