#include "shim/proc_files.hpp"

#include "shim/file_policy.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/path_calls.hpp"
#include "shim/pseudo_files.hpp"

namespace cocoon::shim::proc {
namespace {

using pseudo::Content;
using pseudo::Node;
using pseudo::Type;

char g_exe[4096];

long exe_link(const Node&, char* out, std::uint64_t cap) {
  std::uint64_t n = 0;
  while (g_exe[n] && n < cap) out[n] = g_exe[n], ++n;
  return n == 0 ? -abi::kENOENT : static_cast<long>(n);
}

long open_meminfo(const Node&, Content& c) {
  const std::uint64_t total = mem::epc_limit() / 1024, used = mem::epc_in_use() / 1024;
  const std::uint64_t free = total > used ? total - used : 0;
  char text[512];
  std::size_t n = snformat(text, sizeof text,
                           "MemTotal:       %lu kB\nMemFree:        %lu kB\nMemAvailable:   %lu kB\n"
                           "Buffers:               0 kB\nCached:                0 kB\nSwapCached:            0 kB\n"
                           "SwapTotal:             0 kB\nSwapFree:              0 kB\n",
                           total, free, free);
  return pseudo::snapshot(text, n, c);
}

long open_cpus(const Node&, Content& c) {
  std::uint8_t mask[128] = {};
  long r = host::call(abi::kSchedGetaffinity, 0, sizeof mask, mask);
  unsigned count = 0;
  for (long i = 0; r > 0 && i < r; ++i) count += static_cast<unsigned>(__builtin_popcount(mask[i]));
  if (count == 0) count = 1;
  char text[32];
  std::size_t n = count == 1 ? snformat(text, sizeof text, "0\n") : snformat(text, sizeof text, "0-%u\n", count - 1);
  return pseudo::snapshot(text, n, c);
}

long open_maps(const Node&, Content& c) {
  char* text = nullptr;
  std::uint64_t cap = 0;
  long n = mem::format_maps(&text, &cap);
  if (n < 0) return n;
  // format_maps sizes its buffer with room to spare, and an owned Content is freed with its
  // size: the text goes into an exact-size snapshot.
  long r = pseudo::snapshot(text, static_cast<std::uint64_t>(n), c);
  heap::free(text, static_cast<std::size_t>(cap));
  return r;
}

constexpr Node kNodes[] = {
    {"/proc/self/maps", Type::File, false, 0, open_maps, nullptr},
    {"/proc/self/exe", Type::Link, false, 0, nullptr, exe_link},
    {"/proc/meminfo", Type::File, false, 0, open_meminfo, nullptr},
    {"/sys/devices/system/cpu/online", Type::File, false, 4096, open_cpus, nullptr},
    {"/sys/devices/system/cpu/possible", Type::File, false, 4096, open_cpus, nullptr},
};

}  // namespace

void init() { pseudo::add_provider({nullptr, kNodes, sizeof kNodes / sizeof kNodes[0]}); }

const char* exe() { return g_exe; }

std::size_t alias_own_pid(char* path, std::size_t len, std::size_t cap) {
  if (len < 7 || __builtin_memcmp(path, "/proc/", 6) != 0 || path[6] < '1' || path[6] > '9') return len;
  char own[24];
  std::size_t n = snformat(own, sizeof own, "/proc/%ld", static_cast<long>(g.pid));
  if (len < n || __builtin_memcmp(path, own, n) != 0 || (path[n] != '/' && path[n] != '\0')) return len;
  constexpr std::size_t kSelf = 10;  // "/proc/self"
  if (len - n + kSelf + 1 > cap) return len;
  __builtin_memmove(path + kSelf, path + n, len - n + 1);
  __builtin_memcpy(path, "/proc/self", kSelf);
  return len - n + kSelf;
}

void set_exe(const char* path) {
  policy::Resolved& r = *resolved_scratch();
  const char* canonical = path;
  std::uint64_t n = 0;
  if (policy::resolve(abi::kAtFdcwd, path, true, r) == 0) canonical = r.path;
  while (canonical[n] && n + 1 < sizeof g_exe) g_exe[n] = canonical[n], ++n;
  g_exe[n] = '\0';
}

}  // namespace cocoon::shim::proc
