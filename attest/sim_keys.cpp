// Simulated EGETKEY / EREPORT. SIMULATION ONLY — the root secret is NOT hardware-protected;
// see sim_keys.hpp.
#include "attest/sim_keys.hpp"

#include "shim/crypto/aes128.hpp"
#include "shim/crypto/constant_time.hpp"
#include "shim/crypto/hkdf_sha256.hpp"
#include "shim/crypto/random.hpp"

namespace cocoon::attest {
namespace {

// Everything a derived key depends on (the SDM's "key dependencies" table for EGETKEY),
// serialised at fixed offsets so that two different sets of inputs can never produce the same
// bytes. Our own layout: hardware does not publish its.
struct KeyDependencies {
  std::uint16_t key_name;            // 0
  std::uint16_t key_policy;          // 2
  std::uint16_t isv_prod_id;         // 4
  std::uint16_t isv_svn;             // 6
  std::uint16_t config_svn;          // 8
  std::uint8_t seal_fuses;           // 10  1 when the (simulated) seal fuses are mixed in
  std::uint8_t reserved0[1];         // 11
  std::uint32_t misc_select;         // 12
  std::uint32_t misc_mask;           // 16  complement of the request's MISCMASK, as the SDM has it
  std::uint8_t reserved1[12];        // 20
  std::uint8_t owner_epoch[16];      // 32
  sgx::Attributes attributes;        // 48
  sgx::Attributes attribute_mask;    // 64
  std::uint8_t mr_enclave[32];       // 80
  std::uint8_t mr_signer[32];        // 112
  std::uint8_t key_id[32];           // 144
  std::uint8_t cpu_svn[16];          // 176
  std::uint8_t isv_family_id[16];    // 192
  std::uint8_t isv_ext_prod_id[16];  // 208
  std::uint8_t config_id[64];        // 224
  std::uint8_t reserved2[224];       // 288
};
static_assert(sizeof(KeyDependencies) == 512);
static_assert(offsetof(KeyDependencies, misc_select) == 12);
static_assert(offsetof(KeyDependencies, owner_epoch) == 32);
static_assert(offsetof(KeyDependencies, attributes) == 48);
static_assert(offsetof(KeyDependencies, mr_enclave) == 80);
static_assert(offsetof(KeyDependencies, key_id) == 144);
static_assert(offsetof(KeyDependencies, config_id) == 224);

constexpr char kFuseSalt[] = "cocoon-sim-sgx-fuse-v1";
constexpr char kInfoLabel[] = "cocoon-sim-egetkey-v1";
constexpr std::size_t kInfoLabelSize = sizeof kInfoLabel - 1;

// KEYPOLICY bits this CPU model knows (spec §6); all others are reserved.
constexpr std::uint16_t kKnownPolicyBits = 0x3f;
// Policy bits that only a KSS enclave may use. The SDM groups NOISVPRODID with the KSS bits
// (its EGETKEY check masks 0x003C); being strict here means code that works in simulation does
// not meet a #GP on hardware.
constexpr std::uint16_t kKssPolicyBits = sgx::kKeyPolicyNoIsvProdId | sgx::kKeyPolicyConfigId |
                                         sgx::kKeyPolicyIsvFamilyId | sgx::kKeyPolicyIsvExtProdId;
// ATTRIBUTES bits always bound into SEAL-type keys (INIT and DEBUG): a debug enclave never gets
// the key of its production build.
constexpr std::uint64_t kRequiredSealingFlags = sgx::kAttrInit | sgx::kAttrDebug;

template <std::size_t N>
void copy(std::uint8_t (&dst)[N], const std::uint8_t (&src)[N]) {
  for (std::size_t i = 0; i < N; ++i) dst[i] = src[i];
}

bool all_zero(const std::uint8_t* p, std::size_t n) {
  std::uint8_t acc = 0;
  for (std::size_t i = 0; i < n; ++i) acc |= p[i];
  return acc == 0;
}

void zero_bytes(void* p, std::size_t n) {
  auto* b = static_cast<std::uint8_t*>(p);
  for (std::size_t i = 0; i < n; ++i) b[i] = 0;
}

void derive(const SimCpu& cpu, const KeyDependencies& deps, std::uint8_t key[16]) {
  std::uint8_t info[kInfoLabelSize + sizeof(KeyDependencies)];
  for (std::size_t i = 0; i < kInfoLabelSize; ++i) info[i] = static_cast<std::uint8_t>(kInfoLabel[i]);
  const auto* d = reinterpret_cast<const std::uint8_t*>(&deps);
  for (std::size_t i = 0; i < sizeof deps; ++i) info[kInfoLabelSize + i] = d[i];
  // 16 bytes never exceed the HKDF output limit, so this cannot fail.
  crypto::hkdf_sha256(kFuseSalt, sizeof kFuseSalt - 1, cpu.root_secret, sizeof cpu.root_secret, info,
                      sizeof info, key, 16);
  crypto::secure_wipe(info, sizeof info);
}

// REPORT-key dependencies for the enclave described by these fields (EGETKEY(REPORT) as that
// enclave, or EREPORT for it as the target).
void report_key(const SimCpu& cpu, const std::uint8_t (&mr_enclave)[32], const sgx::Attributes& attributes,
                std::uint32_t misc_select, const std::uint8_t (&config_id)[64], std::uint16_t config_svn,
                const std::uint8_t (&key_id)[32], std::uint8_t key[16]) {
  KeyDependencies deps;
  zero_bytes(&deps, sizeof deps);
  deps.key_name = sgx::kKeyReport;
  deps.seal_fuses = 1;
  copy(deps.owner_epoch, cpu.owner_epoch);
  deps.attributes = attributes;
  copy(deps.mr_enclave, mr_enclave);
  copy(deps.key_id, key_id);
  copy(deps.cpu_svn, cpu.cpu_svn);
  deps.misc_select = misc_select;
  copy(deps.config_id, config_id);
  deps.config_svn = config_svn;
  derive(cpu, deps, key);
  crypto::secure_wipe(&deps, sizeof deps);
}

void report_mac(const std::uint8_t key[16], const sgx::ReportBody& body, std::uint8_t mac[16]) {
  crypto::aes128_cmac(key, &body, sizeof body, mac);
}

}  // namespace

const char* sim_key_status_name(SimKeyStatus s) {
  switch (s) {
    case SimKeyStatus::Ok: return "ok";
    case SimKeyStatus::InvalidKeyName: return "KEYNAME is not one of EINITTOKEN, PROVISION, PROVISION_SEAL, REPORT, SEAL";
    case SimKeyStatus::InvalidAttribute:
      return "the enclave's ATTRIBUTES do not allow this key (PROVISIONKEY or EINITTOKENKEY not set)";
    case SimKeyStatus::InvalidIsvSvn: return "the requested ISVSVN or CONFIGSVN is higher than the enclave's";
    case SimKeyStatus::InvalidCpuSvn: return "the requested CPUSVN is higher than the CPU's";
    case SimKeyStatus::InvalidRequest:
      return "KEYREQUEST has reserved bytes or KEYPOLICY bits set, or uses KSS fields without the KSS attribute";
    case SimKeyStatus::RandomFailure: return "RDRAND failed while creating the report KEYID";
  }
  return "unknown sim key status";
}

bool cpu_svn_within(const std::uint8_t requested[16], const std::uint8_t current[16]) {
  for (int i = 0; i < 16; ++i)
    if (requested[i] > current[i]) return false;
  return true;
}

EnclaveIdentity identity_from_secs(const sgx::Secs& secs) {
  EnclaveIdentity id;
  zero_bytes(&id, sizeof id);
  copy(id.mr_enclave, secs.mr_enclave);
  copy(id.mr_signer, secs.mr_signer);
  id.attributes = secs.attributes;
  id.misc_select = secs.misc_select;
  id.isv_prod_id = secs.isv_prod_id;
  id.isv_svn = secs.isv_svn;
  id.config_svn = secs.config_svn;
  copy(id.config_id, secs.config_id);
  return id;
}

sgx::TargetInfo make_target_info(const EnclaveIdentity& target) {
  sgx::TargetInfo ti;
  zero_bytes(&ti, sizeof ti);
  copy(ti.measurement, target.mr_enclave);
  ti.attributes = target.attributes;
  ti.misc_select = target.misc_select;
  ti.config_svn = target.config_svn;
  copy(ti.config_id, target.config_id);
  return ti;
}

SimKeyStatus SimCpu::init(const std::uint8_t root[32], const std::uint8_t cpusvn[16]) {
  for (int i = 0; i < 32; ++i) root_secret[i] = root[i];
  for (int i = 0; i < 16; ++i) cpu_svn[i] = cpusvn[i];
  zero_bytes(owner_epoch, sizeof owner_epoch);
  if (crypto::random_bytes(report_key_id, sizeof report_key_id) != crypto::RandomStatus::Ok) {
    zero_bytes(report_key_id, sizeof report_key_id);
    return SimKeyStatus::RandomFailure;
  }
  return SimKeyStatus::Ok;
}

SimKeyStatus SimCpu::egetkey(const EnclaveIdentity& self, const sgx::KeyRequest& req,
                             std::uint8_t key[16]) const {
  zero_bytes(key, 16);
  if (!all_zero(req.reserved1, sizeof req.reserved1) || !all_zero(req.reserved2, sizeof req.reserved2) ||
      (req.key_policy & ~kKnownPolicyBits) != 0)
    return SimKeyStatus::InvalidRequest;
  const bool kss = (self.attributes.flags & sgx::kAttrKss) != 0;
  if (!kss && ((req.key_policy & kKssPolicyBits) != 0 || req.config_svn != 0))
    return SimKeyStatus::InvalidRequest;

  KeyDependencies deps;
  zero_bytes(&deps, sizeof deps);

  if (req.key_name == sgx::kKeyReport) {
    report_key(*this, self.mr_enclave, self.attributes, self.misc_select, self.config_id, self.config_svn,
               req.key_id, key);
    return SimKeyStatus::Ok;
  }
  if (req.key_name != sgx::kKeySeal && req.key_name != sgx::kKeyProvision &&
      req.key_name != sgx::kKeyProvisionSeal && req.key_name != sgx::kKeyEinitToken)
    return SimKeyStatus::InvalidKeyName;
  if ((req.key_name == sgx::kKeyProvision || req.key_name == sgx::kKeyProvisionSeal) &&
      (self.attributes.flags & sgx::kAttrProvisionKey) == 0)
    return SimKeyStatus::InvalidAttribute;
  if (req.key_name == sgx::kKeyEinitToken && (self.attributes.flags & sgx::kAttrEinitTokenKey) == 0)
    return SimKeyStatus::InvalidAttribute;
  if (!cpu_svn_within(req.cpu_svn, cpu_svn)) return SimKeyStatus::InvalidCpuSvn;
  if (req.isv_svn > self.isv_svn) return SimKeyStatus::InvalidIsvSvn;
  if (req.config_svn > self.config_svn) return SimKeyStatus::InvalidIsvSvn;

  // Common to the SEAL-type keys: the request's SVNs (not the enclave's), masked attributes and
  // MISCSELECT.
  deps.key_name = req.key_name;
  deps.isv_svn = req.isv_svn;
  copy(deps.cpu_svn, req.cpu_svn);
  deps.attributes.flags = (req.attribute_mask.flags | kRequiredSealingFlags) & self.attributes.flags;
  deps.attributes.xfrm = req.attribute_mask.xfrm & self.attributes.xfrm;
  deps.attribute_mask = req.attribute_mask;
  deps.misc_select = req.misc_mask & self.misc_select;
  deps.misc_mask = ~req.misc_mask;

  switch (req.key_name) {
    case sgx::kKeySeal:
      deps.seal_fuses = 1;
      copy(deps.owner_epoch, owner_epoch);
      deps.key_policy = req.key_policy;
      copy(deps.key_id, req.key_id);
      if (req.key_policy & sgx::kKeyPolicyMrEnclave) copy(deps.mr_enclave, self.mr_enclave);
      if (req.key_policy & sgx::kKeyPolicyMrSigner) copy(deps.mr_signer, self.mr_signer);
      if (!(req.key_policy & sgx::kKeyPolicyNoIsvProdId)) deps.isv_prod_id = self.isv_prod_id;
      if (req.key_policy & sgx::kKeyPolicyIsvFamilyId) copy(deps.isv_family_id, self.isv_family_id);
      if (req.key_policy & sgx::kKeyPolicyIsvExtProdId) copy(deps.isv_ext_prod_id, self.isv_ext_prod_id);
      if (req.key_policy & sgx::kKeyPolicyConfigId) {
        copy(deps.config_id, self.config_id);
        deps.config_svn = req.config_svn;
      }
      break;
    case sgx::kKeyEinitToken:
      // Bound to the signer (the Launch Enclave's), with the owner epoch; no KEYID.
      deps.seal_fuses = 1;
      copy(deps.owner_epoch, owner_epoch);
      deps.isv_prod_id = self.isv_prod_id;
      copy(deps.mr_signer, self.mr_signer);
      break;
    case sgx::kKeyProvision:
    case sgx::kKeyProvisionSeal:
      // Bound to the signer and the hardware only: no owner epoch, so it survives an owner
      // change; PROVISION_SEAL also mixes in the seal fuses.
      deps.seal_fuses = req.key_name == sgx::kKeyProvisionSeal ? 1 : 0;
      deps.isv_prod_id = self.isv_prod_id;
      copy(deps.mr_signer, self.mr_signer);
      break;
    default:
      break;
  }
  derive(*this, deps, key);
  crypto::secure_wipe(&deps, sizeof deps);
  return SimKeyStatus::Ok;
}

void SimCpu::ereport(const EnclaveIdentity& self, const sgx::TargetInfo& target,
                     const std::uint8_t report_data[64], sgx::Report& out) const {
  zero_bytes(&out, sizeof out);
  sgx::ReportBody& b = out.body;
  copy(b.cpu_svn, cpu_svn);
  b.misc_select = self.misc_select;
  copy(b.isv_ext_prod_id, self.isv_ext_prod_id);
  b.attributes = self.attributes;
  copy(b.mr_enclave, self.mr_enclave);
  copy(b.mr_signer, self.mr_signer);
  copy(b.config_id, self.config_id);
  b.isv_prod_id = self.isv_prod_id;
  b.isv_svn = self.isv_svn;
  b.config_svn = self.config_svn;
  copy(b.isv_family_id, self.isv_family_id);
  for (int i = 0; i < 64; ++i) b.report_data[i] = report_data[i];
  copy(out.key_id, report_key_id);

  std::uint8_t key[16];
  report_key(*this, target.measurement, target.attributes, target.misc_select, target.config_id,
             target.config_svn, report_key_id, key);
  report_mac(key, b, out.mac);
  crypto::secure_wipe(key, sizeof key);
}

bool SimCpu::verify_report(const EnclaveIdentity& self_as_target, const sgx::Report& report) const {
  sgx::KeyRequest req;
  zero_bytes(&req, sizeof req);
  req.key_name = sgx::kKeyReport;
  copy(req.key_id, report.key_id);
  std::uint8_t key[16];
  if (egetkey(self_as_target, req, key) != SimKeyStatus::Ok) return false;
  std::uint8_t mac[16];
  report_mac(key, report.body, mac);
  crypto::secure_wipe(key, sizeof key);
  return crypto::ct_equal(mac, report.mac, sizeof mac);
}

}  // namespace cocoon::attest
