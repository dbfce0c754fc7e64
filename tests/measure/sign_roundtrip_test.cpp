// Signing round trips, determinism, tampering, wrong keys, EINIT checks, key errors.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <fstream>

#include "manifest/measurement.hpp"
#include "manifest/signing_key.hpp"
#include "manifest/sigstruct.hpp"
#include "test_paths.hpp"

namespace cocoon::measure {
namespace {

const SigningKey& test_key() {
  static const SigningKey k = SigningKey::load(test::vectors_dir() + "/sigstruct/synthetic_test_key.pem");
  return k;
}
const SigningKey& other_key() {
  static const SigningKey k = SigningKey::load(test::vectors_dir() + "/sigstruct/fortanix_sig1.key.pem");
  return k;
}

SigstructFields fields() {
  SigstructFields f;
  f.date = 0x20260101;
  f.misc_mask = 0xffffffff;
  f.attributes = {0x6, 0x3};
  f.attribute_mask = {~0x2ull, ~0xe4ull};
  for (int i = 0; i < 32; ++i) f.enclave_hash[i] = static_cast<std::uint8_t>(i * 3);
  f.isv_prod_id = 9;
  f.isv_svn = 4;
  return f;
}

EnclaveIdentity identity_for(const SigstructFields& f) {
  EnclaveIdentity id;
  id.mrenclave = f.enclave_hash;
  id.attributes = f.attributes;
  id.misc_select = f.misc_select;
  return id;
}

TEST(SignRoundTrip, SignParseVerify) {
  const auto f = fields();
  const auto bytes = sign_sigstruct(f, test_key());
  const auto ss = parse_sigstruct(bytes);
  EXPECT_EQ(join_problems(check_einit(ss, identity_for(f))), "");
  EXPECT_EQ(ss.date, 0x20260101u);
  EXPECT_EQ(ss.isv_prod_id, 9);
  EXPECT_EQ(ss.isv_svn, 4);
  EXPECT_EQ(ss.attributes.flags, 0x6u);
  EXPECT_EQ(ss.exponent, 3u);
  EXPECT_EQ(to_hex(mrsigner(ss)), "d69798e74e7089d23df02d433319e8e903e33ea9b5ab38d80c19b8f2df7bffca");
  const auto json = sigstruct_to_json(ss);
  EXPECT_EQ(json["mrsigner"], "d69798e74e7089d23df02d433319e8e903e33ea9b5ab38d80c19b8f2df7bffca");
  EXPECT_EQ(json["isvprodid"], 9);
  EXPECT_EQ(json["attributes"]["flag_names"], "DEBUG|MODE64BIT");
  const std::string text = describe_sigstruct(ss);
  EXPECT_NE(text.find("date:            2026-01-01 (0x20260101)"), std::string::npos) << text;
  EXPECT_NE(text.find("isvsvn:          4"), std::string::npos) << text;
}

TEST(SignRoundTrip, SigningIsDeterministic) {
  EXPECT_EQ(sign_sigstruct(fields(), test_key()), sign_sigstruct(fields(), test_key()));
  auto f = fields();
  f.date = 0x20260102;
  EXPECT_NE(sign_sigstruct(f, test_key()), sign_sigstruct(fields(), test_key()));
}

TEST(SignRoundTrip, EverySignedByteIsProtected) {
  const auto good = sign_sigstruct(fields(), test_key());
  // Flip one byte in each signed region (header, body) and in the unsigned-but-checked parts.
  for (std::size_t off : {20u, 40u, 900u, 930u, 960u, 1024u, 1026u}) {
    auto bad = good;
    bad[off] ^= 0x01;
    const auto problems = check_sigstruct(parse_sigstruct(bad));
    ASSERT_FALSE(problems.empty()) << "byte " << off;
    bool rsa = false;
    for (const auto& p : problems) rsa |= p.starts_with("RSA signature does not verify");
    EXPECT_TRUE(rsa) << "byte " << off << ": " << join_problems(problems);
  }
  auto bad_q1 = good;
  bad_q1[offsetof(sgx::Sigstruct, q1) + 7] ^= 0x80;
  EXPECT_EQ(join_problems(check_sigstruct(parse_sigstruct(bad_q1))).substr(0, 22), "Q1 mismatch: expected ");
  auto bad_q2 = good;
  bad_q2[offsetof(sgx::Sigstruct, q2)] ^= 0x01;
  EXPECT_EQ(join_problems(check_sigstruct(parse_sigstruct(bad_q2))).substr(0, 22), "Q2 mismatch: expected ");
  auto bad_reserved = good;
  bad_reserved[1030] = 1;
  EXPECT_NE(join_problems(check_sigstruct(parse_sigstruct(bad_reserved))).find("reserved4 (reserved, must be zero) is 0000"),
            std::string::npos);
}

TEST(SignRoundTrip, WrongKeyIsRejected) {
  // Same body, modulus of another key: the signature no longer verifies (and MRSIGNER differs).
  auto bytes = sign_sigstruct(fields(), test_key());
  const auto other_n = other_key().modulus_le();
  std::memcpy(bytes.data() + offsetof(sgx::Sigstruct, modulus), other_n.data(), other_n.size());
  const auto problems = check_sigstruct(parse_sigstruct(bytes));
  ASSERT_FALSE(problems.empty());
  EXPECT_EQ(problems[0],
            "RSA signature does not verify (S^3 mod N is not the PKCS#1 v1.5 SHA-256 encoding of header||body)");
  EXPECT_NE(mrsigner(parse_sigstruct(bytes)), mrsigner(parse_sigstruct(sign_sigstruct(fields(), test_key()))));
}

TEST(SignRoundTrip, EinitChecksTheEnclaveAgainstTheSigstruct) {
  const auto f = fields();
  const auto ss = parse_sigstruct(sign_sigstruct(f, test_key()));
  auto id = identity_for(f);
  id.mrenclave[5] ^= 1;
  auto p = check_einit(ss, id);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].starts_with("ENCLAVEHASH ")) << p[0];
  EXPECT_NE(p[0].find("re-run 'cocoon sign'"), std::string::npos);

