#include "image/image_writer.hpp"

#include <gtest/gtest.h>

#include "image/image_ref.hpp"
#include "image/runtime_layer.hpp"
#include "image/wrapped_config.hpp"
#include "test_images.hpp"

namespace cocoon::image {
namespace {

using namespace test;
namespace fs = std::filesystem;

OutputImage sample(const ScratchDir& s) {
  HandImage h;
  h.layers = {make_tar({file("bin/a", "A", 0755)}, Compression::Gzip)};
  h.diff_ids = {sha256_digest(make_tar({file("bin/a", "A", 0755)}))};
  write_file(s.path() / "layer.tgz", h.layers[0]);
  OutputImage out;
  out.config_bytes = default_config(h).dump();
  LayerBlob b;
  b.path = s.str("layer.tgz");
  b.media_type = kMediaLayerGzip;
  b.digest = sha256_digest(h.layers[0]);
  b.size = h.layers[0].size();
  b.diff_id = h.diff_ids[0];
  out.layers = {b};
  out.annotations = {{"k", "v"}};
  return out;
}

TEST(ImageWriter, OciLayoutRoundTripsThroughTheReader) {
  ScratchDir s;
  OutputImage out = sample(s);
  fs::create_directories(s.path() / "oci");
  WrittenImage w = write_oci_layout(s.str("oci"), "t1", out);
  SourceImage back = open_source_image(parse_image_ref("oci:" + s.str("oci") + ":t1"), s.str());
  EXPECT_EQ(back.source_digest, w.manifest_digest);
  EXPECT_EQ(back.config_bytes, out.config_bytes);
  ASSERT_EQ(back.layers.size(), 1u);
  EXPECT_EQ(back.layers[0].digest, out.layers[0].digest);
  EXPECT_EQ(back.layers[0].media_type, kMediaLayerGzip);
  auto index = nlohmann::json::parse(read_file(s.path() / "oci/index.json"));
  EXPECT_EQ(index["manifests"][0]["size"], read_file(s.path() / "oci/blobs/sha256" / w.manifest_digest.substr(7)).size());
}

TEST(ImageWriter, DockerArchiveRoundTripsThroughTheReader) {
  ScratchDir s;
  OutputImage out = sample(s);
  write_docker_archive(s.str("a.tar"), "localhost/x:1", out);
  SourceImage back = open_source_image(parse_image_ref("docker-archive:" + s.str("a.tar")), s.str());
  EXPECT_EQ(back.tag, "localhost/x:1");
  EXPECT_EQ(back.config_bytes, out.config_bytes);
  ASSERT_EQ(back.layers.size(), 1u);
  EXPECT_EQ(back.layers[0].digest, out.layers[0].digest);
}

TEST(ImageWriter, WritingTwiceGivesIdenticalBytes) {
  ScratchDir s;
  OutputImage out = sample(s);
  fs::create_directories(s.path() / "o1");
  fs::create_directories(s.path() / "o2");
  write_oci_layout(s.str("o1"), "t", out);
  write_oci_layout(s.str("o2"), "t", out);
  for (auto& e : fs::recursive_directory_iterator(s.path() / "o1")) {
    if (!e.is_regular_file()) continue;
    fs::path other = s.path() / "o2" / fs::relative(e.path(), s.path() / "o1");
    EXPECT_EQ(read_file(e.path()), read_file(other)) << e.path();
  }
  write_docker_archive(s.str("a1.tar"), "x:1", out);
  write_docker_archive(s.str("a2.tar"), "x:1", out);
  EXPECT_EQ(read_file(s.path() / "a1.tar"), read_file(s.path() / "a2.tar"));
}

TEST(WrappedConfig, ReplacesEntrypointAddsEnvLabelsAndTheRuntimeLayer) {
  std::string original = R"({"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
    "config":{"Entrypoint":["python3"],"Cmd":["app.py"],"Env":["PATH=/bin","COCOON_MANIFEST=old"],
    "Labels":{"a":"b"},"ExposedPorts":{"80/tcp":{}}},
    "rootfs":{"type":"layers","diff_ids":["sha256:1111111111111111111111111111111111111111111111111111111111111111"]},
    "history":[{"created_by":"x"}]})";
  WrappedConfigSpec spec;
  spec.entrypoint = {"/cocoon/lib/ld-linux-x86-64.so.2", "run"};
  spec.cmd = {"app.py"};
  spec.env_add = {"COCOON_MANIFEST=/cocoon/app.toml"};
  spec.labels = {{kLabelMrenclave, "ab"}};
  spec.runtime_diff_id = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
  std::string out = make_wrapped_config(original, spec);
  EXPECT_EQ(out, make_wrapped_config(original, spec));  // deterministic
  auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["config"]["Entrypoint"], nlohmann::json(spec.entrypoint));
  EXPECT_EQ(j["config"]["Cmd"], nlohmann::json({"app.py"}));
  EXPECT_EQ(j["config"]["Env"], nlohmann::json({"PATH=/bin", "COCOON_MANIFEST=/cocoon/app.toml"}));
  EXPECT_EQ(j["config"]["Labels"]["a"], "b");
  EXPECT_EQ(j["config"]["Labels"][kLabelMrenclave], "ab");
  EXPECT_EQ(j["config"]["ExposedPorts"].size(), 1u);
  EXPECT_EQ(j["created"], "2024-01-01T00:00:00Z");
  ASSERT_EQ(j["rootfs"]["diff_ids"].size(), 2u);
  EXPECT_EQ(j["rootfs"]["diff_ids"][1], spec.runtime_diff_id);
  EXPECT_EQ(j["history"].size(), 2u);
}

}  // namespace
}  // namespace cocoon::image
