// The enclave process's seccomp filters, built on the host and installed by the enclave's
// untrusted runtime just before it enters the enclave:
//  1. an allowlist of the host syscalls the shim itself makes (its rules:
//     seccomp/filter_rules.cpp, compiled when Cocoon is built); anything else kills the process;
//  2. a filter that kills the process for any syscall whose instruction pointer is outside
//     the shim's text, so a syscall that slipped past Syscall User Dispatch cannot reach the
//     kernel (libseccomp cannot express instruction-pointer checks: raw BPF).
#pragma once

#include <cstdint>
#include <vector>

namespace cocoon::run {

// struct sock_filter instructions, 8 bytes each.
std::vector<std::uint8_t> enclave_allowlist_bpf();
std::vector<std::uint8_t> enclave_ip_filter_bpf(std::uint64_t text_begin, std::uint64_t text_end);

}  // namespace cocoon::run
