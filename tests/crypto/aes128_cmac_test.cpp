// AES-128 (FIPS 197) and AES-128-CMAC (RFC 4493), both implementations, against OpenSSL.
#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "shim/crypto/aes128.hpp"
#include "test_util.hpp"
#include "xmm_guard.hpp"

extern "C" {
void cocoon_aes128_expand_key_ni(const std::uint8_t key[16], std::uint8_t round_keys[176]);
void cocoon_aes128_encrypt_ni(const std::uint8_t round_keys[176], const std::uint8_t in[16],
                              std::uint8_t out[16]);
void cocoon_aes128_cbc_mac_ni(const std::uint8_t round_keys[176], std::uint8_t state[16],
                              const std::uint8_t* data, std::size_t nblocks);
}

namespace cocoon::crypto {
namespace {

using test::from_hex;
using test::to_hex;
using Bytes = std::vector<std::uint8_t>;

class AesPaths : public ::testing::TestWithParam<AesImpl> {
 protected:
  void SetUp() override {
    if (GetParam() == AesImpl::AesNi && !aes128_ni_available()) GTEST_SKIP() << "this CPU has no AES-NI";
  }
};

std::string encrypt_hex(const std::string& key_hex, const std::string& pt_hex, AesImpl impl) {
  const Bytes key = from_hex(key_hex), pt = from_hex(pt_hex);
  Aes128Key k;
  aes128_expand_key(key.data(), k, impl);
  std::uint8_t ct[16];
  aes128_encrypt_block(k, pt.data(), ct);
  return to_hex(ct, 16);
}

TEST_P(AesPaths, Fips197KnownAnswers) {
  // FIPS 197 Appendix B and Appendix C.1
  EXPECT_EQ(encrypt_hex("2b7e151628aed2a6abf7158809cf4f3c", "3243f6a8885a308d313198a2e0370734", GetParam()),
            "3925841d02dc09fbdc118597196a0b32");
  EXPECT_EQ(encrypt_hex("000102030405060708090a0b0c0d0e0f", "00112233445566778899aabbccddeeff", GetParam()),
            "69c4e0d86a7b0430d8cdb78070b4c55a");
}

TEST_P(AesPaths, KeyScheduleMatchesFips197AppendixA1) {
  const Bytes key = from_hex("2b7e151628aed2a6abf7158809cf4f3c");
  Aes128Key k;
  aes128_expand_key(key.data(), k, GetParam());
  EXPECT_EQ(to_hex(k.round_keys + 16, 16), "a0fafe1788542cb123a339392a6c7605");  // w4..w7
  EXPECT_EQ(to_hex(k.round_keys + 160, 16), "d014f9a8c9ee2589e13f0cc8b6630ca6");  // w40..w43
}

TEST_P(AesPaths, MatchesOpenSslOnRandomBlocks) {
  std::mt19937_64 rng(197);
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  for (int i = 0; i < 200; ++i) {
    const Bytes key = test::random_bytes(rng, 16), pt = test::random_bytes(rng, 16);
    std::uint8_t want[32];
    int len = 0;
    ASSERT_EQ(EVP_EncryptInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key.data(), nullptr), 1);
    EVP_CIPHER_CTX_set_padding(ctx, 0);
    ASSERT_EQ(EVP_EncryptUpdate(ctx, want, &len, pt.data(), 16), 1);
    Aes128Key k;
    aes128_expand_key(key.data(), k, GetParam());
    std::uint8_t got[16];
    aes128_encrypt_block(k, pt.data(), got);
    ASSERT_EQ(to_hex(got, 16), to_hex(want, 16)) << "block " << i;
  }
  EVP_CIPHER_CTX_free(ctx);
}

std::string cmac_hex(const std::string& key_hex, const Bytes& msg, AesImpl impl) {
  const Bytes key = from_hex(key_hex);
  std::uint8_t mac[16];
  aes128_cmac(key.data(), msg.data(), msg.size(), mac, impl);
  return to_hex(mac, 16);
}

TEST_P(AesPaths, CmacRfc4493Examples) {
  const std::string key = "2b7e151628aed2a6abf7158809cf4f3c";
  const Bytes m = from_hex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411e5fbc1191a0a52ef"
      "f69f2445df4f9b17ad2b417be66c3710");
  EXPECT_EQ(cmac_hex(key, Bytes{}, GetParam()), "bb1d6929e95937287fa37d129b756746");
  EXPECT_EQ(cmac_hex(key, Bytes(m.begin(), m.begin() + 16), GetParam()), "070a16b46b4d4144f79bdd9dd04a287c");
  EXPECT_EQ(cmac_hex(key, Bytes(m.begin(), m.begin() + 40), GetParam()), "dfa66747de9ae63030ca32611497c827");
  EXPECT_EQ(cmac_hex(key, m, GetParam()), "51f0bebf7e3b9d92fc49741779363cfe");
}

std::string openssl_cmac(const Bytes& key, const Bytes& msg) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  char cipher[] = "AES-128-CBC";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                         OSSL_PARAM_construct_end()};
  std::uint8_t out[16];
  std::size_t len = 0;
  const bool ok = EVP_MAC_init(ctx, key.data(), key.size(), params) == 1 &&
                  EVP_MAC_update(ctx, msg.data(), msg.size()) == 1 &&
                  EVP_MAC_final(ctx, out, &len, sizeof out) == 1 && len == 16;
  EVP_MAC_CTX_free(ctx);
  return ok ? to_hex(out, 16) : "openssl failed";
}

