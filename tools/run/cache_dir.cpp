#include "tools/run/cache_dir.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <vector>

#include "manifest/hash_cache.hpp"

namespace cocoon::run {

namespace fs = std::filesystem;

std::string user_dir(const char* xdg, const char* fallback) {
  if (const char* x = std::getenv(xdg); x && *x) return x;
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/root") + fallback;
}

void touch_cache_file(const std::string& path) { utimensat(AT_FDCWD, path.c_str(), nullptr, 0); }

std::string file_identity(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return {};
  return file_identity(manifest::identity_of(st));
}

std::string file_identity(const manifest::FileIdentity& id) {  // what the hash cache keys on, too
  return std::to_string(id.dev) + ":" + std::to_string(id.ino) + ":" + std::to_string(id.size) + ":" +
         std::to_string(id.mtime_ns) + ":" + std::to_string(id.ctime_ns);
}

std::size_t prune_cache_dir(const std::string& dir, std::size_t keep) {
  struct Entry {
    fs::file_time_type newest = fs::file_time_type::min();
    std::vector<fs::path> files;
  };
  std::map<std::string, Entry> entries;
  std::size_t deleted = 0;
  std::error_code ec;
  const auto now = fs::file_time_type::clock::now();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::error_code e2;
    if (!it->is_regular_file(e2)) continue;
    const std::string name = it->path().filename().string();
    const auto mtime = it->last_write_time(e2);
    if (e2) continue;
    if (name.find(".tmp") != std::string::npos) {
      if (now - mtime > std::chrono::minutes(1) && fs::remove(it->path(), e2)) ++deleted;
      continue;
    }
    Entry& e = entries[name.substr(0, name.find('.'))];
    e.newest = std::max(e.newest, mtime);
    e.files.push_back(it->path());
  }
  if (entries.size() <= keep) return deleted;
  std::vector<const Entry*> by_age;
  for (const auto& [stem, e] : entries) by_age.push_back(&e);
  std::sort(by_age.begin(), by_age.end(), [](const Entry* a, const Entry* b) { return a->newest > b->newest; });
  for (std::size_t i = keep; i < by_age.size(); ++i)
    for (const auto& f : by_age[i]->files) {
      std::error_code e2;
      if (fs::remove(f, e2)) ++deleted;
    }
  return deleted;
}

}  // namespace cocoon::run
