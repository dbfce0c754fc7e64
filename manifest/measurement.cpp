// MRENCLAVE builder, SGXS writer/reader, JSONL replay, layout measurement (measurement.hpp).
#include "manifest/measurement.hpp"

#include <openssl/evp.h>

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <exception>
#include <istream>
#include <limits>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "manifest/sgx_structs.hpp"

namespace cocoon::measure {
namespace {

constexpr std::size_t kHashBuffer = 64 * 1024;
constexpr std::size_t kChunksPerPage = kPageSize / kChunkSize;

std::string hex64(std::uint64_t v) {
  char b[24];
  std::snprintf(b, sizeof b, "0x%" PRIx64, v);
  return b;
}

void put(std::uint8_t* p, std::uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get(const std::uint8_t* p, unsigned n) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}

const char* page_type_name(std::uint64_t t) {
  switch (t) {
    case sgx::kPtSecs: return "SECS";
    case sgx::kPtTcs: return "TCS";
    case sgx::kPtReg: return "REG";
    case sgx::kPtVa: return "VA";
    case sgx::kPtTrim: return "TRIM";
    case sgx::kPtSsFirst: return "SS_FIRST";
    case sgx::kPtSsRest: return "SS_REST";
    default: return "unknown";
  }
}

void ecreate_header(std::uint8_t h[kRecordSize], std::uint32_t ssa, std::uint64_t size) {
  std::memset(h, 0, kRecordSize);
  put(h, sgx::kTagEcreate, 8);
  put(h + 8, ssa, 4);
  put(h + 12, size, 8);
}
void eadd_header(std::uint8_t h[kRecordSize], std::uint64_t offset, std::uint64_t flags) {
  std::memset(h, 0, kRecordSize);
  put(h, sgx::kTagEadd, 8);
  put(h + 8, offset, 8);
  put(h + 16, flags, 8);
}
void eextend_header(std::uint8_t h[kRecordSize], std::uint64_t tag, std::uint64_t offset) {
  std::memset(h, 0, kRecordSize);
  put(h, tag, 8);
  put(h + 8, offset, 8);
}

const std::uint8_t kZeroPage[kPageSize] = {};

}  // namespace

// ---- hex -----------------------------------------------------------------------------------

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static const char* d = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (std::uint8_t b : bytes) {
    s.push_back(d[b >> 4]);
    s.push_back(d[b & 15]);
  }
  return s;
}

std::vector<std::uint8_t> from_hex(std::string_view hex) {
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) throw std::invalid_argument("hex string has an odd number of digits");
  std::vector<std::uint8_t> out(hex.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = nib(hex[2 * i]), lo = nib(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) throw std::invalid_argument("invalid hex digit at position " + std::to_string(2 * i));
    out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return out;
}

// ---- SgxsWriter ----------------------------------------------------------------------------

SgxsWriter::SgxsWriter(std::ostream& out) : out_(out) { buf_.reserve(1 << 20); }
SgxsWriter::~SgxsWriter() {
  try {
    flush();
  } catch (...) {
  }
}

void SgxsWriter::record(const std::uint8_t header[kRecordSize], const std::uint8_t* data) {
  buf_.insert(buf_.end(), header, header + kRecordSize);
  if (data) buf_.insert(buf_.end(), data, data + kChunkSize);
  ++records_;
  if (buf_.size() >= (1u << 20)) flush();
}

void SgxsWriter::flush() {
  if (!buf_.empty()) {
    out_.write(reinterpret_cast<const char*>(buf_.data()), static_cast<std::streamsize>(buf_.size()));
    buf_.clear();
  }
  out_.flush();
  if (!out_) throw MeasurementError("cannot write the SGXS stream (output failed)");
}

// ---- MrenclaveBuilder ----------------------------------------------------------------------

struct MrenclaveBuilder::Ctx {
  EVP_MD_CTX* md = nullptr;
  ~Ctx() { EVP_MD_CTX_free(md); }
};

