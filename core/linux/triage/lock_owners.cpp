#include "core/linux/triage/lock_owners.hpp"

#include "core/linux/triage/lock_words.hpp"
#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

std::string_view lock_kind_name(LockKind k) {
  switch (k) {
    case LockKind::mutex: return "mutex";
    case LockKind::rwsem_write: return "rw_semaphore (write)";
    case LockKind::rwsem_read: return "rw_semaphore (read)";
    case LockKind::semaphore: return "semaphore";
    case LockKind::completion: return "completion";
    case LockKind::qspinlock: return "qspinlock";
  }
  return "lock";
}

std::string_view lock_type_name(LockKind k) {
  switch (k) {
    case LockKind::mutex: return "mutex";
    case LockKind::rwsem_write:
    case LockKind::rwsem_read: return "rw_semaphore";
    case LockKind::semaphore: return "semaphore";
    case LockKind::completion: return "completion";
    case LockKind::qspinlock: return "qspinlock";
  }
  return "";
}

namespace {

// A member that is an integer or pointer, or an atomic_t / atomic_long_t
// wrapping one (.counter): the kernel made these words atomics over time.
Result<uint64_t> word(const Object& o, std::string_view path) {
  ASSIGN_OR_RETURN(Object m, o.member(path));
  if (m.type()->is_aggregate()) {
    ASSIGN_OR_RETURN(m, m.member("counter"));
  }
  return m.as_u64();
}

Result<LockState> read_mutex(const Object& m, LockState s) {
  ASSIGN_OR_RETURN(uint64_t w, word(m, "owner"));
  MutexOwner o = decode_mutex_owner(w);
  s.owner_task = o.task;
  s.owner_field = "mutex.owner";
  if (!o.task) {
    s.state = "unlocked";
  } else {
    s.state = "owner " + hex(o.task);
    std::string f;
    if (o.waiters) f += "|MUTEX_FLAG_WAITERS";
    if (o.handoff) f += "|MUTEX_FLAG_HANDOFF";
    if (o.pickup) f += "|MUTEX_FLAG_PICKUP";
    if (!f.empty()) s.state += " (" + f.substr(1) + ")";
  }
  return s;
}

Result<LockState> read_rwsem(const Object& r, LockState s) {
  ASSIGN_OR_RETURN(uint64_t count, word(r, "count"));
  ASSIGN_OR_RETURN(uint64_t owner, word(r, "owner"));
  RwsemState st = decode_rwsem(count, owner);
  s.owner_field = "rw_semaphore.owner";
  if (st.writer_locked) {
    s.owner_task = st.owner_task;
    s.state = "write-locked by " + hex(st.owner_task);
  } else if (st.readers) {
    s.owner_task = st.reader_owned ? st.owner_task : 0;
    s.owner_is_last_reader = true;
    s.state = std::to_string(st.readers) + " reader" + (st.readers == 1 ? "" : "s");
    if (s.owner_task) s.state += ", last reader " + hex(s.owner_task);
  } else {
    s.state = "unlocked";
  }
  if (st.waiters) s.state += ", waiters";
  if (st.handoff) s.state += ", handoff";
  return s;
}

}  // namespace

unsigned qspinlock_pending_bits(Program& prog) {
  // _Q_PENDING_BITS is 8 below CONFIG_NR_CPUS 16384, else 1; the DWARF
  // shows NR_CPUS only as the size of struct cpumask's bits[] (rounded up
  // to whole longs, so exactly 16384 may hide a smaller NR_CPUS).
  auto t = prog.types().find_struct("cpumask");
  if (!t) return 8;
  auto bits = (*t)->find_member("bits");
  if (!bits) return 8;
  const Type* arr = bits->member->type.get()->strip();
  if (arr->kind != TypeKind::array || !arr->count) return 8;
  uint64_t nr_cpus = *arr->count * arr->target.get()->byte_size() * 8;
  return nr_cpus < 16384 ? 8 : 1;
}

Result<LockState> read_lock_state(Program& prog, LockKind kind, uint64_t address) {
  LockState s;
  s.kind = kind;
  s.address = address;
  std::string type(lock_type_name(kind));
  ASSIGN_OR_RETURN(const Type* t, prog.types().find_struct(type));
  Object o = Object::at(prog, t, address);
  auto ctx = [&](Result<LockState> r) {
    return std::move(r).context("reading struct " + type + " at " + hex(address));
  };
  switch (kind) {
    case LockKind::mutex: return ctx(read_mutex(o, std::move(s)));
    case LockKind::rwsem_write:
    case LockKind::rwsem_read: return ctx(read_rwsem(o, std::move(s)));
    case LockKind::semaphore: {
      auto c = word(o, "count");
      if (!c) return ctx(fail(std::move(c).error()));
      s.state = "count " + std::to_string(static_cast<int64_t>(static_cast<int32_t>(*c)));
      return s;
    }
    case LockKind::completion: {
      auto d = word(o, "done");
      if (!d) return ctx(fail(std::move(d).error()));
      s.state = "done " + std::to_string(*d);
      return s;
    }
    case LockKind::qspinlock: {
      auto v = word(o, "val");
      if (!v) return ctx(fail(std::move(v).error()));
      s.state = describe_qspinlock(decode_qspinlock(static_cast<uint32_t>(*v), qspinlock_pending_bits(prog)));
      return s;
    }
  }
  return s;
}

}  // namespace kinspect
