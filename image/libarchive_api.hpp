// libarchive, loaded at its first use. Only reading and writing image layers need it
// (`cocoon wrap-image` and the image tests); every other command, `cocoon run` above all,
// starts without it and the eleven libraries it brings (compression codecs, libxml2, ICU):
// about 1.5 ms of dynamic loading on every start (bench/run_benchmarks.sh, start-up).
#pragma once

#include <archive.h>
#include <archive_entry.h>

namespace cocoon::image::libarchive {

// Every libarchive function Cocoon calls.
#define COCOON_LIBARCHIVE_FUNCTIONS(X) \
  X(archive_entry_filetype) \
  X(archive_entry_free) \
  X(archive_entry_gid) \
  X(archive_entry_hardlink) \
  X(archive_entry_mtime) \
  X(archive_entry_new) \
  X(archive_entry_pathname) \
  X(archive_entry_perm) \
  X(archive_entry_rdevmajor) \
  X(archive_entry_rdevminor) \
  X(archive_entry_set_filetype) \
  X(archive_entry_set_gid) \
  X(archive_entry_set_mtime) \
  X(archive_entry_set_pathname) \
  X(archive_entry_set_perm) \
  X(archive_entry_set_size) \
  X(archive_entry_set_symlink) \
  X(archive_entry_set_uid) \
  X(archive_entry_size) \
  X(archive_entry_symlink) \
  X(archive_entry_uid) \
  X(archive_error_string) \
  X(archive_read_data) \
  X(archive_read_data_block) \
  X(archive_read_new) \
  X(archive_read_next_header) \
  X(archive_read_open_filename) \
  X(archive_read_free) \
  X(archive_read_open_memory) \
  X(archive_read_support_filter_gzip) \
  X(archive_read_support_filter_zstd) \
  X(archive_read_support_format_empty) \
  X(archive_read_support_format_raw) \
  X(archive_read_support_format_tar) \
  X(archive_write_add_filter_none) \
  X(archive_write_close) \
  X(archive_write_data) \
  X(archive_write_free) \
  X(archive_write_header) \
  X(archive_write_new) \
  X(archive_write_open_filename) \
  X(archive_write_set_bytes_in_last_block) \
  X(archive_write_set_format_pax_restricted)

struct Api {
#define COCOON_LIBARCHIVE_MEMBER(name) decltype(&::name) name;
  COCOON_LIBARCHIVE_FUNCTIONS(COCOON_LIBARCHIVE_MEMBER)
#undef COCOON_LIBARCHIVE_MEMBER
};

// The loaded library's functions. Throws ImageError naming the library (and what to install)
// when it cannot be loaded or lacks a function.
const Api& api();

}  // namespace cocoon::image::libarchive
