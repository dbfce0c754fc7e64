// HashCache and hash_files with a cache: unchanged files are served from the cache, every kind
// of change (content with the same size and mtime, size, replacement by rename) is hashed
// again, racily clean files are not recorded, and a damaged cache file is harmless.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "manifest/file_hashing.hpp"
#include "manifest/hash_cache.hpp"

using namespace cocoon::manifest;
namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

class HashCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cocoon_hash_cache_" + std::to_string(getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    cache_dir_ = (dir_ / "cache" / "file-hashes-v2").string();
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string write(const std::string& name, const std::string& content) {
    std::string p = (dir_ / name).string();
    std::ofstream(p, std::ios::binary | std::ios::trunc) << content;
    return p;
  }
  static Sha256 hash_uncached(const std::string& p) { return hash_files({p}, 1)[0].sha256; }

  // A cache that records files however recent they are (window 0): the tests below change
  // files within milliseconds, which the default 2 s window would (rightly) never cache.
  HashCache fresh_cache() const { return HashCache(cache_dir_, 0ns); }

  fs::path dir_;
  std::string cache_dir_;
};

TEST_F(HashCacheTest, UnchangedFilesAreServedFromTheCacheWithTheSameHash) {
  auto a = write("a", "alpha"), b = write("b", std::string(300000, 'x'));  // small and streamed
  std::this_thread::sleep_for(20ms);
  {
    HashCache c = fresh_cache();
    auto r = hash_files({a, b}, 2, &c);
    EXPECT_EQ(c.hits(), 0u);
    EXPECT_EQ(c.misses(), 2u);
    ASSERT_TRUE(c.save());
  }
  HashCache c = fresh_cache();
  EXPECT_EQ(c.size(), 2u);
  auto r = hash_files({a, b}, 2, &c);
  EXPECT_EQ(c.hits(), 2u);
  EXPECT_EQ(r[0].sha256, hash_uncached(a));
  EXPECT_EQ(r[1].sha256, hash_uncached(b));
  EXPECT_EQ(r[1].size, 300000u);
  EXPECT_TRUE(r[0].error.empty());
}

TEST_F(HashCacheTest, ElfFlagIsKept) {
  auto e = write("e", std::string("\x7f" "ELF", 4) + "rest");
  std::this_thread::sleep_for(20ms);
  HashCache c1 = fresh_cache();
  EXPECT_TRUE(hash_files({e}, 1, &c1)[0].is_elf);
  ASSERT_TRUE(c1.save());
  HashCache c2 = fresh_cache();
  auto r = hash_files({e}, 1, &c2);
  EXPECT_EQ(c2.hits(), 1u);
  EXPECT_TRUE(r[0].is_elf);
}

TEST_F(HashCacheTest, SameSizeSameMtimeNewContentIsHashedAgain) {
  auto a = write("a", "alpha");
  std::this_thread::sleep_for(20ms);
  struct stat before {};
  ASSERT_EQ(stat(a.c_str(), &before), 0);
  const Sha256 old_hash = hash_uncached(a);
  HashCache c1 = fresh_cache();
  hash_files({a}, 1, &c1);
  ASSERT_TRUE(c1.save());
  std::this_thread::sleep_for(20ms);
  write("a", "omega");  // same size
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, a.c_str(), times, 0), 0);  // mtime put back; ctime cannot be
  HashCache c2 = fresh_cache();
  auto r = hash_files({a}, 1, &c2);
  EXPECT_EQ(c2.hits(), 0u);
  EXPECT_EQ(r[0].sha256, hash_uncached(a));
  EXPECT_NE(r[0].sha256, old_hash);
}

TEST_F(HashCacheTest, AFileReplacedByRenameIsHashedAgain) {
  auto a = write("a", "alpha");
  std::this_thread::sleep_for(20ms);
  HashCache c1 = fresh_cache();
  hash_files({a}, 1, &c1);
  ASSERT_TRUE(c1.save());
  auto other = write("other", "other");
  fs::rename(other, a);  // a new inode at the same path
  HashCache c2 = fresh_cache();
  auto r = hash_files({a}, 1, &c2);
  EXPECT_EQ(c2.hits(), 0u);
  EXPECT_EQ(r[0].sha256, hash_uncached(a));
}

TEST_F(HashCacheTest, RacilyCleanFilesAreNotRecorded) {
  auto a = write("a", "alpha");  // written just now: within the default 2 s window
  HashCache c(cache_dir_);
  hash_files({a}, 1, &c);
  EXPECT_EQ(c.size(), 0u);
  EXPECT_TRUE(c.save());
  EXPECT_FALSE(fs::exists(cache_dir_));  // nothing to write
}

TEST_F(HashCacheTest, MissingFilesAreErrorsNotCacheHits) {
  auto a = write("a", "alpha");
  std::this_thread::sleep_for(20ms);
  HashCache c1 = fresh_cache();
  hash_files({a}, 1, &c1);
  ASSERT_TRUE(c1.save());
  fs::remove(a);
  HashCache c2 = fresh_cache();
  auto r = hash_files({a}, 1, &c2);
  EXPECT_FALSE(r[0].error.empty());
}

