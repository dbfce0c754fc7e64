// Fuzzes the proxy's request validation: arbitrary requests against a data area must never
// make it touch memory outside that area. Only harmless operations are let through to the
// kernel (the fuzzer must not unlink files or kill processes): the op is mapped onto a small
// set of read-only calls on an fd that refers to /dev/zero.
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "proxy/proxy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size) {
  static int zero = open("/dev/zero", O_RDONLY);
  cocoon::channel::Request rq{};
  if (size != 0) std::memcpy(&rq, bytes, size < sizeof rq ? size : sizeof rq);  // bytes may be null when empty
  static const long safe_ops[] = {SYS_pread64, SYS_read, SYS_readv, SYS_fstat, SYS_lseek, SYS_getcwd,
                                  static_cast<long>(cocoon::channel::kOpPing)};
  rq.op = static_cast<std::uint64_t>(safe_ops[rq.op % (sizeof safe_ops / sizeof safe_ops[0])]);
  rq.args[0] = zero;
  if (rq.op == SYS_readv) rq.args[2] = 1;
  static std::vector<std::uint8_t> data(8192);
  cocoon::proxy::execute_request(rq, data.data(), data.size());
  return 0;
}
