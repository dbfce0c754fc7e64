#include "image/source_image.hpp"

#include <gtest/gtest.h>

#include "image/image_error.hpp"
#include "image/image_ref.hpp"
#include "test_images.hpp"

namespace cocoon::image {
namespace {

using namespace test;
namespace fs = std::filesystem;

std::string error_of(const ImageRef& ref, const std::string& scratch) {
  try {
    open_source_image(ref, scratch);
  } catch (const ImageError& e) {
    return e.what();
  }
  return "";
}

HandImage two_layers() {
  HandImage h;
  h.layers = {make_tar({file("bin/a", "A", 0755)}), make_tar({file("etc/b", "B")}, Compression::Gzip)};
  h.layer_media_types = {"application/vnd.oci.image.layer.v1.tar", "application/vnd.oci.image.layer.v1.tar+gzip"};
  h.diff_ids = {sha256_digest(h.layers[0]), sha256_digest(make_tar({file("etc/b", "B")}))};
  h.config["config"] = {{"Entrypoint", {"/bin/a"}}, {"Cmd", {"x"}}, {"Env", {"PATH=/bin"}},
                        {"WorkingDir", "/srv"}, {"User", "1000"}, {"ExposedPorts", {{"8080/tcp", nlohmann::json::object()}}}};
  return h;
}

TEST(ImageRefParse, AcceptsBothTransportsWithAndWithoutTags) {
  auto r = parse_image_ref("oci:/tmp/x:v1");
  EXPECT_EQ(r.transport, Transport::Oci);
  EXPECT_EQ(r.path, "/tmp/x");
  EXPECT_EQ(r.tag, "v1");
  r = parse_image_ref("oci:out/dir");
  EXPECT_EQ(r.path, "out/dir");
  EXPECT_EQ(r.tag, "");
  r = parse_image_ref("docker-archive:app.tar:localhost/app:latest");
  EXPECT_EQ(r.transport, Transport::DockerArchive);
  EXPECT_EQ(r.path, "app.tar");
  EXPECT_EQ(r.tag, "localhost/app:latest");
  EXPECT_EQ(to_string(r), "docker-archive:app.tar:localhost/app:latest");
  EXPECT_THROW(parse_image_ref("docker://busybox"), ImageError);
  EXPECT_THROW(parse_image_ref("oci:"), ImageError);
  EXPECT_THROW(parse_image_ref("oci:dir:"), ImageError);
  EXPECT_THROW(parse_image_ref("app.tar"), ImageError);
}

TEST(SourceImage, ReadsAnOciLayoutWithConfigAndVerifiedLayers) {
  ScratchDir s;
  HandImage h = two_layers();
  std::string md = write_hand_oci(s.path() / "oci", h, "v1");
  SourceImage img = open_source_image(parse_image_ref("oci:" + s.str("oci") + ":v1"), s.str());
  EXPECT_EQ(img.source_digest, md);
  EXPECT_EQ(img.tag, "v1");
  ASSERT_EQ(img.layers.size(), 2u);
  EXPECT_EQ(img.layers[1].media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
  EXPECT_EQ(img.layers[1].diff_id, h.diff_ids[1]);
  EXPECT_EQ(img.config.entrypoint, std::vector<std::string>{"/bin/a"});
  EXPECT_EQ(img.config.cmd, std::vector<std::string>{"x"});
  EXPECT_EQ(img.config.working_dir, "/srv");
  EXPECT_EQ(img.config.user, "1000");
  EXPECT_EQ(img.config.exposed_ports, std::vector<std::string>{"8080/tcp"});
}

TEST(SourceImage, UnknownTagListsTheTagsPresent) {
  ScratchDir s;
  write_hand_oci(s.path() / "oci", two_layers(), "v1");
  std::string e = error_of(parse_image_ref("oci:" + s.str("oci") + ":v2"), s.str());
  EXPECT_NE(e.find("no image tagged \"v2\""), std::string::npos) << e;
  EXPECT_NE(e.find("v1"), std::string::npos) << e;
}

TEST(SourceImage, CorruptBlobIsADigestMismatch) {
  ScratchDir s;
  HandImage h = two_layers();
  write_hand_oci(s.path() / "oci", h);
  std::string d = sha256_digest(h.layers[0]);
  fs::path blob = s.path() / "oci/blobs/sha256" / d.substr(7);
  std::string bytes = read_file(blob);
  bytes[600] ^= 1;
  write_file(blob, bytes);
  std::string e = error_of(parse_image_ref("oci:" + s.str("oci")), s.str());
  EXPECT_NE(e.find("digest mismatch"), std::string::npos) << e;
  EXPECT_NE(e.find(d), std::string::npos) << e;
}

TEST(SourceImage, TruncatedAndMissingBlobsAreNamed) {
  ScratchDir s;
  HandImage h = two_layers();
  write_hand_oci(s.path() / "oci", h);
  fs::path blob = s.path() / "oci/blobs/sha256" / sha256_digest(h.layers[1]).substr(7);
  std::string bytes = read_file(blob);
  write_file(blob, bytes.substr(0, 10));
  std::string e = error_of(parse_image_ref("oci:" + s.str("oci")), s.str());
  EXPECT_NE(e.find("has size 10 but its descriptor says"), std::string::npos) << e;
  fs::remove(blob);
  e = error_of(parse_image_ref("oci:" + s.str("oci")), s.str());
  EXPECT_NE(e.find("is missing"), std::string::npos) << e;
}

TEST(SourceImage, LayerThatDoesNotMatchItsDiffIdIsRefused) {
  ScratchDir s;
  HandImage h = two_layers();
  h.diff_ids[0] = sha256_digest("something else");
  write_hand_oci(s.path() / "oci", h);
  std::string e = error_of(parse_image_ref("oci:" + s.str("oci")), s.str());
  EXPECT_NE(e.find("layer 1/2"), std::string::npos) << e;
  EXPECT_NE(e.find("diff_id"), std::string::npos) << e;
}

TEST(SourceImage, ImageForAnotherArchitectureIsRefused) {
  ScratchDir s;
  HandImage h = two_layers();
  h.architecture = "arm64";
  write_hand_oci(s.path() / "oci", h);
  std::string e = error_of(parse_image_ref("oci:" + s.str("oci")), s.str());
  EXPECT_NE(e.find("architecture \"arm64\""), std::string::npos) << e;
}

TEST(SourceImage, IndexWithoutAmd64IsRefusedListingWhatItHas) {
  ScratchDir s;
  fs::path dir = s.path() / "oci";
  std::string inner = nlohmann::json({{"schemaVersion", 2}, {"manifests", {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", sha256_digest("x")}, {"size", 1}, {"platform", {{"architecture", "arm64"}, {"os", "linux"}}}}}}}).dump();
  std::string d = put_blob(dir, inner);
  write_file(dir / "index.json", nlohmann::json({{"schemaVersion", 2}, {"manifests", {{{"mediaType", "application/vnd.oci.image.index.v1+json"}, {"digest", d}, {"size", inner.size()}}}}}).dump());
  write_file(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  std::string e = error_of(parse_image_ref("oci:" + dir.string()), s.str());
  EXPECT_NE(e.find("no linux/amd64 image"), std::string::npos) << e;
  EXPECT_NE(e.find("linux/arm64"), std::string::npos) << e;
}

TEST(SourceImage, NotALayoutAndInvalidJsonAreReported) {
  ScratchDir s;
  fs::create_directories(s.path() / "empty");
  EXPECT_NE(error_of(parse_image_ref("oci:" + s.str("empty")), s.str()).find("oci-layout"), std::string::npos);
  write_file(s.path() / "bad/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  write_file(s.path() / "bad/index.json", "{not json");
  EXPECT_NE(error_of(parse_image_ref("oci:" + s.str("bad")), s.str()).find("not valid JSON"), std::string::npos);
}

TEST(SourceImage, ConfigFieldOfTheWrongTypeIsNamed) {
  ScratchDir s;
  HandImage h = two_layers();
  h.config["config"]["Entrypoint"] = "not-a-list";
  write_hand_oci(s.path() / "oci", h);
  std::string e = error_of(parse_image_ref("oci:" + s.str("oci")), s.str());
  EXPECT_NE(e.find("config.Entrypoint"), std::string::npos) << e;
}

TEST(SourceImage, ReadsADockerArchiveAndChecksItsConfigDigest) {
  ScratchDir s;
  HandImage h = two_layers();
  h.layers[1] = make_tar({file("etc/b", "B")});
  h.diff_ids.clear();
  write_hand_docker_archive(s.path() / "app.tar", h, "localhost/app:1");
  SourceImage img = open_source_image(parse_image_ref("docker-archive:" + s.str("app.tar")), s.str());
  EXPECT_EQ(img.tag, "localhost/app:1");
  ASSERT_EQ(img.layers.size(), 2u);
  EXPECT_EQ(img.layers[0].media_type, "application/vnd.oci.image.layer.v1.tar");
  EXPECT_EQ(img.source_digest, img.config_digest);
  std::string e = error_of(parse_image_ref("docker-archive:" + s.str("app.tar") + ":localhost/other:2"), s.str());
  EXPECT_NE(e.find("localhost/app:1"), std::string::npos) << e;
}

TEST(SourceImage, DockerArchiveWithAMissingLayerIsRefused) {
  ScratchDir s;
  std::vector<Entry> entries;
  std::string config = default_config(two_layers()).dump();
  std::string chex = sha256_digest(config).substr(7);
  entries.push_back(file(chex + ".json", config));
  entries.push_back(file("manifest.json", nlohmann::json::array({{{"Config", chex + ".json"}, {"Layers", {"abc/layer.tar"}}}}).dump()));
  write_file(s.path() / "app.tar", make_tar(entries));
  std::string e = error_of(parse_image_ref("docker-archive:" + s.str("app.tar")), s.str());
  EXPECT_NE(e.find("abc/layer.tar"), std::string::npos) << e;
  EXPECT_NE(e.find("missing"), std::string::npos) << e;
}

}  // namespace
}  // namespace cocoon::image
