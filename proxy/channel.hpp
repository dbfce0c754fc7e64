// The untrusted window: the only memory the enclave process shares with the proxy.
//
// Freestanding-safe (included by the shim, the proxy and the supervisor). Layout:
//   [WindowHeader | stats]  (kHeaderSize bytes)
//   Channel 0, Channel 1, …  (one per enclave thread; each kChannelSize bytes)
//
// A channel carries one forwarded syscall at a time:
//   enclave: writes Request (+ data), then state = kRequest (release); wakes the proxy worker
//            if it sleeps; spins, then futex-waits for state == kResponse.
//   proxy:   executes the request, writes Response (+ data), state = kResponse (release);
//            wakes the enclave thread if it sleeps.
// Pointer arguments travel as offsets into the channel's data area. Nothing in this window is
// trusted by the shim: it re-checks every length, offset and value it reads back.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::channel {

inline constexpr std::uint32_t kWindowMagic = 0x574f4343;  // "CCOW"
inline constexpr std::uint32_t kWindowVersion = 1;
inline constexpr std::uint64_t kHeaderSize = 64 * 1024;
inline constexpr std::uint64_t kChannelDataSize = 256 * 1024;
inline constexpr std::uint64_t kChannelSize = 4096 + kChannelDataSize;
inline constexpr std::uint32_t kMaxStatsSyscalls = 512;

enum State : std::uint32_t { kIdle = 0, kRequest = 1, kResponse = 2, kClosed = 3 };

// Operations beyond plain syscall numbers (which are < kFirstSpecialOp).
enum Op : std::uint64_t {
  kFirstSpecialOp = 0x10000,
  kOpPing = kFirstSpecialOp,  // returns 0 (health check)
  kOpShutdown,                // the worker exits
  // Attestation (the enclave's /dev/attestation/quote): args[0] = 1 for the AESM service
  // (SGX_AESM_ADDR in the program's environment), 0 for the in-process simulated QE.
  kOpQeTargetInfo,            // args[1]: out, 512 bytes: the quoting enclave's TARGETINFO
  kOpQuote,                   // args[1]: in, the 432-byte REPORT; args[2]: out, args[3] bytes
                              // for the quote; returns the quote's length
  // Child processes (proxy/spawn_request.hpp).
  kOpForkProxy,               // this channel is served by a fork of its worker from now on;
                              // returns 0 (from the fork), or -errno
  kOpSpawn,                   // args[0]: in, a spawn::Request and what follows it, args[1] bytes;
                              // returns the new process's pid, and then the fork exits
                              // (after an error it goes on serving the child)
  // accept4 with args[0..3] as accept4's (accept's: flags 0), then the new socket's own and
  // peer addresses into args[4]: out, an AcceptNames (extent sizeof(AcceptNames)). Returns
  // the new fd or -errno. Saves the round trip of the getsockname servers make per request.
  kOpAcceptNames,
};

// What kOpAcceptNames writes: len[0]/addr[0] from getsockname, len[1]/addr[1] from
// getpeername of the new socket (the kernel's full lengths, 0 when a call failed).
struct AcceptNames {
  std::uint32_t len[2];
  std::uint8_t addr[2][128];  // sockaddr_storage
};

struct Request {
  std::uint64_t op;
  std::int64_t args[6];
  std::uint32_t ptr_mask;       // bit i: args[i] is an offset into data
  std::uint32_t iov_mask;       // bit i: args[i] is an offset of ONE struct iovec whose
                                //   iov_base is itself an offset into data
  std::uint64_t extent[6];      // for pointer args: bytes of data the argument may use
};

struct Response {
  std::int64_t ret;             // result or -errno
  std::int64_t aux;             // op-specific extra value
};

// Calls the shim answered for the program at once and made on the host later
// (shim/deferred_calls.hpp): they travel ahead of the next request of any enclave thread, and
// the proxy makes them, in the order of their sequence numbers, before that request.
// Only these, with their arguments in place: close(fd); fcntl(fd, F_SETFL, flags);
// setsockopt(fd, level, name, &value.int, 4); epoll_ctl(epfd, op, fd, &value.event).
inline constexpr std::uint32_t kMaxDeferred = 16;
struct DeferredCall {
  std::uint64_t op;
  std::int64_t args[3];
  std::uint8_t value[16];       // the int (setsockopt) or the packed epoll_event (epoll_ctl)
};

// Sent by the enclave to a proxy worker (its tid in the channel) blocked in a forwarded call
// when the calling thread has a signal to take: the call ends with EINTR, the shim runs the
// program's handler, then returns EINTR or restarts the call as Linux would (SA_RESTART).
inline constexpr int kInterruptSignal = 40;

struct alignas(64) Channel {
  // Control words, each on its own cache line to avoid false sharing.
  alignas(64) std::uint32_t state;
  alignas(64) std::uint32_t proxy_sleeping;    // futex word the proxy worker sleeps on
  std::int32_t worker_tid;                     // the proxy worker's tid (for kInterruptSignal)
  std::int32_t worker_cpu;                     // the CPU the worker waits (or sleeps pinned) on
  // TSC when the worker took up the request it is on (0 between requests), and how long the
  // last one took it (deferred calls included). The enclave thread tells its own call from
  // other tasks when a yield to the worker took long (shim/forward.cpp). Untrusted: they only
  // tune waiting.
  std::uint64_t worker_busy_since;
  std::uint64_t worker_busy_cycles;
  alignas(64) std::uint32_t enclave_sleeping;  // futex word the enclave thread sleeps on
  std::int32_t enclave_cpu;                    // the CPU the enclave thread posted its last request
                                               //   from: the worker sleeps pinned to it, so that
                                               //   waking it and handing back stay on one CPU
  std::int32_t spread;                         // nonzero while the enclave thread works on the
                                               //   last answer as the worker makes the next call
                                               //   (bulk reads): the worker leaves its CPU
  alignas(64) Request req;
  Response resp;
  // Made before req (see DeferredCall): deferred_count calls numbered from deferred_first;
  // with none, req waits until every call numbered below run_after was made.
  alignas(64) std::uint32_t deferred_count;
  std::uint32_t deferred_first;
  std::uint32_t run_after;
  DeferredCall deferred[kMaxDeferred];
  std::int64_t deferred_ret[kMaxDeferred];
  alignas(4096) std::uint8_t data[kChannelDataSize];
};
static_assert(sizeof(Channel) == kChannelSize, "channel layout");
static_assert(offsetof(Channel, data) == 4096, "channel data page aligned");
static_assert(offsetof(Channel, deferred_ret) + sizeof(Channel::deferred_ret) <= 4096, "channel header fits one page");

