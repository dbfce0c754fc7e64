#include "tools/run/signed_launch.hpp"

#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>

#include "attest/sim_cpu_store.hpp"
#include "attest/sim_pki.hpp"
#include "manifest/enclave_signing.hpp"
#include "manifest/hash_cache.hpp"
#include "manifest/manifest.hpp"
#include "manifest/manifest_generate.hpp"
#include "manifest/measurement.hpp"
#include "manifest/signing_key.hpp"
#include "manifest/sigstruct.hpp"
#include "shim/crypto/sha256.hpp"
#include "shim/shim_image.hpp"
#include "tools/run/cache_dir.hpp"
#include "tools/run/manifest_cache.hpp"

extern char** environ;

namespace cocoon::run {
namespace {

namespace fs = std::filesystem;

// MRENCLAVE of an image is a pure function of the shim, the compiled manifest and the
// layout parameters; measuring a multi-GiB enclave on every start would dominate start-up,
// so the value is cached per user, keyed by a hash of exactly those inputs. (In simulation
// the host is the only EINIT there is; on hardware EINIT recomputes it regardless.)
measure::Digest cached_mrenclave(const layout::LayoutParams& p) {
  std::uint64_t params[] = {p.enclave_size, p.max_threads, p.ssa_frame_pages, p.nssa, p.stack_size, p.altstack_size,
                            p.heap_executable ? 1u : 0u, p.shim_elf_size, p.manifest_size};
  // Cocoon's own SHA-256 (SHA-NI), not OpenSSL's EVP: the first EVP digest of a process costs
  // about 0.5 ms of provider set-up, and nothing else on the way to a cached launch needs it.
  std::uint8_t key[32];
  crypto::Sha256 h;
  h.update(params, sizeof params);
  h.update(p.shim_elf, p.shim_elf_size);
  h.update(p.manifest, p.manifest_size);
  h.final(key);
  fs::path dir = user_dir("XDG_CACHE_HOME", "/.cache") + "/cocoon/mrenclave";
  fs::path file = dir / measure::to_hex(key);
  measure::Digest d{};
  std::ifstream in(file, std::ios::binary);
  if (in.read(reinterpret_cast<char*>(d.data()), 32) && in.gcount() == 32) {
    touch_cache_file(file.string());
    return d;
  }
  d = measure::measure_layout(p);
  std::error_code ec;
  fs::create_directories(dir, ec);
  std::string tmp = file.string() + ".tmp" + std::to_string(getpid());
  {
    std::ofstream out(tmp, std::ios::binary);
    out.write(reinterpret_cast<const char*>(d.data()), 32);
  }
  fs::rename(tmp, file, ec);
  prune_cache_dir(dir.string());
  return d;
}

std::vector<std::uint8_t> read_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw LaunchError(std::string(what) + " " + path + ": cannot read it");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The simulated processor and the identity EINIT gave the enclave, for its EREPORT/EGETKEY
// (/dev/attestation). A host whose simulation directory cannot be used runs the enclave
// without /dev/attestation (said in verbose mode) rather than not at all.
void attach_sim_attestation(const manifest::Manifest& m, const measure::Digest& mr, const sgx::Sigstruct& ss,
                            RunOptions& o) {
  launch::SimAttestation sa;
  std::memset(&sa, 0, sizeof sa);
  try {
    sa.cpu = quote::load_or_create_sim_cpu(quote::default_sim_dir());
  } catch (const std::exception& e) {
    if (o.verbose) std::fprintf(stderr, "cocoon: no /dev/attestation in this enclave: %s\n", e.what());
    return;
  }
  std::memcpy(sa.self.mr_enclave, mr.data(), 32);
  measure::Digest signer = measure::mrsigner(ss);
  std::memcpy(sa.self.mr_signer, signer.data(), 32);
  sa.self.attributes = {m.enclave.attributes | sgx::kAttrInit | (m.enclave.debug ? sgx::kAttrDebug : 0),
                        m.enclave.xfrm};
  sa.self.misc_select = m.enclave.misc_select;
  sa.self.isv_prod_id = ss.isv_prod_id;
  sa.self.isv_svn = ss.isv_svn;
  o.sim_attestation = sa;
}

// EINIT, simulated: the SIGSTRUCT must be valid and describe exactly this enclave.
void check_signature(const manifest::Manifest& m, const measure::Digest& mr, const sgx::Sigstruct& ss,
                     const std::string& sig_name, RunOptions& o) {
  measure::EnclaveIdentity secs;
  secs.mrenclave = mr;
  secs.attributes = {m.enclave.attributes | (m.enclave.debug ? sgx::kAttrDebug : 0), m.enclave.xfrm};
  secs.misc_select = m.enclave.misc_select;
  std::vector<std::string> problems = measure::check_einit(ss, secs);
  if (!problems.empty())
    throw LaunchError(sig_name + " does not sign this enclave, nothing was run: " + measure::join_problems(problems));
  attach_sim_attestation(m, mr, ss, o);
}

void fill_options(const manifest::Manifest& m, std::vector<std::uint8_t>&& blob,
                  const std::vector<std::string>& host_args, RunOptions& o) {
  o.manifest = std::move(blob);
  o.program = m.entrypoint;
  if (m.allow_host_argv && !host_args.empty()) o.argv = host_args;
  else o.argv = m.argv;
  if (o.argv.empty()) o.argv = {m.entrypoint};
  o.enclave_size = m.enclave.size;
  o.max_threads = m.enclave.max_threads;
}

// ---- zero-config cache ----
// Generating the manifest (hashing the program and its libraries) and signing it cost more
// than the rest of start-up, so the result is kept per user, keyed by everything it depends
// on: the command line, working directory, environment names, enclave settings, the cocoon
// binary, the shim and the development key. It is reused only while every trusted file
// still has the same identity (device, inode, size, mtime, ctime); and in any case the shim
// verifies each trusted file's hash in the enclave, so a stale entry can only cause a
// refusal, never the acceptance of other bytes.

std::string zero_config_key(const std::vector<std::string>& command, const RunOptions& o, const std::string& key_path) {
  std::string material = "cocoon-zero-config-v1";
  auto add = [&](const std::string& s) {
    material += std::to_string(s.size()) + ":" + s;
  };
  for (const auto& a : command) add(a);
  char cwd[4096] = "";
  if (getcwd(cwd, sizeof cwd)) add(cwd);
  std::vector<std::string> names;
  for (char** e = environ; *e; ++e) names.emplace_back(std::string(*e).substr(0, std::string(*e).find('=')));
  for (const auto& n : names) add(n);
  add(std::to_string(o.enclave_size) + "/" + std::to_string(o.max_threads));
  // The cocoon binary (and the shim embedded in it) by its identity: a rebuilt binary is
  // another entry.
  add(file_identity("/proc/self/exe"));
  add(file_identity(key_path));
  std::uint8_t digest[32];
  crypto::sha256(material.data(), material.size(), digest);
  return measure::to_hex(digest);
}

fs::path zero_config_dir() { return user_dir("XDG_CACHE_HOME", "/.cache") + "/cocoon/zero-config"; }

// Returns true and fills m/sig when a still-valid entry exists.
bool load_zero_config(const std::string& key, manifest::Manifest& m, std::vector<std::uint8_t>& sig) {
  fs::path base = zero_config_dir() / key;
  std::ifstream ids(base.string() + ".ids");
  if (!ids) return false;
  std::string line;
  while (std::getline(ids, line)) {
    auto tab = line.find('\t');
    if (tab == std::string::npos || file_identity(line.substr(0, tab)) != line.substr(tab + 1)) return false;
  }
  try {
    m = manifest::load_manifest_file(base.string() + ".toml");
    sig = read_file(base.string() + ".sig", "cached signature");
  } catch (const std::exception&) {
    return false;
  }
  if (sig.size() != measure::kSigstructSize) return false;
  touch_cache_file(base.string() + ".ids");
  return true;
}

void store_zero_config(const std::string& key, const manifest::Manifest& m, std::span<const std::uint8_t> sig) {
  std::error_code ec;
  fs::create_directories(zero_config_dir(), ec);
  fs::path base = zero_config_dir() / key;
  std::string tmp = "." + std::to_string(getpid()) + ".tmp";
  {
    std::ofstream(base.string() + ".toml" + tmp) << manifest::to_toml(m);
    std::ofstream sig_out(base.string() + ".sig" + tmp, std::ios::binary);
    sig_out.write(reinterpret_cast<const char*>(sig.data()), static_cast<std::streamsize>(sig.size()));
    std::ofstream ids(base.string() + ".ids" + tmp);
    for (const auto& t : m.trusted_files) ids << t.path << '\t' << file_identity(t.path) << '\n';
  }
  fs::rename(base.string() + ".toml" + tmp, base.string() + ".toml", ec);
  fs::rename(base.string() + ".sig" + tmp, base.string() + ".sig", ec);
  fs::rename(base.string() + ".ids" + tmp, base.string() + ".ids", ec);  // last: marks the entry complete
  prune_cache_dir(zero_config_dir().string());
}

// The development key of zero-config runs, kept at `path` and made on first use. Two first
// runs at once each make one; link() lets one of them win and both use it. A key that
// cannot be kept (a read-only or missing home, as in many pods) gives this run a temporary
// one, said on stderr: its MRSIGNER is its own, so what it seals no later run can unseal.
struct DevKey {
  std::optional<measure::SigningKey> made;  // made by this run (else the kept one, loaded when needed)
  bool kept;
};

// Writes `key` to `path` unless another run made one first (then that one is loaded into
// `key`). Empty on success, else why it cannot be kept.
std::string keep_dev_key(measure::SigningKey& key, const std::string& path) {
  std::error_code ec;
  const fs::path dir = fs::path(path).parent_path();
  fs::create_directories(dir, ec);
  if (ec) return dir.string() + ": cannot create (" + ec.message() + ")";
  const std::string tmp = path + "." + std::to_string(getpid()) + ".tmp";
  try {
    key.write_private_pem(tmp, true);
  } catch (const std::exception& e) {
    return e.what();
  }
  int linked = link(tmp.c_str(), path.c_str());
  int err = errno;
  unlink(tmp.c_str());
  if (linked == 0) return {};
  if (err != EEXIST) return path + ": cannot create (" + std::strerror(err) + ")";
  key = measure::SigningKey::load(path);  // another run's, made meanwhile
  return {};
}

DevKey dev_signing_key(const std::string& path, bool verbose) {
  if (access(path.c_str(), F_OK) == 0) return {std::nullopt, true};  // parsing it costs ~1 ms: only if signing
  measure::SigningKey key = measure::SigningKey::generate();
  std::string why = keep_dev_key(key, path);
  if (why.empty()) {
    if (verbose) std::fprintf(stderr, "cocoon: using the development signing key %s\n", path.c_str());
    return {std::move(key), true};
  }
  std::fprintf(stderr,
               "cocoon: cannot keep a development signing key (%s); this zero-config run is signed with a temporary "
               "key, so data it seals cannot be unsealed by a later run. Set XDG_DATA_HOME to a writable directory to "
               "keep one\n",
               why.c_str());
  return {std::move(key), false};
}

}  // namespace

std::string dev_key_path() { return user_dir("XDG_DATA_HOME", "/.local/share") + "/cocoon/dev-signer.pem"; }

void prepare_signed(const std::string& manifest_path, const std::string& sig_path,
                    const std::vector<std::string>& host_args, RunOptions& o) {
  // The compiled form of this exact text, from an earlier start (tools/run/manifest_cache.hpp):
  // found without reading the manifest when the file is unchanged since a start recorded it.
  std::string cache_key = known_manifest_key(manifest_path);
  std::optional<CompiledManifest> compiled;
  if (!cache_key.empty()) compiled = load_compiled_manifest(cache_key);
  std::string text;
  if (!compiled) {
    const std::string identity = file_identity(manifest_path);
    const std::int64_t read_at =
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    try {
      text = manifest::read_manifest_text(manifest_path);
    } catch (const std::exception& e) {
      throw LaunchError(e.what());
    }
    cache_key = compiled_manifest_key(text);
    compiled = load_compiled_manifest(cache_key);
    remember_manifest_key(manifest_path, identity, cache_key, read_at);
  }
  const bool cached = compiled.has_value();
  if (!cached) {
    compiled.emplace();
    try {
      compiled->settings = manifest::parse_manifest(text, manifest_path);
    } catch (const std::exception& e) {
      throw LaunchError(e.what());
    }
  }
  const manifest::Manifest& m = compiled->settings;
  if (!host_args.empty() && !m.allow_host_argv)
    throw LaunchError(manifest_path + ": the manifest fixes argv (set loader.allow_host_argv to pass arguments)");
  std::vector<std::uint8_t> sig_bytes = read_file(sig_path, "signature");
  sgx::Sigstruct ss;
  try {
    ss = measure::parse_sigstruct(sig_bytes);
  } catch (const std::exception& e) {
    throw LaunchError(sig_path + ": " + e.what());
  }
  if (!cached) {
    measure::EnclaveImage img = measure::enclave_image(m, shim::shim_image());
    compiled->mrenclave = cached_mrenclave(img.params);
    compiled->blob = std::move(img.blob);
  }
  check_signature(m, compiled->mrenclave, ss, sig_path, o);
  if (!cached) store_compiled_manifest(cache_key, m, compiled->blob, compiled->mrenclave);
  fill_options(m, std::move(compiled->blob), host_args, o);
  if (o.verbose)
    std::fprintf(stderr, "cocoon: %s: signature %s matches (MRSIGNER %s)%s\n", manifest_path.c_str(), sig_path.c_str(),
                 measure::to_hex(measure::mrsigner(ss)).c_str(),
                 cached ? "; compiled manifest from the cache" : "");
}

void prepare_zero_config(const std::vector<std::string>& command, RunOptions& o) {
  std::string key_path = dev_key_path();
  DevKey dev = dev_signing_key(key_path, o.verbose);
  // A temporary key's manifests are not kept: no later run has that key.
  std::string cache_key = dev.kept ? zero_config_key(command, o, key_path) : "";
  manifest::Manifest m;
  std::vector<std::uint8_t> sig;
  bool cached = dev.kept && load_zero_config(cache_key, m, sig);
  std::span<const std::uint8_t> shim = shim::shim_image();
  if (!cached) {
    manifest::GenerateOptions g;
    g.command = command;
    g.allowed = {"/"};  // zero-config: the program and its libraries are verified, the rest passes
    manifest::HashCache hashes(manifest::HashCache::default_path());
    g.hash_cache = &hashes;
    try {
      m = manifest::generate_manifest(g).manifest;
      hashes.save();
    } catch (const std::exception& e) {
      throw LaunchError(e.what());
    }
    // argv is the generated one: the command line as given, with a #! script's interpreter
    // in front, exactly as the kernel would have started it.
    m.allow_host_argv = false;
    m.env.clear();
    m.passthrough_env.clear();
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      std::string name = kv.substr(0, kv.find('='));
      if (!name.empty() &&
          std::find(m.passthrough_env.begin(), m.passthrough_env.end(), name) == m.passthrough_env.end())
        m.passthrough_env.push_back(name);
    }
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd)) m.working_dir = cwd;
    m.enclave.size = o.enclave_size;
    m.enclave.max_threads = o.max_threads;
    measure::EnclaveImage fresh = measure::enclave_image(m, shim);
    measure::Digest mr = cached_mrenclave(fresh.params);
    if (!dev.made) dev.made = measure::SigningKey::load(key_path);
    measure::SigstructBytes bytes = measure::sign_sigstruct(measure::sigstruct_fields(m.enclave, mr, 0), *dev.made);
    sig.assign(bytes.begin(), bytes.end());
    if (dev.kept) store_zero_config(cache_key, m, sig);
  }
  measure::EnclaveImage img = measure::enclave_image(m, shim);
  sgx::Sigstruct ss = measure::parse_sigstruct(sig);
  check_signature(m, cached_mrenclave(img.params), ss, "the development signature", o);
  fill_options(m, std::move(img.blob), {}, o);
  o.program = command.front();
  if (o.verbose)
    std::fprintf(stderr,
                 "cocoon: zero-config run: %s manifest (%zu trusted files, every other path allowed) signed with the "
                 "development key %s\n",
                 cached ? "a cached" : "a generated", m.trusted_files.size(),
                 dev.kept ? key_path.c_str() : "(temporary)");
}

}  // namespace cocoon::run
