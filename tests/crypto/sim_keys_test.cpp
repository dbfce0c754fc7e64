// Simulated EGETKEY / EREPORT (attest/sim_keys): the SDM's key-selection rules and report MACs.
#include "attest/sim_keys.hpp"

#include <gtest/gtest.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <array>
#include <cstring>
#include <string>

#include "test_util.hpp"

namespace cocoon::attest {
namespace {

using Key = std::array<std::uint8_t, 16>;

EnclaveIdentity identity(std::uint8_t enclave_tag, std::uint8_t signer_tag, std::uint16_t svn = 3) {
  EnclaveIdentity id;
  std::memset(&id, 0, sizeof id);
  std::memset(id.mr_enclave, enclave_tag, sizeof id.mr_enclave);
  std::memset(id.mr_signer, signer_tag, sizeof id.mr_signer);
  id.attributes = {sgx::kAttrInit | sgx::kAttrMode64Bit, 0x3};
  id.misc_select = 0;
  id.isv_prod_id = 7;
  id.isv_svn = svn;
  return id;
}

sgx::KeyRequest request(std::uint16_t name, std::uint16_t policy, std::uint16_t isv_svn = 3) {
  sgx::KeyRequest r;
  std::memset(&r, 0, sizeof r);
  r.key_name = name;
  r.key_policy = policy;
  r.isv_svn = isv_svn;
  std::memset(r.cpu_svn, 2, sizeof r.cpu_svn);
  r.attribute_mask = {~0ull, 0};
  r.misc_mask = 0xffffffff;
  return r;
}

class SimKeys : public ::testing::Test {
 protected:
  void SetUp() override {
    std::uint8_t root[32], svn[16];
    for (int i = 0; i < 32; ++i) root[i] = static_cast<std::uint8_t>(0xc0 + i);
    std::memset(svn, 2, sizeof svn);
    ASSERT_EQ(cpu.init(root, svn), SimKeyStatus::Ok);
  }

  Key get(const EnclaveIdentity& self, const sgx::KeyRequest& req, SimKeyStatus want = SimKeyStatus::Ok) {
    Key k;
    k.fill(0xee);
    EXPECT_EQ(cpu.egetkey(self, req, k.data()), want) << sim_key_status_name(want);
    if (want != SimKeyStatus::Ok) {
      EXPECT_EQ(k, Key{}) << "a refused request must not leave key material";
    } else {
      EXPECT_NE(k, Key{});
    }
    return k;
  }

  SimCpu cpu;
};

TEST_F(SimKeys, SealKeyIsStableForTheSameIdentityAndRoot) {
  const auto a = identity(0xa1, 0x51);
  const auto req = request(sgx::kKeySeal, sgx::kKeyPolicyMrEnclave);
  const Key k1 = get(a, req);
  EXPECT_EQ(get(a, req), k1);
  // Another SimCpu with the same root ("after a reboot": new random report KEYID) gives the
  // same sealing key; a different root does not.
  SimCpu again;
  std::uint8_t svn[16];
  std::memset(svn, 2, sizeof svn);
  ASSERT_EQ(again.init(cpu.root_secret, svn), SimKeyStatus::Ok);
  EXPECT_NE(0, std::memcmp(again.report_key_id, cpu.report_key_id, 32));
  Key k2;
  ASSERT_EQ(again.egetkey(a, req, k2.data()), SimKeyStatus::Ok);
  EXPECT_EQ(k2, k1);
  std::uint8_t other_root[32] = {1};
  ASSERT_EQ(again.init(other_root, svn), SimKeyStatus::Ok);
  ASSERT_EQ(again.egetkey(a, req, k2.data()), SimKeyStatus::Ok);
  EXPECT_NE(k2, k1);
}

TEST_F(SimKeys, MrEnclavePolicySeparatesEnclaves) {
  const auto req = request(sgx::kKeySeal, sgx::kKeyPolicyMrEnclave);
  EXPECT_NE(get(identity(0xa1, 0x51), req), get(identity(0xb2, 0x51), req));
}

TEST_F(SimKeys, MrSignerPolicySharesAcrossEnclavesOfOneSigner) {
  const auto req = request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner);
  const Key a = get(identity(0xa1, 0x51), req);
  EXPECT_EQ(get(identity(0xb2, 0x51), req), a) << "same signer, same product: same key";
  EXPECT_NE(get(identity(0xa1, 0x52), req), a) << "another signer";
  // Both policies: the enclave matters again.
  const auto both = request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner | sgx::kKeyPolicyMrEnclave);
  EXPECT_NE(get(identity(0xa1, 0x51), both), get(identity(0xb2, 0x51), both));
  // ISVPRODID is bound by default.
  auto other_product = identity(0xb2, 0x51);
  other_product.isv_prod_id = 8;
  EXPECT_NE(get(other_product, req), a);
}

