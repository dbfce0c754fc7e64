// Fuzz target: the ld.so.cache reader (a container image's /etc/ld.so.cache is untrusted).
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "manifest/ld_so_cache.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint8_t> bytes(data, data + size);
  try {
    auto entries = cocoon::manifest::parse_ld_so_cache(bytes, "fuzz");
    std::size_t n = 0;
    for (const auto& e : entries) n += e.name.size() + e.path.size() + (e.is_x86_64() ? 1 : 0);
    return n == 1 ? 1 : 0;
  } catch (const std::runtime_error&) {
    return 0;
  }
}
