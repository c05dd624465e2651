// runq: each CPU's run queue in crash's plain layout.
#include <string>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/symbols/type_support.hpp"
#include "core/linux/runqueue.hpp"

namespace kinspect {

namespace {

std::string queued_line(const TaskList& list, uint64_t task, int prio) {
  char buf[256];
  const TaskInfo* t = list.by_task(task);
  if (!t) {
    std::snprintf(buf, sizeof buf, "     [%3d] TASK: %llx (not in the task list)", prio,
                  static_cast<unsigned long long>(task));
    return buf;
  }
  std::snprintf(buf, sizeof buf, "     [%3d] PID: %-5lld  TASK: %llx  COMMAND: \"%s\"", prio,
                static_cast<long long>(t->pid), static_cast<unsigned long long>(task), t->comm.c_str());
  return buf;
}

Status cmd_runq(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "c:gtTmd"));
  for (char c : std::string_view("gtTmd"))
    if (o.has(c)) return fail(Errc::unsupported, std::string("-") + c + " is not implemented yet");
  Program& prog = *ctx.program;
  ASSIGN_OR_RETURN(const TaskList* list, ctx.session.tasks());
  std::vector<unsigned> cpus;
  if (auto spec = o.value('c')) {
    ASSIGN_OR_RETURN(cpus, parse_cpuspec(prog, *spec));
  } else {
    for (unsigned c = 0; c < list->cpus; ++c) cpus.push_back(c);
  }
  bool first = true;
  for (unsigned cpu : cpus) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    ASSIGN_OR_RETURN(CpuRunqueue rq, read_runqueue(prog, cpu));
    ctx.out.print("%sCPU %u RUNQUEUE: %llx\n", first ? "" : "\n", cpu,
                  static_cast<unsigned long long>(rq.rq));
    first = false;
    if (const TaskInfo* cur = list->by_task(rq.curr))
      ctx.out.print("  CURRENT: PID: %-5lld  TASK: %llx  COMMAND: \"%s\"\n",
                    static_cast<long long>(cur->pid), static_cast<unsigned long long>(rq.curr),
                    cur->comm.c_str());
    else
      ctx.out.print("  CURRENT: %llx\n", static_cast<unsigned long long>(rq.curr));
    ctx.out.print("  RT PRIO_ARRAY: %llx\n", static_cast<unsigned long long>(rq.rt_array));
    for (const QueuedTask& t : rq.rt) ctx.out.line(queued_line(*list, t.task, t.prio));
    if (rq.rt.empty()) ctx.out.line("     [no tasks queued]");
    ctx.out.print("  CFS RB_ROOT: %llx\n", static_cast<unsigned long long>(rq.cfs_root));
    for (const QueuedTask& t : rq.cfs) ctx.out.line(queued_line(*list, t.task, t.prio));
    if (rq.cfs.empty()) ctx.out.line("     [no tasks queued]");
  }
  return {};
}

constexpr std::string_view kRunqHelp = R"(NAME
  runq - run queue contents

SYNOPSIS
  runq [-c cpu(s)]

DESCRIPTION
  For each CPU, in crash's layout: the struct rq address, the running task
  (CURRENT), the RT priority array with its queued tasks as "[queue] PID:
  TASK: COMMAND:", and the CFS red-black tree's tasks, leftmost (next to
  run) first, as "[prio] ...". Task-group queues are followed and their
  tasks listed in place, the running group's first, as crash does.

  -c cpu(s)   only these CPUs: "3", "1,3", "0-2".
  -g          crash's task-group view: not implemented yet (says so).
  -t          crash's timestamps: not implemented yet (says so).
  -T          crash's per-CPU time lag: not implemented yet (says so).
  -m          crash's run times as days/hours: not implemented yet (says so).
  -d          crash's on_rq task list: not implemented yet (says so).
)";

}  // namespace

extern const CommandSpec kRunqCommand{"runq", cmd_runq, "run queue contents", kRunqHelp,
                                      "-c -g -t -T -m -d", true};

}  // namespace kinspect
