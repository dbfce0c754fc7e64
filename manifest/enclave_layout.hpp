// The enclave image: which pages exist at which offset of ELRANGE, with which SECINFO
// flags, what they contain and whether their contents are measured.
//
// Freestanding-safe. One description serves both sides of the seam:
//   * the host measures it (ECREATE, then EADD/EEXTEND per run, in order) into MRENCLAVE;
//   * the enclave loader (shim/urts_*) lays exactly the same bytes into ELRANGE.
// So the bytes that run are, by construction, the bytes that were measured and signed.
//
// ELRANGE, in offset order (all offsets page aligned). The image sits at the TOP of the
// range and the heap below it, so that a non-PIE program linked at 0x400000 can live in an
// enclave whose base is 0 (page 0 itself can never be mapped: vm.mmap_min_addr).
//   [0, kLowReserved)          never added (a hole: catches NULL dereferences)
//   [heap_offset, image_offset) heap: REG|RW (|X when heap_executable), added but NOT
//                              measured (SGX guarantees EADDed pages hold the source bytes;
//                              Cocoon adds zero pages, so only the EADD record is hashed)
//   image_offset = enclave_size - image_span; then:
//   shim                       the shim's PT_LOAD segments at image_offset + p_vaddr (the shim
//                              is linked at 0 and relocates itself), flags from p_flags,
//                              fully measured
//   descriptor page            EnclaveDescriptor (below), REG|R, measured
//   manifest pages             the manifest bytes, zero padded, REG|R, measured
//   per thread t < max_threads, each thread_span bytes:
//       TCS page               TCS (OSSA, NSSA, OENTRY = shim e_entry, OGSBASGX = TLS page)
//       SSA pages              nssa * ssa_frame_pages, REG|RW, measured (zero)
//       guard page             not added (a hole)
//       stack pages            shim stack, REG|RW, measured (zero)
//       altstack pages         shim signal stack, REG|RW, measured (zero)
//       TLS page               shim per-thread data (reached through %gs), REG|RW, measured
// Runs are visited (and measured) in increasing offset order: heap first, then the image.
// All offsets in EnclaveDescriptor are from the ELRANGE base (they include image_offset).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::layout {

inline constexpr std::uint64_t kPageSize = 4096;
inline constexpr std::uint64_t kLowReserved = 64 * 1024;  // never added at the bottom of ELRANGE

// SECINFO.FLAGS values (SDM "SECINFO"): R=1 W=2 X=4, PAGE_TYPE in bits 8..15.
inline constexpr std::uint64_t kSecinfoR = 0x1, kSecinfoW = 0x2, kSecinfoX = 0x4;
inline constexpr std::uint64_t kPageTypeTcs = 0x100, kPageTypeReg = 0x200;

// Measured into MRENCLAVE as the descriptor page; read by the shim at start.
struct EnclaveDescriptor {
  char magic[8];                 // "COCOON\0\1"
  std::uint32_t version;         // 1
  std::uint32_t max_threads;
  std::uint64_t enclave_size;
  std::uint64_t image_offset;    // where the shim (start of the image) is
  std::uint64_t image_span;      // bytes from image_offset to the end of ELRANGE
  std::uint64_t shim_span;       // bytes of ELRANGE used by the shim's segments
  std::uint64_t shim_entry;      // offset of the shim's e_entry
  std::uint64_t shim_text_begin; // [begin, end): executable part of the shim (host syscalls
  std::uint64_t shim_text_end;   //   are allowed only from here)
  std::uint64_t manifest_offset;
  std::uint64_t manifest_size;
  std::uint64_t threads_offset;  // first thread area
  std::uint64_t thread_span;     // bytes per thread area
  std::uint64_t tcs_in_thread, ssa_in_thread, stack_in_thread, stack_size,
      altstack_in_thread, altstack_size, tls_in_thread;
  std::uint32_t ssa_frame_pages;
  std::uint32_t nssa;
  std::uint64_t heap_offset;
  std::uint64_t heap_size;
  std::uint64_t heap_executable;  // 1 if heap pages are REG|RWX
};

struct LayoutParams {
  std::uint64_t enclave_size = 0;        // power of two, >= 8 KiB, large enough for the image
  std::uint32_t max_threads = 0;         // >= 1
  std::uint32_t ssa_frame_pages = 1;
  std::uint32_t nssa = 2;
  std::uint64_t stack_size = 64 * 1024;  // shim stack per thread (multiple of 4 KiB)
  std::uint64_t altstack_size = 32 * 1024;
  bool heap_executable = true;           // programs with JITs need RWX heap pages on SGX1
  const std::uint8_t* shim_elf = nullptr;  // the cocoon-shim ELF file bytes
  std::size_t shim_elf_size = 0;
  const std::uint8_t* manifest = nullptr;  // manifest bytes (may be empty)
  std::size_t manifest_size = 0;
};

enum class Content : std::uint8_t {
  Bytes,       // `data` (data_size bytes, the rest of the run zero)
  Zero,        // all zero
  Tcs,         // a TCS for thread `thread` (built by make_tcs)
  Descriptor,  // the EnclaveDescriptor, zero padded to a page
};

// A run of consecutive pages with the same flags, content kind and measurement.
struct PageRun {
  std::uint64_t offset;         // from ELRANGE base
  std::uint64_t pages;
  std::uint64_t secinfo_flags;  // e.g. 0x205 REG|R|X, 0x100 TCS
  bool measured;                // EEXTEND all 16 chunks of every page after its EADD
  Content content;
  const std::uint8_t* data;     // Content::Bytes
  std::uint64_t data_size;      // Content::Bytes: bytes of data (<= pages * 4096)
  std::uint32_t thread;         // Content::Tcs
};

enum class LayoutError : std::uint8_t {
  None,
  ShimNotElf,           // the shim bytes are not an ELF64 x86-64 ET_DYN linked at 0
  ShimBadSegments,      // overlapping, unaligned or out-of-file PT_LOAD segments
  SizeNotPowerOfTwo,
  SizeTooSmall,         // the image does not fit in enclave_size
  BadThreads,
  BadStack,
};

const char* layout_error_name(LayoutError e);

// Fills `desc` and calls visit(run, ctx) for every run, in measurement order.
// Returns LayoutError::None on success; on error nothing meaningful was visited.
LayoutError build_layout(const LayoutParams& params, EnclaveDescriptor& desc,
                         void (*visit)(const PageRun& run, void* ctx), void* ctx);

// The 4096-byte TCS page for thread t (SDM "TCS"): OSSA, CSSA=0, NSSA, OENTRY,
// OFSBASGX = 0, OGSBASGX = that thread's TLS page, FSLIMIT/GSLIMIT = 0xfff.
void make_tcs(const EnclaveDescriptor& desc, std::uint32_t thread, std::uint8_t out[4096]);

}  // namespace cocoon::layout
