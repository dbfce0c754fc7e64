// Time inside the enclave without a proxy round trip: the TSC, calibrated against the host
// clock by an occasional host call (an OCALL on hardware). Monotonic never goes backwards.
#pragma once

#include <cstdint>

namespace cocoon::shim::clock {

void init();
// Nanoseconds of CLOCK_MONOTONIC / CLOCK_REALTIME.
std::int64_t monotonic_ns();
std::int64_t realtime_ns();

}  // namespace cocoon::shim::clock
