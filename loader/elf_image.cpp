#include "loader/elf_image.hpp"

#include "loader/elf_types.hpp"

namespace cocoon::loader {
namespace {

bool is_pow2(std::uint64_t x) { return x != 0 && (x & (x - 1)) == 0; }

// a + b, false on overflow.
bool add_ok(std::uint64_t a, std::uint64_t b, std::uint64_t& sum) { return !__builtin_add_overflow(a, b, &sum); }

int prot_from_flags(std::uint32_t flags) {
  int prot = kProtNone;
  if (flags & kPfR) prot |= kProtRead;
  if (flags & kPfW) prot |= kProtWrite;
  if (flags & kPfX) prot |= kProtExec;
  return prot;
}

// Whether [addr, addr+len) lies inside one loaded segment's memory.
bool inside_loads(const ElfInfo& info, std::uint64_t addr, std::uint64_t len) {
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    if (addr >= s.vaddr && addr - s.vaddr <= s.memsz && len <= s.memsz - (addr - s.vaddr)) return true;
  }
  return false;
}

ElfError check_ident_and_header(const Elf64Ehdr& eh) {
  for (std::size_t i = 0; i < 4; ++i)
    if (eh.e_ident[i] != kElfMag[i]) return ElfError::NotElf;
  if (eh.e_ident[kEiClass] == kElfClass32) return ElfError::Elf32;
  if (eh.e_ident[kEiClass] != kElfClass64) return ElfError::BadClass;
  if (eh.e_ident[kEiData] != kElfData2Lsb) return ElfError::BigEndian;
  if (eh.e_ident[kEiVersion] != kEvCurrent || eh.e_version != kEvCurrent) return ElfError::BadVersion;
  if (eh.e_machine != kEmX86_64) return ElfError::BadMachine;
  if (eh.e_type != kEtExec && eh.e_type != kEtDyn) return ElfError::BadType;
  if (eh.e_phentsize != sizeof(Elf64Phdr)) return ElfError::BadPhentsize;
  if (eh.e_phnum == 0) return ElfError::NoPhdrs;
  if (eh.e_phnum > kMaxPhnum) return ElfError::TooManyPhdrs;
  return ElfError::Ok;
}

ElfError add_load(const Elf64Phdr& ph, std::uint16_t type, ElfInfo& out) {
  if (ph.p_filesz > ph.p_memsz) return ElfError::FileszExceedsMemsz;
  if (ph.p_align > 1) {
    if (!is_pow2(ph.p_align)) return ElfError::BadAlign;
    if (ph.p_offset % ph.p_align != ph.p_vaddr % ph.p_align) return ElfError::MisalignedSegment;
  }
  std::uint64_t end = 0;
  if (!add_ok(ph.p_vaddr, ph.p_memsz, end) || end > kUserAddressEnd) return ElfError::AddressOverflow;
  if (ph.p_memsz == 0) return ElfError::Ok;  // occupies no memory: nothing to load
  if (type == kEtExec && page_down(ph.p_vaddr) == 0) return ElfError::LoadAtPageZero;
  if (out.load_count > 0) {
    const LoadSegment& prev = out.loads[out.load_count - 1];
    if (ph.p_vaddr < prev.vaddr) return ElfError::SegmentsOutOfOrder;
    if (ph.p_vaddr < prev.vaddr + prev.memsz) return ElfError::SegmentsOverlap;
  }
  out.loads[out.load_count++] = LoadSegment{ph.p_vaddr, ph.p_memsz, ph.p_offset, ph.p_filesz, prot_from_flags(ph.p_flags)};
  return ElfError::Ok;
}

ElfError add_interp(const Elf64Phdr& ph, const std::uint8_t* buf, std::size_t buf_len, std::uint64_t file_size,
                    ElfInfo& out) {
  if (out.has_interp) return ElfError::MultipleInterp;
  std::uint64_t end = 0;
  if (!add_ok(ph.p_offset, ph.p_filesz, end) || end > file_size) return ElfError::InterpOutsideFile;
  if (ph.p_filesz >= kMaxInterpLen) return ElfError::InterpTooLong;
  if (ph.p_filesz == 0) return ElfError::InterpEmpty;
  out.has_interp = true;
  out.interp_offset = ph.p_offset;
  out.interp_size = ph.p_filesz;
  if (end <= buf_len) return check_interp(buf + ph.p_offset, ph.p_filesz, out);
  return ElfError::Ok;
}

ElfError add_tls(const Elf64Phdr& ph, ElfInfo& out) {
  if (out.has_tls) return ElfError::MultipleTls;
  if (ph.p_filesz > ph.p_memsz) return ElfError::BadTls;
  if (ph.p_align > 1 && !is_pow2(ph.p_align)) return ElfError::BadTls;
  std::uint64_t end = 0;
  if (!add_ok(ph.p_vaddr, ph.p_memsz, end) || end > kUserAddressEnd) return ElfError::BadTls;
  out.has_tls = true;
  out.tls_vaddr = ph.p_vaddr;
  out.tls_filesz = ph.p_filesz;
  out.tls_memsz = ph.p_memsz;
  out.tls_align = ph.p_align == 0 ? 1 : ph.p_align;
  return ElfError::Ok;
}

ElfKind classify(const ElfInfo& info) {
  if (info.type == kEtExec) return info.has_interp ? ElfKind::DynamicExec : ElfKind::Static;
  if (info.has_interp) return ElfKind::DynamicPie;
  return info.entry == 0 ? ElfKind::SharedObject : ElfKind::StaticPie;
}

}  // namespace

