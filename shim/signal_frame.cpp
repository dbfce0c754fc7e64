#include "shim/signal_frame.hpp"

#include "shim/globals.hpp"
#include "shim/host.hpp"
#include "shim/log.hpp"
#include "shim/patch.hpp"
#include "shim/signal_queue.hpp"
#include "shim/signals.hpp"
#include "shim/user_memory.hpp"

extern "C" void shim_trap_stub_return();

namespace cocoon::shim::sigframe {
namespace {

struct RtSigframe {
  std::uint64_t pretcode;
  abi::UContext uc;
  abi::SigInfo info;
};
static_assert(sizeof(RtSigframe) == 440, "Linux's x86-64 struct rt_sigframe");

// The software-reserved bytes of the FXSAVE area that tell an XSAVE image from a bare one.
struct FpxSwBytes {
  std::uint32_t magic1;
  std::uint32_t extended_size;
  std::uint64_t xfeatures;
  std::uint32_t xstate_size;
  std::uint32_t padding[7];
};
constexpr std::uint32_t kFpxMagic1 = 0x46505853, kFpxMagic2 = 0x46505845;
constexpr std::uint64_t kFxsaveSize = 512, kSwBytesAt = 464, kXstateHeaderAt = 512;
constexpr std::uint64_t kMaxXstate = 12 * 1024;  // AVX-512 needs 2.7 KiB
constexpr std::uint64_t kUcFpXstate = 1;
constexpr std::uint64_t kEflagsTf = 0x100, kEflagsDf = 0x400, kEflagsRf = 0x10000;
constexpr std::uint64_t kUserCs = 0x33, kUserSs = 0x2b;

// Size of the FPU image at fp (XSAVE with its trailing magic, or the bare FXSAVE area).
std::uint64_t fpu_image_size(const std::uint8_t* fp) {
  FpxSwBytes sw;
  __builtin_memcpy(&sw, fp + kSwBytesAt, sizeof sw);
  if (sw.magic1 != kFpxMagic1 || sw.extended_size != sw.xstate_size + 4 || sw.xstate_size < kFxsaveSize + 64 ||
      sw.extended_size > kMaxXstate)
    return kFxsaveSize;
  return sw.extended_size;
}

// The state a handler starts with on Linux: x87 and SSE control words at their defaults,
// every XSAVE component in its initial state except PKRU (bit 9), which keeps its value.
void reset_fpu_for_handler(std::uint8_t* fp) {
  const std::uint16_t fcw = 0x37f, zero16 = 0;
  const std::uint32_t mxcsr = 0x1f80;
  __builtin_memcpy(fp + 0, &fcw, 2);
  __builtin_memcpy(fp + 2, &zero16, 2);
  fp[4] = 0;  // abridged tag word: every register empty
  __builtin_memcpy(fp + 24, &mxcsr, 4);
  if (fpu_image_size(fp) > kFxsaveSize) {
    std::uint64_t bv;
    __builtin_memcpy(&bv, fp + kXstateHeaderAt, 8);
    bv &= 1ull << 9;
    __builtin_memcpy(fp + kXstateHeaderAt, &bv, 8);
  }
}

bool on_stack(std::uint64_t sp, std::uint64_t base, std::uint64_t size) { return size && sp > base && sp - base <= size; }

[[noreturn]] void bad_frame(int sig, std::uint64_t where) {
  char why[200];
  snformat(why, sizeof why, "program killed by SIGSEGV: its %s handler's frame cannot be written at %p (stack overflow?)",
           signals::signal_name(sig), reinterpret_cast<void*>(where));
  signals::die_by(abi::kSIGSEGV, why);
}

}  // namespace

void push(ShimThread* t, abi::UContext* uc, int sig, const abi::SigInfo& info, const abi::KernelSigaction& act) {
  if (!(act.flags & abi::kSaRestorer)) {
    // x86-64 Linux needs SA_RESTORER (glibc always sets it): the handler could not return.
    signals::die_by(abi::kSIGSEGV, "program killed by SIGSEGV: a signal handler without SA_RESTORER");
  }
  const std::uint64_t rsp = uc->gregs[abi::kRsp];
  const std::uint64_t alt_sp = t->prog_altstack_sp, alt_size = t->prog_altstack_size;
  std::uint64_t sp = rsp - patch::kRedZone;
  bool was_on_alt = on_stack(rsp, alt_sp, alt_size);
  bool to_alt = false;
  if ((act.flags & abi::kSaOnstack) && alt_size && !on_stack(sp, alt_sp, alt_size)) {
    sp = alt_sp + alt_size;
    to_alt = true;
  }
  auto* fp = static_cast<std::uint8_t*>(uc->fpstate);
  std::uint64_t fp_size = fp ? fpu_image_size(fp) : 0;
  sp = (sp - fp_size) & ~63ull;
  std::uint64_t fp_at = sp;
  sp = ((sp - sizeof(RtSigframe)) & ~15ull) - 8;  // as after a call: (sp + 8) 16-byte aligned
  std::uint64_t frame_at = sp;
  if (frame_at > rsp && !to_alt) bad_frame(sig, frame_at);  // wrapped around

  RtSigframe frame;
  __builtin_memset(&frame, 0, sizeof frame);
  frame.pretcode = act.restorer;
  frame.uc.uc_flags = uc->uc_flags;
  frame.uc.uc_stack.ss_sp = reinterpret_cast<void*>(alt_sp);
  frame.uc.uc_stack.ss_size = alt_size;
  frame.uc.uc_stack.ss_flags = (alt_size ? (was_on_alt ? abi::kSsOnstack : 0) : abi::kSsDisable) |
                               (t->prog_altstack_flags & abi::kSsAutodisarm);
  __builtin_memcpy(frame.uc.gregs, uc->gregs, sizeof frame.uc.gregs);
  std::uint64_t old_mask = t->sigmask;
  if (t->has_saved_mask) {  // sigsuspend: the handler returns to the mask from before it
    old_mask = t->saved_mask;
    t->has_saved_mask = 0;
  }
  frame.uc.gregs[abi::kOldmask] = old_mask;
  frame.uc.uc_sigmask = old_mask;
  frame.uc.fpstate = fp ? reinterpret_cast<void*>(fp_at) : nullptr;
  frame.info = info;
  frame.info.si_signo = sig;
  if (!user::copy_to(frame_at, &frame, sizeof frame)) bad_frame(sig, frame_at);
  if (fp && !user::copy_to(fp_at, fp, fp_size)) bad_frame(sig, fp_at);

  // The handler's registers.
  uc->gregs[abi::kRip] = act.handler;
  uc->gregs[abi::kRsp] = frame_at;
  uc->gregs[abi::kRdi] = static_cast<std::uint64_t>(sig);
  uc->gregs[abi::kRsi] = frame_at + __builtin_offsetof(RtSigframe, info);
  uc->gregs[abi::kRdx] = frame_at + __builtin_offsetof(RtSigframe, uc);
  uc->gregs[abi::kRax] = 0;
  uc->gregs[abi::kEflags] &= ~(kEflagsTf | kEflagsDf | kEflagsRf);
  if (fp) reset_fpu_for_handler(fp);

  // The thread's mask and the disposition, as the handler's flags say.
  std::uint64_t mask = t->sigmask | act.mask;
  if (!(act.flags & abi::kSaNodefer)) mask |= sigqueue::bit(sig);
  t->sigmask = mask & ~sigqueue::kUnblockable;
  if (act.flags & abi::kSaResethand) signals::program_action(sig) = abi::KernelSigaction{};
  if (to_alt && (t->prog_altstack_flags & abi::kSsAutodisarm)) {
    t->prog_altstack_sp = 0;
    t->prog_altstack_size = 0;
    t->prog_altstack_flags = abi::kSsDisable;
  }
  sigqueue::refresh_deliverable(t);
}

std::uint64_t program_sp_at_syscall(const ShimThread* t) {
  // Below it: the rewritten site's stub (red zone, return address) or the trap path (red
  // zone, the trapped site's address, return address).
  std::uint64_t saved = t->saved_program_rsp, ret = 0;
  __builtin_memcpy(&ret, reinterpret_cast<const void*>(saved), 8);
  return saved + (ret == reinterpret_cast<std::uint64_t>(&shim_trap_stub_return) ? patch::kTrapPathBytes
                                                                                : patch::kStubPathBytes);
}

void sigreturn(ShimThread* t) {
  // The program's stack pointer at its syscall instruction (__restore_rt's, after the
  // handler's `ret` took pretcode) points at the frame's ucontext.
  std::uint64_t uc_at = program_sp_at_syscall(t);
  struct HostFrame {
    std::uint64_t pretcode;
    abi::UContext uc;
  } hf;
  alignas(64) std::uint8_t fp[kMaxXstate];
  if (!user::read(hf.uc, uc_at)) signals::die_by(abi::kSIGSEGV, "program killed by SIGSEGV: rt_sigreturn without a signal frame on its stack");
  auto fp_at = reinterpret_cast<std::uint64_t>(hf.uc.fpstate);
  if (fp_at) {
    if (!user::copy_from(fp, fp_at, kFxsaveSize))
      signals::die_by(abi::kSIGSEGV, "program killed by SIGSEGV: rt_sigreturn with an unreadable FPU state");
    std::uint64_t size = (hf.uc.uc_flags & kUcFpXstate) ? fpu_image_size(fp) : kFxsaveSize;
    if (size > kFxsaveSize && !user::copy_from(fp, fp_at, size))
      signals::die_by(abi::kSIGSEGV, "program killed by SIGSEGV: rt_sigreturn with an unreadable FPU state");
    hf.uc.fpstate = fp;  // the kernel checks the XSAVE header and magic words itself
  }
  // What the program's frame says about itself.
  t->sigmask = hf.uc.uc_sigmask & ~sigqueue::kUnblockable;
  const abi::StackT& ss = hf.uc.uc_stack;
  if (ss.ss_flags & abi::kSsDisable) {
    t->prog_altstack_sp = t->prog_altstack_size = 0;
    t->prog_altstack_flags = abi::kSsDisable;
  } else if (ss.ss_size >= 2048) {
    t->prog_altstack_sp = reinterpret_cast<std::uint64_t>(ss.ss_sp);
    t->prog_altstack_size = ss.ss_size;
    t->prog_altstack_flags = ss.ss_flags & abi::kSsAutodisarm;
  }
  // What stays the shim's: the host altstack, user segments, the host mask.
  hf.uc.uc_stack = abi::StackT{reinterpret_cast<void*>(t->altstack_base), 0, 0, t->altstack_size};
  hf.uc.gregs[abi::kCsgsfs] = kUserCs | (kUserSs << 48);
  std::uint64_t block = ~sigqueue::kSynchronous, host_mask = 0;
  host::call(abi::kRtSigprocmask, abi::kSigBlock, &block, &host_mask, 8);
  hf.uc.uc_sigmask = host_mask;
  // A signal the restored mask lets through runs now, on top of the restored context.
  signals::deliver_pending(t, &hf.uc);
  // From here the thread is the program's again; host signals stay blocked until the kernel
  // restores the mask with the registers.
  __atomic_store_n(&t->in_shim, 0ull, __ATOMIC_RELEASE);
  asm volatile(
      "mov %0, %%rsp\n\t"
      "mov $15, %%eax\n\t"
      "syscall\n\t"
      "ud2"
      :
      : "r"(&hf.uc)
      : "memory");
  __builtin_unreachable();
}

}  // namespace cocoon::shim::sigframe
