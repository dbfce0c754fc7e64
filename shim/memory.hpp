// Enclave memory: the heap part of ELRANGE, handed out to the program (mmap, brk, mremap)
// and to the shim, with pages in use accounted as EPC (current and peak).
//
// The simulation keeps ELRANGE reserved PROT_NONE; committing a range means giving it its
// protection (the kernel then provides zero pages on first touch); releasing it means
// MADV_DONTNEED (so it is zero when reused) and PROT_NONE again.
#pragma once

#include <cstdint>

namespace cocoon::shim::mem {

enum Kind : std::uint8_t { kFree = 0, kShim, kAnon, kFile, kStack, kImage, kBrk };

void init(std::uint64_t heap_lo, std::uint64_t heap_hi);

// Allocates [addr, addr+len) (len page aligned). `fixed`: exactly at hint (replacing what is
// there, as MAP_FIXED does) — `noreplace`: fail with -EEXIST instead. Otherwise anywhere
// (top down, honouring hint when free). Returns the address or -errno.
long map(std::uint64_t hint, std::uint64_t len, int prot, bool fixed, bool noreplace, Kind kind);
// Like map() without a hint, but only in [lo, hi) (e.g. within rel32 reach of some code).
long map_within(std::uint64_t lo, std::uint64_t hi, std::uint64_t len, int prot, Kind kind);
long unmap(std::uint64_t addr, std::uint64_t len);
long protect(std::uint64_t addr, std::uint64_t len, int prot);
long remap(std::uint64_t old_addr, std::uint64_t old_len, std::uint64_t new_len, long flags,
           std::uint64_t new_addr);
long advise(std::uint64_t addr, std::uint64_t len, int advice);
// Copies of trusted files (file mappings): ld.so maps a library's whole span, then maps each
// segment again over it (MAP_FIXED) from the same file. set_file_copy records that the
// pages of [addr, addr+len) hold exactly the bytes of the trusted file `file_id` (an id
// never reused) from `off`, zero past its end; the record is dropped for pages that become
// writable or executable (the program or the syscall patcher may change them from then on)
// or are discarded. reuse_file_copy: when [addr, addr+len) is such a copy of the same file
// at the same offsets, gives it `prot` and returns true (a MAP_FIXED mapping of those bytes
// there can keep the pages instead of copying them again); otherwise changes nothing.
void set_file_copy(std::uint64_t addr, std::uint64_t len, std::uint64_t file_id, std::uint64_t off);
bool reuse_file_copy(std::uint64_t addr, std::uint64_t len, std::uint64_t file_id, std::uint64_t off, int prot);
// A verified file's pages handed to a mapping of it without copying them: moves the host pages
// of [src, src+len) (a shim allocation) to [dst, dst+len) (a file mapping just made, kFile,
// committed read-write), and releases [src, src+len) (it reads as unmapped from then on).
// False when the host cannot move them; then nothing changed.
bool move_pages(std::uint64_t src, std::uint64_t dst, std::uint64_t len);
// Copies [addr, addr+len) to `out` when every page of it is still a readable, unchanged copy
// of file `file_id` (set_file_copy) with file offset `off` at addr. False (nothing copied)
// otherwise. Holds the memory lock meanwhile: the copy cannot be unmapped or changed under it.
bool copy_from_file_copy(std::uint64_t addr, std::uint64_t len, std::uint64_t file_id, std::uint64_t off, void* out);
// The shim is about to write every byte of [addr, addr+len) (mapped, writable): the host
// provides its pages in one call instead of a page fault each, as 2 MiB pages where the
// range covers whole aligned ones (a copy of a file of several MiB: the program, libc…).
// A hint: a kernel without MADV_POPULATE_WRITE or transparent huge pages lets the copy fault.
void prefault(std::uint64_t addr, std::uint64_t len);
long brk(std::uint64_t requested);
void set_brk_start(std::uint64_t start);
// execve: releases every mapping of the program (everything but the shim's own).
void release_program_memory();

// Allocation for the shim's own data (never freed), zeroed, RW.
void* shim_alloc(std::uint64_t len);

bool is_mapped(std::uint64_t addr, std::uint64_t len, int need_prot);
// Protection of the page holding addr, or -1 when it is not mapped.
int prot_at(std::uint64_t addr);
std::uint64_t epc_in_use();
std::uint64_t epc_peak();
std::uint64_t epc_limit();

// The program's mappings in /proc/self/maps format ("start-end rwxp offset dev inode [name]"),
// into a buffer from heap::alloc (*cap bytes: free it with that size). Returns the length,
// or -ENOMEM.
long format_maps(char** out, std::uint64_t* cap);

}  // namespace cocoon::shim::mem
