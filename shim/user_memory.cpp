#include "shim/user_memory.hpp"

#include "shim/linux_abi.hpp"
#include "shim/memory.hpp"

extern "C" {
long shim_user_copy(void* dst, const void* src, std::uint64_t len);
long shim_user_fill(void* dst, int byte, std::uint64_t len);
long shim_user_strnlen(const void* p, std::uint64_t n);
}

namespace cocoon::shim::user {

bool range_ok(std::uint64_t addr, std::uint64_t len) { return mem::is_mapped(addr, len, abi::kProtRead); }

bool range_writable(std::uint64_t addr, std::uint64_t len) { return mem::is_mapped(addr, len, abi::kProtWrite); }

bool copy_from(void* dst, std::uint64_t src, std::uint64_t len) {
  if (!range_ok(src, len)) return false;
  return shim_user_copy(dst, reinterpret_cast<const void*>(src), len) == 0;
}

bool copy_to(std::uint64_t dst, const void* src, std::uint64_t len) {
  if (!range_writable(dst, len)) return false;
  return shim_user_copy(reinterpret_cast<void*>(dst), src, len) == 0;
}

bool fill(std::uint64_t dst, int byte, std::uint64_t len) {
  if (!range_writable(dst, len)) return false;
  return shim_user_fill(reinterpret_cast<void*>(dst), byte, len) == 0;
}

long strnlen(std::uint64_t addr, std::uint64_t max) {
  // Check page by page so that a string ending just before an unmapped page is fine.
  std::uint64_t n = 0;
  while (n < max) {
    std::uint64_t page_end = ((addr + n) | 4095) + 1;
    std::uint64_t chunk = page_end - (addr + n);
    if (!range_ok(addr + n, 1)) return -abi::kEFAULT;
    if (chunk > max - n) chunk = max - n;
    long k = shim_user_strnlen(reinterpret_cast<const void*>(addr + n), chunk);
    if (k < 0) return -abi::kEFAULT;  // unmapped by another thread meanwhile
    if (static_cast<std::uint64_t>(k) < chunk) return static_cast<long>(n + static_cast<std::uint64_t>(k));
    n += chunk;
  }
  return static_cast<long>(max);
}

}  // namespace cocoon::shim::user
