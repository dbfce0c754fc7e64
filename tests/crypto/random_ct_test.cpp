// rdrand-based random bytes (with bounded retries) and the constant-time compare.
#include <gtest/gtest.h>

#include <bitset>
#include <cstring>
#include <set>
#include <vector>

#include "shim/crypto/constant_time.hpp"
#include "shim/crypto/cpu_features.hpp"
#include "shim/crypto/random.hpp"

namespace cocoon::crypto {
namespace {

TEST(CryptoRandom, RdrandBytesAreNotConstant) {
  if (!cpu_features().rdrand) GTEST_SKIP() << "this CPU has no RDRAND";
  std::vector<std::uint8_t> a(4096), b(4096);
  ASSERT_EQ(random_bytes(a.data(), a.size()), RandomStatus::Ok);
  ASSERT_EQ(random_bytes(b.data(), b.size()), RandomStatus::Ok);
  EXPECT_NE(a, b);
  std::set<std::uint8_t> distinct(a.begin(), a.end());
  EXPECT_GT(distinct.size(), 200u) << "4096 random bytes should take most of the 256 values";
  std::size_t ones = 0;
  for (auto byte : a) ones += std::bitset<8>(byte).count();
  EXPECT_GT(ones, 4096u * 8 * 45 / 100);
  EXPECT_LT(ones, 4096u * 8 * 55 / 100);
}

TEST(CryptoRandom, OddLengthsAreFilledCompletely) {
  if (!cpu_features().rdrand) GTEST_SKIP() << "this CPU has no RDRAND";
  // The chance that any particular random byte is 0 is 1/256; a byte left unwritten would stay
  // 0 every time. Fill 13 bytes many times and check every position became non-zero at least once.
  bool seen_nonzero[13] = {};
  for (int round = 0; round < 64; ++round) {
    std::uint8_t buf[13] = {};
    ASSERT_EQ(random_bytes(buf, sizeof buf), RandomStatus::Ok);
    for (int i = 0; i < 13; ++i) seen_nonzero[i] |= buf[i] != 0;
  }
  for (int i = 0; i < 13; ++i) EXPECT_TRUE(seen_nonzero[i]) << "byte " << i;
  EXPECT_EQ(random_bytes(nullptr, 0), RandomStatus::Ok);
}

struct FakeSource {
  int failures_before_success;  // per word; negative = always fail
  int calls = 0;
  int failed_in_a_row = 0;
};

bool fake_source(std::uint64_t* value, void* ctx) {
  auto* s = static_cast<FakeSource*>(ctx);
  ++s->calls;
  if (s->failures_before_success < 0 || s->failed_in_a_row < s->failures_before_success) {
    ++s->failed_in_a_row;
    return false;
  }
  s->failed_in_a_row = 0;
  *value = 0x0807060504030201ull;
  return true;
}

TEST(CryptoRandom, GivesUpAfterBoundedRetries) {
  FakeSource always_fails{-1};
  std::uint8_t buf[16];
  EXPECT_EQ(random_bytes_from(&fake_source, &always_fails, buf, sizeof buf), RandomStatus::HardwareFailure);
  EXPECT_EQ(always_fails.calls, kRdrandRetries) << "gives up on the first word after the retry budget";
}

TEST(CryptoRandom, TransientFailuresAreRetried) {
  FakeSource flaky{kRdrandRetries - 1};
  std::uint8_t buf[11];
  ASSERT_EQ(random_bytes_from(&fake_source, &flaky, buf, sizeof buf), RandomStatus::Ok);
  EXPECT_EQ(flaky.calls, 2 * kRdrandRetries);  // two words, each after kRdrandRetries-1 failures
  const std::uint8_t want[11] = {1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3};
  EXPECT_EQ(0, std::memcmp(buf, want, sizeof want));
  EXPECT_STRNE(random_status_name(RandomStatus::HardwareFailure), random_status_name(RandomStatus::Ok));
}

TEST(CryptoConstantTime, CtEqual) {
  std::uint8_t a[64], b[64];
  for (int i = 0; i < 64; ++i) a[i] = b[i] = static_cast<std::uint8_t>(i * 7);
  EXPECT_TRUE(ct_equal(a, b, 64));
  EXPECT_TRUE(ct_equal(a, b, 0));
  for (int pos = 0; pos < 64; ++pos)
    for (std::uint8_t flip : {0x01, 0x80, 0xff}) {
      b[pos] ^= flip;
      EXPECT_FALSE(ct_equal(a, b, 64)) << "difference at " << pos;
      EXPECT_EQ(ct_equal(a, b, pos), true) << "prefix before the difference";
      b[pos] ^= flip;
    }
}

TEST(CryptoConstantTime, SecureWipeZeroes) {
  std::uint8_t buf[37];
  std::memset(buf, 0xa5, sizeof buf);
  secure_wipe(buf, sizeof buf);
  for (auto v : buf) EXPECT_EQ(v, 0);
}

}  // namespace
}  // namespace cocoon::crypto
