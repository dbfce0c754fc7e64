// wrap_image with a recording manifest builder: checks the image side (rootfs, entrypoint,
// trusted/allowed defaults, runtime layer, config, atomic output) independent of signing.
#include "image/wrap.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "image/elf_closure.hpp"
#include "image/image_error.hpp"
#include "image/layer_extract.hpp"
#include "image/runtime_layer.hpp"
#include "image/source_image.hpp"
#include "image/wrapped_config.hpp"
#include "test_images.hpp"

namespace cocoon::image {
namespace {

using namespace test;
namespace fs = std::filesystem;
using Words = std::vector<std::string>;

std::string self_exe() { return fs::read_symlink("/proc/self/exe").string(); }

class Wrap : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string elf = read_file("/bin/true");
    HandImage h;
    h.layers = {make_tar({file("usr/bin/python3.11", elf, 0755), symlink("usr/bin/python3", "python3.11"),
                          file("usr/lib/python3.11/os.py", "# os"), file("tmp/.keep", "")}, Compression::Gzip),
                make_tar({file("srv/app/main.py", "print('hi')\n"), file("srv/app/util.py", "")})};
    h.diff_ids = {layer_diff(h.layers[0]), sha256_digest(h.layers[1])};
    h.layer_media_types = {kMediaLayerGzip, kMediaLayerTar};
    h.config["config"] = {{"Entrypoint", {"python3", "main.py"}}, {"Cmd", {"--port", "8000"}},
                          {"Env", {"PATH=/usr/bin", "GREETING=demo"}}, {"WorkingDir", "/srv/app"},
                          {"Volumes", {{"/data", nlohmann::json::object()}}}};
    h.config["history"] = {{{"created_by", "a"}}, {{"created_by", "b"}}};
    source_digest = write_hand_oci(scratch.path() / "in", h, "v1");
    opts.input = parse_image_ref("oci:" + scratch.str("in") + ":v1");
    opts.runtime_exe = self_exe();
    opts.scratch_parent = scratch.str();
  }
  std::string layer_diff(const std::string& blob) {
    write_file(scratch.path() / "tmp.blob", blob);
    return layer_diff_id(scratch.str("tmp.blob"), "x");
  }
  ManifestBuilder recorder() {
    return [this](const ManifestRequest& r) {
      seen = r;
      rootfs_had_main = fs::exists(r.rootfs + "/srv/app/main.py");
      return SignedManifest{"# manifest for " + r.entrypoint.program + "\n", std::string(1808, 's'),
                            std::string(64, 'e'), std::string(64, 'f')};
    };
  }
  ScratchDir scratch;
  WrapOptions opts;
  ManifestRequest seen;
  bool rootfs_had_main = false;
  std::string source_digest;
};

TEST_F(Wrap, ResolvesTheEntrypointAndAsksForAManifestWithContainerPaths) {
  opts.output = parse_image_ref("oci:" + scratch.str("out") + ":wrapped");
  opts.trusted = {"/etc/extra"};
  opts.allowed = {"/var/log/app"};
  WrapResult r = wrap_image(opts, recorder());
  EXPECT_TRUE(rootfs_had_main);
  EXPECT_EQ(seen.entrypoint.program, "/usr/bin/python3.11");
  EXPECT_EQ(seen.entrypoint.program_argv, (Words{"python3", "main.py", "--port", "8000"}));
  EXPECT_EQ(seen.env, (Words{"PATH=/usr/bin", "GREETING=demo"}));
  EXPECT_EQ(seen.trusted, (Words{"/srv/app", "/usr/lib/python3.11", "/etc/extra"}));
  EXPECT_EQ(seen.allowed, (Words{"/data", "/tmp", "/var/log/app"}));
  EXPECT_EQ(r.source_digest, source_digest);
  EXPECT_FALSE(fs::exists(seen.rootfs)) << "scratch rootfs must be cleaned up";
}

