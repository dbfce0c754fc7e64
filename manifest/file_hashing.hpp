// SHA-256 of many files at once: a pool of threads takes files off a shared counter; small
// files are read into a per-thread buffer, large ones are mmapped; OpenSSL does the hashing
// (SHA-NI where the CPU has it). Used by `cocoon manifest` to hash trusted files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "manifest/manifest.hpp"

namespace cocoon::manifest {

struct FileHash {
  Sha256 sha256{};
  std::uint64_t size = 0;
  bool is_elf = false;  // starts with the ELF magic
  std::string error;    // non-empty when the file could not be read ("open: Permission denied")
};

// Hashes every file; result[i] belongs to paths[i]. threads = 0: one per online CPU.
std::vector<FileHash> hash_files(const std::vector<std::string>& paths, unsigned threads = 0);

Sha256 sha256_of(const void* data, std::size_t size);

}  // namespace cocoon::manifest
