// Manifest -> enclave image -> MRENCLAVE -> SIGSTRUCT (manifest/enclave_signing.cpp), with the
// real shim, and the trusted-file re-check that guards `cocoon sign`.
#include <gtest/gtest.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <filesystem>
#include <fstream>

#include "manifest/enclave_signing.hpp"
#include "manifest/signing_key.hpp"
#include "shim/shim_image.hpp"
#include "test_paths.hpp"

namespace cocoon::measure {
namespace {

manifest::Manifest small_manifest() {
  manifest::Manifest m;
  m.entrypoint = "/bin/true";
  m.argv = {"/bin/true"};
  m.enclave.size = 64ull << 20;
  m.enclave.max_threads = 4;
  return m;
}

Digest mrenclave_of(const manifest::Manifest& m) {
  const auto img = enclave_image(m, shim::shim_image());
  return measure_layout(img.params);
}

TEST(EnclaveSigning, MrenclaveCoversTheManifestAndTheEnclaveShape) {
  const auto m = small_manifest();
  const Digest base = mrenclave_of(m);
  EXPECT_EQ(base, mrenclave_of(m));
  auto changed = m;
  changed.argv.push_back("-x");
  EXPECT_NE(base, mrenclave_of(changed));
  changed = m;
  changed.enclave.size = 128ull << 20;
  EXPECT_NE(base, mrenclave_of(changed));
  changed = m;
  changed.enclave.max_threads = 5;
  EXPECT_NE(base, mrenclave_of(changed));
}

TEST(EnclaveSigning, OneByteOfTheManifestBlobChangesMrenclave) {
  const auto m = small_manifest();
  auto img = enclave_image(m, shim::shim_image());
  const Digest base = measure_layout(img.params);
  img.blob[img.blob.size() / 2] ^= 1;
  EXPECT_NE(base, measure_layout(img.params));
}

TEST(EnclaveSigning, SigstructFieldsComeFromTheEnclaveSection) {
  manifest::EnclaveSettings e;
  e.debug = true;
  e.isv_prod_id = 12;
  e.isv_svn = 3;
  e.misc_select = 1;
  Digest h{};
  h[0] = 0xab;
  auto f = sigstruct_fields(e, h, 0x20260101);
  EXPECT_EQ(f.attributes.flags, 0x6u);  // MODE64BIT | DEBUG
  EXPECT_EQ(f.attributes.xfrm, 0x3u);
  EXPECT_EQ(f.attribute_mask.flags, ~0x2ull);
  EXPECT_EQ(f.attribute_mask.xfrm, ~0xe4ull);
  EXPECT_EQ(f.misc_select, 1u);
  EXPECT_EQ(f.misc_mask, 0xffffffffu);
  EXPECT_EQ(f.isv_prod_id, 12);
  EXPECT_EQ(f.isv_svn, 3);
  EXPECT_EQ(f.date, 0x20260101u);
  EXPECT_EQ(f.enclave_hash, h);
  e.debug = false;
  EXPECT_EQ(sigstruct_fields(e, h, 0).attributes.flags, 0x4u);
}

TEST(EnclaveSigning, SignedEnclavePassesEinitChecks) {
  const auto m = small_manifest();
  const Digest mre = mrenclave_of(m);
  const auto key = SigningKey::load(test::vectors_dir() + "/sigstruct/synthetic_test_key.pem");
  const auto ss = parse_sigstruct(sign_sigstruct(sigstruct_fields(m.enclave, mre, 0x20260101), key));
  EnclaveIdentity secs;
  secs.mrenclave = mre;
  secs.attributes = {0x6, 0x3};
  EXPECT_EQ(join_problems(check_einit(ss, secs)), "");
  auto other = m;
  other.env["X"] = "1";
  secs.mrenclave = mrenclave_of(other);
  EXPECT_NE(join_problems(check_einit(ss, secs)).find("ENCLAVEHASH"), std::string::npos);
}

TEST(EnclaveSigning, ChangedOrMissingTrustedFilesAreNamedWithBothHashes) {
  const auto dir = std::filesystem::temp_directory_path() / ("cocoon-tf-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const std::string& name, const std::string& text) {
    std::ofstream(dir / name, std::ios::binary) << text;
    manifest::TrustedFile tf;
    tf.path = (dir / name).string();
    unsigned len = 0;
    EVP_Digest(text.data(), text.size(), tf.sha256.data(), &len, EVP_sha256(), nullptr);
    return tf;
  };
  auto m = small_manifest();
  m.trusted_files.push_back(write("a.so", "good"));
  m.trusted_files.push_back(write("b.so", "original"));
  m.trusted_files.push_back(write("c.so", "gone"));
  EXPECT_TRUE(verify_trusted_files(m).empty());
  std::ofstream(dir / "b.so", std::ios::binary) << "tampered";
  std::filesystem::remove(dir / "c.so");
  const auto problems = verify_trusted_files(m);
  ASSERT_EQ(problems.size(), 2u);
  const std::string b = (dir / "b.so").string();
  manifest::Sha256 tampered{};
  unsigned len = 0;
  EVP_Digest("tampered", 8, tampered.data(), &len, EVP_sha256(), nullptr);
  EXPECT_EQ(problems[0], "trusted file " + b + ": hash mismatch (manifest says " + to_hex(m.trusted_files[1].sha256) +
                             ", file is " + to_hex(tampered) + "); re-run 'cocoon manifest' or restore the file");
  EXPECT_TRUE(problems[1].starts_with("trusted file " + (dir / "c.so").string() + ": cannot read it (")) << problems[1];
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cocoon::measure
