// Shared by the image integration and end-to-end tests: runs shell commands, builds the real
// test images once (make_test_images.sh, cached under the build directory) and wraps them
// with the real `cocoon wrap-image`.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "test_layers.hpp"

namespace cocoon::image::e2e {

namespace fs = std::filesystem;

struct ShellResult {
  int status = -1;  // exit status, or -1 when it did not exit normally
  std::string output;  // stdout and stderr
};

inline ShellResult sh(const std::string& cmd) {
  ShellResult r;
  std::FILE* p = popen((cmd + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) r.output.append(buf, n);
  int st = pclose(p);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

inline bool have(const char* tool) { return sh(std::string("command -v ") + tool + " >/dev/null").status == 0; }

inline std::string cocoon() { return std::string(COCOON_BINARY_DIR) + "/cocoon"; }
inline std::string images() { return std::string(COCOON_BINARY_DIR) + "/image-e2e-images"; }

// Builds the test images (once) and a signing key; returns an empty string, or why the test
// has to be skipped.
inline std::string prepare() {
  for (const char* t : {"umoci", "skopeo"})
    if (!have(t)) return std::string(t) + " is not installed (apt-get install umoci skopeo)";
  if (!fs::exists(cocoon())) return "the cocoon executable is not built at " + cocoon();
  ShellResult r = sh(std::string(COCOON_SOURCE_DIR) + "/tests/image/make_test_images.sh " + images());
  if (r.status == 77) return r.output;
  EXPECT_EQ(r.status, 0) << r.output;
  std::string key = images() + "/signer.pem";
  if (!fs::exists(key)) {
    std::string tmp = key + "." + std::to_string(getpid());
    ShellResult k = sh(cocoon() + " keygen --out " + tmp);
    EXPECT_EQ(k.status, 0) << k.output;
    fs::rename(tmp, key);
  }
  return "";
}

inline std::string key() { return images() + "/signer.pem"; }

// "MRENCLAVE <hex>" etc. from wrap-image's output.
inline std::string field(const std::string& out, const std::string& name) {
  auto at = out.find(name + " ");
  if (at == std::string::npos) return "";
  auto end = out.find('\n', at);
  return out.substr(at + name.size() + 1, end - at - name.size() - 1);
}

}  // namespace cocoon::image::e2e
