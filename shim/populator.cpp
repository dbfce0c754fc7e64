#include "shim/populator.hpp"

#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/sync.hpp"
#include "shim/thread.hpp"

extern "C" long shim_host_clone(unsigned long flags, std::uint64_t stack_top, std::int32_t* ptid, std::int32_t* ctid,
                                std::uint64_t tls, void (*fn)(void*), void* arg);

namespace cocoon::shim::populator {
namespace {

constexpr std::uint32_t kQueue = 32;
struct Request {
  std::uint64_t addr, len;
};
Request g_queue[kQueue];
std::uint32_t g_head, g_tail;  // under g_lock: g_queue[g_head % kQueue] is the next to do
SpinLock g_lock;
std::uint32_t g_wake;  // futex word: bumped for each request
std::int32_t g_state;  // 0: no thread, 1: running, -1: the host refused one
std::int32_t g_tid;

[[noreturn]] void populate_loop(void* arg) {
  asm volatile("wrgsbase %0" ::"r"(reinterpret_cast<std::uint64_t>(arg)) : "memory");
  for (;;) {
    std::uint32_t seen = __atomic_load_n(&g_wake, __ATOMIC_ACQUIRE);
    Request r{};
    bool got = false;
    {
      LockGuard guard(g_lock);
      if (g_head != g_tail) {
        r = g_queue[g_head % kQueue];
        ++g_head;
        got = true;
      }
    }
    if (!got) {
      host::futex_wait(&g_wake, seen, -1);
      continue;
    }
    // The pages may have been unmapped (and even mapped again) since: populating what is
    // there then is harmless, as a failure is (a range not writable any more).
    if (host::call(abi::kMadvise, r.addr, r.len, abi::kMadvPopulateWrite) == 0 && g.window)
      __atomic_fetch_add(&g.window->stats.populated_ahead, r.len, __ATOMIC_RELAXED);
  }
}

bool start_thread() {
  std::int32_t expected = 0;
  if (!__atomic_compare_exchange_n(&g_state, &expected, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
    return expected == 1;
  constexpr std::uint64_t kStack = 16 * 1024;
  auto* self = static_cast<ShimThread*>(mem::shim_alloc((sizeof(ShimThread) + 4095) & ~4095ull));
  auto stack = reinterpret_cast<std::uint64_t>(mem::shim_alloc(kStack));
  if (!self || !stack) {
    __atomic_store_n(&g_state, -1, __ATOMIC_RELEASE);
    return false;
  }
  self->self = self;
  self->in_shim = 1;
  self->sigmask = ~0ull;  // takes no signal: process-directed ones go to the program's threads
  std::uint64_t all = ~0ull, old = 0;
  host::call(abi::kRtSigprocmask, abi::kSigSetmask, &all, &old, 8);  // inherited by the thread
  long r = shim_host_clone(0x3d0f00, stack + kStack, &g_tid, &g_tid, 0, populate_loop, self);
  host::call(abi::kRtSigprocmask, abi::kSigSetmask, &old, 0, 8);
  if (r < 0) {
    __atomic_store_n(&g_state, -1, __ATOMIC_RELEASE);
    if (verbose()) log("populator: the host refused its thread (errno %ld); copies populate their own pages", -r);
    return false;
  }
  return true;
}

}  // namespace

bool populate_async(std::uint64_t addr, std::uint64_t len) {
  if (len == 0) return true;
  if (__atomic_load_n(&g_state, __ATOMIC_ACQUIRE) < 0 || !start_thread()) return false;
  {
    LockGuard guard(g_lock);
    if (g_tail - g_head >= kQueue) return false;
    g_queue[g_tail % kQueue] = Request{addr, len};
    ++g_tail;
  }
  __atomic_add_fetch(&g_wake, 1u, __ATOMIC_RELEASE);
  host::futex_wake(&g_wake, 1);
  return true;
}

}  // namespace cocoon::shim::populator