TEST_F(Wrap, OutputKeepsOriginalLayersAndAddsASelfContainedRuntimeLayer) {
  opts.output = parse_image_ref("oci:" + scratch.str("out") + ":wrapped");
  WrapResult r = wrap_image(opts, recorder());
  SourceImage in = open_source_image(opts.input, scratch.str());
  SourceImage out = open_source_image(parse_image_ref("oci:" + scratch.str("out") + ":wrapped"), scratch.str());
  EXPECT_EQ(out.source_digest, r.manifest_digest);
  ASSERT_EQ(out.layers.size(), 3u);
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(out.layers[i].digest, in.layers[i].digest);
    EXPECT_EQ(out.layers[i].media_type, in.layers[i].media_type);
  }
  // The runtime layer: cocoon, its loader and every library it needs, manifest, signature.
  fs::create_directories(scratch.path() / "rt");
  apply_layer_file(out.layers[2].path, "runtime", scratch.str("rt"));
  EXPECT_EQ(read_file(scratch.path() / "rt/cocoon/bin/cocoon"), read_file(self_exe()));
  EXPECT_TRUE(fs::exists(scratch.path() / "rt/cocoon/lib/ld-linux-x86-64.so.2"));
  for (auto& lib : host_elf_closure(self_exe()).libraries)
    EXPECT_TRUE(fs::exists(scratch.path() / "rt/cocoon/lib" / lib.soname)) << lib.soname;
  EXPECT_EQ(read_file(scratch.path() / "rt/cocoon/app.toml"), "# manifest for /usr/bin/python3.11\n");
  EXPECT_EQ(read_file(scratch.path() / "rt/cocoon/app.sig"), std::string(1808, 's'));

  auto cfg = nlohmann::json::parse(out.config_bytes);
  Words ep = runtime_command();
  ep.push_back("--");
  ep.push_back("python3");
  ep.push_back("main.py");
  EXPECT_EQ(cfg["config"]["Entrypoint"], nlohmann::json(ep));
  EXPECT_EQ(cfg["config"]["Cmd"], nlohmann::json({"--port", "8000"}));
  EXPECT_EQ(cfg["config"]["Labels"][kLabelMrenclave], std::string(64, 'e'));
  EXPECT_EQ(cfg["config"]["Labels"][kLabelMrsigner], std::string(64, 'f'));
  EXPECT_EQ(cfg["config"]["Labels"][kLabelSourceDigest], source_digest);
  EXPECT_EQ(cfg["config"]["Env"].back(), "COCOON_MANIFEST=/cocoon/app.toml");
}

TEST_F(Wrap, WrappingTwiceGivesByteIdenticalOutput) {
  opts.output = parse_image_ref("oci:" + scratch.str("o1") + ":t");
  wrap_image(opts, recorder());
  opts.output = parse_image_ref("oci:" + scratch.str("o2") + ":t");
  wrap_image(opts, recorder());
  int files = 0;
  for (auto& e : fs::recursive_directory_iterator(scratch.path() / "o1")) {
    if (!e.is_regular_file()) continue;
    ++files;
    EXPECT_EQ(read_file(e.path()), read_file(scratch.path() / "o2" / fs::relative(e.path(), scratch.path() / "o1")));
  }
  EXPECT_EQ(files, 2 + 5);  // index.json, oci-layout; manifest, config, 3 layers
  opts.output = parse_image_ref("docker-archive:" + scratch.str("a1.tar") + ":localhost/w:1");
  wrap_image(opts, recorder());
  opts.output = parse_image_ref("docker-archive:" + scratch.str("a2.tar") + ":localhost/w:1");
  wrap_image(opts, recorder());
  EXPECT_EQ(read_file(scratch.path() / "a1.tar"), read_file(scratch.path() / "a2.tar"));
  // Re-wrapping onto an existing output replaces it.
  wrap_image(opts, recorder());
  EXPECT_EQ(read_file(scratch.path() / "a1.tar"), read_file(scratch.path() / "a2.tar"));
}

