// The per-host simulated attestation PKI: a root CA standing in for Intel's SGX Root CA, a
// PCK-style intermediate and leaf, and the simulated QE's attestation key (all ECDSA P-256).
// Created on first use and stored, with 0600 files in a 0700 directory, under
// ${COCOON_SIM_DIR:-$HOME/.local/share/cocoon/sim}. Nothing here is secret in any real
// sense: a quote chained to this root proves only that this host's Cocoon produced it.
#pragma once

#include <string>

#include "pck_chain.hpp"
#include "quote_ecdsa.hpp"

namespace cocoon::quote {

struct SimPki {
  std::string dir;
  X509Ptr root;
  X509Ptr pck_ca;
  X509Ptr pck_leaf;
  PkeyPtr pck_leaf_key;
  PkeyPtr attest_key;
  std::string chain_pem;  // leaf ‖ intermediate ‖ root, the type-5 certification data
};

// ${COCOON_SIM_DIR} or $HOME/.local/share/cocoon/sim.
std::string default_sim_dir();

// Loads the PKI from `dir`, creating it first if the directory has none (safe against
// concurrent first use: creation holds an flock on dir/.lock and renames files into place).
// Throws std::runtime_error naming the file at fault.
SimPki load_or_create_sim_pki(const std::string& dir);

// The simulated root as a trust anchor (expects the simulated QE identity); throws if `dir`
// has no simulated root yet.
TrustAnchor sim_root_anchor(const std::string& dir);

inline constexpr const char* kSimRootFile = "root-ca.pem";

}  // namespace cocoon::quote
