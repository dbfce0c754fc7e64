#include "aesm_socket.hpp"

#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace cocoon::aesm {

void send_all(int fd, const std::vector<std::uint8_t>& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw AesmTransportError(std::string("send failed: ") + std::strerror(errno));
    off += static_cast<std::size_t>(n);
  }
}

namespace {
void recv_exact(int fd, std::uint8_t* p, std::size_t len, const char* what) {
  std::size_t off = 0;
  while (off < len) {
    ssize_t n = ::recv(fd, p + off, len - off, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      throw AesmTransportError(std::string("timed out reading the ") + what);
    if (n < 0) throw AesmTransportError(std::string("reading the ") + what + " failed: " + std::strerror(errno));
    if (n == 0 && off == 0 && std::strcmp(what, "frame length") == 0)
      throw AesmPeerClosed("connection closed before a request was sent");
    if (n == 0)
      throw AesmTransportError(std::string("connection closed after ") + std::to_string(off) + " of " +
                               std::to_string(len) + " bytes of the " + what);
    off += static_cast<std::size_t>(n);
  }
}
}  // namespace

std::vector<std::uint8_t> recv_frame(int fd, std::size_t max_body) {
  std::uint8_t hdr[4];
  recv_exact(fd, hdr, 4, "frame length");
  std::uint32_t n;
  std::memcpy(&n, hdr, 4);
  if (n > max_body)
    throw AesmTransportError("frame length " + std::to_string(n) + " exceeds the limit of " +
                             std::to_string(max_body) + " bytes");
  std::vector<std::uint8_t> body(n);
  recv_exact(fd, body.data(), n, "frame body");
  return body;
}

void set_timeouts(int fd, std::uint32_t millis) {
  timeval tv{};
  tv.tv_sec = millis / 1000;
  tv.tv_usec = static_cast<suseconds_t>((millis % 1000) * 1000);
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

}  // namespace cocoon::aesm
