// HMAC-SHA256 (RFC 4231 vectors) and HKDF-SHA256 (RFC 5869 vectors), cross-checked with OpenSSL.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <random>
#include <string>
#include <vector>

#include "shim/crypto/hkdf_sha256.hpp"
#include "shim/crypto/hmac_sha256.hpp"
#include "test_util.hpp"

namespace cocoon::crypto {
namespace {

using test::from_hex;
using test::to_hex;
using Bytes = std::vector<std::uint8_t>;

Bytes str(const char* s) { return Bytes(s, s + std::char_traits<char>::length(s)); }

std::string ours_hmac(const Bytes& key, const Bytes& data) {
  std::uint8_t mac[32];
  hmac_sha256(key.data(), key.size(), data.data(), data.size(), mac);
  return to_hex(mac, 32);
}

std::string openssl_hmac(const Bytes& key, const Bytes& data) {
  std::uint8_t mac[32];
  unsigned len = 0;
  if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), data.data(), data.size(), mac, &len))
    return "openssl failed";
  return to_hex(mac, len);
}

struct HmacCase {
  Bytes key, data;
  std::string mac;  // hex, possibly truncated (RFC 4231 test case 5)
};

TEST(HmacSha256, Rfc4231TestCases) {
  std::vector<HmacCase> cases = {
      {Bytes(20, 0x0b), str("Hi There"),
       "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"},
      {str("Jefe"), str("what do ya want for nothing?"),
       "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"},
      {Bytes(20, 0xaa), Bytes(50, 0xdd),
       "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"},
      {from_hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Bytes(50, 0xcd),
       "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"},
      {Bytes(20, 0x0c), str("Test With Truncation"), "a3b6167473100ee06e0c796c2955552b"},
      {Bytes(131, 0xaa), str("Test Using Larger Than Block-Size Key - Hash Key First"),
       "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"},
      {Bytes(131, 0xaa),
       str("This is a test using a larger than block-size key and a larger than block-size data. "
           "The key needs to be hashed before being used by the HMAC algorithm."),
       "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    const std::string mac = ours_hmac(c.key, c.data);
    EXPECT_EQ(mac.substr(0, c.mac.size()), c.mac) << "RFC 4231 test case " << i + 1;
    EXPECT_EQ(mac, openssl_hmac(c.key, c.data)) << "RFC 4231 test case " << i + 1;
  }
}

TEST(HmacSha256, MatchesOpenSslForKeyAndDataLengths) {
  std::mt19937_64 rng(4231);
  for (std::size_t key_len : {0, 1, 31, 32, 63, 64, 65, 100, 200}) {
    for (int i = 0; i < 20; ++i) {
      const Bytes key = test::random_bytes(rng, key_len);
      const Bytes data = test::random_bytes(rng, rng() % 3000);
      ASSERT_EQ(ours_hmac(key, data), openssl_hmac(key, data)) << "key " << key_len;
    }
  }
}

TEST(HmacSha256, IncrementalEqualsOneShotForBothShaPaths) {
  std::mt19937_64 rng(9);
  const Bytes key = test::random_bytes(rng, 40), data = test::random_bytes(rng, 1000);
  for (Sha256Impl impl : {Sha256Impl::Portable, Sha256Impl::Auto}) {
    HmacSha256 h(key.data(), key.size(), impl);
    h.update(data.data(), 1);
    h.update(data.data() + 1, 500);
    h.update(data.data() + 501, 499);
    std::uint8_t mac[32];
    h.final(mac);
    EXPECT_EQ(to_hex(mac, 32), openssl_hmac(key, data));
  }
}

struct HkdfCase {
  Bytes ikm, salt, info;
  std::size_t length;
  std::string prk, okm;
};

Bytes range(int first, int last) {
  Bytes b;
  for (int i = first; i <= last; ++i) b.push_back(static_cast<std::uint8_t>(i));
  return b;
}

TEST(HkdfSha256, Rfc5869TestCases) {
  const std::vector<HkdfCase> cases = {
      {Bytes(22, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42,
       "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5",
       "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"},
      {range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82,
       "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244",
       "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
       "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87"},
      {Bytes(22, 0x0b), Bytes{}, Bytes{}, 42,
       "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04",
       "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    std::uint8_t prk[32];
    hkdf_sha256_extract(c.salt.data(), c.salt.size(), c.ikm.data(), c.ikm.size(), prk);
    EXPECT_EQ(to_hex(prk, 32), c.prk) << "RFC 5869 test case " << i + 1;
    Bytes okm(c.length);
    ASSERT_TRUE(hkdf_sha256_expand(prk, 32, c.info.data(), c.info.size(), okm.data(), okm.size()));
    EXPECT_EQ(to_hex(okm.data(), okm.size()), c.okm) << "RFC 5869 test case " << i + 1;
    Bytes okm2(c.length);
    ASSERT_TRUE(hkdf_sha256(c.salt.data(), c.salt.size(), c.ikm.data(), c.ikm.size(), c.info.data(),
                            c.info.size(), okm2.data(), okm2.size()));
    EXPECT_EQ(okm2, okm);
  }
}

std::string openssl_hkdf(const Bytes& salt, const Bytes& ikm, const Bytes& info, std::size_t len) {
  EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
  EVP_KDF_CTX* ctx = EVP_KDF_CTX_new(kdf);
  EVP_KDF_free(kdf);
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, const_cast<std::uint8_t*>(ikm.data()), ikm.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, const_cast<std::uint8_t*>(salt.data()), salt.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, const_cast<std::uint8_t*>(info.data()), info.size()),
      OSSL_PARAM_construct_end()};
  Bytes out(len);
  const int ok = EVP_KDF_derive(ctx, out.data(), out.size(), params);
  EVP_KDF_CTX_free(ctx);
  return ok == 1 ? to_hex(out.data(), out.size()) : "openssl failed";
}

TEST(HkdfSha256, MatchesOpenSslForRandomInputs) {
  std::mt19937_64 rng(5869);
  for (int i = 0; i < 50; ++i) {
    const Bytes salt = test::random_bytes(rng, 1 + rng() % 100);
    const Bytes ikm = test::random_bytes(rng, 1 + rng() % 100);
    const Bytes info = test::random_bytes(rng, rng() % 100);
    const std::size_t len = 1 + rng() % 300;
    Bytes out(len);
    ASSERT_TRUE(hkdf_sha256(salt.data(), salt.size(), ikm.data(), ikm.size(), info.data(), info.size(),
                            out.data(), out.size()));
    ASSERT_EQ(to_hex(out.data(), out.size()), openssl_hkdf(salt, ikm, info, len)) << "case " << i;
  }
}

TEST(HkdfSha256, RefusesOutputLongerThan255Blocks) {
  Bytes out(kHkdfSha256MaxOutput + 1, 0x5a);
  const Bytes ikm(32, 1);
  EXPECT_FALSE(hkdf_sha256(nullptr, 0, ikm.data(), ikm.size(), nullptr, 0, out.data(), out.size()));
  EXPECT_EQ(out[0], 0x5a) << "nothing is written on refusal";
  EXPECT_TRUE(hkdf_sha256(nullptr, 0, ikm.data(), ikm.size(), nullptr, 0, out.data(), kHkdfSha256MaxOutput));
}

}  // namespace
}  // namespace cocoon::crypto
