#include "shim/trusted_files.hpp"

#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/linux_abi.hpp"

namespace cocoon::shim::trusted {

long read_for_mapping(int fd, void* dst, std::uint64_t len, std::uint64_t off) {
  int pfd = fd::to_proxy(fd);
  if (pfd < 0) return -abi::kEBADF;
  long n = proxy_pread(pfd, dst, len, off);
  if (n < 0) return n;
  // Bytes past the end of the file read as zero: the pages came from the allocator zeroed.
  return 0;
}

}  // namespace cocoon::shim::trusted
