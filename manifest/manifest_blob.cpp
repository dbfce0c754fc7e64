// Host writer of the compiled manifest (format in manifest_blob.hpp): compile_blob().
#include <algorithm>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "manifest/manifest.hpp"
#include "manifest/manifest_blob.hpp"

namespace cocoon::manifest {
namespace {

class StringTable {
 public:
  BlobStr add(std::string_view s, const char* what) {
    if (s.find('\0') != std::string_view::npos)
      throw ManifestError(std::string(what) + ": contains a NUL byte");
    auto [it, fresh] = index_.try_emplace(s);
    if (!fresh) return it->second;
    if (bytes_.size() + s.size() + 1 > kBlobMaxSize)
      throw ManifestError("manifest too large for the compiled form (strings exceed 2 GiB)");
    BlobStr ref{static_cast<std::uint32_t>(bytes_.size()), static_cast<std::uint32_t>(s.size())};
    bytes_.insert(bytes_.end(), s.begin(), s.end());
    bytes_.push_back('\0');
    it->second = ref;
    return ref;
  }
  const std::vector<char>& bytes() const { return bytes_; }

 private:
  std::vector<char> bytes_;
  // Keys view the strings given to add(): the manifest's (or compile_blob's own copies),
  // which outlive the table.
  std::unordered_map<std::string_view, BlobStr> index_;
};

template <typename T>
void append_pod(std::vector<std::uint8_t>& out, const T& v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(&v);
  out.insert(out.end(), p, p + sizeof(T));
}

// A vector of PODs, in one copy (the string section alone is a byte per path character).
template <typename T>
void append_pods(std::vector<std::uint8_t>& out, const std::vector<T>& v) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(v.data());
  out.insert(out.end(), p, p + v.size() * sizeof(T));
}

void align8(std::vector<std::uint8_t>& out) {
  while (out.size() % 8 != 0) out.push_back(0);
}

template <typename Sorted>
void require_sorted_unique(const Sorted& v, const char* what) {
  for (std::size_t i = 1; i < v.size(); ++i)
    if (!(v[i - 1] < v[i]))
      throw ManifestError(std::string(what) + ": '" + std::string(v[i]) +
                          "' is listed twice");
}

// The net part (only for a manifest with net.bind; see manifest_blob.hpp), at the end.
void append_net(std::vector<std::uint8_t>& body, BlobHeader& h, const std::vector<BindRule>& rules) {
  h.net_offset = static_cast<std::uint32_t>(sizeof(BlobHeader) + body.size());
  append_pod(body, BlobNet{static_cast<std::uint32_t>(rules.size()), 0});
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const BindRule& r = rules[i];
    const std::string key = "net.bind[" + std::to_string(i) + "]";
    if (r.kind != kBindAnyAddress && r.kind != kBindIpv4 && r.kind != kBindIpv6)
      throw ManifestError(key + ": unknown address kind " + std::to_string(r.kind));
    if (r.port_low > r.port_high)
      throw ManifestError(key + ": empty port range " + std::to_string(r.port_low) + "-" +
                          std::to_string(r.port_high));
    for (std::size_t j = 0; j < i; ++j)
      if (rules[j] == r) throw ManifestError(key + ": the same rule as net.bind[" + std::to_string(j) + "]");
    BlobBindRule b{};
    b.kind = r.kind;
    b.port_low = r.port_low;
    b.port_high = r.port_high;
    const std::size_t used = r.kind == kBindIpv6 ? 16 : r.kind == kBindIpv4 ? 4 : 0;
    std::memcpy(b.addr, r.addr.data(), used);
    append_pod(body, b);
  }
}

}  // namespace

