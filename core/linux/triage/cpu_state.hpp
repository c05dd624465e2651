// What each CPU was doing when the dump was taken: its running task, how
// long that task had run, whether the interrupted context could take
// interrupts, and what it spins on: a csd it waits for in csd_lock_wait()
// (the target CPU, the csd's function and flags) or a queued spinlock (the
// lock word's pending and tail CPUs). No printing; commands/triage renders it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/linux/triage/lock_names.hpp"
#include "core/linux/triage/lock_words.hpp"
#include "core/unwind/frame.hpp"

namespace kinspect {

class Program;
class ArchUnwinder;
struct TaskInfo;
struct TaskList;

// A CPU spinning in csd_lock_wait() until another CPU runs its csd.
struct CsdWait {
  size_t frame = 0;           // the frame csd_lock_wait runs in (inlined or not)
  std::string function;       // "csd_lock_wait"
  std::string host;           // the physical function: "smp_call_function_many_cond"
  uint64_t csd = 0;
  std::string csd_source;     // "frame #8 csd_lock_wait: csd", "cfd_data of CPU 2 for CPU 0"
  uint64_t func = 0;          // csd->func
  std::string func_symbol;    // "csd_lockup_ipi [csd_lockup]"
  uint64_t flags = 0;         // csd->node.u_flags (csd->flags before 5.10)
  std::string flags_text;     // "0x11 (CSD_FLAG_LOCK|CSD_TYPE_SYNC)"
  int target_cpu = -1;        // the CPU whose csd this is; -1 unknown
  std::string target_source;  // "frame variable cpu", "cfd_data of CPU 1"
  std::vector<std::string> problems;  // what could not be read, one line each
};

// A CPU in the queued-spinlock slow path.
struct SpinWait {
  size_t frame = 0;
  std::string function;       // "native_queued_spin_lock_slowpath"
  uint64_t lock = 0;
  LockName name;
  std::optional<QspinlockWord> word;
  std::string problem;
};

struct CpuState {
  unsigned cpu = 0;
  uint64_t task = 0;  // rq->curr; 0 when unreadable
  int64_t pid = 0;
  std::string comm;
  bool idle = false;
  // How long the task has run: RunClocks::since_arrival.
  std::optional<uint64_t> ran_ns;
  std::string ran_source;
  // The context the dump's stop interrupted: the innermost exception frame
  // of the trace, else the register note of frame 0.
  std::optional<bool> irqs_enabled;
  std::string irqs_source;   // "exception frame at 0x...", "register note"
  uint64_t context_pc = 0;
  std::string context_at;    // context_pc as function+offset
  bool context_user = false;
  std::vector<std::string> trace;  // short: function+offset, frame 0 first
  Backtrace backtrace;
  std::optional<CsdWait> csd;
  std::optional<SpinWait> spin;
  std::string error;  // why the CPU's task could not be unwound
};

// Time since a task last arrived on a CPU. Detected from DWARF: with
// CONFIG_SCHED_INFO, sched_info.last_arrival against rq->clock; without
// it, se.exec_start against rq->clock_task. "Now" is the latest clock of
// any CPU, not the task's own CPU's as crash's ps -m takes it: a CPU that
// spins with interrupts off stops its own rq clock (no tick updates it),
// which would show the spinner as having just started. sched_clock is one
// clock across CPUs on x86_64 (stable TSC) and arm64 (the generic timer).
struct RunTime {
  std::optional<uint64_t> ns;
  std::string source;  // "latest rq->clock - sched_info.last_arrival"
};
class RunClocks {
 public:
  RunClocks(Program& prog, unsigned cpus);
  RunTime since_arrival(const TaskInfo& task) const;

 private:
  Program& prog_;
  bool last_arrival_ = true;
  uint64_t now_ = 0;
};

std::vector<CpuState> read_cpu_states(Program& prog, ArchUnwinder& u, const TaskList& tasks,
                                      const RunClocks& clocks);

}  // namespace kinspect
