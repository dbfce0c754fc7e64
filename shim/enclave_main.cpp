// Second role of cocoon-shim: the trusted runtime inside ELRANGE.
//
// enclave_entry runs on the untrusted runtime's stack right after the "EENTER": it relocates
// this copy, finds the measured descriptor, sets up thread 0 (%gs, shim stack) and continues
// in enclave_main, which prepares the shim's services and starts the program.
#include <cstddef>
#include <cstdint>

#include "loader/elf_image.hpp"
#include "shim/attestation_files.hpp"
#include "shim/proc_files.hpp"
#include "loader/elf_load.hpp"
#include "loader/initial_stack.hpp"
#include "loader/script.hpp"
#include "manifest/enclave_layout.hpp"
#include "shim/clock.hpp"
#include "shim/crypto/random.hpp"
#include "shim/fdtable.hpp"
#include "shim/file_policy.hpp"
#include "manifest/manifest_blob.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/patch.hpp"
#include "shim/program.hpp"
#include "shim/relocate.hpp"
#include "shim/signals.hpp"
#include "shim/thread.hpp"
#include "shim/threads.hpp"

extern "C" {
extern const char _end[] __attribute__((visibility("hidden")));
[[noreturn]] void switch_stack_and_call(std::uint64_t stack_top, void (*fn)(const void*), const void* arg);
[[noreturn]] void enter_program(std::uint64_t entry, std::uint64_t sp);
}

