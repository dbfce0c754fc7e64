// The slice of the Linux x86-64 ABI the shim needs, written out because the shim has no
// libc headers. Values are from the kernel's uapi headers (checked by tests/shim_abi).
#pragma once

#include <cstdint>

namespace cocoon::abi {

// Syscall numbers the shim itself issues to the host.
enum HostNr : long {
  kRead = 0, kWrite = 1, kOpen = 2, kClose = 3, kFstat = 5, kMmap = 9, kMprotect = 10,
  kMunmap = 11, kRtSigaction = 13, kRtSigprocmask = 14, kRtSigreturn = 15, kPread64 = 17,
  kSchedYield = 24, kMremap = 25, kMadvise = 28, kNanosleep = 35, kGetpid = 39, kClone = 56,
  kExit = 60, kKill = 62, kUname = 63, kGetrusage = 98, kSigaltstack = 131, kPrctl = 157,
  kArchPrctl = 158, kGettid = 186, kFutex = 202, kSchedSetaffinity = 203,
  kSchedGetaffinity = 204, kClockGettime = 228, kClockNanosleep = 230, kExitGroup = 231,
  kTgkill = 234, kSeccomp = 317, kGetrandom = 318,
};

// errno values.
enum Errno : long {
  kEPERM = 1, kENOENT = 2, kESRCH = 3, kEINTR = 4, kEIO = 5, kENXIO = 6, kE2BIG = 7,
  kENOEXEC = 8, kEBADF = 9, kECHILD = 10, kEAGAIN = 11, kENOMEM = 12, kEACCES = 13,
  kEFAULT = 14, kEBUSY = 16, kEEXIST = 17, kENODEV = 19, kENOTDIR = 20, kEISDIR = 21,
  kEINVAL = 22, kENFILE = 23, kEMFILE = 24, kENOTTY = 25, kEFBIG = 27, kENOSPC = 28,
  kESPIPE = 29, kEROFS = 30, kEPIPE = 32, kERANGE = 34, kENAMETOOLONG = 36, kENOSYS = 38, kELOOP = 40,
  kEXDEV = 18,
  kENOTSUP = 95, kEOPNOTSUPP_MMAP = 95, kEMSGSIZE_OR_INVAL = 22, kETIMEDOUT = 110,
};

inline constexpr long kMaxErrno = 4095;
inline bool is_error(long r) { return r < 0 && r >= -kMaxErrno; }

// mmap / mprotect.
inline constexpr long kProtNone = 0, kProtRead = 1, kProtWrite = 2, kProtExec = 4;
inline constexpr long kMapShared = 0x01, kMapPrivate = 0x02, kMapSharedValidate = 0x03,
                      kMapFixed = 0x10, kMapAnonymous = 0x20, kMapGrowsdown = 0x0100,
                      kMapDenywrite = 0x0800, kMapExecutable = 0x1000, kMapLocked = 0x2000,
                      kMapNoreserve = 0x4000, kMapPopulate = 0x8000, kMapNonblock = 0x10000,
                      kMapStack = 0x20000, kMapHugetlb = 0x40000, kMapSync = 0x80000,
                      kMapFixedNoreplace = 0x100000;
inline constexpr long kMremapMaymove = 1, kMremapFixed = 2, kMremapDontunmap = 4;
inline constexpr long kMadvDontneed = 4, kMadvFree = 8, kMadvHugepage = 14, kMadvPopulateWrite = 23;

// open flags used by the shim.
inline constexpr long kORdonly = 0, kOCloexec = 02000000;
inline constexpr int kAtFdcwd = -100;

// Signals.
enum Signal : int {
  kSIGHUP = 1, kSIGINT = 2, kSIGQUIT = 3, kSIGILL = 4, kSIGTRAP = 5, kSIGABRT = 6,
  kSIGBUS = 7, kSIGFPE = 8, kSIGKILL = 9, kSIGUSR1 = 10, kSIGSEGV = 11, kSIGUSR2 = 12,
  kSIGPIPE = 13, kSIGALRM = 14, kSIGTERM = 15, kSIGSTKFLT = 16, kSIGCHLD = 17, kSIGCONT = 18,
  kSIGSTOP = 19, kSIGTSTP = 20, kSIGTTIN = 21, kSIGTTOU = 22, kSIGURG = 23, kSIGXCPU = 24,
  kSIGXFSZ = 25, kSIGVTALRM = 26, kSIGPROF = 27, kSIGWINCH = 28, kSIGIO = 29, kSIGPWR = 30,
  kSIGSYS = 31,
};
inline constexpr int kNSig = 64;
inline constexpr unsigned long kSaSiginfo = 0x4, kSaOnstack = 0x08000000, kSaRestart = 0x10000000,
                               kSaNodefer = 0x40000000, kSaResethand = 0x80000000,
                               kSaRestorer = 0x04000000;
inline constexpr long kSigBlock = 0, kSigUnblock = 1, kSigSetmask = 2;
inline constexpr unsigned long kSigDfl = 0, kSigIgn = 1;

// struct sigaction as the kernel's rt_sigaction takes it.
struct KernelSigaction {
  unsigned long handler;
  unsigned long flags;
  unsigned long restorer;
  std::uint64_t mask;
};

struct StackT {
  void* ss_sp;
  int ss_flags;
  int pad;
  std::uint64_t ss_size;
};
inline constexpr int kSsOnstack = 1, kSsDisable = 2, kSsAutodisarm = static_cast<int>(1u << 31);

// ucontext_t (kernel layout): greg offsets inside uc_mcontext follow glibc's REG_* order.
enum Greg : int {
  kR8 = 0, kR9, kR10, kR11, kR12, kR13, kR14, kR15, kRdi, kRsi, kRbp, kRbx, kRdx, kRax,
  kRcx, kRsp, kRip, kEflags, kCsgsfs, kErr, kTrapno, kOldmask, kCr2,
};
struct UContext {
  std::uint64_t uc_flags;
  UContext* uc_link;
  StackT uc_stack;
  std::uint64_t gregs[23];
  void* fpstate;
  std::uint64_t reserved1[8];
  std::uint64_t uc_sigmask;
};
static_assert(__builtin_offsetof(UContext, gregs) == 40, "ucontext gregs");
static_assert(__builtin_offsetof(UContext, fpstate) == 224, "ucontext fpstate");
static_assert(__builtin_offsetof(UContext, uc_sigmask) == 296, "ucontext sigmask");

struct SigInfo {
  int si_signo;
  int si_errno;
  int si_code;
  int pad;
  std::uint64_t field0;  // si_addr / si_call_addr / (si_pid | si_uid << 32)
  std::int32_t field1;   // si_syscall
  std::uint32_t field2;  // si_arch
  std::uint8_t rest[96];
};
static_assert(sizeof(SigInfo) == 128, "siginfo size");
inline constexpr int kSysUserDispatch = 2;  // SIGSYS si_code from Syscall User Dispatch
inline constexpr int kSiTkill = -6, kSiUser = 0;

// prctl.
inline constexpr long kPrSetName = 15, kPrGetName = 16, kPrSetDumpable = 4, kPrGetDumpable = 3,
                      kPrSetPdeathsig = 1, kPrGetPdeathsig = 2, kPrSetNoNewPrivs = 38,
                      kPrSetSyscallUserDispatch = 59, kPrSysDispatchOn = 1;
inline constexpr std::uint8_t kDispatchAllow = 0, kDispatchBlock = 1;

// arch_prctl.
inline constexpr long kArchSetGs = 0x1001, kArchSetFs = 0x1002, kArchGetFs = 0x1003,
                      kArchGetGs = 0x1004, kArchGetCpuid = 0x1011, kArchSetCpuid = 0x1012;

// futex.
inline constexpr long kFutexWait = 0, kFutexWake = 1, kFutexPrivate = 128;

// clock ids.
inline constexpr long kClockRealtime = 0, kClockMonotonic = 1, kClockProcessCputime = 2,
                      kClockThreadCputime = 3, kClockMonotonicRaw = 4, kClockRealtimeCoarse = 5,
                      kClockMonotonicCoarse = 6, kClockBoottime = 7;

struct Timespec {
  std::int64_t tv_sec;
  std::int64_t tv_nsec;
};

// auxv tags.
enum Aux : std::uint64_t {
  kAtNull = 0, kAtPhdr = 3, kAtPhent = 4, kAtPhnum = 5, kAtPagesz = 6, kAtBase = 7, kAtFlags = 8,
  kAtEntry = 9, kAtUid = 11, kAtEuid = 12, kAtGid = 13, kAtEgid = 14, kAtPlatform = 15,
  kAtHwcap = 16, kAtClktck = 17, kAtSecure = 23, kAtRandom = 25, kAtHwcap2 = 26, kAtExecfn = 31,
  kAtSysinfoEhdr = 33, kAtMinsigstksz = 51,
};

}  // namespace cocoon::abi
