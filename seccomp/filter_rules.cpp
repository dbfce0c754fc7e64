// The allowlists, one rule a line. Anything not listed gets the filter's default action.
#include "seccomp/filter_rules.hpp"

#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

#include "syscalls/syscall_table.hpp"

namespace cocoon::seccomp {
namespace {

class Rules {
 public:
  explicit Rules(std::uint32_t default_action) : ctx_(seccomp_init(default_action)) {
    if (!ctx_) throw std::runtime_error("seccomp_init failed");
  }
  ~Rules() { seccomp_release(ctx_); }
  Rules(const Rules&) = delete;
  Rules& operator=(const Rules&) = delete;

  void allow(int nr) { add(SCMP_ACT_ALLOW, nr, std::to_string(nr).c_str(), 0, nullptr); }
  void allow(const char* name) { add(SCMP_ACT_ALLOW, resolve(name), name, 0, nullptr); }
  // `name` only when its argument `arg` equals `value`.
  void allow_if_arg_eq(const char* name, unsigned arg, std::uint64_t value) {
    scmp_arg_cmp cmp = SCMP_CMP(arg, SCMP_CMP_EQ, value);
    add(SCMP_ACT_ALLOW, resolve(name), name, 1, &cmp);
  }
  void deny(const char* name) { add(SCMP_ACT_ERRNO(EPERM), resolve(name), name, 0, nullptr); }

  std::vector<std::uint8_t> export_bpf() {
    int fd = memfd_create("cocoon-seccomp-export", MFD_CLOEXEC);
    if (fd < 0 || seccomp_export_bpf(ctx_, fd) != 0) {
      if (fd >= 0) close(fd);
      throw std::runtime_error("seccomp_export_bpf failed");
    }
    off_t size = lseek(fd, 0, SEEK_END);
    std::vector<std::uint8_t> out(static_cast<std::size_t>(size > 0 ? size : 0));
    bool ok = size > 0 && pread(fd, out.data(), out.size(), 0) == size;
    close(fd);
    if (!ok) throw std::runtime_error("reading the exported filter failed");
    return out;
  }

 private:
  static int resolve(const char* name) { return seccomp_syscall_resolve_name(name); }
  void add(std::uint32_t action, int nr, const char* what, unsigned n, const scmp_arg_cmp* cmp) {
    if (nr == __NR_SCMP_ERROR) throw std::runtime_error(std::string("unknown syscall ") + what);
    int r = n ? seccomp_rule_add_array(ctx_, action, nr, n, cmp) : seccomp_rule_add(ctx_, action, nr, 0);
    if (r != 0) throw std::runtime_error(std::string("seccomp_rule_add failed for ") + what);
  }
  scmp_filter_ctx ctx_;
};

}  // namespace

std::vector<std::uint8_t> build_proxy_filter() {
  Rules f(SCMP_ACT_ERRNO(ENOSYS));
  // Never: another process's memory or state.
  f.deny("ptrace");
  f.deny("process_vm_readv");
  f.deny("process_vm_writev");
  f.deny("kcmp");
  f.deny("pidfd_getfd");

  // What the enclave forwards.
  for (const syscalls::SyscallInfo& info : syscalls::kSyscallTable)
    if (info.route == syscalls::Route::Forward) f.allow(static_cast<int>(info.nr));
  f.allow("close");  // fd table: close, dup, dup2, dup3 are forwarded by the shim
  f.allow("dup");
  f.allow("dup2");
  f.allow("dup3");
  f.allow("umask");  // kept equal to the program's umask

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
  f.allow_if_arg_eq("sched_setaffinity", 0, 0);  // the calling thread only: a worker sleeps on its enclave thread's CPU
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
  f.allow_if_arg_eq("prctl", 0, PR_SET_PDEATHSIG);
  f.allow("kill");  // the program's kill of other processes, SIGCHLD to the enclave
  f.allow("wait4");
  f.allow("sendmsg");
  f.allow("recvfrom");
  f.allow("socketpair");
  return f.export_bpf();
}

std::vector<std::uint8_t> build_enclave_allowlist() {
  Rules a(SCMP_ACT_KILL_PROCESS);
  // Log lines: only the supervisor's stderr.
  a.allow_if_arg_eq("write", 0, 2);
  // Enclave memory (inside ELRANGE) and code rewriting.
  a.allow("mmap");
  a.allow("mprotect");
  a.allow("munmap");
  a.allow("madvise");
  a.allow("mremap");  // moving a verified file's pages into its mapping instead of copying them
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

}  // namespace cocoon::seccomp
