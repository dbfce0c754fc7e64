// The shim's own errno constants against the host's <errno.h>.
#include <gtest/gtest.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <string>

#include "syscalls/syscall_errno.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {
namespace {

TEST(SyscallErrno, ConstantsEqualErrnoH) {
  EXPECT_EQ(kEPERM, EPERM);
  EXPECT_EQ(kENOENT, ENOENT);
  EXPECT_EQ(kEINTR, EINTR);
  EXPECT_EQ(kEIO, EIO);
  EXPECT_EQ(kEBADF, EBADF);
  EXPECT_EQ(kECHILD, ECHILD);
  EXPECT_EQ(kEAGAIN, EAGAIN);
  EXPECT_EQ(kENOMEM, ENOMEM);
  EXPECT_EQ(kEACCES, EACCES);
  EXPECT_EQ(kEFAULT, EFAULT);
  EXPECT_EQ(kEINVAL, EINVAL);
  EXPECT_EQ(kEMFILE, EMFILE);
  EXPECT_EQ(kENOTTY, ENOTTY);
  EXPECT_EQ(kESPIPE, ESPIPE);
  EXPECT_EQ(kERANGE, ERANGE);
  EXPECT_EQ(kENOSYS, ENOSYS);
  EXPECT_EQ(kEOPNOTSUPP, EOPNOTSUPP);
}

// Each name in kErrnoNames is the <errno.h> name of its value (glibc's strerrorname_np).
TEST(SyscallErrno, NamesEqualTheLibcNames) {
  std::set<int> values;
  for (const ErrnoName& e : kErrnoNames) {
    EXPECT_TRUE(values.insert(e.value).second) << "duplicate value " << e.value;
    const char* libc_name = strerrorname_np(e.value);
    ASSERT_NE(libc_name, nullptr) << e.value;
    EXPECT_STREQ(e.name, libc_name);
    EXPECT_STREQ(errno_name(e.value), e.name);
  }
  EXPECT_EQ(values.size(), 17u);
  EXPECT_EQ(errno_name(0), nullptr);
  EXPECT_EQ(errno_name(4095), nullptr);
}

TEST(SyscallErrno, EveryRefusalUsesANamedErrno) {
  for (const SyscallInfo& row : kSyscallTable)
    if (row.route == Route::Refuse) { EXPECT_NE(errno_name(row.err), nullptr) << row.name; }
}

}  // namespace
}  // namespace cocoon::syscalls
