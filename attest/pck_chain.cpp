#include "pck_chain.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

#include "quote_error.hpp"

namespace cocoon::quote {

namespace {
constexpr std::size_t kMaxChainCerts = 8;

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  void operator()(STACK_OF(X509)* s) const { sk_X509_free(s); }
};

[[noreturn]] void fail(const std::string& what) { throw QuoteError(QuotePart::PckCertChain, what); }

bool issued(X509* issuer, X509* subject) { return X509_check_issued(issuer, subject) == X509_V_OK; }

std::string hex(std::span<const std::uint8_t> b) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (auto c : b) {
    s += d[c >> 4];
    s += d[c & 15];
  }
  return s;
}
}  // namespace

std::string x509_subject(X509* cert) {
  char buf[512];
  X509_NAME_oneline(X509_get_subject_name(cert), buf, sizeof buf);
  return buf;
}

std::string to_pem(X509* cert) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<std::size_t>(n));
}

std::vector<X509Ptr> parse_pem_certificates(std::span<const std::uint8_t> pem) {
  std::size_t n = pem.size();
  while (n > 0 && pem[n - 1] == 0) --n;  // certification data may end with a NUL
  const std::string text(reinterpret_cast<const char*>(pem.data()), n);
  const std::string begin = "-----BEGIN CERTIFICATE-----";
  const std::string end = "-----END CERTIFICATE-----";
  const char* ws = " \t\r\n";
  std::vector<X509Ptr> certs;
  // Strict: whitespace, then BEGIN … END blocks separated by whitespace, nothing else.
  std::size_t pos = text.find_first_not_of(ws);
  while (pos != std::string::npos) {
    const std::size_t index = certs.size() + 1;
    if (text.compare(pos, begin.size(), begin) != 0)
      fail("certificate " + std::to_string(index) + ": expected '" + begin + "' at offset " + std::to_string(pos) +
           " of the certification data");
    std::size_t stop = text.find(end, pos);
    if (stop == std::string::npos)
      fail("certificate " + std::to_string(index) + " (offset " + std::to_string(pos) + ") has no '" + end + "' line");
    stop += end.size();
    if (certs.size() == kMaxChainCerts)
      fail("more than " + std::to_string(kMaxChainCerts) + " certificates in the certification data");
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(text.data() + pos, static_cast<int>(stop - pos)));
    X509* c = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr);
    if (!c)
      fail("certificate " + std::to_string(index) + " (offset " + std::to_string(pos) +
           ") cannot be decoded: " + openssl_error());
    certs.emplace_back(c);
    pos = text.find_first_not_of(ws, stop);
  }
  ERR_clear_error();
  if (certs.empty()) fail("certification data holds no PEM certificate");
  return certs;
}

TrustAnchor anchor_from_pem_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("root certificate " + path + ": cannot open the file");
  std::vector<std::uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::vector<X509Ptr> certs;
  try {
    certs = parse_pem_certificates(data);
  } catch (const QuoteError& e) {
    throw std::runtime_error("root certificate " + path + ": not a PEM certificate (" + e.what() + ")");
  }
  if (certs.size() != 1)
    throw std::runtime_error("root certificate " + path + ": holds " + std::to_string(certs.size()) +
                             " certificates; give exactly one");
  TrustAnchor a;
  a.name = "root certificate " + path + " (" + x509_subject(certs[0].get()) + ")";
  EVP_PKEY* key = X509_get0_pubkey(certs[0].get());
  if (!is_p256_key(key)) throw std::runtime_error("root certificate " + path + ": key is not ECDSA P-256");
  a.root_public_key = p256_public_to_raw(key);
  a.root_cert = std::move(certs[0]);
  a.qe_mr_signer = kIntelQeMrSigner;
  a.qe_isv_prod_id = kIntelQeIsvProdId;
  return a;
}

