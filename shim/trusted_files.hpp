// Reading file contents into the enclave for mappings and program loading.
//
// Today every file is read through the proxy as is. With a signed manifest (issue 3), files
// listed as trusted are hashed as they are copied in and refused on mismatch; this is the
// single place where that check belongs.
#pragma once

#include <cstdint>

namespace cocoon::shim::trusted {

// Fills [dst, dst+len) with the file's bytes from `off` (zero past end of file).
// Returns 0 or -errno.
long read_for_mapping(int fd, void* dst, std::uint64_t len, std::uint64_t off);

}  // namespace cocoon::shim::trusted
