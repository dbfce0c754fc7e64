// Unix-socket plumbing shared by the AESM client and server: whole-frame send/receive with a
// size bound, and the socket addresses of aesm-protocol.md §1.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace cocoon::aesm {

// The fixed path aesmd binds and libsgx_quote_ex connects to (CONFIG_SOCKET_PATH).
inline constexpr const char* kAesmSocketPath = "/var/run/aesmd/aesm.socket";
// The abstract socket name of older PSWs (without its leading NUL).
inline constexpr const char* kAesmAbstractName = "sgx_aesm_socket_base";

class AesmTransportError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The peer closed the connection before sending anything (e.g. a liveness probe).
class AesmPeerClosed : public AesmTransportError {
 public:
  using AesmTransportError::AesmTransportError;
};

// Writes all of `data`; throws AesmTransportError on failure.
void send_all(int fd, const std::vector<std::uint8_t>& data);
// Reads one frame (u32 LE length ‖ body) and returns the body; throws AesmTransportError on
// EOF, timeout, or a length above max_body (the body is then not read).
std::vector<std::uint8_t> recv_frame(int fd, std::size_t max_body);
void set_timeouts(int fd, std::uint32_t millis);

}  // namespace cocoon::aesm