TEST_F(SimKeys, IsvSvnAboveTheEnclavesIsRefused) {
  get(identity(0xa1, 0x51, 3), request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner, 4), SimKeyStatus::InvalidIsvSvn);
}

TEST_F(SimKeys, LowerSvnGivesAnotherKeyThatTheNewerEnclaveCanStillDerive) {
  const auto old_enclave = identity(0xa1, 0x51, 2);
  const auto new_enclave = identity(0xa2, 0x51, 3);
  const Key sealed_by_old = get(old_enclave, request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner, 2));
  const Key new_at_own_svn = get(new_enclave, request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner, 3));
  EXPECT_NE(new_at_own_svn, sealed_by_old);
  EXPECT_EQ(get(new_enclave, request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner, 2)), sealed_by_old);
  // ...but the old enclave cannot derive the newer key.
  get(old_enclave, request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner, 3), SimKeyStatus::InvalidIsvSvn);
}

TEST_F(SimKeys, CpuSvnRules) {
  const auto a = identity(0xa1, 0x51);
  auto req = request(sgx::kKeySeal, sgx::kKeyPolicyMrEnclave);
  const Key current = get(a, req);
  req.cpu_svn[5] = 3;  // one component above the CPU's 2
  get(a, req, SimKeyStatus::InvalidCpuSvn);
  req.cpu_svn[5] = 1;  // lower: allowed, different key
  EXPECT_NE(get(a, req), current);
}

TEST_F(SimKeys, KeyIdAndMasksAreMixedIn) {
  const auto a = identity(0xa1, 0x51);
  auto req = request(sgx::kKeySeal, sgx::kKeyPolicyMrEnclave);
  const Key base = get(a, req);
  auto other_id = req;
  other_id.key_id[31] = 1;
  EXPECT_NE(get(a, other_id), base);

  // XFRM: bound only when ATTRIBUTEMASK.XFRM covers the differing bit.
  auto avx = a;
  avx.attributes.xfrm = 0x7;
  EXPECT_EQ(get(avx, req), base) << "request masks XFRM out";
  auto xfrm_bound = req;
  xfrm_bound.attribute_mask.xfrm = ~0ull;
  EXPECT_NE(get(avx, xfrm_bound), get(a, xfrm_bound));

  // DEBUG is always bound, even when the request masks it out.
  auto debug = a;
  debug.attributes.flags |= sgx::kAttrDebug;
  auto no_flags = req;
  no_flags.attribute_mask.flags = 0;
  EXPECT_NE(get(debug, no_flags), get(a, no_flags));

  // MISCSELECT through MISCMASK.
  auto exinfo = a;
  exinfo.misc_select = sgx::kMiscExinfo;
  EXPECT_NE(get(exinfo, req), base);
  auto no_misc = req;
  no_misc.misc_mask = 0;
  EXPECT_EQ(get(exinfo, no_misc), get(a, no_misc));
}

TEST_F(SimKeys, ProvisionAndEinitTokenKeysNeedTheirAttributes) {
  auto a = identity(0xa1, 0x51);
  get(a, request(sgx::kKeyProvision, 0), SimKeyStatus::InvalidAttribute);
  get(a, request(sgx::kKeyProvisionSeal, 0), SimKeyStatus::InvalidAttribute);
  get(a, request(sgx::kKeyEinitToken, 0), SimKeyStatus::InvalidAttribute);
  a.attributes.flags |= sgx::kAttrProvisionKey;
  const Key prov = get(a, request(sgx::kKeyProvision, 0));
  const Key prov_seal = get(a, request(sgx::kKeyProvisionSeal, 0));
  EXPECT_NE(prov, prov_seal);
  // The provisioning key is bound to the signer, not to MRENCLAVE.
  auto sibling = a;
  sibling.mr_enclave[0] ^= 1;
  EXPECT_EQ(get(sibling, request(sgx::kKeyProvision, 0)), prov);
  get(a, request(sgx::kKeyEinitToken, 0), SimKeyStatus::InvalidAttribute);
  a.attributes.flags |= sgx::kAttrEinitTokenKey;
  EXPECT_NE(get(a, request(sgx::kKeyEinitToken, 0)), prov);
  get(a, request(5, 0), SimKeyStatus::InvalidKeyName);
  get(a, request(0xffff, 0), SimKeyStatus::InvalidKeyName);
}

