// Tasks of the dumped kernel: every process (init_task.tasks) and every
// thread (signal->thread_head/thread_node, or the older thread_group list,
// chosen by which members the DWARF has), plus each CPU's idle task and
// running task from the per-cpu runqueues. No output formatting here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct TaskInfo {
  uint64_t task = 0;          // struct task_struct address
  int64_t pid = 0, tgid = 0;
  int64_t ppid = 0;           // real_parent->pid
  uint64_t parent = 0;        // real_parent
  uint64_t group_leader = 0;
  std::string comm;
  uint64_t state = 0;         // __state or state
  uint64_t exit_state = 0;
  std::string st;             // crash's letters: RU IN UN ZO ST TR DE WA PA ID NE
  int cpu = 0;
  uint64_t mm = 0;            // 0 for kernel threads
  uint64_t vsz_kb = 0, rss_kb = 0;
  double pct_mem = 0;         // RSS / total RAM, in percent
  bool active = false;        // rq->curr of its CPU
  bool idle = false;          // a CPU's idle task (swapper/N)
  bool kernel_thread() const { return mm == 0; }
  uint64_t last_arrival = 0;  // sched_info.last_arrival (ns)
  uint64_t utime = 0, stime = 0, start_time = 0;
};

struct TaskList {
  std::vector<TaskInfo> tasks;           // crash's order: idle tasks per CPU, then the list
  std::vector<uint64_t> active;          // rq->curr per CPU (0 when unreadable)
  unsigned cpus = 0;
  const TaskInfo* by_pid(int64_t pid) const;
  const TaskInfo* by_task(uint64_t task) const;
};

// crash's two-letter state of a task from its state and exit_state words.
std::string task_state_letters(uint64_t state, uint64_t exit_state);

// Reads every task; a corrupt or looping list is an error, never a hang.
Result<TaskList> read_tasks(Program& prog);

}  // namespace kinspect
