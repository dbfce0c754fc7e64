#include "rootfs_path.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <climits>
#include <deque>

#include "image_error.hpp"

namespace cocoon::image {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    std::string c = path.substr(i, j - i);
    if (!c.empty() && c != ".") out.push_back(std::move(c));
    i = j + 1;
  }
  return out;
}

std::string normalize_container_path(const std::string& path, bool* escaped) {
  std::vector<std::string> stack;
  if (escaped) *escaped = false;
  for (auto& c : split_path(path)) {
    if (c == "..") {
      if (stack.empty()) {
        if (escaped) *escaped = true;
      } else {
        stack.pop_back();
      }
    } else {
      stack.push_back(c);
    }
  }
  std::string out;
  for (auto& c : stack) out += "/" + c;
  return out.empty() ? "/" : out;
}

RootfsPath::RootfsPath(std::string rootfs_dir) : root_(std::move(rootfs_dir)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
}

std::string RootfsPath::host(const std::string& resolved) const {
  if (resolved == "/") return root_;
  return root_ + resolved;
}

std::string RootfsPath::resolve(const std::string& container_path, bool follow_last) const {
  std::deque<std::string> todo;
  for (auto& c : split_path(container_path)) todo.push_back(std::move(c));
  std::vector<std::string> done;
  int links = 0;
  auto joined = [&] {
    std::string s;
    for (auto& c : done) s += "/" + c;
    return s.empty() ? std::string("/") : s;
  };
  while (!todo.empty()) {
    std::string c = std::move(todo.front());
    todo.pop_front();
    if (c == "..") {
      if (!done.empty()) done.pop_back();
      continue;
    }
    done.push_back(c);
    bool last = todo.empty();
    if (last && !follow_last) break;
    std::string h = host(joined());
    struct stat st;
    if (lstat(h.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) continue;
    if (++links > 40)
      throw ImageError("path " + container_path + " in the image: too many levels of symbolic links");
    char buf[PATH_MAX];
    ssize_t n = readlink(h.c_str(), buf, sizeof buf - 1);
    if (n < 0) continue;
    std::string target(buf, static_cast<std::size_t>(n));
    done.pop_back();
    if (!target.empty() && target[0] == '/') done.clear();
    auto parts = split_path(target);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it) todo.push_front(*it);
  }
  return joined();
}

}  // namespace cocoon::image
