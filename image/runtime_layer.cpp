#include "runtime_layer.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "deterministic_tar.hpp"
#include "digest.hpp"
#include "elf_closure.hpp"
#include "image_error.hpp"

namespace cocoon::image {

std::vector<RuntimeFile> runtime_files(const std::string& cocoon_exe, const std::string& manifest_toml,
                                       const std::string& signature) {
  struct stat st;
  if (stat(cocoon_exe.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw ImageError("cocoon runtime executable " + cocoon_exe + " not found");
  ElfClosure closure = host_elf_closure(cocoon_exe);
  std::vector<RuntimeFile> files;
  files.push_back({"cocoon", true, "", "", 0755});
  files.push_back({"cocoon/bin", true, "", "", 0755});
  files.push_back({"cocoon/lib", true, "", "", 0755});
  files.push_back({"cocoon/bin/cocoon", false, cocoon_exe, "", 0755});
  files.push_back({"cocoon/app.toml", false, "", manifest_toml, 0644});
  files.push_back({"cocoon/app.sig", false, "", signature, 0644});
  std::string loader = std::string(kRuntimeLoader).substr(1);
  files.push_back({loader, false, std::filesystem::canonical(closure.interpreter).string(), "", 0755});
  for (auto& lib : closure.libraries) {
    std::string p = "cocoon/lib/" + lib.soname;
    if (p == loader) continue;
    files.push_back({p, false, std::filesystem::canonical(lib.host_path).string(), "", 0644});
  }
  std::sort(files.begin(), files.end(), [](const RuntimeFile& a, const RuntimeFile& b) { return a.path < b.path; });
  return files;
}

std::vector<std::string> runtime_command() {
  return {kRuntimeLoader, "--library-path", kRuntimeLibDir, kRuntimeCocoon, "run", kRuntimeManifest};
}

LayerBlob write_runtime_layer(const std::string& tar_path, const std::vector<RuntimeFile>& files) {
  {
    DeterministicTar tar(tar_path);
    for (auto& f : files) {
      if (f.directory)
        tar.add_directory(f.path, f.mode);
      else if (!f.host_path.empty())
        tar.add_file(f.path, f.host_path, f.mode);
      else
        tar.add_bytes(f.path, f.bytes, f.mode);
    }
    tar.close();
  }
  LayerBlob b;
  b.path = tar_path;
  b.media_type = kMediaLayerTar;
  b.digest = sha256_file_digest(tar_path);
  b.diff_id = b.digest;
  struct stat st;
  stat(tar_path.c_str(), &st);
  b.size = static_cast<std::uint64_t>(st.st_size);
  return b;
}

void write_runtime_tree(const std::string& dir, const std::vector<RuntimeFile>& files) {
  namespace fs = std::filesystem;
  for (auto& f : files) {
    std::string p = dir + "/" + f.path;
    std::error_code ec;
    if (f.directory) {
      fs::create_directories(p, ec);
    } else if (!f.host_path.empty()) {
      fs::copy_file(f.host_path, p, fs::copy_options::overwrite_existing, ec);
    } else {
      std::ofstream o(p, std::ios::binary | std::ios::trunc);
      o.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
      if (!o) ec = std::make_error_code(std::errc::io_error);
    }
    if (ec) throw ImageError("cannot write " + p + ": " + ec.message());
    fs::permissions(p, static_cast<fs::perms>(f.mode), ec);
  }
}

}  // namespace cocoon::image
