// The cocoon-shim ELF, embedded in host tools so that measuring, signing and launching use
// the very bytes that were built (no search path, no version skew).
#pragma once

#include <cstdint>
#include <span>

namespace cocoon::shim {

// The bytes of the cocoon-shim ELF file exactly as built.
std::span<const std::uint8_t> shim_image();

}  // namespace cocoon::shim
