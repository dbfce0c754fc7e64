// parse_elf on real programs built for the test (every kind), on system binaries, and the
// NeedMore / check_interp protocol.
#include <gtest/gtest.h>

#include <cctype>
#include <cstring>
#include <string>

#include "loader/elf_image.hpp"
#include "loader/elf_types.hpp"
#include "loader_test_util.hpp"

using namespace cocoon::loader;
using loader_test::Bytes;
using loader_test::parse_like_shim;
using loader_test::read_file;

namespace {

std::string interp_of(const Bytes& file, const ElfInfo& info) {
  return std::string(reinterpret_cast<const char*>(file.data() + info.interp_offset), info.interp_len);
}

// Invariants every successfully parsed image satisfies.
void expect_consistent(const ElfInfo& info, std::uint64_t file_size) {
  ASSERT_GT(info.load_count, 0u);
  EXPECT_EQ(info.span_start % kPageSize, 0u);
  EXPECT_EQ(info.span_end % kPageSize, 0u);
  EXPECT_LE(info.span_start, info.loads[0].vaddr);
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    EXPECT_GT(s.memsz, 0u);
    EXPECT_LE(s.filesz, s.memsz);
    EXPECT_LE(s.offset + s.filesz, file_size);
    EXPECT_LE(s.vaddr + s.memsz, info.span_end);
    if (i > 0) {
      EXPECT_GE(s.vaddr, info.loads[i - 1].vaddr + info.loads[i - 1].memsz);
    }
  }
  EXPECT_EQ(info.phentsize, sizeof(Elf64Phdr));
}

struct ProgramCase {
  const char* path;
  ElfKind kind;
  const char* interp;  // nullptr: none
  bool tls;
};

class LoaderRealProgram : public ::testing::TestWithParam<ProgramCase> {};

TEST_P(LoaderRealProgram, ParsesWithExpectedKind) {
  const ProgramCase& c = GetParam();
  Bytes file = read_file(c.path);
  ASSERT_GT(file.size(), 64u) << c.path;
  ElfInfo info;
  ASSERT_EQ(parse_like_shim(file, info), ElfError::Ok) << c.path;
  expect_consistent(info, file.size());
  EXPECT_EQ(info.kind, c.kind) << c.path << " is " << elf_kind_name(info.kind);
  EXPECT_EQ(info.has_interp, c.interp != nullptr);
  if (c.interp != nullptr) {
    EXPECT_TRUE(info.interp_checked);
    EXPECT_EQ(interp_of(file, info), c.interp);
  }
  EXPECT_EQ(info.has_tls, c.tls);
  EXPECT_FALSE(info.stack_executable);
  // The program headers are found in memory (PT_PHDR or the first PT_LOAD).
  EXPECT_TRUE(info.phdr_in_image);
  // Entry lies in an executable segment.
  bool entry_in_text = false;
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    if (info.entry >= s.vaddr && info.entry < s.vaddr + s.memsz && (s.prot & kProtExec)) entry_in_text = true;
  }
  EXPECT_TRUE(entry_in_text || info.kind == ElfKind::SharedObject);
}

const ProgramCase kPrograms[] = {
    {LOADER_PROG_NOPIE, ElfKind::DynamicExec, "/lib64/ld-linux-x86-64.so.2", true},
    {LOADER_PROG_PIE, ElfKind::DynamicPie, "/lib64/ld-linux-x86-64.so.2", true},
    {LOADER_PROG_STATIC, ElfKind::Static, nullptr, true},
    {LOADER_PROG_STATIC_PIE, ElfKind::StaticPie, nullptr, true},
    {LOADER_PROG_CUSTOM_INTERP, ElfKind::DynamicPie, "/custom/ld.so", true},
    {LOADER_TINY_STATIC, ElfKind::Static, nullptr, true},
    {LOADER_TINY_STATIC_PIE, ElfKind::StaticPie, nullptr, true},
    {LOADER_TINY_INTERP, ElfKind::DynamicPie, "/custom/ld.so", true},
    {"/bin/ls", ElfKind::DynamicPie, "/lib64/ld-linux-x86-64.so.2", false},
    {"/bin/busybox", ElfKind::Static, nullptr, true},
    // libc.so.6 is runnable (it prints its version), so it has PT_INTERP: far beyond 4 KiB.
    {"/usr/lib/x86_64-linux-gnu/libc.so.6", ElfKind::DynamicPie, "/lib64/ld-linux-x86-64.so.2", true},
    // The interpreter itself: ET_DYN, no PT_INTERP, loads like a static-pie.
    {"/lib64/ld-linux-x86-64.so.2", ElfKind::StaticPie, nullptr, false},
};

std::string case_name(const ::testing::TestParamInfo<ProgramCase>& i) {
  std::string path = i.param.path, name;
  for (char ch : path.substr(path.rfind('/') + 1))
    name += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Elf, LoaderRealProgram, ::testing::ValuesIn(kPrograms), case_name);

TEST(LoaderParseElf, StaticProgramHasFixedAddressesAndPhdrFromFirstLoad) {
  Bytes file = read_file("/bin/busybox");
  ElfInfo info;
  ASSERT_EQ(parse_like_shim(file, info), ElfError::Ok);
  EXPECT_EQ(info.type, kEtExec);
  EXPECT_EQ(info.span_start, 0x400000u);
  // busybox has no PT_PHDR: the table is found through the PT_LOAD at file offset 0.
  EXPECT_EQ(info.phdr_vaddr, 0x400000u + info.phoff);
  EXPECT_EQ(info.phnum, 10);
}