TEST_F(Wrap, FailureLeavesNothingAtTheOutput) {
  opts.output = parse_image_ref("oci:" + scratch.str("out"));
  opts.overrides.entrypoint = Words{"no-such-program"};
  EXPECT_THROW(wrap_image(opts, recorder()), ImageError);
  EXPECT_FALSE(fs::exists(scratch.path() / "out"));
  opts.overrides = {};
  auto failing = [](const ManifestRequest&) -> SignedManifest { throw ImageError("signing failed"); };
  EXPECT_THROW(wrap_image(opts, failing), ImageError);
  EXPECT_FALSE(fs::exists(scratch.path() / "out"));
  opts.output = parse_image_ref("docker-archive:" + scratch.str("out.tar"));
  EXPECT_THROW(wrap_image(opts, failing), ImageError);
  for (auto& e : fs::directory_iterator(scratch.path()))
    EXPECT_EQ(e.path().filename().string().find("out"), std::string::npos) << e.path();
}

TEST_F(Wrap, RefusesToReplaceSomethingThatIsNotAnImage) {
  fs::create_directories(scratch.path() / "precious");
  write_file(scratch.path() / "precious/data", "keep me");
  opts.output = parse_image_ref("oci:" + scratch.str("precious"));
  EXPECT_THROW(wrap_image(opts, recorder()), ImageError);
  EXPECT_EQ(read_file(scratch.path() / "precious/data"), "keep me");
}

TEST_F(Wrap, DockerfileModeWritesABuildContext) {
  opts.dockerfile_dir = scratch.str("ctx");
  opts.dockerfile_from = "localhost/app:v1";
  wrap_image(opts, recorder());
  std::string df = read_file(scratch.path() / "ctx/Dockerfile");
  EXPECT_NE(df.find("FROM localhost/app:v1\n"), std::string::npos) << df;
  EXPECT_NE(df.find("COPY cocoon/ /cocoon/\n"), std::string::npos) << df;
  EXPECT_NE(df.find("ENTRYPOINT [\"/cocoon/lib/ld-linux-x86-64.so.2\""), std::string::npos) << df;
  EXPECT_NE(df.find("CMD [\"--port\",\"8000\"]"), std::string::npos) << df;
  EXPECT_TRUE(fs::exists(scratch.path() / "ctx/cocoon/bin/cocoon"));
  EXPECT_TRUE(fs::exists(scratch.path() / "ctx/cocoon/app.sig"));
  EXPECT_TRUE(fs::exists(scratch.path() / "ctx/cocoon/lib/ld-linux-x86-64.so.2"));
}

TEST(WrappedCommand, ScriptCmdIsExpandedAndEntrypointOnlyImagesKeepTheirCmd) {
  ResolvedEntrypoint ep;
  ep.entrypoint = {};
  ep.cmd = {"/srv-hello.py"};
  ep.program_argv = {"python3", "/srv-hello.py"};
  Words e, c;
  wrapped_command(ep, e, c);
  EXPECT_EQ(e.back(), "--");
  EXPECT_EQ(c, (Words{"python3", "/srv-hello.py"}));
  ep.entrypoint = {"/bin/sh", "-c"};
  ep.cmd = {"echo hi"};
  ep.program_argv = {"/bin/sh", "-c", "echo hi"};
  wrapped_command(ep, e, c);
  EXPECT_EQ(Words(e.end() - 3, e.end()), (Words{"--", "/bin/sh", "-c"}));
  EXPECT_EQ(c, Words{"echo hi"});
}

TEST(ElfClosure, FindsTheLoaderAndLibcOfAHostProgram) {
  auto c = host_elf_closure(self_exe());
  EXPECT_TRUE(fs::exists(c.interpreter)) << c.interpreter;
  bool libc = false;
  for (auto& l : c.libraries) libc |= l.soname == "libc.so.6";
  EXPECT_TRUE(libc);
  EXPECT_THROW(host_elf_closure("/etc/passwd"), ImageError);
}

}  // namespace
}  // namespace cocoon::image
