// Fuzz target: the DCAP quote parser and the full verifier on untrusted bytes (must never crash,
// read out of bounds or accept a quote without a trust anchor it chains to).
#include <cstddef>
#include <cstdint>
#include <span>

#include "intel_root.hpp"
#include "quote_verifier.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cocoon::quote;
  std::span<const std::uint8_t> in(data, size);
  try {
    (void)quote_length(in);
  } catch (const QuoteError&) {
  }
  try {
    ParsedQuote q = parse_quote(in, size % 2 == 0);
    try {
      check_qe_binding(q);
      check_isv_signature(q);
    } catch (const QuoteError&) {
    }
    VerifyOptions o;
    o.anchors.push_back(intel_root_anchor());
    o.at = 1704067200;
    verify_quote(in, o);
  } catch (const QuoteError&) {
  }
  return 0;
}
