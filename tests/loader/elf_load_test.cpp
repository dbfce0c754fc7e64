// load_elf through a host LoadOps: bytes copied, bss zeroed, protections per page, errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <string>

#include "loader/elf_image.hpp"
#include "loader/elf_load.hpp"
#include "loader/elf_types.hpp"
#include "loader_test_util.hpp"

using namespace cocoon::loader;
using loader_test::Bytes;
using loader_test::ElfBuilder;
using loader_test::HostLoader;
using loader_test::parse_like_shim;
using loader_test::read_file;

namespace {

// Loads `file` (ET_DYN, anywhere) and checks every segment's bytes and bss against the file.
void load_and_check_bytes(const Bytes& file) {
  ElfInfo info;
  ASSERT_EQ(parse_like_shim(file, info), ElfError::Ok);
  HostLoader host;
  host.file = &file;
  LoadedImage img;
  ASSERT_EQ(load_elf(info, host.ops(), img), ElfError::Ok);
  EXPECT_EQ(img.start, host.reserved);
  EXPECT_EQ(img.end - img.start, info.span_end - info.span_start);
  EXPECT_EQ(img.bias, img.start - info.span_start);
  EXPECT_EQ(img.entry, img.bias + info.entry);
  EXPECT_EQ(img.phdr, img.bias + info.phdr_vaddr);
  EXPECT_EQ(img.phnum, info.phnum);
  EXPECT_EQ(img.phent, sizeof(Elf64Phdr));
  EXPECT_EQ(img.brk_start, img.end);
  // The program headers are readable at img.phdr and equal the file's.
  EXPECT_EQ(std::memcmp(reinterpret_cast<const void*>(img.phdr), file.data() + info.phoff, info.phnum * 56u), 0);
  for (std::uint32_t i = 0; i < info.load_count; ++i) {
    const LoadSegment& s = info.loads[i];
    const auto* mem = reinterpret_cast<const std::uint8_t*>(img.bias + s.vaddr);
    EXPECT_EQ(std::memcmp(mem, file.data() + s.offset, s.filesz), 0) << "segment " << i;
    // bss and the rest of the last page (up to the next segment) are zero.
    std::uint64_t zero_end = page_up(s.vaddr + s.memsz);
    if (i + 1 < info.load_count) zero_end = std::min(zero_end, info.loads[i + 1].vaddr);
    for (std::uint64_t k = s.filesz; k < zero_end - s.vaddr; ++k)
      ASSERT_EQ(mem[k], 0) << "segment " << i << " byte " << k << " after the file bytes not zeroed";
    // Before the segment in its first page: the preceding file bytes (when no earlier segment
    // is there), like a file mapping.
    std::uint64_t lo = page_down(s.vaddr);
    if (i > 0) lo = std::max(lo, info.loads[i - 1].vaddr + info.loads[i - 1].memsz);
    std::uint64_t lead = std::min(s.vaddr - lo, s.offset);
    EXPECT_EQ(std::memcmp(mem - lead, file.data() + s.offset - lead, lead), 0) << "segment " << i;
    // Every page of the segment carries (at least) the segment's protection.
    for (std::uint64_t p = page_down(s.vaddr); p < s.vaddr + s.memsz; p += kPageSize) {
      int prot = host.prot_at(img.bias + p);
      ASSERT_GE(prot, 0) << "page " << std::hex << p << " never protected";
      EXPECT_EQ(prot & s.prot, s.prot) << "page " << std::hex << p;
    }
  }
}

TEST(LoaderLoadElf, StaticPieProgramBytesAndBss) { load_and_check_bytes(read_file(LOADER_PROG_STATIC_PIE)); }
TEST(LoaderLoadElf, TinyStaticPieBytesAndBss) { load_and_check_bytes(read_file(LOADER_TINY_STATIC_PIE)); }
TEST(LoaderLoadElf, DynamicPieBytesAndBss) { load_and_check_bytes(read_file(LOADER_PROG_PIE)); }
TEST(LoaderLoadElf, InterpreterBytesAndBss) { load_and_check_bytes(read_file("/lib64/ld-linux-x86-64.so.2")); }

TEST(LoaderLoadElf, FixedAddressExecutable) {
  // The hand-made ET_EXEC at 0x400000: reserved exactly there, bias 0.
  ElfBuilder b;
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  HostLoader host;
  host.file = &file;
  LoadedImage img;
  ASSERT_EQ(load_elf(info, host.ops(), img), ElfError::Ok);
  EXPECT_EQ(img.bias, 0u);
  EXPECT_EQ(img.start, 0x400000u);
  EXPECT_EQ(img.end, 0x405000u);
  EXPECT_EQ(img.entry, 0x401000u);
  EXPECT_EQ(img.phdr, 0x400040u);
  EXPECT_EQ(img.brk_start, 0x405000u);
  const auto* text = reinterpret_cast<const std::uint8_t*>(0x401000);
  EXPECT_EQ(std::memcmp(text, file.data() + 0x1000, 0x100), 0);
  // The rest of the text page is zero; bss is zero in full.
  for (std::uint64_t k = 0x100; k < 0x1000; ++k) ASSERT_EQ(text[k], 0) << k;
  const auto* data = reinterpret_cast<const std::uint8_t*>(0x402000);
  EXPECT_EQ(std::memcmp(data, file.data() + 0x2000, 0x100), 0);
  for (std::uint64_t k = 0x100; k < 0x3000; ++k) ASSERT_EQ(data[k], 0) << k;
  EXPECT_EQ(host.prot_at(0x400000), kProtRead);
  EXPECT_EQ(host.prot_at(0x401000), kProtRead | kProtExec);
  EXPECT_EQ(host.prot_at(0x402000), kProtRead | kProtWrite);
  EXPECT_EQ(host.prot_at(0x404fff), kProtRead | kProtWrite);
  // Three runs, one call each.
  EXPECT_EQ(host.protects.size(), 3u);
}

TEST(LoaderLoadElf, SharedPageGetsUnionAndGapsGetNone) {
  // text R+X at 0x401000..0x401100, data R+W from 0x401800 (same page), then a hole, then
  // a read-only segment at 0x405000.
  ElfBuilder b;
  b.file_size = 0x3000;
  b.ph[2] = ElfBuilder::load(0x1800, 0x401800, 0x100, 0x1000, kPfR | kPfW);  // ends 0x402800
  b.ph.insert(b.ph.begin() + 3, ElfBuilder::load(0x2000, 0x405000, 0x80, 0x80, kPfR));
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  HostLoader host;
  host.file = &file;
  LoadedImage img;
  ASSERT_EQ(load_elf(info, host.ops(), img), ElfError::Ok);
  EXPECT_EQ(host.prot_at(0x400000), kProtRead);
  EXPECT_EQ(host.prot_at(0x401000), kProtRead | kProtWrite | kProtExec);  // shared page
  EXPECT_EQ(host.prot_at(0x402000), kProtRead | kProtWrite);
  EXPECT_EQ(host.prot_at(0x403000), kProtNone);  // hole
  EXPECT_EQ(host.prot_at(0x404000), kProtNone);
  EXPECT_EQ(host.prot_at(0x405000), kProtRead);
  EXPECT_EQ(host.prot_at(0x406000), -1);  // past the span: never touched
  EXPECT_EQ(img.brk_start, 0x406000u);
  // The data segment's bytes landed in the shared page after the text, and its bss is zero.
  const auto* d = reinterpret_cast<const std::uint8_t*>(0x401800);
  EXPECT_EQ(std::memcmp(d, file.data() + 0x1800, 0x100), 0);
  for (int k = 0x100; k < 0x1000; ++k) ASSERT_EQ(d[k], 0);
  // Every protect call covers whole pages inside the span.
  for (const auto& c : host.protects) {
    EXPECT_EQ(c.addr % kPageSize, 0u);
    EXPECT_EQ(c.len % kPageSize, 0u);
    EXPECT_GE(c.addr, img.start);
    EXPECT_LE(c.addr + c.len, img.end);
  }
}

TEST(LoaderLoadElf, ThreeSegmentsInOnePage) {
  ElfBuilder b;
  b.ph.clear();
  b.ph.push_back(ElfBuilder::load(0x0, 0x400000, 0x400, 0x400, kPfR));
  b.ph.push_back(ElfBuilder::load(0x1400, 0x400400, 0x100, 0x100, kPfR | kPfX));
  b.ph.push_back(ElfBuilder::load(0x1800, 0x400800, 0x100, 0x200, kPfR | kPfW));
  b.eh.e_entry = 0x400400;
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  HostLoader host;
  host.file = &file;
  LoadedImage img;
  ASSERT_EQ(load_elf(info, host.ops(), img), ElfError::Ok);
  ASSERT_EQ(host.protects.size(), 1u);
  EXPECT_EQ(host.protects[0].addr, 0x400000u);
  EXPECT_EQ(host.protects[0].len, kPageSize);
  EXPECT_EQ(host.protects[0].prot, kProtRead | kProtWrite | kProtExec);
}

TEST(LoaderLoadElf, ProtectionsReallyApplied) {
  Bytes file = read_file(LOADER_TINY_STATIC_PIE);
  ElfInfo info;
  ASSERT_EQ(parse_like_shim(file, info), ElfError::Ok);
  HostLoader host;
  host.file = &file;
  host.apply_protections = true;
  LoadedImage img;
  ASSERT_EQ(load_elf(info, host.ops(), img), ElfError::Ok);
  // /proc/self/maps shows the text page r-x.
  std::ifstream maps("/proc/self/maps");
  std::string line;
  bool found = false;
  while (std::getline(maps, line)) {
    std::uint64_t lo = std::stoull(line.substr(0, line.find('-')), nullptr, 16);
    if (lo == img.start) {
      EXPECT_EQ(line.substr(line.find(' ') + 1, 4), "r-xp") << line;
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(LoaderLoadElf, ErrorsFromOps) {
  ElfBuilder b;
  b.eh.e_type = kEtDyn;
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  LoadedImage img;
  {
    HostLoader host;
    host.file = &file;
    host.fail_reserve = 0;
    LoadOps ops = host.ops();
    ops.reserve = [](void*, std::uint64_t, std::uint64_t) -> std::uint64_t { return 0; };
    EXPECT_EQ(load_elf(info, ops, img), ElfError::ReserveFailed);
  }
  {
    HostLoader host;
    host.file = &file;
    host.fail_reserve = 0x10000123;  // not page aligned
    EXPECT_EQ(load_elf(info, host.ops(), img), ElfError::ReserveFailed);
  }
  {
    HostLoader host;
    host.file = &file;
    host.read_result_override = -5;  // -EIO
    EXPECT_EQ(load_elf(info, host.ops(), img), ElfError::ReadFailed);
  }
  {
    Bytes shorter(file.begin(), file.begin() + 0x2080);  // file shrank after parsing
    HostLoader host;
    host.file = &shorter;
    EXPECT_EQ(load_elf(info, host.ops(), img), ElfError::ShortRead);
  }
  {
    HostLoader host;
    host.file = &file;
    LoadOps ops = host.ops();
    ops.protect = [](void*, std::uint64_t, std::uint64_t, int) { return -1; };
    EXPECT_EQ(load_elf(info, ops, img), ElfError::ProtectFailed);
  }
}

TEST(LoaderLoadElf, FixedReserveAtWrongAddressIsRefused) {
  ElfBuilder b;
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  HostLoader host;
  host.file = &file;
  host.fail_reserve = 0x500000;  // page aligned but not the fixed address asked for
  LoadedImage img;
  EXPECT_EQ(load_elf(info, host.ops(), img), ElfError::ReserveFailed);
}

TEST(LoaderLoadElf, InconsistentInfoIsRefused) {
  ElfBuilder b;
  Bytes file = b.bytes();
  ElfInfo info;
  ASSERT_EQ(parse_elf(file.data(), file.size(), file.size(), info), ElfError::Ok);
  HostLoader host;
  host.file = &file;
  LoadedImage img;
  ElfInfo bad = info;
  bad.load_count = 0;
  EXPECT_EQ(load_elf(bad, host.ops(), img), ElfError::BadArgument);
  bad = info;
  bad.loads[1].memsz = 0x2000;  // overlaps the next segment
  EXPECT_EQ(load_elf(bad, host.ops(), img), ElfError::BadArgument);
  bad = info;
  bad.span_start += 0x100;  // not page aligned
  EXPECT_EQ(load_elf(bad, host.ops(), img), ElfError::BadArgument);
  bad = info;
  bad.type = kEtExec;
  bad.span_start = 0;  // ET_EXEC must name its fixed address
  EXPECT_EQ(load_elf(bad, host.ops(), img), ElfError::BadArgument);
  bad = info;
  bad.span_end = bad.span_start;
  EXPECT_EQ(load_elf(bad, host.ops(), img), ElfError::BadArgument);
  EXPECT_EQ(host.reserved, 0u);  // nothing reserved for a refused description
}

}  // namespace
