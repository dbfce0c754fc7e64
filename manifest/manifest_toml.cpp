// TOML <-> Manifest: parse_manifest / parse_manifest_template / load_manifest_file / to_toml.
// Keys are documented in docs/manifest.md. Every error names the source, line and dotted key.
#include "manifest/toml_include.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string_view>

#include "manifest/manifest.hpp"
#include "manifest/manifest_paths.hpp"
#include "manifest/net_bind_text.hpp"
#include "manifest/trusted_scan.hpp"

namespace cocoon::manifest {
namespace {

const char* type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string: return "string";
    case toml::node_type::integer: return "integer";
    case toml::node_type::floating_point: return "float";
    case toml::node_type::boolean: return "boolean";
    case toml::node_type::date: return "date";
    case toml::node_type::time: return "time";
    case toml::node_type::date_time: return "date-time";
    case toml::node_type::array: return "array";
    case toml::node_type::table: return "table";
    default: return "nothing";
  }
}

std::string join_names(const std::map<std::string, std::string>& vars) {
  std::string s;
  for (const auto& [k, v] : vars) s += (s.empty() ? "" : ", ") + k;
  return s.empty() ? "none" : s;
}

class Parser {
 public:
  Parser(std::string source, std::map<std::string, std::string> vars)
      : source_(std::move(source)), vars_(std::move(vars)) {}

  [[noreturn]] void fail(const toml::node* n, const std::string& key, const std::string& msg) const {
    std::string where = source_;
    if (n != nullptr && n->source().begin.line != 0)
      where += ":" + std::to_string(n->source().begin.line);
    throw ManifestError(where + ": " + key + ": " + msg);
  }
  [[noreturn]] void fail_key(const toml::key& k, const std::string& key, const std::string& msg) const {
    std::string where = source_;
    if (k.source().begin.line != 0) where += ":" + std::to_string(k.source().begin.line);
    throw ManifestError(where + ": " + key + ": " + msg);
  }

  void check_keys(const toml::table& t, const std::string& prefix,
                  std::initializer_list<std::string_view> known) const {
    for (auto&& [k, v] : t) {
      if (std::find(known.begin(), known.end(), k.str()) != known.end()) continue;
      std::string list;
      for (auto kk : known) list += (list.empty() ? "" : ", ") + std::string(kk);
      fail_key(k, prefix + std::string(k.str()), "unknown key (known keys here: " + list + ")");
    }
  }

  const toml::table* table(const toml::table& parent, std::string_view name,
                           const std::string& key) const {
    const toml::node* n = parent.get(name);
    if (n == nullptr) return nullptr;
    if (!n->is_table()) fail(n, key, std::string("expected a table, got ") + type_name(*n));
    return n->as_table();
  }

  std::string expand(const std::string& s, const toml::node* n, const std::string& key) const {
    std::string out;
    std::size_t pos = 0;
    while (true) {
      std::size_t open = s.find("{{", pos);
      if (open == std::string::npos) break;
      std::size_t close = s.find("}}", open + 2);
      if (close == std::string::npos)
        fail(n, key, "unterminated template variable (a '{{' without '}}') in \"" + s + "\"");
      std::string name = s.substr(open + 2, close - open - 2);
      while (!name.empty() && name.front() == ' ') name.erase(name.begin());
      while (!name.empty() && name.back() == ' ') name.pop_back();
      auto it = vars_.find(name);
      if (it == vars_.end())
        fail(n, key, "undefined template variable {{" + name + "}} (defined: " +
                         join_names(vars_) + ")");
      out += s.substr(pos, open - pos);
      out += it->second;
      pos = close + 2;
    }
    out += s.substr(pos);
    if (out.find('\0') != std::string::npos) fail(n, key, "contains a NUL character");
    return out;
  }

