// `cocoon wrap-image`: an existing Docker/OCI image in, a confidential image out — the same
// layers plus Cocoon's self-contained runtime, a manifest generated for the image's own
// entrypoint (paths as the container sees them) and its signature.
//
//   cocoon wrap-image --key signer.pem --input docker-archive:app.tar --output oci:app-cocoon:latest
//   cocoon wrap-image --key signer.pem --input oci:DIR:TAG --dockerfile ctx/ [--from app:latest]
//
// The image side lives in image/ (wrap.hpp); this file builds and signs the manifest.
#include <cstdio>
#include <exception>
#include <map>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "command.hpp"
#include "image/image_error.hpp"
#include "image/wrap.hpp"
#include "manifest/enclave_signing.hpp"
#include "manifest/manifest.hpp"
#include "manifest/manifest_generate.hpp"
#include "manifest/signing_key.hpp"
#include "manifest/sigstruct.hpp"
#include "shim/shim_image.hpp"

namespace {

using cocoon::image::ImageError;

struct WrapCli {
  std::string key, input, output, dockerfile, from, entrypoint, cmd, manifest_template, date, runtime, scratch;
  std::vector<std::string> trusted, allowed;
};

// "--entrypoint python3" or "--entrypoint '[\"python3\",\"app.py\"]'" (JSON exec form).
std::vector<std::string> words_option(const std::string& text, const char* option) {
  if (!text.empty() && text[0] == '[') {
    auto j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_array())
      throw ImageError(std::string(option) + ": \"" + text + "\" is not a JSON array of strings");
    std::vector<std::string> out;
    for (auto& w : j) {
      if (!w.is_string()) throw ImageError(std::string(option) + ": \"" + text + "\" must contain only strings");
      out.push_back(w.get<std::string>());
    }
    return out;
  }
  if (text.empty()) return {};
  return {text};
}

// SIGSTRUCT DATE: --date, else the source image's "created" day (so wrapping is reproducible),
// else today.
std::uint32_t signing_date(const std::string& option, const std::string& created) {
  using namespace cocoon::measure;
  if (!option.empty()) {
    try {
      return parse_date(option);
    } catch (const SigstructError& e) {
      throw ImageError(std::string("--date: ") + e.what());
    }
  }
  if (created.size() >= 10) {
    try {
      return parse_date(created.substr(0, 10));
    } catch (const SigstructError&) {
    }
  }
  return today_bcd_date();
}

std::map<std::string, std::string> env_map(const std::vector<std::string>& env) {
  std::map<std::string, std::string> m;
  for (auto& e : env) {
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    m[e.substr(0, eq)] = e.substr(eq + 1);
  }
  return m;
}

cocoon::image::SignedManifest build_and_sign(const cocoon::image::ManifestRequest& req,
                                             const cocoon::measure::SigningKey& key, std::uint32_t date) {
  using namespace cocoon;
  manifest::GenerateOptions g;
  g.root = req.rootfs;
  const auto& ep = req.entrypoint;
  // The generator resolves #! scripts itself: hand it the first file the container execs.
  g.command = {ep.scripts.empty() ? ep.program : ep.scripts.front()};
  g.command.insert(g.command.end(), ep.argv.begin() + 1, ep.argv.end());
  g.trusted = req.trusted;
  g.allowed = req.allowed;
  g.template_path = req.manifest_template;
  g.working_dir = ep.working_dir;
  manifest::GenerateResult gen = manifest::generate_manifest(g);
  for (auto& w : gen.warnings) std::fprintf(stderr, "cocoon wrap-image: warning: %s\n", w.c_str());
  manifest::Manifest& m = gen.manifest;
  // As the container sees it: the image's environment, and the container's command line
  // (Cmd, or what `docker run IMAGE args` gives) passed through to the program.
  m.entrypoint = ep.program;
  m.argv = ep.program_argv;
  m.allow_host_argv = true;
  if (req.manifest_template.empty()) m.env = env_map(req.env);

  cocoon::image::SignedManifest out;
  out.toml = manifest::to_toml(m);
  const measure::EnclaveImage img = measure::enclave_image(m, shim::shim_image());
  const measure::Digest mrenclave = measure::measure_layout(img.params);
  const measure::SigstructBytes sig = measure::sign_sigstruct(measure::sigstruct_fields(m.enclave, mrenclave, date), key);
  out.signature.assign(reinterpret_cast<const char*>(sig.data()), sig.size());
  out.mrenclave = measure::to_hex(mrenclave);
  out.mrsigner = measure::to_hex(measure::mrsigner(measure::parse_sigstruct(sig)));
  return out;
}

