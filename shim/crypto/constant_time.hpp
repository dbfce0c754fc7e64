// Constant-time helpers for secrets (freestanding).
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::crypto {

// True when the n bytes at a and b are equal. The time taken depends only on n, never on
// where (or whether) the bytes differ: use it for MACs, tags and keys.
bool ct_equal(const void* a, const void* b, std::size_t n);

// Overwrite n bytes with zeros in a way the compiler may not drop (for keys on the stack).
void secure_wipe(void* p, std::size_t n);

}  // namespace cocoon::crypto
