// `cocoon sign`: measure the enclave a manifest describes and write its SIGSTRUCT.
//
//   cocoon sign --key signer.pem app.toml            -> app.sig
//   cocoon sign --key - --date 2026-01-01 --output out.sig app.toml   (key on stdin)
//
// Deterministic for a given key, manifest and date. Before signing, every trusted file of the
// manifest is re-hashed (in parallel with the measurement) and signing is refused if one
// changed (--no-verify-files skips this). Files unchanged since they were last hashed (same
// inode, size, mtime and ctime, manifest/hash_cache.hpp) are not read again (--no-hash-cache).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <future>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "manifest/enclave_signing.hpp"
#include "manifest/signing_key.hpp"
#include "manifest/sigstruct.hpp"
#include "shim/shim_image.hpp"

namespace {

struct SignOptions {
  std::string manifest;
  std::string key;
  std::string date;
  std::string output;
  std::string root = "/";
  bool no_verify_files = false;
  bool no_hash_cache = false;
};

std::string default_output(const std::string& manifest) {
  std::string base = manifest;
  if (base.ends_with(".toml")) base.resize(base.size() - 5);
  return base + ".sig";
}

void write_file_atomically(const std::string& path, const std::uint8_t* data, std::size_t size) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw std::runtime_error(path + ": cannot create (" + tmp + ")");
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
    out.flush();
    if (!out) throw std::runtime_error(path + ": write failed");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::filesystem::remove(tmp, ec);
    throw std::runtime_error(path + ": cannot write (" + ec.message() + ")");
  }
}

int run(const SignOptions& o) {
  using namespace cocoon::measure;
  const cocoon::manifest::Manifest m = cocoon::manifest::load_manifest_file(o.manifest);
  const SigningKey key = SigningKey::load(o.key);
  std::uint32_t date = 0;
  try {
    date = o.date.empty() ? today_bcd_date() : parse_date(o.date);
  } catch (const SigstructError& e) {
    throw std::runtime_error(std::string("--date: ") + e.what());
  }

  // Trusted files are re-hashed on other threads while this one measures the image.
  std::future<std::vector<std::string>> file_check;
  if (!o.no_verify_files)
    file_check = std::async(std::launch::async, [&m, &o] {
      std::unique_ptr<cocoon::manifest::HashCache> cache;  // loaded here, while the image is measured
      if (!o.no_hash_cache)
        cache = std::make_unique<cocoon::manifest::HashCache>(cocoon::manifest::HashCache::default_path());
      auto problems = verify_trusted_files(m, o.root, 0, cache.get());
      if (cache) cache->save();
      return problems;
    });

  const EnclaveImage img = enclave_image(m, cocoon::shim::shim_image());
  Digest mrenclave;
  try {
    mrenclave = measure_layout(img.params);
  } catch (const MeasurementError& e) {
    if (file_check.valid()) file_check.wait();
    throw std::runtime_error(o.manifest + ": " + e.what());
  }
  if (file_check.valid()) {
    const auto problems = file_check.get();
    if (!problems.empty()) {
      for (const auto& p : problems) std::fprintf(stderr, "cocoon sign: %s\n", p.c_str());
      std::fprintf(stderr, "cocoon sign: not signed: %zu trusted file(s) changed or unreadable\n", problems.size());
      return 1;
    }
  }

  const SigstructBytes sig = sign_sigstruct(sigstruct_fields(m.enclave, mrenclave, date), key);
  const std::string out = o.output.empty() ? default_output(o.manifest) : o.output;
  write_file_atomically(out, sig.data(), sig.size());
  std::cout << "MRENCLAVE " << to_hex(mrenclave) << "\n"
            << "MRSIGNER " << to_hex(mrsigner(parse_sigstruct(sig))) << "\n"
            << "wrote " << out << "\n";
  return 0;
}

cocoon::tools::CommandRegistration reg{
    "sign", "Measure a manifest's enclave and write its signed SIGSTRUCT (.sig)",
    [](CLI::App& app) {
      auto o = std::make_shared<SignOptions>();
      app.add_option("manifest", o->manifest, "The manifest (.toml)")->required();
      app.add_option("--key", o->key, "Signing key (PEM, RSA-3072, e=3), or - for standard input")->required();
      app.add_option("--date", o->date, "SIGSTRUCT DATE as YYYY-MM-DD (default: today, UTC)");
      app.add_option("--output,-o", o->output, "Where to write the SIGSTRUCT (default: the manifest name with .sig)");
      app.add_option("--root", o->root, "Root filesystem the trusted file paths are in (default /)");
      app.add_flag("--no-verify-files", o->no_verify_files, "Do not re-hash the trusted files before signing");
      app.add_flag("--no-hash-cache", o->no_hash_cache,
                   "Re-hash every trusted file, even those unchanged (same inode, size, mtime, ctime) since "
                   "they were last hashed");
      return [o]() -> int {
        try {
          return run(*o);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cocoon sign: %s\n", e.what());
          return 1;
        }
      };
    }};

}  // namespace
