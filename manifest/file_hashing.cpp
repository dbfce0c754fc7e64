#include "manifest/file_hashing.hpp"

#include "manifest/hash_cache.hpp"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <thread>

namespace cocoon::manifest {
namespace {

constexpr std::size_t kReadLimit = 256 << 10;  // files up to 256 KiB: one read, one digest call
constexpr std::size_t kChunk = 256 << 10;      // larger files: streamed in chunks that stay in L2

const EVP_MD* sha256_md() {
  static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);  // fetched once, never freed
  if (md == nullptr) throw std::runtime_error("OpenSSL: SHA256 is not available");
  return md;
}

struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

class Hasher {
 public:
  Hasher() : ctx_(EVP_MD_CTX_new()), buf_(new std::uint8_t[kReadLimit]) {
    if (!ctx_) throw std::runtime_error("OpenSSL: out of memory");
  }
  Sha256 digest(const void* data, std::size_t size) {
    Sha256 out{};
    unsigned len = 0;
    if (EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx_.get(), data, size) != 1 ||
        EVP_DigestFinal_ex(ctx_.get(), out.data(), &len) != 1 || len != out.size())
      throw std::runtime_error("OpenSSL: SHA-256 failed");
    return out;
  }
  void file(const std::string& path, FileHash& r, HashCache* cache, std::chrono::system_clock::time_point started) {
    if (cache) {
      struct stat st;
      if (stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        if (auto hit = cache->find(path, identity_of(st))) {
          r.sha256 = hit->sha256;
          r.size = static_cast<std::uint64_t>(st.st_size);
          r.is_elf = hit->is_elf;
          return;
        }
    }
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
      r.error = std::string("open: ") + std::strerror(errno);
      return;
    }
    struct stat st;
    if (fstat(fd, &st) != 0) {
      r.error = std::string("stat: ") + std::strerror(errno);
      close(fd);
      return;
    }
    if (!S_ISREG(st.st_mode)) {
      r.error = "not a regular file";
      close(fd);
      return;
    }
    auto size = static_cast<std::size_t>(st.st_size);
    r.size = size;
    if (size <= kReadLimit) {
      std::size_t got = 0;
      while (got < size) {
        ssize_t n = pread(fd, buf_.get() + got, size - got, static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          r.error = n < 0 ? std::string("read: ") + std::strerror(errno) : "file shrank while being read";
          close(fd);
          return;
        }
        got += static_cast<std::size_t>(n);
      }
      r.is_elf = size >= 4 && std::memcmp(buf_.get(), "\x7f" "ELF", 4) == 0;
      r.sha256 = digest(buf_.get(), size);
    } else {
      // Large file: stream it through the buffer (no mapping to set up and tear down).
      if (EVP_DigestInit_ex2(ctx_.get(), sha256_md(), nullptr) != 1) throw std::runtime_error("OpenSSL: SHA-256 failed");
      posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
      std::size_t got = 0;
      while (got < size) {
        ssize_t n = pread(fd, buf_.get(), std::min(kChunk, size - got), static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          r.error = n < 0 ? std::string("read: ") + std::strerror(errno) : "file shrank while being read";
          close(fd);
          return;
        }
        if (got == 0) r.is_elf = n >= 4 && std::memcmp(buf_.get(), "\x7f" "ELF", 4) == 0;
        if (EVP_DigestUpdate(ctx_.get(), buf_.get(), static_cast<std::size_t>(n)) != 1)
          throw std::runtime_error("OpenSSL: SHA-256 failed");
        got += static_cast<std::size_t>(n);
      }
      unsigned len = 0;
      if (EVP_DigestFinal_ex(ctx_.get(), r.sha256.data(), &len) != 1 || len != r.sha256.size())
        throw std::runtime_error("OpenSSL: SHA-256 failed");
    }
    close(fd);
    if (cache) cache->record(path, identity_of(st), {r.sha256, r.is_elf}, started);
  }

 private:
  std::unique_ptr<EVP_MD_CTX, CtxFree> ctx_;
  std::unique_ptr<std::uint8_t[]> buf_;
};

}  // namespace

Sha256 sha256_of(const void* data, std::size_t size) { return Hasher().digest(data, size); }

std::vector<FileHash> hash_files(const std::vector<std::string>& paths, unsigned threads, HashCache* cache) {
  const auto started = std::chrono::system_clock::now();
  std::vector<FileHash> results(paths.size());
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  threads = static_cast<unsigned>(std::min<std::size_t>(threads, std::max<std::size_t>(1, paths.size())));
  sha256_md();  // fail early, before starting threads
  std::atomic<std::size_t> next{0};
  auto work = [&]() {
    std::size_t i = SIZE_MAX;
    try {
      Hasher h;
      while ((i = next.fetch_add(1, std::memory_order_relaxed)) < paths.size()) h.file(paths[i], results[i], cache, started);
    } catch (const std::exception& e) {  // OpenSSL failure: report it on the file at hand
      if (i < paths.size()) results[i].error = e.what();
    }
  };
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  return results;
}

}  // namespace cocoon::manifest