TEST(LoaderParseElf, LibcInterpNeedsSecondRead) {
  Bytes file = read_file("/usr/lib/x86_64-linux-gnu/libc.so.6");
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), 4096, file.size(), info), ElfError::Ok);
  ASSERT_TRUE(info.has_interp);
  EXPECT_FALSE(info.interp_checked);
  EXPECT_GT(info.interp_offset, 4096u);
  EXPECT_EQ(check_interp(file.data() + info.interp_offset, info.interp_size, info), ElfError::Ok);
  EXPECT_EQ(interp_of(file, info), "/lib64/ld-linux-x86-64.so.2");
  // Wrong size or bytes without the final NUL are refused.
  ElfInfo copy = info;
  EXPECT_EQ(check_interp(file.data() + info.interp_offset, info.interp_size - 1, copy), ElfError::BadArgument);
  Bytes bad(file.begin() + static_cast<long>(info.interp_offset),
            file.begin() + static_cast<long>(info.interp_offset + info.interp_size));
  bad.back() = 'x';
  EXPECT_EQ(check_interp(bad.data(), bad.size(), copy), ElfError::InterpNotTerminated);
}

TEST(LoaderParseElf, TlsFieldsOfStaticPie) {
  Bytes file = read_file(LOADER_TINY_STATIC_PIE);
  ElfInfo info;
  ASSERT_EQ(parse_like_shim(file, info), ElfError::Ok);
  ASSERT_TRUE(info.has_tls);
  EXPECT_EQ(info.tls_filesz, 4u);  // one initialized int
  EXPECT_EQ(info.tls_memsz, 4u);
  EXPECT_EQ(info.tls_align, 4u);
  EXPECT_TRUE(info.has_dynamic);
  EXPECT_EQ(info.span_start, 0u);
}

TEST(LoaderParseElf, NeedMoreWhenHeaderOrPhdrsBeyondBuffer) {
  Bytes file = read_file(LOADER_TINY_STATIC);
  ElfInfo info;
  EXPECT_EQ(parse_elf(file.data(), 20, file.size(), info), ElfError::NeedMore);
  EXPECT_EQ(info.need_bytes, 64u);
  EXPECT_EQ(parse_elf(file.data(), 64, file.size(), info), ElfError::NeedMore);
  const std::uint64_t phnum = file[56] | (file[57] << 8);  // e_phnum; the table follows the header
  EXPECT_EQ(info.need_bytes, 64u + phnum * sizeof(Elf64Phdr));
  int rounds = 0;
  ElfInfo full;
  ASSERT_EQ(parse_like_shim(file, full, &rounds), ElfError::Ok);
  EXPECT_EQ(rounds, 1);
}

TEST(LoaderParseElf, PhdrsBeyondFirstPageAreRequestedWithNeedMore) {
  loader_test::ElfBuilder b;
  b.file_size = 0x3000;
  b.eh.e_phoff = 0x2800;  // inside the file but after 4 KiB
  b.ph[2].p_filesz = 0x1000;  // data segment now covers the table
  b.ph[2].p_memsz = 0x3000;
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), 4096, file.size(), info), ElfError::NeedMore);
  EXPECT_EQ(info.need_bytes, 0x2800u + 4 * sizeof(Elf64Phdr));
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  EXPECT_TRUE(info.phdr_in_image);
  EXPECT_EQ(info.phdr_vaddr, 0x402800u);
}

TEST(LoaderParseElf, ThirtyTwoBitElfIsElf32) {
  // A minimal but well-formed ELF32 i386 executable header: class 1.
  Bytes file(52 + 32, 0);
  const std::uint8_t ident[] = {0x7f, 'E', 'L', 'F', 1 /*ELFCLASS32*/, 1, 1};
  std::memcpy(file.data(), ident, sizeof ident);
  file[16] = 2;   // ET_EXEC
  file[18] = 3;   // EM_386
  file[20] = 1;   // EV_CURRENT
  file[28] = 52;  // e_phoff
  file[40] = 52;  // e_ehsize
  file[42] = 32;  // e_phentsize
  file[44] = 1;   // e_phnum
  ElfInfo info;
  EXPECT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Elf32);
  EXPECT_STREQ(elf_error_message(ElfError::Elf32), "32-bit ELF; only x86-64 programs are supported");
}

TEST(LoaderParseElf, TextAndShortFilesAreNotElf) {
  const char* text = "#!/bin/sh\necho hi\n";
  ElfInfo info;
  EXPECT_EQ(parse_elf(reinterpret_cast<const std::uint8_t*>(text), std::strlen(text), std::strlen(text), info),
            ElfError::NotElf);
  EXPECT_EQ(parse_elf(nullptr, 0, 0, info), ElfError::NotElf);
  const std::uint8_t two[] = {0x7f, 'E'};
  EXPECT_EQ(parse_elf(two, 2, 2, info), ElfError::NotElf);
  const std::uint8_t magic[] = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0};
  EXPECT_EQ(parse_elf(magic, sizeof magic, sizeof magic, info), ElfError::Truncated);
}

TEST(LoaderParseElf, EveryErrorHasAMessage) {
  for (int e = 0; e <= static_cast<int>(ElfError::BadArgument); ++e) {
    const char* m = elf_error_message(static_cast<ElfError>(e));
    ASSERT_NE(m, nullptr);
    EXPECT_GT(std::strlen(m), 1u) << e;
    EXPECT_STRNE(m, "unknown ELF error") << e;
  }
  EXPECT_STREQ(elf_error_message(ElfError::NotElf), "not an ELF file (bad magic)");
}

}  // namespace
