#include "manifest/hash_cache.hpp"

#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

#include "manifest/manifest_paths.hpp"

namespace cocoon::manifest {
namespace {

constexpr std::string_view kHeader = "cocoon-file-hashes v1";

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
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/cocoon/file-hashes";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + "/.cache/cocoon/file-hashes";
}

HashCache::HashCache(std::string path, std::chrono::nanoseconds racy_window, std::size_t max_entries)
    : path_(std::move(path)), racy_window_(racy_window), max_entries_(max_entries) {
  std::ifstream in(path_);
  std::string line;
  if (!in || !std::getline(in, line) || line != kHeader) return;
  while (std::getline(in, line) && entries_.size() < max_entries_) {
    std::string_view rest = line;
    LoadedEntry e;
    int elf = 0;
    if (!take_number(rest, e.id.dev) || !take_number(rest, e.id.ino) || !take_number(rest, e.id.size) ||
        !take_number(rest, e.id.mtime_ns) || !take_number(rest, e.id.ctime_ns) || !take_number(rest, elf) ||
        elf < 0 || elf > 1 || rest.size() < 66 || rest[64] != ' ')
      continue;
    auto sha = parse_sha256_hex(rest.substr(0, 64));
    if (!sha) continue;
    std::string file(rest.substr(65));
    if (file.empty() || file[0] != '/') continue;
    LoadedEntry& slot = entries_.try_emplace(std::move(file)).first->second;
    slot.id = e.id;
    slot.hash = {*sha, elf == 1};
  }
}

std::optional<CachedHash> HashCache::find(const std::string& host_path, const FileIdentity& id) const {
  auto it = entries_.find(host_path);
  if (it == entries_.end() || !(it->second.id == id)) {
    ++misses_;
    return std::nullopt;
  }
  ++hits_;
  it->second.used.store(true, std::memory_order_relaxed);
  return it->second.hash;
}

void HashCache::record(const std::string& host_path, const FileIdentity& id, const CachedHash& h,
                       std::chrono::system_clock::time_point hash_started) {
  if (host_path.empty() || host_path[0] != '/' || host_path.find('\n') != std::string::npos) return;
  const std::int64_t started =
      std::chrono::duration_cast<std::chrono::nanoseconds>(hash_started.time_since_epoch()).count();
  const std::int64_t newest = std::max(id.mtime_ns, id.ctime_ns);
  if (newest > started - racy_window_.count()) return;  // racily clean: could change unseen
  std::lock_guard<std::mutex> lock(mu_);
  fresh_[host_path] = {id, h};
}

bool HashCache::save() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (fresh_.empty()) return true;  // nothing new: the file on disk already holds the rest
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(fs::path(path_).parent_path(), ec);
  const std::string tmp = path_ + "." + std::to_string(getpid()) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return false;
    out << kHeader << '\n';
    std::size_t written = 0;
    auto put = [&](const std::string& file, const FileIdentity& id, const CachedHash& h) {
      out << id.dev << ' ' << id.ino << ' ' << id.size << ' ' << id.mtime_ns << ' ' << id.ctime_ns << ' '
          << (h.is_elf ? 1 : 0) << ' ' << sha256_hex(h.sha256) << ' ' << file << '\n';
      ++written;
    };
    for (const auto& [file, e] : fresh_) put(file, e.id, e.hash);
    for (bool used : {true, false})  // what this run used first, then the rest while there is room
      for (const auto& [file, e] : entries_)
        if (written < max_entries_ && e.used.load(std::memory_order_relaxed) == used && !fresh_.count(file))
          put(file, e.id, e.hash);
    out.flush();
    if (!out) {
      fs::remove(tmp, ec);
      return false;
    }
  }
  fs::rename(tmp, path_, ec);
  if (!ec) return true;
  fs::remove(tmp, ec);
  return false;
}

}  // namespace cocoon::manifest
