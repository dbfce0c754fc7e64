#include "image/layer_extract.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "image/image_error.hpp"
#include "test_layers.hpp"

namespace cocoon::image {
namespace {

namespace fs = std::filesystem;
using namespace test;

class LayerExtract : public ::testing::Test {
 protected:
  void apply(const std::vector<Entry>& entries, Compression c = Compression::None) {
    std::string tar = make_tar(entries, c);
    apply_layer_memory(tar.data(), tar.size(), "test layer", root());
  }
  std::string root() { return scratch.str("rootfs"); }
  fs::path at(const std::string& p) { return fs::path(root()) / p; }
  void SetUp() override { fs::create_directories(root()); }
  ScratchDir scratch;
};

TEST_F(LayerExtract, FilesDirectoriesModesAndOwnership) {
  apply({dir("usr/", 0750), dir("usr/bin/"), file("usr/bin/tool", "#!/bin/sh\n", 0755, 1234, 5678),
         file("etc/motd", "hello")});
  EXPECT_EQ(read_file(at("etc/motd")), "hello");
  struct stat st;
  ASSERT_EQ(stat(at("usr/bin/tool").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  if (geteuid() == 0) {
    EXPECT_EQ(st.st_uid, 1234u);
    EXPECT_EQ(st.st_gid, 5678u);
  }
  ASSERT_EQ(stat(at("usr").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0750u);
  EXPECT_TRUE(fs::is_directory(at("etc")));  // parent created for an entry without a dir entry
}

TEST_F(LayerExtract, GzipAndZstdLayersGiveTheSameTree) {
  for (auto c : {Compression::None, Compression::Gzip, Compression::Zstd}) {
    fs::remove_all(root());
    fs::create_directories(root());
    apply({file("a/b.txt", "data"), symlink("a/c", "b.txt")}, c);
    EXPECT_EQ(read_file(at("a/c")), "data") << static_cast<int>(c);
  }
}

TEST_F(LayerExtract, SymlinksAreKeptVerbatimAndHardLinksShareTheInode) {
  apply({file("bin/busybox", "BB", 0755), symlink("bin/sh", "busybox"), symlink("lib64", "/lib"),
         hardlink("bin/ls", "bin/busybox")});
  EXPECT_EQ(fs::read_symlink(at("bin/sh")), "busybox");
  EXPECT_EQ(fs::read_symlink(at("lib64")), "/lib");
  struct stat a, b;
  ASSERT_EQ(stat(at("bin/busybox").c_str(), &a), 0);
  ASSERT_EQ(stat(at("bin/ls").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  EXPECT_EQ(b.st_nlink, 2u);
}

TEST_F(LayerExtract, WhiteoutRemovesAFileOrTreeOfALowerLayer) {
  apply({file("etc/keep", "k"), file("etc/gone", "g"), file("var/cache/x/y", "y")});
  apply({file("etc/.wh.gone", ""), file("var/cache/.wh.x", "")});
  EXPECT_TRUE(fs::exists(at("etc/keep")));
  EXPECT_FALSE(fs::exists(at("etc/gone")));
  EXPECT_FALSE(fs::exists(at("etc/.wh.gone")));
  EXPECT_FALSE(fs::exists(at("var/cache/x")));
  EXPECT_TRUE(fs::is_directory(at("var/cache")));
}

TEST_F(LayerExtract, OpaqueDirectoryHidesLowerLayersButKeepsItsOwnLayer) {
  apply({file("app/old1", "1"), file("app/sub/old2", "2"), file("other/x", "x")});
  // The marker may come after this layer's own entries in the tar.
  apply({dir("app/"), file("app/new", "n"), file("app/.wh..wh..opq", "")});
  EXPECT_TRUE(fs::exists(at("app/new")));
  EXPECT_FALSE(fs::exists(at("app/old1")));
  EXPECT_FALSE(fs::exists(at("app/sub")));
  EXPECT_FALSE(fs::exists(at("app/.wh..wh..opq")));
  EXPECT_TRUE(fs::exists(at("other/x")));
}

TEST_F(LayerExtract, UpperLayerReplacesFileWithDirectoryAndBack) {
  apply({file("x", "file"), dir("y/"), file("y/z", "z")});
  apply({dir("x/"), file("x/inner", "now a dir"), file("y", "now a file")});
  EXPECT_EQ(read_file(at("x/inner")), "now a dir");
  EXPECT_EQ(read_file(at("y")), "now a file");
}

TEST_F(LayerExtract, DotDotInAnEntryNameIsRefused) {
  try {
    apply({file("../escaped-cocoon-test", "x")});
    FAIL() << "expected ImageError";
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("\"..\""), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("test layer"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(fs::exists(scratch.path() / "escaped-cocoon-test"));
  EXPECT_THROW(apply({file("a/../../b", "x")}), ImageError);
}

TEST_F(LayerExtract, AbsoluteSymlinkIsFollowedInsideTheRootfsNotOnTheHost) {
  // A hostile layer: "hostdir" points at a real host directory, then a file is written
  // "through" it. It must land in the rootfs.
  fs::path host_dir = scratch.path() / "host-side";
  fs::create_directories(host_dir);
  apply({symlink("hostdir", host_dir.string()), file("hostdir/planted", "p")});
  EXPECT_FALSE(fs::exists(host_dir / "planted"));
  EXPECT_EQ(read_file(at(host_dir.relative_path().string() + "/planted")), "p");
}

TEST_F(LayerExtract, RelativeSymlinkCannotClimbAboveTheRootfs) {
  fs::create_directories(scratch.path() / "victim");
  apply({symlink("up", "../../../../../../../" + (scratch.path() / "victim").relative_path().string()),
         file("up/planted", "p")});
  EXPECT_FALSE(fs::exists(scratch.path() / "victim" / "planted"));
}

TEST_F(LayerExtract, HardLinkOutsideTheLayerIsRefused) {
  fs::path outside = scratch.path() / "secret";
  write_file(outside, "secret");
  EXPECT_THROW(apply({hardlink("stolen", "../secret")}), ImageError);
  EXPECT_FALSE(fs::exists(at("stolen")));
  try {
    apply({hardlink("stolen", "does/not/exist")});
    FAIL();
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos) << e.what();
  }
}

TEST_F(LayerExtract, CorruptAndTruncatedLayersFailWithTheLayerName) {
  std::string gz = make_tar({file("a", std::string(100000, 'a'))}, Compression::Gzip);
  std::string truncated = gz.substr(0, gz.size() / 2);
  try {
    apply_layer_memory(truncated.data(), truncated.size(), "layer 3/4 (sha256:abc)", root());
    FAIL();
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("layer 3/4 (sha256:abc)"), std::string::npos) << e.what();
  }
  std::string garbage(2048, '\x42');
  EXPECT_THROW(apply_layer_memory(garbage.data(), garbage.size(), "junk", root()), ImageError);
}

TEST_F(LayerExtract, MissingLayerFileIsReported) {
  try {
    apply_layer_file(scratch.str("nope.tar"), "layer 1/1", root());
    FAIL();
  } catch (const ImageError& e) {
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
}

TEST_F(LayerExtract, DiffIdIsTheDigestOfTheUncompressedStream) {
  std::string plain = make_tar({file("a", "abc")});
  std::string gz = make_tar({file("a", "abc")}, Compression::Gzip);
  std::string zs = make_tar({file("a", "abc")}, Compression::Zstd);
  write_file(scratch.path() / "p.tar", plain);
  write_file(scratch.path() / "g.tar", gz);
  write_file(scratch.path() / "z.tar", zs);
  std::string d = layer_diff_id(scratch.str("p.tar"), "p");
  EXPECT_EQ(layer_diff_id(scratch.str("g.tar"), "g"), d);
  EXPECT_EQ(layer_diff_id(scratch.str("z.tar"), "z"), d);
}

}  // namespace
}  // namespace cocoon::image

namespace cocoon::image {
namespace {

TEST(LayerExtractSpecial, FifoIsRecreated) {
  test::ScratchDir s;
  std::filesystem::create_directories(s.path() / "r");
  test::Entry fifo{test::Entry::Fifo, "run/pipe", "", 0600};
  std::string tar = test::make_tar({fifo});
  LayerStats st = apply_layer_memory(tar.data(), tar.size(), "layer", s.str("r"));
  EXPECT_EQ(st.others, 1u);
  EXPECT_TRUE(std::filesystem::is_fifo(s.path() / "r/run/pipe"));
}

}  // namespace
}  // namespace cocoon::image
