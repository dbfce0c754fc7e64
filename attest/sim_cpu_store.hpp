// The per-host simulated CPU (attest/sim_keys.hpp) as host processes see it: its "fused" root
// secret lives in ${COCOON_SIM_DIR}/cpu-root.secret (32 random bytes, mode 0600, created on
// first use), so every process on the host — the supervisor that starts enclaves and the quote
// helper that checks their REPORTs — derives the same report keys. SIMULATION ONLY: anyone who
// can read that file can forge reports (see sim_keys.hpp).
#pragma once

#include <string>

#include "attest/sim_keys.hpp"

namespace cocoon::quote {

inline constexpr const char* kSimCpuRootFile = "cpu-root.secret";

// Loads (or creates) the secret in `dir` and initializes a SimCpu with CPUSVN all zero.
// Throws std::runtime_error naming the file at fault.
attest::SimCpu load_or_create_sim_cpu(const std::string& dir);

}  // namespace cocoon::quote
