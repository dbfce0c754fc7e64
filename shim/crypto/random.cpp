#include "shim/crypto/random.hpp"

#include "shim/crypto/constant_time.hpp"
#include "shim/crypto/cpu_features.hpp"

namespace cocoon::crypto {

const char* random_status_name(RandomStatus s) {
  switch (s) {
    case RandomStatus::Ok: return "ok";
    case RandomStatus::NoRdrand: return "the CPU has no RDRAND instruction";
    case RandomStatus::HardwareFailure: return "RDRAND returned no data after repeated retries";
  }
  return "unknown random status";
}

bool rdrand64(std::uint64_t* value, void* /*ctx*/) {
  std::uint64_t v;
  std::uint8_t ok;
  // RDRAND sets CF=1 when it returned a random value.
  asm volatile("rdrand %0\n\tsetc %1" : "=r"(v), "=qm"(ok) : : "cc");
  *value = v;
  return ok != 0;
}

RandomStatus random_bytes_from(Random64Source source, void* ctx, void* out, std::size_t n) {
  auto* p = static_cast<std::uint8_t*>(out);
  while (n > 0) {
    std::uint64_t word = 0;
    bool got = false;
    for (int attempt = 0; attempt < kRdrandRetries && !got; ++attempt) got = source(&word, ctx);
    if (!got) return RandomStatus::HardwareFailure;
    const std::size_t take = n < 8 ? n : 8;
    for (std::size_t i = 0; i < take; ++i) p[i] = static_cast<std::uint8_t>(word >> (8 * i));
    p += take;
    n -= take;
    secure_wipe(&word, sizeof word);
  }
  return RandomStatus::Ok;
}

RandomStatus random_bytes(void* out, std::size_t n) {
  if (!cpu_features().rdrand) return RandomStatus::NoRdrand;
  return random_bytes_from(&rdrand64, nullptr, out, n);
}

}  // namespace cocoon::crypto
