// Minimal synchronisation for the shim (no libc, no pthreads).
#pragma once

#include <cstdint>

#include "shim/host.hpp"

namespace cocoon::shim {

class SpinLock {
 public:
  // Spins, and yields the CPU when the holder seems descheduled (more enclave threads than
  // cores is common).
  void lock() {
    while (__atomic_exchange_n(&v_, 1u, __ATOMIC_ACQUIRE)) {
      for (unsigned i = 1; __atomic_load_n(&v_, __ATOMIC_RELAXED); ++i) {
        if (i % 128 == 0) host::call(24 /* sched_yield */);
        else host::cpu_relax();
      }
    }
  }
  void unlock() { __atomic_store_n(&v_, 0u, __ATOMIC_RELEASE); }

 private:
  std::uint32_t v_ = 0;
};

class LockGuard {
 public:
  explicit LockGuard(SpinLock& l) : l_(l) { l_.lock(); }
  ~LockGuard() { l_.unlock(); }
  LockGuard(const LockGuard&) = delete;
  LockGuard& operator=(const LockGuard&) = delete;

 private:
  SpinLock& l_;
};

}  // namespace cocoon::shim
