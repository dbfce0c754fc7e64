// Fuzz target: the TOML manifest parser (and, for what parses, the writer and blob compiler,
// whose output must parse and open again).
#include <cstdint>
#include <string>

#include "manifest/manifest.hpp"
#include "manifest/manifest_blob.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cocoon::manifest;
  std::string text(reinterpret_cast<const char*>(data), size);
  Manifest m;
  try {
    m = parse_manifest(text, "fuzz.toml", {{"x", "/x"}});
  } catch (const ManifestError&) {
    return 0;
  }
  std::string out;
  try {
    out = to_toml(m);
  } catch (const ManifestError&) {
    return 0;  // e.g. invalid UTF-8 cannot be written back
  }
  Manifest again = parse_manifest(out, "again.toml");  // must not throw: the writer's output parses
  if (to_toml(again) != out) __builtin_trap();
  auto blob = compile_blob(m);
  ManifestBlob b;
  if (b.open(blob.data(), blob.size()) != BlobError::kOk) __builtin_trap();
  return 0;
}
