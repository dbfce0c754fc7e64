// Loading a parsed ELF image into memory through caller-supplied operations.
// Freestanding (the shim's LoadOps reserve ELRANGE pages and read through the proxy);
// also host-compiled for tests.
#pragma once

#include <cstdint>

#include "loader/elf_error.hpp"
#include "loader/elf_image.hpp"

namespace cocoon::loader {

struct LoadOps {
  void* ctx;
  // Reserve `size` bytes of address space: at exactly `fixed` if nonzero (ET_EXEC), otherwise
  // anywhere (page aligned). Memory is readable+writable while loading. Returns address or 0.
  std::uint64_t (*reserve)(void* ctx, std::uint64_t fixed, std::uint64_t size);
  // Read file bytes [offset, offset+len) into dst. Returns bytes read (short read = error) or -errno.
  std::int64_t (*read)(void* ctx, std::uint64_t offset, void* dst, std::uint64_t len);
  // Set final protection (kProt* bits, = PROT_*) of [addr, addr+len). Returns 0 on success.
  int (*protect)(void* ctx, std::uint64_t addr, std::uint64_t len, int prot);
};

struct LoadedImage {
  std::uint64_t bias;       // load address - link address (0 for ET_EXEC)
  std::uint64_t entry;      // biased e_entry (AT_ENTRY, or where to jump for a static program)
  std::uint64_t phdr;       // biased program header address (AT_PHDR); 0 if not in the image
  std::uint64_t phnum;      // AT_PHNUM
  std::uint64_t phent;      // AT_PHENT
  std::uint64_t start;      // first byte of the reserved span
  std::uint64_t end;        // one past the last byte of the reserved span
  std::uint64_t brk_start;  // page-aligned end of the highest segment (initial program break)
};

// Reserves the whole span once, then per segment: copies its file bytes, zeroes the rest (bss)
// up to the end of its last page (or the next segment), and fills the part of its first page
// before it with the preceding file bytes, as mmap would. Finally sets each page's protection:
// the segment's own, the union where segments share a page, PROT_NONE between segments.
// Reserved memory need not be zero: every byte of every segment page is written.
// On error, memory already reserved is left to the caller (out.start/out.end say where).
ElfError load_elf(const ElfInfo& info, const LoadOps& ops, LoadedImage& out);

}  // namespace cocoon::loader
