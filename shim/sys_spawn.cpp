// Child processes: vfork children (shim/vfork.hpp) that call execve become new processes in
// new enclaves; wait4, waitid and kill reach those children through the proxy, whose
// children they are.
#include "proxy/spawn_request.hpp"
#include "shim/deferred_calls.hpp"
#include "shim/fd_status.hpp"
#include "shim/proc_files.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/linux_abi.hpp"
#include "shim/local_files.hpp"
#include "shim/local_poll.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/program.hpp"
#include "shim/signals.hpp"
#include "shim/sync.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim {
namespace {

// ---- the program's children ---------------------------------------------------------------
// Live children: wait4 and waitid are forwarded only while there is one (the proxy has
// children of its own: the spawner), and a pid they report must be one.
constexpr int kMaxChildren = 1024;
SpinLock g_children_lock;
std::int32_t g_live[kMaxChildren];
int g_nlive;

bool add_child(long pid) {
  LockGuard guard(g_children_lock);
  if (g_nlive == kMaxChildren) return false;
  g_live[g_nlive++] = static_cast<std::int32_t>(pid);
  return true;
}

bool is_live_child(long pid) {
  LockGuard guard(g_children_lock);
  for (int i = 0; i < g_nlive; ++i)
    if (g_live[i] == pid) return true;
  return false;
}

int live_children() {
  LockGuard guard(g_children_lock);
  return g_nlive;
}

void reaped(long pid) {
  LockGuard guard(g_children_lock);
  for (int i = 0; i < g_nlive; ++i)
    if (g_live[i] == pid) {
      g_live[i] = g_live[--g_nlive];
      return;
    }
}

// ---- the vfork child's request ------------------------------------------------------------

constexpr std::uint64_t kRequestCap = sizeof(spawn::Request) + spawn::kMaxFds * 4 + spawn::kMaxStrings;
constexpr std::uint32_t kMaxVector = 65536;

// Appends the NULL-terminated string array at uptr (NUL-separated) to out; -E2BIG past cap.
long pack_strings(std::uint64_t uptr, char* out, std::uint64_t cap, std::uint64_t& used, std::uint32_t& n) {
  n = 0;
  if (!uptr) return 0;
  for (;; ++n) {
    std::uint64_t p;
    if (!user::read(p, uptr + n * 8ull)) return -abi::kEFAULT;
    if (!p) return 0;
    if (n == kMaxVector) return -abi::kE2BIG;
    long len = user::strnlen(p, cap - used);
    if (len < 0) return len;
    if (static_cast<std::uint64_t>(len) + 1 > cap - used) return -abi::kE2BIG;
    if (!user::copy_from(out + used, p, static_cast<std::uint64_t>(len))) return -abi::kEFAULT;
    used += static_cast<std::uint64_t>(len);
    out[used++] = 0;
  }
}

// Sends a kOpSpawn request (bytes in shim memory) through the child's proxy fork.
long send_spawn(const void* req, std::uint64_t size) {
  ProxyRequest rq(static_cast<long>(channel::kOpSpawn));
  if (!rq.in_bytes(0, req, size)) return -abi::kE2BIG;
  rq.arg(1, static_cast<long>(size));
  long pid = rq.call("spawn");
  if (pid < 0) return pid;
  if (pid == 0 || pid > (1 << 22)) return iago("spawn", "pid", pid);  // above PID_MAX_LIMIT
  return pid;
}

spawn::Request header(const vfork::Child* c, spawn::Kind kind) {
  spawn::Request h{};
  h.magic = spawn::kMagic;
  h.kind = kind;
  h.parent_pid = g.pid;
  h.flags = c->flags;
  h.umask = c->umask;
  for (int sig = 1; sig <= abi::kNSig; ++sig)
    if (c->actions[sig].handler == abi::kSigIgn) h.ignored |= 1ull << (sig - 1);
  return h;
}

}  // namespace

