// Writing an image: an OCI image layout directory (oci-layout, index.json, blobs/sha256) or
// a docker-archive tarball (manifest.json, <config>.json, <layer>.tar). Output bytes depend
// only on the inputs: JSON keys are sorted, there are no timestamps, tar entries are sorted.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "source_image.hpp"

namespace cocoon::image {

struct OutputImage {
  std::string config_bytes;                        // the final configuration JSON
  std::vector<LayerBlob> layers;                   // in order; blobs are copied
  std::map<std::string, std::string> annotations;  // manifest annotations
};

struct WrittenImage {
  std::string manifest_digest;
  std::string config_digest;
};

// Writes the layout into `dir` (which must exist and be empty). `tag` becomes the
// org.opencontainers.image.ref.name annotation when not empty.
WrittenImage write_oci_layout(const std::string& dir, const std::string& tag, const OutputImage& img);

// Writes a docker-archive tarball at `file`. `repo_tag` (e.g. "localhost/app:latest") goes
// into RepoTags when not empty.
WrittenImage write_docker_archive(const std::string& file, const std::string& repo_tag, const OutputImage& img);

// The OCI image manifest JSON for the image (shared by both writers for the digest).
std::string oci_manifest_json(const OutputImage& img);

}  // namespace cocoon::image
