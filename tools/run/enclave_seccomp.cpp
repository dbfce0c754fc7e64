#include "tools/run/enclave_seccomp.hpp"

#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <stdexcept>
#include <string>

namespace cocoon::run {
namespace {

class Allowlist {
 public:
  Allowlist() : ctx_(seccomp_init(SCMP_ACT_KILL_PROCESS)) {
    if (!ctx_) throw std::runtime_error("seccomp_init failed");
  }
  ~Allowlist() { seccomp_release(ctx_); }
  Allowlist(const Allowlist&) = delete;
  Allowlist& operator=(const Allowlist&) = delete;

  void allow(const char* name) { add(name, 0, nullptr); }
  void allow_if_arg_eq(const char* name, unsigned arg, std::uint64_t value) {
    scmp_arg_cmp cmp = SCMP_CMP(arg, SCMP_CMP_EQ, value);
    add(name, 1, &cmp);
  }
  std::vector<std::uint8_t> export_bpf() {
    int fd = memfd_create("cocoon-enclave-allowlist", MFD_CLOEXEC);
    if (fd < 0 || seccomp_export_bpf(ctx_, fd) != 0) throw std::runtime_error("seccomp_export_bpf failed");
    off_t size = lseek(fd, 0, SEEK_END);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(size));
    if (pread(fd, out.data(), out.size(), 0) != size) throw std::runtime_error("reading the exported filter failed");
    close(fd);
    return out;
  }

 private:
  void add(const char* name, unsigned n, const scmp_arg_cmp* cmp) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) throw std::runtime_error(std::string("unknown syscall ") + name);
    int r = n ? seccomp_rule_add_array(ctx_, SCMP_ACT_ALLOW, nr, n, cmp) : seccomp_rule_add(ctx_, SCMP_ACT_ALLOW, nr, 0);
    if (r != 0) throw std::runtime_error(std::string("seccomp_rule_add failed for ") + name);
  }
  scmp_filter_ctx ctx_;
};

void emit(std::vector<std::uint8_t>& out, sock_filter f) {
  auto* p = reinterpret_cast<const std::uint8_t*>(&f);
  out.insert(out.end(), p, p + sizeof f);
}

}  // namespace

std::vector<std::uint8_t> enclave_allowlist_bpf() {
  Allowlist a;
  // Log lines: only the supervisor's stderr.
  a.allow_if_arg_eq("write", 0, 2);
  // Enclave memory (inside ELRANGE) and code rewriting.
  a.allow("mmap");
  a.allow("mprotect");
  a.allow("munmap");
  a.allow("madvise");
  // Waiting on and waking the untrusted window's futex words, and in-enclave futexes.
  a.allow("futex");
  // Signals: the shim's host handlers, alternate stacks, ending the process by a signal.
  a.allow("rt_sigaction");
  a.allow("rt_sigprocmask");
  a.allow("rt_sigreturn");
  a.allow("sigaltstack");
  a.allow("tgkill");
  a.allow("gettid");
  // Time (calibrating the TSC) and sleeping.
  a.allow("clock_gettime");
  a.allow("clock_nanosleep");
  a.allow("restart_syscall");
  // Scheduling and accounting the program may ask about.
  a.allow("sched_yield");
  a.allow("sched_getaffinity");
  a.allow("sched_setaffinity");
  a.allow("getpriority");  // nice values of the enclave's threads
  a.allow("setpriority");
  a.allow("getcpu");
  a.allow("getrusage");
  a.allow("times");
  a.allow("getpgid");
  a.allow("getsid");
  // Syscall User Dispatch for each thread, and the second filter of the loader.
  a.allow_if_arg_eq("prctl", 0, 59 /* PR_SET_SYSCALL_USER_DISPATCH */);
  a.allow("seccomp");
  // Threads: clone with exactly the flags the shim's host thread creation uses
  // (CLONE_VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|SETTLS|PARENT_SETTID|CHILD_CLEARTID) — no
  // process can be created. exit ends one thread.
  a.allow_if_arg_eq("clone", 0, 0x3d0f00);
  // The end.
  a.allow("exit");
  a.allow("exit_group");
  return a.export_bpf();
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
