// Fuzz target: JSONL measurement-log replay must reject malformed logs with MeasurementError.
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>

#include "manifest/measurement.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  try {
    (void)cocoon::measure::replay_jsonl(in);
  } catch (const cocoon::measure::MeasurementError&) {
  }
  return 0;
}
