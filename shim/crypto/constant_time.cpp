#include "shim/crypto/constant_time.hpp"

namespace cocoon::crypto {

bool ct_equal(const void* a, const void* b, std::size_t n) {
  const auto* pa = static_cast<const std::uint8_t*>(a);
  const auto* pb = static_cast<const std::uint8_t*>(b);
  std::uint32_t diff = 0;
  for (std::size_t i = 0; i < n; ++i) {
    diff |= static_cast<std::uint32_t>(pa[i] ^ pb[i]);
    // Hide `diff` from the optimiser so it cannot turn the loop into an early exit.
    asm volatile("" : "+r"(diff));
  }
  // diff in [0, 255]: (diff - 1) >> 31 is 1 only for diff == 0, without a data-dependent branch.
  return ((diff - 1) >> 31) & 1;
}

void secure_wipe(void* p, std::size_t n) {
  auto* q = static_cast<volatile std::uint8_t*>(p);
  for (std::size_t i = 0; i < n; ++i) q[i] = 0;
  asm volatile("" : : "r"(p) : "memory");
}

}  // namespace cocoon::crypto
