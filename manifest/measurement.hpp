// MRENCLAVE: the SHA-256 that ECREATE opens, EADD/EEXTEND feed and EINIT closes
// (shared/specs/sgx-structures.md §1), with the rules hardware and the Linux driver enforce;
// the SGXS stream format that records exactly those inputs (§2); replay of JSONL logs; and
// the measurement of a Cocoon enclave layout (enclave_layout.hpp).
//
// Host code (OpenSSL SHA-256). Every violated rule throws MeasurementError with a message
// naming the operation, the offset and what is wrong.
#pragma once

#include <array>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "manifest/enclave_layout.hpp"

namespace cocoon::measure {

using Digest = std::array<std::uint8_t, 32>;

class MeasurementError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kRecordSize = 64;   // one SGXS record header / SHA-256 block
inline constexpr std::size_t kChunkSize = 256;   // EEXTEND granularity
inline constexpr std::size_t kPageSize = 4096;

// Writes an SGXS stream (records in the order they are produced) to a std::ostream, buffered.
class SgxsWriter {
 public:
  explicit SgxsWriter(std::ostream& out);
  ~SgxsWriter();
  SgxsWriter(const SgxsWriter&) = delete;
  SgxsWriter& operator=(const SgxsWriter&) = delete;

  // A 64-byte record header, followed by 256 data bytes when `data` is not null.
  void record(const std::uint8_t header[kRecordSize], const std::uint8_t* data);
  // Flushes the buffer; throws MeasurementError if the stream failed.
  void flush();
  std::uint64_t records() const { return records_; }

 private:
  std::ostream& out_;
  std::vector<std::uint8_t> buf_;
  std::uint64_t records_ = 0;
};

// Incremental MRENCLAVE computation. Optionally mirrors every record into an SgxsWriter
// (UNMEASRD records included), so the written stream hashes to the same value.
class MrenclaveBuilder {
 public:
  explicit MrenclaveBuilder(SgxsWriter* sgxs = nullptr);
  ~MrenclaveBuilder();
  MrenclaveBuilder(const MrenclaveBuilder&) = delete;
  MrenclaveBuilder& operator=(const MrenclaveBuilder&) = delete;

  // ssa_frame_size in pages (must fit in u32 and be >= 1); size a power of two >= 8 KiB.
  void ecreate(std::uint64_t ssa_frame_size, std::uint64_t size);
  void eadd(std::uint64_t offset, std::uint64_t secinfo_flags);
  void eextend(std::uint64_t offset, const std::uint8_t chunk[kChunkSize]);
  // Enhanced-SGXS UNMEASRD: data loaded into an EADDed page but not hashed.
  void unmeasured(std::uint64_t offset, const std::uint8_t chunk[kChunkSize]);
  // EADD plus, when `measure`, the page's 16 EEXTENDs in ascending order. page == nullptr
  // means an all-zero page.
  void add_page(std::uint64_t offset, std::uint64_t secinfo_flags, const std::uint8_t* page, bool measure);
  // EADD of `pages` consecutive zero pages, not measured (the fast path for heaps).
  void add_unmeasured_pages(std::uint64_t offset, std::uint64_t pages, std::uint64_t secinfo_flags);

  // EINIT: the final MRENCLAVE. Throws if there was no ECREATE. The builder is spent afterwards.
  Digest finish();

  std::uint64_t pages_added() const { return pages_added_; }
  std::uint64_t size() const { return size_; }

 private:
  void absorb(const std::uint8_t* p, std::size_t n);
  void flush_hash();
  void check_eadd(std::uint64_t offset, std::uint64_t flags) const;
  void check_chunk(const char* op, std::uint64_t offset) const;
  bool page_added(std::uint64_t page) const;
  void mark_added(std::uint64_t first_page, std::uint64_t count);

  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
  SgxsWriter* sgxs_;
  bool created_ = false;
  bool finished_ = false;
  std::uint64_t size_ = 0;
  std::uint64_t pages_added_ = 0;
  std::vector<std::uint8_t> hbuf_;
  std::map<std::uint64_t, std::uint64_t> added_;  // disjoint page-index intervals [first, end)
};

// Replays a JSONL log (format in shared/vectors/README.md §1). Errors are prefixed
// "line N: ". If `sgxs` is given, the equivalent SGXS stream is written to it.
Digest replay_jsonl(std::istream& in, SgxsWriter* sgxs = nullptr);

// Reads an SGXS stream and returns its MRENCLAVE, checking every rule. Errors are prefixed
// "SGXS record N (byte B): ". UNSIZED streams are rejected (they cannot be measured yet).
Digest replay_sgxs(std::istream& in);
Digest replay_sgxs(std::span<const std::uint8_t> bytes);

// Measures a Cocoon enclave image (ECREATE with ssa_frame_pages and enclave_size, then every
// run of build_layout in order). Throws MeasurementError naming the layout problem.
Digest measure_layout(const layout::LayoutParams& params, SgxsWriter* sgxs = nullptr);

// Lowercase hex of bytes in memory order, and its inverse (throws std::invalid_argument).
std::string to_hex(std::span<const std::uint8_t> bytes);
std::vector<std::uint8_t> from_hex(std::string_view hex);

}  // namespace cocoon::measure
