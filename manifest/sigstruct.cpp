// SIGSTRUCT build/sign, parse, verify, dump (sigstruct.hpp).
#include "shim/crypto/sha256.hpp"
#include "manifest/sigstruct.hpp"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "manifest/signing_key.hpp"

namespace cocoon::measure {
namespace {

constexpr std::size_t kN = sgx::kRsa3072Bytes;

// DigestInfo prefix of SHA-256 for EMSA-PKCS1-v1_5 (RFC 8017 §9.2, note 1).
constexpr std::uint8_t kSha256DigestInfo[] = {0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01,
                                              0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20};

struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};
using Bn = std::unique_ptr<BIGNUM, BnFree>;
struct BnCtxFree {
  void operator()(BN_CTX* c) const { BN_CTX_free(c); }
};

Bn bn_new() {
  Bn b(BN_new());
  if (!b) throw SigstructError("OpenSSL: out of memory");
  return b;
}
Bn bn_le(const std::uint8_t* p, std::size_t n) {
  Bn b(BN_lebin2bn(p, static_cast<int>(n), nullptr));
  if (!b) throw SigstructError("OpenSSL: out of memory");
  return b;
}

std::string hexs(const std::uint8_t* p, std::size_t n) { return to_hex(std::span<const std::uint8_t>(p, n)); }
// "0x" + v in lowercase hex, zero padded to `width` digits (0: no padding).
std::string hx(std::uint64_t v, int width) {
  char b[40];
  std::snprintf(b, sizeof b, "0x%0*" PRIx64, width, v);
  return b;
}

std::uint32_t bcd_digit(std::uint32_t v, unsigned nibble) { return (v >> (4 * nibble)) & 0xf; }

Digest signed_message_hash(const sgx::Sigstruct& ss) {
  // Cocoon's SHA-256 (checked against OpenSSL in tests/crypto): verifying a signature at
  // every launch then needs no OpenSSL digest set-up (about 0.5 ms), only its big numbers.
  const auto* b = reinterpret_cast<const std::uint8_t*>(&ss);
  Digest d{};
  crypto::Sha256 h;
  h.update(b + sgx::kSigstructSigned1Begin, sgx::kSigstructSigned1End - sgx::kSigstructSigned1Begin);
  h.update(b + sgx::kSigstructSigned2Begin, sgx::kSigstructSigned2End - sgx::kSigstructSigned2Begin);
  h.final(d.data());
  return d;
}

// The EMSA-PKCS1-v1_5 encoding of SHA-256(M), big-endian, 384 bytes.
std::array<std::uint8_t, kN> pkcs1_encoding(const Digest& h) {
  std::array<std::uint8_t, kN> em{};
  em[0] = 0x00;
  em[1] = 0x01;
  const std::size_t t = sizeof kSha256DigestInfo + h.size();
  std::fill(em.begin() + 2, em.end() - static_cast<std::ptrdiff_t>(t) - 1, 0xff);
  em[kN - t - 1] = 0x00;
  std::memcpy(em.data() + kN - t, kSha256DigestInfo, sizeof kSha256DigestInfo);
  std::memcpy(em.data() + kN - h.size(), h.data(), h.size());
  return em;
}

// Q1 = floor(S^2 / N), Q2 = floor(S * (S^2 mod N) / N). Returns false if a value does not fit
// in 384 bytes (only possible when S >= N).
struct QValues {
  std::array<std::uint8_t, kN> q1{}, q2{};
  bool q1_fits = true, q2_fits = true;
};
QValues compute_q(const BIGNUM* s, const BIGNUM* n, BN_CTX* ctx) {
  QValues q;
  Bn s2 = bn_new(), q1 = bn_new(), r = bn_new(), t = bn_new(), q2 = bn_new(), r2 = bn_new();
  if (BN_sqr(s2.get(), s, ctx) != 1 || BN_div(q1.get(), r.get(), s2.get(), n, ctx) != 1 ||
      BN_mul(t.get(), s, r.get(), ctx) != 1 || BN_div(q2.get(), r2.get(), t.get(), n, ctx) != 1)
    throw SigstructError("OpenSSL: big-number arithmetic failed");
  q.q1_fits = BN_bn2lebinpad(q1.get(), q.q1.data(), static_cast<int>(kN)) == static_cast<int>(kN);
  q.q2_fits = BN_bn2lebinpad(q2.get(), q.q2.data(), static_cast<int>(kN)) == static_cast<int>(kN);
  return q;
}

bool is_leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
bool valid_ymd(unsigned y, unsigned m, unsigned d) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y == 0 || m < 1 || m > 12 || d < 1) return false;
  unsigned lim = days[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
  return d <= lim;
}
std::uint32_t to_bcd(unsigned y, unsigned m, unsigned d) {
  std::uint32_t v = 0;
  const unsigned digits[8] = {y / 1000 % 10, y / 100 % 10, y / 10 % 10, y % 10, m / 10, m % 10, d / 10, d % 10};
  for (unsigned x : digits) v = v << 4 | x;
  return v;
}

