#include "quote_ecdsa.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/param_build.h>
#include <openssl/sha.h>

#include <stdexcept>
#include <vector>

namespace cocoon::quote {

namespace {
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
struct SigFree {
  void operator()(ECDSA_SIG* s) const { ECDSA_SIG_free(s); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* c) const { EVP_PKEY_CTX_free(c); }
};
}  // namespace

std::string openssl_error() {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (!e) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  return buf;
}

Bytes32 sha256(std::span<const std::uint8_t> data) {
  Bytes32 out{};
  SHA256(data.data(), data.size(), out.data());
  return out;
}

PkeyPtr p256_public_from_raw(const Bytes64& xy) {
  std::uint8_t point[65];
  point[0] = 0x04;
  std::copy(xy.begin(), xy.end(), point + 1);
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME, const_cast<char*>("prime256v1"), 0),
      OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point),
      OSSL_PARAM_construct_end()};
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> ctx(EVP_PKEY_CTX_new_from_name(nullptr, "EC", nullptr));
  EVP_PKEY* key = nullptr;
  if (!ctx || EVP_PKEY_fromdata_init(ctx.get()) <= 0 ||
      EVP_PKEY_fromdata(ctx.get(), &key, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
    ERR_clear_error();
    return nullptr;
  }
  PkeyPtr out(key);
  // fromdata does not always check the point is on the curve; do it explicitly.
  std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree> check(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (!check || EVP_PKEY_public_check(check.get()) <= 0) {
    ERR_clear_error();
    return nullptr;
  }
  return out;
}

bool is_p256_key(EVP_PKEY* key) {
  if (!key || EVP_PKEY_get_base_id(key) != EVP_PKEY_EC) return false;
  char group[64] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len) <= 0) {
    ERR_clear_error();
    return false;
  }
  return std::string(group, len) == "prime256v1";
}

Bytes64 p256_public_to_raw(EVP_PKEY* key) {
  if (!is_p256_key(key)) throw std::runtime_error("key is not an ECDSA P-256 key");
  std::uint8_t point[65];
  size_t len = 0;
  if (EVP_PKEY_get_octet_string_param(key, OSSL_PKEY_PARAM_PUB_KEY, point, sizeof point, &len) <= 0 || len != 65 ||
      point[0] != 0x04) {
    // Keys may carry a compressed point; ask for the uncompressed encoding.
    ERR_clear_error();
    std::uint8_t* buf = nullptr;
    size_t n = EVP_PKEY_get1_encoded_public_key(key, &buf);
    if (n != 65 || !buf || buf[0] != 0x04) {
      OPENSSL_free(buf);
      throw std::runtime_error("cannot encode the P-256 public key: " + openssl_error());
    }
    std::copy(buf, buf + 65, point);
    OPENSSL_free(buf);
  }
  Bytes64 out{};
  std::copy(point + 1, point + 65, out.begin());
  return out;
}

bool p256_verify(EVP_PKEY* key, std::span<const std::uint8_t> msg, const Bytes64& rs) {
  std::unique_ptr<ECDSA_SIG, SigFree> sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(rs.data(), 32, nullptr);
  BIGNUM* s = BN_bin2bn(rs.data() + 32, 32, nullptr);
  if (!sig || !r || !s || !ECDSA_SIG_set0(sig.get(), r, s)) {
    BN_free(r);
    BN_free(s);
    ERR_clear_error();
    return false;
  }
  unsigned char* der = nullptr;
  int der_len = i2d_ECDSA_SIG(sig.get(), &der);
  if (der_len <= 0) {
    ERR_clear_error();
    return false;
  }
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  bool ok = ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) == 1 &&
            EVP_DigestVerify(ctx.get(), der, static_cast<size_t>(der_len), msg.data(), msg.size()) == 1;
  OPENSSL_free(der);
  ERR_clear_error();
  return ok;
}

Bytes64 p256_sign(EVP_PKEY* key, std::span<const std::uint8_t> msg) {
  std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
  size_t der_len = 0;
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &der_len, msg.data(), msg.size()) != 1)
    throw std::runtime_error("ECDSA signing failed: " + openssl_error());
  std::vector<unsigned char> der(der_len);
  if (EVP_DigestSign(ctx.get(), der.data(), &der_len, msg.data(), msg.size()) != 1)
    throw std::runtime_error("ECDSA signing failed: " + openssl_error());
  const unsigned char* p = der.data();
  std::unique_ptr<ECDSA_SIG, SigFree> sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der_len)));
  if (!sig) throw std::runtime_error("ECDSA signature decode failed: " + openssl_error());
  Bytes64 out{};
  if (BN_bn2binpad(ECDSA_SIG_get0_r(sig.get()), out.data(), 32) != 32 ||
      BN_bn2binpad(ECDSA_SIG_get0_s(sig.get()), out.data() + 32, 32) != 32)
    throw std::runtime_error("ECDSA signature does not fit 32+32 bytes");
  return out;
}

PkeyPtr p256_generate() {
  PkeyPtr key(EVP_EC_gen("prime256v1"));
  if (!key) throw std::runtime_error("cannot generate a P-256 key: " + openssl_error());
  return key;
}

}  // namespace cocoon::quote
