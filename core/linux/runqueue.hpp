// Per-CPU run queues: the running task, the RT priority array and the CFS
// red-black tree of each CPU's struct rq, with task-group (CONFIG_FAIR_GROUP_
// SCHED / RT_GROUP_SCHED) sub-queues followed where an entity has my_q,
// and, as crash does, the running group's queue (cfs_rq->curr->my_q) first.
// Layouts come from DWARF; no formatting here.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

// A queued task as crash's plain `runq` shows it: task-group queues are
// followed and their tasks listed in place, without group headers.
struct QueuedTask {
  uint64_t task = 0;
  int prio = 0;  // CFS: task_struct.prio; RT: the priority queue's index
};

struct CpuRunqueue {
  unsigned cpu = 0;
  uint64_t rq = 0;           // struct rq address
  uint64_t curr = 0;         // rq->curr
  uint64_t rt_array = 0;     // &rq->rt.active (struct rt_prio_array)
  std::vector<QueuedTask> rt;
  uint64_t cfs_root = 0;     // &rq->cfs.tasks_timeline
  std::vector<QueuedTask> cfs;
  uint64_t clock = 0;        // rq->clock (ns)
};

Result<CpuRunqueue> read_runqueue(Program& prog, unsigned cpu);

// Each CPU's rq->clock (ns) without walking its queues; 0 where unreadable.
std::vector<uint64_t> runqueue_clocks(Program& prog, unsigned cpus);

}  // namespace kinspect
