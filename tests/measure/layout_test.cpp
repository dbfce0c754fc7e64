// The enclave layout (manifest/enclave_layout.cpp) and its measurement: real shim, synthetic
// ELF files for every rejection, parameter checks, determinism and tamper sensitivity.
#include <gtest/gtest.h>

#include <openssl/evp.h>

#include <chrono>
#include <cstring>
#include <sstream>
#include <vector>

#include "manifest/enclave_layout.hpp"
#include "manifest/measurement.hpp"
#include "manifest/sgx_structs.hpp"
#include "shim/shim_image.hpp"

namespace cocoon::layout {
namespace {

using measure::Digest;

// A minimal ELF64 x86-64 ET_DYN with the given PT_LOAD segments (p_offset = p_vaddr).
struct Seg {
  std::uint64_t vaddr, filesz, memsz;
  std::uint32_t flags;  // PF_X=1 PF_W=2 PF_R=4
  std::uint64_t offset = ~0ull;  // default: = vaddr
};
std::vector<std::uint8_t> make_elf(const std::vector<Seg>& segs, std::uint64_t entry, std::size_t file_size = 0x4000) {
  std::vector<std::uint8_t> f(file_size, 0);
  auto put = [&](std::size_t off, std::uint64_t v, int n) {
    for (int i = 0; i < n; ++i) f[off + i] = static_cast<std::uint8_t>(v >> (8 * i));
  };
  f[0] = 0x7f, f[1] = 'E', f[2] = 'L', f[3] = 'F', f[4] = 2, f[5] = 1, f[6] = 1;
  put(16, 3, 2);    // ET_DYN
  put(18, 62, 2);   // EM_X86_64
  put(20, 1, 4);
  put(24, entry, 8);
  put(32, 64, 8);   // e_phoff
  put(52, 64, 2);
  put(54, 56, 2);
  put(56, segs.size(), 2);
  for (std::size_t i = 0; i < segs.size(); ++i) {
    const std::size_t ph = 64 + i * 56;
    put(ph, 1, 4);
    put(ph + 4, segs[i].flags, 4);
    put(ph + 8, segs[i].offset == ~0ull ? segs[i].vaddr : segs[i].offset, 8);
    put(ph + 16, segs[i].vaddr, 8);
    put(ph + 32, segs[i].filesz, 8);
    put(ph + 40, segs[i].memsz, 8);
    put(ph + 48, 0x1000, 8);
  }
  for (std::size_t i = 0x1000; i < f.size(); ++i) f[i] = static_cast<std::uint8_t>(i * 7 + 1);
  return f;
}

std::vector<std::uint8_t> good_elf() {
  return make_elf({{0, 0x200, 0x200, 4}, {0x1000, 0x800, 0x800, 5}, {0x2f00, 0x100, 0x1100, 6}}, 0x1010);
}

struct Collected {
  std::vector<PageRun> runs;
};
void collect(const PageRun& r, void* ctx) { static_cast<Collected*>(ctx)->runs.push_back(r); }

LayoutParams params_for(const std::vector<std::uint8_t>& elf, std::uint64_t size = 1 << 24, std::uint32_t threads = 2) {
  LayoutParams p;
  p.enclave_size = size;
  p.max_threads = threads;
  p.shim_elf = elf.data();
  p.shim_elf_size = elf.size();
  return p;
}

TEST(EnclaveLayout, SyntheticShimIsLaidOutAtTheTopWithHeapBelow) {
  const auto elf = good_elf();
  static const std::uint8_t manifest[5000] = {1, 2, 3};
  auto p = params_for(elf);
  p.manifest = manifest;
  p.manifest_size = sizeof manifest;
  EnclaveDescriptor d{};
  Collected c;
  ASSERT_EQ(build_layout(p, d, collect, &c), LayoutError::None);
  EXPECT_EQ(std::memcmp(d.magic, "COCOON\0\1", 8), 0);
  EXPECT_EQ(d.shim_span, 0x4000u);
  EXPECT_EQ(d.image_offset + d.image_span, p.enclave_size);
  EXPECT_EQ(d.heap_offset, kLowReserved);
  EXPECT_EQ(d.heap_offset + d.heap_size, d.image_offset);
  EXPECT_EQ(d.shim_entry, d.image_offset + 0x1010);
  EXPECT_EQ(d.shim_text_begin, d.image_offset + 0x1000);
  EXPECT_EQ(d.shim_text_end, d.image_offset + 0x2000);
  EXPECT_EQ(d.manifest_offset, d.image_offset + 0x4000 + 0x1000);
  EXPECT_EQ(d.threads_offset, d.manifest_offset + 0x2000);
  EXPECT_EQ(d.thread_span, (1 + 2 + 1 + 16 + 8 + 1) * 4096u);

  // Runs strictly increasing, page aligned, inside ELRANGE, heap first and unmeasured.
  ASSERT_FALSE(c.runs.empty());
  EXPECT_EQ(c.runs[0].offset, kLowReserved);
  EXPECT_FALSE(c.runs[0].measured);
  EXPECT_EQ(c.runs[0].secinfo_flags, 0x207u);
  std::uint64_t end = 0;
  for (const auto& r : c.runs) {
    EXPECT_EQ(r.offset % 4096, 0u);
    EXPECT_GE(r.offset, end);
    end = r.offset + r.pages * 4096;
    EXPECT_LE(end, p.enclave_size);
    if (&r != &c.runs[0]) {
      EXPECT_TRUE(r.measured);
    }
  }
  // Shim segments: flags from p_flags (R, RX, RW), the data segment's lead bytes come from the file.
  EXPECT_EQ(c.runs[1].secinfo_flags, 0x201u);
  EXPECT_EQ(c.runs[2].secinfo_flags, 0x205u);
  EXPECT_EQ(c.runs[3].secinfo_flags, 0x203u);
  EXPECT_EQ(c.runs[3].offset, d.image_offset + 0x2000);
  EXPECT_EQ(c.runs[3].pages, 2u);
  EXPECT_EQ(c.runs[3].data, elf.data() + 0x2000);
  EXPECT_EQ(c.runs[3].data_size, 0xf00u + 0x100u);
  EXPECT_EQ(c.runs[4].content, Content::Descriptor);
  EXPECT_EQ(c.runs[5].content, Content::Bytes);
  EXPECT_EQ(c.runs[5].pages, 2u);
  EXPECT_EQ(c.runs[6].content, Content::Tcs);
  EXPECT_EQ(c.runs[6].secinfo_flags, 0x100u);
  // 2 threads x (TCS, SSA, stack, altstack, TLS) after heap, 3 segments, descriptor, manifest.
  EXPECT_EQ(c.runs.size(), 1u + 3 + 1 + 1 + 2 * 5);
}

TEST(EnclaveLayout, TcsPointsAtTheThreadsSsaEntryAndTls) {
  const auto elf = good_elf();
  auto p = params_for(elf);
  EnclaveDescriptor d{};
  Collected c;
  ASSERT_EQ(build_layout(p, d, collect, &c), LayoutError::None);
  std::uint8_t page[4096];
  make_tcs(d, 1, page);
  sgx::Tcs tcs;
  std::memcpy(&tcs, page, sizeof tcs);
  const std::uint64_t base = d.threads_offset + d.thread_span;
  EXPECT_EQ(tcs.ossa, base + 4096);
  EXPECT_EQ(tcs.cssa, 0u);
  EXPECT_EQ(tcs.nssa, 2u);
  EXPECT_EQ(tcs.oentry, d.shim_entry);
  EXPECT_EQ(tcs.ofsbasgx, 0u);
  EXPECT_EQ(tcs.ogsbasgx, base + d.tls_in_thread);
  EXPECT_EQ(tcs.fslimit, 0xfffu);
  EXPECT_EQ(tcs.gslimit, 0xfffu);
  for (std::size_t i = 72; i < 4096; ++i) ASSERT_EQ(page[i], 0) << i;
}

TEST(EnclaveLayout, RejectsBadShimsAndParameters) {
  auto check = [](const std::vector<std::uint8_t>& elf, LayoutError want, std::uint64_t size = 1 << 24,
                  std::uint32_t threads = 2) {
    auto p = params_for(elf, size, threads);
    EnclaveDescriptor d{};
    Collected c;
    EXPECT_EQ(build_layout(p, d, collect, &c), want) << layout_error_name(want);
  };
  auto not_elf = good_elf();
  not_elf[1] = 'X';
  check(not_elf, LayoutError::ShimNotElf);
  auto wrong_machine = good_elf();
  wrong_machine[18] = 3;
  check(wrong_machine, LayoutError::ShimNotElf);
  check(std::vector<std::uint8_t>(10, 0x7f), LayoutError::ShimNotElf);
  check(make_elf({{0x1000, 0x100, 0x100, 5}}, 0x1000), LayoutError::ShimNotElf);  // not linked at 0
  check(make_elf({{0, 0x1800, 0x1800, 4}, {0x1000, 0x100, 0x100, 5}}, 0x1000), LayoutError::ShimBadSegments);  // overlap
  check(make_elf({{0, 0x100, 0x100, 5}, {0x1000, 0x8000, 0x8000, 4}}, 0x10), LayoutError::ShimBadSegments);  // past file
  check(make_elf({{0, 0x100, 0x100, 5, 0x80}}, 0x10), LayoutError::ShimBadSegments);  // offset != vaddr mod page
  check(make_elf({{0, 0x200, 0x100, 5}}, 0x10), LayoutError::ShimBadSegments);        // filesz > memsz
  check(make_elf({{0, 0x200, 0x200, 4}}, 0x10), LayoutError::ShimBadSegments);        // no executable segment
  check(make_elf({{0, 0x200, 0x200, 5}}, 0x1900), LayoutError::ShimBadSegments);      // entry outside text
  auto bad_phnum = good_elf();
  bad_phnum[56] = 0xff;
  check(bad_phnum, LayoutError::ShimBadSegments);
  check(good_elf(), LayoutError::SizeNotPowerOfTwo, (1 << 24) + 4096);
  check(good_elf(), LayoutError::SizeNotPowerOfTwo, 0);
  check(good_elf(), LayoutError::SizeTooSmall, 4096);
  check(good_elf(), LayoutError::SizeTooSmall, 1 << 17);  // image + low reserve do not fit
  check(good_elf(), LayoutError::BadThreads, 1 << 24, 0);
  auto elf = good_elf();
  auto p = params_for(elf);
  p.stack_size = 1000;
  EnclaveDescriptor d{};
  EXPECT_EQ(build_layout(p, d, collect, nullptr), LayoutError::BadStack);
  p = params_for(elf);
  p.nssa = 0;
  EXPECT_EQ(build_layout(p, d, collect, nullptr), LayoutError::BadStack);
}

TEST(EnclaveLayout, RealShimLaysOut) {
  const auto shim = shim::shim_image();
  ASSERT_GT(shim.size(), 64u);
  LayoutParams p;
  p.enclave_size = 1ull << 28;
  p.max_threads = 4;
  p.shim_elf = shim.data();
  p.shim_elf_size = shim.size();
  EnclaveDescriptor d{};
  Collected c;
  ASSERT_EQ(build_layout(p, d, collect, &c), LayoutError::None);
  EXPECT_GT(d.shim_text_end, d.shim_text_begin);
  EXPECT_GE(d.shim_entry, d.shim_text_begin);
  EXPECT_LT(d.shim_entry, d.shim_text_end);
  EXPECT_EQ(d.image_offset + d.image_span, p.enclave_size);
}

Digest measure(const std::vector<std::uint8_t>& elf, const std::vector<std::uint8_t>& manifest,
               std::uint64_t size = 1 << 24) {
  auto p = params_for(elf, size);
  p.manifest = manifest.data();
  p.manifest_size = manifest.size();
  return measure::measure_layout(p);
}

TEST(LayoutMeasurement, DeterministicAndSensitiveToEveryMeasuredInput) {
  const auto elf = good_elf();
  std::vector<std::uint8_t> manifest(3000, 0x5a);
  const Digest base = measure(elf, manifest);
  EXPECT_EQ(base, measure(elf, manifest));
  auto m2 = manifest;
  m2[1234] ^= 1;  // one byte of the manifest blob
  EXPECT_NE(base, measure(elf, m2));
  auto e2 = elf;
  e2[0x1100] ^= 1;  // one byte of shim text
  EXPECT_NE(base, measure(e2, manifest));
  EXPECT_NE(base, measure(elf, manifest, 1 << 25));  // enclave size
  auto p = params_for(elf);
  p.manifest = manifest.data();
  p.manifest_size = manifest.size();
  p.heap_executable = false;  // heap SECINFO flags are in the EADD records
  EXPECT_NE(base, measure::measure_layout(p));
}

TEST(LayoutMeasurement, SgxsStreamHashesToTheSameMrenclave) {
  const auto elf = good_elf();
  auto p = params_for(elf);
  std::ostringstream out;
  Digest d;
  {
    measure::SgxsWriter w(out);
    d = measure::measure_layout(p, &w);
  }
  const std::string s = out.str();
  Digest h{};
  unsigned len = 0;
  ASSERT_EQ(EVP_Digest(s.data(), s.size(), h.data(), &len, EVP_sha256(), nullptr), 1);
  EXPECT_EQ(h, d);  // no UNMEASRD records: sha256(file) == MRENCLAVE
  std::istringstream in(s);
  EXPECT_EQ(measure::replay_sgxs(in), d);
}

TEST(LayoutMeasurement, BadLayoutIsAMeasurementErrorNamingTheProblem) {
  const auto elf = good_elf();
  auto p = params_for(elf, 3 << 20);
  try {
    measure::measure_layout(p);
    FAIL() << "accepted";
  } catch (const measure::MeasurementError& e) {
    EXPECT_STREQ(e.what(), "enclave layout: enclave size is not a power of two");
  }
}

TEST(LayoutMeasurement, EightGiBEnclaveIsStreamedQuickly) {
  // 2 M unmeasured heap pages: only the EADD records are hashed (128 MiB), nothing is
  // allocated per page. Generous bound (sanitizers, shared machine); the benchmark measures it.
  const auto elf = good_elf();
  auto p = params_for(elf, 8ull << 30, 64);
  const auto t0 = std::chrono::steady_clock::now();
  const Digest d = measure::measure_layout(p);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_NE(d, Digest{});
  EXPECT_LT(s, 30.0);
}

}  // namespace
}  // namespace cocoon::layout
