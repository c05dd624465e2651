// Wait queue walk: see waitqueue.hpp.
#include "core/linux/waitqueue.hpp"

#include "core/linux/kernel_list.hpp"
#include "core/program.hpp"
#include "core/types/types.hpp"

namespace kinspect {

Result<std::vector<WaitQueueEntry>> read_wait_queue(Program& prog, uint64_t head) {
  // wait_queue_head/wait_queue_entry since 4.13 (commit ac6424b981bc
  // "sched/wait: Rename wait_queue_t => wait_queue_entry_t"); task_list before.
  ASSIGN_OR_RETURN(uint64_t head_off, prog.types().member_offset("wait_queue_head", "head"));
  ASSIGN_OR_RETURN(uint64_t node_off, prog.types().member_offset("wait_queue_entry", "entry"));
  ASSIGN_OR_RETURN(uint64_t private_off, prog.types().member_offset("wait_queue_entry", "private"));
  ASSIGN_OR_RETURN(uint64_t func_off, prog.types().member_offset("wait_queue_entry", "func"));
  std::vector<WaitQueueEntry> out;
  TRY_VOID(walk_list(prog, head + head_off, node_off, [&](uint64_t e) -> Status {
    WaitQueueEntry w;
    w.entry = e;
    ASSIGN_OR_RETURN(w.task, prog.read_u64(e + private_off));
    ASSIGN_OR_RETURN(w.func, prog.read_u64(e + func_off));
    out.push_back(w);
    return {};
  }).context("walking the wait queue at " + hex(head)));
  return out;
}

}  // namespace kinspect
