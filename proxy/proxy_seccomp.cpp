// The proxy's seccomp allowlist, one rule a line. Forwarded syscalls come from the syscall
// table (every Route::Forward row); the rest is what the proxy's own runtime needs.
// Anything else fails with ENOSYS; attempts to reach another process's memory are listed
// explicitly so that a reader sees them refused.
#include <linux/capability.h>
#include <seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "proxy/proxy.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::proxy {
namespace {

class Filter {
 public:
  Filter() : ctx_(seccomp_init(SCMP_ACT_ERRNO(ENOSYS))) {
    if (!ctx_) throw std::runtime_error("seccomp_init failed");
  }
  ~Filter() { seccomp_release(ctx_); }
  Filter(const Filter&) = delete;
  Filter& operator=(const Filter&) = delete;

  void allow(int nr) { add(SCMP_ACT_ALLOW, nr, "allow"); }
  void allow(const char* name) { allow(seccomp_syscall_resolve_name(name)); }
  // prctl with one option only (arg0 == option).
  void allow_prctl(int option) {
    if (int r = seccomp_rule_add(ctx_, SCMP_ACT_ALLOW, SCMP_SYS(prctl), 1, SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(option))); r != 0)
      throw std::runtime_error("seccomp_rule_add failed for prctl");
  }
  // `name` only on the calling thread (first argument 0).
  void allow_on_self(const char* name) {
    if (int r = seccomp_rule_add(ctx_, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name(name), 1, SCMP_A0(SCMP_CMP_EQ, 0)); r != 0)
      throw std::runtime_error(std::string("seccomp_rule_add failed for ") + name);
  }
  void deny(const char* name) { add(SCMP_ACT_ERRNO(EPERM), seccomp_syscall_resolve_name(name), name); }
  void load() {
    if (int r = seccomp_load(ctx_); r != 0) throw std::runtime_error("seccomp_load failed: " + std::to_string(r));
  }

 private:
  void add(std::uint32_t action, int nr, const char* what) {
    if (nr == __NR_SCMP_ERROR) throw std::runtime_error(std::string("unknown syscall in proxy filter: ") + what);
    if (int r = seccomp_rule_add(ctx_, action, nr, 0); r != 0)
      throw std::runtime_error("seccomp_rule_add failed for " + std::to_string(nr));
  }
  scmp_filter_ctx ctx_;
};

}  // namespace

void install_proxy_seccomp() {
  Filter f;
  // Never: another process's memory or state.
  f.deny("ptrace");
  f.deny("process_vm_readv");
  f.deny("process_vm_writev");
  f.deny("kcmp");
  f.deny("pidfd_getfd");
  f.deny("pidfd_open");

  // What the enclave forwards.
  for (const syscalls::SyscallInfo& info : syscalls::kSyscallTable)
    if (info.route == syscalls::Route::Forward) f.allow(static_cast<int>(info.nr));
  f.allow("close");   // fd table: close, dup, dup2, dup3 are forwarded by the shim
  f.allow("dup");
  f.allow("dup2");
  f.allow("dup3");
  f.allow("umask");   // kept equal to the program's umask

  // The proxy's own runtime: threads, memory, futexes, signals, exit.
  f.allow("futex");
  f.allow("mmap");
  f.allow("munmap");
  f.allow("mprotect");
  f.allow("madvise");
  f.allow("brk");
  f.allow("clone");
  f.allow("clone3");
  f.allow("set_robust_list");
  f.allow("rseq");
  f.allow("rt_sigaction");
  f.allow("rt_sigprocmask");
  f.allow("rt_sigreturn");
  f.allow("sigaltstack");
  f.allow("sched_yield");
  f.allow("sched_getaffinity");
  f.allow_on_self("sched_setaffinity");  // a worker sleeps on its enclave thread's CPU
  f.allow("getpid");
  f.allow("getppid");  // a fork of a worker checks that the proxy still lives
  f.allow("gettid");
  f.allow("tgkill");
  f.allow("getrandom");
  f.allow("clock_gettime");
  f.allow("clock_nanosleep");
  f.allow("nanosleep");
  f.allow("exit");
  f.allow("exit_group");
  f.allow("restart_syscall");
  // A worker's fork serving a vfork child (proxy/spawn_request.hpp) ends with the proxy, and
  // the worker waits for it; its fd table goes to the spawner over a socket.
  f.allow_prctl(PR_SET_PDEATHSIG);
  f.allow("kill");  // the program's kill of other processes, SIGCHLD to the enclave
  f.allow("wait4");
  f.allow("sendmsg");
  f.allow("recvfrom");
  f.allow("socketpair");
  f.load();
}

bool drop_ptrace_capability() {
  if (prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) != 0 && errno != EINVAL) return false;
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return false;
  for (auto& d : data) {
    d.effective &= ~(1u << CAP_SYS_PTRACE);
    d.permitted &= ~(1u << CAP_SYS_PTRACE);
    d.inheritable &= ~(1u << CAP_SYS_PTRACE);
  }
  return syscall(SYS_capset, &hdr, data) == 0;
}

}  // namespace cocoon::proxy
