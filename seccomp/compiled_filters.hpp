// The allowlists of filter_rules.hpp, compiled to BPF at build time (gen_filters.cpp writes
// the definitions). Installing one needs no libseccomp at run time.
#pragma once

#include <cstdint>
#include <span>

namespace cocoon::seccomp {

std::span<const std::uint8_t> compiled_proxy_filter();
std::span<const std::uint8_t> compiled_enclave_allowlist();

}  // namespace cocoon::seccomp
