// The rules of Cocoon's seccomp allowlists, built with libseccomp into BPF (struct
// sock_filter instructions, 8 bytes each). The build embeds what these return
// (compiled_filters.hpp); a test checks that the embedded bytes are what they build now.
#pragma once

#include <cstdint>
#include <vector>

namespace cocoon::seccomp {

// The untrusted proxy: the syscalls the enclave forwards (every Route::Forward row of the
// syscall table) and what the proxy's own runtime needs; anything else fails with ENOSYS,
// and the calls that reach another process's memory with EPERM.
std::vector<std::uint8_t> build_proxy_filter();

// The enclave process: the host syscalls the shim itself makes; anything else kills it.
std::vector<std::uint8_t> build_enclave_allowlist();

}  // namespace cocoon::seccomp