ElfError check_interp(const std::uint8_t* bytes, std::uint64_t size, ElfInfo& info) {
  if (!info.has_interp || bytes == nullptr || size != info.interp_size) return ElfError::BadArgument;
  if (bytes[size - 1] != 0) return ElfError::InterpNotTerminated;
  std::uint64_t len = 0;
  while (bytes[len] != 0) ++len;
  if (len == 0) return ElfError::InterpEmpty;
  info.interp_len = len;
  info.interp_checked = true;
  return ElfError::Ok;
}

const char* elf_kind_name(ElfKind kind) {
  switch (kind) {
    case ElfKind::Static: return "static";
    case ElfKind::StaticPie: return "static-pie";
    case ElfKind::DynamicExec: return "dynamic";
    case ElfKind::DynamicPie: return "dynamic-pie";
    case ElfKind::SharedObject: return "shared-object";
  }
  return "unknown";
}

ElfError parse_elf(const std::uint8_t* buf, std::size_t buf_len, std::uint64_t file_size, ElfInfo& out) {
  out = ElfInfo{};
  if (buf == nullptr && buf_len != 0) return ElfError::BadArgument;
  if (buf_len > file_size) buf_len = static_cast<std::size_t>(file_size);

  // Magic first, on whatever is available, so a short text file is "not an ELF file".
  for (std::size_t i = 0; i < 4 && i < buf_len; ++i)
    if (buf[i] != kElfMag[i]) return ElfError::NotElf;
  if (file_size < sizeof(Elf64Ehdr)) return buf_len >= 4 ? ElfError::Truncated : ElfError::NotElf;
  if (buf_len < sizeof(Elf64Ehdr)) {
    out.need_bytes = sizeof(Elf64Ehdr);
    return ElfError::NeedMore;
  }

  Elf64Ehdr eh;
  __builtin_memcpy(&eh, buf, sizeof eh);
  if (ElfError e = check_ident_and_header(eh); e != ElfError::Ok) return e;

  std::uint64_t ph_end = 0;
  if (!add_ok(eh.e_phoff, std::uint64_t{eh.e_phnum} * sizeof(Elf64Phdr), ph_end) || ph_end > file_size)
    return ElfError::PhdrsOutsideFile;
  if (ph_end > buf_len) {
    out.need_bytes = ph_end;
    return ElfError::NeedMore;
  }

  out.type = eh.e_type;
  out.entry = eh.e_entry;
  out.phoff = eh.e_phoff;
  out.phnum = eh.e_phnum;
  out.phentsize = eh.e_phentsize;

  bool has_pt_phdr = false;
  std::uint64_t pt_phdr_vaddr = 0, pt_phdr_memsz = 0;
  std::int32_t pt_phdr_index = -1, pt_tls_index = -1;
  for (std::uint16_t i = 0; i < eh.e_phnum; ++i) {
    Elf64Phdr ph;
    __builtin_memcpy(&ph, buf + eh.e_phoff + std::uint64_t{i} * sizeof ph, sizeof ph);
    ElfError e = ElfError::Ok;
    switch (ph.p_type) {
      case kPtLoad: {
        std::uint64_t fend = 0;
        e = (!add_ok(ph.p_offset, ph.p_filesz, fend) || fend > file_size) ? ElfError::SegmentOutsideFile
                                                                           : add_load(ph, eh.e_type, out);
        break;
      }
      case kPtInterp: e = add_interp(ph, buf, buf_len, file_size, out); break;
      case kPtTls:
        e = add_tls(ph, out);
        pt_tls_index = i;
        break;
      case kPtDynamic: out.has_dynamic = true; break;
      case kPtGnuStack: out.stack_executable = (ph.p_flags & kPfX) != 0; break;
      case kPtPhdr:
        if (has_pt_phdr) {
          e = ElfError::MultiplePhdr;
          break;
        }
        has_pt_phdr = true;
        pt_phdr_index = i;
        pt_phdr_vaddr = ph.p_vaddr;
        pt_phdr_memsz = ph.p_memsz;
        break;
      default: break;
    }
    if (e != ElfError::Ok) {
      out.bad_phdr = i;
      return e;
    }
  }
  if (out.load_count == 0) return ElfError::NoLoadSegment;

  const LoadSegment& last = out.loads[out.load_count - 1];
  out.span_start = page_down(out.loads[0].vaddr);
  out.span_end = page_up(last.vaddr + last.memsz);  // <= kUserAddressEnd, checked in add_load

  std::uint64_t table_size = std::uint64_t{eh.e_phnum} * sizeof(Elf64Phdr);
  if (has_pt_phdr) {
    if (pt_phdr_memsz < table_size || !inside_loads(out, pt_phdr_vaddr, pt_phdr_memsz)) {
      out.bad_phdr = pt_phdr_index;
      return ElfError::PhdrOutsideImage;
    }
    out.phdr_in_image = true;
    out.phdr_vaddr = pt_phdr_vaddr;
  } else {
    for (std::uint32_t i = 0; i < out.load_count; ++i) {
      const LoadSegment& s = out.loads[i];
      if (s.offset <= eh.e_phoff && eh.e_phoff - s.offset <= s.filesz && table_size <= s.filesz - (eh.e_phoff - s.offset)) {
        out.phdr_in_image = true;
        out.phdr_vaddr = s.vaddr + (eh.e_phoff - s.offset);
        break;
      }
    }
  }
  if (out.has_tls && !inside_loads(out, out.tls_vaddr, out.tls_filesz)) {
    out.bad_phdr = pt_tls_index;
    return ElfError::BadTls;
  }

  out.kind = classify(out);
  if (out.kind != ElfKind::SharedObject && !inside_loads(out, out.entry, 1)) return ElfError::EntryOutsideImage;
  return ElfError::Ok;
}

}  // namespace cocoon::loader
