// What a sleeping task waits for, read from its own stack: the lock it is
// queued on (mutex, rw_semaphore, semaphore, completion) from the lock
// primitive's frame variables (`lock`, `sem`, `x`), the object that
// contains the lock (lock_names), and the lock's recorded owner
// (lock_owners). Without a lock primitive, an RPC call the task runs
// (rpc_wait); and always the function where the task went to sleep
// (handle_userfault, pipe_read, ...).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/linux/triage/lock_names.hpp"
#include "core/linux/triage/lock_owners.hpp"
#include "core/linux/triage/rpc_wait.hpp"
#include "core/unwind/frame.hpp"

namespace kinspect {

class Program;
class ArchUnwinder;
struct TaskInfo;

struct LockWait {
  LockKind kind = LockKind::mutex;
  size_t frame = 0;          // the frame of the lock primitive
  std::string function;      // "__mutex_lock", "rwsem_down_write_slowpath"
  uint64_t lock = 0;         // 0 when its address could not be read (see problem)
  LockName name;
  std::optional<LockState> state;
  std::string problem;       // what could not be read
};

struct TaskWait {
  uint64_t task = 0;
  std::vector<std::string> trace;   // short trace, frame 0 first
  std::string sleeps_in;            // "handle_userfault+1297": the first frame past the wait plumbing
  std::optional<LockWait> lock;
  std::optional<RpcWait> rpc;       // when no lock primitive is on the stack
  // The frame waiting for an RCU grace period ("frame #4 __wait_rcu_gp"),
  // when the completion the task sleeps on is synchronize_rcu()'s.
  std::string rcu_gp_frame;
  std::string error;                // the task could not be unwound
};

TaskWait analyze_task_wait(Program& prog, ArchUnwinder& u, const TaskInfo& task);

}  // namespace kinspect
