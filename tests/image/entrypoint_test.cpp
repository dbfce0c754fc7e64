#include "image/entrypoint.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "image/image_error.hpp"
#include "image/layer_extract.hpp"
#include "test_layers.hpp"

namespace cocoon::image {
namespace {

using namespace test;
namespace fs = std::filesystem;
using Words = std::vector<std::string>;

class Entrypoint : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(scratch.path() / "rootfs");
    elf = read_file("/bin/true");  // any x86-64 ELF will do
    std::vector<Entry> e = {file("usr/bin/python3.11", elf, 0755), symlink("usr/bin/python3", "python3.11"),
                            symlink("bin", "usr/bin"),  // merged /usr, absolute path via symlink
                            file("usr/local/bin/tool", elf, 0755),
                            symlink("usr/local/bin/abs", "/usr/bin/python3"),
                            file("app/run.py", "#!/usr/bin/env python3\nprint(1)\n", 0755),
                            file("app/direct.sh", "#!/usr/bin/python3 -u\n", 0755),
                            file("usr/bin/env", elf, 0755),
                            file("app/data.txt", "not a program", 0755),
                            file("app/noexec", elf, 0644)};
    std::string tar = make_tar(e);
    apply_layer_memory(tar.data(), tar.size(), "layer", scratch.str("rootfs"));
  }
  ResolvedEntrypoint resolve(Words ep, Words cmd, Words env = {"PATH=/usr/local/bin:/usr/bin"},
                             EntrypointOverrides ov = {}) {
    ImageConfig c;
    c.entrypoint = std::move(ep);
    c.cmd = std::move(cmd);
    c.env = std::move(env);
    c.working_dir = "/app";
    return resolve_entrypoint(RootfsPath(scratch.str("rootfs")), c, ov);
  }
  std::string error(Words ep, Words cmd, Words env = {"PATH=/usr/local/bin:/usr/bin"}) {
    try {
      resolve(std::move(ep), std::move(cmd), std::move(env));
    } catch (const ImageError& e) {
      return e.what();
    }
    return "";
  }
  ScratchDir scratch;
  std::string elf;
};

TEST_F(Entrypoint, BareNameIsFoundOnTheImagePathAndSymlinksResolvedInside) {
  auto r = resolve({"python3", "app.py"}, {"--port", "80"});
  EXPECT_EQ(r.program, "/usr/bin/python3.11");
  EXPECT_EQ(r.argv, (Words{"python3", "app.py", "--port", "80"}));
  EXPECT_EQ(r.program_argv, r.argv);
  EXPECT_TRUE(r.scripts.empty());
  EXPECT_EQ(r.working_dir, "/app");
  // An absolute symlink is resolved against the image root, not the host.
  EXPECT_EQ(resolve({"/usr/local/bin/abs"}, {}).program, "/usr/bin/python3.11");
  EXPECT_EQ(resolve({"/bin/python3"}, {}).program, "/usr/bin/python3.11");
}

TEST_F(Entrypoint, WithoutPathInEnvDockersDefaultPathIsUsed) {
  EXPECT_EQ(resolve({"tool"}, {}, {}).program, "/usr/local/bin/tool");
  EXPECT_NE(error({"tool"}, {}, {"PATH=/nowhere"}).find("not found on the image's PATH (/nowhere)"), std::string::npos);
}

TEST_F(Entrypoint, CmdAloneIsTheCommandAndOverridesFollowDockerRules) {
  auto r = resolve({}, {"python3", "-V"});
  EXPECT_EQ(r.program, "/usr/bin/python3.11");
  EXPECT_EQ(r.argv, (Words{"python3", "-V"}));
  EntrypointOverrides ov;
  ov.entrypoint = Words{"tool"};
  r = resolve({"python3"}, {"x.py"}, {"PATH=/usr/local/bin:/usr/bin"}, ov);
  EXPECT_EQ(r.argv, (Words{"tool"}));  // --entrypoint drops the image's Cmd
  ov.cmd = Words{"a", "b"};
  r = resolve({"python3"}, {"x.py"}, {"PATH=/usr/local/bin:/usr/bin"}, ov);
  EXPECT_EQ(r.argv, (Words{"tool", "a", "b"}));
}

