// Enclave threads: slots (shim stack, altstack, TLS page, channel), creation by clone and
// exit (shim/sys_thread.cpp).
#pragma once

#include <cstdint>

namespace cocoon::shim::threads {

// After thread 0 is set up: how many slots the enclave has (the measured max_threads,
// bounded by the window's channels).
void init();
// True once the program has created a second thread (from then on shared state is
// contended; statistics use atomic increments).
bool multithreaded();
// Threads of the program that have not exited.
int live_count();
// True when tid is a thread of the program that has not exited.
bool tid_alive(long tid);

}  // namespace cocoon::shim::threads
