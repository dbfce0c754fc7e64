// build_initial_stack: the layout checked word by word, alignment for every argument count,
// the replaced auxv values, and the too-small / bad-argument errors.
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "loader/initial_stack.hpp"

using namespace cocoon::loader;

namespace {

// A window standing for target addresses [kTop - size, kTop): pointers written into it are
// target addresses, translated back here to check them.
constexpr std::uint64_t kTop = 0x7ff000000000;

struct Stack {
  std::vector<std::uint8_t> mem;
  explicit Stack(std::size_t size) : mem(size, 0xCC) {}
  std::uint64_t low() const { return kTop - mem.size(); }
  std::uint64_t word(std::uint64_t addr) const {
    std::uint64_t v;
    std::memcpy(&v, mem.data() + (addr - low()), 8);
    return v;
  }
  std::string str(std::uint64_t addr) const {
    return std::string(reinterpret_cast<const char*>(mem.data() + (addr - low())));
  }
  bool inside(std::uint64_t addr) const { return addr >= low() && addr < kTop; }
};

const std::uint8_t kRandom[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};

TEST(LoaderInitialStack, LayoutFieldByField) {
  const char* argv[] = {"prog", "-x", "hello world"};
  const char* envp[] = {"A=1", "HOME=/root"};
  const AuxEntry aux[] = {{kAtPhdr, 0x400040}, {kAtPagesz, 4096}, {kAtRandom, 0}, {kAtEntry, 0x401000}};
  InitialStackSpec spec;
  spec.argv = argv;
  spec.argc = 3;
  spec.envp = envp;
  spec.envc = 2;
  spec.auxv = aux;
  spec.auxc = 4;
  spec.random = kRandom;
  spec.platform = "x86_64";
  spec.execfn = "/usr/bin/prog";
  Stack s(4096);
  InitialStack out;
  ASSERT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::Ok);

  EXPECT_EQ(out.rsp % 16, 0u);
  std::uint64_t p = out.rsp;
  EXPECT_EQ(s.word(p), 3u);  // argc
  p += 8;
  EXPECT_EQ(out.argv, p);
  for (int i = 0; i < 3; ++i, p += 8) {
    ASSERT_TRUE(s.inside(s.word(p)));
    EXPECT_EQ(s.str(s.word(p)), argv[i]);
  }
  EXPECT_EQ(s.word(p), 0u);
  p += 8;
  EXPECT_EQ(out.envp, p);
  for (int i = 0; i < 2; ++i, p += 8) EXPECT_EQ(s.str(s.word(p)), envp[i]);
  EXPECT_EQ(s.word(p), 0u);
  p += 8;
  EXPECT_EQ(out.auxv, p);
  // Caller's entries in order, AT_RANDOM's value replaced; then the appended ones, AT_NULL.
  const std::uint64_t want[][2] = {{kAtPhdr, 0x400040}, {kAtPagesz, 4096}, {kAtRandom, out.random},
                                   {kAtEntry, 0x401000}, {kAtPlatform, out.platform}, {kAtExecfn, out.execfn},
                                   {kAtNull, 0}};
  for (const auto& w : want) {
    EXPECT_EQ(s.word(p), w[0]);
    EXPECT_EQ(s.word(p + 8), w[1]) << "aux type " << w[0];
    p += 16;
  }
  // Padding up to the platform string, zero and less than 16 bytes.
  EXPECT_LE(p, out.platform);
  EXPECT_LT(out.platform - p, 16u);
  for (std::uint64_t q = p; q < out.platform; ++q) EXPECT_EQ(s.mem[q - s.low()], 0);
  // platform, then random right above it, then the strings, then an 8-byte zero end marker.
  EXPECT_EQ(s.str(out.platform), "x86_64");
  EXPECT_EQ(out.random, out.platform + 7);
  EXPECT_EQ(std::memcmp(s.mem.data() + (out.random - s.low()), kRandom, 16), 0);
  EXPECT_EQ(s.word(out.argv), out.random + 16);  // argv[0] string is the lowest string
  EXPECT_EQ(s.str(out.execfn), "/usr/bin/prog");
  EXPECT_EQ(out.execfn + sizeof("/usr/bin/prog"), kTop - 8);
  EXPECT_EQ(s.word(kTop - 8), 0u);
  // Strings ascending: argv then envp then execfn, contiguous.
  std::uint64_t at = out.random + 16;
  for (const char* str : {"prog", "-x", "hello world", "A=1", "HOME=/root", "/usr/bin/prog"}) {
    EXPECT_EQ(s.str(at), str);
    at += std::strlen(str) + 1;
  }
  EXPECT_EQ(at, kTop - 8);
}

