#include "deterministic_tar.hpp"

#include <sys/stat.h>

#include <cstdio>
#include <vector>

#include "image_error.hpp"
#include "libarchive_api.hpp"

namespace cocoon::image {

DeterministicTar::DeterministicTar(const std::string& out_path) : path_(out_path), a_(libarchive::api().archive_write_new()) {
  if (!a_) throw ImageError("libarchive: out of memory");
  libarchive::api().archive_write_set_format_pax_restricted(a_);
  libarchive::api().archive_write_add_filter_none(a_);
  libarchive::api().archive_write_set_bytes_in_last_block(a_, 1);
  if (libarchive::api().archive_write_open_filename(a_, out_path.c_str()) != ARCHIVE_OK)
    throw ImageError("cannot create " + out_path + ": " + libarchive::api().archive_error_string(a_));
}

DeterministicTar::~DeterministicTar() {
  if (a_) libarchive::api().archive_write_free(a_);
}

void DeterministicTar::header(const std::string& name, unsigned type, unsigned mode, std::uint64_t size,
                              const std::string& link) {
  archive_entry* e = libarchive::api().archive_entry_new();
  libarchive::api().archive_entry_set_pathname(e, name.c_str());
  libarchive::api().archive_entry_set_filetype(e, type);
  libarchive::api().archive_entry_set_perm(e, mode);
  libarchive::api().archive_entry_set_size(e, static_cast<la_int64_t>(size));
  libarchive::api().archive_entry_set_uid(e, 0);
  libarchive::api().archive_entry_set_gid(e, 0);
  libarchive::api().archive_entry_set_mtime(e, 0, 0);
  if (type == AE_IFLNK) libarchive::api().archive_entry_set_symlink(e, link.c_str());
  int r = libarchive::api().archive_write_header(a_, e);
  libarchive::api().archive_entry_free(e);
  if (r != ARCHIVE_OK) throw ImageError(path_ + ": cannot write entry " + name + ": " + libarchive::api().archive_error_string(a_));
}

void DeterministicTar::data(const void* p, std::size_t n) {
  if (n == 0) return;
  if (libarchive::api().archive_write_data(a_, p, n) != static_cast<la_ssize_t>(n))
    throw ImageError(path_ + ": write failed: " + std::string(libarchive::api().archive_error_string(a_) ? libarchive::api().archive_error_string(a_) : "?"));
}

void DeterministicTar::add_directory(const std::string& name, unsigned mode) {
  header(name.back() == '/' ? name : name + "/", AE_IFDIR, mode, 0, "");
}

void DeterministicTar::add_bytes(const std::string& name, std::string_view bytes, unsigned mode) {
  header(name, AE_IFREG, mode, bytes.size(), "");
  data(bytes.data(), bytes.size());
}

void DeterministicTar::add_file(const std::string& name, const std::string& host_path, unsigned mode) {
  struct stat st;
  if (stat(host_path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw ImageError("cannot add " + host_path + " to " + path_ + ": not a readable regular file");
  std::FILE* f = std::fopen(host_path.c_str(), "rb");
  if (!f) throw ImageError("cannot open " + host_path);
  header(name, AE_IFREG, mode, static_cast<std::uint64_t>(st.st_size), "");
  std::vector<char> buf(1 << 16);
  std::size_t n, total = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) {
    data(buf.data(), n);
    total += n;
  }
  std::fclose(f);
  if (total != static_cast<std::size_t>(st.st_size))
    throw ImageError(host_path + " changed size while it was being added to " + path_);
}

void DeterministicTar::add_symlink(const std::string& name, const std::string& target) {
  header(name, AE_IFLNK, 0777, 0, target);
}

void DeterministicTar::close() {
  if (!a_) return;
  int r = libarchive::api().archive_write_close(a_);
  std::string err = r == ARCHIVE_OK ? "" : (libarchive::api().archive_error_string(a_) ? libarchive::api().archive_error_string(a_) : "?");
  libarchive::api().archive_write_free(a_);
  a_ = nullptr;
  if (r != ARCHIVE_OK) throw ImageError(path_ + ": cannot finish the tar file: " + err);
}

}  // namespace cocoon::image
