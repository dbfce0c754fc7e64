// Intel SGX Root CA pin.
//
// Where it came from: the root certificate ("CN=Intel SGX Root CA, O=Intel Corporation,
// L=Santa Clara, ST=CA, C=US", valid 2018-05-21 .. 2033-05-21) embedded in the PCK chain of
// shared/vectors/quotes/fortanix_quote.bin (and, in a different order, in
// fortanix_quote_pck_cert_chain.bin). Its public key equals the key Intel hard-codes in the
// DCAP Quote Verification Enclave as INTEL_ROOT_PUB_KEY (sgx-structures.md §7), which is the
// independent source that makes the pin trustworthy. The certificate's SHA-256 fingerprint is
// fc64f8076d79a4fee9d1d473d74c89eb8d8fd55c5abafeabeba7366d20429404 (openssl x509 -fingerprint
// -sha256); tests/attest check both against the vectors.
#include "intel_root.hpp"

#include "pck_chain.hpp"

namespace cocoon::quote {

TrustAnchor intel_root_anchor() {
  TrustAnchor a;
  a.name = "Intel SGX Root CA (pinned public key)";
  a.root_public_key = kIntelSgxRootPublicKey;
  a.qe_mr_signer = kIntelQeMrSigner;
  a.qe_isv_prod_id = kIntelQeIsvProdId;
  a.simulated = false;
  return a;
}

}  // namespace cocoon::quote
