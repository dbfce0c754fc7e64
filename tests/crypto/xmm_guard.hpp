// Test helper: call an assembly routine with known values in xmm0-xmm15 and capture what the
// registers hold right after it returns (to check that shim crypto preserves vector state).
#pragma once

#include <cstdint>

namespace cocoon::test {

struct XmmFrame {
  alignas(16) std::uint8_t before[16][16];  // loaded into xmm0..xmm15 just before the call
  alignas(16) std::uint8_t after[16][16];   // stored from xmm0..xmm15 right after the call
};

// Fills frame.before with a distinct pattern per register (seeded), calls fn(a0, a1, a2, a3)
// (SysV ABI, four integer arguments) and fills frame.after.
void call_with_xmm_pattern(const void* fn, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                           std::uint64_t a3, XmmFrame& frame, std::uint8_t seed);

struct YmmFrame {
  alignas(32) std::uint8_t before[16][32];  // loaded into ymm0..ymm15 (all 256 bits)
  alignas(32) std::uint8_t after[16][32];
};

// True when the CPU has AVX and the OS has enabled YMM state (CPUID.1:ECX.OSXSAVE/AVX, XCR0).
bool avx_usable();

// As call_with_xmm_pattern, but loads and captures the full 256-bit YMM registers, so a test
// can check that a routine using legacy-SSE encodings leaves the upper halves alone.
void call_with_ymm_pattern(const void* fn, std::uint64_t a0, std::uint64_t a1, std::uint64_t a2,
                           std::uint64_t a3, YmmFrame& frame, std::uint8_t seed);

}  // namespace cocoon::test
