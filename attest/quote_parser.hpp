// Parser for DCAP ECDSA quote v3 (sgx-structures.md §7). Reads untrusted bytes: every length
// is checked before use, nothing is read past the end, oversized input is refused. Errors are
// QuoteError naming the part at fault. Parsing checks structure only; signatures and the
// certificate chain are checked by quote_verifier.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "quote_error.hpp"
#include "quote_format.hpp"

namespace cocoon::quote {

struct ParsedQuote {
  QuoteHeader header{};
  ReportBody isv_report{};
  std::uint32_t signature_data_len = 0;
  EcdsaSignatureFixed sig{};
  std::vector<std::uint8_t> qe_auth_data;
  std::uint16_t cert_data_type = 0;
  std::vector<std::uint8_t> cert_data;
  std::vector<std::uint8_t> signed_part;  // quote bytes 0..431 (header ‖ ISV report body)
  std::size_t size = 0;                   // 436 + signature_data_len
};

// Parses exactly one quote. `data` must hold the quote and nothing else, except that
// trailing zero bytes are accepted when allow_zero_padding is set (AESM pads quotes).
ParsedQuote parse_quote(std::span<const std::uint8_t> data, bool allow_zero_padding = false);

// The real length of a possibly zero-padded quote (436 + signature_data_len), checked
// against the buffer; throws QuoteError when the buffer is too short for the prefix or the
// length field points past the end.
std::size_t quote_length(std::span<const std::uint8_t> data);

}  // namespace cocoon::quote