  std::string string(const toml::node& n, const std::string& key) const {
    if (!n.is_string()) fail(&n, key, std::string("expected a string, got ") + type_name(n));
    return expand(n.as_string()->get(), &n, key);
  }
  std::string abs_path(const toml::node& n, const std::string& key, bool allow_trailing_slash = false) const {
    std::string p = string(n, key);
    if (!is_normalized_absolute(p, allow_trailing_slash))
      fail(&n, key, "'" + p + "' is not a normalized absolute path (it must start with '/' and " +
                        "have no '.', '..' or empty components" +
                        (allow_trailing_slash ? ")" : " and no trailing '/')"));
    return p;
  }
  bool boolean(const toml::node& n, const std::string& key) const {
    if (!n.is_boolean()) fail(&n, key, std::string("expected true or false, got ") + type_name(n));
    return n.as_boolean()->get();
  }
  const toml::array& array(const toml::node& n, const std::string& key, const char* of) const {
    if (!n.is_array()) fail(&n, key, std::string("expected an array of ") + of + ", got " + type_name(n));
    return *n.as_array();
  }
  std::vector<std::string> strings(const toml::node& n, const std::string& key) const {
    std::vector<std::string> out;
    const auto& arr = array(n, key, "strings");
    for (std::size_t i = 0; i < arr.size(); ++i)
      out.push_back(string(*arr.get(i), key + "[" + std::to_string(i) + "]"));
    return out;
  }
  std::uint64_t unsigned_int(const toml::node& n, const std::string& key, std::uint64_t max) const {
    std::uint64_t v = 0;
    if (n.is_integer()) {
      std::int64_t i = n.as_integer()->get();
      if (i < 0) fail(&n, key, "must not be negative, got " + std::to_string(i));
      v = static_cast<std::uint64_t>(i);
    } else if (n.is_string()) {
      std::string s = expand(n.as_string()->get(), &n, key);
      if (s.size() < 3 || s.size() > 18 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X') ||
          s.find_first_not_of("0123456789abcdefABCDEF", 2) != std::string::npos)
        fail(&n, key, "expected an integer or a hex string like \"0x4\", got \"" + s + "\"");
      v = std::stoull(s.substr(2), nullptr, 16);
    } else {
      fail(&n, key, std::string("expected an integer or a hex string like \"0x4\", got ") + type_name(n));
    }
    if (v > max) fail(&n, key, "value " + std::to_string(v) + " is larger than the maximum " + std::to_string(max));
    return v;
  }
  std::uint64_t size(const toml::node& n, const std::string& key) const {
    if (n.is_integer()) {
      std::int64_t i = n.as_integer()->get();
      if (i <= 0) fail(&n, key, "must be positive, got " + std::to_string(i));
      return static_cast<std::uint64_t>(i);
    }
    if (!n.is_string())
      fail(&n, key, std::string("expected a size like \"4G\", got ") + type_name(n));
    std::string s = expand(n.as_string()->get(), &n, key);
    std::size_t digits = s.find_first_not_of("0123456789");
    if (digits == 0 || s.empty()) fail(&n, key, "expected a size like \"512M\" or \"4G\", got \"" + s + "\"");
    unsigned shift = 0;
    if (digits != std::string::npos) {
      if (digits + 1 != s.size()) fail(&n, key, "expected a size like \"512M\" or \"4G\", got \"" + s + "\"");
      switch (s[digits]) {
        case 'K': case 'k': shift = 10; break;
        case 'M': case 'm': shift = 20; break;
        case 'G': case 'g': shift = 30; break;
        case 'T': case 't': shift = 40; break;
        default: fail(&n, key, "unknown size suffix in \"" + s + "\" (use K, M, G or T)");
      }
    }
    std::string num = s.substr(0, digits);
    if (num.size() > 15) fail(&n, key, "size \"" + s + "\" is too large");
    std::uint64_t v = std::stoull(num);
    if (v == 0) fail(&n, key, "must be positive, got \"" + s + "\"");
    if (v > (std::numeric_limits<std::uint64_t>::max() >> shift)) fail(&n, key, "size \"" + s + "\" is too large");
    return v << shift;
  }

  ManifestTemplate parse(const std::string& text, bool template_mode);

