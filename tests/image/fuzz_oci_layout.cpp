// Fuzz target: the JSON documents of an OCI layout (index.json, image manifest, config), all
// untrusted. The input is "<index>\0<manifest>\0<config>"; the harness stores the manifest and
// config as blobs and replaces @MANIFEST@ / @MANIFEST_SIZE@ in the index and @CONFIG@ /
// @CONFIG_SIZE@ / @LAYER@ / @LAYER_SIZE@ in the manifest with the real digests and sizes, so
// mutations get past the digest checks and reach the parsers behind them.
#include <stdlib.h>

#include <cstddef>
#include <cstdlib>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "image/digest.hpp"
#include "image/image_error.hpp"
#include "image/image_ref.hpp"
#include "image/source_image.hpp"

namespace {

namespace fs = std::filesystem;

// The scratch directory, removed at exit (a plain array: it has no destructor to race
// with the atexit handler).
char g_scratch[] = "/tmp/cocoon-fuzz-oci-XXXXXX";

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

void replace_all(std::string& s, const std::string& from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size())) s.replace(at, from.size(), to);
}

std::string put(const std::string& dir, const std::string& bytes) {
  std::string d = cocoon::image::sha256_digest(bytes);
  std::ofstream(dir + "/blobs/sha256/" + d.substr(7), std::ios::binary) << bytes;
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string in(reinterpret_cast<const char*>(data), size);
  auto a = in.find('\0');
  auto b = a == std::string::npos ? std::string::npos : in.find('\0', a + 1);
  if (b == std::string::npos) return 0;
  std::string index = in.substr(0, a), manifest = in.substr(a + 1, b - a - 1), config = in.substr(b + 1);
  std::string dir = scratch() + "/layout";
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir + "/blobs/sha256");
  std::ofstream(dir + "/oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
  const std::string layer(1024, '\0');  // an empty tar
  std::string ld = put(dir, layer);
  std::string cd = put(dir, config);
  replace_all(manifest, "@CONFIG@", cd);
  replace_all(manifest, "@CONFIG_SIZE@", std::to_string(config.size()));
  replace_all(manifest, "@LAYER@", ld);
  replace_all(manifest, "@LAYER_SIZE@", std::to_string(layer.size()));
  std::string md = put(dir, manifest);
  replace_all(index, "@MANIFEST@", md);
  replace_all(index, "@MANIFEST_SIZE@", std::to_string(manifest.size()));
  std::ofstream(dir + "/index.json", std::ios::binary) << index;
  try {
    cocoon::image::open_source_image(cocoon::image::parse_image_ref("oci:" + dir), scratch());
  } catch (const cocoon::image::ImageError&) {
  }
  return 0;
}
