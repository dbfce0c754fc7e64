#include "image_config.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "image_error.hpp"

namespace cocoon::image {
namespace {

using nlohmann::json;

std::vector<std::string> string_list(const json& obj, const char* key, const std::string& what,
                                     const std::string& field) {
  std::vector<std::string> out;
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return out;
  if (!it->is_array()) throw ImageError(what + ": field " + field + " must be an array of strings");
  for (auto& v : *it) {
    if (!v.is_string()) throw ImageError(what + ": field " + field + " must contain only strings");
    out.push_back(v.get<std::string>());
  }
  return out;
}

std::string string_field(const json& obj, const char* key, const std::string& what,
                         const std::string& field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return {};
  if (!it->is_string()) throw ImageError(what + ": field " + field + " must be a string");
  return it->get<std::string>();
}

}  // namespace

std::string env_value(const std::vector<std::string>& env, const std::string& name, bool* found) {
  if (found) *found = false;
  std::string value;
  for (auto& e : env)
    if (e.size() > name.size() && e.compare(0, name.size(), name) == 0 && e[name.size()] == '=') {
      value = e.substr(name.size() + 1);  // last one wins, as in execve's environment
      if (found) *found = true;
    }
  return value;
}

ImageConfig parse_image_config(const std::string& json_text, const std::string& what) {
  json j = json::parse(json_text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    throw ImageError(what + ": image configuration is not a JSON object");
  ImageConfig c;
  c.architecture = string_field(j, "architecture", what, "architecture");
  c.os = string_field(j, "os", what, "os");
  if (c.architecture.empty()) throw ImageError(what + ": image configuration has no \"architecture\"");
  if (c.architecture != "amd64")
    throw ImageError(what + ": image is for architecture \"" + c.architecture +
                     "\"; Cocoon runs only amd64 (x86-64) images. Pick the linux/amd64 variant of the image");
  if (!c.os.empty() && c.os != "linux")
    throw ImageError(what + ": image is for OS \"" + c.os + "\"; Cocoon runs only linux images");

  auto cfg = j.find("config");
  if (cfg != j.end() && !cfg->is_null()) {
    if (!cfg->is_object()) throw ImageError(what + ": field config must be an object");
    c.entrypoint = string_list(*cfg, "Entrypoint", what, "config.Entrypoint");
    c.cmd = string_list(*cfg, "Cmd", what, "config.Cmd");
    c.env = string_list(*cfg, "Env", what, "config.Env");
    c.working_dir = string_field(*cfg, "WorkingDir", what, "config.WorkingDir");
    c.user = string_field(*cfg, "User", what, "config.User");
    auto ports = cfg->find("ExposedPorts");
    if (ports != cfg->end() && !ports->is_null()) {
      if (!ports->is_object()) throw ImageError(what + ": field config.ExposedPorts must be an object");
      for (auto& [k, v] : ports->items()) c.exposed_ports.push_back(k);
      std::sort(c.exposed_ports.begin(), c.exposed_ports.end());
    }
    auto labels = cfg->find("Labels");
    if (labels != cfg->end() && !labels->is_null()) {
      if (!labels->is_object()) throw ImageError(what + ": field config.Labels must be an object");
      for (auto& [k, v] : labels->items()) {
        if (!v.is_string()) throw ImageError(what + ": label " + k + " must be a string");
        c.labels[k] = v.get<std::string>();
      }
    }
  }
  auto rootfs = j.find("rootfs");
  if (rootfs == j.end() || !rootfs->is_object())
    throw ImageError(what + ": image configuration has no \"rootfs\" object");
  std::string type = string_field(*rootfs, "type", what, "rootfs.type");
  if (type != "layers") throw ImageError(what + ": rootfs.type must be \"layers\"");
  c.diff_ids = string_list(*rootfs, "diff_ids", what, "rootfs.diff_ids");
  return c;
}

}  // namespace cocoon::image
