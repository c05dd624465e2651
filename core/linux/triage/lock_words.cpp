#include "core/linux/triage/lock_words.hpp"

namespace kinspect {

MutexOwner decode_mutex_owner(uint64_t w) {
  constexpr uint64_t kFlags = 0x07;  // MUTEX_FLAGS
  MutexOwner m;
  m.task = w & ~kFlags;
  m.waiters = w & 0x1;
  m.handoff = w & 0x2;
  m.pickup = w & 0x4;
  return m;
}

RwsemState decode_rwsem(uint64_t count, uint64_t owner) {
  constexpr uint64_t kOwnerFlags = 0x3;  // RWSEM_OWNER_FLAGS_MASK
  RwsemState s;
  s.writer_locked = count & 0x1;
  s.waiters = count & 0x2;
  s.handoff = count & 0x4;
  // count is a signed long; a negative value would be a corrupted word.
  s.readers = static_cast<int64_t>(count) < 0 ? 0 : count >> 8;
  s.owner_task = owner & ~kOwnerFlags;
  s.reader_owned = owner & 0x1;
  return s;
}

QspinlockWord decode_qspinlock(uint32_t v, unsigned pending_bits) {
  QspinlockWord w;
  w.value = v;
  w.locked = v & 0xff;
  w.pending = (v >> 8) & 1;
  unsigned idx_shift = 8 + pending_bits;
  w.tail_idx = (v >> idx_shift) & 0x3;
  uint32_t cpu_plus_one = v >> (idx_shift + 2);
  w.tail_cpu = cpu_plus_one ? static_cast<int>(cpu_plus_one) - 1 : -1;
  return w;
}

std::string describe_qspinlock(const QspinlockWord& w) {
  std::string s = w.locked ? "locked" : "unlocked";
  if (w.locked > 1) s += " (slow, paravirt)";
  if (w.pending) s += ", pending";
  if (w.tail_cpu >= 0)
    s += ", tail CPU " + std::to_string(w.tail_cpu) + " (idx " + std::to_string(w.tail_idx) + ")";
  return s;
}

}  // namespace kinspect
