#include "aesm_wire.hpp"

namespace cocoon::aesm {

void ProtoWriter::raw_varint(std::uint64_t v) {
  while (v >= 0x80) {
    out_.push_back(static_cast<std::uint8_t>(v | 0x80));
    v >>= 7;
  }
  out_.push_back(static_cast<std::uint8_t>(v));
}

void ProtoWriter::varint(std::uint32_t field, std::uint64_t value) {
  raw_varint(static_cast<std::uint64_t>(field) << 3 | static_cast<std::uint64_t>(WireType::Varint));
  raw_varint(value);
}

void ProtoWriter::bytes(std::uint32_t field, std::span<const std::uint8_t> value) {
  raw_varint(static_cast<std::uint64_t>(field) << 3 | static_cast<std::uint64_t>(WireType::Bytes));
  raw_varint(value.size());
  out_.insert(out_.end(), value.begin(), value.end());
}

std::uint64_t ProtoReader::raw_varint(const char* what) {
  std::uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= d_.size())
      throw AesmWireError(std::string("malformed protobuf: ") + what + " varint runs past the end at offset " +
                          std::to_string(pos_));
    std::uint8_t b = d_[pos_++];
    if (i == 9 && b > 1)
      throw AesmWireError(std::string("malformed protobuf: ") + what + " varint overflows 64 bits");
    v |= static_cast<std::uint64_t>(b & 0x7f) << (7 * i);
    if (!(b & 0x80)) return v;
  }
  throw AesmWireError(std::string("malformed protobuf: ") + what + " varint longer than 10 bytes");
}

bool ProtoReader::next(ProtoField& f) {
  if (pos_ >= d_.size()) return false;
  const std::size_t at = pos_;
  std::uint64_t key = raw_varint("field key");
  std::uint64_t number = key >> 3;
  if (number == 0 || number > 0x1fffffff)
    throw AesmWireError("malformed protobuf: invalid field number " + std::to_string(number) + " at offset " +
                        std::to_string(at));
  f = ProtoField{};
  f.number = static_cast<std::uint32_t>(number);
  switch (key & 7) {
    case 0:
      f.type = WireType::Varint;
      f.value = raw_varint("field value");
      return true;
    case 1:
    case 5: {
      std::size_t n = (key & 7) == 1 ? 8 : 4;
      if (d_.size() - pos_ < n)
        throw AesmWireError("malformed protobuf: fixed-size field " + std::to_string(number) + " runs past the end");
      f.type = n == 8 ? WireType::Fixed64 : WireType::Fixed32;
      for (std::size_t i = 0; i < n; ++i) f.value |= static_cast<std::uint64_t>(d_[pos_ + i]) << (8 * i);
      pos_ += n;
      return true;
    }
    case 2: {
      std::uint64_t len = raw_varint("length");
      if (len > d_.size() - pos_)
        throw AesmWireError("malformed protobuf: field " + std::to_string(number) + " declares " +
                            std::to_string(len) + " bytes but only " + std::to_string(d_.size() - pos_) + " remain");
      f.type = WireType::Bytes;
      f.payload = d_.subspan(pos_, static_cast<std::size_t>(len));
      pos_ += static_cast<std::size_t>(len);
      return true;
    }
    default:
      throw AesmWireError("malformed protobuf: field " + std::to_string(number) + " has unsupported wire type " +
                          std::to_string(key & 7));
  }
}

namespace {
void expect(const ProtoField& f, WireType t, const char* name) {
  if (f.type != t)
    throw AesmWireError(std::string("malformed message: field '") + name + "' (" + std::to_string(f.number) +
                        ") has the wrong wire type");
}
}  // namespace

std::uint32_t as_u32(const ProtoField& f, const char* name) {
  expect(f, WireType::Varint, name);
  // protobuf truncates 64-bit varints into uint32 fields; be stricter: refuse out-of-range values.
  if (f.value > 0xffffffffu)
    throw AesmWireError(std::string("malformed message: field '") + name + "' value " + std::to_string(f.value) +
                        " does not fit in 32 bits");
  return static_cast<std::uint32_t>(f.value);
}

std::uint64_t as_u64(const ProtoField& f, const char* name) {
  expect(f, WireType::Varint, name);
  return f.value;
}

bool as_bool(const ProtoField& f, const char* name) {
  expect(f, WireType::Varint, name);
  return f.value != 0;
}

std::vector<std::uint8_t> as_bytes(const ProtoField& f, const char* name) {
  expect(f, WireType::Bytes, name);
  return {f.payload.begin(), f.payload.end()};
}

}  // namespace cocoon::aesm
