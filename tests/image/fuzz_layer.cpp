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
// The scratch directory, removed at exit (a plain array: it has no destructor to race
// with the atexit handler).
char g_scratch[] = "/tmp/cocoon-fuzz-layer-XXXXXX";

std::string scratch() {
  static const bool made = [] {
    if (!mkdtemp(g_scratch)) abort();
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(g_scratch, ec);
    });
    return true;
  }();
  (void)made;
  return g_scratch;
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
