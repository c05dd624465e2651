// triage: why the machine stopped, in one command (beyond crash). The
// analysis is core/linux/triage; this file parses flags, shows progress
// and picks the text or the JSON rendering.
#include "commands/command.hpp"
#include "commands/progress.hpp"
#include "commands/session.hpp"
#include "commands/triage/triage_json.hpp"
#include "commands/triage/triage_text.hpp"
#include "core/linux/triage/triage.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

constexpr std::string_view kTriageHelp = R"HELP(NAME
  triage - why the machine stopped: panic, CPUs, blocked tasks, wait-for graph (beyond crash)

SYNOPSIS
  triage [-j | --json]

DESCRIPTION
  Reads the dump (never writes it) and prints, in this order:

  PANIC     the panic message from the kernel log, the panic CPU (and how
            it was found: panic_cpu, the kdump header, the registers), the
            panic task and its short trace.
  ROOT CAUSES
            the wait-for graph's root causes (below), most waiters first,
            and every DEADLOCK cycle, so that the first screen names them;
            a transport lists the RPC procedures left unanswered on it.
  CPUS      per CPU: the running task, how long it has run (the run
            queue's clock minus the task's last arrival: rq->clock -
            sched_info.last_arrival, or rq->clock_task - se.exec_start on
            kernels without SCHED_INFO, chosen from DWARF), whether the
            interrupted context had interrupts on (x86_64 RFLAGS.IF, arm64
            PSTATE.I of the innermost exception frame, else of the CPU's
            register note) and where it was interrupted. A CPU spinning in
            csd_lock_wait() (inlined or not) shows the csd, its function,
            its flags by name (CSD_FLAG_LOCK|CSD_TYPE_SYNC), the CPU it
            waits for (the frame's cpu variable, checked against the
            waiting CPU's cfd_data) and what that CPU runs. A CPU in the
            queued-spinlock slow path shows the lock, its symbol or the
            object a caller's frame points at that contains it, and the
            lock word's locked/pending bits and tail CPU (a qspinlock does
            not record its owner).
  BLOCKED TASKS
            every task in D state (UN), the time since it last ran (as
            ps -m), whether that exceeds the kernel's hung_task_timeout_secs,
            and what it waits for: a mutex, rw_semaphore, semaphore or
            completion read from the lock primitive's frame variables
            (lock, sem, x), named by its symbol or containing object
            ("struct pipe_inode_info ADDR: mutex"), with its state and
            owner task (mutex.owner and rw_semaphore.owner with the flag
            bits masked; for a reader-owned rwsem the last reader). Owners
            that are not blocked themselves follow as "(lock owner)" lines.
            A task in an RPC call (__rpc_execute; sunrpc's debug file from
            the module debug-file search) shows its rpc_task, the procedure
            (rpc_proc as <nfs3_procedures[N]> and its p_name), the client's
            program, version and server, the transport (protocol, address,
            state bits: XPRT_CONNECTED|XPRT_BOUND), the task's run state and
            RPC wait queue, and how long ago it started and was last sent.
            A completion in __wait_rcu_gp (synchronize_rcu) is an RCU wait.
            Otherwise the function the task sleeps in.
  RCU       the tree-RCU grace period (rcu_state: flavor, gp_seq, the GP
            kthread's state), how long it has been in progress (jiffies_64
            - gp_start) and whether that is past rcu_cpu_stall_timeout
            (STALLED), the CPUs blocking it (bits left in a leaf
            rcu_node's qsmask, with rcu_data.cpu_no_qs and what each runs
            where), preempted readers blocking it (rcu_node.gp_tasks), and
            the tasks waiting for it.
  WAIT-FOR GRAPH
            the root causes (where the chains end, most waiters first),
            one sentence per chain ("A waits for mutex M held by B, which
            waits for ..."), CPU -> CPU csd waits, task -> rpc_task ->
            transport, and synchronize_rcu() waiters -> the grace period ->
            the CPU blocking it included; cycles printed under DEADLOCKS.

OPTIONS
  -j      the same facts as one JSON document (schema "kinspect-triage",
          version 1; see kinspect(1), TRIAGE JSON).
  --json  the same as -j.

  kinspect --triage VMLINUX VMCORE runs triage and exits (--json for JSON).
)HELP";

Status cmd_triage(CommandContext& ctx, const Args& args) {
  bool json = false;
  for (const Word& w : args.words) {
    if (w.text == "-j" || w.text == "--json")
      json = true;
    else
      return fail(Errc::invalid_argument, "triage: unknown argument " + w.text + " (usage: triage [-j | --json])");
  }
  ASSIGN_OR_RETURN(const TaskList* tasks, ctx.session.tasks());
  ASSIGN_OR_RETURN(const PanicInfo* panic, ctx.session.panic());
  std::optional<Progress> progress;
  auto step = [&](size_t done, size_t total) {
    if (!progress) progress.emplace("triage", total, "tasks");
    progress->step(done);
    return !interrupted();
  };
  ASSIGN_OR_RETURN(TriageReport r, build_triage(*ctx.program, *tasks, *panic, step));
  progress.reset();
  ctx.out.write(json ? triage_json(r) : triage_text(r));
  return {};
}

}  // namespace

extern const CommandSpec kTriageCommand{"triage", cmd_triage,
                                        "why the machine stopped: panic, CPUs, blocked tasks, wait-for graph",
                                        kTriageHelp, "-j --json", true};

}  // namespace kinspect
