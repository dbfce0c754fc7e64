#include "image_ref.hpp"

#include "image_error.hpp"

namespace cocoon::image {
namespace {

const char* kForms = "expected docker-archive:FILE[:REPO:TAG] or oci:DIR[:TAG]";

// Splits "PATH[:TAG]" for oci: the tag is what follows the last ':' unless that ':' is
// part of the path (it would then contain a '/').
void split_oci(const std::string& rest, ImageRef& ref) {
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
    ref.path = rest.substr(0, colon);
    ref.tag = rest.substr(colon + 1);
  } else {
    ref.path = rest;
  }
}

// Splits "FILE[:REPO[:TAG]]" for docker-archive: the file is up to the first ':'.
void split_archive(const std::string& rest, ImageRef& ref) {
  auto colon = rest.find(':');
  if (colon == std::string::npos) {
    ref.path = rest;
  } else {
    ref.path = rest.substr(0, colon);
    ref.tag = rest.substr(colon + 1);
  }
}

}  // namespace

ImageRef parse_image_ref(const std::string& text) {
  ImageRef ref;
  std::string rest;
  if (text.rfind("docker-archive:", 0) == 0) {
    ref.transport = Transport::DockerArchive;
    split_archive(text.substr(15), ref);
  } else if (text.rfind("oci:", 0) == 0) {
    ref.transport = Transport::Oci;
    split_oci(text.substr(4), ref);
  } else {
    throw ImageError("image reference \"" + text + "\": unknown transport; " + kForms);
  }
  if (ref.path.empty())
    throw ImageError("image reference \"" + text + "\": no path given; " + kForms);
  if (ref.transport == Transport::Oci && text.back() == ':')
    throw ImageError("image reference \"" + text + "\": empty tag after ':'; " + kForms);
  if (ref.transport == Transport::DockerArchive && !ref.tag.empty() &&
      ref.tag.find_first_of(" \t") != std::string::npos)
    throw ImageError("image reference \"" + text + "\": whitespace in REPO:TAG; " + kForms);
  return ref;
}

std::string to_string(const ImageRef& ref) {
  std::string s = ref.transport == Transport::Oci ? "oci:" : "docker-archive:";
  s += ref.path;
  if (!ref.tag.empty()) s += ":" + ref.tag;
  return s;
}

}  // namespace cocoon::image
