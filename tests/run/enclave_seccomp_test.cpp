// The enclave process's allowlist lets the shim create threads — clone with exactly the
// shim's thread flags — and nothing that would create a process.
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "seccomp/install_filter.hpp"
#include "tools/run/enclave_seccomp.hpp"

namespace {

constexpr unsigned long kShimThreadFlags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                                           CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
                                           CLONE_CHILD_CLEARTID;

// Runs body() in a child under the enclave allowlist; returns its wait status.
template <typename F>
int under_allowlist(F body) {
  std::vector<std::uint8_t> bpf = cocoon::run::enclave_allowlist_bpf();
  pid_t pid = fork();
  if (pid == 0) {
    if (cocoon::seccomp::install_filter(bpf) != 0) _exit(90);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return status;
}

TEST(EnclaveSeccomp, ShimThreadFlagsAreExactlyGlibcs) { EXPECT_EQ(kShimThreadFlags, 0x3d0f00ul); }

TEST(EnclaveSeccomp, CloneWithTheShimThreadFlagsPassesTheFilter) {
  // A TLS address the kernel refuses: the clone reaches the kernel (the filter allowed it)
  // and fails there with EPERM before any thread exists.
  int status = under_allowlist([] {
    int tid = 0;
    long r = syscall(SYS_clone, kShimThreadFlags, nullptr, &tid, &tid, ~0ul);
    return r == -1 && errno == EPERM ? 0 : 1;
  });
  ASSERT_TRUE(WIFEXITED(status)) << "status " << status;
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(EnclaveSeccomp, ForkLikeCloneKillsTheProcess) {
  int status = under_allowlist([] {
    long r = syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, 0);
    if (r == 0) _exit(0);
    return 3;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(EnclaveSeccomp, ThreadFlagsPlusAnotherFlagKillTheProcess) {
  int status = under_allowlist([] {
    int tid = 0;
    long r = syscall(SYS_clone, kShimThreadFlags | CLONE_CHILD_SETTID, nullptr, &tid, &tid, ~0ul);
    return r == -1 ? 4 : 5;
  });
  ASSERT_TRUE(WIFSIGNALED(status)) << "status " << status;
  EXPECT_EQ(WTERMSIG(status), SIGSYS);
}

TEST(EnclaveSeccomp, Clone3AndVforkKillTheProcess) {
  for (long nr : {static_cast<long>(SYS_clone3), static_cast<long>(SYS_vfork), static_cast<long>(SYS_fork)}) {
    int status = under_allowlist([nr] {
      long r = syscall(nr, nullptr, 0);
      if (r == 0) _exit(0);
      return 6;
    });
    ASSERT_TRUE(WIFSIGNALED(status)) << "syscall " << nr << " status " << status;
    EXPECT_EQ(WTERMSIG(status), SIGSYS);
  }
}

}  // namespace
