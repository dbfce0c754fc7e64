#include "source_image.hpp"

#include <sys/stat.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "digest.hpp"
#include "image_error.hpp"
#include "layer_extract.hpp"
#include "rootfs_path.hpp"

namespace cocoon::image {
namespace {

using nlohmann::json;

constexpr std::uint64_t kMaxMetadataBlob = 16u << 20;  // manifests, indexes, configs

std::string read_small_file(const std::string& path, const std::string& what) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) throw ImageError(what + ": " + path + " is missing");
  if (!S_ISREG(st.st_mode)) throw ImageError(what + ": " + path + " is not a regular file");
  if (static_cast<std::uint64_t>(st.st_size) > kMaxMetadataBlob)
    throw ImageError(what + ": " + path + " is implausibly large for image metadata");
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  if (!f && !f.eof()) throw ImageError(what + ": cannot read " + path);
  return ss.str();
}

json parse_json(const std::string& text, const std::string& what) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded()) throw ImageError(what + ": not valid JSON");
  return j;
}

std::string str_member(const json& j, const char* key, const std::string& what) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string())
    throw ImageError(what + ": missing string field \"" + key + "\"");
  return it->get<std::string>();
}

struct Descriptor {
  std::string media_type, digest;
  std::uint64_t size = 0;
  json annotations, platform;
};

Descriptor parse_descriptor(const json& j, const std::string& what) {
  if (!j.is_object()) throw ImageError(what + ": descriptor is not an object");
  Descriptor d;
  d.media_type = j.contains("mediaType") && j["mediaType"].is_string() ? j["mediaType"].get<std::string>() : "";
  d.digest = str_member(j, "digest", what);
  digest_hex(d.digest, what);
  auto s = j.find("size");
  if (s == j.end() || !s->is_number_unsigned()) throw ImageError(what + ": descriptor has no valid \"size\"");
  d.size = s->get<std::uint64_t>();
  if (j.contains("annotations")) d.annotations = j["annotations"];
  if (j.contains("platform")) d.platform = j["platform"];
  return d;
}

// The path of a blob in an OCI layout after checking its size and digest.
std::string verified_blob(const std::string& dir, const Descriptor& d, const std::string& what) {
  std::string path = dir + "/blobs/sha256/" + digest_hex(d.digest, what);
  struct stat st;
  if (stat(path.c_str(), &st) != 0)
    throw ImageError(what + ": blob " + d.digest + " is missing from " + dir + "/blobs/sha256");
  if (static_cast<std::uint64_t>(st.st_size) != d.size)
    throw ImageError(what + ": blob " + d.digest + " has size " + std::to_string(st.st_size) +
                     " but its descriptor says " + std::to_string(d.size) + " (truncated or corrupt blob)");
  std::string actual = sha256_file_digest(path);
  if (actual != d.digest)
    throw ImageError(what + ": blob " + d.digest + " digest mismatch (descriptor says " + d.digest +
                     ", content is " + actual + "); the layout is corrupt");
  return path;
}

std::string annotation_tag(const Descriptor& d) {
  if (d.annotations.is_object()) {
    auto it = d.annotations.find("org.opencontainers.image.ref.name");
    if (it != d.annotations.end() && it->is_string()) return it->get<std::string>();
  }
  return {};
}

void check_diff_ids(SourceImage& img) {
  if (img.config.diff_ids.size() != img.layers.size())
    throw ImageError(img.name + ": the config lists " + std::to_string(img.config.diff_ids.size()) +
                     " layer diff_ids but the manifest has " + std::to_string(img.layers.size()) + " layers");
  for (std::size_t i = 0; i < img.layers.size(); ++i) {
    auto& l = img.layers[i];
    std::string what = img.name + ": layer " + std::to_string(i + 1) + "/" +
                       std::to_string(img.layers.size()) + " (" + l.digest + ")";
    l.diff_id = layer_diff_id(l.path, what);
    if (l.diff_id != img.config.diff_ids[i])
      throw ImageError(what + ": uncompressed content is " + l.diff_id + " but the config's diff_id is " +
                       img.config.diff_ids[i] + "; the layer is corrupt or belongs to another image");
  }
}