 private:
  void parse_loader(const toml::table& t, Manifest& m);
  void parse_fs(const toml::table& t, ManifestTemplate& out, bool template_mode);
  void parse_enclave(const toml::table& t, EnclaveSettings& e);
  void parse_net(const toml::table& t, Manifest& m);

  std::string source_;
  std::map<std::string, std::string> vars_;
  std::vector<TrustedFile>* scanned_trusted_ = nullptr;  // fs.trusted_files read by scan_trusted_files
};

// Whether toml++ read the text scan_trusted_files produced with fs.trusted_files exactly at
// the scanned array (an empty array there): then the scan read the array toml++ would have.
bool scan_is_fs_trusted_files(const toml::table& root, const TrustedScan& scan) {
  const toml::node* fs = root.get("fs");
  if (fs == nullptr || !fs->is_table()) return false;
  const toml::node* n = fs->as_table()->get("trusted_files");
  if (n == nullptr || !n->is_array() || !n->as_array()->empty()) return false;
  return n->source().begin.line == scan.line && n->source().begin.column == scan.column;
}

void Parser::parse_loader(const toml::table& t, Manifest& m) {
  check_keys(t, "loader.", {"entrypoint", "argv", "allow_host_argv", "env", "passthrough_env", "working_dir"});
  const toml::node* ep = t.get("entrypoint");
  if (ep == nullptr) fail(&t, "loader.entrypoint", "missing (the absolute path of the program to run)");
  // {{entrypoint}} cannot be used to define the entrypoint itself.
  m.entrypoint = string(*ep, "loader.entrypoint");
  if (m.entrypoint.empty() || m.entrypoint[0] != '/')
    fail(ep, "loader.entrypoint", "'" + m.entrypoint + "' is not an absolute path");
  if (!vars_.count("entrypoint")) vars_["entrypoint"] = m.entrypoint;
  if (!vars_.count("entrypoint_dir"))
    vars_["entrypoint_dir"] = m.entrypoint.substr(0, std::max<std::size_t>(1, m.entrypoint.rfind('/')));

  if (const toml::node* n = t.get("argv")) {
    m.argv = strings(*n, "loader.argv");
    if (m.argv.empty()) fail(n, "loader.argv", "must not be empty (argv[0] is the program name)");
  } else {
    m.argv = {m.entrypoint};
  }
  if (const toml::node* n = t.get("allow_host_argv")) m.allow_host_argv = boolean(*n, "loader.allow_host_argv");
  if (const toml::node* n = t.get("working_dir")) m.working_dir = abs_path(*n, "loader.working_dir");
  if (const toml::table* env = table(t, "env", "loader.env")) {
    for (auto&& [k, v] : *env) {
      std::string key = "loader.env." + std::string(k.str());
      if (k.str().empty() || k.str().find('=') != std::string_view::npos || k.str().find('\0') != std::string_view::npos)
        fail_key(k, key, "invalid environment variable name (empty, or contains '=' or NUL)");
      m.env[std::string(k.str())] = string(v, key);
    }
  }
  if (const toml::node* n = t.get("passthrough_env")) {
    const auto& arr = array(*n, "loader.passthrough_env", "strings");
    std::set<std::string> seen;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      std::string key = "loader.passthrough_env[" + std::to_string(i) + "]";
      std::string name = string(*arr.get(i), key);
      if (name.empty() || name.find('=') != std::string::npos)
        fail(arr.get(i), key, "invalid environment variable name '" + name + "'");
      if (m.env.count(name))
        fail(arr.get(i), key, "'" + name + "' is also set in loader.env; keep one of the two");
      if (!seen.insert(name).second) fail(arr.get(i), key, "'" + name + "' is listed twice");
      m.passthrough_env.push_back(name);
    }
    std::sort(m.passthrough_env.begin(), m.passthrough_env.end());
  }
}

