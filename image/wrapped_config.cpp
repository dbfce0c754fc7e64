#include "wrapped_config.hpp"

#include <nlohmann/json.hpp>

#include "image_error.hpp"

namespace cocoon::image {

std::string make_wrapped_config(const std::string& original, const WrappedConfigSpec& spec) {
  using nlohmann::json;
  json j = json::parse(original, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw ImageError("image configuration is not a JSON object");
  json& c = j["config"];
  if (!c.is_object()) c = json::object();
  c["Entrypoint"] = spec.entrypoint;
  if (spec.cmd.empty())
    c.erase("Cmd");
  else
    c["Cmd"] = spec.cmd;
  json env = c.contains("Env") && c["Env"].is_array() ? c["Env"] : json::array();
  for (auto& add : spec.env_add) {
    std::string name = add.substr(0, add.find('='));
    json kept = json::array();
    for (auto& e : env)
      if (!(e.is_string() && e.get<std::string>().rfind(name + "=", 0) == 0)) kept.push_back(e);
    kept.push_back(add);
    env = kept;
  }
  c["Env"] = env;
  json labels = c.contains("Labels") && c["Labels"].is_object() ? c["Labels"] : json::object();
  for (auto& [k, v] : spec.labels) labels[k] = v;
  c["Labels"] = labels;
  j["rootfs"]["diff_ids"].push_back(spec.runtime_diff_id);
  if (j.contains("history") && j["history"].is_array())
    j["history"].push_back({{"created_by", "cocoon wrap-image"},
                            {"comment", "Cocoon runtime, signed manifest and signature under /cocoon"}});
  return j.dump();
}

}  // namespace cocoon::image
