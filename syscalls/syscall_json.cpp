#include "syscalls/syscall_json.hpp"

#include "syscalls/syscall_describe.hpp"
#include "syscalls/syscall_errno.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {

nlohmann::json table_to_json(std::optional<Route> only) {
  nlohmann::json rows = nlohmann::json::array();
  for (const SyscallInfo& row : kSyscallTable) {
    if (only && row.route != *only) continue;
    nlohmann::json j;
    j["nr"] = row.nr;
    j["name"] = row.name;
    j["route"] = std::string(route_name(row.route));
    if (row.route == Route::Refuse) {
      j["errno"] = row.err;
      const char* name = errno_name(row.err);
      j["errno_name"] = name != nullptr ? name : "";
    }
    if (row.route == Route::Forward) {
      nlohmann::json args = nlohmann::json::array();
      for (int i = 0; i < 6 && row.args[i].kind != Arg::None; ++i) {
        const ArgSpec& a = row.args[i];
        nlohmann::json arg;
        arg["kind"] = std::string(arg_kind_name(a.kind));
        if (a.size_arg >= 0) arg["size_arg"] = a.size_arg;
        if (a.size_arg == kSizeFromPtr) arg["size_from_next_arg"] = true;
        if (a.fixed_size != 0) arg["fixed_size"] = a.fixed_size;
        if (a.elem_size != 1) arg["elem_size"] = a.elem_size;
        args.push_back(std::move(arg));
      }
      j["args"] = std::move(args);
      j["arguments"] = describe_args(row);
    }
    j["flags"] = flag_names(row.flags);
    j["note"] = row.note;
    rows.push_back(std::move(j));
  }
  return {{"kernel", "6.18"}, {"max_nr", kMaxSyscallNr}, {"syscalls", std::move(rows)}};
}

}  // namespace cocoon::syscalls
