// The layer Cocoon adds to a wrapped image: its own runtime, self-contained, plus the signed
// manifest. Layout inside the image:
//   /cocoon/bin/cocoon                   the cocoon CLI (supervisor + embedded shim)
//   /cocoon/lib/<soname>                 every shared library it needs, from the build host
//   /cocoon/lib/ld-linux-x86-64.so.2     the build host's dynamic loader
//   /cocoon/app.toml, /cocoon/app.sig    the manifest and its signature (SIGSTRUCT)
// The container starts it through that loader with --library-path /cocoon/lib, so nothing
// depends on the image's own libc (or on the image having one at all).
#pragma once

#include <string>
#include <vector>

#include "source_image.hpp"

namespace cocoon::image {

inline constexpr const char* kRuntimeLoader = "/cocoon/lib/ld-linux-x86-64.so.2";
inline constexpr const char* kRuntimeLibDir = "/cocoon/lib";
inline constexpr const char* kRuntimeCocoon = "/cocoon/bin/cocoon";
inline constexpr const char* kRuntimeManifest = "/cocoon/app.toml";
inline constexpr const char* kRuntimeSignature = "/cocoon/app.sig";

struct RuntimeFile {
  std::string path;       // in the image, without the leading "/" ("cocoon/bin/cocoon")
  bool directory = false;
  std::string host_path;  // copied from here, or
  std::string bytes;      // these bytes when host_path is empty
  unsigned mode = 0644;
};

// The files of the runtime layer, sorted by path. Throws ImageError when the cocoon
// executable or one of its libraries cannot be found.
std::vector<RuntimeFile> runtime_files(const std::string& cocoon_exe, const std::string& manifest_toml,
                                       const std::string& signature);

// `argv` prefix the wrapped image's Entrypoint starts with (… run /cocoon/app.toml).
std::vector<std::string> runtime_command();

// Writes the files as a deterministic uncompressed tar layer; returns its blob description.
LayerBlob write_runtime_layer(const std::string& tar_path, const std::vector<RuntimeFile>& files);

// Writes the files under `dir` (for the --dockerfile build context).
void write_runtime_tree(const std::string& dir, const std::vector<RuntimeFile>& files);

}  // namespace cocoon::image
