// Helpers shared by the attest tests.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace cocoon::attest_test {

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline std::string vector_path(const std::string& rel) { return std::string(COCOON_SHARED_DIR) + "/vectors/" + rel; }

// A fresh directory under the build tree, removed on destruction.
struct TempDir {
  std::filesystem::path path;
  explicit TempDir(const std::string& tag) {
    std::string tmpl = std::string(COCOON_BINARY_DIR) + "/tmp-attest-" + tag + "-XXXXXX";
    std::filesystem::create_directories(std::string(COCOON_BINARY_DIR));
    std::vector<char> buf(tmpl.begin(), tmpl.end());
    buf.push_back('\0');
    path = mkdtemp(buf.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

}  // namespace cocoon::attest_test
