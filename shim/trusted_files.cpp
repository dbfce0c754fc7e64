#include "shim/trusted_files.hpp"

#include "shim/crypto/constant_time.hpp"
#include "shim/crypto/sha256.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/sync.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"
#include "proxy/channel.hpp"

namespace cocoon::shim::trusted {
namespace {

constexpr std::uint64_t kChunk = 64 * 1024;
// Files up to an eighth of the enclave's heap (at least 64 MiB, at most 512 MiB) are kept whole
// in enclave memory while open: read and hashed once at open, then every read, pread and mmap
// copies verified bytes without asking the host again. Larger files (or any file when
// enclave memory runs short) keep only one chunk and a hash per chunk, and fetch and re-check
// chunks: hashed twice at open (whole and per chunk) and again at every later access, which
// for a file a program maps whole (the JDK's 123 MiB lib/modules) costs three hashes of it.
constexpr std::int64_t kResidentMin = 64ll << 20, kResidentCap = 512ll << 20;
std::int64_t resident_max() {
  auto eighth = static_cast<std::int64_t>(mem::epc_limit() / 8);
  return eighth < kResidentMin ? kResidentMin : eighth > kResidentCap ? kResidentCap : eighth;
}
constexpr std::int64_t kMaxTrustedSize = 64ll << 30;

struct TrustedFile {
  SpinLock lock;
  std::uint32_t refs;
  int pfd;                    // the proxy's fd (kept open: it holds the fd number)
  std::uint64_t length;       // verified length
  std::uint64_t offset;       // file offset of the open file description
  std::uint64_t nchunks;
  std::uint8_t (*chunk_hash)[32];
  std::uint8_t* cache;        // one verified chunk
  std::uint64_t cached;       // chunk index in cache, or ~0
  std::uint8_t* resident;     // the whole verified file (small files), or nullptr
  std::uint64_t resident_cap;
  // Pages [lent_off, lent_off+lent_len) of `resident` were moved into a private mapping of
  // the file at lent_addr instead of being copied there (lend_for_mapping): reads of those
  // bytes copy them from the mapping while it is an unchanged copy, and otherwise read and
  // verify the file again. lent_len 0: none.
  std::uint64_t lent_off, lent_len, lent_addr;
  std::uint8_t sha256[32];    // the manifest's hash (a resident file verified again)
  char* path;
  std::uint64_t id;           // unique for the enclave's lifetime (file_id)
};

TrustedFile** g_by_fd;  // kMaxFds entries
std::uint64_t g_next_id = 1;
SpinLock g_table_lock;

void hex(const std::uint8_t* h, char out[65]) {
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = "0123456789abcdef"[h[i] >> 4];
    out[2 * i + 1] = "0123456789abcdef"[h[i] & 15];
  }
  out[64] = '\0';
}

TrustedFile* get(int fd) {
  if (!g_by_fd || fd < 0 || fd >= fd::kMaxFds) return nullptr;
  return __atomic_load_n(&g_by_fd[fd], __ATOMIC_ACQUIRE);
}

// Pages of a resident copy that are worth moving into a mapping rather than copying (and
// blocks this large are whole pages of their own, see heap.hpp).
constexpr std::uint64_t kMinLend = 64 * 1024;
constexpr std::uint64_t kPageSize = 4096;

// The resident copy's memory, less the pages lent to a mapping (released when they moved).
void free_resident(TrustedFile* t) {
  if (!t->resident) return;
  if (t->lent_len == 0) {
    heap::free(t->resident, t->resident_cap);
  } else {
    auto base = reinterpret_cast<std::uint64_t>(t->resident);
    std::uint64_t total = (t->resident_cap + kPageSize - 1) & ~(kPageSize - 1), after = t->lent_off + t->lent_len;
    if (t->lent_off) mem::unmap(base, t->lent_off);
    if (after < total) mem::unmap(base + after, total - after);
  }
  t->resident = nullptr;
  t->lent_len = 0;
}

void release(TrustedFile* t) {
  bool last;
  {
    LockGuard guard(t->lock);
    last = --t->refs == 0;
  }
  if (!last) return;
  heap::free(t->chunk_hash, t->nchunks * 32);
  heap::free(t->cache, kChunk);
  free_resident(t);
  heap::free_str(t->path);
  heap::free(t, sizeof *t);
}

long proxy_file_size(int pfd, std::int64_t& size) {
  size = proxy_fstat_size(pfd);
  if (size < 0) return size;
  if (size > kMaxTrustedSize) return iago("fstat", "st_size", size);
  return 0;
}

void log_mismatch(const char* path, const std::uint8_t expected[32], const std::uint8_t digest[32]) {
  char want[65], got_hex[65];
  hex(expected, want);
  hex(digest, got_hex);
  log("trusted file %s: hash mismatch (manifest says %s, file is %s); refused. Re-run 'cocoon manifest' "
      "and 'cocoon sign', or restore the file",
      path, want, got_hex);
}

void log_mismatch(const policy::Resolved& r, const std::uint8_t digest[32]) { log_mismatch(r.path, r.sha256, digest); }

// Reads the file's bytes [0, cap) into dst (enclave memory) and hashes them, until end of
// file or cap: each piece is hashed as it is copied out of the window (what is hashed is what
// dst gets, whatever the host does to the window) while the proxy reads the next one.
// Returns bytes read or -errno.
long read_hashed(int pfd, std::uint8_t* dst, std::uint64_t cap, std::uint8_t digest[32]) {
  crypto::Sha256 h;
  long got = proxy_pread_each(
      pfd, dst, cap, 0,
      [](void* ctx, std::uint8_t* to, const std::uint8_t* window, std::uint64_t, std::uint64_t n) {
        static_cast<crypto::Sha256*>(ctx)->update_copy(to, window, n);
      },
      &h);
  if (got < 0) return got;
  h.final(digest);
  return got;
}

// The file's bytes [0, cap) (or to its end) read into a new block of enclave memory and
// hashed into digest. The block, with *got the bytes read; nullptr with *got = -errno.
std::uint8_t* read_into_new(int pfd, std::uint64_t cap, std::uint8_t digest[32], long* got) {
  auto* data = static_cast<std::uint8_t*>(heap::alloc(cap));
  if (!data) {
    *got = -abi::kENOMEM;
    return nullptr;
  }
  // Filled at once by the copy below (large blocks are whole pages of their own).
  if (cap > kMinLend) mem::prefault(reinterpret_cast<std::uint64_t>(data), cap);
  *got = read_hashed(pfd, data, cap, digest);
  if (*got < 0) {
    heap::free(data, cap);
    return nullptr;
  }
  return data;
}

// A small file, read whole into enclave memory and hashed once; it stays there while open.
TrustedFile* verify_resident(int pfd, const policy::Resolved& r, std::uint64_t hinted, long* err) {
  const std::uint64_t cap = hinted + 1;  // one byte more than announced: a file that grew is caught
  auto* t = static_cast<TrustedFile*>(heap::alloc(sizeof(TrustedFile)));
  if (!t) {
    *err = -abi::kENOMEM;
    return nullptr;
  }
  std::uint8_t digest[32] = {};
  long got;
  std::uint8_t* data = read_into_new(pfd, cap, digest, &got);
  if (!data) {
    *err = got;
  } else if (static_cast<std::uint64_t>(got) == cap) {
    log("trusted file %s: it grew while being read; refused", r.path);
    *err = -abi::kEACCES;
  } else {
    if (!crypto::ct_equal(digest, r.sha256, 32)) {
      log_mismatch(r, digest);
      *err = -abi::kEACCES;
    }
  }
  if (*err != 0) {
    heap::free(data, cap);
    heap::free(t, sizeof *t);
    return nullptr;
  }
  t->refs = 1;
  t->pfd = pfd;
  t->length = static_cast<std::uint64_t>(got);
  t->cached = ~0ull;
  t->resident = data;
  t->resident_cap = cap;
  t->path = heap::strdup(r.path, r.len);
  __builtin_memcpy(t->sha256, r.sha256, 32);
  return t;
}

// A resident file whose lent pages are no longer an unchanged copy in their mapping: read
// and verified again, whole, into a new resident copy. Caller holds t->lock.
long reverify_resident(TrustedFile* t) {
  const std::uint64_t cap = t->length + 1;
  std::uint8_t digest[32];
  long got;
  std::uint8_t* data = read_into_new(t->pfd, cap, digest, &got);
  if (!data) return got;
  if (got != static_cast<long>(t->length) || !crypto::ct_equal(digest, t->sha256, 32)) {
    heap::free(data, cap);
    log("trusted file %s: it changed on the host after it was opened; refused", t->path);
    return -abi::kEACCES;
  }
  free_resident(t);
  t->resident = data;
  t->resident_cap = cap;
  return 0;
}

TrustedFile* verify_chunked(int pfd, const policy::Resolved& r, std::int64_t hinted, long* err);

// Reads the whole file once, checking it against the manifest's hash and recording chunk
// hashes (or keeping it whole if it is small). Returns the new record, or nullptr with *err set.
// Verbose mode names each verified file (what a start-up pays for hashing).
TrustedFile* verify_whole(int pfd, const policy::Resolved& r, long* err) {
  std::int64_t hinted;
  if (long e = proxy_file_size(pfd, hinted); e < 0) {
    *err = e;
    return nullptr;
  }
  TrustedFile* t = nullptr;
  if (hinted <= resident_max()) {
    t = verify_resident(pfd, r, static_cast<std::uint64_t>(hinted), err);
    if (!t && *err == -abi::kENOMEM) *err = 0;  // no room for it whole: by chunks below
  }
  if (!t && *err == 0) t = verify_chunked(pfd, r, hinted, err);
  if (t) t->id = __atomic_fetch_add(&g_next_id, 1, __ATOMIC_RELAXED);
  if (t && verbose()) log("trusted file %s: %lu bytes verified", r.path, t->length);
  return t;
}

// A large file: hashed chunk by chunk, keeping each chunk's hash for later re-checks.
TrustedFile* verify_chunked(int pfd, const policy::Resolved& r, std::int64_t hinted, long* err) {
  auto* t = static_cast<TrustedFile*>(heap::alloc(sizeof(TrustedFile)));
  std::uint64_t cap = static_cast<std::uint64_t>(hinted) / kChunk + 1;
  auto* hashes = static_cast<std::uint8_t(*)[32]>(heap::alloc(cap * 32));
  auto* buf = static_cast<std::uint8_t*>(heap::alloc(kChunk));
  if (!t || !hashes || !buf) {
    *err = -abi::kENOMEM;
    return nullptr;
  }
  crypto::Sha256 whole;
  std::uint64_t total = 0, n = 0;
  for (;; ++n) {
    long got = proxy_pread(pfd, buf, kChunk, total);
    if (got < 0) {
      *err = got;
      break;
    }
    if (got == 0) break;
    if (n >= cap) {  // more data than the size the host announced: it changed under us
      *err = -abi::kEACCES;
      break;
    }
    whole.update(buf, static_cast<std::uint64_t>(got));
    crypto::sha256(buf, static_cast<std::uint64_t>(got), hashes[n]);
    total += static_cast<std::uint64_t>(got);
    if (static_cast<std::uint64_t>(got) < kChunk) {
      ++n;
      // Short chunk: must be the end of the file.
      long more = proxy_pread(pfd, buf, 1, total);
      if (more != 0) *err = more < 0 ? more : -abi::kEACCES;
      break;
    }
  }
  std::uint8_t digest[32];
  whole.final(digest);
  if (*err == 0 && !crypto::ct_equal(digest, r.sha256, 32)) *err = -abi::kEACCES;
  if (*err != 0) {
    if (*err == -abi::kEACCES) log_mismatch(r, digest);
    heap::free(hashes, cap * 32);
    heap::free(buf, kChunk);
    heap::free(t, sizeof *t);
    return nullptr;
  }
  t->refs = 1;
  t->pfd = pfd;
  t->length = total;
  t->nchunks = cap;
  t->chunk_hash = hashes;
  t->cache = buf;
  t->cached = ~0ull;
  t->path = heap::strdup(r.path, r.len);
  if (n > 0) t->cached = n - 1;  // the buffer still holds the last chunk read
  return t;
}

// Makes chunk c (verified) the cached one. Caller holds t->lock.
long load_chunk(TrustedFile* t, std::uint64_t c) {
  if (t->cached == c) return 0;
  std::uint64_t want = t->length - c * kChunk < kChunk ? t->length - c * kChunk : kChunk;
  long got = proxy_pread(t->pfd, t->cache, want, c * kChunk);
  t->cached = ~0ull;
  std::uint8_t h[32];
  if (got >= 0) crypto::sha256(t->cache, static_cast<std::uint64_t>(got), h);
  if (got != static_cast<long>(want) || !crypto::ct_equal(h, t->chunk_hash[c], 32)) {
    log("trusted file %s: bytes %lu..%lu changed on the host after it was opened; refused", t->path, c * kChunk,
        c * kChunk + want);
    return -abi::kEACCES;
  }
  t->cached = c;
  return 0;
}

// Copies verified bytes [off, off+len) of t into dst (enclave memory, already checked).
long copy_verified(TrustedFile* t, std::uint8_t* dst, std::uint64_t len, std::uint64_t off) {
  if (off >= t->length) return 0;
  if (len > t->length - off) len = t->length - off;
  if (t->resident && t->lent_len) {
    // [lo, hi): the part of the read in the lent pages, copied from their mapping.
    std::uint64_t lo = off > t->lent_off ? off : t->lent_off;
    std::uint64_t hi = off + len < t->lent_off + t->lent_len ? off + len : t->lent_off + t->lent_len;
    if (lo < hi) {
      if (mem::copy_from_file_copy(t->lent_addr + (lo - t->lent_off), hi - lo, t->id, lo, dst + (lo - off))) {
        if (lo > off) __builtin_memcpy(dst, t->resident + off, lo - off);
        if (hi < off + len) __builtin_memcpy(dst + (hi - off), t->resident + hi, off + len - hi);
        return static_cast<long>(len);
      }
      if (long e = reverify_resident(t); e < 0) return e;  // whole again: copied below
    }
  }
  if (t->resident) {
    __builtin_memcpy(dst, t->resident + off, len);
    return static_cast<long>(len);
  }
  std::uint64_t done = 0;
  while (done < len) {
    std::uint64_t c = (off + done) / kChunk, in = (off + done) % kChunk;
    if (long e = load_chunk(t, c); e < 0) return done ? static_cast<long>(done) : e;
    std::uint64_t n = kChunk - in < len - done ? kChunk - in : len - done;
    __builtin_memcpy(dst + done, t->cache + in, n);
    done += n;
  }
  return static_cast<long>(done);
}

}  // namespace

