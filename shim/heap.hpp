// A small allocator for the shim's own variable-sized data (path strings, trusted-file
// records): power-of-two size classes from 32 B to 64 KiB with free lists, larger blocks
// straight from enclave memory. Thread-safe.
#pragma once

#include <cstddef>

namespace cocoon::shim::heap {

void* alloc(std::size_t n);  // zeroed; nullptr when enclave memory is exhausted
void free(void* p, std::size_t n);
char* strdup(const char* s, std::size_t n);  // n bytes + NUL
void free_str(char* s);

}  // namespace cocoon::shim::heap
