// From a manifest to a signed enclave: the enclave image (shim + compiled manifest, laid out
// by enclave_layout), its MRENCLAVE, the SIGSTRUCT fields taken from [enclave], and the
// re-check of every trusted file's hash before signing. Used by `cocoon sign`,
// `cocoon measure` and the signing benchmark. Host code.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "manifest/enclave_layout.hpp"
#include "manifest/hash_cache.hpp"
#include "manifest/manifest.hpp"
#include "manifest/measurement.hpp"
#include "manifest/sigstruct.hpp"

namespace cocoon::measure {

// The enclave image of a manifest. Owns the compiled manifest; `params` points into it and
// into `shim` (which must outlive the image).
struct EnclaveImage {
  std::vector<std::uint8_t> blob;
  layout::LayoutParams params;
};
EnclaveImage enclave_image(const manifest::Manifest& m, std::span<const std::uint8_t> shim);

// SIGSTRUCT fields from [enclave]: ATTRIBUTES gets DEBUG when debug = true; masks, MISCSELECT,
// ISVPRODID/ISVSVN as configured.
SigstructFields sigstruct_fields(const manifest::EnclaveSettings& e, const Digest& mrenclave, std::uint32_t date);

// Re-hashes every trusted file (host path = root + path) in parallel and returns one message
// per file that is missing, unreadable or changed, naming the file and both hashes. With a
// cache, files whose identity is unchanged since they were last hashed are not read again.
std::vector<std::string> verify_trusted_files(const manifest::Manifest& m, const std::string& root = "/",
                                              unsigned threads = 0, manifest::HashCache* cache = nullptr);

}  // namespace cocoon::measure
