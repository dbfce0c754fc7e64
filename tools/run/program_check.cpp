#include "tools/run/program_check.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "loader/elf_image.hpp"
#include "loader/script.hpp"

namespace cocoon::run {
namespace {

std::vector<std::uint8_t> read_head(const std::string& path, std::size_t n, std::uint64_t& size) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw ProgramError(path + ": cannot open: " + std::strerror(errno));
  struct stat st {};
  fstat(fd, &st);
  size = static_cast<std::uint64_t>(st.st_size);
  std::vector<std::uint8_t> buf(n);
  ssize_t got = pread(fd, buf.data(), n, 0);
  close(fd);
  if (got < 0) throw ProgramError(path + ": cannot read: " + std::strerror(errno));
  buf.resize(static_cast<std::size_t>(got));
  return buf;
}

void check_regular_executable(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) throw ProgramError(path + ": no such file");
    throw ProgramError(path + ": " + std::strerror(errno));
  }
  if (S_ISDIR(st.st_mode)) throw ProgramError(path + ": is a directory, not a program");
  if (!S_ISREG(st.st_mode)) throw ProgramError(path + ": not a regular file");
  if (access(path.c_str(), X_OK) != 0) throw ProgramError(path + ": not executable (permission denied)");
}

void check_file(const std::string& path, int depth) {
  check_regular_executable(path);
  std::uint64_t size = 0;
  std::vector<std::uint8_t> head = read_head(path, 16384, size);
  if (head.size() >= 2 && head[0] == '#' && head[1] == '!') {
    if (depth >= 4) throw ProgramError(path + ": too many levels of #! interpreters");
    loader::ScriptLine line;
    loader::ScriptError e = loader::parse_script(head.data(), head.size(), line);
    if (e != loader::ScriptError::Ok)
      throw ProgramError(path + ": script with a bad #! line: " + loader::script_error_message(e));
    std::string interp(reinterpret_cast<const char*>(head.data()) + line.interp_offset, line.interp_len);
    if (access(interp.c_str(), F_OK) != 0)
      throw ProgramError(path + ": its interpreter " + interp + " does not exist");
    check_file(interp, depth + 1);
    return;
  }
  loader::ElfInfo info;
  loader::ElfError e = loader::parse_elf(head.data(), head.size(), size, info);
  if (e == loader::ElfError::NotElf)
    throw ProgramError(path + ": not an ELF program or a script (no #! line); cannot run it");
  if (e != loader::ElfError::Ok) throw ProgramError(path + ": " + loader::elf_error_message(e));
  if (info.kind == loader::ElfKind::SharedObject) throw ProgramError(path + ": a shared library, not a program");
}

}  // namespace

std::string check_program(const std::string& name, const std::string& path_env) {
  if (name.empty()) throw ProgramError("no program given");
  std::string path;
  if (name.find('/') != std::string::npos) {
    path = name;
  } else {
    std::stringstream ss(path_env.empty() ? "/usr/local/bin:/usr/bin:/bin" : path_env);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      std::string cand = (dir.empty() ? "." : dir) + "/" + name;
      if (access(cand.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(cand)) {
        path = cand;
        break;
      }
    }
    if (path.empty()) throw ProgramError(name + ": command not found in PATH");
  }
  check_file(path, 0);
  return std::filesystem::absolute(path).lexically_normal().string();
}

}  // namespace cocoon::run
