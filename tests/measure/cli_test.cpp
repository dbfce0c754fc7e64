// The measure commands end to end through the cocoon binary: keygen, sign (file key and key
// on stdin, determinism, refusal on a changed trusted file or a wrong key), measure --sgxs,
// sigstruct (text, --json, tampered file).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <string>

#include "test_paths.hpp"

namespace {

namespace fs = std::filesystem;

struct Result {
  int status;
  std::string out;
  std::string err;
};

class MeasureCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cocoon-cli-test-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    std::ofstream(dir_ / "data.txt") << "hello\n";
    write_manifest(sha256_file(dir_ / "data.txt"));
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string sha256_file(const fs::path& p) {
    const auto b = cocoon::measure::test::read_bytes(p.string());
    unsigned char d[32];
    unsigned len = 0;
    EVP_Digest(b.data(), b.size(), d, &len, EVP_sha256(), nullptr);
    static const char* hex = "0123456789abcdef";
    std::string s;
    for (unsigned char c : d) s += {hex[c >> 4], hex[c & 15]};
    return s;
  }

  void write_manifest(const std::string& hash) {
    std::ofstream(dir_ / "app.toml") << "[loader]\nentrypoint = \"/bin/true\"\nargv = [\"/bin/true\"]\n"
                                     << "[fs]\ntrusted_files = [ { path = \"" << (dir_ / "data.txt").string()
                                     << "\", sha256 = \"" << hash << "\" } ]\n"
                                     << "[enclave]\nsize = \"64M\"\nmax_threads = 2\nisvprodid = 5\n";
  }

  Result run(const std::string& args, const std::string& stdin_file = "") {
    const std::string out = (dir_ / "stdout").string(), err = (dir_ / "stderr").string();
    std::string cmd = "cd " + dir_.string() + " && " + std::string(COCOON_BINARY_DIR) + "/cocoon " + args + " >" + out +
                      " 2>" + err;
    if (!stdin_file.empty()) cmd += " <" + stdin_file;
    const int raw = std::system(cmd.c_str());
    Result r{WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, cocoon::measure::test::read_text(out),
             cocoon::measure::test::read_text(err)};
    return r;
  }

  static std::string field(const std::string& out, const std::string& name) {
    const auto pos = out.find(name + " ");
    return pos == std::string::npos ? "" : out.substr(pos + name.size() + 1, 64);
  }

  fs::path dir_;
  const std::string test_key_ = cocoon::measure::test::vectors_dir() + "/sigstruct/synthetic_test_key.pem";
};

TEST_F(MeasureCli, SignMeasureAndInspectAgree) {
  auto r = run("sign --key " + test_key_ + " --date 2026-01-01 app.toml");
  ASSERT_EQ(r.status, 0) << r.err;
  const std::string mrenclave = field(r.out, "MRENCLAVE");
  EXPECT_EQ(mrenclave.size(), 64u);
  EXPECT_EQ(field(r.out, "MRSIGNER"), "d69798e74e7089d23df02d433319e8e903e33ea9b5ab38d80c19b8f2df7bffca");
  ASSERT_TRUE(fs::exists(dir_ / "app.sig"));
  EXPECT_EQ(fs::file_size(dir_ / "app.sig"), 1808u);

  // Key on stdin, explicit output: the same bytes (signing is deterministic).
  r = run("sign --key - --date 2026-01-01 --output out.sig app.toml", test_key_);
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(cocoon::measure::test::read_bytes((dir_ / "out.sig").string()),
            cocoon::measure::test::read_bytes((dir_ / "app.sig").string()));

  // measure: same MRENCLAVE, and sha256 of the SGXS stream is MRENCLAVE.
  r = run("measure app.toml --sgxs app.sgxs");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(field(r.out, "MRENCLAVE"), mrenclave);
  EXPECT_EQ(sha256_file(dir_ / "app.sgxs"), mrenclave);
  r = run("measure app.sgxs");
  EXPECT_EQ(field(r.out, "MRENCLAVE"), mrenclave);

  // sigstruct: text and JSON.
  r = run("sigstruct app.sig");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("verification:    OK"), std::string::npos);
  EXPECT_NE(r.out.find("isvprodid:       5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("date:            2026-01-01"), std::string::npos);
  r = run("sigstruct --json app.sig");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["valid"], true);
  EXPECT_EQ(j["mrenclave"], mrenclave);
  EXPECT_EQ(j["attributes"]["flag_names"], "DEBUG|MODE64BIT");  // debug = true by default
  r = run("sigstruct app.sig --mrenclave " + std::string(64, '0'));
  EXPECT_NE(r.status, 0);

  // A tampered SIGSTRUCT is rejected with the reason.
  auto bytes = cocoon::measure::test::read_bytes((dir_ / "app.sig").string());
  bytes[1026] ^= 1;  // ISVSVN
  std::ofstream(dir_ / "bad.sig", std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), 1808);
  r = run("sigstruct bad.sig");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "cocoon sigstruct: bad.sig: invalid SIGSTRUCT: RSA signature does not verify (S^3 mod N is not the "
                   "PKCS#1 v1.5 SHA-256 encoding of header||body)\n");
}

