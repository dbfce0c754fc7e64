// Throughput of the shim's crypto against OpenSSL.
//
//   crypto_bench                       Google Benchmark output (bytes/s per case)
//   crypto_bench --ratios              also prints shim/OpenSSL ratios at the end
//
// SHA-256: shim SHA-NI, shim portable, OpenSSL (EVP, which uses SHA-NI too when present) on
// 64 B, 4 KiB and 1 MiB. AES-128-CMAC: shim AES-NI, shim portable, OpenSSL on the same sizes.
#include <benchmark/benchmark.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <cstdio>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "shim/crypto/aes128.hpp"
#include "shim/crypto/sha256.hpp"

namespace {

using cocoon::crypto::AesImpl;
using cocoon::crypto::Sha256Impl;

const std::vector<std::uint8_t>& buffer() {
  static const std::vector<std::uint8_t> buf = [] {
    std::vector<std::uint8_t> b(1 << 20);
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 131 + 7);
    return b;
  }();
  return buf;
}

void BM_Sha256Shim(benchmark::State& state, Sha256Impl impl) {
  if (impl == Sha256Impl::ShaNi && !cocoon::crypto::sha256_shani_available()) {
    state.SkipWithError("no SHA-NI on this CPU");
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint8_t md[32];
  for (auto _ : state) {
    cocoon::crypto::sha256(buffer().data(), n, md, impl);
    benchmark::DoNotOptimize(md);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_Sha256OpenSsl(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint8_t md[32];
  EVP_MD* sha = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // fetched once, as a real user would
  for (auto _ : state) {
    EVP_Digest(buffer().data(), n, md, nullptr, sha, nullptr);
    benchmark::DoNotOptimize(md);
  }
  EVP_MD_free(sha);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

constexpr std::uint8_t kKey[16] = {0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                                   0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};

void BM_CmacShim(benchmark::State& state, AesImpl impl) {
  if (impl == AesImpl::AesNi && !cocoon::crypto::aes128_ni_available()) {
    state.SkipWithError("no AES-NI on this CPU");
    return;
  }
  const auto n = static_cast<std::size_t>(state.range(0));
  std::uint8_t mac[16];
  for (auto _ : state) {
    cocoon::crypto::aes128_cmac(kKey, buffer().data(), n, mac, impl);
    benchmark::DoNotOptimize(mac);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void BM_CmacOpenSsl(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  EVP_MAC* mac_alg = EVP_MAC_fetch(nullptr, "CMAC", nullptr);
  char cipher[] = "AES-128-CBC";
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER, cipher, 0),
                         OSSL_PARAM_construct_end()};
  std::uint8_t mac[16];
  std::size_t len = 0;
  for (auto _ : state) {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac_alg);
    EVP_MAC_init(ctx, kKey, sizeof kKey, params);
    EVP_MAC_update(ctx, buffer().data(), n);
    EVP_MAC_final(ctx, mac, &len, sizeof mac);
    EVP_MAC_CTX_free(ctx);
    benchmark::DoNotOptimize(mac);
  }
  EVP_MAC_free(mac_alg);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

void sizes(benchmark::internal::Benchmark* b) { b->Arg(64)->Arg(4096)->Arg(1 << 20); }

BENCHMARK_CAPTURE(BM_Sha256Shim, shani, Sha256Impl::ShaNi)->Apply(sizes);
BENCHMARK_CAPTURE(BM_Sha256Shim, portable, Sha256Impl::Portable)->Apply(sizes);
BENCHMARK(BM_Sha256OpenSsl)->Apply(sizes);
BENCHMARK_CAPTURE(BM_CmacShim, aesni, AesImpl::AesNi)->Apply(sizes);
BENCHMARK_CAPTURE(BM_CmacShim, portable, AesImpl::Portable)->Apply(sizes);
BENCHMARK(BM_CmacOpenSsl)->Apply(sizes);

// Collects bytes/s per run name so ratios can be printed after the normal report.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const auto& r : runs) {
      auto it = r.counters.find("bytes_per_second");
      if (it != r.counters.end() && !r.error_occurred) rates_[r.benchmark_name()] = it->second.value;
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void print_ratios() const {
    std::printf("\nratios (throughput, higher is faster):\n");
    for (const char* size : {"64", "4096", "1048576"}) {
      auto rate = [&](const std::string& name) {
        auto it = rates_.find(name + "/" + size);
        return it == rates_.end() ? 0.0 : it->second;
      };
      const double shani = rate("BM_Sha256Shim/shani"), portable = rate("BM_Sha256Shim/portable");
      const double ossl = rate("BM_Sha256OpenSsl");
      const double cmac_ni = rate("BM_CmacShim/aesni"), cmac_portable = rate("BM_CmacShim/portable");
      const double cmac_ossl = rate("BM_CmacOpenSsl");
      std::printf("  %7s B  sha256: shani %.2f GB/s, shani/portable %.2fx, shani/openssl %.2fx | "
                  "cmac: aesni %.2f GB/s, aesni/portable %.2fx, aesni/openssl %.2fx\n",
                  size, shani / 1e9, portable > 0 ? shani / portable : 0, ossl > 0 ? shani / ossl : 0,
                  cmac_ni / 1e9, cmac_portable > 0 ? cmac_ni / cmac_portable : 0,
                  cmac_ossl > 0 ? cmac_ni / cmac_ossl : 0);
    }
  }

 private:
  std::map<std::string, double> rates_;
};

}  // namespace

int main(int argc, char** argv) {
  bool ratios = false;
  std::vector<char*> args;
  for (int i = 0; i < argc; ++i) {
    if (std::strcmp(argv[i], "--ratios") == 0)
      ratios = true;
    else
      args.push_back(argv[i]);
  }
  int n = static_cast<int>(args.size());
  benchmark::Initialize(&n, args.data());
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  if (ratios) reporter.print_ratios();
  benchmark::Shutdown();
  return 0;
}
