// Which paths of an image the generated manifest trusts or allows by default:
//   trusted (hash-checked): the application's own directory (the directory of its script,
//     unless that is "/" or a bin directory, where only the script is trusted) and the
//     language runtime's library tree (python3.X → /usr/lib/python3.X, …);
//   allowed (passed through unverified, writable): /tmp and the image's declared volumes.
// The program's ELF dependency closure is the manifest generator's job, not listed here.
#pragma once

#include <string>
#include <vector>

#include "entrypoint.hpp"
#include "rootfs_path.hpp"

namespace cocoon::image {

// Container paths, sorted and unique; only paths that exist in the rootfs.
std::vector<std::string> default_trusted_paths(const RootfsPath& root, const ResolvedEntrypoint& ep);
std::vector<std::string> default_allowed_paths(const RootfsPath& root, const std::string& config_json);

}  // namespace cocoon::image
