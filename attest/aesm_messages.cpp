#include "aesm_messages.hpp"

#include <cstring>
#include <string>

namespace cocoon::aesm {

const char* aesm_error_name(std::uint32_t code) {
  switch (code) {
    case kAesmSuccess: return "AESM_SUCCESS";
    case kAesmUnexpectedError: return "AESM_UNEXPECTED_ERROR";
    case 2: return "AESM_NO_DEVICE_ERROR";
    case kAesmParameterError: return "AESM_PARAMETER_ERROR";
    case kAesmBusy: return "AESM_BUSY";
    case kAesmOutOfMemory: return "AESM_OUT_OF_MEMORY_ERROR";
    case 29: return "AESM_OUT_OF_EPC";
    case kAesmServiceUnavailable: return "AESM_SERVICE_UNAVAILABLE";
    case kAesmUnsupportedAttKeyId: return "AESM_UNSUPPORTED_ATT_KEY_ID";
    case kAesmAttKeyNotInitialized: return "AESM_ATT_KEY_NOT_INITIALIZED";
    case 44: return "AESM_NO_PLATFORM_CERT_DATA";
    case 45: return "AESM_ERROR_REPORT";
    case kAesmInvalidReport: return "AESM_INVALID_REPORT";
    case 50: return "AESM_KEY_CERTIFICATION_ERROR";
    default: return "AESM error";
  }
}

namespace {

template <typename T>
void put(ProtoWriter& w, std::uint32_t field, const std::optional<T>& v) {
  if (!v) return;
  if constexpr (std::is_same_v<T, Blob>)
    w.bytes(field, *v);
  else
    w.varint(field, static_cast<std::uint64_t>(*v));
}

Blob encode_inner(const InitQuoteExRequest& m) {
  ProtoWriter w;
  put(w, 1, m.att_key_id);
  put(w, 3, m.b_pub_key_id);
  put(w, 4, m.buf_size);
  put(w, 9, m.timeout);
  return w.take();
}
Blob encode_inner(const GetQuoteSizeExRequest& m) {
  ProtoWriter w;
  put(w, 1, m.att_key_id);
  put(w, 9, m.timeout);
  return w.take();
}
Blob encode_inner(const GetQuoteExRequest& m) {
  ProtoWriter w;
  put(w, 1, m.report);
  put(w, 2, m.att_key_id);
  put(w, 3, m.qe_report_info);
  put(w, 4, m.buf_size);
  put(w, 9, m.timeout);
  return w.take();
}
Blob encode_inner(const InitQuoteExResponse& m) {
  ProtoWriter w;
  w.varint(1, m.error_code);
  put(w, 2, m.target_info);
  put(w, 3, m.pub_key_id_size);
  put(w, 4, m.pub_key_id);
  return w.take();
}
Blob encode_inner(const GetQuoteSizeExResponse& m) {
  ProtoWriter w;
  w.varint(1, m.error_code);
  put(w, 2, m.quote_size);
  return w.take();
}
Blob encode_inner(const GetQuoteExResponse& m) {
  ProtoWriter w;
  w.varint(1, m.error_code);
  put(w, 2, m.quote);
  put(w, 3, m.qe_report_info);
  return w.take();
}
Blob encode_inner(const UnsupportedRequestResponse& m) {
  ProtoWriter w;
  w.varint(1, m.error_code);
  return w.take();
}

Blob wrap(std::uint32_t field, const Blob& inner) {
  ProtoWriter w;
  w.bytes(field, inner);
  return w.take();
}

// Reads the single sub-message of an outer Request/Response. Returns its field number (0 when
// none is set) and payload. A message with several members set keeps the last one, as
// libprotobuf would for a oneof-like set of optionals... but AESM never sends that, so refuse.
std::uint32_t outer_member(std::span<const std::uint8_t> body, std::span<const std::uint8_t>& payload) {
  ProtoReader r(body);
  ProtoField f;
  std::uint32_t member = 0;
  while (r.next(f)) {
    if (f.type != WireType::Bytes)
      throw AesmWireError("malformed message: outer field " + std::to_string(f.number) + " is not a sub-message");
    if (member != 0 && member != f.number)
      throw AesmWireError("malformed message: both field " + std::to_string(member) + " and field " +
                          std::to_string(f.number) + " are set; exactly one is allowed");
    member = f.number;
    payload = f.payload;
  }
  return member;
}

}  // namespace

Blob encode_request(const Request& r) {
  return std::visit(
      [](const auto& m) -> Blob {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, InitQuoteExRequest>) return wrap(kFieldInitQuoteEx, encode_inner(m));
        else if constexpr (std::is_same_v<T, GetQuoteSizeExRequest>) return wrap(kFieldGetQuoteSizeEx, encode_inner(m));
        else if constexpr (std::is_same_v<T, GetQuoteExRequest>) return wrap(kFieldGetQuoteEx, encode_inner(m));
        else return m.field ? wrap(m.field, {}) : Blob{};
      },
      r);
}

