// RSA-3072 / e=3 signing keys (signing_key.hpp).
#include "manifest/signing_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace cocoon::measure {
namespace {

std::string openssl_reason() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct CtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, CtxFree>;
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

Bn get_bn(EVP_PKEY* k, const char* name) {
  BIGNUM* b = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &b) != 1) return nullptr;
  return Bn(b);
}

// Never prompts: no passphrase is available.
int no_passphrase(char*, int, int, void*) { return 0; }

}  // namespace

void SigningKey::Free::operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }

void check_signing_key(EVP_PKEY* key, const std::string& source) {
  if (!EVP_PKEY_is_a(key, "RSA")) {
    const char* type = EVP_PKEY_get0_type_name(key);
    throw KeyError(source + ": not an RSA key (it is " + (type ? type : "of an unknown type") +
                   "); SGX enclaves must be signed with RSA-3072, public exponent 3 (create one with 'cocoon keygen')");
  }
  const int bits = EVP_PKEY_get_bits(key);
  if (bits != static_cast<int>(kSigningKeyBits))
    throw KeyError(source + ": RSA key is " + std::to_string(bits) +
                   " bits; SGX requires exactly 3072 bits (create one with 'cocoon keygen')");
  Bn e = get_bn(key, OSSL_PKEY_PARAM_RSA_E);
  if (!e) throw KeyError(source + ": cannot read the RSA public exponent");
  if (!BN_is_word(e.get(), kSigningKeyExponent)) {
    char* dec = BN_bn2dec(e.get());
    std::string s = dec ? dec : "?";
    OPENSSL_free(dec);
    throw KeyError(source + ": RSA public exponent is " + s +
                   "; SGX requires exponent 3 (create a key with 'cocoon keygen')");
  }
  Bn d = get_bn(key, OSSL_PKEY_PARAM_RSA_D);
  if (!d) throw KeyError(source + ": this is a public key only; signing needs the private key");
}

SigningKey SigningKey::generate() {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1) throw KeyError("RSA key generation: " + openssl_reason());
  Bn e(BN_new());
  if (!e || BN_set_word(e.get(), kSigningKeyExponent) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), static_cast<int>(kSigningKeyBits)) != 1 ||
      EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx.get(), e.get()) != 1)
    throw KeyError("RSA key generation: " + openssl_reason());
  EVP_PKEY* k = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &k) != 1 || !k) throw KeyError("RSA key generation: " + openssl_reason());
  SigningKey key(k);
  check_signing_key(k, "generated key");
  return key;
}

SigningKey SigningKey::from_pem(std::string_view pem, const std::string& source) {
  if (pem.empty()) throw KeyError(source + ": empty input; expected a PEM RSA private key");
  if (pem.find("-----BEGIN ") == std::string_view::npos)
    throw KeyError(source + ": not a PEM file (no '-----BEGIN' line); expected an RSA private key in PEM form");
  if (pem.find("ENCRYPTED") != std::string_view::npos)
    throw KeyError(source +
                   ": the private key is encrypted (passphrase-protected) and cocoon never prompts; decrypt it "
                   "first, e.g. 'openssl pkey -in KEY -out KEY.plain', and keep the plain copy private");
  if (pem.find("-----BEGIN PUBLIC KEY") != std::string_view::npos ||
      pem.find("-----BEGIN RSA PUBLIC KEY") != std::string_view::npos)
    throw KeyError(source + ": this is a public key; signing needs the private key");
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw KeyError(source + ": " + openssl_reason());
  EVP_PKEY* k = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  if (!k) throw KeyError(source + ": not a readable PEM private key (" + openssl_reason() + ")");
  SigningKey key(k);
  check_signing_key(k, source);
  return key;
}

SigningKey SigningKey::load(const std::string& path) {
  std::string text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
    if (std::cin.bad()) throw KeyError("standard input: read error");
    return from_pem(text, "key on standard input");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw KeyError(path + ": cannot read the key (" + std::strerror(errno) + ")");
  text.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  if (in.bad()) throw KeyError(path + ": read error");
  return from_pem(text, path);
}

std::string SigningKey::private_pem() const {
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key_.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1)
    throw KeyError("cannot encode the private key: " + openssl_reason());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void SigningKey::write_private_pem(const std::string& path, bool overwrite) const {
  const std::string pem = private_pem();
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | (overwrite ? O_TRUNC : O_EXCL);
  int fd = ::open(path.c_str(), flags, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      throw KeyError(path + ": already exists; refusing to overwrite a key (remove it or choose another --out)");
    throw KeyError(path + ": cannot create (" + std::strerror(errno) + ")");
  }
  if (::fchmod(fd, 0600) != 0) {
    const int err = errno;
    ::close(fd);
    throw KeyError(path + ": cannot set mode 0600 (" + std::strerror(err) + ")");
  }
  std::size_t off = 0;
  while (off < pem.size()) {
    ssize_t w = ::write(fd, pem.data() + off, pem.size() - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      throw KeyError(path + ": write failed (" + std::strerror(err) + ")");
    }
    off += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0) throw KeyError(path + ": write failed (" + std::strerror(errno) + ")");
}

std::array<std::uint8_t, kModulusBytes> SigningKey::modulus_le() const {
  Bn n = get_bn(key_.get(), OSSL_PKEY_PARAM_RSA_N);
  std::array<std::uint8_t, kModulusBytes> out{};
  if (!n || BN_bn2lebinpad(n.get(), out.data(), static_cast<int>(out.size())) != static_cast<int>(out.size()))
    throw KeyError("cannot read the RSA modulus: " + openssl_reason());
  return out;
}

std::array<std::uint8_t, kModulusBytes> SigningKey::sign_digest(const std::uint8_t digest[32]) const {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key_.get(), nullptr));
  if (!ctx || EVP_PKEY_sign_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_PADDING) != 1 ||
      EVP_PKEY_CTX_set_signature_md(ctx.get(), EVP_sha256()) != 1)
    throw KeyError("RSA signing setup failed: " + openssl_reason());
  std::array<std::uint8_t, kModulusBytes> sig{};
  std::size_t len = sig.size();
  if (EVP_PKEY_sign(ctx.get(), sig.data(), &len, digest, 32) != 1)
    throw KeyError("RSA signing failed: " + openssl_reason());
  if (len != sig.size()) {
    // Left-pad a short big-endian result (cannot happen for a 3072-bit modulus, but be exact).
    std::array<std::uint8_t, kModulusBytes> padded{};
    std::copy_n(sig.begin(), len, padded.begin() + static_cast<std::ptrdiff_t>(sig.size() - len));
    sig = padded;
  }
  return sig;
}

}  // namespace cocoon::measure