const char* attribute_names(std::uint64_t flags, std::string& out) {
  struct {
    std::uint64_t bit;
    const char* name;
  } const names[] = {{sgx::kAttrInit, "INIT"},
                     {sgx::kAttrDebug, "DEBUG"},
                     {sgx::kAttrMode64Bit, "MODE64BIT"},
                     {sgx::kAttrProvisionKey, "PROVISIONKEY"},
                     {sgx::kAttrEinitTokenKey, "EINITTOKENKEY"},
                     {sgx::kAttrCet, "CET"},
                     {sgx::kAttrKss, "KSS"},
                     {sgx::kAttrAexNotify, "AEXNOTIFY"}};
  out.clear();
  std::uint64_t rest = flags;
  for (const auto& n : names) {
    if (flags & n.bit) {
      if (!out.empty()) out += "|";
      out += n.name;
      rest &= ~n.bit;
    }
  }
  if (rest) {
    if (!out.empty()) out += "|";
    out += hx(rest, 0);
  }
  if (out.empty()) out = "none";
  return out.c_str();
}

std::string reserved_text(const std::uint8_t* p, std::size_t n) {
  if (std::all_of(p, p + n, [](std::uint8_t b) { return b == 0; })) return "all zero";
  return hexs(p, n);
}

std::string date_text(std::uint32_t date) {
  if (date == 0) return "unset (0)";
  if (!is_valid_bcd_date(date)) return "invalid (" + hx(date, 8) + ")";
  char b[40];
  std::snprintf(b, sizeof b, "%04x-%02x-%02x (0x%08x)", date >> 16, (date >> 8) & 0xff, date & 0xff, date);
  return b;
}

}  // namespace

// ---- dates ---------------------------------------------------------------------------------

bool is_valid_bcd_date(std::uint32_t date) {
  if (date == 0) return true;
  for (unsigned i = 0; i < 8; ++i)
    if (bcd_digit(date, i) > 9) return false;
  auto num = [&](unsigned hi, unsigned count) {
    unsigned v = 0;
    for (unsigned i = 0; i < count; ++i) v = v * 10 + bcd_digit(date, hi - i);
    return v;
  };
  return valid_ymd(num(7, 4), num(3, 2), num(1, 2));
}

std::uint32_t parse_date(const std::string& text) {
  std::string digits;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-')
    digits = text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2);
  else if (text.size() == 8)
    digits = text;
  const bool all_digits =
      digits.size() == 8 && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!all_digits) throw SigstructError("date '" + text + "' is not in the form YYYY-MM-DD");
  const unsigned y = static_cast<unsigned>(std::stoul(digits.substr(0, 4)));
  const unsigned m = static_cast<unsigned>(std::stoul(digits.substr(4, 2)));
  const unsigned d = static_cast<unsigned>(std::stoul(digits.substr(6, 2)));
  if (!valid_ymd(y, m, d)) throw SigstructError("date '" + text + "' is not a calendar date");
  return to_bcd(y, m, d);
}

std::uint32_t today_bcd_date() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  return to_bcd(static_cast<unsigned>(tm.tm_year + 1900), static_cast<unsigned>(tm.tm_mon + 1),
                static_cast<unsigned>(tm.tm_mday));
}

// ---- signing -------------------------------------------------------------------------------

