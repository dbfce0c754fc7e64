#include "shim/proc_files.hpp"
#include "shim/program.hpp"

#include <cstddef>
#include <cstdint>

#include "loader/elf_image.hpp"
#include "loader/elf_load.hpp"
#include "loader/initial_stack.hpp"
#include "loader/script.hpp"
#include "shim/crypto/random.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/patch.hpp"
#include "shim/thread.hpp"
#include "shim/trusted_files.hpp"

extern "C" [[noreturn]] void enter_program(std::uint64_t entry, std::uint64_t sp);

namespace cocoon::shim {
namespace {

constexpr std::uint64_t kProgramHint = 0x1000000;  // PIE programs load low; brk grows above

struct Strings {
  char** v;
  std::uint32_t n;
};

// ---- program loading through the proxy ----

struct FileCtx {
  trusted::LoaderFile file;
};

// load_elf writes every page of its segments: the span is populated at once.
std::uint64_t op_reserve(void*, std::uint64_t fixed, std::uint64_t size) {
  long r = mem::map(fixed ? fixed : kProgramHint, size, abi::kProtRead | abi::kProtWrite, fixed != 0, fixed != 0,
                    mem::kImage);
  if (abi::is_error(r)) return 0;
  mem::prefault(static_cast<std::uint64_t>(r), size);
  return static_cast<std::uint64_t>(r);
}

std::uint64_t op_reserve_anywhere(void*, std::uint64_t fixed, std::uint64_t size) {
  long r = mem::map(fixed, size, abi::kProtRead | abi::kProtWrite, fixed != 0, fixed != 0, mem::kImage);
  if (abi::is_error(r)) return 0;
  mem::prefault(static_cast<std::uint64_t>(r), size);
  return static_cast<std::uint64_t>(r);
}

std::int64_t op_read(void* ctx, std::uint64_t off, void* dst, std::uint64_t len) {
  return trusted::loader_pread(static_cast<FileCtx*>(ctx)->file, dst, len, off);
}

int op_protect(void*, std::uint64_t addr, std::uint64_t len, int prot) {
  return static_cast<int>(mem::protect(addr, len, prot));
}

struct Loaded {
  loader::ElfInfo info;
  loader::LoadedImage image;
  char interp[loader::kMaxInterpLen];
};

// Loads one ELF file, already open as `file` (closed here); `main` picks the placement rule
// for the program itself.
void load_open_file(const char* path, const trusted::LoaderFile& file, bool main, Loaded& out) {
  FileCtx ctx{file};
  static std::uint8_t head[16384];
  std::int64_t file_size;
  if (long e = trusted::loader_size(ctx.file, file_size); e < 0) fatal("cannot stat %s (errno %ld)", path, -e);
  long got = trusted::loader_pread(ctx.file, head, sizeof head, 0);
  if (got < 0) fatal("cannot read %s (errno %ld)", path, -got);
  if (got > file_size) fatal("%s: %ld", path, iago("pread64", "length beyond file size", got));
  loader::ElfError e = loader::parse_elf(head, static_cast<std::size_t>(got), static_cast<std::uint64_t>(file_size), out.info);
  if (e != loader::ElfError::Ok) fatal("%s: %s", path, loader::elf_error_message(e));
  if (out.info.kind == loader::ElfKind::SharedObject) fatal("%s: a shared library, not a program", path);
  std::uint8_t buf[loader::kMaxInterpLen];  // read, so kept until the file is verified
  if (out.info.has_interp) {
    if (out.info.interp_size >= sizeof out.interp) fatal("%s: interpreter path too long", path);
    long n = trusted::loader_pread(ctx.file, buf, out.info.interp_size, out.info.interp_offset);
    if (n != static_cast<long>(out.info.interp_size)) fatal("%s: cannot read its interpreter path", path);
    if (loader::check_interp(buf, out.info.interp_size, out.info) != loader::ElfError::Ok)
      fatal("%s: bad interpreter path", path);
    __builtin_memcpy(out.interp, buf, out.info.interp_len);
    out.interp[out.info.interp_len] = '\0';
  }
  loader::LoadOps ops{&ctx, main ? op_reserve : op_reserve_anywhere, op_read, op_protect};
  e = loader::load_elf(out.info, ops, out.image);
  if (e != loader::ElfError::Ok) fatal("%s: cannot load: %s", path, loader::elf_error_message(e));
  // Everything read above (headers, interpreter path, segments) is checked before any use.
  if (long v = trusted::loader_verify(ctx.file); v < 0) fatal("cannot load %s: it failed verification (errno %ld)", path, -v);
  trusted::loader_close(ctx.file);
}

void load_file(const char* path, bool main, Loaded& out) {
  trusted::LoaderFile f{};
  if (long e = trusted::loader_open(path, f, /*after_load=*/true); e < 0) fatal("cannot open %s (errno %ld)", path, -e);
  load_open_file(path, f, main, out);
}

// The ELF program check_startable found (open, verified if trusted), kept for the
// start_program that follows an in-place execve.
struct Kept {
  bool valid;
  trusted::LoaderFile file;
  char path[256];
};
Kept g_kept;

void drop_kept() {
  if (g_kept.valid) trusted::loader_close(g_kept.file);
  g_kept.valid = false;
}

bool same_path(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}

// Opens `path` for start_program: the kept file when it is that path.
long open_for_start(const char* path, trusted::LoaderFile& out) {
  if (g_kept.valid && same_path(g_kept.path, path)) {
    out = g_kept.file;
    g_kept.valid = false;
    return 0;
  }
  return trusted::loader_open(path, out, /*after_load=*/true);
}

std::uint64_t cpuid_edx1() {
  std::uint32_t a = 1, b, c = 0, d;
  asm volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
  return d;
}

}  // namespace

long check_startable(const char* path, bool keep_open) {
  drop_kept();
  for (int depth = 0; depth < 4; ++depth) {
    std::uint8_t head[256];
    trusted::LoaderFile f{};
    if (long e = trusted::loader_open(path, f); e < 0) return e;
    long n = trusted::loader_pread(f, head, sizeof head, 0);
    if (n < 0) {
      trusted::loader_close(f);
      return n;
    }
    if (n >= 2 && head[0] == '#' && head[1] == '!') {
      trusted::loader_close(f);
      loader::ScriptLine sb;
      if (loader::parse_script(head, static_cast<std::size_t>(n), sb) != loader::ScriptError::Ok) return -abi::kENOEXEC;
      static char interp[256];
      __builtin_memcpy(interp, head + sb.interp_offset, sb.interp_len);
      interp[sb.interp_len] = '\0';
      path = interp;
      continue;
    }
    loader::ElfInfo info;
    loader::ElfError e = loader::parse_elf(head, static_cast<std::size_t>(n), ~0ull >> 2, info);
    std::size_t len = 0;
    while (path[len]) ++len;
    if (e != loader::ElfError::Ok && e != loader::ElfError::NeedMore) {
      trusted::loader_close(f);
      return -abi::kENOEXEC;
    }
    if (keep_open && len < sizeof g_kept.path) {
      __builtin_memcpy(g_kept.path, path, len + 1);
      g_kept.file = f;
      g_kept.valid = true;
    } else {
      trusted::loader_close(f);
    }
    return 0;
  }
  return -abi::kELOOP;
}

[[noreturn]] void start_program(char** argv_v, std::uint32_t argv_n, char** envp_v, std::uint32_t envp_n,
                                const char* program) {
  Strings argv{argv_v, argv_n}, envp{envp_v, envp_n};
  // Scripts: the interpreter named on the #! line runs with the script as its argument.
  // The file that turns out to be the ELF program stays open for loading: a trusted one is
  // read and verified once, not once for its first bytes and again to load it.
  const char* path = program;
  Strings args = argv;
  trusted::LoaderFile file{};
  bool file_open = false;
  for (int depth = 0; depth < 4; ++depth) {
    char head[256];
    if (long e = open_for_start(path, file); e < 0) fatal("cannot open %s (errno %ld)", path, -e);
    long n = trusted::loader_pread(file, head, sizeof head, 0);
    if (n < 0) fatal("cannot read %s (errno %ld)", path, -n);
    if (n < 2 || head[0] != '#' || head[1] != '!') {
      trusted::loader_forget_reads(file);  // `head` goes: the loader reads (and checks) it again
      file_open = true;
      break;
    }
    // A script's #! line picks the interpreter: verified before it is used.
    if (long v = trusted::loader_verify(file); v < 0) fatal("cannot run %s: it failed verification (errno %ld)", path, -v);
    trusted::loader_close(file);
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

  drop_kept();  // not the program after all (the files changed since the check)
  static Loaded prog, interp;
  if (file_open) load_open_file(path, file, true, prog);
  else load_file(path, true, prog);  // after four #! levels (refused there unless it is ELF)
  std::uint64_t entry = prog.image.entry, interp_base = 0;
  if (prog.info.has_interp) {
    load_file(prog.interp, false, interp);
    if (interp.info.has_interp) fatal("%s: its interpreter %s has an interpreter itself", path, prog.interp);
    entry = interp.image.entry;
    interp_base = interp.image.bias;
  }
  mem::set_brk_start(prog.image.brk_start);
  proc::set_exe(path);

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


}  // namespace cocoon::shim
