// The RCU grace period in progress at the dump: its number and age, the
// grace-period kthread's state, and what blocks it: the CPUs whose bit is
// still set in their leaf rcu_node's qsmask (no quiescent state reported
// yet) and the preempted readers from rcu_node.gp_tasks to the end of
// blkd_tasks. Tree RCU's rcu_state/rcu_node/rcu_data (one rcu_state since
// 4.20's flavor consolidation), all from DWARF. No printing.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace kinspect {

class Program;

struct RcuBlockingCpu {
  unsigned cpu = 0;
  std::optional<bool> no_qs;  // rcu_data.cpu_no_qs.b.norm: the CPU still owes this GP a quiescent state
};

struct RcuBlockingTask {
  uint64_t task = 0;  // task_struct
  int64_t pid = -1;   // from the task list (triage fills these), -1 unknown
  std::string comm;
};

struct RcuGracePeriod {
  std::string flavor;           // rcu_state.name: "rcu_preempt", "rcu_sched"
  int64_t gp_seq = 0;           // rcu_state.gp_seq, signed as the kernel prints it (g=-687)
  bool in_progress = false;     // the low two bits of gp_seq (rcu_seq_state) are non-zero
  std::string gp_state;         // gp_state_names[rcu_state.gp_state]: "RCU_GP_WAIT_FQS"
  std::optional<uint64_t> age_ns;  // (jiffies_64 - rcu_state.gp_start) / HZ, in progress only
  // rcu_cpu_stall_timeout (seconds; the boot parameter or sysctl), and
  // whether the grace period is older: the kernel has (or is about to
  // have) reported a stall, not just a grace period caught mid-way.
  std::optional<uint64_t> stall_timeout_secs;
  bool stalled = false;
  std::vector<RcuBlockingCpu> cpus;  // leaf rcu_node qsmask bits
  std::vector<RcuBlockingTask> tasks;  // preempted readers blocking the GP
  std::vector<std::string> problems;
};

Result<RcuGracePeriod> read_rcu_grace_period(Program& prog);

}  // namespace kinspect
