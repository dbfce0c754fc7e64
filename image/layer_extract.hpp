// Applies image layers (tar; plain, gzip or zstd) to a root filesystem directory, the way
// a container runtime's snapshotter does:
//   * `.wh.NAME` deletes NAME from lower layers; `.wh..wh..opq` makes its directory opaque
//     (lower layers' contents removed, this layer's own entries kept);
//   * hard links, symlinks, devices and fifos are recreated; modes kept; owner and group kept
//     when running as root;
//   * every path is resolved inside the rootfs (see rootfs_path.hpp): an entry whose name
//     contains "..", or a hard link pointing outside the layer's root, is refused with an
//     error, and symlinks from earlier entries are followed only inside the rootfs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace cocoon::image {

struct LayerStats {
  std::uint64_t files = 0, dirs = 0, symlinks = 0, hardlinks = 0, whiteouts = 0, opaque_dirs = 0,
                others = 0;
};

// `what` names the layer in errors ("layer 2/3 sha256:ab12…").
// Throws ImageError for a missing, corrupt or hostile layer.
LayerStats apply_layer_file(const std::string& layer_path, const std::string& what,
                            const std::string& rootfs_dir);
LayerStats apply_layer_memory(const void* data, std::size_t size, const std::string& what,
                              const std::string& rootfs_dir);

// "sha256:<hex>" of the layer's uncompressed tar stream (its OCI diff_id).
std::string layer_diff_id(const std::string& layer_path, const std::string& what);

}  // namespace cocoon::image
