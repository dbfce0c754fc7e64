// Result codes of parse_elf / load_elf, and a human sentence for each.
#pragma once

#include <cstdint>

namespace cocoon::loader {

enum class ElfError : std::uint8_t {
  Ok = 0,
  NeedMore,             // buffer too short; ElfInfo::need_bytes says how many bytes to read
  Truncated,            // file shorter than an ELF header
  NotElf,               // bad magic
  Elf32,                // ELFCLASS32
  BadClass,             // EI_CLASS neither 32 nor 64
  BigEndian,            // EI_DATA not little-endian
  BadVersion,           // EI_VERSION / e_version not EV_CURRENT
  BadMachine,           // e_machine not x86-64
  BadType,              // not ET_EXEC / ET_DYN
  BadPhentsize,         // e_phentsize != sizeof(Elf64Phdr)
  NoPhdrs,              // e_phnum == 0
  TooManyPhdrs,         // e_phnum > kMaxPhnum
  PhdrsOutsideFile,     // e_phoff + table size overflows or exceeds the file
  BadAlign,             // PT_LOAD p_align not a power of two
  MisalignedSegment,    // p_offset % p_align != p_vaddr % p_align
  FileszExceedsMemsz,   // p_filesz > p_memsz
  SegmentOutsideFile,   // p_offset + p_filesz overflows or exceeds the file
  AddressOverflow,      // p_vaddr + p_memsz overflows or leaves the user address range
  SegmentsOutOfOrder,   // PT_LOAD not sorted by p_vaddr
  SegmentsOverlap,      // PT_LOAD overlapping the previous one
  LoadAtPageZero,       // ET_EXEC segment in page 0 (cannot be placed at a fixed address)
  NoLoadSegment,        // no PT_LOAD with p_memsz > 0
  MultipleInterp,       // more than one PT_INTERP
  InterpOutsideFile,    // PT_INTERP bytes beyond the end of the file
  InterpEmpty,          // PT_INTERP empty string
  InterpTooLong,        // PT_INTERP >= 4096 bytes
  InterpNotTerminated,  // PT_INTERP not NUL-terminated
  MultipleTls,          // more than one PT_TLS
  BadTls,               // PT_TLS filesz > memsz, bad alignment, or image outside PT_LOAD
  MultiplePhdr,         // more than one PT_PHDR
  PhdrOutsideImage,     // PT_PHDR not inside a PT_LOAD
  EntryOutsideImage,    // e_entry not inside a PT_LOAD
  // load_elf
  ReserveFailed,        // ops.reserve returned 0 (or not the fixed address asked for)
  ReadFailed,           // ops.read returned an error
  ShortRead,            // ops.read returned fewer bytes than asked (file changed?)
  ProtectFailed,        // ops.protect returned non-zero
  BadArgument,          // ElfInfo not from a successful parse_elf
};

// A sentence describing the error, e.g. "32-bit ELF; only x86-64 programs are supported".
// Never null.
const char* elf_error_message(ElfError err);

}  // namespace cocoon::loader
