#include "core/linux/triage/cpu_state.hpp"

#include <array>

#include "core/linux/tasks.hpp"
#include "core/linux/triage/frame_search.hpp"
#include "core/linux/triage/lock_owners.hpp"
#include "core/program.hpp"
#include "core/types/flags.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"
#include "core/unwind/symbolize.hpp"
#include "core/unwind/unwind.hpp"

namespace kinspect {

RunClocks::RunClocks(Program& prog, unsigned cpus) : prog_(prog) {
  last_arrival_ = prog.types().member_offset("task_struct", "sched_info.last_arrival").ok();
  std::string_view clock = last_arrival_ ? "clock" : "clock_task";
  for (unsigned c = 0; c < cpus; ++c)
    if (auto rq = per_cpu(prog, "runqueues", c); rq.ok())
      if (auto m = rq->member(clock); m.ok())
        if (auto v = m->as_u64(); v.ok() && *v > now_) now_ = *v;
}

RunTime RunClocks::since_arrival(const TaskInfo& t) const {
  RunTime r;
  r.source = last_arrival_ ? "latest rq->clock - sched_info.last_arrival" : "latest rq->clock_task - se.exec_start";
  if (!now_) return r;
  uint64_t start = t.last_arrival;
  if (!last_arrival_) {
    auto task_type = prog_.types().find_struct("task_struct");
    if (!task_type) return r;
    auto v = Object::at(prog_, *task_type, t.task).member("se.exec_start");
    if (!v) return r;
    auto u = v->as_u64();
    if (!u) return r;
    start = *u;
  }
  r.ns = now_ > start ? now_ - start : 0;
  return r;
}

namespace {

constexpr size_t kShortTrace = 12;

// The interrupted context: the innermost exception frame in the trace
// (the stop IPI, NMI or timer interrupt that found the CPU there), the
// user registers an interrupt saved, else the note the dump saved for the CPU.
void interrupted_context(const Program& prog, const ArchUnwinder& u, CpuState& c) {
  auto name = [&](uint64_t pc) { return pc ? symbolize(prog, pc, SymbolStyle{true}) : std::string(); };
  for (const Frame& f : c.backtrace.frames)
    if (f.exception) {
      c.irqs_enabled = u.interrupts_enabled(*f.exception);
      c.irqs_source = "exception frame at " + hex(f.exception->address);
      c.context_pc = f.exception->regs.get(u.pc_regno()).value_or(0);
      c.context_user = f.exception->user_mode;
      c.context_at = name(c.context_pc);
      return;
    }
  // An interrupt that found the CPU in user mode ends the trace with the
  // user registers (a system call's entry does too, and is not one).
  if (c.backtrace.user_regs && !entered_by_syscall(prog, c.backtrace)) {
    const ExceptionFrame& e = *c.backtrace.user_regs;
    c.irqs_enabled = u.interrupts_enabled(e);
    c.irqs_source = "user-mode exception frame at " + hex(e.address);
    c.context_pc = e.regs.get(u.pc_regno()).value_or(0);
    c.context_user = true;
    return;
  }
  if (c.backtrace.note_regs) {
    const ExceptionFrame& n = *c.backtrace.note_regs;
    c.irqs_enabled = u.interrupts_enabled(n);
    c.irqs_source = "register note (" + c.backtrace.regs_source + ")";
    c.context_pc = n.regs.get(u.pc_regno()).value_or(0);
    c.context_user = n.user_mode;
    c.context_at = name(c.context_pc);
  }
}

// The csd's flags word: csd->node.u_flags since 545b8c8df41f ("smp: Cleanup
// smp_call_function*()", 5.10), csd->flags before.
Result<uint64_t> csd_flags(const Object& csd) {
  auto f = csd.member("node.u_flags");
  if (!f) f = csd.member("flags");
  if (!f) return fail(std::move(f).error());
  return f->as_u64();
}

// The csd the waiting CPU's per-cpu cfd_data holds for one target CPU: a
// per-cpu area with one slot per target. The area is cfd->pcpu (struct
// cfd_percpu, whose csd member is the slot) in 5.16+ kernels, which made
// room for csd-lock debugging fields beside the csd; cfd->csd before.
// Detected from DWARF (which member exists).
Result<uint64_t> cfd_csd(Program& prog, unsigned waiter_cpu, unsigned target_cpu) {
  ASSIGN_OR_RETURN(Object cfd, per_cpu(prog, "cfd_data", waiter_cpu));
  uint64_t slot = 0;
  auto base = cfd.member("pcpu");
  if (base.ok()) {
    ASSIGN_OR_RETURN(slot, prog.types().member_offset("cfd_percpu", "csd"));
  } else {
    base = cfd.member("csd");
  }
  if (!base) return fail(std::move(base).error());
  ASSIGN_OR_RETURN(uint64_t p, base->as_u64());
  ASSIGN_OR_RETURN(uint64_t a, per_cpu_address(prog, p, target_cpu));
  return a + slot;
}

std::optional<CsdWait> find_csd_wait(Program& prog, FrameSearch& fs, unsigned cpu, unsigned cpus) {
  static constexpr std::array<std::string_view, 1> kFunctions = {"csd_lock_wait"};
  static constexpr std::array<std::string_view, 3> kHosts = {"smp_call_function_many_cond",
                                                             "smp_call_function_single", "csd_lock_wait"};
  auto hit = fs.find(kFunctions, kHosts);
  if (!hit) return std::nullopt;
  CsdWait w;
  w.frame = hit->frame;
  w.function = hit->function;
  w.host = fs.frame_function(hit->frame);
  std::string where = "frame #" + std::to_string(hit->frame) + " ";
  // The loop variable of smp_call_function_many_cond's wait loop (and
  // smp_call_function_single's parameter) is the target CPU.
  auto target = fs.variable_of(*hit, w.host, "cpu");
  if (target.ok()) {
    if (auto v = target->as_int(); v.ok() && *v >= 0 && static_cast<uint64_t>(*v) < cpus) {
      w.target_cpu = static_cast<int>(*v);
      w.target_source = where + w.host + ": cpu";
    }
  }
  auto csd = fs.variable(*hit, "csd");
  auto csd_addr = csd ? csd->as_u64() : Result<uint64_t>(fail(std::move(csd).error()));
  std::string csd_source = where + w.function + ": csd";
  if (!csd_addr && w.target_cpu >= 0) {
    // Optimized out (arm64's build keeps only cpu): the waiter's csd for
    // that target is the one in its cfd_data.
    csd_addr = cfd_csd(prog, cpu, static_cast<unsigned>(w.target_cpu));
    csd_source = "cfd_data of CPU " + std::to_string(cpu) + " for CPU " + std::to_string(w.target_cpu);
  }
  if (!csd_addr) {
    w.problems.push_back("csd: " + csd_addr.error().message);
    return w;
  }
  w.csd = *csd_addr;
  if (w.target_cpu < 0) {
    for (unsigned c = 0; c < cpus; ++c)
      if (auto a = cfd_csd(prog, cpu, c); a.ok() && *a == w.csd) {
        w.target_cpu = static_cast<int>(c);
        w.target_source = "cfd_data of CPU " + std::to_string(cpu);
      }
    if (w.target_cpu < 0)
      w.problems.push_back("target CPU: " + (target.ok() ? std::string("not in the frame, nor in cfd_data")
                                                         : target.error().message));
  } else if (auto a = cfd_csd(prog, cpu, static_cast<unsigned>(w.target_cpu)); a.ok() && *a != w.csd) {
    // smp_call_function_single's csd may be on the stack: not a contradiction.
    if (w.host == "smp_call_function_many_cond")
      w.problems.push_back("cfd_data of CPU " + std::to_string(cpu) + " holds " + hex(*a) + " for CPU " +
                           std::to_string(w.target_cpu) + ", not this csd");
  }
  auto t = prog.types().find_type("call_single_data_t");
  if (!t) t = prog.types().find_struct("__call_single_data");
  if (!t) {
    w.problems.push_back("csd type: " + t.error().message);
    return w;
  }
  Object obj = Object::at(prog, *t, w.csd);
  if (auto f = obj.member("func"); f.ok()) {
    if (auto v = f->as_u64(); v.ok()) {
      w.func = *v;
      w.func_symbol = symbolize(prog, *v, SymbolStyle{true});
    } else {
      w.problems.push_back("csd->func at " + hex(w.csd) + ": " + v.error().message);
    }
  } else {
    w.problems.push_back("csd->func: " + f.error().message);
  }
  if (auto fl = csd_flags(obj); fl.ok()) {
    w.flags = *fl;
    std::vector<FlagName> names;
    for (const auto& e : prog.types().enumerators_with_prefix("CSD_")) names.push_back({e.name, e.value});
    w.flags_text = format_flags(*fl, names);
  } else {
    w.problems.push_back("csd flags at " + hex(w.csd) + ": " + fl.error().message);
  }
  w.csd_source = csd_source;
  return w;
}

std::optional<SpinWait> find_spin_wait(Program& prog, FrameSearch& fs) {
  static constexpr std::array<std::string_view, 3> kFunctions = {
      "native_queued_spin_lock_slowpath", "queued_spin_lock_slowpath", "__pv_queued_spin_lock_slowpath"};
  auto hit = fs.find(kFunctions, kFunctions);
  if (!hit) return std::nullopt;
  SpinWait w;
  w.frame = hit->frame;
  w.function = hit->function;
  auto lock = fs.variable(*hit, "lock");
  if (!lock) {
    w.problem = "lock: " + lock.error().message;
    return w;
  }
  auto addr = lock->as_u64();
  if (!addr) {
    w.problem = "lock: " + addr.error().message;
    return w;
  }
  w.lock = *addr;
  w.name = name_lock(prog, fs, hit->frame, w.lock);
  auto v = lock->member("val.counter");
  auto word = v ? v->as_u64() : Result<uint64_t>(fail(std::move(v).error()));
  if (word.ok())
    w.word = decode_qspinlock(static_cast<uint32_t>(*word), qspinlock_pending_bits(prog));
  else
    w.problem = "lock word at " + hex(w.lock) + ": " + word.error().message;
  return w;
}

}  // namespace

std::vector<CpuState> read_cpu_states(Program& prog, ArchUnwinder& u, const TaskList& tasks,
                                      const RunClocks& clocks) {
  std::vector<CpuState> out;
  for (unsigned cpu = 0; cpu < tasks.active.size(); ++cpu) {
    CpuState c;
    c.cpu = cpu;
    c.task = tasks.active[cpu];
    const TaskInfo* t = c.task ? tasks.by_task(c.task) : nullptr;
    if (!t) {
      c.error = c.task ? "rq->curr " + hex(c.task) + " is not in the task list" : "rq->curr unreadable";
      out.push_back(std::move(c));
      continue;
    }
    c.pid = t->pid;
    c.comm = t->comm;
    c.idle = t->idle;
    RunTime rt = clocks.since_arrival(*t);
    c.ran_ns = rt.ns;
    c.ran_source = rt.source;
    auto bt = unwind_task(prog, u, *t);
    if (!bt) {
      c.error = bt.error().message;
      out.push_back(std::move(c));
      continue;
    }
    c.backtrace = std::move(*bt);
    c.trace = short_trace(prog, c.backtrace, kShortTrace);
    interrupted_context(prog, u, c);
    if (!c.idle) {
      FrameSearch fs(prog, c.backtrace);
      c.csd = find_csd_wait(prog, fs, cpu, static_cast<unsigned>(tasks.active.size()));
      if (!c.csd) c.spin = find_spin_wait(prog, fs);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace kinspect
