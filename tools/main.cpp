// cocoon: one CLI for running programs in (simulated) SGX enclaves, building and signing
// enclave manifests, and attestation. Subcommands register themselves (see command.hpp).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <memory>
#include <string_view>

#include <openssl/crypto.h>

#include "command.hpp"

int main(int argc, char** argv) {
  // Cocoon's crypto needs no system OpenSSL configuration, and nothing needs freeing at exit:
  // both cost start-up time on every `cocoon run`.
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, nullptr);
  CLI::App app{"Cocoon: run unmodified Linux programs inside SGX enclaves"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "cocoon 0.1.0");

  auto& registry = cocoon::tools::command_registry();
  std::sort(registry.begin(), registry.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  // Only the chosen subcommand's options are set up (all of them when none is recognisable,
  // e.g. for --help): building every option of every subcommand showed in start-up time.
  const std::string_view chosen = argc > 1 ? argv[1] : "";
  const bool known = std::any_of(registry.begin(), registry.end(), [&](const auto& c) { return c.name == chosen; });
  std::vector<std::pair<CLI::App*, cocoon::tools::CommandRunner>> runners;
  for (auto& cmd : registry) {
    CLI::App* sub = app.add_subcommand(cmd.name, cmd.help);
    if (!known || cmd.name == chosen) runners.emplace_back(sub, cmd.setup(*sub));
  }
  // Split at the first "--": what follows belongs to the program, not to cocoon.
  int head = argc;
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--") {
      head = i;
      break;
    }
  for (int i = head + 1; i < argc; ++i) cocoon::tools::passthrough_args().emplace_back(argv[i]);
  try {
    app.parse(head, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    for (auto& [sub, run] : runners)
      if (sub->parsed()) return run();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cocoon: %s\n", e.what());
    return 1;
  }
  return 1;
}
