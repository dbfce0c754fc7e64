#include "elf_closure.hpp"

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <set>

#include "image_error.hpp"

namespace cocoon::image {
namespace {

struct ElfDynamic {
  std::string interp;
  std::vector<std::string> needed, search;  // search: RPATH/RUNPATH dirs with $ORIGIN expanded
};

std::string dirname_of(const std::string& p) {
  auto s = p.rfind('/');
  return s == std::string::npos || s == 0 ? "/" : p.substr(0, s);
}

void split_dirs(const std::string& list, const std::string& origin, std::vector<std::string>& out) {
  std::size_t i = 0;
  while (i <= list.size()) {
    std::size_t j = list.find(':', i);
    if (j == std::string::npos) j = list.size();
    std::string d = list.substr(i, j - i);
    i = j + 1;
    for (const char* o : {"$ORIGIN", "${ORIGIN}"}) {
      auto at = d.find(o);
      if (at != std::string::npos) d.replace(at, std::string(o).size(), origin);
    }
    if (!d.empty()) out.push_back(d);
  }
}

ElfDynamic read_dynamic(const std::string& path) {
  if (elf_version(EV_CURRENT) == EV_NONE) throw ImageError("libelf: version mismatch");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ImageError("cannot open ELF file " + path);
  Elf* elf = elf_begin(fd, ELF_C_READ, nullptr);
  ElfDynamic d;
  if (!elf || elf_kind(elf) != ELF_K_ELF) {
    if (elf) elf_end(elf);
    close(fd);
    throw ImageError(path + " is not an ELF file");
  }
  std::size_t nph = 0;
  elf_getphdrnum(elf, &nph);
  std::string origin = dirname_of(path);
  std::string rpath, runpath;
  for (std::size_t i = 0; i < nph; ++i) {
    GElf_Phdr ph;
    if (!gelf_getphdr(elf, static_cast<int>(i), &ph)) continue;
    if (ph.p_type == PT_INTERP) {
      std::string buf(ph.p_filesz, '\0');
      if (pread(fd, buf.data(), buf.size(), static_cast<off_t>(ph.p_offset)) == static_cast<ssize_t>(buf.size()))
        d.interp = buf.c_str();
    }
  }
  Elf_Scn* scn = nullptr;
  while ((scn = elf_nextscn(elf, scn)) != nullptr) {
    GElf_Shdr sh;
    if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNAMIC) continue;
    Elf_Data* data = elf_getdata(scn, nullptr);
    if (!data || sh.sh_entsize == 0) continue;
    for (std::size_t k = 0; k < sh.sh_size / sh.sh_entsize; ++k) {
      GElf_Dyn dyn;
      if (!gelf_getdyn(data, static_cast<int>(k), &dyn)) break;
      const char* s = nullptr;
      if (dyn.d_tag == DT_NEEDED || dyn.d_tag == DT_RPATH || dyn.d_tag == DT_RUNPATH)
        s = elf_strptr(elf, sh.sh_link, dyn.d_un.d_val);
      if (!s) continue;
      if (dyn.d_tag == DT_NEEDED) d.needed.push_back(s);
      if (dyn.d_tag == DT_RPATH) rpath = s;
      if (dyn.d_tag == DT_RUNPATH) runpath = s;
    }
  }
  elf_end(elf);
  close(fd);
  split_dirs(runpath.empty() ? rpath : runpath, origin, d.search);
  return d;
}

const char* kSystemDirs[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64",
                             "/lib", "/usr/lib", "/usr/local/lib"};

}  // namespace

ElfClosure host_elf_closure(const std::string& executable) {
  ElfClosure c;
  ElfDynamic top = read_dynamic(executable);
  if (top.interp.empty())
    throw ImageError(executable + " has no ELF interpreter (PT_INTERP); the runtime layer needs a dynamically linked cocoon");
  c.interpreter = top.interp;
  std::map<std::string, std::string> found;  // soname -> path
  std::deque<std::pair<std::string, ElfDynamic>> todo{{executable, top}};
  while (!todo.empty()) {
    auto [who, dyn] = std::move(todo.front());
    todo.pop_front();
    for (auto& name : dyn.needed) {
      if (found.count(name)) continue;
      std::vector<std::string> dirs = dyn.search;
      dirs.insert(dirs.end(), std::begin(kSystemDirs), std::end(kSystemDirs));
      std::string hit;
      if (name.find('/') != std::string::npos) {
        hit = name;
      } else {
        for (auto& dir : dirs) {
          std::string p = dir + "/" + name;
          struct stat st;
          if (stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            hit = p;
            break;
          }
        }
      }
      if (hit.empty()) throw ImageError(who + ": needed library " + name + " not found on this host");
      found[name] = hit;
      todo.emplace_back(hit, read_dynamic(hit));
    }
  }
  for (auto& [name, path] : found) c.libraries.push_back({name, path});
  return c;
}

}  // namespace cocoon::image
