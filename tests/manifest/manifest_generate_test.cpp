// generate_manifest: program + closure + trusted directories, scripts, templates, a
// container root, determinism, errors; file_hashing against known answers and sha256sum.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "manifest/file_hashing.hpp"
#include "manifest/manifest.hpp"
#include "manifest/manifest_blob.hpp"
#include "manifest/manifest_generate.hpp"
#include "manifest/manifest_paths.hpp"

using namespace cocoon::manifest;
namespace fs = std::filesystem;

namespace {

const std::string kFixture = COCOON_BINARY_DIR "/tests/manifest/runpath_app";

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

std::string temp_dir(const char* name) {
  std::string d = fs::temp_directory_path() / ("cocoon_gen_" + std::string(name) + "_" + std::to_string(getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

const TrustedFile* find(const Manifest& m, const std::string& path) {
  for (const auto& t : m.trusted_files)
    if (t.path == path) return &t;
  return nullptr;
}

std::string generate_error(const GenerateOptions& o) {
  try {
    generate_manifest(o);
  } catch (const ManifestError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(FileHashing, KnownAnswersAndSha256sum) {
  std::string d = temp_dir("hash");
  std::ofstream(d + "/empty");
  std::ofstream(d + "/abc") << "abc";
  {
    std::ofstream big(d + "/big", std::ios::binary);  // above the one-read limit: streamed in chunks
    std::string block(4096, '\0');
    for (int i = 0; i < 600; ++i) {
      for (std::size_t j = 0; j < block.size(); ++j) block[j] = static_cast<char>((i * 31 + j * 7) & 0xff);
      big << block;
    }
  }
  std::vector<std::string> paths = {d + "/empty", d + "/abc", d + "/big", d + "/missing", d};
  auto r = hash_files(paths, 3);
  ASSERT_EQ(r.size(), paths.size());
  EXPECT_EQ(sha256_hex(r[0].sha256), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_hex(r[1].sha256), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(r[1].size, 3u);
  EXPECT_EQ(r[2].size, 600u * 4096);
  EXPECT_EQ(sha256_hex(r[2].sha256), run("sha256sum " + d + "/big").substr(0, 64));
  EXPECT_EQ(r[3].error, "open: No such file or directory");
  EXPECT_EQ(r[4].error, "not a regular file");
  EXPECT_FALSE(r[1].is_elf);
  auto libc = hash_files({"/usr/lib/x86_64-linux-gnu/libc.so.6"}, 1);
  EXPECT_TRUE(libc[0].is_elf);
  EXPECT_EQ(sha256_hex(libc[0].sha256), run("sha256sum /usr/lib/x86_64-linux-gnu/libc.so.6").substr(0, 64));
  // One thread or many: the same answers.
  auto single = hash_files(paths, 1);
  for (std::size_t i = 0; i < paths.size(); ++i) EXPECT_EQ(single[i].sha256, r[i].sha256);
  EXPECT_TRUE(hash_files({}, 0).empty());
  fs::remove_all(d);
}

TEST(Generate, ProgramClosureHashesAndSymlinks) {
  GenerateOptions o;
  o.command = {"/bin/ls", "-l"};
  o.allowed = {"/tmp/"};
  o.working_dir = "/srv";
  GenerateResult r = generate_manifest(o);
  const Manifest& m = r.manifest;
  EXPECT_EQ(m.entrypoint, "/bin/ls");
  EXPECT_EQ(m.argv, (std::vector<std::string>{"/bin/ls", "-l"}));
  EXPECT_EQ(m.working_dir, "/srv");
  EXPECT_EQ(m.env, (std::map<std::string, std::string>{{"LANG", "C.UTF-8"}, {"PATH", "/usr/local/bin:/usr/bin:/bin"}}));
  EXPECT_TRUE(m.passthrough_env.empty());
  EXPECT_EQ(m.allowed_files, (std::vector<std::string>{"/tmp/"}));
  const TrustedFile* ls = find(m, "/usr/bin/ls");
  ASSERT_NE(ls, nullptr);
  EXPECT_EQ(sha256_hex(ls->sha256), run("sha256sum /usr/bin/ls").substr(0, 64));
  EXPECT_NE(find(m, "/usr/lib/x86_64-linux-gnu/libc.so.6"), nullptr);
  EXPECT_NE(find(m, "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"), nullptr);
  EXPECT_EQ(m.symlinks.at("/bin"), "usr/bin");
  EXPECT_EQ(m.symlinks.at("/lib64"), "usr/lib64");
  EXPECT_FALSE(m.net_bind.has_value());  // no [net]: every bind allowed, as before [net] existed
  // The enclave finds the program and the loader from the names the program uses.
  auto blob = compile_blob(m);
  ManifestBlob b;
  ASSERT_EQ(b.open(blob.data(), blob.size()), BlobError::kOk);
  for (std::string p : {"/bin/ls", "/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/libc.so.6"}) {
    char out[kMaxPath];
    std::size_t len;
    ASSERT_EQ(b.canonicalize(p.data(), p.size(), out, sizeof out, &len), CanonError::kOk);
    EXPECT_NE(b.find_trusted(out, len), nullptr) << p << " -> " << out;
  }
  EXPECT_GT(r.trusted_bytes, 0u);
}

TEST(Generate, IsDeterministic) {
  GenerateOptions o;
  o.command = {"python3", "-c", "print(42)"};
  setenv("PATH", "/usr/bin:/bin", 1);
  o.trusted = {kFixture + "/lib"};
  std::string a = to_toml(generate_manifest(o).manifest);
  o.threads = 1;
  std::string b = to_toml(generate_manifest(o).manifest);
  EXPECT_EQ(a, b);
  EXPECT_EQ(parse_manifest(a, "gen.toml").entrypoint, "/usr/bin/python3");
  EXPECT_NE(a.find("\"/usr/bin/python3\" = \"python3.11\""), std::string::npos);
}

TEST(Generate, TrustedDirectoriesBringTheirLibrariesDependencies) {
  std::string d = temp_dir("dirs");
  fs::create_directories(d + "/plugins/sub");
  fs::copy_file(kFixture + "/lib/libcocoon_depa.so", d + "/plugins/sub/libcocoon_depa.so");
  std::ofstream(d + "/plugins/readme.txt") << "hello";
  fs::create_symlink("sub/libcocoon_depa.so", d + "/plugins/current.so");
  GenerateOptions o;
  o.command = {"/bin/true"};
  o.trusted = {d + "/plugins"};
  // depa needs depb, which is nowhere on the default paths: a warning, not an error.
  GenerateResult r = generate_manifest(o);
  EXPECT_NE(find(r.manifest, d + "/plugins/sub/libcocoon_depa.so"), nullptr);
  EXPECT_NE(find(r.manifest, d + "/plugins/readme.txt"), nullptr);
  EXPECT_EQ(r.manifest.symlinks.at(d + "/plugins/current.so"), "sub/libcocoon_depa.so");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].find("needs libcocoon_depb.so"), std::string::npos) << r.warnings[0];
  // With depb next to it, $ORIGIN finds it and it becomes trusted too.
  fs::copy_file(kFixture + "/lib/libcocoon_depb.so", d + "/libcocoon_depb.so");
  fs::create_symlink("../../libcocoon_depb.so", d + "/plugins/sub/libcocoon_depb.so");
  r = generate_manifest(o);
  EXPECT_TRUE(r.warnings.empty());
  EXPECT_NE(find(r.manifest, d + "/libcocoon_depb.so"), nullptr);
  fs::remove_all(d);
}

TEST(Generate, ANeededLibraryThatIsItselfTrustedIsNoWarning) {
  // The JDK's layout: lib/libjava.so needs libjvm.so, which lives in lib/server/ where no
  // search finds it; the launcher loads it by path first, so it is there when needed.
  std::string d = temp_dir("jdk_layout");
  fs::create_directories(d + "/lib/server");
  fs::copy_file(kFixture + "/lib/libcocoon_depa.so", d + "/lib/libcocoon_depa.so");
  GenerateOptions o;
  o.command = {"/bin/true"};
  o.trusted = {d + "/lib"};
  GenerateResult r = generate_manifest(o);
  ASSERT_EQ(r.warnings.size(), 1u);  // depb is nowhere: still a warning
  fs::copy_file(kFixture + "/lib/libcocoon_depb.so", d + "/lib/server/libcocoon_depb.so");
  r = generate_manifest(o);
  EXPECT_TRUE(r.warnings.empty()) << r.warnings[0];
  EXPECT_NE(find(r.manifest, d + "/lib/server/libcocoon_depb.so"), nullptr);
  fs::remove_all(d);
}

TEST(Generate, ScriptsRunUnderTheirInterpreter) {
  std::string d = temp_dir("script");
  std::ofstream(d + "/hello.sh") << "#!/bin/sh -e\necho hi\n";
  std::ofstream(d + "/hello.py") << "#!/usr/bin/env python3\nprint('hi')\n";
  setenv("PATH", "/usr/bin:/bin", 1);
  GenerateOptions o;
  o.command = {d + "/hello.sh", "a"};
  Manifest m = generate_manifest(o).manifest;
  EXPECT_EQ(m.entrypoint, "/bin/sh");
  EXPECT_EQ(m.argv, (std::vector<std::string>{"/bin/sh", "-e", d + "/hello.sh", "a"}));
  EXPECT_NE(find(m, d + "/hello.sh"), nullptr);
  EXPECT_NE(find(m, fs::canonical("/bin/sh").string()), nullptr);
  o.command = {d + "/hello.py"};
  m = generate_manifest(o).manifest;
  EXPECT_EQ(m.entrypoint, "/usr/bin/python3");
  EXPECT_EQ(m.argv, (std::vector<std::string>{"/usr/bin/python3", d + "/hello.py"}));
  EXPECT_NE(find(m, d + "/hello.py"), nullptr);
  fs::remove_all(d);
}

TEST(Generate, TemplateSuppliesSettingsAndPaths) {
  std::string d = temp_dir("template");
  std::ofstream(d + "/data.txt") << "x";
  std::ofstream(d + "/app.toml.in")
      << "[loader]\nentrypoint = \"{{entrypoint}}\"\npassthrough_env = [\"TERM\"]\n[loader.env]\nMODE = \"{{mode}}\"\n"
      << "[fs]\ntrusted_files = [\"" << d << "/data.txt\"]\nallowed_files = [\"/var/tmp/\"]\n"
      << "[enclave]\nsize = \"256M\"\nmax_threads = 4\n";
  GenerateOptions o;
  o.command = {"/bin/true"};
  o.template_path = d + "/app.toml.in";
  o.vars = {{"mode", "prod"}};
  o.allowed = {"/tmp"};
  Manifest m = generate_manifest(o).manifest;
  EXPECT_EQ(m.entrypoint, "/bin/true");
  EXPECT_EQ(m.env.at("MODE"), "prod");
  EXPECT_EQ(m.passthrough_env, (std::vector<std::string>{"TERM"}));
  EXPECT_EQ(m.enclave.size, 256ull << 20);
  EXPECT_EQ(m.enclave.max_threads, 4u);
  EXPECT_EQ(m.allowed_files, (std::vector<std::string>{"/tmp", "/var/tmp/"}));
  EXPECT_NE(find(m, d + "/data.txt"), nullptr);
  EXPECT_NE(find(m, "/usr/bin/true"), nullptr);
  EXPECT_EQ(m.env.size(), 1u);  // the template's [loader.env] replaces the default set
  EXPECT_EQ(m.working_dir, fs::current_path().string());  // not set by the template
  // A pinned hash that does not match the file is kept, with a warning.
  std::ofstream(d + "/pinned.toml") << "[loader]\nentrypoint = \"{{entrypoint}}\"\n[fs]\ntrusted_files = [{ path = \""
                                    << fs::canonical("/usr/bin/true").string() << "\", sha256 = \"" << std::string(64, '0')
                                    << "\" }]\n";
  GenerateOptions p;
  p.command = {"/usr/bin/true"};
  p.template_path = d + "/pinned.toml";
  GenerateResult pinned = generate_manifest(p);
  EXPECT_EQ(pinned.manifest.env.at("LANG"), "C.UTF-8");  // no [loader.env]: the defaults
  EXPECT_EQ(find(pinned.manifest, fs::canonical("/usr/bin/true").string())->sha256, Sha256{});
  ASSERT_EQ(pinned.warnings.size(), 1u);
  EXPECT_NE(pinned.warnings[0].find("the template pins sha256 0000"), std::string::npos) << pinned.warnings[0];
  o.vars.clear();
  EXPECT_EQ(generate_error(o), d + "/app.toml.in:5: loader.env.MODE: undefined template variable {{mode}} "
                                   "(defined: arch_libdir, entrypoint, entrypoint_dir)");
  fs::remove_all(d);
}

// A template's [net] reaches the generated manifest as it is (variables expanded); a template
// without [net] gives a manifest without it.
TEST(Generate, TemplatePassesNetThrough) {
  std::string d = temp_dir("net");
  std::ofstream(d + "/net.toml.in") << "[loader]\nentrypoint = \"{{entrypoint}}\"\n"
                                    << "[net]\nbind = [\"{{host}}:*\", \"[::]:8000-8100\"]\n";
  GenerateOptions o;
  o.command = {"/bin/true"};
  o.template_path = d + "/net.toml.in";
  o.vars = {{"host", "127.0.0.1"}};
  Manifest m = generate_manifest(o).manifest;
  ASSERT_TRUE(m.net_bind.has_value());
  ASSERT_EQ(m.net_bind->size(), 2u);
  EXPECT_EQ((*m.net_bind)[0].kind, kBindIpv4);
  EXPECT_EQ((*m.net_bind)[0].addr[0], 127);
  EXPECT_EQ((*m.net_bind)[1].kind, kBindIpv6);
  EXPECT_EQ((*m.net_bind)[1].port_low, 8000);
  EXPECT_NE(to_toml(m).find("\n[net]\nbind = [\"127.0.0.1:*\", \"[::]:8000-8100\"]\n"), std::string::npos);
  std::ofstream(d + "/plain.toml.in") << "[loader]\nentrypoint = \"{{entrypoint}}\"\n";
  o.template_path = d + "/plain.toml.in";
  m = generate_manifest(o).manifest;
  EXPECT_FALSE(m.net_bind.has_value());
  EXPECT_EQ(to_toml(m).find("[net]"), std::string::npos);
  fs::remove_all(d);
}

TEST(Generate, ErrorsNameTheFileAtFault) {
  GenerateOptions o;
  EXPECT_EQ(generate_error(o), "no program given (put it after '--') and no template");
  o.command = {"/nonexistent/prog"};
  EXPECT_EQ(generate_error(o), "/nonexistent/prog: no such file");
  setenv("PATH", "/usr/bin:/bin", 1);
  o.command = {"no-such-program-here"};
  EXPECT_EQ(generate_error(o), "no-such-program-here: not found in PATH (/usr/bin:/bin); give its full path");
  o.command = {"/bin/true"};
  o.trusted = {"/nonexistent/dir"};
  EXPECT_EQ(generate_error(o), "trusted path /nonexistent/dir: no such file or directory");
  std::string d = temp_dir("errors");
  fs::create_directories(d + "/bin");
  fs::copy_file(kFixture + "/bin/app", d + "/bin/app");
  o.trusted.clear();
  o.command = {d + "/bin/app"};
  EXPECT_EQ(generate_error(o).rfind(d + "/bin/app needs libcocoon_depa.so, not found in RUNPATH (" + d + "/lib)", 0), 0u);
  std::ofstream(d + "/notelf") << "plain text";
  fs::permissions(d + "/notelf", fs::perms::owner_exec, fs::perm_options::add);
  o.command = {d + "/notelf"};
  EXPECT_EQ(generate_error(o), d + "/notelf: not an ELF file");
  fs::remove_all(d);
}

TEST(Generate, InsideAContainerRoot) {
  std::string r = temp_dir("rootfs");
  fs::create_directories(r + "/usr/lib/x86_64-linux-gnu");
  fs::create_directories(r + "/usr/bin");
  fs::create_directories(r + "/usr/lib64");
  fs::create_symlink("usr/lib", r + "/lib");
  fs::create_symlink("usr/bin", r + "/bin");
  fs::create_symlink("usr/lib64", r + "/lib64");
  fs::create_symlink("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", r + "/usr/lib64/ld-linux-x86-64.so.2");
  for (const char* f : {"ld-linux-x86-64.so.2", "libc.so.6"})
    fs::copy_file(fs::canonical(std::string("/lib/x86_64-linux-gnu/") + f), r + "/usr/lib/x86_64-linux-gnu/" + f);
  fs::copy_file("/usr/bin/true", r + "/usr/bin/true");
  GenerateOptions o;
  o.root = r;
  o.command = {"true"};  // PATH search inside the root
  Manifest m = generate_manifest(o).manifest;
  EXPECT_EQ(m.entrypoint, "/usr/bin/true");
  EXPECT_EQ(m.working_dir, "/");
  std::vector<std::string> paths;
  for (const auto& t : m.trusted_files) paths.push_back(t.path);
  EXPECT_EQ(paths, (std::vector<std::string>{"/usr/bin/true", "/usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2",
                                             "/usr/lib/x86_64-linux-gnu/libc.so.6"}));
  EXPECT_EQ(m.symlinks.at("/lib64"), "usr/lib64");
  fs::remove_all(r);
}
