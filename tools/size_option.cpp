#include "size_option.hpp"

#include <cctype>

namespace cocoon::tools {

bool parse_size(const std::string& text, std::uint64_t& out, std::string& error) {
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) {
    error = "'" + text + "' is not a size (use e.g. 512M or 4G)";
    return false;
  }
  std::size_t i = 0;
  std::uint64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    std::uint64_t d = static_cast<std::uint64_t>(text[i] - '0');
    if (v > (~0ull - d) / 10) {
      error = "'" + text + "' is too large";
      return false;
    }
    v = v * 10 + d;
    ++i;
  }
  int shift = 0;
  if (i < text.size()) {
    switch (std::toupper(static_cast<unsigned char>(text[i]))) {
      case 'K': shift = 10; break;
      case 'M': shift = 20; break;
      case 'G': shift = 30; break;
      case 'T': shift = 40; break;
      default:
        error = "'" + text + "' has an unknown unit (K, M, G, T)";
        return false;
    }
    ++i;
    if (i < text.size() && text[i] == 'i') ++i;  // "GiB" as well as "G" and "GB"
    if (i < text.size() && (text[i] == 'B' || text[i] == 'b')) ++i;
  }
  if (i != text.size()) {
    error = "'" + text + "' is not a size (use e.g. 512M or 4G)";
    return false;
  }
  if (shift && v > (~0ull >> shift)) {
    error = "'" + text + "' is too large";
    return false;
  }
  out = v << shift;
  return true;
}

}  // namespace cocoon::tools
