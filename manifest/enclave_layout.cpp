// The enclave image layout (see enclave_layout.hpp). Freestanding: only fixed-width integers,
// no libc, no allocation; the shim ELF is read through a minimal, fully validated view of its
// ELF header and program headers (ELF-64 gABI, "ELF Header" and "Program Header").
#include "manifest/enclave_layout.hpp"

#include "manifest/sgx_structs.hpp"

namespace cocoon::layout {
namespace {

static_assert(sizeof(EnclaveDescriptor) == 192, "descriptor layout is part of MRENCLAVE");
static_assert(sizeof(EnclaveDescriptor) <= kPageSize);

// ---- ELF-64 reading (little-endian, x86-64), no <elf.h> in freestanding code ----------------
constexpr std::size_t kEhdrSize = 64, kPhdrSize = 56;
constexpr std::uint16_t kEtDyn = 3, kEmX86_64 = 62;
constexpr std::uint32_t kPtLoad = 1;
constexpr std::uint32_t kPfX = 1, kPfW = 2, kPfR = 4;
constexpr std::uint32_t kMaxPhdrs = 64;
// A shim larger than this is certainly a wrong file; it also keeps all sums below 2^64.
constexpr std::uint64_t kMaxShimSpan = 1ull << 32;
constexpr std::uint32_t kMaxThreads = 1u << 20;
constexpr std::uint64_t kMaxStack = 1ull << 32;
constexpr std::uint32_t kMaxSsaPages = 1u << 16;

std::uint64_t rd(const std::uint8_t* p, unsigned n) {
  std::uint64_t v = 0;
  for (unsigned i = 0; i < n; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return v;
}
void wr(std::uint8_t* p, std::uint64_t v, unsigned n) {
  for (unsigned i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

constexpr std::uint64_t page_down(std::uint64_t v) { return v & ~(kPageSize - 1); }
constexpr std::uint64_t page_up(std::uint64_t v) { return (v + kPageSize - 1) & ~(kPageSize - 1); }

struct Segment {
  std::uint64_t offset, vaddr, filesz, memsz;
  std::uint32_t flags;
};

struct ShimView {
  const std::uint8_t* elf;
  std::uint64_t size;
  std::uint64_t entry;
  std::uint64_t phoff;
  std::uint32_t phnum;
  std::uint64_t span;        // page_up(end of the last segment)
  std::uint64_t text_begin;  // page range of the executable segments
  std::uint64_t text_end;
};

Segment segment_at(const ShimView& v, std::uint32_t i) {
  const std::uint8_t* ph = v.elf + v.phoff + static_cast<std::uint64_t>(i) * kPhdrSize;
  Segment s{};
  s.flags = static_cast<std::uint32_t>(rd(ph + 4, 4));
  s.offset = rd(ph + 8, 8);
  s.vaddr = rd(ph + 16, 8);
  s.filesz = rd(ph + 32, 8);
  s.memsz = rd(ph + 40, 8);
  return s;
}
bool is_load(const ShimView& v, std::uint32_t i) {
  return rd(v.elf + v.phoff + static_cast<std::uint64_t>(i) * kPhdrSize, 4) == kPtLoad;
}

LayoutError open_shim(const std::uint8_t* elf, std::size_t size, ShimView& v) {
  if (elf == nullptr || size < kEhdrSize) return LayoutError::ShimNotElf;
  if (elf[0] != 0x7f || elf[1] != 'E' || elf[2] != 'L' || elf[3] != 'F') return LayoutError::ShimNotElf;
  if (elf[4] != 2 /*ELFCLASS64*/ || elf[5] != 1 /*ELFDATA2LSB*/ || elf[6] != 1 /*EV_CURRENT*/)
    return LayoutError::ShimNotElf;
  if (rd(elf + 16, 2) != kEtDyn || rd(elf + 18, 2) != kEmX86_64) return LayoutError::ShimNotElf;
  v.elf = elf;
  v.size = size;
  v.entry = rd(elf + 24, 8);
  v.phoff = rd(elf + 32, 8);
  const std::uint64_t phentsize = rd(elf + 54, 2);
  v.phnum = static_cast<std::uint32_t>(rd(elf + 56, 2));
  if (phentsize != kPhdrSize || v.phnum == 0 || v.phnum > kMaxPhdrs) return LayoutError::ShimBadSegments;
  if (v.phoff > size || (size - v.phoff) / kPhdrSize < v.phnum) return LayoutError::ShimBadSegments;

  // PT_LOAD segments: in ascending, page-disjoint order, inside the file, vaddr and offset
  // congruent modulo the page size, the first one at page 0 ("linked at 0").
  bool any = false, first = true;
  std::uint64_t prev_end_page = 0;
  v.text_begin = v.text_end = 0;
  bool any_text = false;
  for (std::uint32_t i = 0; i < v.phnum; ++i) {
    if (!is_load(v, i)) continue;
    const Segment s = segment_at(v, i);
    if (s.filesz > s.memsz) return LayoutError::ShimBadSegments;
    if (s.offset > size || s.filesz > size - s.offset) return LayoutError::ShimBadSegments;
    if (s.vaddr >= kMaxShimSpan || s.memsz > kMaxShimSpan - s.vaddr) return LayoutError::ShimBadSegments;
    if ((s.vaddr & (kPageSize - 1)) != (s.offset & (kPageSize - 1))) return LayoutError::ShimBadSegments;
    if ((s.flags & ~(kPfR | kPfW | kPfX)) != 0) return LayoutError::ShimBadSegments;
    if (first && page_down(s.vaddr) != 0) return LayoutError::ShimNotElf;  // not linked at 0
    first = false;
    if (s.memsz == 0) continue;  // occupies no page (e.g. an empty .eh_frame segment)
    const std::uint64_t begin = page_down(s.vaddr), end = page_up(s.vaddr + s.memsz);
    if (any && begin < prev_end_page) return LayoutError::ShimBadSegments;
    prev_end_page = end;
    any = true;
    if (s.flags & kPfX) {
      if (!any_text) v.text_begin = begin;
      v.text_end = end;
      any_text = true;
    }
  }
  if (!any || !any_text) return LayoutError::ShimBadSegments;
  v.span = prev_end_page;
  if (v.entry < v.text_begin || v.entry >= v.text_end) return LayoutError::ShimBadSegments;
  return LayoutError::None;
}

std::uint64_t secinfo_for(std::uint32_t pf) {
  std::uint64_t f = kPageTypeReg;
  if (pf & kPfR) f |= kSecinfoR;
  if (pf & kPfW) f |= kSecinfoW | kSecinfoR;  // SGX forbids W without R
  if (pf & kPfX) f |= kSecinfoX;
  return f;
}

void emit(void (*visit)(const PageRun&, void*), void* ctx, std::uint64_t offset, std::uint64_t pages,
          std::uint64_t flags, bool measured, Content content, const std::uint8_t* data = nullptr,
          std::uint64_t data_size = 0, std::uint32_t thread = 0) {
  if (pages == 0) return;
  PageRun r{};
  r.offset = offset;
  r.pages = pages;
  r.secinfo_flags = flags;
  r.measured = measured;
  r.content = content;
  r.data = data;
  r.data_size = data_size;
  r.thread = thread;
  visit(r, ctx);
}

}  // namespace

const char* layout_error_name(LayoutError e) {
  switch (e) {
    case LayoutError::None: return "no error";
    case LayoutError::ShimNotElf: return "the shim is not an ELF64 x86-64 ET_DYN file linked at address 0";
    case LayoutError::ShimBadSegments:
      return "the shim's PT_LOAD segments are overlapping, unaligned, outside the file or have no "
             "executable segment containing the entry point";
    case LayoutError::SizeNotPowerOfTwo: return "enclave size is not a power of two";
    case LayoutError::SizeTooSmall: return "enclave size is too small for the shim, manifest and thread areas";
    case LayoutError::BadThreads: return "max_threads must be between 1 and 1048576";
    case LayoutError::BadStack:
      return "stack and altstack sizes must be non-zero multiples of 4096; nssa and ssa_frame_pages must be >= 1";
  }
  return "unknown layout error";
}

LayoutError build_layout(const LayoutParams& p, EnclaveDescriptor& desc,
                         void (*visit)(const PageRun& run, void* ctx), void* ctx) {
  if (p.enclave_size == 0 || (p.enclave_size & (p.enclave_size - 1)) != 0) return LayoutError::SizeNotPowerOfTwo;
  if (p.enclave_size < 2 * kPageSize) return LayoutError::SizeTooSmall;
  if (p.max_threads == 0 || p.max_threads > kMaxThreads) return LayoutError::BadThreads;
  if (p.stack_size == 0 || p.stack_size % kPageSize != 0 || p.stack_size > kMaxStack ||
      p.altstack_size == 0 || p.altstack_size % kPageSize != 0 || p.altstack_size > kMaxStack ||
      p.nssa == 0 || p.ssa_frame_pages == 0 || p.nssa > kMaxSsaPages || p.ssa_frame_pages > kMaxSsaPages)
    return LayoutError::BadStack;
  if (p.manifest_size != 0 && p.manifest == nullptr) return LayoutError::SizeTooSmall;
  if (p.manifest_size > kMaxShimSpan) return LayoutError::SizeTooSmall;

  ShimView shim{};
  if (LayoutError e = open_shim(p.shim_elf, p.shim_elf_size, shim); e != LayoutError::None) return e;

  // All quantities below are bounded (shim, manifest < 2^32; thread area < 2^20 * ~2^34), so
  // none of the sums can wrap. Offsets inside the image first, then the image is placed at
  // the top of ELRANGE and the heap fills [kLowReserved, image_offset).
  const std::uint64_t ssa_bytes = static_cast<std::uint64_t>(p.nssa) * p.ssa_frame_pages * kPageSize;
  const std::uint64_t manifest_rel = shim.span + kPageSize;
  const std::uint64_t threads_rel = manifest_rel + page_up(p.manifest_size);
  const std::uint64_t thread_span = kPageSize /*TCS*/ + ssa_bytes + kPageSize /*guard*/ + p.stack_size +
                                    p.altstack_size + kPageSize /*TLS*/;
  const std::uint64_t image_span = threads_rel + thread_span * p.max_threads;
  if (p.enclave_size < kLowReserved || image_span > p.enclave_size - kLowReserved) return LayoutError::SizeTooSmall;
  const std::uint64_t image = p.enclave_size - image_span;

  for (std::size_t i = 0; i < sizeof desc; ++i) reinterpret_cast<std::uint8_t*>(&desc)[i] = 0;
  const char magic[8] = {'C', 'O', 'C', 'O', 'O', 'N', '\0', '\1'};
  for (int i = 0; i < 8; ++i) desc.magic[i] = magic[i];
  desc.version = 1;
  desc.max_threads = p.max_threads;
  desc.enclave_size = p.enclave_size;
  desc.image_offset = image;
  desc.image_span = image_span;
  desc.shim_span = shim.span;
  desc.shim_entry = image + shim.entry;
  desc.shim_text_begin = image + shim.text_begin;
  desc.shim_text_end = image + shim.text_end;
  desc.manifest_offset = image + manifest_rel;
  desc.manifest_size = p.manifest_size;
  desc.threads_offset = image + threads_rel;
  desc.thread_span = thread_span;
  desc.tcs_in_thread = 0;
  desc.ssa_in_thread = kPageSize;
  desc.stack_in_thread = desc.ssa_in_thread + ssa_bytes + kPageSize;
  desc.stack_size = p.stack_size;
  desc.altstack_in_thread = desc.stack_in_thread + p.stack_size;
  desc.altstack_size = p.altstack_size;
  desc.tls_in_thread = desc.altstack_in_thread + p.altstack_size;
  desc.ssa_frame_pages = p.ssa_frame_pages;
  desc.nssa = p.nssa;
  desc.heap_offset = kLowReserved;
  desc.heap_size = image - kLowReserved;
  desc.heap_executable = p.heap_executable ? 1 : 0;

  // Heap (lowest offsets, so first in measurement order): added, not measured.
  emit(visit, ctx, desc.heap_offset, desc.heap_size / kPageSize,
       kPageTypeReg | kSecinfoR | kSecinfoW | (p.heap_executable ? kSecinfoX : 0), false, Content::Zero);

  // Shim segments.
  for (std::uint32_t i = 0; i < shim.phnum; ++i) {
    if (!is_load(shim, i)) continue;
    const Segment s = segment_at(shim, i);
    if (s.memsz == 0) continue;
    const std::uint64_t begin = page_down(s.vaddr), lead = s.vaddr - begin;
    const std::uint64_t pages = (page_up(s.vaddr + s.memsz) - begin) / kPageSize;
    emit(visit, ctx, image + begin, pages, secinfo_for(s.flags), true, Content::Bytes, p.shim_elf + (s.offset - lead),
         lead + s.filesz);
  }
  const std::uint64_t reg_r = kPageTypeReg | kSecinfoR, reg_rw = kPageTypeReg | kSecinfoR | kSecinfoW;
  emit(visit, ctx, image + shim.span, 1, reg_r, true, Content::Descriptor);
  emit(visit, ctx, desc.manifest_offset, page_up(p.manifest_size) / kPageSize, reg_r, true, Content::Bytes, p.manifest,
       p.manifest_size);
  for (std::uint32_t t = 0; t < p.max_threads; ++t) {
    const std::uint64_t base = desc.threads_offset + static_cast<std::uint64_t>(t) * thread_span;
    emit(visit, ctx, base + desc.tcs_in_thread, 1, kPageTypeTcs, true, Content::Tcs, nullptr, 0, t);
    emit(visit, ctx, base + desc.ssa_in_thread, ssa_bytes / kPageSize, reg_rw, true, Content::Zero);
    emit(visit, ctx, base + desc.stack_in_thread, p.stack_size / kPageSize, reg_rw, true, Content::Zero);
    emit(visit, ctx, base + desc.altstack_in_thread, p.altstack_size / kPageSize, reg_rw, true, Content::Zero);
    emit(visit, ctx, base + desc.tls_in_thread, 1, reg_rw, true, Content::Zero);
  }
  return LayoutError::None;
}

void make_tcs(const EnclaveDescriptor& desc, std::uint32_t thread, std::uint8_t out[4096]) {
  for (std::size_t i = 0; i < kPageSize; ++i) out[i] = 0;
  const std::uint64_t base = desc.threads_offset + static_cast<std::uint64_t>(thread) * desc.thread_span;
  wr(out + offsetof(sgx::Tcs, ossa), base + desc.ssa_in_thread, 8);
  wr(out + offsetof(sgx::Tcs, cssa), 0, 4);
  wr(out + offsetof(sgx::Tcs, nssa), desc.nssa, 4);
  wr(out + offsetof(sgx::Tcs, oentry), desc.shim_entry, 8);
  wr(out + offsetof(sgx::Tcs, ofsbasgx), 0, 8);
  wr(out + offsetof(sgx::Tcs, ogsbasgx), base + desc.tls_in_thread, 8);
  wr(out + offsetof(sgx::Tcs, fslimit), 0xfff, 4);
  wr(out + offsetof(sgx::Tcs, gslimit), 0xfff, 4);
}

}  // namespace cocoon::layout
