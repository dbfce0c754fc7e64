// The syscall table against the kernel's syscall numbers, and its structure: sorted,
// complete, lookups, and the argument specs of forwarded rows consistent with themselves
// and with the host's struct sizes.
#include <gtest/gtest.h>
#include <linux/stat.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <utime.h>

#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {
namespace {

// The __NR_ definitions of a <asm/unistd_64.h>: name -> number.
std::map<std::string, long> parse_unistd_header(const std::string& path) {
  std::ifstream in(path);
  std::map<std::string, long> numbers;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string define, macro;
    long nr = -1;
    if (!(words >> define >> macro >> nr) || define != "#define") continue;
    if (macro.rfind("__NR_", 0) != 0) continue;
    numbers[macro.substr(5)] = nr;
  }
  return numbers;
}

constexpr const char* kUnistdHeader = "/usr/include/x86_64-linux-gnu/asm/unistd_64.h";

const SyscallInfo& row_named(const char* name) {
  const SyscallInfo* row = find_syscall_by_name(name);
  if (row == nullptr) { ADD_FAILURE() << "no row named " << name; }
  static const SyscallInfo kMissing{};
  return row != nullptr ? *row : kMissing;
}

bool is_pointer(Arg kind) {
  return kind == Arg::In || kind == Arg::Out || kind == Arg::InOut;
}

TEST(SyscallTable, NumbersAndNamesMatchTheKernelHeader) {
  const auto numbers = parse_unistd_header(kUnistdHeader);
  // Debian 12's header (Linux 6.1) defines 0–334 and 424–450: a vacuous parse must fail.
  ASSERT_GE(numbers.size(), 362u) << "could not parse " << kUnistdHeader;
  for (const auto& [name, nr] : numbers) {
    const SyscallInfo* by_nr = find_syscall(nr);
    ASSERT_NE(by_nr, nullptr) << "no row for " << name << " (" << nr << ")";
    EXPECT_STREQ(by_nr->name, name.c_str()) << "row " << nr;
    const SyscallInfo* by_name = find_syscall_by_name(name.c_str());
    ASSERT_NE(by_name, nullptr) << name;
    EXPECT_EQ(by_name->nr, nr) << name;
  }
}

// Numbers added after Linux 6.1 (not in the host header), as listed in Linux 6.18's
// arch/x86/entry/syscalls/syscall_64.tbl.
TEST(SyscallTable, NumbersAfterLinux61MatchLinux618) {
  const std::map<long, std::string> newer = {
      {335, "uretprobe"},       {336, "uprobe"},            {451, "cachestat"},
      {452, "fchmodat2"},       {453, "map_shadow_stack"},  {454, "futex_wake"},
      {455, "futex_wait"},      {456, "futex_requeue"},     {457, "statmount"},
      {458, "listmount"},       {459, "lsm_get_self_attr"}, {460, "lsm_set_self_attr"},
      {461, "lsm_list_modules"}, {462, "mseal"},            {463, "setxattrat"},
      {464, "getxattrat"},      {465, "listxattrat"},       {466, "removexattrat"},
      {467, "open_tree_attr"},  {468, "file_getattr"},      {469, "file_setattr"},
  };
  for (const auto& [nr, name] : newer) {
    const SyscallInfo* row = find_syscall(nr);
    ASSERT_NE(row, nullptr) << nr;
    EXPECT_EQ(row->name, name) << nr;
  }
  EXPECT_EQ(kMaxSyscallNr, 469);
}

TEST(SyscallTable, SortedUniqueAndCompleteExceptTheHoles) {
  ASSERT_EQ(kSyscallCount, 383u);  // 0–336 and 424–469
  for (std::size_t i = 1; i < kSyscallCount; ++i)
    EXPECT_LT(kSyscallTable[i - 1].nr, kSyscallTable[i].nr) << kSyscallTable[i].name;
  for (long nr = 0; nr <= kMaxSyscallNr; ++nr) {
    const bool hole = nr >= kFirstHole && nr <= kLastHole;
    EXPECT_EQ(find_syscall(nr) == nullptr, hole) << "number " << nr;
    if (!hole) { EXPECT_EQ(find_syscall(nr)->nr, nr); }
  }
  EXPECT_EQ(kFirstHole, 337);
  EXPECT_EQ(kLastHole, 423);
  std::set<std::string> names;
  for (const SyscallInfo& row : kSyscallTable) {
    ASSERT_NE(row.name, nullptr);
    EXPECT_TRUE(names.insert(row.name).second) << "duplicate name " << row.name;
  }
}

