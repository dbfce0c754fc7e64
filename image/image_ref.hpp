// Image references on the command line, in the transport syntax skopeo uses:
//   docker-archive:FILE[:REF]   a `docker save` / `skopeo copy` tarball, REF = repo:tag inside it
//   oci:DIR[:TAG]               an OCI image layout directory, TAG = org.opencontainers.image.ref.name
#pragma once

#include <string>

namespace cocoon::image {

enum class Transport { DockerArchive, Oci };

struct ImageRef {
  Transport transport = Transport::Oci;
  std::string path;  // FILE or DIR
  std::string tag;   // REF or TAG; empty when not given
};

// Throws ImageError naming the reference and the accepted forms.
ImageRef parse_image_ref(const std::string& text);

std::string to_string(const ImageRef& ref);

}  // namespace cocoon::image
