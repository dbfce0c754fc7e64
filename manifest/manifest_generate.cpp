#include "manifest/manifest_generate.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "manifest/elf_deps.hpp"
#include "manifest/file_hashing.hpp"
#include "manifest/manifest_paths.hpp"
#include "manifest/sysroot.hpp"

namespace cocoon::manifest {
namespace {

namespace fs = std::filesystem;

std::string read_head(const std::string& host_path, std::size_t n) {
  std::ifstream in(host_path, std::ios::binary);
  std::string s(n, '\0');
  in.read(s.data(), static_cast<std::streamsize>(n));
  s.resize(static_cast<std::size_t>(in.gcount()));
  return s;
}

class Generator {
 public:
  explicit Generator(const GenerateOptions& o) : opts_(o), root_(o.root) {}
  GenerateResult run();

 private:
  std::string base_dir() const {
    if (!root_.root().empty()) return "/";
    std::error_code ec;
    auto cwd = fs::current_path(ec);
    return ec ? "/" : cwd.string();
  }
  std::string in_root(const std::string& p) const { return normalize_path(p, base_dir()); }
  std::string where() const { return root_.root().empty() ? "" : " under " + root_.root(); }

  // Absolute in-root path of a program named on the command line (PATH search for a name).
  std::string find_program(const std::string& name) {
    if (name.empty()) throw GenerateError("the program name is empty");
    if (name.find('/') != std::string::npos) {
      std::string p = in_root(name);
      if (!root_.resolve(p)) throw GenerateError(p + ": no such file" + where());
      return p;
    }
    std::string path_var = kDefaultPath;
    if (root_.root().empty())
      if (const char* env = std::getenv("PATH")) path_var = env;
    std::size_t pos = 0;
    while (pos <= path_var.size()) {
      std::size_t end = path_var.find(':', pos);
      if (end == std::string::npos) end = path_var.size();
      std::string dir = path_var.substr(pos, end - pos);
      pos = end + 1;
      if (dir.empty() || dir[0] != '/') continue;
      std::string cand = normalize_path(dir + "/" + name, "/");
      if (auto c = root_.resolve(cand)) {
        struct stat st;
        if (stat(root_.host_path(*c).c_str(), &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111))
          return cand;
      }
    }
    throw GenerateError(name + ": not found in PATH (" + path_var + ")" + where() + "; give its full path");
  }

  void add_trusted_path(const std::string& path, bool explicit_file);
  void walk_directory(const std::string& canonical_dir);
  void hash_pending(GenerateResult& r);