int run(const WrapCli& cli) {
  using namespace cocoon::image;
  if (cli.output.empty() == cli.dockerfile.empty())
    throw ImageError("give exactly one of --output oci:DIR[:TAG] | docker-archive:FILE[:REPO:TAG] and --dockerfile DIR");
  const auto key = cocoon::measure::SigningKey::load(cli.key);  // fail fast on a bad key
  WrapOptions o;
  o.input = parse_image_ref(cli.input);
  if (!cli.output.empty()) o.output = parse_image_ref(cli.output);
  o.dockerfile_dir = cli.dockerfile;
  o.dockerfile_from = cli.from;
  if (!cli.entrypoint.empty()) o.overrides.entrypoint = words_option(cli.entrypoint, "--entrypoint");
  if (!cli.cmd.empty()) o.overrides.cmd = words_option(cli.cmd, "--cmd");
  o.trusted = cli.trusted;
  o.allowed = cli.allowed;
  o.manifest_template = cli.manifest_template;
  o.runtime_exe = cli.runtime.empty() ? cocoon::tools::self_exe_path() : cli.runtime;
  o.scratch_parent = cli.scratch;

  ManifestBuilder builder = [&](const ManifestRequest& req) {
    return build_and_sign(req, key, signing_date(cli.date, req.created));
  };
  WrapResult r = wrap_image(o, builder);
  std::cout << "MRENCLAVE " << r.manifest.mrenclave << "\n"
            << "MRSIGNER " << r.manifest.mrsigner << "\n"
            << "program " << r.entrypoint.program << "\n"
            << "source " << r.source_digest << "\n";
  if (o.output)
    std::cout << "wrote " << to_string(*o.output) << " (manifest " << r.manifest_digest << ")\n";
  else
    std::cout << "wrote " << o.dockerfile_dir << "/Dockerfile (build with: docker build " << o.dockerfile_dir << ")\n";
  return 0;
}

cocoon::tools::CommandRegistration reg{
    "wrap-image", "Wrap a Docker/OCI image so that its entrypoint runs inside an enclave, with a signed manifest",
    [](CLI::App& app) -> cocoon::tools::CommandRunner {
      auto c = std::make_shared<WrapCli>();
      app.add_option("--key", c->key, "Signing key (PEM, RSA-3072, e=3)")->required();
      app.add_option("--input", c->input, "docker-archive:FILE[:REPO:TAG] or oci:DIR[:TAG]")->required();
      app.add_option("--output", c->output, "oci:DIR[:TAG] or docker-archive:FILE[:REPO:TAG]");
      app.add_option("--dockerfile", c->dockerfile, "Write a Dockerfile + build context here instead of an image");
      app.add_option("--from", c->from, "FROM of the --dockerfile (default: the input's tag)");
      app.add_option("--entrypoint", c->entrypoint, "Override the image's Entrypoint (a program, or a JSON array)");
      app.add_option("--cmd", c->cmd, "Override the image's Cmd (a word, or a JSON array)");
      app.add_option("--trusted", c->trusted, "Extra file or directory (container path) to trust")->take_all();
      app.add_option("--allowed", c->allowed, "Extra path (container path) passed through unverified")->take_all();
      app.add_option("--manifest-template", c->manifest_template, "Manifest template (TOML) to start from");
      app.add_option("--date", c->date, "SIGSTRUCT date YYYY-MM-DD (default: the image's creation day)");
      app.add_option("--runtime", c->runtime, "cocoon executable to put into the image (default: this one)");
      app.add_option("--scratch", c->scratch, "Directory for the unpacked root filesystem (default $TMPDIR or /var/tmp)");
      return [c]() -> int {
        try {
          return run(*c);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cocoon wrap-image: %s\n", e.what());
          return 1;
        }
      };
    }};

}  // namespace