MrenclaveBuilder::MrenclaveBuilder(SgxsWriter* sgxs) : ctx_(std::make_unique<Ctx>()), sgxs_(sgxs) {
  ctx_->md = EVP_MD_CTX_new();
  if (!ctx_->md || EVP_DigestInit_ex(ctx_->md, EVP_sha256(), nullptr) != 1)
    throw MeasurementError("OpenSSL: cannot initialise SHA-256");
  hbuf_.reserve(kHashBuffer);
}
MrenclaveBuilder::~MrenclaveBuilder() = default;

void MrenclaveBuilder::flush_hash() {
  if (hbuf_.empty()) return;
  if (EVP_DigestUpdate(ctx_->md, hbuf_.data(), hbuf_.size()) != 1) throw MeasurementError("OpenSSL: SHA-256 update failed");
  hbuf_.clear();
}

void MrenclaveBuilder::absorb(const std::uint8_t* p, std::size_t n) {
  if (hbuf_.size() + n > kHashBuffer) flush_hash();
  hbuf_.insert(hbuf_.end(), p, p + n);
}

bool MrenclaveBuilder::page_added(std::uint64_t page) const {
  auto it = added_.upper_bound(page);
  if (it == added_.begin()) return false;
  --it;
  return page < it->second;
}

void MrenclaveBuilder::mark_added(std::uint64_t first, std::uint64_t count) {
  const std::uint64_t end = first + count;
  // Fast path: extends the last interval (canonical, increasing streams).
  if (!added_.empty()) {
    auto last = std::prev(added_.end());
    if (last->second == first) {
      last->second = end;
      return;
    }
  }
  auto [it, inserted] = added_.emplace(first, end);
  (void)inserted;
  // Merge with the following interval if adjacent, and with the previous one.
  auto next = std::next(it);
  if (next != added_.end() && next->first == end) {
    it->second = next->second;
    added_.erase(next);
  }
  if (it != added_.begin()) {
    auto prev = std::prev(it);
    if (prev->second == it->first) {
      prev->second = it->second;
      added_.erase(it);
    }
  }
}

void MrenclaveBuilder::ecreate(std::uint64_t ssa_frame_size, std::uint64_t size) {
  if (finished_) throw MeasurementError("ECREATE after EINIT (the measurement is already finished)");
  if (created_) throw MeasurementError("second ECREATE (only one allowed, and it must be first)");
  if (size == 0 || (size & (size - 1)) != 0)
    throw MeasurementError("ECREATE: SIZE " + hex64(size) + " is not a power of two");
  if (size < 2 * kPageSize) throw MeasurementError("ECREATE: SIZE " + hex64(size) + " is smaller than 8192 bytes");
  if (ssa_frame_size == 0 || ssa_frame_size > std::numeric_limits<std::uint32_t>::max())
    throw MeasurementError("ECREATE: SSAFRAMESIZE must be 1..2^32-1 pages, got " + std::to_string(ssa_frame_size));
  created_ = true;
  size_ = size;
  std::uint8_t h[kRecordSize];
  ecreate_header(h, static_cast<std::uint32_t>(ssa_frame_size), size);
  absorb(h, kRecordSize);
  if (sgxs_) sgxs_->record(h, nullptr);
}

