#include "shim/relocate.hpp"

extern "C" {
extern const char __ehdr_start[] __attribute__((visibility("hidden")));
extern std::uint64_t _DYNAMIC[] __attribute__((visibility("hidden")));
}

namespace cocoon::shim {
namespace {
constexpr std::uint64_t kDtNull = 0, kDtRela = 7, kDtRelasz = 8, kDtRelaent = 9;
constexpr std::uint32_t kRelative = 8, kNone = 0;
}  // namespace

std::uint64_t image_load_base() {
  std::uint64_t b;
  asm("lea __ehdr_start(%%rip), %0" : "=r"(b));
  return b;
}

bool self_relocate(std::uint64_t base) {
  std::uint64_t dyn_addr;
  asm("lea _DYNAMIC(%%rip), %0" : "=r"(dyn_addr));
  auto* dyn = reinterpret_cast<const std::uint64_t*>(dyn_addr);
  std::uint64_t rela = 0, relasz = 0, relaent = 24;
  for (; dyn[0] != kDtNull; dyn += 2) {
    if (dyn[0] == kDtRela) rela = dyn[1];
    else if (dyn[0] == kDtRelasz) relasz = dyn[1];
    else if (dyn[0] == kDtRelaent) relaent = dyn[1];
  }
  if (!rela || relaent != 24) return relasz == 0;
  for (std::uint64_t off = 0; off + 24 <= relasz; off += 24) {
    auto* r = reinterpret_cast<const std::uint64_t*>(base + rela + off);
    std::uint32_t type = static_cast<std::uint32_t>(r[1]);
    if (type == kNone) continue;
    if (type != kRelative) return false;
    *reinterpret_cast<std::uint64_t*>(base + r[0]) = base + r[2];
  }
  return true;
}

}  // namespace cocoon::shim
