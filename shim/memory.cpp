#include "shim/memory.hpp"

#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/populator.hpp"
#include "shim/sync.hpp"

namespace cocoon::shim::mem {
namespace {

constexpr std::uint64_t kPage = 4096;
// Host pages of 2 MiB (transparent huge pages). A copy that fills most of an aligned 2 MiB
// region is placed and populated so that the host gives it one such page: populating 512
// small pages costs about 2 us each here, one huge page about 150 us (bench: /bin/true
// start-up, where libc is copied twice).
constexpr std::uint64_t kHuge = 2ull << 20;
constexpr std::uint64_t kHugeWorth = 1ull << 20;
constexpr std::uint32_t kMaxVmas = 32768;
constexpr std::uint64_t kMetaBytes = 2ull << 20;  // VMA table + shim allocations

struct Vma {
  std::uint64_t start, end;
  std::int32_t prot;
  Kind kind;
  // A copy of a trusted file whose pages hold exactly its bytes from file_off (zero past its
  // end): never writable or executable since it was made. 0: anything else.
  std::uint64_t file_id;
  std::uint64_t file_off;  // file offset of `start`
};

struct State {
  SpinLock lock;
  std::uint64_t lo, hi;          // heap bounds
  Vma* vmas;                     // sorted by start, non-overlapping
  std::uint32_t n;
  std::uint64_t in_use, peak;
  std::uint64_t brk_start, brk_cur;
  std::uint64_t meta_cur, meta_end;
};
State s;

std::uint64_t page_up(std::uint64_t v) { return (v + kPage - 1) & ~(kPage - 1); }

void account(long delta) {
  s.in_use = static_cast<std::uint64_t>(static_cast<long>(s.in_use) + delta);
  if (s.in_use > s.peak) s.peak = s.in_use;
  if (g.window) {
    g.window->stats.epc_current_bytes = s.in_use;
    g.window->stats.epc_peak_bytes = s.peak;
  }
}

long host_prot(int prot) { return prot & (abi::kProtRead | abi::kProtWrite | abi::kProtExec); }

bool commit(std::uint64_t a, std::uint64_t len, int prot) {
  return host::call(abi::kMprotect, a, len, host_prot(prot)) == 0;
}

void release(std::uint64_t a, std::uint64_t len) {
  host::call(abi::kMadvise, a, len, abi::kMadvDontneed);
  host::call(abi::kMprotect, a, len, abi::kProtNone);
}

void insert_at(std::uint32_t i, const Vma& v) {
  for (std::uint32_t k = s.n; k > i; --k) s.vmas[k] = s.vmas[k - 1];
  s.vmas[i] = v;
  ++s.n;
}

void erase_at(std::uint32_t i) {
  for (std::uint32_t k = i; k + 1 < s.n; ++k) s.vmas[k] = s.vmas[k + 1];
  --s.n;
}

// Index of the first VMA with end > addr.
std::uint32_t lower(std::uint64_t addr) {
  std::uint32_t lo = 0, hi = s.n;
  while (lo < hi) {
    std::uint32_t mid = (lo + hi) / 2;
    if (s.vmas[mid].end <= addr) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

bool range_free(std::uint64_t a, std::uint64_t len) {
  std::uint32_t i = lower(a);
  return i >= s.n || s.vmas[i].start >= a + len;
}

// Splits so that no VMA straddles `addr`.
bool split_at(std::uint64_t addr) {
  std::uint32_t i = lower(addr);
  if (i >= s.n || s.vmas[i].start >= addr) return true;
  if (s.n >= kMaxVmas) return false;
  Vma right = s.vmas[i];
  right.start = addr;
  if (right.file_id) right.file_off += addr - s.vmas[i].start;
  s.vmas[i].end = addr;
  insert_at(i + 1, right);
  return true;
}

// Removes [a, a+len) from the VMA table; returns bytes removed, or -1 when out of slots.
long remove_range(std::uint64_t a, std::uint64_t len) {
  if (!split_at(a) || !split_at(a + len)) return -1;
  long removed = 0;
  std::uint32_t i = lower(a);
  while (i < s.n && s.vmas[i].start < a + len) {
    removed += static_cast<long>(s.vmas[i].end - s.vmas[i].start);
    erase_at(i);
  }
  return removed;
}

bool add_vma(std::uint64_t a, std::uint64_t len, int prot, Kind kind) {
  if (s.n >= kMaxVmas) return false;
  insert_at(lower(a), Vma{a, a + len, prot, kind, 0, 0});
  return true;
}

// Highest free gap of `len` bytes below `below` starting at a multiple of `align`, or 0.
std::uint64_t find_gap(std::uint64_t len, std::uint64_t below, std::uint64_t align = kPage) {
  std::uint64_t top = below;
  std::uint32_t i = lower(top);  // first VMA ending after top: everything before is below
  if (i < s.n && s.vmas[i].start < top) top = s.vmas[i].start;
  while (true) {
    std::uint64_t floor = (i == 0) ? s.lo : s.vmas[i - 1].end;
    if (s.brk_start && floor < s.brk_cur && top > s.brk_start) floor = s.brk_cur + (64ull << 20);
    if (top >= floor + len && top - len >= s.lo) {
      std::uint64_t a = (top - len) & ~(align - 1);
      if (a >= floor && a >= s.lo) return a;
    }
    if (i == 0) return 0;
    --i;
    top = s.vmas[i].start;
  }
}

long map_locked(std::uint64_t hint, std::uint64_t len, int prot, bool fixed, bool noreplace, Kind kind) {
  if (len == 0) return -abi::kEINVAL;
  len = page_up(len);
  std::uint64_t a = 0;
  if (fixed || noreplace) {
    if (hint & (kPage - 1)) return -abi::kEINVAL;
    if (hint < s.lo || hint + len > s.hi || hint + len < hint) return -abi::kENOMEM;
    if (!range_free(hint, len)) {
      if (noreplace) return -abi::kEEXIST;
      long removed = remove_range(hint, len);
      if (removed < 0) return -abi::kENOMEM;
      release(hint, len);
      account(-removed);
    }
    a = hint;
  } else {
    if (hint && !(hint & (kPage - 1)) && hint >= s.lo && hint + len <= s.hi && hint + len > hint &&
        range_free(hint, len))
      a = hint;
    else {
      // A large mapping starts a free aligned 2 MiB region that it fills (see prefault).
      if (len >= kHugeWorth) a = find_gap((len + kHuge - 1) & ~(kHuge - 1), s.hi, kHuge);
      if (!a) a = find_gap(len, s.hi);
    }
    if (!a) return -abi::kENOMEM;
  }
  if (!commit(a, len, prot)) return -abi::kENOMEM;
  if (!add_vma(a, len, prot, kind)) {
    release(a, len);
    return -abi::kENOMEM;
  }
  account(static_cast<long>(len));
  return static_cast<long>(a);
}

}  // namespace

void init(std::uint64_t heap_lo, std::uint64_t heap_hi) {
  s.lo = page_up(heap_lo);
  s.hi = heap_hi & ~(kPage - 1);
  // The metadata area sits at the very bottom of the heap.
  std::uint64_t meta = s.lo;
  if (!commit(meta, kMetaBytes, abi::kProtRead | abi::kProtWrite)) fatal("cannot commit shim metadata");
  s.vmas = reinterpret_cast<Vma*>(meta);
  s.n = 0;
  s.meta_cur = meta + page_up(sizeof(Vma) * kMaxVmas);
  s.meta_end = meta + kMetaBytes;
  add_vma(meta, kMetaBytes, abi::kProtRead | abi::kProtWrite, kShim);
  account(static_cast<long>(kMetaBytes));
}

void* shim_alloc(std::uint64_t len) {
  LockGuard guard(s.lock);
  len = (len + 63) & ~63ull;
  if (s.meta_cur + len <= s.meta_end) {
    void* p = reinterpret_cast<void*>(s.meta_cur);
    s.meta_cur += len;
    return p;
  }
  long r = map_locked(0, len, abi::kProtRead | abi::kProtWrite, false, false, kShim);
  return abi::is_error(r) ? nullptr : reinterpret_cast<void*>(r);
}

long map(std::uint64_t hint, std::uint64_t len, int prot, bool fixed, bool noreplace, Kind kind) {
  LockGuard guard(s.lock);
  return map_locked(hint, len, prot, fixed, noreplace, kind);
}

long map_within(std::uint64_t lo, std::uint64_t hi, std::uint64_t len, int prot, Kind kind) {
  LockGuard guard(s.lock);
  len = page_up(len);
  if (hi > s.hi) hi = s.hi;
  std::uint64_t a = find_gap(len, hi & ~(kPage - 1));
  if (!a || a < lo) return -abi::kENOMEM;
  return map_locked(a, len, prot, true, true, kind);
}

long unmap(std::uint64_t addr, std::uint64_t len) {
  if ((addr & (kPage - 1)) || len == 0) return -abi::kEINVAL;
  len = page_up(len);
  if (addr + len < addr) return -abi::kEINVAL;
  if (addr + len <= s.lo || addr >= s.hi) return 0;  // nothing of ours there
  if (addr < s.lo || addr + len > s.hi) return -abi::kEINVAL;
  LockGuard guard(s.lock);
  long removed = remove_range(addr, len);
  if (removed < 0) return -abi::kENOMEM;
  release(addr, len);
  account(-removed);
  return 0;
}

long protect(std::uint64_t addr, std::uint64_t len, int prot) {
  if (addr & (kPage - 1)) return -abi::kEINVAL;
  len = page_up(len);
  if (len == 0) return 0;
  LockGuard guard(s.lock);
  // Every page must be mapped (Linux: ENOMEM otherwise).
  std::uint64_t cur = addr;
  for (std::uint32_t i = lower(addr); cur < addr + len; ++i) {
    if (i >= s.n || s.vmas[i].start > cur) return -abi::kENOMEM;
    cur = s.vmas[i].end;
  }
  if (!split_at(addr) || !split_at(addr + len)) return -abi::kENOMEM;
  for (std::uint32_t i = lower(addr); i < s.n && s.vmas[i].start < addr + len; ++i) {
    s.vmas[i].prot = prot;
    if (prot & (abi::kProtWrite | abi::kProtExec)) s.vmas[i].file_id = 0;  // may change from now on
  }
  if (!commit(addr, len, prot)) return -abi::kEACCES;
  return 0;
}

void set_file_copy(std::uint64_t addr, std::uint64_t len, std::uint64_t file_id, std::uint64_t off) {
  if (addr & (kPage - 1)) return;
  len = page_up(len);
  LockGuard guard(s.lock);
  if (!split_at(addr) || !split_at(addr + len)) return;
  for (std::uint32_t i = lower(addr); i < s.n && s.vmas[i].start < addr + len; ++i) {
    Vma& v = s.vmas[i];
    if (v.kind != kFile || (v.prot & (abi::kProtWrite | abi::kProtExec))) continue;
    v.file_id = file_id;
    v.file_off = off + (v.start - addr);
  }
}

bool reuse_file_copy(std::uint64_t addr, std::uint64_t len, std::uint64_t file_id, std::uint64_t off, int prot) {
  if ((addr & (kPage - 1)) || len == 0 || file_id == 0) return false;
  len = page_up(len);
  if (addr + len < addr) return false;
  LockGuard guard(s.lock);
  std::uint64_t cur = addr;
  for (std::uint32_t i = lower(addr); cur < addr + len; ++i) {
    if (i >= s.n || s.vmas[i].start > cur) return false;  // a hole
    const Vma& v = s.vmas[i];
    if (v.kind != kFile || v.file_id != file_id || v.file_off + (cur - v.start) != off + (cur - addr)) return false;
    cur = v.end;
  }
  if (!split_at(addr) || !split_at(addr + len)) return false;
  for (std::uint32_t i = lower(addr); i < s.n && s.vmas[i].start < addr + len; ++i) {
    s.vmas[i].prot = prot;
    if (prot & (abi::kProtWrite | abi::kProtExec)) s.vmas[i].file_id = 0;
  }
  return commit(addr, len, prot);
}

bool move_pages(std::uint64_t src, std::uint64_t dst, std::uint64_t len) {
  if ((src | dst | len) & (kPage - 1) || len == 0) return false;
  LockGuard guard(s.lock);
  // Both ranges must be wholly ours: the source one allocation of the shim, the target one
  // file mapping.
  std::uint32_t i = lower(src), j = lower(dst);
  if (i >= s.n || s.vmas[i].kind != kShim || s.vmas[i].start > src || s.vmas[i].end < src + len) return false;
  if (j >= s.n || s.vmas[j].kind != kFile || s.vmas[j].start > dst || s.vmas[j].end < dst + len) return false;
  long r = host::call(abi::kMremap, src, len, len, abi::kMremapMaymove | abi::kMremapFixed | abi::kMremapDontunmap, dst);
  if (r != static_cast<long>(dst)) return false;
  // The target keeps its protection (read-write, as committed); the source is empty now.
  host::call(abi::kMprotect, dst, len, host_prot(s.vmas[j].prot));
  long removed = remove_range(src, len);
  release(src, len);
  if (removed > 0) account(-removed);
  return true;
}

bool copy_from_file_copy(std::uint64_t addr, std::uint64_t len, std::uint64_t file_id, std::uint64_t off, void* out) {
  if (len == 0) return true;
  if (file_id == 0 || addr + len < addr) return false;
  LockGuard guard(s.lock);
  std::uint64_t cur = addr & ~(kPage - 1);
  for (std::uint32_t i = lower(cur); cur < addr + len; ++i) {
    if (i >= s.n || s.vmas[i].start > cur) return false;  // a hole
    const Vma& v = s.vmas[i];
    // The file offset of address x in v is x - v.start + v.file_off; it must be x - addr + off.
    if (v.kind != kFile || v.file_id != file_id || !(v.prot & abi::kProtRead) || v.file_off - v.start != off - addr)
      return false;
    cur = v.end;
  }
  __builtin_memcpy(out, reinterpret_cast<const void*>(addr), len);
  return true;
}

long remap(std::uint64_t old_addr, std::uint64_t old_len, std::uint64_t new_len, long flags,
           std::uint64_t new_addr) {
  if ((old_addr & (kPage - 1)) || new_len == 0) return -abi::kEINVAL;
  if (flags & ~(abi::kMremapMaymove | abi::kMremapFixed)) return -abi::kEINVAL;
  old_len = page_up(old_len);
  new_len = page_up(new_len);
  LockGuard guard(s.lock);
  std::uint32_t i = lower(old_addr);
  if (i >= s.n || s.vmas[i].start > old_addr || s.vmas[i].end < old_addr + old_len) return -abi::kEFAULT;
  int prot = s.vmas[i].prot;
  Kind kind = s.vmas[i].kind;
  if (!(flags & abi::kMremapFixed)) {
    if (new_len <= old_len) {
      if (new_len < old_len) {
        long removed = remove_range(old_addr + new_len, old_len - new_len);
        if (removed < 0) return -abi::kENOMEM;
        release(old_addr + new_len, old_len - new_len);
        account(-removed);
      }
      return static_cast<long>(old_addr);
    }
    // Grow in place when the pages after the mapping are free.
    std::uint64_t tail = old_addr + old_len, extra = new_len - old_len;
    if (tail + extra <= s.hi && range_free(tail, extra)) {
      if (!commit(tail, extra, prot) || !add_vma(tail, extra, prot, kind)) return -abi::kENOMEM;
      account(static_cast<long>(extra));
      return static_cast<long>(old_addr);
    }
    if (!(flags & abi::kMremapMaymove)) return -abi::kENOMEM;
  }
  long dst = map_locked((flags & abi::kMremapFixed) ? new_addr : 0, new_len, prot | abi::kProtRead | abi::kProtWrite,
                        (flags & abi::kMremapFixed) != 0, false, kind);
  if (abi::is_error(dst)) return dst;
  if (!(prot & abi::kProtRead)) commit(old_addr, old_len, prot | abi::kProtRead);
  __builtin_memcpy(reinterpret_cast<void*>(dst), reinterpret_cast<void*>(old_addr),
                   old_len < new_len ? old_len : new_len);
  commit(static_cast<std::uint64_t>(dst), new_len, prot);
  long removed = remove_range(old_addr, old_len);
  if (removed >= 0) {
    release(old_addr, old_len);
    account(-removed);
  }
  return dst;
}

long advise(std::uint64_t addr, std::uint64_t len, int advice) {
  if (addr & (kPage - 1)) return -abi::kEINVAL;
  len = page_up(len);
  if (advice == abi::kMadvDontneed || advice == abi::kMadvFree) {
    // Private anonymous semantics: the pages read back as zero. Only touch mapped pages.
    LockGuard guard(s.lock);
    for (std::uint32_t i = lower(addr); i < s.n && s.vmas[i].start < addr + len; ++i) {
      std::uint64_t a = s.vmas[i].start > addr ? s.vmas[i].start : addr;
      std::uint64_t e = s.vmas[i].end < addr + len ? s.vmas[i].end : addr + len;
      host::call(abi::kMadvise, a, e - a, abi::kMadvDontneed);
      s.vmas[i].file_id = 0;  // zero now (the whole VMA is forgotten, which is only cautious)
    }
  }
  return 0;  // other advice is a hint; accepted and ignored
}

void prefault(std::uint64_t addr, std::uint64_t len) {
  constexpr std::uint64_t kPopulateMax = 512ull << 20;  // a copy of this much is written whole anyway
  const std::uint64_t a = addr & ~(kPage - 1);
  len = page_up(addr + len) - a;
  if (len > kPopulateMax) len = kPopulateMax;
  const std::uint64_t e = a + len;
  // The aligned 2 MiB regions at either end that the range fills only in part become whole
  // huge pages when the rest of them is free: that rest is populated too (zero, as a free
  // range reads once mapped) and made inaccessible again, as any unmapped range is. Under the
  // lock, so that nothing is mapped there meanwhile; the range's own pages need no lock.
  const std::uint64_t lo = a & ~(kHuge - 1), hi = (e + kHuge - 1) & ~(kHuge - 1);
  auto filled = [&](std::uint64_t region) {
    std::uint64_t from = a > region ? a : region, to = e < region + kHuge ? e : region + kHuge;
    return to > from ? to - from : 0;
  };
  bool head, tail;
  {
    LockGuard guard(s.lock);
    head = lo < a && lo >= s.lo && filled(lo) >= kHugeWorth && range_free(lo, a - lo);
    tail = hi > e && hi <= s.hi && filled(hi - kHuge) >= kHugeWorth && range_free(e, hi - e);
    // An extension only helps when its region then is whole (a range inside one region needs both).
    if (head && (tail ? hi : e) < lo + kHuge) head = false;
    if (tail && (head ? lo : a) > hi - kHuge) tail = false;
    if (head || tail) {
      // The regions holding an extension, whole (one, when the range lies inside it).
      std::uint64_t regions[2];
      int n = 0;
      if (head) regions[n++] = lo;
      if (tail && !(head && hi - kHuge == lo)) regions[n++] = hi - kHuge;
      if (head) commit(lo, a - lo, abi::kProtRead | abi::kProtWrite);
      if (tail) commit(e, hi - e, abi::kProtRead | abi::kProtWrite);
      for (int i = 0; i < n; ++i) {
        host::call(abi::kMadvise, regions[i], kHuge, abi::kMadvHugepage);
        host::call(abi::kMadvise, regions[i], kHuge, abi::kMadvPopulateWrite);
      }
      if (g.window) __atomic_fetch_add(&g.window->stats.huge_regions, static_cast<std::uint64_t>(n), __ATOMIC_RELAXED);
      if (head) commit(lo, a - lo, abi::kProtNone);
      if (tail) commit(e, hi - e, abi::kProtNone);
    }
  }
  // The aligned regions inside the range (an extension's region is not one of them).
  const std::uint64_t huge_from = (a + kHuge - 1) & ~(kHuge - 1), huge_to = e & ~(kHuge - 1);
  if (huge_to > huge_from) {
    host::call(abi::kMadvise, huge_from, huge_to - huge_from, abi::kMadvHugepage);
    if (g.window) __atomic_fetch_add(&g.window->stats.huge_regions, (huge_to - huge_from) / kHuge, __ATOMIC_RELAXED);
  }
  // The rest of the range (walking pages populated already would cost ~0.1 ms per region):
  // a large rest on the populator thread, while the caller starts its copy (shim/populator.hpp).
  // The regions at the ends were done above, under the lock: a copy that faulted in part of
  // such a region first would leave it small pages.
  const std::uint64_t rest_from = head ? lo + kHuge : a, rest_to = tail ? hi - kHuge : e;
  if (rest_to > rest_from && !(rest_to - rest_from >= kHugeWorth && populator::populate_async(rest_from, rest_to - rest_from)))
    host::call(abi::kMadvise, rest_from, rest_to - rest_from, abi::kMadvPopulateWrite);
}

void release_program_memory() {
  LockGuard guard(s.lock);
  std::uint32_t i = 0;
  while (i < s.n) {
    if (s.vmas[i].kind == kShim) {
      ++i;
      continue;
    }
    Vma v = s.vmas[i];
    erase_at(i);
    release(v.start, v.end - v.start);
    account(-static_cast<long>(v.end - v.start));
  }
  s.brk_start = s.brk_cur = 0;
}

void set_brk_start(std::uint64_t start) {
  LockGuard guard(s.lock);
  s.brk_start = s.brk_cur = page_up(start);
}

long brk(std::uint64_t requested) {
  LockGuard guard(s.lock);
  if (!s.brk_start || requested <= s.brk_start) return static_cast<long>(s.brk_cur);
  std::uint64_t want = page_up(requested);
  std::uint64_t cur_top = page_up(s.brk_cur);
  if (want > cur_top) {
    if (want > s.hi || !range_free(cur_top, want - cur_top)) return static_cast<long>(s.brk_cur);
    long r = map_locked(cur_top, want - cur_top, abi::kProtRead | abi::kProtWrite, true, true, kBrk);
    if (abi::is_error(r)) return static_cast<long>(s.brk_cur);
  } else if (want < cur_top) {
    long removed = remove_range(want, cur_top - want);
    if (removed > 0) {
      release(want, cur_top - want);
      account(-removed);
    }
  }
  s.brk_cur = requested;
  return static_cast<long>(s.brk_cur);
}

bool is_mapped(std::uint64_t addr, std::uint64_t len, int need_prot) {
  if (len == 0) return true;
  if (addr + len < addr) return false;
  LockGuard guard(s.lock);
  std::uint64_t cur = addr;
  for (std::uint32_t i = lower(addr); cur < addr + len; ++i) {
    if (i >= s.n || s.vmas[i].start > cur) return false;
    if ((s.vmas[i].prot & need_prot) != need_prot) return false;
    cur = s.vmas[i].end;
  }
  return true;
}

int prot_at(std::uint64_t addr) {
  LockGuard guard(s.lock);
  std::uint32_t i = lower(addr);
  if (i >= s.n || s.vmas[i].start > addr) return -1;
  return s.vmas[i].prot;
}

std::uint64_t epc_in_use() { return s.in_use; }
std::uint64_t epc_peak() { return s.peak; }
std::uint64_t epc_limit() { return s.hi - s.lo; }

namespace {

char* put_hex(char* p, std::uint64_t v, int min_digits) {
  char tmp[16];
  int n = 0;
  do {
    tmp[n++] = "0123456789abcdef"[v & 15];
    v >>= 4;
  } while (v);
  for (int k = n; k < min_digits; ++k) *p++ = '0';
  while (n) *p++ = tmp[--n];
  return p;
}

}  // namespace

long format_maps(char** out, std::uint64_t* cap) {
  constexpr std::uint64_t kLine = 80;  // the longest line below
  for (;;) {
    std::uint32_t n;
    {
      LockGuard guard(s.lock);
      n = s.n;
    }
    // Room for 16 more: the buffer itself may be a new mapping (of the shim's, not listed).
    std::uint64_t size = (static_cast<std::uint64_t>(n) + 16) * kLine;
    auto* buf = static_cast<char*>(heap::alloc(static_cast<std::size_t>(size)));
    if (!buf) return -abi::kENOMEM;
    LockGuard guard(s.lock);
    if (s.n > n + 16) {  // grew meanwhile: try again with room for it
      heap::free(buf, static_cast<std::size_t>(size));
      continue;
    }
    char* p = buf;
    for (std::uint32_t i = 0; i < s.n; ++i) {
      const Vma& v = s.vmas[i];
      if (v.kind == kShim || v.kind == kFree) continue;  // the shim's own memory is not the program's
      p = put_hex(p, v.start, 8);
      *p++ = '-';
      p = put_hex(p, v.end, 8);
      *p++ = ' ';
      *p++ = (v.prot & abi::kProtRead) ? 'r' : '-';
      *p++ = (v.prot & abi::kProtWrite) ? 'w' : '-';
      *p++ = (v.prot & abi::kProtExec) ? 'x' : '-';
      *p++ = 'p';
      const char* tail = " 00000000 00:00 0";
      while (*tail) *p++ = *tail++;
      const char* name = v.kind == kStack ? "                          [stack]"
                         : v.kind == kBrk ? "                          [heap]"
                                          : "";
      while (*name) *p++ = *name++;
      *p++ = '\n';
    }
    *out = buf;
    *cap = size;
    return p - buf;
  }
}

}  // namespace cocoon::shim::mem
