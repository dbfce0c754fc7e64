#include "proxy/spawner.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "proxy/child_setup.hpp"
#include "proxy/spawn_request.hpp"

namespace cocoon::proxy {
namespace {

// Messages on a request's own socket (SOCK_SEQPACKET): the request's size (8 bytes), its bytes
// in chunks, then fd batches (FdBatch + SCM_RIGHTS), the first one holding the cwd (target
// -1), the last one empty; the spawner answers with the pid or -errno (8 bytes).
constexpr std::size_t kChunk = 32 * 1024;
constexpr std::uint32_t kBatch = 200;  // below the kernel's SCM_MAX_FD (253)

struct FdBatch {
  std::uint32_t count;
  std::int32_t targets[kBatch];
};

bool send_all(int sock, const void* data, std::size_t n) {
  return send(sock, data, n, MSG_NOSIGNAL) == static_cast<ssize_t>(n);
}

// One message of n bytes carrying nfds fds (SCM_RIGHTS, at most kBatch).
bool send_with_fds(int sock, const void* data, std::size_t n, const int* fds, std::uint32_t nfds) {
  iovec iov{const_cast<void*>(data), n};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kBatch)];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  if (nfds) {
    m.msg_control = control;
    m.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
    cmsghdr* c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
    std::memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
  }
  return sendmsg(sock, &m, MSG_NOSIGNAL) == static_cast<ssize_t>(n);
}

bool send_fds(int sock, const FdBatch& b, const int* fds) {
  return send_with_fds(sock, &b, sizeof(std::uint32_t) + b.count * sizeof(std::int32_t), fds, b.count);
}

// Receives one message; fds passed with it are appended to `fds` (at most `cap`).
ssize_t recv_with_fds(int sock, void* buf, std::size_t n, std::vector<int>* fds) {
  iovec iov{buf, n};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * kBatch)];
  msghdr m{};
  m.msg_iov = &iov;
  m.msg_iovlen = 1;
  m.msg_control = control;
  m.msg_controllen = sizeof control;
  ssize_t r;
  do r = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
  while (r < 0 && errno == EINTR);
  if (r < 0) return r;
  for (cmsghdr* c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    std::size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (std::size_t i = 0; i < k; ++i) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (fds) fds->push_back(fd);
      else close(fd);
    }
  }
  return r;
}

// ---- in the spawner ---------------------------------------------------------------------

struct Received {
  std::vector<std::uint8_t> request;
  std::vector<int> fds;       // received fds (close-on-exec copies)
  std::vector<int> targets;   // their program fd numbers (-1: the cwd)
};

bool receive_request(int sock, Received& in) {
  std::uint64_t total = 0;
  if (recv_with_fds(sock, &total, sizeof total, nullptr) != sizeof total) return false;
  if (total < sizeof(spawn::Request) || total > (4u << 20)) return false;
  in.request.resize(total);
  for (std::size_t got = 0; got < total;) {
    ssize_t r = recv_with_fds(sock, in.request.data() + got, std::min<std::size_t>(kChunk, total - got), nullptr);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  for (;;) {
    FdBatch b{};
    std::size_t before = in.fds.size();
    ssize_t r = recv_with_fds(sock, &b, sizeof b, &in.fds);
    if (r < static_cast<ssize_t>(sizeof(std::uint32_t)) || b.count > kBatch) return false;
    if (b.count == 0) return in.fds.size() == before;
    if (in.fds.size() - before != b.count) return false;
    in.targets.insert(in.targets.end(), b.targets, b.targets + b.count);
  }
}

// Splits the request's strings; false if they do not match its counts.
bool parse(const Received& in, SpawnedProgram& p, spawn::Request& rq) {
  std::memcpy(&rq, in.request.data(), sizeof rq);
  if (rq.magic != spawn::kMagic) return false;
  std::size_t at = sizeof rq + static_cast<std::size_t>(rq.nfds) * 4;
  if (rq.nfds > spawn::kMaxFds || at + rq.strings_size != in.request.size()) return false;
  const char* s = reinterpret_cast<const char*>(in.request.data() + at);
  const char* end = s + rq.strings_size;
  auto next = [&](std::string& out) {
    const void* nul = std::memchr(s, 0, static_cast<std::size_t>(end - s));
    if (!nul) return false;
    out.assign(s, static_cast<const char*>(nul));
    s = static_cast<const char*>(nul) + 1;
    return true;
  };
  if (rq.kind == spawn::kExec && !next(p.path)) return false;
  p.argv.resize(rq.argc);
  p.env.resize(rq.envc);
  for (auto& a : p.argv)
    if (!next(a)) return false;
  for (auto& e : p.env)
    if (!next(e)) return false;
  p.parent_pid = rq.parent_pid;
  p.ignored = rq.ignored;
  return true;
}

// In the new process: every received fd at its program number, nothing else open.
void place_fds(const Received& in, SpawnedProgram& p) {
  int top = 3;
  for (int t : in.targets) top = std::max(top, t + 1);
  for (int f : in.fds) top = std::max(top, f + 1);
  std::vector<int> high(in.fds.size());
  for (std::size_t i = 0; i < in.fds.size(); ++i) high[i] = fcntl(in.fds[i], F_DUPFD_CLOEXEC, top);
  for (std::size_t i = 0; i < in.fds.size(); ++i) {
    if (in.targets[i] < 0) {
      if (fchdir(high[i]) != 0) _exit(126);
      continue;
    }
    dup2(high[i], in.targets[i]);  // without FD_CLOEXEC
    p.fds.push_back(in.targets[i]);
  }
  std::sort(p.fds.begin(), p.fds.end());
  close_all_except(p.fds);
}

[[noreturn]] void run_spawned(const Received& in, SpawnedProgram& p, const spawn::Request& rq, SpawnEntry entry) {
  reset_signals();
  if (rq.kind == spawn::kExit) _exit(rq.exit_status & 0xff);
  place_fds(in, p);
  if (rq.flags & spawn::kSetsid) setsid();
  umask(rq.umask & 0777);
  _exit(entry(p));
}

[[noreturn]] void spawner_loop(int sock, SpawnEntry entry) {
  for (;;) {
    std::vector<int> reply;
    char byte;
    ssize_t r = recv_with_fds(sock, &byte, 1, &reply);
    if (r <= 0) _exit(0);  // the proxy is gone
    if (reply.size() != 1) {
      for (int f : reply) close(f);
      continue;
    }
    int rs = reply[0];
    Received in;
    SpawnedProgram p;
    spawn::Request rq{};
    std::int64_t result = -EPROTO;
    if (!receive_request(rs, in)) {
      result = -EPROTO;
    } else if (!parse(in, p, rq)) {
      result = -EINVAL;
    } else {
      long pid = syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
      if (pid == 0) {
        close(sock);
        close(rs);
        run_spawned(in, p, rq, entry);
      }
      result = pid < 0 ? -errno : pid;
    }
    for (int f : in.fds) close(f);
    send_all(rs, &result, sizeof result);
    close(rs);
  }
}

}  // namespace

