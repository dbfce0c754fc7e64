#include "manifest/hash_cache.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "manifest/manifest_paths.hpp"

namespace cocoon::manifest {
namespace {

constexpr std::string_view kHeader = "cocoon-file-hashes v2";

std::int64_t to_ns(const struct timespec& t) {
  return static_cast<std::int64_t>(t.tv_sec) * 1000000000 + t.tv_nsec;
}

template <typename T>
bool take_number(std::string_view& line, T& out) {
  auto sp = line.find(' ');
  if (sp == std::string_view::npos) return false;
  auto field = line.substr(0, sp);
  auto [p, ec] = std::from_chars(field.data(), field.data() + field.size(), out);
  if (ec != std::errc() || p != field.data() + field.size()) return false;
  line.remove_prefix(sp + 1);
  return true;
}

}  // namespace

FileIdentity identity_of(const struct stat& st) {
  return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
          static_cast<std::uint64_t>(st.st_size), to_ns(st.st_mtim), to_ns(st.st_ctim)};
}

std::string HashCache::default_path() {
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/cocoon/file-hashes-v2";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.cache/cocoon/file-hashes-v2";
}

HashCache::HashCache(std::string dir, std::chrono::nanoseconds racy_window, std::size_t max_entries)
    : dir_(std::move(dir)), racy_window_(racy_window), max_per_shard_(std::max<std::size_t>(1, max_entries / kShards)) {}

std::size_t HashCache::shard_of(const std::string& host_path) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : host_path) h = (h ^ c) * 1099511628211ull;
  return static_cast<std::size_t>(h % kShards);
}

std::string HashCache::shard_path(std::size_t i) const {
  char name[4];
  std::snprintf(name, sizeof name, "%02zx", i);
  return dir_ + "/" + name;
}

std::string HashCache::shard_file(const std::string& host_path) const { return shard_path(shard_of(host_path)); }

void HashCache::load(std::size_t i, Shard& sh) const {
  if (sh.loaded) return;
  sh.loaded = true;
  std::ifstream in(shard_path(i));
  std::string line;
  if (!in || !std::getline(in, line) || line != kHeader) return;
  while (std::getline(in, line) && sh.entries.size() < max_per_shard_) {
    std::string_view rest = line;
    FileIdentity id;
    int elf = 0;
    if (!take_number(rest, id.dev) || !take_number(rest, id.ino) || !take_number(rest, id.size) ||
        !take_number(rest, id.mtime_ns) || !take_number(rest, id.ctime_ns) || !take_number(rest, elf) || elf < 0 ||
        elf > 1 || rest.size() < 66 || rest[64] != ' ')
      continue;
    auto sha = parse_sha256_hex(rest.substr(0, 64));
    if (!sha) continue;
    std::string file(rest.substr(65));
    if (file.empty() || file[0] != '/' || shard_of(file) != i) continue;
    sh.entries[std::move(file)] = {id, {*sha, elf == 1}, false};
  }
}

std::optional<CachedHash> HashCache::find(const std::string& host_path, const FileIdentity& id) const {
  const std::size_t i = shard_of(host_path);
  Shard& sh = shards_[i];
  std::lock_guard<std::mutex> lock(sh.mu);
  load(i, sh);
  auto it = sh.entries.find(host_path);
  if (it == sh.entries.end() || !(it->second.id == id)) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  it->second.used = true;
  return it->second.hash;
}

void HashCache::record(const std::string& host_path, const FileIdentity& id, const CachedHash& h,
                       std::chrono::system_clock::time_point hash_started) {
  if (host_path.empty() || host_path[0] != '/' || host_path.find('\n') != std::string::npos) return;
  const std::int64_t started =
      std::chrono::duration_cast<std::chrono::nanoseconds>(hash_started.time_since_epoch()).count();
  const std::int64_t newest = std::max(id.mtime_ns, id.ctime_ns);
  if (newest > started - racy_window_.count()) return;  // racily clean: could change unseen
  Shard& sh = shards_[shard_of(host_path)];
  std::lock_guard<std::mutex> lock(sh.mu);
  sh.fresh[host_path] = {id, h};
}

std::size_t HashCache::size() const {
  std::size_t n = 0;
  for (std::size_t i = 0; i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    load(i, shards_[i]);
    n += shards_[i].entries.size();
    for (const auto& [file, e] : shards_[i].fresh) n += shards_[i].entries.count(file) ? 0 : 1;
  }
  return n;
}

bool HashCache::save() const {
  namespace fs = std::filesystem;
  bool ok = true, made_dir = false;
  for (std::size_t i = 0; i < kShards; ++i) {
    Shard& sh = shards_[i];
    std::lock_guard<std::mutex> lock(sh.mu);
    if (sh.fresh.empty()) continue;  // nothing new: the shard on disk already holds the rest
    load(i, sh);
    std::error_code ec;
    if (!made_dir) fs::create_directories(dir_, ec), made_dir = true;
    const std::string file = shard_path(i), tmp = file + "." + std::to_string(getpid()) + ".tmp";
    {
      std::ofstream out(tmp, std::ios::trunc);
      if (!out) {
        ok = false;
        continue;
      }
      out << kHeader << '\n';
      std::size_t written = 0;
      auto put = [&](const std::string& path, const FileIdentity& id, const CachedHash& h) {
        out << id.dev << ' ' << id.ino << ' ' << id.size << ' ' << id.mtime_ns << ' ' << id.ctime_ns << ' '
            << (h.is_elf ? 1 : 0) << ' ' << sha256_hex(h.sha256) << ' ' << path << '\n';
        ++written;
      };
      for (const auto& [path, e] : sh.fresh) put(path, e.id, e.hash);
      for (bool used : {true, false})  // what this run used first, then the rest while there is room
        for (const auto& [path, e] : sh.entries)
          if (written < max_per_shard_ && e.used == used && !sh.fresh.count(path)) put(path, e.id, e.hash);
      out.flush();
      if (!out) {
        fs::remove(tmp, ec);
        ok = false;
        continue;
      }
    }
    fs::rename(tmp, file, ec);
    if (ec) {
      fs::remove(tmp, ec);
      ok = false;
    }
  }
  return ok;
}

}  // namespace cocoon::manifest
