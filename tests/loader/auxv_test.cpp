// make_auxv: entries, order and values.
#include <gtest/gtest.h>

#include "loader/auxv.hpp"

using namespace cocoon::loader;

namespace {

std::uint64_t value_of(const AuxEntry* aux, std::size_t n, std::uint64_t type, int* count) {
  std::uint64_t v = ~0ull;
  *count = 0;
  for (std::size_t i = 0; i < n; ++i)
    if (aux[i].type == type) {
      v = aux[i].value;
      ++*count;
    }
  return v;
}

TEST(LoaderAuxv, DynamicProgramEntries) {
  LoadedImage prog{0x555500000000, 0x555500001040, 0x555500000040, 13, 56, 0, 0, 0};
  LoadedImage interp{0x7f0000000000, 0x7f0000001100, 0, 0, 0, 0, 0, 0};
  AuxvParams p;
  p.program = &prog;
  p.interp = &interp;
  p.uid = 1;
  p.euid = 2;
  p.gid = 3;
  p.egid = 4;
  p.hwcap = 0x178bfbff;
  p.hwcap2 = 2;
  p.minsigstksz = 3632;
  p.sysinfo_ehdr = 0x7ffff7fc8000;
  p.secure = true;
  AuxEntry aux[kMaxAuxEntries];
  const std::size_t n = make_auxv(p, aux);
  ASSERT_EQ(n, kMaxAuxEntries);
  const std::uint64_t want[][2] = {{kAtSysinfoEhdr, 0x7ffff7fc8000}, {kAtMinsigstksz, 3632}, {kAtHwcap, 0x178bfbff},
                                   {kAtPagesz, 4096},  {kAtClktck, 100},       {kAtPhdr, 0x555500000040},
                                   {kAtPhent, 56},     {kAtPhnum, 13},         {kAtBase, 0x7f0000000000},
                                   {kAtFlags, 0},      {kAtEntry, 0x555500001040}, {kAtUid, 1},
                                   {kAtEuid, 2},       {kAtGid, 3},            {kAtEgid, 4},
                                   {kAtSecure, 1},     {kAtRandom, 0},         {kAtHwcap2, 2},
                                   {kAtExecfn, 0},     {kAtPlatform, 0}};
  for (std::size_t i = 0; i < n; ++i) {
    EXPECT_EQ(aux[i].type, want[i][0]) << i;
    EXPECT_EQ(aux[i].value, want[i][1]) << i;
  }
}

TEST(LoaderAuxv, StaticProgramHasBaseZeroAndOptionalEntriesOmitted) {
  LoadedImage prog{0, 0x401000, 0x400040, 10, 56, 0x400000, 0x600000, 0x600000};
  AuxvParams p;
  p.program = &prog;
  AuxEntry aux[kMaxAuxEntries];
  const std::size_t n = make_auxv(p, aux);
  EXPECT_EQ(n, kMaxAuxEntries - 2);
  int count = 0;
  EXPECT_EQ(value_of(aux, n, kAtBase, &count), 0u);
  EXPECT_EQ(count, 1);
  value_of(aux, n, kAtSysinfoEhdr, &count);
  EXPECT_EQ(count, 0);
  value_of(aux, n, kAtMinsigstksz, &count);
  EXPECT_EQ(count, 0);
  EXPECT_EQ(value_of(aux, n, kAtEntry, &count), 0x401000u);
  EXPECT_EQ(value_of(aux, n, kAtSecure, &count), 0u);
  AuxvParams none;
  EXPECT_EQ(make_auxv(none, aux), 0u);
}

}  // namespace
