// End to end: load real programs with load_elf (and, for dynamic ones, their interpreter),
// build the initial stack with build_initial_stack, and jump to them in a forked child, the
// way the shim will. The program (programs/check_args.c) checks its argv, environment,
// auxv, .data, .bss and TLS, prints what it saw, and exits 42 when everything is right.
#include <gtest/gtest.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

#include "loader/auxv.hpp"
#include "loader/elf_image.hpp"
#include "loader/elf_load.hpp"
#include "loader/initial_stack.hpp"
#include "loader_test_util.hpp"

using namespace cocoon::loader;
using loader_test::Bytes;
using loader_test::HostLoader;
using loader_test::parse_like_shim;
using loader_test::read_file;

namespace {

[[noreturn]] void jump_to(std::uint64_t entry, std::uint64_t rsp) {
  // psABI: %rsp points at argc, %rdx holds a function for atexit (none: 0).
  asm volatile("mov %0, %%rsp\n\txor %%edx, %%edx\n\txor %%ebp, %%ebp\n\tjmp *%1" ::"r"(rsp), "r"(entry)
               : "memory", "rdx");
  __builtin_unreachable();
}

// Runs in the child: any failure exits with a code in 100..119 naming the step.
[[noreturn]] void child_load_and_run(const Bytes& prog, const Bytes* interp, const std::vector<const char*>& argv) {
  ElfInfo info, iinfo;
  if (parse_like_shim(prog, info) != ElfError::Ok) _exit(100);
  HostLoader host, ihost;
  host.file = &prog;
  host.apply_protections = true;
  LoadedImage img{}, iimg{};
  if (load_elf(info, host.ops(), img) != ElfError::Ok) _exit(101);
  std::uint64_t jump = img.entry;
  if (interp != nullptr) {
    if (parse_like_shim(*interp, iinfo) != ElfError::Ok) _exit(102);
    ihost.file = interp;
    ihost.apply_protections = true;
    if (load_elf(iinfo, ihost.ops(), iimg) != ElfError::Ok) _exit(103);
    jump = iimg.entry;
  }

  const std::uint64_t stack_size = 1 << 20;
  void* stack = mmap(nullptr, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (stack == MAP_FAILED) _exit(104);
  const std::uint64_t top = reinterpret_cast<std::uint64_t>(stack) + stack_size;

  static const char* const envp[] = {"PATH=/bin", "COCOON_LOADER_TEST=env-ok"};
  static const std::uint8_t rnd[16] = {0xA0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 0xAF};
  AuxvParams params;
  params.program = &img;
  params.interp = interp != nullptr ? &iimg : nullptr;
  params.uid = getuid();
  params.euid = geteuid();
  params.gid = getgid();
  params.egid = getegid();
  params.hwcap = getauxval(AT_HWCAP);
  params.hwcap2 = getauxval(AT_HWCAP2);
  params.minsigstksz = getauxval(AT_MINSIGSTKSZ);
  AuxEntry aux[kMaxAuxEntries];
  const std::size_t auxc = make_auxv(params, aux);
  InitialStackSpec spec;
  spec.argv = argv.data();
  spec.argc = argv.size();
  spec.envp = envp;
  spec.envc = 2;
  spec.auxv = aux;
  spec.auxc = auxc;
  spec.random = rnd;
  spec.platform = "x86_64";
  spec.execfn = "/test/check_args";
  InitialStack st;
  if (build_initial_stack(spec, top, static_cast<std::uint8_t*>(stack), stack_size, st) != StackError::Ok) _exit(105);
  alarm(20);  // never hang the test suite
  jump_to(jump, st.rsp);
}

struct RunResult {
  int status = -1;
  std::string output;
};

const std::vector<const char*> kCheckArgs = {"check_args", "first arg", "second"};

RunResult run(const char* path, const char* interp_path = nullptr, const std::vector<const char*>& argv = kCheckArgs) {
  Bytes prog = read_file(path);
  Bytes interp = interp_path != nullptr ? read_file(interp_path) : Bytes{};
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    dup2(fds[1], 1);
    close(fds[1]);
    child_load_and_run(prog, interp_path != nullptr ? &interp : nullptr, argv);
  }
  close(fds[1]);
  RunResult r;
  char buf[512];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) r.output.append(buf, static_cast<std::size_t>(n));
  close(fds[0]);
  EXPECT_EQ(waitpid(pid, &r.status, 0), pid);
  return r;
}

const char kExpected[] = "argc=3 argv[0]=check_args argv[1]=first arg argv[2]=second env=env-ok\n";

TEST(LoaderRun, StaticPie) {
  RunResult r = run(LOADER_PROG_STATIC_PIE);
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status) << "; output: " << r.output;
  EXPECT_EQ(WEXITSTATUS(r.status), 42) << r.output;
  EXPECT_EQ(r.output, kExpected);
}

TEST(LoaderRun, StaticAtFixedAddress) {
  RunResult r = run(LOADER_PROG_STATIC);
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status) << "; output: " << r.output;
  EXPECT_EQ(WEXITSTATUS(r.status), 42) << r.output;
  EXPECT_EQ(r.output, kExpected);
}

TEST(LoaderRun, DynamicPieThroughLoadedInterpreter) {
  RunResult r = run(LOADER_PROG_PIE, "/lib64/ld-linux-x86-64.so.2");
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status) << "; output: " << r.output;
  EXPECT_EQ(WEXITSTATUS(r.status), 42) << r.output;
  EXPECT_EQ(r.output, kExpected);
}

TEST(LoaderRun, DynamicExecAtFixedAddressThroughLoadedInterpreter) {
  RunResult r = run(LOADER_PROG_NOPIE, "/lib64/ld-linux-x86-64.so.2");
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status) << "; output: " << r.output;
  EXPECT_EQ(WEXITSTATUS(r.status), 42) << r.output;
  EXPECT_EQ(r.output, kExpected);
}

TEST(LoaderRun, BusyboxStaticFromDebian) {
  // A third-party static ET_EXEC (Debian busybox-static) run as an applet.
  RunResult r = run("/bin/busybox", nullptr, {"busybox", "echo", "hello", "from", "busybox"});
  ASSERT_TRUE(WIFEXITED(r.status)) << "killed by signal " << WTERMSIG(r.status) << "; output: " << r.output;
  EXPECT_EQ(WEXITSTATUS(r.status), 0);
  EXPECT_EQ(r.output, "hello from busybox\n");
  r = run("/bin/busybox", nullptr, {"busybox", "sh", "-c", "exit 37"});
  ASSERT_TRUE(WIFEXITED(r.status));
  EXPECT_EQ(WEXITSTATUS(r.status), 37);
}

TEST(LoaderRun, TinyStaticExitStatus) {
  RunResult r = run(LOADER_TINY_STATIC_PIE);
  ASSERT_TRUE(WIFEXITED(r.status));
  EXPECT_EQ(WEXITSTATUS(r.status), 7);  // tiny_data (5) + 2 + a zero bss word
}

}  // namespace
