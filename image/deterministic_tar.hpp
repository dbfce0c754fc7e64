// Writes uncompressed tar files whose bytes depend only on what is added: entries are
// emitted in the order given (callers sort them), with mtime 0, owner root:root, no user or
// group names and no extended headers unless a name needs one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

struct archive;

namespace cocoon::image {

class DeterministicTar {
 public:
  explicit DeterministicTar(const std::string& out_path);
  ~DeterministicTar();
  DeterministicTar(const DeterministicTar&) = delete;
  DeterministicTar& operator=(const DeterministicTar&) = delete;

  void add_directory(const std::string& name, unsigned mode = 0755);
  void add_bytes(const std::string& name, std::string_view bytes, unsigned mode = 0644);
  void add_file(const std::string& name, const std::string& host_path, unsigned mode);
  void add_symlink(const std::string& name, const std::string& target);
  void close();  // flushes; throws ImageError on a write error

 private:
  void header(const std::string& name, unsigned type, unsigned mode, std::uint64_t size,
              const std::string& link);
  void data(const void* p, std::size_t n);
  std::string path_;
  archive* a_ = nullptr;
};

}  // namespace cocoon::image
