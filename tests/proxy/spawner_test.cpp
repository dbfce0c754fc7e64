// The spawner (proxy/spawner.cpp): a request from a worker's fork becomes a child of the
// spawner's parent holding exactly the fds named that are not close-on-exec, at the same
// numbers, in the sender's cwd, with the request's umask, session and ignored signals; a bad
// request starts nothing.
#include "proxy/spawner.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstring>
#include <string>
#include <vector>

#include "proxy/spawn_request.hpp"

namespace {

using cocoon::proxy::SpawnedProgram;

// In the spawned process: writes what it got to fd 1 (which must be the test's pipe) and
// exits with 42.
int report_entry(const SpawnedProgram& p) {
  std::string out = "path=" + p.path + "\n";
  for (const auto& a : p.argv) out += "arg=" + a + "\n";
  for (const auto& e : p.env) out += "env=" + e + "\n";
  out += "fds=";
  for (int f : p.fds) out += std::to_string(f) + ",";
  char cwd[256] = "";
  if (!getcwd(cwd, sizeof cwd)) std::strcpy(cwd, "?");
  mode_t old = umask(0);
  out += "\ncwd=" + std::string(cwd) + "\numask=" + std::to_string(old) + "\n";
  out += "leader=" + std::to_string(getsid(0) == getpid()) + "\n";
  out += "ignored=" + std::to_string(p.ignored) + " parent=" + std::to_string(p.parent_pid) + "\n";
  // Which low fds are open in the process itself.
  out += "open=";
  for (int f = 0; f < 64; ++f)
    if (fcntl(f, F_GETFD) >= 0) out += std::to_string(f) + ",";
  out += "\n";
  if (write(1, out.data(), out.size()) != static_cast<ssize_t>(out.size())) return 1;
  return 42;
}

std::vector<std::uint8_t> make_request(cocoon::spawn::Kind kind, const std::vector<std::int32_t>& fds,
                                       const std::vector<std::string>& strings, std::uint32_t argc,
                                       std::uint32_t envc) {
  cocoon::spawn::Request h{};
  h.magic = cocoon::spawn::kMagic;
  h.kind = kind;
  h.exit_status = 7;
  h.nfds = static_cast<std::uint32_t>(fds.size());
  h.parent_pid = 1234;
  h.ignored = 1ull << (SIGPIPE - 1);
  h.flags = cocoon::spawn::kSetsid;
  h.umask = 027;
  h.argc = argc;
  h.envc = envc;
  std::string s;
  for (const auto& x : strings) s += x + '\0';
  h.strings_size = static_cast<std::uint32_t>(s.size());
  std::vector<std::uint8_t> out(sizeof h + fds.size() * 4 + s.size());
  std::memcpy(out.data(), &h, sizeof h);
  if (!fds.empty()) std::memcpy(out.data() + sizeof h, fds.data(), fds.size() * 4);
  if (!s.empty()) std::memcpy(out.data() + sizeof h + fds.size() * 4, s.data(), s.size());
  return out;
}

std::string read_all(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<std::size_t>(n));
  return s;
}

class SpawnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sock_ = cocoon::proxy::start_spawner(report_entry);
    ASSERT_GE(sock_, 0);
  }
  void TearDown() override {
    if (sock_ >= 0) close(sock_);  // the spawner ends when its socket closes
    while (waitpid(-1, nullptr, 0) > 0) {
    }
  }
  int sock_ = -1;
};

TEST_F(SpawnerTest, ChildGetsTheNamedFdsAtTheirNumbersAndTheRequestsState) {
  int out[2], keep[2], cloexec[2];
  ASSERT_EQ(pipe(out), 0);
  ASSERT_EQ(pipe(keep), 0);
  ASSERT_EQ(pipe2(cloexec, O_CLOEXEC), 0);
  // The entry reports on fd 1: for the request, this process's fd 1 is the output pipe.
  int saved_stdout = dup(1);
  ASSERT_EQ(dup2(out[1], 1), 1);
  char cwd_before[256];
  ASSERT_NE(getcwd(cwd_before, sizeof cwd_before), nullptr);
  ASSERT_EQ(chdir("/usr"), 0);
  auto rq = make_request(cocoon::spawn::kExec, {1, keep[0], cloexec[1], 900}, {"/bin/x", "x", "-y", "A=1"}, 2, 1);
  long pid = cocoon::proxy::request_spawn(sock_, rq.data(), rq.size());
  ASSERT_EQ(chdir(cwd_before), 0);
  dup2(saved_stdout, 1);
  close(saved_stdout);
  close(out[1]);
  ASSERT_GT(pid, 0);
  std::string got = read_all(out[0]);
  int st = 0;
  ASSERT_EQ(waitpid(static_cast<pid_t>(pid), &st, 0), pid) << "the spawned process is this process's child";
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 42) << st;
  EXPECT_NE(got.find("path=/bin/x\narg=x\narg=-y\nenv=A=1\n"), std::string::npos) << got;
  // fd 900 was never open and cloexec[1] is close-on-exec: neither is passed.
  EXPECT_NE(got.find("fds=1," + std::to_string(keep[0]) + ",\n"), std::string::npos) << got;
  EXPECT_NE(got.find("open=1," + std::to_string(keep[0]) + ",\n"), std::string::npos) << got;
  EXPECT_NE(got.find("cwd=/usr\n"), std::string::npos) << got;
  EXPECT_NE(got.find("umask=23\n"), std::string::npos) << got;  // 027
  EXPECT_NE(got.find("leader=1\n"), std::string::npos) << got;
  EXPECT_NE(got.find("ignored=" + std::to_string(1ull << (SIGPIPE - 1)) + " parent=1234\n"), std::string::npos)
      << got;
  for (int f : {out[0], keep[0], keep[1], cloexec[0], cloexec[1]}) close(f);
}

TEST_F(SpawnerTest, ExitRequestGivesAProcessWithThatStatus) {
  auto rq = make_request(cocoon::spawn::kExit, {}, {}, 0, 0);
  long pid = cocoon::proxy::request_spawn(sock_, rq.data(), rq.size());
  ASSERT_GT(pid, 0);
  int st = 0;
  ASSERT_EQ(waitpid(static_cast<pid_t>(pid), &st, 0), pid);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 7) << st;
}

TEST_F(SpawnerTest, MalformedRequestsStartNothing) {
  auto rq = make_request(cocoon::spawn::kExec, {}, {"/bin/x", "x"}, 2, 0);  // argc says 2, one string
  EXPECT_EQ(cocoon::proxy::request_spawn(sock_, rq.data(), rq.size()), -EINVAL);
  auto bad = rq;
  bad[0] ^= 1;  // magic
  EXPECT_EQ(cocoon::proxy::request_spawn(sock_, bad.data(), bad.size()), -EINVAL);
  EXPECT_EQ(cocoon::proxy::request_spawn(sock_, rq.data(), 10), -EINVAL);
  EXPECT_EQ(cocoon::proxy::request_spawn(-1, rq.data(), rq.size()), -ENOSYS);
  EXPECT_EQ(waitpid(-1, nullptr, WNOHANG), 0) << "only the spawner is left";
}

}  // namespace
