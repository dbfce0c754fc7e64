// Parsing a "#!" interpreter line the way Linux's binfmt_script does (fs/binfmt_script.c):
// only the first 256 bytes are looked at (bytes past the end of a shorter file count as NUL);
// the interpreter path follows "#!" and optional spaces/tabs and ends at a space, tab, NUL
// or the end of the line; everything after further spaces/tabs, up to the end of the line with
// trailing spaces/tabs trimmed, is ONE optional argument (up to a NUL, if any). When the line
// is longer than 255 bytes, the argument is silently cut (as Linux does; arg_truncated says
// so) but a path that does not end inside the buffer is an error. Freestanding; host-compiled.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cocoon::loader {

inline constexpr std::size_t kScriptBufSize = 256;  // Linux BINPRM_BUF_SIZE

enum class ScriptError : std::uint8_t {
  Ok = 0,
  NotScript,      // does not start with "#!"
  NoInterpreter,  // "#!" followed only by spaces/tabs (or nothing)
  LineTooLong,    // interpreter path does not end within the first 255 bytes
};

const char* script_error_message(ScriptError err);

struct ScriptLine {
  // Offsets and lengths into the caller's buffer; no NUL is included.
  std::size_t interp_offset = 0;
  std::size_t interp_len = 0;
  bool has_arg = false;
  std::size_t arg_offset = 0;
  std::size_t arg_len = 0;
  bool arg_truncated = false;  // the line went past 255 bytes: the argument was cut there
};

// buf holds the first len bytes of the file (only the first kScriptBufSize are used).
ScriptError parse_script(const std::uint8_t* buf, std::size_t len, ScriptLine& out);

}  // namespace cocoon::loader
