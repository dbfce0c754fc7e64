#include "shim/path_calls.hpp"

#include "shim/fdtable.hpp"
#include "shim/file_policy.hpp"
#include "shim/globals.hpp"
#include "shim/forward.hpp"
#include "shim/linux_abi.hpp"
#include "shim/proc_files.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/thread.hpp"
#include "shim/trusted_files.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim {
namespace {

using syscalls::Arg;

// Calls that only look at a path (everything else with a path may change the file system).
bool read_only_path_call(long nr) {
  switch (nr) {
    case 4: case 6: case 21: case 89: case 262: case 332: case 269: case 439: case 267:  // stat… readlink…
    case 191: case 192: case 194: case 195:                                              // getxattr, listxattr
    case 137: case 80: case 254:                                                         // statfs, chdir, inotify
      return true;
    default:
      return false;
  }
}

bool is_open_call(long nr) { return nr == 2 || nr == 257 || nr == 85; }

// Reads the program's path argument into buf; returns length or -errno.
long user_path(std::uint64_t p, char* buf, std::size_t cap) {
  long n = user::strnlen(p, cap);
  if (n < 0) return n;
  if (static_cast<std::size_t>(n) >= cap) return -abi::kENAMETOOLONG;
  user::copy_from(buf, p, static_cast<std::uint64_t>(n) + 1);
  return static_cast<long>(proc::alias_own_pid(buf, static_cast<std::size_t>(n), cap));
}

long open_flags(long nr, const SyscallFrame& f) {
  if (nr == 85) return 01 | 0100 | 01000;  // creat = O_WRONLY|O_CREAT|O_TRUNC
  return nr == 2 ? f.a[1] : f.a[2];
}

// Calls on an fd of a trusted file.
bool trusted_fd_call(long nr, SyscallFrame& f, long* result) {
  int fdn = static_cast<int>(f.a[0]);
  switch (nr) {
    case 0: *result = trusted::read(fdn, static_cast<std::uint64_t>(f.a[1]), static_cast<std::uint64_t>(f.a[2])); return true;
    case 17: *result = trusted::pread(fdn, static_cast<std::uint64_t>(f.a[1]), static_cast<std::uint64_t>(f.a[2]), f.a[3]); return true;
    case 19: *result = trusted::readv(fdn, static_cast<std::uint64_t>(f.a[1]), f.a[2], -1); return true;
    case 295: case 327: *result = trusted::readv(fdn, static_cast<std::uint64_t>(f.a[1]), f.a[2], f.a[3]); return true;
    case 8: *result = trusted::lseek(fdn, f.a[1], static_cast<int>(f.a[2])); return true;
    case 1: case 18: case 20: case 296: case 328: case 77: case 285:  // writes, ftruncate, fallocate
      *result = -abi::kEBADF;  // opened read-only
      return true;
    case 326:  // copy_file_range would move unverified bytes: let the program fall back
      *result = -abi::kEXDEV;
      return true;
    default:
      return false;
  }
}

}  // namespace

// A resolved path is large (4 KiB): each thread slot has one, kept off the shim stack and
// allocated at the slot's first use (never shared between threads: the policy decision of
// one thread must not see another's path).
policy::Resolved* resolved_scratch() {
  ShimThread* t = current_thread();
  if (!t->path_scratch) t->path_scratch = mem::shim_alloc(sizeof(policy::Resolved));
  return static_cast<policy::Resolved*>(t->path_scratch);
}

bool apply_file_policy(const syscalls::SyscallInfo& info, SyscallFrame& f, long* result) {
  long nr = f.nr;
  // fds of trusted files.
  if (info.args[0].kind == Arg::Fd && trusted::is_trusted_fd(static_cast<int>(f.a[0])) &&
      trusted_fd_call(nr, f, result))
    return true;
  if (nr == 326 && trusted::is_trusted_fd(static_cast<int>(f.a[0]))) return *result = -abi::kEXDEV, true;
  if (!policy::active()) return false;

  for (int i = 0; i < 6; ++i) {
    if (info.args[i].kind != Arg::Path || !f.a[i]) continue;
    char given[4096];
    long n = user_path(static_cast<std::uint64_t>(f.a[i]), given, sizeof given);
    if (n < 0) return *result = n, true;
    int dirfd = abi::kAtFdcwd;
    if (i > 0 && info.args[i - 1].kind == Arg::Fd) dirfd = static_cast<int>(f.a[i - 1]);
    if (n == 0) continue;  // "" with AT_EMPTY_PATH: the fd's own file, checked by fd
    bool follow = !(nr == 6 || nr == 89 || nr == 267 || nr == 192 || nr == 195);  // lstat, readlink…
    policy::Resolved* rp = resolved_scratch();
    if (!rp) return *result = -abi::kENOMEM, true;
    policy::Resolved& r = *rp;
    if (long e = policy::resolve(dirfd, given, follow, r); e < 0) return *result = e, true;
    if (is_open_call(nr)) {
      long flags = open_flags(nr, f);
      if (r.access == policy::Access::Trusted) {
        *result = trusted::open(r, flags);
        if (*result >= 0) policy::remember_fd_path(static_cast<int>(*result), r.path, r.len);
        return true;
      }
      if (r.access == policy::Access::Hidden) return *result = -abi::kENOENT, true;
      if (r.access == policy::Access::VisibleDir && ((flags & 3) != 0 || (flags & 0100)))
        return *result = -abi::kEACCES, true;
      continue;
    }
    if (r.access == policy::Access::Hidden) return *result = -abi::kENOENT, true;
    if (!read_only_path_call(nr) && r.access != policy::Access::Allowed) {
      if (verbose()) log("%s %s: not allowed by the manifest (only [fs] allowed_files may change)", info.name, r.path);
      return *result = -abi::kEACCES, true;
    }
  }
  return false;
}

void note_opened(const syscalls::SyscallInfo&, SyscallFrame& f, long fd) {
  if (fd < 0 || !is_open_call(f.nr)) return;
  int pi = f.nr == 257 ? 1 : 0;
  char given[4096];
  long n = user_path(static_cast<std::uint64_t>(f.a[pi]), given, sizeof given);
  if (n <= 0) return;
  policy::Resolved* r = resolved_scratch();
  if (r && policy::resolve(f.nr == 257 ? static_cast<int>(f.a[0]) : abi::kAtFdcwd, given, true, *r) == 0)
    policy::remember_fd_path(static_cast<int>(fd), r->path, r->len);
}

void note_chdir(SyscallFrame& f) {
  if (f.nr == 81) {  // fchdir
    policy::set_cwd_to_fd_path(static_cast<int>(f.a[0]));
    return;
  }
  char given[4096];
  if (user_path(static_cast<std::uint64_t>(f.a[0]), given, sizeof given) <= 0) return;
  policy::Resolved* r = resolved_scratch();
  if (r && policy::resolve(abi::kAtFdcwd, given, true, *r) == 0) policy::set_cwd(r->path, r->len);
}

}  // namespace cocoon::shim