// The worker's account of its time on requests (Channel::worker_busy_since/_cycles): it took
// up a request at TSC `now`, or answered one at TSC `now`.
inline void worker_took_up(Channel& ch, std::uint64_t now) { __atomic_store_n(&ch.worker_busy_since, now, __ATOMIC_RELAXED); }
inline void worker_answered(Channel& ch, std::uint64_t now) {
  std::uint64_t since = __atomic_load_n(&ch.worker_busy_since, __ATOMIC_RELAXED);
  __atomic_store_n(&ch.worker_busy_cycles, since && now > since ? now - since : 0, __ATOMIC_RELAXED);
  __atomic_store_n(&ch.worker_busy_since, 0, __ATOMIC_RELAXED);
}

// An enclave thread's sched_yield to its worker from TSC `before` to `after`: whether it took
// longer than `threshold` beyond the worker's own time on this thread's request (answered:
// what it took; still on it: since it took it up), i.e. whether other tasks held the CPU.
// The worker's account is untrusted: it can only change how the thread waits.
inline bool yield_was_contended(const Channel& ch, std::uint64_t before, std::uint64_t after, std::uint64_t threshold) {
  if (after <= before || after - before <= threshold) return false;
  std::uint64_t own = 0;
  if (__atomic_load_n(&ch.state, __ATOMIC_ACQUIRE) != kRequest) {
    own = __atomic_load_n(&ch.worker_busy_cycles, __ATOMIC_RELAXED);
  } else if (std::uint64_t since = __atomic_load_n(&ch.worker_busy_since, __ATOMIC_RELAXED); since && since < after) {
    own = after - (since > before ? since : before);
  }
  return after - before - threshold > own;
}

// Per-syscall counters written by the shim (enclave-side statistics for `--stats`).
struct Stats {
  std::uint64_t served_in_shim[kMaxStatsSyscalls];
  std::uint64_t forwarded[kMaxStatsSyscalls];
  std::uint64_t refused[kMaxStatsSyscalls];
  std::uint64_t trapped[kMaxStatsSyscalls];  // reached the shim through a trap, not a rewritten site
  std::uint64_t epc_peak_bytes;
  std::uint64_t epc_current_bytes;
  std::uint64_t epc_limit_bytes;
  std::uint64_t sites_patched;
  std::uint64_t sigsys_traps;
  std::uint64_t round_trips;     // requests the proxy answered
  std::uint64_t proxy_wakeups;   // forwarded calls that found the proxy worker asleep
  std::uint64_t enclave_sleeps;  // forwarded calls whose answer came only after the spin
  std::uint64_t deferred_calls;  // calls answered at once and made later (shim/deferred_calls.hpp)
  std::uint64_t huge_regions;    // 2 MiB regions populated for huge host pages (shim/memory.cpp)
  std::uint64_t lent_bytes;      // verified file bytes moved into mappings, not copied (shim/trusted_files.cpp)
  std::uint64_t populated_ahead; // bytes populated by the populator thread for a copy (shim/populator.hpp)
};

struct WindowHeader {
  std::uint32_t magic;
  std::uint32_t version;
  std::uint32_t nchannels;
  std::uint32_t proxy_ready;
  std::uint64_t window_size;
  std::int32_t enclave_pid;       // written by the supervisor once the enclave process exists
  std::int32_t proxy_pid;         // written by the proxy before proxy_ready
  std::uint32_t channels_wanted;  // futex word: channels the enclave uses; the proxy starts a
                                  // worker for each as it appears (thread creation bumps it)
  std::int32_t exit_kind;         // 0 none, 1 exited, 2 killed by signal, 3 shim abort
  std::int32_t exit_value;        // status or signal number
  char exit_reason[512];          // one line for the supervisor to print (NUL-terminated)
  // The proxy's own fds (the spawner's socket) are this number and above: the top of the
  // host's RLIMIT_NOFILE, which the program's fds never reach; the shim refuses dup2 and
  // F_DUPFD targets there. 0: none. (Untrusted: it can only narrow the program's fd range.)
  std::int32_t proxy_private_fds;
  // Futex word: deferred calls (DeferredCall) are made up to this sequence number; written
  // by the proxy's workers.
  std::uint32_t deferred_done;
  Stats stats;
};
static_assert(sizeof(WindowHeader) <= kHeaderSize, "window header fits");

inline constexpr std::uint64_t window_size(std::uint32_t nchannels) {
  return kHeaderSize + static_cast<std::uint64_t>(nchannels) * kChannelSize;
}

inline Channel* channel_at(void* window, std::uint32_t index) {
  return reinterpret_cast<Channel*>(static_cast<std::uint8_t*>(window) + kHeaderSize +
                                    static_cast<std::uint64_t>(index) * kChannelSize);
}

}  // namespace cocoon::channel