long open(const policy::Resolved& r, long flags) {
  if ((flags & 3) != 0 || (flags & (0100 /*O_CREAT*/ | 01000 /*O_TRUNC*/ | 02000 /*O_APPEND*/)))
    return -abi::kEACCES;  // trusted files are read-only
  if (!g_by_fd) {
    LockGuard guard(g_table_lock);
    if (!g_by_fd) g_by_fd = static_cast<TrustedFile**>(mem::shim_alloc(sizeof(TrustedFile*) * fd::kMaxFds));
  }
  ProxyRequest rq(257);
  rq.arg(0, abi::kAtFdcwd);
  if (!rq.in_bytes(1, r.path, r.len + 1)) return -abi::kENAMETOOLONG;
  rq.arg(2, flags & ~(0100l | 01000l));
  long pfd = rq.call("openat");
  if (pfd < 0) return pfd;
  if (fd::adopt(pfd) < 0) return iago("openat", "new fd", pfd);
  long err = 0;
  TrustedFile* t = verify_whole(static_cast<int>(pfd), r, &err);
  if (!t) {
    fd::forget(static_cast<int>(pfd));
    proxy_call(3, pfd);
    return err;
  }
  __atomic_store_n(&g_by_fd[pfd], t, __ATOMIC_RELEASE);
  return pfd;
}

