// The Cocoon manifest: what a signed enclave is allowed to run and see.
//
// Host-side data model (C++20, may throw ManifestError). Parsed from TOML by
// manifest_toml.cpp, compiled to the binary blob the shim reads in the enclave by
// manifest_blob.cpp, generated for a program by manifest_generate.cpp.
//
// Two kinds of file trust stay visibly separate:
//   * measured — the runtime (shim) and the compiled manifest: part of MRENCLAVE;
//   * verified at use — trusted files: their SHA-256 is in the manifest and the shim checks
//     the bytes it copies in against it.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "manifest/manifest_blob.hpp"

namespace cocoon::manifest {

// Every problem with a manifest: names the key (dotted path) and the line when known.
class ManifestError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using Sha256 = std::array<std::uint8_t, 32>;

struct TrustedFile {
  std::string path;  // absolute path as the program sees it
  Sha256 sha256{};
};

struct Mount {
  std::string path;  // inside the enclave's view
  std::string uri;   // "file:/host/dir" (host path passed through the proxy)
  std::string type;  // "chroot" (default); "encrypted" reserved for later
};

// One entry of [net] bind: an address (any, one IPv4, one IPv6) and an inclusive port range.
// Text form ("127.0.0.1:*", "[::]:8000-8100"): manifest/net_bind_text.hpp.
struct BindRule {
  std::uint8_t kind = kBindAnyAddress;  // kBindAnyAddress, kBindIpv4 or kBindIpv6
  std::array<std::uint8_t, 16> addr{};  // network byte order; IPv4 in the first 4 bytes
  std::uint16_t port_low = 0;
  std::uint16_t port_high = 65535;
  bool operator==(const BindRule&) const = default;
};

struct EnclaveSettings {
  std::uint64_t size = 4ull << 30;   // bytes, power of two
  std::uint32_t max_threads = 64;
  std::uint16_t isv_prod_id = 0;
  std::uint16_t isv_svn = 0;
  bool debug = true;
  std::uint64_t attributes = 0x4;            // MODE64BIT (DEBUG added when debug)
  std::uint64_t attributes_mask = ~0x2ull;   // enforce everything but DEBUG
  std::uint64_t xfrm = 0x3;
  std::uint64_t xfrm_mask = ~0xe4ull;        // let AVX / AVX-512 vary
  std::uint32_t misc_select = 0;
  std::uint32_t misc_mask = 0xffffffff;
};

struct Manifest {
  // [loader]
  std::string entrypoint;                 // absolute path of the program
  std::vector<std::string> argv;          // fixed argv (argv[0] included)
  bool allow_host_argv = false;           // pass the caller's arguments through instead
  std::map<std::string, std::string> env; // fixed environment
  std::vector<std::string> passthrough_env;  // host variables passed through by name
  std::string working_dir = "/";
  // [fs]
  std::vector<Mount> mounts;
  std::vector<TrustedFile> trusted_files;   // sorted by path, unique
  std::vector<std::string> allowed_files;   // host paths (file or directory prefix) passed
                                            // through unverified; explicit opt-in
  // Symlinks met on the way to trusted files: link path -> target exactly as readlink(2)
  // returns it (relative targets are relative to the link's directory). The enclave
  // canonicalizes paths through this measured table instead of asking the host.
  std::map<std::string, std::string> symlinks;
  // [net] bind: the addresses and ports AF_INET/AF_INET6 sockets may be bound to, in
  // manifest order, unique. nullopt (no net.bind): every bind is allowed.
  std::optional<std::vector<BindRule>> net_bind;
  // [enclave]
  EnclaveSettings enclave;
};

// Parse a manifest from TOML text. `vars` are template variables ({{name}} in strings).
// Throws ManifestError naming the key and line for unknown keys, wrong types, bad values.
Manifest parse_manifest(const std::string& toml_text, const std::string& source_name,
                        const std::map<std::string, std::string>& vars = {});
Manifest load_manifest_file(const std::string& path,
                            const std::map<std::string, std::string>& vars = {});
// The manifest file's text, as load_manifest_file reads it. Throws ManifestError naming the
// file when it cannot be opened or read.
std::string read_manifest_text(const std::string& path);

// Template form: like parse_manifest, but [fs] trusted_files may also list plain paths
// (files or directories) without a hash; `cocoon manifest --template` hashes them.
struct ManifestTemplate {
  Manifest manifest;                          // trusted_files: only the entries with a hash
  std::vector<std::string> unhashed_trusted;  // plain paths, in file order
  bool sets_env = false;                      // the template has [loader.env]
  bool sets_working_dir = false;              // the template has loader.working_dir
};
ManifestTemplate parse_manifest_template(const std::string& toml_text,
                                         const std::string& source_name,
                                         const std::map<std::string, std::string>& vars = {});

// Template variables every manifest may use: {{arch_libdir}} (this value), {{entrypoint}}
// and {{entrypoint_dir}} (from loader.entrypoint, or from the program `cocoon manifest` is
// given). Values passed in `vars` win.
inline constexpr const char* kArchLibdir = "/lib/x86_64-linux-gnu";

// Canonical TOML for a manifest (deterministic: same manifest, same bytes).
std::string to_toml(const Manifest& m);

// Binary form measured into the enclave (format in manifest_blob.hpp). Deterministic.
std::vector<std::uint8_t> compile_blob(const Manifest& m);

}  // namespace cocoon::manifest
