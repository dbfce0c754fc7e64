// The proxy process: one worker thread per channel, each serving its enclave thread's
// forwarded syscalls, waiting briefly for the next and then sleeping on the channel's futex word.
#include <fcntl.h>
#include <sched.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <x86intrin.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "proxy/proxy.hpp"

namespace cocoon::proxy {
namespace {

// After a response the worker waits for the next request up to kSpin, yielding its CPU to
// anything else that wants it (its enclave thread above all, when both are on one CPU), then
// sleeps pinned to the enclave thread's CPU (docs/architecture.md, "Waiting for the proxy").
constexpr auto kSpin = std::chrono::microseconds(50);

void futex_wait(std::uint32_t* word, std::uint32_t expected) {
  syscall(SYS_futex, word, FUTEX_WAIT, expected, nullptr, nullptr, 0);
}
void futex_wake(std::uint32_t* word) { syscall(SYS_futex, word, FUTEX_WAKE, 0x7fffffff, nullptr, nullptr, 0); }

// Hostile mode "peek": try every way to read the enclave's memory; each must fail.
void peek_at_enclave(pid_t pid) {
  long r = ptrace(PTRACE_ATTACH, pid, nullptr, nullptr);
  std::fprintf(stderr, "cocoon proxy (hostile test): ptrace(PTRACE_ATTACH, %d): %s\n", pid,
               r == 0 ? "SUCCEEDED" : std::strerror(errno));
  char buf[64];
  iovec local{buf, sizeof buf}, remote{reinterpret_cast<void*>(0x10000), sizeof buf};
  long n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
  std::fprintf(stderr, "cocoon proxy (hostile test): process_vm_readv(%d): %s\n", pid,
               n >= 0 ? "SUCCEEDED" : std::strerror(errno));
  char path[64];
  std::snprintf(path, sizeof path, "/proc/%d/mem", pid);
  int fd = open(path, O_RDONLY);
  std::fprintf(stderr, "cocoon proxy (hostile test): open(%s): %s\n", path, fd >= 0 ? "SUCCEEDED" : std::strerror(errno));
  if (fd >= 0) close(fd);
  // Nor may it write into the supervisor (its parent), which starts enclaves and reports ends.
  std::snprintf(path, sizeof path, "/proc/%d/mem", static_cast<int>(getppid()));
  fd = open(path, O_RDWR);
  std::fprintf(stderr, "cocoon proxy (hostile test): open(%s, O_RDWR) of the supervisor: %s\n", path,
               fd >= 0 ? "SUCCEEDED" : std::strerror(errno));
  if (fd >= 0) close(fd);
}

// Hostile answers only target the program's own calls on files named "cocoon-hostile…"
// (and plain read), so that the enclave can start and the check is on the program's path.
bool names_hostile_file(const channel::Request& rq, const std::uint8_t* data) {
  if (!(rq.ptr_mask & 2u)) return false;
  const char* path = reinterpret_cast<const char*>(data + rq.args[1]);
  return std::strstr(path, "cocoon-hostile") != nullptr;
}

// fds of hostile files (for read-too-long), one bit per fd.
std::atomic<std::uint64_t> g_hostile_fds[1024];
void mark_hostile_fd(long fd) {
  if (fd >= 0 && fd < 65536) g_hostile_fds[fd / 64].fetch_or(1ull << (fd % 64));
}
bool is_hostile_fd(long fd) { return fd >= 0 && fd < 65536 && (g_hostile_fds[fd / 64].load() >> (fd % 64)) & 1; }

long hostile_result(Hostile h, const channel::Request& rq, long r, std::uint8_t* data) {
  switch (h) {
    case Hostile::ReadTooLong:
      if (rq.op == SYS_openat && r >= 0 && names_hostile_file(rq, data)) mark_hostile_fd(r);
      if (rq.op == SYS_read && r > 0 && is_hostile_fd(rq.args[0])) return rq.args[2] + 100;
      return r;
    case Hostile::NegativeFd:
      if (rq.op == SYS_openat && r >= 0 && names_hostile_file(rq, data)) return -5000;
      return r;
    case Hostile::ReusedFd:
      if (rq.op == SYS_openat && r >= 0 && names_hostile_file(rq, data)) return 1;
      return r;
    case Hostile::StatSize:
      if (r == 0 && names_hostile_file(rq, data)) {
        std::int64_t bad = -1;
        if (rq.op == SYS_newfstatat) std::memcpy(data + rq.args[2] + 48, &bad, 8);
        if (rq.op == SYS_statx) std::memcpy(data + rq.args[4] + 40, &bad, 8);
      }
      return r;
    case Hostile::ChangedReread:
      if (rq.op == SYS_openat && r >= 0 && names_hostile_file(rq, data)) mark_hostile_fd(r);
      if (rq.op == SYS_pread64 && r > 10 && rq.args[3] == 0 && rq.args[2] == 16384 && is_hostile_fd(rq.args[0]))
        data[rq.args[1] + 10] ^= 1;
      return r;
    case Hostile::BadErrno:
      return -100000;
    default:
      return r;
  }
}

int g_spawner = -1;  // the spawner's socket (proxy/spawner.hpp)
cpu_set_t g_allowed_cpus;  // the proxy's CPUs when it started (its workers pin themselves within)

// Moves the proxy's own fd to the top of the host's RLIMIT_NOFILE (hard limit - 1), out of
// the program's fd numbers (window->proxy_private_fds tells the shim). -1 on failure.
int move_to_private_range(int fd, channel::WindowHeader* w) {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_max < 64 || rl.rlim_max > (1u << 30)) {
    close(fd);
    return -1;
  }
  int top = static_cast<int>(rl.rlim_max - 1);
  rlimit raised = rl;
  raised.rlim_cur = rl.rlim_max;
  int high = -1;
  if (setrlimit(RLIMIT_NOFILE, &raised) == 0) {
    high = fcntl(fd, F_DUPFD_CLOEXEC, top);
    setrlimit(RLIMIT_NOFILE, &rl);  // an fd above the soft limit stays usable
  }
  close(fd);
  if (high >= 0) __atomic_store_n(&w->proxy_private_fds, high, __ATOMIC_RELEASE);
  return high;
}
channel::WindowHeader* g_window;

void respond(channel::Channel* ch, long r) {
  channel::worker_answered(*ch, __rdtsc());
  ch->resp.ret = r;
  __atomic_store_n(&ch->state, channel::kResponse, __ATOMIC_SEQ_CST);
  if (__atomic_load_n(&ch->enclave_sleeping, __ATOMIC_SEQ_CST)) futex_wake(&ch->state);
}

// kOpForkProxy: the channel's vfork child is served by a fork of this worker, with its own
// fd table and cwd, until kOpSpawn. Returns true in the fork.
bool fork_for_vfork_child(channel::Channel* ch) {
  pid_t proxy = getpid();
  long pid = syscall(SYS_clone, 0 /* no exit signal: the program's wait4 never sees it */, 0, 0, 0, 0);
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != proxy) _exit(0);
    __atomic_store_n(&ch->worker_tid, static_cast<std::int32_t>(gettid()), __ATOMIC_RELEASE);
    respond(ch, 0);
    return true;
  }
  if (pid < 0) {
    respond(ch, -errno);
    return false;
  }
  // The fork answers on this channel until it exits.
  while (syscall(SYS_wait4, pid, nullptr, __WCLONE, nullptr) < 0 && errno == EINTR) {
  }
  __atomic_store_n(&ch->worker_tid, static_cast<std::int32_t>(gettid()), __ATOMIC_RELEASE);
  return false;
}