void MrenclaveBuilder::check_eadd(std::uint64_t offset, std::uint64_t flags) const {
  if (finished_) throw MeasurementError("EADD after EINIT (the measurement is already finished)");
  if (!created_) throw MeasurementError("EADD before ECREATE");
  if (offset % kPageSize != 0) throw MeasurementError("EADD: offset " + hex64(offset) + " is not 4 KiB aligned");
  if (offset >= size_)
    throw MeasurementError("EADD: offset " + hex64(offset) + " outside enclave (SIZE " + hex64(size_) + ")");
  const std::uint64_t allowed = sgx::kSecinfoR | sgx::kSecinfoW | sgx::kSecinfoX | sgx::kSecinfoPageTypeMask;
  if ((flags & ~allowed) != 0)
    throw MeasurementError("EADD: SECINFO.FLAGS " + hex64(flags) +
                           " has reserved/invalid bits set (allowed: R|W|X and PAGE_TYPE)");
  const std::uint64_t type = (flags & sgx::kSecinfoPageTypeMask) >> sgx::kSecinfoPageTypeShift;
  if (type != sgx::kPtReg && type != sgx::kPtTcs)
    throw MeasurementError("EADD: page type " + std::to_string(type) + " (" + page_type_name(type) +
                           ") not allowed; only PT_REG(2) or PT_TCS(1)");
  const std::uint64_t perms = flags & (sgx::kSecinfoR | sgx::kSecinfoW | sgx::kSecinfoX);
  if (type == sgx::kPtTcs && perms != 0)
    throw MeasurementError("EADD: TCS page at " + hex64(offset) + " has R/W/X bits set (flags " + hex64(flags) +
                           "); the CPU forces them to 0, so they must be 0 in the log");
  if ((perms & sgx::kSecinfoW) && !(perms & sgx::kSecinfoR))
    throw MeasurementError("EADD: W without R is not allowed (flags " + hex64(flags) + ")");
}

void MrenclaveBuilder::eadd(std::uint64_t offset, std::uint64_t flags) {
  check_eadd(offset, flags);
  if (page_added(offset / kPageSize))
    throw MeasurementError("EADD: page at offset " + hex64(offset) + " added twice");
  mark_added(offset / kPageSize, 1);
  ++pages_added_;
  std::uint8_t h[kRecordSize];
  eadd_header(h, offset, flags);
  absorb(h, kRecordSize);
  if (sgxs_) sgxs_->record(h, nullptr);
}

void MrenclaveBuilder::check_chunk(const char* op, std::uint64_t offset) const {
  if (finished_) throw MeasurementError(std::string(op) + " after EINIT (the measurement is already finished)");
  if (!created_) throw MeasurementError(std::string(op) + " before ECREATE");
  if (offset % kChunkSize != 0)
    throw MeasurementError(std::string(op) + ": offset " + hex64(offset) + " not 256-byte aligned");
  const std::uint64_t page = offset & ~(kPageSize - 1);
  if (!page_added(offset / kPageSize))
    throw MeasurementError(std::string(op) + ": offset " + hex64(offset) + " is in page " + hex64(page) +
                           " that was never EADDed");
}

void MrenclaveBuilder::eextend(std::uint64_t offset, const std::uint8_t chunk[kChunkSize]) {
  check_chunk("EEXTEND", offset);
  std::uint8_t h[kRecordSize];
  eextend_header(h, sgx::kTagEextend, offset);
  absorb(h, kRecordSize);
  absorb(chunk, kChunkSize);
  if (sgxs_) sgxs_->record(h, chunk);
}

void MrenclaveBuilder::unmeasured(std::uint64_t offset, const std::uint8_t chunk[kChunkSize]) {
  check_chunk("UNMEASRD", offset);
  if (sgxs_) {
    std::uint8_t h[kRecordSize];
    eextend_header(h, sgx::kTagUnmeasured, offset);
    sgxs_->record(h, chunk);
  }
}

void MrenclaveBuilder::add_page(std::uint64_t offset, std::uint64_t flags, const std::uint8_t* page, bool measure) {
  eadd(offset, flags);
  if (!measure) return;
  if (!page) page = kZeroPage;
  for (std::size_t c = 0; c < kChunksPerPage; ++c) eextend(offset + c * kChunkSize, page + c * kChunkSize);
}