void Parser::parse_fs(const toml::table& t, ManifestTemplate& out, bool template_mode) {
  check_keys(t, "fs.", {"mounts", "trusted_files", "allowed_files", "symlinks", "encrypted_files"});
  Manifest& m = out.manifest;
  if (const toml::node* n = t.get("encrypted_files"))
    fail(n, "fs.encrypted_files", "encrypted files are not supported yet (the key is reserved)");
  if (const toml::node* n = t.get("mounts")) {
    const auto& arr = array(*n, "fs.mounts", "tables");
    for (std::size_t i = 0; i < arr.size(); ++i) {
      std::string key = "fs.mounts[" + std::to_string(i) + "]";
      const toml::node* e = arr.get(i);
      if (!e->is_table()) fail(e, key, std::string("expected a table {path, uri, type}, got ") + type_name(*e));
      const toml::table& mt = *e->as_table();
      check_keys(mt, key + ".", {"path", "uri", "type"});
      Mount mount;
      const toml::node* p = mt.get("path");
      const toml::node* u = mt.get("uri");
      if (p == nullptr) fail(e, key + ".path", "missing");
      if (u == nullptr) fail(e, key + ".uri", "missing");
      mount.path = abs_path(*p, key + ".path");
      mount.uri = string(*u, key + ".uri");
      if (mount.uri.rfind("file:", 0) != 0 || mount.uri.size() < 6 || mount.uri[5] != '/')
        fail(u, key + ".uri", "expected \"file:/host/path\", got \"" + mount.uri + "\"");
      mount.type = "chroot";
      if (const toml::node* ty = mt.get("type")) {
        mount.type = string(*ty, key + ".type");
        if (mount.type == "encrypted")
          fail(ty, key + ".type", "encrypted mounts are not supported yet (the type is reserved)");
        if (mount.type != "chroot")
          fail(ty, key + ".type", "unknown mount type \"" + mount.type + "\" (supported: \"chroot\")");
      }
      for (const auto& other : m.mounts)
        if (other.path == mount.path) fail(p, key + ".path", "'" + mount.path + "' is mounted twice");
      m.mounts.push_back(std::move(mount));
    }
  }
  if (t.get("trusted_files") != nullptr && scanned_trusted_ != nullptr) {
    m.trusted_files = std::move(*scanned_trusted_);  // checked and sorted as below
  } else if (const toml::node* n = t.get("trusted_files")) {
    const auto& arr = array(*n, "fs.trusted_files", "{path, sha256} tables");
    std::map<std::string, std::size_t> line_of;
    for (std::size_t i = 0; i < arr.size(); ++i) {
      std::string key = "fs.trusted_files[" + std::to_string(i) + "]";
      const toml::node* e = arr.get(i);
      std::string path;
      const toml::node* where = e;
      if (e->is_string() && template_mode) {
        path = abs_path(*e, key, true);
        out.unhashed_trusted.push_back(path);
      } else if (e->is_table()) {
        const toml::table& tt = *e->as_table();
        check_keys(tt, key + ".", {"path", "sha256"});
        const toml::node* p = tt.get("path");
        const toml::node* h = tt.get("sha256");
        if (p == nullptr) fail(e, key + ".path", "missing");
        path = abs_path(*p, key + ".path");
        where = p;
        if (h == nullptr) {
          if (!template_mode)
            fail(e, key + ".sha256", "missing for '" + path + "'; run 'cocoon manifest' to hash the file");
          out.unhashed_trusted.push_back(path);
        } else {
          std::string hex = string(*h, key + ".sha256");
          auto digest = parse_sha256_hex(hex);
          if (!digest) fail(h, key + ".sha256", "expected 64 hex digits, got \"" + hex + "\"");
          m.trusted_files.push_back({path, *digest});
        }
      } else {
        fail(e, key, std::string("expected a table {path = \"…\", sha256 = \"…\"}") +
                         (template_mode ? " or a path" : "") + ", got " + type_name(*e));
      }
      auto [it, fresh] = line_of.emplace(path, where->source().begin.line);
      if (!fresh)
        fail(where, key, "'" + path + "' is listed twice (first on line " + std::to_string(it->second) + ")");
    }
    std::sort(m.trusted_files.begin(), m.trusted_files.end(),
              [](const TrustedFile& a, const TrustedFile& b) { return a.path < b.path; });
  }
  if (const toml::node* n = t.get("allowed_files")) {
    const auto& arr = array(*n, "fs.allowed_files", "paths");
    for (std::size_t i = 0; i < arr.size(); ++i) {
      std::string key = "fs.allowed_files[" + std::to_string(i) + "]";
      std::string p = abs_path(*arr.get(i), key, true);
      if (std::find(m.allowed_files.begin(), m.allowed_files.end(), p) != m.allowed_files.end())
        fail(arr.get(i), key, "'" + p + "' is listed twice");
      m.allowed_files.push_back(p);
    }
    std::sort(m.allowed_files.begin(), m.allowed_files.end());
  }
  if (const toml::table* links = table(t, "symlinks", "fs.symlinks")) {
    for (auto&& [k, v] : *links) {
      std::string key = "fs.symlinks.\"" + std::string(k.str()) + "\"";
      std::string link = expand(std::string(k.str()), &v, key);
      if (!is_normalized_absolute(link, false))
        fail_key(k, key, "the link '" + link + "' is not a normalized absolute path");
      std::string target = string(v, key);
      if (target.empty()) fail(&v, key, "empty symlink target");
      if (!m.symlinks.emplace(link, target).second) fail_key(k, key, "'" + link + "' is listed twice");
    }
  }
}

