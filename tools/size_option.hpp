// Sizes on the command line: "4096", "64K", "512M", "4G", "1T" (binary units).
#pragma once

#include <cstdint>
#include <string>

namespace cocoon::tools {

bool parse_size(const std::string& text, std::uint64_t& out, std::string& error);

}  // namespace cocoon::tools
