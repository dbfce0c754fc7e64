// execve inside the enclave: the new program replaces the old one in the same enclave (one
// enclave runs one process at a time). Its fds that are not close-on-exec stay open, ignored
// signals stay ignored, everything else starts afresh.
#include "shim/deferred_calls.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/program.hpp"
#include "shim/signals.hpp"
#include "shim/timers.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

namespace cocoon::shim {
namespace {

constexpr std::uint64_t kMaxArgBytes = 2 << 20;  // like Linux's ARG_MAX order of magnitude
constexpr std::uint32_t kMaxStrings = 65536;

// Strings of the new program, in one shim region (the previous exec's is released).
std::uint64_t g_exec_region, g_exec_region_len;

struct Vec {
  char** v;
  std::uint32_t n;
};

// Measures the NULL-terminated string array at uptr: count and bytes (strings + NULs).
long measure(std::uint64_t uptr, std::uint32_t& count, std::uint64_t& bytes) {
  count = 0;
  bytes = 0;
  if (!uptr) return 0;
  for (;;) {
    std::uint64_t p;
    if (!user::read(p, uptr + count * 8ull)) return -abi::kEFAULT;
    if (!p) return 0;
    long n = user::strnlen(p, kMaxArgBytes);
    if (n < 0) return n;
    bytes += static_cast<std::uint64_t>(n) + 1;
    if (++count > kMaxStrings || bytes > kMaxArgBytes) return -abi::kE2BIG;
  }
}

Vec copy_vec(std::uint64_t uptr, std::uint32_t count, char**& slots, char*& text) {
  Vec v{slots, count};
  for (std::uint32_t i = 0; i < count; ++i) {
    std::uint64_t p;
    user::read(p, uptr + i * 8ull);
    long n = user::strnlen(p, kMaxArgBytes);
    __builtin_memcpy(text, reinterpret_cast<const void*>(p), static_cast<std::uint64_t>(n) + 1);
    slots[i] = text;
    text += n + 1;
  }
  slots[count] = nullptr;
  slots += count + 1;
  return v;
}

}  // namespace

long sys_execve(SyscallFrame& f) {
  if (vfork::current())
    return vfork::exec_child(static_cast<std::uint64_t>(f.a[0]), static_cast<std::uint64_t>(f.a[1]),
                             static_cast<std::uint64_t>(f.a[2]));
  // Linux would end the other threads first; the shim cannot stop a thread that is inside
  // a proxy call or a wait, so a program with several threads cannot exec (yet).
  if (threads::live_count() > 1) {
    report_unsupported(59, "execve while the program has several threads is not supported (EAGAIN)");
    return -abi::kEAGAIN;
  }
  deferred::flush();
  std::uint64_t upath = static_cast<std::uint64_t>(f.a[0]);
  long plen = user::strnlen(upath, 4096);
  if (plen < 0) return plen;
  if (plen >= 4096) return -abi::kENAMETOOLONG;
  std::uint32_t argc, envc;
  std::uint64_t argb, envb;
  if (long r = measure(static_cast<std::uint64_t>(f.a[1]), argc, argb); r < 0) return r;
  if (long r = measure(static_cast<std::uint64_t>(f.a[2]), envc, envb); r < 0) return r;
  std::uint64_t need = (argc + envc + 2) * 8ull + argb + envb + static_cast<std::uint64_t>(plen) + 1 + 8;
  long region = mem::map(0, need, abi::kProtRead | abi::kProtWrite, false, false, mem::kShim);
  if (region < 0) return -abi::kENOMEM;
  char** slots = reinterpret_cast<char**>(region);
  char* text = reinterpret_cast<char*>(region + (argc + envc + 2) * 8ull);
  char* path = text;
  __builtin_memcpy(path, reinterpret_cast<const void*>(upath), static_cast<std::uint64_t>(plen) + 1);
  text += plen + 1;
  Vec argv = copy_vec(static_cast<std::uint64_t>(f.a[1]), argc, slots, text);
  Vec envp = copy_vec(static_cast<std::uint64_t>(f.a[2]), envc, slots, text);
  if (argc == 0) {  // Linux passes an empty argv[0] in that case; give the path instead
    argv.v[0] = path;
    argv.v[1] = nullptr;
    argv.n = 1;
  }

  // Nothing is torn down before the new program is known to be startable.
  if (long r = check_startable(path, true); r < 0) {
    mem::unmap(static_cast<std::uint64_t>(region), need);
    return r;
  }
  if (verbose()) log("execve %s", path);

  // Point of no return: close close-on-exec fds, reset signals, drop the old program.
  for (int fdn = 0; fdn < fd::kMaxFds; ++fdn) {
    if (!fd::is_open(fdn)) continue;
    long flags = proxy_call(72, fdn, 1 /* F_GETFD */);
    if (flags > 0 && (flags & 1)) {
      SyscallFrame close_frame{3, {fdn, 0, 0, 0, 0, 0}};
      sys_close(close_frame);
    }
  }
  signals::reset_handlers_for_exec();
  timers::reset_for_exec();
  ShimThread* t = current_thread();
  t->prog_altstack_sp = t->prog_altstack_size = 0;
  t->robust_list = t->robust_list_len = 0;
  t->clear_child_tid = 0;
  mem::release_program_memory();
  if (g_exec_region) mem::unmap(g_exec_region, g_exec_region_len);
  g_exec_region = static_cast<std::uint64_t>(region);
  g_exec_region_len = need;
  start_program(argv.v, argv.n, envp.v, envp.n, path);
}

}  // namespace cocoon::shim