TEST(SyscallTable, FindSyscallRejectsNumbersOutsideTheTable) {
  EXPECT_EQ(find_syscall(-1), nullptr);
  EXPECT_EQ(find_syscall(-100), nullptr);
  EXPECT_EQ(find_syscall(kMaxSyscallNr + 1), nullptr);
  EXPECT_EQ(find_syscall(512), nullptr);  // x32 numbers are not x86-64 syscalls
  EXPECT_EQ(find_syscall(0x40000000L), nullptr);
  EXPECT_EQ(find_syscall(400), nullptr);
}

TEST(SyscallTable, FindSyscallByNameMatchesWholeNamesOnly) {
  EXPECT_EQ(find_syscall_by_name("read")->nr, 0);
  EXPECT_EQ(find_syscall_by_name("readv")->nr, 19);
  EXPECT_EQ(find_syscall_by_name("readlinkat")->nr, 267);
  EXPECT_EQ(find_syscall_by_name("rea"), nullptr);
  EXPECT_EQ(find_syscall_by_name("readvv"), nullptr);
  EXPECT_EQ(find_syscall_by_name(""), nullptr);
  EXPECT_EQ(find_syscall_by_name(nullptr), nullptr);
  EXPECT_EQ(find_syscall_by_name("READ"), nullptr);
}

// Lookups are usable in constant expressions (the shim may build dispatch data from them).
static_assert(find_syscall(322)->route == Route::Refuse);
static_assert(find_syscall_by_name("mmap")->nr == 9);
static_assert(find_syscall_by_name("file_setattr")->nr == kMaxSyscallNr);
static_assert(!find_syscall_by_name("no_such_syscall"));

TEST(SyscallTable, EveryRowHasANoteAndRouteConsistentFields) {
  for (const SyscallInfo& row : kSyscallTable) {
    SCOPED_TRACE(row.name);
    ASSERT_NE(row.note, nullptr);
    EXPECT_GT(std::strlen(row.note), 10u) << "note too short to explain anything";
    if (row.route == Route::Refuse) {
      EXPECT_NE(row.err, 0);
      EXPECT_NE(errno_name(row.err), nullptr) << "errno " << row.err << " has no name";
      EXPECT_EQ(row.flags, 0);
    } else {
      EXPECT_EQ(row.err, 0);
    }
    if (row.route != Route::Forward) {
      for (const ArgSpec& a : row.args) { EXPECT_EQ(a.kind, Arg::None); }
      EXPECT_EQ(row.flags & ~kPartial, 0) << "forward-only flags on a non-forwarded row";
    }
  }
}

