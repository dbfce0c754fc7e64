#include "tools/run/manifest_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "manifest/manifest_blob.hpp"
#include "shim/crypto/sha256.hpp"
#include "tools/run/cache_dir.hpp"

namespace cocoon::run {
namespace {

namespace fs = std::filesystem;

// Entry file: header, then the settings as TOML (to_toml of the manifest without its trusted
// files), then the blob.
constexpr char kMagic[8] = {'C', 'C', 'M', 'F', 'C', 'A', 'C', '1'};
struct EntryHeader {
  char magic[8];
  std::uint64_t settings_size;
  std::uint64_t blob_size;
  std::uint8_t mrenclave[32];
};
static_assert(sizeof(EntryHeader) == 56);
constexpr std::uint64_t kMaxEntry = 1ull << 30;

bool read_all(int fd, void* buf, std::size_t n) {
  auto* p = static_cast<char*>(buf);
  while (n > 0) {
    ssize_t r = ::read(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

bool write_all(int fd, const void* buf, std::size_t n) {
  const auto* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t r = ::write(fd, p, n);
    if (r <= 0) return false;
    p += r;
    n -= static_cast<std::size_t>(r);
  }
  return true;
}

}  // namespace

std::string compiled_manifest_key(const std::string& text) {
  std::string exe = file_identity("/proc/self/exe");
  if (exe.empty()) return {};
  static constexpr char kDomain[] = "cocoon-compiled-manifest-v1";
  std::uint64_t sizes[2] = {exe.size(), text.size()};
  std::uint8_t digest[32];
  crypto::Sha256 h;
  h.update(kDomain, sizeof kDomain);
  h.update(sizes, sizeof sizes);
  h.update(exe.data(), exe.size());
  h.update(text.data(), text.size());
  h.final(digest);
  return measure::to_hex(digest);
}

std::string compiled_manifest_dir() {
  return user_dir("XDG_CACHE_HOME", "/.cache") + "/cocoon/manifests";
}

std::optional<CompiledManifest> load_compiled_manifest(const std::string& key) {
  if (key.empty()) return std::nullopt;
  const std::string path = compiled_manifest_dir() + "/" + key;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  EntryHeader h{};
  std::string settings;
  CompiledManifest out;
  bool ok = fstat(fd, &st) == 0 && read_all(fd, &h, sizeof h) && std::memcmp(h.magic, kMagic, 8) == 0 &&
            h.settings_size < kMaxEntry && h.blob_size < kMaxEntry &&
            static_cast<std::uint64_t>(st.st_size) == sizeof h + h.settings_size + h.blob_size;
  if (ok) {
    settings.resize(h.settings_size);
    out.blob.resize(h.blob_size);
    ok = read_all(fd, settings.data(), settings.size()) && read_all(fd, out.blob.data(), out.blob.size());
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  manifest::ManifestBlob reader;
  if (reader.open(out.blob.data(), out.blob.size()) != manifest::BlobError::kOk) return std::nullopt;
  try {
    out.settings = manifest::parse_manifest(settings, path);
  } catch (const std::exception&) {
    return std::nullopt;
  }
  // The settings and the blob must describe the same enclave (a cut or mixed entry is a miss).
  const manifest::StrView ep = reader.entrypoint();
  if (std::string(ep.data, ep.size) != out.settings.entrypoint || reader.enclave().size != out.settings.enclave.size ||
      reader.enclave().max_threads != out.settings.enclave.max_threads)
    return std::nullopt;
  std::memcpy(out.mrenclave.data(), h.mrenclave, 32);
  touch_cache_file(path);
  return out;
}

void store_compiled_manifest(const std::string& key, const manifest::Manifest& m, const std::vector<std::uint8_t>& blob,
                             const measure::Digest& mrenclave) {
  if (key.empty()) return;
  manifest::Manifest settings = m;
  settings.trusted_files.clear();
  std::string text;
  try {
    text = manifest::to_toml(settings);
  } catch (const std::exception&) {
    return;
  }
  std::error_code ec;
  const std::string dir = compiled_manifest_dir();
  fs::create_directories(dir, ec);
  const std::string path = dir + "/" + key;
  const std::string tmp = path + ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  EntryHeader h{};
  std::memcpy(h.magic, kMagic, 8);
  h.settings_size = text.size();
  h.blob_size = blob.size();
  std::memcpy(h.mrenclave, mrenclave.data(), 32);
  bool ok =
      write_all(fd, &h, sizeof h) && write_all(fd, text.data(), text.size()) && write_all(fd, blob.data(), blob.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return;
  }
  prune_cache_dir(dir);
}

}  // namespace cocoon::run
