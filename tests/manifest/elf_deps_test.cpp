// Dependency closure (compared with what ld.so itself reports through ldd), $ORIGIN and
// RUNPATH/RPATH handling, ld.so.cache parsing (compared with `ldconfig -p`), ELF errors.
#include <gtest/gtest.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include "manifest/elf_deps.hpp"
#include "manifest/ld_so_cache.hpp"
#include "manifest/sysroot.hpp"

using namespace cocoon::manifest;
namespace fs = std::filesystem;

namespace {

const std::string kFixture = COCOON_BINARY_DIR "/tests/manifest/runpath_app";
const std::string kRpathFixture = COCOON_BINARY_DIR "/tests/manifest/rpath_app";

std::string run(const std::string& cmd) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  std::size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
  pclose(p);
  return out;
}

// What ld.so loads for `program`, according to ld.so itself (ldd), as canonical paths.
std::set<std::string> ldd_closure(const std::string& program) {
  std::set<std::string> out{fs::canonical(program).string()};
  std::istringstream in(run("ldd " + program + " 2>&1"));
  std::string line;
  while (std::getline(in, line)) {
    std::string path;
    auto arrow = line.find("=> ");
    if (arrow != std::string::npos) {
      path = line.substr(arrow + 3);
    } else {
      auto start = line.find_first_not_of(" \t");
      if (start == std::string::npos || line[start] != '/') continue;  // linux-vdso.so.1
      path = line.substr(start);
    }
    path = path.substr(0, path.find(" ("));
    if (path.empty() || path[0] != '/') continue;
    out.insert(fs::canonical(path).string());
  }
  return out;
}

std::set<std::string> closure_of(const std::string& program, Sysroot& root) {
  DependencyResolver r(root);
  r.add_program(program);
  EXPECT_TRUE(r.warnings().empty());
  return r.files();
}