  id = identity_for(f);
  id.attributes.flags = 0x4;  // DEBUG differs: masked out, still accepted
  EXPECT_TRUE(check_einit(ss, id).empty());
  id.attributes.flags = 0x14;  // PROVISIONKEY set: enforced
  p = check_einit(ss, id);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].starts_with("ATTRIBUTES.FLAGS: enclave has 0x0000000000000014")) << p[0];

  id = identity_for(f);
  id.attributes.xfrm = 0x7;  // AVX may vary (masked out)
  EXPECT_TRUE(check_einit(ss, id).empty());
  id.attributes.xfrm = 0x203;  // PKRU is enforced
  EXPECT_TRUE(check_einit(ss, id)[0].starts_with("ATTRIBUTES.XFRM")) << check_einit(ss, id)[0];

  id = identity_for(f);
  id.misc_select = 1;
  EXPECT_TRUE(check_einit(ss, id)[0].starts_with("MISCSELECT")) << check_einit(ss, id)[0];
}

TEST(SignRoundTrip, TruncatedOrOversizedInputIsRejectedBySize) {
  const auto good = sign_sigstruct(fields(), test_key());
  try {
    parse_sigstruct(std::span<const std::uint8_t>(good.data(), 100));
    FAIL();
  } catch (const SigstructError& e) {
    EXPECT_STREQ(e.what(), "SIGSTRUCT must be 1808 bytes, got 100");
  }
  std::vector<std::uint8_t> big(good.begin(), good.end());
  big.push_back(0);
  EXPECT_THROW(parse_sigstruct(big), SigstructError);
}

TEST(SigstructDates, ParsingAndValidation) {
  EXPECT_EQ(parse_date("2024-03-05"), 0x20240305u);
  EXPECT_EQ(parse_date("20240305"), 0x20240305u);
  EXPECT_EQ(parse_date("2024-02-29"), 0x20240229u);
  EXPECT_THROW(parse_date("2023-02-29"), SigstructError);
  EXPECT_THROW(parse_date("2024-13-01"), SigstructError);
  EXPECT_THROW(parse_date("2024-1-1"), SigstructError);
  EXPECT_THROW(parse_date("yesterday"), SigstructError);
  EXPECT_TRUE(is_valid_bcd_date(0));
  EXPECT_TRUE(is_valid_bcd_date(0x20161214));
  EXPECT_FALSE(is_valid_bcd_date(0x07e00109));
  EXPECT_FALSE(is_valid_bcd_date(0x20241301));
  EXPECT_TRUE(is_valid_bcd_date(today_bcd_date()));
  auto f = fields();
  f.date = 0x07e80305;
  EXPECT_THROW(sign_sigstruct(f, test_key()), SigstructError);
}

