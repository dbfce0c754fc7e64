// Simulation backend of shim/host.hpp: raw syscalls issued from the shim's text.
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"

namespace cocoon::host {

void exit_group(int status) {
  shim::record_exit_reason(1, status, "");
  for (;;) call(abi::kExitGroup, status);
}

void exit_program(int status) {
  using shim::g;
  shim::record_exit_reason(1, status, "");
  if (launch::ExitNotice* n = g.exit_notice; n && g.supervisor_pid > 0) {
    __atomic_store_n(&n->status, status & 0xff, __ATOMIC_RELAXED);
    __atomic_store_n(&n->magic, launch::kExitNoticeMagic, __ATOMIC_RELEASE);
    call(abi::kTgkill, g.supervisor_pid, g.supervisor_pid, launch::kExitNoticeSignal);
  }
  exit_group(status);  // its reason was recorded above, before the supervisor could read it
}

long futex_wait(std::uint32_t* word, std::uint32_t expected, long timeout_ns) {
  abi::Timespec ts{timeout_ns / 1'000'000'000, timeout_ns % 1'000'000'000};
  return call(abi::kFutex, word, abi::kFutexWait, expected, timeout_ns >= 0 ? &ts : nullptr, 0, 0);
}

long futex_wake(std::uint32_t* word, int count) { return call(abi::kFutex, word, abi::kFutexWake, count, 0, 0, 0); }

namespace {
int g_has_rdpid = -1;  // unknown yet (a benign race: every thread computes the same answer)
}

int current_cpu() {
  if (g_has_rdpid < 0) {
    std::uint32_t a = 7, b, c = 0, d;
    asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    g_has_rdpid = (c >> 22) & 1;
  }
  if (g_has_rdpid) {
    std::uint64_t aux;
    asm volatile("rdpid %0" : "=r"(aux));
    return static_cast<int>(aux & 0xfff);  // Linux: node << 12 | cpu
  }
  std::uint32_t cpu = 0;
  return call(309 /* getcpu */, &cpu, 0, 0) < 0 ? -1 : static_cast<int>(cpu);
}

void write_log(const char* s, std::uint64_t n) {
  while (n) {
    long r = call(abi::kWrite, launch::kLogFd, s, n);
    if (r <= 0) return;
    s += r;
    n -= static_cast<std::uint64_t>(r);
  }
}

void die_early(const char* who, const char* what) {
  auto put = [](const char* t) {
    std::uint64_t n = 0;
    while (t[n]) ++n;
    call(abi::kWrite, 2, t, n);
  };
  put("cocoon: ");
  put(who);
  put(": ");
  put(what);
  put("\n");
  for (;;) call(abi::kExitGroup, 71);
}

}  // namespace cocoon::host
