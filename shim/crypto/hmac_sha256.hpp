// HMAC-SHA256 (RFC 2104, FIPS 198-1), incremental and one-shot (freestanding).
#pragma once

#include <cstddef>
#include <cstdint>

#include "shim/crypto/sha256.hpp"

namespace cocoon::crypto {

inline constexpr std::size_t kHmacSha256Size = 32;

class HmacSha256 {
 public:
  // Any key length; keys longer than the 64-byte block are hashed first (RFC 2104 §2).
  HmacSha256(const void* key, std::size_t key_size, Sha256Impl impl = Sha256Impl::Auto);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;

  void update(const void* data, std::size_t size);
  // Writes the 32-byte tag; the object is spent afterwards.
  void final(std::uint8_t out[kHmacSha256Size]);

 private:
  Sha256 inner_;
  Sha256 outer_;
};

void hmac_sha256(const void* key, std::size_t key_size, const void* data, std::size_t size,
                 std::uint8_t out[kHmacSha256Size]);

}  // namespace cocoon::crypto