namespace cocoon::shim {
namespace {

constexpr int kMaxArgs = 4096;
constexpr std::uint64_t kProgramHint = 0x1000000;  // PIE programs load low; brk grows above

[[noreturn]] void early_die(const char* what) { host::die_early("enclave", what); }

ShimThread* thread_slot(std::uint32_t index) {
  const layout::EnclaveDescriptor* d = g.desc;
  return reinterpret_cast<ShimThread*>(g.base + d->threads_offset + index * d->thread_span + d->tls_in_thread);
}

void setup_thread(std::uint32_t index, std::int32_t tid) {
  const layout::EnclaveDescriptor* d = g.desc;
  ShimThread* t = thread_slot(index);
  std::uint64_t area = g.base + d->threads_offset + index * d->thread_span;
  t->self = t;
  t->stack_top = area + d->stack_in_thread + d->stack_size;
  t->index = index;
  t->tid = tid;
  t->channel = channel::channel_at(g.window, index);
  t->altstack_base = area + d->altstack_in_thread;
  t->altstack_size = d->altstack_size;
  t->dispatch_selector = abi::kDispatchBlock;
  t->in_shim = 1;  // until enter_program: host signals only queue for the program
  asm volatile("wrgsbase %0" ::"r"(reinterpret_cast<std::uint64_t>(t)) : "memory");
}

// Strings copied out of the (untrusted) launch configuration into enclave memory.
struct Strings {
  char** v;
  std::uint32_t n;
};

Strings copy_strings(const launch::LaunchConfig& cfg, const launch::Blob& b, std::uint32_t count) {
  if (b.offset > cfg.config_size || b.size > cfg.config_size - b.offset || count > kMaxArgs)
    fatal("launch configuration: string list out of bounds");
  char* copy = static_cast<char*>(mem::shim_alloc(b.size + 1));
  char** v = static_cast<char**>(mem::shim_alloc((count + 1) * sizeof(char*)));
  if (!copy || !v) fatal("out of enclave memory for the program's arguments");
  __builtin_memcpy(copy, reinterpret_cast<const char*>(&cfg) + b.offset, b.size);
  copy[b.size] = '\0';
  std::uint64_t at = 0;
  for (std::uint32_t i = 0; i < count; ++i) {
    if (at >= b.size) fatal("launch configuration: fewer strings than announced");
    v[i] = copy + at;
    while (at < b.size && copy[at]) ++at;
    ++at;
  }
  v[count] = nullptr;
  return {v, count};
}

Strings from_manifest_strings(manifest::StrView sv) {
  char* copy = static_cast<char*>(mem::shim_alloc(sv.size + 1));
  char** v = static_cast<char**>(mem::shim_alloc(2 * sizeof(char*)));
  __builtin_memcpy(copy, sv.data, sv.size);
  copy[sv.size] = '\0';
  v[0] = copy;
  v[1] = nullptr;
  return {v, 1};
}

// The manifest's fixed variables, then host variables named in passthrough_env.
Strings manifest_environment(const manifest::ManifestBlob& m, Strings host) {
  std::uint32_t max = static_cast<std::uint32_t>(m.env_count() + m.passthrough_count());
  char** v = static_cast<char**>(mem::shim_alloc((max + 1) * sizeof(char*)));
  std::uint32_t n = 0;
  for (std::size_t i = 0; i < m.env_count(); ++i) {
    manifest::StrView k = m.env_name(i), val = m.env_value(i);
    char* e = static_cast<char*>(mem::shim_alloc(k.size + val.size + 2));
    __builtin_memcpy(e, k.data, k.size);
    e[k.size] = '=';
    __builtin_memcpy(e + k.size + 1, val.data, val.size);
    e[k.size + 1 + val.size] = '\0';
    v[n++] = e;
  }
  // Host variables in the host's order (as the program would natively see them).
  for (std::uint32_t h = 0; h < host.n && n < max; ++h) {
    std::uint64_t eq = 0;
    while (host.v[h][eq] && host.v[h][eq] != '=') ++eq;
    if (!host.v[h][eq]) continue;
    bool listed = false, fixed = false;
    for (std::size_t i = 0; i < m.passthrough_count() && !listed; ++i) {
      manifest::StrView name = m.passthrough(i);
      listed = name.size == eq && __builtin_memcmp(host.v[h], name.data, eq) == 0;
    }
    for (std::size_t i = 0; i < m.env_count() && !fixed; ++i) {
      manifest::StrView name = m.env_name(i);
      fixed = name.size == eq && __builtin_memcmp(host.v[h], name.data, eq) == 0;
    }
    if (listed && !fixed) v[n++] = host.v[h];
  }
  v[n] = nullptr;
  return {v, n};
}

void enclave_main(const void* arg) {
  const auto& cfg = *static_cast<const launch::LaunchConfig*>(arg);
  g.flags = cfg.flags;
  g.max_threads = cfg.max_threads;
  g.host_pid = cfg.host_pid;
  g.supervisor_pid = cfg.supervisor_pid;
  // A spawned child's pid is its supervisor's: the pid its parent got, whose session and
  // process group it leads after setsid.
  g.pid = (cfg.flags & launch::kSpawned) && cfg.program_pid > 0 ? cfg.program_pid : cfg.host_pid;
  g.ppid = cfg.host_ppid;
  g.uid = cfg.uid;
  g.gid = cfg.gid;
  g.rlimit_nofile = cfg.rlimit_nofile;
  g.rlimit_stack = cfg.rlimit_stack;
  __builtin_memcpy(g.release, cfg.host_release, 64);
  __builtin_memcpy(g.nodename, cfg.host_nodename, 64);
  if (g.window->magic != channel::kWindowMagic || g.window->nchannels < 1) early_die("bad untrusted window");

  const layout::EnclaveDescriptor* d = g.desc;
  mem::init(g.base + d->heap_offset, g.base + d->heap_offset + d->heap_size);
  bool spawned = (cfg.flags & launch::kSpawned) != 0;
  {
    const launch::Blob& b = cfg.inherited_fds;
    if (b.offset > cfg.config_size || b.size > cfg.config_size - b.offset || b.size % 4) early_die("bad inherited fds");
    fd::init_inherited(reinterpret_cast<const std::int32_t*>(reinterpret_cast<const std::uint8_t*>(&cfg) + b.offset),
                       b.size / 4);
  }
  if (spawned) {
    // Ignored signals stay ignored across execve.
    for (int sig = 1; sig <= abi::kNSig; ++sig)
      if ((cfg.ignored_signals >> (sig - 1)) & 1 && sig != abi::kSIGKILL && sig != abi::kSIGSTOP)
        signals::program_action(sig).handler = abi::kSigIgn;
  }
  threads::init();
  clock::init();
  signals::install_host_handlers();
  ShimThread* t = current_thread();
  signals::setup_thread_altstack(t->altstack_base, t->altstack_size);
  std::uint32_t old_umask = static_cast<std::uint32_t>(proxy_call(95, 022));
  proxy_call(95, old_umask);
  g.umask = old_umask;

  Strings argv = copy_strings(cfg, cfg.argv, cfg.argc);
  Strings envp = copy_strings(cfg, cfg.envp, cfg.envc);
  Strings prog = copy_strings(cfg, cfg.program, 1);
  Strings cwd = copy_strings(cfg, cfg.cwd, 1);

  // With a manifest, what runs and what it sees come from the measured manifest, not from
  // the launch configuration (which the host controls).
  const auto* blob = reinterpret_cast<const std::uint8_t*>(g.base + d->manifest_offset);
  if (!policy::init(d->manifest_size ? blob : nullptr, d->manifest_size, cwd.v[0]))
    fatal("the measured manifest is malformed");
  // A spawned child runs what its parent's execve named, where the parent was, in the same
  // enclave identity. SIMULATION GAP: that request crossed the host unauthenticated; the
  // hardware backend must take it from the parent over an attested channel.
  const auto* m = static_cast<const manifest::ManifestBlob*>(policy::manifest());
  if (m && !spawned) {
    manifest::StrView wd = m->working_dir();
    policy::set_cwd(wd.data, wd.size);
    ProxyRequest chdir_rq(80);
    if (!chdir_rq.in_bytes(0, wd.data, wd.size + 1) || chdir_rq.call("chdir") < 0)
      fatal("cannot change to the manifest's working directory %s", wd.data);
    prog = from_manifest_strings(m->entrypoint());
    if (!m->allow_host_argv()) {
      argv.n = static_cast<std::uint32_t>(m->argv_count());
      argv.v = static_cast<char**>(mem::shim_alloc((argv.n + 1) * sizeof(char*)));
      for (std::uint32_t i = 0; i < argv.n; ++i) argv.v[i] = from_manifest_strings(m->argv(i)).v[0];
    }
    envp = manifest_environment(*m, envp);
  }
  if (argv.n == 0) fatal("no argv[0]");
  proc::init();
  // /dev/attestation (signed enclaves): quotes come from the AESM service when the program's
  // own environment has SGX_AESM_ADDR (as Intel's quote library decides), else in process.
  if (cfg.sim_attestation.size == sizeof(launch::SimAttestation) && cfg.sim_attestation.offset <= cfg.config_size &&
      cfg.sim_attestation.size <= cfg.config_size - cfg.sim_attestation.offset) {
    auto has_prefix = [](const char* str, const char* prefix) {
      while (*prefix)
        if (*str++ != *prefix++) return false;
      return true;
    };
    bool aesm = false;
    for (std::uint32_t i = 0; i < envp.n; ++i) aesm = aesm || has_prefix(envp.v[i], "SGX_AESM_ADDR=");
    attestation::init(reinterpret_cast<const launch::SimAttestation*>(
                          reinterpret_cast<const std::uint8_t*>(&cfg) + cfg.sim_attestation.offset),
                      aesm);
  }
  start_program(argv.v, argv.n, envp.v, envp.n, prog.v[0]);
}

}  // namespace
}  // namespace cocoon::shim

using namespace cocoon;
using namespace cocoon::shim;

extern "C" [[noreturn]] void enclave_entry(const launch::LaunchConfig* cfg, channel::WindowHeader* window,
                                           launch::ExitNotice* exit_notice) {
  std::uint64_t img = image_load_base();
  if (!self_relocate(img)) early_die("cannot relocate the shim");
  std::uint64_t span = (reinterpret_cast<std::uint64_t>(_end) - img + 4095) & ~4095ull;
  auto* desc = reinterpret_cast<const layout::EnclaveDescriptor*>(img + span);
  static const char kMagic[8] = {'C', 'O', 'C', 'O', 'O', 'N', '\0', '\1'};
  if (__builtin_memcmp(desc->magic, kMagic, 8) != 0) early_die("enclave descriptor not found");
  g.desc = desc;
  g.base = img - desc->image_offset;
  g.size = desc->enclave_size;
  g.image_base = img;
  g.text_begin = g.base + desc->shim_text_begin;
  g.text_end = g.base + desc->shim_text_end;
  g.window = window;
  g.exit_notice = exit_notice;
  setup_thread(0, static_cast<std::int32_t>(host::call(abi::kGettid)));
  switch_stack_and_call(current_thread()->stack_top, enclave_main, cfg);
}