TEST(LoaderInitialStack, AlignedForEveryCountAndStringLength) {
  std::vector<std::string> storage;
  for (int i = 0; i < 9; ++i) storage.push_back(std::string(static_cast<std::size_t>(i), 'a' + i));
  std::vector<const char*> ptrs;
  for (auto& x : storage) ptrs.push_back(x.c_str());
  for (std::size_t argc = 0; argc <= 5; ++argc)
    for (std::size_t envc = 0; envc <= 4; ++envc)
      for (int plat = 0; plat < 2; ++plat) {
        InitialStackSpec spec;
        spec.argv = ptrs.data();
        spec.argc = argc;
        spec.envp = ptrs.data() + 4;
        spec.envc = envc;
        spec.random = kRandom;
        spec.platform = plat ? "x86_64" : nullptr;
        Stack s(2048);
        InitialStack out;
        ASSERT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::Ok);
        EXPECT_EQ(out.rsp % 16, 0u) << argc << " " << envc;
        EXPECT_EQ(s.word(out.rsp), argc);
        EXPECT_EQ(out.platform != 0, plat == 1);
        // Without a caller auxv: AT_RANDOM [, AT_PLATFORM], AT_NULL.
        EXPECT_EQ(s.word(out.auxv), kAtRandom);
        EXPECT_EQ(s.word(out.auxv + 8), out.random);
        std::uint64_t end = out.auxv + 16 * (plat ? 2 : 1);
        EXPECT_EQ(s.word(end), kAtNull);
        EXPECT_LE(end + 16, plat ? out.platform : out.random);
      }
}

TEST(LoaderInitialStack, TooSmallWindowIsE2big) {
  const char* argv[] = {"prog"};
  std::string big(5000, 'x');
  const char* envp[] = {big.c_str()};
  InitialStackSpec spec;
  spec.argv = argv;
  spec.argc = 1;
  spec.envp = envp;
  spec.envc = 1;
  spec.random = kRandom;
  Stack s(4096);
  InitialStack out;
  EXPECT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::TooSmall);
  // Nothing was written.
  for (std::uint8_t b : s.mem) ASSERT_EQ(b, 0xCC);
  // Strings fit but the pointer arrays do not: still nothing written.
  std::vector<const char*> empties(100, "");
  InitialStackSpec many;
  many.argv = empties.data();
  many.argc = empties.size();
  many.random = kRandom;
  Stack m(256);
  EXPECT_EQ(build_initial_stack(many, kTop, m.mem.data(), m.mem.size(), out), StackError::TooSmall);
  for (std::uint8_t b : m.mem) ASSERT_EQ(b, 0xCC);
  // Find the exact size that fits: everything just fits at some size, and one byte less fails
  // (the window's lower end is 16-aligned here, so the boundary is exact).
  spec.envc = 0;
  std::size_t fit = 0;
  for (std::size_t size = 16; size <= 256; size += 16) {
    Stack t(size);
    if (build_initial_stack(spec, kTop, t.mem.data(), size, out) == StackError::Ok) {
      fit = size;
      EXPECT_EQ(out.rsp, t.low());  // no wasted space below rsp
      break;
    }
  }
  // 8 marker + 5 "prog" + 16 random = 29 -> vectors at 29 + (argc, argv0, NULL, NULL, RANDOM pair,
  // NULL pair = 8 words = 64) = 93 -> rounded to 96.
  EXPECT_EQ(fit, 96u);
  Stack t(fit);
  EXPECT_EQ(build_initial_stack(spec, kTop + 8, t.mem.data(), fit, out), StackError::TooSmall)
      << "an 8-byte shift of an exactly-fitting stack must not fit";
}

TEST(LoaderInitialStack, BadArguments) {
  InitialStackSpec spec;
  Stack s(1024);
  InitialStack out;
  EXPECT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::BadArgument)
      << "random bytes are required";
  spec.random = kRandom;
  spec.argc = 1;  // argv null
  EXPECT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::BadArgument);
  spec.argc = 0;
  const AuxEntry with_null[] = {{kAtNull, 0}};
  spec.auxv = with_null;
  spec.auxc = 1;
  EXPECT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::BadArgument);
  const AuxEntry platform_without_data[] = {{kAtPlatform, 0}};
  spec.auxv = platform_without_data;
  EXPECT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::BadArgument);
  spec.auxc = 0;
  EXPECT_EQ(build_initial_stack(spec, 100, s.mem.data(), s.mem.size(), out), StackError::BadArgument)
      << "window larger than the address below stack_top";
  EXPECT_EQ(build_initial_stack(spec, kTop, s.mem.data(), s.mem.size(), out), StackError::Ok);
  EXPECT_STREQ(stack_error_message(StackError::TooSmall), "arguments and environment do not fit in the initial stack");
}

}  // namespace
