// ps: crash's process status listing over core/linux/tasks.
#include <algorithm>
#include <map>
#include <string_view>

#include "commands/command.hpp"
#include "commands/session.hpp"
#include "commands/tasks/task_args.hpp"
#include "commands/tasks/task_filter.hpp"
#include "core/linux/kernel_summary.hpp"
#include "core/linux/runqueue.hpp"
#include "core/linux/tasks.hpp"
#include "core/types/object.hpp"
#include "core/program.hpp"

namespace kinspect {

namespace {

constexpr std::string_view kHeader =
    "      PID    PPID  CPU       TASK        ST  %MEM      VSZ      RSS  COMM";

void print_row(Output& out, const TaskInfo& t) {
  std::string comm = t.kernel_thread() ? "[" + t.comm + "]" : t.comm;
  out.print("%s%7lld %7lld %3d  %16llx  %2s  %4.1f %8llu %8llu  %s\n", t.active ? "> " : "  ",
            static_cast<long long>(t.pid), static_cast<long long>(t.ppid), t.cpu,
            static_cast<unsigned long long>(t.task), t.st.c_str(), t.pct_mem,
            static_cast<unsigned long long>(t.vsz_kb), static_cast<unsigned long long>(t.rss_kb),
            comm.c_str());
}

Result<TaskFilter> parse_filter(const std::vector<Word>& words) {
  TaskFilter f;
  for (const auto& w : words) TRY_VOID(add_task_selector(f, w));
  return f;
}


// crash's -t: by start time, each task's run time (uptime minus its
// start_time, in whole seconds), its start_time and its utime/stime in nanoseconds.
Status print_times(CommandContext& ctx, std::vector<const TaskInfo*> rows) {
  std::stable_sort(rows.begin(), rows.end(),
                   [](const TaskInfo* a, const TaskInfo* b) { return a->start_time < b->start_time; });
  auto uptime = kernel_uptime_seconds(*ctx.program);
  if (!uptime) return fail(Errc::not_found, "-t: the uptime is unknown (no jiffies_64 or tick_nsec)");
  for (const auto* t : rows) {
    ctx.out.line(task_header(*t));
    // Whole seconds of uptime minus whole seconds of start time, as crash
    // counts them (a task started at 4.9 s is 4 s old at an uptime of 8.1 s).
    uint64_t start_sec = t->start_time / 1000000000ull;
    uint64_t run = *uptime > start_sec ? *uptime - start_sec : 0;
    ctx.out.print("    RUN TIME: %s\n", format_uptime(run).c_str());
    ctx.out.print("  START TIME: %llu\n", static_cast<unsigned long long>(t->start_time));
    ctx.out.print("       UTIME: %llu\n", static_cast<unsigned long long>(t->utime));
    ctx.out.print("       STIME: %llu\n\n", static_cast<unsigned long long>(t->stime));
  }
  return {};
}

}  // namespace

Status cmd_ps(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "kuGtpclmSA"));
  if (o.has('k') && o.has('u')) return fail(Errc::invalid_argument, "ps: -k and -u are mutually exclusive");
  ASSIGN_OR_RETURN(TaskFilter f, parse_filter(o.positional));
  ASSIGN_OR_RETURN(const TaskList* list_ptr, ctx.session.tasks());
  const TaskList& list = *list_ptr;

  std::vector<const TaskInfo*> rows;
  for (const auto& t : list.tasks) {
    if (o.has('k') && !t.kernel_thread()) continue;
    if (o.has('u') && t.kernel_thread()) continue;
    if (o.has('G') && !t.idle && t.group_leader != t.task) continue;
    if (o.has('A') && !t.active) continue;
    if (!f.match(t)) continue;
    rows.push_back(&t);
  }
  if (!f.empty() && rows.empty()) return fail(Errc::not_found, "no task matches");

  if (o.has('S')) {
    // crash's -S: a count per state, in the order of its state names.
    std::map<std::string, int> counts;
    for (const auto* t : rows) counts[t->st]++;
    std::string line;
    for (const char* st : {"RU", "IN", "UN", "ST", "TR", "ZO", "DE", "WA", "PA", "ID", "NE", "??"}) {
      auto it = counts.find(st);
      if (it == counts.end()) continue;
      ctx.out.print("  %s: %d\n", st, it->second);
    }
    return {};
  }

  if (o.has('c')) {
    // crash's -c: each selected task, then its children (tasks whose
    // real_parent it is) indented by two; crash counts the idle tasks as
    // children of init_task (CPU 0's idle task).
    uint64_t init_task = 0;
    for (const auto& t : list.tasks)
      if (t.idle && t.cpu == 0) init_task = t.task;
    auto parent_of = [&](const TaskInfo& t) { return t.idle ? init_task : t.parent; };
    for (const auto* t : rows) {
      ctx.out.line(task_header(*t));
      bool any = false;
      for (const auto& c : list.tasks) {
        if (parent_of(c) != t->task) continue;
        ctx.out.line("  " + task_header(c));
        any = true;
      }
      if (!any) ctx.out.line("  (no children)");
    }
    return {};
  }

  if (o.has('p')) {
    // crash's -p: the chain of real parents from the idle task down, each
    // level one more space of indent.
    for (const auto* t : rows) {
      std::vector<const TaskInfo*> chain{t};
      for (const TaskInfo* c = t; chain.size() < 4096;) {
        const TaskInfo* parent = c->idle ? nullptr : list.by_task(c->parent);
        if (!parent || parent == c) break;
        chain.push_back(parent);
        c = parent;
      }
      for (size_t i = chain.size(); i-- > 0;)
        ctx.out.line(std::string(chain.size() - 1 - i, ' ') + task_header(*chain[i]));
      ctx.out.write("\n");
    }
    return {};
  }

  if (o.has('t')) return print_times(ctx, rows);

  if (o.has('l') || o.has('m')) {
    // crash's -l and -m: most recently run first; -l shows
    // sched_info.last_arrival in ns, -m how long before the CPU's
    // runqueue clock that was, as days hh:mm:ss.ms.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const TaskInfo* a, const TaskInfo* b) { return a->last_arrival > b->last_arrival; });
    std::vector<uint64_t> clocks = o.has('m') ? runqueue_clocks(*ctx.program, list.cpus)
                                              : std::vector<uint64_t>{};
    // crash widens the -l column to the largest timestamp (the first row,
    // once sorted): past 9.99 s of uptime that is 11 digits or more.
    int width = 10;
    if (!rows.empty()) width = std::max(width, static_cast<int>(std::to_string(rows.front()->last_arrival).size()));
    for (const auto* t : rows) {
      if (o.has('m')) {
        uint64_t clock = static_cast<size_t>(t->cpu) < clocks.size() ? clocks[t->cpu] : 0;
        uint64_t delta = clock > t->last_arrival ? clock - t->last_arrival : 0;
        ctx.out.print("[%s] ", format_days_hms_ms(delta).c_str());
      } else {
        ctx.out.print("[%*llu] ", width, static_cast<unsigned long long>(t->last_arrival));
      }
      ctx.out.print("[%s]  %s\n", t->st.c_str(), task_header(*t).c_str());
    }
    return {};
  }

  ctx.out.line(kHeader);
  for (const auto* t : rows) {
    if (interrupted()) return fail(Errc::interrupted, "interrupted");
    print_row(ctx.out, *t);
  }
  return {};
}

