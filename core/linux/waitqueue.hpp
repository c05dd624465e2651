// The tasks waiting on a wait queue (struct wait_queue_head: its `head`
// list of wait_queue_entry, each with the waiting task in `private` for
// the default wake function). Layouts from DWARF; no output here.
#pragma once

#include <cstdint>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct WaitQueueEntry {
  uint64_t entry = 0;  // struct wait_queue_entry *
  uint64_t task = 0;   // entry->private (a task_struct for default waiters)
  uint64_t func = 0;   // entry->func
};

Result<std::vector<WaitQueueEntry>> read_wait_queue(Program& prog, uint64_t wait_queue_head);

}  // namespace kinspect