SigstructBytes sign_sigstruct(const SigstructFields& f, const SigningKey& key) {
  if (!is_valid_bcd_date(f.date))
    throw SigstructError("DATE " + hx(f.date, 8) + " is not a valid BCD yyyymmdd date");
  if (f.vendor != 0 && f.vendor != sgx::kSigstructVendorIntel)
    throw SigstructError("VENDOR " + hx(f.vendor, 4) + " must be 0x0000 or 0x8086");
  sgx::Sigstruct ss;
  std::memset(&ss, 0, sizeof ss);
  std::memcpy(ss.header, sgx::kSigstructHeader, sizeof ss.header);
  ss.vendor = f.vendor;
  ss.date = f.date;
  std::memcpy(ss.header2, sgx::kSigstructHeader2, sizeof ss.header2);
  ss.sw_defined = f.sw_defined;
  const auto n_le = key.modulus_le();
  std::memcpy(ss.modulus, n_le.data(), kN);
  ss.exponent = sgx::kSigstructExponent;
  ss.misc_select = f.misc_select;
  ss.misc_mask = f.misc_mask;
  ss.attributes = f.attributes;
  ss.attribute_mask = f.attribute_mask;
  std::memcpy(ss.enclave_hash, f.enclave_hash.data(), 32);
  ss.isv_prod_id = f.isv_prod_id;
  ss.isv_svn = f.isv_svn;

  const Digest h = signed_message_hash(ss);
  const auto sig_be = key.sign_digest(h.data());
  std::reverse_copy(sig_be.begin(), sig_be.end(), ss.signature);

  std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
  if (!ctx) throw SigstructError("OpenSSL: out of memory");
  Bn s = bn_le(ss.signature, kN), n = bn_le(ss.modulus, kN);
  const QValues q = compute_q(s.get(), n.get(), ctx.get());
  if (!q.q1_fits || !q.q2_fits) throw SigstructError("signature is not smaller than the modulus");
  std::memcpy(ss.q1, q.q1.data(), kN);
  std::memcpy(ss.q2, q.q2.data(), kN);

  // The signer's own EINIT-style check, so a bad key or a bug can never produce a file that
  // fails on hardware.
  if (auto problems = check_sigstruct(ss); !problems.empty())
    throw SigstructError("internal error: freshly signed SIGSTRUCT fails verification: " + join_problems(problems));
  SigstructBytes out;
  std::memcpy(out.data(), &ss, sizeof ss);
  return out;
}

// ---- parsing and verification --------------------------------------------------------------

sgx::Sigstruct parse_sigstruct(std::span<const std::uint8_t> bytes) {
  if (bytes.size() != kSigstructSize)
    throw SigstructError("SIGSTRUCT must be 1808 bytes, got " + std::to_string(bytes.size()));
  sgx::Sigstruct ss;
  std::memcpy(&ss, bytes.data(), sizeof ss);
  return ss;
}

std::string join_problems(const std::vector<std::string>& problems) {
  std::string s;
  for (const auto& p : problems) {
    if (!s.empty()) s += "; ";
    s += p;
  }
  return s;
}

std::vector<std::string> check_sigstruct(const sgx::Sigstruct& ss) {
  std::vector<std::string> p;
  if (std::memcmp(ss.header, sgx::kSigstructHeader, 12) != 0)
    p.push_back("HEADER bytes 0..11 = " + hexs(ss.header, 12) + ", expected " + hexs(sgx::kSigstructHeader, 12));
  if (std::memcmp(ss.header + 12, sgx::kSigstructHeader + 12, 4) != 0)
    p.push_back("HEADER bytes 12..15 = " + hexs(ss.header + 12, 4) + ", expected " +
                hexs(sgx::kSigstructHeader + 12, 4) + " (SDM HEADER constant)");
  if (ss.vendor != 0 && ss.vendor != sgx::kSigstructVendorIntel)
    p.push_back("VENDOR = " + hx(ss.vendor, 4) + ", must be 0x0000 or 0x8086");
  if (!is_valid_bcd_date(ss.date))
    p.push_back("DATE = " + hx(ss.date, 8) +
                " is not a valid BCD yyyymmdd date (e.g. 2024-03-05 must be stored as u32 0x20240305)");
  if (std::memcmp(ss.header2, sgx::kSigstructHeader2, 16) != 0)
    p.push_back("HEADER2 = " + hexs(ss.header2, 16) + ", expected " + hexs(sgx::kSigstructHeader2, 16));
  auto reserved = [&](const char* name, const std::uint8_t* b, std::size_t n) {
    if (std::any_of(b, b + n, [](std::uint8_t x) { return x != 0; }))
      p.push_back(std::string(name) + " (reserved, must be zero) is " + hexs(b, n));
  };
  reserved("reserved1", ss.reserved1, sizeof ss.reserved1);
  if (ss.exponent != sgx::kSigstructExponent)
    p.push_back("EXPONENT = " + std::to_string(ss.exponent) + ", must be 3");
  reserved("reserved3", ss.reserved3, sizeof ss.reserved3);
  reserved("reserved4", ss.reserved4, sizeof ss.reserved4);

  auto rsa = check_rsa3072_e3(ss.modulus, ss.signature, signed_message_hash(ss), ss.q1, ss.q2);
  p.insert(p.end(), rsa.begin(), rsa.end());
  return p;
}

