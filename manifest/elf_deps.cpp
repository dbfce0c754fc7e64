#include "manifest/elf_deps.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <unistd.h>

#include <cstring>
#include <deque>
#include <fstream>
#include <iterator>
#include <mutex>

#include "manifest/manifest_paths.hpp"

namespace cocoon::manifest {
namespace {

constexpr const char* kLibToken = "lib/x86_64-linux-gnu";  // Debian's $LIB on x86-64
constexpr const char* kPlatformToken = "x86_64";            // AT_PLATFORM on x86-64

void init_libelf() {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
}

std::vector<std::string> split_colon(const std::string& s) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t end = s.find(':', pos);
    if (end == std::string::npos) end = s.size();
    if (end > pos) out.push_back(s.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

const char* machine_name(unsigned m) {
  switch (m) {
    case EM_386: return "i386";
    case EM_ARM: return "arm";
    case EM_AARCH64: return "aarch64";
    case EM_RISCV: return "riscv";
    case EM_PPC64: return "ppc64";
    case EM_S390: return "s390";
    default: return "unknown";
  }
}

// Checks the ELF identification; returns "" when it is a 64-bit little-endian x86-64 ELF,
// else the reason.
std::string ident_problem(const unsigned char* h, std::size_t n) {
  if (n < 4 || std::memcmp(h, ELFMAG, SELFMAG) != 0) return "not an ELF file";
  if (n < EI_NIDENT + 20) return "truncated ELF header";
  if (h[EI_CLASS] == ELFCLASS32) return "32-bit ELF (ELFCLASS32); Cocoon runs x86-64 programs only";
  if (h[EI_CLASS] != ELFCLASS64) return "unknown ELF class " + std::to_string(h[EI_CLASS]);
  if (h[EI_DATA] != ELFDATA2LSB) return "big-endian ELF; Cocoon runs x86-64 programs only";
  unsigned machine = h[18] | (h[19] << 8);
  if (machine != EM_X86_64)
    return "ELF for machine " + std::to_string(machine) + " (" + machine_name(machine) +
           "), expected x86-64 (62)";
  return "";
}

std::string read_ident_problem(const std::string& host_path) {
  int fd = open(host_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::string("cannot open: ") + std::strerror(errno);
  unsigned char h[64];
  ssize_t n = pread(fd, h, sizeof h, 0);
  close(fd);
  if (n < 0) return std::string("cannot read: ") + std::strerror(errno);
  return ident_problem(h, static_cast<std::size_t>(n));
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

bool looks_like_elf(const std::string& host_path) {
  int fd = open(host_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char h[4];
  bool elf = pread(fd, h, 4, 0) == 4 && std::memcmp(h, ELFMAG, SELFMAG) == 0;
  close(fd);
  return elf;
}

bool is_loadable_x86_64_elf(const std::string& host_path) {
  int fd = open(host_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  unsigned char h[64];
  ssize_t n = pread(fd, h, sizeof h, 0);
  close(fd);
  if (n < 0 || !ident_problem(h, static_cast<std::size_t>(n)).empty()) return false;
  unsigned type = h[16] | (h[17] << 8);
  return type == ET_EXEC || type == ET_DYN;
}

ElfObjectInfo read_elf_object(const std::string& host_path, const std::string& display) {
  init_libelf();
  std::string problem = read_ident_problem(host_path);
  if (!problem.empty()) throw ElfDepsError(display + ": " + problem);
  int fd = open(host_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ElfDepsError(display + ": cannot open: " + std::strerror(errno));
  Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr);
  struct Closer {
    Elf* e;
    int fd;
    ~Closer() {
      if (e) elf_end(e);
      close(fd);
    }
  } closer{elf, fd};
  auto bad = [&](const std::string& what) {
    int err = elf_errno();
    return ElfDepsError(display + ": malformed ELF (" + what + (err ? std::string(": ") + elf_errmsg(err) : "") + ")");
  };
  if (elf == nullptr || elf_kind(elf) != ELF_K_ELF) throw bad("libelf cannot read it");
  GElf_Ehdr eh;
  if (gelf_getehdr(elf, &eh) == nullptr) throw bad("ELF header");
  ElfObjectInfo info;
  info.type = eh.e_type;
  if (eh.e_type != ET_EXEC && eh.e_type != ET_DYN)
    throw ElfDepsError(display + ": ELF type " + std::to_string(eh.e_type) +
                       " is neither an executable nor a shared object");
  std::size_t raw_size = 0;
  const char* raw = elf_rawfile(elf, &raw_size);
  std::size_t phnum = 0;
  if (elf_getphdrnum(elf, &phnum) != 0) throw bad("program headers");
  for (std::size_t i = 0; i < phnum; ++i) {
    GElf_Phdr ph;
    if (gelf_getphdr(elf, static_cast<int>(i), &ph) == nullptr) throw bad("program header");
    if (ph.p_type == PT_INTERP) {
      if (raw == nullptr || ph.p_offset >= raw_size || ph.p_filesz > raw_size - ph.p_offset || ph.p_filesz == 0)
        throw bad("PT_INTERP outside the file");
      const char* s = raw + ph.p_offset;
      info.interp.assign(s, strnlen(s, ph.p_filesz));
    }
  }
  // The dynamic section (through the section headers, which every toolchain writes).
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr sh;
    if (gelf_getshdr(scn, &sh) == nullptr) throw bad("section header");
    if (sh.sh_type != SHT_DYNAMIC) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (data == nullptr) throw bad("dynamic section");
    std::string rpath, runpath;
    std::size_t count = sh.sh_entsize ? sh.sh_size / sh.sh_entsize : 0;
    for (std::size_t i = 0; i < count; ++i) {
      GElf_Dyn dyn;
      if (gelf_getdyn(data, static_cast<int>(i), &dyn) == nullptr) break;
      if (dyn.d_tag == DT_NULL) break;
      auto str = [&]() -> std::string {
        const char* s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
        if (s == nullptr) throw bad("dynamic string outside .dynstr");
        return s;
      };
      switch (dyn.d_tag) {
        case DT_NEEDED: info.needed.push_back(str()); break;
        case DT_RPATH: rpath = str(); break;
        case DT_RUNPATH: runpath = str(); break;
        case DT_FLAGS_1: info.nodeflib = (dyn.d_un.d_val & DF_1_NODEFLIB) != 0; break;
        default: break;
      }
    }
    info.runpath = split_colon(runpath);
    if (runpath.empty()) info.rpath = split_colon(rpath);  // DT_RPATH is ignored with DT_RUNPATH
    break;
  }
  return info;
}

DependencyResolver::DependencyResolver(Sysroot& root) : root_(root) {}

const std::vector<LdCacheEntry>& DependencyResolver::ld_cache() {
  if (!cache_) {
    std::string path = root_.host_path("/etc/ld.so.cache");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      cache_.emplace();
    } else {
      std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      try {
        cache_ = parse_ld_so_cache(bytes, path);
      } catch (const std::runtime_error& e) {
        throw ElfDepsError(e.what());
      }
    }
  }
  return *cache_;
}

std::string expand_dynamic_tokens(const std::string& dir, const std::string& origin) {
  const std::pair<const char*, std::string> tokens[] = {
      {"${ORIGIN}", origin}, {"$ORIGIN", origin},        {"${LIB}", kLibToken},
      {"$LIB", kLibToken},   {"${PLATFORM}", kPlatformToken}, {"$PLATFORM", kPlatformToken}};
  std::string out;
  for (std::size_t i = 0; i < dir.size();) {
    bool replaced = false;
    if (dir[i] == '$') {
      for (const auto& [tok, val] : tokens) {
        if (dir.compare(i, std::strlen(tok), tok) == 0) {
          out += val;
          i += std::strlen(tok);
          replaced = true;
          break;
        }
      }
    }
    if (!replaced) out += dir[i++];
  }
  return normalize_path(out, "/");
}

std::vector<std::string> DependencyResolver::expand(const std::vector<std::string>& dirs,
                                                    const std::string& origin) const {
  std::vector<std::string> out;
  for (const auto& d : dirs) out.push_back(expand_dynamic_tokens(d, origin));
  return out;
}

std::optional<std::string> DependencyResolver::try_candidate(const std::string& path, std::string& tried) {
  last_candidate_ = path;
  auto canonical = root_.resolve(path);
  if (!canonical) return std::nullopt;
  std::string problem = read_ident_problem(root_.host_path(*canonical));
  if (!problem.empty()) {
    tried += " (skipped " + path + ": " + problem + ")";
    return std::nullopt;
  }
  return canonical;
}

std::optional<std::string> DependencyResolver::search(const std::string& name, const Node& obj,
                                                      const ElfObjectInfo& info, std::string& tried) {
  if (name.find('/') != std::string::npos) {
    tried = "the path itself";
    return try_candidate(normalize_path(name, "/"), tried);
  }
  auto in_dirs = [&](const std::vector<std::string>& dirs, const char* what) -> std::optional<std::string> {
    if (dirs.empty()) return std::nullopt;
    tried += std::string(tried.empty() ? "" : ", ") + what + " (" + join(dirs) + ")";
    for (const auto& d : dirs)
      if (auto c = try_candidate(d == "/" ? "/" + name : d + "/" + name, tried)) return c;
    return std::nullopt;
  };
  if (info.runpath.empty()) {
    if (auto c = in_dirs(obj.rpath_chain, "RPATH")) return c;
  } else {
    if (auto c = in_dirs(expand(info.runpath, obj.origin), "RUNPATH")) return c;
  }
  if (info.nodeflib) {
    tried += ", ld.so.cache and default paths skipped (DF_1_NODEFLIB)";
    return std::nullopt;
  }
  tried += std::string(tried.empty() ? "" : ", ") + "ld.so.cache";
  const LdCacheEntry* generic = nullptr;
  const LdCacheEntry* hwcaps = nullptr;
  for (const auto& e : ld_cache()) {
    if (e.name != name || !e.is_x86_64()) continue;
    if (!e.is_hwcaps() && generic == nullptr) generic = &e;
    if (e.is_hwcaps() && hwcaps == nullptr) hwcaps = &e;
  }
  for (const LdCacheEntry* e : {generic, hwcaps})
    if (e != nullptr)
      if (auto c = try_candidate(e->path, tried)) return c;
  std::vector<std::string> defaults(std::begin(kDefaultLibraryDirs), std::end(kDefaultLibraryDirs));
  return in_dirs(defaults, "default paths");
}

void DependencyResolver::closure(Node start, bool strict) {
  std::deque<Node> queue{std::move(start)};
  while (!queue.empty()) {
    Node obj = std::move(queue.front());
    queue.pop_front();
    ElfObjectInfo info;
    try {
      info = read_elf_object(root_.host_path(obj.canonical), obj.canonical);
    } catch (const ElfDepsError& e) {
      if (strict) throw;
      warnings_.push_back(e.what());
      continue;
    }
    if (!info.interp.empty()) {
      auto interp = root_.resolve(normalize_path(info.interp, "/"));
      if (!interp) {
        std::string msg = obj.canonical + ": its interpreter " + info.interp + " does not exist" +
                          (root_.root().empty() ? "" : " under " + root_.root());
        if (strict) throw ElfDepsError(msg);
        warnings_.push_back(msg);
      } else {
        files_.insert(*interp);
      }
    }
    std::vector<std::string> chain;
    if (info.runpath.empty()) chain = expand(info.rpath, obj.origin);
    chain.insert(chain.end(), obj.rpath_chain.begin(), obj.rpath_chain.end());
    Node self{obj.canonical, obj.origin, chain};
    for (const auto& name : info.needed) {
      if (loaded_names_.count(name)) continue;
      std::string tried;
      auto found = search(name, self, info, tried);
      if (!found) {
        std::string msg = obj.canonical + " needs " + name + ", not found in " + tried;
        if (strict) throw ElfDepsError(msg);
        warnings_.push_back(msg);
        unresolved_.push_back({name, msg});
        continue;
      }
      loaded_names_.insert(name);
      if (!files_.insert(*found).second) continue;
      // $ORIGIN of a library: the directory of the path it was found under.
      queue.push_back(Node{*found, parent_dir(last_candidate_), chain});
    }
  }
}

void DependencyResolver::add_program(const std::string& path) {
  auto canonical = root_.resolve(path);
  if (!canonical) throw ElfDepsError(path + ": no such file" + (root_.root().empty() ? "" : " under " + root_.root()));
  files_.insert(*canonical);
  ElfObjectInfo info = read_elf_object(root_.host_path(*canonical), path);
  std::string origin = parent_dir(*canonical);
  program_rpath_chain_ = info.runpath.empty() ? expand(info.rpath, origin) : std::vector<std::string>{};
  closure(Node{*canonical, origin, {}}, true);
}

void DependencyResolver::add_object(const std::string& path, bool strict) {
  auto canonical = root_.resolve(path);
  if (!canonical) {
    std::string msg = path + ": no such file";
    if (strict) throw ElfDepsError(msg);
    warnings_.push_back(msg);
    return;
  }
  files_.insert(*canonical);
  closure(Node{*canonical, parent_dir(path), program_rpath_chain_}, strict);
}

}  // namespace cocoon::manifest
