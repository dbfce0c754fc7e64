// The Markdown support matrix, and docs/syscalls.md kept equal to it.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "syscalls/syscall_describe.hpp"
#include "syscalls/syscall_markdown.hpp"
#include "syscalls/syscall_table.hpp"

namespace cocoon::syscalls {
namespace {

std::size_t count_lines_starting(const std::string& text, const std::string& prefix) {
  std::size_t n = 0;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) ++n;
  return n;
}

std::size_t count_route(Route route) {
  std::size_t n = 0;
  for (const SyscallInfo& row : kSyscallTable) n += row.route == route;
  return n;
}

TEST(SyscallMarkdown, DocsSyscallsMdIsTheGeneratorOutput) {
  const std::string path = std::string(COCOON_SOURCE_DIR) + "/docs/syscalls.md";
  std::ifstream in(path, std::ios::binary);
  ASSERT_TRUE(in) << path << " is missing; generate it with: build/cocoon syscalls > docs/syscalls.md";
  std::stringstream file;
  file << in.rdbuf();
  EXPECT_TRUE(file.str() == render_markdown())
      << path << " is stale (the table changed); regenerate it with: "
      << "build/cocoon syscalls > docs/syscalls.md";
}

TEST(SyscallMarkdown, OneRowPerSyscallInNumberOrder) {
  const std::string md = render_markdown();
  std::size_t at = 0;
  for (const SyscallInfo& row : kSyscallTable) {
    const std::string start = "| " + std::to_string(row.nr) + " | `" + row.name + "` | ";
    const std::size_t found = md.find(start, at);
    ASSERT_NE(found, std::string::npos) << row.name << " missing or out of order";
    at = found + start.size();
  }
  EXPECT_EQ(count_lines_starting(md, "| ") - 5, kSyscallCount);  // 4 summary + 1 header
}

TEST(SyscallMarkdown, RowsShowRouteArgumentsAndNote) {
  const std::string md = render_markdown();
  EXPECT_NE(md.find("| 0 | `read` | forward (blocking) | fd; out buf[arg2] ← result bytes; int | "
                    "executed by the proxy on its fd |"),
            std::string::npos);
  EXPECT_NE(md.find("| 322 | `execveat` | refuse: ENOSYS | — | not yet supported: one enclave runs "
                    "one process |"),
            std::string::npos);
  EXPECT_NE(md.find("| 43 | `accept` | forward (blocking) | fd; out buf[\\*arg2]; in/out 4 B "
                    "→ new fd |"),
            std::string::npos);
}

TEST(SyscallMarkdown, SummaryCountsTheTable) {
  const std::string md = render_markdown();
  EXPECT_NE(md.find("| served in the shim, inside the enclave | " +
                    std::to_string(count_route(Route::Shim)) + " ("),
            std::string::npos);
  EXPECT_NE(md.find("| forwarded to the untrusted proxy | " +
                    std::to_string(count_route(Route::Forward)) + " ("),
            std::string::npos);
  EXPECT_NE(md.find("| refused | " + std::to_string(count_route(Route::Refuse)) + " (EINTR 1, "),
            std::string::npos);
  EXPECT_NE(md.find(std::to_string(kSyscallCount) + " syscalls."), std::string::npos);
  EXPECT_EQ(count_route(Route::Shim) + count_route(Route::Forward) + count_route(Route::Refuse),
            kSyscallCount);
}

TEST(SyscallMarkdown, RouteFilterKeepsOnlyThatRoute) {
  for (Route r : {Route::Shim, Route::Forward, Route::Refuse}) {
    const std::string md = render_markdown(r);
    std::size_t rows = 0;
    for (const SyscallInfo& row : kSyscallTable) {
      const bool listed =
          md.find("| " + std::to_string(row.nr) + " | `" + row.name + "` |") != std::string::npos;
      EXPECT_EQ(listed, row.route == r) << row.name;
      rows += listed;
    }
    EXPECT_EQ(rows, count_route(r));
  }
}

TEST(SyscallMarkdown, CellsAreEscaped) {
  EXPECT_EQ(escape_markdown_cell("a|b"), "a\\|b");
  EXPECT_EQ(escape_markdown_cell("*xattrat"), "\\*xattrat");
  EXPECT_EQ(escape_markdown_cell("x`y\\z"), "x\\`y\\\\z");
  EXPECT_EQ(escape_markdown_cell("two\nlines\r"), "two lines ");
  EXPECT_EQ(escape_markdown_cell("plain text"), "plain text");
}

}  // namespace
}  // namespace cocoon::syscalls
