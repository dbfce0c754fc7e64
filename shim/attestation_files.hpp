// /dev/attestation: the pseudo-files through which unmodified programs attest, compatible
// with Gramine's (docs/attestation.md lists them). Served entirely in the shim:
//   attestation_type       "dcap"                                   read
//   user_report_data       64 bytes, zero at start                  read/write
//   target_info            512-byte TARGETINFO, zero at start       read/write
//   my_target_info         this enclave's TARGETINFO                read
//   report                 EREPORT(target_info, user_report_data)   read (made at open)
//   quote                  DCAP ECDSA quote v3 over a REPORT for the quoting enclave with
//                          user_report_data; from the AESM service when the program's
//                          environment has SGX_AESM_ADDR, else the in-process simulated QE
//                          (both through the proxy: the QE is outside the enclave)
//   keys/_sgx_mrenclave    16-byte sealing key, policy MRENCLAVE     read
//   keys/_sgx_mrsigner     16-byte sealing key, policy MRSIGNER      read
// EREPORT and EGETKEY are simulated (attest/sim_keys.hpp, NOT hardware-protected) with the
// processor state the supervisor passes in launch::SimAttestation.
//
// The files themselves are served by shim/pseudo_files.*.
#pragma once

#include <cstdint>

#include "shim/launch_config.hpp"

namespace cocoon::shim::attestation {

// `sim` may be null (no attestation: /dev/attestation does not exist). `aesm`: the program's
// environment has SGX_AESM_ADDR.
void init(const launch::SimAttestation* sim, bool aesm);

}  // namespace cocoon::shim::attestation