namespace vfork {

long start(CloneFrame& cf, std::uint64_t newsp) {
  ShimThread* self = current_thread();
  deferred::flush();  // the proxy's fork must see what was deferred
  // The child (and what it execs) may hold any of the process's open files from now on.
  fd_status::all_shared();
  std::uint64_t saved = self->saved_program_rsp;
  std::uint64_t path = threads::return_path_bytes(self);
  // vfork: the child runs on the parent's stack, below the parent's stack pointer, where the
  // parent's return path lies: it is put back before the parent returns.
  bool same_stack = newsp == 0;
  if (same_stack) newsp = saved + path;
  std::uint8_t return_path[256];
  if (path > sizeof return_path) return -abi::kENOSYS;
  __builtin_memcpy(return_path, reinterpret_cast<const void*>(saved), path);

  std::uint64_t fd_off = (sizeof(Child) + 63) & ~63ull;
  std::uint64_t local_off = fd_off + fd::kMaxFds;
  std::uint64_t len = (local_off + fd::kMaxFds * sizeof(void*) + 4095) & ~4095ull;
  long region = mem::map(0, len, abi::kProtRead | abi::kProtWrite, false, false, mem::kShim);
  if (region < 0) return -abi::kENOMEM;
  auto* c = reinterpret_cast<Child*>(region);
  __builtin_memset(c, 0, sizeof *c);
  c->fd_open = reinterpret_cast<std::uint8_t*>(region + fd_off);
  c->local_files = reinterpret_cast<void**>(region + local_off);
  c->umask = g.umask;
  for (int sig = 1; sig <= abi::kNSig; ++sig) c->actions[sig] = signals::program_action(sig);
  fd::copy_table(c->fd_open);
  local::copy_table_for_child(c->local_files);

  long tid = threads::start_vfork_thread(cf, newsp, c);
  if (tid < 0) {
    local::release_child_table(c->local_files);
    mem::unmap(static_cast<std::uint64_t>(region), len);
    return tid;
  }
  // As on Linux, the parent waits (signals stay pending) until the child execs or exits.
  while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) host::futex_wait(&c->done, 0, -1);
  long result = c->result;
  mem::unmap(static_cast<std::uint64_t>(region), len);
  localpoll::add_moved_to_proxy();  // epoll interests of pipes the child took to the host
  if (same_stack) __builtin_memcpy(reinterpret_cast<void*>(saved), return_path, path);
  if (verbose()) log("vfork child: %s %ld", result > 0 ? "pid" : "errno", result > 0 ? result : -result);
  return result;
}

[[noreturn]] void finish_child(long result) {
  ShimThread* t = current_thread();
  auto* c = static_cast<Child*>(t->vfork_child);
  local::release_child_table(c->local_files);
  if (result > 0 && !add_child(result) && verbose()) log("more than %d child processes: wait4 may miss some", kMaxChildren);
  t->vfork_child = nullptr;
  c->result = result;
  __atomic_store_n(&c->done, 1u, __ATOMIC_RELEASE);
  host::futex_wake(&c->done, 1);
  threads::end_vfork_thread();
}