// A bulk read: the enclave thread copies and hashes one answer while this worker reads the
// next, which only overlaps when they run on different CPUs. The worker sleeps pinned to
// the enclave thread's CPU (see below), so it moves to the others (if any) for the reads and
// goes back when it next sleeps. Returns the new pin (-1: none).
int leave_enclave_cpu(channel::Channel* ch, int pinned) {
  int here = sched_getcpu(), enclave = __atomic_load_n(&ch->enclave_cpu, __ATOMIC_RELAXED);
  if (here != enclave || enclave < 0 || enclave >= CPU_SETSIZE) return pinned;
  cpu_set_t others;
  CPU_ZERO(&others);
  for (int c = 0; c < CPU_SETSIZE; ++c)
    if (c != enclave && CPU_ISSET(c, &g_allowed_cpus)) CPU_SET(c, &others);
  if (CPU_COUNT(&others) == 0 || sched_setaffinity(0, sizeof others, &others) != 0) return pinned;
  return -1;
}

void serve(channel::Channel* ch, const ProxyOptions& opts) {
  __atomic_store_n(&ch->worker_tid, static_cast<std::int32_t>(gettid()), __ATOMIC_RELEASE);
  bool peeked = false;
  bool served_one = false;
  bool vfork_fork = false;  // this process is a worker's fork serving a vfork child
  using Clock = std::chrono::steady_clock;
  int pinned = -1;
  for (;;) {
    bool got = false;
    // Wait only right after serving a request (the next one usually follows soon); an idle
    // worker sleeps, so idle channels cost no CPU.
    // During a bulk read the next request comes once the enclave thread has copied (and
    // hashed) the last answer, about 100 us for a piece: time enough to be woken on this CPU
    // and read it, so the worker sleeps at once rather than burn this CPU meanwhile.
    const bool spread = __atomic_load_n(&ch->spread, __ATOMIC_RELAXED) != 0;
    if (served_one && !spread) {
      auto until = Clock::now() + kSpin;
      int cpu = sched_getcpu();
      __atomic_store_n(&ch->worker_cpu, cpu, __ATOMIC_RELAXED);
      for (int i = 0;; ++i) {
        if (__atomic_load_n(&ch->state, __ATOMIC_ACQUIRE) == channel::kRequest) {
          got = true;
          break;
        }
        // The enclave thread on this CPU needs it: yield. On another CPU: watch without
        // system calls (a thread woken here still preempts this wait).
        if (__atomic_load_n(&ch->enclave_cpu, __ATOMIC_RELAXED) == cpu) {
          if (Clock::now() > until) break;
          sched_yield();
          cpu = sched_getcpu();
          __atomic_store_n(&ch->worker_cpu, cpu, __ATOMIC_RELAXED);
        } else if ((i & 63) == 0 && Clock::now() > until) {
          break;
        } else {
          __builtin_ia32_pause();
        }
      }
    }
    // Sleep on the enclave thread's CPU: its wake-up then needs no other (perhaps idle) CPU.
    if (!got && !spread) {
      int cpu = __atomic_load_n(&ch->enclave_cpu, __ATOMIC_RELAXED);
      if (cpu != pinned && cpu >= 0 && cpu < CPU_SETSIZE) {
        cpu_set_t one;
        CPU_ZERO(&one);
        CPU_SET(cpu, &one);
        if (sched_setaffinity(0, sizeof one, &one) == 0) pinned = cpu;
      }
      if (pinned >= 0) __atomic_store_n(&ch->worker_cpu, pinned, __ATOMIC_RELAXED);
    }
    while (!got) {
      __atomic_store_n(&ch->proxy_sleeping, 1u, __ATOMIC_SEQ_CST);
      std::uint32_t st = __atomic_load_n(&ch->state, __ATOMIC_SEQ_CST);
      if (st == channel::kRequest) break;
      if (st == channel::kClosed) return;
      futex_wait(&ch->state, st);
    }
    __atomic_store_n(&ch->proxy_sleeping, 0u, __ATOMIC_RELAXED);
    channel::worker_took_up(*ch, __rdtsc());
    if (__atomic_load_n(&ch->spread, __ATOMIC_RELAXED)) pinned = leave_enclave_cpu(ch, pinned);
    channel::Request rq;
    std::memcpy(&rq, &ch->req, sizeof rq);
    make_deferred_calls(ch, opts.window, opts.hostile);
    if (rq.op == channel::kOpShutdown) {
      if (!vfork_fork) return;
      respond(ch, 0);  // a vfork child's proxy fork that is no longer needed
      _exit(0);
    }
    if (rq.op == channel::kOpForkProxy) {
      if (vfork_fork) {
        respond(ch, -EINVAL);
      } else {
        vfork_fork = fork_for_vfork_child(ch);
        served_one = vfork_fork;
      }
      continue;
    }
    if (rq.op == channel::kOpSpawn) {
      long r = -EINVAL;
      std::uint64_t off = static_cast<std::uint64_t>(rq.args[0]), len = static_cast<std::uint64_t>(rq.args[1]);
      if (vfork_fork && (rq.ptr_mask & 1u) && off <= channel::kChannelDataSize && len <= channel::kChannelDataSize - off)
        r = request_spawn(g_spawner, ch->data + off, len);
      respond(ch, r);
      // Done once the new process exists; after a failure the vfork child goes on (its
      // execve returns the error) and this fork keeps serving it.
      if (vfork_fork && r > 0) _exit(0);
      continue;
    }
    if (opts.hostile == Hostile::FakeExit) {
      __atomic_store_n(&opts.window->exit_kind, 1, __ATOMIC_RELEASE);
      __atomic_store_n(&opts.window->exit_value, 0, __ATOMIC_RELEASE);
      kill(static_cast<pid_t>(opts.supervisor_pid), SIGCHLD);
    }
    if (opts.hostile == Hostile::Peek && !peeked) {
      peeked = true;
      peek_at_enclave(static_cast<pid_t>(__atomic_load_n(&opts.window->enclave_pid, __ATOMIC_ACQUIRE)));
    }
    long r = execute_request(rq, ch->data, channel::kChannelDataSize);
    r = hostile_result(opts.hostile, rq, r, ch->data);
    respond(ch, r);
    served_one = true;
  }
}

}  // namespace

