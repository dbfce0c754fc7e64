#include "shim/patch.hpp"

#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/sync.hpp"

extern "C" void shim_syscall_entry();

namespace cocoon::shim::patch {
namespace {

constexpr std::uint64_t kChunkSize = 64 * 1024;
constexpr std::uint64_t kSlot = 32;
constexpr std::int64_t kReach = (1ll << 31) - static_cast<std::int64_t>(kChunkSize) - 4096;
constexpr int kMaxChunks = 256;

struct Chunk {
  std::uint64_t base;
  std::uint64_t used;
};

SpinLock g_lock;
Chunk g_chunks[kMaxChunks];
int g_nchunks;
int g_threads = 1;
std::uint64_t g_patching;  // site being rewritten (for the SIGTRAP retry path)

bool within_reach(std::uint64_t a, std::uint64_t b) {
  std::int64_t d = static_cast<std::int64_t>(a - b);
  return d > -kReach && d < kReach;
}

// A stub slot reachable with a rel32 jump from `site`.
std::uint64_t stub_slot_near(std::uint64_t site) {
  for (int i = 0; i < g_nchunks; ++i)
    if (g_chunks[i].used + kSlot <= kChunkSize && within_reach(g_chunks[i].base, site)) {
      std::uint64_t s = g_chunks[i].base + g_chunks[i].used;
      g_chunks[i].used += kSlot;
      return s;
    }
  if (g_nchunks == kMaxChunks) return 0;
  // New chunk: the highest free place within rel32 reach of the site.
  std::uint64_t lo = site > static_cast<std::uint64_t>(kReach) ? site - static_cast<std::uint64_t>(kReach) : 0;
  std::uint64_t hi = site + static_cast<std::uint64_t>(kReach);
  long a = mem::map_within(lo, hi, kChunkSize, abi::kProtRead | abi::kProtWrite | abi::kProtExec, mem::kShim);
  if (abi::is_error(a) || !within_reach(static_cast<std::uint64_t>(a), site)) return 0;
  Chunk& c = g_chunks[g_nchunks];
  c.base = static_cast<std::uint64_t>(a);
  __atomic_store_n(&g_nchunks, g_nchunks + 1, __ATOMIC_RELEASE);
  // The first slot holds the absolute address of the shim's entry (call *slot(%rip)).
  std::uint64_t entry = reinterpret_cast<std::uint64_t>(&shim_syscall_entry);
  __builtin_memcpy(reinterpret_cast<void*>(c.base), &entry, 8);
  c.used = kSlot * 2;
  std::uint64_t s = c.base + kSlot;
  return s;
}

void put32(std::uint8_t* p, std::uint32_t v) { __builtin_memcpy(p, &v, 4); }

bool write_stub(std::uint64_t slot, std::uint64_t site_mov, std::uint32_t nr) {
  std::uint64_t chunk = slot & ~(kChunkSize - 1);
  // Chunks are kChunkSize aligned only when the allocator gave an aligned address; find it.
  for (int i = 0; i < g_nchunks; ++i)
    if (slot >= g_chunks[i].base && slot < g_chunks[i].base + kChunkSize) chunk = g_chunks[i].base;
  auto* p = reinterpret_cast<std::uint8_t*>(slot);
  std::uint8_t code[29];
  code[0] = 0xB8;  // mov $nr, %eax
  put32(code + 1, nr);
  static_assert(kRedZone == 128, "the stub's lea encodings below skip 128 bytes");
  const std::uint8_t lea_down[5] = {0x48, 0x8D, 0x64, 0x24, 0x80};  // lea -128(%rsp), %rsp
  __builtin_memcpy(code + 5, lea_down, 5);
  code[10] = 0xFF;  // call *rel32(%rip)
  code[11] = 0x15;
  std::int64_t rel = static_cast<std::int64_t>(chunk) - static_cast<std::int64_t>(slot + 16);
  put32(code + 12, static_cast<std::uint32_t>(rel));
  const std::uint8_t lea_up[8] = {0x48, 0x8D, 0xA4, 0x24, 0x80, 0x00, 0x00, 0x00};  // lea 128(%rsp), %rsp
  __builtin_memcpy(code + 16, lea_up, 8);
  code[24] = 0xE9;  // jmp back to just after the original syscall instruction
  std::int64_t back = static_cast<std::int64_t>(site_mov + 7) - static_cast<std::int64_t>(slot + 29);
  put32(code + 25, static_cast<std::uint32_t>(back));
  __builtin_memcpy(p, code, sizeof code);
  return true;
}

}  // namespace

void set_thread_count(int n) { __atomic_store_n(&g_threads, n, __ATOMIC_RELAXED); }

bool is_being_patched(std::uint64_t addr) {
  if (addr == 0) return false;
  if (__atomic_load_n(&g_patching, __ATOMIC_ACQUIRE) == addr) return true;
  // The int3 this thread hit may already be gone: the site is now a jmp to one of our stubs.
  const auto* b = reinterpret_cast<const std::uint8_t*>(addr);
  if (__atomic_load_n(b, __ATOMIC_ACQUIRE) != 0xE9) return false;
  std::int32_t rel;
  __builtin_memcpy(&rel, b + 1, 4);
  std::uint64_t target = addr + 5 + static_cast<std::uint64_t>(static_cast<std::int64_t>(rel));
  int n = __atomic_load_n(&g_nchunks, __ATOMIC_ACQUIRE);
  for (int i = 0; i < n; ++i)
    if (target >= g_chunks[i].base && target < g_chunks[i].base + kChunkSize) return true;
  return false;
}

void try_rewrite(std::uint64_t site, std::uint64_t nr) {
  // Only the plain `mov $imm32, %eax` (B8 imm32) immediately before the syscall, with the
  // immediate equal to the number we saw, and no REX prefix that would make it another
  // register (41 B8 = mov to %r8d).
  if (nr > 0xffffffffull || site < g.base + layout::kLowReserved + 8) return;
  std::uint64_t mov = site - 5;
  if (!mem::is_mapped(mov - 1, 8, abi::kProtRead | abi::kProtExec)) return;
  auto* b = reinterpret_cast<const std::uint8_t*>(mov);
  std::uint32_t imm;
  __builtin_memcpy(&imm, b + 1, 4);
  if (b[0] != 0xB8 || imm != nr || (b[-1] & 0xF0) == 0x40) return;
  if (b[5] != 0x0F || b[6] != 0x05) return;

  LockGuard guard(g_lock);
  if (b[0] != 0xB8) return;  // another thread rewrote it meanwhile
  std::uint64_t slot = stub_slot_near(mov);
  if (!slot) return;
  write_stub(slot, mov, static_cast<std::uint32_t>(nr));
  std::uint8_t jmp[5];
  jmp[0] = 0xE9;
  put32(jmp + 1, static_cast<std::uint32_t>(static_cast<std::int64_t>(slot) - static_cast<std::int64_t>(mov + 5)));

  // Make the code page writable (keeping it executable for other threads), write, restore.
  std::uint64_t page = mov & ~4095ull, end = (mov + 5 + 4095) & ~4095ull;
  int prot_first = mem::prot_at(page), prot_last = mem::prot_at(end - 4096);
  if (prot_first < 0 || prot_last < 0) return;
  host::call(abi::kMprotect, page, end - page, abi::kProtRead | abi::kProtWrite | abi::kProtExec);
  bool single = __atomic_load_n(&g_threads, __ATOMIC_RELAXED) <= 1;
  std::uint64_t word_at = mov & ~7ull;
  if (single) {
    __builtin_memcpy(reinterpret_cast<void*>(mov), jmp, 5);
  } else if (mov + 5 <= word_at + 8) {
    std::uint64_t w;
    __builtin_memcpy(&w, reinterpret_cast<void*>(word_at), 8);
    __builtin_memcpy(reinterpret_cast<std::uint8_t*>(&w) + (mov - word_at), jmp, 5);
    __atomic_store_n(reinterpret_cast<std::uint64_t*>(word_at), w, __ATOMIC_SEQ_CST);
  } else {
    // Straddles an 8-byte word: int3 first (a thread hitting it retries), then the tail,
    // then the opcode.
    __atomic_store_n(&g_patching, mov, __ATOMIC_RELEASE);
    __atomic_store_n(reinterpret_cast<std::uint8_t*>(mov), static_cast<std::uint8_t>(0xCC), __ATOMIC_SEQ_CST);
    __builtin_memcpy(reinterpret_cast<void*>(mov + 1), jmp + 1, 4);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    __atomic_store_n(reinterpret_cast<std::uint8_t*>(mov), jmp[0], __ATOMIC_SEQ_CST);
    __atomic_store_n(&g_patching, 0ull, __ATOMIC_RELEASE);
  }
  // Restore the program's protection of the page(s).
  mem::protect(page, 4096, prot_first);
  if (end - page > 4096) mem::protect(end - 4096, 4096, prot_last);
  bump_stat(g.window->stats.sites_patched);
}

}  // namespace cocoon::shim::patch
