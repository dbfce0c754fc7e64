// Helpers shared by the loader tests: file reading, a host LoadOps over mmap, and a builder
// for hand-made ELF files.
#pragma once

#include <sys/mman.h>

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "loader/elf_image.hpp"
#include "loader/elf_load.hpp"
#include "loader/elf_types.hpp"

namespace loader_test {

using Bytes = std::vector<std::uint8_t>;

inline Bytes read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Parses a whole file the way the shim does: the first 4 KiB, then more if asked, then the
// PT_INTERP bytes if they were beyond what was read.
inline cocoon::loader::ElfError parse_like_shim(const Bytes& file, cocoon::loader::ElfInfo& info,
                                                int* rounds = nullptr) {
  using namespace cocoon::loader;
  std::size_t have = file.size() < 4096 ? file.size() : 4096;
  int n = 0;
  for (;;) {
    ++n;
    ElfError e = parse_elf(file.data(), have, file.size(), info);
    if (e == ElfError::NeedMore && info.need_bytes > have && info.need_bytes <= file.size() && n < 4) {
      have = static_cast<std::size_t>(info.need_bytes);
      continue;
    }
    if (rounds != nullptr) *rounds = n;
    if (e == ElfError::Ok && info.has_interp && !info.interp_checked)
      e = check_interp(file.data() + info.interp_offset, info.interp_size, info);
    return e;
  }
}

struct ProtectCall {
  std::uint64_t addr, len;
  int prot;
};

// LoadOps over real anonymous memory. Reserved memory is filled with 0xA5 so the loader's
// zeroing is observable; protections are recorded and (optionally) applied with mprotect.
struct HostLoader {
  const Bytes* file = nullptr;
  bool apply_protections = false;
  std::int64_t read_result_override = 0;  // nonzero: every read returns this
  std::uint64_t fail_reserve = 0;         // nonzero: reserve returns this bogus value
  std::vector<ProtectCall> protects;
  std::uint64_t reserved = 0, reserved_size = 0;

  ~HostLoader() {
    if (reserved != 0) munmap(reinterpret_cast<void*>(reserved), reserved_size);
  }

  static std::uint64_t reserve(void* ctx, std::uint64_t fixed, std::uint64_t size) {
    auto* self = static_cast<HostLoader*>(ctx);
    if (self->fail_reserve != 0) return self->fail_reserve;
    int flags = MAP_PRIVATE | MAP_ANONYMOUS | (fixed != 0 ? MAP_FIXED_NOREPLACE : 0);
    void* p = mmap(reinterpret_cast<void*>(fixed), size, PROT_READ | PROT_WRITE, flags, -1, 0);
    if (p == MAP_FAILED) return 0;
    std::memset(p, 0xA5, size);
    self->reserved = reinterpret_cast<std::uint64_t>(p);
    self->reserved_size = size;
    return self->reserved;
  }
  static std::int64_t read(void* ctx, std::uint64_t offset, void* dst, std::uint64_t len) {
    auto* self = static_cast<HostLoader*>(ctx);
    if (self->read_result_override != 0) return self->read_result_override;
    if (offset > self->file->size()) return 0;
    std::uint64_t n = std::min<std::uint64_t>(len, self->file->size() - offset);
    std::memcpy(dst, self->file->data() + offset, n);
    return static_cast<std::int64_t>(n);
  }
  static int protect(void* ctx, std::uint64_t addr, std::uint64_t len, int prot) {
    auto* self = static_cast<HostLoader*>(ctx);
    self->protects.push_back({addr, len, prot});
    if (self->apply_protections) return mprotect(reinterpret_cast<void*>(addr), len, prot);
    return 0;
  }
  cocoon::loader::LoadOps ops() { return {this, &reserve, &read, &protect}; }

