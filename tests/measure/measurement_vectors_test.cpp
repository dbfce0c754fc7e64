// Every MRENCLAVE vector in shared/vectors/measurement (JSONL and SGXS), positive and
// negative, against expected.json.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "manifest/measurement.hpp"
#include "test_paths.hpp"

namespace cocoon::measure {
namespace {

nlohmann::json expected() { return nlohmann::json::parse(test::read_text(test::vectors_dir() + "/expected.json")); }

Digest replay_file(const std::string& name) {
  const std::string path = test::vectors_dir() + "/measurement/" + name;
  std::ifstream in(path, std::ios::binary);
  if (name.ends_with(".sgxs")) return replay_sgxs(in);
  return replay_jsonl(in);
}

class PositiveVector : public ::testing::TestWithParam<std::string> {};

TEST_P(PositiveVector, GivesTheExpectedMrenclave) {
  const std::string name = GetParam();
  EXPECT_EQ(to_hex(replay_file(name)), expected()[name].get<std::string>()) << name;
}

INSTANTIATE_TEST_SUITE_P(Measurement, PositiveVector,
                         ::testing::Values("synthetic_min.jsonl", "synthetic_min.sgxs", "synthetic_mixed.jsonl",
                                           "synthetic_mixed.sgxs", "synthetic_mixed_pageops.jsonl",
                                           "synthetic_order_a.jsonl", "synthetic_order_b.jsonl",
                                           "synthetic_unmeasured.jsonl", "synthetic_unmeasured.sgxs"),
                         [](const ::testing::TestParamInfo<std::string>& p) {
                           std::string s = p.param;
                           for (char& c : s)
                             if (c == '.') c = '_';
                           return s;
                         });

TEST(MeasurementVectors, EveryPositiveVectorIsCovered) {
  // Guards against a new vector file silently not being tested.
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(test::vectors_dir() + "/measurement"))
    if (e.is_regular_file()) ++n;
  EXPECT_EQ(n, 9);
}

TEST(MeasurementVectors, OrderOfEaddChangesTheHash) {
  EXPECT_NE(replay_file("synthetic_order_a.jsonl"), replay_file("synthetic_order_b.jsonl"));
}

TEST(MeasurementVectors, SgxsWithoutUnmeasuredHashesToMrenclave) {
  // sha256(file) == MRENCLAVE for streams without UNMEASRD records (spec §2): check that the
  // SGXS we write from the JSONL log is byte-identical to the vector file.
  for (const char* base : {"synthetic_min", "synthetic_mixed", "synthetic_unmeasured"}) {
    std::ifstream in(test::vectors_dir() + "/measurement/" + base + ".jsonl");
    std::ostringstream out;
    Digest d;
    {
      SgxsWriter w(out);
      d = replay_jsonl(in, &w);
    }
    const std::string written = out.str();
    const std::string want = test::read_text(test::vectors_dir() + "/measurement/" + base + ".sgxs");
    EXPECT_EQ(written, want) << base;
    std::istringstream back(written);
    EXPECT_EQ(replay_sgxs(back), d) << base;
  }
}

TEST(MeasurementVectors, EveryNegativeVectorIsRejectedWithTheExpectedReason) {
  const auto exp = expected();
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(test::vectors_dir() + "/measurement/negative")) {
    const std::string name = "negative/" + e.path().filename().string();
    ASSERT_TRUE(exp.contains(name)) << name << " has no expected reason";
    std::ifstream in(e.path());
    try {
      replay_jsonl(in);
      ADD_FAILURE() << name << " was accepted";
    } catch (const MeasurementError& err) {
      EXPECT_EQ("REJECT: " + std::string(err.what()), exp[name].get<std::string>()) << name;
    }
    ++n;
  }
  EXPECT_EQ(n, 16);
}

}  // namespace
}  // namespace cocoon::measure
