#include "manifest/sysroot.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <vector>

#include "manifest/manifest_paths.hpp"

namespace cocoon::manifest {
namespace {

void push_components_front(std::deque<std::string>& q, const std::string& path) {
  std::vector<std::string> parts;
  std::size_t pos = 0;
  while (pos <= path.size()) {
    std::size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    if (end > pos) parts.push_back(path.substr(pos, end - pos));
    pos = end + 1;
  }
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) q.push_front(*it);
}

}  // namespace

Sysroot::Sysroot(std::string root) : root_(normalize_path(root, "/")) {
  if (root_ == "/") root_.clear();
}

std::string Sysroot::host_path(const std::string& in_root) const { return root_ + in_root; }

std::optional<std::string> Sysroot::resolve(const std::string& path) {
  auto cached = cache_.find(path);
  if (cached != cache_.end()) return cached->second;
  std::deque<std::string> rest;
  push_components_front(rest, path);
  std::string done;  // canonical prefix, "" = "/"
  unsigned follows = 0;
  std::optional<std::string> result;
  bool ok = true;
  while (!rest.empty()) {
    std::string c = std::move(rest.front());
    rest.pop_front();
    if (c == ".") continue;
    if (c == "..") {
      std::size_t slash = done.rfind('/');
      done = slash == std::string::npos ? "" : done.substr(0, slash);
      continue;
    }
    std::string candidate = done + "/" + c;
    struct stat st;
    if (lstat(host_path(candidate).c_str(), &st) != 0) {
      ok = false;
      break;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++follows > 40) {
        ok = false;
        break;
      }
      std::string target(static_cast<std::size_t>(st.st_size > 0 ? st.st_size : 4096) + 1, '\0');
      ssize_t n = readlink(host_path(candidate).c_str(), target.data(), target.size());
      if (n <= 0 || static_cast<std::size_t>(n) >= target.size()) {
        ok = false;
        break;
      }
      target.resize(static_cast<std::size_t>(n));
      symlinks_[candidate] = target;
      if (target[0] == '/') done.clear();
      push_components_front(rest, target);
      continue;
    }
    if (!rest.empty() && !S_ISDIR(st.st_mode)) {
      ok = false;
      break;
    }
    done = std::move(candidate);
  }
  if (ok) result = done.empty() ? "/" : done;
  cache_.emplace(path, result);
  return result;
}

}  // namespace cocoon::manifest
