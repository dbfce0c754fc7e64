// Paths inside a root filesystem ("/" for the host, or an unpacked container image), seen
// the way a process chrooted there would see them. Resolution follows symlinks inside the
// root (an absolute target or '..' never escapes it) and records every symlink it meets, so
// the manifest can carry them (fs.symlinks) for the enclave to canonicalize paths with.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <unordered_map>

namespace cocoon::manifest {

class Sysroot {
 public:
  explicit Sysroot(std::string root = "/");

  const std::string& root() const { return root_; }
  // Host path of an absolute in-root path.
  std::string host_path(const std::string& in_root) const;

  // Canonical in-root path of an absolute in-root path (symlinks followed, recorded), or
  // nullopt when it does not exist, a component is not a directory, or symlinks loop.
  std::optional<std::string> resolve(const std::string& path);

  // Every symlink met by resolve(): in-root link path -> target exactly as stored.
  const std::map<std::string, std::string>& symlinks() const { return symlinks_; }
  void record_symlink(const std::string& link, const std::string& target) { symlinks_[link] = target; }

 private:
  std::string root_;  // without trailing '/', "" for the host root
  std::map<std::string, std::string> symlinks_;
  std::unordered_map<std::string, std::optional<std::string>> cache_;
};

}  // namespace cocoon::manifest
