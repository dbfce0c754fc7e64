// Cocoon's syscall table: one row for every x86-64 Linux syscall of Linux 6.18
// (numbers 0–336 and 424–469; 337–423 were never assigned on x86-64), in number order.
// Each row says where the call is served, how each argument of a forwarded call crosses
// the untrusted window, or which errno a refused call gets and why (see syscall_info.hpp).
//
// This is the only place support is recorded: `cocoon syscalls` renders it as
// docs/syscalls.md, the shim dispatches by it, and tests/syscalls checks it against
// <asm/unistd_64.h> and for internal consistency.
//
// Freestanding-safe: header only, no libc.
#pragma once

#include <cstddef>
#include <cstdint>

#include "syscalls/syscall_errno.hpp"
#include "syscalls/syscall_info.hpp"

namespace cocoon::syscalls {

// ---------------------------------------------------------------------------------------
// Row builders: keep each row on one line and readable.
namespace table_dsl {

constexpr ArgSpec make_arg(Arg kind, int size_arg, std::uint16_t fixed_size,
                           std::uint16_t elem_size) {
  ArgSpec a;
  a.kind = kind;
  a.size_arg = static_cast<std::int8_t>(size_arg);
  a.fixed_size = fixed_size;
  a.elem_size = elem_size;
  return a;
}

inline constexpr ArgSpec kInt = make_arg(Arg::Int, kNoSizeArg, 0, 1);
inline constexpr ArgSpec kFd = make_arg(Arg::Fd, kNoSizeArg, 0, 1);
inline constexpr ArgSpec kPath = make_arg(Arg::Path, kNoSizeArg, 0, 1);
inline constexpr ArgSpec kStr = make_arg(Arg::Str, kNoSizeArg, 0, 1);
inline constexpr ArgSpec kSpecial = make_arg(Arg::Special, kNoSizeArg, 0, 1);

// Buffers whose byte count is argument number `size_arg`.
constexpr ArgSpec in_bytes(int size_arg) { return make_arg(Arg::In, size_arg, 0, 1); }
constexpr ArgSpec out_bytes(int size_arg) { return make_arg(Arg::Out, size_arg, 0, 1); }
// Arrays of `count_arg` elements of `elem` bytes each.
constexpr ArgSpec in_array(int count_arg, std::uint16_t elem) {
  return make_arg(Arg::In, count_arg, 0, elem);
}
constexpr ArgSpec out_array(int count_arg, std::uint16_t elem) {
  return make_arg(Arg::Out, count_arg, 0, elem);
}
// Fixed-size structures.
constexpr ArgSpec in_fixed(std::uint16_t bytes) { return make_arg(Arg::In, kNoSizeArg, bytes, 1); }
constexpr ArgSpec out_fixed(std::uint16_t bytes) {
  return make_arg(Arg::Out, kNoSizeArg, bytes, 1);
}
constexpr ArgSpec inout_fixed(std::uint16_t bytes) {
  return make_arg(Arg::InOut, kNoSizeArg, bytes, 1);
}
// A socket address buffer whose length is the socklen_t at the next argument.
inline constexpr ArgSpec kOutLenAtNext = make_arg(Arg::Out, kSizeFromPtr, 0, 1);
// The socklen_t that sizes the previous argument (value-result).
inline constexpr ArgSpec kSockLenInOut = make_arg(Arg::InOut, kNoSizeArg, 4, 1);
// struct iovec arrays (16 bytes per iovec) with `count_arg` entries.
constexpr ArgSpec iov_in(int count_arg) { return make_arg(Arg::IovIn, count_arg, 0, 16); }
constexpr ArgSpec iov_out(int count_arg) { return make_arg(Arg::IovOut, count_arg, 0, 16); }

struct ArgList {
  ArgSpec v[6];
  constexpr ArgList(ArgSpec a0 = {}, ArgSpec a1 = {}, ArgSpec a2 = {}, ArgSpec a3 = {},
                    ArgSpec a4 = {}, ArgSpec a5 = {})
      : v{a0, a1, a2, a3, a4, a5} {}
};

constexpr SyscallInfo row(std::uint16_t nr, const char* name, Route route, std::uint16_t err,
                          const ArgList& args, std::uint16_t flags, const char* note) {
  SyscallInfo r{nr, name, route, err, {}, flags, note};
  for (int i = 0; i < 6; ++i) r.args[i] = args.v[i];
  return r;
}

// Served inside the enclave by the shim.
constexpr SyscallInfo shim(std::uint16_t nr, const char* name, const char* note,
                           std::uint16_t flags = 0) {
  return row(nr, name, Route::Shim, 0, ArgList{}, flags, note);
}
// Executed by the untrusted proxy; `args` says how each argument crosses.
constexpr SyscallInfo fwd(std::uint16_t nr, const char* name, const ArgList& args,
                          std::uint16_t flags, const char* note) {
  return row(nr, name, Route::Forward, 0, args, flags, note);
}
// Never executed: the program gets -err.
constexpr SyscallInfo refuse(std::uint16_t nr, const char* name, std::uint16_t err,
                             const char* note) {
  return row(nr, name, Route::Refuse, err, ArgList{}, 0, note);
}

// Reasons shared by many rows.
inline constexpr const char* kObsolete =
    "obsolete: not implemented by Linux x86-64 (returns ENOSYS there too)";
inline constexpr const char* kPrivileged =
    "system administration: the enclave program never holds the privilege";
inline constexpr const char* kFixedCreds =
    "credentials are fixed for the enclave's lifetime; changing them is refused";
inline constexpr const char* kOneProcess = "not yet supported: one enclave runs one process";
inline constexpr const char* kSysvIpc =
    "System V IPC: not supported (would share state with processes outside the enclave)";
inline constexpr const char* kPosixMq = "POSIX message queues: not supported";
inline constexpr const char* kAsyncIo = "kernel asynchronous I/O (io_*, io_uring): not supported";
inline constexpr const char* kNuma =
    "NUMA memory policy: not supported; enclave memory has no node placement";
inline constexpr const char* kSched =
    "scheduling policy and priority are not modelled in the enclave";
inline constexpr const char* kMountApi = "new mount API: not supported";
inline constexpr const char* kPidfd = "another process's fds or memory: never (the enclave's process is not for the host to read)";
inline constexpr const char* kPkeys = "memory protection keys: not supported";
inline constexpr const char* kKeyring = "kernel keyrings: not supported";
inline constexpr const char* kLandlock = "Landlock: not supported (the enclave is already confined)";
inline constexpr const char* kLsm = "LSM attributes: not supported";
inline constexpr const char* kFutex2 =
    "futex2 calls: not supported; futex(2) is served by the shim";
inline constexpr const char* kXattrAt =
    "*xattrat family (Linux 6.13): not supported yet; the older *xattr calls are forwarded";
inline constexpr const char* kSignalFd = "signalfd: not supported (signals are delivered by the shim)";
inline constexpr const char* kSpliceFamily =
    "vmsplice: not supported (it maps user pages into a pipe)";
inline constexpr const char* kProcessMemory =
    "access to another process's memory is refused";
inline constexpr const char* kNamespaces = "namespaces are host administration: refused";

// Notes shared by forwarded rows.
inline constexpr const char* kFileIo = "executed by the proxy on its fd";
inline constexpr const char* kPathCall = "path resolved by the proxy (host file system view)";
inline constexpr const char* kAtCall =
    "path resolved by the proxy relative to dirfd (host file system view)";
inline constexpr const char* kOpenCall =
    "path resolved by the proxy (host file system view); opening a FIFO waits for its other end";
inline constexpr const char* kSocketCall = "executed by the proxy on its socket";
inline constexpr const char* kAcceptCall =
    "executed by the proxy on its socket, which also reads the new socket's own and peer addresses "
    "for getsockname and getpeername (channel::kOpAcceptNames)";
inline constexpr const char* kLocalPipe =
    "the pipe's buffer lives in the enclave (read, write, poll, epoll served there); the proxy "
    "holds a placeholder pair for the fd numbers; O_DIRECT pipes stay in the proxy";
inline constexpr const char* kLocalEventfd =
    "the counter lives in the enclave (read, write, poll, epoll served there); the proxy holds "
    "a placeholder for the fd number";
inline constexpr const char* kSigmaskInShim =
    "events copied back for the returned count; the sigmask applies in the enclave while the "
    "call waits (the proxy waits with none), as sigsuspend does";

}  // namespace table_dsl

// ---------------------------------------------------------------------------------------
// The rows, in number order. Sizes used below (x86-64): struct stat 144, struct statx 256,
// struct statfs 120, struct timespec/timeval 16, struct timespec[2]/timeval[2] 32,
// struct utimbuf 16, struct itimerspec 32, struct epoll_event 12, struct pollfd 8,
// socklen_t 4, int[2] 8, loff_t 8.
namespace table_dsl {

// clang-format off
inline constexpr SyscallInfo kRows[] = {
  fwd(0, "read", {kFd, out_bytes(2), kInt}, kOutSizeIsResult | kBlocking, kFileIo),
  fwd(1, "write", {kFd, in_bytes(2), kInt}, kBlocking, kFileIo),
  fwd(2, "open", {kPath, kInt, kInt}, kNewFd | kBlocking, kOpenCall),
  shim(3, "close", "the shim's fd table drops the entry; the close of the proxy fd is forwarded (for a TCP socket only this process holds and no epoll waiter could see, it travels ahead of the next forwarded call: shim/deferred_calls.hpp)"),
  fwd(4, "stat", {kPath, out_fixed(144)}, 0, kPathCall),
  fwd(5, "fstat", {kFd, out_fixed(144)}, 0, kFileIo),
  fwd(6, "lstat", {kPath, out_fixed(144)}, 0, kPathCall),
  fwd(7, "poll", {kSpecial, kInt, kInt}, kCustom | kBlocking, "dedicated marshaller: the struct pollfd array (arg1 entries of 8 bytes) is copied in and out with each fd translated"),
  fwd(8, "lseek", {kFd, kInt, kInt}, 0, kFileIo),
  shim(9, "mmap", "served from the enclave heap; file mappings are copies read through the proxy; a writable MAP_SHARED one is written back to the file at msync, munmap, mremap and exit (shim/shared_maps.hpp)"),
  shim(10, "mprotect", "changes the protection of enclave pages"),
  shim(11, "munmap", "returns pages to the shim's page allocator"),
  shim(12, "brk", "program break inside the enclave heap"),
  shim(13, "rt_sigaction", "dispositions kept by the shim; handlers run for faults, signals from outside and kill/tgkill"),
  shim(14, "rt_sigprocmask", "signal mask kept by the shim per thread"),
  shim(15, "rt_sigreturn", "restores the context of the frame the shim built on the program's stack (Linux's layout, XSAVE state included)"),
  fwd(16, "ioctl", {kFd, kInt, kSpecial}, kCustom | kPartial, "dedicated marshaller for terminal requests (TCGETS, TCSETS, TCSETSW, TCSETSF, TIOCGPGRP, TIOCSPGRP, TIOCGWINSZ, TIOCSWINSZ, TCFLSH, TCSBRK), pseudo-terminal requests (TIOCGPTN, TIOCSPTLCK, and TIOCGPTPEER, whose new fd enters the fd table) and FIONREAD, FIONBIO, FIOASYNC, FIOCLEX, FIONCLEX; any other request gets ENOTTY"),
  fwd(17, "pread64", {kFd, out_bytes(2), kInt, kInt}, kOutSizeIsResult, kFileIo),
  fwd(18, "pwrite64", {kFd, in_bytes(2), kInt, kInt}, 0, kFileIo),
  fwd(19, "readv", {kFd, iov_out(2), kInt}, kOutSizeIsResult | kBlocking, kFileIo),
  fwd(20, "writev", {kFd, iov_in(2), kInt}, kBlocking, kFileIo),
  fwd(21, "access", {kPath, kInt}, 0, kPathCall),
  fwd(22, "pipe", {out_fixed(8)}, kNewFdPair | kCustom, kLocalPipe),
  fwd(23, "select", {kInt, kSpecial, kSpecial, kSpecial, inout_fixed(16)}, kCustom | kBlocking, "dedicated marshaller: the three fd_sets (arg0 bits each) are copied in and out with each fd translated"),
  shim(24, "sched_yield", "yields the enclave thread on the host"),
  shim(25, "mremap", "moves or resizes enclave heap mappings"),
  shim(26, "msync", "writes back what changed in writable MAP_SHARED file mappings (the enclave holds copies; shim/shared_maps.hpp)", kPartial),
  shim(27, "mincore", "reports enclave pages in use as resident"),
  shim(28, "madvise", "advice about enclave heap pages; the shim's page allocator decides what each advice does", kPartial),
  refuse(29, "shmget", kENOSYS, kSysvIpc),
  refuse(30, "shmat", kENOSYS, kSysvIpc),
  refuse(31, "shmctl", kENOSYS, kSysvIpc),
  shim(32, "dup", "the proxy duplicates its fd and the new fd enters the shim's fd table"),
  shim(33, "dup2", "the proxy duplicates its fd and the shim's fd table takes the new entry, replacing an open one"),
  shim(34, "pause", "waits in the shim until a signal the thread does not block is queued"),
  shim(35, "nanosleep", "sleeps on the host clock through a host futex wait"),
  shim(36, "getitimer", "the three itimers, kept by the shim"),
  shim(37, "alarm", "SIGALRM from the shim's timer thread"),
  shim(38, "setitimer", "ITIMER_REAL (SIGALRM), ITIMER_VIRTUAL and ITIMER_PROF (both on the process's CPU time, user and system, checked every 5 ms) from the shim's timer thread", kPartial),
  shim(39, "getpid", "the enclave's own process id"),
  fwd(40, "sendfile", {kFd, kFd, inout_fixed(8), kInt}, kCustom | kBlocking, "dedicated routine: both fds are translated; the optional offset (loff_t) is copied in and out; an in-enclave pipe among the fds moves to the host first, for good"),
  fwd(41, "socket", {kInt, kInt, kInt}, kNewFd, "the socket lives in the proxy"),
  fwd(42, "connect", {kFd, in_bytes(2), kInt}, kBlocking, kSocketCall),
  fwd(43, "accept", {kFd, kOutLenAtNext, kSockLenInOut}, kNewFd | kBlocking, kAcceptCall),
  fwd(44, "sendto", {kFd, in_bytes(2), kInt, kInt, in_bytes(5), kInt}, kBlocking, kSocketCall),
  fwd(45, "recvfrom", {kFd, out_bytes(2), kInt, kInt, kOutLenAtNext, kSockLenInOut}, kOutSizeIsResult | kBlocking, kSocketCall),
  fwd(46, "sendmsg", {kFd, kSpecial, kInt}, kCustom | kPartial | kBlocking, "dedicated marshaller: struct msghdr with its name, iovecs and control data; passing fds (SCM_RIGHTS) gets EOPNOTSUPP"),
  fwd(47, "recvmsg", {kFd, kSpecial, kInt}, kCustom | kBlocking, "dedicated marshaller: struct msghdr with its name, iovecs and control data; received SCM_RIGHTS fds enter the shim's fd table"),
  fwd(48, "shutdown", {kFd, kInt}, 0, kSocketCall),
  fwd(49, "bind", {kFd, in_bytes(2), kInt}, kCustom, "dedicated routine: the address (at most 128 bytes) is copied into the enclave once and checked against the manifest's net.bind (AF_INET/AF_INET6; a refused address gets EACCES, other families are not covered); the checked copy is what the proxy binds"),
  fwd(50, "listen", {kFd, kInt}, kCustom, "dedicated routine: under the manifest's net.bind, listen on an AF_INET/AF_INET6 socket that is not bound (which the kernel binds to 0.0.0.0 or :: and an ephemeral port) is checked as a bind to that address and port 0, and refused with EACCES when no rule allows it; otherwise forwarded"),
  fwd(51, "getsockname", {kFd, kOutLenAtNext, kSockLenInOut}, kCustom, "forwarded; an accepted socket's answer comes with accept and is kept in the enclave (it cannot change): shim/sock_names.hpp"),
  fwd(52, "getpeername", {kFd, kOutLenAtNext, kSockLenInOut}, kCustom, "forwarded; an accepted socket's answer comes with accept and is kept in the enclave (it cannot change): shim/sock_names.hpp"),
  fwd(53, "socketpair", {kInt, kInt, kInt, out_fixed(8)}, kNewFdPair, "both sockets live in the proxy and enter the shim's fd table"),
  fwd(54, "setsockopt", {kFd, kInt, kInt, in_bytes(4), kInt}, kCustom, "dedicated routine: forwarded with the option value; TCP_NODELAY on a TCP socket only this process holds is answered at once and made on the host ahead of the next forwarded call (shim/deferred_calls.hpp)"),
  fwd(55, "getsockopt", {kFd, kInt, kInt, kOutLenAtNext, kSockLenInOut}, kCustom, "dedicated routine: the option value (at most 1024 bytes) is copied out, no more than both the buffer and the returned length allow"),
  shim(56, "clone", "threads (the flags of pthread_create: CLONE_VM|FS|FILES|SIGHAND|THREAD, optionally SYSVSEM, SETTLS, PARENT_SETTID, CHILD_SETTID, CHILD_CLEARTID): each gets a slot of the enclave (shim stack, altstack, TLS page) and its own proxy channel; EAGAIN past enclave.max_threads. CLONE_VM|CLONE_VFORK (posix_spawn): a vfork child, as for vfork. Other processes (no CLONE_VM: a copy of the enclave) get ENOSYS", kPartial),
  refuse(57, "fork", kENOSYS, "not yet supported: a copy of the process needs a copy of the enclave (vfork and posix_spawn, then execve, work)"),
  shim(58, "vfork", "the child runs as an enclave thread on the parent's memory while the parent waits; its fd table, dispositions, umask and session are its own (its forwarded calls go to a fork of the proxy worker); its execve starts the program in a new enclave, a child of the proxy; its exit before any execve becomes a process with that status", kPartial),
  shim(59, "execve", "the new program replaces the old one in the same enclave; fds without FD_CLOEXEC stay open, ignored signals stay ignored; only while the program has one thread (else EAGAIN)"),
  shim(60, "exit", "ends the calling thread: its clear_child_tid is zeroed and futex-woken, its slot and channel are reused; robust futexes the thread still holds are marked FUTEX_OWNER_DIED and a waiter woken; the last thread's exit ends the process with the given status"),
  fwd(61, "wait4", {kInt, out_fixed(4), kInt, out_fixed(144)}, kCustom | kBlocking, "the program's children are the proxy's: forwarded for them (ECHILD in the shim when the program has none, or the pid is not one); a pid the proxy reports that is not a child is an Iago error"),
  shim(62, "kill", "signals to the enclave's own process (its pid, 0, -1 or its -pgid) are delivered by the shim; other processes (children, the parent, process groups) through the proxy, whose kernel decides as for a native process", kPartial),
  shim(63, "uname", "fixed identity of the enclave's Linux"),
  refuse(64, "semget", kENOSYS, kSysvIpc),
  refuse(65, "semop", kENOSYS, kSysvIpc),
  refuse(66, "semctl", kENOSYS, kSysvIpc),
  refuse(67, "shmdt", kENOSYS, kSysvIpc),
  refuse(68, "msgget", kENOSYS, kSysvIpc),
  refuse(69, "msgsnd", kENOSYS, kSysvIpc),
  refuse(70, "msgrcv", kENOSYS, kSysvIpc),
  refuse(71, "msgctl", kENOSYS, kSysvIpc),
  fwd(72, "fcntl", {kFd, kInt, kSpecial}, kCustom | kPartial | kBlocking, "dedicated routine: F_DUPFD/F_DUPFD_CLOEXEC (the new fd enters the shim's fd table), F_GETFD/F_SETFD, F_GETFL/F_SETFL (F_GETFL is answered in the enclave for a file only this process holds, followed through F_SETFL and FIONBIO: shim/fd_status.hpp), F_GETOWN/F_SETOWN, pipe size, seals, leases, F_NOTIFY and record locks (struct flock, 32 bytes; OFD locks too; F_SETLKW waits) are forwarded; other commands get EINVAL"),
  fwd(73, "flock", {kFd, kInt}, kBlocking, kFileIo),
  fwd(74, "fsync", {kFd}, 0, kFileIo),
  fwd(75, "fdatasync", {kFd}, 0, kFileIo),
  fwd(76, "truncate", {kPath, kInt}, 0, kPathCall),
  fwd(77, "ftruncate", {kFd, kInt}, 0, kFileIo),
  fwd(78, "getdents", {kFd, out_bytes(2), kInt}, kOutSizeIsResult, kFileIo),
  fwd(79, "getcwd", {out_bytes(1), kInt}, kOutSizeIsResult, "the proxy's cwd is the program's cwd"),
  fwd(80, "chdir", {kPath}, 0, "changes the proxy's cwd, which is the program's cwd"),
  fwd(81, "fchdir", {kFd}, 0, "changes the proxy's cwd, which is the program's cwd"),
  fwd(82, "rename", {kPath, kPath}, 0, kPathCall),
  fwd(83, "mkdir", {kPath, kInt}, 0, kPathCall),
  fwd(84, "rmdir", {kPath}, 0, kPathCall),
  fwd(85, "creat", {kPath, kInt}, kNewFd | kBlocking, kOpenCall),
  fwd(86, "link", {kPath, kPath}, 0, kPathCall),
  fwd(87, "unlink", {kPath}, 0, kPathCall),
  fwd(88, "symlink", {kPath, kPath}, 0, kPathCall),
  fwd(89, "readlink", {kPath, out_bytes(2), kInt}, kOutSizeIsResult, kPathCall),
  fwd(90, "chmod", {kPath, kInt}, 0, kPathCall),
  fwd(91, "fchmod", {kFd, kInt}, 0, kFileIo),
  fwd(92, "chown", {kPath, kInt, kInt}, 0, kPathCall),
  fwd(93, "fchown", {kFd, kInt, kInt}, 0, kFileIo),
  fwd(94, "lchown", {kPath, kInt, kInt}, 0, kPathCall),
  shim(95, "umask", "kept by the shim and set in the proxy too, which creates the files"),
  shim(96, "gettimeofday", "from the shim's clock (host time source)"),
  shim(97, "getrlimit", "the enclave's limits, kept by the shim"),
  shim(98, "getrusage", "the enclave process's usage, read from the host"),
  shim(99, "sysinfo", "memory figures are the enclave's EPC limit and use; uptime from the host clock; one process"),
  shim(100, "times", "the enclave process's times, read from the host"),
  refuse(101, "ptrace", kEPERM, "tracing is refused: enclave memory is never exposed"),
  shim(102, "getuid", "fixed credentials of the enclave"),
  refuse(103, "syslog", kEPERM, kPrivileged),
  shim(104, "getgid", "fixed credentials of the enclave"),
  shim(105, "setuid", "credentials are fixed for the enclave's lifetime: a call that keeps them (-1, or the current ids) succeeds, a change gets EPERM"),
  shim(106, "setgid", "credentials are fixed for the enclave's lifetime: a call that keeps them (-1, or the current ids) succeeds, a change gets EPERM"),
  shim(107, "geteuid", "fixed credentials of the enclave"),
  shim(108, "getegid", "fixed credentials of the enclave"),
  refuse(109, "setpgid", kEPERM, "process groups are fixed: one enclave runs one process"),
  shim(110, "getppid", "the parent pid recorded at launch"),
  shim(111, "getpgrp", "the enclave process's group, read from the host"),
  shim(112, "setsid", "in a vfork child: the new process starts a session; otherwise EPERM (the enclave's session is fixed)", kPartial),
  shim(113, "setreuid", "credentials are fixed for the enclave's lifetime: a call that keeps them (-1, or the current ids) succeeds, a change gets EPERM"),
  shim(114, "setregid", "credentials are fixed for the enclave's lifetime: a call that keeps them (-1, or the current ids) succeeds, a change gets EPERM"),
  shim(115, "getgroups", "fixed credentials of the enclave"),
  refuse(116, "setgroups", kEPERM, kFixedCreds),
  shim(117, "setresuid", "credentials are fixed for the enclave's lifetime: a call that keeps them (-1, or the current ids) succeeds, a change gets EPERM"),
  shim(118, "getresuid", "fixed credentials of the enclave"),
  shim(119, "setresgid", "credentials are fixed for the enclave's lifetime: a call that keeps them (-1, or the current ids) succeeds, a change gets EPERM"),
  shim(120, "getresgid", "fixed credentials of the enclave"),
  shim(121, "getpgid", "the enclave process's group, read from the host; other pids get ESRCH"),
  refuse(122, "setfsuid", kEPERM, kFixedCreds),
  refuse(123, "setfsgid", kEPERM, kFixedCreds),
  shim(124, "getsid", "the enclave process's session, read from the host; other pids get ESRCH"),
  refuse(125, "capget", kENOSYS, "capabilities are not modelled; the enclave program holds none"),
  refuse(126, "capset", kEPERM, kPrivileged),
  shim(127, "rt_sigpending", "blocked signals pending for the thread or the process, kept by the shim"),
  shim(128, "rt_sigtimedwait", "takes a queued signal of the set (with its siginfo) or waits in the shim; EAGAIN at the timeout"),
  shim(129, "rt_sigqueueinfo", "to the enclave's own process only (else EPERM); si_code must be negative as on Linux", kPartial),
  shim(130, "rt_sigsuspend", "waits in the shim under the given mask; the handler's frame carries the previous mask"),
  shim(131, "sigaltstack", "the program's alternate stack, used for SA_ONSTACK handlers (SS_ONSTACK, SS_AUTODISARM)"),
  fwd(132, "utime", {kPath, in_fixed(16)}, 0, kPathCall),
  fwd(133, "mknod", {kPath, kInt, kInt}, kCustom | kPartial, "FIFOs, sockets and regular files are made by the proxy under the file policy (as mkdir); device nodes get EPERM (host administration)"),
  refuse(134, "uselib", kENOSYS, kObsolete),
  shim(135, "personality", "PER_LINUX only (query, or set 0); any other personality gets EINVAL", kPartial),
  refuse(136, "ustat", kENOSYS, kObsolete),
  fwd(137, "statfs", {kPath, out_fixed(120)}, 0, kPathCall),
  fwd(138, "fstatfs", {kFd, out_fixed(120)}, 0, kFileIo),
  refuse(139, "sysfs", kENOSYS, kObsolete),
  shim(140, "getpriority", "the host's nice value of the enclave's threads (the program's pid means its main thread)"),
  shim(141, "setpriority", "PRIO_PROCESS: the host's nice value of an enclave thread (the program's pid means its main thread; the proxy's workers keep theirs); PRIO_PGRP and PRIO_USER get EPERM"),
  refuse(142, "sched_setparam", kENOSYS, kSched),
  refuse(143, "sched_getparam", kENOSYS, kSched),
  refuse(144, "sched_setscheduler", kENOSYS, kSched),
  refuse(145, "sched_getscheduler", kENOSYS, kSched),
  refuse(146, "sched_get_priority_max", kENOSYS, kSched),
  refuse(147, "sched_get_priority_min", kENOSYS, kSched),
  refuse(148, "sched_rr_get_interval", kENOSYS, kSched),
  shim(149, "mlock", "enclave pages are always resident: accepted"),
  shim(150, "munlock", "enclave pages are always resident: accepted"),
  shim(151, "mlockall", "enclave pages are always resident: accepted"),
  shim(152, "munlockall", "enclave pages are always resident: accepted"),
  refuse(153, "vhangup", kEPERM, kPrivileged),
  refuse(154, "modify_ldt", kENOSYS, "obsolete for 64-bit programs: the LDT is not modelled"),
  refuse(155, "pivot_root", kEPERM, kPrivileged),
  refuse(156, "_sysctl", kENOSYS, kObsolete),
  shim(157, "prctl", "PR_SET_NAME/PR_GET_NAME, PR_SET_PDEATHSIG/PR_GET_PDEATHSIG (accepted; never fires), PR_GET_DUMPABLE (0: never dumpable), PR_SET_DUMPABLE (a no-op), PR_SET_NO_NEW_PRIVS/PR_GET_NO_NEW_PRIVS and PR_GET_SECCOMP are served; every other option gets EINVAL", kPartial),
  shim(158, "arch_prctl", "ARCH_SET_FS/ARCH_GET_FS (the program's TLS) and ARCH_GET_CPUID; other codes get EINVAL (%gs belongs to the shim)", kPartial),
  refuse(159, "adjtimex", kEPERM, kPrivileged),
  shim(160, "setrlimit", "the enclave's limits, kept by the shim"),
  refuse(161, "chroot", kEPERM, kPrivileged),
  fwd(162, "sync", {}, 0, "executed by the proxy"),
  refuse(163, "acct", kEPERM, kPrivileged),
  refuse(164, "settimeofday", kEPERM, kPrivileged),
  refuse(165, "mount", kEPERM, kPrivileged),
  refuse(166, "umount2", kEPERM, kPrivileged),
  refuse(167, "swapon", kEPERM, kPrivileged),
  refuse(168, "swapoff", kEPERM, kPrivileged),
  refuse(169, "reboot", kEPERM, kPrivileged),
  refuse(170, "sethostname", kEPERM, kPrivileged),
  refuse(171, "setdomainname", kEPERM, kPrivileged),
  refuse(172, "iopl", kEPERM, kPrivileged),
  refuse(173, "ioperm", kEPERM, kPrivileged),
  refuse(174, "create_module", kENOSYS, kObsolete),
  refuse(175, "init_module", kEPERM, kPrivileged),
  refuse(176, "delete_module", kEPERM, kPrivileged),
  refuse(177, "get_kernel_syms", kENOSYS, kObsolete),
  refuse(178, "query_module", kENOSYS, kObsolete),
  refuse(179, "quotactl", kEPERM, kPrivileged),
  refuse(180, "nfsservctl", kENOSYS, kObsolete),
  refuse(181, "getpmsg", kENOSYS, kObsolete),
  refuse(182, "putpmsg", kENOSYS, kObsolete),
  refuse(183, "afs_syscall", kENOSYS, kObsolete),
  refuse(184, "tuxcall", kENOSYS, kObsolete),
  refuse(185, "security", kENOSYS, kObsolete),
  shim(186, "gettid", "the calling enclave thread's id"),
  fwd(187, "readahead", {kFd, kInt, kInt}, 0, "executed by the proxy on its fd (a page-cache hint)"),
  fwd(188, "setxattr", {kPath, kStr, in_bytes(3), kInt, kInt}, 0, kPathCall),
  fwd(189, "lsetxattr", {kPath, kStr, in_bytes(3), kInt, kInt}, 0, kPathCall),
  fwd(190, "fsetxattr", {kFd, kStr, in_bytes(3), kInt, kInt}, 0, kFileIo),
  fwd(191, "getxattr", {kPath, kStr, out_bytes(3), kInt}, kOutSizeIsResult, kPathCall),
  fwd(192, "lgetxattr", {kPath, kStr, out_bytes(3), kInt}, kOutSizeIsResult, kPathCall),
  fwd(193, "fgetxattr", {kFd, kStr, out_bytes(3), kInt}, kOutSizeIsResult, kFileIo),
  fwd(194, "listxattr", {kPath, out_bytes(2), kInt}, kOutSizeIsResult, kPathCall),
  fwd(195, "llistxattr", {kPath, out_bytes(2), kInt}, kOutSizeIsResult, kPathCall),
  fwd(196, "flistxattr", {kFd, out_bytes(2), kInt}, kOutSizeIsResult, kFileIo),
  fwd(197, "removexattr", {kPath, kStr}, 0, kPathCall),
  fwd(198, "lremovexattr", {kPath, kStr}, 0, kPathCall),
  fwd(199, "fremovexattr", {kFd, kStr}, 0, kFileIo),
  shim(200, "tkill", "to a live thread of the program (else ESRCH); delivered to the program by the shim", kPartial),
  shim(201, "time", "from the shim's clock (host time source)"),
  shim(202, "futex", "futex words in enclave memory; waits park on host futexes in the untrusted window"),
  shim(203, "sched_setaffinity", "applied on the host to the calling thread (0, own pid or tid) or to another live thread of the program, else ESRCH"),
  shim(204, "sched_getaffinity", "read from the host for the calling thread (0, own pid or tid) or another live thread of the program, else ESRCH"),
  refuse(205, "set_thread_area", kENOSYS, "32-bit TLS call: 64-bit programs use arch_prctl"),
  refuse(206, "io_setup", kENOSYS, kAsyncIo),
  refuse(207, "io_destroy", kENOSYS, kAsyncIo),
  refuse(208, "io_getevents", kENOSYS, kAsyncIo),
  refuse(209, "io_submit", kENOSYS, kAsyncIo),
  refuse(210, "io_cancel", kENOSYS, kAsyncIo),
  refuse(211, "get_thread_area", kENOSYS, "32-bit TLS call: 64-bit programs use arch_prctl"),
  refuse(212, "lookup_dcookie", kEPERM, kPrivileged),
  fwd(213, "epoll_create", {kInt}, kNewFd, "the epoll instance lives in the proxy"),
  refuse(214, "epoll_ctl_old", kENOSYS, kObsolete),
  refuse(215, "epoll_wait_old", kENOSYS, kObsolete),
  refuse(216, "remap_file_pages", kENOSYS, "obsolete (emulated by Linux since 4.0); not supported"),
  fwd(217, "getdents64", {kFd, out_bytes(2), kInt}, kOutSizeIsResult | kCustom, "forwarded; a listing of /proc/self/fd (the proxy's) leaves out the proxy's own fds above the program's range"),
  shim(218, "set_tid_address", "clear-child-tid address recorded by the shim"),
  refuse(219, "restart_syscall", kEINTR, "Linux's answer when no restart is pending; the shim restarts interrupted calls itself"),
  refuse(220, "semtimedop", kENOSYS, kSysvIpc),
  fwd(221, "fadvise64", {kFd, kInt, kInt, kInt}, 0, kFileIo),
  shim(222, "timer_create", "realtime, monotonic and boottime clocks; SIGEV_SIGNAL, SIGEV_THREAD_ID, SIGEV_NONE; CPU-time clocks get EINVAL", kPartial),
  shim(223, "timer_settime", "relative or TIMER_ABSTIME, one shot or periodic (overruns counted)"),
  shim(224, "timer_gettime", "time left and interval, from the shim's timer table"),
  shim(225, "timer_getoverrun", "expirations missed before the last signal"),
  shim(226, "timer_delete", "removes the timer from the shim's table"),
  refuse(227, "clock_settime", kEPERM, kPrivileged),
  shim(228, "clock_gettime", "from the shim's clock (host time source)"),
  shim(229, "clock_getres", "resolution of the shim's clock"),
  shim(230, "clock_nanosleep", "sleeps on the host clock through a host futex wait"),
  shim(231, "exit_group", "ends the enclave; the supervisor reports the status"),
  fwd(232, "epoll_wait", {kFd, out_array(2, 12), kInt, kInt}, kOutSizeIsResult | kBlocking | kCustom, "events (arg2 entries of 12 bytes) copied back for the returned count; an instance watching in-enclave pipes or eventfds is waited on in the shim (their events, and the proxy's)"),
  fwd(233, "epoll_ctl", {kFd, kInt, kFd, in_fixed(12)}, kCustom, "both fds are translated; epoll_event.data is the program's own value; an in-enclave pipe or eventfd is watched in the shim (level-triggered, EPOLLET, EPOLLONESHOT); ADD, MOD and DEL of a TCP socket on an instance whose interest set the shim follows, with no thread waiting on it, are answered at once and made on the host ahead of the next forwarded call (shim/deferred_calls.hpp)"),
  shim(234, "tgkill", "the enclave's own thread group and a live thread of it only (else ESRCH); delivered by the shim", kPartial),
  fwd(235, "utimes", {kPath, in_fixed(32)}, 0, kPathCall),
  refuse(236, "vserver", kENOSYS, kObsolete),
  refuse(237, "mbind", kENOSYS, kNuma),
  refuse(238, "set_mempolicy", kENOSYS, kNuma),
  refuse(239, "get_mempolicy", kENOSYS, kNuma),
  refuse(240, "mq_open", kENOSYS, kPosixMq),
  refuse(241, "mq_unlink", kENOSYS, kPosixMq),
  refuse(242, "mq_timedsend", kENOSYS, kPosixMq),
  refuse(243, "mq_timedreceive", kENOSYS, kPosixMq),
  refuse(244, "mq_notify", kENOSYS, kPosixMq),
  refuse(245, "mq_getsetattr", kENOSYS, kPosixMq),
  refuse(246, "kexec_load", kEPERM, kPrivileged),
  fwd(247, "waitid", {kInt, kInt, out_fixed(128), kInt, out_fixed(144)}, kCustom | kBlocking, "as wait4 (P_ALL, P_PID, P_PGID, and P_PIDFD with a pidfd from pidfd_open)"),
  refuse(248, "add_key", kENOSYS, kKeyring),
  refuse(249, "request_key", kENOSYS, kKeyring),
  refuse(250, "keyctl", kENOSYS, kKeyring),
  refuse(251, "ioprio_set", kENOSYS, kSched),
  refuse(252, "ioprio_get", kENOSYS, kSched),
  fwd(253, "inotify_init", {}, kNewFd, "the inotify instance lives in the proxy; events are read with read(2)"),
  fwd(254, "inotify_add_watch", {kFd, kPath, kInt}, 0, kPathCall),
  fwd(255, "inotify_rm_watch", {kFd, kInt}, 0, kFileIo),
  refuse(256, "migrate_pages", kENOSYS, kNuma),
  fwd(257, "openat", {kFd, kPath, kInt, kInt}, kNewFd | kBlocking | kAtFdCwd, "path resolved by the proxy relative to dirfd (host file system view); opening a FIFO waits for its other end"),
  fwd(258, "mkdirat", {kFd, kPath, kInt}, kAtFdCwd, kAtCall),
  fwd(259, "mknodat", {kFd, kPath, kInt, kInt}, kAtFdCwd | kCustom | kPartial, "as mknod: FIFOs, sockets and regular files through the proxy; device nodes get EPERM"),
  fwd(260, "fchownat", {kFd, kPath, kInt, kInt, kInt}, kAtFdCwd, kAtCall),
  fwd(261, "futimesat", {kFd, kPath, in_fixed(32)}, kAtFdCwd, kAtCall),
  fwd(262, "newfstatat", {kFd, kPath, out_fixed(144), kInt}, kAtFdCwd, kAtCall),
  fwd(263, "unlinkat", {kFd, kPath, kInt}, kAtFdCwd, kAtCall),
  fwd(264, "renameat", {kFd, kPath, kFd, kPath}, kAtFdCwd, kAtCall),
  fwd(265, "linkat", {kFd, kPath, kFd, kPath, kInt}, kAtFdCwd, kAtCall),
  fwd(266, "symlinkat", {kPath, kFd, kPath}, kAtFdCwd, kAtCall),
  fwd(267, "readlinkat", {kFd, kPath, out_bytes(3), kInt}, kOutSizeIsResult | kAtFdCwd, kAtCall),
  fwd(268, "fchmodat", {kFd, kPath, kInt}, kAtFdCwd, kAtCall),
  fwd(269, "faccessat", {kFd, kPath, kInt}, kAtFdCwd, kAtCall),
  fwd(270, "pselect6", {kInt, kSpecial, kSpecial, kSpecial, inout_fixed(16), kSpecial}, kCustom | kBlocking, "dedicated marshaller: fd_sets as for select; the {sigset pointer, size} pair in arg5 applies in the enclave while the call waits"),
  fwd(271, "ppoll", {kSpecial, kInt, inout_fixed(16), kSpecial, kInt}, kCustom | kBlocking, "dedicated marshaller: pollfd array as for poll; the sigmask applies in the enclave while the call waits"),
  refuse(272, "unshare", kEPERM, kNamespaces),
  shim(273, "set_robust_list", "robust futex list recorded by the shim"),
  shim(274, "get_robust_list", "robust futex list recorded by the shim (own threads only)"),
  fwd(275, "splice", {kFd, inout_fixed(8), kFd, inout_fixed(8), kInt, kInt}, kCustom | kBlocking, "forwarded (offsets copied in and out); an in-enclave pipe among the fds moves to the host first, for good"),
  fwd(276, "tee", {kFd, kFd, kInt, kInt}, kCustom | kBlocking, "forwarded; an in-enclave pipe among the fds moves to the host first, for good"),
  fwd(277, "sync_file_range", {kFd, kInt, kInt, kInt}, 0, kFileIo),
  refuse(278, "vmsplice", kENOSYS, kSpliceFamily),
  refuse(279, "move_pages", kENOSYS, kNuma),
  fwd(280, "utimensat", {kFd, kPath, in_fixed(32), kInt}, kAtFdCwd, "path resolved by the proxy relative to dirfd; a NULL path (futimens) applies to dirfd itself"),
  fwd(281, "epoll_pwait", {kFd, out_array(2, 12), kInt, kInt, in_bytes(5), kInt}, kOutSizeIsResult | kBlocking | kCustom, kSigmaskInShim),
  refuse(282, "signalfd", kENOSYS, kSignalFd),
  fwd(283, "timerfd_create", {kInt, kInt}, kNewFd, "the timer fd lives in the proxy and expires on the host clock"),
  fwd(284, "eventfd", {kInt}, kNewFd | kCustom, kLocalEventfd),
  fwd(285, "fallocate", {kFd, kInt, kInt, kInt}, 0, kFileIo),
  fwd(286, "timerfd_settime", {kFd, kInt, in_fixed(32), out_fixed(32)}, 0, kFileIo),
  fwd(287, "timerfd_gettime", {kFd, out_fixed(32)}, 0, kFileIo),
  fwd(288, "accept4", {kFd, kOutLenAtNext, kSockLenInOut, kInt}, kNewFd | kBlocking, kAcceptCall),
  refuse(289, "signalfd4", kENOSYS, kSignalFd),
  fwd(290, "eventfd2", {kInt, kInt}, kNewFd | kCustom, kLocalEventfd),
  fwd(291, "epoll_create1", {kInt}, kNewFd, "the epoll instance lives in the proxy"),
  shim(292, "dup3", "the proxy duplicates its fd and the shim's fd table takes the new entry, replacing an open one"),
  fwd(293, "pipe2", {out_fixed(8), kInt}, kNewFdPair | kCustom, kLocalPipe),
  fwd(294, "inotify_init1", {kInt}, kNewFd, "the inotify instance lives in the proxy; events are read with read(2)"),
  fwd(295, "preadv", {kFd, iov_out(2), kInt, kInt, kInt}, kOutSizeIsResult, kFileIo),
  fwd(296, "pwritev", {kFd, iov_in(2), kInt, kInt, kInt}, 0, kFileIo),
  shim(297, "rt_tgsigqueueinfo", "to a live thread of the enclave's own process only (else ESRCH/EPERM); si_code must be negative", kPartial),
  refuse(298, "perf_event_open", kENOSYS, "performance counters: not supported"),
  refuse(299, "recvmmsg", kENOSYS, "not supported yet: programs fall back to recvmsg"),
  refuse(300, "fanotify_init", kENOSYS, "fanotify: not supported"),
  refuse(301, "fanotify_mark", kENOSYS, "fanotify: not supported"),
  shim(302, "prlimit64", "the enclave's own limits only (pid 0 or its own pid, else ESRCH); kept by the shim", kPartial),
  refuse(303, "name_to_handle_at", kENOSYS, "file handles: not supported"),
  refuse(304, "open_by_handle_at", kENOSYS, "file handles: not supported"),
  refuse(305, "clock_adjtime", kEPERM, kPrivileged),
  fwd(306, "syncfs", {kFd}, 0, kFileIo),
  refuse(307, "sendmmsg", kENOSYS, "not supported yet: programs fall back to sendmsg"),
  refuse(308, "setns", kEPERM, kNamespaces),
  shim(309, "getcpu", "read from the host"),
  refuse(310, "process_vm_readv", kEPERM, kProcessMemory),
  refuse(311, "process_vm_writev", kEPERM, kProcessMemory),
  refuse(312, "kcmp", kENOSYS, "comparing kernel objects across processes: not supported"),
  refuse(313, "finit_module", kEPERM, kPrivileged),
  refuse(314, "sched_setattr", kENOSYS, kSched),
  refuse(315, "sched_getattr", kENOSYS, kSched),
  fwd(316, "renameat2", {kFd, kPath, kFd, kPath, kInt}, kAtFdCwd, kAtCall),
  refuse(317, "seccomp", kENOSYS, "seccomp for the program: not supported (the shim installs the enclave's filter)"),
  shim(318, "getrandom", "from the shim's random source"),
  fwd(319, "memfd_create", {kStr, kInt}, kNewFd, "an anonymous file in the proxy (its bytes are on the host, like any forwarded file's); a writable shared mapping of it is a copy written back (shim/shared_maps.hpp)"),
  refuse(320, "kexec_file_load", kEPERM, kPrivileged),
  refuse(321, "bpf", kENOSYS, "eBPF: not supported"),
  refuse(322, "execveat", kENOSYS, kOneProcess),
  refuse(323, "userfaultfd", kENOSYS, "userfaultfd: not supported (enclave page faults are the shim's)"),
  refuse(324, "membarrier", kENOSYS, "not supported yet: needs the shim's thread list"),
  shim(325, "mlock2", "enclave pages are always resident: accepted"),
  fwd(326, "copy_file_range", {kFd, inout_fixed(8), kFd, inout_fixed(8), kInt, kInt}, 0, "both fds are translated; the optional offsets (loff_t) are copied in and out"),
  fwd(327, "preadv2", {kFd, iov_out(2), kInt, kInt, kInt, kInt}, kOutSizeIsResult, kFileIo),
  fwd(328, "pwritev2", {kFd, iov_in(2), kInt, kInt, kInt, kInt}, 0, kFileIo),
  refuse(329, "pkey_mprotect", kENOSYS, kPkeys),
  refuse(330, "pkey_alloc", kENOSYS, kPkeys),
  refuse(331, "pkey_free", kENOSYS, kPkeys),
  fwd(332, "statx", {kFd, kPath, kInt, kInt, out_fixed(256)}, kAtFdCwd, kAtCall),
  refuse(333, "io_pgetevents", kENOSYS, kAsyncIo),
  refuse(334, "rseq", kENOSYS, "restartable sequences: not supported; glibc copes with ENOSYS"),
  refuse(335, "uretprobe", kENOSYS, "uprobe trampoline call: no uprobes inside the enclave"),
  refuse(336, "uprobe", kENOSYS, "uprobe trampoline call: no uprobes inside the enclave"),
  fwd(424, "pidfd_send_signal", {kFd, kInt, in_fixed(128), kInt}, kCustom, "dedicated routine: the pidfd lives in the proxy, whose kernel delivers the signal (and its optional siginfo) and decides what is allowed, as for kill; on the program's own /proc directory (a pidfd of itself) the shim delivers it, as kill or rt_sigqueueinfo to itself"),
  refuse(425, "io_uring_setup", kENOSYS, kAsyncIo),
  refuse(426, "io_uring_enter", kENOSYS, kAsyncIo),
  refuse(427, "io_uring_register", kENOSYS, kAsyncIo),
  refuse(428, "open_tree", kENOSYS, kMountApi),
  refuse(429, "move_mount", kENOSYS, kMountApi),
  refuse(430, "fsopen", kENOSYS, kMountApi),
  refuse(431, "fsconfig", kENOSYS, kMountApi),
  refuse(432, "fsmount", kENOSYS, kMountApi),
  refuse(433, "fspick", kENOSYS, kMountApi),
  fwd(434, "pidfd_open", {kInt, kInt}, kNewFd, "the pidfd lives in the proxy, whose children the program's are: poll, epoll, waitid(P_PIDFD) and pidfd_send_signal work on it"),
  refuse(435, "clone3", kENOSYS, "not supported: ENOSYS makes glibc fall back to clone"),
  shim(436, "close_range", "shim's fd table; the proxy fds in the range are closed through the proxy"),
  refuse(437, "openat2", kENOSYS, "not supported yet: glibc and most programs use openat"),
  refuse(438, "pidfd_getfd", kENOSYS, kPidfd),
  fwd(439, "faccessat2", {kFd, kPath, kInt, kInt}, kAtFdCwd, kAtCall),
  refuse(440, "process_madvise", kENOSYS, kProcessMemory),
  fwd(441, "epoll_pwait2", {kFd, out_array(2, 12), kInt, in_fixed(16), in_bytes(5), kInt}, kOutSizeIsResult | kBlocking | kCustom, kSigmaskInShim),
  refuse(442, "mount_setattr", kENOSYS, kMountApi),
  refuse(443, "quotactl_fd", kEPERM, kPrivileged),
  refuse(444, "landlock_create_ruleset", kENOSYS, kLandlock),
  refuse(445, "landlock_add_rule", kENOSYS, kLandlock),
  refuse(446, "landlock_restrict_self", kENOSYS, kLandlock),
  refuse(447, "memfd_secret", kENOSYS, "memfd_secret: not supported (enclave memory is already private)"),
  refuse(448, "process_mrelease", kENOSYS, "another process's memory: not for the enclave to release"),
  refuse(449, "futex_waitv", kENOSYS, kFutex2),
  refuse(450, "set_mempolicy_home_node", kENOSYS, kNuma),
  refuse(451, "cachestat", kENOSYS, "page-cache statistics: not supported"),
  fwd(452, "fchmodat2", {kFd, kPath, kInt, kInt}, kAtFdCwd, kAtCall),
  refuse(453, "map_shadow_stack", kENOSYS, "shadow stacks: not supported"),
  refuse(454, "futex_wake", kENOSYS, kFutex2),
  refuse(455, "futex_wait", kENOSYS, kFutex2),
  refuse(456, "futex_requeue", kENOSYS, kFutex2),
  refuse(457, "statmount", kENOSYS, "mount listing: not supported"),
  refuse(458, "listmount", kENOSYS, "mount listing: not supported"),
  refuse(459, "lsm_get_self_attr", kENOSYS, kLsm),
  refuse(460, "lsm_set_self_attr", kENOSYS, kLsm),
  refuse(461, "lsm_list_modules", kENOSYS, kLsm),
  refuse(462, "mseal", kENOSYS, "memory sealing: not supported"),
  refuse(463, "setxattrat", kENOSYS, kXattrAt),
  refuse(464, "getxattrat", kENOSYS, kXattrAt),
  refuse(465, "listxattrat", kENOSYS, kXattrAt),
  refuse(466, "removexattrat", kENOSYS, kXattrAt),
  refuse(467, "open_tree_attr", kENOSYS, kMountApi),
  refuse(468, "file_getattr", kENOSYS, "file attribute calls (Linux 6.17): not supported yet; ioctl FS_IOC_FSGETXATTR is the older way"),
  refuse(469, "file_setattr", kENOSYS, "file attribute calls (Linux 6.17): not supported yet; ioctl FS_IOC_FSSETXATTR is the older way"),
};
// clang-format on

}  // namespace table_dsl

// Every row, sorted by number (a reference to the rows above, usable like the array).
inline constexpr const auto& kSyscallTable = table_dsl::kRows;
inline constexpr std::size_t kSyscallCount = sizeof(table_dsl::kRows) / sizeof(SyscallInfo);

// The highest x86-64 syscall number of Linux 6.18 (file_setattr).
inline constexpr long kMaxSyscallNr = 469;
// Numbers never assigned on x86-64 below kMaxSyscallNr: [kFirstHole, kLastHole].
inline constexpr long kFirstHole = 337;
inline constexpr long kLastHole = 423;

// ---------------------------------------------------------------------------------------
// Lookup.
namespace table_detail {

struct SyscallIndex {
  std::int16_t row[kMaxSyscallNr + 1];
};

constexpr SyscallIndex build_index() {
  SyscallIndex idx{};
  for (long nr = 0; nr <= kMaxSyscallNr; ++nr) idx.row[nr] = -1;
  for (std::size_t i = 0; i < kSyscallCount; ++i)
    idx.row[kSyscallTable[i].nr] = static_cast<std::int16_t>(i);
  return idx;
}

inline constexpr SyscallIndex kIndex = build_index();

constexpr bool same_name(const char* a, const char* b) {
  while (*a != '\0' && *a == *b) {
    ++a;
    ++b;
  }
  return *a == *b;
}

constexpr bool rows_sorted_and_unique() {
  for (std::size_t i = 1; i < kSyscallCount; ++i)
    if (kSyscallTable[i - 1].nr >= kSyscallTable[i].nr) return false;
  return kSyscallTable[kSyscallCount - 1].nr == kMaxSyscallNr;
}

}  // namespace table_detail

static_assert(table_detail::rows_sorted_and_unique(),
              "kSyscallTable rows must be in strictly increasing number order ending at "
              "kMaxSyscallNr");

// The row for syscall number `nr`, or nullptr for a number Linux x86-64 does not assign
// (negative, a hole, above kMaxSyscallNr). O(1).
constexpr const SyscallInfo* find_syscall(long nr) {
  if (nr < 0 || nr > kMaxSyscallNr) return nullptr;
  const std::int16_t i = table_detail::kIndex.row[nr];
  return i < 0 ? nullptr : &kSyscallTable[i];
}

// The row named `name` (e.g. "openat"), or nullptr. Linear; for tools and tests.
constexpr const SyscallInfo* find_syscall_by_name(const char* name) {
  if (name == nullptr) return nullptr;
  for (const SyscallInfo& s : kSyscallTable)
    if (table_detail::same_name(s.name, name)) return &s;
  return nullptr;
}

// Compile-time checks of the lookup (a null dereference would not be a constant expression).
static_assert(find_syscall(0)->nr == 0 && find_syscall(kMaxSyscallNr)->nr == kMaxSyscallNr);
static_assert(find_syscall_by_name("openat")->nr == 257);
static_assert(!find_syscall(kFirstHole) && !find_syscall(kLastHole));
static_assert(!find_syscall(-1) && !find_syscall(kMaxSyscallNr + 1));

}  // namespace cocoon::syscalls
