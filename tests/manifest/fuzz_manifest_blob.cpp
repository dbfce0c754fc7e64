// Fuzz target: the freestanding reader of the compiled manifest, fed untrusted bytes.
#include <cstdint>
#include <cstring>

#include "manifest/manifest_blob.hpp"
#include "manifest/net_bind.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace cocoon::manifest;
  ManifestBlob b;
  if (b.open(data, size) != BlobError::kOk) return 0;
  std::size_t sum = b.entrypoint().size + b.working_dir().size;
  for (std::size_t i = 0; i < b.argv_count(); ++i) sum += b.argv(i).size;
  for (std::size_t i = 0; i < b.env_count(); ++i) sum += b.env_name(i).size + b.env_value(i).size;
  for (std::size_t i = 0; i < b.passthrough_count(); ++i) sum += b.passthrough(i).size;
  for (std::size_t i = 0; i < b.mount_count(); ++i) sum += b.mount(i).uri.size;
  char out[kMaxPath];
  std::size_t len;
  for (std::size_t i = 0; i < b.trusted_count(); ++i) {
    StrView p = b.trusted_path(i);
    if (b.find_trusted(p.data, p.size) == nullptr) __builtin_trap();  // sorted: must be found
    b.canonicalize(p.data, p.size, out, sizeof out, &len);
  }
  for (std::size_t i = 0; i < b.symlink_count(); ++i) {
    StrView p = b.symlink_path(i);
    b.canonicalize(p.data, p.size, out, sizeof out, &len);
    b.canonicalize(p.data, p.size, out, 16, &len, false);
    b.is_allowed(p.data, p.size);
  }
  b.canonicalize("/a/../b/./c//d", 14, out, sizeof out, &len);
  // net.bind: every rule is readable, and the input's last 28 bytes (the last rules, where
  // there are some) decoded as a bind(2) address are matched against them and written as text.
  for (std::size_t i = 0; i < b.bind_rule_count(); ++i) sum += b.bind_rule(i).port_high;
  BindTarget t;
  const std::size_t tail = size < 28 ? size : 28;
  if (decode_bind_sockaddr(data + size - tail, tail, &t) == SockaddrKind::kInet) {
    sum += bind_allowed(b, t);
    sum += format_bind_target(t, out, sizeof out);
  }
  return sum == 0xdeadbeef ? 1 : 0;
}
