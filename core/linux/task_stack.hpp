// Whose kernel stack an address is on: task_struct.stack to THREAD_SIZE
// (the size of union thread_union) for every task. No printing here.
#pragma once

#include <cstdint>
#include <optional>

#include "core/error.hpp"
#include "core/linux/tasks.hpp"

namespace kinspect {

class Program;

struct StackHit {
  const TaskInfo* task = nullptr;
  uint64_t base = 0, end = 0;  // [base, end)
};

Result<std::optional<StackHit>> find_task_stack(Program& prog, const TaskList& tasks, uint64_t vaddr);

}  // namespace kinspect
