// The compiled-manifest cache of signed starts (`cocoon run APP.toml`).
//
// A signed start parses the manifest, compiles it to the blob measured into the enclave and
// hashes shim and blob to find MRENCLAVE. For a language runtime's manifest that is most of
// the launcher's work: python3 with its standard library trusted is a 574 KB manifest of
// 3,799 files, about 3.5 ms of a 30 ms start, every time. So the outcome is kept per user in
// ~/.cache/cocoon/manifests, one file per entry, keyed by SHA-256 of the manifest's exact
// text and the identity of the cocoon binary (which holds the parser, the blob compiler and
// the shim). A hit costs one hash of the text and one small file read.
//
// What an entry holds (the settings, the blob, MRENCLAVE) is a pure function of that key, as
// the MRENCLAVE cache's values are: the simulation's EINIT check still compares the
// signature with that MRENCLAVE, and the enclave checks the blob again. An entry that cannot
// be read, is cut short or fails those checks is a miss, never an error.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.hpp"
#include "manifest/measurement.hpp"

namespace cocoon::run {

struct CompiledManifest {
  manifest::Manifest settings;     // the manifest without fs.trusted_files (those are in the blob)
  std::vector<std::uint8_t> blob;  // compile_blob() of the whole manifest
  measure::Digest mrenclave{};     // of the enclave image built from that blob and this shim
};

// The key of a manifest text for this cocoon binary (hex), or "" when the binary cannot be
// identified (then nothing is cached).
std::string compiled_manifest_key(const std::string& text);

// The directory entries live in ($XDG_CACHE_HOME or ~/.cache)/cocoon/manifests.
std::string compiled_manifest_dir();

std::optional<CompiledManifest> load_compiled_manifest(const std::string& key);

// Writes the entry atomically (a temporary file renamed into place) and prunes the directory.
// Errors are ignored: the cache is an optimisation.
void store_compiled_manifest(const std::string& key, const manifest::Manifest& m, const std::vector<std::uint8_t>& blob,
                             const measure::Digest& mrenclave);

}  // namespace cocoon::run
