// What `cocoon syscalls` prints: Markdown, JSON, the route filter, and the error for a bad
// route.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "syscalls/syscall_json.hpp"
#include "syscalls/syscall_listing.hpp"
#include "syscalls/syscall_markdown.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {
namespace {

TEST(SyscallListing, MarkdownByDefault) {
  std::ostringstream out, err;
  EXPECT_EQ(print_syscall_listing({}, out, err), 0);
  EXPECT_EQ(out.str(), render_markdown());
  EXPECT_EQ(err.str(), "");
}

TEST(SyscallListing, RouteFilter) {
  std::ostringstream out, err;
  EXPECT_EQ(print_syscall_listing({false, "refuse"}, out, err), 0);
  EXPECT_EQ(out.str(), render_markdown(Route::Refuse));
}

TEST(SyscallListing, UnknownRouteIsAOneLineError) {
  std::ostringstream out, err;
  EXPECT_EQ(print_syscall_listing({false, "forwarded"}, out, err), 2);
  EXPECT_EQ(out.str(), "");
  EXPECT_EQ(err.str(),
            "cocoon syscalls: unknown route 'forwarded' for --route (expected shim, forward or "
            "refuse)\n");
}

TEST(SyscallListing, JsonHasEveryRowWithItsFields) {
  std::ostringstream out, err;
  ASSERT_EQ(print_syscall_listing({true, ""}, out, err), 0);
  const nlohmann::json j = nlohmann::json::parse(out.str());
  EXPECT_EQ(j.at("kernel"), "6.18");
  EXPECT_EQ(j.at("max_nr"), kMaxSyscallNr);
  const auto& rows = j.at("syscalls");
  ASSERT_EQ(rows.size(), kSyscallCount);
  for (std::size_t i = 0; i < kSyscallCount; ++i) {
    const SyscallInfo& row = kSyscallTable[i];
    EXPECT_EQ(rows[i].at("nr"), row.nr);
    EXPECT_EQ(rows[i].at("name"), row.name);
    EXPECT_EQ(rows[i].at("note"), row.note);
    EXPECT_EQ(rows[i].contains("errno"), row.route == Route::Refuse) << row.name;
    EXPECT_EQ(rows[i].contains("args"), row.route == Route::Forward) << row.name;
  }
  const auto& read = rows[0];
  EXPECT_EQ(read.at("route"), "forward");
  EXPECT_EQ(read.at("flags"), nlohmann::json({"out_size_is_result", "blocking"}));
  EXPECT_EQ(read.at("args"), nlohmann::json::parse(R"([{"kind":"fd"},
      {"kind":"out","size_arg":2},{"kind":"int"}])"));
  const auto& accept = rows[43];
  EXPECT_EQ(accept.at("args")[1], nlohmann::json::parse(R"({"kind":"out","size_from_next_arg":true})"));
  EXPECT_EQ(accept.at("args")[2], nlohmann::json::parse(R"({"kind":"inout","fixed_size":4})"));
  const auto& epoll_wait = rows[232];
  EXPECT_EQ(epoll_wait.at("args")[1],
            nlohmann::json::parse(R"({"kind":"out","size_arg":2,"elem_size":12})"));
  const auto& execveat = rows[322];
  EXPECT_EQ(execveat.at("errno"), 38);
  EXPECT_EQ(execveat.at("errno_name"), "ENOSYS");
}

TEST(SyscallListing, JsonRouteFilter) {
  const nlohmann::json j = table_to_json(Route::Shim);
  ASSERT_FALSE(j.at("syscalls").empty());
  for (const auto& row : j.at("syscalls")) { EXPECT_EQ(row.at("route"), "shim"); }
}

}  // namespace
}  // namespace cocoon::syscalls
