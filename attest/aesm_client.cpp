#include "aesm_client.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "quote_parser.hpp"

namespace cocoon::aesm {

bool use_out_of_process_quoting() { return std::getenv("SGX_AESM_ADDR") != nullptr; }

Blob default_ecdsa_att_key_id() {
  Blob id(256, 0);
  id[4] = 32;  // mrsigner_length
  std::memcpy(id.data() + 6, quote::kIntelQeMrSigner.data(), 32);
  id[54] = 1;   // prod_id
  id[154] = 2;  // algorithm_id: SGX_QL_ALG_ECDSA_P256
  return id;
}

namespace {

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// Connects to `addr` (len bytes of sockaddr_un); returns fd or -1 with errno set.
int try_connect(const sockaddr_un& addr, socklen_t len, std::uint32_t timeout_ms) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  set_timeouts(fd, timeout_ms);
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    int e = errno;
    ::close(fd);
    errno = e;
    return -1;
  }
  return fd;
}

const char* member_name(const Response& r) {
  switch (r.index()) {
    case 0: return "an InitQuoteEx response";
    case 1: return "a GetQuoteSizeEx response";
    case 2: return "a GetQuoteEx response";
    case 3: return "UnsupportedRequestResponse";
    default: return "an unknown response";
  }
}

template <typename T>
T expect_response(Response r, const char* call) {
  if (auto* u = std::get_if<UnsupportedRequestResponse>(&r))
    throw AesmServiceError(std::string(call) + " (service says the request is unsupported)", u->error_code);
  if (!std::holds_alternative<T>(r))
    throw AesmTransportError(std::string("AESM answered ") + call + " with " + member_name(r));
  T m = std::get<T>(std::move(r));
  if (m.error_code != kAesmSuccess) throw AesmServiceError(call, m.error_code);
  return m;
}

}  // namespace

int AesmClient::connect_socket() {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (opts_.socket_path) {
    if (opts_.socket_path->size() >= sizeof addr.sun_path)
      throw AesmTransportError("AESM socket path " + *opts_.socket_path + " is too long");
    std::memcpy(addr.sun_path, opts_.socket_path->c_str(), opts_.socket_path->size() + 1);
    int fd = try_connect(addr, sizeof addr, opts_.timeout_ms);
    if (fd < 0)
      throw AesmTransportError("cannot connect to the AESM socket " + *opts_.socket_path + ": " +
                               std::strerror(errno) + " (is the quote helper running?)");
    return fd;
  }
  std::memcpy(addr.sun_path, kAesmSocketPath, std::strlen(kAesmSocketPath) + 1);
  int fd = try_connect(addr, sizeof addr, opts_.timeout_ms);
  if (fd >= 0) return fd;
  std::string path_error = std::strerror(errno);
  sockaddr_un abs{};
  abs.sun_family = AF_UNIX;
  std::size_t n = std::strlen(kAesmAbstractName);
  std::memcpy(abs.sun_path + 1, kAesmAbstractName, n);
  fd = try_connect(abs, static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + n), opts_.timeout_ms);
  if (fd >= 0) return fd;
  throw AesmTransportError(std::string("AESM service unavailable: ") + kAesmSocketPath + ": " + path_error +
                           ", abstract socket @" + kAesmAbstractName + ": " + std::strerror(errno) +
                           " (mount the quote helper's /var/run/aesmd into the container, or run "
                           "'cocoon quote-helper')");
}

Response AesmClient::call(const Request& req) {
  Fd s{connect_socket()};
  send_all(s.fd, frame(encode_request(req)));
  Blob body = recv_frame(s.fd, kMaxResponseBody);
  try {
    return decode_response(body);
  } catch (const AesmWireError& e) {
    throw AesmTransportError(std::string("malformed AESM response: ") + e.what());
  }
}

AesmClient::InitResult AesmClient::init_quote_ex() {
  InitQuoteExRequest req{default_ecdsa_att_key_id(), true, 32, opts_.timeout_ms};
  auto r = expect_response<InitQuoteExResponse>(call(req), "InitQuoteEx");
  if (!r.target_info || r.target_info->size() != sizeof(quote::TargetInfo))
    throw AesmTransportError("InitQuoteEx response: target_info is " +
                             std::to_string(r.target_info ? r.target_info->size() : 0) + " bytes, expected 512");
  InitResult out;
  std::memcpy(&out.target_info, r.target_info->data(), sizeof out.target_info);
  if (r.pub_key_id && r.pub_key_id_size && *r.pub_key_id_size == r.pub_key_id->size() && r.pub_key_id->size() <= 32)
    out.pub_key_id = *r.pub_key_id;
  return out;
}

std::uint32_t AesmClient::get_quote_size_ex() {
  GetQuoteSizeExRequest req{default_ecdsa_att_key_id(), opts_.timeout_ms};
  auto r = expect_response<GetQuoteSizeExResponse>(call(req), "GetQuoteSizeEx");
  if (!r.quote_size || *r.quote_size == 0 || *r.quote_size > quote::kMaxQuoteSize)
    throw AesmTransportError("GetQuoteSizeEx response: quote_size " +
                             (r.quote_size ? std::to_string(*r.quote_size) : std::string("missing")) +
                             " is not a plausible quote size");
  return *r.quote_size;
}

std::vector<std::uint8_t> AesmClient::get_quote_ex(const quote::Report& report, std::uint32_t buf_size) {
  GetQuoteExRequest req;
  req.report = Blob(reinterpret_cast<const std::uint8_t*>(&report),
                    reinterpret_cast<const std::uint8_t*>(&report) + sizeof report);
  req.att_key_id = default_ecdsa_att_key_id();
  req.buf_size = buf_size;
  req.timeout = opts_.timeout_ms;
  auto r = expect_response<GetQuoteExResponse>(call(req), "GetQuoteEx");
  if (!r.quote) throw AesmTransportError("GetQuoteEx response carries no quote");
  if (r.quote->size() > buf_size)
    throw AesmTransportError("GetQuoteEx response: quote is " + std::to_string(r.quote->size()) +
                             " bytes, larger than the " + std::to_string(buf_size) + "-byte buffer asked for");
  std::size_t len;
  try {
    len = quote::quote_length(*r.quote);
  } catch (const quote::QuoteError& e) {
    throw AesmTransportError(std::string("GetQuoteEx response: ") + e.what());
  }
  for (std::size_t i = len; i < r.quote->size(); ++i)
    if ((*r.quote)[i] != 0)
      throw AesmTransportError("GetQuoteEx response: byte " + std::to_string(i) +
                               " after the quote's end is not zero padding");
  r.quote->resize(len);
  return std::move(*r.quote);
}

std::vector<std::uint8_t> AesmClient::get_quote(const quote::Report& report) {
  for (int attempt = 0;; ++attempt) {
    try {
      std::uint32_t size = get_quote_size_ex();
      return get_quote_ex(report, size);
    } catch (const AesmServiceError& e) {
      if (e.code() != kAesmAttKeyNotInitialized || attempt > 0) throw;
      init_quote_ex();
    }
  }
}

}  // namespace cocoon::aesm
