// Reading a lock in the dump: a mutex's owner task, an rw_semaphore's
// writer or readers, a semaphore's count, a completion's done count. The
// word decoding is lock_words; the layouts come from DWARF (atomic_long_t
// words since 4.10/5.3, a plain task pointer before).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace kinspect {

class Program;

enum class LockKind { mutex, rwsem_write, rwsem_read, semaphore, completion, qspinlock };

// "mutex", "rw_semaphore (write)", "rw_semaphore (read)", "semaphore", "completion", "qspinlock".
std::string_view lock_kind_name(LockKind k);
// The C type behind a kind: "mutex", "rw_semaphore", "semaphore", "completion", "qspinlock".
std::string_view lock_type_name(LockKind k);

struct LockState {
  LockKind kind = LockKind::mutex;
  uint64_t address = 0;
  // The task the lock records as its owner (mutex owner, rwsem writer or,
  // with owner_is_last_reader, the last reader, which may since have
  // released it); 0 when the lock records none.
  uint64_t owner_task = 0;
  bool owner_is_last_reader = false;
  std::string owner_field;  // where the owner was read: "mutex.owner"
  // The lock word in words: "owner 0xffff... (MUTEX_FLAG_WAITERS)", "2 readers, waiters", "count 0", "done 0".
  std::string state;
};

// _Q_PENDING_BITS of the dumped kernel (8, or 1 for NR_CPUS >= 16K).
unsigned qspinlock_pending_bits(Program& prog);

Result<LockState> read_lock_state(Program& prog, LockKind kind, uint64_t address);

}  // namespace kinspect
