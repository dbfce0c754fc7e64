// Access to the program's memory from the shim: every pointer the program passes is checked
// to lie in enclave memory mapped for it with the needed access, so a bad pointer gives the
// program EFAULT (as Linux would), never a shim crash or a read outside the enclave.
#pragma once

#include <cstdint>

namespace cocoon::shim::user {

bool range_ok(std::uint64_t addr, std::uint64_t len);           // readable
bool range_writable(std::uint64_t addr, std::uint64_t len);
bool copy_from(void* dst, std::uint64_t src, std::uint64_t len);
bool copy_to(std::uint64_t dst, const void* src, std::uint64_t len);
bool fill(std::uint64_t dst, int byte, std::uint64_t len);
// Length of the NUL-terminated string at addr, scanning at most max bytes; max if no NUL;
// -EFAULT if it runs into unmapped memory.
long strnlen(std::uint64_t addr, std::uint64_t max);

template <typename T>
bool read(T& out, std::uint64_t src) { return copy_from(&out, src, sizeof(T)); }
template <typename T>
bool write(std::uint64_t dst, const T& v) { return copy_to(dst, &v, sizeof(T)); }

}  // namespace cocoon::shim::user
