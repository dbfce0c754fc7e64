#include "shim/heap.hpp"

#include "shim/linux_abi.hpp"
#include "shim/memory.hpp"
#include "shim/sync.hpp"

namespace cocoon::shim::heap {
namespace {

constexpr int kClasses = 12;  // 32 B … 64 KiB
constexpr std::size_t kMin = 32;
struct FreeBlock {
  FreeBlock* next;
};
FreeBlock* g_free[kClasses];
SpinLock g_lock;

int size_class(std::size_t n) {
  std::size_t c = kMin;
  for (int i = 0; i < kClasses; ++i, c <<= 1)
    if (n <= c) return i;
  return -1;
}

}  // namespace

void* alloc(std::size_t n) {
  int c = size_class(n);
  if (c < 0) {
    long a = mem::map(0, n, abi::kProtRead | abi::kProtWrite, false, false, mem::kShim);
    return abi::is_error(a) ? nullptr : reinterpret_cast<void*>(a);
  }
  std::size_t size = kMin << c;
  {
    LockGuard guard(g_lock);
    if (FreeBlock* b = g_free[c]) {
      g_free[c] = b->next;
      __builtin_memset(b, 0, size);
      return b;
    }
  }
  return mem::shim_alloc(size);
}

void free(void* p, std::size_t n) {
  if (!p) return;
  int c = size_class(n);
  if (c < 0) {
    mem::unmap(reinterpret_cast<std::uint64_t>(p), n);
    return;
  }
  LockGuard guard(g_lock);
  auto* b = static_cast<FreeBlock*>(p);
  b->next = g_free[c];
  g_free[c] = b;
}

char* strdup(const char* s, std::size_t n) {
  auto* block = static_cast<char*>(alloc(n + 1 + sizeof(std::size_t)));
  if (!block) return nullptr;
  __builtin_memcpy(block, &n, sizeof n);
  char* out = block + sizeof n;
  __builtin_memcpy(out, s, n);
  out[n] = '\0';
  return out;
}

void free_str(char* s) {
  if (!s) return;
  char* block = s - sizeof(std::size_t);
  std::size_t n;
  __builtin_memcpy(&n, block, sizeof n);
  free(block, n + 1 + sizeof n);
}

}  // namespace cocoon::shim::heap
