// Every SIGSTRUCT vector in shared/vectors/sigstruct and the raw RSA vector in
// shared/vectors/rsa: parsing, full verification, MRSIGNER, byte-exact signing, and every
// negative file rejected with the reason in expected.json.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "manifest/signing_key.hpp"
#include "manifest/sigstruct.hpp"
#include "test_paths.hpp"

namespace cocoon::measure {
namespace {

std::string sig_dir() { return test::vectors_dir() + "/sigstruct/"; }
sgx::Sigstruct load(const std::string& rel) { return parse_sigstruct(test::read_bytes(sig_dir() + rel)); }
nlohmann::json expected() { return nlohmann::json::parse(test::read_text(test::vectors_dir() + "/expected.json")); }

Digest digest_of(const std::string& hex) {
  auto v = from_hex(hex);
  Digest d{};
  std::memcpy(d.data(), v.data(), 32);
  return d;
}

struct Known {
  const char* file;
  const char* mrenclave;
  const char* mrsigner;
  std::uint32_t date;
  std::uint16_t prodid, svn;
  std::uint64_t attr_flags;
};

const Known kKnown[] = {
    {"fortanix_test_enclave.sig", "784acfd7d5096a8f0fbd3265760bff21b120f62407a9a9e5ba31aa3c8ed198fc",
     "fb4bab3d6036ac1d730fa83d7366df1dd2dfeac194ef335d6854d8a6c6475542", 0x20161214, 65535, 0, 4},
    {"fortanix_sig1.sigstruct.bin", "c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d",
     "83d719e77deaca1470f6baf62a4d774303c899db69020f9c70ee1dfc08c7ce9e", 0x20160109, 0, 0, 4},
    {"enarx_encl.ss", "b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0",
     "2f9f8fd4fe12d77232f1d87571ca8252ca27714efe7705e46222cffd5a22e8c4", 0, 0, 0, 4},
};

TEST(SigstructVectors, PublicSigstructsVerifyAndMatchTheTable) {
  for (const Known& k : kKnown) {
    const auto ss = load(k.file);
    EXPECT_EQ(join_problems(check_sigstruct(ss)), "") << k.file;
    EXPECT_EQ(to_hex(std::span<const std::uint8_t>(ss.enclave_hash, 32)), k.mrenclave) << k.file;
    EXPECT_EQ(to_hex(mrsigner(ss)), k.mrsigner) << k.file;
    EXPECT_EQ(ss.date, k.date) << k.file;
    EXPECT_EQ(ss.isv_prod_id, k.prodid) << k.file;
    EXPECT_EQ(ss.isv_svn, k.svn) << k.file;
    EXPECT_EQ(ss.attributes.flags, k.attr_flags) << k.file;
    EXPECT_EQ(ss.attributes.xfrm, 3u) << k.file;
  }
}

TEST(SigstructVectors, IntelLaunchEnclaveVersionsVerify) {
  struct Le {
    const char* file;
    const char* mrenclave;
    std::uint32_t date;
    std::uint16_t svn;
  };
  const Le les[] = {
      {"le_prod_css_2016-06-23_9441de4c38.bin", "3fb6238206b19c8e3b24ded8cacc9dd9428372898e34cd2da4a5166ecfb16f74", 0x20150724, 1},
      {"le_prod_css_2016-09-19_85947caa12.bin", "1e3278db70199c7b3a7fd5af21824fae5ca6337d275d0fb7c4580fa2da4f3503", 0x20160728, 1},
      {"le_prod_css_2016-12-20_6662022bf8.bin", "8050122c5f999a28624b23ddd85b0483caedae3f38a29d192758798e6785d090", 0x20161116, 1},
      {"le_prod_css_2018-02-13_1bcdf2ed21.bin", "8b659cf36fbd3b8a9077fefd64bfddf61ba391101db525bd1159ab5324c3dc9c", 0x20180122, 1},
      {"le_prod_css_2018-03-16_bd59dc35dc.bin", "f313b3f166f928898722933b71fce663820b0a51a0cd7a7c6607e0811d80e97c", 0x20180308, 1},
      {"le_prod_css_2018-05-10_75dd558bda.bin", "50931d9702a2cddcb52479ead15c218581023f9dc3a67289812c681acb311247", 0x20180424, 2},
      {"le_prod_css_2018-12-20_28817533cc.bin", "c2c7a1829d0d6b7baa150b30bfe1524e12db7db19256c9192630268837dba3bf", 0x20181121, 3},
      {"le_prod_css_2019-10-18_b13ab0eae7.bin", "563bfd8dc301c6626369da6bdbb36829d2e252af7ec5c2522d71b9aa8f74b33f", 0x20190904, 3},
      {"le_prod_css_2019-11-12_d166ff0c80.bin", "3b7fe058af7f2ec4be6acdbfd2658520b36402982eebb740663cd165d3102230", 0x20191030, 5},
      {"le_prod_css_2021-04-06_56faf11a45.bin", "30498a2cb6827581d29f595da1781379fd2a676c90477f449b023eb2e9407a53", 0x20200616, 5},
      {"le_prod_css_2021-05-07_f1fcf9175d.bin", "1c03d41799e76fde5c3cd55c5ba1ffcb06aa53fb5f45b203d424334144eeccef", 0x20210316, 5},
      {"le_prod_css_2022-06-15_effae62802.bin", "043cf35340a4b6f151365c6d75d649e8bab47127f9ea9c9696a8ac7b7275b8c9", 0x20220601, 5},
      {"le_prod_css_2023-03-09_1bf092a389.bin", "ca5f18ef06abb243117de82cbb5b4ff5511b65e22cc2cf4bded7b23151062b62", 0x20230203, 5},
      {"le_prod_css_2023-10-24_8a22317709.bin", "e8d058943f7d42082681a827f46e465994facb090a624b4226da009b257f30ad", 0x20230913, 6},
      {"le_prod_css_2024-09-26_9fafc27e8f.bin", "7881af9f9def547da9908c008f29cde9bd78064e36ac7e14c83c294ca4806150", 0x20240811, 7},
  };
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(sig_dir() + "intel_le_prod_css")) files += e.is_regular_file();
  EXPECT_EQ(files, 15);
  for (const Le& le : les) {
    const auto ss = load(std::string("intel_le_prod_css/") + le.file);
    EXPECT_EQ(join_problems(check_sigstruct(ss)), "") << le.file;
    EXPECT_EQ(to_hex(mrsigner(ss)), "acb77012053e05a63d413b8bbae8fb6c5d73b3f2996d91c43bbbf90959c0f8d4") << le.file;
    EXPECT_EQ(to_hex(std::span<const std::uint8_t>(ss.enclave_hash, 32)), le.mrenclave) << le.file;
    EXPECT_EQ(ss.vendor, 0x8086u) << le.file;
    EXPECT_EQ(ss.date, le.date) << le.file;
    EXPECT_EQ(ss.isv_prod_id, 32) << le.file;
    EXPECT_EQ(ss.isv_svn, le.svn) << le.file;
    EXPECT_EQ(ss.attributes.flags, 0x24u) << le.file;  // MODE64BIT | EINITTOKENKEY
  }
}

TEST(SigstructVectors, SignalEnclavesVerifyAndMatchTheirFileNames) {
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(sig_dir() + "signal_cds")) {
    const std::string name = e.path().filename().string();
    const auto ss = parse_sigstruct(test::read_bytes(e.path().string()));
    EXPECT_EQ(join_problems(check_sigstruct(ss)), "") << name;
    const std::string mre = to_hex(std::span<const std::uint8_t>(ss.enclave_hash, 32));
    EXPECT_EQ(name, mre + ".sigstruct.bin");
    EXPECT_EQ(to_hex(mrsigner(ss)), mre.starts_with("2e5a4f")
                                        ? "9fff61537bf5bf0256f9dcd369656415686f58817d6774221fb5e40647d1590b"
                                        : "ebce6d75ed08fc3651259720e45783da7b8520b0f8e0557b4003952c1bdd2056")
        << name;
    ++n;
  }
  EXPECT_EQ(n, 9);
}