void open_oci(const ImageRef& ref, SourceImage& img) {
  const std::string& dir = ref.path;
  struct stat st;
  if (stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw ImageError(img.name + ": " + dir + " is not a directory");
  json layout = parse_json(read_small_file(dir + "/oci-layout", img.name), img.name + ": oci-layout");
  if (!layout.is_object() || !layout.contains("imageLayoutVersion"))
    throw ImageError(img.name + ": oci-layout has no imageLayoutVersion; not an OCI image layout");
  json index = parse_json(read_small_file(dir + "/index.json", img.name), img.name + ": index.json");
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array())
    throw ImageError(img.name + ": index.json has no \"manifests\" array");

  std::vector<Descriptor> candidates;
  std::string tags;
  for (auto& m : index["manifests"]) {
    Descriptor d = parse_descriptor(m, img.name + ": index.json");
    std::string t = annotation_tag(d);
    tags += (tags.empty() ? "" : ", ") + (t.empty() ? std::string("<untagged>") : t);
    if (ref.tag.empty() || t == ref.tag) candidates.push_back(d);
  }
  if (candidates.empty())
    throw ImageError(img.name + ": no image tagged \"" + ref.tag + "\" (tags present: " +
                     (tags.empty() ? std::string("none") : tags) + ")");
  if (candidates.size() > 1)
    throw ImageError(img.name + ": the layout holds several images (" + tags + "); name one with oci:DIR:TAG");
  Descriptor d = candidates[0];
  img.tag = annotation_tag(d);

  // An image index: pick linux/amd64.
  for (int depth = 0; d.media_type == kMediaOciIndex ||
                      d.media_type == "application/vnd.docker.distribution.manifest.list.v2+json";
       ++depth) {
    if (depth > 4) throw ImageError(img.name + ": image indexes nested too deeply");
    json sub = parse_json(read_small_file(verified_blob(dir, d, img.name), img.name), img.name + ": index " + d.digest);
    if (!sub.contains("manifests") || !sub["manifests"].is_array())
      throw ImageError(img.name + ": index " + d.digest + " has no manifests");
    std::string arches;
    bool found = false;
    for (auto& m : sub["manifests"]) {
      Descriptor c = parse_descriptor(m, img.name + ": index " + d.digest);
      std::string arch = c.platform.is_object() && c.platform.contains("architecture") &&
                                 c.platform["architecture"].is_string()
                             ? c.platform["architecture"].get<std::string>()
                             : "?";
      std::string os = c.platform.is_object() && c.platform.contains("os") && c.platform["os"].is_string()
                           ? c.platform["os"].get<std::string>()
                           : "?";
      arches += (arches.empty() ? "" : ", ") + os + "/" + arch;
      if (!found && arch == "amd64" && os == "linux") {
        d = c;
        found = true;
      }
    }
    if (!found)
      throw ImageError(img.name + ": no linux/amd64 image in the index (it has " + arches +
                       "); Cocoon runs only amd64 (x86-64) images");
  }
  if (d.media_type != kMediaOciManifest && d.media_type != "application/vnd.docker.distribution.manifest.v2+json")
    throw ImageError(img.name + ": unsupported manifest media type \"" + d.media_type + "\"");

  std::string mwhat = img.name + ": manifest " + d.digest;
  json manifest = parse_json(read_small_file(verified_blob(dir, d, img.name), mwhat), mwhat);
  img.source_digest = d.digest;
  if (!manifest.is_object() || !manifest.contains("config") || !manifest.contains("layers") ||
      !manifest["layers"].is_array())
    throw ImageError(mwhat + ": missing \"config\" or \"layers\"");
  Descriptor cfg = parse_descriptor(manifest["config"], mwhat + " config");
  img.config_bytes = read_small_file(verified_blob(dir, cfg, img.name), img.name);
  img.config_digest = cfg.digest;
  img.config = parse_image_config(img.config_bytes, img.name + ": config " + cfg.digest);
  std::size_t n = 0;
  for (auto& lj : manifest["layers"]) {
    ++n;
    Descriptor ld = parse_descriptor(lj, mwhat + " layer " + std::to_string(n));
    std::string lwhat = img.name + ": layer " + std::to_string(n) + " (" + ld.digest + ")";
    LayerBlob b;
    b.media_type = oci_layer_media_type(ld.media_type, lwhat);
    b.path = verified_blob(dir, ld, img.name);
    b.digest = ld.digest;
    b.size = ld.size;
    img.layers.push_back(std::move(b));
  }
}