TEST(SyscallTable, ForwardArgSpecsAreConsistent) {
  constexpr std::uint16_t kKnownFlags =
      kOutSizeIsResult | kBlocking | kCustom | kPartial | kNewFd | kNewFdPair | kAtFdCwd;
  int forwarded = 0;
  for (const SyscallInfo& row : kSyscallTable) {
    if (row.route != Route::Forward) continue;
    ++forwarded;
    SCOPED_TRACE(row.name);
    EXPECT_EQ(row.flags & ~kKnownFlags, 0);
    bool seen_none = false, has_fd = false, has_result_sized_out = false, has_pair_out = false;
    for (int i = 0; i < 6; ++i) {
      const ArgSpec& a = row.args[i];
      SCOPED_TRACE(i);
      if (a.kind == Arg::None) {
        seen_none = true;
        continue;
      }
      EXPECT_FALSE(seen_none) << "argument after an unused slot";
      if (a.kind == Arg::Fd) has_fd = true;
      if (a.kind == Arg::Special) { EXPECT_NE(row.flags & kCustom, 0) << "Special needs kCustom"; }
      if (is_pointer(a.kind)) {
        const int sizings = (a.size_arg >= 0) + (a.size_arg == kSizeFromPtr) + (a.fixed_size != 0);
        EXPECT_EQ(sizings, 1) << "a pointer needs exactly one size";
        if (a.size_arg >= 0) {
          ASSERT_LT(a.size_arg, 6);
          EXPECT_NE(a.size_arg, i);
          EXPECT_EQ(row.args[a.size_arg].kind, Arg::Int) << "size_arg must name an Int";
          EXPECT_GE(a.elem_size, 1);
          if (a.kind == Arg::Out) has_result_sized_out = true;
        } else if (a.size_arg == kSizeFromPtr) {
          ASSERT_LT(i + 1, 6);
          const ArgSpec& len = row.args[i + 1];
          EXPECT_EQ(len.kind, Arg::InOut) << "the length pointer is value-result";
          EXPECT_EQ(len.fixed_size, sizeof(socklen_t));
          EXPECT_EQ(a.elem_size, 1);
        } else {
          EXPECT_EQ(a.size_arg, kNoSizeArg);
          EXPECT_EQ(a.elem_size, 1);
          if (a.kind == Arg::Out && a.fixed_size == 2 * sizeof(int)) has_pair_out = true;
        }
      } else if (a.kind == Arg::IovIn || a.kind == Arg::IovOut) {
        ASSERT_GE(a.size_arg, 0) << "an iovec array needs its count argument";
        ASSERT_LT(a.size_arg, 6);
        EXPECT_EQ(row.args[a.size_arg].kind, Arg::Int);
        EXPECT_EQ(a.elem_size, sizeof(struct iovec));
        EXPECT_EQ(a.fixed_size, 0);
        if (a.kind == Arg::IovOut) has_result_sized_out = true;
      } else {
        EXPECT_EQ(a.size_arg, kNoSizeArg);
        EXPECT_EQ(a.fixed_size, 0);
        EXPECT_EQ(a.elem_size, 1);
      }
    }
    if ((row.flags & kOutSizeIsResult) != 0) {
      EXPECT_TRUE(has_result_sized_out) << "kOutSizeIsResult without a count-sized Out/IovOut";
    }
    if ((row.flags & kAtFdCwd) != 0) { EXPECT_TRUE(has_fd) << "kAtFdCwd without an Fd"; }
    if ((row.flags & kNewFdPair) != 0) { EXPECT_TRUE(has_pair_out) << "kNewFdPair without int[2]"; }
    EXPECT_FALSE((row.flags & kNewFd) != 0 && (row.flags & kNewFdPair) != 0);
  }
  EXPECT_GT(forwarded, 100);
}

