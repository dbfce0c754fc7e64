// Fuzz target: AESM frame/protobuf decoding of requests and responses, and re-encoding.
#include <cstddef>
#include <cstdint>
#include <span>

#include "aesm_messages.hpp"

namespace {
// A complete frame's body, or the whole input when it is not a complete frame.
std::span<const std::uint8_t> body_of(std::span<const std::uint8_t> in) {
  try {
    return cocoon::aesm::unframe(in, cocoon::aesm::kMaxResponseBody);
  } catch (const cocoon::aesm::AesmWireError&) {
    return in;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cocoon::aesm;
  const std::span<const std::uint8_t> body = body_of(std::span<const std::uint8_t>(data, size));
  try {
    Request r = decode_request(body);
    (void)encode_request(r);
  } catch (const AesmWireError&) {
  }
  try {
    Response r = decode_response(body);
    (void)encode_response(r);
  } catch (const AesmWireError&) {
  }
  return 0;
}