  const GenerateOptions& opts_;
  Sysroot root_;
  std::set<std::string> files_;           // canonical in-root paths to trust
  std::set<std::string> elf_candidates_;  // files found in trusted directories, explicitly
                                          // trusted files: their libraries are added if ELF
  std::map<std::string, FileHash> hashes_;
  std::vector<std::string> warnings_;
};

void Generator::walk_directory(const std::string& dir) {
  std::error_code ec;
  fs::recursive_directory_iterator it(root_.host_path(dir), fs::directory_options::none, ec);
  if (ec) throw GenerateError("trusted directory " + dir + ": cannot list it: " + ec.message());
  const std::size_t strip = root_.root().size();
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw GenerateError("trusted directory " + dir + ": " + ec.message());
    std::string host = it->path().string();
    std::string path = host.substr(strip);
    // The entry's type comes from the directory listing (d_type): no stat per file.
    const bool link = it->is_symlink(ec);
    if (ec) throw GenerateError(path + ": " + ec.message());
    if (!is_valid_utf8(path)) {
      warnings_.push_back(path + ": skipped, the name is not valid UTF-8");
      continue;
    }
    if (link) {
      auto c = root_.resolve(path);  // records the link (and any on the way)
      if (c && fs::is_regular_file(fs::status(root_.host_path(*c), ec))) files_.insert(*c);
      continue;
    }
    if (it->is_regular_file(ec)) {
      files_.insert(path);
      elf_candidates_.insert(path);
    }
  }
}

void Generator::add_trusted_path(const std::string& given, bool explicit_file) {
  std::string p = in_root(given);
  auto c = root_.resolve(p);
  if (!c) throw GenerateError("trusted path " + p + ": no such file or directory" + where());
  struct stat st;
  if (stat(root_.host_path(*c).c_str(), &st) != 0)
    throw GenerateError("trusted path " + p + ": cannot stat " + root_.host_path(*c));
  if (S_ISDIR(st.st_mode)) {
    walk_directory(*c);
  } else if (S_ISREG(st.st_mode)) {
    files_.insert(*c);
    if (explicit_file) elf_candidates_.insert(*c);
  } else {
    throw GenerateError("trusted path " + p + ": not a regular file or directory");
  }
}

void Generator::hash_pending(GenerateResult& r) {
  std::vector<std::string> todo, host;
  for (const auto& f : files_)
    if (!hashes_.count(f)) {
      todo.push_back(f);
      host.push_back(root_.host_path(f));
    }
  auto results = hash_files(host, opts_.threads, opts_.hash_cache);
  for (std::size_t i = 0; i < todo.size(); ++i) {
    if (!results[i].error.empty())
      throw GenerateError("trusted file " + todo[i] + ": cannot hash it (" + results[i].error + ")");
    r.trusted_bytes += results[i].size;
    hashes_.emplace(todo[i], std::move(results[i]));
  }
}

GenerateResult Generator::run() {
  GenerateResult r;
  Manifest& m = r.manifest;
  std::map<std::string, std::string> vars = {{"arch_libdir", kArchLibdir}};

  // The program; a "#!" script runs under its interpreter, and the script is trusted.
  std::string program, script;
  std::vector<std::string> argv = opts_.command;
  if (!argv.empty()) {
    program = find_program(argv[0]);
    std::string head = read_head(root_.host_path(*root_.resolve(program)), 256);
    if (head.rfind("#!", 0) == 0) {
      std::string line = head.substr(2, head.find('\n') == std::string::npos ? std::string::npos : head.find('\n') - 2);
      auto ws = [](char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; };
      std::size_t b = 0;
      while (b < line.size() && ws(line[b])) ++b;
      std::size_t e = b;
      while (e < line.size() && !ws(line[e])) ++e;
      std::string interp = line.substr(b, e - b);
      std::string arg = line.substr(e);
      while (!arg.empty() && ws(arg.front())) arg.erase(arg.begin());
      while (!arg.empty() && ws(arg.back())) arg.pop_back();
      if (interp.empty() || interp[0] != '/')
        throw GenerateError(program + ": the '#!' line names no absolute interpreter path");
      script = program;
      std::vector<std::string> new_argv;
      if (fs::path(interp).filename() == "env" && !arg.empty() && arg[0] != '-' &&
          arg.find(' ') == std::string::npos) {
        program = find_program(arg);  // "#!/usr/bin/env python3": run python3 directly
        new_argv = {program};
      } else {
        program = normalize_path(interp, "/");
        if (!root_.resolve(program)) throw GenerateError(script + ": its interpreter " + interp + " does not exist" + where());
        new_argv = {interp};
        if (!arg.empty()) new_argv.push_back(arg);
      }
      new_argv.push_back(script);
      new_argv.insert(new_argv.end(), argv.begin() + 1, argv.end());
      argv = std::move(new_argv);
    }
    vars["entrypoint"] = program;
    vars["entrypoint_dir"] = parent_dir(program);
  }
  for (const auto& [k, v] : opts_.vars) vars[k] = v;

  std::vector<std::string> extra_trusted = opts_.trusted;
  if (!opts_.template_path.empty()) {
    std::ifstream in(opts_.template_path, std::ios::binary);
    if (!in) throw GenerateError(opts_.template_path + ": cannot open the template");
    std::ostringstream ss;
    ss << in.rdbuf();
    ManifestTemplate t = parse_manifest_template(ss.str(), opts_.template_path, vars);
    m = std::move(t.manifest);
    if (!t.sets_env) m.env = {{"LANG", kDefaultLang}, {"PATH", kDefaultPath}};
    if (!t.sets_working_dir) m.working_dir = base_dir();
    extra_trusted.insert(extra_trusted.end(), t.unhashed_trusted.begin(), t.unhashed_trusted.end());
    for (const auto& tf : m.trusted_files) {
      if (!root_.resolve(tf.path)) throw GenerateError("trusted file " + tf.path + " (from the template): no such file" + where());
    }
  } else {
    m.env = {{"LANG", kDefaultLang}, {"PATH", kDefaultPath}};
    m.working_dir = base_dir();
  }
  if (!argv.empty()) {
    m.entrypoint = program;
    m.argv = argv;
  } else if (opts_.template_path.empty()) {
    throw GenerateError("no program given (put it after '--') and no template");
  } else {
    program = m.entrypoint;
  }
  if (opts_.working_dir) m.working_dir = normalize_path(*opts_.working_dir, base_dir());

  // The program and what ld.so loads for it; the script; the user's extra trusted paths.
  DependencyResolver deps(root_);
  deps.add_program(program);
  files_.insert(deps.files().begin(), deps.files().end());
  if (!script.empty()) add_trusted_path(script, true);
  for (const auto& t : extra_trusted) add_trusted_path(t, true);
  hash_pending(r);
  // Libraries found in trusted directories (and explicitly trusted ones) bring their own
  // dependencies, e.g. Python's lib-dynload/_ssl.so needs libssl.
  // Hashing read each file's first bytes: only those with the ELF magic are looked at again.
  for (const auto& f : elf_candidates_) {
    auto h = hashes_.find(f);
    if (h != hashes_.end() && h->second.is_elf && is_loadable_x86_64_elf(root_.host_path(f)))
      deps.add_object(f, false);
  }
  files_.insert(deps.files().begin(), deps.files().end());
  hash_pending(r);
  // A library another one needs but that no search finds is no problem when it is itself a
  // trusted file: the program loads it by path first (the Java launcher loads
  // lib/server/libjvm.so, which lib/libjava.so then finds by its name).
  std::set<std::string> trusted_names, satisfied;
  for (const auto& f : files_) trusted_names.insert(f.substr(f.rfind('/') + 1));
  for (const auto& u : deps.unresolved())
    if (trusted_names.count(u.needed)) satisfied.insert(u.warning);
  for (const auto& w : deps.warnings())
    if (!satisfied.count(w)) r.warnings.push_back(w);
  r.warnings.insert(r.warnings.end(), warnings_.begin(), warnings_.end());

  std::map<std::string, Sha256> trusted;
  for (const auto& tf : m.trusted_files) {  // the template's pinned hashes win
    trusted[tf.path] = tf.sha256;
    auto h = hashes_.find(tf.path);
    if (h != hashes_.end() && h->second.sha256 != tf.sha256)
      r.warnings.push_back("trusted file " + tf.path + ": the template pins sha256 " + sha256_hex(tf.sha256) +
                           " but the file is " + sha256_hex(h->second.sha256) +
                           "; the enclave will refuse it unless the file is restored");
  }
  for (const auto& [path, h] : hashes_) trusted.emplace(path, h.sha256);
  m.trusted_files.clear();
  for (const auto& [path, h] : trusted) m.trusted_files.push_back({path, h});
  for (const auto& [link, target] : root_.symlinks()) m.symlinks.emplace(link, target);

  std::set<std::string> allowed(m.allowed_files.begin(), m.allowed_files.end());
  for (const auto& a : opts_.allowed) {
    std::string p = in_root(a);
    if (a.size() > 1 && a.back() == '/' && p != "/") p += '/';
    allowed.insert(p);
  }
  m.allowed_files.assign(allowed.begin(), allowed.end());
  for (const auto& name : m.passthrough_env) m.env.erase(name);
  return r;
}

}  // namespace

GenerateResult generate_manifest(const GenerateOptions& opts) {
  try {
    return Generator(opts).run();
  } catch (const ElfDepsError& e) {
    throw GenerateError(e.what());
  }
}

}  // namespace cocoon::manifest
