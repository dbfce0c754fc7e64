// The set of files ld.so would load for a program: the interpreter (PT_INTERP), and the
// DT_NEEDED closure searched the way glibc's ld.so does on x86-64 Debian:
//   a name with '/' is a path; else, for the object that needs it,
//   DT_RPATH of that object and of its loaders up to the program (only when the object has
//   no DT_RUNPATH; an object's DT_RPATH is ignored if it has DT_RUNPATH), then its own
//   DT_RUNPATH, then /etc/ld.so.cache, then the default directories (the last two skipped
//   for DF_1_NODEFLIB). $ORIGIN, $LIB (lib/x86_64-linux-gnu) and $PLATFORM (x86_64) are
//   expanded; $ORIGIN is the directory of the program's canonical path, and of the path a
//   library was found under. Candidates of another class or machine are skipped, as ld.so
//   does. Not modelled: LD_LIBRARY_PATH / LD_PRELOAD (the enclave's environment is fixed by
//   the manifest), glibc-hwcaps subdirectories of search directories.
// Everything is resolved inside a Sysroot, so a container image's files are found with the
// paths the container sees.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "manifest/ld_so_cache.hpp"
#include "manifest/sysroot.hpp"

namespace cocoon::manifest {

// Bad or unsupported ELF, or a dependency that cannot be found. The message names the file.
class ElfDepsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline constexpr const char* kDefaultLibraryDirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                                     "/lib", "/usr/lib"};

struct ElfObjectInfo {
  std::uint16_t type = 0;             // ET_EXEC, ET_DYN
  std::string interp;                 // PT_INTERP, "" when none (static program or library)
  std::vector<std::string> needed;    // DT_NEEDED in order
  std::vector<std::string> rpath;     // DT_RPATH split at ':' (empty when DT_RUNPATH is set)
  std::vector<std::string> runpath;   // DT_RUNPATH split at ':'
  bool nodeflib = false;              // DF_1_NODEFLIB
};

// Whether the file starts with the ELF magic (false when unreadable or shorter).
bool looks_like_elf(const std::string& host_path);

// A DT_RPATH/DT_RUNPATH directory with $ORIGIN / ${ORIGIN}, $LIB / ${LIB} and $PLATFORM /
// ${PLATFORM} expanded, lexically normalized (a relative result is taken from "/").
std::string expand_dynamic_tokens(const std::string& dir, const std::string& origin);

// Whether the file is an x86-64 executable or shared object (what ld.so could load).
bool is_loadable_x86_64_elf(const std::string& host_path);

// Reads an x86-64 ELF object's loader-relevant data. `display` names it in errors, e.g.
// "/usr/bin/foo: 32-bit ELF (ELFCLASS32); Cocoon runs x86-64 programs only".
ElfObjectInfo read_elf_object(const std::string& host_path, const std::string& display);

class DependencyResolver {
 public:
  explicit DependencyResolver(Sysroot& root);

  // Adds the program (canonical in-root path), its interpreter and its dependency closure.
  // Throws ElfDepsError for a bad ELF or a library that cannot be found.
  void add_program(const std::string& path);
  // Adds an object the program loads later (dlopen) and its dependency closure, searched as
  // a dlopen from the program would. strict=false turns failures into warnings().
  void add_object(const std::string& path, bool strict);

  const std::set<std::string>& files() const { return files_; }  // canonical in-root paths
  const std::vector<std::string>& warnings() const { return warnings_; }
  // The warnings about a DT_NEEDED name not found, with that name (a library the program
  // loads itself by path first, as the Java launcher does libjvm.so, satisfies it then).
  struct Unresolved {
    std::string needed;
    std::string warning;
  };
  const std::vector<Unresolved>& unresolved() const { return unresolved_; }

  // The cache in effect (root/etc/ld.so.cache; empty when the root has none).
  const std::vector<LdCacheEntry>& ld_cache();

 private:
  struct Node {
    std::string canonical;
    std::string origin;                   // $ORIGIN of this object
    std::vector<std::string> rpath_chain; // expanded RPATHs: own (unless RUNPATH), then loaders'
  };
  void closure(Node start, bool strict);
  std::optional<std::string> search(const std::string& name, const Node& obj, const ElfObjectInfo& info,
                                    std::string& tried);
  std::optional<std::string> try_candidate(const std::string& path, std::string& tried);
  std::vector<std::string> expand(const std::vector<std::string>& dirs, const std::string& origin) const;

  Sysroot& root_;
  std::optional<std::vector<LdCacheEntry>> cache_;
  std::set<std::string> files_;
  std::set<std::string> loaded_names_;  // DT_NEEDED names already satisfied
  std::vector<std::string> program_rpath_chain_;
  std::vector<std::string> warnings_;
  std::vector<Unresolved> unresolved_;
  std::string last_candidate_;  // the path (before resolution) search() found a library under
};

}  // namespace cocoon::manifest
