// Table-driven malformed ELF files: each validation rule of parse_elf has a case that is
// accepted without the rule's check, built by changing one thing in a valid hand-made file.
#include <gtest/gtest.h>

#include <functional>
#include <string>

#include "loader/elf_image.hpp"
#include "loader/elf_types.hpp"
#include "loader_test_util.hpp"

using namespace cocoon::loader;
using loader_test::Bytes;
using loader_test::ElfBuilder;

namespace {

struct MalformedCase {
  const char* name;
  std::function<void(ElfBuilder&)> tweak;
  ElfError expected;
  std::function<void(Bytes&)> patch = nullptr;  // raw edit after building
};

constexpr std::uint64_t kMax = ~std::uint64_t{0};

std::vector<MalformedCase> cases() {
  return {
      {"BadMagic", [](ElfBuilder& b) { b.eh.e_ident[1] = 'X'; }, ElfError::NotElf},
      {"Class32", [](ElfBuilder& b) { b.eh.e_ident[kEiClass] = kElfClass32; }, ElfError::Elf32},
      {"ClassNone", [](ElfBuilder& b) { b.eh.e_ident[kEiClass] = 0; }, ElfError::BadClass},
      {"BigEndian", [](ElfBuilder& b) { b.eh.e_ident[kEiData] = 2; }, ElfError::BigEndian},
      {"IdentVersion", [](ElfBuilder& b) { b.eh.e_ident[kEiVersion] = 0; }, ElfError::BadVersion},
      {"HeaderVersion", [](ElfBuilder& b) { b.eh.e_version = 2; }, ElfError::BadVersion},
      {"MachineAarch64", [](ElfBuilder& b) { b.eh.e_machine = 183; }, ElfError::BadMachine},
      {"TypeRel", [](ElfBuilder& b) { b.eh.e_type = kEtRel; }, ElfError::BadType},
      {"TypeCore", [](ElfBuilder& b) { b.eh.e_type = kEtCore; }, ElfError::BadType},
      {"Phentsize32", [](ElfBuilder& b) { b.eh.e_phentsize = 32; }, ElfError::BadPhentsize},
      {"NoPhdrs", [](ElfBuilder& b) { b.ph.clear(); }, ElfError::NoPhdrs},
      {"TooManyPhdrs",
       [](ElfBuilder& b) {
         b.file_size = 0x5000;
         b.ph.resize(65, ElfBuilder::other(kPtNull, 0, 0, 0));
       },
       ElfError::TooManyPhdrs},
      {"PhdrsPastEof", [](ElfBuilder& b) { b.eh.e_phoff = b.file_size - 100; }, ElfError::PhdrsOutsideFile},
      {"PhoffOverflow", [](ElfBuilder& b) { b.eh.e_phoff = kMax - 8; }, ElfError::PhdrsOutsideFile},
      {"AlignNotPow2", [](ElfBuilder& b) { b.ph[1].p_align = 0x1800; }, ElfError::BadAlign},
      {"OffsetVaddrDisagree", [](ElfBuilder& b) { b.ph[1].p_offset = 0x1010; }, ElfError::MisalignedSegment},
      {"FileszOverMemsz", [](ElfBuilder& b) { b.ph[2].p_memsz = 0x80; }, ElfError::FileszExceedsMemsz},
      {"SegmentPastEof", [](ElfBuilder& b) { b.ph[2].p_filesz = 0x200; }, ElfError::SegmentOutsideFile},
      {"SegmentOffsetOverflow",
       [](ElfBuilder& b) {
         b.ph[2].p_offset = kMax & ~std::uint64_t{0xfff};  // congruent with the vaddr; + filesz wraps
       },
       ElfError::SegmentOutsideFile},
      {"VaddrOverflow",
       [](ElfBuilder& b) {
         b.ph[2].p_vaddr = (kMax & ~std::uint64_t{0xfff});
         b.ph[2].p_offset = 0x2000;
       },
       ElfError::AddressOverflow},
      {"VaddrAboveUserSpace",
       [](ElfBuilder& b) {
         b.ph[2].p_vaddr = kUserAddressEnd - 0x1000;  // fits, but bss runs past the user half
       },
       ElfError::AddressOverflow},
      {"LoadsOutOfOrder", [](ElfBuilder& b) { std::swap(b.ph[1], b.ph[2]); }, ElfError::SegmentsOutOfOrder},
      {"LoadsOverlap",
       [](ElfBuilder& b) {
         b.ph[1].p_memsz = 0x1100;  // text runs into the data segment at 0x402000
       },
       ElfError::SegmentsOverlap},
      {"ExecAtPageZero",
       [](ElfBuilder& b) {
         b.ph[0].p_vaddr = 0x0;
       },
       ElfError::LoadAtPageZero},
      {"NoLoad",
       [](ElfBuilder& b) {
         for (auto& p : b.ph)
           if (p.p_type == kPtLoad) p.p_type = kPtNull;
       },
       ElfError::NoLoadSegment},
      {"OnlyEmptyLoads",
       [](ElfBuilder& b) {
         for (auto& p : b.ph)
           if (p.p_type == kPtLoad) p.p_memsz = p.p_filesz = 0;
       },
       ElfError::NoLoadSegment},
      {"TwoInterps",
       [](ElfBuilder& b) {
         b.with_interp("/lib/ld.so");
         b.ph.insert(b.ph.begin(), b.ph[0]);
       },
       ElfError::MultipleInterp},
      {"InterpPastEof",
       [](ElfBuilder& b) {
         b.with_interp("/lib/ld.so");
         b.ph[0].p_offset = b.file_size - 4;
       },
       ElfError::InterpOutsideFile},
      {"InterpEmptyString", [](ElfBuilder& b) { b.with_interp(""); }, ElfError::InterpEmpty},
      {"InterpZeroSize",
       [](ElfBuilder& b) {
         b.with_interp("/lib/ld.so");
         b.ph[0].p_filesz = 0;
       },
       ElfError::InterpEmpty},
      {"InterpTooLong",
       [](ElfBuilder& b) {
         b.with_interp("/lib/ld.so");
         b.ph[0].p_filesz = 4096;
       },
       ElfError::InterpTooLong},
      {"InterpNotTerminated",
       [](ElfBuilder& b) {
         b.with_interp("/lib/ld.so");
         b.ph[0].p_filesz -= 1;  // the NUL is no longer part of the segment
       },
       ElfError::InterpNotTerminated},
      {"TwoTls",
       [](ElfBuilder& b) {
         b.ph.push_back(ElfBuilder::other(kPtTls, 0x2000, 0x402000, 0x10));
         b.ph.push_back(ElfBuilder::other(kPtTls, 0x2000, 0x402000, 0x10));
       },
       ElfError::MultipleTls},
      {"TlsFileszOverMemsz",
       [](ElfBuilder& b) {
         auto t = ElfBuilder::other(kPtTls, 0x2000, 0x402000, 0x10);
         t.p_memsz = 8;
         b.ph.push_back(t);
       },
       ElfError::BadTls},
      {"TlsAlignNotPow2",
       [](ElfBuilder& b) {
         auto t = ElfBuilder::other(kPtTls, 0x2000, 0x402000, 0x10);
         t.p_align = 12;
         b.ph.push_back(t);
       },
       ElfError::BadTls},
      {"TlsOutsideImage",
       [](ElfBuilder& b) { b.ph.push_back(ElfBuilder::other(kPtTls, 0x2000, 0x900000, 0x10)); },
       ElfError::BadTls},
      {"TwoPtPhdr",
       [](ElfBuilder& b) {
         b.ph.push_back(ElfBuilder::other(kPtPhdr, 64, 0x400040, 6 * 56));
         b.ph.push_back(ElfBuilder::other(kPtPhdr, 64, 0x400040, 6 * 56));
       },
       ElfError::MultiplePhdr},
      {"PtPhdrOutsideImage",
       [](ElfBuilder& b) { b.ph.push_back(ElfBuilder::other(kPtPhdr, 64, 0x800040, 5 * 56)); },
       ElfError::PhdrOutsideImage},
      {"PtPhdrTooSmallForTable",
       [](ElfBuilder& b) { b.ph.push_back(ElfBuilder::other(kPtPhdr, 64, 0x400040, 56)); },
       ElfError::PhdrOutsideImage},
      {"EntryOutsideImage", [](ElfBuilder& b) { b.eh.e_entry = 0x1000; }, ElfError::EntryOutsideImage},
      {"EntryJustPastLastSegment", [](ElfBuilder& b) { b.eh.e_entry = 0x405000; }, ElfError::EntryOutsideImage},
  };
}

class LoaderMalformed : public ::testing::TestWithParam<MalformedCase> {};

TEST_P(LoaderMalformed, IsRejectedWithItsOwnError) {
  const MalformedCase& c = GetParam();
  ElfBuilder b;
  c.tweak(b);
  Bytes file = b.bytes();
  if (c.patch) c.patch(file);
  ElfInfo info;
  ElfError got = parse_elf(file.data(), file.size(), file.size(), info);
  EXPECT_EQ(got, c.expected) << c.name << ": got '" << elf_error_message(got) << "', want '"
                             << elf_error_message(c.expected) << "'";
}

INSTANTIATE_TEST_SUITE_P(Elf, LoaderMalformed, ::testing::ValuesIn(cases()),
                         [](const ::testing::TestParamInfo<MalformedCase>& i) { return std::string(i.param.name); });

TEST(LoaderMalformedBase, ErrorNamesTheProgramHeader) {
  ElfInfo info;
  {
    ElfBuilder b;
    b.ph[2].p_filesz = 0x200;  // past the end of the file
    Bytes file = b.bytes();
    ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::SegmentOutsideFile);
    EXPECT_EQ(info.bad_phdr, 2);
  }
  {
    ElfBuilder b;
    b.ph.push_back(ElfBuilder::other(kPtTls, 0x2000, 0x402000, 0x10));
    b.ph.push_back(ElfBuilder::other(kPtTls, 0x2000, 0x402000, 0x10));
    Bytes file = b.bytes();
    ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::MultipleTls);
    EXPECT_EQ(info.bad_phdr, 5);
  }
  {
    ElfBuilder b;
    b.ph.push_back(ElfBuilder::other(kPtTls, 0x2000, 0x900000, 0x10));  // outside the image
    Bytes file = b.bytes();
    ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::BadTls);
    EXPECT_EQ(info.bad_phdr, 4);
  }
  {
    ElfBuilder b;
    b.eh.e_machine = 3;
    Bytes file = b.bytes();
    ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::BadMachine);
    EXPECT_EQ(info.bad_phdr, -1);
  }
}

