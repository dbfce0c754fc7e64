// Generators behind `cocoon k8s <name>`: each prints Kubernetes YAML. A generator lives in its
// own file (tools/cmd_k8s.cpp holds `quote-helper`; e.g. tools/cmd_k8s_deployment.cpp can add
// `deployment`) and registers itself like a top-level command:
//
//   static cocoon::tools::K8sGeneratorRegistration reg{"deployment", "…", [](CLI::App& app) {
//     auto opts = std::make_shared<Opts>();  app.add_option(…);
//     return [opts]() -> int { std::fputs(yaml.c_str(), stdout); return 0; };
//   }};
#pragma once

#include "command.hpp"

namespace cocoon::tools {

std::vector<CommandInfo>& k8s_generator_registry();

struct K8sGeneratorRegistration {
  K8sGeneratorRegistration(std::string name, std::string help, CommandSetup setup);
};

}  // namespace cocoon::tools
