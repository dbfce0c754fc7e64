// `cocoon verify-quote`: verify a DCAP ECDSA quote v3 offline (structure, signatures, QE
// binding, PCK chain to a trusted root) and check the enclave against a policy.
#include <sys/stat.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "command.hpp"
#include "intel_root.hpp"
#include "quote_verifier.hpp"
#include "sim_pki.hpp"
#include "sim_qe.hpp"

namespace {

using namespace cocoon::quote;
using nlohmann::json;

struct Opts {
  std::string quote;
  std::string mrenclave, mrsigner, report_data, root;
  std::optional<std::uint16_t> isvprodid, min_isvsvn;
  std::optional<long long> at;
  bool allow_debug = false;
  bool json = false;
};

json report_json(const ReportBody& r) {
  return {{"cpu_svn", to_hex(field(r.cpu_svn))},
          {"misc_select", r.misc_select},
          {"isv_ext_prod_id", to_hex(field(r.isv_ext_prod_id))},
          {"attributes", {{"flags", r.attributes.flags}, {"xfrm", r.attributes.xfrm}}},
          {"debug", (r.attributes.flags & kAttributeDebug) != 0},
          {"mr_enclave", to_hex(field(r.mr_enclave))},
          {"mr_signer", to_hex(field(r.mr_signer))},
          {"config_id", to_hex(field(r.config_id))},
          {"isv_prod_id", r.isv_prod_id},
          {"isv_svn", r.isv_svn},
          {"config_svn", r.config_svn},
          {"isv_family_id", to_hex(field(r.isv_family_id))},
          {"report_data", to_hex(field(r.report_data))}};
}

json quote_json(const VerifiedQuote& v) {
  const ParsedQuote& q = v.quote;
  return {{"size", q.size},
          {"header",
           {{"version", q.header.version},
            {"att_key_type", q.header.att_key_type},
            {"qe_svn", q.header.qe_svn},
            {"pce_svn", q.header.pce_svn},
            {"qe_vendor_id", to_hex(q.header.qe_vendor_id)},
            {"user_data", to_hex(std::span(q.header.user_data))}}},
          {"isv_report", report_json(q.isv_report)},
          {"signature_data_len", q.signature_data_len},
          {"isv_signature", to_hex(q.sig.isv_signature)},
          {"attestation_key", to_hex(q.sig.attest_key)},
          {"qe_report", report_json(q.sig.qe_report)},
          {"qe_report_signature", to_hex(q.sig.qe_report_signature)},
          {"qe_auth_data", to_hex(q.qe_auth_data)},
          {"certification_data_type", q.cert_data_type},
          {"pck_chain", v.chain_subjects},
          {"root", v.anchor_name},
          {"simulated", v.simulated}};
}

std::vector<std::uint8_t> read_quote(const std::string& path) {
  struct stat st{};
  if (::stat(path.c_str(), &st) != 0) throw std::runtime_error(path + ": no such file");
  if (!S_ISREG(st.st_mode)) throw std::runtime_error(path + ": not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxQuoteSize)
    throw std::runtime_error(path + ": " + std::to_string(st.st_size) + " bytes, more than the " +
                             std::to_string(kMaxQuoteSize) + "-byte limit for a quote");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path + ": cannot read");
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

Bytes32 hash_arg(const std::string& hex, const char* name) {
  auto b = from_hex(hex, name);
  if (b.size() != 32)
    throw std::invalid_argument(std::string(name) + ": expected 32 bytes (64 hex digits), got " +
                                std::to_string(b.size()));
  Bytes32 out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

std::vector<TrustAnchor> anchors_for(const Opts& o) {
  std::vector<TrustAnchor> anchors;
  if (!o.root.empty()) {
    TrustAnchor a = anchor_from_pem_file(o.root);
    if (a.root_public_key != kIntelSgxRootPublicKey) {
      // Any root other than Intel's can only be a Cocoon simulated root: its PCK signs the
      // simulated quoting enclave.
      a.qe_mr_signer = sim_qe_mr_signer();
      a.qe_isv_prod_id = kSimQeIsvProdId;
      a.simulated = true;
    }
    anchors.push_back(std::move(a));
    return anchors;
  }
  anchors.push_back(intel_root_anchor());
  try {
    anchors.push_back(sim_root_anchor(default_sim_dir()));
  } catch (const std::exception&) {
    // No simulated root on this host: only real quotes can verify.
  }
  return anchors;
}

int run(const Opts& o) {
  auto fail = [&](const std::string& what, const char* part) {
    std::fprintf(stderr, "cocoon verify-quote: %s\n", what.c_str());
    if (o.json) {
      json j = {{"ok", false}, {"error", what}};
      if (part) j["part"] = part;
      std::printf("%s\n", j.dump(2).c_str());
    }
    return 1;
  };
  QuotePolicy policy;
  std::vector<std::uint8_t> bytes;
  VerifyOptions vo;
  try {
    if (!o.mrenclave.empty()) policy.mr_enclave = hash_arg(o.mrenclave, "--mrenclave");
    if (!o.mrsigner.empty()) policy.mr_signer = hash_arg(o.mrsigner, "--mrsigner");
    if (!o.report_data.empty()) {
      policy.report_data = from_hex(o.report_data, "--report-data");
      if (policy.report_data->size() > 64)
        throw std::invalid_argument("--report-data: at most 64 bytes (128 hex digits), got " +
                                    std::to_string(policy.report_data->size()));
    }
    policy.isv_prod_id = o.isvprodid;
    policy.min_isv_svn = o.min_isvsvn;
    policy.allow_debug = o.allow_debug;
    bytes = read_quote(o.quote);
    vo.anchors = anchors_for(o);
    if (o.at) vo.at = static_cast<std::time_t>(*o.at);
  } catch (const std::exception& e) {
    return fail(e.what(), nullptr);
  }
  try {
    VerifiedQuote v = verify_quote(bytes, vo);
    check_policy(v.quote.isv_report, policy);
    if (o.json) {
      json j = quote_json(v);
      j["ok"] = true;
      std::printf("%s\n", j.dump(2).c_str());
    } else {
      std::printf("OK: %s quote, MRENCLAVE %s MRSIGNER %s ISVPRODID %u ISVSVN %u, chain to %s\n",
                  v.simulated ? "simulated" : "SGX", to_hex(field(v.quote.isv_report.mr_enclave)).c_str(),
                  to_hex(field(v.quote.isv_report.mr_signer)).c_str(), v.quote.isv_report.isv_prod_id,
                  v.quote.isv_report.isv_svn, v.anchor_name.c_str());
    }
    return 0;
  } catch (const QuoteError& e) {
    return fail(o.quote + ": " + e.what(), part_name(e.part()));
  } catch (const std::exception& e) {
    return fail(o.quote + ": " + e.what(), nullptr);
  }
}

cocoon::tools::CommandRegistration reg{
    "verify-quote", "Verify a DCAP ECDSA quote (v3) offline and check the enclave against a policy",
    [](CLI::App& app) {
      auto o = std::make_shared<Opts>();
      app.add_option("QUOTE", o->quote, "Quote file (binary)")->required();
      app.add_option("--mrenclave", o->mrenclave, "Required MRENCLAVE (64 hex digits)");
      app.add_option("--mrsigner", o->mrsigner, "Required MRSIGNER (64 hex digits)");
      app.add_option("--isvprodid", o->isvprodid, "Required ISVPRODID");
      app.add_option("--min-isvsvn", o->min_isvsvn, "Minimum ISVSVN");
      app.add_option("--report-data", o->report_data, "Required REPORTDATA (hex, up to 64 bytes, zero-extended)");
      app.add_option("--root", o->root,
                     "Trusted root certificate (PEM). Default: Intel's SGX Root CA (pinned) and this host's "
                     "simulated root");
      app.add_option("--at", o->at, "Check certificate validity at this Unix time instead of now");
      app.add_flag("--allow-debug", o->allow_debug, "Accept an enclave with the DEBUG attribute");
      app.add_flag("--json", o->json, "Print every field as JSON");
      return [o]() { return run(*o); };
    }};

}  // namespace