void open_docker_archive(const ImageRef& ref, const std::string& scratch_parent, SourceImage& img) {
  struct stat st;
  if (stat(ref.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    throw ImageError(img.name + ": " + ref.path + " is not a file");
  img.scratch = TempDir(scratch_parent, "cocoon-archive-");
  apply_layer_file(ref.path, img.name + ": archive " + ref.path, img.scratch.path());
  RootfsPath tree(img.scratch.path());
  json manifest = parse_json(read_small_file(tree.host_path("/manifest.json"), img.name), img.name + ": manifest.json");
  if (!manifest.is_array() || manifest.empty())
    throw ImageError(img.name + ": manifest.json must be a non-empty array (is this a docker-archive?)");
  const json* chosen = nullptr;
  std::string tags;
  for (auto& m : manifest) {
    if (!m.is_object()) throw ImageError(img.name + ": manifest.json entry is not an object");
    bool match = ref.tag.empty();
    if (m.contains("RepoTags") && m["RepoTags"].is_array())
      for (auto& t : m["RepoTags"])
        if (t.is_string()) {
          tags += (tags.empty() ? "" : ", ") + t.get<std::string>();
          if (t.get<std::string>() == ref.tag) match = true;
        }
    if (match) {
      if (chosen) throw ImageError(img.name + ": the archive holds several images (" + tags + "); name one with docker-archive:FILE:REPO:TAG");
      chosen = &m;
      if (!ref.tag.empty()) img.tag = ref.tag;
    }
  }
  if (!chosen)
    throw ImageError(img.name + ": no image tagged \"" + ref.tag + "\" in the archive (tags present: " +
                     (tags.empty() ? std::string("none") : tags) + ")");
  if (img.tag.empty() && chosen->contains("RepoTags") && (*chosen)["RepoTags"].is_array() &&
      !(*chosen)["RepoTags"].empty() && (*chosen)["RepoTags"][0].is_string())
    img.tag = (*chosen)["RepoTags"][0].get<std::string>();

  std::string config_name = str_member(*chosen, "Config", img.name + ": manifest.json");
  img.config_bytes = read_small_file(tree.host_path("/" + config_name), img.name + ": config " + config_name);
  img.config_digest = sha256_digest(img.config_bytes);
  // The config is stored as "<hex>.json" or "blobs/sha256/<hex>": its name is its digest.
  std::string base = config_name.substr(config_name.rfind('/') + 1);
  if (base.size() >= 64) {
    std::string hex = base.substr(0, 64);
    if (is_valid_digest("sha256:" + hex) && "sha256:" + hex != img.config_digest)
      throw ImageError(img.name + ": config " + config_name + " digest mismatch (its name says sha256:" + hex +
                       ", content is " + img.config_digest + "); the archive is corrupt");
  }
  img.source_digest = img.config_digest;
  img.config = parse_image_config(img.config_bytes, img.name + ": config " + config_name);
  if (!chosen->contains("Layers") || !(*chosen)["Layers"].is_array())
    throw ImageError(img.name + ": manifest.json entry has no \"Layers\" array");
  std::size_t n = 0;
  for (auto& l : (*chosen)["Layers"]) {
    ++n;
    if (!l.is_string()) throw ImageError(img.name + ": manifest.json Layers must be strings");
    std::string lname = l.get<std::string>();
    std::string what = img.name + ": layer " + std::to_string(n) + " (" + lname + ")";
    LayerBlob b;
    b.path = tree.host_path("/" + lname);
    struct stat lst;
    if (stat(b.path.c_str(), &lst) != 0 || !S_ISREG(lst.st_mode))
      throw ImageError(what + ": missing from the archive");
    b.size = static_cast<std::uint64_t>(lst.st_size);
    b.digest = sha256_file_digest(b.path);
    unsigned char magic[4] = {0, 0, 0, 0};
    std::ifstream f(b.path, std::ios::binary);
    f.read(reinterpret_cast<char*>(magic), 4);
    if (magic[0] == 0x1f && magic[1] == 0x8b)
      b.media_type = kMediaLayerGzip;
    else if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
      b.media_type = kMediaLayerZstd;
    else
      b.media_type = kMediaLayerTar;
    img.layers.push_back(std::move(b));
  }
}

}  // namespace

std::string oci_layer_media_type(const std::string& mt, const std::string& what) {
  if (mt == kMediaLayerTar || mt == kMediaLayerGzip || mt == kMediaLayerZstd) return mt;
  if (mt == "application/vnd.docker.image.rootfs.diff.tar.gzip" ||
      mt == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip")
    return kMediaLayerGzip;
  if (mt == "application/vnd.docker.image.rootfs.diff.tar" ||
      mt == "application/vnd.oci.image.layer.nondistributable.v1.tar")
    return kMediaLayerTar;
  if (mt == "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd") return kMediaLayerZstd;
  throw ImageError(what + ": unsupported layer media type \"" + mt +
                   "\" (supported: tar, tar+gzip, tar+zstd)");
}

SourceImage open_source_image(const ImageRef& ref, const std::string& scratch_parent) {
  SourceImage img;
  img.name = to_string(ref);
  if (ref.transport == Transport::Oci)
    open_oci(ref, img);
  else
    open_docker_archive(ref, scratch_parent, img);
  check_diff_ids(img);
  return img;
}

}  // namespace cocoon::image
