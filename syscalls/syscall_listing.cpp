#include "syscalls/syscall_listing.hpp"

#include <optional>
#include <ostream>

#include "syscalls/syscall_describe.hpp"
#include "syscalls/syscall_json.hpp"
#include "syscalls/syscall_markdown.hpp"

namespace cocoon::syscalls {

int print_syscall_listing(const ListingOptions& options, std::ostream& out, std::ostream& err) {
  std::optional<Route> only;
  if (!options.route.empty()) {
    only = route_from_name(options.route);
    if (!only) {
      err << "cocoon syscalls: unknown route '" << options.route
          << "' for --route (expected shim, forward or refuse)\n";
      return 2;
    }
  }
  if (options.json)
    out << table_to_json(only).dump(2) << '\n';
  else
    out << render_markdown(only);
  return out.good() ? 0 : 1;
}

}  // namespace cocoon::syscalls