long exec_child(std::uint64_t upath, std::uint64_t uargv, std::uint64_t uenvp) {
  Child* c = current();
  std::uint64_t cap = (kRequestCap + 4095) & ~4095ull;
  long region = mem::map(0, cap, abi::kProtRead | abi::kProtWrite, false, false, mem::kShim);
  if (region < 0) return -abi::kENOMEM;
  auto* buf = reinterpret_cast<std::uint8_t*>(region);
  spawn::Request h = header(c, spawn::kExec);

  // The fds the new process may inherit: every fd open in the child (the proxy keeps those
  // without FD_CLOEXEC); in-enclave pipes among them move to the host first.
  auto* fds = reinterpret_cast<std::int32_t*>(buf + sizeof h);
  for (int f = 0; f < fd::kMaxFds; ++f) {
    if (!fd::is_open(f)) continue;
    if (h.nfds == spawn::kMaxFds) {
      report_unsupported(59, "a child process inherits at most 1024 fds; the others are closed");
      break;
    }
    fds[h.nfds++] = f;
  }
  char* strings = reinterpret_cast<char*>(buf + sizeof h + h.nfds * 4ull);
  std::uint64_t used = 0;
  long r = 0;
  long plen = user::strnlen(upath, 4096);
  if (plen < 0) r = plen;
  else if (plen >= 4096) r = -abi::kENAMETOOLONG;
  // /proc/self/exe (or /proc/<own pid>/exe) is the program (shim/proc_files.hpp); the host's
  // would be Cocoon itself.
  char given[32] = {};
  bool own_exe = false;
  if (r == 0 && plen < static_cast<long>(sizeof given) && user::copy_from(given, upath, static_cast<std::uint64_t>(plen))) {
    proc::alias_own_pid(given, static_cast<std::size_t>(plen), sizeof given);
    own_exe = __builtin_memcmp(given, "/proc/self/exe", 15) == 0 || __builtin_memcmp(given, "/proc/thread-self/exe", 22) == 0;
  }
  if (own_exe && proc::exe()[0]) {
    upath = 0;
    for (const char* e = proc::exe(); *e;) strings[used++] = *e++;
  }
  if (r == 0 && upath && user::read(strings[0], upath) && strings[0] != '/') {
    // Relative to the child's cwd (its proxy fork's, after any chdir), not the program's.
    ProxyRequest cwd_rq(79);
    cwd_rq.out(0, 4096);
    cwd_rq.arg(1, 4096);
    long n = cwd_rq.call("getcwd");
    if (n <= 1 || n > 4096) r = n < 0 ? n : -abi::kENOENT;
    const char* cwd = reinterpret_cast<const char*>(cwd_rq.data(0));
    if (r == 0 && (cwd[0] != '/' || cwd[n - 1] != 0)) r = iago("getcwd", "path", n);
    if (r == 0 && n - 1 + 1 + plen >= 4096) r = -abi::kENAMETOOLONG;
    if (r == 0) {
      __builtin_memcpy(strings, cwd, static_cast<std::uint64_t>(n - 1));
      used = static_cast<std::uint64_t>(n - 1);
      if (used > 1) strings[used++] = '/';
    }
  }
  if (r == 0 && upath && !user::copy_from(strings + used, upath, static_cast<std::uint64_t>(plen))) r = -abi::kEFAULT;
  if (r == 0) {
    if (upath) used += static_cast<std::uint64_t>(plen);
    strings[used++] = 0;
    r = pack_strings(uargv, strings, spawn::kMaxStrings, used, h.argc);
  }
  if (r == 0) r = pack_strings(uenvp, strings, spawn::kMaxStrings, used, h.envc);
  if (r == 0) r = check_startable(strings);
  for (std::uint32_t i = 0; r == 0 && i < h.nfds; ++i) {
    if (!local::is_local(fds[i])) continue;
    long fl = proxy_call(72, fds[i], 1 /* F_GETFD */);
    if (fl >= 0 && !(fl & 1)) r = local::export_fd(fds[i]);
  }
  if (r == 0) {
    h.strings_size = static_cast<std::uint32_t>(used);
    __builtin_memcpy(buf, &h, sizeof h);
    if (verbose()) log("execve in a vfork child: %s in a new enclave", strings);
    r = send_spawn(buf, sizeof h + h.nfds * 4ull + used);
  }
  mem::unmap(static_cast<std::uint64_t>(region), cap);
  if (r > 0) finish_child(r);
  return r;  // execve fails in the child, which goes on (its proxy fork too)
}

[[noreturn]] void exit_child(int status) {
  Child* c = current();
  spawn::Request h = header(c, spawn::kExit);
  h.exit_status = status;
  long pid = send_spawn(&h, sizeof h);
  if (pid < 0 && c->proxy_forked) proxy_call(static_cast<long>(channel::kOpShutdown));
  finish_child(pid);
}

}  // namespace vfork

long sys_vfork(SyscallFrame& f) { return vfork::start(*reinterpret_cast<CloneFrame*>(&f), 0); }

namespace {

constexpr long kWnohang = 1, kWuntraced = 2, kWstopped = 2, kWexited = 4, kWcontinued = 8, kWnowait = 0x1000000,
               kWnothread = 0x20000000, kWall = 0x40000000, kWclone = -0x80000000L;  // as an int

// wait4's pid (or waitid's P_PID id): ECHILD when it cannot name a child of the program.
bool may_wait_for(long pid) {
  if (live_children() == 0) return false;
  return pid <= 0 || is_live_child(pid);
}

}  // namespace