// Where each forwarded call takes an fd (bit i = argument i), written down independently
// of the table from the man pages, so a missing or misplaced Fd shows up.
TEST(SyscallTable, ForwardedCallsTranslateExactlyTheirFdArguments) {
  const std::map<std::string, unsigned> fd_args = {
      {"read", 1},          {"write", 1},          {"open", 0},
      {"stat", 0},          {"fstat", 1},          {"lstat", 0},
      {"poll", 0},          {"lseek", 1},          {"ioctl", 1},
      {"pread64", 1},       {"pwrite64", 1},       {"readv", 1},
      {"writev", 1},        {"access", 0},         {"pipe", 0},
      {"select", 0},        {"sendfile", 3},       {"socket", 0},
      {"connect", 1},       {"accept", 1},         {"sendto", 1},
      {"recvfrom", 1},      {"sendmsg", 1},        {"recvmsg", 1},
      {"shutdown", 1},      {"bind", 1},           {"listen", 1},
      {"getsockname", 1},   {"getpeername", 1},    {"socketpair", 0},
      {"setsockopt", 1},    {"getsockopt", 1},     {"fcntl", 1},
      {"flock", 1},         {"fsync", 1},          {"fdatasync", 1},
      {"truncate", 0},      {"ftruncate", 1},      {"getdents", 1},
      {"getcwd", 0},        {"chdir", 0},          {"fchdir", 1},
      {"rename", 0},        {"mkdir", 0},          {"rmdir", 0},
      {"creat", 0},         {"link", 0},           {"unlink", 0},
      {"symlink", 0},       {"readlink", 0},       {"chmod", 0},
      {"fchmod", 1},        {"chown", 0},          {"fchown", 1},
      {"lchown", 0},        {"utime", 0},          {"statfs", 0},
      {"fstatfs", 1},       {"sync", 0},           {"readahead", 1},
      {"setxattr", 0},      {"lsetxattr", 0},      {"fsetxattr", 1},
      {"getxattr", 0},      {"lgetxattr", 0},      {"fgetxattr", 1},
      {"listxattr", 0},     {"llistxattr", 0},     {"flistxattr", 1},
      {"removexattr", 0},   {"lremovexattr", 0},   {"fremovexattr", 1},
      {"epoll_create", 0},  {"getdents64", 1},     {"fadvise64", 1},
      {"epoll_wait", 1},    {"epoll_ctl", 1 | 4},  {"utimes", 0},
      {"inotify_init", 0},  {"inotify_add_watch", 1}, {"inotify_rm_watch", 1},
      {"openat", 1},        {"mkdirat", 1},        {"fchownat", 1},
      {"futimesat", 1},     {"newfstatat", 1},     {"unlinkat", 1},
      {"renameat", 1 | 4},  {"linkat", 1 | 4},     {"symlinkat", 2},
      {"readlinkat", 1},    {"fchmodat", 1},       {"faccessat", 1},
      {"pselect6", 0},      {"ppoll", 0},          {"sync_file_range", 1},
      {"utimensat", 1},     {"epoll_pwait", 1},    {"timerfd_create", 0},
      {"eventfd", 0},       {"fallocate", 1},      {"timerfd_settime", 1},
      {"timerfd_gettime", 1}, {"accept4", 1},      {"eventfd2", 0},
      {"epoll_create1", 0}, {"pipe2", 0},          {"inotify_init1", 0},
      {"preadv", 1},        {"pwritev", 1},        {"syncfs", 1},
      {"renameat2", 1 | 4}, {"copy_file_range", 1 | 4}, {"preadv2", 1},
      {"pwritev2", 1},      {"statx", 1},          {"faccessat2", 1},
      {"epoll_pwait2", 1},  {"fchmodat2", 1},      {"wait4", 0},
      {"waitid", 0},        {"pidfd_open", 0},     {"pidfd_send_signal", 1},        {"mknod", 0},          {"mknodat", 1},
      {"memfd_create", 0},  {"splice", 1 | 4},     {"tee", 1 | 2},
  };
  std::set<std::string> forwarded;
  for (const SyscallInfo& row : kSyscallTable) {
    if (row.route != Route::Forward) continue;
    forwarded.insert(row.name);
    auto it = fd_args.find(row.name);
    if (it == fd_args.end()) {
      ADD_FAILURE() << "forwarded " << row.name << " missing from this test's fd list";
      continue;
    }
    unsigned actual = 0;
    for (int i = 0; i < 6; ++i)
      if (row.args[i].kind == Arg::Fd) actual |= 1u << i;
    EXPECT_EQ(actual, it->second) << row.name;
  }
  for (const auto& [name, mask] : fd_args)
    EXPECT_TRUE(forwarded.count(name)) << name << " is expected to be forwarded";
}

// Every forwarded call that creates a descriptor says so, and no other does.
TEST(SyscallTable, ForwardedCallsThatCreateFdsAreFlagged) {
  const std::set<std::string> new_fd = {
      "open",     "creat",        "openat",       "socket",        "accept",
      "accept4",  "epoll_create", "epoll_create1", "eventfd",      "eventfd2",
      "timerfd_create", "inotify_init", "inotify_init1", "memfd_create", "pidfd_open"};
  const std::set<std::string> new_fd_pair = {"pipe", "pipe2", "socketpair"};
  for (const SyscallInfo& row : kSyscallTable) {
    if (row.route != Route::Forward) continue;
    EXPECT_EQ((row.flags & kNewFd) != 0, new_fd.count(row.name) == 1) << row.name;
    EXPECT_EQ((row.flags & kNewFdPair) != 0, new_fd_pair.count(row.name) == 1) << row.name;
  }
}

