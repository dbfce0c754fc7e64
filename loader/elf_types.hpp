// ELF64 on-disk structures and constants used by the loader.
//
// Mirrors the "System V Application Binary Interface" (gABI), chapter 4 "Object Files"
// (ELF Header, Program Header) and chapter 5 "Program Loading and Dynamic Linking", plus the
// x86-64 psABI (EM_X86_64) and the GNU extensions (PT_GNU_STACK). Freestanding: no <elf.h>.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::loader {

// gABI 4 "ELF Header": e_ident indexes and values.
inline constexpr std::size_t kEiNident = 16;
inline constexpr std::size_t kEiClass = 4;
inline constexpr std::size_t kEiData = 5;
inline constexpr std::size_t kEiVersion = 6;
inline constexpr std::uint8_t kElfMag[4] = {0x7f, 'E', 'L', 'F'};
inline constexpr std::uint8_t kElfClass32 = 1;
inline constexpr std::uint8_t kElfClass64 = 2;
inline constexpr std::uint8_t kElfData2Lsb = 1;
inline constexpr std::uint8_t kEvCurrent = 1;

inline constexpr std::uint16_t kEtRel = 1;
inline constexpr std::uint16_t kEtExec = 2;
inline constexpr std::uint16_t kEtDyn = 3;
inline constexpr std::uint16_t kEtCore = 4;
inline constexpr std::uint16_t kEmX86_64 = 62;

// gABI 5 "Program Header": segment types and flags.
inline constexpr std::uint32_t kPtNull = 0;
inline constexpr std::uint32_t kPtLoad = 1;
inline constexpr std::uint32_t kPtDynamic = 2;
inline constexpr std::uint32_t kPtInterp = 3;
inline constexpr std::uint32_t kPtPhdr = 6;
inline constexpr std::uint32_t kPtTls = 7;
inline constexpr std::uint32_t kPtGnuStack = 0x6474e551;

inline constexpr std::uint32_t kPfX = 1;
inline constexpr std::uint32_t kPfW = 2;
inline constexpr std::uint32_t kPfR = 4;

// gABI 4 "ELF Header" (64-bit layout).
struct Elf64Ehdr {
  std::uint8_t e_ident[kEiNident];
  std::uint16_t e_type;
  std::uint16_t e_machine;
  std::uint32_t e_version;
  std::uint64_t e_entry;
  std::uint64_t e_phoff;
  std::uint64_t e_shoff;
  std::uint32_t e_flags;
  std::uint16_t e_ehsize;
  std::uint16_t e_phentsize;
  std::uint16_t e_phnum;
  std::uint16_t e_shentsize;
  std::uint16_t e_shnum;
  std::uint16_t e_shstrndx;
};
static_assert(sizeof(Elf64Ehdr) == 64);
static_assert(offsetof(Elf64Ehdr, e_type) == 16);
static_assert(offsetof(Elf64Ehdr, e_machine) == 18);
static_assert(offsetof(Elf64Ehdr, e_version) == 20);
static_assert(offsetof(Elf64Ehdr, e_entry) == 24);
static_assert(offsetof(Elf64Ehdr, e_phoff) == 32);
static_assert(offsetof(Elf64Ehdr, e_shoff) == 40);
static_assert(offsetof(Elf64Ehdr, e_flags) == 48);
static_assert(offsetof(Elf64Ehdr, e_ehsize) == 52);
static_assert(offsetof(Elf64Ehdr, e_phentsize) == 54);
static_assert(offsetof(Elf64Ehdr, e_phnum) == 56);
static_assert(offsetof(Elf64Ehdr, e_shstrndx) == 62);

// gABI 5 "Program Header" (64-bit layout).
struct Elf64Phdr {
  std::uint32_t p_type;
  std::uint32_t p_flags;
  std::uint64_t p_offset;
  std::uint64_t p_vaddr;
  std::uint64_t p_paddr;
  std::uint64_t p_filesz;
  std::uint64_t p_memsz;
  std::uint64_t p_align;
};
static_assert(sizeof(Elf64Phdr) == 56);
static_assert(offsetof(Elf64Phdr, p_flags) == 4);
static_assert(offsetof(Elf64Phdr, p_offset) == 8);
static_assert(offsetof(Elf64Phdr, p_vaddr) == 16);
static_assert(offsetof(Elf64Phdr, p_paddr) == 24);
static_assert(offsetof(Elf64Phdr, p_filesz) == 32);
static_assert(offsetof(Elf64Phdr, p_memsz) == 40);
static_assert(offsetof(Elf64Phdr, p_align) == 48);

// Memory protection bits as used by LoadOps::protect (same values as Linux PROT_*).
inline constexpr int kProtNone = 0;
inline constexpr int kProtRead = 1;
inline constexpr int kProtWrite = 2;
inline constexpr int kProtExec = 4;

inline constexpr std::uint64_t kPageSize = 4096;
inline constexpr std::uint64_t page_down(std::uint64_t a) { return a & ~(kPageSize - 1); }
// Callers guarantee a <= kUserAddressEnd, so this cannot wrap.
inline constexpr std::uint64_t page_up(std::uint64_t a) { return (a + kPageSize - 1) & ~(kPageSize - 1); }

// Highest user address + 1 on x86-64 with 4-level paging (47-bit user half).
inline constexpr std::uint64_t kUserAddressEnd = 0x0000'8000'0000'0000ull;

}  // namespace cocoon::loader