bool is_trusted_fd(int fd) { return get(fd) != nullptr; }

std::uint64_t size_of(int fd) {
  TrustedFile* t = get(fd);
  return t ? t->length : 0;
}

std::uint64_t file_id(int fd) {
  TrustedFile* t = get(fd);
  return t ? t->id : 0;
}

long pread(int fd, std::uint64_t buf, std::uint64_t len, std::int64_t off) {
  TrustedFile* t = get(fd);
  if (!t) return -abi::kEBADF;
  if (off < 0) return -abi::kEINVAL;
  if (!user::range_writable(buf, len)) return -abi::kEFAULT;
  LockGuard guard(t->lock);
  return copy_verified(t, reinterpret_cast<std::uint8_t*>(buf), len, static_cast<std::uint64_t>(off));
}

long read(int fd, std::uint64_t buf, std::uint64_t len) {
  TrustedFile* t = get(fd);
  if (!t) return -abi::kEBADF;
  if (!user::range_writable(buf, len)) return -abi::kEFAULT;
  LockGuard guard(t->lock);
  long n = copy_verified(t, reinterpret_cast<std::uint8_t*>(buf), len, t->offset);
  if (n > 0) t->offset += static_cast<std::uint64_t>(n);
  return n;
}

long readv(int fd, std::uint64_t iov, long count, std::int64_t off) {
  TrustedFile* t = get(fd);
  if (!t) return -abi::kEBADF;
  if (count < 0 || count > 1024) return -abi::kEINVAL;
  LockGuard guard(t->lock);
  std::uint64_t pos = off < 0 ? t->offset : static_cast<std::uint64_t>(off);
  long total = 0;
  for (long i = 0; i < count; ++i) {
    std::uint64_t v[2];
    if (!user::copy_from(v, iov + static_cast<std::uint64_t>(i) * 16, 16)) return total ? total : -abi::kEFAULT;
    if (!user::range_writable(v[0], v[1])) return total ? total : -abi::kEFAULT;
    long n = copy_verified(t, reinterpret_cast<std::uint8_t*>(v[0]), v[1], pos);
    if (n < 0) return total ? total : n;
    total += n;
    pos += static_cast<std::uint64_t>(n);
    if (static_cast<std::uint64_t>(n) < v[1]) break;
  }
  if (off < 0) t->offset = pos;
  return total;
}

