#include "shim/attestation_files.hpp"

#include "attest/sim_keys.hpp"
#include "manifest/sgx_structs.hpp"
#include "proxy/channel.hpp"
#include "shim/fdtable.hpp"
#include "shim/forward.hpp"
#include "shim/globals.hpp"
#include "shim/heap.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/memory.hpp"
#include "shim/sync.hpp"
#include "shim/user_memory.hpp"

namespace cocoon::shim::attestation {
namespace {

enum class Node : std::uint8_t {
  Root, Keys, Type, UserReportData, TargetInfo, MyTargetInfo, Report, Quote, KeyMrEnclave, KeyMrSigner
};

struct NodeInfo {
  const char* path;
  const char* name;  // in its directory
  Node node;
  Node parent;
  bool dir;
  bool writable;
  std::uint64_t stat_size;  // what stat reports (0 for the quote: its size is known once made)
};

constexpr char kRoot[] = "/dev/attestation";
constexpr NodeInfo kNodes[] = {
    {"/dev/attestation", "attestation", Node::Root, Node::Root, true, false, 0},
    {"/dev/attestation/attestation_type", "attestation_type", Node::Type, Node::Root, false, false, 4},
    {"/dev/attestation/user_report_data", "user_report_data", Node::UserReportData, Node::Root, false, true, 64},
    {"/dev/attestation/target_info", "target_info", Node::TargetInfo, Node::Root, false, true, 512},
    {"/dev/attestation/my_target_info", "my_target_info", Node::MyTargetInfo, Node::Root, false, false, 512},
    {"/dev/attestation/report", "report", Node::Report, Node::Root, false, false, 432},
    {"/dev/attestation/quote", "quote", Node::Quote, Node::Root, false, false, 0},
    {"/dev/attestation/keys", "keys", Node::Keys, Node::Root, true, false, 0},
    {"/dev/attestation/keys/_sgx_mrenclave", "_sgx_mrenclave", Node::KeyMrEnclave, Node::Keys, false, false, 16},
    {"/dev/attestation/keys/_sgx_mrsigner", "_sgx_mrsigner", Node::KeyMrSigner, Node::Keys, false, false, 16},
};
constexpr std::uint64_t kMaxQuote = 64 * 1024;
constexpr std::uint64_t kInoBase = 0xa77e5700;

struct State {
  bool on;
  bool aesm;
  launch::SimAttestation sim;
  std::uint8_t user_report_data[64];
  sgx::TargetInfo target_info;
  SpinLock lock;
};
State s;

struct OpenFile {
  const NodeInfo* info;
  std::uint32_t refs;
  std::uint64_t offset;
  std::uint8_t* data;  // owned snapshot, or the global buffer of a writable node
  std::uint64_t size;
  bool owned;
};
OpenFile** g_fds;  // by program fd; allocated at the first open

std::size_t str_len(const char* p) {
  std::size_t n = 0;
  while (p[n]) ++n;
  return n;
}

bool str_eq(const char* a, const char* b, std::size_t bn) {
  std::size_t an = str_len(a);
  return an == bn && __builtin_memcmp(a, b, bn) == 0;
}

// The node a path names: nullptr when it is under /dev/attestation but does not exist.
const NodeInfo* lookup(const char* path) {
  std::size_t n = str_len(path);
  while (n > 1 && path[n - 1] == '/') --n;  // "/dev/attestation/" is the directory
  for (const NodeInfo& i : kNodes)
    if (str_eq(i.path, path, n)) return &i;
  return nullptr;
}

bool under_root(const char* path) {
  constexpr std::size_t k = sizeof kRoot - 1;
  return __builtin_memcmp(path, kRoot, k) == 0 && (path[k] == '\0' || path[k] == '/');
}

OpenFile* file_of(int fdn) {
  if (!g_fds || fdn < 0 || fdn >= fd::kMaxFds) return nullptr;
  return __atomic_load_n(&g_fds[fdn], __ATOMIC_ACQUIRE);
}

// ---- contents ------------------------------------------------------------------------------

long sealing_key(std::uint16_t policy, std::uint8_t out[16]) {
  sgx::KeyRequest kr;
  __builtin_memset(&kr, 0, sizeof kr);
  kr.key_name = sgx::kKeySeal;
  kr.key_policy = policy;
  kr.isv_svn = s.sim.self.isv_svn;
  __builtin_memcpy(kr.cpu_svn, s.sim.cpu.cpu_svn, 16);
  // As the Intel SDK's default for sealing: every security-relevant attribute bit counts
  // (INIT, DEBUG, MODE64BIT and the reserved high byte), and the reserved MISCSELECT bits.
  kr.attribute_mask = {0xFF0000000000000Bull, 0};
  kr.misc_mask = 0xF0000000u;
  attest::SimKeyStatus st = s.sim.cpu.egetkey(s.sim.self, kr, out);
  if (st != attest::SimKeyStatus::Ok) {
    log("/dev/attestation/keys: EGETKEY refused: %s", attest::sim_key_status_name(st));
    return -abi::kEACCES;
  }
  return 0;
}

long make_quote(std::uint8_t*& data, std::uint64_t& size) {
  ProxyRequest ti_rq(static_cast<long>(channel::kOpQeTargetInfo));
  ti_rq.arg(0, s.aesm ? 1 : 0);
  if (!ti_rq.out(1, sizeof(sgx::TargetInfo))) return -abi::kEIO;
  long r = ti_rq.call("attestation (QE target info)");
  if (r < 0) return r;
  if (r != 0) return iago("attestation (QE target info)", "result", r);
  sgx::TargetInfo qe;
  __builtin_memcpy(&qe, ti_rq.data(1), sizeof qe);
  sgx::Report report;
  s.sim.cpu.ereport(s.sim.self, qe, s.user_report_data, report);

  ProxyRequest q_rq(static_cast<long>(channel::kOpQuote));
  q_rq.arg(0, s.aesm ? 1 : 0);
  if (!q_rq.in_bytes(1, &report, sizeof report) || !q_rq.out(2, kMaxQuote)) return -abi::kEIO;
  q_rq.arg(3, static_cast<long>(kMaxQuote));
  long n = q_rq.call("attestation (quote)");
  if (n < 0) return n;
  // Header (48 bytes), then the report body the quote is about: it must be ours, exactly.
  if (static_cast<std::uint64_t>(n) < 48 + sizeof(sgx::ReportBody) || static_cast<std::uint64_t>(n) > kMaxQuote)
    return iago("attestation (quote)", "length", n);
  if (__builtin_memcmp(q_rq.data(2) + 48, &report.body, sizeof report.body) != 0)
    return iago("attestation (quote)", "report body", n);
  data = static_cast<std::uint8_t*>(heap::alloc(static_cast<std::size_t>(n)));
  if (!data) return -abi::kENOMEM;
  __builtin_memcpy(data, q_rq.data(2), static_cast<std::size_t>(n));
  size = static_cast<std::uint64_t>(n);
  return 0;
}

// Fills a new open file's contents: a snapshot made now (as Gramine makes them at open), or
// the live buffer of a writable node.
long fill(OpenFile& of) {
  auto snapshot = [&](const void* src, std::uint64_t n) -> long {
    of.data = static_cast<std::uint8_t*>(heap::alloc(static_cast<std::size_t>(n)));
    if (!of.data) return -abi::kENOMEM;
    __builtin_memcpy(of.data, src, static_cast<std::size_t>(n));
    of.size = n;
    of.owned = true;
    return 0;
  };
  switch (of.info->node) {
    case Node::Root:
    case Node::Keys:
      return 0;
    case Node::Type:
      return snapshot("dcap", 4);
    case Node::UserReportData:
      of.data = s.user_report_data;
      of.size = sizeof s.user_report_data;
      return 0;
    case Node::TargetInfo:
      of.data = reinterpret_cast<std::uint8_t*>(&s.target_info);
      of.size = sizeof s.target_info;
      return 0;
    case Node::MyTargetInfo: {
      sgx::TargetInfo ti = attest::make_target_info(s.sim.self);
      return snapshot(&ti, sizeof ti);
    }
    case Node::Report: {
      sgx::Report report;
      s.sim.cpu.ereport(s.sim.self, s.target_info, s.user_report_data, report);
      return snapshot(&report, sizeof report);
    }
    case Node::Quote: {
      long r = make_quote(of.data, of.size);
      of.owned = r == 0;
      return r;
    }
    case Node::KeyMrEnclave:
    case Node::KeyMrSigner: {
      std::uint8_t key[16];
      long r = sealing_key(of.info->node == Node::KeyMrEnclave ? sgx::kKeyPolicyMrEnclave : sgx::kKeyPolicyMrSigner, key);
      if (r == 0) r = snapshot(key, sizeof key);
      __builtin_memset(key, 0, sizeof key);
      return r;
    }
  }
  return -abi::kENOENT;
}

void release(OpenFile* of) {
  if (--of->refs != 0) return;
  if (of->owned && of->data) {
    __builtin_memset(of->data, 0, static_cast<std::size_t>(of->size));  // keys, reports
    heap::free(of->data, static_cast<std::size_t>(of->size));
  }
  heap::free(of, sizeof *of);
}

// ---- path calls ----------------------------------------------------------------------------

constexpr long kOAccMode = 3, kOCreat = 0100, kOExcl = 0200, kOTrunc = 01000, kODirectory = 0200000,
               kOCloexec = 02000000;

long open_node(const NodeInfo* info, long flags) {
  if (!info) return (flags & kOCreat) ? -abi::kEACCES : -abi::kENOENT;
  if ((flags & kOCreat) && (flags & kOExcl)) return -abi::kEEXIST;
  bool wants_write = (flags & kOAccMode) != 0 || (flags & kOTrunc);
  if (info->dir && wants_write) return -abi::kEISDIR;
  if (!info->dir && (flags & kODirectory)) return -abi::kENOTDIR;
  if (wants_write && !info->writable) return -abi::kEACCES;
  if (!g_fds) {
    LockGuard guard(s.lock);
    if (!g_fds) g_fds = static_cast<OpenFile**>(mem::shim_alloc(sizeof(OpenFile*) * fd::kMaxFds));
    if (!g_fds) return -abi::kENOMEM;
  }
  auto* of = static_cast<OpenFile*>(heap::alloc(sizeof(OpenFile)));
  if (!of) return -abi::kENOMEM;
  of->info = info;
  of->refs = 1;
  if (long r = fill(*of); r < 0) {
    heap::free(of, sizeof *of);
    return r;
  }
  // A real fd number from the proxy, so that numbering and unlisted calls behave.
  static const char kNull[] = "/dev/null";
  ProxyRequest rq(257);
  rq.arg(0, abi::kAtFdcwd);
  rq.in_bytes(1, kNull, sizeof kNull);
  rq.arg(2, 2 | (flags & kOCloexec));
  long pfd = rq.call("openat");
  if (pfd < 0 || fd::adopt(pfd) < 0) {
    release(of);
    return pfd < 0 ? pfd : iago("openat", "new fd", pfd);
  }
  __atomic_store_n(&g_fds[pfd], of, __ATOMIC_RELEASE);
  return pfd;
}

// struct stat (x86-64, 144 bytes) and struct statx (256 bytes) for a node.
void fill_stat(std::uint8_t* st, const NodeInfo& n, std::uint64_t size) {
  __builtin_memset(st, 0, 144);
  std::uint64_t ino = kInoBase + static_cast<std::uint64_t>(&n - kNodes), nlink = n.dir ? 2 : 1, blksize = 4096;
  std::uint32_t mode = n.dir ? 040555 : (n.writable ? 0100666 : 0100444);
  __builtin_memcpy(st + 8, &ino, 8);
  __builtin_memcpy(st + 16, &nlink, 8);
  __builtin_memcpy(st + 24, &mode, 4);
  __builtin_memcpy(st + 28, &g.uid, 4);
  __builtin_memcpy(st + 32, &g.gid, 4);
  __builtin_memcpy(st + 48, &size, 8);
  __builtin_memcpy(st + 56, &blksize, 8);
}

void fill_statx(std::uint8_t* st, const NodeInfo& n, std::uint64_t size) {
  __builtin_memset(st, 0, 256);
  std::uint32_t mask = 0x7ff, blksize = 4096, nlink = n.dir ? 2 : 1;
  std::uint16_t mode = static_cast<std::uint16_t>(n.dir ? 040555 : (n.writable ? 0100666 : 0100444));
  std::uint64_t ino = kInoBase + static_cast<std::uint64_t>(&n - kNodes);
  __builtin_memcpy(st + 0, &mask, 4);
  __builtin_memcpy(st + 4, &blksize, 4);
  __builtin_memcpy(st + 16, &nlink, 4);
  __builtin_memcpy(st + 20, &g.uid, 4);
  __builtin_memcpy(st + 24, &g.gid, 4);
  __builtin_memcpy(st + 28, &mode, 2);
  __builtin_memcpy(st + 32, &ino, 8);
  __builtin_memcpy(st + 40, &size, 8);
}

long put_stat(std::uint64_t user_buf, const NodeInfo& n, std::uint64_t size, bool statx) {
  std::uint8_t st[256];
  if (statx) fill_statx(st, n, size);
  else fill_stat(st, n, size);
  return user::copy_to(user_buf, st, statx ? 256 : 144) ? 0 : -abi::kEFAULT;
}

long access_node(const NodeInfo* info, long mode) {
  if (!info) return -abi::kENOENT;
  if ((mode & 2) && !info->writable) return -abi::kEACCES;
  if ((mode & 1) && !info->dir) return -abi::kEACCES;
  return 0;
}

long path_result(long nr, const NodeInfo* info, SyscallFrame& f) {
  switch (nr) {
    case 2: return open_node(info, f.a[1]);                       // open
    case 257: return open_node(info, f.a[2]);                     // openat
    case 4: case 6:                                               // stat, lstat
      return info ? put_stat(static_cast<std::uint64_t>(f.a[1]), *info, info->stat_size, false) : -abi::kENOENT;
    case 262:                                                     // newfstatat
      return info ? put_stat(static_cast<std::uint64_t>(f.a[2]), *info, info->stat_size, false) : -abi::kENOENT;
    case 332:                                                     // statx
      return info ? put_stat(static_cast<std::uint64_t>(f.a[4]), *info, info->stat_size, true) : -abi::kENOENT;
    case 21: return access_node(info, f.a[1]);                    // access
    case 269: case 439: return access_node(info, f.a[2]);         // faccessat, faccessat2
    case 89: case 267: return info ? -abi::kEINVAL : -abi::kENOENT;  // readlink: not links
    default: return info ? -abi::kEACCES : -abi::kENOENT;         // nothing here can change
  }
}

// ---- fd calls ------------------------------------------------------------------------------

long read_at(OpenFile& of, std::uint64_t buf, std::uint64_t len, std::uint64_t off) {
  if (of.info->dir) return -abi::kEISDIR;
  if (off >= of.size || len == 0) return 0;
  std::uint64_t n = of.size - off < len ? of.size - off : len;
  return user::copy_to(buf, of.data + off, n) ? static_cast<long>(n) : -abi::kEFAULT;
}

long write_at(OpenFile& of, std::uint64_t buf, std::uint64_t len, std::uint64_t off) {
  if (!of.info->writable) return -abi::kEBADF;
  if (len == 0) return 0;
  if (off >= of.size) return -abi::kENOSPC;  // fixed-size buffers, as in Gramine
  std::uint64_t n = of.size - off < len ? of.size - off : len;
  LockGuard guard(s.lock);
  return user::copy_from(of.data + off, buf, n) ? static_cast<long>(n) : -abi::kEFAULT;
}

long vector_io(OpenFile& of, std::uint64_t iov, long count, std::int64_t off, bool write) {
  if (count < 0 || count > 1024) return -abi::kEINVAL;
  std::uint64_t pos = off < 0 ? of.offset : static_cast<std::uint64_t>(off);
  long total = 0;
  for (long i = 0; i < count; ++i) {
    std::uint64_t v[2];
    if (!user::copy_from(v, iov + static_cast<std::uint64_t>(i) * 16, 16)) return total ? total : -abi::kEFAULT;
    long r = write ? write_at(of, v[0], v[1], pos) : read_at(of, v[0], v[1], pos);
    if (r < 0) return total ? total : r;
    total += r;
    pos += static_cast<std::uint64_t>(r);
    if (static_cast<std::uint64_t>(r) < v[1]) break;
  }
  if (off < 0) of.offset = pos;
  return total;
}

long getdents(OpenFile& of, std::uint64_t buf, std::uint64_t cap) {
  if (!of.info->dir) return -abi::kENOTDIR;
  // Entries: ".", "..", then the nodes whose parent is this directory; offset = next index.
  const char* names[12];
  std::uint8_t types[12];
  std::size_t count = 0;
  names[count] = ".", types[count++] = 4;
  names[count] = "..", types[count++] = 4;
  for (const NodeInfo& n : kNodes)
    if (n.parent == of.info->node && n.node != Node::Root) names[count] = n.name, types[count++] = n.dir ? 4 : 8;
  std::uint64_t used = 0;
  while (of.offset < count) {
    const char* name = names[of.offset];
    std::size_t len = str_len(name);
    std::uint64_t reclen = (19 + len + 1 + 7) & ~7ull;
    if (used + reclen > cap) {
      if (used == 0) return -abi::kEINVAL;
      break;
    }
    std::uint8_t rec[64] = {};
    std::uint64_t ino = kInoBase + 100 + of.offset;
    std::int64_t next = static_cast<std::int64_t>(of.offset + 1);
    std::uint16_t rl = static_cast<std::uint16_t>(reclen);
    __builtin_memcpy(rec, &ino, 8);
    __builtin_memcpy(rec + 8, &next, 8);
    __builtin_memcpy(rec + 16, &rl, 2);
    rec[18] = types[of.offset];
    __builtin_memcpy(rec + 19, name, len);
    if (!user::copy_to(buf + used, rec, reclen)) return -abi::kEFAULT;
    used += reclen;
    ++of.offset;
  }
  return static_cast<long>(used);
}

long lseek(OpenFile& of, std::int64_t off, long whence) {
  std::int64_t base;
  switch (whence) {
    case 0: base = 0; break;
    case 1: base = static_cast<std::int64_t>(of.offset); break;
    case 2: base = static_cast<std::int64_t>(of.size); break;
    default: return -abi::kEINVAL;
  }
  if ((off > 0 && base > __INT64_MAX__ - off) || base + off < 0) return -abi::kEINVAL;
  of.offset = static_cast<std::uint64_t>(base + off);
  return static_cast<long>(of.offset);
}

constexpr long kAtEmptyPath = 0x1000;

bool empty_path(std::uint64_t p) {
  char c = 1;
  return p != 0 && user::copy_from(&c, p, 1) && c == '\0';
}

}  // namespace

void init(const launch::SimAttestation* sim, bool aesm) {
  if (!sim) return;
  __builtin_memcpy(&s.sim, sim, sizeof s.sim);
  s.aesm = aesm;
  s.on = true;
}

bool enabled() { return s.on; }

namespace {

bool path_call(const syscalls::SyscallInfo& info, long nr, SyscallFrame& f, long* result) {
  for (int i = 0; i < 6; ++i) {
    if (info.args[i].kind != syscalls::Arg::Path || !f.a[i]) continue;
    // Cheap test first: does the path start with "/dev/attestation"?
    char head[sizeof kRoot + 1] = {};
    long n = user::strnlen(static_cast<std::uint64_t>(f.a[i]), sizeof kRoot);
    if (n < static_cast<long>(sizeof kRoot - 1)) continue;
    user::copy_from(head, static_cast<std::uint64_t>(f.a[i]), sizeof kRoot);
    if (__builtin_memcmp(head, kRoot, sizeof kRoot - 1) != 0 || (head[sizeof kRoot - 1] != '\0' && head[sizeof kRoot - 1] != '/'))
      continue;
    char path[256];
    long len = user::strnlen(static_cast<std::uint64_t>(f.a[i]), sizeof path);
    if (len < 0) return *result = len, true;
    if (static_cast<std::size_t>(len) >= sizeof path) return *result = -abi::kENOENT, true;
    user::copy_from(path, static_cast<std::uint64_t>(f.a[i]), static_cast<std::uint64_t>(len) + 1);
    if (!under_root(path)) continue;
    *result = path_result(nr, lookup(path), f);
    return true;
  }
  return false;
}

bool fd_call(long nr, SyscallFrame& f, long* result) {
  if (nr == 9) return false;  // mmap: its first argument is an address (mapping our fd: ENODEV from /dev/null)
  OpenFile* of = file_of(static_cast<int>(f.a[0]));
  if (!of) return false;
  auto buf = static_cast<std::uint64_t>(f.a[1]);
  auto len = static_cast<std::uint64_t>(f.a[2]);
  switch (nr) {
    case 0: {  // read
      long r = read_at(*of, buf, len, of->offset);
      if (r > 0) of->offset += static_cast<std::uint64_t>(r);
      *result = r;
      return true;
    }
    case 1: {  // write
      long r = write_at(*of, buf, len, of->offset);
      if (r > 0) of->offset += static_cast<std::uint64_t>(r);
      *result = r;
      return true;
    }
    case 17: *result = f.a[3] < 0 ? -abi::kEINVAL : read_at(*of, buf, len, static_cast<std::uint64_t>(f.a[3])); return true;
    case 18: *result = f.a[3] < 0 ? -abi::kEINVAL : write_at(*of, buf, len, static_cast<std::uint64_t>(f.a[3])); return true;
    case 19: *result = vector_io(*of, buf, f.a[2], -1, false); return true;
    case 20: *result = vector_io(*of, buf, f.a[2], -1, true); return true;
    case 295: *result = f.a[3] < 0 ? -abi::kEINVAL : vector_io(*of, buf, f.a[2], f.a[3], false); return true;
    case 296: *result = f.a[3] < 0 ? -abi::kEINVAL : vector_io(*of, buf, f.a[2], f.a[3], true); return true;
    case 8: *result = lseek(*of, f.a[1], f.a[2]); return true;
    case 5: *result = put_stat(buf, *of->info, of->size, false); return true;  // fstat: the real size
    case 262:  // fstatat(fd, "", buf, AT_EMPTY_PATH), which glibc's fstat uses
      if (!(f.a[3] & kAtEmptyPath) || !empty_path(buf)) return false;
      *result = put_stat(static_cast<std::uint64_t>(f.a[2]), *of->info, of->size, false);
      return true;
    case 332:  // statx(fd, "", AT_EMPTY_PATH, mask, buf)
      if (!(f.a[2] & kAtEmptyPath) || !empty_path(buf)) return false;
      *result = put_stat(static_cast<std::uint64_t>(f.a[4]), *of->info, of->size, true);
      return true;
    case 217: *result = getdents(*of, buf, len); return true;  // getdents64
    case 77: case 285: *result = -abi::kEINVAL; return true;  // ftruncate, fallocate
    default: return false;  // fcntl, ioctl (ENOTTY), fsync…: the /dev/null fd behind it
  }
}

}  // namespace

bool intercept(const syscalls::SyscallInfo& info, SyscallFrame& f, long* result) {
  if (!s.on) return false;
  if (info.args[0].kind == syscalls::Arg::Fd && fd_call(f.nr, f, result)) return true;
  return path_call(info, f.nr, f, result);
}

void on_close(int fdn) {
  OpenFile* of = file_of(fdn);
  if (!of) return;
  __atomic_store_n(&g_fds[fdn], nullptr, __ATOMIC_RELEASE);
  release(of);
}

void on_dup(int from, int to) {
  on_close(to);
  OpenFile* of = file_of(from);
  if (!of) return;
  ++of->refs;  // dup'ed fds share the open file (and its offset), as in Linux
  __atomic_store_n(&g_fds[to], of, __ATOMIC_RELEASE);
}

}  // namespace cocoon::shim::attestation
