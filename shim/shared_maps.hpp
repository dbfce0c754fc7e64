// Writable shared file mappings (MAP_SHARED with PROT_WRITE of a file open for reading and
// writing), emulated.
//
// Every file mapping in the enclave is a copy of the file's bytes in enclave memory. For a
// shared one the shim also keeps the bytes as they were last read or written back, and writes
// the pages that differ back to the file (through the proxy, with a duplicate of the fd kept
// in the shim's fd range, so the program may close its own) at msync, at munmap or mremap or
// a MAP_FIXED mapping over it, and at exit_group. Other processes, and read() of the file,
// see the program's writes only from then on; a change of the file by others after the
// mapping was made is not seen in it; two shared mappings of one file in one process are two
// copies. A program killed by a signal loses what it had not written back. The kept bytes
// double the enclave memory such a mapping takes. A shared mapping made without PROT_WRITE
// and made writable later with mprotect is not written back.
#pragma once

#include <cstdint>

namespace cocoon::shim::shared_maps {

// After a writable MAP_SHARED mapping of fd at addr (its copy in place): follow it. 0, or
// -errno (the caller unmaps).
long add(std::uint64_t addr, std::uint64_t len, int fd, std::uint64_t off);
// msync: write back what changed in [addr, addr + len).
long sync(std::uint64_t addr, std::uint64_t len);
// Before [addr, addr + len) stops being mapped there (munmap, MAP_FIXED over it, mremap):
// write back what changed in it, and stop following it.
void unmapping(std::uint64_t addr, std::uint64_t len);
// mremap moved or resized a mapping whose [old_addr, old_addr + old_len) was followed (the
// caller passes what find() said before): follow its new place.
struct Origin {
  bool found;
  int fd;               // the shim's duplicate (kept open)
  std::uint64_t off;    // file offset of old_addr
};
Origin take(std::uint64_t addr, std::uint64_t len);  // like unmapping(), but keeps the fd
void adopt(const Origin& o, std::uint64_t addr, std::uint64_t len);
// exit_group: write back everything.
void flush_all();

}  // namespace cocoon::shim::shared_maps
