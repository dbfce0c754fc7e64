// Random bytes from the CPU's RDRAND (freestanding).
//
// The project machines have RDRAND (and the code does not rely on RDSEED). RDRAND may
// transiently report "no data" (CF=0); each 64-bit word is retried up to kRdrandRetries
// times, as Intel's DRNG guide recommends, and then the whole request fails with
// RandomStatus::HardwareFailure rather than returning weak bytes.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::crypto {

inline constexpr int kRdrandRetries = 10;

enum class RandomStatus : std::uint8_t {
  Ok,
  NoRdrand,         // CPUID says the CPU has no RDRAND
  HardwareFailure,  // RDRAND kept failing after kRdrandRetries attempts for one word
};

const char* random_status_name(RandomStatus s);

// Fill out[0..n) with random bytes. On failure the contents of out are unspecified (callers
// must not use them).
RandomStatus random_bytes(void* out, std::size_t n);

// The same retry logic over any 64-bit source (a test seam: lets tests check the bounded
// retries with a source that fails). source returns false for "no data this time".
using Random64Source = bool (*)(std::uint64_t* value, void* ctx);
RandomStatus random_bytes_from(Random64Source source, void* ctx, void* out, std::size_t n);

// One RDRAND attempt (no retry). Exposed for tests and benchmarks.
bool rdrand64(std::uint64_t* value, void* ctx);

}  // namespace cocoon::crypto
