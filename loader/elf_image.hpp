// Parsing and validation of an ELF64 x86-64 executable's header and program headers.
// Freestanding (runs in the shim on bytes read from an untrusted file); also host-compiled.
#pragma once

#include <cstddef>
#include <cstdint>

#include "loader/elf_error.hpp"

namespace cocoon::loader {

inline constexpr std::uint16_t kMaxPhnum = 64;
inline constexpr std::uint64_t kMaxInterpLen = 4096;  // PATH_MAX, including the NUL

enum class ElfKind : std::uint8_t {
  Static,        // ET_EXEC without PT_INTERP: loaded at its fixed addresses, jumped to directly
  StaticPie,     // ET_DYN without PT_INTERP with an entry point: static-pie, or an interpreter
                 // such as ld.so (the two look alike and load alike: anywhere, self-relocating)
  DynamicExec,   // ET_EXEC with PT_INTERP
  DynamicPie,    // ET_DYN with PT_INTERP
  SharedObject,  // ET_DYN without PT_INTERP and e_entry == 0: a library, not runnable
};

const char* elf_kind_name(ElfKind kind);

struct LoadSegment {
  std::uint64_t vaddr;   // unbiased p_vaddr
  std::uint64_t memsz;   // > 0
  std::uint64_t offset;  // p_offset
  std::uint64_t filesz;  // <= memsz
  int prot;              // kProt* bits from p_flags
};

struct ElfInfo {
  std::uint16_t type = 0;  // kEtExec or kEtDyn
  ElfKind kind = ElfKind::Static;
  std::uint64_t entry = 0;  // unbiased e_entry
  // Where the program headers are in memory (unbiased), from PT_PHDR or else from the first
  // PT_LOAD whose file bytes cover e_phoff. phdr_in_image is false when neither exists.
  bool phdr_in_image = false;
  std::uint64_t phdr_vaddr = 0;
  std::uint64_t phoff = 0;
  std::uint16_t phnum = 0;
  std::uint16_t phentsize = 0;
  // PT_LOAD segments with p_memsz > 0, sorted by address, non-overlapping.
  std::uint32_t load_count = 0;
  LoadSegment loads[kMaxPhnum] = {};
  // [page_down(first vaddr), page_up(last vaddr + memsz)), unbiased.
  std::uint64_t span_start = 0;
  std::uint64_t span_end = 0;
  // PT_INTERP: interp_size bytes (p_filesz, 0 < interp_size < kMaxInterpLen, inside the
  // file) at file offset interp_offset. When those bytes were in the parse buffer they have
  // been checked (interp_checked) and the path is the first interp_len of them (no NUL).
  // Otherwise the caller reads them and calls check_interp before using the path.
  bool has_interp = false;
  bool interp_checked = false;
  std::uint64_t interp_offset = 0;
  std::uint64_t interp_size = 0;
  std::uint64_t interp_len = 0;
  bool has_dynamic = false;
  bool has_tls = false;
  std::uint64_t tls_vaddr = 0, tls_filesz = 0, tls_memsz = 0, tls_align = 0;
  bool stack_executable = false;  // PT_GNU_STACK with PF_X (absent: false, as on x86-64 Linux)
  // Set with ElfError::NeedMore: read at least this many bytes from the file start and retry.
  std::uint64_t need_bytes = 0;
  // With an error about one program header: its index (for messages such as "program
  // header 3: ..."); -1 when the error is not about a single program header.
  std::int32_t bad_phdr = -1;
};

// Checks the PT_INTERP bytes (info.interp_size bytes read from info.interp_offset): the last
// is a NUL and the path is not empty. Sets info.interp_len and info.interp_checked.
ElfError check_interp(const std::uint8_t* bytes, std::uint64_t size, ElfInfo& info);

// Parses buf (the first buf_len bytes of a file of file_size bytes). NeedMore (with
// out.need_bytes set) is returned only when the ELF header or program header table does not
// fit in buf; every other field of out is unspecified unless Ok is returned.
ElfError parse_elf(const std::uint8_t* buf, std::size_t buf_len, std::uint64_t file_size, ElfInfo& out);

}  // namespace cocoon::loader