void Parser::parse_enclave(const toml::table& t, EnclaveSettings& e) {
  check_keys(t, "enclave.", {"size", "max_threads", "isvprodid", "isvsvn", "debug", "attributes",
                             "attributes_mask", "xfrm", "xfrm_mask", "misc_select", "misc_mask"});
  if (const toml::node* n = t.get("size")) {
    e.size = size(*n, "enclave.size");
    if ((e.size & (e.size - 1)) != 0)
      fail(n, "enclave.size", std::to_string(e.size) + " bytes is not a power of two (e.g. \"256M\", \"4G\")");
  }
  if (const toml::node* n = t.get("max_threads")) {
    e.max_threads = static_cast<std::uint32_t>(unsigned_int(*n, "enclave.max_threads", 4096));
    if (e.max_threads == 0) fail(n, "enclave.max_threads", "must be at least 1");
  }
  if (const toml::node* n = t.get("isvprodid"))
    e.isv_prod_id = static_cast<std::uint16_t>(unsigned_int(*n, "enclave.isvprodid", 0xffff));
  if (const toml::node* n = t.get("isvsvn"))
    e.isv_svn = static_cast<std::uint16_t>(unsigned_int(*n, "enclave.isvsvn", 0xffff));
  if (const toml::node* n = t.get("debug")) e.debug = boolean(*n, "enclave.debug");
  constexpr std::uint64_t u64 = ~0ull, u32 = 0xffffffffull;
  if (const toml::node* n = t.get("attributes")) e.attributes = unsigned_int(*n, "enclave.attributes", u64);
  if (const toml::node* n = t.get("attributes_mask")) e.attributes_mask = unsigned_int(*n, "enclave.attributes_mask", u64);
  if (const toml::node* n = t.get("xfrm")) e.xfrm = unsigned_int(*n, "enclave.xfrm", u64);
  if (const toml::node* n = t.get("xfrm_mask")) e.xfrm_mask = unsigned_int(*n, "enclave.xfrm_mask", u64);
  if (const toml::node* n = t.get("misc_select"))
    e.misc_select = static_cast<std::uint32_t>(unsigned_int(*n, "enclave.misc_select", u32));
  if (const toml::node* n = t.get("misc_mask"))
    e.misc_mask = static_cast<std::uint32_t>(unsigned_int(*n, "enclave.misc_mask", u32));
}