// The unmodified builder output is valid: otherwise the cases above prove nothing.
TEST(LoaderMalformedBase, BuilderOutputIsValid) {
  ElfBuilder b;
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  EXPECT_EQ(info.kind, ElfKind::Static);
  EXPECT_EQ(info.load_count, 3u);
  EXPECT_EQ(info.span_start, 0x400000u);
  EXPECT_EQ(info.span_end, 0x405000u);
  EXPECT_TRUE(info.phdr_in_image);
  EXPECT_EQ(info.phdr_vaddr, 0x400040u);
  EXPECT_EQ(info.loads[1].prot, kProtRead | kProtExec);
  EXPECT_EQ(info.loads[2].prot, kProtRead | kProtWrite);
}

// Limits that are allowed exactly at the boundary.
TEST(LoaderMalformedBase, BoundariesAreAccepted) {
  {
    ElfBuilder b;
    b.file_size = 0x5000;
    b.ph.resize(64, ElfBuilder::other(kPtNull, 0, 0, 0));
    Bytes file = b.bytes();
    ElfInfo info;
    EXPECT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
    EXPECT_EQ(info.phnum, 64);
    EXPECT_FALSE(info.phdr_in_image);  // 64 entries run past the first segment's 0x400 bytes
  }
  {
    ElfBuilder b;
    b.with_interp(std::string(4094, 'a'));  // 4095 bytes with the NUL
    b.file_size = 0x2100;
    b.ph[0].p_offset = 0x1000;  // reuse the text bytes area: put the path at 0x1000 instead
    Bytes file = b.bytes();
    std::memset(file.data() + 0x1000, 'a', 4094);
    file[0x1000 + 4094] = 0;
    ElfInfo info;
    EXPECT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
    EXPECT_EQ(info.interp_len, 4094u);
    EXPECT_EQ(info.kind, ElfKind::DynamicExec);
  }
  {
    ElfBuilder b;  // ET_DYN linked at 0 is fine (only ET_EXEC cannot use page 0)
    b.eh.e_type = kEtDyn;
    for (auto& p : b.ph) p.p_vaddr -= p.p_type == kPtLoad ? 0x400000 : 0;
    b.eh.e_entry = 0x1000;
    b.ph.push_back(ElfBuilder::other(kPtDynamic, 0x2000, 0x2000, 0x10));
    Bytes file = b.bytes();
    ElfInfo info;
    EXPECT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
    EXPECT_EQ(info.kind, ElfKind::StaticPie);
    EXPECT_EQ(info.span_start, 0u);
  }
  {
    ElfBuilder b;  // ET_DYN with entry 0 and no interpreter: a library
    b.eh.e_type = kEtDyn;
    b.eh.e_entry = 0;
    Bytes file = b.bytes();
    ElfInfo info;
    EXPECT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
    EXPECT_EQ(info.kind, ElfKind::SharedObject);
  }
  {
    ElfBuilder b;  // PT_GNU_STACK with PF_X
    b.ph[3].p_flags = kPfR | kPfW | kPfX;
    Bytes file = b.bytes();
    ElfInfo info;
    EXPECT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
    EXPECT_TRUE(info.stack_executable);
  }
  {
    ElfBuilder b;  // segments sharing a page (second starts in the first's last page)
    b.ph[2].p_vaddr = 0x401100;
    b.ph[2].p_offset = 0x1100;
    b.ph[2].p_filesz = 0x100;
    Bytes file = b.bytes();
    ElfInfo info;
    EXPECT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  }
}

}  // namespace
