// Memory syscalls, served inside the enclave from ELRANGE (shim/memory.cpp).
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/shared_maps.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/trusted_files.hpp"

namespace cocoon::shim {
namespace {
constexpr long kPage = 4096;
constexpr long kKnownMapFlags = abi::kMapShared | abi::kMapPrivate | abi::kMapFixed | abi::kMapAnonymous |
                                abi::kMapGrowsdown | abi::kMapDenywrite | abi::kMapExecutable |
                                abi::kMapLocked | abi::kMapNoreserve | abi::kMapPopulate |
                                abi::kMapNonblock | abi::kMapStack | abi::kMapFixedNoreplace;
}  // namespace

namespace {

// POSIX shared memory and semaphores (shm_open, sem_open) live in /dev/shm to be shared
// between processes; a copy written back now and then would only look like it works.
bool in_dev_shm(int fd) {
  char target[64];
  long r = proxy_fd_link(fd, target, sizeof target);
  return r >= 9 && __builtin_memcmp(target, "/dev/shm/", 9) == 0;
}

}  // namespace

long sys_mmap(SyscallFrame& f) {
  std::uint64_t addr = static_cast<std::uint64_t>(f.a[0]), len = static_cast<std::uint64_t>(f.a[1]);
  int prot = static_cast<int>(f.a[2]);
  long flags = f.a[3];
  int fd = static_cast<int>(f.a[4]);
  long off = f.a[5];
  if (len == 0 || (off & (kPage - 1))) return -abi::kEINVAL;
  if (prot & ~(abi::kProtRead | abi::kProtWrite | abi::kProtExec)) return -abi::kEINVAL;
  long type = flags & abi::kMapSharedValidate;
  if (type == 0) return -abi::kEINVAL;
  if (flags & abi::kMapHugetlb) return -abi::kEINVAL;
  if (type == abi::kMapSharedValidate && (flags & ~kKnownMapFlags)) return -abi::kEOPNOTSUPP_MMAP;
  bool fixed = flags & abi::kMapFixed, noreplace = flags & abi::kMapFixedNoreplace;
  if (fixed && !noreplace && !(addr & (kPage - 1))) shared_maps::unmapping(addr, len);  // replaced
  if (flags & abi::kMapAnonymous) {
    return mem::map(addr, len, prot, fixed, noreplace, (flags & abi::kMapStack) ? mem::kStack : mem::kAnon);
  }
  // File mapping: a private copy read through the proxy (verified for trusted files).
  if (!fd::is_open(fd)) return -abi::kEBADF;
  // Shared and writable: written back to the file (shim/shared_maps.hpp).
  bool shared = type != abi::kMapPrivate && (prot & abi::kProtWrite);
  if (shared) {
    // As Linux: a shared writable mapping needs O_RDWR; a trusted file is never written.
    long fl = trusted::is_trusted_fd(fd) ? 0 : proxy_call(72, fd, 3 /* F_GETFL */);
    if (fl < 0) return fl;
    if ((fl & 3) != 2) return -abi::kEACCES;
    if (in_dev_shm(fd)) {
      report_unsupported(9, "writable MAP_SHARED of /dev/shm (memory shared between processes) is not available in the enclave (ENODEV)");
      return -abi::kENODEV;
    }
  }
  // A trusted file mapped again over its own unchanged copy (ld.so maps a library's span,
  // then each segment over it): the pages already hold these bytes.
  std::uint64_t id = trusted::file_id(fd);
  if (fixed && id && mem::reuse_file_copy(addr, len, id, static_cast<std::uint64_t>(off), prot))
    return static_cast<long>(addr);
  // The bytes a fixed mapping of a trusted file needs may be in the very pages it replaces
  // (pages the file lent to its first mapping: ld.so maps a data segment one page off where
  // the span had those file bytes): they are read before they go.
  std::uint8_t* staged = nullptr;
  if (fixed && id && trusted::lent_pages_in(fd, addr, len)) {
    staged = static_cast<std::uint8_t*>(heap::alloc(len));
    if (!staged) return -abi::kENOMEM;
    if (long r = trusted::read_for_mapping(fd, staged, len, static_cast<std::uint64_t>(off)); r < 0) {
      heap::free(staged, len);
      return r;
    }
  }
  long a = mem::map(addr, len, abi::kProtRead | abi::kProtWrite, fixed, noreplace, mem::kFile);
  if (abi::is_error(a)) {
    heap::free(staged, len);
    return a;
  }
  if (staged) {
    __builtin_memcpy(reinterpret_cast<void*>(a), staged, len);
    heap::free(staged, len);
  }
  // A private mapping of a trusted file kept whole: its pages move in, uncopied.
  const bool lent = id && !shared && !staged &&
                    trusted::lend_for_mapping(fd, static_cast<std::uint64_t>(a), len, static_cast<std::uint64_t>(off));
  if (!lent && !staged) {
    mem::prefault(static_cast<std::uint64_t>(a), len);  // the copy fills these pages at once
    long r = trusted::read_for_mapping(fd, reinterpret_cast<void*>(a), len, static_cast<std::uint64_t>(off));
    if (r < 0) {
      mem::unmap(static_cast<std::uint64_t>(a), len);
      return r;
    }
  }
  long p = mem::protect(static_cast<std::uint64_t>(a), len, prot);
  if (p < 0) return p;
  if (shared) {
    long s = shared_maps::add(static_cast<std::uint64_t>(a), len, fd, static_cast<std::uint64_t>(off));
    if (s < 0) {
      mem::unmap(static_cast<std::uint64_t>(a), len);
      return s;
    }
  }
  // Recorded only when every page holds file bytes or zero past the end of the file (a
  // copied partial last page within the file is zero past `len`, unlike the file; lent
  // pages are whole pages of it).
  if (id && (lent || len % kPage == 0 || static_cast<std::uint64_t>(off) + len >= trusted::size_of(fd)))
    mem::set_file_copy(static_cast<std::uint64_t>(a), len, id, static_cast<std::uint64_t>(off));
  return a;
}

long sys_munmap(SyscallFrame& f) {
  std::uint64_t addr = static_cast<std::uint64_t>(f.a[0]), len = static_cast<std::uint64_t>(f.a[1]);
  if (!(addr & (kPage - 1)) && len) shared_maps::unmapping(addr, len);
  return mem::unmap(addr, len);
}

long sys_mprotect(SyscallFrame& f) {
  int prot = static_cast<int>(f.a[2]);
  if (prot & ~(abi::kProtRead | abi::kProtWrite | abi::kProtExec | 0x01000000 | 0x02000000)) return -abi::kEINVAL;
  return mem::protect(static_cast<std::uint64_t>(f.a[0]), static_cast<std::uint64_t>(f.a[1]), prot & 7);
}

long sys_brk(SyscallFrame& f) { return mem::brk(static_cast<std::uint64_t>(f.a[0])); }

long sys_mremap(SyscallFrame& f) {
  std::uint64_t old_addr = static_cast<std::uint64_t>(f.a[0]), old_len = static_cast<std::uint64_t>(f.a[1]);
  std::uint64_t new_len = static_cast<std::uint64_t>(f.a[2]);
  shared_maps::Origin o{false, -1, 0};
  if (!(old_addr & (kPage - 1)) && old_len && new_len) o = shared_maps::take(old_addr, old_len);
  long r = mem::remap(old_addr, old_len, new_len, f.a[3], static_cast<std::uint64_t>(f.a[4]));
  // Followed again where it now is; after a failure, where it was.
  if (abi::is_error(r)) shared_maps::adopt(o, old_addr, old_len);
  else shared_maps::adopt(o, static_cast<std::uint64_t>(r), new_len);
  return r;
}

long sys_madvise(SyscallFrame& f) {
  return mem::advise(static_cast<std::uint64_t>(f.a[0]), static_cast<std::uint64_t>(f.a[1]), static_cast<int>(f.a[2]));
}

long sys_msync(SyscallFrame& f) {
  if (f.a[0] & (kPage - 1)) return -abi::kEINVAL;
  if (!mem::is_mapped(static_cast<std::uint64_t>(f.a[0]), static_cast<std::uint64_t>(f.a[1]), 0)) return -abi::kENOMEM;
  // Shared file mappings: what changed goes to the file now (MS_ASYNC too).
  return shared_maps::sync(static_cast<std::uint64_t>(f.a[0]), static_cast<std::uint64_t>(f.a[1])) < 0 ? -abi::kEIO : 0;
}

long sys_mincore(SyscallFrame& f) {
  std::uint64_t addr = static_cast<std::uint64_t>(f.a[0]), len = static_cast<std::uint64_t>(f.a[1]);
  if (addr & (kPage - 1)) return -abi::kEINVAL;
  if (!mem::is_mapped(addr, len, 0)) return -abi::kENOMEM;
  std::uint64_t pages = (len + kPage - 1) / kPage;
  std::uint64_t vec = static_cast<std::uint64_t>(f.a[2]);
  if (!mem::is_mapped(vec, pages, abi::kProtWrite)) return -abi::kEFAULT;
  __builtin_memset(reinterpret_cast<void*>(vec), 1, pages);  // enclave pages count as resident
  return 0;
}

// EPC pages are never swapped by the host in a way the program could observe: locking is a
// successful no-op.
long sys_mlock(SyscallFrame&) { return 0; }
long sys_munlock(SyscallFrame&) { return 0; }
long sys_mlockall(SyscallFrame&) { return 0; }
long sys_munlockall(SyscallFrame&) { return 0; }
long sys_mlock2(SyscallFrame&) { return 0; }

}  // namespace cocoon::shim
