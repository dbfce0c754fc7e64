#include "tools/run/enclave_seccomp.hpp"

#include "seccomp/compiled_filters.hpp"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace cocoon::run {
namespace {

void emit(std::vector<std::uint8_t>& out, sock_filter f) {
  auto* p = reinterpret_cast<const std::uint8_t*>(&f);
  out.insert(out.end(), p, p + sizeof f);
}

}  // namespace

std::vector<std::uint8_t> enclave_allowlist_bpf() {
  std::span<const std::uint8_t> bpf = seccomp::compiled_enclave_allowlist();
  return {bpf.begin(), bpf.end()};
}

std::vector<std::uint8_t> enclave_ip_filter_bpf(std::uint64_t text_begin, std::uint64_t text_end) {
  if (text_end <= text_begin || ((text_end - 1) >> 32) != (text_begin >> 32))
    throw std::runtime_error("shim text range must lie within one 4 GiB-aligned window");
  const std::uint32_t hi = static_cast<std::uint32_t>(text_begin >> 32);
  const std::uint32_t lo_begin = static_cast<std::uint32_t>(text_begin);
  const std::uint32_t lo_end_minus1 = static_cast<std::uint32_t>(text_end - 1);
  constexpr std::uint32_t kArch = offsetof(seccomp_data, arch);
  constexpr std::uint32_t kIpLo = offsetof(seccomp_data, instruction_pointer);
  constexpr std::uint32_t kIpHi = kIpLo + 4;
  std::vector<std::uint8_t> out;
  // 0: only x86-64 syscalls
  emit(out, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kArch));
  emit(out, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0));
  emit(out, BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  // 3: the instruction pointer's high half must be the shim's
  emit(out, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kIpHi));
  emit(out, BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, hi, 1, 0));
  emit(out, BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  // 6: and the low half within [begin, end)
  emit(out, BPF_STMT(BPF_LD | BPF_W | BPF_ABS, kIpLo));
  emit(out, BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, lo_begin, 1, 0));
  emit(out, BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  emit(out, BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, lo_end_minus1, 0, 1));
  emit(out, BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS));
  emit(out, BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW));
  return out;
}

}  // namespace cocoon::run
