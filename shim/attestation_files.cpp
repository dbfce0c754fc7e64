#include "shim/attestation_files.hpp"

#include "attest/sim_keys.hpp"
#include "manifest/sgx_structs.hpp"
#include "proxy/channel.hpp"
#include "shim/forward.hpp"
#include "shim/heap.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/pseudo_files.hpp"

namespace cocoon::shim::attestation {
namespace {

using pseudo::Content;
using pseudo::Node;
using pseudo::Type;

constexpr std::uint64_t kMaxQuote = 64 * 1024;

struct State {
  bool aesm;
  launch::SimAttestation sim;
  std::uint8_t user_report_data[64];
  sgx::TargetInfo target_info;
};
State s;

long sealing_key(std::uint16_t policy, std::uint8_t out[16]) {
  sgx::KeyRequest kr;
  __builtin_memset(&kr, 0, sizeof kr);
  kr.key_name = sgx::kKeySeal;
  kr.key_policy = policy;
  kr.isv_svn = s.sim.self.isv_svn;
  __builtin_memcpy(kr.cpu_svn, s.sim.cpu.cpu_svn, 16);
  // As the Intel SDK's default for sealing: every security-relevant attribute bit counts
  // (INIT, DEBUG, MODE64BIT and the reserved high byte), and the reserved MISCSELECT bits.
  kr.attribute_mask = {0xFF0000000000000Bull, 0};
  kr.misc_mask = 0xF0000000u;
  attest::SimKeyStatus st = s.sim.cpu.egetkey(s.sim.self, kr, out);
  if (st != attest::SimKeyStatus::Ok) {
    log("/dev/attestation/keys: EGETKEY refused: %s", attest::sim_key_status_name(st));
    return -abi::kEACCES;
  }
  return 0;
}

long make_quote(Content& out) {
  ProxyRequest ti_rq(static_cast<long>(channel::kOpQeTargetInfo));
  ti_rq.arg(0, s.aesm ? 1 : 0);
  if (!ti_rq.out(1, sizeof(sgx::TargetInfo))) return -abi::kEIO;
  long r = ti_rq.call("attestation (QE target info)");
  if (r < 0) return r;
  if (r != 0) return iago("attestation (QE target info)", "result", r);
  sgx::TargetInfo qe;
  __builtin_memcpy(&qe, ti_rq.data(1), sizeof qe);
  sgx::Report report;
  s.sim.cpu.ereport(s.sim.self, qe, s.user_report_data, report);

  ProxyRequest q_rq(static_cast<long>(channel::kOpQuote));
  q_rq.arg(0, s.aesm ? 1 : 0);
  if (!q_rq.in_bytes(1, &report, sizeof report) || !q_rq.out(2, kMaxQuote)) return -abi::kEIO;
  q_rq.arg(3, static_cast<long>(kMaxQuote));
  long n = q_rq.call("attestation (quote)");
  if (n < 0) return n;
  // Header (48 bytes), then the report body the quote is about: it must be ours, exactly.
  if (static_cast<std::uint64_t>(n) < 48 + sizeof(sgx::ReportBody) || static_cast<std::uint64_t>(n) > kMaxQuote)
    return iago("attestation (quote)", "length", n);
  if (__builtin_memcmp(q_rq.data(2) + 48, &report.body, sizeof report.body) != 0)
    return iago("attestation (quote)", "report body", n);
  return pseudo::snapshot(q_rq.data(2), static_cast<std::uint64_t>(n), out);
}

long open_type(const Node&, Content& c) { return pseudo::snapshot("dcap", 4, c); }

long open_user_report_data(const Node&, Content& c) {
  c = {s.user_report_data, sizeof s.user_report_data, false};  // live: writes go to the enclave's state
  return 0;
}

long open_target_info(const Node&, Content& c) {
  c = {reinterpret_cast<std::uint8_t*>(&s.target_info), sizeof s.target_info, false};
  return 0;
}

long open_my_target_info(const Node&, Content& c) {
  sgx::TargetInfo ti = attest::make_target_info(s.sim.self);
  return pseudo::snapshot(&ti, sizeof ti, c);
}

long open_report(const Node&, Content& c) {  // made at open, as Gramine does
  sgx::Report report;
  s.sim.cpu.ereport(s.sim.self, s.target_info, s.user_report_data, report);
  return pseudo::snapshot(&report, sizeof report, c);
}

long open_quote(const Node&, Content& c) { return make_quote(c); }

long open_key(std::uint16_t policy, Content& c) {
  std::uint8_t key[16];
  long r = sealing_key(policy, key);
  if (r == 0) r = pseudo::snapshot(key, sizeof key, c);
  __builtin_memset(key, 0, sizeof key);
  return r;
}
long open_key_mrenclave(const Node&, Content& c) { return open_key(sgx::kKeyPolicyMrEnclave, c); }
long open_key_mrsigner(const Node&, Content& c) { return open_key(sgx::kKeyPolicyMrSigner, c); }

constexpr Node kNodes[] = {
    {"/dev/attestation", Type::Dir, false, 0, nullptr, nullptr},
    {"/dev/attestation/attestation_type", Type::File, false, 4, open_type, nullptr},
    {"/dev/attestation/user_report_data", Type::File, true, 64, open_user_report_data, nullptr},
    {"/dev/attestation/target_info", Type::File, true, 512, open_target_info, nullptr},
    {"/dev/attestation/my_target_info", Type::File, false, 512, open_my_target_info, nullptr},
    {"/dev/attestation/report", Type::File, false, 432, open_report, nullptr},
    {"/dev/attestation/quote", Type::File, false, 0, open_quote, nullptr},  // size known once made
    {"/dev/attestation/keys", Type::Dir, false, 0, nullptr, nullptr},
    {"/dev/attestation/keys/_sgx_mrenclave", Type::File, false, 16, open_key_mrenclave, nullptr},
    {"/dev/attestation/keys/_sgx_mrsigner", Type::File, false, 16, open_key_mrsigner, nullptr},
};

}  // namespace

void init(const launch::SimAttestation* sim, bool aesm) {
  if (!sim) return;
  __builtin_memcpy(&s.sim, sim, sizeof s.sim);
  s.aesm = aesm;
  pseudo::add_provider({"/dev/attestation", kNodes, sizeof kNodes / sizeof kNodes[0]});
}


}  // namespace cocoon::shim::attestation
