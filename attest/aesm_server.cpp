#include "aesm_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <list>
#include <mutex>
#include <thread>

#include "aesm_socket.hpp"

namespace cocoon::aesm {

namespace {

bool supported_key_id(const std::optional<Blob>& id) {
  // Absent means the default key. Otherwise it must be an ECDSA-P256 sgx_att_key_id_ext_t
  // (algorithm_id at offset 154 == 2, aesm-protocol.md §3).
  if (!id) return true;
  return id->size() == 256 && (*id)[154] == 2 && (*id)[155] == 0 && (*id)[156] == 0 && (*id)[157] == 0;
}

}  // namespace

AesmServer::AesmServer(const quote::SimQuotingEnclave& qe, AesmServerOptions opts) : qe_(qe), opts_(std::move(opts)) {
  if (opts_.max_clients == 0) opts_.max_clients = 1;
}

AesmServer::~AesmServer() {
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

void AesmServer::log(const std::string& line) const {
  if (opts_.log)
    opts_.log(line);
  else
    std::fprintf(stderr, "cocoon quote-helper: %s\n", line.c_str());
}

void AesmServer::bind() {
  namespace fs = std::filesystem;
  const std::string& path = opts_.socket_path;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty() || path.size() >= sizeof addr.sun_path)
    throw std::runtime_error("socket path '" + path + "' must be 1.." + std::to_string(sizeof addr.sun_path - 1) +
                             " characters");
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  fs::path parent = fs::path(path).parent_path();
  std::error_code ec;
  if (!parent.empty()) fs::create_directories(parent, ec);
  if (ec) throw std::runtime_error("cannot create " + parent.string() + ": " + ec.message());

  struct stat st{};
  if (::lstat(path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      throw std::runtime_error(path + " exists and is not a socket; remove it or choose another --socket");
    int probe = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    bool live = probe >= 0 && ::connect(probe, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    if (probe >= 0) ::close(probe);
    if (live) throw std::runtime_error(path + " is in use by a running service (another quote helper or aesmd?)");
    ::unlink(path.c_str());  // stale socket from a service that died
  }
  listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listen_fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    throw std::runtime_error("cannot bind " + path + ": " + std::strerror(errno));
  ::chmod(path.c_str(), 0777);  // workloads run under other uids, as with aesmd
  if (::listen(listen_fd_, 32) != 0) throw std::runtime_error("cannot listen on " + path + ": " + std::strerror(errno));
  if (::stat(path.c_str(), &st) == 0) socket_inode_ = st.st_ino;
}

Response AesmServer::handle(const Request& req) const {
  if (auto* m = std::get_if<InitQuoteExRequest>(&req)) {
    InitQuoteExResponse r;
    if (!m->b_pub_key_id) return r;  // required field missing: errorCode 1, like aesmd's check()
    if (!supported_key_id(m->att_key_id)) {
      r.error_code = kAesmUnsupportedAttKeyId;
      return r;
    }
    quote::TargetInfo t = qe_.target_info();
    r.target_info = Blob(reinterpret_cast<const std::uint8_t*>(&t), reinterpret_cast<const std::uint8_t*>(&t) + sizeof t);
    r.pub_key_id_size = 32;
    if (*m->b_pub_key_id) {
      // buf_size is only meaningful when the caller asks for the key id (§4: ignore it otherwise).
      if (!m->buf_size || *m->buf_size < 32) {
        InitQuoteExResponse e;
        e.error_code = kAesmParameterError;
        return e;
      }
      quote::Bytes32 id = qe_.pub_key_id();
      r.pub_key_id = Blob(id.begin(), id.end());
    }
    r.error_code = kAesmSuccess;
    return r;
  }
  if (auto* m = std::get_if<GetQuoteSizeExRequest>(&req)) {
    GetQuoteSizeExResponse r;
    if (!supported_key_id(m->att_key_id)) {
      r.error_code = kAesmUnsupportedAttKeyId;
      return r;
    }
    r.error_code = kAesmSuccess;
    r.quote_size = static_cast<std::uint32_t>(qe_.quote_size());
    return r;
  }
  if (auto* m = std::get_if<GetQuoteExRequest>(&req)) {
    GetQuoteExResponse r;
    if (!m->report || !m->buf_size) return r;  // required field missing: errorCode 1
    if (!supported_key_id(m->att_key_id)) {
      r.error_code = kAesmUnsupportedAttKeyId;
      return r;
    }
    if (m->report->size() != sizeof(quote::Report) || m->qe_report_info ||
        *m->buf_size < qe_.quote_size() || *m->buf_size > kMaxResponseBody - 64) {
      r.error_code = kAesmParameterError;
      return r;
    }
    quote::Report report;
    std::memcpy(&report, m->report->data(), sizeof report);
    try {
      Blob q = qe_.make_quote(report);
      q.resize(*m->buf_size, 0);  // aesmd returns exactly buf_size bytes, zero padded
      r.quote = std::move(q);
      r.error_code = kAesmSuccess;
    } catch (const quote::ReportRejected& e) {
      log(std::string("GetQuoteEx: ") + e.what());
      r.error_code = kAesmInvalidReport;
    } catch (const std::exception& e) {
      log(std::string("GetQuoteEx: ") + e.what());
      r.error_code = kAesmUnexpectedError;
    }
    return r;
  }
  return UnsupportedRequestResponse{kAesmUnexpectedError};
}

Blob AesmServer::handle_body(std::span<const std::uint8_t> body) const {
  Request req;
  try {
    req = decode_request(body);
  } catch (const AesmWireError& e) {
    log(std::string("malformed request: ") + e.what());
    return encode_response(UnsupportedRequestResponse{kAesmUnexpectedError});
  }
  if (auto* u = std::get_if<UnknownRequest>(&req))
    log("unsupported request (Request field " + std::to_string(u->field) + ")");
  return encode_response(handle(req));
}

void AesmServer::serve_client(int fd) {
  set_timeouts(fd, opts_.io_timeout_ms);
  try {
    Blob body;
    try {
      body = recv_frame(fd, kMaxRequestBody);
    } catch (const AesmPeerClosed&) {
      return;  // a probe: connected and closed without a request
    } catch (const AesmTransportError& e) {
      log(std::string("client: ") + e.what());
      // An oversized frame still gets an answer; a truncated or stalled one cannot.
      if (std::string(e.what()).find("exceeds the limit") != std::string::npos)
        send_all(fd, frame(encode_response(UnsupportedRequestResponse{kAesmUnexpectedError})));
      return;
    }
    send_all(fd, frame(handle_body(body)));
    served_.fetch_add(1);
  } catch (const std::exception& e) {
    log(std::string("client: ") + e.what());
  }
}

void AesmServer::run(int stop_fd) {
  struct Client {
    int fd;
    std::thread thread;
    std::atomic<bool> done{false};
  };
  std::list<Client> clients;
  std::mutex mu;
  auto reap = [&](bool all) {
    for (auto it = clients.begin(); it != clients.end();) {
      if (all || it->done.load()) {
        it->thread.join();
        it = clients.erase(it);
      } else {
        ++it;
      }
    }
  };
  for (;;) {
    reap(false);
    bool full = clients.size() >= opts_.max_clients;
    pollfd fds[2] = {{stop_fd, POLLIN, 0}, {listen_fd_, POLLIN, 0}};
    int n = ::poll(fds, full ? 1 : 2, full ? 20 : 200);
    if (n < 0 && errno != EINTR) {
      log(std::string("poll: ") + std::strerror(errno));
      break;
    }
    if (n <= 0) continue;
    if (fds[0].revents) break;
    if (!full && (fds[1].revents & POLLIN)) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      std::lock_guard<std::mutex> lock(mu);
      Client& c = clients.emplace_back();
      c.fd = fd;
      c.thread = std::thread([this, &c, &mu] {
        serve_client(c.fd);
        std::lock_guard<std::mutex> l(mu);
        ::close(c.fd);
        c.fd = -1;
        c.done = true;
      });
    }
  }
  // Shutdown: stop accepting, remove the socket, wake clients blocked in recv, join.
  ::close(listen_fd_);
  listen_fd_ = -1;
  struct stat st{};
  if (::stat(opts_.socket_path.c_str(), &st) == 0 && st.st_ino == socket_inode_) ::unlink(opts_.socket_path.c_str());
  {
    std::lock_guard<std::mutex> lock(mu);
    for (auto& c : clients)
      if (c.fd >= 0) ::shutdown(c.fd, SHUT_RDWR);
  }
  reap(true);
}

}  // namespace cocoon::aesm
