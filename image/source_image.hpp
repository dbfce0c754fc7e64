// Opening an input image: an OCI image layout directory or a docker-archive tarball.
// Every blob is checked against its descriptor (size and sha256) and every layer's
// uncompressed digest against the config's rootfs.diff_ids before anything is used.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "image_config.hpp"
#include "image_ref.hpp"
#include "temp_dir.hpp"

namespace cocoon::image {

// Layer media types (OCI image-spec media-types.md, and Docker's v2.2 equivalents).
inline constexpr const char* kMediaLayerTar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr const char* kMediaLayerGzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr const char* kMediaLayerZstd = "application/vnd.oci.image.layer.v1.tar+zstd";
inline constexpr const char* kMediaOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kMediaOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kMediaOciConfig = "application/vnd.oci.image.config.v1+json";

struct LayerBlob {
  std::string path;        // file holding the blob as stored (possibly compressed)
  std::string media_type;  // OCI media type (Docker types are mapped to OCI ones)
  std::string digest;      // "sha256:…" of the stored bytes
  std::uint64_t size = 0;
  std::string diff_id;     // "sha256:…" of the uncompressed tar
};

struct SourceImage {
  std::string name;            // the reference as given, for messages
  std::string config_bytes;    // the configuration exactly as stored
  std::string config_digest;
  ImageConfig config;
  std::vector<LayerBlob> layers;
  std::string source_digest;   // manifest digest (oci) or config digest = image ID (docker-archive)
  std::string tag;             // the tag / repo:tag that was selected, if any
  TempDir scratch;             // holds an unpacked docker-archive
};

// Maps a Docker or OCI layer media type to the OCI one; throws ImageError for unsupported
// types (encrypted, foreign, unknown).
std::string oci_layer_media_type(const std::string& media_type, const std::string& what);

// Opens and verifies the image. `scratch_parent` is where a docker-archive is unpacked.
SourceImage open_source_image(const ImageRef& ref, const std::string& scratch_parent);

}  // namespace cocoon::image
