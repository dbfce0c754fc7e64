// `cocoon quote-helper`: an AESM-compatible quote service for simulation and tests (the role
// of Azure's "SGX quote helper" DaemonSet / aesmd). See docs/attestation.md.
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "aesm_server.hpp"
#include "aesm_socket.hpp"
#include "command.hpp"
#include "sim_cpu_store.hpp"
#include "sim_qe.hpp"

namespace {

struct Opts {
  std::string socket = cocoon::aesm::kAesmSocketPath;
  std::string sim_dir;
  std::size_t max_clients = 32;
  bool json = false;
};

int run(const Opts& o) {
  using namespace cocoon;
  auto err = [](const std::string& what) {
    std::fprintf(stderr, "cocoon quote-helper: %s\n", what.c_str());
    return 1;
  };
  // Block the stop signals in every thread; they are read from a signalfd by the accept loop.
  sigset_t stop;
  sigemptyset(&stop);
  sigaddset(&stop, SIGTERM);
  sigaddset(&stop, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop, nullptr);
  int sfd = signalfd(-1, &stop, SFD_CLOEXEC);
  if (sfd < 0) return err("signalfd failed");
  try {
    const std::string dir = o.sim_dir.empty() ? quote::default_sim_dir() : o.sim_dir;
    const attest::SimCpu cpu = quote::load_or_create_sim_cpu(dir);
    quote::SimQuotingEnclave qe(quote::load_or_create_sim_pki(dir), quote::SimQuotingEnclave::mac_check_on(cpu));
    aesm::AesmServer server(qe, {o.socket, o.max_clients, 5000, {}});
    server.bind();
    if (o.json) {
      nlohmann::json status = {{"socket", o.socket},
                               {"pid", static_cast<long>(::getpid())},
                               {"mode", "simulation"},
                               {"sim_dir", dir},
                               {"quote_size", qe.quote_size()},
                               {"max_clients", o.max_clients},
                               {"report_mac_check", qe.checks_report_mac()}};
      std::printf("%s\n", status.dump().c_str());
      std::fflush(stdout);
    }
    server.run(sfd);
    std::fprintf(stderr, "cocoon quote-helper: stopped after %llu requests; removed %s\n",
                 static_cast<unsigned long long>(server.served()), o.socket.c_str());
  } catch (const std::exception& e) {
    ::close(sfd);
    return err(e.what());
  }
  ::close(sfd);
  return 0;
}

cocoon::tools::CommandRegistration reg{
    "quote-helper", "Serve simulated DCAP quotes over the AESM socket protocol (like aesmd)",
    [](CLI::App& app) {
      auto o = std::make_shared<Opts>();
      app.add_option("--socket", o->socket, "Unix socket to listen on")->capture_default_str();
      app.add_option("--sim-dir", o->sim_dir,
                     "Simulated PKI and CPU secret (default ${COCOON_SIM_DIR:-$HOME/.local/share/cocoon/sim})");
      app.add_option("--max-clients", o->max_clients, "Clients served at once")
          ->check(CLI::Range(1, 1024))
          ->capture_default_str();
      app.add_flag("--json", o->json, "Print one JSON status line when ready");
      return [o]() { return run(*o); };
    }};

}  // namespace
