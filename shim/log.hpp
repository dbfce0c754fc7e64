// Log lines from the shim to the supervisor's stderr: "cocoon: <message>\n".
// A tiny printf subset: %s %d %ld %u %lu %x %lx %p %c %%.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::shim {

void log(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
// Formats into buf (always NUL-terminated); returns the length.
std::size_t format(char* buf, std::size_t cap, const char* fmt, __builtin_va_list ap);
std::size_t snformat(char* buf, std::size_t cap, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Stops the enclave with a one-line reason that the supervisor prints; exit status 70.
[[noreturn]] void fatal(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace cocoon::shim