VerifiedChain verify_pck_chain(std::vector<X509Ptr> certs, const std::vector<TrustAnchor>& anchors,
                               std::optional<std::time_t> at) {
  if (certs.empty()) fail("no certificates");
  // The leaf is the certificate that issued none of the others.
  std::vector<std::size_t> leaves;
  for (std::size_t i = 0; i < certs.size(); ++i) {
    bool issuer_of_other = false;
    for (std::size_t j = 0; j < certs.size(); ++j)
      if (i != j && issued(certs[i].get(), certs[j].get())) issuer_of_other = true;
    if (!issuer_of_other) leaves.push_back(i);
  }
  if (leaves.size() != 1) {
    std::string names;
    for (auto i : leaves) names += (names.empty() ? "'" : ", '") + x509_subject(certs[i].get()) + "'";
    fail(leaves.empty() ? std::string("no leaf certificate (the certificates issue each other in a cycle)")
                        : "more than one leaf certificate: " + names + " (the certificates do not form one chain)");
  }
  std::vector<X509*> chain{certs[leaves[0]].get()};
  std::vector<bool> used(certs.size(), false);
  used[leaves[0]] = true;
  while (!issued(chain.back(), chain.back())) {
    std::size_t next = certs.size();
    for (std::size_t j = 0; j < certs.size(); ++j)
      if (!used[j] && issued(certs[j].get(), chain.back())) next = j;
    if (next == certs.size()) break;
    used[next] = true;
    chain.push_back(certs[next].get());
  }
  for (std::size_t j = 0; j < certs.size(); ++j)
    if (!used[j]) fail("certificate '" + x509_subject(certs[j].get()) + "' is not part of the leaf's chain");

  // Match the top of the chain with an anchor.
  const TrustAnchor* anchor = nullptr;
  X509* top = chain.back();
  X509* root = nullptr;
  if (issued(top, top)) {
    EVP_PKEY* key = X509_get0_pubkey(top);
    if (!is_p256_key(key)) fail("root certificate '" + x509_subject(top) + "' does not have a P-256 key");
    Bytes64 raw = p256_public_to_raw(key);
    for (const auto& a : anchors)
      if (a.root_public_key == raw) anchor = &a;
    root = top;
    if (!anchor) {
      std::string trusted;
      for (const auto& a : anchors) trusted += (trusted.empty() ? "" : "; ") + a.name;
      fail("the chain ends at '" + x509_subject(top) + "' (key " + hex(raw).substr(0, 16) +
           "…), which is not a trusted root; trusted: " + (trusted.empty() ? "none" : trusted) +
           ". Pass --root with the right root certificate");
    }
  } else {
    for (const auto& a : anchors)
      if (a.root_cert && issued(a.root_cert.get(), top)) {
        anchor = &a;
        root = a.root_cert.get();
      }
    if (!anchor) {
      char issuer[512];
      X509_NAME_oneline(X509_get_issuer_name(top), issuer, sizeof issuer);
      fail("the chain ends at '" + x509_subject(top) + "', issued by '" + issuer +
           "', which is neither in the certification data nor a trusted root");
    }
    chain.push_back(root);
  }

  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  std::unique_ptr<STACK_OF(X509), StackFree> untrusted(sk_X509_new_null());
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!store || !untrusted || !ctx || X509_STORE_add_cert(store.get(), root) != 1)
    fail("OpenSSL setup failed: " + openssl_error());
  for (std::size_t i = 1; i + 1 < chain.size(); ++i) sk_X509_push(untrusted.get(), chain[i]);
  if (X509_STORE_CTX_init(ctx.get(), store.get(), chain[0], untrusted.get()) != 1)
    fail("OpenSSL setup failed: " + openssl_error());
  X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
  X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_CHECK_SS_SIGNATURE);
  if (at) X509_VERIFY_PARAM_set_time(param, *at);
  if (X509_verify_cert(ctx.get()) != 1) {
    int err = X509_STORE_CTX_get_error(ctx.get());
    int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    X509* bad = X509_STORE_CTX_get_current_cert(ctx.get());
    ERR_clear_error();
    fail("certificate '" + (bad ? x509_subject(bad) : std::string("?")) + "' (depth " + std::to_string(depth) +
         "): " + X509_verify_cert_error_string(err));
  }
  VerifiedChain out;
  EVP_PKEY* leaf_key = X509_get0_pubkey(chain[0]);
  if (!is_p256_key(leaf_key)) fail("PCK leaf certificate '" + x509_subject(chain[0]) + "' does not have a P-256 key");
  EVP_PKEY_up_ref(leaf_key);
  out.leaf_key.reset(leaf_key);
  for (X509* c : chain) out.subjects.push_back(x509_subject(c));
  out.anchor = anchor;
  return out;
}

}  // namespace cocoon::quote