TEST(SigstructVectors, SigningReproducesFortanixSig1ByteForByte) {
  const auto key = SigningKey::load(sig_dir() + "fortanix_sig1.key.pem");
  SigstructFields f;
  f.date = 0x20160109;
  f.misc_mask = 0xffffffff;
  f.attributes = {0x4, 0x3};
  f.attribute_mask = {0xfffffffffffffffdull, 0xffffffffffffff1bull};
  f.enclave_hash = digest_of("c50673624a6cb17c1c6c2a4e6906f47a170c4629b8723781d1017ef376f1a75d");
  const auto got = sign_sigstruct(f, key);
  EXPECT_EQ(std::vector<std::uint8_t>(got.begin(), got.end()), test::read_bytes(sig_dir() + "fortanix_sig1.sigstruct.bin"));
}

TEST(SigstructVectors, SigningReproducesEnarxByteForByte) {
  const auto key = SigningKey::load(sig_dir() + "enarx_encl.pem");
  SigstructFields f;
  f.attributes = {0x4, 0x3};
  f.enclave_hash = digest_of("b999536238fcf4e9d360ef6cd3e0c20ef8a684c7b93f74a9c4a4c6d517d61fc0");
  const auto got = sign_sigstruct(f, key);
  EXPECT_EQ(std::vector<std::uint8_t>(got.begin(), got.end()), test::read_bytes(sig_dir() + "enarx_encl.ss"));
}

