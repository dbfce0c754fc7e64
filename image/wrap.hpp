// `cocoon wrap-image`: turns an ordinary image into one whose entrypoint runs inside an
// enclave. Steps: open and verify the input, unpack its layers into a scratch rootfs,
// resolve the entrypoint there, have the caller build + sign the manifest (ManifestBuilder),
// then write the original layers untouched plus Cocoon's runtime layer, with a new config.
// Output goes to a temporary path next to the destination and is renamed into place at the
// end; on any error nothing is left at the destination.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "entrypoint.hpp"
#include "image_ref.hpp"

namespace cocoon::image {

// What the manifest builder gets: the unpacked rootfs (host directory; container paths are
// relative to it) and everything needed to write a manifest with container paths.
struct ManifestRequest {
  std::string rootfs;
  ResolvedEntrypoint entrypoint;
  std::vector<std::string> env;      // the image's Env ("NAME=value")
  std::vector<std::string> trusted;  // container paths: defaults + --trusted
  std::vector<std::string> allowed;  // container paths: defaults + --allowed
  std::string manifest_template;     // a TOML file the user gave, or empty
  std::string created;               // the image config's "created" (RFC 3339), may be empty
};

struct SignedManifest {
  std::string toml;       // goes to /cocoon/app.toml
  std::string signature;  // goes to /cocoon/app.sig (SIGSTRUCT bytes)
  std::string mrenclave;  // hex
  std::string mrsigner;   // hex
};

using ManifestBuilder = std::function<SignedManifest(const ManifestRequest&)>;

struct WrapOptions {
  ImageRef input;
  std::optional<ImageRef> output;   // an image, or
  std::string dockerfile_dir;       // a Dockerfile + build context
  std::string dockerfile_from;      // FROM for the Dockerfile (default: the input's tag)
  EntrypointOverrides overrides;
  std::vector<std::string> trusted, allowed;
  std::string manifest_template;
  std::string runtime_exe;          // the cocoon executable to put into the image
  std::string scratch_parent;       // where the rootfs is unpacked (default_scratch_parent())
};

struct WrapResult {
  SignedManifest manifest;
  ResolvedEntrypoint entrypoint;
  std::string source_digest;
  std::string manifest_digest;  // of the written image (empty for --dockerfile)
  std::string config_digest;
};

WrapResult wrap_image(const WrapOptions& opts, const ManifestBuilder& build_manifest);

// The Entrypoint / Cmd of the wrapped image for a resolved original entrypoint.
void wrapped_command(const ResolvedEntrypoint& ep, std::vector<std::string>& entrypoint,
                     std::vector<std::string>& cmd);

}  // namespace cocoon::image
