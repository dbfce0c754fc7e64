// `cocoon wrap-image` on real images built from Debian packages (busybox-static, the host's
// python3), checked with independent tools: skopeo inspect and umoci unpack.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "e2e_support.hpp"

namespace cocoon::image::e2e {
namespace {

using test::read_file;
using test::ScratchDir;

class WrapImageCli : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string why = prepare();
    if (!why.empty()) GTEST_SKIP() << why;
  }
  ShellResult wrap(const std::string& args) { return sh(cocoon() + " wrap-image --key " + key() + " " + args); }
  ScratchDir s;
};

TEST_F(WrapImageCli, BusyboxOciIsAcceptedBySkopeoAndUmoci) {
  ShellResult w = wrap("--input oci:" + images() + "/busybox-oci:latest --output oci:" + s.str("out") + ":wrapped");
  ASSERT_EQ(w.status, 0) << w.output;
  std::string mrenclave = field(w.output, "MRENCLAVE"), mrsigner = field(w.output, "MRSIGNER");
  EXPECT_EQ(mrenclave.size(), 64u) << w.output;
  EXPECT_EQ(field(w.output, "program"), "/bin/busybox");

  ShellResult inspect = sh("skopeo inspect oci:" + s.str("out") + ":wrapped");
  ASSERT_EQ(inspect.status, 0) << inspect.output;
  auto j = nlohmann::json::parse(inspect.output);
  EXPECT_EQ(j["Labels"]["dev.cocoon.mrenclave"], mrenclave);
  EXPECT_EQ(j["Labels"]["dev.cocoon.mrsigner"], mrsigner);
  EXPECT_EQ(j["Labels"]["dev.cocoon.source-digest"], field(w.output, "source"));
  EXPECT_EQ(j["Layers"].size(), 2u);
  EXPECT_EQ(j["Architecture"], "amd64");

  ShellResult unpack = sh("umoci unpack --image " + s.str("out") + ":wrapped " + s.str("bundle"));
  ASSERT_EQ(unpack.status, 0) << unpack.output;
  auto cfg = nlohmann::json::parse(read_file(s.path() / "bundle/config.json"));
  auto args = cfg["process"]["args"];
  EXPECT_EQ(args[0], "/cocoon/lib/ld-linux-x86-64.so.2");
  EXPECT_EQ(args[3], "/cocoon/bin/cocoon");
  EXPECT_EQ(args[5], "/cocoon/app.toml");
  EXPECT_EQ(args.back(), "echo hello from busybox; exit 7");  // the original Cmd, passed through
  fs::path root = s.path() / "bundle/rootfs";
  EXPECT_TRUE(fs::exists(root / "bin/busybox"));
  EXPECT_EQ(fs::file_size(root / "cocoon/app.sig"), 1808u);
  std::string toml = read_file(root / "cocoon/app.toml");
  EXPECT_NE(toml.find("entrypoint = \"/bin/busybox\""), std::string::npos) << toml;
  EXPECT_NE(toml.find("\"/bin/busybox\""), std::string::npos) << toml;
}

TEST_F(WrapImageCli, DockerArchiveInAndOut) {
  ShellResult w = wrap("--input docker-archive:" + images() + "/busybox.tar --output docker-archive:" + s.str("out.tar") +
               ":localhost/bb-cocoon:1");
  ASSERT_EQ(w.status, 0) << w.output;
  ShellResult inspect = sh("skopeo inspect docker-archive:" + s.str("out.tar"));
  ASSERT_EQ(inspect.status, 0) << inspect.output;
  auto j = nlohmann::json::parse(inspect.output);
  EXPECT_EQ(j["Labels"]["dev.cocoon.mrenclave"], field(w.output, "MRENCLAVE"));
  EXPECT_EQ(j["Layers"].size(), 2u);
  ShellResult copy = sh("skopeo copy -q docker-archive:" + s.str("out.tar") + " oci:" + s.str("copied") + ":x");
  EXPECT_EQ(copy.status, 0) << copy.output;
}

TEST_F(WrapImageCli, PythonScriptEntrypointGetsItsInterpreterAndLibraryTreeTrusted) {
  ShellResult w = wrap("--input oci:" + images() + "/python-oci:latest --output oci:" + s.str("py") + ":w");
  ASSERT_EQ(w.status, 0) << w.output;
  EXPECT_EQ(field(w.output, "program"), "/usr/bin/python3.11");
  ShellResult unpack = sh("umoci unpack --image " + s.str("py") + ":w " + s.str("bundle"));
  ASSERT_EQ(unpack.status, 0) << unpack.output;
  std::string toml = read_file(s.path() / "bundle/rootfs/cocoon/app.toml");
  for (const char* want : {"entrypoint = \"/usr/bin/python3.11\"", "\"/app/hello.py\"", "\"/usr/lib/python3.11/os.py\"",
                           "\"/lib/x86_64-linux-gnu/libc.so.6\"", "\"GREETING\" = \"demo\"", "working_dir = \"/app\"",
                           "\"/tmp\""})
    EXPECT_NE(toml.find(want), std::string::npos) << want << "\n" << toml;
  auto cfg = nlohmann::json::parse(read_file(s.path() / "bundle/config.json"));
  EXPECT_EQ(cfg["process"]["args"].back(), "greet");
}

TEST_F(WrapImageCli, WrappingTwiceGivesByteIdenticalOutput) {
  for (const char* out : {"a", "b"}) {
    ShellResult w = wrap("--input oci:" + images() + "/python-oci:latest --output oci:" + s.str(out) + ":w");
    ASSERT_EQ(w.status, 0) << w.output;
  }
  ShellResult diff = sh("diff -r " + s.str("a") + " " + s.str("b"));
  EXPECT_EQ(diff.status, 0) << diff.output;
  for (const char* out : {"a.tar", "b.tar"}) {
    ShellResult w = wrap("--input docker-archive:" + images() + "/busybox.tar --output docker-archive:" + s.str(out));
    ASSERT_EQ(w.status, 0) << w.output;
  }
  EXPECT_EQ(read_file(s.path() / "a.tar"), read_file(s.path() / "b.tar"));
}