std::vector<std::string> check_rsa3072_e3(const std::uint8_t n_le[384], const std::uint8_t s_le[384],
                                          const Digest& hash, const std::uint8_t q1_le[384],
                                          const std::uint8_t q2_le[384]) {
  std::vector<std::string> p;
  std::unique_ptr<BN_CTX, BnCtxFree> ctx(BN_CTX_new());
  if (!ctx) throw SigstructError("OpenSSL: out of memory");
  Bn s = bn_le(s_le, kN), n = bn_le(n_le, kN);
  if (BN_is_zero(n.get())) {
    p.push_back("MODULUS is zero");
    return p;
  }
  // EINIT raises the signature to the fixed exponent 3, whatever the EXPONENT field says.
  Bn m = bn_new(), three = bn_new();
  if (BN_set_word(three.get(), 3) != 1 || BN_mod_exp(m.get(), s.get(), three.get(), n.get(), ctx.get()) != 1)
    throw SigstructError("OpenSSL: big-number arithmetic failed");
  std::array<std::uint8_t, kN> got{};
  const auto want = pkcs1_encoding(hash);
  if (BN_bn2binpad(m.get(), got.data(), static_cast<int>(kN)) != static_cast<int>(kN) || got != want)
    p.push_back(
        "RSA signature does not verify (S^3 mod N is not the PKCS#1 v1.5 SHA-256 encoding of header||body)");
  const QValues q = compute_q(s.get(), n.get(), ctx.get());
  if (!q.q1_fits)
    p.push_back("Q1 mismatch: the correct Q1 does not fit in 384 bytes (SIGNATURE >= MODULUS)");
  else if (std::memcmp(q.q1.data(), q1_le, kN) != 0)
    p.push_back("Q1 mismatch: expected " + hexs(q.q1.data(), 8) + "...");
  if (!q.q2_fits)
    p.push_back("Q2 mismatch: the correct Q2 does not fit in 384 bytes (SIGNATURE >= MODULUS)");
  else if (std::memcmp(q.q2.data(), q2_le, kN) != 0)
    p.push_back("Q2 mismatch: expected " + hexs(q.q2.data(), 8) + "...");
  return p;
}

std::vector<std::string> check_einit(const sgx::Sigstruct& ss, const EnclaveIdentity& secs) {
  std::vector<std::string> p = check_sigstruct(ss);
  if (std::memcmp(ss.enclave_hash, secs.mrenclave.data(), 32) != 0)
    p.push_back("ENCLAVEHASH " + hexs(ss.enclave_hash, 32) + " does not match the enclave's MRENCLAVE " +
                to_hex(secs.mrenclave) + " (the enclave changed after signing; re-run 'cocoon sign')");
  const sgx::Attributes& a = ss.attributes;
  const sgx::Attributes& mask = ss.attribute_mask;
  if ((a.flags & mask.flags) != (secs.attributes.flags & mask.flags))
    p.push_back("ATTRIBUTES.FLAGS: enclave has " + hx(secs.attributes.flags, 16) +
                ", SIGSTRUCT requires " + hx(a.flags & mask.flags, 16) +
                " under mask " + hx(mask.flags, 16));
  if ((a.xfrm & mask.xfrm) != (secs.attributes.xfrm & mask.xfrm))
    p.push_back("ATTRIBUTES.XFRM: enclave has " + hx(secs.attributes.xfrm, 0) +
                ", SIGSTRUCT requires " + hx(a.xfrm & mask.xfrm, 0) + " under mask " + hx(mask.xfrm, 16));
  if ((ss.misc_select & ss.misc_mask) != (secs.misc_select & ss.misc_mask))
    p.push_back("MISCSELECT: enclave has " + hx(secs.misc_select, 8) +
                ", SIGSTRUCT requires " + hx(ss.misc_select & ss.misc_mask, 8) +
                " under mask " + hx(ss.misc_mask, 8));
  return p;
}

Digest mrsigner(const sgx::Sigstruct& ss) { return mrsigner_of_modulus(ss.modulus); }

Digest mrsigner_of_modulus(const std::uint8_t modulus_le[384]) {
  Digest d{};
  crypto::sha256(modulus_le, kN, d.data());
  return d;
}

// ---- dumps ---------------------------------------------------------------------------------