// The *at calls whose dirfd may be AT_FDCWD carry kAtFdCwd.
TEST(SyscallTable, AtCallsAcceptAtFdcwd) {
  for (const char* name : {"openat", "mkdirat", "fchownat", "futimesat", "newfstatat", "unlinkat",
                           "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat",
                           "faccessat", "utimensat", "renameat2", "statx", "faccessat2",
                           "fchmodat2", "mknodat"}) {
    EXPECT_NE(row_named(name).flags & kAtFdCwd, 0) << name;
  }
  EXPECT_EQ(row_named("read").flags & kAtFdCwd, 0);
}

// Fixed sizes in the table equal the host's structures (x86-64 user ABI).
TEST(SyscallTable, FixedSizesMatchTheStructures) {
  EXPECT_EQ(row_named("fstat").args[1].fixed_size, sizeof(struct stat));
  EXPECT_EQ(row_named("stat").args[1].fixed_size, sizeof(struct stat));
  EXPECT_EQ(row_named("lstat").args[1].fixed_size, sizeof(struct stat));
  EXPECT_EQ(row_named("newfstatat").args[2].fixed_size, sizeof(struct stat));
  EXPECT_EQ(row_named("statx").args[4].fixed_size, sizeof(struct statx));
  EXPECT_EQ(row_named("statfs").args[1].fixed_size, sizeof(struct statfs));
  EXPECT_EQ(row_named("fstatfs").args[1].fixed_size, sizeof(struct statfs));
  EXPECT_EQ(row_named("utime").args[1].fixed_size, sizeof(struct utimbuf));
  EXPECT_EQ(row_named("utimes").args[1].fixed_size, 2 * sizeof(struct timeval));
  EXPECT_EQ(row_named("futimesat").args[2].fixed_size, 2 * sizeof(struct timeval));
  EXPECT_EQ(row_named("utimensat").args[2].fixed_size, 2 * sizeof(struct timespec));
  EXPECT_EQ(row_named("select").args[4].fixed_size, sizeof(struct timeval));
  EXPECT_EQ(row_named("pselect6").args[4].fixed_size, sizeof(struct timespec));
  EXPECT_EQ(row_named("ppoll").args[2].fixed_size, sizeof(struct timespec));
  EXPECT_EQ(row_named("epoll_pwait2").args[3].fixed_size, sizeof(struct timespec));
  EXPECT_EQ(row_named("epoll_ctl").args[3].fixed_size, sizeof(struct epoll_event));
  EXPECT_EQ(row_named("epoll_wait").args[1].elem_size, sizeof(struct epoll_event));
  EXPECT_EQ(row_named("epoll_pwait").args[1].elem_size, sizeof(struct epoll_event));
  EXPECT_EQ(row_named("epoll_pwait2").args[1].elem_size, sizeof(struct epoll_event));
  EXPECT_EQ(row_named("timerfd_settime").args[2].fixed_size, sizeof(struct itimerspec));
  EXPECT_EQ(row_named("timerfd_settime").args[3].fixed_size, sizeof(struct itimerspec));
  EXPECT_EQ(row_named("timerfd_gettime").args[1].fixed_size, sizeof(struct itimerspec));
  EXPECT_EQ(row_named("pipe").args[0].fixed_size, 2 * sizeof(int));
  EXPECT_EQ(row_named("pipe2").args[0].fixed_size, 2 * sizeof(int));
  EXPECT_EQ(row_named("socketpair").args[3].fixed_size, 2 * sizeof(int));
  EXPECT_EQ(row_named("sendfile").args[2].fixed_size, sizeof(off_t));
  EXPECT_EQ(row_named("copy_file_range").args[1].fixed_size, sizeof(off_t));
  EXPECT_EQ(row_named("copy_file_range").args[3].fixed_size, sizeof(off_t));
  EXPECT_EQ(sizeof(struct pollfd), 8u);  // poll's Special array, described in its note
}

}  // namespace
}  // namespace cocoon::syscalls