TEST_F(WrapImageCli, BadInputFailsWithAClearMessageAndLeavesNoOutput) {
  // A corrupt layer blob.
  ASSERT_EQ(sh("cp -r " + images() + "/busybox-oci " + s.str("bad")).status, 0);
  auto layers = nlohmann::json::parse(sh("skopeo inspect --raw oci:" + s.str("bad") + ":latest").output)["layers"];
  std::string blob = s.str("bad") + "/blobs/sha256/" + layers[0]["digest"].get<std::string>().substr(7);
  ASSERT_EQ(sh("printf 'XXXX' | dd of=" + blob + " bs=1 seek=100 conv=notrunc status=none").status, 0);
  ShellResult w = wrap("--input oci:" + s.str("bad") + ":latest --output oci:" + s.str("out"));
  EXPECT_EQ(w.status, 1);
  EXPECT_NE(w.output.find("cocoon wrap-image: "), std::string::npos) << w.output;
  EXPECT_NE(w.output.find("digest mismatch"), std::string::npos) << w.output;
  EXPECT_FALSE(fs::exists(s.path() / "out"));

  // An entrypoint that is not in the image.
  w = wrap("--input oci:" + images() + "/busybox-oci:latest --entrypoint nosuch --output oci:" + s.str("out"));
  EXPECT_EQ(w.status, 1);
  EXPECT_NE(w.output.find("\"nosuch\" not found on the image's PATH"), std::string::npos) << w.output;
  EXPECT_FALSE(fs::exists(s.path() / "out"));

  // Shell form, but the python image has no shell.
  w = wrap("--input oci:" + images() + "/python-oci:latest --entrypoint '[\"/bin/sh\",\"-c\",\"echo hi\"]' --output oci:" +
           s.str("out"));
  EXPECT_EQ(w.status, 1);
  EXPECT_NE(w.output.find("shell form"), std::string::npos) << w.output;
  EXPECT_FALSE(fs::exists(s.path() / "out"));

  // A missing input and a bad key.
  w = wrap("--input oci:" + s.str("nothing") + " --output oci:" + s.str("out"));
  EXPECT_EQ(w.status, 1);
  EXPECT_NE(w.output.find("is not a directory"), std::string::npos) << w.output;
  test::write_file(s.path() / "bad.pem", "not a key");
  w = sh(cocoon() + " wrap-image --key " + s.str("bad.pem") + " --input oci:" + images() + "/busybox-oci --output oci:" + s.str("out"));
  EXPECT_EQ(w.status, 1);
  EXPECT_FALSE(fs::exists(s.path() / "out"));
  for (auto& e : fs::directory_iterator(s.path()))
    EXPECT_EQ(e.path().filename().string().find("cocoon-tmp"), std::string::npos) << e.path();
}

TEST_F(WrapImageCli, DockerfileModeWritesAContextBuildingTheSameThing) {
  ShellResult w = wrap("--input docker-archive:" + images() + "/busybox.tar --dockerfile " + s.str("ctx"));
  ASSERT_EQ(w.status, 0) << w.output;
  std::string df = read_file(s.path() / "ctx/Dockerfile");
  EXPECT_NE(df.find("FROM localhost/cocoon-test-busybox:latest\n"), std::string::npos) << df;
  EXPECT_NE(df.find("LABEL dev.cocoon.mrenclave=\"" + field(w.output, "MRENCLAVE") + "\""), std::string::npos) << df;
  EXPECT_TRUE(fs::exists(s.path() / "ctx/cocoon/bin/cocoon"));
  EXPECT_TRUE(fs::exists(s.path() / "ctx/cocoon/app.toml"));
}

TEST_F(WrapImageCli, K8sDeploymentIsSizedFromTheWrappedManifest) {
  ShellResult w = wrap("--input oci:" + images() + "/busybox-oci:latest --output oci:" + s.str("out") + ":w");
  ASSERT_EQ(w.status, 0) << w.output;
  ASSERT_EQ(sh("umoci unpack --image " + s.str("out") + ":w " + s.str("bundle")).status, 0);
  std::string manifest = s.str("bundle/rootfs/cocoon/app.toml");
  ShellResult y = sh(cocoon() + " k8s deployment --image registry.example/bb-cocoon:1 --manifest " + manifest +
             " --attestation out-of-process");
  ASSERT_EQ(y.status, 0) << y.output;
  EXPECT_NE(y.output.find("sgx.intel.com/epc: \"4Gi\""), std::string::npos) << y.output;
  EXPECT_NE(y.output.find("SGX_AESM_ADDR"), std::string::npos) << y.output;
  test::write_file(s.path() / "stats.txt", "cocoon: stats: peak EPC in use 40.0 MiB (of 4096.0 MiB enclave heap)\n");
  y = sh(cocoon() + " k8s deployment --job --image registry.example/bb-cocoon:1 --manifest " + manifest + " --stats " +
         s.str("stats.txt"));
  ASSERT_EQ(y.status, 0) << y.output;
  EXPECT_NE(y.output.find("sgx.intel.com/epc: \"50Mi\""), std::string::npos) << y.output;
  y = sh(cocoon() + " k8s deployment --image x --manifest " + s.str("missing.toml"));
  EXPECT_NE(y.status, 0);
  EXPECT_NE(y.output.find("cocoon k8s deployment: "), std::string::npos) << y.output;
}

}  // namespace
}  // namespace cocoon::image::e2e
