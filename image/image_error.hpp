// The one error type of the image part: every message names the image, blob, layer entry or
// path at fault and what is wrong with it.
#pragma once

#include <stdexcept>
#include <string>

namespace cocoon::image {

class ImageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace cocoon::image
