#include "app_paths.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace cocoon::image {
namespace {

bool is_dir(const RootfsPath& root, const std::string& p) {
  struct stat st;
  return stat(root.host_path(p).c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}
bool is_file(const RootfsPath& root, const std::string& p) {
  struct stat st;
  return stat(root.host_path(p).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

std::string parent_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == 0 || s == std::string::npos ? "/" : p.substr(0, s);
}

std::string base_of(const std::string& p) { return p.substr(p.rfind('/') + 1); }

// The application's directory, or just the file when its directory is shared with the system.
std::string app_location(const std::string& file) {
  static const std::set<std::string> shared = {"/", "/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin",
                                               "/usr/local/sbin", "/usr", "/etc", "/root", "/tmp", "/home", "/opt"};
  std::string dir = parent_of(file);
  return shared.count(dir) ? file : dir;
}

}  // namespace

std::vector<std::string> default_trusted_paths(const RootfsPath& root, const ResolvedEntrypoint& ep) {
  std::set<std::string> out;
  for (auto& s : ep.scripts) out.insert(app_location(s));
  // The first argument after the interpreter that names a file in the image is the program's
  // script ("python3 app.py", "java -jar /app/x.jar", "node server.js").
  if (ep.scripts.empty())
    for (std::size_t i = 1; i < ep.program_argv.size(); ++i) {
      const std::string& a = ep.program_argv[i];
      if (a.empty() || a[0] == '-') continue;
      std::string p = normalize_container_path(a[0] == '/' ? a : ep.working_dir + "/" + a);
      if (is_file(root, p)) {
        out.insert(app_location(root.resolve(p)));
        break;
      }
    }
  // Language runtimes' library trees.
  std::string name = base_of(ep.program);
  if (name.rfind("python", 0) == 0) {
    std::string ver = name.substr(6);  // "3.11"
    for (const char* prefix : {"/usr/lib/python", "/usr/local/lib/python"})
      if (!ver.empty() && is_dir(root, prefix + ver)) out.insert(prefix + ver);
  } else if (name == "node" || name == "nodejs") {
    for (const char* d : {"/usr/lib/node_modules", "/usr/local/lib/node_modules", "/usr/share/nodejs"})
      if (is_dir(root, d)) out.insert(d);
  } else if (name == "java") {
    // <JAVA_HOME>/bin/java: trust JAVA_HOME.
    std::string home = parent_of(parent_of(ep.program));
    if (home != "/" && home != "/usr" && is_dir(root, home + "/lib")) out.insert(home);
  }
  return {out.begin(), out.end()};
}

std::vector<std::string> default_allowed_paths(const RootfsPath& root, const std::string& config_json) {
  std::set<std::string> out;
  (void)root;
  out.insert("/tmp");
  auto j = nlohmann::json::parse(config_json, nullptr, false);
  if (j.is_object() && j.contains("config") && j["config"].is_object() && j["config"].contains("Volumes") &&
      j["config"]["Volumes"].is_object())
    for (auto& [k, v] : j["config"]["Volumes"].items())
      if (!k.empty() && k[0] == '/') out.insert(normalize_container_path(k));
  return {out.begin(), out.end()};
}

}  // namespace cocoon::image
