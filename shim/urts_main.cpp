// First role of cocoon-shim: the enclave process's untrusted runtime (simulation backend).
//
// It does what SGX's uRTS + ECREATE/EADD/EEXTEND/EINIT do on hardware: reserve ELRANGE,
// lay the enclave image into it exactly as manifest/enclave_layout describes it (the same
// description the signer measured), map the untrusted window, make the process non-dumpable,
// install the seccomp filters it was given, and enter the enclave copy of the shim.
// It runs before any program code exists, from the kernel-loaded copy of the binary.
#include <cstddef>
#include <cstdint>

#include "manifest/enclave_layout.hpp"
#include "proxy/channel.hpp"
#include "shim/host.hpp"
#include "shim/launch_config.hpp"
#include "shim/linux_abi.hpp"
#include "shim/relocate.hpp"

extern "C" [[noreturn]] void urts_enter(std::uint64_t entry, const void* config, void* window, void* exit_notice);

namespace {

using namespace cocoon;

// Before the enclave is entered there is no log channel but the supervisor's stderr.
[[noreturn]] void urts_die(const char* what) { host::die_early("enclave loader", what); }

struct MapCtx {
  std::uint64_t base;
  const layout::EnclaveDescriptor* desc;
  bool failed;
  // Runs whose final protection is still to be set: adjacent runs with the same protection
  // get one mprotect (64 thread areas would otherwise cost hundreds of calls at start-up).
  std::uint64_t pending_addr, pending_len;
  long pending_prot;
};

long prot_of(std::uint64_t secinfo) {
  if ((secinfo & 0xff00) == layout::kPageTypeTcs) return abi::kProtRead | abi::kProtWrite;
  long p = 0;
  if (secinfo & layout::kSecinfoR) p |= abi::kProtRead;
  if (secinfo & layout::kSecinfoW) p |= abi::kProtWrite;
  if (secinfo & layout::kSecinfoX) p |= abi::kProtExec;
  return p;
}

void flush_pending(MapCtx* ctx) {
  if (ctx->pending_len && host::call(abi::kMprotect, ctx->pending_addr, ctx->pending_len, ctx->pending_prot) != 0)
    ctx->failed = true;
  ctx->pending_len = 0;
}

// EADD (+EEXTEND) of one run, simulated: commit the pages, copy the source bytes, protect.
void map_run(const layout::PageRun& run, void* vctx) {
  auto* ctx = static_cast<MapCtx*>(vctx);
  if (ctx->failed) return;
  std::uint64_t addr = ctx->base + run.offset;
  std::uint64_t len = run.pages * layout::kPageSize;
  bool heap = !run.measured && run.content == layout::Content::Zero;
  if (heap) return;  // stays PROT_NONE: the shim commits heap pages when the program asks
  // Thread areas past the main thread's stay PROT_NONE until the shim first hands out their
  // slot (shim/sys_thread.cpp): start-up does not pay for max_threads slots the program may
  // never use. (On hardware they are EADDed at build time; the measurement is unchanged.)
  if (run.offset >= ctx->desc->threads_offset + ctx->desc->thread_span) return;
  long prot = prot_of(run.secinfo_flags);
  if (run.content != layout::Content::Zero) {
    // Writable while its bytes are copied in (the final protection follows with the batch).
    flush_pending(ctx);
    if (host::call(abi::kMprotect, addr, len, abi::kProtRead | abi::kProtWrite) != 0) {
      ctx->failed = true;
      return;
    }
    switch (run.content) {
      case layout::Content::Bytes:
        __builtin_memcpy(reinterpret_cast<void*>(addr), run.data, run.data_size);
        break;
      case layout::Content::Tcs:
        layout::make_tcs(*ctx->desc, run.thread, reinterpret_cast<std::uint8_t*>(addr));
        break;
      case layout::Content::Descriptor:
        __builtin_memcpy(reinterpret_cast<void*>(addr), ctx->desc, sizeof *ctx->desc);
        break;
      case layout::Content::Zero:
        break;
    }
    if (prot == (abi::kProtRead | abi::kProtWrite)) {
      // Already final; it may still extend the batch before it.
      if (ctx->pending_len && ctx->pending_prot == prot && ctx->pending_addr + ctx->pending_len == addr) {
        ctx->pending_len += len;
        return;
      }
    }
  }
  if (ctx->pending_len && ctx->pending_prot == prot && ctx->pending_addr + ctx->pending_len == addr) {
    ctx->pending_len += len;
    return;
  }
  flush_pending(ctx);
  ctx->pending_addr = addr;
  ctx->pending_len = len;
  ctx->pending_prot = prot;
}

void* map_fd(int fd, std::uint64_t size, long prot, long flags) {
  long r = host::call(abi::kMmap, 0, size, prot, flags, fd, 0);
  if (abi::is_error(r)) return nullptr;
  return reinterpret_cast<void*>(r);
}

std::uint64_t fd_size(int fd) {
  std::uint8_t st[144];
  if (host::call(abi::kFstat, fd, st) != 0) return 0;
  std::uint64_t size;
  __builtin_memcpy(&size, st + 48, 8);  // struct stat.st_size
  return size;
}

bool install_filter(const launch::LaunchConfig& cfg, const launch::Blob& b) {
  if (b.size == 0) return true;
  struct {
    std::uint16_t len;
    std::uint16_t pad[3];
    const void* filter;
  } prog{static_cast<std::uint16_t>(b.size / 8), {0, 0, 0},
         reinterpret_cast<const std::uint8_t*>(&cfg) + b.offset};
  return host::call(abi::kSeccomp, 1 /* SECCOMP_SET_MODE_FILTER */, 0, &prog) == 0;
}

}  // namespace