TEST_F(Entrypoint, EnvShebangIsReplacedByTheInterpreterFoundOnPath) {
  auto r = resolve({"./run.py"}, {"arg"});
  EXPECT_EQ(r.program, "/usr/bin/python3.11");
  EXPECT_EQ(r.scripts, Words{"/app/run.py"});
  EXPECT_EQ(r.program_argv, (Words{"python3", "/app/run.py", "arg"}));
}

TEST_F(Entrypoint, AbsoluteShebangKeepsItsOptionalArgument) {
  auto r = resolve({"/app/direct.sh"}, {"x"});
  EXPECT_EQ(r.program, "/usr/bin/python3.11");
  EXPECT_EQ(r.program_argv, (Words{"/usr/bin/python3", "-u", "/app/direct.sh", "x"}));
}

TEST_F(Entrypoint, UnresolvableEntrypointsSayWhatIsWrong) {
  EXPECT_NE(error({"nosuch"}, {}).find("\"nosuch\" not found on the image's PATH"), std::string::npos);
  EXPECT_NE(error({"/opt/missing"}, {}).find("/opt/missing does not exist in the image"), std::string::npos);
  EXPECT_NE(error({"/app/data.txt"}, {}).find("neither an x86-64 ELF program nor a #! script"), std::string::npos);
  EXPECT_NE(error({"/app/noexec"}, {}).find("not executable"), std::string::npos);
  EXPECT_NE(error({}, {}).find("neither an Entrypoint nor a Cmd"), std::string::npos);
}

TEST_F(Entrypoint, ShellFormWithoutAShellInTheImageIsExplained) {
  std::string e = error({"/bin/sh", "-c", "echo hi"}, {});
  EXPECT_NE(e.find("shell form"), std::string::npos) << e;
  EXPECT_NE(e.find("/bin/sh"), std::string::npos) << e;
  EXPECT_NE(e.find("exec form"), std::string::npos) << e;
}

TEST_F(Entrypoint, ShellFormWithAShellResolvesToTheShell) {
  std::string tar = make_tar({file("usr/bin/busybox", elf, 0755), symlink("usr/bin/sh", "busybox")});
  apply_layer_memory(tar.data(), tar.size(), "layer 2", scratch.str("rootfs"));
  auto r = resolve({"/bin/sh", "-c", "echo hi"}, {});
  EXPECT_TRUE(r.shell_form);
  EXPECT_EQ(r.program, "/usr/bin/busybox");
  EXPECT_EQ(r.program_argv, (Words{"/bin/sh", "-c", "echo hi"}));
}

TEST(RootfsPathResolve, SymlinkLoopIsAnErrorNotAHang) {
  ScratchDir s;
  fs::create_directories(s.path() / "r");
  fs::create_symlink("b", s.path() / "r/a");
  fs::create_symlink("a", s.path() / "r/b");
  RootfsPath root(s.str("r"));
  EXPECT_THROW(root.resolve("/a/x"), ImageError);
  EXPECT_EQ(root.resolve("/a", false), "/a");
}

TEST(RootfsPathResolve, DotDotNeverLeavesTheRoot) {
  ScratchDir s;
  fs::create_directories(s.path() / "r/etc");
  RootfsPath root(s.str("r"));
  EXPECT_EQ(root.resolve("/../../etc/passwd"), "/etc/passwd");
  EXPECT_EQ(root.host_path("/../../etc/passwd"), s.str("r") + "/etc/passwd");
  bool escaped = false;
  EXPECT_EQ(normalize_container_path("/a/../../b", &escaped), "/b");
  EXPECT_TRUE(escaped);
}

}  // namespace
}  // namespace cocoon::image
