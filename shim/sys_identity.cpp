// Identity, limits, scheduling and process information, served in the enclave.
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/sync.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim {
namespace {

struct Rlimit {
  std::uint64_t cur, max;
};
constexpr int kRlimits = 16;
constexpr std::uint64_t kInfinity = ~0ull;
constexpr int kRlimitStack = 3, kRlimitData = 2, kRlimitNproc = 6, kRlimitNofile = 7, kRlimitAs = 9;
Rlimit g_rlimits[kRlimits];
bool g_rlimits_ready;
SpinLock g_rlimits_lock;  // prlimit from several threads

void init_rlimits() {
  if (g_rlimits_ready) return;
  for (auto& r : g_rlimits) r = {kInfinity, kInfinity};
  std::uint64_t heap = mem::epc_limit();
  g_rlimits[kRlimitAs] = {heap, heap};
  g_rlimits[kRlimitData] = {heap, heap};
  g_rlimits[kRlimitStack] = {g.rlimit_stack, kInfinity};
  g_rlimits[kRlimitNofile] = {g.rlimit_nofile, g.rlimit_nofile};
  g_rlimits[kRlimitNproc] = {g.max_threads, g.max_threads};
  g_rlimits[4] = {0, kInfinity};  // RLIMIT_CORE: no core dumps of enclaves
  g_rlimits_ready = true;
}

long do_prlimit(long resource, std::uint64_t new_ptr, std::uint64_t old_ptr) {
  if (resource < 0 || resource >= kRlimits) return -abi::kEINVAL;
  Rlimit nl{};
  if (new_ptr && !user::read(nl, new_ptr)) return -abi::kEFAULT;
  Rlimit old;
  {
    LockGuard guard(g_rlimits_lock);
    init_rlimits();
    old = g_rlimits[resource];
    if (new_ptr && (nl.cur > nl.max || nl.max > old.max)) return -abi::kEINVAL;
    if (new_ptr) g_rlimits[resource] = nl;
  }
  if (old_ptr && !user::write(old_ptr, old)) return -abi::kEFAULT;
  return 0;
}

long copy_field(char* dst, const char* src) {
  std::uint64_t i = 0;
  for (; src[i] && i < 64; ++i) dst[i] = src[i];
  dst[i] = '\0';
  return 0;
}

}  // namespace

long sys_getpid(SyscallFrame&) { return g.pid; }
long sys_getppid(SyscallFrame&) { return g.ppid; }
long sys_gettid(SyscallFrame&) { return current_thread()->tid; }
long sys_getuid(SyscallFrame&) { return g.uid; }
long sys_geteuid(SyscallFrame&) { return g.uid; }
long sys_getgid(SyscallFrame&) { return g.gid; }
long sys_getegid(SyscallFrame&) { return g.gid; }

long sys_getgroups(SyscallFrame& f) {
  long size = f.a[0];
  if (size < 0) return -abi::kEINVAL;
  if (size == 0) return 1;
  std::uint32_t gid = g.gid;
  if (!user::write(static_cast<std::uint64_t>(f.a[1]), gid)) return -abi::kEFAULT;
  return 1;
}

long sys_getresuid(SyscallFrame& f) {
  for (int i = 0; i < 3; ++i)
    if (!user::write(static_cast<std::uint64_t>(f.a[i]), g.uid)) return -abi::kEFAULT;
  return 0;
}

long sys_getresgid(SyscallFrame& f) {
  for (int i = 0; i < 3; ++i)
    if (!user::write(static_cast<std::uint64_t>(f.a[i]), g.gid)) return -abi::kEFAULT;
  return 0;
}

// Process groups and sessions are the enclave process's own (one process per enclave).
long sys_getpgrp(SyscallFrame&) { return host::call(121, 0); }
long sys_getpgid(SyscallFrame& f) {
  if (f.a[0] != 0 && f.a[0] != g.pid) return -abi::kESRCH;
  return host::call(121, 0);
}
long sys_getsid(SyscallFrame& f) {
  if (f.a[0] != 0 && f.a[0] != g.pid) return -abi::kESRCH;
  return host::call(124, 0);
}

long sys_uname(SyscallFrame& f) {
  char u[390] = {};
  copy_field(u + 0, "Linux");
  copy_field(u + 65, g.nodename);
  copy_field(u + 130, g.release);
  copy_field(u + 195, "#1 SMP PREEMPT_DYNAMIC (Cocoon enclave)");
  copy_field(u + 260, "x86_64");
  copy_field(u + 325, "(none)");
  return user::copy_to(static_cast<std::uint64_t>(f.a[0]), u, sizeof u) ? 0 : -abi::kEFAULT;
}

long sys_umask(SyscallFrame& f) {
  if (vfork::Child* c = vfork::current()) {  // the child's own (its proxy fork's too)
    std::uint32_t old = c->umask;
    c->umask = static_cast<std::uint32_t>(f.a[0]) & 0777;
    proxy_call(95, c->umask);
    return old;
  }
  std::uint32_t old = g.umask;
  g.umask = static_cast<std::uint32_t>(f.a[0]) & 0777;
  // Files are created by the proxy: keep its umask the same as the program's.
  proxy_call(95, g.umask);
  return old;
}

long sys_personality(SyscallFrame& f) {
  std::uint32_t p = static_cast<std::uint32_t>(f.a[0]);
  if (p == 0xffffffffu || p == 0) return 0;  // PER_LINUX
  report_unsupported(135, "only PER_LINUX is supported");
  return -abi::kEINVAL;
}

long sys_sysinfo(SyscallFrame& f) {
  struct {
    std::int64_t uptime;
    std::uint64_t loads[3];
    std::uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    std::uint16_t procs, pad;
    std::uint32_t pad2;
    std::uint64_t totalhigh, freehigh;
    std::uint32_t mem_unit;
    char reserved[4];
  } si = {};
  static_assert(sizeof si == 112);
  abi::Timespec ts{};
  host::call(abi::kClockGettime, abi::kClockBoottime, &ts);
  si.uptime = ts.tv_sec;
  si.totalram = mem::epc_limit();
  si.freeram = mem::epc_limit() - mem::epc_in_use();
  si.procs = 1;
  si.mem_unit = 1;
  return user::write(static_cast<std::uint64_t>(f.a[0]), si) ? 0 : -abi::kEFAULT;
}

long sys_getrlimit(SyscallFrame& f) { return do_prlimit(f.a[0], 0, static_cast<std::uint64_t>(f.a[1])); }
long sys_setrlimit(SyscallFrame& f) { return do_prlimit(f.a[0], static_cast<std::uint64_t>(f.a[1]), 0); }
long sys_prlimit64(SyscallFrame& f) {
  if (f.a[0] != 0 && f.a[0] != g.pid) return -abi::kESRCH;
  return do_prlimit(f.a[1], static_cast<std::uint64_t>(f.a[2]), static_cast<std::uint64_t>(f.a[3]));
}

long sys_getrusage(SyscallFrame& f) {
  std::uint8_t ru[144];
  long r = host::call(abi::kGetrusage, f.a[0], ru);
  if (r < 0) return r;
  return user::copy_to(static_cast<std::uint64_t>(f.a[1]), ru, sizeof ru) ? 0 : -abi::kEFAULT;
}

long sys_times(SyscallFrame& f) {
  std::uint64_t t[4];
  long r = host::call(100, t);
  if (abi::is_error(r)) return r;
  if (f.a[0] && !user::copy_to(static_cast<std::uint64_t>(f.a[0]), t, sizeof t)) return -abi::kEFAULT;
  return r;
}

// The host thread a sched_{get,set}affinity call is about: the caller (0, or the process
// id: the main thread's, approximated by the caller as before), or another live thread of
// the program (enclave tids are host tids). Anything else: ESRCH.
static long affinity_target(long pid) {
  if (pid == 0 || pid == g.pid || pid == current_thread()->tid) return 0;
  if (threads::tid_alive(pid)) return pid;
  return -abi::kESRCH;
}

long sys_sched_yield(SyscallFrame&) { return host::call(abi::kSchedYield); }

// Credentials are fixed: a call that leaves them as they are succeeds (-1 means "unchanged"),
// any change is refused as for an unprivileged process whose ids are all the same.
static long keep_ids(long want, const long* given, int n) {
  for (int i = 0; i < n; ++i)
    if (static_cast<std::uint32_t>(given[i]) != 0xffffffffu && given[i] != want) return -abi::kEPERM;
  return 0;
}
long sys_setuid(SyscallFrame& f) { return static_cast<std::uint32_t>(f.a[0]) == 0xffffffffu ? -abi::kEINVAL : keep_ids(g.uid, f.a, 1); }
long sys_setgid(SyscallFrame& f) { return static_cast<std::uint32_t>(f.a[0]) == 0xffffffffu ? -abi::kEINVAL : keep_ids(g.gid, f.a, 1); }
long sys_setreuid(SyscallFrame& f) { return keep_ids(g.uid, f.a, 2); }
long sys_setregid(SyscallFrame& f) { return keep_ids(g.gid, f.a, 2); }
long sys_setresuid(SyscallFrame& f) { return keep_ids(g.uid, f.a, 3); }
long sys_setresgid(SyscallFrame& f) { return keep_ids(g.gid, f.a, 3); }

// Nice values: of the enclave's host threads. The program's pid is its main thread's (Linux
// applies PRIO_PROCESS to one thread).
static long priority_target(long which, long who) {
  if (which != 0 /* PRIO_PROCESS */) return -abi::kEPERM;
  if (who == 0 || who == current_thread()->tid) return 0;
  if (who == g.pid) return g.host_pid;
  if (threads::tid_alive(who)) return who;
  return -abi::kESRCH;
}
long sys_getpriority(SyscallFrame& f) {
  long who = priority_target(f.a[0], f.a[1]);
  if (who == -abi::kEPERM) return host::call(140, f.a[0], f.a[1]);  // a process group or user: as the host says
  return who < 0 ? who : host::call(140, 0, who);
}
long sys_setpriority(SyscallFrame& f) {
  long who = priority_target(f.a[0], f.a[1]);
  return who < 0 ? who : host::call(141, 0, who, f.a[2]);
}

long sys_sched_getaffinity(SyscallFrame& f) {
  long who = affinity_target(f.a[0]);
  if (who < 0) return who;
  std::uint64_t len = static_cast<std::uint64_t>(f.a[1]);
  std::uint8_t mask[128] = {};
  if (len > sizeof mask) len = sizeof mask;
  long r = host::call(abi::kSchedGetaffinity, who, len, mask);
  if (r < 0) return r;
  if (r > static_cast<long>(len)) return -abi::kEINVAL;
  return user::copy_to(static_cast<std::uint64_t>(f.a[2]), mask, static_cast<std::uint64_t>(r)) ? r : -abi::kEFAULT;
}

long sys_sched_setaffinity(SyscallFrame& f) {
  long who = affinity_target(f.a[0]);
  if (who < 0) return who;
  std::uint64_t len = static_cast<std::uint64_t>(f.a[1]);
  std::uint8_t mask[128] = {};
  if (len > sizeof mask) len = sizeof mask;
  if (!user::copy_from(mask, static_cast<std::uint64_t>(f.a[2]), len)) return -abi::kEFAULT;
  return host::call(abi::kSchedSetaffinity, who, len, mask);
}

long sys_getcpu(SyscallFrame& f) {
  std::uint32_t cpu = 0, node = 0;
  long r = host::call(309, &cpu, &node, 0);
  if (r < 0) return r;
  if (f.a[0] && !user::write(static_cast<std::uint64_t>(f.a[0]), cpu)) return -abi::kEFAULT;
  if (f.a[1] && !user::write(static_cast<std::uint64_t>(f.a[1]), node)) return -abi::kEFAULT;
  return 0;
}

long sys_prctl(SyscallFrame& f) {
  ShimThread* t = current_thread();
  switch (f.a[0]) {
    case abi::kPrSetName: {
      char name[16] = {};
      long n = user::strnlen(static_cast<std::uint64_t>(f.a[1]), 15);
      if (n < 0) return n;
      user::copy_from(name, static_cast<std::uint64_t>(f.a[1]), static_cast<std::uint64_t>(n));
      __builtin_memcpy(t->name, name, 16);
      return 0;
    }
    case abi::kPrGetName:
      return user::copy_to(static_cast<std::uint64_t>(f.a[1]), t->name, 16) ? 0 : -abi::kEFAULT;
    case abi::kPrSetPdeathsig:
      return (f.a[1] >= 0 && f.a[1] <= abi::kNSig) ? 0 : -abi::kEINVAL;
    case abi::kPrGetPdeathsig:
      return user::write(static_cast<std::uint64_t>(f.a[1]), 0) ? 0 : -abi::kEFAULT;
    case abi::kPrGetDumpable:
      return 0;  // enclaves are never dumpable
    case abi::kPrSetDumpable:
      return (f.a[1] == 0 || f.a[1] == 1) ? 0 : -abi::kEINVAL;
    case abi::kPrSetNoNewPrivs:
      return f.a[1] == 1 ? 0 : -abi::kEINVAL;
    case 39:  // PR_GET_NO_NEW_PRIVS
      return 1;
    case 21:  // PR_GET_SECCOMP
      return 0;
    default:
      report_unsupported(157, "this prctl option is not supported (EINVAL)");
      return -abi::kEINVAL;
  }
}

}  // namespace cocoon::shim
