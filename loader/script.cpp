#include "loader/script.hpp"

namespace cocoon::loader {
namespace {

// The first kScriptBufSize bytes of the file, zero past its end (as the kernel's buffer).
struct LineBuf {
  const std::uint8_t* buf;
  std::size_t len;
  std::uint8_t at(std::size_t i) const { return i < len ? buf[i] : 0; }
  bool spacetab(std::size_t i) const { return at(i) == ' ' || at(i) == '\t'; }
  bool terminator(std::size_t i) const { return spacetab(i) || at(i) == 0; }
};

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

std::size_t next_non_spacetab(const LineBuf& b, std::size_t first, std::size_t last) {
  for (; first <= last; ++first)
    if (!b.spacetab(first)) return first;
  return kNone;
}

std::size_t next_terminator(const LineBuf& b, std::size_t first, std::size_t last) {
  for (; first <= last; ++first)
    if (b.terminator(first)) return first;
  return kNone;
}

}  // namespace

const char* script_error_message(ScriptError err) {
  switch (err) {
    case ScriptError::Ok: return "ok";
    case ScriptError::NotScript: return "not a script (no '#!' at the start)";
    case ScriptError::NoInterpreter: return "'#!' line names no interpreter";
    case ScriptError::LineTooLong: return "'#!' line too long: the interpreter path does not end within 255 bytes";
  }
  return "unknown script error";
}

ScriptError parse_script(const std::uint8_t* buf, std::size_t len, ScriptLine& out) {
  out = ScriptLine{};
  if (buf == nullptr) len = 0;
  const LineBuf b{buf, len < kScriptBufSize ? len : kScriptBufSize};
  if (b.at(0) != '#' || b.at(1) != '!') return ScriptError::NotScript;

  const std::size_t buf_end = kScriptBufSize - 1;  // the kernel reserves the last byte for a NUL
  std::size_t end = kNone;                          // one past the line's content
  for (std::size_t i = 0; i < kScriptBufSize; ++i)
    if (b.at(i) == '\n') {
      end = i;
      break;
    }
  bool cut = false;
  if (end == kNone) {
    const std::size_t first = next_non_spacetab(b, 2, buf_end);
    if (first == kNone) return ScriptError::NoInterpreter;  // all spaces/tabs
    if (next_terminator(b, first, buf_end) == kNone) return ScriptError::LineTooLong;
    end = buf_end;
    cut = b.len > buf_end;
  }
  while (end > 2 && b.spacetab(end - 1)) --end;

  // b.at(end) is treated as NUL from here on.
  auto stop = [&](std::size_t i) { return i >= end || b.at(i) == 0; };
  std::size_t name = 2;
  while (name < end && b.spacetab(name)) ++name;
  if (stop(name)) return ScriptError::NoInterpreter;  // Linux would try to run "" (ENOENT)
  std::size_t sep = name;
  while (!stop(sep) && !b.spacetab(sep)) ++sep;
  out.interp_offset = name;
  out.interp_len = sep - name;
  if (!stop(sep)) {  // a space or tab: an argument follows (trailing blanks were trimmed)
    std::size_t arg = sep;
    while (arg < end && b.spacetab(arg)) ++arg;
    std::size_t arg_end = arg;
    while (!stop(arg_end)) ++arg_end;
    out.has_arg = true;
    out.arg_offset = arg;
    out.arg_len = arg_end - arg;
    out.arg_truncated = cut && arg_end == end;
  }
  return ScriptError::Ok;
}

}  // namespace cocoon::loader
