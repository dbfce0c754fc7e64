// Test helpers: tiny layers and image layouts made by hand, so every whiteout, link and
// hostile path case is spelled out in the test that uses it.
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace cocoon::image::test {

struct Entry {
  enum Kind { File, Dir, Symlink, Hardlink, Fifo } kind = File;
  std::string name;
  std::string data;    // file contents, or link target
  unsigned mode = 0644;
  long uid = 0, gid = 0;
};

inline Entry file(std::string name, std::string data, unsigned mode = 0644, long uid = 0, long gid = 0) {
  return {Entry::File, std::move(name), std::move(data), mode, uid, gid};
}
inline Entry dir(std::string name, unsigned mode = 0755) { return {Entry::Dir, std::move(name), "", mode}; }
inline Entry symlink(std::string name, std::string target) {
  return {Entry::Symlink, std::move(name), std::move(target), 0777};
}
inline Entry hardlink(std::string name, std::string target) {
  return {Entry::Hardlink, std::move(name), std::move(target), 0644};
}

enum class Compression { None, Gzip, Zstd };

// A tar stream with the entries in order.
inline std::string make_tar(const std::vector<Entry>& entries, Compression c = Compression::None) {
  archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (c == Compression::Gzip) archive_write_add_filter_gzip(a);
  if (c == Compression::Zstd) archive_write_add_filter_zstd(a);
  std::vector<char> buf(1 << 22);
  size_t used = 0;
  archive_write_set_bytes_in_last_block(a, 1);
  if (archive_write_open_memory(a, buf.data(), buf.size(), &used) != ARCHIVE_OK)
    throw std::runtime_error("archive_write_open_memory");
  for (auto& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    archive_entry_set_uid(ae, e.uid);
    archive_entry_set_gid(ae, e.gid);
    archive_entry_set_perm(ae, e.mode);
    archive_entry_set_mtime(ae, 1000, 0);
    switch (e.kind) {
      case Entry::File:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
        break;
      case Entry::Dir:
        archive_entry_set_filetype(ae, AE_IFDIR);
        break;
      case Entry::Symlink:
        archive_entry_set_filetype(ae, AE_IFLNK);
        archive_entry_set_symlink(ae, e.data.c_str());
        break;
      case Entry::Hardlink:
        archive_entry_set_filetype(ae, AE_IFREG);
        archive_entry_set_hardlink(ae, e.data.c_str());
        archive_entry_set_size(ae, 0);
        break;
      case Entry::Fifo:
        archive_entry_set_filetype(ae, AE_IFIFO);
        break;
    }
    if (archive_write_header(a, ae) != ARCHIVE_OK) throw std::runtime_error(archive_error_string(a));
    if (e.kind == Entry::File && !e.data.empty()) archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

inline void write_file(const std::filesystem::path& p, const std::string& bytes) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A scratch directory per test, removed afterwards.
class ScratchDir {
 public:
  ScratchDir() {
    std::string t = (std::filesystem::temp_directory_path() / "cocoon-image-test-XXXXXX").string();
    std::vector<char> b(t.begin(), t.end());
    b.push_back(0);
    if (!mkdtemp(b.data())) throw std::runtime_error("mkdtemp");
    path_ = b.data();
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::string str(const std::string& sub = "") const { return sub.empty() ? path_.string() : (path_ / sub).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace cocoon::image::test
