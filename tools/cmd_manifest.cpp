// `cocoon manifest`: write a working manifest for a program (manifest/manifest_generate.hpp).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>

#include "command.hpp"
#include "manifest/hash_cache.hpp"
#include "manifest/manifest_generate.hpp"

namespace {

struct Opts {
  std::string output;
  std::vector<std::string> trusted, allowed, vars, command;
  std::string root = "/", template_path, working_dir;
  unsigned threads = 0;
  bool quiet = false;
  bool no_hash_cache = false;
};

int fail(const std::string& what) {
  std::fprintf(stderr, "cocoon manifest: %s\n", what.c_str());
  return 1;
}

int run(const Opts& o) {
  using namespace cocoon::manifest;
  GenerateOptions g;
  g.root = o.root;
  g.command = o.command;
  g.trusted = o.trusted;
  g.allowed = o.allowed;
  g.template_path = o.template_path;
  g.threads = o.threads;
  std::unique_ptr<HashCache> cache;
  if (!o.no_hash_cache) g.hash_cache = (cache = std::make_unique<HashCache>(HashCache::default_path())).get();
  if (!o.working_dir.empty()) g.working_dir = o.working_dir;
  for (const auto& kv : o.vars) {
    auto eq = kv.find('=');
    if (eq == std::string::npos || eq == 0) return fail("--var " + kv + ": expected NAME=VALUE");
    g.vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto t0 = std::chrono::steady_clock::now();
  GenerateResult r;
  std::string text;
  try {
    r = generate_manifest(g);
    if (cache) cache->save();
    text = to_toml(r.manifest);
  } catch (const ManifestError& e) {
    return fail(e.what());
  }
  std::string tmp = o.output + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return fail(o.output + ": cannot write");
    out << text;
    if (!out.flush()) return fail(o.output + ": write failed");
  }
  if (std::rename(tmp.c_str(), o.output.c_str()) != 0) return fail(o.output + ": cannot rename " + tmp + " to it");
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (const auto& w : r.warnings) std::fprintf(stderr, "cocoon manifest: warning: %s\n", w.c_str());
  if (!o.quiet)
    std::printf("%s: %zu trusted files (%.1f MiB), %zu symlinks, in %.2f s\n", o.output.c_str(),
                r.manifest.trusted_files.size(), static_cast<double>(r.trusted_bytes) / (1 << 20),
                r.manifest.symlinks.size(), secs);
  return 0;
}

cocoon::tools::CommandRegistration reg{
    "manifest", "Generate a manifest for a program: dependencies, hashes of trusted files",
    [](CLI::App& app) {
      auto o = std::make_shared<Opts>();
      app.add_option("--output,-o", o->output, "Manifest file to write (TOML)")->required();
      app.add_option("--trusted", o->trusted, "Extra file or directory to trust (hashed; repeatable)")
          ->allow_extra_args(false);
      app.add_option("--allowed", o->allowed,
                     "Host path passed through UNVERIFIED (file, or directory with its contents; repeatable)")
          ->allow_extra_args(false);
      app.add_option("--root", o->root, "Root filesystem the program sees (e.g. an unpacked container image)");
      app.add_option("--template", o->template_path, "Template manifest to start from");
      app.add_option("--var", o->vars, "Template variable NAME=VALUE (repeatable)")->allow_extra_args(false);
      app.add_option("--working-dir", o->working_dir, "Working directory (default: the current one)");
      app.add_option("--threads", o->threads, "Hashing threads (default: one per CPU)");
      app.add_flag("--no-hash-cache", o->no_hash_cache,
                   "Hash every trusted file, not reusing hashes of files unchanged since the last run "
                   "(~/.cache/cocoon/file-hashes-v2)");
      app.add_flag("--quiet,-q", o->quiet, "Print no summary");
      app.add_option("command", o->command, "-- PROGRAM [ARGS...]");
      return [o]() {
        // The program and its arguments come after "--" (split off before parsing).
        for (const std::string& a : cocoon::tools::passthrough_args()) o->command.push_back(a);
        return run(*o);
      };
    }};

}  // namespace