void MrenclaveBuilder::add_unmeasured_pages(std::uint64_t offset, std::uint64_t pages, std::uint64_t flags) {
  if (pages == 0) return;
  check_eadd(offset, flags);
  if (pages > (size_ - offset) / kPageSize)
    throw MeasurementError("EADD: " + std::to_string(pages) + " pages at offset " + hex64(offset) +
                           " extend past the enclave (SIZE " + hex64(size_) + ")");
  const std::uint64_t first = offset / kPageSize;
  // Any already-added page inside [first, first+pages)?
  auto it = added_.lower_bound(first);
  if (it != added_.begin()) {
    auto prev = std::prev(it);
    if (prev->second > first)
      throw MeasurementError("EADD: page at offset " + hex64(first * kPageSize) + " added twice");
  }
  if (it != added_.end() && it->first < first + pages)
    throw MeasurementError("EADD: page at offset " + hex64(it->first * kPageSize) + " added twice");
  mark_added(first, pages);
  pages_added_ += pages;
  std::uint8_t h[kRecordSize];
  eadd_header(h, 0, flags);
  for (std::uint64_t i = 0; i < pages; ++i) {
    put(h + 8, offset + i * kPageSize, 8);
    absorb(h, kRecordSize);
    if (sgxs_) sgxs_->record(h, nullptr);
  }
}

Digest MrenclaveBuilder::finish() {
  if (finished_) throw MeasurementError("EINIT: the measurement is already finished");
  if (!created_) throw MeasurementError("EINIT: no ECREATE in the measurement");
  flush_hash();
  Digest d{};
  unsigned len = 0;
  if (EVP_DigestFinal_ex(ctx_->md, d.data(), &len) != 1 || len != d.size())
    throw MeasurementError("OpenSSL: SHA-256 final failed");
  finished_ = true;
  if (sgxs_) sgxs_->flush();
  return d;
}

// ---- JSONL replay --------------------------------------------------------------------------

namespace {

std::uint64_t json_u64(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end()) throw MeasurementError(std::string("missing \"") + key + "\"");
  if (!it->is_number_unsigned())
    throw MeasurementError(std::string("\"") + key + "\" must be a non-negative integer");
  return it->get<std::uint64_t>();
}

std::vector<std::uint8_t> json_hex(const nlohmann::json& j, const char* key, std::size_t want) {
  auto it = j.find(key);
  if (it == j.end()) throw MeasurementError(std::string("missing \"") + key + "\"");
  if (!it->is_string()) throw MeasurementError(std::string("\"") + key + "\" must be a hex string");
  const std::string& s = it->get_ref<const std::string&>();
  std::vector<std::uint8_t> bytes;
  try {
    bytes = from_hex(s);
  } catch (const std::invalid_argument& e) {
    throw MeasurementError(std::string(key) + ": " + e.what());
  }
  if (bytes.size() != want)
    throw MeasurementError(std::string(key) + " must be " + std::to_string(want) + " bytes, got " +
                           std::to_string(bytes.size()));
  return bytes;
}

void replay_line(MrenclaveBuilder& b, const nlohmann::json& j) {
  if (!j.is_object()) throw MeasurementError("expected a JSON object");
  auto op_it = j.find("op");
  if (op_it == j.end() || !op_it->is_string()) throw MeasurementError("missing \"op\" string");
  const std::string& op = op_it->get_ref<const std::string&>();
  if (op == "ecreate") {
    b.ecreate(json_u64(j, "ssaframesize"), json_u64(j, "size"));
  } else if (op == "eadd") {
    b.eadd(json_u64(j, "offset"), json_u64(j, "secinfo_flags"));
  } else if (op == "eextend" || op == "unmeasured") {
    const std::uint64_t off = json_u64(j, "offset");
    auto data = json_hex(j, "data_hex", kChunkSize);
    if (op == "eextend")
      b.eextend(off, data.data());
    else
      b.unmeasured(off, data.data());
  } else if (op == "page") {
    const std::uint64_t off = json_u64(j, "offset"), flags = json_u64(j, "secinfo_flags");
    bool measure = true;
    if (auto m = j.find("measure"); m != j.end()) {
      if (!m->is_boolean()) throw MeasurementError("\"measure\" must be true or false");
      measure = m->get<bool>();
    }
    std::vector<std::uint8_t> data;
    if (j.contains("data_hex")) data = json_hex(j, "data_hex", kPageSize);
    b.add_page(off, flags, data.empty() ? nullptr : data.data(), measure);
  } else {
    throw MeasurementError("unknown op \"" + op + "\" (expected ecreate, eadd, eextend, unmeasured or page)");
  }
}

}  // namespace