  // The protection recorded last for the page at addr, or -1.
  int prot_at(std::uint64_t addr) const {
    int prot = -1;
    for (const ProtectCall& c : protects)
      if (addr >= c.addr && addr - c.addr < c.len) prot = c.prot;
    return prot;
  }
};

// Builds a small valid ET_EXEC: header, program headers at 64, the interpreter string (if
// any) after them, text at file 0x1000 / vaddr 0x401000, data at file 0x2000 / vaddr
// 0x402000 with bss; file size 0x2100. Tests tweak fields and call bytes().
struct ElfBuilder {
  cocoon::loader::Elf64Ehdr eh{};
  std::vector<cocoon::loader::Elf64Phdr> ph;
  std::string interp;  // written after the phdrs when non-empty (PT_INTERP added by with_interp)
  std::uint64_t file_size = 0x2100;

  ElfBuilder() {
    using namespace cocoon::loader;
    std::memcpy(eh.e_ident, kElfMag, 4);
    eh.e_ident[kEiClass] = kElfClass64;
    eh.e_ident[kEiData] = kElfData2Lsb;
    eh.e_ident[kEiVersion] = kEvCurrent;
    eh.e_type = kEtExec;
    eh.e_machine = kEmX86_64;
    eh.e_version = kEvCurrent;
    eh.e_entry = 0x401000;
    eh.e_phoff = 64;
    eh.e_ehsize = 64;
    eh.e_phentsize = sizeof(Elf64Phdr);
    ph.push_back(load(0, 0x400000, 0x400, 0x400, kPfR));
    ph.push_back(load(0x1000, 0x401000, 0x100, 0x100, kPfR | kPfX));
    ph.push_back(load(0x2000, 0x402000, 0x100, 0x3000, kPfR | kPfW));
    ph.push_back(other(kPtGnuStack, 0, 0, 0, kPfR | kPfW));
  }
  static cocoon::loader::Elf64Phdr load(std::uint64_t off, std::uint64_t vaddr, std::uint64_t filesz,
                                        std::uint64_t memsz, std::uint32_t flags, std::uint64_t align = 0x1000) {
    return {cocoon::loader::kPtLoad, flags, off, vaddr, vaddr, filesz, memsz, align};
  }
  static cocoon::loader::Elf64Phdr other(std::uint32_t type, std::uint64_t off, std::uint64_t vaddr,
                                         std::uint64_t size, std::uint32_t flags = 4) {
    return {type, flags, off, vaddr, vaddr, size, size, 8};
  }
  // Adds PT_INTERP pointing at `path` + NUL, stored at file offset 0x300.
  ElfBuilder& with_interp(const std::string& path) {
    interp = path;
    ph.insert(ph.begin(), other(cocoon::loader::kPtInterp, 0x300, 0x400300, path.size() + 1));
    return *this;
  }
  Bytes bytes() {
    Bytes b(file_size, 0);
    eh.e_phnum = static_cast<std::uint16_t>(ph.size());
    std::memcpy(b.data(), &eh, std::min<std::size_t>(sizeof eh, b.size()));
    for (std::size_t i = 0; i < ph.size(); ++i) {
      std::uint64_t at = 0, end = 0;  // tables placed out of the file (tests of bad e_phoff) are not written
      if (__builtin_add_overflow(eh.e_phoff, i * sizeof(cocoon::loader::Elf64Phdr), &at) ||
          __builtin_add_overflow(at, sizeof(cocoon::loader::Elf64Phdr), &end) || end > b.size())
        continue;
      std::memcpy(b.data() + at, &ph[i], sizeof ph[i]);
    }
    if (!interp.empty() && 0x300 + interp.size() + 1 <= b.size()) std::memcpy(b.data() + 0x300, interp.c_str(), interp.size() + 1);
    for (std::size_t i = 0x1000; i < 0x1100 && i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i);  // "text"
    for (std::size_t i = 0x2000; i < 0x2100 && i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(0xD0 ^ i);
    return b;
  }
};

}  // namespace loader_test
