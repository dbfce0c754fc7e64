// Fuzz target: the SGXS reader must reject malformed streams with MeasurementError, never crash.
#include <cstddef>
#include <cstdint>

#include "manifest/measurement.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    (void)cocoon::measure::replay_sgxs(std::span<const std::uint8_t>(data, size));
  } catch (const cocoon::measure::MeasurementError&) {
  }
  return 0;
}
