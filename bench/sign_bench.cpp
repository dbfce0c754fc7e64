// sign_bench: how long `cocoon sign` takes for a large enclave, against the hardware limit.
//
// Workload (what `cocoon sign` does): an 8 GiB enclave (64 threads, the real shim, a manifest
// listing 200 MiB of trusted files) is measured into MRENCLAVE while the trusted files are
// re-hashed in parallel, then the SIGSTRUCT is signed. Reference: single-core SHA-256
// throughput measured in the same run with OpenSSL EVP over 16 KiB blocks (what
// `openssl speed -evp sha256` reports for its largest block). The ideal single-core time is
// (bytes that must be hashed) / (that throughput); the goal is a ratio within 2x of it.
//
// Usage: sign_bench [RUNS (default 5)] [TRUSTED_MIB (default 200)] [ENCLAVE_GIB (default 8)]
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <vector>

#include "manifest/enclave_signing.hpp"
#include "manifest/signing_key.hpp"
#include "shim/shim_image.hpp"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// Single-core SHA-256 throughput in bytes/s: hash 16 KiB blocks for ~1 s.
double sha256_throughput() {
  std::vector<unsigned char> buf(16 * 1024, 0xa5);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  unsigned char out[32];
  std::uint64_t bytes = 0;
  const auto t0 = Clock::now();
  double t = 0;
  do {
    for (int i = 0; i < 256; ++i) {
      EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
      EVP_DigestUpdate(ctx, buf.data(), buf.size());
      EVP_DigestFinal_ex(ctx, out, nullptr);
      bytes += buf.size();
    }
    t = seconds_since(t0);
  } while (t < 1.0);
  EVP_MD_CTX_free(ctx);
  return static_cast<double>(bytes) / t;
}

// Bytes SHA-256 must consume to measure the layout: 64 per ECREATE/EADD record, 320 per
// measured 256-byte chunk.
std::uint64_t measured_bytes(const cocoon::layout::LayoutParams& p) {
  struct Count {
    std::uint64_t bytes = 64;
  } c;
  cocoon::layout::EnclaveDescriptor d{};
  cocoon::layout::build_layout(
      p, d,
      [](const cocoon::layout::PageRun& r, void* ctx) {
        auto& n = static_cast<Count*>(ctx)->bytes;
        n += r.pages * 64;
        if (r.measured) n += r.pages * 16 * 320;
      },
      &c);
  return c.bytes;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace cocoon::measure;
  const int runs = argc > 1 ? std::max(1, std::atoi(argv[1])) : 5;
  const std::uint64_t trusted_mib = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 200;
  const std::uint64_t enclave_gib = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 8;

  // Trusted files: 4 MiB each, pseudo-random contents, in a private temp directory.
  const auto dir = std::filesystem::temp_directory_path() / ("cocoon-sign-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  cocoon::manifest::Manifest m;
  m.entrypoint = "/bin/true";
  m.argv = {"/bin/true"};
  m.enclave.size = enclave_gib << 30;
  m.enclave.max_threads = 64;
  const std::uint64_t file_bytes = 4ull << 20;
  std::vector<std::uint64_t> block(file_bytes / 8);
  std::uint64_t x = 0x9e3779b97f4a7c15ull;
  for (std::uint64_t i = 0; i < trusted_mib / 4; ++i) {
    for (auto& w : block) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      w = x;
    }
    const auto path = dir / ("lib" + std::to_string(i) + ".so");
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(block.data()), file_bytes);
    cocoon::manifest::TrustedFile tf;
    tf.path = path.string();
    unsigned len = 0;
    EVP_Digest(block.data(), file_bytes, tf.sha256.data(), &len, EVP_sha256(), nullptr);
    m.trusted_files.push_back(tf);
  }
  const SigningKey key = SigningKey::load(argc > 4 ? argv[4] : COCOON_SHARED_DIR "/vectors/sigstruct/synthetic_test_key.pem");

  const EnclaveImage img = enclave_image(m, cocoon::shim::shim_image());
  const std::uint64_t layout_bytes = measured_bytes(img.params);
  const std::uint64_t trusted_bytes = m.trusted_files.size() * file_bytes;

  std::vector<double> times;
  Digest mrenclave{};
  for (int r = 0; r < runs; ++r) {
    const auto t0 = Clock::now();
    auto files = std::async(std::launch::async, [&m] { return verify_trusted_files(m); });
    mrenclave = measure_layout(img.params);
    const auto problems = files.get();
    if (!problems.empty()) {
      std::fprintf(stderr, "sign_bench: %s\n", problems[0].c_str());
      return 1;
    }
    const auto sig = sign_sigstruct(sigstruct_fields(m.enclave, mrenclave, 0x20260101), key);
    times.push_back(seconds_since(t0));
    if (sig[0] != 6) return 1;
  }
  const double throughput = sha256_throughput();
  std::filesystem::remove_all(dir);

  const double t = median(times);
  const double ideal = static_cast<double>(layout_bytes + trusted_bytes) / throughput;
  std::printf("enclave:            %llu GiB, 64 threads, MRENCLAVE %s\n",
              static_cast<unsigned long long>(enclave_gib), to_hex(mrenclave).c_str());
  std::printf("trusted files:      %zu x 4 MiB = %.0f MiB (re-hashed in parallel)\n", m.trusted_files.size(),
              static_cast<double>(trusted_bytes) / (1 << 20));
  std::printf("SHA-256 input:      %.1f MiB measurement records + %.1f MiB files\n",
              static_cast<double>(layout_bytes) / (1 << 20), static_cast<double>(trusted_bytes) / (1 << 20));
  std::printf("SHA-256 1 core:     %.0f MiB/s (OpenSSL EVP, 16 KiB blocks)\n", throughput / (1 << 20));
  std::printf("ideal single-core:  %.3f s\n", ideal);
  std::printf("measure+sign:       %.3f s median of %d (min %.3f, max %.3f)\n", t, runs,
              *std::min_element(times.begin(), times.end()), *std::max_element(times.begin(), times.end()));
  std::printf("ratio:              %.2fx the single-core SHA-256 limit (goal <= 2x)\n", t / ideal);
  return 0;
}
