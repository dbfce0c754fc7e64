// What the program may see of the host's files, from the measured manifest.
//
//   trusted  — listed with a SHA-256: opened read-only and verified as the enclave copies it
//              in (shim/trusted_files.cpp);
//   allowed  — passed through to the host unverified (explicit opt-in in the manifest);
//   visible directory — an ancestor of a trusted or allowed path (can be stat'ed, listed);
//   hidden   — everything else: ENOENT, as if it did not exist.
// Paths are made absolute against the shim's own working directory and canonicalized with
// the manifest's measured symlink table, never with the host's word.
// Without a manifest (legacy launch) every path is allowed.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::shim::policy {

enum class Access : std::uint8_t { Trusted, Allowed, VisibleDir, Hidden };

struct Resolved {
  Access access;
  const std::uint8_t* sha256;  // Trusted
  char path[4096];             // canonical absolute path
  std::size_t len;
};

// Starts enforcing the manifest at [blob, blob+size) (size 0: no manifest, no policy).
bool init(const std::uint8_t* blob, std::size_t size, const char* cwd);
bool active();

// Resolves `path` as the program gave it; dirfd is an *at() directory fd or AT_FDCWD.
// Returns 0 or -errno (ENAMETOOLONG, ELOOP, EBADF for an unknown dirfd).
long resolve(int dirfd, const char* path, bool follow_last, Resolved& out);

// The shim's view of the working directory (kept in step with chdir/fchdir).
const char* cwd();
void set_cwd(const char* path, std::size_t len);

// Paths of open fds (for *at() calls relative to a directory fd).
void remember_fd_path(int fd, const char* path, std::size_t len);
void forget_fd_path(int fd);
void copy_fd_path(int from, int to);
// fchdir: the working directory becomes the fd's path (false when the shim does not know it).
bool set_cwd_to_fd_path(int fd);

// The measured manifest (nullptr without one), for the loader's entrypoint/argv/env.
const void* manifest();

}  // namespace cocoon::shim::policy
