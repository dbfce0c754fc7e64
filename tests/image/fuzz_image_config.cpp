// Fuzz target: image configuration JSON (untrusted: it comes with the image).
#include <cstddef>
#include <cstdint>
#include <string>

#include "image/image_config.hpp"
#include "image/image_error.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    auto c = cocoon::image::parse_image_config(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    (void)cocoon::image::env_value(c.env, "PATH");
  } catch (const cocoon::image::ImageError&) {
  }
  return 0;
}
