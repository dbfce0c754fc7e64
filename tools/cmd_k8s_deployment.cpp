// `cocoon k8s deployment`: a Deployment (or Job) for a wrapped image, sized from its manifest.
//
//   cocoon k8s deployment --image registry/app-cocoon:1 --manifest app.toml [--stats run.log]
//       [--job] [--attestation none|in-process|out-of-process] [--port 8000] [--name N] [--namespace NS]
#include <cstdio>
#include <exception>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "image/image_error.hpp"
#include "image/k8s_deployment.hpp"
#include "k8s_generators.hpp"
#include "manifest/manifest.hpp"

namespace {

struct DeploymentCli {
  std::string image, manifest, stats, name, ns, attestation = "none";
  bool job = false;
  int replicas = 1;
  std::vector<int> ports;
};

int run(const DeploymentCli& c) {
  using namespace cocoon::image;
  DeploymentSpec s;
  s.image = c.image;
  s.name = c.name.empty() ? name_from_image(c.image) : c.name;
  s.namespace_ = c.ns;
  s.kind = c.job ? WorkloadKind::Job : WorkloadKind::Deployment;
  s.replicas = c.replicas;
  s.ports = c.ports;
  if (c.attestation == "none")
    s.attestation = Attestation::None;
  else if (c.attestation == "in-process")
    s.attestation = Attestation::InProcess;
  else if (c.attestation == "out-of-process")
    s.attestation = Attestation::OutOfProcess;
  else
    throw ImageError("--attestation \"" + c.attestation + "\": expected none, in-process or out-of-process");
  s.enclave_size = cocoon::manifest::load_manifest_file(c.manifest).enclave.size;
  if (!c.stats.empty()) {
    std::ifstream f(c.stats, std::ios::binary);
    if (!f) throw ImageError("--stats " + c.stats + ": cannot read the file");
    std::stringstream ss;
    ss << f.rdbuf();
    s.epc_peak = parse_epc_peak(ss.str(), c.stats);
  }
  std::fputs(deployment_yaml(s).c_str(), stdout);
  return 0;
}

cocoon::tools::K8sGeneratorRegistration reg{
    "deployment", "A Deployment (or Job) for a wrapped image, with EPC sized from its manifest",
    [](CLI::App& app) -> cocoon::tools::CommandRunner {
      auto c = std::make_shared<DeploymentCli>();
      app.add_option("--image", c->image, "The wrapped image (as the cluster pulls it)")->required();
      app.add_option("--manifest", c->manifest, "The image's manifest (/cocoon/app.toml)")->required();
      app.add_option("--stats", c->stats, "Output of `cocoon run --stats` with the measured peak EPC");
      app.add_option("--name", c->name, "Object name (default: from the image name)");
      app.add_option("--namespace", c->ns, "Namespace (default: none, i.e. the current one)");
      app.add_option("--replicas", c->replicas, "Replicas of the Deployment")->capture_default_str();
      app.add_flag("--job", c->job, "Print a Job (run to completion) instead of a Deployment");
      app.add_option("--attestation", c->attestation, "none | in-process | out-of-process (AESM socket)")
          ->capture_default_str();
      app.add_option("--port", c->ports, "Container port to declare")->take_all();
      return [c]() -> int {
        try {
          return run(*c);
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cocoon k8s deployment: %s\n", e.what());
          return 1;
        }
      };
    }};

}  // namespace
