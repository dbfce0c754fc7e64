// Trusted files: verified as the enclave copies them in, never trusted because the host says so.
//
// Opening a trusted file reads it once through the proxy and hashes it whole; a mismatch with
// the manifest refuses the open (EACCES) with a log line naming the file and both hashes.
// A file of up to an eighth of the enclave's heap (at least 64 MiB, at most 512 MiB) then
// stays whole in enclave memory while it is open: reads, preads, readvs and mmaps copy the
// verified bytes, so what the host does to the file afterwards is never seen. For a larger
// file (or one there is no room for) the shim keeps the SHA-256 of every 64 KiB chunk instead;
// later accesses fetch chunks again and check each against its hash, so a file the host swaps
// after the open is refused (EACCES). Read offsets and sizes are the shim's, not the host's.
#pragma once

#include <cstdint>

#include "shim/file_policy.hpp"

namespace cocoon::shim::trusted {

// Opens a trusted file for the program (read-only). Returns the program fd or -errno.
long open(const policy::Resolved& r, long flags);

bool is_trusted_fd(int fd);

// The program's calls on a trusted fd.
long read(int fd, std::uint64_t buf, std::uint64_t len);
long pread(int fd, std::uint64_t buf, std::uint64_t len, std::int64_t off);
long readv(int fd, std::uint64_t iov, long count, std::int64_t off /* -1: file offset */);
long lseek(int fd, std::int64_t off, int whence);
std::uint64_t size_of(int fd);
// The verified content's identity (never reused, 0 for an fd that is not trusted): two fds
// with the same id read the same bytes.
std::uint64_t file_id(int fd);

// fd table events for trusted fds (shared open file description on dup).
void on_close(int fd);
void on_dup(int from, int to);

// Fills [dst, dst+len) with the file's bytes from `off`, zero past end of file; verified for
// trusted fds. Used by mmap. Returns 0 or -errno.
long read_for_mapping(int fd, void* dst, std::uint64_t len, std::uint64_t off);
// A private mapping [dst, dst+len) of trusted file fd from `off` (just made, read-write, not
// yet filled): when the file is kept whole in enclave memory, moves those pages of it into
// the mapping instead of copying them (ld.so maps each library's whole span once) and
// returns true. The file keeps serving reads of them from the mapping while it is an
// unchanged copy (mem::set_file_copy), and reads and verifies itself again otherwise.
bool lend_for_mapping(int fd, std::uint64_t dst, std::uint64_t len, std::uint64_t off);
// Whether pages fd lent to a mapping lie in [addr, addr+len).
bool lent_pages_in(int fd, std::uint64_t addr, std::uint64_t len);

// For the program loader (enclave memory, no fd in the program's table): opens `path` with
// the policy applied (trusted: verified; allowed: as is; otherwise -EACCES/-ENOENT).
//
// `after_load`: a trusted file is not verified at the open but after loading (the program
// and its interpreter, at start): loader_pread then reads through the proxy straight into
// its destination and records where each read went, and loader_verify hashes the file once
// in file order, taking each recorded range from the enclave copy that will be used (and the
// bytes nobody read from the proxy), checks that overlapping reads agree, and compares the
// hash with the manifest's. The loader makes one copy of the file instead of two (the whole
// file kept in enclave memory, then the segments copied out of it), and a file too large to
// keep whole is hashed once instead of three times. Nothing read may be used before loader_verify
// returned 0, and the memory read into must stay unchanged (and readable) until then.
struct LoaderFile {
  int pfd;
  void* obj;       // TrustedFile (verified at the open), or nullptr
  void* deferred;  // a trusted file to verify after loading, or nullptr
};
long loader_open(const char* path, LoaderFile& out, bool after_load = false);
long loader_pread(const LoaderFile& f, void* dst, std::uint64_t len, std::uint64_t off);
// Verifies a file opened `after_load` (0 at once for the others). On a mismatch logs the file
// and both hashes (as an open does) and returns -EACCES; -errno if it cannot be read.
long loader_verify(const LoaderFile& f);
// Forgets the reads recorded so far (their memory is about to be reused; their bytes will
// not be used): a file opened `after_load` then verifies what is read after.
void loader_forget_reads(const LoaderFile& f);
void loader_close(LoaderFile& f);
long loader_size(const LoaderFile& f, std::int64_t& size);

}  // namespace cocoon::shim::trusted
