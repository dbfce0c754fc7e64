// Test helper: writes small OCI layouts and docker-archives by hand.
#pragma once

#include <nlohmann/json.hpp>

#include "image/digest.hpp"
#include "test_layers.hpp"

namespace cocoon::image::test {

struct HandImage {
  std::vector<std::string> layers;  // stored blob bytes
  std::vector<std::string> layer_media_types;
  std::vector<std::string> diff_ids;  // defaults to the digest of each layer (uncompressed)
  nlohmann::json config = nlohmann::json::object();
  std::string architecture = "amd64";
};

inline nlohmann::json default_config(const HandImage& h) {
  nlohmann::json c = h.config;
  c["architecture"] = h.architecture;
  c["os"] = "linux";
  nlohmann::json ids = nlohmann::json::array();
  for (std::size_t i = 0; i < h.layers.size(); ++i)
    ids.push_back(i < h.diff_ids.size() ? h.diff_ids[i] : sha256_digest(h.layers[i]));
  c["rootfs"] = {{"type", "layers"}, {"diff_ids", ids}};
  return c;
}

inline std::string put_blob(const std::filesystem::path& dir, const std::string& bytes) {
  std::string d = sha256_digest(bytes);
  write_file(dir / "blobs/sha256" / d.substr(7), bytes);
  return d;
}

// Writes an OCI layout; returns the manifest digest.
inline std::string write_hand_oci(const std::filesystem::path& dir, const HandImage& h, const std::string& tag = "latest") {
  std::string config = default_config(h).dump();
  nlohmann::json layers = nlohmann::json::array();
  for (std::size_t i = 0; i < h.layers.size(); ++i)
    layers.push_back({{"mediaType", i < h.layer_media_types.size() ? h.layer_media_types[i]
                                                                    : "application/vnd.oci.image.layer.v1.tar"},
                      {"digest", put_blob(dir, h.layers[i])},
                      {"size", h.layers[i].size()}});
  nlohmann::json manifest = {{"schemaVersion", 2},
                             {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                             {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                                         {"digest", put_blob(dir, config)},
                                         {"size", config.size()}}},
                             {"layers", layers}};
  std::string m = manifest.dump();
  std::string md = put_blob(dir, m);
  nlohmann::json desc = {{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", md}, {"size", m.size()}};
  if (!tag.empty()) desc["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  write_file(dir / "index.json", nlohmann::json({{"schemaVersion", 2}, {"manifests", {desc}}}).dump());
  write_file(dir / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  return md;
}

// Writes a docker-archive (legacy layout: <id>/layer.tar, <config hex>.json, manifest.json).
inline void write_hand_docker_archive(const std::filesystem::path& out, const HandImage& h,
                                      const std::string& repo_tag = "localhost/hand:latest") {
  std::string config = default_config(h).dump();
  std::string chex = sha256_digest(config).substr(7);
  std::vector<Entry> entries;
  nlohmann::json layer_names = nlohmann::json::array();
  for (std::size_t i = 0; i < h.layers.size(); ++i) {
    std::string id = sha256_digest(h.layers[i]).substr(7);
    entries.push_back(dir(id + "/"));
    entries.push_back(file(id + "/layer.tar", h.layers[i]));
    layer_names.push_back(id + "/layer.tar");
  }
  entries.push_back(file(chex + ".json", config));
  nlohmann::json m = nlohmann::json::array(
      {{{"Config", chex + ".json"}, {"RepoTags", {repo_tag}}, {"Layers", layer_names}}});
  entries.push_back(file("manifest.json", m.dump()));
  write_file(out, make_tar(entries));
}

}  // namespace cocoon::image::test
