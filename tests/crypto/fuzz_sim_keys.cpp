// Fuzz target for the simulated EGETKEY / report verification (attest/sim_keys): both take
// bytes the enclave or a peer controls (a KEYREQUEST, a REPORT).
//
// Input: [EnclaveIdentity][KeyRequest 512][432-byte XOR mask for a genuine REPORT][report data]
// (short inputs are zero padded). Invariants checked (abort on violation):
//   * a refused EGETKEY leaves an all-zero key; an accepted one is deterministic;
//   * a genuine REPORT verifies for its target, and any non-zero mask makes it fail;
//   * verify_report on arbitrary bytes never crashes.
#include <cstdint>
#include <cstdlib>
#include <cstring>

#include "attest/sim_keys.hpp"

using cocoon::attest::EnclaveIdentity;
using cocoon::attest::SimCpu;
using cocoon::attest::SimKeyStatus;

namespace {

const SimCpu& cpu() {
  static const SimCpu c = [] {
    SimCpu s;
    std::uint8_t root[32], svn[16];
    for (int i = 0; i < 32; ++i) root[i] = static_cast<std::uint8_t>(i * 7 + 1);
    std::memset(svn, 3, sizeof svn);
    if (s.init(root, svn) != SimKeyStatus::Ok) std::abort();
    return s;
  }();
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  constexpr std::size_t kId = sizeof(EnclaveIdentity), kReq = sizeof(cocoon::sgx::KeyRequest),
                        kRep = sizeof(cocoon::sgx::Report);
  std::uint8_t buf[kId + kReq + kRep + 64] = {};
  std::memcpy(buf, data, size < sizeof buf ? size : sizeof buf);

  EnclaveIdentity self;
  std::memcpy(&self, buf, kId);
  cocoon::sgx::KeyRequest req;
  std::memcpy(&req, buf + kId, kReq);

  std::uint8_t k1[16], k2[16];
  const SimKeyStatus s1 = cpu().egetkey(self, req, k1);
  const SimKeyStatus s2 = cpu().egetkey(self, req, k2);
  if (s1 != s2 || std::memcmp(k1, k2, 16) != 0) std::abort();
  if (s1 != SimKeyStatus::Ok) {
    for (auto b : k1)
      if (b != 0) std::abort();
  }

  const std::uint8_t* mask = buf + kId + kReq;
  cocoon::sgx::Report report;
  cpu().ereport(self, cocoon::attest::make_target_info(self), buf + kId + kReq + kRep, report);
  if (!cpu().verify_report(self, report)) std::abort();
  bool mask_zero = true;
  auto* bytes = reinterpret_cast<std::uint8_t*>(&report);
  for (std::size_t i = 0; i < kRep; ++i) {
    bytes[i] ^= mask[i];
    mask_zero &= mask[i] == 0;
  }
  if (cpu().verify_report(self, report) != mask_zero) std::abort();

  cocoon::sgx::Report raw;
  std::memcpy(&raw, mask, kRep);
  (void)cpu().verify_report(self, raw);
  return 0;
}