long lseek(int fd, std::int64_t off, int whence) {
  TrustedFile* t = get(fd);
  if (!t) return -abi::kEBADF;
  LockGuard guard(t->lock);
  std::int64_t base;
  switch (whence) {
    case 0: base = 0; break;
    case 1: base = static_cast<std::int64_t>(t->offset); break;
    case 2: base = static_cast<std::int64_t>(t->length); break;
    case 3:  // SEEK_DATA
      if (off < 0 || static_cast<std::uint64_t>(off) >= t->length) return -abi::kENXIO;
      base = 0;
      break;
    case 4:  // SEEK_HOLE
      if (off < 0 || static_cast<std::uint64_t>(off) > t->length) return -abi::kENXIO;
      t->offset = t->length;
      return static_cast<long>(t->length);
    default: return -abi::kEINVAL;
  }
  if (base + off < 0) return -abi::kEINVAL;
  t->offset = static_cast<std::uint64_t>(base + off);
  return static_cast<long>(t->offset);
}

void on_close(int fd) {
  if (!g_by_fd || fd < 0 || fd >= fd::kMaxFds) return;
  TrustedFile* t = __atomic_exchange_n(&g_by_fd[fd], nullptr, __ATOMIC_ACQ_REL);
  if (t) release(t);
}

void on_dup(int from, int to) {
  on_close(to);
  TrustedFile* t = get(from);
  if (!t) return;
  {
    LockGuard guard(t->lock);
    ++t->refs;
  }
  __atomic_store_n(&g_by_fd[to], t, __ATOMIC_RELEASE);
}

