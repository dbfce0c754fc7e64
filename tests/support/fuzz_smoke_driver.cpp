// Replays a fuzz target's corpus and then feeds it a fixed number of deterministic
// mutations (bit flips, truncations, splices, random bytes). Used as a CTest so that every
// parser that reads untrusted bytes is exercised under the sanitizers on every CI run.
// Usage: <target>_smoke RUNS [CORPUS_DIR_OR_FILE…]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
using Bytes = std::vector<std::uint8_t>;

void add_file(const std::filesystem::path& p, std::vector<Bytes>& corpus) {
  std::ifstream in(p, std::ios::binary);
  corpus.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes mutate(const std::vector<Bytes>& corpus, std::mt19937_64& rng) {
  Bytes b = corpus[rng() % corpus.size()];
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    switch (rng() % 6) {
      case 0:  // flip a bit
        if (!b.empty()) b[rng() % b.size()] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
        break;
      case 1:  // set a byte to an interesting value
        if (!b.empty()) {
          static const std::uint8_t vals[] = {0, 1, 0x7f, 0x80, 0xff, '\n', '"', '='};
          b[rng() % b.size()] = vals[rng() % sizeof vals];
        }
        break;
      case 2:  // truncate
        if (!b.empty()) b.resize(rng() % b.size());
        break;
      case 3: {  // splice from another input
        const Bytes& o = corpus[rng() % corpus.size()];
        if (!o.empty() && !b.empty()) {
          std::size_t at = rng() % b.size(), from = rng() % o.size();
          std::size_t n = std::min<std::size_t>(rng() % 64 + 1, o.size() - from);
          b.insert(b.begin() + static_cast<std::ptrdiff_t>(at), o.begin() + static_cast<std::ptrdiff_t>(from),
                   o.begin() + static_cast<std::ptrdiff_t>(from + n));
        }
        break;
      }
      case 4: {  // overwrite 8 bytes with a random/huge integer
        if (b.size() >= 8) {
          std::uint64_t v = (rng() & 1) ? rng() : ~0ull >> (rng() % 64);
          std::size_t at = rng() % (b.size() - 7);
          for (int k = 0; k < 8; ++k) b[at + static_cast<std::size_t>(k)] = static_cast<std::uint8_t>(v >> (8 * k));
        }
        break;
      }
      default:  // append random bytes
        for (int k = static_cast<int>(rng() % 16); k > 0; --k) b.push_back(static_cast<std::uint8_t>(rng()));
    }
  }
  return b;
}
}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s RUNS [CORPUS…]\n", argv[0]);
    return 2;
  }
  long runs = std::strtol(argv[1], nullptr, 10);
  std::vector<Bytes> corpus;
  for (int i = 2; i < argc; ++i) {
    std::filesystem::path p(argv[i]);
    if (std::filesystem::is_directory(p)) {
      for (auto& e : std::filesystem::recursive_directory_iterator(p))
        if (e.is_regular_file()) add_file(e.path(), corpus);
    } else if (std::filesystem::exists(p)) {
      add_file(p, corpus);
    }
  }
  if (corpus.empty()) corpus.emplace_back();
  for (const Bytes& b : corpus) LLVMFuzzerTestOneInput(b.data(), b.size());
  std::mt19937_64 rng(0xC0C00Full);
  for (long i = 0; i < runs; ++i) {
    Bytes b = mutate(corpus, rng);
    LLVMFuzzerTestOneInput(b.data(), b.size());
  }
  std::printf("fuzz smoke: %zu corpus inputs, %ld mutations, no crash\n", corpus.size(), runs);
  return 0;
}
