// `cocoon measure`: MRENCLAVE of the enclave a manifest describes (optionally writing the
// SGXS measurement stream), or of an existing .sgxs / .jsonl measurement log.
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "command.hpp"
#include "manifest/enclave_signing.hpp"
#include "manifest/measurement.hpp"
#include "shim/shim_image.hpp"

namespace {

struct MeasureOptions {
  std::string input;
  std::string sgxs;
};

int run(const MeasureOptions& o) {
  using namespace cocoon::measure;
  std::unique_ptr<std::ofstream> sgxs_file;
  std::optional<SgxsWriter> writer;
  if (!o.sgxs.empty()) {
    sgxs_file = std::make_unique<std::ofstream>(o.sgxs, std::ios::binary | std::ios::trunc);
    if (!*sgxs_file) throw std::runtime_error(o.sgxs + ": cannot create the SGXS file");
    writer.emplace(*sgxs_file);
  }
  SgxsWriter* w = writer ? &*writer : nullptr;
  Digest mrenclave;
  if (o.input.ends_with(".sgxs") || o.input.ends_with(".jsonl")) {
    std::ifstream in(o.input, std::ios::binary);
    if (!in) throw std::runtime_error(o.input + ": cannot open");
    try {
      if (o.input.ends_with(".jsonl")) {
        mrenclave = replay_jsonl(in, w);
      } else {
        if (w) throw std::runtime_error("--sgxs: the input is already an SGXS stream");
        mrenclave = replay_sgxs(in);
      }
    } catch (const MeasurementError& e) {
      throw std::runtime_error(o.input + ": " + e.what());
    }
  } else {
    const auto m = cocoon::manifest::load_manifest_file(o.input);
    const auto img = enclave_image(m, cocoon::shim::shim_image());
    try {
      mrenclave = measure_layout(img.params, w);
    } catch (const MeasurementError& e) {
      throw std::runtime_error(o.input + ": " + e.what());
    }
  }
  if (writer) writer->flush();
  std::cout << "MRENCLAVE " << to_hex(mrenclave) << "\n";
  return 0;
}

cocoon::tools::CommandRegistration reg{
    "measure", "Compute MRENCLAVE of a manifest's enclave (or of a .sgxs/.jsonl log); --sgxs writes the stream",
    [](CLI::App& app) {
      auto o = std::make_shared<MeasureOptions>();
      app.add_option("input", o->input, "Manifest (.toml), or a measurement log (.sgxs or .jsonl)")->required();
      app.add_option("--sgxs", o->sgxs, "Write the measurement stream to this file (SGXS format)");
      return [o]() -> int {
        try {
          return run(*o);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cocoon measure: %s\n", e.what());
          return 1;
        }
      };
    }};

}  // namespace
