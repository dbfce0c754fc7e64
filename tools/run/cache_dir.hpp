// The per-user caches of `cocoon run` (~/.cache/cocoon/zero-config, …/mrenclave) get one entry
// per distinct program, command line and Cocoon build, so they are kept bounded: an entry is
// the files of a directory sharing a name up to the first '.', its age the newest mtime among
// them; a hit refreshes it (touch), and a store prunes the oldest entries beyond a limit.
#pragma once

#include <cstddef>
#include <string>

#include "manifest/hash_cache.hpp"

namespace cocoon::run {

inline constexpr std::size_t kMaxCacheEntries = 128;

// $XDG (e.g. XDG_CACHE_HOME) when set and not empty, else $HOME (or /root) + fallback
// (e.g. "/.cache").
std::string user_dir(const char* xdg, const char* fallback);

// Sets the file's mtime to now (a cache hit). Errors are ignored: the cache is an optimisation.
void touch_cache_file(const std::string& path);

// Deletes the least recently used entries of `dir` until at most `keep` remain, and stale
// temporary files ("*.tmp*", left by a killed writer) older than a minute. Returns how many
// files were deleted. Errors are ignored.
std::size_t prune_cache_dir(const std::string& dir, std::size_t keep = kMaxCacheEntries);

// "dev:ino:size:mtime_ns:ctime_ns" of the file at `path` (followed if a symlink), or "" when
// it cannot be stat()ed: what cache keys use to notice a file was replaced or rewritten.
std::string file_identity(const std::string& path);
// The same text for an identity already stat()ed.
std::string file_identity(const manifest::FileIdentity& id);

}  // namespace cocoon::run
