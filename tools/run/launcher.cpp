#include "tools/run/launcher.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <stdexcept>
#include <string>

#include "manifest/enclave_layout.hpp"
#include "proxy/channel.hpp"
#include "proxy/child_setup.hpp"
#include "proxy/proxy.hpp"
#include "shim/launch_config.hpp"
#include "shim/shim_image.hpp"
#include "syscalls/syscall_table.hpp"
#include "tools/run/enclave_seccomp.hpp"
#include "tools/run/program_check.hpp"

namespace cocoon::run {
namespace {

volatile sig_atomic_t g_enclave_pid = 0;

// Forward signals sent to `cocoon` (kill, not the terminal: the terminal already signals the
// whole process group, enclave included) to the enclave process: every signal a process can
// catch, but the faults (raised by the kernel, never forwarded), job control and SIGCHLD
// (this supervisor's own children).
void forward_signal(int sig, siginfo_t* si, void*) {
  if (si && si->si_code > 0) return;  // kernel-generated (e.g. terminal): the enclave got it too
  if (g_enclave_pid > 0) kill(g_enclave_pid, sig);
}

bool forwarded(int sig) {
  switch (sig) {
    case SIGKILL: case SIGSTOP: case SIGCHLD: case SIGTSTP: case SIGTTIN: case SIGTTOU:
    case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP: case SIGSYS:
      return false;
    default:
      return sig < 32 || sig >= SIGRTMIN;  // glibc keeps 32 and 33 for itself
  }
}

void install_forwarding() {
  struct sigaction sa {};
  sa.sa_sigaction = forward_signal;
  sa.sa_flags = SA_SIGINFO | SA_RESTART;
  sigemptyset(&sa.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig)
    if (forwarded(sig)) sigaction(sig, &sa, nullptr);
}

// Writes all n bytes of data at offset off of a memfd.
void pwrite_all(int fd, const void* data, std::size_t n, std::uint64_t off) {
  const auto* p = static_cast<const std::uint8_t*>(data);
  std::size_t done = 0;
  while (done < n) {
    ssize_t w = pwrite(fd, p + done, n - done, static_cast<off_t>(off + done));
    if (w <= 0) throw std::runtime_error("writing a memfd failed");
    done += static_cast<std::size_t>(w);
  }
}

int make_memfd(const char* name, const void* data, std::size_t size) {
  int fd = memfd_create(name, MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error(std::string("memfd_create: ") + std::strerror(errno));
  if (ftruncate(fd, static_cast<off_t>(size)) != 0) throw std::runtime_error("ftruncate of a memfd failed");
  if (data) pwrite_all(fd, data, size, 0);
  return fd;
}

// The launch memfd's layout: the LaunchConfig at 0, then each part 8-byte aligned. Parts are
// written straight from where they are (python3's stdlib blob alone is 372 KB: building the
// whole config in a growing vector first cost a copy or two and fresh heap pages, about
// 0.3 ms of a start); small ones are copied here, so only a large part must outlive write().
struct ConfigBuilder {
  static constexpr std::size_t kCopyBelow = 64 * 1024;
  struct Part {
    std::uint64_t offset;
    const void* data;
    std::size_t size;
  };
  std::uint64_t size = sizeof(launch::LaunchConfig);
  std::vector<Part> parts;
  std::deque<std::string> copies;  // stable addresses

  launch::Blob add(const void* data, std::size_t n) {
    size = (size + 7) & ~std::uint64_t{7};
    launch::Blob b{size, n};
    if (n < kCopyBelow) data = copies.emplace_back(static_cast<const char*>(data), n).data();
    parts.push_back({size, data, n});
    size += n;
    return b;
  }
  launch::Blob add_strings(const std::vector<std::string>& v) {
    std::string joined;
    for (const auto& s : v) {
      joined += s;
      joined.push_back('\0');
    }
    if (joined.size() < kCopyBelow) return add(joined.data(), joined.size());
    const std::string& kept = copies.emplace_back(std::move(joined));
    return add(kept.data(), kept.size());
  }
  // A memfd holding `cfg` (whose config_size must be `size`) and the parts.
  int write(const char* name, const launch::LaunchConfig& cfg) const {
    int fd = make_memfd(name, nullptr, size);
    pwrite_all(fd, &cfg, sizeof cfg, 0);
    for (const Part& p : parts) pwrite_all(fd, p.data, p.size, p.offset);
    return fd;
  }
};

void copy_cstr(char* dst, std::size_t cap, const char* src) {
  std::snprintf(dst, cap, "%s", src);
}

// What the enclave process's first code needs (start_enclave_process).
struct EnclaveChild {
  pid_t supervisor;
  channel::WindowHeader* window;
  int cfg_fd, win_fd, shim_fd, exit_fd;
};

// The enclave process until it execs the shim: runs in the supervisor's memory (CLONE_VM),
// on a stack of its own, while the supervisor waits (CLONE_VFORK); system calls only.
int start_enclave_process(void* arg) {
  const auto& c = *static_cast<const EnclaveChild*>(arg);
  prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (getppid() != c.supervisor) _exit(74);  // the supervisor died before the line above
  const pid_t self = static_cast<pid_t>(syscall(SYS_getpid));
  __atomic_store_n(&c.window->enclave_pid, self, __ATOMIC_RELEASE);
  int null_fd = open("/dev/null", O_RDWR);
  int hi_cfg = fcntl(c.cfg_fd, F_DUPFD, 100), hi_win = fcntl(c.win_fd, F_DUPFD, 100),
      hi_shim = fcntl(c.shim_fd, F_DUPFD, 100), hi_null = fcntl(null_fd, F_DUPFD, 100),
      hi_exit = fcntl(c.exit_fd, F_DUPFD, 100);
  dup2(hi_null, 0);
  dup2(hi_null, 1);
  dup2(hi_cfg, launch::kLaunchFd);
  dup2(hi_win, launch::kWindowFd);
  dup2(hi_shim, launch::kShimFd);
  dup2(hi_exit, launch::kExitFd);
  syscall(SYS_close_range, static_cast<unsigned>(launch::kExitFd) + 1, ~0u, 0u);
  const std::int64_t host_pid = self;
  if (pwrite(launch::kLaunchFd, &host_pid, sizeof host_pid, offsetof(launch::LaunchConfig, host_pid)) !=
      sizeof host_pid)
    _exit(74);
  proxy::reset_signals();
  char arg0[] = "cocoon-shim";
  char* argv[] = {arg0, nullptr};
  char* envp[] = {nullptr};
  syscall(SYS_execveat, launch::kShimFd, "", argv, envp, AT_EMPTY_PATH);
  dprintf(2, "cocoon: cannot start the enclave process: %s\n", strerrordesc_np(errno));
  _exit(74);
}

const char* signal_text(int sig) {
  static char buf[32];
  const char* abbrev = sigabbrev_np(sig);
  if (abbrev) {
    std::snprintf(buf, sizeof buf, "SIG%s", abbrev);
    return buf;
  }
  std::snprintf(buf, sizeof buf, "signal %d", sig);
  return buf;
}

void print_stats(const channel::WindowHeader& w) {
  const channel::Stats& s = w.stats;
  std::uint64_t shim = 0, fwd = 0, refused = 0;
  for (std::uint32_t i = 0; i < channel::kMaxStatsSyscalls; ++i) {
    shim += s.served_in_shim[i];
    fwd += s.forwarded[i];
    refused += s.refused[i];
  }
  std::fprintf(stderr,
               "cocoon: stats: peak EPC in use %.1f MiB (of %.1f MiB enclave heap); %llu 2 MiB regions filled as huge "
               "host pages; %.1f MiB of verified files moved into their mappings uncopied; %.1f MiB populated ahead "
               "of copies by the populator thread\n",
               static_cast<double>(s.epc_peak_bytes) / 1048576.0, static_cast<double>(s.epc_limit_bytes) / 1048576.0,
               static_cast<unsigned long long>(s.huge_regions), static_cast<double>(s.lent_bytes) / 1048576.0,
               static_cast<double>(s.populated_ahead) / 1048576.0);
  std::fprintf(stderr,
               "cocoon: stats: %llu syscalls: %llu served in the shim, %llu forwarded to the proxy, %llu refused; "
               "%llu call sites rewritten after %llu traps; %llu round trips to the proxy, %llu of them woke it, "
               "%llu slept for the answer; %llu calls deferred to a later round trip\n",
               static_cast<unsigned long long>(shim + fwd + refused), static_cast<unsigned long long>(shim),
               static_cast<unsigned long long>(fwd), static_cast<unsigned long long>(refused),
               static_cast<unsigned long long>(s.sites_patched), static_cast<unsigned long long>(s.sigsys_traps),
               static_cast<unsigned long long>(s.round_trips), static_cast<unsigned long long>(s.proxy_wakeups),
               static_cast<unsigned long long>(s.enclave_sleeps), static_cast<unsigned long long>(s.deferred_calls));
  std::fprintf(stderr, "cocoon: stats: %-20s %10s %10s %10s %10s\n", "syscall", "shim", "forwarded", "refused",
               "trapped");
  for (std::uint32_t i = 0; i < channel::kMaxStatsSyscalls; ++i) {
    if (!s.served_in_shim[i] && !s.forwarded[i] && !s.refused[i]) continue;
    const syscalls::SyscallInfo* info = syscalls::find_syscall(i);
    std::fprintf(stderr, "cocoon: stats: %-20s %10llu %10llu %10llu %10llu\n", info ? info->name : "?",
                 static_cast<unsigned long long>(s.served_in_shim[i]), static_cast<unsigned long long>(s.forwarded[i]),
                 static_cast<unsigned long long>(s.refused[i]), static_cast<unsigned long long>(s.trapped[i]));
  }
}

std::string find_env(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& e : env)
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=')
      return e.substr(name.size() + 1);
  return {};
}

void noop_visit(const layout::PageRun&, void*) {}

bool same_file(const std::string& a, const std::string& b) {
  struct stat sa {}, sb {};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// The options of this `cocoon run`: the program's child processes start from them (the
// proxy and its spawner are forks of the supervisor and see them).
const RunOptions* g_base;

int run_spawned(const proxy::SpawnedProgram& p) {
  RunOptions o = *g_base;
  // execve does not search PATH: a name without a slash is in the working directory.
  o.program = p.path.find('/') == std::string::npos ? "./" + p.path : p.path;
  o.argv = p.argv;
  if (o.argv.empty()) o.argv = {p.path};
  o.env = p.env;
  o.spawned = true;
  o.inherited_fds = p.fds;
  o.ignored_signals = p.ignored;
  o.parent_pid = p.parent_pid;
  o.stats = false;
  return run_in_enclave(o);
}

// A spawned child's supervisor ends as its program did, so that the parent's wait4 sees the
// same status (a signal included) as natively.
[[noreturn]] void die_like(int sig) {
  rlimit none{0, 0};
  setrlimit(RLIMIT_CORE, &none);
  signal(sig, SIG_DFL);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, sig);
  sigprocmask(SIG_UNBLOCK, &set, nullptr);
  kill(getpid(), sig);
  _exit(128 + sig);
}

}  // namespace

std::vector<int> reserve_std_fds() {
  std::vector<int> open_fds;
  for (int fd = 0; fd < 3; ++fd) {
    if (fcntl(fd, F_GETFD) != -1) {
      open_fds.push_back(fd);
      continue;
    }
    int placeholder = open("/dev/null", O_RDWR);  // the lowest free number: fd itself
    if (placeholder >= 0 && placeholder != fd) close(placeholder);
  }
  return open_fds;
}

int run_in_enclave(const RunOptions& o) {
  // The supervisor, and the proxy forked from it, are not dumpable either: the proxy may not
  // write into the process that starts the enclave and reports its end (/proc/<pid>/mem).
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  std::string path;
  try {
    path = check_program(o.program, find_env(o.env, "PATH"));
  } catch (const ProgramError& e) {
    std::fprintf(stderr, "cocoon: %s\n", e.what());
    return 127;
  }
  // A shell sets $_ to the command it ran, which was cocoon; the program would natively see
  // its own path there.
  std::vector<std::string> env = o.env;
  if (!o.spawned)
    for (auto& e : env)
      if (e.rfind("_=", 0) == 0 && same_file(e.substr(2), "/proc/self/exe")) e = "_=" + path;

  // The image layout tells where the shim's text will be: the seccomp filter pins host
  // syscalls to it.
  std::span<const std::uint8_t> shim = shim::shim_image();
  layout::LayoutParams lp;
  lp.enclave_size = o.enclave_size;
  lp.max_threads = o.max_threads;
  lp.shim_elf = shim.data();
  lp.shim_elf_size = shim.size();
  lp.manifest = o.manifest.data();
  lp.manifest_size = o.manifest.size();
  layout::EnclaveDescriptor desc{};
  if (layout::LayoutError e = layout::build_layout(lp, desc, noop_visit, nullptr); e != layout::LayoutError::None) {
    std::fprintf(stderr, "cocoon: cannot lay out the enclave: %s\n", layout::layout_error_name(e));
    return 70;
  }
  const std::uint64_t base = 0;  // ELRANGE starts at 0 so that non-PIE programs fit

  // The untrusted window.
  const std::uint32_t nch = o.max_threads;
  const std::uint64_t wsize = channel::window_size(nch);
  int win_fd = make_memfd("cocoon-window", nullptr, wsize);
  auto* window = static_cast<channel::WindowHeader*>(mmap(nullptr, wsize, PROT_READ | PROT_WRITE, MAP_SHARED, win_fd, 0));
  if (window == MAP_FAILED) throw std::runtime_error("cannot map the untrusted window");
  window->magic = channel::kWindowMagic;
  window->version = channel::kWindowVersion;
  window->nchannels = nch;
  window->window_size = wsize;
  window->channels_wanted = 1;  // the main thread's channel

  int shim_fd = make_memfd("cocoon-shim", shim.data(), shim.size());
  // Executable, not readable: for a user other than root, exec then leaves the enclave process
  // non-dumpable from its first instruction (the urts makes it so too, but only once it runs),
  // so that no process of the same user (the proxy above all) can read or write its memory
  // through /proc/<pid>/mem. (Root's enclave is kept from the proxy by the capability the
  // proxy drops: proxy/proxy_seccomp.cpp.)
  if (fchmod(shim_fd, S_IXUSR) != 0)
    throw std::runtime_error(std::string("fchmod of the shim memfd: ") + std::strerror(errno));

  // The launch configuration.
  ConfigBuilder cb;
  launch::LaunchConfig cfg{};
  std::memcpy(cfg.magic, launch::kMagic, 8);
  cfg.version = launch::kVersion;
  std::uint32_t flags = 0;
  if (o.verbose) flags |= launch::kVerbose;
  if (o.stats) flags |= launch::kStats;
  if (o.test_no_dispatch) flags |= launch::kTestNoDispatch;
  if (o.no_patch) flags |= launch::kNoPatch;
  if (o.spawned) flags |= launch::kSpawned;
  cfg.flags = flags;
  cfg.supervisor_pid = getpid();
  cfg.enclave_base = base;
  cfg.enclave_size = o.enclave_size;
  cfg.max_threads = o.max_threads;
  cfg.nchannels = nch;
  cfg.window_size = wsize;
  cfg.manifest = cb.add(o.manifest.data(), o.manifest.size());
  std::vector<std::uint8_t> allow = enclave_allowlist_bpf();
  std::vector<std::uint8_t> ipf = enclave_ip_filter_bpf(base + desc.shim_text_begin, base + desc.shim_text_end);
  cfg.seccomp_allowlist = cb.add(allow.data(), allow.size());
  cfg.seccomp_ip_filter = cb.add(ipf.data(), ipf.size());
  cfg.program = cb.add(path.c_str(), path.size() + 1);
  cfg.argv = cb.add_strings(o.argv);
  cfg.envp = cb.add_strings(env);
  cfg.argc = static_cast<std::uint32_t>(o.argv.size());
  cfg.envc = static_cast<std::uint32_t>(env.size());
  char cwd[4096] = "/";
  if (!getcwd(cwd, sizeof cwd)) std::strcpy(cwd, "/");
  cfg.cwd = cb.add(cwd, std::strlen(cwd) + 1);
  if (o.sim_attestation) cfg.sim_attestation = cb.add(&*o.sim_attestation, sizeof *o.sim_attestation);
  cfg.host_ppid = o.spawned ? o.parent_pid : getppid();
  // The program's open fds: what a spawned child's parent passed, else those of 0-2 that
  // cocoon run was started with. The proxy keeps exactly these; the shim's table starts so.
  const std::vector<int>& program_fds = o.spawned ? o.inherited_fds : o.std_fds;
  const std::vector<std::int32_t> fds(program_fds.begin(), program_fds.end());
  cfg.inherited_fds = cb.add(fds.data(), fds.size() * sizeof(std::int32_t));
  if (o.spawned) {
    cfg.ignored_signals = o.ignored_signals;
    cfg.program_pid = getpid();
  }
  cfg.uid = getuid();
  cfg.gid = getgid();
  rlimit rl{};
  getrlimit(RLIMIT_NOFILE, &rl);
  cfg.rlimit_nofile = rl.rlim_cur;
  getrlimit(RLIMIT_STACK, &rl);
  cfg.rlimit_stack = rl.rlim_cur == RLIM_INFINITY ? (8ull << 20) : rl.rlim_cur;
  utsname un{};
  uname(&un);
  copy_cstr(cfg.host_release, sizeof cfg.host_release, un.release);
  copy_cstr(cfg.host_nodename, sizeof cfg.host_nodename, un.nodename);
  cfg.config_size = cb.size;
  int cfg_fd = cb.write("cocoon-launch", cfg);

  proxy::ProxyOptions popts;
  popts.window = window;
  popts.nchannels = nch;
  popts.verbose = o.verbose;
  g_base = &o;
  popts.spawn_entry = run_spawned;
  try {
    popts.hostile = proxy::parse_hostile(o.hostile_proxy);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cocoon: %s\n", e.what());
    return 2;
  }

  std::fflush(nullptr);
  const pid_t supervisor = getpid();
  popts.supervisor_pid = supervisor;
  pid_t proxy_pid = fork();
  if (proxy_pid < 0) throw std::runtime_error("fork failed");
  if (proxy_pid == 0) {
    // The proxy holds the program's fds: the top-level program gets 0-2 (as `cocoon run` got
    // them), a spawned child what its parent passed.
    proxy::close_all_except(program_fds);
    proxy::run_proxy(popts);
  }

  // The exit notice page (launch::ExitNotice): made only now, so that the proxy has neither
  // its fd nor a mapping of it. Its signal only interrupts the wait below.
  int exit_fd = make_memfd("cocoon-exit", nullptr, 4096);
  auto* notice = static_cast<launch::ExitNotice*>(mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, exit_fd, 0));
  if (notice == MAP_FAILED) throw std::runtime_error("cannot map the exit notice page");
  struct sigaction wake {};
  wake.sa_handler = [](int) {};  // no SA_RESTART: it ends the waitpid below
  wake.sa_flags = SA_NOCLDSTOP;
  sigemptyset(&wake.sa_mask);
  sigaction(launch::kExitNoticeSignal, &wake, nullptr);