bool lend_for_mapping(int fd, std::uint64_t dst, std::uint64_t len, std::uint64_t off) {
  TrustedFile* t = get(fd);
  if (!t) return false;
  LockGuard guard(t->lock);
  if (!t->resident || t->lent_len || t->resident_cap <= kMinLend || off >= t->length || (off & (kPageSize - 1)))
    return false;
  std::uint64_t n = len < t->length - off ? len : t->length - off;
  std::uint64_t pages = (n + kPageSize - 1) & ~(kPageSize - 1);
  if (pages < kMinLend) return false;
  // Past the end of the file the mapping reads zero (the copy left it so; say it again).
  if (off + n == t->length) __builtin_memset(t->resident + t->length, 0, off + pages - t->length);
  if (!mem::move_pages(reinterpret_cast<std::uint64_t>(t->resident) + off, dst, pages)) return false;
  t->lent_off = off;
  t->lent_len = pages;
  t->lent_addr = dst;
  if (g.window) __atomic_fetch_add(&g.window->stats.lent_bytes, pages, __ATOMIC_RELAXED);
  return true;
}

bool lent_pages_in(int fd, std::uint64_t addr, std::uint64_t len) {
  TrustedFile* t = get(fd);
  if (!t) return false;
  LockGuard guard(t->lock);
  return t->lent_len && addr < t->lent_addr + t->lent_len && t->lent_addr < addr + len;
}