TEST_F(MeasureCli, SignRefusesChangedTrustedFilesAndBadKeys) {
  std::ofstream(dir_ / "data.txt") << "changed\n";
  auto r = run("sign --key " + test_key_ + " app.toml");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("cocoon sign: trusted file " + (dir_ / "data.txt").string() + ": hash mismatch (manifest says "),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(fs::exists(dir_ / "app.sig"));
  r = run("sign --no-verify-files --key " + test_key_ + " app.toml");
  EXPECT_EQ(r.status, 0) << r.err;

  r = run("sign --key missing.pem app.toml");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "cocoon sign: missing.pem: cannot read the key (No such file or directory)\n");
  r = run("sign --key " + test_key_ + " --date 2026-02-30 app.toml");
  EXPECT_EQ(r.status, 1);
  EXPECT_EQ(r.err, "cocoon sign: --date: date '2026-02-30' is not a calendar date\n");
  r = run("sign --key " + test_key_ + " nothere.toml");
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(r.err.starts_with("cocoon sign: ")) << r.err;
}

// sign records trusted-file hashes in the per-user cache; a later change that keeps the size
// and puts the mtime back still changes the ctime, so the file is read again and refused.
TEST_F(MeasureCli, SignWithAWarmHashCacheStillRefusesAChangedFile) {
  const fs::path cache_home = dir_ / "xdg-cache";
  setenv("XDG_CACHE_HOME", cache_home.c_str(), 1);
  sleep(3);  // data.txt must be older than the cache's 2 s "racily clean" window to be recorded
  auto r = run("sign --no-hash-cache --key " + test_key_ + " app.toml");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_FALSE(fs::exists(cache_home / "cocoon/file-hashes-v2"));
  r = run("sign --key " + test_key_ + " app.toml");
  EXPECT_EQ(r.status, 0) << r.err;
  std::string all;
  for (const auto& shard : fs::directory_iterator(cache_home / "cocoon/file-hashes-v2")) {
    std::ifstream in(shard.path());
    all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  EXPECT_NE(all.find(sha256_file(dir_ / "data.txt") + " " + (dir_ / "data.txt").string() + "\n"), std::string::npos)
      << all;
  r = run("sign --key " + test_key_ + " app.toml");  // served from the cache
  EXPECT_EQ(r.status, 0) << r.err;

  struct stat before {};
  ASSERT_EQ(stat((dir_ / "data.txt").c_str(), &before), 0);
  std::ofstream(dir_ / "data.txt", std::ios::trunc) << "HELLO\n";  // same size
  struct timespec times[2] = {before.st_atim, before.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, (dir_ / "data.txt").c_str(), times, 0), 0);
  r = run("sign --key " + test_key_ + " app.toml");
  unsetenv("XDG_CACHE_HOME");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("trusted file " + (dir_ / "data.txt").string() + ": hash mismatch"), std::string::npos) << r.err;
}

TEST_F(MeasureCli, KeygenWritesAPrivateKeyOnceAndItSigns) {
  auto r = run("keygen --out signer.pem");
  ASSERT_EQ(r.status, 0) << r.err;
  struct stat st {};
  ASSERT_EQ(stat((dir_ / "signer.pem").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const std::string mrsigner = field(r.out, "MRSIGNER");
  r = run("keygen --out signer.pem");
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("already exists"), std::string::npos);
  r = run("sign --key signer.pem app.toml");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(field(r.out, "MRSIGNER"), mrsigner);
}

}  // namespace