namespace {
constexpr std::string_view kPsHelp = R"(NAME
  ps - display process status information

SYNOPSIS
  ps [-k|-u|-G] [-A] [-S|-t|-p|-c|-l|-m] [pid | task | command | 'regex'] ...

DESCRIPTION
  Lists every task of the dumped kernel, as crash does: each CPU's idle
  task (swapper/N), every process on init_task's list and every thread of
  each, sorted by pid. A '>' marks the task running on its CPU (the
  runqueue's curr). Kernel threads' names are in brackets.

    PID   the task's pid          PPID  its real parent's pid
    CPU   the CPU it last ran on   TASK  the struct task_struct address
    ST    RU IN UN ZO ST TR DE WA PA ID NE, crash's task state letters
    %MEM  resident pages / total RAM      VSZ, RSS  in kilobytes

  Arguments select tasks: a decimal pid, a hexadecimal task address, a
  command name, or a quoted 'regex' matched against the command name.

  -k      kernel threads only.
  -u      user tasks only.
  -G      thread group leaders only.
  -A      active tasks only (one per CPU).
  -S      a count of tasks in each state.
  -t      by start time: each task's RUN TIME (uptime minus start_time),
          START TIME, UTIME and STIME (nanoseconds), as crash prints them.
  -p      the parental hierarchy: the chain of real parents from the idle
          task down to each selected task, one more space per level.
  -c      each task's children (tasks whose real_parent it is), indented;
          as crash, the idle tasks count as init_task's children.
  -l      each task's last-run timestamp (sched_info.last_arrival, in
          nanoseconds), most recent first: [TIME] [ST]  PID: TASK: CPU: COMMAND:
  -m      how long before its CPU's runqueue clock each task last ran,
          as [days hh:mm:ss.ms], most recent first.
)";
}  // namespace

extern const CommandSpec kPsCommand{"ps", cmd_ps, "display process status information", kPsHelp,
                                    "-k -u -G -t -p -c -l -m -S -A", true};

}  // namespace kinspect