void Parser::parse_net(const toml::table& t, Manifest& m) {
  check_keys(t, "net.", {"bind"});
  const toml::node* n = t.get("bind");
  if (n == nullptr) return;  // [net] without bind: no bind policy
  const auto& arr = array(*n, "net.bind", "strings like \"127.0.0.1:8080\"");
  std::vector<BindRule> rules;
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < arr.size(); ++i) {
    std::string key = "net.bind[" + std::to_string(i) + "]";
    std::string text = string(*arr.get(i), key);
    std::string why;
    std::optional<BindRule> rule = parse_bind_rule(text, &why);
    if (!rule) fail(arr.get(i), key, why);
    for (std::size_t j = 0; j < rules.size(); ++j)
      if (rules[j] == *rule)
        fail(arr.get(i), key, "\"" + text + "\" is listed twice (net.bind[" + std::to_string(j) + "] is \"" +
                                  texts[j] + "\", the same addresses and ports)");
    rules.push_back(*rule);
    texts.push_back(text);
  }
  m.net_bind = std::move(rules);
}

ManifestTemplate Parser::parse(const std::string& text, bool template_mode) {
  toml::table root;
  std::optional<TrustedScan> scan = scan_trusted_files(text);
  if (scan) {
    try {
      root = toml::parse(scan->replaced, source_);
      if (scan_is_fs_trusted_files(root, *scan)) {
        scanned_trusted_ = &scan->entries;
        count_trusted_scan_used();
      }
    } catch (const toml::parse_error&) {
      // reported from the original text below
    }
  }
  if (scanned_trusted_ == nullptr) {
    try {
      root = toml::parse(text, source_);
    } catch (const toml::parse_error& e) {
      throw ManifestError(source_ + ":" + std::to_string(e.source().begin.line) + ": invalid TOML: " +
                          std::string(e.description()));
    }
  }
  if (!vars_.count("arch_libdir")) vars_["arch_libdir"] = kArchLibdir;
  check_keys(root, "", {"loader", "fs", "net", "enclave"});
  ManifestTemplate out;
  const toml::table* loader = table(root, "loader", "loader");
  if (loader == nullptr) fail(nullptr, "loader", "missing [loader] table (loader.entrypoint is required)");
  parse_loader(*loader, out.manifest);
  out.sets_env = loader->get("env") != nullptr;
  out.sets_working_dir = loader->get("working_dir") != nullptr;
  if (const toml::table* fs = table(root, "fs", "fs")) parse_fs(*fs, out, template_mode);
  if (const toml::table* net = table(root, "net", "net")) parse_net(*net, out.manifest);
  if (const toml::table* enc = table(root, "enclave", "enclave")) parse_enclave(*enc, out.manifest.enclave);
  return out;
}

// ---- writer ----

std::string quote(const std::string& s, const char* what) {
  if (!is_valid_utf8(s))
    throw ManifestError(std::string(what) + ": '" + s + "' is not valid UTF-8 and cannot be written as TOML");
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "\"0x%" PRIx64 "\"", v);
  return buf;
}

std::string size_string(std::uint64_t v) {
  static const struct { unsigned shift; char suffix; } units[] = {{40, 'T'}, {30, 'G'}, {20, 'M'}, {10, 'K'}};
  for (auto u : units)
    if (v >= (1ull << u.shift) && v % (1ull << u.shift) == 0)
      return "\"" + std::to_string(v >> u.shift) + u.suffix + "\"";
  return std::to_string(v);
}

}  // namespace

ManifestTemplate parse_manifest_template(const std::string& toml_text, const std::string& source_name,
                                         const std::map<std::string, std::string>& vars) {
  return Parser(source_name, vars).parse(toml_text, true);
}

Manifest parse_manifest(const std::string& toml_text, const std::string& source_name,
                        const std::map<std::string, std::string>& vars) {
  return Parser(source_name, vars).parse(toml_text, false).manifest;
}

