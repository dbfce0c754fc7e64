// Wrapped images run by a real container runtime: podman with runc (settings from
// shared/notes/testing-infra.md), private storage under the build directory.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "e2e_support.hpp"

namespace cocoon::image::e2e {
namespace {

using test::ScratchDir;

std::string podman_env() {
  std::string dir = images() + "/podman";
  if (!fs::exists(dir + "/containers.conf")) {
    test::write_file(dir + "/containers.conf",
                     "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]\nnetns = \"none\"\n"
                     "[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n");
    test::write_file(dir + "/storage.conf", "[storage]\ndriver = \"overlay\"\ngraphroot = \"" + dir +
                                                "/graph\"\nrunroot = \"" + dir + "/run\"\n");
  }
  return "CONTAINERS_CONF=" + dir + "/containers.conf CONTAINERS_STORAGE_CONF=" + dir + "/storage.conf ";
}

class PodmanRun : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = prepare();
    if (!why.empty()) GTEST_SKIP() << why;
    for (const char* t : {"podman", "runc"})
      if (!have(t)) GTEST_SKIP() << t << " is not installed (apt-get install podman runc)";
    env = podman_env();
  }
  // Wraps an input and loads the result into podman's storage as `name`.
  void wrap_and_load(const std::string& input, const std::string& name) {
    ShellResult w = sh(cocoon() + " wrap-image --key " + key() + " --input " + input + " --output oci:" + s.str("out") + ":w");
    ASSERT_EQ(w.status, 0) << w.output;
    ShellResult c = sh(env + "skopeo copy -q oci:" + s.str("out") + ":w containers-storage:" + name);
    ASSERT_EQ(c.status, 0) << c.output;
  }
  ShellResult podman(const std::string& args) { return sh(env + "podman " + args); }
  ScratchDir s;
  std::string env;
};

TEST_F(PodmanRun, RuntimeLayerRunsInAnImageWithoutLibc) {
  wrap_and_load("oci:" + images() + "/busybox-oci:latest", "localhost/cocoon-e2e-bb:rt");
  ShellResult r = podman("run --rm --pull=never --entrypoint /cocoon/lib/ld-linux-x86-64.so.2 localhost/cocoon-e2e-bb:rt "
                 "--library-path /cocoon/lib /cocoon/bin/cocoon --version");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("cocoon 0.1.0"), std::string::npos) << r.output;
}

TEST_F(PodmanRun, WrappedBusyboxPrintsAndExitsLikeTheOriginal) {
  // docker-archive in and out; `podman load` reads the output.
  ShellResult w = sh(cocoon() + " wrap-image --key " + key() + " --input docker-archive:" + images() +
                     "/busybox.tar --output docker-archive:" + s.str("bb.tar") + ":localhost/cocoon-e2e-bb:w");
  ASSERT_EQ(w.status, 0) << w.output;
  ShellResult l = podman("load -q -i " + s.str("bb.tar"));
  ASSERT_EQ(l.status, 0) << l.output;
  ShellResult r = podman("run --rm --pull=never localhost/cocoon-e2e-bb:w");
  EXPECT_EQ(r.status, 7) << r.output;
  EXPECT_NE(r.output.find("hello from busybox"), std::string::npos) << r.output;
}

TEST_F(PodmanRun, WrappedPythonScriptPrintsAndExitsLikeTheOriginal) {
  wrap_and_load("oci:" + images() + "/python-oci:latest", "localhost/cocoon-e2e-py:w");
  ShellResult r = podman("run --rm --pull=never localhost/cocoon-e2e-py:w");
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_NE(r.output.find("hello from python, demo cwd /app args ['greet']"), std::string::npos) << r.output;
}

// Many images run as a user other than root (USER in the Dockerfile, runAsUser in a pod),
// whose home is often not writable: the wrapped program runs all the same.
TEST_F(PodmanRun, WrappedPythonScriptRunsAsAUserOtherThanRoot) {
  wrap_and_load("oci:" + images() + "/python-oci:latest", "localhost/cocoon-e2e-py:nonroot");
  ShellResult r = podman("run --rm --pull=never --user 65534:65534 localhost/cocoon-e2e-py:nonroot");
  EXPECT_EQ(r.status, 3) << r.output;
  EXPECT_NE(r.output.find("hello from python, demo cwd /app args ['greet']"), std::string::npos) << r.output;
}

