#include "sim_cpu_store.hpp"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace cocoon::quote {

attest::SimCpu load_or_create_sim_cpu(const std::string& dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw std::runtime_error("simulated CPU: cannot create " + dir + ": " + ec.message());
  ::chmod(dir.c_str(), 0700);
  const std::string path = (fs::path(dir) / kSimCpuRootFile).string();
  auto fail = [&](const std::string& what) {
    throw std::runtime_error("simulated CPU secret " + path + ": " + what);
  };
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) fail(std::strerror(errno));
  ::flock(fd, LOCK_EX);
  std::uint8_t secret[32];
  struct stat st{};
  ::fstat(fd, &st);
  if (st.st_size == 0) {
    if (RAND_bytes(secret, sizeof secret) != 1) {
      ::close(fd);
      fail("no randomness available");
    }
    if (::write(fd, secret, sizeof secret) != static_cast<ssize_t>(sizeof secret)) {
      ::close(fd);
      fail(std::string("write failed: ") + std::strerror(errno));
    }
    ::fsync(fd);
  } else if (st.st_size != 32 || ::pread(fd, secret, sizeof secret, 0) != 32) {
    ::close(fd);
    fail("must hold exactly 32 bytes, has " + std::to_string(st.st_size) +
         "; delete it to create a new one (all simulated sealed data becomes unreadable)");
  }
  ::fchmod(fd, 0600);
  ::close(fd);
  attest::SimCpu cpu;
  const std::uint8_t cpusvn[16] = {};
  if (cpu.init(secret, cpusvn) != attest::SimKeyStatus::Ok) fail("cannot initialize (RDRAND failed)");
  std::memset(secret, 0, sizeof secret);
  return cpu;
}

}  // namespace cocoon::quote
