#include "shim/crypto/hkdf_sha256.hpp"

#include "shim/crypto/constant_time.hpp"
#include "shim/crypto/hmac_sha256.hpp"

namespace cocoon::crypto {

void hkdf_sha256_extract(const void* salt, std::size_t salt_size, const void* ikm,
                         std::size_t ikm_size, std::uint8_t prk[32]) {
  static constexpr std::uint8_t kZeroSalt[32] = {};
  if (salt_size == 0) {
    salt = kZeroSalt;
    salt_size = sizeof kZeroSalt;
  }
  hmac_sha256(salt, salt_size, ikm, ikm_size, prk);
}

bool hkdf_sha256_expand(const void* prk, std::size_t prk_size, const void* info,
                        std::size_t info_size, std::uint8_t* out, std::size_t out_size) {
  if (out_size > kHkdfSha256MaxOutput) return false;
  std::uint8_t t[kHmacSha256Size];
  std::size_t t_size = 0;  // T(0) is empty
  std::size_t done = 0;
  for (std::uint8_t counter = 1; done < out_size; ++counter) {
    HmacSha256 h(prk, prk_size);
    h.update(t, t_size);
    h.update(info, info_size);
    h.update(&counter, 1);
    h.final(t);
    t_size = sizeof t;
    const std::size_t take = out_size - done < sizeof t ? out_size - done : sizeof t;
    for (std::size_t i = 0; i < take; ++i) out[done + i] = t[i];
    done += take;
  }
  secure_wipe(t, sizeof t);
  return true;
}

bool hkdf_sha256(const void* salt, std::size_t salt_size, const void* ikm, std::size_t ikm_size,
                 const void* info, std::size_t info_size, std::uint8_t* out, std::size_t out_size) {
  if (out_size > kHkdfSha256MaxOutput) return false;
  std::uint8_t prk[32];
  hkdf_sha256_extract(salt, salt_size, ikm, ikm_size, prk);
  const bool ok = hkdf_sha256_expand(prk, sizeof prk, info, info_size, out, out_size);
  secure_wipe(prk, sizeof prk);
  return ok;
}

}  // namespace cocoon::crypto
