#include "quote_source.hpp"

#include <cstdlib>

#include "aesm_client.hpp"
#include "sim_cpu_store.hpp"
#include "sim_qe.hpp"

namespace cocoon::quote {

namespace {

class AesmQuoteSource : public QuoteSource {
 public:
  explicit AesmQuoteSource(aesm::AesmClientOptions o) : client_(o), opts_(std::move(o)) {}
  TargetInfo target_info() override { return client_.init_quote_ex().target_info; }
  std::vector<std::uint8_t> quote(const Report& report) override { return client_.get_quote(report); }
  std::string describe() const override {
    return std::string("aesm:") + (opts_.socket_path ? *opts_.socket_path : aesm::kAesmSocketPath);
  }

 private:
  aesm::AesmClient client_;
  aesm::AesmClientOptions opts_;
};

class InProcessQuoteSource : public QuoteSource {
 public:
  explicit InProcessQuoteSource(const std::string& dir)
      : dir_(dir), cpu_(load_or_create_sim_cpu(dir)), qe_(load_or_create_sim_pki(dir), SimQuotingEnclave::mac_check_on(cpu_)) {}
  TargetInfo target_info() override { return qe_.target_info(); }
  std::vector<std::uint8_t> quote(const Report& report) override { return qe_.make_quote(report); }
  std::string describe() const override { return "in-process simulated QE (" + dir_ + ")"; }

 private:
  std::string dir_;
  attest::SimCpu cpu_;
  SimQuotingEnclave qe_;
};

}  // namespace

std::unique_ptr<QuoteSource> make_quote_source() { return make_quote_source(aesm::use_out_of_process_quoting()); }

std::unique_ptr<QuoteSource> make_quote_source(bool out_of_process) {
  if (out_of_process) {
    aesm::AesmClientOptions o;
    if (const char* p = std::getenv(kAesmSocketEnv); p && *p) o.socket_path = p;
    return std::make_unique<AesmQuoteSource>(std::move(o));
  }
  return std::make_unique<InProcessQuoteSource>(default_sim_dir());
}

}  // namespace cocoon::quote
