// A directory that is removed with everything in it when the object goes away.
#pragma once

#include <string>
#include <utility>

namespace cocoon::image {

class TempDir {
 public:
  TempDir() = default;
  // Creates "<parent>/<prefix>XXXXXX". Throws ImageError when it cannot.
  TempDir(const std::string& parent, const std::string& prefix);
  ~TempDir();
  TempDir(TempDir&& o) noexcept : path_(std::move(o.path_)) { o.path_.clear(); }
  TempDir& operator=(TempDir&& o) noexcept;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Stops owning the directory (after it was renamed into place).
  std::string release() { return std::exchange(path_, std::string()); }

 private:
  std::string path_;
};

// The default parent for scratch space: $TMPDIR or /var/tmp (big images need disk, not tmpfs).
std::string default_scratch_parent();

}  // namespace cocoon::image
