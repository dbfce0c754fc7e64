// A client of an AESM-compatible quote service (aesmd, Azure's SGX quote helper, or
// `cocoon quote-helper`), speaking aesm-protocol.md: one framed request per connection.
//
// Address: by default the fixed path /var/run/aesmd/aesm.socket, then, if that does not exist
// or refuses connections, the legacy abstract name "\0sgx_aesm_socket_base". `socket_path`
// overrides both (tests, or a service mounted elsewhere). Like Intel's library, Cocoon reads
// SGX_AESM_ADDR only for its presence (see use_out_of_process_quoting()).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "aesm_messages.hpp"
#include "aesm_socket.hpp"
#include "quote_format.hpp"

namespace cocoon::aesm {

// An AESM reply with a non-zero errorCode.
class AesmServiceError : public std::runtime_error {
 public:
  AesmServiceError(const std::string& call, std::uint32_t code)
      : std::runtime_error(call + " failed: AESM error " + std::to_string(code) + " (" + aesm_error_name(code) + ")"),
        code_(code) {}
  std::uint32_t code() const { return code_; }

 private:
  std::uint32_t code_;
};

struct AesmClientOptions {
  std::optional<std::string> socket_path;  // overrides the default path and the abstract fallback
  std::uint32_t timeout_ms = 15000;        // IPC_LATENCY of libsgx_quote_ex (release builds)
};

// True when SGX_AESM_ADDR is set (to anything, even empty): quotes come from the AESM service.
bool use_out_of_process_quoting();

// The 256-byte default ECDSA-P256 att_key_id (aesm-protocol.md §3).
Blob default_ecdsa_att_key_id();

class AesmClient {
 public:
  explicit AesmClient(AesmClientOptions opts = {}) : opts_(std::move(opts)) {}

  struct InitResult {
    quote::TargetInfo target_info{};
    std::vector<std::uint8_t> pub_key_id;
  };
  InitResult init_quote_ex();
  std::uint32_t get_quote_size_ex();
  // Returns the quote with AESM's zero padding stripped (length = 436 + signature_data_len).
  std::vector<std::uint8_t> get_quote_ex(const quote::Report& report, std::uint32_t buf_size);
  // The whole out-of-process flow for a report targeted at the QE: size, quote, and one
  // InitQuoteEx + retry on AESM_ATT_KEY_NOT_INITIALIZED (42), as Gramine does.
  std::vector<std::uint8_t> get_quote(const quote::Report& report);

  // Sends one request and returns the decoded response (exposed for tests).
  Response call(const Request& req);

 private:
  int connect_socket();
  AesmClientOptions opts_;
};

}  // namespace cocoon::aesm
