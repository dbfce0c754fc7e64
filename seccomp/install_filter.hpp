// Installing a compiled filter (host code; the shim's uRTS has its own, freestanding).
#pragma once

#include <cstdint>
#include <span>

namespace cocoon::seccomp {

// Confines the calling thread, and what it starts afterwards, to `bpf` (struct sock_filter
// instructions): no_new_privs, then seccomp(SECCOMP_SET_MODE_FILTER). Returns 0 or -errno.
int install_filter(std::span<const std::uint8_t> bpf);

}  // namespace cocoon::seccomp
