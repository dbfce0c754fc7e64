// compile_blob + ManifestBlob: round trip, lookups, canonicalize, malformed blobs rejected.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "manifest/manifest.hpp"
#include "manifest/manifest_blob.hpp"

using namespace cocoon::manifest;

namespace {

std::string s(StrView v) { return std::string(v.data, v.size); }

std::string sha256_hex_of(const std::vector<std::uint8_t>& bytes) {
  unsigned char h[32];
  unsigned len = 0;
  EXPECT_EQ(EVP_Digest(bytes.data(), bytes.size(), h, &len, EVP_sha256(), nullptr), 1);
  std::string out;
  char two[3];
  for (unsigned char c : h) std::snprintf(two, sizeof two, "%02x", c), out += two;
  return out;
}

Sha256 digest_of(std::uint8_t tag) {
  Sha256 d{};
  d.fill(tag);
  return d;
}

Manifest sample() {
  Manifest m;
  m.entrypoint = "/usr/bin/python3";
  m.argv = {"python3", "-c", "print(42)"};
  m.allow_host_argv = true;
  m.env = {{"PATH", "/usr/bin"}, {"LANG", "C.UTF-8"}};
  m.passthrough_env = {"TERM", "HOME"};
  m.working_dir = "/srv";
  m.mounts = {{"/data", "file:/srv/data", "chroot"}};
  m.trusted_files = {{"/usr/lib/x86_64-linux-gnu/libc.so.6", digest_of(1)},
                     {"/usr/bin/python3.11", digest_of(2)},
                     {"/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", digest_of(3)}};
  m.allowed_files = {"/tmp/", "/dev/null", "/var/log"};
  m.symlinks = {{"/lib", "usr/lib"},
                {"/lib64", "usr/lib64"},
                {"/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"},
                {"/usr/bin/python3", "python3.11"},
                {"/loop/a", "b"},
                {"/loop/b", "a"},
                {"/up", "../../.."},
                {"/dir/rel", "../target"}};
  m.enclave.size = 1ull << 28;
  m.enclave.max_threads = 8;
  m.enclave.isv_prod_id = 7;
  m.enclave.isv_svn = 3;
  m.enclave.debug = false;
  m.enclave.misc_select = 1;
  return m;
}

struct Opened {
  std::vector<std::uint8_t> bytes;
  ManifestBlob blob;
};

std::string canon(const ManifestBlob& b, const std::string& p, bool follow_last = true) {
  char out[kMaxPath];
  std::size_t len = 0;
  CanonError e = b.canonicalize(p.data(), p.size(), out, sizeof out, &len, follow_last);
  if (e != CanonError::kOk) return "error " + std::to_string(static_cast<int>(e));
  EXPECT_EQ(std::strlen(out), len);
  return std::string(out, len);
}

class BlobTest : public ::testing::Test {
 protected:
  void SetUp() override {
    bytes = compile_blob(sample());
    ASSERT_EQ(blob.open(bytes.data(), bytes.size()), BlobError::kOk);
  }
  std::vector<std::uint8_t> bytes;
  ManifestBlob blob;
};

}  // namespace

