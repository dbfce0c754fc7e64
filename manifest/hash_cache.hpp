// A per-user cache of trusted-file hashes, so that `cocoon sign` (which re-checks every trusted
// file) and later `cocoon manifest` runs do not hash gigabytes again when nothing changed.
//
// An entry is keyed by the file's host path and its identity: device, inode, size, mtime and
// ctime (nanoseconds). Any write to a file changes its ctime, which no user can set back, so a
// changed file misses the cache and is hashed again. A file whose mtime or ctime lies within
// `racy_window` of the moment hashing started is never recorded: it may still be being written
// within one timestamp tick, and the cache could not tell the two versions apart (git's
// "racily clean" problem). The cache is a convenience for the host tools only: the shim always
// verifies a trusted file's bytes against the manifest inside the enclave.
//
// Storage: a directory of 256 shard files ("00" … "ff", by a hash of the path), each loaded only
// when a path in it is looked up, so a run that checks three files reads three small shards,
// not the hashes of every file ever hashed. Shard format (text, one entry a line, path last as
// it may hold spaces):
//   cocoon-file-hashes v2
//   <dev> <ino> <size> <mtime_ns> <ctime_ns> <elf 0|1> <sha256 hex> <path>
// A missing, unreadable or malformed shard counts as empty; malformed lines are skipped.
#pragma once

#include <sys/stat.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "manifest/manifest.hpp"

namespace cocoon::manifest {

struct FileIdentity {
  std::uint64_t dev = 0, ino = 0, size = 0;
  std::int64_t mtime_ns = 0, ctime_ns = 0;
  bool operator==(const FileIdentity&) const = default;
};
FileIdentity identity_of(const struct stat& st);

struct CachedHash {
  Sha256 sha256{};
  bool is_elf = false;
};

class HashCache {
 public:
  // $XDG_CACHE_HOME/cocoon/file-hashes-v2, or ~/.cache/cocoon/file-hashes-v2 (a directory).
  static std::string default_path();

  static constexpr std::size_t kShards = 256;
  // At most this many entries are kept (~40 MiB on disk), spread over the shards: on save, a
  // shard keeps the entries recorded or found in this run first, then older ones up to its share.
  static constexpr std::size_t kMaxEntries = 1u << 18;

  explicit HashCache(std::string dir, std::chrono::nanoseconds racy_window = std::chrono::seconds(2),
                     std::size_t max_entries = kMaxEntries);

  // Safe to call from many threads at once, also while others record().
  std::optional<CachedHash> find(const std::string& host_path, const FileIdentity& id) const;
  // `hash_started` is when the caller started hashing (the clock of file timestamps).
  void record(const std::string& host_path, const FileIdentity& id, const CachedHash& h,
              std::chrono::system_clock::time_point hash_started);
  // Writes the shards that got new entries (atomically, by rename). Returns false if it could
  // not; a cache that cannot be written only costs time, so callers may ignore the result.
  bool save() const;

  std::size_t hits() const { return hits_; }
  std::size_t misses() const { return misses_; }
  // Entries known (loads every shard; for tests and diagnostics).
  std::size_t size() const;
  // The shard file that holds `host_path`.
  std::string shard_file(const std::string& host_path) const;

 private:
  struct Entry {
    FileIdentity id;
    CachedHash hash;
  };
  struct LoadedEntry {
    FileIdentity id;
    CachedHash hash;
    bool used = false;  // found by this run (under the shard's lock)
  };
  struct Shard {
    std::mutex mu;
    bool loaded = false;
    std::unordered_map<std::string, LoadedEntry> entries;  // from disk
    std::unordered_map<std::string, Entry> fresh;          // recorded in this run
  };
  static std::size_t shard_of(const std::string& host_path);
  std::string shard_path(std::size_t i) const;
  void load(std::size_t i, Shard& sh) const;  // with sh.mu held

  std::string dir_;
  std::chrono::nanoseconds racy_window_;
  std::size_t max_per_shard_;
  mutable std::array<Shard, kShards> shards_;
  mutable std::atomic<std::size_t> hits_{0}, misses_{0};
};

}  // namespace cocoon::manifest
