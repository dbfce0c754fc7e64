// SHA-256: FIPS 180-4 known answers and agreement with OpenSSL, for both compression paths.
#include "shim/crypto/sha256.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "test_util.hpp"
#include "xmm_guard.hpp"

extern "C" void cocoon_sha256_blocks_shani(std::uint32_t state[8], const std::uint8_t* data,
                                           std::size_t nblocks);
extern "C" void cocoon_sha256_blocks_shani_copy(std::uint32_t state[8], const std::uint8_t* src,
                                                std::size_t nblocks, std::uint8_t* dst);

namespace cocoon::crypto {
namespace {

using test::to_hex;

std::string openssl_sha256_hex(const std::uint8_t* p, std::size_t n) {
  std::uint8_t md[32];
  unsigned len = 0;
  if (EVP_Digest(p, n, md, &len, EVP_sha256(), nullptr) != 1 || len != 32) return "openssl failed";
  return to_hex(md, 32);
}

std::string digest_hex(const void* p, std::size_t n, Sha256Impl impl) {
  std::uint8_t md[32];
  sha256(p, n, md, impl);
  return to_hex(md, 32);
}

class Sha256Paths : public ::testing::TestWithParam<Sha256Impl> {
 protected:
  void SetUp() override {
    if (GetParam() == Sha256Impl::ShaNi && !sha256_shani_available())
      GTEST_SKIP() << "this CPU has no SHA-NI";
  }
};

// FIPS 180-4 / NIST CSRC example values.
TEST_P(Sha256Paths, FipsKnownAnswers) {
  const Sha256Impl impl = GetParam();
  EXPECT_EQ(digest_hex("", 0, impl), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest_hex("abc", 3, impl), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const char* two_block = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  EXPECT_EQ(digest_hex(two_block, std::strlen(two_block), impl),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  const char* long_msg =
      "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  EXPECT_EQ(digest_hex(long_msg, std::strlen(long_msg), impl),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  const std::vector<std::uint8_t> million_a(1000000, 'a');
  EXPECT_EQ(digest_hex(million_a.data(), million_a.size(), impl),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Every length 0..300 (all padding cases) plus 300 random lengths up to 10,000.
TEST_P(Sha256Paths, MatchesOpenSslOnRandomLengths) {
  std::mt19937_64 rng(0x5a256 ^ static_cast<unsigned>(GetParam()));
  const auto data = test::random_bytes(rng, 10000);
  std::vector<std::size_t> lengths;
  for (std::size_t n = 0; n <= 300; ++n) lengths.push_back(n);
  for (int i = 0; i < 300; ++i) lengths.push_back(rng() % 10001);
  lengths.push_back(10000);
  for (std::size_t n : lengths) {
    // an unaligned start as well, so the block routines see unaligned input
    const std::size_t off = n < 10000 ? rng() % (10000 - n + 1) : 0;
    ASSERT_EQ(digest_hex(data.data() + off, n, GetParam()), openssl_sha256_hex(data.data() + off, n))
        << "length " << n << " offset " << off;
  }
}

TEST_P(Sha256Paths, StreamingInRandomChunksMatchesOneShot) {
  std::mt19937_64 rng(77 + static_cast<unsigned>(GetParam()));
  for (int round = 0; round < 100; ++round) {
    const std::size_t n = rng() % 10001;
    const auto data = test::random_bytes(rng, n);
    Sha256 h(GetParam());
    std::size_t pos = 0;
    while (pos < n) {
      // mostly small chunks (exercise the buffer), sometimes large ones
      std::size_t chunk = (rng() % 4 == 0) ? rng() % 2000 : rng() % 70;
      if (chunk > n - pos) chunk = n - pos;
      h.update(data.data() + pos, chunk);
      if (rng() % 8 == 0) h.update(data.data() + pos, 0);
      pos += chunk;
    }
    std::uint8_t md[32];
    h.final(md);
    ASSERT_EQ(to_hex(md, 32), openssl_sha256_hex(data.data(), n)) << "length " << n;
  }
}

// update_copy (copy and hash in one pass) mixed with update, in chunks of every alignment:
// the digest is OpenSSL's, and the destination holds exactly the source.
TEST_P(Sha256Paths, CopyingWhileHashingMatchesOpenSslAndCopies) {
  std::mt19937_64 rng(91 + static_cast<unsigned>(GetParam()));
  for (int round = 0; round < 100; ++round) {
    const std::size_t n = rng() % 20001;
    const auto data = test::random_bytes(rng, n);
    std::vector<std::uint8_t> copy(n + 1, 0xee);
    Sha256 h(GetParam());
    std::size_t pos = 0;
    while (pos < n) {
      std::size_t chunk = (rng() % 3 == 0) ? rng() % 5000 : rng() % 130;
      if (chunk > n - pos) chunk = n - pos;
      if (rng() % 4 == 0) {
        std::memcpy(copy.data() + pos, data.data() + pos, chunk);
        h.update(data.data() + pos, chunk);
      } else {
        h.update_copy(copy.data() + pos, data.data() + pos, chunk);
      }
      pos += chunk;
    }
    std::uint8_t md[32];
    h.final(md);
    ASSERT_EQ(to_hex(md, 32), openssl_sha256_hex(data.data(), n)) << "length " << n;
    ASSERT_EQ(0, std::memcmp(copy.data(), data.data(), n)) << "length " << n;
    ASSERT_EQ(copy[n], 0xee) << "wrote past the end, length " << n;
  }
}

TEST_P(Sha256Paths, ResetStartsOver) {
  Sha256 h(GetParam());
  h.update("garbage", 7);
  h.reset(GetParam());
  h.update("abc", 3);
  std::uint8_t md[32];
  h.final(md);
  EXPECT_EQ(to_hex(md, 32), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

INSTANTIATE_TEST_SUITE_P(Sha256Impl, Sha256Paths,
                         ::testing::Values(Sha256Impl::Portable, Sha256Impl::ShaNi, Sha256Impl::Auto),
                         [](const auto& param_info) {
                           switch (param_info.param) {
                             case Sha256Impl::Portable: return std::string("Portable");
                             case Sha256Impl::ShaNi: return std::string("ShaNi");
                             default: return std::string("Auto");
                           }
                         });

TEST(Sha256, ShaNiDetectedOnThisMachine) {
  // The project machines have sha_ni (docs/shared notes); if /proc/cpuinfo says so, CPUID
  // detection must agree.
  FILE* f = std::fopen("/proc/cpuinfo", "r");
  ASSERT_NE(f, nullptr);
  std::string all;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) all.append(buf, n);
  std::fclose(f);
  const bool cpuinfo_says = all.find(" sha_ni") != std::string::npos;
  EXPECT_EQ(sha256_shani_available(), cpuinfo_says);
}

// Runs a SHA-NI block routine over three random blocks with every XMM register holding a
// pattern: it must compute what the portable routine does and leave every register as it
// was. `dst`: the copy routine's destination (0 for the plain one). Returns the blocks.
std::vector<std::uint8_t> expect_blocks_keep_xmm(const void* routine, std::uint64_t dst, unsigned seed,
                                                 std::uint8_t pattern) {
  std::mt19937_64 rng(seed);
  auto data = test::random_bytes(rng, 3 * 64);
  std::uint32_t state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  std::uint32_t expected[8];
  std::memcpy(expected, state, sizeof state);
  sha256_blocks_portable(expected, data.data(), 3);

  test::XmmFrame frame;
  test::call_with_xmm_pattern(routine, reinterpret_cast<std::uint64_t>(state),
                              reinterpret_cast<std::uint64_t>(data.data()), 3, dst, frame, pattern);
  // The call did its job...
  EXPECT_EQ(0, std::memcmp(state, expected, sizeof state));
  // ...and every vector register is as it was.
  for (int r = 0; r < 16; ++r)
    EXPECT_EQ(to_hex(frame.after[r], 16), to_hex(frame.before[r], 16)) << "xmm" << r;
  return data;
}

TEST(Sha256, ShaNiRoutinePreservesAllXmmRegisters) {
  if (!sha256_shani_available()) GTEST_SKIP() << "this CPU has no SHA-NI";
  expect_blocks_keep_xmm(reinterpret_cast<const void*>(&cocoon_sha256_blocks_shani), 0, 5, 0x31);
}

TEST(Sha256, ShaNiCopyRoutinePreservesAllXmmRegisters) {
  if (!sha256_shani_available()) GTEST_SKIP() << "this CPU has no SHA-NI";
  std::vector<std::uint8_t> copy(3 * 64 + 16, 0);
  const auto data = expect_blocks_keep_xmm(reinterpret_cast<const void*>(&cocoon_sha256_blocks_shani_copy),
                                           reinterpret_cast<std::uint64_t>(copy.data()), 8, 0x52);
  EXPECT_EQ(0, std::memcmp(copy.data(), data.data(), 3 * 64));
  EXPECT_EQ(copy[3 * 64], 0);  // nothing past the blocks
}

TEST(Sha256, ShaNiRoutineLeavesUpperYmmHalvesAlone) {
  if (!sha256_shani_available() || !test::avx_usable()) GTEST_SKIP() << "needs SHA-NI and AVX";
  std::mt19937_64 rng(6);
  const auto data = test::random_bytes(rng, 2 * 64);
  std::uint32_t state[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  test::YmmFrame frame;
  test::call_with_ymm_pattern(reinterpret_cast<const void*>(&cocoon_sha256_blocks_shani),
                              reinterpret_cast<std::uint64_t>(state),
                              reinterpret_cast<std::uint64_t>(data.data()), 2, 0, frame, 0x44);
  for (int r = 0; r < 16; ++r)
    EXPECT_EQ(to_hex(frame.after[r], 32), to_hex(frame.before[r], 32)) << "ymm" << r;
}

}  // namespace
}  // namespace cocoon::crypto
