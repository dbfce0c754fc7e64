// Fuzz target: SIGSTRUCT parsing, verification and dumps must never crash on any bytes.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "manifest/sigstruct.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cocoon::measure;
  try {
    const auto ss = parse_sigstruct(std::span<const std::uint8_t>(data, size));
    (void)check_einit(ss, EnclaveIdentity{});
    (void)describe_sigstruct(ss);
    (void)sigstruct_to_json(ss).dump();
  } catch (const SigstructError&) {
  }
  return 0;
}
