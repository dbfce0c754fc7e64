#include "shim/crypto/cpu_features.hpp"

namespace cocoon::crypto {
namespace {

struct CpuidRegs {
  std::uint32_t eax, ebx, ecx, edx;
};

CpuidRegs cpuid(std::uint32_t leaf, std::uint32_t subleaf) {
  CpuidRegs r;
  asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
  return r;
}

constexpr std::uint32_t kKnown = 1u << 31;
constexpr std::uint32_t kShaNi = 1u << 0, kAesNi = 1u << 1, kRdrand = 1u << 2;

// 0 = not read yet; otherwise kKnown | feature bits. No constructor: zero-initialised data.
std::uint32_t g_cached = 0;

std::uint32_t detect() {
  std::uint32_t bits = kKnown;
  const CpuidRegs l0 = cpuid(0, 0);
  if (l0.eax < 1) return bits;
  const CpuidRegs l1 = cpuid(1, 0);
  const bool ssse3 = (l1.ecx >> 9) & 1;
  const bool sse41 = (l1.ecx >> 19) & 1;
  if (((l1.ecx >> 25) & 1) && ssse3 && sse41) bits |= kAesNi;
  if ((l1.ecx >> 30) & 1) bits |= kRdrand;
  if (l0.eax >= 7) {
    const CpuidRegs l7 = cpuid(7, 0);
    if (((l7.ebx >> 29) & 1) && ssse3 && sse41) bits |= kShaNi;
  }
  return bits;
}

}  // namespace

CpuFeatures cpu_features() {
  std::uint32_t bits = __atomic_load_n(&g_cached, __ATOMIC_RELAXED);
  if (bits == 0) {
    bits = detect();
    __atomic_store_n(&g_cached, bits, __ATOMIC_RELAXED);
  }
  return CpuFeatures{(bits & kShaNi) != 0, (bits & kAesNi) != 0, (bits & kRdrand) != 0};
}

}  // namespace cocoon::crypto
