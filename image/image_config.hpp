// The parts of an OCI / Docker image configuration Cocoon reads
// (OCI image-spec config.md: "architecture", "os", "config", "rootfs").
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cocoon::image {

struct ImageConfig {
  std::string architecture;
  std::string os;
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;          // "NAME=value", in order
  std::string working_dir;
  std::string user;
  std::vector<std::string> exposed_ports;  // "8000/tcp", sorted
  std::map<std::string, std::string> labels;
  std::vector<std::string> diff_ids;     // rootfs.diff_ids
};

// Parses config JSON. `what` names the blob in errors. Throws ImageError for invalid JSON or
// a field of the wrong type (naming the field), and for an image that is not linux/amd64.
ImageConfig parse_image_config(const std::string& json_text, const std::string& what);

// Looks up NAME in an Env list ("NAME=value"); empty when absent.
std::string env_value(const std::vector<std::string>& env, const std::string& name, bool* found = nullptr);

}  // namespace cocoon::image