TEST_F(PodmanRun, WrappedPythonServerAnswersOnLoopback) {
  wrap_and_load("oci:" + images() + "/python-oci:latest", "localhost/cocoon-e2e-py:srv");
  int port = 18000 + static_cast<int>(getpid() % 1000);
  std::string name = "cocoon-e2e-srv-" + std::to_string(getpid());
  ShellResult r = podman("run -d --pull=never --network=host --name " + name + " localhost/cocoon-e2e-py:srv serve " +
                 std::to_string(port));
  ASSERT_EQ(r.status, 0) << r.output;
  std::string url = "http://127.0.0.1:" + std::to_string(port) + "/";
  ShellResult get;
  for (int i = 0; i < 50; ++i) {
    get = sh("/usr/bin/python3 -c \"import urllib.request,sys; sys.stdout.write(urllib.request.urlopen('" + url +
             "', timeout=2).read().decode())\"");
    if (get.status == 0) break;
    if (podman("ps -q -f name=" + name).output.empty()) break;  // the container already exited
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ShellResult logs = podman("logs " + name);
  podman("rm -f -t 0 " + name);
  EXPECT_EQ(get.status, 0) << get.output << "\ncontainer log:\n" << logs.output;
  EXPECT_NE(get.output.find("hello over http, demo"), std::string::npos) << get.output;
}

TEST_F(PodmanRun, DockerfileContextBuildsTheSameImageAsWrapImage) {
  // Base image under the name the Dockerfile's FROM uses (the archive's RepoTag).
  ShellResult c = sh(env + "skopeo copy -q docker-archive:" + images() +
                     "/busybox.tar containers-storage:localhost/cocoon-test-busybox:latest");
  ASSERT_EQ(c.status, 0) << c.output;
  ShellResult w = sh(cocoon() + " wrap-image --key " + key() + " --input docker-archive:" + images() +
                     "/busybox.tar --dockerfile " + s.str("ctx"));
  ASSERT_EQ(w.status, 0) << w.output;
  ShellResult b = podman("build -q --pull=never -t localhost/cocoon-e2e-bb:df " + s.str("ctx"));
  ASSERT_EQ(b.status, 0) << b.output;
  wrap_and_load("docker-archive:" + images() + "/busybox.tar", "localhost/cocoon-e2e-bb:wi");
  auto config_of = [&](const std::string& ref) {
    ShellResult i = podman("image inspect " + ref);
    EXPECT_EQ(i.status, 0) << i.output;
    return nlohmann::json::parse(i.output)[0]["Config"];
  };
  auto built = config_of("localhost/cocoon-e2e-bb:df"), wrapped = config_of("localhost/cocoon-e2e-bb:wi");
  EXPECT_EQ(built["Entrypoint"], wrapped["Entrypoint"]);
  EXPECT_EQ(built["Cmd"], wrapped["Cmd"]);
  EXPECT_EQ(built["Env"], wrapped["Env"]);
  for (const char* label : {"dev.cocoon.mrenclave", "dev.cocoon.mrsigner", "dev.cocoon.source-digest"})
    EXPECT_EQ(built["Labels"][label], wrapped["Labels"][label]) << label;
  // Same runtime files in both.
  ShellResult a = podman("run --rm --pull=never --entrypoint /bin/sh localhost/cocoon-e2e-bb:df -c 'cd /cocoon && find . -type f | sort | xargs md5sum'");
  ShellResult d = podman("run --rm --pull=never --entrypoint /bin/sh localhost/cocoon-e2e-bb:wi -c 'cd /cocoon && find . -type f | sort | xargs md5sum'");
  EXPECT_EQ(a.status, 0) << a.output;
  EXPECT_EQ(a.output, d.output);
}

}  // namespace
}  // namespace cocoon::image::e2e
