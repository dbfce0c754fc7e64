#include "layer_extract.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <set>
#include <vector>

#include "digest.hpp"
#include "image_error.hpp"
#include "libarchive_api.hpp"
#include "rootfs_path.hpp"

namespace cocoon::image {
namespace {

namespace fs = std::filesystem;

using ArchivePtr = std::unique_ptr<archive, int (*)(archive*)>;

ArchivePtr new_tar_reader() {
  ArchivePtr a(libarchive::api().archive_read_new(), libarchive::api().archive_read_free);
  if (!a) throw ImageError("libarchive: out of memory");
  libarchive::api().archive_read_support_filter_gzip(a.get());
  libarchive::api().archive_read_support_filter_zstd(a.get());
  libarchive::api().archive_read_support_format_tar(a.get());
  libarchive::api().archive_read_support_format_empty(a.get());
  return a;
}

std::string errno_text() { return std::strerror(errno); }

class LayerApplier {
 public:
  LayerApplier(archive* a, std::string what, const std::string& rootfs)
      : a_(a), what_(std::move(what)), root_(rootfs), as_root_(geteuid() == 0) {}

  LayerStats run() {
    archive_entry* e = nullptr;
    for (;;) {
      int r = libarchive::api().archive_read_next_header(a_, &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) fail_archive("corrupt or truncated layer");
      apply_entry(e);
    }
    return stats_;
  }

 private:
  [[noreturn]] void fail(const std::string& entry, const std::string& msg) {
    throw ImageError(what_ + ": entry \"" + entry + "\": " + msg);
  }
  [[noreturn]] void fail_archive(const std::string& msg) {
    const char* s = libarchive::api().archive_error_string(a_);
    throw ImageError(what_ + ": " + msg + (s ? std::string(" (") + s + ")" : std::string()));
  }

  // The entry's name as a list of components; ".." anywhere is refused.
  std::vector<std::string> entry_components(const std::string& name) {
    auto parts = split_path(name);
    for (auto& p : parts)
      if (p == "..")
        fail(name, "path contains \"..\" and would escape the root filesystem; refusing the layer");
    return parts;
  }

  // Resolves the parent directory inside the rootfs and creates missing directories.
  // Returns the resolved container path of the parent.
  std::string parent_dir(const std::string& name, const std::vector<std::string>& parts) {
    std::string parent;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) parent += "/" + parts[i];
    std::string resolved = root_.resolve(parent.empty() ? "/" : parent, true);
    // Create missing components one by one (they are plain names after resolution).
    std::string cur;
    for (auto& c : split_path(resolved)) {
      cur += "/" + c;
      std::string h = root_.host(cur);
      struct stat st;
      if (lstat(h.c_str(), &st) == 0) {
        if (!S_ISDIR(st.st_mode)) fail(name, "parent " + cur + " exists and is not a directory");
        continue;
      }
      if (mkdir(h.c_str(), 0755) != 0) fail(name, "cannot create directory " + cur + ": " + errno_text());
    }
    return resolved;
  }

  static std::string child(const std::string& dir, const std::string& base) {
    return dir == "/" ? "/" + base : dir + "/" + base;
  }

  void remove_existing(const std::string& host_path) {
    std::error_code ec;
    fs::remove_all(host_path, ec);
    if (ec) throw ImageError(what_ + ": cannot remove " + host_path + ": " + ec.message());
  }

  void apply_whiteout(const std::string& name, const std::string& parent, const std::string& base) {
    if (base == ".wh..wh..opq") {
      ++stats_.opaque_dirs;
      std::string h = root_.host(parent);
      std::error_code ec;
      std::vector<std::string> victims;
      for (auto it = fs::directory_iterator(h, ec); !ec && it != fs::directory_iterator(); it.increment(ec)) {
        std::string c = child(parent, it->path().filename().string());
        if (!created_.count(c)) victims.push_back(root_.host(c));
      }
      if (ec) fail(name, "cannot list opaque directory " + parent + ": " + ec.message());
      for (auto& v : victims) remove_existing(v);
      return;
    }
    if (base.rfind(".wh..wh.", 0) == 0) return;  // aufs metadata (.wh..wh.plnk etc.): ignore
    ++stats_.whiteouts;
    std::string target = base.substr(4);
    if (target.empty() || target == "." || target == "..") fail(name, "malformed whiteout name");
    remove_existing(root_.host(child(parent, target)));
  }

