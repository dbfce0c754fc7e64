// SHA-256 content digests in the OCI form "sha256:<64 lowercase hex>".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace cocoon::image {

// "sha256:<hex>" of the bytes.
std::string sha256_digest(std::string_view bytes);
// "sha256:<hex>" of a file's contents, read in chunks. Throws ImageError if it cannot be read.
std::string sha256_file_digest(const std::string& path);

// True for "sha256:" followed by exactly 64 lowercase hex digits.
bool is_valid_digest(std::string_view digest);
// The hex part of a valid digest. Throws ImageError naming `what` when it is not valid.
std::string digest_hex(std::string_view digest, std::string_view what);

// Incremental SHA-256 for streams (layer bytes written while hashing).
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(const void* data, std::size_t size);
  std::string finish_digest();  // "sha256:<hex>"
  std::uint64_t size() const { return size_; }

 private:
  void* ctx_;
  std::uint64_t size_ = 0;
};

}  // namespace cocoon::image
