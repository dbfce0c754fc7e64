// Fuzz target: applying a layer (untrusted tar / gzip / zstd bytes) to a scratch rootfs.
// Besides not crashing, nothing may ever be written outside the rootfs directory.
#include <stdlib.h>

#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "image/image_error.hpp"
#include "image/layer_extract.hpp"

namespace {
std::string scratch() {
  static std::string dir = [] {
    char t[] = "/tmp/cocoon-fuzz-layer-XXXXXX";
    std::string d = mkdtemp(t);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(scratch(), ec);
    });
    return d;
  }();
  return dir;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace fs = std::filesystem;
  std::string root = scratch() + "/rootfs";
  std::error_code ec;
  fs::remove_all(scratch(), ec);
  fs::create_directories(root);
  try {
    cocoon::image::apply_layer_memory(data, size, "fuzz", root);
  } catch (const cocoon::image::ImageError&) {
  }
  for (auto& e : fs::directory_iterator(scratch()))
    if (e.path().filename() != "rootfs") {
      std::fprintf(stderr, "layer wrote outside the rootfs: %s\n", e.path().c_str());
      abort();
    }
  return 0;
}