long read_for_mapping(int fd, void* dst, std::uint64_t len, std::uint64_t off) {
  if (TrustedFile* t = get(fd)) {
    LockGuard guard(t->lock);
    long n = copy_verified(t, static_cast<std::uint8_t*>(dst), len, off);
    return n < 0 ? n : 0;
  }
  int pfd = fd::to_proxy(fd);
  if (pfd < 0) return -abi::kEBADF;
  long n = proxy_pread(pfd, dst, len, off);
  return n < 0 ? n : 0;  // bytes past the end of the file stay zero
}

namespace {

// A trusted file the loader reads before it is verified (loader_open's `after_load`).
struct Extent {
  std::uint64_t off, len;
  const std::uint8_t* dst;  // where those file bytes were copied (enclave memory)
};
struct DeferredCheck {
  std::uint8_t want[32];
  char* path;
  Extent* ext;
  std::uint32_t n, cap;
  bool failed;  // a read could not be recorded: verification refuses
  // While the reads come in file order (the loader reads an ELF's segments in order), each
  // piece is hashed as it lands, while the proxy reads the next: [0, hashed_to) is in
  // `running`. A read that skips ahead ends that; verification then hashes from the copies.
  bool out_of_order;
  std::uint64_t hashed_to;
  crypto::Sha256 running;
};

DeferredCheck* new_deferred(const policy::Resolved& r) {
  auto* d = static_cast<DeferredCheck*>(heap::alloc(sizeof(DeferredCheck)));
  if (!d) return nullptr;
  __builtin_memcpy(d->want, r.sha256, 32);
  d->path = heap::strdup(r.path, r.len);
  d->running.reset();
  return d;
}

// proxy_pread_each's copy for a deferred file: extends the running hash as it copies.
void hash_in_order(void* ctx, std::uint8_t* to, const std::uint8_t* window, std::uint64_t off, std::uint64_t len) {
  auto* d = static_cast<DeferredCheck*>(ctx);
  if (!d->out_of_order && off > d->hashed_to) d->out_of_order = true;
  if (d->out_of_order || off + len <= d->hashed_to) {  // hashed already (compared at the end), or later
    __builtin_memcpy(to, window, len);
    return;
  }
  std::uint64_t seen = d->hashed_to - off;
  __builtin_memcpy(to, window, seen);
  d->running.update_copy(to + seen, window + seen, len - seen);
  d->hashed_to = off + len;
}

void free_deferred(DeferredCheck* d) {
  if (!d) return;
  heap::free(d->ext, d->cap * sizeof(Extent));
  heap::free_str(d->path);
  heap::free(d, sizeof *d);
}

void record_read(DeferredCheck* d, std::uint64_t off, const void* dst, std::uint64_t len) {
  if (len == 0) return;
  if (d->n == d->cap) {
    std::uint32_t cap = d->cap ? d->cap * 2 : 16;
    auto* ext = static_cast<Extent*>(heap::alloc(cap * sizeof(Extent)));
    if (!ext) {
      d->failed = true;
      return;
    }
    if (d->n) __builtin_memcpy(ext, d->ext, d->n * sizeof(Extent));
    heap::free(d->ext, d->cap * sizeof(Extent));
    d->ext = ext;
    d->cap = cap;
  }
  d->ext[d->n++] = Extent{off, len, static_cast<const std::uint8_t*>(dst)};
}

// Hashes [0, size) in file order: each part from the recorded copy reaching furthest (every
// other copy of that part must hold the same bytes), parts nobody read from the proxy. The
// part the reads already hashed in order ([0, hashed_to)) is only compared.
long hash_recorded(const LoaderFile& f, DeferredCheck* d, std::uint64_t size, std::uint8_t digest[32]) {
  for (std::uint32_t i = 0; i < d->n; ++i) {
    const Extent& e = d->ext[i];
    if (e.off > size || e.len > size - e.off) {
      log("trusted file %s: read past the size the host reported; refused", d->path);
      return -abi::kEACCES;
    }
    // The program's image must still be readable here (an execute-only segment is not):
    // the shim's own buffers (not the program's memory) always are.
    auto a = reinterpret_cast<std::uint64_t>(e.dst);
    if (mem::prot_at(a) >= 0 && !mem::is_mapped(a, e.len, abi::kProtRead)) {
      log("trusted file %s: a segment the program cannot read cannot be verified; refused", d->path);
      return -abi::kEACCES;
    }
  }
  constexpr std::uint64_t kScratch = 64 * 1024;
  std::uint8_t* scratch = nullptr;
  crypto::Sha256 h;
  long err = 0;
  std::uint64_t o = 0;
  // [0, hashed): hashed as the reads landed (and the gaps between them): only compared here.
  const std::uint64_t hashed = !d->out_of_order && d->hashed_to <= size ? d->hashed_to : 0;
  if (hashed) h = d->running;
  while (o < size && err == 0) {
    const Extent* best = nullptr;
    std::uint64_t next = size;  // start of the next recorded read after o
    for (std::uint32_t i = 0; i < d->n; ++i) {
      const Extent& e = d->ext[i];
      if (e.off <= o && o < e.off + e.len) {
        if (!best || e.off + e.len > best->off + best->len) best = &e;
      } else if (e.off > o && e.off < next) {
        next = e.off;
      }
    }
    if (best) {
      const std::uint64_t end = best->off + best->len;
      for (std::uint32_t i = 0; i < d->n; ++i) {
        const Extent& e = d->ext[i];
        std::uint64_t lo = e.off > o ? e.off : o, hi = e.off + e.len < end ? e.off + e.len : end;
        if (&e != best && lo < hi && __builtin_memcmp(e.dst + (lo - e.off), best->dst + (lo - best->off), hi - lo) != 0) {
          log("trusted file %s: bytes %lu..%lu differ between two reads; refused", d->path, lo, hi);
          err = -abi::kEACCES;
        }
      }
      const std::uint64_t from = o > hashed ? o : hashed;
      if (end > from) h.update(best->dst + (from - best->off), end - from);
      o = end;
      continue;
    }
    if (o < hashed) {  // a gap hashed on the way (hash_gap)
      o = next < hashed ? next : hashed;
      continue;
    }
    if (!scratch && !(scratch = static_cast<std::uint8_t*>(heap::alloc(kScratch)))) {
      err = -abi::kENOMEM;
      break;
    }
    while (o < next) {
      std::uint64_t want = next - o < kScratch ? next - o : kScratch;
      long got = proxy_pread(f.pfd, scratch, want, o);
      if (got != static_cast<long>(want)) {
        if (got >= 0) log("trusted file %s: shorter than the size the host reported; refused", d->path);
        err = got < 0 ? got : -abi::kEACCES;
        break;
      }
      h.update(scratch, want);
      o += want;
    }
  }
  if (err == 0) {
    std::uint8_t more;  // the end of the file must be where the host said
    long r = proxy_pread(f.pfd, &more, 1, size);
    if (r > 0) log("trusted file %s: longer than the size the host reported; refused", d->path);
    if (r != 0) err = r < 0 ? r : -abi::kEACCES;
  }
  heap::free(scratch, kScratch);
  h.final(digest);
  return err;
}

// A read that starts past what is hashed (the padding between two segments): the bytes in
// between are read and hashed first, so that hashing in order goes on. Large gaps are left
// to verification.
void hash_gap(const LoaderFile& f, DeferredCheck* d, std::uint64_t off) {
  constexpr std::uint64_t kMaxGap = 64 * 1024;
  std::uint8_t* scratch = off - d->hashed_to <= kMaxGap ? static_cast<std::uint8_t*>(heap::alloc(kMaxGap)) : nullptr;
  if (!scratch) {
    d->out_of_order = true;
    return;
  }
  long got = proxy_pread(f.pfd, scratch, off - d->hashed_to, d->hashed_to);
  if (got == static_cast<long>(off - d->hashed_to)) {
    d->running.update(scratch, static_cast<std::uint64_t>(got));
    d->hashed_to = off;
  } else {
    d->out_of_order = true;  // verification reads it again and says what is wrong
  }
  heap::free(scratch, kMaxGap);
}

}  // namespace

