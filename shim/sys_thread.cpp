// Thread state served in the enclave: TLS (%fs), tid address, robust lists, futexes, exit.
#include "manifest/enclave_layout.hpp"
#include "shim/deferred_calls.hpp"
#include "shim/clock.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/sync.hpp"
#include "shim/sys_handlers.hpp"
#include "shim/patch.hpp"
#include "shim/shared_maps.hpp"
#include "shim/signals.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"
#include "shim/user_memory.hpp"
#include "shim/vfork.hpp"

extern "C" {
long shim_host_clone(unsigned long flags, std::uint64_t stack_top, std::int32_t* ptid, std::int32_t* ctid,
                     std::uint64_t tls, void (*fn)(void*), void* arg);
[[noreturn]] void shim_resume_child(const std::uint64_t* regs, std::uint64_t rsp);
void shim_trap_stub_return();
}

namespace cocoon::shim {
namespace {

// Futex waiters: each sleeps on its own word with a host futex (an untrusted wait on
// hardware); wakers find them here by address. The program's futex words stay in the
// enclave and are only ever read by the shim.
struct Waiter {
  std::uint64_t uaddr;
  std::uint32_t bitset;
  std::uint32_t woken;  // host futex word
  Waiter* next;
};
SpinLock g_futex_lock;
Waiter* g_waiters;

constexpr long kCmdMask = 0x7f;  // without FUTEX_PRIVATE_FLAG / FUTEX_CLOCK_REALTIME
constexpr long kWaitBitset = 9, kWakeBitset = 10, kRequeue = 3, kCmpRequeue = 4, kWakeOp = 5;
constexpr long kClockRealtimeFlag = 256;

long futex_wait(std::uint64_t uaddr, std::uint32_t val, std::uint64_t timeout_ptr, bool absolute,
                bool realtime, std::uint32_t bitset) {
  if (bitset == 0) return -abi::kEINVAL;
  deferred::flush();  // what this thread deferred must not wait for its wake-up
  std::int64_t deadline = -1;
  if (timeout_ptr) {
    abi::Timespec ts;
    if (!user::read(ts, timeout_ptr)) return -abi::kEFAULT;
    if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1'000'000'000) return -abi::kEINVAL;
    std::int64_t t = ts.tv_sec * 1'000'000'000 + ts.tv_nsec;
    std::int64_t now = realtime ? clock::realtime_ns() : clock::monotonic_ns();
    deadline = clock::monotonic_ns() + (absolute ? t - now : t);
  }
  Waiter w{uaddr, bitset, 0, nullptr};
  {
    LockGuard guard(g_futex_lock);
    std::uint32_t cur;
    if (!user::read(cur, uaddr)) return -abi::kEFAULT;
    if (cur != val) return -abi::kEAGAIN;
    w.next = g_waiters;
    g_waiters = &w;
  }
  long result = 0;
  while (!__atomic_load_n(&w.woken, __ATOMIC_ACQUIRE)) {
    long wait_ns = -1;
    if (deadline >= 0) {
      wait_ns = deadline - clock::monotonic_ns();
      if (wait_ns <= 0) {
        result = -abi::kETIMEDOUT;
        break;
      }
    }
    host::futex_wait(&w.woken, 0, wait_ns);
    // A signal for the program ends the wait (glibc and runtimes treat it as spurious).
    if (__atomic_load_n(&current_thread()->deliverable, __ATOMIC_ACQUIRE)) {
      result = -abi::kEINTR;
      break;
    }
  }
  LockGuard guard(g_futex_lock);
  for (Waiter** p = &g_waiters; *p; p = &(*p)->next)
    if (*p == &w) {
      *p = w.next;
      break;
    }
  if (result != 0 && __atomic_load_n(&w.woken, __ATOMIC_ACQUIRE)) result = 0;
  return result;
}

long futex_wake(std::uint64_t uaddr, long count, std::uint32_t bitset, std::uint64_t requeue_to = 0,
                long requeue_max = 0) {
  if (bitset == 0) return -abi::kEINVAL;
  long woken = 0, moved = 0;
  LockGuard guard(g_futex_lock);
  for (Waiter* w = g_waiters; w; w = w->next) {
    if (w->uaddr != uaddr || __atomic_load_n(&w->woken, __ATOMIC_RELAXED)) continue;
    if (woken < count) {
      if (!(w->bitset & bitset)) continue;
      __atomic_store_n(&w->woken, 1u, __ATOMIC_RELEASE);
      host::futex_wake(&w->woken, 1);
      ++woken;
    } else if (requeue_to && moved < requeue_max) {
      w->uaddr = requeue_to;
      ++moved;
    }
  }
  return woken + moved;
}

// ---- Thread slots --------------------------------------------------------------------
//
// Slot i owns the i-th thread area of the enclave layout (shim stack, signal altstack, TLS
// page holding its ShimThread) and channel i of the untrusted window. Slot 0 is the main
// thread's and is never reused. A slot is handed out again only once the kernel has cleared
// its host_alive word, i.e. once the previous host thread no longer runs on its stacks.

// The flags glibc's pthread_create passes; the host clone always uses exactly these (the
// enclave's seccomp filter allows clone with no others).
constexpr unsigned long kCloneVm = 0x100, kCloneFs = 0x200, kCloneFiles = 0x400, kCloneSighand = 0x800,
                        kCloneThread = 0x10000, kCloneSysvsem = 0x40000, kCloneSettls = 0x80000,
                        kCloneParentSettid = 0x100000, kCloneChildCleartid = 0x200000,
                        kCloneChildSettid = 0x1000000, kCsignal = 0xff;
constexpr unsigned long kHostThreadFlags = kCloneVm | kCloneFs | kCloneFiles | kCloneSighand | kCloneThread |
                                           kCloneSysvsem | kCloneSettls | kCloneParentSettid |
                                           kCloneChildCleartid;
static_assert(kHostThreadFlags == 0x3d0f00);
constexpr unsigned long kThreadRequired = kCloneVm | kCloneFs | kCloneFiles | kCloneSighand | kCloneThread;
constexpr unsigned long kThreadOptional =
    kCloneSysvsem | kCloneSettls | kCloneParentSettid | kCloneChildCleartid | kCloneChildSettid;

SpinLock g_slots_lock;
std::uint32_t g_nslots = 1;
int g_live = 1;
std::uint32_t g_multithreaded;
std::uint32_t g_reported_full;

// Slots whose thread area is committed (slot 0 by the loader, the others when first used).
constexpr std::uint32_t kMaxSlots = 4096;  // the manifest's bound on enclave.max_threads
std::uint64_t g_committed[kMaxSlots / 64] = {1};

bool committed(std::uint32_t index) {
  return (__atomic_load_n(&g_committed[index / 64], __ATOMIC_ACQUIRE) >> (index % 64)) & 1;
}

// Gives slot `index`'s thread area its pages (TCS and SSA, stack, altstack, TLS page; the
// guard page stays PROT_NONE), as the loader does for slot 0. Under g_slots_lock.
bool commit_slot(std::uint32_t index) {
  if (committed(index)) return true;
  const layout::EnclaveDescriptor* d = g.desc;
  std::uint64_t area = g.base + d->threads_offset + static_cast<std::uint64_t>(index) * d->thread_span;
  const long rw = abi::kProtRead | abi::kProtWrite;
  std::uint64_t ssa_end = d->ssa_in_thread + static_cast<std::uint64_t>(d->nssa) * d->ssa_frame_pages * 4096;
  if (host::call(abi::kMprotect, area, ssa_end, rw) != 0) return false;
  if (host::call(abi::kMprotect, area + d->stack_in_thread, d->thread_span - d->stack_in_thread, rw) != 0) return false;
  layout::make_tcs(*d, index, reinterpret_cast<std::uint8_t*>(area + d->tcs_in_thread));
  __atomic_fetch_or(&g_committed[index / 64], 1ull << (index % 64), __ATOMIC_RELEASE);
  return true;
}

ShimThread* slot(std::uint32_t index) {
  const layout::EnclaveDescriptor* d = g.desc;
  return reinterpret_cast<ShimThread*>(g.base + d->threads_offset + static_cast<std::uint64_t>(index) * d->thread_span +
                                       d->tls_in_thread);
}

// A free slot (claimed for the caller), or null when every slot is in use. Prefers slots
// whose previous host thread is gone; otherwise takes one whose thread is still exiting.
ShimThread* claim_slot() {
  LockGuard guard(g_slots_lock);
  ShimThread* exiting = nullptr;
  for (std::uint32_t i = 1; i < g_nslots; ++i) {
    if (!committed(i)) {
      if (!commit_slot(i)) return nullptr;
      ShimThread* t = slot(i);
      __atomic_store_n(&t->claimed, 1u, __ATOMIC_RELAXED);
      return t;
    }
    ShimThread* t = slot(i);
    if (__atomic_load_n(&t->claimed, __ATOMIC_ACQUIRE)) continue;
    if (__atomic_load_n(&t->host_alive, __ATOMIC_ACQUIRE) == 0) {
      __atomic_store_n(&t->claimed, 1u, __ATOMIC_RELAXED);
      return t;
    }
    if (!exiting) exiting = t;
  }
  if (exiting) __atomic_store_n(&exiting->claimed, 1u, __ATOMIC_RELAXED);
  return exiting;
}

void wait_host_gone(ShimThread* t) {
  for (;;) {
    std::int32_t v = __atomic_load_n(&t->host_alive, __ATOMIC_ACQUIRE);
    if (v == 0) return;
    host::futex_wait(reinterpret_cast<std::uint32_t*>(&t->host_alive), static_cast<std::uint32_t>(v), 1'000'000);
  }
}

// Makes sure the proxy runs a worker for channel `index`.
void want_channel(std::uint32_t index) {
  std::uint32_t* w = &g.window->channels_wanted;
  std::uint32_t cur = __atomic_load_n(w, __ATOMIC_ACQUIRE);
  bool raised = false;
  while (cur < index + 1) {
    if (__atomic_compare_exchange_n(w, &cur, index + 1, false, __ATOMIC_SEQ_CST, __ATOMIC_ACQUIRE)) {
      raised = true;
      break;
    }
  }
  if (raised) host::futex_wake(w, 0x7fffffff);
}

void block_host_signals(std::uint64_t* old) {
  std::uint64_t all = ~0ull;
  host::call(abi::kRtSigprocmask, abi::kSigSetmask, &all, old, 8);
}

// First code of a new host thread, on its own shim stack (with every host signal blocked).
void thread_start(void* arg) {
  auto* t = static_cast<ShimThread*>(arg);
  asm volatile("wrgsbase %0" ::"r"(reinterpret_cast<std::uint64_t>(t)) : "memory");
  std::int32_t tid = static_cast<std::int32_t>(host::call(abi::kGettid));
  __atomic_store_n(&t->tid, tid, __ATOMIC_RELEASE);
  if (!(g.flags & launch::kTestNoDispatch)) {
    long r = host::call(abi::kPrctl, abi::kPrSetSyscallUserDispatch, abi::kPrSysDispatchOn, g.text_begin,
                        g.text_end - g.text_begin, &t->dispatch_selector);
    if (r != 0) fatal("cannot enable Syscall User Dispatch for a new thread (errno %ld)", -r);
  }
  signals::setup_thread_altstack(t->altstack_base, t->altstack_size);
  if (t->vfork_child) {
    // A vfork child: its forwarded calls go to a fork of the proxy worker (shim/vfork.hpp).
    while (!__atomic_load_n(&t->start_go, __ATOMIC_ACQUIRE)) host::futex_wait(&t->start_go, 0, -1);
    long r = proxy_call(static_cast<long>(channel::kOpForkProxy));
    if (r < 0) vfork::finish_child(r);
    static_cast<vfork::Child*>(t->vfork_child)->proxy_forked = 1;
  }
  // The kernel stores the tid (CLONE_PARENT_SETTID) before either thread runs again: the
  // creator stores it, and the child's program code waits for that (else a thread that
  // exits at once could clear the word before its creator sets it, and pthread_join hang).
  while (!__atomic_load_n(&t->start_go, __ATOMIC_ACQUIRE)) host::futex_wait(&t->start_go, 0, -1);
  if (t->start_flags & kCloneChildSettid) user::write(t->start_ctid, tid);
  host::call(abi::kRtSigprocmask, abi::kSigSetmask, &t->start_host_mask, 0, 8);
  shim_resume_child(t->start_regs, t->start_rsp);
}

long launch_thread(CloneFrame& cf, unsigned long flags, std::uint64_t newsp, std::uint64_t ptid, std::uint64_t ctid,
                  std::uint64_t tls, vfork::Child* vchild);

long create_thread(CloneFrame& cf) {
  unsigned long flags = static_cast<unsigned long>(cf.a[0]);
  if (flags & kCloneThread) flags &= ~kCsignal;  // Linux ignores a thread's exit signal
  std::uint64_t newsp = static_cast<std::uint64_t>(cf.a[1]);
  std::uint64_t ptid = static_cast<std::uint64_t>(cf.a[2]);
  std::uint64_t ctid = static_cast<std::uint64_t>(cf.a[3]);
  std::uint64_t tls = static_cast<std::uint64_t>(cf.a[4]);
  // Linux's own consistency rules first (EINVAL), then what the shim does not do (ENOSYS).
  if ((flags & kCloneThread) && !(flags & kCloneSighand)) return -abi::kEINVAL;
  if ((flags & kCloneSighand) && !(flags & kCloneVm)) return -abi::kEINVAL;
  if ((flags & kThreadRequired) != kThreadRequired || (flags & ~(kThreadRequired | kThreadOptional))) {
    report_unsupported(56, "only threads (the flags of pthread_create) are supported; processes need one "
                           "enclave each (ENOSYS)");
    return -abi::kENOSYS;
  }
  if (newsp == 0) return -abi::kEINVAL;
  if ((flags & kCloneSettls) && tls >= 0x7ffffffff000ull) return -abi::kEPERM;  // as Linux: not a user address
  return launch_thread(cf, flags, newsp, ptid, ctid, tls, nullptr);
}

// The new thread's start (a pthread, or a vfork child when vchild is set).
long launch_thread(CloneFrame& cf, unsigned long flags, std::uint64_t newsp, std::uint64_t ptid, std::uint64_t ctid,
                   std::uint64_t tls, vfork::Child* vchild) {
  ShimThread* self = current_thread();
  // The child leaves the shim the way this call will: through the same return path, whose
  // bytes (from shim_syscall_entry's return address to the program's stack pointer at the
  // syscall instruction) are copied to just below the child's stack pointer.
  std::uint64_t saved = self->saved_program_rsp;
  std::uint64_t path = threads::return_path_bytes(self);
  if (newsp < path) return -abi::kEFAULT;
  if ((flags & kCloneParentSettid) && !user::range_writable(ptid, 4)) return -abi::kEFAULT;
  if ((flags & (kCloneChildSettid | kCloneChildCleartid)) && !user::range_writable(ctid, 4)) return -abi::kEFAULT;
  std::uint8_t frame[patch::kTrapPathBytes];
  __builtin_memcpy(frame, reinterpret_cast<const void*>(saved), path);
  if (!user::copy_to(newsp - path, frame, path)) return -abi::kEFAULT;

  ShimThread* t = claim_slot();
  if (!t) {
    if (verbose() && !__atomic_exchange_n(&g_reported_full, 1u, __ATOMIC_RELAXED))
      log("clone: all %u enclave threads are in use (enclave.max_threads, cocoon run --max-threads); "
          "thread creation fails with EAGAIN",
          g_nslots);
    return -abi::kEAGAIN;
  }
  wait_host_gone(t);
  const layout::EnclaveDescriptor* d = g.desc;
  std::uint32_t index = static_cast<std::uint32_t>(
      (reinterpret_cast<std::uint64_t>(t) - g.base - d->threads_offset - d->tls_in_thread) / d->thread_span);
  std::uint64_t area = g.base + d->threads_offset + static_cast<std::uint64_t>(index) * d->thread_span;
  t->self = t;
  t->index = index;
  t->stack_top = area + d->stack_in_thread + d->stack_size;
  t->saved_program_rsp = 0;
  t->in_shim = 1;
  t->dispatch_selector = abi::kDispatchBlock;
  t->tid = 0;
  t->channel = channel::channel_at(g.window, index);
  t->altstack_base = area + d->altstack_in_thread;
  t->altstack_size = d->altstack_size;
  t->sigmask = self->sigmask;
  t->clear_child_tid = (flags & kCloneChildCleartid) ? ctid : 0;
  t->robust_list = 0;
  t->robust_list_len = 0;
  std::uint64_t fs;
  asm volatile("rdfsbase %0" : "=r"(fs));
  t->program_fs = (flags & kCloneSettls) ? tls : fs;
  t->prog_altstack_sp = 0;  // Linux: a new thread has no alternate signal stack
  t->prog_altstack_size = 0;
  t->prog_altstack_flags = abi::kSsDisable;
  t->pending = 0;  // Linux: a new thread starts with nothing pending, its creator's mask
  t->has_saved_mask = 0;
  t->deliverable = 0;
  __builtin_memcpy(t->name, self->name, sizeof t->name);
  t->vfork_child = vchild;
  __builtin_memcpy(t->start_regs, &cf, sizeof t->start_regs);
  t->start_rsp = newsp - path;
  t->start_flags = flags;
  t->start_ptid = ptid;
  t->start_ctid = ctid;
  want_channel(index);

  __atomic_add_fetch(&g_live, 1, __ATOMIC_ACQ_REL);
  if (!__atomic_exchange_n(&g_multithreaded, 1u, __ATOMIC_ACQ_REL)) {
    patch::set_thread_count(2);
    __atomic_store_n(&g.threaded, 1u, __ATOMIC_RELEASE);
  }
  __atomic_store_n(&t->start_go, 0u, __ATOMIC_RELAXED);
  __atomic_store_n(&t->host_alive, -1, __ATOMIC_RELEASE);
  std::uint64_t old_mask;
  block_host_signals(&old_mask);
  t->start_host_mask = old_mask;
  long r = shim_host_clone(kHostThreadFlags, t->stack_top, &t->host_alive, &t->host_alive, t->program_fs,
                           thread_start, t);
  host::call(abi::kRtSigprocmask, abi::kSigSetmask, &old_mask, 0, 8);
  if (r < 0) {
    __atomic_sub_fetch(&g_live, 1, __ATOMIC_ACQ_REL);
    __atomic_store_n(&t->host_alive, 0, __ATOMIC_RELEASE);
    __atomic_store_n(&t->claimed, 0u, __ATOMIC_RELEASE);
    if (verbose()) log("clone: the host refused a new thread (errno %ld); the program gets EAGAIN", -r);
    return -abi::kEAGAIN;
  }
  std::int32_t tid = static_cast<std::int32_t>(r);
  __atomic_store_n(&t->tid, tid, __ATOMIC_RELEASE);
  if (flags & kCloneParentSettid) user::write(ptid, tid);
  __atomic_store_n(&t->start_go, 1u, __ATOMIC_RELEASE);
  host::futex_wake(&t->start_go, 1);
  return tid;
}

// Robust futexes (set_robust_list): as the kernel does when a thread exits, every lock
// still held by the thread (its word's TID bits are the thread's tid) is marked
// FUTEX_OWNER_DIED and one waiter is woken, so that the next locker gets EOWNERDEAD.
constexpr std::uint32_t kFutexWaiters = 0x80000000u, kFutexOwnerDied = 0x40000000u, kFutexTidMask = 0x3fffffffu;
constexpr int kRobustListLimit = 2048;  // the kernel's ROBUST_LIST_LIMIT

void release_robust_futex(std::uint64_t entry, std::int64_t offset, std::int32_t tid) {
  std::uint64_t uaddr = entry + static_cast<std::uint64_t>(offset);
  if ((uaddr & 3) || !user::range_writable(uaddr, 4)) return;
  auto* word = reinterpret_cast<std::uint32_t*>(uaddr);
  std::uint32_t v = __atomic_load_n(word, __ATOMIC_ACQUIRE);
  for (;;) {
    if ((v & kFutexTidMask) != static_cast<std::uint32_t>(tid)) return;
    std::uint32_t next = (v & kFutexWaiters) | kFutexOwnerDied;
    if (__atomic_compare_exchange_n(word, &v, next, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) break;
  }
  if (v & kFutexWaiters) futex_wake(uaddr, 1, ~0u);
}

void release_robust_list(ShimThread* t) {
  if (!t->robust_list) return;
  struct {
    std::uint64_t next;
    std::int64_t futex_offset;
    std::uint64_t op_pending;
  } head;
  if (!user::read(head, t->robust_list)) return;
  std::uint64_t pending = head.op_pending & ~1ull;
  std::uint64_t entry = head.next;
  for (int n = 0; entry != t->robust_list && n < kRobustListLimit; ++n) {
    std::uint64_t e = entry & ~1ull;  // bit 0: a PI futex (not supported; handled alike)
    std::uint64_t next;
    if (!user::read(next, e)) break;
    if (e != pending) release_robust_futex(e, head.futex_offset, t->tid);
    entry = next;
  }
  if (pending) release_robust_futex(pending, head.futex_offset, t->tid);
}

[[noreturn]] void host_thread_end(ShimThread* t) {
  std::uint64_t old;
  block_host_signals(&old);
  __atomic_store_n(&t->tid, 0, __ATOMIC_RELEASE);
  // Slot 0 (the main thread's) is never reused; others are free again once the kernel
  // clears host_alive, after this host thread is gone.
  if (t->index != 0) __atomic_store_n(&t->claimed, 0u, __ATOMIC_RELEASE);
  for (;;) host::call(abi::kExit, 0);
}

[[noreturn]] void thread_exit(int status) {
  ShimThread* t = current_thread();
  release_robust_list(t);
  // CLONE_CHILD_CLEARTID / set_tid_address: pthread_join waits for this word to become 0.
  if (t->clear_child_tid) {
    std::uint32_t zero = 0;
    if (user::write(t->clear_child_tid, zero)) futex_wake(t->clear_child_tid, 1, ~0u);
  }
  // The last thread's exit ends the process with its status.
  if (__atomic_sub_fetch(&g_live, 1, __ATOMIC_ACQ_REL) == 0) host::exit_program(status);
  host_thread_end(t);
}

}  // namespace

long sys_arch_prctl(SyscallFrame& f) {
  ShimThread* t = current_thread();
  switch (f.a[0]) {
    case abi::kArchSetFs:
      t->program_fs = static_cast<std::uint64_t>(f.a[1]);
      asm volatile("wrfsbase %0" ::"r"(t->program_fs));
      return 0;
    case abi::kArchGetFs: {
      std::uint64_t fs;
      asm volatile("rdfsbase %0" : "=r"(fs));
      return user::write(static_cast<std::uint64_t>(f.a[1]), fs) ? 0 : -abi::kEFAULT;
    }
    case abi::kArchGetCpuid:
      return 1;
    default:
      // %gs belongs to the shim.
      report_unsupported(158, "only ARCH_SET_FS/ARCH_GET_FS/ARCH_GET_CPUID are supported");
      return -abi::kEINVAL;
  }
}

long sys_set_tid_address(SyscallFrame& f) {
  ShimThread* t = current_thread();
  t->clear_child_tid = static_cast<std::uint64_t>(f.a[0]);
  return t->tid;
}

long sys_set_robust_list(SyscallFrame& f) {
  if (f.a[1] != 24) return -abi::kEINVAL;
  ShimThread* t = current_thread();
  t->robust_list = static_cast<std::uint64_t>(f.a[0]);
  t->robust_list_len = 24;
  return 0;
}

long sys_get_robust_list(SyscallFrame& f) {
  ShimThread* t = current_thread();
  if (f.a[0] != 0 && f.a[0] != t->tid) return -abi::kESRCH;
  if (!user::write(static_cast<std::uint64_t>(f.a[1]), t->robust_list)) return -abi::kEFAULT;
  std::uint64_t len = 24;
  return user::write(static_cast<std::uint64_t>(f.a[2]), len) ? 0 : -abi::kEFAULT;
}

long sys_futex(SyscallFrame& f) {
  std::uint64_t uaddr = static_cast<std::uint64_t>(f.a[0]);
  long op = f.a[1];
  long cmd = op & kCmdMask & ~128;
  std::uint32_t val = static_cast<std::uint32_t>(f.a[2]);
  if (uaddr & 3) return -abi::kEINVAL;
  switch (cmd) {
    case abi::kFutexWait:
      return futex_wait(uaddr, val, static_cast<std::uint64_t>(f.a[3]), false, false, ~0u);
    case kWaitBitset:
      return futex_wait(uaddr, val, static_cast<std::uint64_t>(f.a[3]), true, (op & kClockRealtimeFlag) != 0,
                        static_cast<std::uint32_t>(f.a[5]));
    case abi::kFutexWake:
      return futex_wake(uaddr, static_cast<long>(val), ~0u);
    case kWakeBitset:
      return futex_wake(uaddr, static_cast<long>(val), static_cast<std::uint32_t>(f.a[5]));
    case kRequeue:
    case kCmpRequeue: {
      if (cmd == kCmpRequeue) {
        std::uint32_t cur;
        if (!user::read(cur, uaddr)) return -abi::kEFAULT;
        if (cur != static_cast<std::uint32_t>(f.a[5])) return -abi::kEAGAIN;
      }
      return futex_wake(uaddr, static_cast<long>(val), ~0u, static_cast<std::uint64_t>(f.a[4]), f.a[3]);
    }
    default:
      report_unsupported(202, "this futex operation is not supported (ENOSYS)");
      return -abi::kENOSYS;
  }
}

long sys_exit(SyscallFrame& f) {
  if (vfork::current()) vfork::exit_child(static_cast<int>(f.a[0] & 0xff));
  deferred::flush();
  thread_exit(static_cast<int>(f.a[0] & 0xff));
}

long sys_exit_group(SyscallFrame& f) {
  if (vfork::current()) vfork::exit_child(static_cast<int>(f.a[0] & 0xff));
  shared_maps::flush_all();
  deferred::flush();
  host::exit_program(static_cast<int>(f.a[0] & 0xff));
}

// Reached only through shim_syscall_entry's clone path, whose frame is a CloneFrame.
long sys_clone(SyscallFrame& f) {
  auto& cf = *reinterpret_cast<CloneFrame*>(&f);
  unsigned long flags = static_cast<unsigned long>(cf.a[0]);
  if ((flags & (kCloneVm | vfork::kCloneVfork)) == (kCloneVm | vfork::kCloneVfork) && !(flags & kCloneThread))
    return vfork::start(cf, static_cast<std::uint64_t>(cf.a[1]));
  return create_thread(cf);
}

namespace threads {

std::uint64_t return_path_bytes(const ShimThread* t) {
  std::uint64_t ret_addr;
  __builtin_memcpy(&ret_addr, reinterpret_cast<const void*>(t->saved_program_rsp), 8);
  return ret_addr == reinterpret_cast<std::uint64_t>(&shim_trap_stub_return) ? patch::kTrapPathBytes
                                                                            : patch::kStubPathBytes;
}

long start_vfork_thread(CloneFrame& cf, std::uint64_t newsp, void* child) {
  return launch_thread(cf, kCloneVm, newsp, 0, 0, 0, static_cast<vfork::Child*>(child));
}

[[noreturn]] void end_vfork_thread() {
  ShimThread* t = current_thread();
  __atomic_sub_fetch(&g_live, 1, __ATOMIC_ACQ_REL);
  host_thread_end(t);
}

void init() {
  slot(0)->claimed = 1;
  std::uint32_t n = g.desc->max_threads;
  if (g.window->nchannels < n) n = g.window->nchannels;
  if (n > kMaxSlots) n = kMaxSlots;
  g_nslots = n < 1 ? 1 : n;
}

bool multithreaded() { return __atomic_load_n(&g_multithreaded, __ATOMIC_RELAXED) != 0; }

int live_count() { return __atomic_load_n(&g_live, __ATOMIC_ACQUIRE); }

bool tid_alive(long tid) { return live_thread(tid) != nullptr; }

ShimThread* live_thread(long tid) {
  if (tid <= 0) return nullptr;
  for (std::uint32_t i = 0; i < g_nslots; ++i) {
    if (!committed(i)) continue;
    ShimThread* t = slot(i);
    if (__atomic_load_n(&t->claimed, __ATOMIC_ACQUIRE) && __atomic_load_n(&t->tid, __ATOMIC_ACQUIRE) == tid)
      return t;
  }
  return nullptr;
}

std::uint32_t slot_count() { return __atomic_load_n(&g_nslots, __ATOMIC_ACQUIRE); }
ShimThread* slot_at(std::uint32_t index) { return committed(index) ? slot(index) : nullptr; }

}  // namespace threads

}  // namespace cocoon::shim
