#include "core/linux/task_stack.hpp"

#include "core/program.hpp"
#include "core/types/object.hpp"
#include "core/types/types.hpp"

namespace kinspect {

Result<std::optional<StackHit>> find_task_stack(Program& prog, const TaskList& tasks, uint64_t vaddr) {
  ASSIGN_OR_RETURN(const Type* task_t, prog.types().find_struct("task_struct"));
  // THREAD_SIZE is not in the DWARF, but union thread_union's stack member
  // is THREAD_SIZE bytes long.
  uint64_t size = 16384;
  if (auto u = prog.types().find_union("thread_union"); u.ok() && (*u)->byte_size() >= 4096) size = (*u)->byte_size();
  for (const auto& t : tasks.tasks) {
    auto stack = Object::at(prog, task_t, t.task).member("stack");
    if (!stack.ok()) return fail(std::move(stack).error());
    auto base = stack->as_u64();
    if (!base.ok() || *base == 0) continue;
    if (vaddr >= *base && vaddr < *base + size) return std::optional<StackHit>{StackHit{&t, *base, *base + size}};
  }
  return std::optional<StackHit>{};
}

}  // namespace kinspect
