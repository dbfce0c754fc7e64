// The routes the shim author decided (issue 2), and the argument specs the brief spells out,
// checked row by row: a row that drifts from the decision fails here.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {
namespace {

const SyscallInfo& row_named(const std::string& name) {
  const SyscallInfo* row = find_syscall_by_name(name.c_str());
  if (row == nullptr) { ADD_FAILURE() << "no row named " << name; }
  static const SyscallInfo kMissing{};
  return row != nullptr ? *row : kMissing;
}

void expect_route(const std::vector<std::string>& names, Route route, std::uint16_t err = 0) {
  for (const std::string& name : names) {
    const SyscallInfo& row = row_named(name);
    EXPECT_EQ(row.route, route) << name;
    if (route == Route::Refuse) { EXPECT_EQ(row.err, err) << name; }
  }
}

bool same(const ArgSpec& a, const ArgSpec& b) {
  return a.kind == b.kind && a.size_arg == b.size_arg && a.fixed_size == b.fixed_size &&
         a.elem_size == b.elem_size;
}

ArgSpec spec(Arg kind, int size_arg = kNoSizeArg, int fixed = 0, int elem = 1) {
  ArgSpec a;
  a.kind = kind;
  a.size_arg = static_cast<std::int8_t>(size_arg);
  a.fixed_size = static_cast<std::uint16_t>(fixed);
  a.elem_size = static_cast<std::uint16_t>(elem);
  return a;
}

void expect_args(const std::string& name, const std::vector<ArgSpec>& expected,
                 std::uint16_t flags) {
  const SyscallInfo& row = row_named(name);
  SCOPED_TRACE(name);
  EXPECT_EQ(row.route, Route::Forward);
  for (std::size_t i = 0; i < 6; ++i) {
    const ArgSpec want = i < expected.size() ? expected[i] : ArgSpec{};
    EXPECT_TRUE(same(row.args[i], want)) << "argument " << i;
  }
  EXPECT_EQ(row.flags, flags);
}

TEST(SyscallRoutes, ServedInTheShim) {
  expect_route({"brk", "mmap", "munmap", "mprotect", "mremap", "madvise", "msync", "mincore",
                "mlock", "munlock", "mlockall", "munlockall", "mlock2", "arch_prctl",
                "set_tid_address", "set_robust_list", "get_robust_list", "getpid", "getppid",
                "gettid", "getuid", "geteuid", "getgid", "getegid", "getresuid", "getresgid",
                "getgroups", "getpgrp", "getpgid", "getsid", "clock_gettime", "clock_getres",
                "gettimeofday", "time", "nanosleep", "clock_nanosleep", "getrandom", "exit",
                "exit_group", "rt_sigaction", "rt_sigprocmask", "rt_sigreturn", "sigaltstack",
                "rt_sigpending", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigqueueinfo",
                "rt_tgsigqueueinfo", "pause", "alarm", "setitimer", "getitimer", "timer_create",
                "timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "kill", "tgkill", "tkill", "uname", "sched_yield",
                "sched_getaffinity", "sched_setaffinity", "getcpu", "sysinfo", "prlimit64",
                "getrlimit", "setrlimit", "umask", "prctl", "personality", "futex",
                "getrusage", "times", "close", "dup", "dup2", "dup3", "close_range", "execve", "clone",
                "vfork", "setsid", "setuid", "setgid", "setreuid", "setregid", "setresuid",
                "setresgid", "getpriority", "setpriority"},
               Route::Shim);
  EXPECT_NE(row_named("prctl").flags & kPartial, 0);
}

TEST(SyscallRoutes, RefusedWithENOSYS) {
  expect_route({"rseq", "clone3", "fork", "execveat"}, Route::Refuse,
               kENOSYS);
  // unsupported kernel facilities
  expect_route({"io_setup", "io_destroy", "io_getevents", "io_submit", "io_cancel",
                "io_pgetevents", "io_uring_setup", "io_uring_enter", "io_uring_register", "bpf",
                "perf_event_open", "userfaultfd", "fanotify_init", "fanotify_mark", "keyctl",
                "add_key", "request_key", "seccomp", "landlock_create_ruleset",
                "landlock_add_rule", "landlock_restrict_self", "pkey_mprotect", "pkey_alloc",
                "pkey_free", "mbind", "set_mempolicy", "get_mempolicy", "migrate_pages",
                "move_pages", "memfd_secret", "signalfd", "signalfd4", "vmsplice", "sendmmsg", "recvmmsg", "name_to_handle_at",
                "open_by_handle_at", "fsopen", "fsmount", "fsconfig", "fspick", "open_tree",
                "move_mount", "mount_setattr", "pidfd_getfd",
                "process_madvise", "mseal", "cachestat", "openat2", "setxattrat", "getxattrat",
                "listxattrat", "removexattrat", "map_shadow_stack", "futex_waitv", "futex_wake",
                "futex_wait", "futex_requeue", "lsm_get_self_attr", "lsm_set_self_attr",
                "lsm_list_modules", "listmount", "statmount", "uretprobe",
                "set_mempolicy_home_node"},
               Route::Refuse, kENOSYS);
  // obsolete
  expect_route({"uselib", "create_module", "get_kernel_syms", "query_module", "nfsservctl",
                "getpmsg", "putpmsg", "afs_syscall", "tuxcall", "security", "vserver", "_sysctl",
                "sysfs", "ustat", "remap_file_pages", "epoll_ctl_old", "epoll_wait_old",
                "set_thread_area", "get_thread_area", "modify_ldt"},
               Route::Refuse, kENOSYS);
  EXPECT_NE(std::string(row_named("execveat").note).find("one enclave runs one process"),
            std::string::npos);
}

TEST(SyscallRoutes, RefusedWithOtherErrnos) {
  expect_route({"ptrace", "process_vm_readv", "process_vm_writev", "mount", "umount2",
                "pivot_root", "chroot", "swapon", "swapoff", "reboot", "sethostname",
                "setdomainname", "iopl", "ioperm", "init_module", "finit_module",
                "delete_module", "kexec_load", "kexec_file_load", "acct", "quotactl",
                "settimeofday", "clock_settime", "adjtimex", "clock_adjtime", "setgroups", "setfsuid",
                "setfsgid", "setpgid", "vhangup", "syslog",
                "lookup_dcookie"},
               Route::Refuse, kEPERM);
}

TEST(SyscallRoutes, Forwarded) {
  expect_route(
      {"read", "write", "pread64", "pwrite64", "readv", "writev", "preadv", "pwritev", "preadv2",
       "pwritev2", "open", "openat", "creat", "stat", "fstat", "lstat", "newfstatat", "statx",
       "lseek", "access", "faccessat", "faccessat2", "getdents", "getdents64", "readlink",
       "readlinkat", "mkdir", "mkdirat", "rmdir", "unlink", "unlinkat", "rename", "renameat",
       "renameat2", "link", "linkat", "symlink", "symlinkat", "chmod", "fchmod", "fchmodat",
       "chown", "fchown", "lchown", "fchownat", "truncate", "ftruncate", "fsync", "fdatasync",
       "syncfs", "sync", "sync_file_range", "statfs", "fstatfs", "utime", "utimes", "utimensat",
       "futimesat", "fadvise64", "fallocate", "flock", "getcwd", "chdir", "fchdir", "getxattr",
       "lgetxattr", "fgetxattr", "listxattr", "llistxattr", "flistxattr", "setxattr",
       "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr", "ioctl", "fcntl",
       "sendfile", "copy_file_range", "pipe", "pipe2", "poll", "ppoll", "select", "pselect6",
       "epoll_create", "epoll_create1", "epoll_ctl", "epoll_wait", "epoll_pwait",
       "epoll_pwait2", "eventfd", "eventfd2", "timerfd_create", "timerfd_settime",
       "timerfd_gettime", "inotify_init", "inotify_init1", "inotify_add_watch",
       "inotify_rm_watch", "socket", "socketpair", "bind", "listen", "accept", "accept4",
       "connect", "getsockname", "getpeername", "sendto", "recvfrom", "sendmsg", "recvmsg",
       "shutdown", "setsockopt", "getsockopt"},
      Route::Forward);
  for (const char* name : {"ioctl", "fcntl", "sendfile", "recvmsg", "sendmsg", "getsockopt",
                           "poll", "ppoll", "select", "pselect6", "bind", "listen"})
    EXPECT_NE(row_named(name).flags & kCustom, 0) << name;
  EXPECT_NE(std::string(row_named("ioctl").note).find("ENOTTY"), std::string::npos);
}

// The argument specs the brief spells out.
TEST(SyscallRoutes, ArgSpecsFromTheBrief) {
  const ArgSpec fd = spec(Arg::Fd), in = spec(Arg::Int), path = spec(Arg::Path);
  expect_args("read", {fd, spec(Arg::Out, 2), in}, kOutSizeIsResult | kBlocking);
  expect_args("fstat", {fd, spec(Arg::Out, kNoSizeArg, 144)}, 0);
  expect_args("newfstatat", {fd, path, spec(Arg::Out, kNoSizeArg, 144), in}, kAtFdCwd);
  expect_args("statx", {fd, path, in, in, spec(Arg::Out, kNoSizeArg, 256)}, kAtFdCwd);
  // Custom: /proc/self/fd leaves out the proxy's own fds (shim/sys_fd.cpp).
  expect_args("getdents64", {fd, spec(Arg::Out, 2), in}, kOutSizeIsResult | kCustom);
  // Custom: an accepted socket's addresses are kept in the enclave (shim/sock_names.hpp).
  expect_args("getsockname", {fd, spec(Arg::Out, kSizeFromPtr), spec(Arg::InOut, kNoSizeArg, 4)}, kCustom);
  expect_args("readlink", {path, spec(Arg::Out, 2), in}, kOutSizeIsResult);
  expect_args("getcwd", {spec(Arg::Out, 1), in}, kOutSizeIsResult);
  expect_args("pipe2", {spec(Arg::Out, kNoSizeArg, 8), in}, kNewFdPair | kCustom);
  expect_args("accept4",
              {fd, spec(Arg::Out, kSizeFromPtr), spec(Arg::InOut, kNoSizeArg, 4), in},
              kNewFd | kBlocking);
  expect_args("bind", {fd, spec(Arg::In, 2), in}, kCustom);  // checked against net.bind first
  expect_args("epoll_wait", {fd, spec(Arg::Out, 2, 0, 12), in, in},
              kOutSizeIsResult | kBlocking | kCustom);
  expect_args("readv", {fd, spec(Arg::IovOut, 2, 0, 16), in}, kOutSizeIsResult | kBlocking);
  expect_args("writev", {fd, spec(Arg::IovIn, 2, 0, 16), in}, kBlocking);
}

}  // namespace
}  // namespace cocoon::syscalls