std::string read_manifest_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ManifestError(path + ": cannot open manifest");
  std::string text;
  in.seekg(0, std::ios::end);  // one read into a buffer of the right size (start-up reads it every time)
  std::streamoff size = in.tellg();
  in.seekg(0, std::ios::beg);
  if (size > 0) {
    text.resize(static_cast<std::size_t>(size));
    in.read(text.data(), size);
    text.resize(static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw ManifestError(path + ": cannot read manifest");
  if (size < 0 || in.peek() != std::char_traits<char>::eof()) {  // not a regular file, or it grew: read it all
    std::ostringstream ss;
    in.clear();
    in.seekg(0, std::ios::beg);
    ss << in.rdbuf();
    text = ss.str();
  }
  return text;
}

Manifest load_manifest_file(const std::string& path, const std::map<std::string, std::string>& vars) {
  return parse_manifest(read_manifest_text(path), path, vars);
}

std::string to_toml(const Manifest& m) {
  std::ostringstream o;
  o << "# Cocoon manifest (keys: docs/manifest.md)\n\n[loader]\n";
  o << "entrypoint = " << quote(m.entrypoint, "loader.entrypoint") << "\n";
  o << "argv = [";
  for (std::size_t i = 0; i < m.argv.size(); ++i) o << (i ? ", " : "") << quote(m.argv[i], "loader.argv");
  o << "]\n";
  o << "allow_host_argv = " << (m.allow_host_argv ? "true" : "false") << "\n";
  o << "working_dir = " << quote(m.working_dir, "loader.working_dir") << "\n";
  std::vector<std::string> pass = m.passthrough_env;
  std::sort(pass.begin(), pass.end());
  o << "passthrough_env = [";
  for (std::size_t i = 0; i < pass.size(); ++i) o << (i ? ", " : "") << quote(pass[i], "loader.passthrough_env");
  o << "]\n\n[loader.env]\n";
  for (const auto& [k, v] : m.env) o << quote(k, "loader.env") << " = " << quote(v, "loader.env") << "\n";

  o << "\n[fs]\nmounts = [\n";
  for (const auto& mt : m.mounts)
    o << "  { path = " << quote(mt.path, "fs.mounts") << ", uri = " << quote(mt.uri, "fs.mounts")
      << ", type = " << quote(mt.type.empty() ? "chroot" : mt.type, "fs.mounts") << " },\n";
  o << "]\n";
  std::vector<std::string> allowed = m.allowed_files;
  std::sort(allowed.begin(), allowed.end());
  o << "allowed_files = [\n";
  for (const auto& a : allowed) o << "  " << quote(a, "fs.allowed_files") << ",\n";
  o << "]\n";
  std::vector<const TrustedFile*> tf;
  for (const auto& t : m.trusted_files) tf.push_back(&t);
  std::sort(tf.begin(), tf.end(), [](auto* a, auto* b) { return a->path < b->path; });
  o << "trusted_files = [\n";
  for (const auto* t : tf)
    o << "  { path = " << quote(t->path, "fs.trusted_files") << ", sha256 = \"" << sha256_hex(t->sha256)
      << "\" },\n";
  o << "]\n\n[fs.symlinks]\n";
  for (const auto& [k, v] : m.symlinks) o << quote(k, "fs.symlinks") << " = " << quote(v, "fs.symlinks") << "\n";

  if (m.net_bind) {  // only when present: without it every bind is allowed
    o << "\n[net]\nbind = [";
    for (std::size_t i = 0; i < m.net_bind->size(); ++i) o << (i ? ", " : "") << "\"" << bind_rule_text((*m.net_bind)[i]) << "\"";
    o << "]\n";
  }

  const auto& e = m.enclave;
  o << "\n[enclave]\n";
  o << "size = " << size_string(e.size) << "\n";
  o << "max_threads = " << e.max_threads << "\n";
  o << "isvprodid = " << e.isv_prod_id << "\n";
  o << "isvsvn = " << e.isv_svn << "\n";
  o << "debug = " << (e.debug ? "true" : "false") << "\n";
  o << "attributes = " << hex(e.attributes) << "\n";
  o << "attributes_mask = " << hex(e.attributes_mask) << "\n";
  o << "xfrm = " << hex(e.xfrm) << "\n";
  o << "xfrm_mask = " << hex(e.xfrm_mask) << "\n";
  o << "misc_select = " << hex(e.misc_select) << "\n";
  o << "misc_mask = " << hex(e.misc_mask) << "\n";
  return o.str();
}

}  // namespace cocoon::manifest