Blob encode_response(const Response& r) {
  return std::visit(
      [](const auto& m) -> Blob {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, InitQuoteExResponse>) return wrap(kFieldInitQuoteEx, encode_inner(m));
        else if constexpr (std::is_same_v<T, GetQuoteSizeExResponse>) return wrap(kFieldGetQuoteSizeEx, encode_inner(m));
        else if constexpr (std::is_same_v<T, GetQuoteExResponse>) return wrap(kFieldGetQuoteEx, encode_inner(m));
        else if constexpr (std::is_same_v<T, UnsupportedRequestResponse>) return wrap(kFieldUnsupported, encode_inner(m));
        else return m.field ? wrap(m.field, {}) : Blob{};
      },
      r);
}

Request decode_request(std::span<const std::uint8_t> body) {
  std::span<const std::uint8_t> payload;
  std::uint32_t member = outer_member(body, payload);
  ProtoReader r(payload);
  ProtoField f;
  switch (member) {
    case kFieldInitQuoteEx: {
      InitQuoteExRequest m;
      while (r.next(f)) {
        if (f.number == 1) m.att_key_id = as_bytes(f, "att_key_id");
        else if (f.number == 3) m.b_pub_key_id = as_bool(f, "b_pub_key_id");
        else if (f.number == 4) m.buf_size = as_u64(f, "buf_size");
        else if (f.number == 9) m.timeout = as_u32(f, "timeout");
      }
      return m;
    }
    case kFieldGetQuoteSizeEx: {
      GetQuoteSizeExRequest m;
      while (r.next(f)) {
        if (f.number == 1) m.att_key_id = as_bytes(f, "att_key_id");
        else if (f.number == 9) m.timeout = as_u32(f, "timeout");
      }
      return m;
    }
    case kFieldGetQuoteEx: {
      GetQuoteExRequest m;
      while (r.next(f)) {
        if (f.number == 1) m.report = as_bytes(f, "report");
        else if (f.number == 2) m.att_key_id = as_bytes(f, "att_key_id");
        else if (f.number == 3) m.qe_report_info = as_bytes(f, "qe_report_info");
        else if (f.number == 4) m.buf_size = as_u32(f, "buf_size");
        else if (f.number == 9) m.timeout = as_u32(f, "timeout");
      }
      return m;
    }
    default:
      return UnknownRequest{member};
  }
}

Response decode_response(std::span<const std::uint8_t> body) {
  std::span<const std::uint8_t> payload;
  std::uint32_t member = outer_member(body, payload);
  ProtoReader r(payload);
  ProtoField f;
  switch (member) {
    case kFieldInitQuoteEx: {
      InitQuoteExResponse m;
      while (r.next(f)) {
        if (f.number == 1) m.error_code = as_u32(f, "errorCode");
        else if (f.number == 2) m.target_info = as_bytes(f, "target_info");
        else if (f.number == 3) m.pub_key_id_size = as_u64(f, "pub_key_id_size");
        else if (f.number == 4) m.pub_key_id = as_bytes(f, "pub_key_id");
      }
      return m;
    }
    case kFieldGetQuoteSizeEx: {
      GetQuoteSizeExResponse m;
      while (r.next(f)) {
        if (f.number == 1) m.error_code = as_u32(f, "errorCode");
        else if (f.number == 2) m.quote_size = as_u32(f, "quote_size");
      }
      return m;
    }
    case kFieldGetQuoteEx: {
      GetQuoteExResponse m;
      while (r.next(f)) {
        if (f.number == 1) m.error_code = as_u32(f, "errorCode");
        else if (f.number == 2) m.quote = as_bytes(f, "quote");
        else if (f.number == 3) m.qe_report_info = as_bytes(f, "qe_report_info");
      }
      return m;
    }
    case kFieldUnsupported: {
      UnsupportedRequestResponse m;
      while (r.next(f))
        if (f.number == 1) m.error_code = as_u32(f, "errorCode");
      return m;
    }
    default:
      return UnknownResponse{member};
  }
}

Blob frame(std::span<const std::uint8_t> body) {
  Blob out(4 + body.size());
  std::uint32_t n = static_cast<std::uint32_t>(body.size());
  std::memcpy(out.data(), &n, 4);
  std::memcpy(out.data() + 4, body.data(), body.size());
  return out;
}

std::span<const std::uint8_t> unframe(std::span<const std::uint8_t> data, std::size_t max_body) {
  if (data.size() < 4) throw AesmWireError("frame shorter than its 4-byte length prefix");
  std::uint32_t n;
  std::memcpy(&n, data.data(), 4);
  if (n > max_body)
    throw AesmWireError("frame length " + std::to_string(n) + " exceeds the limit of " + std::to_string(max_body));
  if (n != data.size() - 4)
    throw AesmWireError("frame length " + std::to_string(n) + " but " + std::to_string(data.size() - 4) +
                        " body bytes present");
  return data.subspan(4);
}

}  // namespace cocoon::aesm