TEST_P(AesPaths, CmacMatchesOpenSslOneShotAndStreaming) {
  std::mt19937_64 rng(4493);
  for (int i = 0; i < 150; ++i) {
    const Bytes key = test::random_bytes(rng, 16);
    const std::size_t n = i < 70 ? static_cast<std::size_t>(i) : rng() % 2000;
    const Bytes msg = test::random_bytes(rng, n);
    const std::string want = openssl_cmac(key, msg);
    std::uint8_t mac[16];
    aes128_cmac(key.data(), msg.data(), msg.size(), mac, GetParam());
    ASSERT_EQ(to_hex(mac, 16), want) << "one-shot, length " << n;
    Aes128Cmac c(key.data(), GetParam());
    std::size_t pos = 0;
    while (pos < n) {
      std::size_t chunk = rng() % 40;
      if (chunk > n - pos) chunk = n - pos;
      c.update(msg.data() + pos, chunk);
      pos += chunk;
    }
    c.final(mac);
    ASSERT_EQ(to_hex(mac, 16), want) << "streaming, length " << n;
  }
}

INSTANTIATE_TEST_SUITE_P(AesImpl, AesPaths, ::testing::Values(AesImpl::Portable, AesImpl::AesNi, AesImpl::Auto),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case AesImpl::Portable: return std::string("Portable");
                             case AesImpl::AesNi: return std::string("AesNi");
                             default: return std::string("Auto");
                           }
                         });

TEST(Aes128, PortableAndAesNiKeySchedulesAreIdentical) {
  if (!aes128_ni_available()) GTEST_SKIP() << "this CPU has no AES-NI";
  std::mt19937_64 rng(11);
  for (int i = 0; i < 50; ++i) {
    const Bytes key = test::random_bytes(rng, 16);
    Aes128Key a, b;
    aes128_expand_key(key.data(), a, AesImpl::Portable);
    aes128_expand_key(key.data(), b, AesImpl::AesNi);
    ASSERT_EQ(0, std::memcmp(a.round_keys, b.round_keys, sizeof a.round_keys));
  }
}

void expect_xmm_preserved(const test::XmmFrame& frame, const char* what) {
  for (int r = 0; r < 16; ++r)
    EXPECT_EQ(to_hex(frame.after[r], 16), to_hex(frame.before[r], 16)) << what << ": xmm" << r;
}

TEST(Aes128, AesNiRoutinesPreserveAllXmmRegisters) {
  if (!aes128_ni_available()) GTEST_SKIP() << "this CPU has no AES-NI";
  const Bytes key = from_hex("000102030405060708090a0b0c0d0e0f");
  const Bytes pt = from_hex("00112233445566778899aabbccddeeff");
  alignas(16) std::uint8_t rk[176];
  test::XmmFrame frame;

  test::call_with_xmm_pattern(reinterpret_cast<const void*>(&cocoon_aes128_expand_key_ni),
                              reinterpret_cast<std::uint64_t>(key.data()), reinterpret_cast<std::uint64_t>(rk),
                              0, 0, frame, 0x10);
  expect_xmm_preserved(frame, "expand_key");
  EXPECT_EQ(to_hex(rk + 160, 16), "13111d7fe3944a17f307a78b4d2b30c5");  // FIPS 197 C.1 round 10 key

  std::uint8_t ct[16] = {};
  test::call_with_xmm_pattern(reinterpret_cast<const void*>(&cocoon_aes128_encrypt_ni),
                              reinterpret_cast<std::uint64_t>(rk), reinterpret_cast<std::uint64_t>(pt.data()),
                              reinterpret_cast<std::uint64_t>(ct), 0, frame, 0x20);
  expect_xmm_preserved(frame, "encrypt");
  EXPECT_EQ(to_hex(ct, 16), "69c4e0d86a7b0430d8cdb78070b4c55a");

  // CBC-MAC of one block from a zero state is the plain encryption of that block.
  std::uint8_t state[16] = {};
  test::call_with_xmm_pattern(reinterpret_cast<const void*>(&cocoon_aes128_cbc_mac_ni),
                              reinterpret_cast<std::uint64_t>(rk), reinterpret_cast<std::uint64_t>(state),
                              reinterpret_cast<std::uint64_t>(pt.data()), 1, frame, 0x30);
  expect_xmm_preserved(frame, "cbc_mac");
  EXPECT_EQ(to_hex(state, 16), "69c4e0d86a7b0430d8cdb78070b4c55a");
}

TEST(Aes128, AesNiCbcMacLeavesUpperYmmHalvesAlone) {
  if (!aes128_ni_available() || !test::avx_usable()) GTEST_SKIP() << "needs AES-NI and AVX";
  const Bytes key = from_hex("000102030405060708090a0b0c0d0e0f");
  Aes128Key k;
  aes128_expand_key(key.data(), k, AesImpl::AesNi);
  const Bytes data(64, 0x5c);
  std::uint8_t state[16] = {};
  test::YmmFrame frame;
  test::call_with_ymm_pattern(reinterpret_cast<const void*>(&cocoon_aes128_cbc_mac_ni),
                              reinterpret_cast<std::uint64_t>(k.round_keys), reinterpret_cast<std::uint64_t>(state),
                              reinterpret_cast<std::uint64_t>(data.data()), 4, frame, 0x55);
  for (int r = 0; r < 16; ++r)
    EXPECT_EQ(to_hex(frame.after[r], 32), to_hex(frame.before[r], 32)) << "ymm" << r;
}

}  // namespace
}  // namespace cocoon::crypto
