// Paths inside an unpacked root filesystem, resolved the way the container will see them.
//
// A container path ("/usr/bin/python3") is mapped to a host path under the rootfs directory.
// Symbolic links are followed *inside* the rootfs: an absolute target restarts at the rootfs
// root and ".." never climbs above it (chroot semantics), so a hostile layer's
// `etc -> /etc` or `x -> ../../..` can never make Cocoon read or write host files.
#pragma once

#include <string>
#include <vector>

namespace cocoon::image {

// Splits a path into components, dropping "", "." (so "/a//./b" gives {"a","b"}). ".." stays.
std::vector<std::string> split_path(const std::string& path);

// Normalises a path for display and lookup: "/" + components joined by "/". ".." components
// are resolved lexically; climbing above "/" sets *escaped (when given) and clamps at "/".
std::string normalize_container_path(const std::string& path, bool* escaped = nullptr);

class RootfsPath {
 public:
  explicit RootfsPath(std::string rootfs_dir);

  const std::string& root() const { return root_; }

  // Resolves `container_path` (absolute, or relative to "/") following every symlink inside
  // the rootfs; with follow_last=false the last component is not followed (lstat semantics).
  // Missing components are kept as they are (so the result can name a file to create).
  // Returns the resolved container path ("/usr/bin/python3.11").
  // Throws ImageError for symlink loops (more than 40 links).
  std::string resolve(const std::string& container_path, bool follow_last = true) const;

  // The host path of a resolved container path (root + path).
  std::string host(const std::string& resolved_container_path) const;

  // resolve + host.
  std::string host_path(const std::string& container_path, bool follow_last = true) const {
    return host(resolve(container_path, follow_last));
  }

 private:
  std::string root_;
};

}  // namespace cocoon::image