int start_spawner(SpawnEntry entry) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -1;
  pid_t proxy = getpid();
  pid_t pid = fork();
  if (pid < 0) {
    close(sv[0]);
    close(sv[1]);
    return -1;
  }
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != proxy) _exit(0);
    prctl(PR_SET_NAME, "cocoon-spawner");
    // Only its socket: a copy of a program fd here would keep a pipe from seeing its end.
    if (sv[1] != 3 && dup2(sv[1], 3) != 3) _exit(1);
    close_all_except({3});
    spawner_loop(3, entry);
  }
  close(sv[1]);
  return sv[0];
}

long request_spawn(int spawner_sock, const std::uint8_t* request, std::uint64_t size) {
  if (spawner_sock < 0) return -ENOSYS;
  spawn::Request rq;
  if (size < sizeof rq) return -EINVAL;
  std::memcpy(&rq, request, sizeof rq);
  if (rq.magic != spawn::kMagic || rq.nfds > spawn::kMaxFds || sizeof rq + rq.nfds * 4ull > size) return -EINVAL;
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return -errno;
  // The reply socket travels with a one-byte message on the spawner's socket.
  const char byte = 0;
  bool ok = send_with_fds(spawner_sock, &byte, 1, &sv[1], 1);
  close(sv[1]);
  int s = sv[0];
  std::uint64_t total = size;
  ok = ok && send_all(s, &total, sizeof total);
  for (std::uint64_t at = 0; ok && at < total; at += kChunk)
    ok = send_all(s, request + at, std::min<std::uint64_t>(kChunk, total - at));
  // The cwd first, then every named fd that stays open across exec.
  FdBatch b{};
  int fds[kBatch];
  int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (cwd < 0) ok = false;
  b.targets[0] = -1;
  fds[0] = cwd;
  b.count = 1;
  const auto* named = reinterpret_cast<const std::int32_t*>(request + sizeof rq);
  for (std::uint32_t i = 0; ok && i < rq.nfds; ++i) {
    std::int32_t f;
    std::memcpy(&f, named + i, sizeof f);
    int flags = fcntl(f, F_GETFD);
    if (flags < 0 || (flags & FD_CLOEXEC)) continue;
    b.targets[b.count] = f;
    fds[b.count++] = f;
    if (b.count == kBatch) {
      ok = send_fds(s, b, fds);
      b.count = 0;
    }
  }
  if (ok && b.count) ok = send_fds(s, b, fds);
  b.count = 0;
  ok = ok && send_fds(s, b, fds);
  if (cwd >= 0) close(cwd);
  std::int64_t result = -EPROTO;
  if (ok) {
    ssize_t r;
    do r = recv(s, &result, sizeof result, 0);
    while (r < 0 && errno == EINTR);
    if (r != sizeof result) result = -EPROTO;
  }
  close(s);
  return result;
}

}  // namespace cocoon::proxy
