#include "shim/net_policy.hpp"

#include "manifest/manifest_blob.hpp"
#include "manifest/net_bind.hpp"
#include "shim/file_policy.hpp"
#include "shim/globals.hpp"
#include "shim/linux_abi.hpp"
#include "shim/log.hpp"
#include "shim/sync.hpp"

namespace cocoon::shim::net {
namespace {

// Refusals already logged (--verbose logs each distinct address:port once).
constexpr int kRemembered = 64;
manifest::BindTarget g_logged[kRemembered];
int g_logged_count;
SpinLock g_logged_lock;

bool same(const manifest::BindTarget& a, const manifest::BindTarget& b) {
  if (a.family != b.family || a.port != b.port) return false;
  for (int i = 0; i < 16; ++i)
    if (a.addr[i] != b.addr[i]) return false;
  return true;
}

void log_refusal(const manifest::BindTarget& t, const char* what) {
  if (!verbose()) return;
  bool last;
  {
    LockGuard guard(g_logged_lock);
    if (g_logged_count > kRemembered) return;
    for (int i = 0; i < g_logged_count && i < kRemembered; ++i)
      if (same(g_logged[i], t)) return;
    if (g_logged_count < kRemembered) g_logged[g_logged_count] = t;
    last = ++g_logged_count > kRemembered;
  }
  char text[64];
  manifest::format_bind_target(t, text, sizeof text);
  log("%s %s refused (EACCES): not allowed by the manifest's net.bind%s", what, text,
      last ? " (further refused binds are not logged)" : "");
}

const manifest::ManifestBlob* bind_policy() {
  const auto* m = static_cast<const manifest::ManifestBlob*>(policy::manifest());
  return m != nullptr && m->has_bind_policy() ? m : nullptr;
}

}  // namespace

bool active() { return bind_policy() != nullptr; }

long check_bind(const std::uint8_t* sa, std::size_t len) {
  const manifest::ManifestBlob* m = bind_policy();
  if (m == nullptr) return 0;
  manifest::BindTarget t;
  switch (manifest::decode_bind_sockaddr(sa, len, &t)) {
    case manifest::SockaddrKind::kNotInet: return 0;
    case manifest::SockaddrKind::kTooShort: return -abi::kEINVAL;
    case manifest::SockaddrKind::kInet: break;
  }
  if (manifest::bind_allowed(*m, t)) return 0;
  log_refusal(t, "bind to");
  return -abi::kEACCES;
}

long check_listen(const std::uint8_t* sa, std::size_t len) {
  const manifest::ManifestBlob* m = bind_policy();
  manifest::BindTarget t;
  if (m == nullptr || manifest::decode_bind_sockaddr(sa, len, &t) != manifest::SockaddrKind::kInet) return 0;
  // Bound sockets have their port (the kernel picks one when bind asks for 0); an unbound
  // one shows 0.0.0.0:0 or [::]:0, exactly what listen is about to bind.
  if (t.port != 0 || manifest::bind_allowed(*m, t)) return 0;
  log_refusal(t, "listen without bind, an implicit bind to");
  return -abi::kEACCES;
}

}  // namespace cocoon::shim::net