  // The enclave process: a vfork-style clone on a stack of its own (it shares this
  // process's memory, and this thread waits, until it execs the shim), so that the launcher's
  // address space is not copied for a child that replaces it at once.
  EnclaveChild child{supervisor, window, cfg_fd, win_fd, shim_fd, exit_fd};
  static constexpr std::size_t kChildStack = 64 * 1024;
  std::unique_ptr<std::uint8_t[]> child_stack(new std::uint8_t[kChildStack]);
  pid_t enclave_pid =
      clone(start_enclave_process, child_stack.get() + kChildStack, CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
  if (enclave_pid < 0)
    throw std::runtime_error(std::string("cannot start the enclave process: ") + std::strerror(errno));
  g_enclave_pid = enclave_pid;
  __atomic_store_n(&window->enclave_pid, enclave_pid, __ATOMIC_RELEASE);
  // A spawned child's fds are the proxy's now: copies kept here would keep a pipe open after
  // the program closed it (stderr stays, for this supervisor's own messages).
  if (o.spawned)
    for (int f : o.inherited_fds)
      if (f != 2) close(f);
  install_forwarding();
  close(cfg_fd);
  close(shim_fd);
  close(win_fd);
  close(exit_fd);
  if (o.verbose)
    std::fprintf(stderr, "cocoon: running %s in a simulated enclave (ELRANGE 0x%llx, %llu MiB, %u threads), pid %d\n",
                 path.c_str(), static_cast<unsigned long long>(base),
                 static_cast<unsigned long long>(o.enclave_size >> 20), o.max_threads, enclave_pid);

  // SIGCHLD stays blocked but while waiting for it, so that the notice page is always read
  // before a child is reaped (the shim writes it before it exits): a program's normal end
  // always takes the early path. (Blocked or ignored as cocoon was started, it is neither
  // here: the handler above replaced an ignored one, which would have reaped the children.)
  sigset_t chld, before, waiting;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  sigprocmask(SIG_BLOCK, &chld, &before);
  waiting = before;
  sigdelset(&waiting, SIGCHLD);
  int status = 0;
  for (;;) {
    // The program ended: its status is known before the enclave process's memory is freed,
    // which is left to the kernel (and the process to init) once the proxy is gone.
    if (__atomic_load_n(&notice->magic, __ATOMIC_ACQUIRE) == launch::kExitNoticeMagic) {
      status = (__atomic_load_n(&notice->status, __ATOMIC_RELAXED) & 0xff) << 8;  // as waitpid's
      if (o.verbose)
        std::fprintf(stderr,
                     "cocoon: the program exited with status %d (exit notice; the enclave's memory is freed "
                     "after this)\n",
                     WEXITSTATUS(status));
      break;
    }
    int st = 0;
    pid_t w = waitpid(-1, &st, WNOHANG);
    if (w == 0) {
      sigsuspend(&waiting);  // a child changed state, the notice came, or a signal was forwarded
      continue;
    }
    if (w < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (w == enclave_pid) {
      status = st;
      break;
    }
    if (w == proxy_pid) {
      kill(enclave_pid, SIGKILL);
      waitpid(enclave_pid, nullptr, 0);
      if (WIFSIGNALED(st))
        std::fprintf(stderr, "cocoon: the untrusted proxy died (%s); the enclave was stopped\n", signal_text(WTERMSIG(st)));
      else
        std::fprintf(stderr, "cocoon: the untrusted proxy exited with status %d; the enclave was stopped\n",
                     WEXITSTATUS(st));
      return 73;
    }
  }
  sigprocmask(SIG_SETMASK, &before, nullptr);
  g_enclave_pid = 0;
  kill(proxy_pid, SIGKILL);
  while (waitpid(proxy_pid, nullptr, 0) < 0 && errno == EINTR) {
  }

  if (o.stats) print_stats(*window);
  if (o.spawned && WIFSIGNALED(status) && window->exit_kind != 3) die_like(WTERMSIG(status));
  int result;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    if (sig == SIGPIPE)
      ;  // like a shell: a program stopped by a closed pipe is not worth a message
    else if (window->exit_kind == 2 && window->exit_reason[0])
      std::fprintf(stderr, "cocoon: %s\n", window->exit_reason);
    else if (sig == SIGSYS)
      std::fprintf(stderr, "cocoon: program killed by SIGSYS: a syscall that bypassed the shim was stopped by the "
                           "enclave's seccomp filter\n");
    else
      std::fprintf(stderr, "cocoon: program killed by %s\n", signal_text(sig));
    result = 128 + sig;
  } else {
    result = WEXITSTATUS(status);
    if (window->exit_kind == 3) std::fprintf(stderr, "cocoon: enclave stopped: %s\n", window->exit_reason);
  }
  munmap(window, wsize);
  return result;
}

}  // namespace cocoon::run
