// The AESM-compatible quote service behind `cocoon quote-helper`: serves InitQuoteEx,
// GetQuoteSizeEx and GetQuoteEx from the simulated QE on a Unix socket, one thread per client
// (at most max_clients at once; further clients wait in the listen backlog), one request per
// connection like aesmd. Frames are bounded; malformed or unknown requests get an error
// response (UnsupportedRequestResponse, errorCode 1) instead of aesmd's silent close, and
// never take the service down.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>

#include "aesm_messages.hpp"
#include "sim_qe.hpp"

namespace cocoon::aesm {

struct AesmServerOptions {
  std::string socket_path;
  std::size_t max_clients = 32;
  std::uint32_t io_timeout_ms = 5000;  // a client that stalls longer is dropped
  std::function<void(const std::string&)> log;  // one line per problem; default: stderr
};

class AesmServer {
 public:
  AesmServer(const quote::SimQuotingEnclave& qe, AesmServerOptions opts);
  ~AesmServer();
  AesmServer(const AesmServer&) = delete;
  AesmServer& operator=(const AesmServer&) = delete;

  // Creates the socket (mode 0777, like aesmd; parent directories are created). A stale
  // socket file is replaced; a live one is an error. Throws std::runtime_error.
  void bind();
  // Serves until `stop_fd` becomes readable, then stops accepting, interrupts clients still
  // connected, joins their threads and removes the socket file.
  void run(int stop_fd);

  // The protocol logic, without I/O.
  Response handle(const Request& req) const;
  // Decodes a request body and handles it; malformed bodies give UnsupportedRequestResponse.
  Blob handle_body(std::span<const std::uint8_t> body) const;

  std::uint64_t served() const { return served_.load(); }

 private:
  void serve_client(int fd);
  void log(const std::string& line) const;

  const quote::SimQuotingEnclave& qe_;
  AesmServerOptions opts_;
  int listen_fd_ = -1;
  std::uint64_t socket_inode_ = 0;
  std::atomic<std::uint64_t> served_{0};
};

}  // namespace cocoon::aesm