std::string temp_dir(const char* name) {
  std::string d = fs::temp_directory_path() / ("cocoon_manifest_" + std::string(name) + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

void write_bytes(const std::string& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::string elf_error(const std::string& path) {
  try {
    read_elf_object(path, path);
  } catch (const ElfDepsError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(ElfDeps, ClosureOfLsMatchesLdso) {
  Sysroot root;
  auto ours = closure_of("/bin/ls", root);
  EXPECT_EQ(ours, ldd_closure("/bin/ls"));
  EXPECT_TRUE(ours.count("/usr/lib/x86_64-linux-gnu/libc.so.6"));
  // The symlinks on the way, as ld.so and the program name them.
  const auto& links = root.symlinks();
  EXPECT_EQ(links.at("/bin"), "usr/bin");
  EXPECT_EQ(links.at("/lib64"), "usr/lib64");
  EXPECT_EQ(links.at("/lib"), "usr/lib");
  EXPECT_TRUE(links.count("/usr/lib64/ld-linux-x86-64.so.2"));
}

TEST(ElfDeps, ClosureOfPythonMatchesLdso) {
  Sysroot root;
  auto ours = closure_of("/usr/bin/python3", root);
  EXPECT_EQ(ours, ldd_closure("/usr/bin/python3"));
  EXPECT_EQ(root.symlinks().at("/usr/bin/python3"), "python3.11");
}

TEST(ElfDeps, RunpathWithOriginAcrossLibraries) {
  // The fixture runs (so ld.so agrees the RUNPATHs work) and we find the same libraries.
  ASSERT_EQ(std::system((kFixture + "/bin/app").c_str()), 0);
  Sysroot root;
  auto ours = closure_of(kFixture + "/bin/app", root);
  EXPECT_EQ(ours, ldd_closure(kFixture + "/bin/app"));
  std::string lib = fs::canonical(kFixture + "/lib").string();
  EXPECT_TRUE(ours.count(lib + "/libcocoon_depa.so"));
  EXPECT_TRUE(ours.count(lib + "/libcocoon_depb.so"));  // found through depa's own $ORIGIN
  ElfObjectInfo app = read_elf_object(kFixture + "/bin/app", "app");
  EXPECT_EQ(app.runpath, (std::vector<std::string>{"$ORIGIN/../lib"}));
  EXPECT_TRUE(app.rpath.empty());
  EXPECT_EQ(app.interp, "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(app.type, 3);  // ET_DYN (PIE)
}

TEST(ElfDeps, RpathOfTheProgramAppliesToItsLibraries) {
  ASSERT_EQ(std::system((kRpathFixture + "/bin/app").c_str()), 0);
  Sysroot root;
  auto ours = closure_of(kRpathFixture + "/bin/app", root);
  EXPECT_EQ(ours, ldd_closure(kRpathFixture + "/bin/app"));
  EXPECT_TRUE(ours.count(fs::canonical(kRpathFixture + "/lib2/libcocoon_chain2.so").string()));
  ElfObjectInfo app = read_elf_object(kRpathFixture + "/bin/app", "app");
  EXPECT_EQ(app.rpath, (std::vector<std::string>{"$ORIGIN/../lib1", "$ORIGIN/../lib2"}));
  EXPECT_TRUE(app.runpath.empty());
  ElfObjectInfo chain1 = read_elf_object(kRpathFixture + "/lib1/libcocoon_chain1.so", "chain1");
  EXPECT_EQ(chain1.needed, (std::vector<std::string>{"libcocoon_chain2.so"}));
  EXPECT_TRUE(chain1.rpath.empty());
  EXPECT_TRUE(chain1.runpath.empty());
}

TEST(ElfDeps, ExpandsDynamicStringTokens) {
  EXPECT_EQ(expand_dynamic_tokens("$ORIGIN/../lib", "/opt/app/bin"), "/opt/app/lib");
  EXPECT_EQ(expand_dynamic_tokens("${ORIGIN}/x", "/o"), "/o/x");
  EXPECT_EQ(expand_dynamic_tokens("/usr/$LIB/plugins", "/o"), "/usr/lib/x86_64-linux-gnu/plugins");
  EXPECT_EQ(expand_dynamic_tokens("/opt/${LIB}", "/o"), "/opt/lib/x86_64-linux-gnu");
  EXPECT_EQ(expand_dynamic_tokens("/opt/$PLATFORM/${PLATFORM}", "/o"), "/opt/x86_64/x86_64");
  EXPECT_EQ(expand_dynamic_tokens("$ORIGIN", "/"), "/");
  // The value of $ORIGIN is not scanned again for tokens.
  EXPECT_EQ(expand_dynamic_tokens("$ORIGIN/a", "/x/$LIB"), "/x/$LIB/a");
}

TEST(ElfDeps, MissingLibraryNamesEverythingSearched) {
  std::string d = temp_dir("missing");
  fs::create_directories(d + "/bin");
  fs::copy_file(kFixture + "/bin/app", d + "/bin/app");
  Sysroot root;
  DependencyResolver r(root);
  try {
    r.add_program(d + "/bin/app");
    FAIL() << "no error";
  } catch (const ElfDepsError& e) {
    EXPECT_EQ(std::string(e.what()),
              d + "/bin/app needs libcocoon_depa.so, not found in RUNPATH (" + d +
                  "/lib), ld.so.cache, default paths (/lib/x86_64-linux-gnu, /usr/lib/x86_64-linux-gnu, /lib, "
                  "/usr/lib)");
  }
  // As a dlopen'ed object found in a directory, the same problem is a warning.
  DependencyResolver lenient(root);
  lenient.add_object(d + "/bin/app", false);
  ASSERT_EQ(lenient.warnings().size(), 1u);
  EXPECT_NE(lenient.warnings()[0].find("needs libcocoon_depa.so"), std::string::npos);
  fs::remove_all(d);
}

TEST(ElfDeps, ResolvesInsideAContainerRoot) {
  // A tiny root: the fixture app and its libraries, glibc, and Debian's merged-/usr links.
  std::string r = temp_dir("root");
  fs::create_directories(r + "/usr/lib/x86_64-linux-gnu");
  fs::create_directories(r + "/usr/lib64");
  fs::create_directories(r + "/opt/app/bin");
  fs::create_directories(r + "/opt/app/lib");
  fs::create_symlink("usr/lib", r + "/lib");
  fs::create_symlink("usr/lib64", r + "/lib64");
  fs::create_symlink("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", r + "/usr/lib64/ld-linux-x86-64.so.2");
  for (const char* f : {"ld-linux-x86-64.so.2", "libc.so.6"})
    fs::copy_file(fs::canonical(std::string("/lib/x86_64-linux-gnu/") + f), r + "/usr/lib/x86_64-linux-gnu/" + f);
  fs::copy_file(kFixture + "/bin/app", r + "/opt/app/bin/app");
  for (const char* f : {"libcocoon_depa.so", "libcocoon_depb.so"})
    fs::copy_file(kFixture + "/lib/" + f, r + "/opt/app/lib/" + f);
  Sysroot root(r);
  auto files = closure_of("/opt/app/bin/app", root);
  EXPECT_EQ(files, (std::set<std::string>{"/opt/app/bin/app", "/opt/app/lib/libcocoon_depa.so",
                                          "/opt/app/lib/libcocoon_depb.so",
                                          "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                                          "/usr/lib/x86_64-linux-gnu/libc.so.6"}));
  EXPECT_EQ(root.symlinks(), (std::map<std::string, std::string>{
                                 {"/lib", "usr/lib"},
                                 {"/lib64", "usr/lib64"},
                                 {"/usr/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"}}));
  // An absolute symlink or '..' never leaves the root.
  fs::create_symlink("/../../../etc", r + "/escape");
  EXPECT_EQ(root.resolve("/escape"), std::nullopt);  // the root has no /etc
  fs::create_directories(r + "/etc");
  Sysroot fresh(r);  // resolve() caches: the file system is taken as unchanging
  EXPECT_EQ(fresh.resolve("/escape"), "/etc");
  fs::create_symlink("../../..", r + "/etc/up");
  EXPECT_EQ(fresh.resolve("/etc/up/lib/x86_64-linux-gnu/libc.so.6"), "/usr/lib/x86_64-linux-gnu/libc.so.6");
  // Symlink loops and paths through a file end in "not found", not a hang.
  fs::create_symlink("loop2", r + "/loop1");
  fs::create_symlink("loop1", r + "/loop2");
  EXPECT_EQ(fresh.resolve("/loop1"), std::nullopt);
  EXPECT_EQ(fresh.resolve("/opt/app/bin/app/x"), std::nullopt);
  EXPECT_EQ(fresh.resolve("/"), "/");
  fs::remove_all(r);
}

TEST(ElfDeps, RejectsNonElfAnd32BitAndForeignMachines) {
  std::string d = temp_dir("bad_elf");
  std::ofstream(d + "/text") << "#!/bin/sh\necho hi\n";
  EXPECT_EQ(elf_error(d + "/text"), d + "/text: not an ELF file");
  std::vector<unsigned char> h(64, 0);
  std::memcpy(h.data(), "\x7f" "ELF", 4);
  h[4] = 1;  // ELFCLASS32
  h[5] = 1;
  write_bytes(d + "/elf32", h);
  EXPECT_EQ(elf_error(d + "/elf32"), d + "/elf32: 32-bit ELF (ELFCLASS32); Cocoon runs x86-64 programs only");
  h[4] = 2;
  h[18] = 183;  // EM_AARCH64
  write_bytes(d + "/arm64", h);
  EXPECT_EQ(elf_error(d + "/arm64"), d + "/arm64: ELF for machine 183 (aarch64), expected x86-64 (62)");
  write_bytes(d + "/short", {0x7f, 'E', 'L', 'F', 2});
  EXPECT_EQ(elf_error(d + "/short"), d + "/short: truncated ELF header");
  EXPECT_EQ(elf_error(d + "/none"), d + "/none: cannot open: No such file or directory");
  EXPECT_FALSE(is_loadable_x86_64_elf(d + "/arm64"));
  EXPECT_TRUE(is_loadable_x86_64_elf("/usr/lib/x86_64-linux-gnu/libc.so.6"));
  // A 32-bit library earlier in the search path is skipped, as ld.so does.
  fs::create_directories(d + "/bin");
  fs::create_directories(d + "/lib");
  fs::copy_file(kFixture + "/bin/app", d + "/bin/app");
  h[4] = 1;
  h[18] = 3;
  write_bytes(d + "/lib/libcocoon_depa.so", h);
  Sysroot root;
  DependencyResolver r(root);
  try {
    r.add_program(d + "/bin/app");
    FAIL();
  } catch (const ElfDepsError& e) {
    EXPECT_NE(std::string(e.what()).find("(skipped " + d + "/lib/libcocoon_depa.so: 32-bit ELF"), std::string::npos)
        << e.what();
  }
  fs::remove_all(d);
}

TEST(LdSoCache, MatchesLdconfig) {
  std::ifstream in("/etc/ld.so.cache", std::ios::binary);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto entries = parse_ld_so_cache(bytes, "/etc/ld.so.cache");
  std::multiset<std::string> ours;
  for (const auto& e : entries) {
    ours.insert(e.name + " => " + e.path);
  }
  std::multiset<std::string> theirs;
  std::istringstream out(run("ldconfig -p"));
  std::string line;
  std::getline(out, line);  // "N libs found in cache `/etc/ld.so.cache'"
  std::size_t declared = std::stoul(line);
  while (std::getline(out, line)) {
    auto name_end = line.find(" (");
    auto arrow = line.find(" => ");
    if (name_end == std::string::npos || arrow == std::string::npos) continue;
    theirs.insert(line.substr(1, name_end - 1) + " => " + line.substr(arrow + 4));
  }
  EXPECT_EQ(entries.size(), declared);
  EXPECT_EQ(ours, theirs);
}

TEST(LdSoCache, RejectsMalformedCaches) {
  std::ifstream in("/etc/ld.so.cache", std::ios::binary);
  std::vector<std::uint8_t> good((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto error = [](std::vector<std::uint8_t> b) -> std::string {
    try {
      parse_ld_so_cache(b, "c");
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  };
  EXPECT_EQ(error({}), "c: not an ld.so.cache file (no \"glibc-ld.so.cache\" magic)");
  std::vector<std::uint8_t> old(good.begin(), good.end());
  std::memcpy(old.data(), "ld.so-1.7.0", 11);
  EXPECT_NE(error(old).find("old ld.so.cache format"), std::string::npos);
  auto v = good;
  v[19] = '2';
  EXPECT_EQ(error(v), "c: unsupported ld.so.cache version \"1.2\" (expected 1.1)");
  v = good;
  v.resize(100);
  EXPECT_NE(error(v).find("entries do not fit in 100 bytes"), std::string::npos);
  v = good;
  v[48 + 4] = 0xff, v[48 + 5] = 0xff, v[48 + 6] = 0xff, v[48 + 7] = 0x7f;  // entry 0 name offset
  EXPECT_EQ(error(v), "c: entry 0: name offset 2147483647 is outside the file");
  // A crafted one-entry cache: parsed, then its last string loses its NUL.
  std::vector<std::uint8_t> c(48 + 24, 0);
  std::memcpy(c.data(), "glibc-ld.so.cache1.1", 20);
  c[20] = 1;  // nlibs
  c[48] = 0x03, c[49] = 0x03;  // libc6, x86-64
  c[52] = 72;  // name at 72
  c[56] = 79;  // path at 79
  for (char ch : std::string("libx.1") + '\0' + "/l/libx.1") c.push_back(static_cast<std::uint8_t>(ch));
  auto hwcap = std::uint64_t{1} << 62;
  std::memcpy(c.data() + 48 + 16, &hwcap, 8);
  c.push_back(0);
  auto parsed = parse_ld_so_cache(c, "c");
  ASSERT_EQ(parsed.size(), 1u);
  EXPECT_EQ(parsed[0].name, "libx.1");
  EXPECT_EQ(parsed[0].path, "/l/libx.1");
  EXPECT_TRUE(parsed[0].is_x86_64());
  EXPECT_TRUE(parsed[0].is_hwcaps());
  c.back() = 'x';
  EXPECT_EQ(error(c), "c: entry 0: path string is not terminated");
}
