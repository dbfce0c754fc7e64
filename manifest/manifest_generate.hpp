// `cocoon manifest`: a working manifest for a program. Resolves the program (PATH lookup,
// `#!` scripts), its ELF dependency closure (elf_deps.hpp), the extra trusted files and
// directories the user names, hashes everything in parallel and records every symlink met
// on the way. Deterministic: the same inputs (and file contents) give the same manifest.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "manifest/manifest.hpp"

namespace cocoon::manifest {

class HashCache;

// Default environment of a generated manifest (docs/manifest.md explains the choice).
inline constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";
inline constexpr const char* kDefaultLang = "C.UTF-8";

struct GenerateOptions {
  std::string root = "/";             // root filesystem the program sees (container rootfs)
  std::vector<std::string> command;   // program (path, or name searched in PATH) + arguments
  std::vector<std::string> trusted;   // extra files or directories (in-root paths) to trust
  std::vector<std::string> allowed;   // paths passed through unverified (explicit opt-in)
  std::string template_path;          // optional template manifest ("" = none)
  std::map<std::string, std::string> vars;  // user template variables (--var k=v)
  std::optional<std::string> working_dir;   // default: the current directory when root is
                                            // "/", else "/"
  unsigned threads = 0;               // hashing threads, 0 = one per CPU
  HashCache* hash_cache = nullptr;    // optional: reuse hashes of unchanged files (hash_cache.hpp)
};

struct GenerateResult {
  Manifest manifest;
  std::vector<std::string> warnings;  // e.g. a library in a trusted directory whose
                                      // dependency is missing
  std::uint64_t trusted_bytes = 0;
};

// Throws ManifestError (template problems) or GenerateError with a one-line message
// naming the file at fault.
class GenerateError : public ManifestError {
 public:
  using ManifestError::ManifestError;
};

GenerateResult generate_manifest(const GenerateOptions& opts);

}  // namespace cocoon::manifest