TEST_F(HashCacheTest, DamagedCacheFileIsIgnoredLineByLine) {
  auto a = write("a", "alpha");
  std::this_thread::sleep_for(20ms);
  {
    HashCache c = fresh_cache();
    hash_files({a}, 1, &c);
    ASSERT_TRUE(c.save());
  }
  const std::string shard = HashCache(cache_dir_).shard_file(a);
  std::string good;
  {
    std::ifstream in(shard);
    std::string header;
    std::getline(in, header);
    std::getline(in, good);
  }
  std::ofstream(shard, std::ios::trunc) << "cocoon-file-hashes v2\n"
                                               << "garbage\n1 2 3\n"
                                               << "1 2 3 4 5 7 " << std::string(64, 'a') << " /x\n"  // elf flag 7
                                               << "1 2 3 4 5 0 " << std::string(64, 'g') << " /x\n"  // not hex
                                               << "1 2 3 4 5 0 " << std::string(64, 'a') << " rel\n"  // relative
                                               << good.substr(0, good.size() / 2) << "\n"  // truncated
                                               << good << "\n";
  HashCache c = fresh_cache();
  EXPECT_EQ(c.size(), 1u);
  auto r = hash_files({a}, 1, &c);
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(r[0].sha256, hash_uncached(a));

  std::ofstream(shard, std::ios::trunc) << "cocoon-file-hashes v1\n" << good << "\n";  // wrong header
  EXPECT_EQ(fresh_cache().size(), 0u);
}

TEST_F(HashCacheTest, UnwritableCacheLocationOnlyFailsTheSave) {
  auto a = write("a", "alpha");
  std::this_thread::sleep_for(20ms);
  write("blocker", "a file where the cache directory should be");
  HashCache c((dir_ / "blocker" / "file-hashes").string(), 0ns);
  auto r = hash_files({a}, 1, &c);
  EXPECT_EQ(r[0].sha256, hash_uncached(a));
  EXPECT_FALSE(c.save());
}

TEST_F(HashCacheTest, AFullCacheKeepsWhatThisRunRecordedAndUsed) {
  // Four files whose paths fall in one shard (the limit applies per shard).
  HashCache probe(cache_dir_);
  std::vector<std::string> names;
  const std::string target = probe.shard_file((dir_ / "f0").string());
  for (int i = 0; names.size() < 4; ++i)
    if (probe.shard_file((dir_ / ("f" + std::to_string(i))).string()) == target) names.push_back("f" + std::to_string(i));
  auto a = write(names[0], "alpha"), b = write(names[1], "beta"), c = write(names[2], "gamma"),
       d = write(names[3], "delta");
  std::this_thread::sleep_for(20ms);
  {
    HashCache c1 = fresh_cache();
    hash_files({a, b, c}, 1, &c1);
    ASSERT_TRUE(c1.save());
  }
  HashCache c2(cache_dir_, 0ns, 2 * HashCache::kShards);  // room for two entries a shard
  hash_files({b, d}, 1, &c2);         // b found, d recorded
  EXPECT_EQ(c2.hits(), 1u);
  ASSERT_TRUE(c2.save());
  HashCache c3 = fresh_cache();
  EXPECT_EQ(c3.size(), 2u);
  hash_files({a, b, c, d}, 1, &c3);
  EXPECT_EQ(c3.hits(), 2u);  // b and d; a and c, unused by the last run, made way
  EXPECT_EQ(c3.misses(), 2u);
}

TEST_F(HashCacheTest, OnlyTheShardsOfTheFilesLookedUpAreRead) {
  std::vector<std::string> files;
  for (int i = 0; i < 40; ++i) files.push_back(write("m" + std::to_string(i), "content " + std::to_string(i)));
  std::this_thread::sleep_for(20ms);
  {
    HashCache c = fresh_cache();
    hash_files(files, 2, &c);
    ASSERT_TRUE(c.save());
  }
  // Damage every shard but the one of m0: a lookup of m0 alone must not notice.
  HashCache probe(cache_dir_);
  const std::string mine = probe.shard_file(files[0]);
  for (const auto& f : fs::directory_iterator(cache_dir_))
    if (f.path().string() != mine) std::ofstream(f.path(), std::ios::trunc) << "cocoon-file-hashes v2\ngarbage\n";
  HashCache c = fresh_cache();
  auto r = hash_files({files[0]}, 1, &c);
  EXPECT_EQ(c.hits(), 1u);
  EXPECT_EQ(r[0].sha256, hash_uncached(files[0]));
}

TEST_F(HashCacheTest, DefaultPathFollowsXdgCacheHome) {
  const char* old = std::getenv("XDG_CACHE_HOME");
  std::string saved = old ? old : "";
  setenv("XDG_CACHE_HOME", "/somewhere", 1);
  EXPECT_EQ(HashCache::default_path(), "/somewhere/cocoon/file-hashes-v2");
  if (old)
    setenv("XDG_CACHE_HOME", saved.c_str(), 1);
  else
    unsetenv("XDG_CACHE_HOME");
}

}  // namespace