long sys_wait4(SyscallFrame& f) {
  long pid = static_cast<std::int32_t>(f.a[0]), options = static_cast<std::int32_t>(f.a[2]);  // ints
  if (options & ~(kWnohang | kWuntraced | kWcontinued | kWnothread | kWall | kWclone)) return -abi::kEINVAL;
  if (pid == -2147483648L) return -abi::kESRCH;
  if (!may_wait_for(pid)) return -abi::kECHILD;
  ProxyRequest rq(61);
  rq.arg(0, pid);
  rq.out(1, 4);
  rq.arg(2, options & ~(kWall | kWclone));  // the proxy's own helpers are clone children
  if (f.a[3]) rq.out(3, 144);
  long r = rq.call("wait4");
  if (r <= 0) return r;
  if (!is_live_child(r)) return iago("wait4", "pid", r);
  std::int32_t status;
  __builtin_memcpy(&status, rq.data(1), 4);
  bool stopped = (status & 0xff) == 0x7f, continued = status == 0xffff;
  if (!stopped && !continued) reaped(r);
  if (f.a[1] && !user::copy_to(static_cast<std::uint64_t>(f.a[1]), &status, 4)) return -abi::kEFAULT;
  if (f.a[3] && !user::copy_to(static_cast<std::uint64_t>(f.a[3]), rq.data(3), 144)) return -abi::kEFAULT;
  return r;
}

long sys_waitid(SyscallFrame& f) {
  long idtype = static_cast<std::int32_t>(f.a[0]), id = static_cast<std::int32_t>(f.a[1]),
       options = static_cast<std::int32_t>(f.a[3]);
  if (options & ~(kWnohang | kWstopped | kWexited | kWcontinued | kWnowait | kWnothread | kWall | kWclone))
    return -abi::kEINVAL;
  if (!(options & (kWstopped | kWexited | kWcontinued))) return -abi::kEINVAL;
  if (idtype < 0 || idtype > 3) return -abi::kEINVAL;
  // P_PIDFD: a pidfd lives in the proxy (pidfd_open), whose kernel checks it first (EBADF for
  // an fd that is none, ECHILD for a pidfd of a process that is not a child).
  if (idtype == 3 && (id < 0 || fd::to_proxy(static_cast<int>(id)) < 0)) return -abi::kEBADF;
  if (idtype != 3 && !may_wait_for(idtype == 1 ? id : 0)) return -abi::kECHILD;
  ProxyRequest rq(247);
  rq.arg(0, idtype);
  rq.arg(1, id);
  rq.out(2, 128);
  rq.arg(3, options & ~(kWall | kWclone));
  if (f.a[4]) rq.out(4, 144);
  __builtin_memset(rq.data(2), 0, 128);
  long r = rq.call("waitid");
  if (r < 0) return r;
  std::int32_t code, child;
  __builtin_memcpy(&code, rq.data(2) + 8, 4);
  __builtin_memcpy(&child, rq.data(2) + 16, 4);
  if (child != 0) {
    if (!is_live_child(child)) return iago("waitid", "si_pid", child);
    bool ended = code == 1 || code == 2 || code == 3;  // CLD_EXITED, CLD_KILLED, CLD_DUMPED
    if (ended && !(options & kWnowait)) reaped(child);
  }
  if (f.a[2] && !user::copy_to(static_cast<std::uint64_t>(f.a[2]), rq.data(2), 128)) return -abi::kEFAULT;
  if (f.a[4] && !user::copy_to(static_cast<std::uint64_t>(f.a[4]), rq.data(4), 144)) return -abi::kEFAULT;
  return 0;
}

long sys_setsid(SyscallFrame&) {
  // A vfork child's new process starts its own session; the enclave's own session is fixed.
  if (vfork::Child* c = vfork::current()) {
    c->flags |= spawn::kSetsid;
    return g.pid;
  }
  report_unsupported(112, "sessions are fixed: one enclave runs one process (EPERM)");
  return -abi::kEPERM;
}

namespace children {

// kill of a pid that is not the program's own (its children, its parent, a process group):
// the host's kernel delivers it and decides what is allowed, as for a native process.
long kill_other(long pid, long sig) { return proxy_call(62, pid, sig); }

}  // namespace children

}  // namespace cocoon::shim