Hostile parse_hostile(const std::string& name) {
  if (name.empty() || name == "none") return Hostile::None;
  if (name == "read-too-long") return Hostile::ReadTooLong;
  if (name == "negative-fd") return Hostile::NegativeFd;
  if (name == "reused-fd") return Hostile::ReusedFd;
  if (name == "stat-size") return Hostile::StatSize;
  if (name == "bad-errno") return Hostile::BadErrno;
  if (name == "peek") return Hostile::Peek;
  if (name == "fail-deferred") return Hostile::FailDeferred;
  if (name == "changed-reread") return Hostile::ChangedReread;
  if (name == "fake-exit") return Hostile::FakeExit;
  throw std::invalid_argument("unknown hostile proxy mode '" + name +
                              "' (read-too-long, negative-fd, reused-fd, stat-size, bad-errno, peek, fail-deferred, "
                              "changed-reread, fake-exit)");
}

void run_proxy(const ProxyOptions& opts) {
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  // The supervisor died before the line above (the parent is then init or a subreaper).
  if (opts.supervisor_pid && getppid() != opts.supervisor_pid) _exit(72);
  prctl(PR_SET_NAME, "cocoon-proxy");
  // A write to a closed pipe must fail with EPIPE for the program (the shim then raises
  // SIGPIPE in the program, as the kernel would), not end the proxy.
  signal(SIGPIPE, SIG_IGN);
  // The enclave's interrupt: a handler that does nothing, without SA_RESTART, so that the
  // blocked syscall returns EINTR.
  struct sigaction interrupt {};
  interrupt.sa_handler = [](int) {};
  sigemptyset(&interrupt.sa_mask);
  sigaction(channel::kInterruptSignal, &interrupt, nullptr);
  // The program's children are the proxy's: their end is the program's SIGCHLD.
  struct sigaction child {};
  child.sa_handler = [](int) {
    int saved = errno;
    pid_t enclave = static_cast<pid_t>(__atomic_load_n(&g_window->enclave_pid, __ATOMIC_ACQUIRE));
    if (enclave > 0) kill(enclave, SIGCHLD);
    errno = saved;
  };
  child.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigemptyset(&child.sa_mask);
  g_window = opts.window;
  if (sched_getaffinity(0, sizeof g_allowed_cpus, &g_allowed_cpus) != 0) CPU_ZERO(&g_allowed_cpus);
  if (opts.spawn_entry) {
    g_spawner = start_spawner(opts.spawn_entry);
    if (g_spawner >= 0) g_spawner = move_to_private_range(g_spawner, opts.window);
    if (g_spawner < 0 && opts.verbose)
      std::fprintf(stderr, "cocoon: proxy: cannot start the spawner; child processes will fail with ENOSYS\n");
  }
  sigaction(SIGCHLD, &child, nullptr);
  __atomic_store_n(&opts.window->proxy_pid, static_cast<std::int32_t>(getpid()), __ATOMIC_RELEASE);
  if (!drop_ptrace_capability()) {
    std::fprintf(stderr, "cocoon: proxy: cannot drop CAP_SYS_PTRACE\n");
    _exit(72);
  }
  try {
    install_proxy_seccomp();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cocoon: proxy: %s\n", e.what());
    _exit(72);
  }
  // One worker per channel in use, started as the enclave asks for channels.
  std::vector<std::thread> workers;
  workers.reserve(opts.nchannels);
  __atomic_store_n(&opts.window->proxy_ready, 1u, __ATOMIC_RELEASE);
  for (;;) {
    std::uint32_t wanted = __atomic_load_n(&opts.window->channels_wanted, __ATOMIC_ACQUIRE);
    if (wanted > opts.nchannels) wanted = opts.nchannels;
    while (workers.size() < wanted)
      workers.emplace_back(serve, channel::channel_at(opts.window, static_cast<std::uint32_t>(workers.size())),
                           std::cref(opts));
    futex_wait(&opts.window->channels_wanted, wanted);
  }
}

}  // namespace cocoon::proxy
