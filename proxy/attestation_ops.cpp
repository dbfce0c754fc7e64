// The host half of /dev/attestation/quote: the quoting enclave's TARGETINFO and the quote for
// a REPORT, from the AESM service or from this host's simulated QE (attest/quote_source.hpp).
// Runs under the proxy's seccomp filter: everything here uses forwarded syscalls only (files
// of the simulation directory, the AESM Unix socket).
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>
#include <memory>
#include <mutex>

#include "attest/quote_source.hpp"
#include "proxy/proxy.hpp"

namespace cocoon::proxy {

long attestation_op(std::uint64_t op, const long args[6], const std::uint64_t extent[6]) {
  static std::mutex mu;
  static std::unique_ptr<quote::QuoteSource> sources[2];
  const bool aesm = args[0] != 0;
  if (op == channel::kOpQeTargetInfo ? extent[1] != sizeof(quote::TargetInfo)
                                     : extent[1] != sizeof(quote::Report) || static_cast<std::uint64_t>(args[3]) > extent[2])
    return -EFAULT;
  std::lock_guard<std::mutex> lock(mu);
  std::unique_ptr<quote::QuoteSource>& source = sources[aesm ? 1 : 0];
  try {
    if (!source) source = quote::make_quote_source(aesm);
    if (op == channel::kOpQeTargetInfo) {
      quote::TargetInfo ti = source->target_info();
      std::memcpy(reinterpret_cast<void*>(args[1]), &ti, sizeof ti);
      return 0;
    }
    quote::Report report;
    std::memcpy(&report, reinterpret_cast<const void*>(args[1]), sizeof report);
    std::vector<std::uint8_t> q = source->quote(report);
    if (q.size() > static_cast<std::uint64_t>(args[3])) return -EOVERFLOW;
    std::memcpy(reinterpret_cast<void*>(args[2]), q.data(), q.size());
    return static_cast<long>(q.size());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cocoon: attestation: %s: %s\n",
                 source ? source->describe().c_str() : (aesm ? "AESM service" : "simulated QE"), e.what());
    source.reset();  // connect again next time (the service may come back)
    return -EIO;
  }
}

}  // namespace cocoon::proxy
