#include "shim/file_policy.hpp"

#include "manifest/manifest_blob.hpp"
#include "shim/fdtable.hpp"
#include "shim/heap.hpp"
#include "shim/linux_abi.hpp"
#include "shim/memory.hpp"
#include "shim/sync.hpp"

namespace cocoon::shim::policy {
namespace {

manifest::ManifestBlob g_blob;
bool g_active;
char g_cwd[4096] = "/";
SpinLock g_cwd_lock;  // guards g_cwd, and the fd path strings while they are read or freed
char** g_fd_paths;  // kMaxFds entries, heap strings

// The fd's path; only under g_cwd_lock (another thread may replace and free it).
const char* fd_path_locked(int f) {
  if (f < 0 || f >= fd::kMaxFds || !g_fd_paths) return nullptr;
  return __atomic_load_n(&g_fd_paths[f], __ATOMIC_ACQUIRE);
}

void set_cwd_locked(const char* path, std::size_t len) {
  if (len >= sizeof g_cwd) len = sizeof g_cwd - 1;
  __builtin_memmove(g_cwd, path, len);
  g_cwd[len] = '\0';
}

bool is_prefix_dir(const char* dir, std::size_t dlen, const char* path, std::size_t plen) {
  // dir is an ancestor of path (or equal).
  if (dlen == 1 && dir[0] == '/') return true;
  if (dlen > plen || __builtin_memcmp(dir, path, dlen) != 0) return false;
  return dlen == plen || path[dlen] == '/';
}

// Bytewise comparison of a trusted path with `path` followed by '/'.
int compare_with_dir(manifest::StrView t, const char* path, std::size_t len) {
  for (std::size_t i = 0; i <= len; ++i) {
    if (i == t.size) return -1;  // t is a proper prefix of path + '/'
    unsigned char a = static_cast<unsigned char>(t.data[i]);
    unsigned char b = i < len ? static_cast<unsigned char>(path[i]) : '/';
    if (a != b) return a < b ? -1 : 1;
  }
  return 0;  // path + '/' is a prefix of t
}

// Whether a trusted file lies below directory `path`. The trusted paths are sorted bytewise,
// so those below it form one run starting at the first path >= path + "/" (binary search).
bool has_trusted_below(const char* path, std::size_t len) {
  std::size_t n = g_blob.trusted_count();
  if (len == 1 && path[0] == '/') return n > 0;
  std::size_t lo = 0, hi = n;
  while (lo < hi) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (compare_with_dir(g_blob.trusted_path(mid), path, len) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo < n && compare_with_dir(g_blob.trusted_path(lo), path, len) == 0;
}

bool is_ancestor_of_listed(const char* path, std::size_t len) {
  if (g_blob.find_trusted(path, len) || has_trusted_below(path, len)) return true;
  for (std::size_t i = 0; i < g_blob.allowed_count(); ++i) {
    manifest::StrView a = g_blob.allowed(i);
    std::size_t alen = a.size;
    while (alen > 1 && a.data[alen - 1] == '/') --alen;
    if (is_prefix_dir(path, len, a.data, alen)) return true;
  }
  return false;
}

}  // namespace

bool init(const std::uint8_t* blob, std::size_t size, const char* cwd) {
  g_fd_paths = static_cast<char**>(mem::shim_alloc(sizeof(char*) * fd::kMaxFds));
  std::size_t n = 0;
  while (cwd[n] && n + 1 < sizeof g_cwd) ++n;
  set_cwd(cwd, n);
  if (size == 0) return true;
  if (g_blob.open(blob, size) != manifest::BlobError::kOk) return false;
  g_active = true;
  return true;
}

bool active() { return g_active; }

const void* manifest() { return g_active ? &g_blob : nullptr; }

const char* cwd() { return g_cwd; }

void set_cwd(const char* path, std::size_t len) {
  LockGuard guard(g_cwd_lock);
  set_cwd_locked(path, len);
}

bool set_cwd_to_fd_path(int f) {
  LockGuard guard(g_cwd_lock);
  const char* p = fd_path_locked(f);
  if (!p) return false;
  std::size_t n = 0;
  while (p[n]) ++n;
  set_cwd_locked(p, n);
  return true;
}

long resolve(int dirfd, const char* path, bool follow_last, Resolved& out) {
  char abs[4096];
  std::size_t plen = 0;
  while (path[plen]) ++plen;
  std::size_t n = 0;
  if (path[0] != '/') {
    LockGuard guard(g_cwd_lock);
    const char* base;
    if (dirfd == abi::kAtFdcwd) {
      base = g_cwd;
    } else {
      base = fd_path_locked(dirfd);
      if (!base) {
        if (!fd::is_open(dirfd)) return -abi::kEBADF;
        // A directory fd whose path the shim does not know: only without a policy.
        if (g_active) return -abi::kEACCES;
        base = "/";
      }
    }
    while (base[n] && n < sizeof abs - 2) abs[n] = base[n], ++n;
    abs[n++] = '/';
  }
  if (n + plen >= sizeof abs) return -abi::kENAMETOOLONG;
  __builtin_memcpy(abs + n, path, plen);
  n += plen;
  abs[n] = '\0';
  if (!g_active) {
    // No manifest: lexical form is enough (used only for *at() bookkeeping).
    __builtin_memcpy(out.path, abs, n + 1);
    out.len = n;
    out.access = Access::Allowed;
    out.sha256 = nullptr;
    return 0;
  }
  manifest::CanonError e = g_blob.canonicalize(abs, n, out.path, sizeof out.path, &out.len, follow_last);
  if (e == manifest::CanonError::kTooLong) return -abi::kENAMETOOLONG;
  if (e != manifest::CanonError::kOk) return -abi::kELOOP;
  out.sha256 = g_blob.find_trusted(out.path, out.len);
  if (out.sha256) out.access = Access::Trusted;
  else if (g_blob.is_allowed(out.path, out.len)) out.access = Access::Allowed;
  else if (is_ancestor_of_listed(out.path, out.len)) out.access = Access::VisibleDir;
  else out.access = Access::Hidden;
  return 0;
}

void remember_fd_path(int f, const char* path, std::size_t len) {
  if (f < 0 || f >= fd::kMaxFds || !g_fd_paths) return;
  char* fresh = heap::strdup(path, len);
  char* old;
  {
    LockGuard guard(g_cwd_lock);  // no reader holds the old string once we have it
    old = __atomic_exchange_n(&g_fd_paths[f], fresh, __ATOMIC_ACQ_REL);
  }
  heap::free_str(old);
}

void forget_fd_path(int f) {
  if (f < 0 || f >= fd::kMaxFds || !g_fd_paths) return;
  char* old;
  {
    LockGuard guard(g_cwd_lock);
    old = __atomic_exchange_n(&g_fd_paths[f], nullptr, __ATOMIC_ACQ_REL);
  }
  heap::free_str(old);
}

void copy_fd_path(int from, int to) {
  if (to < 0 || to >= fd::kMaxFds || !g_fd_paths) return;
  char* copy = nullptr;
  char* old;
  {
    LockGuard guard(g_cwd_lock);
    if (const char* p = fd_path_locked(from)) {
      std::size_t n = 0;
      while (p[n]) ++n;
      copy = heap::strdup(p, n);
    }
    old = __atomic_exchange_n(&g_fd_paths[to], copy, __ATOMIC_ACQ_REL);
  }
  heap::free_str(old);
}

}  // namespace cocoon::shim::policy