Digest replay_jsonl(std::istream& in, SgxsWriter* sgxs) {
  MrenclaveBuilder b(sgxs);
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    try {
      nlohmann::json j;
      try {
        j = nlohmann::json::parse(line);
      } catch (const nlohmann::json::exception& e) {
        throw MeasurementError(std::string("invalid JSON: ") + e.what());
      }
      replay_line(b, j);
    } catch (const MeasurementError& e) {
      throw MeasurementError("line " + std::to_string(n) + ": " + e.what());
    }
  }
  if (in.bad()) throw MeasurementError("read error after line " + std::to_string(n));
  try {
    return b.finish();
  } catch (const MeasurementError& e) {
    throw MeasurementError("end of log: " + std::string(e.what()));
  }
}

// ---- SGXS reader ---------------------------------------------------------------------------

namespace {

bool all_zero(const std::uint8_t* p, std::size_t n) {
  for (std::size_t i = 0; i < n; ++i)
    if (p[i]) return false;
  return true;
}

// Pulls bytes from either an istream or a memory span.
struct Source {
  std::istream* in = nullptr;
  std::span<const std::uint8_t> mem;
  std::size_t pos = 0;
  // Reads exactly n bytes; returns how many were available (< n only at the end).
  std::size_t read(std::uint8_t* dst, std::size_t n) {
    if (in) {
      in->read(reinterpret_cast<char*>(dst), static_cast<std::streamsize>(n));
      return static_cast<std::size_t>(in->gcount());
    }
    std::size_t k = std::min(n, mem.size() - pos);
    if (k == 0) return 0;
    std::memcpy(dst, mem.data() + pos, k);
    pos += k;
    return k;
  }
};

Digest replay_sgxs_from(Source& src) {
  MrenclaveBuilder b;
  std::uint8_t h[kRecordSize], data[kChunkSize];
  std::uint64_t rec = 0, byte = 0;
  for (;;) {
    const std::size_t got = src.read(h, kRecordSize);
    if (got == 0) break;
    ++rec;
    const std::string where = "SGXS record " + std::to_string(rec) + " (byte " + std::to_string(byte) + "): ";
    try {
      if (got != kRecordSize)
        throw MeasurementError("truncated record header (" + std::to_string(got) + " of 64 bytes)");
      byte += kRecordSize;
      const std::uint64_t tag = get(h, 8);
      if (tag == sgx::kTagEcreate) {
        if (!all_zero(h + 20, 44)) throw MeasurementError("ECREATE record has non-zero bytes in 20..63");
        b.ecreate(get(h + 8, 4), get(h + 12, 8));
      } else if (tag == sgx::kTagEadd) {
        if (!all_zero(h + 24, 40))
          throw MeasurementError("EADD record has non-zero SECINFO reserved bytes (record bytes 24..63)");
        b.eadd(get(h + 8, 8), get(h + 16, 8));
      } else if (tag == sgx::kTagEextend || tag == sgx::kTagUnmeasured) {
        const char* name = tag == sgx::kTagEextend ? "EEXTEND" : "UNMEASRD";
        if (!all_zero(h + 16, 48)) throw MeasurementError(std::string(name) + " record has non-zero bytes in 16..63");
        const std::size_t d = src.read(data, kChunkSize);
        if (d != kChunkSize)
          throw MeasurementError(std::string(name) + " record is followed by " + std::to_string(d) +
                                 " data bytes, expected 256 (truncated stream)");
        byte += kChunkSize;
        if (tag == sgx::kTagEextend)
          b.eextend(get(h + 8, 8), data);
        else
          b.unmeasured(get(h + 8, 8), data);
      } else if (tag == sgx::kTagUnsized) {
        throw MeasurementError(
            "UNSIZED record: the enclave size is not final yet, so the stream cannot be measured; "
            "replace it with an ECREATE record first");
      } else {
        throw MeasurementError("unknown record tag " + to_hex(std::span<const std::uint8_t>(h, 8)) +
                               " (expected ECREATE, EADD, EEXTEND or UNMEASRD)");
      }
    } catch (const MeasurementError& e) {
      throw MeasurementError(where + e.what());
    }
  }
  if (src.in && src.in->bad()) throw MeasurementError("SGXS: read error");
  if (rec == 0) throw MeasurementError("SGXS: empty stream (no ECREATE record)");
  return b.finish();
}

}  // namespace