TEST_F(SimKeys, MalformedRequestsAreRefused) {
  const auto a = identity(0xa1, 0x51);
  auto req = request(sgx::kKeySeal, sgx::kKeyPolicyMrEnclave);
  req.reserved2[100] = 1;
  get(a, req, SimKeyStatus::InvalidRequest);
  req = request(sgx::kKeySeal, sgx::kKeyPolicyMrEnclave | 0x40);
  get(a, req, SimKeyStatus::InvalidRequest);
  req = request(sgx::kKeySeal, sgx::kKeyPolicyMrEnclave);
  req.reserved1[0] = 1;
  get(a, req, SimKeyStatus::InvalidRequest);
  // KSS-only fields without the KSS attribute
  get(a, request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner | sgx::kKeyPolicyNoIsvProdId), SimKeyStatus::InvalidRequest);
  get(a, request(sgx::kKeySeal, sgx::kKeyPolicyConfigId), SimKeyStatus::InvalidRequest);
  req = request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner);
  req.config_svn = 1;
  get(a, req, SimKeyStatus::InvalidRequest);
}

TEST_F(SimKeys, NoIsvProdIdPolicyDropsTheProductIdForKssEnclaves) {
  auto a = identity(0xa1, 0x51);
  a.attributes.flags |= sgx::kAttrKss;
  auto b = identity(0xb2, 0x51);
  b.attributes.flags |= sgx::kAttrKss;
  b.isv_prod_id = 99;
  const auto bound = request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner);
  EXPECT_NE(get(a, bound), get(b, bound));
  const auto unbound = request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner | sgx::kKeyPolicyNoIsvProdId);
  EXPECT_EQ(get(a, unbound), get(b, unbound));
  // CONFIGID policy binds the config id; CONFIGSVN above the enclave's is refused.
  auto cfg = a;
  cfg.config_id[0] = 1;
  const auto with_cfg = request(sgx::kKeySeal, sgx::kKeyPolicyMrSigner | sgx::kKeyPolicyConfigId);
  EXPECT_NE(get(cfg, with_cfg), get(a, with_cfg));
  auto svn_req = with_cfg;
  svn_req.config_svn = 1;
  get(a, svn_req, SimKeyStatus::InvalidIsvSvn);
}

std::string openssl_cmac(const std::uint8_t key[16], const void* data, std::size_t n) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  char cipher[] = "AES-128-CBC";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                         OSSL_PARAM_construct_end()};
  std::uint8_t out[16];
  std::size_t len = 0;
  const bool ok = EVP_MAC_init(ctx, key, 16, params) == 1 &&
                  EVP_MAC_update(ctx, static_cast<const std::uint8_t*>(data), n) == 1 &&
                  EVP_MAC_final(ctx, out, &len, sizeof out) == 1;
  EVP_MAC_CTX_free(ctx);
  return ok ? test::to_hex(out, len) : "openssl failed";
}

class SimReports : public SimKeys {
 protected:
  void SetUp() override {
    SimKeys::SetUp();
    for (int i = 0; i < 64; ++i) data[i] = static_cast<std::uint8_t>(i * 3);
    cpu.ereport(reporter, make_target_info(target), data, report);
  }
  EnclaveIdentity reporter = identity(0xa1, 0x51, 5);
  EnclaveIdentity target = identity(0xe0, 0x77);
  std::uint8_t data[64];
  sgx::Report report;
};

TEST_F(SimReports, BodyComesFromTheReportingEnclave) {
  EXPECT_EQ(0, std::memcmp(report.body.mr_enclave, reporter.mr_enclave, 32));
  EXPECT_EQ(0, std::memcmp(report.body.mr_signer, reporter.mr_signer, 32));
  EXPECT_EQ(report.body.isv_svn, 5);
  EXPECT_EQ(report.body.isv_prod_id, 7);
  EXPECT_EQ(report.body.attributes.flags, reporter.attributes.flags);
  EXPECT_EQ(0, std::memcmp(report.body.report_data, data, 64));
  EXPECT_EQ(0, std::memcmp(report.body.cpu_svn, cpu.cpu_svn, 16));
  EXPECT_EQ(0, std::memcmp(report.key_id, cpu.report_key_id, 32));
  const std::uint8_t zero[32] = {};
  EXPECT_NE(0, std::memcmp(report.key_id, zero, 32)) << "KEYID is random";
}

