// The AESM quote messages (aesm-protocol.md §2) and their framing (§1): u32 little-endian
// length, then a serialized aesm.message.Request or Response. Only the ECDSA "Ex" messages
// are modelled; any other Request member decodes as UnknownRequest. Fields are optional so a
// message round-trips exactly (proto2 writes every present field, even zeros, in field order).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "aesm_wire.hpp"

namespace cocoon::aesm {

using Blob = std::vector<std::uint8_t>;

// aesm_error_t values used by Cocoon (aesm-protocol.md §5).
enum AesmError : std::uint32_t {
  kAesmSuccess = 0,
  kAesmUnexpectedError = 1,
  kAesmParameterError = 3,
  kAesmOutOfMemory = 21,
  kAesmBusy = 18,
  kAesmServiceUnavailable = 30,
  kAesmUnsupportedAttKeyId = 38,
  kAesmAttKeyNotInitialized = 42,
  kAesmInvalidReport = 47,
};
const char* aesm_error_name(std::uint32_t code);

// Request/Response field numbers (§2 table).
inline constexpr std::uint32_t kFieldInitQuoteEx = 15;
inline constexpr std::uint32_t kFieldGetQuoteSizeEx = 16;
inline constexpr std::uint32_t kFieldGetQuoteEx = 17;
inline constexpr std::uint32_t kFieldUnsupported = 20;

struct InitQuoteExRequest {
  std::optional<Blob> att_key_id;           // 1
  std::optional<bool> b_pub_key_id;         // 3 (required)
  std::optional<std::uint64_t> buf_size;    // 4
  std::optional<std::uint32_t> timeout;     // 9
};
struct GetQuoteSizeExRequest {
  std::optional<Blob> att_key_id;           // 1
  std::optional<std::uint32_t> timeout;     // 9
};
struct GetQuoteExRequest {
  std::optional<Blob> report;               // 1 (required)
  std::optional<Blob> att_key_id;           // 2
  std::optional<Blob> qe_report_info;       // 3
  std::optional<std::uint32_t> buf_size;    // 4 (required)
  std::optional<std::uint32_t> timeout;     // 9
};
// A Request whose member is not one of the above (or that has no member at all: field 0).
struct UnknownRequest {
  std::uint32_t field = 0;
};
using Request = std::variant<InitQuoteExRequest, GetQuoteSizeExRequest, GetQuoteExRequest, UnknownRequest>;

struct InitQuoteExResponse {
  std::uint32_t error_code = kAesmUnexpectedError;   // 1
  std::optional<Blob> target_info;                   // 2
  std::optional<std::uint64_t> pub_key_id_size;      // 3
  std::optional<Blob> pub_key_id;                    // 4
};
struct GetQuoteSizeExResponse {
  std::uint32_t error_code = kAesmUnexpectedError;   // 1
  std::optional<std::uint32_t> quote_size;           // 2
};
struct GetQuoteExResponse {
  std::uint32_t error_code = kAesmUnexpectedError;   // 1
  std::optional<Blob> quote;                         // 2
  std::optional<Blob> qe_report_info;                // 3
};
struct UnsupportedRequestResponse {
  std::uint32_t error_code = kAesmUnexpectedError;   // 1
};
struct UnknownResponse {
  std::uint32_t field = 0;
};
using Response = std::variant<InitQuoteExResponse, GetQuoteSizeExResponse, GetQuoteExResponse,
                              UnsupportedRequestResponse, UnknownResponse>;

Blob encode_request(const Request& r);
Blob encode_response(const Response& r);
// Throw AesmWireError when the bytes are not a well-formed message.
Request decode_request(std::span<const std::uint8_t> body);
Response decode_response(std::span<const std::uint8_t> body);

// Framing: u32 LE length ‖ body.
Blob frame(std::span<const std::uint8_t> body);
// The body of a complete frame held in `data`; throws AesmWireError if the length prefix is
// missing, larger than max_body, or disagrees with the data size.
std::span<const std::uint8_t> unframe(std::span<const std::uint8_t> data, std::size_t max_body);

// Request frames are small (a GetQuoteEx with report, key id and qe_report_info is < 2 KiB);
// responses carry a quote (AESM clients use buffers of 8 KiB or so).
inline constexpr std::size_t kMaxRequestBody = 16 * 1024;
inline constexpr std::size_t kMaxResponseBody = 1024 * 1024;

}  // namespace cocoon::aesm
