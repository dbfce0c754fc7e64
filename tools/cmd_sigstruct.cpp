// `cocoon sigstruct FILE`: print every SIGSTRUCT field and verify it the way EINIT does.
// Exit status 0 only when the SIGSTRUCT is valid (and matches --mrenclave when given).
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "manifest/measurement.hpp"
#include "manifest/sigstruct.hpp"

namespace {

struct SigstructOptions {
  std::string file;
  bool json = false;
  std::string mrenclave;
};

int run(const SigstructOptions& o) {
  using namespace cocoon::measure;
  std::vector<std::uint8_t> bytes;
  if (o.file == "-") {
    bytes.assign(std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>());
  } else {
    std::ifstream in(o.file, std::ios::binary);
    if (!in) throw std::runtime_error(o.file + ": cannot open");
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  cocoon::sgx::Sigstruct ss;
  try {
    ss = parse_sigstruct(bytes);
  } catch (const SigstructError& e) {
    throw std::runtime_error(o.file + ": " + e.what());
  }
  std::vector<std::string> problems = check_sigstruct(ss);
  if (!o.mrenclave.empty()) {
    std::vector<std::uint8_t> want;
    try {
      want = from_hex(o.mrenclave);
    } catch (const std::invalid_argument& e) {
      throw std::runtime_error("--mrenclave: " + std::string(e.what()));
    }
    if (want.size() != 32) throw std::runtime_error("--mrenclave must be 64 hex digits (32 bytes)");
    if (!std::equal(want.begin(), want.end(), ss.enclave_hash))
      problems.push_back("ENCLAVEHASH " + to_hex(std::span<const std::uint8_t>(ss.enclave_hash, 32)) +
                         " is not the expected MRENCLAVE " + o.mrenclave);
  }
  if (o.json) {
    nlohmann::json j = sigstruct_to_json(ss);
    j["valid"] = problems.empty();
    j["problems"] = problems;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << describe_sigstruct(ss);
    std::cout << "verification:    " << (problems.empty() ? "OK" : "FAILED") << "\n";
  }
  if (!problems.empty()) {
    std::fprintf(stderr, "cocoon sigstruct: %s: invalid SIGSTRUCT: %s\n", o.file.c_str(), join_problems(problems).c_str());
    return 1;
  }
  return 0;
}

cocoon::tools::CommandRegistration reg{
    "sigstruct", "Print every field of a SIGSTRUCT (.sig) and verify it as EINIT would",
    [](CLI::App& app) {
      auto o = std::make_shared<SigstructOptions>();
      app.add_option("file", o->file, "SIGSTRUCT file (1808 bytes), or - for standard input")->required();
      app.add_flag("--json", o->json, "Print JSON instead of text");
      app.add_option("--mrenclave", o->mrenclave, "Also require this ENCLAVEHASH (64 hex digits)");
      return [o]() -> int {
        try {
          return run(*o);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cocoon sigstruct: %s\n", e.what());
          return 1;
        }
      };
    }};

}  // namespace
