#include <gtest/gtest.h>

#include "tools/size_option.hpp"

namespace {

std::uint64_t parse_ok(const char* s) {
  std::uint64_t v = 0;
  std::string err;
  EXPECT_TRUE(cocoon::tools::parse_size(s, v, err)) << s << ": " << err;
  return v;
}

TEST(SizeOption, Units) {
  EXPECT_EQ(parse_ok("4096"), 4096u);
  EXPECT_EQ(parse_ok("64K"), 64u << 10);
  EXPECT_EQ(parse_ok("512M"), 512u << 20);
  EXPECT_EQ(parse_ok("4G"), 4ull << 30);
  EXPECT_EQ(parse_ok("2GiB"), 2ull << 30);
  EXPECT_EQ(parse_ok("1T"), 1ull << 40);
}

TEST(SizeOption, Errors) {
  for (const char* bad : {"", "G", "4X", "4G4", "-1", "99999999999999999999", "20000000000T"}) {
    std::uint64_t v = 0;
    std::string err;
    EXPECT_FALSE(cocoon::tools::parse_size(bad, v, err)) << bad;
    EXPECT_FALSE(err.empty());
  }
}

}  // namespace
