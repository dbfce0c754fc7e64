#include "shim/crypto/hmac_sha256.hpp"

#include "shim/crypto/constant_time.hpp"

namespace cocoon::crypto {

HmacSha256::HmacSha256(const void* key, std::size_t key_size, Sha256Impl impl)
    : inner_(impl), outer_(impl) {
  std::uint8_t block[kSha256BlockSize];
  for (auto& b : block) b = 0;
  if (key_size > kSha256BlockSize) {
    sha256(key, key_size, block, impl);  // K' = H(K), then zero padded
  } else {
    const auto* k = static_cast<const std::uint8_t*>(key);
    for (std::size_t i = 0; i < key_size; ++i) block[i] = k[i];
  }
  std::uint8_t pad[kSha256BlockSize];
  for (std::size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = block[i] ^ 0x36;
  inner_.update(pad, sizeof pad);
  for (std::size_t i = 0; i < kSha256BlockSize; ++i) pad[i] = block[i] ^ 0x5c;
  outer_.update(pad, sizeof pad);
  secure_wipe(block, sizeof block);
  secure_wipe(pad, sizeof pad);
}

HmacSha256::~HmacSha256() {
  secure_wipe(&inner_, sizeof inner_);
  secure_wipe(&outer_, sizeof outer_);
}

void HmacSha256::update(const void* data, std::size_t size) { inner_.update(data, size); }

void HmacSha256::final(std::uint8_t out[kHmacSha256Size]) {
  std::uint8_t inner_digest[kSha256DigestSize];
  inner_.final(inner_digest);
  outer_.update(inner_digest, sizeof inner_digest);
  outer_.final(out);
  secure_wipe(inner_digest, sizeof inner_digest);
}

void hmac_sha256(const void* key, std::size_t key_size, const void* data, std::size_t size,
                 std::uint8_t out[kHmacSha256Size]) {
  HmacSha256 h(key, key_size);
  h.update(data, size);
  h.final(out);
}

}  // namespace cocoon::crypto
