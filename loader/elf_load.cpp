#include "loader/elf_load.hpp"

#include "loader/elf_types.hpp"

namespace cocoon::loader {
namespace {

bool consistent(const ElfInfo& info) {
  if (info.load_count == 0 || info.load_count > kMaxPhnum) return false;
  if (info.type != kEtExec && info.type != kEtDyn) return false;
  if (info.span_start >= info.span_end || info.span_end > kUserAddressEnd) return false;
  if (info.span_start % kPageSize != 0 || info.span_end % kPageSize != 0) return false;
  if (info.type == kEtExec && info.span_start == 0) return false;  // "fixed" 0 would mean anywhere
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    if (s.memsz == 0 || s.filesz > s.memsz || s.vaddr < info.span_start || s.vaddr > info.span_end ||
        s.memsz > info.span_end - s.vaddr)
      return false;
    if (i > 0 && s.vaddr < info.loads[i - 1].vaddr + info.loads[i - 1].memsz) return false;
  }
  return true;
}

// Union of the protections of every segment touching the page at `page` (unbiased).
int page_prot(const ElfInfo& info, std::uint64_t page) {
  int prot = kProtNone;
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    if (page_down(s.vaddr) <= page && page < page_up(s.vaddr + s.memsz)) prot |= s.prot;
  }
  return prot;
}

// Collects consecutive (range, protection) pieces and issues one protect call per run.
struct ProtectRuns {
  const LoadOps& ops;
  std::uint64_t bias;
  std::uint64_t start = 0, len = 0;
  int prot = 0;
  bool failed = false;

  void add(std::uint64_t s, std::uint64_t n, int p) {
    if (len != 0 && start + len == s && prot == p) {
      len += n;
      return;
    }
    flush();
    start = s;
    len = n;
    prot = p;
  }
  bool flush() {
    if (len != 0 && !failed && ops.protect(ops.ctx, bias + start, len, prot) != 0) failed = true;
    len = 0;
    return !failed;
  }
};

}  // namespace

ElfError load_elf(const ElfInfo& info, const LoadOps& ops, LoadedImage& out) {
  out = LoadedImage{};
  if (!consistent(info) || ops.reserve == nullptr || ops.read == nullptr || ops.protect == nullptr)
    return ElfError::BadArgument;

  const std::uint64_t size = info.span_end - info.span_start;
  const std::uint64_t fixed = info.type == kEtExec ? info.span_start : 0;
  const std::uint64_t base = ops.reserve(ops.ctx, fixed, size);
  if (base == 0 || (fixed != 0 && base != fixed) || base % kPageSize != 0) return ElfError::ReserveFailed;
  std::uint64_t base_end = 0;
  if (__builtin_add_overflow(base, size, &base_end) || base_end > kUserAddressEnd) return ElfError::ReserveFailed;
  const std::uint64_t bias = base - info.span_start;  // wraps for ET_DYN linked above 0: intended
  out.start = base;
  out.end = base_end;

  // Contents, as mmap of the file would give them: the part of a segment's first page before
  // p_vaddr holds the file bytes before p_offset (unless an earlier segment's memory is
  // there); after p_filesz everything is zero up to the page end (or the next segment).
  // ld.so relies on the latter: its early allocator uses the rest of its last bss page.
  std::uint64_t prev_end = info.span_start;  // unbiased end of the previous segment's memory
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    const std::uint64_t lo = page_down(s.vaddr) > prev_end ? page_down(s.vaddr) : prev_end;
    const std::uint64_t lead = s.vaddr - lo < s.offset ? s.vaddr - lo : s.offset;
    auto mem = [bias](std::uint64_t vaddr) { return reinterpret_cast<std::uint8_t*>(bias + vaddr); };
    if (s.vaddr - lead > lo) __builtin_memset(mem(lo), 0, s.vaddr - lead - lo);
    if (lead + s.filesz > 0) {
      std::int64_t got = ops.read(ops.ctx, s.offset - lead, mem(s.vaddr - lead), lead + s.filesz);
      if (got < 0) return ElfError::ReadFailed;
      if (static_cast<std::uint64_t>(got) != lead + s.filesz) return ElfError::ShortRead;
    }
    std::uint64_t zero_end = page_up(s.vaddr + s.memsz);
    if (i + 1 < info.load_count && info.loads[i + 1].vaddr < zero_end) zero_end = info.loads[i + 1].vaddr;
    __builtin_memset(mem(s.vaddr + s.filesz), 0, zero_end - (s.vaddr + s.filesz));
    prev_end = s.vaddr + s.memsz;
  }

  // Protections. Pages strictly inside a segment belong to it alone (segments do not
  // overlap); only a segment's first and last page can be shared, so those get the union of
  // every segment touching them. Pages between segments become PROT_NONE. Adjacent ranges
  // with equal protection are merged into one call.
  ProtectRuns runs{ops, bias};
  std::uint64_t done = info.span_start;  // pages below this have been emitted
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    const std::uint64_t lo = page_down(s.vaddr), hi = page_up(s.vaddr + s.memsz);
    if (lo > done) runs.add(done, lo - done, kProtNone);
    std::uint64_t p = lo > done ? lo : done;
    if (p >= hi) continue;  // all of this segment's pages were emitted with the previous one
    if (p == lo) {  // first page, possibly shared with the previous segment (already emitted if so)
      runs.add(p, kPageSize, page_prot(info, p));
      p += kPageSize;
    }
    if (hi - kPageSize > p) runs.add(p, hi - kPageSize - p, s.prot);
    if (hi - kPageSize >= p) runs.add(hi - kPageSize, kPageSize, page_prot(info, hi - kPageSize));
    done = hi;
  }
  if (!runs.flush()) return ElfError::ProtectFailed;

  const LoadSegment& last = info.loads[info.load_count - 1];
  out.bias = bias;
  out.entry = bias + info.entry;
  out.phdr = info.phdr_in_image ? bias + info.phdr_vaddr : 0;
  out.phnum = info.phnum;
  out.phent = info.phentsize;
  out.brk_start = bias + page_up(last.vaddr + last.memsz);
  return ElfError::Ok;
}

}  // namespace cocoon::loader