std::vector<std::uint8_t> compile_blob(const Manifest& m) {
  StringTable strings;
  BlobHeader h{};
  std::memcpy(h.magic, kBlobMagic, sizeof h.magic);
  h.version = kBlobVersion;
  h.flags = (m.allow_host_argv ? kBlobFlagAllowHostArgv : 0) | (m.enclave.debug ? kBlobFlagDebug : 0);
  if (m.entrypoint.empty() || m.entrypoint[0] != '/')
    throw ManifestError("loader.entrypoint: must be an absolute path");
  if (m.working_dir.empty() || m.working_dir[0] != '/')
    throw ManifestError("loader.working_dir: must be an absolute path");
  h.entrypoint = strings.add(m.entrypoint, "loader.entrypoint");
  h.working_dir = strings.add(m.working_dir, "loader.working_dir");

  std::vector<BlobStr> argv;
  for (const auto& a : m.argv) argv.push_back(strings.add(a, "loader.argv"));
  std::vector<BlobPair> env;  // std::map: already sorted by name, unique
  for (const auto& [k, v] : m.env)
    env.push_back({strings.add(k, "loader.env"), strings.add(v, "loader.env")});
  std::vector<std::string> pass = m.passthrough_env;
  std::sort(pass.begin(), pass.end());
  require_sorted_unique(pass, "loader.passthrough_env");
  std::vector<BlobStr> passthrough;
  for (const auto& p : pass) passthrough.push_back(strings.add(p, "loader.passthrough_env"));
  std::vector<BlobMount> mounts;
  for (const auto& mt : m.mounts) {
    if (mt.path.empty() || mt.path[0] != '/')
      throw ManifestError("fs.mounts: path '" + mt.path + "' is not absolute");
    mounts.push_back({strings.add(mt.path, "fs.mounts.path"), strings.add(mt.uri, "fs.mounts.uri"),
                      strings.add(mt.type.empty() ? "chroot" : mt.type, "fs.mounts.type")});
  }
  std::vector<const TrustedFile*> tf;
  for (const auto& t : m.trusted_files) {
    if (t.path.empty() || t.path[0] != '/')
      throw ManifestError("fs.trusted_files: path '" + t.path + "' is not absolute");
    tf.push_back(&t);
  }
  auto by_path = [](auto* a, auto* b) { return a->path < b->path; };
  if (!std::is_sorted(tf.begin(), tf.end(), by_path)) std::sort(tf.begin(), tf.end(), by_path);  // parsed: sorted
  for (std::size_t i = 1; i < tf.size(); ++i)
    if (tf[i - 1]->path == tf[i]->path)
      throw ManifestError("fs.trusted_files: '" + tf[i]->path + "' is listed twice");
  std::vector<BlobTrusted> trusted;
  for (const auto* t : tf) {
    BlobTrusted bt{};
    bt.path = strings.add(t->path, "fs.trusted_files");
    std::memcpy(bt.sha256, t->sha256.data(), 32);
    trusted.push_back(bt);
  }
  std::vector<std::string> allow = m.allowed_files;
  std::sort(allow.begin(), allow.end());
  require_sorted_unique(allow, "fs.allowed_files");
  std::vector<BlobStr> allowed;
  for (const auto& a : allow) {
    if (a.empty() || a[0] != '/')
      throw ManifestError("fs.allowed_files: path '" + a + "' is not absolute");
    allowed.push_back(strings.add(a, "fs.allowed_files"));
  }
  std::vector<BlobPair> links;
  for (const auto& [k, v] : m.symlinks) {
    if (k.empty() || k[0] != '/' || v.empty())
      throw ManifestError("fs.symlinks: '" + k + "' -> '" + v +
                          "': the link must be absolute and the target non-empty");
    links.push_back({strings.add(k, "fs.symlinks"), strings.add(v, "fs.symlinks")});
  }

  const auto& e = m.enclave;
  if (e.size == 0 || (e.size & (e.size - 1)) != 0)
    throw ManifestError("enclave.size: must be a power of two");
  if (e.max_threads == 0) throw ManifestError("enclave.max_threads: must be at least 1");
  h.enclave = BlobEnclave{e.size,        e.attributes, e.attributes_mask, e.xfrm,    e.xfrm_mask,
                          e.misc_select, e.misc_mask,  e.max_threads,     e.isv_prod_id, e.isv_svn};

  std::vector<std::uint8_t> body;  // everything after the header
  auto place = [&](BlobSectionId id, const auto& entries) {
    align8(body);
    h.sections[id].offset = static_cast<std::uint32_t>(sizeof(BlobHeader) + body.size());
    h.sections[id].count = static_cast<std::uint32_t>(entries.size());
    append_pods(body, entries);
  };
  place(kSecStrings, strings.bytes());
  place(kSecArgv, argv);
  place(kSecEnv, env);
  place(kSecPassthrough, passthrough);
  place(kSecMounts, mounts);
  place(kSecTrusted, trusted);
  place(kSecAllowed, allowed);
  place(kSecSymlinks, links);
  align8(body);
  if (m.net_bind) append_net(body, h, *m.net_bind);
  if (sizeof(BlobHeader) + body.size() > kBlobMaxSize)
    throw ManifestError("manifest too large for the compiled form (over 2 GiB)");
  h.total_size = static_cast<std::uint32_t>(sizeof(BlobHeader) + body.size());

  std::vector<std::uint8_t> out;
  out.reserve(h.total_size);
  append_pod(out, h);
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

}  // namespace cocoon::manifest
