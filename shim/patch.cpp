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
constexpr std::uint64_t kSlot = 64;  // up to 24 moved bytes + 24 of stub
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

// Instructions that may be moved from before a `syscall` into its stub: position-independent
// (no %rip-relative operand), no control flow, no write to %rsp. Returns the length of the one
// at p (at most `room` bytes), 0 if it is not one of them. `writes_eax` tells whether it sets
// %eax/%rax, and how: 1 mov $imm32,%eax (the immediate in *imm), 2 xor %eax,%eax, 3 other.
struct Insn {
  int len;
  int writes_eax;
  std::uint32_t imm;
};

Insn decode_movable(const std::uint8_t* p, int room) {
  Insn none{0, 0, 0};
  int i = 0;
  std::uint8_t rex = 0;
  if (room > 0 && (p[0] & 0xF0) == 0x40) rex = p[i++];
  if (i >= room) return none;
  std::uint8_t op = p[i++];
  bool rex_b = rex & 1, rex_r = rex & 4;
  if (op >= 0xB8 && op <= 0xBF && !(rex & 8)) {  // mov $imm32, %r32
    if (i + 4 > room) return none;
    int reg = (op - 0xB8) | (rex_b ? 8 : 0);
    if (reg == 4) return none;  // %esp
    std::uint32_t imm;
    __builtin_memcpy(&imm, p + i, 4);
    return Insn{i + 4, reg == 0 ? 1 : 0, imm};
  }
  // mov r/m,r (8B) and r,r/m (89), xor (31, 33), lea (8D): a ModRM operand that is a register,
  // or memory at disp8/disp32 from %rsp or %rbp.
  if (op != 0x89 && op != 0x8B && op != 0x31 && op != 0x33 && op != 0x8D) return none;
  if (i >= room) return none;
  std::uint8_t modrm = p[i++];
  int mod = modrm >> 6, reg = ((modrm >> 3) & 7) | (rex_r ? 8 : 0), rm = (modrm & 7) | (rex_b ? 8 : 0);
  if (mod == 3) {
    if (op == 0x8D) return none;
    int dest = (op == 0x8B || op == 0x33) ? reg : rm;
    if (dest == 4) return none;
    int eax = 0;
    if (dest == 0) eax = ((op == 0x31 || op == 0x33) && reg == 0 && rm == 0) ? 2 : 3;
    return Insn{i, eax, 0};
  }
  if (mod == 0) return none;  // (%reg) forms include %rip-relative; not needed
  if ((modrm & 7) == 4) {     // SIB: only (%rsp) with no index
    if (i >= room || p[i] != 0x24 || (rex & 2)) return none;
    ++i;
  } else if ((modrm & 7) != 5) {
    return none;  // only %rsp- and %rbp-based memory
  }
  i += mod == 1 ? 1 : 4;
  if (i > room) return none;
  bool to_reg = op == 0x8B || op == 0x33 || op == 0x8D;
  if (to_reg && reg == 4) return none;
  return Insn{i, to_reg && reg == 0 ? 3 : 0, 0};
}

// The movable instructions that end exactly at the `syscall` at `site`, the first of them at
// least 5 bytes long (it becomes the jmp; the others stay in place too, so a jump to any of
// them still works, and any thread already past the first one still traps correctly).
// Returns the length of the run (0: none). Any setting of %eax in it must agree with `nr`.
int movable_run(std::uint64_t site, std::uint64_t nr) {
  constexpr int kMaxRun = 24;
  for (int len = 5; len <= kMaxRun; ++len) {
    std::uint64_t start = site - static_cast<std::uint64_t>(len);
    if (start < g.base + layout::kLowReserved + 8) break;
    const auto* b = reinterpret_cast<const std::uint8_t*>(start);
    // A prefix byte just before would belong to the first instruction.
    std::uint8_t before = b[-1];
    if ((before & 0xF0) == 0x40 || before == 0x66 || before == 0x67 || before == 0xF2 || before == 0xF3) continue;
    int at = 0, first = 0;
    bool ok = true;
    std::int64_t eax = -1;  // the value the run leaves in %eax, when it sets it to a constant
    while (at < len) {
      Insn in = decode_movable(b + at, len - at);
      if (in.len == 0) {
        ok = false;
        break;
      }
      if (at == 0) first = in.len;
      if (in.writes_eax == 1) eax = in.imm;
      else if (in.writes_eax == 2) eax = 0;
      else if (in.writes_eax == 3) eax = -1;
      at += in.len;
    }
    if (!ok || at != len || first < 5) continue;
    if (eax >= 0 && static_cast<std::uint64_t>(eax) != nr) continue;
    return len;
  }
  return 0;
}

void write_stub(std::uint64_t slot, std::uint64_t start, int run) {
  std::uint64_t chunk = slot & ~(kChunkSize - 1);
  // Chunks are kChunkSize aligned only when the allocator gave an aligned address; find it.
  for (int i = 0; i < g_nchunks; ++i)
    if (slot >= g_chunks[i].base && slot < g_chunks[i].base + kChunkSize) chunk = g_chunks[i].base;
  auto* p = reinterpret_cast<std::uint8_t*>(slot);
  std::uint8_t code[kSlot];
  int n = run;
  __builtin_memcpy(code, reinterpret_cast<const void*>(start), static_cast<std::uint64_t>(run));  // moved as they are
  static_assert(kRedZone == 128, "the stub's lea encodings below skip 128 bytes");
  const std::uint8_t lea_down[5] = {0x48, 0x8D, 0x64, 0x24, 0x80};  // lea -128(%rsp), %rsp
  __builtin_memcpy(code + n, lea_down, 5);
  n += 5;
  code[n] = 0xFF;  // call *rel32(%rip)
  code[n + 1] = 0x15;
  put32(code + n + 2, static_cast<std::uint32_t>(static_cast<std::int64_t>(chunk) - static_cast<std::int64_t>(slot + n + 6)));
  n += 6;
  const std::uint8_t lea_up[8] = {0x48, 0x8D, 0xA4, 0x24, 0x80, 0x00, 0x00, 0x00};  // lea 128(%rsp), %rsp
  __builtin_memcpy(code + n, lea_up, 8);
  n += 8;
  code[n] = 0xE9;  // jmp back to just after the original syscall instruction
  std::uint64_t after = start + static_cast<std::uint64_t>(run) + 2;
  put32(code + n + 1, static_cast<std::uint32_t>(static_cast<std::int64_t>(after) - static_cast<std::int64_t>(slot + n + 5)));
  n += 5;
  __builtin_memcpy(p, code, static_cast<std::uint64_t>(n));
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
  if (nr > 0xffffffffull || site < g.base + layout::kLowReserved + 32) return;
  if (!mem::is_mapped(site - 25, 27, abi::kProtRead | abi::kProtExec)) return;
  const auto* sc = reinterpret_cast<const std::uint8_t*>(site);
  if (sc[0] != 0x0F || sc[1] != 0x05) return;
  int run = movable_run(site, nr);
  if (run == 0) return;
  std::uint64_t mov = site - static_cast<std::uint64_t>(run);
  auto* b = reinterpret_cast<const std::uint8_t*>(mov);
  std::uint8_t first = b[0];

  LockGuard guard(g_lock);
  if (b[0] != first || first == 0xE9) return;  // another thread rewrote it meanwhile
  std::uint64_t slot = stub_slot_near(mov);
  if (!slot) return;
  write_stub(slot, mov, run);
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
