// The two ways into `cocoon run`, which end in the same signed-manifest launch:
//   * signed:      cocoon run app.toml [-- ARGS]   — app.sig must match the enclave built from
//                  app.toml (signature valid, ENCLAVEHASH == MRENCLAVE, attributes); else
//                  nothing runs;
//   * zero-config: cocoon run -- PROGRAM ARGS       — a manifest is generated (the program's
//                  dependency closure trusted, every other path explicitly allowed, the
//                  caller's argv and environment passed through) and signed with a per-user
//                  development key (created once, reused).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/run/launcher.hpp"

namespace cocoon::run {

struct LaunchError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Fills o.manifest, o.program, o.argv, o.enclave_size, o.max_threads from a signed manifest.
// host_args: what followed the manifest on the command line (argv when allow_host_argv).
// Throws LaunchError naming what is wrong (unreadable files, bad signature, MRENCLAVE
// mismatch with both values, …).
void prepare_signed(const std::string& manifest_path, const std::string& sig_path,
                    const std::vector<std::string>& host_args, RunOptions& o);

// Zero-config: generate + sign in memory, then the same checks. Throws LaunchError.
void prepare_zero_config(const std::vector<std::string>& command, RunOptions& o);

// The per-user development signing key (created with mode 0600 on first use).
std::string dev_key_path();

}  // namespace cocoon::run
