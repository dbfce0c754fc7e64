#include "manifest/trusted_scan.hpp"

#include <algorithm>
#include <array>
#include <atomic>

#include "manifest/manifest_paths.hpp"

namespace cocoon::manifest {
namespace {

std::atomic<std::uint64_t> g_scans_used{0};

// Bytes of a plain basic string: 0 printable ASCII, 1 the closing quote, 2 anything else
// (control characters, DEL, a backslash, non-ASCII: the scan declines).
constexpr std::array<std::uint8_t, 256> kStringClass = [] {
  std::array<std::uint8_t, 256> t{};
  for (std::size_t c = 0; c < 256; ++c) t[c] = c < 0x20 || c > 0x7e || c == '\\' ? 2 : 0;
  t['"'] = 1;
  return t;
}();

class Reader {
 public:
  Reader(std::string_view text, std::size_t pos) : t_(text), p_(pos) {}

  std::size_t pos() const { return p_; }
  bool at(char c) const { return p_ < t_.size() && t_[p_] == c; }
  bool eat(char c) {
    if (!at(c)) return false;
    ++p_;
    return true;
  }
  void blanks() {  // spaces and tabs (inside one line)
    while (p_ < t_.size() && (t_[p_] == ' ' || t_[p_] == '\t')) ++p_;
  }
  std::size_t newlines() const { return newlines_; }
  // Spaces, tabs and line ends between array elements (counted); false on a lone '\r'.
  bool blanks_and_newlines() {
    for (;;) {
      blanks();
      if (eat('\n')) {
        ++newlines_;
        continue;
      }
      if (at('\r')) {
        if (p_ + 1 < t_.size() && t_[p_ + 1] == '\n') {
          p_ += 2;
          ++newlines_;
          continue;
        }
        return false;
      }
      return true;
    }
  }
  std::string_view bare_key() {
    std::size_t b = p_;
    while (p_ < t_.size()) {
      char c = t_[p_];
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-') ++p_;
      else break;
    }
    return t_.substr(b, p_ - b);
  }
  // A basic string of printable ASCII without escapes; nullopt for anything else.
  std::optional<std::string_view> plain_string() {
    if (!eat('"')) return std::nullopt;
    std::size_t b = p_;
    while (p_ < t_.size()) {
      std::uint8_t k = kStringClass[static_cast<unsigned char>(t_[p_])];
      if (k == 1) {
        std::string_view s = t_.substr(b, p_ - b);
        ++p_;
        return s;
      }
      if (k != 0) return std::nullopt;
      ++p_;
    }
    return std::nullopt;
  }

 private:
  std::string_view t_;
  std::size_t p_;
  std::size_t newlines_ = 0;
};

// `{ path = "…", sha256 = "…" }` (either order) on one line.
bool read_entry(Reader& r, TrustedFile& out) {
  if (!r.eat('{')) return false;
  std::optional<std::string_view> path, hex;
  for (;;) {
    r.blanks();
    std::string_view key = r.bare_key();
    std::optional<std::string_view>* slot = key == "path" ? &path : key == "sha256" ? &hex : nullptr;
    if (!slot || slot->has_value()) return false;  // another key, or one given twice
    r.blanks();
    if (!r.eat('=')) return false;
    r.blanks();
    *slot = r.plain_string();
    if (!slot->has_value()) return false;
    r.blanks();
    if (r.eat('}')) break;
    if (!r.eat(',')) return false;
  }
  if (!path || !hex) return false;
  if (path->find("{{") != std::string_view::npos) return false;  // a template variable
  if (!is_normalized_absolute(*path, false)) return false;
  std::optional<Sha256> digest = parse_sha256_hex(*hex);
  if (!digest) return false;
  out.path.assign(*path);
  out.sha256 = *digest;
  return true;
}

// Offset of the '[' of the first line of the form `trusted_files = [`, or npos.
std::size_t find_array(std::string_view text) {
  std::size_t line = 0;
  while (line < text.size()) {
    Reader r(text, line);
    r.blanks();
    std::size_t key_at = r.pos();
    if (text.compare(key_at, 13, "trusted_files") == 0) {
      Reader k(text, key_at + 13);
      k.blanks();
      if (k.eat('=')) {
        k.blanks();
        if (k.at('[')) return k.pos();
      }
    }
    std::size_t nl = text.find('\n', line);
    if (nl == std::string_view::npos) break;
    line = nl + 1;
  }
  return std::string_view::npos;
}

}  // namespace

std::optional<TrustedScan> scan_trusted_files(std::string_view text) {
  std::size_t begin = find_array(text);
  if (begin == std::string_view::npos) return std::nullopt;
  TrustedScan s;
  s.begin = begin;
  Reader r(text, begin + 1);
  for (;;) {
    if (!r.blanks_and_newlines()) return std::nullopt;
    if (r.eat(']')) break;
    TrustedFile f;
    if (!read_entry(r, f)) return std::nullopt;
    s.entries.push_back(std::move(f));
    if (!r.blanks_and_newlines()) return std::nullopt;
    if (r.eat(']')) break;
    if (!r.eat(',')) return std::nullopt;
  }
  s.end = r.pos();
  // Sorted by path as the ordinary parser leaves them; a path listed twice is an error the
  // ordinary parser reports with both lines.
  auto by_path = [](const TrustedFile& a, const TrustedFile& b) { return a.path < b.path; };
  if (!std::is_sorted(s.entries.begin(), s.entries.end(), by_path))  // the writer sorts them
    std::sort(s.entries.begin(), s.entries.end(), by_path);
  for (std::size_t i = 1; i < s.entries.size(); ++i)
    if (s.entries[i].path == s.entries[i - 1].path) return std::nullopt;

  std::size_t line_start = text.rfind('\n', begin);
  line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
  s.line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(begin), '\n'));
  s.column = 1;
  for (std::size_t i = line_start; i < begin; ++i)
    if ((static_cast<unsigned char>(text[i]) & 0xc0) != 0x80) ++s.column;  // code points, not bytes

  std::size_t newlines = r.newlines();  // every '\n' in the array is between elements
  s.replaced.reserve(text.size() - (s.end - begin) + newlines + 2);
  s.replaced.append(text.substr(0, begin));
  s.replaced.push_back('[');
  s.replaced.append(newlines, '\n');  // every later line keeps its number (error messages)
  s.replaced.push_back(']');
  s.replaced.append(text.substr(s.end));
  return s;
}

std::uint64_t trusted_scans_used() { return g_scans_used.load(std::memory_order_relaxed); }
void count_trusted_scan_used() { g_scans_used.fetch_add(1, std::memory_order_relaxed); }

}  // namespace cocoon::manifest
