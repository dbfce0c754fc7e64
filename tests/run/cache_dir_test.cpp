// The bounded per-user caches of `cocoon run`: least recently used entries go first, an
// entry's files go together, a touched entry survives, stale temporary files are removed.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "tools/run/cache_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

class CacheDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cocoon_cache_dir_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  // An entry of three files, aged `age` seconds.
  void entry(const std::string& stem, int age) {
    for (const char* ext : {".toml", ".sig", ".ids"}) {
      fs::path p = dir_ / (stem + ext);
      std::ofstream(p) << stem;
      fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::seconds(age));
    }
  }
  bool has(const std::string& stem) const {
    return fs::exists(dir_ / (stem + ".toml")) && fs::exists(dir_ / (stem + ".sig")) && fs::exists(dir_ / (stem + ".ids"));
  }
  bool none(const std::string& stem) const {
    return !fs::exists(dir_ / (stem + ".toml")) && !fs::exists(dir_ / (stem + ".sig")) && !fs::exists(dir_ / (stem + ".ids"));
  }
  fs::path dir_;
};

TEST_F(CacheDir, KeepsTheMostRecentlyUsedEntriesWhole) {
  for (int i = 0; i < 6; ++i) entry("e" + std::to_string(i), 100 * (i + 1));  // e0 newest, e5 oldest
  EXPECT_EQ(cocoon::run::prune_cache_dir(dir_.string(), 4), 6u);
  for (int i = 0; i < 4; ++i) EXPECT_TRUE(has("e" + std::to_string(i))) << i;
  EXPECT_TRUE(none("e4"));
  EXPECT_TRUE(none("e5"));
}

TEST_F(CacheDir, ATouchedEntryIsRecentlyUsed) {
  for (int i = 0; i < 3; ++i) entry("e" + std::to_string(i), 100 * (i + 1));
  cocoon::run::touch_cache_file((dir_ / "e2.ids").string());  // the oldest, used just now
  cocoon::run::prune_cache_dir(dir_.string(), 2);
  EXPECT_TRUE(has("e2"));
  EXPECT_TRUE(has("e0"));
  EXPECT_TRUE(none("e1"));
}

TEST_F(CacheDir, NothingGoesUnderTheLimitButStaleTemporaryFiles) {
  entry("a", 10);
  std::ofstream(dir_ / "a.toml.123.tmp") << "x";
  fs::last_write_time(dir_ / "a.toml.123.tmp", fs::file_time_type::clock::now() - 5min);
  std::ofstream(dir_ / "b.sig.456.tmp") << "being written right now";
  EXPECT_EQ(cocoon::run::prune_cache_dir(dir_.string(), 4), 1u);
  EXPECT_TRUE(has("a"));
  EXPECT_FALSE(fs::exists(dir_ / "a.toml.123.tmp"));
  EXPECT_TRUE(fs::exists(dir_ / "b.sig.456.tmp"));
}

TEST_F(CacheDir, AMissingDirectoryIsNotAnError) {
  EXPECT_EQ(cocoon::run::prune_cache_dir((dir_ / "absent").string(), 1), 0u);
}

}  // namespace