TEST_F(BlobTest, RoundTripsEverything) {
  EXPECT_EQ(s(blob.entrypoint()), "/usr/bin/python3");
  EXPECT_EQ(s(blob.working_dir()), "/srv");
  EXPECT_TRUE(blob.allow_host_argv());
  EXPECT_FALSE(blob.debug());
  ASSERT_EQ(blob.argv_count(), 3u);
  EXPECT_EQ(s(blob.argv(2)), "print(42)");
  ASSERT_EQ(blob.env_count(), 2u);
  EXPECT_EQ(s(blob.env_name(0)), "LANG");
  EXPECT_EQ(s(blob.env_value(0)), "C.UTF-8");
  EXPECT_EQ(s(blob.env_name(1)), "PATH");
  ASSERT_EQ(blob.passthrough_count(), 2u);
  EXPECT_EQ(s(blob.passthrough(0)), "HOME");
  EXPECT_EQ(s(blob.passthrough(1)), "TERM");
  ASSERT_EQ(blob.mount_count(), 1u);
  EXPECT_EQ(s(blob.mount(0).path), "/data");
  EXPECT_EQ(s(blob.mount(0).uri), "file:/srv/data");
  EXPECT_EQ(s(blob.mount(0).type), "chroot");
  ASSERT_EQ(blob.trusted_count(), 3u);
  EXPECT_EQ(s(blob.trusted_path(0)), "/usr/bin/python3.11");  // sorted
  ASSERT_EQ(blob.allowed_count(), 3u);
  EXPECT_EQ(s(blob.allowed(0)), "/dev/null");
  ASSERT_EQ(blob.symlink_count(), 8u);
  EXPECT_EQ(s(blob.symlink_path(0)), "/dir/rel");
  EXPECT_EQ(blob.enclave().size, 1ull << 28);
  EXPECT_EQ(blob.enclave().max_threads, 8u);
  EXPECT_EQ(blob.enclave().isv_prod_id, 7);
  EXPECT_EQ(blob.enclave().isv_svn, 3);
  EXPECT_EQ(blob.enclave().misc_select, 1u);
  EXPECT_EQ(blob.enclave().attributes_mask, EnclaveSettings{}.attributes_mask);
  // Strings are NUL-terminated in place.
  EXPECT_EQ(blob.argv(1).data[blob.argv(1).size], '\0');
}

TEST_F(BlobTest, IsDeterministic) {
  EXPECT_EQ(compile_blob(sample()), bytes);
  Manifest shuffled = sample();
  std::swap(shuffled.trusted_files[0], shuffled.trusted_files[2]);
  std::swap(shuffled.allowed_files[0], shuffled.allowed_files[2]);
  std::swap(shuffled.passthrough_env[0], shuffled.passthrough_env[1]);
  EXPECT_EQ(compile_blob(shuffled), bytes);
}

TEST_F(BlobTest, FindTrusted) {
  const Manifest m = sample();
  for (std::uint8_t tag = 1; tag <= 3; ++tag) {
    const auto& t = m.trusted_files[tag - 1];
    const std::uint8_t* h = blob.find_trusted(t.path.data(), t.path.size());
    ASSERT_NE(h, nullptr) << t.path;
    EXPECT_EQ(h[0], tag);
    EXPECT_EQ(h[31], tag);
  }
  EXPECT_EQ(blob.find_trusted("/usr/bin/python3", 16), nullptr);
  EXPECT_EQ(blob.find_trusted("/usr/bin/python3.111", 20), nullptr);
  EXPECT_EQ(blob.find_trusted("", 0), nullptr);
  EXPECT_EQ(blob.find_trusted("/a", 2), nullptr);
  EXPECT_EQ(blob.find_trusted("/zzz", 4), nullptr);
}

TEST_F(BlobTest, IsAllowedUsesFileAndDirectorySemantics) {
  auto allowed = [&](const std::string& p) { return blob.is_allowed(p.data(), p.size()); };
  EXPECT_TRUE(allowed("/tmp"));
  EXPECT_TRUE(allowed("/tmp/x"));
  EXPECT_TRUE(allowed("/tmp/a/b"));
  EXPECT_FALSE(allowed("/tmpx"));
  EXPECT_TRUE(allowed("/dev/null"));
  EXPECT_FALSE(allowed("/dev/nullx"));
  EXPECT_FALSE(allowed("/dev"));
  EXPECT_TRUE(allowed("/var/log/syslog"));  // "/var/log" without a slash is a prefix too
  EXPECT_FALSE(allowed("/var/logs"));
  EXPECT_FALSE(allowed("/etc/passwd"));
  Manifest m = sample();
  m.allowed_files = {"/"};
  auto b2 = compile_blob(m);
  ManifestBlob all;
  ASSERT_EQ(all.open(b2.data(), b2.size()), BlobError::kOk);
  EXPECT_TRUE(all.is_allowed("/etc/passwd", 11));
}

