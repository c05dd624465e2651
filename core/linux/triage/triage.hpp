// triage: why the machine stopped, as data. The panic (CPU, task, message,
// short trace), every CPU's state (cpu_state), every task in D state and
// the lock owners they lead to (task_wait), and the wait-for graph that
// links them (wait_graph): chains task -> lock -> owner task -> ..., CPU ->
// csd -> CPU, cycles as deadlocks and the root causes first. No printing:
// commands/triage renders this as text and as JSON.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/linux/triage/cpu_state.hpp"
#include "core/linux/triage/rcu_gp.hpp"
#include "core/linux/triage/task_wait.hpp"
#include "core/linux/triage/wait_graph.hpp"

namespace kinspect {

class Program;
struct PanicInfo;
struct TaskList;

struct PanicSummary {
  bool found = false;
  int cpu = -1;
  uint64_t task = 0;
  int64_t pid = 0;
  std::string comm;
  std::string source;   // how the panic CPU was found ("panic_cpu", ...)
  std::string message;  // from the kernel log
  std::vector<std::string> trace;
};

struct WaitingTask {
  uint64_t task = 0;
  int64_t pid = 0;
  std::string comm;
  std::string st;        // crash's state letters: UN, IN, RU...
  int cpu = -1;
  bool active = false;   // running on its CPU
  // Time since it last arrived on a CPU (crash's ps -m), see RunClocks.
  std::optional<uint64_t> since_ran_ns;
  bool over_hung_timeout = false;
  bool blocked = false;  // in D state (else reached as a lock owner)
  TaskWait wait;
};

struct TriageReport {
  PanicSummary panic;
  std::vector<CpuState> cpus;
  std::string run_time_source;               // RunTime::source
  std::optional<uint64_t> hung_timeout_secs; // sysctl_hung_task_timeout_secs, when the kernel has it
  std::vector<WaitingTask> tasks;            // D-state tasks (pid order), then owners they lead to
  std::optional<RcuGracePeriod> rcu;         // the grace period (rcu_gp), or why not in rcu_error
  std::string rcu_error;
  WaitGraph graph;
  std::vector<std::string> starts;           // graph nodes chains start from: waiting CPUs, blocked tasks
  std::vector<RootCause> roots;
  std::vector<WaitChain> cycles;
  const WaitingTask* task(uint64_t addr) const;
};

// progress(done, total) is called while the blocked tasks are unwound;
// returning false stops the analysis (Ctrl-C) with Errc::interrupted.
using TriageProgress = std::function<bool(size_t done, size_t total)>;

Result<TriageReport> build_triage(Program& prog, const TaskList& tasks, const PanicInfo& panic,
                                  const TriageProgress& progress = {});

}  // namespace kinspect
