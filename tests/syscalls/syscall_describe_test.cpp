// Readable descriptions of rows, as the support matrix shows them.
#include <gtest/gtest.h>

#include "syscalls/syscall_describe.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {
namespace {

const SyscallInfo& row(const char* name) {
  const SyscallInfo* r = find_syscall_by_name(name);
  if (r == nullptr) { ADD_FAILURE() << name; }
  static const SyscallInfo kMissing{};
  return r != nullptr ? *r : kMissing;
}

TEST(SyscallDescribe, RouteNamesRoundTrip) {
  for (Route r : {Route::Shim, Route::Forward, Route::Refuse})
    EXPECT_EQ(route_from_name(route_name(r)), r);
  EXPECT_EQ(route_name(Route::Forward), "forward");
  EXPECT_FALSE(route_from_name("Forward"));
  EXPECT_FALSE(route_from_name(""));
  EXPECT_FALSE(route_from_name("forwarded"));
}

TEST(SyscallDescribe, Routes) {
  EXPECT_EQ(describe_route(row("getpid")), "shim");
  EXPECT_EQ(describe_route(row("prctl")), "shim (partial)");
  EXPECT_EQ(describe_route(row("lseek")), "forward");
  EXPECT_EQ(describe_route(row("read")), "forward (blocking)");
  EXPECT_EQ(describe_route(row("ioctl")), "forward (custom, partial)");
  EXPECT_EQ(describe_route(row("execveat")), "refuse: ENOSYS");
  EXPECT_EQ(describe_route(row("ptrace")), "refuse: EPERM");
  EXPECT_EQ(describe_route(row("wait4")), "forward (custom, blocking)");
  EXPECT_EQ(describe_route(row("vfork")), "shim (partial)");
  SyscallInfo odd = row("execveat");
  odd.err = 4000;
  EXPECT_EQ(describe_route(odd), "refuse: errno 4000");
}

TEST(SyscallDescribe, Arguments) {
  EXPECT_EQ(describe_args(row("read")), "fd; out buf[arg2] ← result bytes; int");
  EXPECT_EQ(describe_args(row("write")), "fd; in buf[arg2]; int");
  EXPECT_EQ(describe_args(row("fstat")), "fd; out 144 B");
  EXPECT_EQ(describe_args(row("newfstatat")), "dirfd or AT_FDCWD; path; out 144 B; int");
  EXPECT_EQ(describe_args(row("epoll_wait")), "fd; out arg2 × 12 B ← result entries; int; int");
  EXPECT_EQ(describe_args(row("accept4")),
            "fd; out buf[*arg2]; in/out 4 B; int → new fd");
  EXPECT_EQ(describe_args(row("pipe2")), "out 8 B (two new fds); int");
  EXPECT_EQ(describe_args(row("readv")), "fd; iovec[arg2] out ← result bytes; int");
  EXPECT_EQ(describe_args(row("writev")), "fd; iovec[arg2] in; int");
  EXPECT_EQ(describe_args(row("fsetxattr")), "fd; string; in buf[arg3]; int; int");
  EXPECT_EQ(describe_args(row("ioctl")), "fd; int; special (see note)");
  EXPECT_EQ(describe_args(row("sync")), "none");
  EXPECT_EQ(describe_args(row("inotify_init")), "none → new fd");
  EXPECT_EQ(describe_args(row("getpid")), "—");
  EXPECT_EQ(describe_args(row("execveat")), "—");
  EXPECT_EQ(describe_arg(row("read"), 6), "—");
  EXPECT_EQ(describe_arg(row("read"), -1), "—");
}

TEST(SyscallDescribe, FlagNames) {
  EXPECT_EQ(flag_names(0), std::vector<std::string>{});
  EXPECT_EQ(flag_names(kOutSizeIsResult | kBlocking),
            (std::vector<std::string>{"out_size_is_result", "blocking"}));
  EXPECT_EQ(flag_names(kNewFd | kAtFdCwd), (std::vector<std::string>{"new_fd", "at_fdcwd"}));
  EXPECT_EQ(flag_names(0x8000 | kCustom), (std::vector<std::string>{"custom", "0x8000"}));
}

TEST(SyscallDescribe, ArgKindNames) {
  EXPECT_EQ(arg_kind_name(Arg::IovOut), "iov_out");
  EXPECT_EQ(arg_kind_name(Arg::InOut), "inout");
  EXPECT_EQ(arg_kind_name(Arg::None), "none");
}

}  // namespace
}  // namespace cocoon::syscalls
