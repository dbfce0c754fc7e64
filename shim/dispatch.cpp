#include "shim/dispatch.hpp"

#include "shim/pseudo_files.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/linux_abi.hpp"
#include "shim/local_files.hpp"
#include "shim/log.hpp"
#include "shim/signals.hpp"
#include "shim/thread.hpp"
#include "shim/sys_handlers.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::shim {
namespace {

using syscalls::Route;

struct HandlerRow {
  long nr;
  Handler fn;
};

// Every handler, by syscall number. The static_asserts below keep this list and the
// syscall table (the documentation) in agreement.
constexpr HandlerRow kHandlers[] = {
#define COCOON_HANDLER(name, nr) {nr, sys_##name},
    COCOON_SHIM_HANDLERS(COCOON_HANDLER)
#undef COCOON_HANDLER
};

constexpr bool handlers_match_table() {
  for (const HandlerRow& h : kHandlers) {
    const syscalls::SyscallInfo* info = syscalls::find_syscall(h.nr);
    if (!info) return false;
    bool shim = info->route == Route::Shim;
    bool custom = info->route == Route::Forward && (info->flags & syscalls::kCustom);
    if (!shim && !custom) return false;
  }
  return true;
}
static_assert(handlers_match_table(), "a shim handler serves a syscall the table does not route to the shim");

constexpr bool table_rows_have_handlers() {
  for (const syscalls::SyscallInfo& info : syscalls::kSyscallTable) {
    bool needs = info.route == Route::Shim || (info.route == Route::Forward && (info.flags & syscalls::kCustom));
    if (!needs) continue;
    bool found = false;
    for (const HandlerRow& h : kHandlers) found = found || h.nr == info.nr;
    if (!found) return false;
  }
  return true;
}
static_assert(table_rows_have_handlers(), "the syscall table routes a syscall to the shim that has no handler");

struct HandlerIndex {
  Handler fn[syscalls::kMaxSyscallNr + 1];
};
constexpr HandlerIndex make_index() {
  HandlerIndex idx{};
  for (const HandlerRow& h : kHandlers) idx.fn[h.nr] = h.fn;
  return idx;
}
constexpr HandlerIndex kIndex = make_index();

std::uint64_t g_reported[(syscalls::kMaxSyscallNr + 64) / 64];

}  // namespace

Handler handler_for(long nr) {
  if (nr < 0 || nr > syscalls::kMaxSyscallNr) return nullptr;
  return kIndex.fn[nr];
}

void report_unsupported(long nr, const char* why) {
  if (!verbose()) return;
  if (nr >= 0 && nr <= syscalls::kMaxSyscallNr) {
    std::uint64_t bit = 1ull << (nr % 64);
    if (__atomic_fetch_or(&g_reported[nr / 64], bit, __ATOMIC_RELAXED) & bit) return;
    const syscalls::SyscallInfo* info = syscalls::find_syscall(nr);
    log("syscall %s (%ld) refused: %s", info ? info->name : "?", nr, why);
  } else {
    log("syscall %ld refused: %s", nr, why);
  }
}

}  // namespace cocoon::shim

using namespace cocoon;
using namespace cocoon::shim;

namespace {

long dispatch(SyscallFrame* f) {
  long nr = f->nr;
  const syscalls::SyscallInfo* info = syscalls::find_syscall(nr);
  if (!info) {
    report_unsupported(nr, "not a Linux x86-64 syscall number");
    return -abi::kENOSYS;
  }
  channel::Stats& st = g.window->stats;
  switch (info->route) {
    case Route::Shim:
      bump_stat(st.served_in_shim[nr]);
      return kIndex.fn[nr](*f);
    case Route::Forward: {
      long served;
      if (pseudo::intercept(*info, *f, &served) ||  // /dev/attestation, /proc/…: never leave the enclave
          local::intercept(*info, *f, &served)) {   // in-enclave pipes and eventfds
        bump_stat(st.served_in_shim[nr]);
        return served;
      }
      bump_stat(st.forwarded[nr]);
      if (info->flags & syscalls::kCustom) return kIndex.fn[nr](*f);
      return forward_generic(*info, *f);
    }
    case Route::Refuse:
      bump_stat(st.refused[nr]);
      report_unsupported(nr, info->note);
      return -static_cast<long>(info->err);
  }
  return -abi::kENOSYS;
}

}  // namespace

// Called by shim_syscall_entry (shim/entry.S) for every syscall of the program. After the
// call, the thread's deliverable flag tells the exit path whether a signal is due.
extern "C" long shim_dispatch(SyscallFrame* f) {
  ShimThread* t = current_thread();
  for (;;) {
    long r = dispatch(f);
    signals::after_syscall(t);
    // Interrupted with nothing for the program to take (another thread took the signal,
    // or the proxy saw a stray EINTR): the call starts again. With a signal to take, the
    // exit path decides (restart or EINTR) once it knows the handler's flags.
    if (r != kRestartSyscall || __atomic_load_n(&t->deliverable, __ATOMIC_ACQUIRE)) return r;
  }
}
