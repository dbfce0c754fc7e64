#include "image_writer.hpp"

#include <sys/stat.h>

#include <algorithm>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "deterministic_tar.hpp"
#include "digest.hpp"
#include "image_error.hpp"

namespace cocoon::image {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) throw ImageError("cannot write " + path);
}

void copy_blob(const std::string& from, const std::string& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) throw ImageError("cannot copy blob " + from + " to " + to + ": " + ec.message());
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read, ec);
}

}  // namespace

std::string oci_manifest_json(const OutputImage& img) {
  json m = json::object();
  m["schemaVersion"] = 2;
  m["mediaType"] = kMediaOciManifest;
  m["config"] = {{"mediaType", kMediaOciConfig},
                 {"digest", sha256_digest(img.config_bytes)},
                 {"size", img.config_bytes.size()}};
  json layers = json::array();
  for (auto& l : img.layers)
    layers.push_back({{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.size}});
  m["layers"] = layers;
  if (!img.annotations.empty()) m["annotations"] = img.annotations;
  return m.dump();
}

WrittenImage write_oci_layout(const std::string& dir, const std::string& tag, const OutputImage& img) {
  std::string blobs = dir + "/blobs/sha256";
  std::error_code ec;
  fs::create_directories(blobs, ec);
  if (ec) throw ImageError("cannot create " + blobs + ": " + ec.message());
  WrittenImage w;
  std::string manifest = oci_manifest_json(img);
  w.manifest_digest = sha256_digest(manifest);
  w.config_digest = sha256_digest(img.config_bytes);
  write_file(blobs + "/" + w.config_digest.substr(7), img.config_bytes);
  write_file(blobs + "/" + w.manifest_digest.substr(7), manifest);
  for (auto& l : img.layers) copy_blob(l.path, blobs + "/" + l.digest.substr(7));
  json desc = {{"mediaType", kMediaOciManifest}, {"digest", w.manifest_digest}, {"size", manifest.size()},
               {"platform", {{"architecture", "amd64"}, {"os", "linux"}}}};
  if (!tag.empty()) desc["annotations"] = {{"org.opencontainers.image.ref.name", tag}};
  json index = {{"schemaVersion", 2}, {"mediaType", kMediaOciIndex}, {"manifests", json::array({desc})}};
  write_file(dir + "/index.json", index.dump());
  write_file(dir + "/oci-layout", json({{"imageLayoutVersion", "1.0.0"}}).dump());
  return w;
}

WrittenImage write_docker_archive(const std::string& file, const std::string& repo_tag, const OutputImage& img) {
  WrittenImage w;
  w.config_digest = sha256_digest(img.config_bytes);
  w.manifest_digest = sha256_digest(oci_manifest_json(img));
  std::string config_name = w.config_digest.substr(7) + ".json";
  json layers = json::array();
  for (auto& l : img.layers) layers.push_back(l.digest.substr(7) + ".tar");
  json entry = {{"Config", config_name}, {"Layers", layers}, {"RepoTags", json::array()}};
  if (!repo_tag.empty()) entry["RepoTags"].push_back(repo_tag);
  std::string manifest = json::array({entry}).dump();

  DeterministicTar tar(file);
  // Sorted names: "<hex>.json", "<hex>.tar"…, "manifest.json".
  std::map<std::string, const LayerBlob*> by_name;
  for (auto& l : img.layers) by_name[l.digest.substr(7) + ".tar"] = &l;
  std::vector<std::string> names;
  names.push_back(config_name);
  for (auto& [n, l] : by_name) names.push_back(n);
  std::sort(names.begin(), names.end());
  for (auto& n : names) {
    if (n == config_name)
      tar.add_bytes(n, img.config_bytes, 0644);
    else
      tar.add_file(n, by_name[n]->path, 0644);
  }
  tar.add_bytes("manifest.json", manifest, 0644);
  tar.close();
  return w;
}

}  // namespace cocoon::image
