// Finding the program a container would start, inside the image's root filesystem.
//
// argv = Entrypoint + Cmd (Docker semantics; an --entrypoint override drops the image's Cmd
// unless a --cmd override is given). argv[0] without a '/' is looked up on the image's PATH
// (Docker's default PATH when the image sets none), a relative path with '/' is taken from
// WorkingDir, symlinks are followed inside the rootfs, and a "#!" script is replaced by its
// interpreter (recursively; "#!/usr/bin/env NAME" looks NAME up on PATH). The shell form
// (`ENTRYPOINT cmd args`, stored as ["/bin/sh","-c","cmd args"]) needs the image's /bin/sh.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "image_config.hpp"
#include "rootfs_path.hpp"

namespace cocoon::image {

inline constexpr const char* kDockerDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct EntrypointOverrides {
  std::optional<std::vector<std::string>> entrypoint;
  std::optional<std::vector<std::string>> cmd;
};

struct ResolvedEntrypoint {
  std::vector<std::string> entrypoint;    // effective Entrypoint words
  std::vector<std::string> cmd;           // effective Cmd words
  std::vector<std::string> argv;          // entrypoint + cmd, as the container starts it
  std::string program;                    // container path of the ELF that runs (symlinks resolved)
  std::vector<std::string> program_argv;  // argv the ELF receives after shebang expansion
  std::vector<std::string> scripts;       // container paths of the #! scripts on the way
  std::string working_dir;                // "/" when the image sets none
  bool shell_form = false;                // argv is ["/bin/sh","-c",…]
};

// Throws ImageError naming the word that could not be resolved and what was tried.
ResolvedEntrypoint resolve_entrypoint(const RootfsPath& root, const ImageConfig& config,
                                      const EntrypointOverrides& overrides = {});

// True when the file at host_path starts with an ELF header for x86-64.
bool is_x86_64_elf(const std::string& host_path);

}  // namespace cocoon::image
