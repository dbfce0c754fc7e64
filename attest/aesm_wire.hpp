// A minimal protobuf (proto2) wire codec: just what the AESM messages need (varints and
// length-delimited fields). Hand-written instead of linking libprotobuf: five small messages,
// no code generator in the build, and the decoder reads untrusted bytes from a socket, so it is
// kept small enough to audit and fuzz. Unknown varint/fixed/length-delimited fields are skipped
// like libprotobuf does; groups, field number 0, overlong varints and lengths past the end are
// rejected with AesmWireError.
#pragma once

#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace cocoon::aesm {

class AesmWireError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class WireType : std::uint8_t { Varint = 0, Fixed64 = 1, Bytes = 2, Fixed32 = 5 };

class ProtoWriter {
 public:
  void varint(std::uint32_t field, std::uint64_t value);
  void bytes(std::uint32_t field, std::span<const std::uint8_t> value);
  const std::vector<std::uint8_t>& data() const { return out_; }
  std::vector<std::uint8_t> take() { return std::move(out_); }

 private:
  void raw_varint(std::uint64_t v);
  std::vector<std::uint8_t> out_;
};

struct ProtoField {
  std::uint32_t number = 0;
  WireType type = WireType::Varint;
  std::uint64_t value = 0;                // Varint, Fixed32, Fixed64
  std::span<const std::uint8_t> payload;  // Bytes
};

class ProtoReader {
 public:
  explicit ProtoReader(std::span<const std::uint8_t> data) : d_(data) {}
  // Reads the next field; false at the end of the input. Throws AesmWireError when malformed.
  bool next(ProtoField& f);

 private:
  std::uint64_t raw_varint(const char* what);
  std::span<const std::uint8_t> d_;
  std::size_t pos_ = 0;
};

// Field value helpers that reject a field of the wrong wire type or range.
std::uint32_t as_u32(const ProtoField& f, const char* name);
std::uint64_t as_u64(const ProtoField& f, const char* name);
bool as_bool(const ProtoField& f, const char* name);
std::vector<std::uint8_t> as_bytes(const ProtoField& f, const char* name);

}  // namespace cocoon::aesm
