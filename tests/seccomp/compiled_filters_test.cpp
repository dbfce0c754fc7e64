// The BPF embedded at build time is exactly what the rules build now (the build regenerates
// it when they change), and installed as `cocoon run` installs it (install_filter), it lets
// through what the proxy needs and refuses what it must not do.
#include "seccomp/compiled_filters.hpp"

#include <gtest/gtest.h>
#include <linux/filter.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "seccomp/filter_rules.hpp"
#include "seccomp/install_filter.hpp"

namespace {

using cocoon::seccomp::build_enclave_allowlist;
using cocoon::seccomp::build_proxy_filter;
using cocoon::seccomp::compiled_enclave_allowlist;
using cocoon::seccomp::compiled_proxy_filter;

std::vector<std::uint8_t> bytes(std::span<const std::uint8_t> s) {
  return {s.begin(), s.end()};
}

TEST(CompiledFilters, ProxyFilterIsWhatTheRulesBuild) {
  std::vector<std::uint8_t> now = build_proxy_filter();
  ASSERT_FALSE(now.empty());
  EXPECT_EQ(now.size() % sizeof(sock_filter), 0u);
  EXPECT_EQ(bytes(compiled_proxy_filter()), now);
}

TEST(CompiledFilters, EnclaveAllowlistIsWhatTheRulesBuild) {
  std::vector<std::uint8_t> now = build_enclave_allowlist();
  ASSERT_FALSE(now.empty());
  EXPECT_EQ(bytes(compiled_enclave_allowlist()), now);
}

// Runs body() in a child under the compiled proxy filter; returns its exit status, or 1000 +
// the signal that ended it.
template <typename F>
int under_proxy_filter(F body) {
  pid_t pid = fork();
  if (pid == 0) {
    if (cocoon::seccomp::install_filter(compiled_proxy_filter()) != 0) _exit(90);
    _exit(body());
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 1000 + WTERMSIG(status);
}

TEST(CompiledFilters, ProxyFilterAllowsForwardedCallsAndRefusesOthers) {
  // getppid is the proxy's own (allowed); ptrace is denied with EPERM; an unlisted call
  // (personality) fails with ENOSYS; sched_setaffinity only on the calling thread.
  EXPECT_EQ(under_proxy_filter([] { return syscall(SYS_getppid) > 0 ? 0 : 1; }), 0);
  EXPECT_EQ(under_proxy_filter([] { return syscall(SYS_ptrace, 0, 0, 0, 0) == -1 && errno == EPERM ? 0 : 1; }), 0);
  EXPECT_EQ(under_proxy_filter([] { return syscall(SYS_personality, 0xffffffff) == -1 && errno == ENOSYS ? 0 : 1; }),
            0);
  EXPECT_EQ(under_proxy_filter([] {
              cpu_set_t set;
              CPU_ZERO(&set);
              CPU_SET(0, &set);
              long other = syscall(SYS_sched_setaffinity, getppid(), sizeof set, &set);
              return other == -1 && errno == ENOSYS ? 0 : 1;
            }),
            0);
}

}  // namespace