  void set_metadata(const std::string& name, const std::string& h, archive_entry* e, bool is_link) {
    if (as_root_ && lchown(h.c_str(), static_cast<uid_t>(libarchive::api().archive_entry_uid(e)),
                           static_cast<gid_t>(libarchive::api().archive_entry_gid(e))) != 0)
      fail(name, "cannot set owner: " + errno_text());
    if (!is_link && chmod(h.c_str(), libarchive::api().archive_entry_perm(e) & 07777) != 0)
      fail(name, "cannot set mode: " + errno_text());
    timespec ts[2];
    ts[0].tv_sec = ts[1].tv_sec = libarchive::api().archive_entry_mtime(e);
    ts[0].tv_nsec = ts[1].tv_nsec = 0;
    utimensat(AT_FDCWD, h.c_str(), ts, AT_SYMLINK_NOFOLLOW);
  }

  void write_file(const std::string& name, const std::string& h) {
    int fd = open(h.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) fail(name, "cannot create file: " + errno_text());
    const void* buf;
    size_t size;
    la_int64_t offset;
    for (;;) {
      int r = libarchive::api().archive_read_data_block(a_, &buf, &size, &offset);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) {
        close(fd);
        fail_archive("entry \"" + name + "\": corrupt or truncated data");
      }
      if (lseek(fd, offset, SEEK_SET) < 0) {
        close(fd);
        fail(name, "seek failed: " + errno_text());
      }
      const char* p = static_cast<const char*>(buf);
      while (size > 0) {
        ssize_t w = write(fd, p, size);
        if (w < 0) {
          if (errno == EINTR) continue;
          int err = errno;
          close(fd);
          errno = err;
          fail(name, "write failed: " + errno_text());
        }
        p += w;
        size -= static_cast<size_t>(w);
      }
    }
    // Sparse files: make the size match what the header says.
    if (ftruncate(fd, libarchive::api().archive_entry_size(e_)) != 0) {
      close(fd);
      fail(name, "cannot set size: " + errno_text());
    }
    close(fd);
  }

  void apply_entry(archive_entry* e) {
    e_ = e;
    const char* raw = libarchive::api().archive_entry_pathname(e);
    std::string name = raw ? raw : "";
    auto parts = entry_components(name);
    if (parts.empty()) {  // "./" itself: the root directory's metadata
      if (libarchive::api().archive_entry_filetype(e) == AE_IFDIR) set_metadata(name, root_.root(), e, false);
      return;
    }
    std::string parent = parent_dir(name, parts);
    const std::string& base = parts.back();
    if (base.rfind(".wh.", 0) == 0) {
      apply_whiteout(name, parent, base);
      return;
    }
    std::string path = child(parent, base);
    std::string h = root_.host(path);
    created_.insert(path);

    const char* hardlink = libarchive::api().archive_entry_hardlink(e);
    mode_t type = libarchive::api().archive_entry_filetype(e);
    struct stat st;
    bool exists = lstat(h.c_str(), &st) == 0;
    if (hardlink == nullptr && type == AE_IFDIR) {
      if (exists && !S_ISDIR(st.st_mode)) remove_existing(h);
      if (!exists || !S_ISDIR(st.st_mode))
        if (mkdir(h.c_str(), 0755) != 0) fail(name, "cannot create directory: " + errno_text());
      set_metadata(name, h, e, false);
      ++stats_.dirs;
      return;
    }
    if (exists) remove_existing(h);

    if (hardlink != nullptr) {
      std::string hl = hardlink;
      auto tparts = entry_components(hl);
      if (tparts.empty()) fail(name, "hard link with an empty target");
      std::string tdir;
      for (std::size_t i = 0; i + 1 < tparts.size(); ++i) tdir += "/" + tparts[i];
      std::string target = child(root_.resolve(tdir.empty() ? "/" : tdir, true), tparts.back());
      std::string th = root_.host(target);
      struct stat tst;
      if (lstat(th.c_str(), &tst) != 0)
        fail(name, "hard link target \"" + hl + "\" does not exist in the image");
      if (S_ISDIR(tst.st_mode)) fail(name, "hard link target \"" + hl + "\" is a directory");
      if (link(th.c_str(), h.c_str()) != 0) fail(name, "cannot create hard link: " + errno_text());
      ++stats_.hardlinks;
      return;
    }
    switch (type) {
      case AE_IFREG:
        write_file(name, h);
        set_metadata(name, h, e, false);
        ++stats_.files;
        return;
      case AE_IFLNK: {
        const char* t = libarchive::api().archive_entry_symlink(e);
        if (!t || !*t) fail(name, "symbolic link with an empty target");
        if (symlink(t, h.c_str()) != 0) fail(name, "cannot create symbolic link: " + errno_text());
        set_metadata(name, h, e, true);
        ++stats_.symlinks;
        return;
      }
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO: {
        if (!as_root_ && type != AE_IFIFO) {  // only root may create device nodes; nothing
          ++stats_.others;                    // Cocoon reads needs them
          return;
        }
        dev_t dev = makedev(libarchive::api().archive_entry_rdevmajor(e), libarchive::api().archive_entry_rdevminor(e));
        if (mknod(h.c_str(), type | 0600, type == AE_IFIFO ? 0 : dev) != 0)
          fail(name, "cannot create device node or fifo: " + errno_text());
        set_metadata(name, h, e, false);
        ++stats_.others;
        return;
      }
      case AE_IFSOCK:
        return;  // sockets are never meaningful in an image
      default:
        fail(name, "unsupported entry type");
    }
  }