std::string describe_sigstruct(const sgx::Sigstruct& ss) {
  std::ostringstream o;
  std::string names;
  o << "header:          " << hexs(ss.header, 16) << "\n";
  o << "vendor:          " << hx(ss.vendor, 4) << (ss.vendor == sgx::kSigstructVendorIntel ? " (Intel)" : "")
    << "\n";
  o << "date:            " << date_text(ss.date) << "\n";
  o << "header2:         " << hexs(ss.header2, 16) << "\n";
  o << "swdefined:       " << hx(ss.sw_defined, 8) << "\n";
  o << "reserved1:       " << reserved_text(ss.reserved1, sizeof ss.reserved1) << "\n";
  o << "modulus:         " << hexs(ss.modulus, kN) << "\n";
  o << "exponent:        " << ss.exponent << "\n";
  o << "signature:       " << hexs(ss.signature, kN) << "\n";
  o << "miscselect:      " << hx(ss.misc_select, 8) << "\n";
  o << "miscmask:        " << hx(ss.misc_mask, 8) << "\n";
  o << "reserved2:       " << reserved_text(ss.reserved2, sizeof ss.reserved2) << " (CET attributes on newer CPUs)\n";
  o << "isvfamilyid:     " << hexs(ss.isv_family_id, 16) << "\n";
  o << "attributes:      flags " << hx(ss.attributes.flags, 16) << " ("
    << attribute_names(ss.attributes.flags, names) << "), xfrm " << hx(ss.attributes.xfrm, 16) << "\n";
  o << "attributemask:   flags " << hx(ss.attribute_mask.flags, 16) << ", xfrm "
    << hx(ss.attribute_mask.xfrm, 16) << "\n";
  o << "enclavehash:     " << hexs(ss.enclave_hash, 32) << "\n";
  o << "reserved3:       " << reserved_text(ss.reserved3, sizeof ss.reserved3) << "\n";
  o << "isvextprodid:    " << hexs(ss.isv_ext_prod_id, 16) << "\n";
  o << "isvprodid:       " << ss.isv_prod_id << "\n";
  o << "isvsvn:          " << ss.isv_svn << "\n";
  o << "reserved4:       " << reserved_text(ss.reserved4, sizeof ss.reserved4) << "\n";
  o << "q1:              " << hexs(ss.q1, kN) << "\n";
  o << "q2:              " << hexs(ss.q2, kN) << "\n";
  o << "mrenclave:       " << hexs(ss.enclave_hash, 32) << "\n";
  o << "mrsigner:        " << to_hex(mrsigner(ss)) << "\n";
  return o.str();
}

nlohmann::json sigstruct_to_json(const sgx::Sigstruct& ss) {
  std::string names;
  nlohmann::json j;
  j["header"] = hexs(ss.header, 16);
  j["vendor"] = ss.vendor;
  j["date"] = hx(ss.date, 8).substr(2);
  j["date_valid"] = is_valid_bcd_date(ss.date);
  j["header2"] = hexs(ss.header2, 16);
  j["swdefined"] = ss.sw_defined;
  j["reserved1"] = hexs(ss.reserved1, sizeof ss.reserved1);
  j["reserved2"] = hexs(ss.reserved2, sizeof ss.reserved2);
  j["reserved3"] = hexs(ss.reserved3, sizeof ss.reserved3);
  j["reserved4"] = hexs(ss.reserved4, sizeof ss.reserved4);
  j["modulus"] = hexs(ss.modulus, kN);
  j["exponent"] = ss.exponent;
  j["signature"] = hexs(ss.signature, kN);
  j["miscselect"] = ss.misc_select;
  j["miscmask"] = ss.misc_mask;
  j["isvfamilyid"] = hexs(ss.isv_family_id, 16);
  j["attributes"] = {{"flags", hx(ss.attributes.flags, 16)},
                     {"flag_names", attribute_names(ss.attributes.flags, names)},
                     {"xfrm", hx(ss.attributes.xfrm, 16)}};
  j["attributemask"] = {{"flags", hx(ss.attribute_mask.flags, 16)},
                        {"xfrm", hx(ss.attribute_mask.xfrm, 16)}};
  j["enclavehash"] = hexs(ss.enclave_hash, 32);
  j["isvextprodid"] = hexs(ss.isv_ext_prod_id, 16);
  j["isvprodid"] = ss.isv_prod_id;
  j["isvsvn"] = ss.isv_svn;
  j["q1"] = hexs(ss.q1, kN);
  j["q2"] = hexs(ss.q2, kN);
  j["mrenclave"] = hexs(ss.enclave_hash, 32);
  j["mrsigner"] = to_hex(mrsigner(ss));
  return j;
}

}  // namespace cocoon::measure
