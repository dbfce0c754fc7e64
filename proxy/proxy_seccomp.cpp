// The proxy's seccomp allowlist: its rules are seccomp/filter_rules.cpp (forwarded syscalls
// come from the syscall table, the rest is what the proxy's own runtime needs), compiled to
// BPF when Cocoon is built. Anything else fails with ENOSYS; attempts to reach another
// process's memory are refused with EPERM.
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>

#include "proxy/proxy.hpp"
#include "seccomp/compiled_filters.hpp"
#include "seccomp/install_filter.hpp"

namespace cocoon::proxy {

void install_proxy_seccomp() {
  if (int e = seccomp::install_filter(seccomp::compiled_proxy_filter()); e != 0)
    throw std::runtime_error(std::string("cannot install the seccomp filter: ") + std::strerror(-e));
}

bool drop_ptrace_capability() {
  // Dropping it from the bounding set needs CAP_SETPCAP, which a user other than root lacks;
  // such a proxy has no CAP_SYS_PTRACE to lose, and no_new_privs (set with the seccomp
  // filter) keeps exec from granting it.
  if (prctl(PR_CAPBSET_DROP, CAP_SYS_PTRACE, 0, 0, 0) != 0 && errno != EINVAL && errno != EPERM) return false;
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
