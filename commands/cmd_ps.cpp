// ps: crash's process status listing over core/linux/tasks.
#include <algorithm>
#include <map>
#include <regex>
#include <string_view>

#include "commands/command.hpp"
#include "core/linux/tasks.hpp"
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

struct Filter {
  std::vector<int64_t> pids;
  std::vector<uint64_t> tasks;
  std::vector<std::string> names;
  std::vector<std::regex> regexes;
  bool empty() const { return pids.empty() && tasks.empty() && names.empty() && regexes.empty(); }
  bool match(const TaskInfo& t) const {
    if (empty()) return true;
    for (auto p : pids)
      if (t.pid == p) return true;
    for (auto a : tasks)
      if (t.task == a) return true;
    for (const auto& n : names)
      if (t.comm == n) return true;
    for (const auto& r : regexes)
      if (std::regex_search(t.comm, r)) return true;
    return false;
  }
};

Result<Filter> parse_filter(const std::vector<Word>& words) {
  Filter f;
  for (const auto& w : words) {
    if (w.quoted) {
      try {
        f.regexes.emplace_back(w.text, std::regex::extended);
      } catch (const std::regex_error&) {
        return fail(Errc::invalid_argument, "invalid regular expression: " + w.text);
      }
      continue;
    }
    bool digits = !w.text.empty() && w.text.find_first_not_of("0123456789") == std::string::npos;
    if (digits && w.text.size() < 10) {
      f.pids.push_back(std::stoll(w.text));
    } else if (auto a = parse_hex(w.text); a && (w.text.rfind("0x", 0) == 0 || w.text.size() >= 10)) {
      f.tasks.push_back(*a);
    } else {
      f.names.push_back(w.text);
    }
  }
  return f;
}

}  // namespace

Status cmd_ps(CommandContext& ctx, const Args& args) {
  ASSIGN_OR_RETURN(Options o, parse_options(args, "kuGtpclmSA"));
  for (char c : std::string_view("tpm"))
    if (o.has(c))
      return fail(Errc::unsupported, std::string("ps -") + c + " is not implemented yet");
  if (o.has('k') && o.has('u')) return fail(Errc::invalid_argument, "ps: -k and -u are mutually exclusive");
  ASSIGN_OR_RETURN(Filter f, parse_filter(o.positional));
  ASSIGN_OR_RETURN(TaskList list, read_tasks(*ctx.program));

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
    auto id_line = [](const TaskInfo& t) {
      char buf[256];
      std::snprintf(buf, sizeof buf, "PID: %-7lld  TASK: %llx  CPU: %-3d  COMMAND: \"%s\"",
                    static_cast<long long>(t.pid), static_cast<unsigned long long>(t.task), t.cpu,
                    t.comm.c_str());
      return std::string(buf);
    };
    for (const auto* t : rows) {
      ctx.out.line(id_line(*t));
      bool any = false;
      for (const auto& c : list.tasks) {
        if (parent_of(c) != t->task) continue;
        ctx.out.line("  " + id_line(c));
        any = true;
      }
      if (!any) ctx.out.line("  (no children)");
    }
    return {};
  }

  if (o.has('l')) {
    // crash's -l: sched_info.last_arrival (ns), most recent first.
    std::stable_sort(rows.begin(), rows.end(),
                     [](const TaskInfo* a, const TaskInfo* b) { return a->last_arrival > b->last_arrival; });
    for (const auto* t : rows)
      ctx.out.print("[%10llu] [%s]  PID: %-7lld  TASK: %llx  CPU: %-3d  COMMAND: \"%s\"\n",
                    static_cast<unsigned long long>(t->last_arrival), t->st.c_str(),
                    static_cast<long long>(t->pid), static_cast<unsigned long long>(t->task), t->cpu,
                    t->comm.c_str());
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
  ps [-k|-u|-G] [-A] [-S] [pid | task | command | 'regex'] ...

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
  -t      run time (not implemented yet: says so).
  -p      parental hierarchy (not implemented yet: says so).
  -c      each task's children (tasks whose real_parent it is), indented;
          as crash, the idle tasks count as init_task's children.
  -l      each task's last-run timestamp (sched_info.last_arrival, in
          nanoseconds), most recent first: [TIME] [ST]  PID: TASK: CPU: COMMAND:
  -m      last-run time as days/hours (not implemented yet: says so).
)";
}  // namespace

extern const CommandSpec kPsCommand{"ps", cmd_ps, "display process status information", kPsHelp,
                                    "-k -u -G -t -p -c -l -m -S -A", true};

}  // namespace kinspect
