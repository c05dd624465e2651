// The lock words of the kernel's sleeping and spinning locks, decoded: who
// owns a mutex or an rw_semaphore, how many readers hold one, and which
// CPUs a queued spinlock's word names. Pure functions on the words already
// read (unit-tested on synthetic values); reading them is lock_owners.cpp.
#pragma once

#include <cstdint>
#include <string>

namespace kinspect {

// struct mutex.owner since 3ca0ff571b09 ("locking/mutex: Rework mutex::owner",
// 4.10): the owner task_struct pointer with MUTEX_FLAG_WAITERS (0x1),
// MUTEX_FLAG_HANDOFF (0x2) and MUTEX_FLAG_PICKUP (0x4) in its low bits.
struct MutexOwner {
  uint64_t task = 0;  // 0: unlocked
  bool waiters = false, handoff = false, pickup = false;
};
MutexOwner decode_mutex_owner(uint64_t owner_word);

// struct rw_semaphore since 4.20/5.3 (kernel/locking/rwsem.c): count holds
// RWSEM_WRITER_LOCKED (bit 0), RWSEM_FLAG_WAITERS (bit 1), RWSEM_FLAG_HANDOFF
// (bit 2), RWSEM_FLAG_READFAIL (bit 7) and the reader count from bit 8;
// owner is the writer's (or the last reader's) task with RWSEM_READER_OWNED
// (bit 0) and RWSEM_NONSPINNABLE (bit 1) in its low bits.
struct RwsemState {
  bool writer_locked = false;
  bool waiters = false, handoff = false;
  uint64_t readers = 0;
  uint64_t owner_task = 0;    // the writer when writer_locked; else the last reader (possibly gone)
  bool reader_owned = false;
};
RwsemState decode_rwsem(uint64_t count, uint64_t owner_word);

// A queued spinlock's 32-bit word (include/asm-generic/qspinlock_types.h):
// locked byte (bits 0-7), pending (bit 8, a byte when NR_CPUS < 16K),
// tail index (2 bits) and tail CPU + 1 (the rest): the last CPU queued in
// the MCS list. The word does not record the owner CPU.
struct QspinlockWord {
  uint32_t value = 0;
  uint32_t locked = 0;    // 0 free, 1 held (_Q_SLOW_VAL 3 under paravirt)
  bool pending = false;   // one waiter spinning on the pending bit
  int tail_cpu = -1;      // -1: no CPU queued
  unsigned tail_idx = 0;  // nesting level of the tail's qnode (task, softirq, hardirq, nmi)
};
// pending_bits: 8 when NR_CPUS < 16384, else 1 (_Q_PENDING_BITS).
QspinlockWord decode_qspinlock(uint32_t value, unsigned pending_bits = 8);

// "locked, pending, tail CPU 3 (idx 0)" / "unlocked".
std::string describe_qspinlock(const QspinlockWord& w);

}  // namespace kinspect