TEST_F(SimReports, MacIsCmacOverTheBodyWithTheTargetsReportKey) {
  sgx::KeyRequest req;
  std::memset(&req, 0, sizeof req);
  req.key_name = sgx::kKeyReport;
  std::memcpy(req.key_id, report.key_id, 32);
  std::uint8_t key[16];
  ASSERT_EQ(cpu.egetkey(target, req, key), SimKeyStatus::Ok);
  EXPECT_EQ(openssl_cmac(key, &report.body, 384), test::to_hex(report.mac, 16));
}

TEST_F(SimReports, VerifiesForTheTargetOnly) {
  EXPECT_TRUE(cpu.verify_report(target, report));
  EXPECT_FALSE(cpu.verify_report(reporter, report)) << "the reporter is not the target";
  auto other = target;
  other.mr_enclave[31] ^= 1;
  EXPECT_FALSE(cpu.verify_report(other, report));
  auto debug_target = target;
  debug_target.attributes.flags |= sgx::kAttrDebug;
  EXPECT_FALSE(cpu.verify_report(debug_target, report)) << "target ATTRIBUTES are part of the report key";
  // Another simulated CPU (different root secret) cannot verify it.
  SimCpu other_cpu;
  std::uint8_t root[32] = {9};
  ASSERT_EQ(other_cpu.init(root, cpu.cpu_svn), SimKeyStatus::Ok);
  EXPECT_FALSE(other_cpu.verify_report(target, report));
}

TEST_F(SimReports, AnotherSimCpuWithTheSameRootVerifies) {
  // A second process loading the same per-host root (its own random report KEYID) is the
  // same simulated machine: verification uses the KEYID carried in the report.
  SimCpu same_machine;
  ASSERT_EQ(same_machine.init(cpu.root_secret, cpu.cpu_svn), SimKeyStatus::Ok);
  ASSERT_NE(0, std::memcmp(same_machine.report_key_id, cpu.report_key_id, 32));
  EXPECT_TRUE(same_machine.verify_report(target, report));
}

TEST_F(SimReports, AnyFlippedByteFailsVerification) {
  auto* bytes = reinterpret_cast<std::uint8_t*>(&report);
  for (std::size_t i = 0; i < sizeof report; ++i) {
    bytes[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
    ASSERT_FALSE(cpu.verify_report(target, report)) << "flipped byte " << i;
    bytes[i] ^= static_cast<std::uint8_t>(1u << (i % 8));
  }
  EXPECT_TRUE(cpu.verify_report(target, report));
}

TEST_F(SimReports, IdentityFromSecsAndTargetInfoCarryTheSecsFields) {
  sgx::Secs secs;
  std::memset(&secs, 0, sizeof secs);
  std::memcpy(secs.mr_enclave, target.mr_enclave, 32);
  std::memcpy(secs.mr_signer, target.mr_signer, 32);
  secs.attributes = target.attributes;
  secs.isv_prod_id = target.isv_prod_id;
  secs.isv_svn = target.isv_svn;
  secs.misc_select = 0;
  const EnclaveIdentity from_secs = identity_from_secs(secs);
  EXPECT_TRUE(cpu.verify_report(from_secs, report)) << "the SECS-built identity is the target";
  secs.isv_svn = 9;
  secs.misc_select = 1;
  secs.config_id[3] = 4;
  const EnclaveIdentity changed = identity_from_secs(secs);
  EXPECT_EQ(changed.isv_svn, 9);
  EXPECT_EQ(changed.misc_select, 1u);
  EXPECT_EQ(changed.config_id[3], 4);
  const sgx::TargetInfo ti = make_target_info(changed);
  EXPECT_EQ(0, std::memcmp(ti.measurement, secs.mr_enclave, 32));
  EXPECT_EQ(ti.misc_select, 1u);
  EXPECT_EQ(ti.config_id[3], 4);
  EXPECT_EQ(ti.attributes.flags, secs.attributes.flags);
}

TEST_F(SimReports, StatusNamesAreDistinct) {
  EXPECT_STRNE(sim_key_status_name(SimKeyStatus::InvalidIsvSvn), sim_key_status_name(SimKeyStatus::InvalidCpuSvn));
  EXPECT_STRNE(sim_key_status_name(SimKeyStatus::InvalidAttribute), sim_key_status_name(SimKeyStatus::Ok));
}

}  // namespace
}  // namespace cocoon::attest
