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

void log_refusal(const manifest::BindTarget& t) {
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
  log("bind to %s refused (EACCES): not allowed by the manifest's net.bind%s", text,
      last ? " (further refused binds are not logged)" : "");
}

}  // namespace

long check_bind(const std::uint8_t* sa, std::size_t len) {
  const auto* m = static_cast<const manifest::ManifestBlob*>(policy::manifest());
  if (m == nullptr || !m->has_bind_policy()) return 0;
  manifest::BindTarget t;
  switch (manifest::decode_bind_sockaddr(sa, len, &t)) {
    case manifest::SockaddrKind::kNotInet: return 0;
    case manifest::SockaddrKind::kTooShort: return -abi::kEINVAL;
    case manifest::SockaddrKind::kInet: break;
  }
  if (manifest::bind_allowed(*m, t)) return 0;
  log_refusal(t);
  return -abi::kEACCES;
}

}  // namespace cocoon::shim::net