TEST(SigstructVectors, SigningReproducesSyntheticMixedWithSignParams) {
  const auto key = SigningKey::load(sig_dir() + "synthetic_test_key.pem");
  const auto params = expected()["sign_params"];
  for (const char* file : {"synthetic_mixed.sig", "synthetic_mixed_debug.sig"}) {
    const auto& p = params[file];
    SigstructFields f;
    f.vendor = p["vendor"].get<std::uint32_t>();
    f.date = parse_date(p["date"].get<std::string>());
    f.sw_defined = p["swdefined"].get<std::uint32_t>();
    f.misc_select = p["miscselect"].get<std::uint32_t>();
    f.misc_mask = p["miscmask"].get<std::uint32_t>();
    f.attributes = {p["attributes"].get<std::uint64_t>(), p["xfrm"].get<std::uint64_t>()};
    f.attribute_mask = {p["attributemask"].get<std::uint64_t>(), p["xfrmmask"].get<std::uint64_t>()};
    f.isv_prod_id = p["isvprodid"].get<std::uint16_t>();
    f.isv_svn = p["isvsvn"].get<std::uint16_t>();
    f.enclave_hash = digest_of(expected()["synthetic_mixed.jsonl"].get<std::string>());
    const auto got = sign_sigstruct(f, key);
    EXPECT_EQ(std::vector<std::uint8_t>(got.begin(), got.end()), test::read_bytes(sig_dir() + file)) << file;
    EXPECT_EQ(to_hex(mrsigner(parse_sigstruct(got))), "d69798e74e7089d23df02d433319e8e903e33ea9b5ab38d80c19b8f2df7bffca");
  }
}

TEST(SigstructVectors, EveryNegativeFileIsRejectedForTheStatedReason) {
  const auto exp = expected();
  int n = 0;
  for (auto& e : std::filesystem::directory_iterator(sig_dir() + "negative")) {
    const std::string name = "sigstruct/negative/" + e.path().filename().string();
    ASSERT_TRUE(exp.contains(name)) << name;
    std::string got;
    try {
      const auto ss = parse_sigstruct(test::read_bytes(e.path().string()));
      got = join_problems(check_sigstruct(ss));
    } catch (const SigstructError& err) {
      got = err.what();
    }
    EXPECT_EQ("REJECT: " + got, exp[name].get<std::string>()) << name;
    ++n;
  }
  EXPECT_EQ(n, 20);
}

TEST(SigstructVectors, RawRsaVectorVerifies) {
  const std::string d = test::vectors_dir() + "/rsa/fortanix_sig1.";
  const auto n = test::read_bytes(d + "key_n.bin"), s = test::read_bytes(d + "sig.bin"),
             q1 = test::read_bytes(d + "q1.bin"), q2 = test::read_bytes(d + "q2.bin"),
             data = test::read_bytes(d + "data.bin");
  ASSERT_EQ(data.size(), 32u);
  Digest h{};
  std::memcpy(h.data(), data.data(), 32);
  EXPECT_EQ(join_problems(check_rsa3072_e3(n.data(), s.data(), h, q1.data(), q2.data())), "");
  // And it is not vacuous: a different digest, or a different Q1, is caught.
  Digest other = h;
  other[0] ^= 1;
  EXPECT_NE(join_problems(check_rsa3072_e3(n.data(), s.data(), other, q1.data(), q2.data())), "");
  auto bad_q1 = q1;
  bad_q1[100] ^= 0x10;
  EXPECT_NE(join_problems(check_rsa3072_e3(n.data(), s.data(), h, bad_q1.data(), q2.data())), "");
}

}  // namespace
}  // namespace cocoon::measure
