#include "seccomp/install_filter.hpp"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

namespace cocoon::seccomp {

int install_filter(std::span<const std::uint8_t> bpf) {
  sock_fprog prog{static_cast<unsigned short>(bpf.size() / sizeof(sock_filter)),
                  const_cast<sock_filter*>(reinterpret_cast<const sock_filter*>(bpf.data()))};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
    return -errno;
  return 0;
}

}  // namespace cocoon::seccomp
