#include "shim_image.hpp"

extern "C" const std::uint8_t cocoon_shim_image_begin[];
extern "C" const std::uint8_t cocoon_shim_image_end[];

namespace cocoon::shim {

std::span<const std::uint8_t> shim_image() {
  return {cocoon_shim_image_begin, static_cast<std::size_t>(cocoon_shim_image_end - cocoon_shim_image_begin)};
}

}  // namespace cocoon::shim