TEST_F(BlobTest, CanonicalizeLexically) {
  EXPECT_EQ(canon(blob, "/"), "/");
  EXPECT_EQ(canon(blob, "//usr///bin/./x"), "/usr/bin/x");
  EXPECT_EQ(canon(blob, "/usr/bin/../share/"), "/usr/share");
  EXPECT_EQ(canon(blob, "/../../etc"), "/etc");
  EXPECT_EQ(canon(blob, "/a/b/.."), "/a");
  EXPECT_EQ(canon(blob, "/."), "/");
  EXPECT_EQ(canon(blob, "relative"), "error 1");
  EXPECT_EQ(canon(blob, ""), "error 1");
}

TEST_F(BlobTest, CanonicalizeFollowsMeasuredSymlinks) {
  // /lib64 -> usr/lib64, then an absolute link into /lib -> usr/lib
  EXPECT_EQ(canon(blob, "/lib64/ld-linux-x86-64.so.2"), "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  EXPECT_EQ(canon(blob, "/lib/x86_64-linux-gnu/libc.so.6"), "/usr/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(canon(blob, "/usr/bin/python3"), "/usr/bin/python3.11");
  EXPECT_EQ(canon(blob, "/usr/bin/python3", false), "/usr/bin/python3");  // lstat-style
  EXPECT_EQ(canon(blob, "/lib64", false), "/lib64");
  EXPECT_EQ(canon(blob, "/lib64/", false), "/usr/lib64");  // a trailing '/' follows the link
  EXPECT_EQ(canon(blob, "/lib/../bin"), "/usr/bin");       // '..' applies after the link
  EXPECT_EQ(canon(blob, "/dir/rel/x"), "/target/x");
  EXPECT_EQ(canon(blob, "/up/etc"), "/etc");                // cannot climb above /
  EXPECT_EQ(canon(blob, "/loop/a"), "error 3");
  // The result is canonical: every path the canonical form of a trusted file resolves to
  // itself, and the trusted lookup succeeds.
  std::string c = canon(blob, "/lib64/../lib/x86_64-linux-gnu/./libc.so.6");
  EXPECT_NE(blob.find_trusted(c.data(), c.size()), nullptr) << c;
}

TEST_F(BlobTest, CanonicalizeRespectsTheOutputSize) {
  char out[8];
  std::size_t len = 0;
  EXPECT_EQ(blob.canonicalize("/abc", 4, out, sizeof out, &len), CanonError::kOk);
  EXPECT_EQ(blob.canonicalize("/abcdefgh", 9, out, sizeof out, &len), CanonError::kTooLong);
  EXPECT_EQ(blob.canonicalize("/abcdef", 7, out, sizeof out, &len), CanonError::kOk);  // 7 + NUL
  EXPECT_EQ(blob.canonicalize("/usr/bin/python3", 16, out, 1, &len), CanonError::kTooLong);
  std::string huge(kMaxPath + 1, 'a');
  huge[0] = '/';
  char big[kMaxPath];
  EXPECT_EQ(blob.canonicalize(huge.data(), huge.size(), big, sizeof big, &len), CanonError::kTooLong);
}

TEST(BlobReader, RejectsMalformedBlobs) {
  auto good = compile_blob(sample());
  ManifestBlob b;
  auto open = [&](std::vector<std::uint8_t> v) { return b.open(v.data(), v.size()); };
  auto with = [&](std::size_t off, std::uint32_t val) {
    auto v = good;
    std::memcpy(v.data() + off, &val, 4);
    return v;
  };
  EXPECT_EQ(b.open(nullptr, 0), BlobError::kTooSmall);
  EXPECT_EQ(open({good.begin(), good.begin() + 100}), BlobError::kTooSmall);
  auto bad_magic = good;
  bad_magic[0] = 'X';
  EXPECT_EQ(open(bad_magic), BlobError::kBadMagic);
  EXPECT_EQ(open(with(offsetof(BlobHeader, version), 2)), BlobError::kBadVersion);
  EXPECT_EQ(open({good.begin(), good.end() - 8}), BlobError::kBadSize);
  EXPECT_EQ(open(with(offsetof(BlobHeader, flags), 0x80)), BlobError::kBadFlags);
  // net_offset (a reserved 0 before [net]): inside the header, unaligned, past the end.
  EXPECT_EQ(open(with(offsetof(BlobHeader, net_offset), 1)), BlobError::kSectionOutOfRange);
  EXPECT_EQ(open(with(offsetof(BlobHeader, net_offset), 164)), BlobError::kSectionOutOfRange);
  EXPECT_EQ(open(with(offsetof(BlobHeader, net_offset), static_cast<std::uint32_t>(good.size()))),
            BlobError::kSectionOutOfRange);
  const std::size_t sec = offsetof(BlobHeader, sections);
  EXPECT_EQ(open(with(sec + kSecTrusted * 8 + 4, 0x10000000)), BlobError::kSectionOutOfRange);
  EXPECT_EQ(open(with(sec + kSecArgv * 8, 0xfffffff0)), BlobError::kSectionOutOfRange);
  EXPECT_EQ(open(with(sec + kSecArgv * 8, 8)), BlobError::kSectionOutOfRange);  // inside the header
  EXPECT_EQ(open(with(offsetof(BlobHeader, entrypoint) + 4, 0xffff)), BlobError::kStringOutOfRange);
  EXPECT_EQ(open(with(offsetof(BlobHeader, entrypoint), 0xffffff00)), BlobError::kStringOutOfRange);
  // A string that runs into the next one has no NUL at its end.
  BlobHeader h;
  std::memcpy(&h, good.data(), sizeof h);
  EXPECT_EQ(open(with(offsetof(BlobHeader, entrypoint) + 4, h.entrypoint.length - 1)), BlobError::kStringOutOfRange);
  // Swallowing the NUL after the entrypoint string into it makes it contain a NUL.
  {
    auto v = with(offsetof(BlobHeader, entrypoint) + 4, h.entrypoint.length + 1);
    // find a NUL following: the next string's terminator must be at offset+length+1
    std::size_t str_off = h.sections[kSecStrings].offset + h.entrypoint.offset;
    std::size_t next_nul = str_off + h.entrypoint.length + 1;
    if (v[next_nul] == 0) {
      EXPECT_EQ(open(v), BlobError::kStringHasNul);
    } else {
      v[next_nul] = 0;
      EXPECT_EQ(open(v), BlobError::kStringHasNul);
    }
  }
  // Relative working dir.
  {
    auto v = good;
    v[h.sections[kSecStrings].offset + h.working_dir.offset] = 's';
    EXPECT_EQ(open(v), BlobError::kNotAbsolute);
  }
  // Trusted entries out of order: swap the first two path refs.
  {
    auto v = good;
    std::size_t t0 = h.sections[kSecTrusted].offset;
    std::swap_ranges(v.begin() + static_cast<long>(t0), v.begin() + static_cast<long>(t0 + 8),
                     v.begin() + static_cast<long>(t0 + 40));
    EXPECT_EQ(open(v), BlobError::kNotSorted);
  }
  EXPECT_EQ(open(with(offsetof(BlobHeader, enclave) + offsetof(BlobEnclave, size), 3)), BlobError::kBadSettings);
  EXPECT_EQ(open(with(offsetof(BlobHeader, enclave) + offsetof(BlobEnclave, max_threads), 0)), BlobError::kBadSettings);
  // A failed open leaves the reader unusable rather than half-open.
  EXPECT_EQ(b.find_trusted("/usr/bin/python3.11", 19), nullptr);
  EXPECT_EQ(b.trusted_count(), 0u);
  EXPECT_STREQ(blob_error_name(BlobError::kNotSorted), "a sorted section is out of order or has duplicates");
}

// The reader checks strings and their order 8 bytes at a time: a NUL or a first difference
// at every position of the first, second and third word, and prefixes, give the answers a
// byte-by-byte check gives.
TEST(BlobReader, WordAtATimeChecksAtEveryPosition) {
  for (std::size_t k = 1; k < 24; ++k) {
    const std::string common = "/" + std::string(k - 1, 'p');
    for (auto [lo, hi] : {std::pair{'a', 'b'}, std::pair{'~', '\xc3'}, std::pair{'\x01', '\x7f'}}) {
      Manifest m = sample();
      const std::string a = common + lo + "tail/x", b = common + hi + "tail";
      m.trusted_files = {{a, digest_of(1)}, {b, digest_of(2)}, {common, digest_of(3)}, {common + lo, digest_of(4)}};
      auto v = compile_blob(m);  // sorts them: common, common+lo, a, b
      ManifestBlob blob;
      ASSERT_EQ(blob.open(v.data(), v.size()), BlobError::kOk) << k;
      ASSERT_EQ(blob.trusted_count(), 4u);
      EXPECT_EQ(std::string(blob.trusted_path(0).data, blob.trusted_path(0).size), common) << k;
      EXPECT_EQ(std::string(blob.trusted_path(3).data, blob.trusted_path(3).size), b) << k;
      for (const auto& t : m.trusted_files)
        EXPECT_NE(blob.find_trusted(t.path.data(), t.path.size()), nullptr) << t.path;
      const std::string missing = common + lo + "tail";
      EXPECT_EQ(blob.find_trusted(missing.data(), missing.size()), nullptr) << k;
      // Swapping any two adjacent entries' paths breaks the order.
      BlobHeader h;
      std::memcpy(&h, v.data(), sizeof h);
      for (std::size_t i = 0; i + 1 < 4; ++i) {
        auto w = v;
        const std::size_t e = h.sections[kSecTrusted].offset + i * sizeof(BlobTrusted);
        std::swap_ranges(w.begin() + static_cast<long>(e), w.begin() + static_cast<long>(e + 8),
                         w.begin() + static_cast<long>(e + sizeof(BlobTrusted)));
        EXPECT_EQ(blob.open(w.data(), w.size()), BlobError::kNotSorted) << k << " " << i;
      }
      // A NUL at any position of a path after its '/'.
      BlobStr last;
      std::memcpy(&last, v.data() + h.sections[kSecTrusted].offset + 3 * sizeof(BlobTrusted), sizeof last);
      for (std::size_t pos = 1; pos < last.length; ++pos) {
        auto w = v;
        w[h.sections[kSecStrings].offset + last.offset + pos] = 0;
        EXPECT_EQ(blob.open(w.data(), w.size()), BlobError::kStringHasNul) << k << " " << pos;
      }
    }
  }
}

TEST(BlobWriter, RejectsWhatTheReaderWould) {
  Manifest m = sample();
  m.trusted_files.push_back(m.trusted_files[0]);
  EXPECT_THROW(compile_blob(m), ManifestError);
  m = sample();
  m.entrypoint = "python3";
  EXPECT_THROW(compile_blob(m), ManifestError);
  m = sample();
  m.argv.push_back(std::string("a\0b", 3));
  EXPECT_THROW(compile_blob(m), ManifestError);
  m = sample();
  m.enclave.size = 3 << 20;
  EXPECT_THROW(compile_blob(m), ManifestError);
}

TEST(BlobWriter, EmptySectionsAreFine) {
  Manifest m;
  m.entrypoint = "/bin/true";
  auto v = compile_blob(m);
  ManifestBlob b;
  ASSERT_EQ(b.open(v.data(), v.size()), BlobError::kOk);
  EXPECT_EQ(b.argv_count(), 0u);
  EXPECT_EQ(b.trusted_count(), 0u);
  EXPECT_EQ(b.find_trusted("/bin/true", 9), nullptr);
  EXPECT_FALSE(b.is_allowed("/tmp", 4));
  EXPECT_EQ(canon(b, "/bin/../lib"), "/lib");
}

// The compiled form is measured into MRENCLAVE: an existing manifest must keep compiling to
// the same bytes when the format grows, or every signed enclave would change identity. These
// digests were computed with the format as it was before [net] existed (commit abba40b).
TEST(BlobWriter, BytesArePinned) {
  auto sample_blob = compile_blob(sample());
  EXPECT_EQ(sample_blob.size(), 936u);
  EXPECT_EQ(sha256_hex_of(sample_blob), "60fa081116bd8b984fe882429e61cde17c7d49e6a8243b78e34cce921915551b");
  Manifest minimal;
  minimal.entrypoint = "/bin/true";
  auto minimal_blob = compile_blob(minimal);
  EXPECT_EQ(minimal_blob.size(), 176u);
  EXPECT_EQ(sha256_hex_of(minimal_blob), "94e1b2208232d1af38a63ba043ef6fe3cf51f8abdd74e1fce228fbbba9085eea");
}

namespace {

BindRule rule(std::uint8_t kind, std::initializer_list<std::uint8_t> addr, std::uint16_t low, std::uint16_t high) {
  BindRule r;
  r.kind = kind;
  std::copy(addr.begin(), addr.end(), r.addr.begin());
  r.port_low = low;
  r.port_high = high;
  return r;
}

Manifest sample_with_net() {
  Manifest m = sample();
  m.net_bind = std::vector<BindRule>{rule(kBindIpv4, {127, 0, 0, 1}, 0, 65535),
                                     rule(kBindIpv6, {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 8000, 8100),
                                     rule(kBindAnyAddress, {}, 0, 0)};
  return m;
}

}  // namespace

// net.bind is appended after everything else: the rest of the blob is byte for byte the
// blob of the same manifest without it, and the header points at it.
TEST(BlobNet, RulesRoundTripAfterTheUnchangedSections) {
  const auto plain = compile_blob(sample());
  const auto with = compile_blob(sample_with_net());
  ManifestBlob b;
  ASSERT_EQ(b.open(with.data(), with.size()), BlobError::kOk);
  ASSERT_TRUE(b.has_bind_policy());
  ASSERT_EQ(b.bind_rule_count(), 3u);
  BlobBindRule r0 = b.bind_rule(0), r1 = b.bind_rule(1), r2 = b.bind_rule(2);
  EXPECT_EQ(r0.kind, kBindIpv4);
  EXPECT_EQ(std::vector<std::uint8_t>(r0.addr, r0.addr + 16), (std::vector<std::uint8_t>{127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(r0.port_low, 0);
  EXPECT_EQ(r0.port_high, 65535);
  EXPECT_EQ(r1.kind, kBindIpv6);
  EXPECT_EQ(r1.addr[0], 0x20);
  EXPECT_EQ(r1.addr[15], 1);
  EXPECT_EQ(r1.port_low, 8000);
  EXPECT_EQ(r1.port_high, 8100);
  EXPECT_EQ(r2.kind, kBindAnyAddress);
  EXPECT_EQ(r2.port_high, 0);

  ASSERT_EQ(with.size(), plain.size() + sizeof(BlobNet) + 3 * sizeof(BlobBindRule));
  BlobHeader h;
  std::memcpy(&h, with.data(), sizeof h);
  EXPECT_EQ(h.net_offset, plain.size());
  EXPECT_TRUE(std::equal(plain.begin() + sizeof(BlobHeader), plain.end(), with.begin() + sizeof(BlobHeader)));
  h.net_offset = 0;
  h.total_size = static_cast<std::uint32_t>(plain.size());
  EXPECT_EQ(std::memcmp(&h, plain.data(), sizeof h), 0);  // the header differs in those two fields only

  // Without net.bind: no policy. An empty list is a policy that allows nothing.
  ManifestBlob p;
  ASSERT_EQ(p.open(plain.data(), plain.size()), BlobError::kOk);
  EXPECT_FALSE(p.has_bind_policy());
  EXPECT_EQ(p.bind_rule_count(), 0u);
  Manifest empty = sample();
  empty.net_bind.emplace();
  const auto none = compile_blob(empty);
  ManifestBlob e;
  ASSERT_EQ(e.open(none.data(), none.size()), BlobError::kOk);
  EXPECT_TRUE(e.has_bind_policy());
  EXPECT_EQ(e.bind_rule_count(), 0u);
  EXPECT_EQ(none.size(), plain.size() + sizeof(BlobNet));
}

TEST(BlobNet, WriterRejectsBadRules) {
  auto error_of = [](const Manifest& m) {
    try {
      compile_blob(m);
    } catch (const ManifestError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  Manifest m = sample_with_net();
  m.net_bind->push_back((*m.net_bind)[1]);
  EXPECT_EQ(error_of(m), "net.bind[3]: the same rule as net.bind[1]");
  m = sample_with_net();
  (*m.net_bind)[0].kind = 5;
  EXPECT_EQ(error_of(m), "net.bind[0]: unknown address kind 5");
  m = sample_with_net();
  (*m.net_bind)[2].port_low = 2;
  (*m.net_bind)[2].port_high = 1;
  EXPECT_EQ(error_of(m), "net.bind[2]: empty port range 2-1");
}

TEST(BlobNet, ReaderRejectsBadRules) {
  const auto good = compile_blob(sample_with_net());
  BlobHeader h;
  std::memcpy(&h, good.data(), sizeof h);
  const std::size_t net = h.net_offset, first = net + sizeof(BlobNet);
  ManifestBlob b;
  auto open_with = [&](std::size_t off, std::uint8_t byte) {
    auto v = good;
    v[off] = byte;
    return b.open(v.data(), v.size());
  };
  ASSERT_EQ(b.open(good.data(), good.size()), BlobError::kOk);
  EXPECT_EQ(open_with(first + offsetof(BlobBindRule, kind), 5), BlobError::kBadNetRule);
  EXPECT_EQ(open_with(first + offsetof(BlobBindRule, reserved) + 2, 1), BlobError::kBadNetRule);
  EXPECT_EQ(open_with(first + offsetof(BlobBindRule, addr) + 4, 1), BlobError::kBadNetRule);  // IPv4 uses 4 bytes
  EXPECT_EQ(open_with(first + 2 * sizeof(BlobBindRule) + offsetof(BlobBindRule, addr), 1),
            BlobError::kBadNetRule);  // "*" uses none
  EXPECT_EQ(open_with(first + 2 * sizeof(BlobBindRule) + offsetof(BlobBindRule, port_low), 1),
            BlobError::kBadNetRule);  // 1-0 is empty
  EXPECT_EQ(open_with(net + offsetof(BlobNet, reserved), 1), BlobError::kBadNetRule);
  EXPECT_EQ(open_with(net + offsetof(BlobNet, bind_count), 4), BlobError::kSectionOutOfRange);
  EXPECT_EQ(open_with(net + offsetof(BlobNet, bind_count) + 3, 0x80), BlobError::kSectionOutOfRange);
  EXPECT_FALSE(b.has_bind_policy());  // a failed open leaves no policy behind
  EXPECT_EQ(b.bind_rule_count(), 0u);
  EXPECT_STREQ(blob_error_name(BlobError::kBadNetRule), "invalid net.bind rule");
}
