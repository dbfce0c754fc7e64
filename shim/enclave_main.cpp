// Second role of cocoon-shim: the trusted runtime inside ELRANGE.
//
// enclave_entry runs on the untrusted runtime's stack right after the "EENTER": it relocates
// this copy, finds the measured descriptor, sets up thread 0 (%gs, shim stack) and continues
// in enclave_main, which prepares the shim's services and starts the program.
#include <cstddef>
#include <cstdint>

#include "loader/elf_image.hpp"
#include "loader/elf_load.hpp"
#include "loader/initial_stack.hpp"
#include "loader/script.hpp"
#include "manifest/enclave_layout.hpp"
#include "shim/clock.hpp"
#include "shim/crypto/random.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/patch.hpp"
#include "shim/relocate.hpp"
#include "shim/signals.hpp"
#include "shim/thread.hpp"

extern "C" {
extern const char _end[] __attribute__((visibility("hidden")));
[[noreturn]] void switch_stack_and_call(std::uint64_t stack_top, void (*fn)(const void*), const void* arg);
[[noreturn]] void enter_program(std::uint64_t entry, std::uint64_t sp);
}

namespace cocoon::shim {
namespace {

constexpr int kMaxArgs = 4096;
constexpr std::uint64_t kProgramHint = 0x1000000;  // PIE programs load low; brk grows above

[[noreturn]] void early_die(const char* what) {
  static const char prefix[] = "cocoon: enclave: ";
  host::call(abi::kWrite, 2, prefix, sizeof prefix - 1);
  std::uint64_t n = 0;
  while (what[n]) ++n;
  host::call(abi::kWrite, 2, what, n);
  host::call(abi::kWrite, 2, "\n", 1);
  host::call(abi::kExitGroup, 71);
  __builtin_unreachable();
}

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

// ---- program loading through the proxy ----

struct FileCtx {
  int pfd;
};

std::uint64_t op_reserve(void*, std::uint64_t fixed, std::uint64_t size) {
  long r = mem::map(fixed ? fixed : kProgramHint, size, abi::kProtRead | abi::kProtWrite, fixed != 0, fixed != 0,
                    mem::kImage);
  return abi::is_error(r) ? 0 : static_cast<std::uint64_t>(r);
}

std::uint64_t op_reserve_anywhere(void*, std::uint64_t fixed, std::uint64_t size) {
  long r = mem::map(fixed, size, abi::kProtRead | abi::kProtWrite, fixed != 0, fixed != 0, mem::kImage);
  return abi::is_error(r) ? 0 : static_cast<std::uint64_t>(r);
}

std::int64_t op_read(void* ctx, std::uint64_t off, void* dst, std::uint64_t len) {
  return proxy_pread(static_cast<FileCtx*>(ctx)->pfd, dst, len, off);
}

int op_protect(void*, std::uint64_t addr, std::uint64_t len, int prot) {
  return static_cast<int>(mem::protect(addr, len, prot));
}

int open_file(const char* path) {
  ProxyRequest rq(257);  // openat
  rq.arg(0, abi::kAtFdcwd);
  std::uint64_t n = 0;
  while (path[n]) ++n;
  if (!rq.in_bytes(1, path, n + 1)) return -abi::kENAMETOOLONG;
  rq.arg(2, abi::kORdonly | abi::kOCloexec);
  long r = rq.call("openat");
  if (r < 0) return static_cast<int>(r);
  if (r >= fd::kMaxFds || fd::is_open(static_cast<int>(r))) return static_cast<int>(iago("openat", "new fd", r));
  return static_cast<int>(r);
}

struct Loaded {
  loader::ElfInfo info;
  loader::LoadedImage image;
  char interp[loader::kMaxInterpLen];
};

// Loads one ELF file; `main` picks the placement rule for the program itself.
void load_file(const char* path, bool main, Loaded& out) {
  int pfd = open_file(path);
  if (pfd < 0) fatal("cannot open %s (errno %d)", path, -pfd);
  static std::uint8_t head[16384];
  ProxyRequest st(5);  // fstat: the loader checks segments against the file size
  st.arg(0, pfd);
  if (!st.out(1, 144)) fatal("fstat buffer");
  long sr = st.call("fstat");
  if (sr < 0) fatal("cannot stat %s (errno %ld)", path, -sr);
  std::int64_t file_size;
  __builtin_memcpy(&file_size, st.data(1) + 48, 8);
  if (file_size < 0) fatal("%s: %ld", path, iago("fstat", "st_size", file_size));
  long got = proxy_pread(pfd, head, sizeof head, 0);
  if (got < 0) fatal("cannot read %s (errno %ld)", path, -got);
  if (got > file_size) fatal("%s: %ld", path, iago("pread64", "length beyond file size", got));
  loader::ElfError e = loader::parse_elf(head, static_cast<std::size_t>(got), static_cast<std::uint64_t>(file_size), out.info);
  if (e != loader::ElfError::Ok) fatal("%s: %s", path, loader::elf_error_message(e));
  if (out.info.kind == loader::ElfKind::SharedObject) fatal("%s: a shared library, not a program", path);
  if (out.info.has_interp) {
    if (out.info.interp_size >= sizeof out.interp) fatal("%s: interpreter path too long", path);
    std::uint8_t buf[loader::kMaxInterpLen];
    long n = proxy_pread(pfd, buf, out.info.interp_size, out.info.interp_offset);
    if (n != static_cast<long>(out.info.interp_size)) fatal("%s: cannot read its interpreter path", path);
    if (loader::check_interp(buf, out.info.interp_size, out.info) != loader::ElfError::Ok)
      fatal("%s: bad interpreter path", path);
    __builtin_memcpy(out.interp, buf, out.info.interp_len);
    out.interp[out.info.interp_len] = '\0';
  }
  FileCtx ctx{pfd};
  loader::LoadOps ops{&ctx, main ? op_reserve : op_reserve_anywhere, op_read, op_protect};
  e = loader::load_elf(out.info, ops, out.image);
  if (e != loader::ElfError::Ok) fatal("%s: cannot load: %s", path, loader::elf_error_message(e));
  proxy_call(3, pfd);
}

std::uint64_t cpuid_edx1() {
  std::uint32_t a = 1, b, c = 0, d;
  asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
  return d;
}

[[noreturn]] void start_program(Strings argv, Strings envp, const char* program) {
  // Scripts: the interpreter named on the #! line runs with the script as its argument.
  const char* path = program;
  Strings args = argv;
  for (int depth = 0; depth < 4; ++depth) {
    int pfd = open_file(path);
    if (pfd < 0) fatal("cannot open %s (errno %d)", path, -pfd);
    char head[256];
    long n = proxy_pread(pfd, head, sizeof head, 0);
    proxy_call(3, pfd);
    if (n < 2 || head[0] != '#' || head[1] != '!') break;
    loader::ScriptLine sb;
    loader::ScriptError se = loader::parse_script(reinterpret_cast<const std::uint8_t*>(head), static_cast<std::size_t>(n), sb);
    if (se != loader::ScriptError::Ok) fatal("%s: %s", path, loader::script_error_message(se));
    char** v = static_cast<char**>(mem::shim_alloc((args.n + 3) * sizeof(char*)));
    char* interp = static_cast<char*>(mem::shim_alloc(sb.interp_len + sb.arg_len + 2));
    __builtin_memcpy(interp, head + sb.interp_offset, sb.interp_len);
    interp[sb.interp_len] = '\0';
    std::uint32_t k = 0;
    v[k++] = interp;
    if (sb.has_arg) {
      char* arg = interp + sb.interp_len + 1;
      __builtin_memcpy(arg, head + sb.arg_offset, sb.arg_len);
      arg[sb.arg_len] = '\0';
      v[k++] = arg;
    }
    v[k++] = const_cast<char*>(path);
    for (std::uint32_t i = 1; i < args.n; ++i) v[k++] = args.v[i];
    v[k] = nullptr;
    args = {v, k};
    path = interp;
  }

  static Loaded prog, interp;
  load_file(path, true, prog);
  std::uint64_t entry = prog.image.entry, interp_base = 0;
  if (prog.info.has_interp) {
    load_file(prog.interp, false, interp);
    if (interp.info.has_interp) fatal("%s: its interpreter %s has an interpreter itself", path, prog.interp);
    entry = interp.image.entry;
    interp_base = interp.image.bias;
  }
  mem::set_brk_start(prog.image.brk_start);

  // The program's stack.
  std::uint64_t stack_size = g.rlimit_stack > (64ull << 20) ? (64ull << 20) : g.rlimit_stack;
  if (stack_size < (1ull << 20)) stack_size = 1ull << 20;
  long stack = mem::map(0, stack_size, abi::kProtRead | abi::kProtWrite, false, false, mem::kStack);
  if (abi::is_error(stack)) fatal("no enclave memory for the program's stack");
  std::uint64_t top = static_cast<std::uint64_t>(stack) + stack_size;

  std::uint8_t random[16];
  if (crypto::random_bytes(random, sizeof random) != crypto::RandomStatus::Ok) fatal("RDRAND failed");
  loader::AuxEntry aux[] = {
      {loader::kAtPhdr, prog.image.phdr},       {loader::kAtPhent, prog.image.phent},
      {loader::kAtPhnum, prog.image.phnum},     {loader::kAtPagesz, 4096},
      {loader::kAtBase, interp_base},           {loader::kAtFlags, 0},
      {loader::kAtEntry, prog.image.entry},     {loader::kAtUid, g.uid},
      {loader::kAtEuid, g.uid},                 {loader::kAtGid, g.gid},
      {loader::kAtEgid, g.gid},                 {loader::kAtSecure, 0},
      {loader::kAtHwcap, cpuid_edx1()},         {loader::kAtHwcap2, 2 /* FSGSBASE */},
      {loader::kAtClktck, 100},                 {loader::kAtMinsigstksz, 4096},
      {loader::kAtRandom, 0},                   {loader::kAtPlatform, 0},
      {loader::kAtExecfn, 0},
  };
  loader::InitialStackSpec spec;
  spec.argv = args.v;
  spec.argc = args.n;
  spec.envp = envp.v;
  spec.envc = envp.n;
  spec.auxv = aux;
  spec.auxc = sizeof aux / sizeof aux[0];
  spec.random = random;
  spec.platform = "x86_64";
  spec.execfn = program;
  loader::InitialStack out;
  std::uint64_t window = stack_size < (1ull << 20) ? stack_size : (1ull << 20);
  loader::StackError se = loader::build_initial_stack(spec, top, reinterpret_cast<std::uint8_t*>(top - window), window, out);
  if (se != loader::StackError::Ok) fatal("cannot build the initial stack: %s", loader::stack_error_message(se));

  if (verbose()) log("starting %s in the enclave (ELRANGE %p + 0x%lx)", path, reinterpret_cast<void*>(g.base), g.size);
  // From here on every syscall outside the shim's text traps into the shim.
  if (!(g.flags & launch::kTestNoDispatch)) {
    ShimThread* t = current_thread();
    long r = host::call(abi::kPrctl, abi::kPrSetSyscallUserDispatch, abi::kPrSysDispatchOn, g.text_begin,
                        g.text_end - g.text_begin, &t->dispatch_selector);
    if (r != 0) fatal("cannot enable Syscall User Dispatch (errno %ld); Linux 5.11 or later is needed", -r);
  }
  patch::set_thread_count(1);
  enter_program(entry, out.rsp);
}

void enclave_main(const void* arg) {
  const auto& cfg = *static_cast<const launch::LaunchConfig*>(arg);
  g.flags = cfg.flags;
  g.max_threads = cfg.max_threads;
  g.pid = cfg.host_pid;
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
  fd::init();
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
  if (argv.n == 0) fatal("no argv[0]");
  start_program(argv, envp, prog.v[0]);
}

}  // namespace
}  // namespace cocoon::shim

using namespace cocoon;
using namespace cocoon::shim;

extern "C" [[noreturn]] void enclave_entry(const launch::LaunchConfig* cfg, channel::WindowHeader* window) {
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
  setup_thread(0, static_cast<std::int32_t>(host::call(abi::kGettid)));
  switch_stack_and_call(current_thread()->stack_top, enclave_main, cfg);
}
