// The configuration of a wrapped image: the original one with the entrypoint replaced by
// `cocoon run` on the signed manifest, Cocoon's environment and labels added, and the
// runtime layer appended to rootfs.diff_ids (and to history, when the image has one).
#pragma once

#include <map>
#include <string>
#include <vector>

namespace cocoon::image {

// Label keys recorded on the wrapped image.
inline constexpr const char* kLabelMrenclave = "dev.cocoon.mrenclave";
inline constexpr const char* kLabelMrsigner = "dev.cocoon.mrsigner";
inline constexpr const char* kLabelSourceDigest = "dev.cocoon.source-digest";
inline constexpr const char* kLabelBaseDigest = "org.opencontainers.image.base.digest";

struct WrappedConfigSpec {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env_add;  // "NAME=value"; replaces a variable of the same name
  std::map<std::string, std::string> labels;
  std::string runtime_diff_id;
};

// Deterministic: the same inputs give the same bytes (keys sorted, no timestamps added).
// Throws ImageError when the original is not a JSON object.
std::string make_wrapped_config(const std::string& original_config, const WrappedConfigSpec& spec);

}  // namespace cocoon::image
