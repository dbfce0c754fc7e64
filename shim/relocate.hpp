// Self-relocation of the shim (a static-pie linked at 0): applied once per loaded copy,
// before any pointer stored in data is used. Freestanding, no relocated data touched.
#pragma once

#include <cstdint>

namespace cocoon::shim {

// Applies the R_X86_64_RELATIVE relocations of the image loaded at `base`.
// Returns false if the image has a relocation type it cannot apply.
bool self_relocate(std::uint64_t base);

// The load address of the running copy (PC-relative, valid before relocation).
std::uint64_t image_load_base();

}  // namespace cocoon::shim