long loader_verify(const LoaderFile& f) {
  auto* d = static_cast<DeferredCheck*>(f.deferred);
  if (!d) return 0;
  std::int64_t size;
  if (long e = proxy_file_size(f.pfd, size); e < 0) return e;
  std::uint8_t digest[32] = {};
  long err = d->failed ? -abi::kENOMEM : hash_recorded(f, d, static_cast<std::uint64_t>(size), digest);
  if (err == 0 && !crypto::ct_equal(digest, d->want, 32)) {
    log_mismatch(d->path, d->want, digest);
    err = -abi::kEACCES;
  }
  if (err == 0 && verbose()) log("trusted file %s: %ld bytes verified", d->path, static_cast<long>(size));
  return err;
}

void loader_forget_reads(const LoaderFile& f) {
  if (auto* d = static_cast<DeferredCheck*>(f.deferred)) {
    d->n = 0;
    d->out_of_order = false;
    d->hashed_to = 0;
    d->running.reset();
  }
}

long loader_open(const char* path, LoaderFile& out, bool after_load) {
  policy::Resolved r;
  if (long e = policy::resolve(abi::kAtFdcwd, path, true, r); e < 0) return e;
  if (policy::active() && r.access != policy::Access::Trusted && r.access != policy::Access::Allowed) {
    log("%s: not a trusted file in the manifest; refusing to load it", r.path);
    return r.access == policy::Access::Hidden ? -abi::kENOENT : -abi::kEACCES;
  }
  ProxyRequest rq(257);
  rq.arg(0, abi::kAtFdcwd);
  if (!rq.in_bytes(1, r.path, r.len + 1)) return -abi::kENAMETOOLONG;
  rq.arg(2, abi::kORdonly | abi::kOCloexec);
  long pfd = rq.call("openat");
  if (pfd < 0) return pfd;
  // (A vfork child's copy of the table may be stale, see fd::adopt: its proxy fork is right.)
  if (pfd >= fd::kMaxFds || (fd::is_open(static_cast<int>(pfd)) && !vfork::current()))
    return iago("openat", "new fd", pfd);
  out.pfd = static_cast<int>(pfd);
  out.obj = nullptr;
  out.deferred = nullptr;
  if (r.access == policy::Access::Trusted && after_load) {
    out.deferred = new_deferred(r);
    if (!out.deferred) {
      proxy_call(3, pfd);
      return -abi::kENOMEM;
    }
  } else if (r.access == policy::Access::Trusted) {
    long err = 0;
    TrustedFile* t = verify_whole(static_cast<int>(pfd), r, &err);
    if (!t) {
      proxy_call(3, pfd);
      return err;
    }
    out.obj = t;
  }
  return 0;
}

