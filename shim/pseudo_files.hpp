// Files the shim makes up itself (/dev/attestation, a few /proc and /sys entries): a table of
// nodes per provider, each a directory, a file whose content is made when it is opened (or a
// live buffer for writable ones), or a symbolic link. Opening one gives a real fd number (the
// proxy opens /dev/null for it, so numbering and unlisted calls behave); reads, writes, seeks,
// stat, getdents and readlink on it never leave the enclave.
#pragma once

#include <cstdint>

#include "shim/dispatch.hpp"
#include "syscalls/syscall_info.hpp"

namespace cocoon::shim::pseudo {

// What an open file reads: a snapshot (owned: freed with the open file) or a live buffer.
struct Content {
  std::uint8_t* data = nullptr;
  std::uint64_t size = 0;
  bool owned = false;
};

struct Node;
using OpenFn = long (*)(const Node&, Content&);                       // 0 or -errno
using LinkFn = long (*)(const Node&, char* out, std::uint64_t cap);  // length or -errno

enum class Type : std::uint8_t { Dir, File, Link };

struct Node {
  const char* path;           // absolute, no trailing '/'
  Type type;
  bool writable;              // files: the content is a live buffer the program may write
  std::uint64_t stat_size;    // what stat reports before the file is opened
  OpenFn open;                // files
  LinkFn link;                // links
};

// A provider's nodes. With a root, every path below it is the provider's (unknown names are
// ENOENT); without one, only the listed paths are intercepted and the rest goes on as usual.
struct Provider {
  const char* root;           // e.g. "/dev/attestation", or nullptr
  const Node* nodes;
  std::uint32_t count;
};

// Registers a provider (at start-up, before the program runs; at most 4).
void add_provider(const Provider& p);

// A copy of `n` bytes in shim memory, for Content snapshots. -ENOMEM when out of memory.
long snapshot(const void* src, std::uint64_t n, Content& out);

// A call on an fd of an open pseudo-file, or with a path naming one: handles it, returns true.
bool intercept(const syscalls::SyscallInfo& info, SyscallFrame& f, long* result);

void on_close(int fd);
void on_dup(int from, int to);

}  // namespace cocoon::shim::pseudo
