// `cocoon keygen`: create an enclave signing key (RSA-3072, public exponent 3), PEM, mode 0600.
#include <cstdio>
#include <exception>
#include <iostream>
#include <memory>
#include <string>

#include "command.hpp"
#include "manifest/measurement.hpp"
#include "manifest/signing_key.hpp"
#include "manifest/sigstruct.hpp"

namespace {

struct KeygenOptions {
  std::string out;
  bool force = false;
};

cocoon::tools::CommandRegistration reg{
    "keygen", "Create an enclave signing key (RSA-3072, exponent 3) as a PEM file with mode 0600",
    [](CLI::App& app) {
      auto o = std::make_shared<KeygenOptions>();
      app.add_option("--out", o->out, "Where to write the private key (PEM)")->required();
      app.add_flag("--force", o->force, "Replace an existing file");
      return [o]() -> int {
        try {
          using namespace cocoon::measure;
          const SigningKey key = SigningKey::generate();
          key.write_private_pem(o->out, o->force);
          const auto n = key.modulus_le();
          std::cout << "wrote " << o->out << " (RSA-3072, exponent 3, mode 0600)\n"
                    << "MRSIGNER " << to_hex(mrsigner_of_modulus(n.data())) << "\n";
          return 0;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "cocoon keygen: %s\n", e.what());
          return 1;
        }
      };
    }};

}  // namespace