long loader_pread(const LoaderFile& f, void* dst, std::uint64_t len, std::uint64_t off) {
  if (f.obj) {
    auto* t = static_cast<TrustedFile*>(f.obj);
    LockGuard guard(t->lock);
    return copy_verified(t, static_cast<std::uint8_t*>(dst), len, off);
  }
  if (!f.deferred) return proxy_pread(f.pfd, dst, len, off);
  auto* d = static_cast<DeferredCheck*>(f.deferred);
  if (!d->out_of_order && off > d->hashed_to) hash_gap(f, d, off);
  long got = proxy_pread_each(f.pfd, dst, len, off, hash_in_order, d);
  if (got > 0) record_read(d, off, dst, static_cast<std::uint64_t>(got));
  return got;
}

long loader_size(const LoaderFile& f, std::int64_t& size) {
  if (f.obj) {
    size = static_cast<std::int64_t>(static_cast<TrustedFile*>(f.obj)->length);
    return 0;
  }
  return proxy_file_size(f.pfd, size);
}

void loader_close(LoaderFile& f) {
  if (f.obj) release(static_cast<TrustedFile*>(f.obj));
  f.obj = nullptr;
  free_deferred(static_cast<DeferredCheck*>(f.deferred));
  f.deferred = nullptr;
  proxy_call(3, f.pfd);
}

}  // namespace cocoon::shim::trusted