extern "C" [[noreturn]] void urts_main(std::uint64_t* /*initial_sp*/) {
  if (!shim::self_relocate(shim::image_load_base())) urts_die("cannot relocate the shim");

  std::uint64_t cfg_size = fd_size(launch::kLaunchFd);
  if (cfg_size < sizeof(launch::LaunchConfig)) urts_die("no launch configuration on fd 3 (start me with 'cocoon run')");
  auto* cfg = static_cast<const launch::LaunchConfig*>(
      map_fd(launch::kLaunchFd, cfg_size, abi::kProtRead, abi::kMapPrivate));
  if (!cfg || __builtin_memcmp(cfg->magic, launch::kMagic, 8) != 0 || cfg->version != launch::kVersion ||
      cfg->config_size != cfg_size)
    urts_die("bad launch configuration");

  std::uint64_t shim_size = fd_size(launch::kShimFd);
  auto* shim = static_cast<const std::uint8_t*>(map_fd(launch::kShimFd, shim_size, abi::kProtRead, abi::kMapPrivate));
  if (!shim) urts_die("cannot map the shim image");

  // ECREATE: reserve ELRANGE (the bottom kLowReserved bytes are never part of it in memory).
  std::uint64_t base = cfg->enclave_base, size = cfg->enclave_size;
  long r = host::call(abi::kMmap, base + layout::kLowReserved, size - layout::kLowReserved, abi::kProtNone,
                      abi::kMapPrivate | abi::kMapAnonymous | abi::kMapNoreserve | abi::kMapFixedNoreplace, -1, 0);
  if (r != static_cast<long>(base + layout::kLowReserved)) urts_die("cannot reserve the enclave range (ELRANGE)");

  layout::LayoutParams params;
  params.enclave_size = size;
  params.max_threads = cfg->max_threads;
  params.shim_elf = shim;
  params.shim_elf_size = shim_size;
  params.manifest = reinterpret_cast<const std::uint8_t*>(cfg) + cfg->manifest.offset;
  params.manifest_size = cfg->manifest.size;
  static layout::EnclaveDescriptor desc;
  MapCtx ctx{base, &desc, false, 0, 0, 0};
  // The descriptor is filled before the first run is visited.
  layout::LayoutError err = layout::build_layout(params, desc, map_run, &ctx);
  flush_pending(&ctx);
  if (err != layout::LayoutError::None) urts_die(layout::layout_error_name(err));
  if (ctx.failed) urts_die("cannot commit enclave pages");

  void* window = map_fd(launch::kWindowFd, cfg->window_size, abi::kProtRead | abi::kProtWrite, abi::kMapShared);
  if (!window) urts_die("cannot map the untrusted window");
  host::call(abi::kClose, launch::kWindowFd);
  host::call(abi::kClose, launch::kShimFd);
  host::call(abi::kClose, launch::kLaunchFd);
  void* exit_notice = map_fd(launch::kExitFd, 4096, abi::kProtRead | abi::kProtWrite, abi::kMapShared);
  if (!exit_notice) urts_die("cannot map the exit notice page");
  host::call(abi::kClose, launch::kExitFd);

  // Nobody, not even root through /proc/<pid>/mem, may read enclave memory.
  if (host::call(abi::kPrctl, abi::kPrSetDumpable, 0, 0, 0, 0) != 0) urts_die("cannot make the process non-dumpable");
  if (host::call(abi::kPrctl, abi::kPrSetNoNewPrivs, 1, 0, 0, 0) != 0) urts_die("cannot set no_new_privs");
  // Allowlist first (it allows seccomp itself), then the filter that pins host syscalls to
  // the shim's text: after it, this code (outside ELRANGE) can make no syscall at all.
  if (!install_filter(*cfg, cfg->seccomp_allowlist)) urts_die("cannot install the enclave seccomp allowlist");
  if (!install_filter(*cfg, cfg->seccomp_ip_filter)) urts_die("cannot install the enclave seccomp filter");

  urts_enter(base + desc.shim_entry, cfg, window, exit_notice);
}
