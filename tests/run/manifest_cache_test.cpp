// The compiled-manifest cache of signed starts: an entry gives back exactly what was stored
// (every setting but the trusted files, the blob, MRENCLAVE), its key changes with any byte
// of the manifest, and an entry that is cut, mixed or garbage is a miss, never a crash.
#include "tools/run/manifest_cache.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "manifest/manifest.hpp"
#include "tools/run/cache_dir.hpp"

namespace fs = std::filesystem;
using namespace cocoon;

namespace {

const std::string kFull = COCOON_SOURCE_DIR "/tests/manifest/data/full.toml";

class ManifestCache : public ::testing::Test {
 protected:
  void SetUp() override {
    home_ = fs::temp_directory_path() / ("cocoon_manifest_cache_" + std::to_string(getpid()));
    fs::remove_all(home_);
    if (const char* old = std::getenv("XDG_CACHE_HOME")) saved_ = old;
    setenv("XDG_CACHE_HOME", home_.c_str(), 1);
    text_ = manifest::read_manifest_text(kFull);
    m_ = manifest::parse_manifest(text_, kFull);
    blob_ = manifest::compile_blob(m_);
    for (std::size_t i = 0; i < mr_.size(); ++i) mr_[i] = static_cast<std::uint8_t>(i * 7 + 1);
    key_ = run::compiled_manifest_key(text_);
  }
  void TearDown() override {
    if (saved_.empty())
      unsetenv("XDG_CACHE_HOME");
    else
      setenv("XDG_CACHE_HOME", saved_.c_str(), 1);
    fs::remove_all(home_);
  }
  fs::path entry() const { return fs::path(run::compiled_manifest_dir()) / key_; }
  std::string bytes() const {
    std::ifstream in(entry(), std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  void rewrite(const std::string& b) const { std::ofstream(entry(), std::ios::binary | std::ios::trunc) << b; }

  fs::path home_;
  std::string saved_, text_, key_;
  manifest::Manifest m_;
  std::vector<std::uint8_t> blob_;
  measure::Digest mr_{};
};

TEST_F(ManifestCache, GivesBackTheSettingsBlobAndMrenclave) {
  ASSERT_FALSE(m_.trusted_files.empty());
  ASSERT_EQ(key_.size(), 64u);
  EXPECT_FALSE(run::load_compiled_manifest(key_).has_value());  // nothing stored yet
  run::store_compiled_manifest(key_, m_, blob_, mr_);
  ASSERT_TRUE(fs::exists(entry()));
  std::optional<run::CompiledManifest> got = run::load_compiled_manifest(key_);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->blob, blob_);
  EXPECT_EQ(got->mrenclave, mr_);
  EXPECT_TRUE(got->settings.trusted_files.empty());
  // Every other setting: the same canonical text, and the same blob once the trusted files
  // are put back.
  manifest::Manifest without = m_;
  without.trusted_files.clear();
  EXPECT_EQ(manifest::to_toml(got->settings), manifest::to_toml(without));
  got->settings.trusted_files = m_.trusted_files;
  EXPECT_EQ(manifest::compile_blob(got->settings), blob_);
}

TEST_F(ManifestCache, KeyChangesWithAnyByteOfTheText) {
  EXPECT_EQ(run::compiled_manifest_key(text_), key_);
  std::string other = text_;
  other[other.size() / 2] ^= 1;
  EXPECT_NE(run::compiled_manifest_key(other), key_);
  EXPECT_NE(run::compiled_manifest_key(text_ + " "), key_);
}

TEST_F(ManifestCache, DamagedEntriesAreMisses) {
  run::store_compiled_manifest(key_, m_, blob_, mr_);
  const std::string good = bytes();
  ASSERT_GT(good.size(), 56u + blob_.size());
  auto miss_after = [&](const std::string& b, const char* what) {
    rewrite(b);
    EXPECT_FALSE(run::load_compiled_manifest(key_).has_value()) << what;
  };
  miss_after(good.substr(0, good.size() - 1), "cut short");
  miss_after(good + "x", "longer than its header says");
  miss_after("", "empty");
  std::string b = good;
  b[0] ^= 1;
  miss_after(b, "bad magic");
  b = good;
  b[b.size() - blob_.size()] ^= 1;  // the blob's own magic
  miss_after(b, "blob that does not open");
  b = good;
  b[56] = '[';  // settings that do not parse
  b[57] = '[';
  miss_after(b, "settings that do not parse");
  // A blob of another manifest with these settings: not the same enclave.
  manifest::Manifest other = m_;
  other.entrypoint = "/usr/bin/other";
  run::store_compiled_manifest(key_, m_, manifest::compile_blob(other), mr_);
  EXPECT_FALSE(run::load_compiled_manifest(key_).has_value()) << "mixed entry";
  rewrite(good);
  EXPECT_TRUE(run::load_compiled_manifest(key_).has_value());
}

// The key of an unchanged manifest file is known without reading it; a rewritten file, a
// file changed while it was read, one changed within the racy window before the read, and a
// damaged ".key" file are not known (the start then reads and hashes the text).
TEST_F(ManifestCache, KeyOfAnUnchangedManifestFileIsKnown) {
  const fs::path file = home_ / "app.toml";
  fs::create_directories(home_);
  auto write = [&](const std::string& t) {
    std::ofstream(file, std::ios::binary | std::ios::trunc) << t;
    const timespec past[2] = {{1'000'000'000, 0}, {1'000'000'000, 0}};  // 2001: a later write differs
    ASSERT_EQ(utimensat(AT_FDCWD, file.c_str(), past, 0), 0);
  };
  const std::int64_t later =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count() +
      10'000'000'000;
  write(text_);
  EXPECT_EQ(run::known_manifest_key(file), "");
  const std::string id = run::file_identity(file);
  ASSERT_FALSE(id.empty());
  run::remember_manifest_key(file, id, key_, later - 10'000'000'000);  // ctime is now: racy
  EXPECT_EQ(run::known_manifest_key(file), "");
  run::remember_manifest_key(file, "1:2:3:4:5", key_, later);  // changed while it was read
  EXPECT_EQ(run::known_manifest_key(file), "");
  run::remember_manifest_key(file, id, key_, later);
  EXPECT_EQ(run::known_manifest_key(file), key_);
  EXPECT_EQ(run::known_manifest_key(home_ / "other.toml"), "");
  // A damaged .key file: nothing, not a crash.
  std::vector<fs::path> keys;
  for (const auto& e : fs::directory_iterator(run::compiled_manifest_dir()))
    if (e.path().extension() == ".key") keys.push_back(e.path());
  ASSERT_EQ(keys.size(), 1u);
  std::string good;
  {
    std::ifstream in(keys[0], std::ios::binary);
    good.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (const std::string& bad : {good.substr(0, good.size() - 1), good + "x", std::string("x") + good.substr(1),
                                 good.substr(0, good.size() - 2) + "G\n", std::string()}) {
    std::ofstream(keys[0], std::ios::binary | std::ios::trunc) << bad;
    EXPECT_EQ(run::known_manifest_key(file), "") << bad;
  }
  std::ofstream(keys[0], std::ios::binary | std::ios::trunc) << good;
  EXPECT_EQ(run::known_manifest_key(file), key_);
  // The same size, rewritten: another identity.
  std::string changed = text_;
  changed[changed.size() / 2] ^= 1;
  write(changed);
  EXPECT_EQ(run::known_manifest_key(file), "");
}

TEST_F(ManifestCache, NoKeyNoEntry) {
  EXPECT_FALSE(run::load_compiled_manifest("").has_value());
  run::store_compiled_manifest("", m_, blob_, mr_);
  EXPECT_FALSE(fs::exists(run::compiled_manifest_dir()));
}

}  // namespace
