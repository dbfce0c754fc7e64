// cocoon run: run a program inside a (simulated) enclave.
//   cocoon run [options] -- PROGRAM [ARGS…]
#include <malloc.h>

#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "tools/run/launcher.hpp"
#include "tools/run/program_check.hpp"
#include "tools/run/signed_launch.hpp"
#include "tools/size_option.hpp"

extern char** environ;

namespace {

struct RunCli {
  std::string enclave_size = "4G";
  std::uint32_t max_threads = 64;
  bool verbose = false, stats = false, test_no_dispatch = false, no_patch = false;
  std::string hostile;
  std::string sig;
  bool no_manifest = false;
  std::vector<std::string> command;
};

cocoon::tools::CommandRegistration reg{
    "run",
    "Run a program inside a simulated SGX enclave: cocoon run [options] APP.toml [-- ARGS...] (signed), or "
    "cocoon run [options] -- PROGRAM [ARGS...] (zero-config)",
    [](CLI::App& app) -> cocoon::tools::CommandRunner {
      auto cli = std::make_shared<RunCli>();
      app.add_option("--enclave-size", cli->enclave_size, "Enclave size (power of two, e.g. 1G, 4G)")
          ->capture_default_str();
      app.add_option("--max-threads", cli->max_threads, "Maximum number of threads in the enclave")
          ->capture_default_str()
          ->check(CLI::Range(1u, 4096u));
      app.add_flag("-v,--verbose", cli->verbose, "Explain what happens; name each refused syscall once");
      app.add_flag("--stats", cli->stats, "At exit, print peak EPC use and syscall counts per path");
      app.add_flag("--no-patch", cli->no_patch, "Never rewrite syscall sites (every syscall traps; for debugging)");
      auto* t1 = app.add_flag("--test-no-dispatch", cli->test_no_dispatch,
                              "TEST ONLY: leave Syscall User Dispatch off so that the seccomp filter must stop the program");
      auto* t2 = app.add_option("--test-hostile-proxy", cli->hostile, "TEST ONLY: make the untrusted proxy lie");
      t1->group("Testing");
      t2->group("Testing");
      app.add_option("--sig", cli->sig, "Signature of the manifest (default: APP.sig next to APP.toml)");
      app.add_flag("--no-manifest", cli->no_manifest,
                   "Debugging: run without a manifest (no file is verified; the enclave is not signed)");
      app.add_option("manifest", cli->command, "APP.toml (signed run); the program comes after --");
      return [cli]() -> int {
        // A start copies large buffers a few times (the manifest text and its compiled
        // form, hundreds of KiB each): from the heap, where freed memory is used again, not
        // each from a fresh mapping whose every page faults in (1,180 -> 900 faults for a
        // signed python3 with its stdlib trusted). `cocoon run` lives as long as its program
        // and allocates little after the start.
        const std::vector<int> std_fds = cocoon::run::reserve_std_fds();  // first: before any open
        mallopt(M_MMAP_THRESHOLD, 64 << 20);
        mallopt(M_TRIM_THRESHOLD, 128 << 20);
        for (const std::string& a : cocoon::tools::passthrough_args()) cli->command.push_back(a);
        if (cli->command.empty()) {
          std::fprintf(stderr, "cocoon run: nothing to run: give APP.toml, or -- PROGRAM [ARGS...]\n");
          return 2;
        }
        cocoon::run::RunOptions o;
        o.std_fds = std_fds;
        std::uint64_t size = 0;
        std::string err;
        if (!cocoon::tools::parse_size(cli->enclave_size, size, err)) {
          std::fprintf(stderr, "cocoon run: --enclave-size: %s\n", err.c_str());
          return 2;
        }
        if (size & (size - 1) || size < (64ull << 20)) {
          std::fprintf(stderr, "cocoon run: --enclave-size: %s is not a power of two of at least 64M\n",
                       cli->enclave_size.c_str());
          return 2;
        }
        o.enclave_size = size;
        o.max_threads = cli->max_threads;
        o.verbose = cli->verbose;
        o.stats = cli->stats;
        o.test_no_dispatch = cli->test_no_dispatch;
        o.no_patch = cli->no_patch;
        o.hostile_proxy = cli->hostile;
        for (char** e = environ; *e; ++e) o.env.emplace_back(*e);
        const std::string& first = cli->command.front();
        try {
          if (first.size() > 5 && first.compare(first.size() - 5, 5, ".toml") == 0) {
            std::string sig = cli->sig.empty() ? first.substr(0, first.size() - 5) + ".sig" : cli->sig;
            std::vector<std::string> host_args(cli->command.begin() + 1, cli->command.end());
            cocoon::run::prepare_signed(first, sig, host_args, o);
          } else if (cli->no_manifest) {
            o.program = first;
            o.argv = cli->command;
          } else {
            // The program is checked first: a missing file, a non-ELF or 32-bit program, a
            // script without interpreter get their precise message (and 127, like a shell).
            const char* path = std::getenv("PATH");
            try {
              cocoon::run::check_program(first, path ? path : "");
            } catch (const cocoon::run::ProgramError& e) {
              std::fprintf(stderr, "cocoon: %s\n", e.what());
              return 127;
            }
            cocoon::run::prepare_zero_config(cli->command, o);
          }
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cocoon run: %s\n", e.what());
          return 72;
        }
        return cocoon::run::run_in_enclave(o);
      };
    }};

}  // namespace
