// The shared-library closure of a host executable, found the way ld.so would find it
// (DT_RPATH / DT_RUNPATH with $ORIGIN, then the system directories), used to make Cocoon's
// runtime layer self-contained: it carries its own ld.so and libraries and never depends on
// the image's libc.
#pragma once

#include <string>
#include <vector>

namespace cocoon::image {

struct ElfLibrary {
  std::string soname;     // the DT_NEEDED name ("libssl.so.3")
  std::string host_path;  // where it was found
};

struct ElfClosure {
  std::string interpreter;            // host path of PT_INTERP ("/lib64/ld-linux-x86-64.so.2")
  std::vector<ElfLibrary> libraries;  // every DT_NEEDED, transitively; sorted by soname, unique
};

// Throws ImageError naming the executable or library and the missing dependency.
ElfClosure host_elf_closure(const std::string& executable);

}  // namespace cocoon::image
