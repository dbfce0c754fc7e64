#include "digest.hpp"

#include <openssl/evp.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <vector>

#include "image_error.hpp"

namespace cocoon::image {
namespace {

std::string hex_of(const unsigned char* p, unsigned n) {
  static const char* k = "0123456789abcdef";
  std::string s;
  s.reserve(n * 2);
  for (unsigned i = 0; i < n; ++i) {
    s += k[p[i] >> 4];
    s += k[p[i] & 15];
  }
  return s;
}

}  // namespace

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  if (!ctx_ || EVP_DigestInit_ex(static_cast<EVP_MD_CTX*>(ctx_), EVP_sha256(), nullptr) != 1)
    throw ImageError("OpenSSL: cannot initialise SHA-256");
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::update(const void* data, std::size_t size) {
  if (size == 0) return;
  EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data, size);
  size_ += size;
}

std::string Sha256Stream::finish_digest() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), md, &n);
  return "sha256:" + hex_of(md, n);
}

std::string sha256_digest(std::string_view bytes) {
  Sha256Stream s;
  s.update(bytes.data(), bytes.size());
  return s.finish_digest();
}

std::string sha256_file_digest(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw ImageError(path + ": cannot open for hashing");
  Sha256Stream s;
  std::vector<char> buf(1 << 16);
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0) s.update(buf.data(), n);
  bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) throw ImageError(path + ": read error while hashing");
  return s.finish_digest();
}

bool is_valid_digest(std::string_view d) {
  if (d.size() != 7 + 64 || d.substr(0, 7) != "sha256:") return false;
  for (char c : d.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string digest_hex(std::string_view digest, std::string_view what) {
  if (!is_valid_digest(digest))
    throw ImageError(std::string(what) + ": invalid digest \"" + std::string(digest) +
                     "\" (expected sha256:<64 lowercase hex digits>)");
  return std::string(digest.substr(7));
}

}  // namespace cocoon::image
