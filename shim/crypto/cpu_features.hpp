// CPU feature detection for the shim's crypto (freestanding).
//
// CPUID is read once; the answer is cached in a plain word with relaxed atomic builtins, so
// concurrent first calls at worst run CPUID twice and store the same value.
#pragma once

#include <cstdint>

namespace cocoon::crypto {

struct CpuFeatures {
  bool sha_ni;   // CPUID.(EAX=7,ECX=0):EBX[29], plus SSSE3 and SSE4.1 that the routine also uses
  bool aes_ni;   // CPUID.1:ECX[25], plus SSSE3/SSE4.1
  bool rdrand;   // CPUID.1:ECX[30]
};

// Cached after the first call.
CpuFeatures cpu_features();

}  // namespace cocoon::crypto
