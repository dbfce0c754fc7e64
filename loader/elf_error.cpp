#include "loader/elf_error.hpp"

namespace cocoon::loader {

const char* elf_error_message(ElfError err) {
  switch (err) {
    case ElfError::Ok: return "ok";
    case ElfError::NeedMore: return "more of the file must be read to parse the program headers";
    case ElfError::Truncated: return "file too short to hold an ELF header (truncated?)";
    case ElfError::NotElf: return "not an ELF file (bad magic)";
    case ElfError::Elf32: return "32-bit ELF; only x86-64 programs are supported";
    case ElfError::BadClass: return "ELF class is neither 32- nor 64-bit (corrupt header)";
    case ElfError::BigEndian: return "ELF data encoding is not little-endian; only x86-64 programs are supported";
    case ElfError::BadVersion: return "unknown ELF version (corrupt header)";
    case ElfError::BadMachine: return "ELF built for another architecture; only x86-64 programs are supported";
    case ElfError::BadType: return "ELF is not an executable or shared object (object file or core dump?)";
    case ElfError::BadPhentsize: return "ELF program header entry size is not 56 (corrupt header)";
    case ElfError::NoPhdrs: return "ELF has no program headers (not a loadable program)";
    case ElfError::TooManyPhdrs: return "ELF has more than 64 program headers";
    case ElfError::PhdrsOutsideFile: return "ELF program header table lies beyond the end of the file (truncated?)";
    case ElfError::BadAlign: return "ELF segment alignment is not a power of two";
    case ElfError::MisalignedSegment: return "ELF segment file offset and address disagree modulo the alignment";
    case ElfError::FileszExceedsMemsz: return "ELF segment has more file bytes than memory bytes";
    case ElfError::SegmentOutsideFile: return "ELF segment lies beyond the end of the file (truncated?)";
    case ElfError::AddressOverflow: return "ELF segment address range overflows the user address space";
    case ElfError::SegmentsOutOfOrder: return "ELF loadable segments are not sorted by address";
    case ElfError::SegmentsOverlap: return "ELF loadable segments overlap";
    case ElfError::LoadAtPageZero: return "ELF executable wants to be loaded at address 0";
    case ElfError::NoLoadSegment: return "ELF has no loadable segment";
    case ElfError::MultipleInterp: return "ELF names more than one interpreter (PT_INTERP)";
    case ElfError::InterpOutsideFile: return "ELF interpreter path lies beyond the end of the file";
    case ElfError::InterpEmpty: return "ELF interpreter path is empty";
    case ElfError::InterpTooLong: return "ELF interpreter path is 4096 bytes or longer";
    case ElfError::InterpNotTerminated: return "ELF interpreter path is not NUL-terminated";
    case ElfError::MultipleTls: return "ELF has more than one TLS segment";
    case ElfError::BadTls: return "ELF TLS segment is malformed (sizes, alignment, or outside the loaded image)";
    case ElfError::MultiplePhdr: return "ELF has more than one PT_PHDR";
    case ElfError::PhdrOutsideImage: return "ELF PT_PHDR lies outside the loaded segments";
    case ElfError::EntryOutsideImage: return "ELF entry point lies outside the loaded segments";
    case ElfError::ReserveFailed: return "could not reserve address space for the ELF image";
    case ElfError::ReadFailed: return "reading the ELF file failed";
    case ElfError::ShortRead: return "ELF file ended early while loading (changed on disk?)";
    case ElfError::ProtectFailed: return "setting the protection of an ELF segment failed";
    case ElfError::BadArgument: return "internal error: ELF image description is inconsistent";
  }
  return "unknown ELF error";
}

}  // namespace cocoon::loader
