#include "proxy/child_setup.hpp"

#include <sys/syscall.h>
#include <unistd.h>

#include <csignal>

namespace cocoon::proxy {

void reset_signals() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

void close_all_except(const std::vector<int>& keep) {
  unsigned from = 0;
  for (int k : keep) {
    if (k < 0) continue;
    auto fd = static_cast<unsigned>(k);
    if (fd > from) syscall(SYS_close_range, from, fd - 1, 0u);
    if (fd + 1 > from) from = fd + 1;
  }
  syscall(SYS_close_range, from, ~0u, 0u);
}

}  // namespace cocoon::proxy
