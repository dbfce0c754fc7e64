#include "tools/run/manifest_cache.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "manifest/hash_cache.hpp"
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

namespace {

constexpr char kKeyFileMagic[] = "cocoon-manifest-key-v1 ";
constexpr std::size_t kKeyHexSize = 64;

// The ".key" file of a manifest file's identity, for this cocoon binary; "" when either
// cannot be identified.
std::string key_file_of(const std::string& manifest_path, const std::string& identity) {
  const std::string exe = file_identity("/proc/self/exe");
  if (exe.empty() || identity.empty()) return {};
  static constexpr char kDomain[] = "cocoon-manifest-file-key-v1";
  const std::string material = exe + '\0' + identity + '\0' + manifest_path;
  std::uint8_t digest[32];
  crypto::Sha256 h;
  h.update(kDomain, sizeof kDomain);
  h.update(material.data(), material.size());
  h.final(digest);
  return compiled_manifest_dir() + "/" + measure::to_hex(digest) + ".key";
}

bool is_hex_key(const std::string& k) {
  return k.size() == kKeyHexSize &&
         std::all_of(k.begin(), k.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

std::string known_manifest_key(const std::string& manifest_path) {
  const std::string file = key_file_of(manifest_path, file_identity(manifest_path));
  if (file.empty()) return {};
  int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[sizeof kKeyFileMagic + kKeyHexSize + 1];
  const ssize_t n = ::read(fd, buf, sizeof buf);
  ::close(fd);
  constexpr std::size_t kMagicLen = sizeof kKeyFileMagic - 1;
  if (n != static_cast<ssize_t>(kMagicLen + kKeyHexSize + 1) || std::memcmp(buf, kKeyFileMagic, kMagicLen) != 0 ||
      buf[kMagicLen + kKeyHexSize] != '\n')
    return {};
  std::string key(buf + kMagicLen, kKeyHexSize);
  return is_hex_key(key) ? key : std::string{};
}

void remember_manifest_key(const std::string& manifest_path, const std::string& identity_before_read,
                           const std::string& key, std::int64_t read_at_ns, std::int64_t racy_window_ns) {
  struct stat st {};
  if (identity_before_read.empty() || stat(manifest_path.c_str(), &st) != 0) return;
  const manifest::FileIdentity id = manifest::identity_of(st);
  if (file_identity(id) != identity_before_read) return;  // changed while it was read
  if (read_at_ns - std::max(id.mtime_ns, id.ctime_ns) <= racy_window_ns) return;
  const std::string file = key_file_of(manifest_path, identity_before_read);
  if (file.empty() || !is_hex_key(key)) return;
  std::error_code ec;
  fs::create_directories(compiled_manifest_dir(), ec);
  const std::string tmp = file + ".tmp" + std::to_string(getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return;
  const std::string line = kKeyFileMagic + key + "\n";
  bool ok = write_all(fd, line.data(), line.size());
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), file.c_str()) != 0) ::unlink(tmp.c_str());
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
