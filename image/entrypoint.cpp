#include "entrypoint.hpp"

#include <sys/stat.h>

#include <cstring>
#include <fstream>

#include "image_error.hpp"

namespace cocoon::image {
namespace {

std::string join_words(const std::vector<std::string>& v) {
  std::string s;
  for (auto& w : v) s += (s.empty() ? "" : " ") + w;
  return s;
}

bool is_executable_file(const std::string& host_path) {
  struct stat st;
  return stat(host_path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
}

// Looks `name` up on PATH inside the rootfs; returns the container path found (not resolved).
std::optional<std::string> search_path(const RootfsPath& root, const std::string& name,
                                       const std::string& path_var) {
  std::size_t i = 0;
  while (i <= path_var.size()) {
    std::size_t j = path_var.find(':', i);
    if (j == std::string::npos) j = path_var.size();
    std::string dir = path_var.substr(i, j - i);
    i = j + 1;
    if (dir.empty() || dir[0] != '/') continue;  // relative PATH entries are meaningless here
    std::string candidate = normalize_container_path(dir + "/" + name);
    if (is_executable_file(root.host_path(candidate))) return candidate;
  }
  return std::nullopt;
}

// Reads a "#!" line: interpreter and optional single argument (Linux semantics).
bool read_shebang(const std::string& host_path, std::string& interp, std::string& arg) {
  std::ifstream f(host_path, std::ios::binary);
  char buf[256] = {};
  f.read(buf, sizeof buf - 1);
  std::string head(buf, static_cast<std::size_t>(f.gcount()));
  if (head.size() < 2 || head[0] != '#' || head[1] != '!') return false;
  std::size_t nl = head.find('\n');
  std::string line = head.substr(2, nl == std::string::npos ? std::string::npos : nl - 2);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  std::size_t b = line.find_first_not_of(" \t");
  if (b == std::string::npos) return true;  // "#!" alone: interp stays empty
  std::size_t e = line.find_first_of(" \t", b);
  interp = line.substr(b, e == std::string::npos ? std::string::npos : e - b);
  if (e != std::string::npos) {
    std::size_t ab = line.find_first_not_of(" \t", e);
    if (ab != std::string::npos) {
      arg = line.substr(ab);
      while (!arg.empty() && (arg.back() == ' ' || arg.back() == '\t')) arg.pop_back();
    }
  }
  return true;
}

}  // namespace

bool is_x86_64_elf(const std::string& host_path) {
  std::ifstream f(host_path, std::ios::binary);
  unsigned char h[20] = {};
  f.read(reinterpret_cast<char*>(h), sizeof h);
  if (f.gcount() < 20) return false;
  return std::memcmp(h, "\x7f" "ELF", 4) == 0 && h[4] == 2 /*ELFCLASS64*/ && h[18] == 62 && h[19] == 0;
}

ResolvedEntrypoint resolve_entrypoint(const RootfsPath& root, const ImageConfig& config,
                                      const EntrypointOverrides& ov) {
  ResolvedEntrypoint r;
  r.entrypoint = ov.entrypoint ? *ov.entrypoint : config.entrypoint;
  if (ov.cmd)
    r.cmd = *ov.cmd;
  else if (!ov.entrypoint)
    r.cmd = config.cmd;
  r.argv = r.entrypoint;
  r.argv.insert(r.argv.end(), r.cmd.begin(), r.cmd.end());
  r.working_dir = config.working_dir.empty() ? "/" : normalize_container_path(config.working_dir);
  if (r.argv.empty() || r.argv[0].empty())
    throw ImageError("the image has neither an Entrypoint nor a Cmd; give one with --entrypoint");

  bool path_found = false;
  std::string path_var = env_value(config.env, "PATH", &path_found);
  if (!path_found) path_var = kDockerDefaultPath;
  r.shell_form = r.argv.size() >= 2 && (r.argv[0] == "/bin/sh" || r.argv[0] == "sh") && r.argv[1] == "-c";

  // Locate argv[0].
  std::string word = r.argv[0];
  std::string found;
  if (word.find('/') == std::string::npos) {
    auto p = search_path(root, word, path_var);
    if (!p) {
      if (r.shell_form)
        throw ImageError("the entrypoint uses the shell form (/bin/sh -c \"" + join_words({r.argv.begin() + 2, r.argv.end()}) +
                         "\") but the image has no executable sh on PATH (" + path_var +
                         "); use the exec form (ENTRYPOINT [\"prog\", \"arg\"]) or --entrypoint");
      throw ImageError("entrypoint \"" + word + "\" not found on the image's PATH (" + path_var +
                       "); give the full path with --entrypoint or fix PATH in the image");
    }
    found = *p;
  } else {
    found = normalize_container_path(word[0] == '/' ? word : r.working_dir + "/" + word);
  }
  std::vector<std::string> argv = r.argv;
  for (int depth = 0;; ++depth) {
    if (depth > 4) throw ImageError("entrypoint \"" + r.argv[0] + "\": more than 4 levels of #! interpreters");
    std::string resolved = root.resolve(found);
    std::string host = root.host(resolved);
    struct stat st;
    if (stat(host.c_str(), &st) != 0) {
      if (r.shell_form && depth == 0)
        throw ImageError("the entrypoint uses the shell form (/bin/sh -c …) but the image has no " + found +
                         "; use the exec form (ENTRYPOINT [\"prog\", \"arg\"]) or --entrypoint");
      throw ImageError(depth == 0 ? "entrypoint " + found + " does not exist in the image"
                                  : "#! interpreter " + found + " (of " + r.scripts.back() + ") does not exist in the image");
    }
    if (!S_ISREG(st.st_mode)) throw ImageError("entrypoint " + found + " is not a regular file");
    if (depth == 0 && !(st.st_mode & 0111))
      throw ImageError("entrypoint " + found + " is not executable (mode " + std::to_string(st.st_mode & 0777) + ")");
    if (is_x86_64_elf(host)) {
      r.program = resolved;
      r.program_argv = argv;
      return r;
    }
    std::string interp, arg;
    if (!read_shebang(host, interp, arg))
      throw ImageError((depth == 0 ? "entrypoint " : "#! interpreter ") + found +
                       " is neither an x86-64 ELF program nor a #! script");
    if (interp.empty() || interp[0] != '/')
      throw ImageError("script " + found + ": malformed #! line (the interpreter must be an absolute path)");
    r.scripts.push_back(resolved);
    std::vector<std::string> next;
    std::string script_word = found;  // the kernel passes the path it was given
    if (normalize_container_path(interp) == "/usr/bin/env" || normalize_container_path(interp) == "/bin/env") {
      if (arg.empty() || arg.find(' ') != std::string::npos || arg[0] == '-')
        throw ImageError("script " + found + ": \"#!" + interp + " " + arg +
                         "\" is not supported; use \"#!/usr/bin/env NAME\" or an absolute interpreter path");
      auto p = search_path(root, arg, path_var);
      if (!p) throw ImageError("script " + found + ": interpreter \"" + arg + "\" (from #!/usr/bin/env) not found on the image's PATH (" + path_var + ")");
      next = {arg, script_word};
      found = *p;
    } else {
      next = {interp};
      if (!arg.empty()) next.push_back(arg);
      next.push_back(script_word);
      found = normalize_container_path(interp);
    }
    next.insert(next.end(), argv.begin() + 1, argv.end());
    argv = std::move(next);
  }
}

}  // namespace cocoon::image
