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

// A start must not hash a large manifest each time to find its key (python3's stdlib manifest
// is 574 KB: 0.5 ms). So the key of a manifest file is also remembered under the file's
// identity (tools/run/cache_dir.hpp file_identity: device, inode, size, mtime and ctime; any
// write changes the ctime, which no user can set back) in a small ".key" file beside the
// entries. known_manifest_key() gives it back for an unchanged file, or "".
// remember_manifest_key() records `key` (compiled_manifest_key of the text read) when the
// identity seen before reading the text is the one
// after, and the file was last changed more than `racy_window` before `read_at` (a file still
// being written within one timestamp tick could otherwise keep a stale key, git's "racily
// clean" problem).
std::string known_manifest_key(const std::string& manifest_path);
void remember_manifest_key(const std::string& manifest_path, const std::string& identity_before_read,
                           const std::string& key, std::int64_t read_at_ns,
                           std::int64_t racy_window_ns = 2'000'000'000);

// The directory entries live in ($XDG_CACHE_HOME or ~/.cache)/cocoon/manifests.
std::string compiled_manifest_dir();

std::optional<CompiledManifest> load_compiled_manifest(const std::string& key);

// Writes the entry atomically (a temporary file renamed into place) and prunes the directory.
// Errors are ignored: the cache is an optimisation.
void store_compiled_manifest(const std::string& key, const manifest::Manifest& m, const std::vector<std::uint8_t>& blob,
                             const measure::Digest& mrenclave);

}  // namespace cocoon::run
