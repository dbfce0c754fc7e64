// Where the host side of an enclave gets its quotes (what /dev/attestation/quote needs):
//  * out of process, when SGX_AESM_ADDR is set (any value; as in Intel's DCAP library): from
//    the AESM service on /var/run/aesmd/aesm.socket, or the path in COCOON_AESM_SOCKET (a
//    Cocoon setting for tests and non-standard mounts);
//  * in process otherwise: from the simulated QE of this host (COCOON_SIM_DIR).
// Usage: target_info() → the enclave EREPORTs to it → quote(report).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "quote_format.hpp"

namespace cocoon::quote {

class QuoteSource {
 public:
  virtual ~QuoteSource() = default;
  virtual TargetInfo target_info() = 0;
  // The quote for a REPORT targeted at target_info(), without padding. Throws
  // std::runtime_error (AESM errors, rejected reports) with a message naming the cause.
  virtual std::vector<std::uint8_t> quote(const Report& report) = 0;
  // "aesm:<socket>" or "in-process simulated QE (<sim dir>)".
  virtual std::string describe() const = 0;
};

// Chooses as described above, from the environment at the time of the call.
std::unique_ptr<QuoteSource> make_quote_source();
// The same with the choice made by the caller (the enclave decides from the program's own
// environment, which the host process that serves it does not share).
std::unique_ptr<QuoteSource> make_quote_source(bool out_of_process);

inline constexpr const char* kAesmSocketEnv = "COCOON_AESM_SOCKET";

}  // namespace cocoon::quote
