// Simulated EREPORT and EGETKEY (freestanding; linked into the shim and into host tools).
//
// SIMULATION ONLY — NOT HARDWARE-PROTECTED. On real SGX the key hierarchy is rooted in fuses
// that software cannot read, and the keys EGETKEY returns can only be derived inside the
// enclave they belong to. Here the "fused" root is a 32-byte per-host secret held in ordinary
// memory (SimCpu::root_secret): anyone who can read it (root on the host, a debugger, a core
// dump, a process sharing the machine) can derive every sealing and report key of every
// simulated enclave and forge REPORTs. The simulation reproduces the SDM's *rules* (which
// inputs go into which key, which requests are refused) so that software built on it behaves
// as it will on hardware; it provides none of the protection.
//
// Rules followed (Intel SDM Vol. 3D, EGETKEY / EREPORT; summary in
// shared/specs/sgx-structures.md §5–§6):
//   * EGETKEY KEYNAME: SEAL and REPORT always; PROVISION and PROVISION_SEAL only for an enclave
//     whose ATTRIBUTES has PROVISIONKEY, EINITTOKEN only with EINITTOKENKEY (else
//     InvalidAttribute, as the SDM's SGX_INVALID_ATTRIBUTE); other values InvalidKeyName.
//   * KEYREQUEST reserved bytes and reserved KEYPOLICY bits must be zero, KSS policy bits and
//     CONFIGSVN need the KSS attribute (the SDM raises #GP; here: InvalidRequest).
//   * For every key but REPORT: request ISVSVN > enclave ISVSVN -> InvalidIsvSvn, request
//     CONFIGSVN > enclave CONFIGSVN -> InvalidIsvSvn, request CPUSVN beyond the CPU's ->
//     InvalidCpuSvn. A lower SVN is allowed and gives a different key (so an upgraded enclave
//     can still unseal what an older version sealed).
//   * SEAL: MRENCLAVE / MRSIGNER mixed in only when KEYPOLICY asks, ISVPRODID unless NOISVPRODID,
//     ATTRIBUTES masked by (ATTRIBUTEMASK | INIT | DEBUG), MISCSELECT by MISCMASK, KEYID, the
//     request's ISVSVN and CPUSVN, the owner epoch and the fuse secret.
//   * REPORT: only the enclave's own MRENCLAVE, ATTRIBUTES, MISCSELECT, CONFIGID/CONFIGSVN,
//     the CPU's CPUSVN and the request's KEYID; the policy and masks are ignored.
//   * EREPORT: body from the calling enclave, KEYID = the CPU's report KEYID (random per
//     SimCpu, like the processor's per-boot CR_REPORT_KEYID), MAC = AES-128-CMAC over bytes
//     0..383 with the REPORT key of the enclave named by TARGETINFO.
//
// Derivation (our own, the SDM does not publish the hardware's): the key dependencies are
// serialised into a fixed 512-byte block (sim_keys.cpp, KeyDependencies) and
//   key = first 16 bytes of HKDF-SHA256(salt = "cocoon-sim-sgx-fuse-v1", ikm = root_secret,
//                                       info = "cocoon-sim-egetkey-v1" ‖ dependencies).
#pragma once

#include <cstddef>
#include <cstdint>

#include "manifest/sgx_structs.hpp"

namespace cocoon::attest {

// What the (simulated) CPU knows about the enclave that executes EGETKEY/EREPORT: the fields of
// its SECS that keys and reports depend on.
struct EnclaveIdentity {
  std::uint8_t mr_enclave[32];
  std::uint8_t mr_signer[32];
  sgx::Attributes attributes;
  std::uint32_t misc_select;
  std::uint16_t isv_prod_id;
  std::uint16_t isv_svn;
  std::uint16_t config_svn;         // KSS; zero otherwise
  std::uint8_t config_id[64];       // KSS; zero otherwise
  std::uint8_t isv_family_id[16];   // KSS; zero otherwise
  std::uint8_t isv_ext_prod_id[16]; // KSS; zero otherwise
};

enum class SimKeyStatus : std::uint8_t {
  Ok,
  InvalidKeyName,    // KEYNAME is not 0..4
  InvalidAttribute,  // PROVISION/PROVISION_SEAL/EINITTOKEN without the enabling attribute
  InvalidIsvSvn,     // request ISVSVN (or CONFIGSVN) above the enclave's
  InvalidCpuSvn,     // request CPUSVN beyond the CPU's
  InvalidRequest,    // reserved bytes/bits set, or KSS fields without the KSS attribute
  RandomFailure,     // RDRAND failed (SimCpu::init only)
};

const char* sim_key_status_name(SimKeyStatus s);

// The simulated processor. SIMULATION ONLY — the root secret is NOT hardware-protected (see the
// comment at the top of this file). Plain data, no constructor: set it up with init().
struct SimCpu {
  std::uint8_t root_secret[32];     // stands in for the fused seal/root key; a per-host secret
  std::uint8_t cpu_svn[16];         // the CPU's security version (CR_CPUSVN)
  std::uint8_t owner_epoch[16];     // CR_SGXOWNEREPOCH (zero unless the owner sets one)
  std::uint8_t report_key_id[32];   // CR_REPORT_KEYID: random per SimCpu

  // Fills the fields; report_key_id comes from RDRAND (RandomFailure if that fails).
  SimKeyStatus init(const std::uint8_t root[32], const std::uint8_t cpusvn[16]);

  // EGETKEY for enclave `self`. On any status but Ok, `key` is zeroed.
  SimKeyStatus egetkey(const EnclaveIdentity& self, const sgx::KeyRequest& request,
                       std::uint8_t key[16]) const;

  // EREPORT executed by enclave `self` for the enclave described by `target`.
  void ereport(const EnclaveIdentity& self, const sgx::TargetInfo& target,
               const std::uint8_t report_data[64], sgx::Report& out) const;

  // What the target enclave does with a REPORT it received: EGETKEY(REPORT, report.key_id) as
  // itself and a constant-time comparison of the recomputed CMAC.
  bool verify_report(const EnclaveIdentity& self_as_target, const sgx::Report& report) const;
};

// The identity fields of an enclave's SECS (spec §3). The KSS fields the SECS does not carry
// in this layout (ISVFAMILYID, ISVEXTPRODID) are left zero.
EnclaveIdentity identity_from_secs(const sgx::Secs& secs);

// The TARGETINFO that names `target` (what an enclave hands out so others can report to it).
sgx::TargetInfo make_target_info(const EnclaveIdentity& target);

// CPUSVN comparison used by EGETKEY: the SDM leaves the meaning of the 16 bytes to the
// platform; the simulation treats them as 16 independent component versions, and a request
// is acceptable when no component exceeds the CPU's.
bool cpu_svn_within(const std::uint8_t requested[16], const std::uint8_t current[16]);

}  // namespace cocoon::attest