  archive* a_;
  archive_entry* e_ = nullptr;
  std::string what_;
  RootfsPath root_;
  bool as_root_;
  LayerStats stats_;
  std::set<std::string> created_;
};

}  // namespace

LayerStats apply_layer_file(const std::string& layer_path, const std::string& what,
                            const std::string& rootfs_dir) {
  struct stat st;
  if (stat(layer_path.c_str(), &st) != 0)
    throw ImageError(what + ": layer file " + layer_path + " is missing");
  auto a = new_tar_reader();
  if (libarchive::api().archive_read_open_filename(a.get(), layer_path.c_str(), 1 << 16) != ARCHIVE_OK)
    throw ImageError(what + ": cannot read layer " + layer_path + ": " +
                     (libarchive::api().archive_error_string(a.get()) ? libarchive::api().archive_error_string(a.get()) : "unknown error"));
  return LayerApplier(a.get(), what, rootfs_dir).run();
}

LayerStats apply_layer_memory(const void* data, std::size_t size, const std::string& what,
                              const std::string& rootfs_dir) {
  auto a = new_tar_reader();
  if (libarchive::api().archive_read_open_memory(a.get(), data, size) != ARCHIVE_OK)
    throw ImageError(what + ": cannot read layer: " +
                     (libarchive::api().archive_error_string(a.get()) ? libarchive::api().archive_error_string(a.get()) : "unknown error"));
  return LayerApplier(a.get(), what, rootfs_dir).run();
}

std::string layer_diff_id(const std::string& layer_path, const std::string& what) {
  ArchivePtr a(libarchive::api().archive_read_new(), libarchive::api().archive_read_free);
  libarchive::api().archive_read_support_filter_gzip(a.get());
  libarchive::api().archive_read_support_filter_zstd(a.get());
  libarchive::api().archive_read_support_format_raw(a.get());
  libarchive::api().archive_read_support_format_empty(a.get());
  if (libarchive::api().archive_read_open_filename(a.get(), layer_path.c_str(), 1 << 16) != ARCHIVE_OK)
    throw ImageError(what + ": cannot read layer " + layer_path);
  Sha256Stream sha;
  archive_entry* e;
  int r = libarchive::api().archive_read_next_header(a.get(), &e);
  if (r == ARCHIVE_OK) {
    std::vector<char> buf(1 << 16);
    la_ssize_t n;
    while ((n = libarchive::api().archive_read_data(a.get(), buf.data(), buf.size())) > 0)
      sha.update(buf.data(), static_cast<std::size_t>(n));
    if (n < 0)
      throw ImageError(what + ": corrupt compressed data (" +
                       std::string(libarchive::api().archive_error_string(a.get()) ? libarchive::api().archive_error_string(a.get()) : "?") + ")");
  } else if (r != ARCHIVE_EOF) {
    throw ImageError(what + ": cannot decompress layer");
  }
  return sha.finish_digest();
}

}  // namespace cocoon::image
