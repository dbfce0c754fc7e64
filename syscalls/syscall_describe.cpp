#include "syscalls/syscall_describe.hpp"

#include "syscalls/syscall_errno.hpp"

namespace cocoon::syscalls {
namespace {

struct FlagName {
  std::uint16_t bit;
  const char* name;
};

constexpr FlagName kFlagNames[] = {
    {kOutSizeIsResult, "out_size_is_result"},
    {kBlocking, "blocking"},
    {kCustom, "custom"},
    {kPartial, "partial"},
    {kNewFd, "new_fd"},
    {kNewFdPair, "new_fd_pair"},
    {kAtFdCwd, "at_fdcwd"},
};

std::string arg_ref(int index) { return "arg" + std::to_string(index); }

// "buf[arg2]", "arg2 × 12 B", "buf[*arg2]" or "144 B".
std::string pointer_size(const ArgSpec& a, int index) {
  if (a.size_arg >= 0) {
    if (a.elem_size == 1) return "buf[" + arg_ref(a.size_arg) + "]";
    return arg_ref(a.size_arg) + " × " + std::to_string(a.elem_size) + " B";
  }
  if (a.size_arg == kSizeFromPtr) return "buf[*" + arg_ref(index + 1) + "]";
  return std::to_string(a.fixed_size) + " B";
}

}  // namespace

std::string_view route_name(Route route) {
  switch (route) {
    case Route::Shim:
      return "shim";
    case Route::Forward:
      return "forward";
    case Route::Refuse:
      return "refuse";
  }
  return "unknown";
}

std::optional<Route> route_from_name(std::string_view name) {
  for (Route r : {Route::Shim, Route::Forward, Route::Refuse})
    if (route_name(r) == name) return r;
  return std::nullopt;
}

std::string_view arg_kind_name(Arg kind) {
  switch (kind) {
    case Arg::None:
      return "none";
    case Arg::Int:
      return "int";
    case Arg::Fd:
      return "fd";
    case Arg::In:
      return "in";
    case Arg::Out:
      return "out";
    case Arg::InOut:
      return "inout";
    case Arg::Path:
      return "path";
    case Arg::Str:
      return "str";
    case Arg::IovIn:
      return "iov_in";
    case Arg::IovOut:
      return "iov_out";
    case Arg::Special:
      return "special";
  }
  return "unknown";
}

std::vector<std::string> flag_names(std::uint16_t flags) {
  std::vector<std::string> names;
  std::uint16_t known = 0;
  for (const FlagName& f : kFlagNames) {
    known = static_cast<std::uint16_t>(known | f.bit);
    if ((flags & f.bit) != 0) names.emplace_back(f.name);
  }
  if (const unsigned unknown = flags & ~known; unknown != 0) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned v = unknown; v != 0; v >>= 4) hex.insert(hex.begin(), kHex[v & 0xf]);
    names.push_back("0x" + hex);
  }
  return names;
}

std::string describe_route(const SyscallInfo& row) {
  switch (row.route) {
    case Route::Shim:
      return (row.flags & kPartial) != 0 ? "shim (partial)" : "shim";
    case Route::Forward: {
      std::string qualifiers;
      auto add = [&](std::uint16_t bit, const char* word) {
        if ((row.flags & bit) == 0) return;
        if (!qualifiers.empty()) qualifiers += ", ";
        qualifiers += word;
      };
      add(kCustom, "custom");
      add(kPartial, "partial");
      add(kBlocking, "blocking");
      return qualifiers.empty() ? "forward" : "forward (" + qualifiers + ")";
    }
    case Route::Refuse: {
      const char* name = errno_name(row.err);
      return "refuse: " + (name != nullptr ? std::string(name) : "errno " + std::to_string(row.err));
    }
  }
  return "unknown route";
}

std::string describe_arg(const SyscallInfo& row, int index) {
  if (index < 0 || index >= 6) return "—";
  const ArgSpec& a = row.args[index];
  const bool result_sized = (row.flags & kOutSizeIsResult) != 0;
  switch (a.kind) {
    case Arg::None:
      return "—";
    case Arg::Int:
      return "int";
    case Arg::Fd:
      return (row.flags & kAtFdCwd) != 0 ? "dirfd or AT_FDCWD" : "fd";
    case Arg::Path:
      return "path";
    case Arg::Str:
      return "string";
    case Arg::Special:
      return "special (see note)";
    case Arg::In:
      return "in " + pointer_size(a, index);
    case Arg::InOut:
      return "in/out " + pointer_size(a, index);
    case Arg::Out: {
      std::string text = "out " + pointer_size(a, index);
      if (result_sized && a.size_arg >= 0)
        text += a.elem_size == 1 ? " ← result bytes" : " ← result entries";
      if ((row.flags & kNewFdPair) != 0 && a.size_arg == kNoSizeArg && a.fixed_size == 8)
        text += " (two new fds)";
      return text;
    }
    case Arg::IovIn:
      return "iovec[" + arg_ref(a.size_arg) + "] in";
    case Arg::IovOut:
      return "iovec[" + arg_ref(a.size_arg) + "] out" + (result_sized ? " ← result bytes" : "");
  }
  return "unknown";
}

std::string describe_args(const SyscallInfo& row) {
  if (row.route != Route::Forward) return "—";
  std::string text;
  for (int i = 0; i < 6 && row.args[i].kind != Arg::None; ++i) {
    if (!text.empty()) text += "; ";
    text += describe_arg(row, i);
  }
  if (text.empty()) text = "none";
  if ((row.flags & kNewFd) != 0) text += " → new fd";
  return text;
}

}  // namespace cocoon::syscalls
