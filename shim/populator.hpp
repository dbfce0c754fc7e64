// Populating enclave memory ahead of a copy, on a shim thread of its own.
//
// A large copy into enclave memory (a program's segments, a trusted file kept whole) first
// has the host provide its pages (mem::prefault: MADV_POPULATE_WRITE, 2 MiB pages where it
// can), and the host zeroes them: about 0.15 ms per MiB here, 1 ms of python3's start, 20 ms
// of the JVM's (lib/modules). No enclave thread needs to wait for that: the populator does
// it on another CPU while the copy starts at the first page. A page the copy reaches first is
// faulted in by the copy itself (as a 2 MiB page where the range asked for them), so the
// result is the same whichever gets there first.
//
// The thread takes no signal and makes no forwarded call; on hardware it would use one of the
// enclave's reserved TCSs, as the timer thread does (shim/timers.cpp).
#pragma once

#include <cstdint>

namespace cocoon::shim::populator {

// Queues [addr, addr+len) (enclave memory, page aligned, committed) to be populated by the
// populator thread, started on first use, and returns at once. false when there is no
// thread or the queue is full: then the caller populates it itself.
bool populate_async(std::uint64_t addr, std::uint64_t len);

}  // namespace cocoon::shim::populator
