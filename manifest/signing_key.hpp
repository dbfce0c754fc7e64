// The enclave signing key: RSA-3072 with public exponent 3, the only kind EINIT accepts
// (shared/specs/sgx-structures.md §4). Host code, OpenSSL 3 EVP.
//
// Loading never prompts: an encrypted (passphrase-protected) key is refused with a message
// saying how to decrypt it. Every problem throws KeyError naming the key's source.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

typedef struct evp_pkey_st EVP_PKEY;

namespace cocoon::measure {

class KeyError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr unsigned kSigningKeyBits = 3072;
inline constexpr unsigned kSigningKeyExponent = 3;
inline constexpr std::size_t kModulusBytes = 384;

class SigningKey {
 public:
  // A fresh RSA-3072, e=3 key.
  static SigningKey generate();
  // From PEM text (PKCS#8 or traditional "RSA PRIVATE KEY"). `source` names it in errors.
  static SigningKey from_pem(std::string_view pem, const std::string& source);
  // From a file; "-" reads standard input.
  static SigningKey load(const std::string& path);

  // Unencrypted PKCS#8 PEM of the private key.
  std::string private_pem() const;
  // Writes private_pem() to `path` with mode 0600. Refuses to replace an existing file
  // unless `overwrite`.
  void write_private_pem(const std::string& path, bool overwrite) const;

  // The modulus n as 384 bytes, little-endian (the SIGSTRUCT MODULUS field).
  std::array<std::uint8_t, kModulusBytes> modulus_le() const;
  // RSASSA-PKCS1-v1_5 signature of a SHA-256 digest, as 384 big-endian bytes.
  std::array<std::uint8_t, kModulusBytes> sign_digest(const std::uint8_t digest[32]) const;

  EVP_PKEY* pkey() const { return key_.get(); }

 private:
  struct Free {
    void operator()(EVP_PKEY* k) const;
  };
  explicit SigningKey(EVP_PKEY* k) : key_(k) {}
  std::unique_ptr<EVP_PKEY, Free> key_;
};

// Checks that `key` is RSA, 3072 bits, e = 3; throws KeyError("<source>: …") otherwise.
void check_signing_key(EVP_PKEY* key, const std::string& source);

}  // namespace cocoon::measure
