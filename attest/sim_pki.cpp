#include "sim_pki.hpp"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "sim_qe.hpp"

namespace cocoon::quote {

namespace fs = std::filesystem;

namespace {

constexpr const char* kRootKey = "root-ca.key";
constexpr const char* kCaCert = "pck-ca.pem";
constexpr const char* kCaKey = "pck-ca.key";
constexpr const char* kLeafCert = "pck.pem";
constexpr const char* kLeafKey = "pck.key";
constexpr const char* kAttestKey = "qe-attest.key";

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("simulated attestation PKI: " + what); }

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  if (!in) fail(p.string() + ": cannot read (" + std::strerror(errno) + ")");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Writes `data` to dir/name with mode 0600 atomically (temp file + rename).
void write_private(const fs::path& dir, const char* name, const std::string& data) {
  fs::path tmp = dir / (std::string(".") + name + ".tmp");
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) fail(tmp.string() + ": cannot create (" + std::strerror(errno) + ")");
  ::fchmod(fd, 0600);
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      ::close(fd);
      fail(tmp.string() + ": write failed (" + std::strerror(errno) + ")");
    }
    off += static_cast<std::size_t>(n);
  }
  ::fsync(fd);
  ::close(fd);
  if (::rename(tmp.c_str(), (dir / name).c_str()) != 0)
    fail((dir / name).string() + ": cannot rename into place (" + std::strerror(errno) + ")");
}

std::string key_pem(EVP_PKEY* key) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  char* p = nullptr;
  long n = BIO_get_mem_data(bio.get(), &p);
  return std::string(p, static_cast<std::size_t>(n));
}

PkeyPtr load_key(const fs::path& p) {
  std::string pem = read_file(p);
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || !is_p256_key(key.get()))
    fail(p.string() + ": not a P-256 private key in PEM (" + openssl_error() +
         "); delete the directory to recreate the simulated PKI");
  return key;
}

X509Ptr load_cert(const fs::path& p) {
  std::string pem = read_file(p);
  std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert)
    fail(p.string() + ": not a PEM certificate (" + openssl_error() +
         "); delete the directory to recreate the simulated PKI");
  return cert;
}

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail(std::string("cannot add extension ") + value);
}

X509Ptr make_cert(const char* cn, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key, const char* constraints,
                  const char* key_usage) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), X509_VERSION_3);
  std::uint8_t serial[16];
  RAND_bytes(serial, sizeof serial);
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -24 * 3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 20L * 365 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Cocoon simulation (not Intel)"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer ? X509_get_subject_name(issuer) : name);
  X509* iss = issuer ? issuer : cert.get();
  add_ext(cert.get(), iss, NID_basic_constraints, constraints);
  add_ext(cert.get(), iss, NID_key_usage, key_usage);
  add_ext(cert.get(), iss, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), iss, NID_authority_key_identifier, "keyid:always");
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0)
    fail("cannot sign certificate " + std::string(cn) + ": " + openssl_error());
  return cert;
}

void create(const fs::path& dir) {
  PkeyPtr root_key = p256_generate(), ca_key = p256_generate(), leaf_key = p256_generate(),
          attest_key = p256_generate();
  X509Ptr root = make_cert("Cocoon Simulated SGX Root CA", root_key.get(), nullptr, nullptr, "critical,CA:TRUE",
                           "critical,keyCertSign,cRLSign");
  X509Ptr ca = make_cert("Cocoon Simulated SGX PCK Platform CA", ca_key.get(), root.get(), root_key.get(),
                         "critical,CA:TRUE,pathlen:0", "critical,keyCertSign,cRLSign");
  X509Ptr leaf = make_cert("Cocoon Simulated SGX PCK Certificate", leaf_key.get(), ca.get(), ca_key.get(),
                           "critical,CA:FALSE", "critical,digitalSignature,nonRepudiation");
  // Keys first, the root certificate last: its presence marks a complete PKI.
  write_private(dir, kRootKey, key_pem(root_key.get()));
  write_private(dir, kCaKey, key_pem(ca_key.get()));
  write_private(dir, kLeafKey, key_pem(leaf_key.get()));
  write_private(dir, kAttestKey, key_pem(attest_key.get()));
  write_private(dir, kCaCert, to_pem(ca.get()));
  write_private(dir, kLeafCert, to_pem(leaf.get()));
  write_private(dir, kSimRootFile, to_pem(root.get()));
}

}  // namespace

std::string default_sim_dir() {
  if (const char* d = std::getenv("COCOON_SIM_DIR"); d && *d) return d;
  const char* home = std::getenv("HOME");
  if (!home || !*home) fail("neither COCOON_SIM_DIR nor HOME is set; set COCOON_SIM_DIR to a directory");
  return std::string(home) + "/.local/share/cocoon/sim";
}

SimPki load_or_create_sim_pki(const std::string& dir_str) {
  fs::path dir(dir_str);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) fail(dir.string() + ": cannot create the directory (" + ec.message() + ")");
  ::chmod(dir.c_str(), 0700);
  int lock = ::open((dir / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock < 0) fail((dir / ".lock").string() + ": cannot open (" + std::strerror(errno) + ")");
  ::flock(lock, LOCK_EX);
  try {
    if (!fs::exists(dir / kSimRootFile)) create(dir);
  } catch (...) {
    ::close(lock);
    throw;
  }
  ::close(lock);

  SimPki pki;
  pki.dir = dir.string();
  pki.root = load_cert(dir / kSimRootFile);
  pki.pck_ca = load_cert(dir / kCaCert);
  pki.pck_leaf = load_cert(dir / kLeafCert);
  pki.pck_leaf_key = load_key(dir / kLeafKey);
  pki.attest_key = load_key(dir / kAttestKey);
  if (X509_check_private_key(pki.pck_leaf.get(), pki.pck_leaf_key.get()) != 1)
    fail((dir / kLeafKey).string() + " does not match " + (dir / kLeafCert).string() +
         "; delete the directory to recreate the simulated PKI");
  ERR_clear_error();
  pki.chain_pem = to_pem(pki.pck_leaf.get()) + to_pem(pki.pck_ca.get()) + to_pem(pki.root.get());
  return pki;
}

TrustAnchor sim_root_anchor(const std::string& dir) {
  fs::path p = fs::path(dir) / kSimRootFile;
  if (!fs::exists(p))
    throw std::runtime_error("no simulated root CA at " + p.string() +
                             " (it is created by the first simulated quote; set COCOON_SIM_DIR or pass --root)");
  TrustAnchor a;
  a.root_cert = load_cert(p);
  a.name = "Cocoon simulated root CA (" + p.string() + ")";
  a.root_public_key = p256_public_to_raw(X509_get0_pubkey(a.root_cert.get()));
  a.qe_mr_signer = sim_qe_mr_signer();
  a.qe_isv_prod_id = kSimQeIsvProdId;
  a.simulated = true;
  return a;
}

}  // namespace cocoon::quote