// ---- keys ----------------------------------------------------------------------------------

std::string pem_of(EVP_PKEY* k, bool encrypted = false) {
  BIO* bio = BIO_new(BIO_s_mem());
  const EVP_CIPHER* c = encrypted ? EVP_aes_256_cbc() : nullptr;
  static char pass[] = "secret";
  PEM_write_bio_PrivateKey(bio, k, c, encrypted ? reinterpret_cast<unsigned char*>(pass) : nullptr,
                           encrypted ? 6 : 0, nullptr, nullptr);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string s(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return s;
}

EVP_PKEY* gen_rsa(unsigned bits, unsigned e) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY_keygen_init(ctx);
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, static_cast<int>(bits));
  BIGNUM* bn = BN_new();
  BN_set_word(bn, e);
  EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, bn);
  EVP_PKEY* k = nullptr;
  EVP_PKEY_generate(ctx, &k);
  BN_free(bn);
  EVP_PKEY_CTX_free(ctx);
  return k;
}

std::string key_error(const std::string& pem) {
  try {
    SigningKey::from_pem(pem, "k.pem");
  } catch (const KeyError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(SigningKeys, GeneratedKeyIsRsa3072WithExponent3AndRoundTripsThroughPem) {
  const SigningKey k = SigningKey::generate();
  const SigningKey back = SigningKey::from_pem(k.private_pem(), "generated");
  EXPECT_EQ(k.modulus_le(), back.modulus_le());
  EXPECT_EQ(k.modulus_le()[383] & 0x80, 0x80);  // full 3072 bits
  const auto ss = parse_sigstruct(sign_sigstruct(fields(), back));
  EXPECT_TRUE(check_sigstruct(ss).empty());
}

TEST(SigningKeys, WrongSizeExponentTypeAndEncryptionAreRejectedPrecisely) {
  EVP_PKEY* small = gen_rsa(2048, 3);
  EXPECT_EQ(key_error(pem_of(small)), "k.pem: RSA key is 2048 bits; SGX requires exactly 3072 bits (create one with 'cocoon keygen')");
  EVP_PKEY_free(small);
  EVP_PKEY* e65537 = gen_rsa(3072, 65537);
  EXPECT_EQ(key_error(pem_of(e65537)),
            "k.pem: RSA public exponent is 65537; SGX requires exponent 3 (create a key with 'cocoon keygen')");
  EVP_PKEY_free(e65537);
  EVP_PKEY* ec = EVP_EC_gen("P-256");
  EXPECT_TRUE(key_error(pem_of(ec)).starts_with("k.pem: not an RSA key (it is EC)")) << key_error(pem_of(ec));
  EVP_PKEY_free(ec);
  const std::string enc = pem_of(test_key().pkey(), true);
  EXPECT_TRUE(key_error(enc).starts_with("k.pem: the private key is encrypted (passphrase-protected) and cocoon never prompts"))
      << key_error(enc);
  EXPECT_EQ(key_error(""), "k.pem: empty input; expected a PEM RSA private key");
  EXPECT_TRUE(key_error("hello").starts_with("k.pem: not a PEM file")) << key_error("hello");
  EXPECT_TRUE(key_error("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").starts_with("k.pem: this is a public key"));
  EXPECT_TRUE(key_error("-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----\n")
                  .starts_with("k.pem: not a readable PEM private key"));
  try {
    SigningKey::load("/nonexistent/key.pem");
    FAIL();
  } catch (const KeyError& e) {
    EXPECT_STREQ(e.what(), "/nonexistent/key.pem: cannot read the key (No such file or directory)");
  }
}

TEST(SigningKeys, WrittenWithMode0600AndNeverOverwritten) {
  const auto dir = std::filesystem::temp_directory_path() / ("cocoon-key-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "signer.pem").string();
  test_key().write_private_pem(path, false);
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(SigningKey::load(path).modulus_le(), test_key().modulus_le());
  try {
    other_key().write_private_pem(path, false);
    FAIL();
  } catch (const KeyError& e) {
    EXPECT_NE(std::string(e.what()).find("already exists"), std::string::npos);
  }
  EXPECT_EQ(SigningKey::load(path).modulus_le(), test_key().modulus_le());
  other_key().write_private_pem(path, true);
  EXPECT_EQ(SigningKey::load(path).modulus_le(), other_key().modulus_le());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cocoon::measure