Digest replay_sgxs(std::istream& in) {
  Source s;
  s.in = &in;
  return replay_sgxs_from(s);
}

Digest replay_sgxs(std::span<const std::uint8_t> bytes) {
  Source s;
  s.mem = bytes;
  return replay_sgxs_from(s);
}

// ---- layout measurement --------------------------------------------------------------------

namespace {

struct LayoutVisit {
  MrenclaveBuilder* b;
  const layout::EnclaveDescriptor* desc;
  std::exception_ptr error;
};

void measure_run(const layout::PageRun& r, LayoutVisit& v) {
  MrenclaveBuilder& b = *v.b;
  if (!r.measured && r.content == layout::Content::Zero) {
    b.add_unmeasured_pages(r.offset, r.pages, r.secinfo_flags);
    return;
  }
  std::uint8_t page[kPageSize];
  for (std::uint64_t i = 0; i < r.pages; ++i) {
    const std::uint64_t off = r.offset + i * kPageSize;
    const std::uint8_t* src = nullptr;
    switch (r.content) {
      case layout::Content::Zero: src = nullptr; break;
      case layout::Content::Bytes: {
        const std::uint64_t begin = i * kPageSize;
        if (begin + kPageSize <= r.data_size) {
          src = r.data + begin;
        } else {
          std::memset(page, 0, kPageSize);
          if (begin < r.data_size) std::memcpy(page, r.data + begin, r.data_size - begin);
          src = page;
        }
        break;
      }
      case layout::Content::Tcs:
        layout::make_tcs(*v.desc, r.thread, page);
        src = page;
        break;
      case layout::Content::Descriptor:
        std::memset(page, 0, kPageSize);
        std::memcpy(page, v.desc, sizeof *v.desc);
        src = page;
        break;
    }
    b.add_page(off, r.secinfo_flags, src, r.measured);
  }
}

}  // namespace

Digest measure_layout(const layout::LayoutParams& params, SgxsWriter* sgxs) {
  layout::EnclaveDescriptor desc{};
  // Validate first (a dry run that visits nothing), so layout problems are reported as such.
  const layout::LayoutError pre = layout::build_layout(params, desc, [](const layout::PageRun&, void*) {}, nullptr);
  if (pre != layout::LayoutError::None)
    throw MeasurementError(std::string("enclave layout: ") + layout::layout_error_name(pre));
  MrenclaveBuilder b(sgxs);
  b.ecreate(params.ssa_frame_pages, params.enclave_size);
  LayoutVisit v{&b, &desc, nullptr};
  // build_layout fills desc before the first visit, so runs may read it.
  const layout::LayoutError e = layout::build_layout(
      params, desc,
      [](const layout::PageRun& r, void* ctx) {
        auto& lv = *static_cast<LayoutVisit*>(ctx);
        if (lv.error) return;
        try {
          measure_run(r, lv);
        } catch (...) {
          lv.error = std::current_exception();
        }
      },
      &v);
  if (e != layout::LayoutError::None) throw MeasurementError(std::string("enclave layout: ") + layout::layout_error_name(e));
  if (v.error) std::rethrow_exception(v.error);
  return b.finish();
}

}  // namespace cocoon::measure
